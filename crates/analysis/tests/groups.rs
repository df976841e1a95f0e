//! Target groups, overlaps and combinations on the hand-built municipality of
//! [`common::fixture`]; every expected figure is worked out in the comments from the spells,
//! prices and postings there (hour-priced services at 7 hours a week cost their price per day).

mod common;

use common::{FIXTURE_RULES, at, fixture};
use serde_json::Value;
use tvaers_analysis::groups::{RuleAnalysis, TargetGroupRow};
use tvaers_analysis::{
    CostCentre, allocate, analyse, analyse_with_rules, compute_metrics, summarise_rules,
};
use tvaers_core::{Department, Ore, Period};
use tvaers_messages::{self as messages, Lang};
use tvaers_rules::{RuleSet, Severity};

fn rules() -> RuleSet {
    RuleSet::parse(FIXTURE_RULES, "fixture.toml").expect("the fixture rules are valid")
}

fn analysis() -> RuleAnalysis {
    let reg = fixture(5, 5);
    let p = Period::year(2024);
    let alloc = allocate(&reg, p).unwrap();
    let metrics = compute_metrics(&reg, &alloc, p);
    summarise_rules(&reg, &alloc, &metrics, &rules(), p, Default::default())
}

fn kr(k: i64) -> Ore {
    Ore::from_kroner(k)
}

fn group<'a>(r: &'a RuleAnalysis, id: &str) -> &'a TargetGroupRow {
    r.target_groups
        .iter()
        .find(|g| g.rule.id == id)
        .unwrap_or_else(|| panic!("no target group {id}"))
}

fn centre(g: &TargetGroupRow, d: Department) -> (u64, Ore) {
    let (_, cell) = g
        .by_centre
        .iter()
        .find(|(c, _)| *c == CostCentre::Department(d))
        .unwrap();
    let v = cell
        .value()
        .unwrap_or_else(|| panic!("{d:?} published: {:?}", g.by_centre));
    (v.persons, v.cost)
}

#[test]
fn a_target_group_of_single_citizens() {
    let r = analysis();
    assert_eq!(r.source, "fixture.toml");
    assert_eq!(r.target_groups.len(), 3);
    let g = group(&r, "mentor_og_stoette");
    let f = g.figures.value().expect("15 citizens are published");
    // m0..m9 and the five short ones all have mentor and support contact on a common day.
    assert_eq!((f.citizens, f.families), (15, None));
    // m0..m3: 3,100 mentor + 10,400 support (52 days × 200) + 1,500 rehabilitation = 15,000;
    // m4: support skipped (booked 2,000 on its function) → 3,100 + 2,000 + 1,500 = 6,600;
    // m5: 3,100 + 10,400 + 8,000 cash benefit booked = 21,500; m6: mentor skipped (5,000
    // booked on its function) → 5,000 + 10,400 = 15,400; m7..m9: 13,500; short: 3,100 + 2,000.
    let total = 4 * 15_000 + 6_600 + 21_500 + 15_400 + 3 * 13_500 + 5 * 5_100;
    assert_eq!(total, 169_500);
    let c = g.cost.value().expect("cost published");
    assert_eq!(c.cost, kr(169_500));
    assert_eq!(c.average, kr(11_300));
    assert_eq!((c.family_cost, c.family_average), (None, None));
    // Employment: 14 mentor spells priced (3,100) + 5,000 + 8,000 booked; adult social: nine
    // long support spells priced (10,400) + 2,000 booked + five short (2,000); health: five
    // rehabilitation spells.
    assert_eq!(
        centre(g, Department::Employment),
        (15, kr(14 * 3_100 + 13_000))
    );
    assert_eq!(
        centre(g, Department::AdultSocial),
        (15, kr(9 * 10_400 + 2_000 + 5 * 2_000))
    );
    assert_eq!(centre(g, Department::Health), (5, kr(7_500)));
    assert_eq!(centre(g, Department::Elderly), (0, Ore::ZERO));
    // m0..m4 have three departments at once (15–24 March), the other ten two.
    let dist: Vec<Option<u64>> = g
        .concurrent_departments
        .iter()
        .map(|c| c.value().copied())
        .collect();
    assert_eq!(dist, vec![Some(0), Some(0), Some(10), Some(5), Some(0)]);
    assert!((f.mean_concurrent_departments - 35.0 / 15.0).abs() < 1e-12);
    assert!((f.mean_concurrent_services - 35.0 / 15.0).abs() < 1e-12);
    assert!(
        (f.mean_contacts - 2.0).abs() < 1e-12,
        "a mentor and a support contact each"
    );
    assert_eq!(g.services_7plus.value(), Some(&0));
    // Overlap counts: the 10 long ones meet the 14-day rule (5 do not, 0 of the overlap are
    // outside the group); nobody here is in activation during anxiety treatment.
    assert_eq!(r.overlaps[0].rule.id, "parallel_hjaelp");
    assert_eq!(g.overlaps[0].value(), Some(&10));
    assert_eq!(g.overlaps[1].value(), Some(&0));
}

#[test]
fn a_family_target_group_counts_families_and_their_whole_cost() {
    let r = analysis();
    let g = group(&r, "familier");
    assert!(g.rule.family);
    let f = g.figures.value().unwrap();
    // Five families, each with an adult and a child filling the roles; the siblings do not.
    assert_eq!((f.citizens, f.families), (10, Some(5)));
    // Adult: 365 kr a month for 366 days = 365 × 12 × 366 / 365 = 4,392; child: 700 kr a week
    // for 10 days = 1,000. The sibling in F0 has 2 days of rehabilitation (300) and of
    // activation (182.74) — in the families' cost, not the members'.
    let c = g.cost.value().unwrap();
    assert_eq!(c.cost, kr(5 * (4_392 + 1_000)));
    assert_eq!(c.average, kr(2_696));
    assert_eq!(c.family_cost, Some(Ore(2_696_000 + 30_000 + 18_274)));
    // 2,744,274 øre / 5 = 548,854.8 → 548,855.
    assert_eq!(c.family_average, Some(Ore(548_855)));
    assert_eq!(centre(g, Department::Employment), (5, kr(5 * 4_392)));
    assert_eq!(centre(g, Department::ChildrenFamily), (5, kr(5_000)));
    assert_eq!(g.concurrent_departments[1].value(), Some(&10));
    assert!((f.mean_contacts - 0.0).abs() < 1e-12);
    assert_eq!(g.overlaps[0].value(), Some(&0));
}

#[test]
fn a_target_group_of_four_is_hidden_whole() {
    let r = analysis();
    let g = group(&r, "pleje_og_genoptraening");
    assert!(g.figures.is_suppressed() && g.cost.is_suppressed());
    assert!(g.by_centre.iter().all(|(_, c)| c.is_suppressed()));
    assert!(g.concurrent_departments.iter().all(|c| c.is_suppressed()));
    assert!(g.overlaps.iter().all(|c| c.is_suppressed()));
    assert!(g.services_7plus.is_suppressed());
}

#[test]
fn overlaps_count_citizens_and_the_cost_of_the_services_involved() {
    let r = analysis();
    let o = &r.overlaps[0];
    assert_eq!(o.rule.severity, Severity::Warning);
    assert_eq!(o.rule.explanation_en, "Parallel help.");
    assert_eq!(o.figures.value().unwrap().citizens, 10);
    let c = o.cost.value().unwrap();
    // Involved = mentor and support contact only: m0..m3 and m5, m7..m9: 3,100 + 10,400;
    // m4: 3,100 + the 2,000 booked naming the support service; m6: the 5,000 booked on the
    // mentor's function + 10,400. Not the rehabilitation, not m5's cash benefit.
    let involved = 8 * 13_500 + 5_100 + 15_400;
    assert_eq!(involved, 128_500);
    assert_eq!(c.involved, kr(involved));
    assert_eq!(c.involved_average, kr(12_850));
    // Their whole cost adds 5 × 1,500 rehabilitation and 8,000 cash benefit.
    assert_eq!(c.cost, kr(involved + 7_500 + 8_000));
    assert_eq!(c.average, kr(14_400));
    let hidden = &r.overlaps[1];
    assert_eq!(hidden.rule.severity, Severity::Critical);
    assert!(hidden.figures.is_suppressed() && hidden.cost.is_suppressed());
}

#[test]
fn combinations_ranked_by_cost_with_age_and_sex_profiles() {
    let r = analysis();
    let c = &r.combinations;
    // {mentor, support}, {activation, home help} and {mentor, support, rehabilitation} with
    // its two pairs; {home help, rehabilitation} and {activation, anxiety} have only 4.
    assert_eq!((c.found, c.withheld_nested, c.rows.len()), (5, 0, 5));
    let codes: Vec<Vec<&str>> = c
        .rows
        .iter()
        .map(|row| row.services.iter().map(|s| s.code.as_str()).collect())
        .collect();
    assert_eq!(
        codes,
        vec![
            vec!["MENTOR", "SKP99"],
            vec!["HJH", "AKT"],
            vec!["MENTOR", "SKP99", "GENOP"],
            vec!["MENTOR", "GENOP"],
            vec!["SKP99", "GENOP"],
        ]
    );
    let top = &c.rows[0];
    assert_eq!(top.rank, 1);
    assert_eq!(top.citizens.value(), Some(&15));
    assert_eq!(top.cost.value().unwrap().cost, kr(169_500));
    assert_eq!(
        top.departments,
        vec![Department::Employment, Department::AdultSocial]
    );
    // m0–m4 aged 24, m5–m9 44, the short five 59: five in each of three bands.
    let bands = |i: usize| -> Vec<Option<u64>> {
        c.rows[i]
            .age_bands
            .iter()
            .map(|b| b.value().copied())
            .collect()
    };
    assert_eq!(bands(0), vec![Some(0), Some(5), Some(5), Some(5), Some(0)]);
    assert!((top.women_share.value().unwrap() - 10.0 / 15.0).abs() < 1e-12);
    // q0..q18: activation 10 days at 91.37 + home help 20 days at 263.17 = 6,177.10 each.
    let q = &c.rows[1];
    assert_eq!(q.cost.value().unwrap().cost, Ore(19 * 617_710));
    assert_eq!(q.cost.value().unwrap().average, Ore(617_710));
    // Ages 24 (6), 44 (4), 74 (9): the 4 is hidden and, beside it, the 6 — the hidden pair
    // sums to 10, so "<5" may still be anything from 1 to 4.
    assert_eq!(bands(1), vec![Some(0), None, None, Some(0), Some(9)]);
    assert!(q.age_bands[2].suppression() == Some(tvaers_analysis::Suppression::Primary));
    assert!((q.women_share.value().unwrap() - 12.0 / 19.0).abs() < 1e-12);
    // m0..m4: 4 × 15,000 + 6,600; all aged 24 and women. Their profile differs from the top
    // one's by 0 or 5 in every cell, so it is shown.
    for i in 2..5 {
        assert_eq!(c.rows[i].citizens.value(), Some(&5));
        assert_eq!(c.rows[i].cost.value().unwrap().cost, kr(66_600));
        assert_eq!(c.rows[i].cost.value().unwrap().average, kr(13_320));
        assert_eq!(bands(i), vec![Some(0), Some(5), Some(0), Some(0), Some(0)]);
        assert_eq!(c.rows[i].women_share.value(), Some(&1.0));
    }
}

#[test]
fn summary_json_and_tables_carry_the_rule_sections() {
    let reg = fixture(5, 5);
    let a = analyse_with_rules(&reg, Period::year(2024), &rules()).unwrap();
    let s: Value = a.summary_json();
    assert_eq!(at(&s, "/rules/source"), "fixture.toml");
    assert_eq!(at(&s, "/rules/target_groups/0/id"), "mentor_og_stoette");
    assert_eq!(at(&s, "/rules/target_groups/0/citizens"), 15);
    assert_eq!(at(&s, "/rules/target_groups/0/cost/cost_ore"), 16_950_000);
    assert_eq!(at(&s, "/rules/target_groups/1/families"), 5);
    assert_eq!(
        at(&s, "/rules/target_groups/1/cost/family_cost_ore"),
        2_744_274
    );
    assert_eq!(
        at(&s, "/rules/target_groups/0/overlaps/0/overlap"),
        "parallel_hjaelp"
    );
    assert_eq!(at(&s, "/rules/target_groups/0/overlaps/0/citizens"), 10);
    assert!(at(&s, "/rules/target_groups/2/citizens").is_null());
    assert_eq!(at(&s, "/rules/target_groups/2/suppressed"), true);
    assert_eq!(at(&s, "/rules/overlaps/0/severity"), "advarsel");
    assert_eq!(
        at(&s, "/rules/overlaps/0/cost/involved_cost_ore"),
        12_850_000
    );
    assert!(at(&s, "/rules/overlaps/1/citizens").is_null());
    assert_eq!(at(&s, "/rules/combinations/found"), 5);
    assert_eq!(at(&s, "/rules/combinations/list/0/services/1"), "SKP99");
    assert_eq!(at(&s, "/rules/combinations/list/0/cost_ore"), 16_950_000);
    assert_eq!(at(&s, "/rules/combinations/list/1/age_bands/4/band"), "65+");
    assert_eq!(at(&s, "/rules/combinations/list/1/age_bands/4/citizens"), 9);
    assert!(at(&s, "/rules/combinations/list/1/age_bands/2/citizens").is_null());
    // Every listed pointer is null; the hidden age band is among them.
    let listed: Vec<&str> = at(&s, "/suppressed")
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for p in &listed {
        assert!(at(&s, p).is_null(), "{p}");
    }
    assert!(listed.contains(&"/rules/combinations/list/1/age_bands/2/citizens"));
    // Without rules the key is there and null.
    assert!(analyse(&reg, Period::year(2024)).unwrap().summary_json()["rules"].is_null());

    let dir = tempfile::tempdir().unwrap();
    let files = tvaers_report::write(&tvaers_analysis::publish(&a, Lang::Da), dir.path()).unwrap();
    let stems: Vec<String> = files
        .csv
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for stem in [
        "maalgrupper.csv",
        "maalgrupper_forvaltninger.csv",
        "maalgrupper_kompleksitet.csv",
        "maalgrupper_overlap.csv",
        "overlap.csv",
        "kombinationer.csv",
    ] {
        assert!(stems.iter().any(|s| s == stem), "{stem} in {stems:?}");
    }
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let groups = read("tables/maalgrupper.csv");
    let line = groups
        .lines()
        .find(|l| l.starts_with("Mentor og støttekontaktperson;"))
        .unwrap();
    // Citizens; families (none); cost; mean; family columns empty; means with decimal comma.
    assert_eq!(
        line,
        "Mentor og støttekontaktperson;15;;169500,00;11300,00;;;2,33;2,33;2,00;0"
    );
    let hidden = groups
        .lines()
        .find(|l| l.starts_with("Hjemmehjælp og genoptræning;"))
        .unwrap();
    assert_eq!(
        hidden,
        "Hjemmehjælp og genoptræning;<5;<5;<5;<5;<5;<5;<5;<5;<5;<5"
    );
    let overlaps = read("tables/overlap.csv");
    assert!(overlaps.contains(
        "Mentor og støttekontaktperson i mindst 14 dage;Advarsel;10;;128500,00;12850,00;144000,00;Parallel hjælp."
    ));
    let combos = read("tables/kombinationer.csv");
    assert!(combos.starts_with(
        "\u{feff}Nr.;Ydelser;Forvaltninger;Antal ydelser;Borgere;Udgift (kr.);Gns. udgift pr. borger (kr.);0–17 år;18–29 år;30–49 år;50–64 år;65+ år;Andel kvinder (%)"
    ));
    assert!(
        combos.contains(
            "2;HJH + AKT;Beskæftigelse, Ældre og pleje;2;19;117364,90;6177,10;0;—;<5;0;9;63,16"
        ),
        "{combos}"
    );
    // The xlsx has the six rule sheets after the six others, then the top 1 %/3 % profile and
    // the two plausibility sheets.
    let all = common::output_files(dir.path());
    let wb = &all
        .iter()
        .find(|(n, _)| n.ends_with("xl/workbook.xml"))
        .unwrap()
        .1;
    let wb = String::from_utf8_lossy(wb);
    assert_eq!(wb.matches("<sheet ").count(), 15);
    assert!(wb.contains("name=\"Målgrupper\"") && wb.contains("name=\"Kombinationer af ydelser\""));

    // HTML: a section per kind, the two target-group charts, every rule by name.
    let html = read("index.html");
    // Two charts more than without rules (here the coverage chart is hidden: 3 booked persons).
    let plain = tvaers_report::html(&tvaers_analysis::publish(
        &analyse(&reg, Period::year(2024)).unwrap(),
        Lang::Da,
    ));
    assert_eq!(plain.matches("<svg").count(), 3);
    assert_eq!(html.matches("<svg").count(), 5);
    assert_eq!(html.matches("<figcaption>").count(), 5);
    for k in [
        messages::Key::section_target_groups,
        messages::Key::section_overlaps,
        messages::Key::section_combinations,
    ] {
        assert!(html.contains(messages::t(Lang::Da, k)));
    }
    for rule in rules().rules() {
        assert!(html.contains(&rule.name_da), "{} missing", rule.name_da);
    }
    assert!(html.contains("Advarsel") && html.contains("Kritisk"));
    let en = dir.path().join("en");
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::En), &en).unwrap();
    let html_en = std::fs::read_to_string(en.join("index.html")).unwrap();
    for rule in rules().rules() {
        assert!(html_en.contains(&rule.name_en), "{} missing", rule.name_en);
    }
    assert!(html_en.contains("Warning") && html_en.contains("Activation can work"));
}
