//! Tries to get a small cell or an identifier out of the report: tiny registers, a department
//! with two citizens, top-k shares next to a Lorenz curve. Every output file (xlsx unzipped) is
//! scanned for every pseudonym and for the hidden values in every format the writers use.

mod common;

use common::testkit::{CATALOGUE, all_pseudonym_hex, register};
use common::{at, contains, output_files};
use serde_json::Value;
use std::path::Path;
use tvaers_analysis::{Analysis, CostCentre, Suppression, allocate, analyse, analyse_with_rules};
use tvaers_core::{Department, Ore, Period, PersonIx, Pseudonymised, Register};
use tvaers_messages::{self as messages, Lang};
use tvaers_rules::RuleSet;

fn write_both(reg: &Register<Pseudonymised>, dir: &Path) -> Value {
    let a = analyse(reg, Period::year(2024)).unwrap();
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::Da), &dir.join("da")).unwrap();
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::En), &dir.join("en")).unwrap();
    let text = std::fs::read_to_string(dir.join("da/summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn assert_no_pseudonyms(reg: &Register<Pseudonymised>, dir: &Path) {
    let files = output_files(dir);
    assert!(
        files.len() >= 2 * 9,
        "both reports with all their files: {}",
        files.len()
    );
    for hex in all_pseudonym_hex(reg) {
        let upper = hex.to_uppercase();
        for needle in [&hex, &upper, &hex[..16].to_string(), &hex[16..].to_string()] {
            for (name, bytes) in &files {
                assert!(!contains(bytes, needle), "pseudonym {needle} in {name}");
            }
        }
    }
}

/// Every way the writers could print an amount: øre in JSON, kroner with decimal comma (CSV),
/// kroner as an xlsx number, whole kroner Danish and English.
fn renderings(v: Ore) -> Vec<String> {
    let a = v.0.unsigned_abs();
    vec![
        v.0.to_string(),
        format!("{},{:02}", a / 100, a % 100),
        format!("{}", v.0 as f64 / 100.0),
        messages::int(Lang::Da, v.round_kroner()),
        messages::int(Lang::En, v.round_kroner()),
    ]
}

fn assert_value_absent(dir: &Path, v: Ore, what: &str) {
    assert!(
        v.0.abs() >= 100_000,
        "{what}: pick a distinctive test value, not {v:?}"
    );
    for (name, bytes) in output_files(dir) {
        for r in renderings(v) {
            assert!(!contains(&bytes, &r), "{what} ({r}) appears in {name}");
        }
    }
}

fn assert_suppressed_list_consistent(s: &Value) {
    for p in at(s, "/suppressed").as_array().unwrap() {
        let ptr = p.as_str().unwrap();
        assert!(
            at(s, ptr).is_null(),
            "{ptr} is listed as suppressed but has a value"
        );
    }
}

fn listed(s: &Value, ptr: &str) -> bool {
    at(s, "/suppressed")
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p.as_str() == Some(ptr))
}

fn department_row<'a>(s: &'a Value, code: &str) -> &'a Value {
    at(s, "/coverage_by_department")
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == code)
        .unwrap_or_else(|| panic!("no row {code}"))
}

#[test]
fn a_register_of_three_reveals_nothing_about_them() {
    let reg = register(&format!(
        "{CATALOGUE}
price MENTOR 2024 613.00
price SEL85 2024 587.00
price HJEM 2024 490.00
person a F1
person b F1
person c F2
spell a MENTOR 2024-01-01 2024-06-30 3 JC1
spell b SEL85 2024-02-01 2024-12-31 5 SO2
spell c HJEM 2024-03-01 - 2 AE3
posting 2024-03-03 5.57.73 123457.89 c KTH
posting 2024-05-01 5.38.38 77777.77 - -
"
    ));
    let dir = tempfile::tempdir().unwrap();
    let s = write_both(&reg, dir.path());
    assert_no_pseudonyms(&reg, dir.path());

    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    for p in 0..3u32 {
        let v = alloc.allocated(PersonIx(p));
        assert_value_absent(dir.path(), v, &format!("person {p}'s cost"));
    }
    // Family F1 (a + b) and the three together.
    assert_value_absent(
        dir.path(),
        alloc.allocated(PersonIx(0)) + alloc.allocated(PersonIx(1)),
        "family F1",
    );
    assert_value_absent(dir.path(), alloc.cost_allocated(), "all three");

    for ptr in [
        "/citizens",
        "/families",
        "/cost_total_ore",
        "/cost_allocated_ore",
        "/coverage/booked_share",
    ] {
        assert!(
            at(&s, ptr).is_null() && listed(&s, ptr),
            "{ptr} must be hidden"
        );
    }
    assert_eq!(at(&s, "/coverage/suppressed"), &Value::Bool(true));
    for code in ["beskaeftigelse", "social_voksne", "aeldre"] {
        let row = department_row(&s, code);
        assert_eq!(row["suppressed"], Value::Bool(true), "{code}");
        assert!(row["persons"].is_null() && row["activity_ore"].is_null());
    }
    for k in ["top1", "top3", "top5", "top10", "gini"] {
        assert!(
            at(&s, &format!("/concentration/citizens/{k}")).is_null(),
            "{k}"
        );
    }
    assert_eq!(at(&s, "/lorenz/citizens").as_array().unwrap().len(), 0);
    for row in [
        "departments_2plus",
        "departments_3plus",
        "departments_4plus",
        "services_7plus",
    ] {
        let r = at(&s, &format!("/complexity/{row}"));
        // 0 citizens may be shown (describes nobody), a count of 1–4 never.
        match r["citizens"].as_u64() {
            Some(n) => assert!(n == 0 || n >= 5, "{row}: {n}"),
            None => assert_eq!(r["suppressed"], Value::Bool(true)),
        }
    }
    assert_suppressed_list_consistent(&s);

    // The HTML says why figures are missing.
    let html = std::fs::read_to_string(dir.path().join("da/index.html")).unwrap();
    assert!(html.contains("&lt;5"));
    let note = messages::t(Lang::Da, messages::Key::note_suppression);
    assert!(html.contains(&tvaers_report::svg::esc(note)));
}

/// 12 citizens in employment, 10 in adult social services, 6 in elderly care and 2 in
/// psychiatry, each their own family, all priced from activity.
fn thirty() -> Register<Pseudonymised> {
    let mut s = format!(
        "{CATALOGUE}
price KTH 2024 11944.00
price SEL85 2024 600.00
price HJEM 2024 450.00
price PSYK 2024 3210.00
posting 2024-03-01 5.57.73 500000.00 - -
"
    );
    let groups = [
        ("e", "KTH", 12, "1"),
        ("s", "SEL85", 10, "4"),
        ("h", "HJEM", 6, "3"),
        ("y", "PSYK", 2, "1"),
    ];
    for (prefix, svc, n, vol) in groups {
        for i in 0..n {
            let start = format!("2024-{:02}-01", 1 + i % 9);
            s.push_str(&format!(
                "person {prefix}{i} F{prefix}{i}\nspell {prefix}{i} {svc} {start} - {vol} K{prefix}{i}\n"
            ));
        }
    }
    register(&s)
}

#[test]
fn a_department_with_two_citizens_is_hidden_with_a_partner() {
    let reg = thirty();
    let dir = tempfile::tempdir().unwrap();
    let s = write_both(&reg, dir.path());
    assert_no_pseudonyms(&reg, dir.path());
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let psych = alloc.by_centre[CostCentre::Department(Department::Psychiatry).index()];
    let elderly = alloc.by_centre[CostCentre::Department(Department::Elderly).index()];
    assert_eq!((psych.persons, elderly.persons), (2, 6));

    assert_eq!(
        department_row(&s, "psykiatri")["suppressed"],
        Value::Bool(true)
    );
    // Elderly care (6) is the next smallest non-empty row: hidden so psychiatry is not
    // total − the rest.
    assert_eq!(
        department_row(&s, "aeldre")["suppressed"],
        Value::Bool(true)
    );
    let emp = department_row(&s, "beskaeftigelse");
    assert_eq!(emp["persons"], 12);
    assert_eq!(department_row(&s, "social_voksne")["persons"], 10);

    // Differencing from the published totals gives only the two hidden rows together.
    let published: i64 = at(&s, "/coverage_by_department")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["activity_ore"].as_i64())
        .sum();
    let activity_total = at(&s, "/cost_activity_ore").as_i64().unwrap();
    assert_eq!(
        activity_total - published,
        (psych.activity + elderly.activity).0
    );
    assert_value_absent(dir.path(), psych.activity, "psychiatry's activity");
    assert_value_absent(dir.path(), elderly.activity, "elderly care's activity");
    for p in 28..30u32 {
        assert_value_absent(
            dir.path(),
            alloc.allocated(PersonIx(p)),
            "a psychiatry citizen",
        );
    }
    // Positive control: the scan does find a published value in JSON, CSV and xlsx.
    let emp_activity =
        alloc.by_centre[CostCentre::Department(Department::Employment).index()].activity;
    let r = renderings(emp_activity);
    let files = output_files(dir.path());
    let found = |suffix: &str, needle: &str| {
        files
            .iter()
            .any(|(name, b)| name.ends_with(suffix) && contains(b, needle))
    };
    assert!(found("summary.json", &r[0]), "øre in JSON");
    assert!(
        found("forvaltninger.csv", &r[1]),
        "kroner with decimal comma in CSV"
    );
    assert!(found(".xml", &r[2]), "kroner as a number in the xlsx sheet");
    // The rest is published: 30 citizens, totals.
    assert_eq!(at(&s, "/citizens"), 30);
    assert_eq!(at(&s, "/cost_total_ore"), alloc.cost_total.0);
    // N = 30: every top-k share covers ⌈k·30/100⌉ ≤ 3 citizens → hidden.
    for k in ["top1", "top3", "top5", "top10"] {
        assert!(at(&s, &format!("/concentration/citizens/{k}")).is_null());
    }
    assert_suppressed_list_consistent(&s);

    // The CSV shows the markers, and the note.
    let csv = std::fs::read_to_string(dir.path().join("da/tables/forvaltninger.csv")).unwrap();
    let psych_line = csv.lines().find(|l| l.starts_with("Psykiatri;")).unwrap();
    assert_eq!(psych_line, "Psykiatri;<5;<5;<5;<5;<5");
    let elderly_line = csv
        .lines()
        .find(|l| l.starts_with("Ældre og pleje;"))
        .unwrap();
    assert_eq!(elderly_line, "Ældre og pleje;—;—;—;—;—");
    assert!(csv.contains("<5: "));
}

/// 101 citizens, citizen i with i days of a 1,000 kr a day place: costs 0, 1,000, …, 100,000.
fn hundred_and_one() -> Register<Pseudonymised> {
    let mut s = format!("{CATALOGUE}\nprice BOTILB 2024 1000.00\n");
    let jan1 = tvaers_core::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..101i64 {
        s.push_str(&format!("person p{i} F{i}\n"));
        if i > 0 {
            let end = jan1 + chrono::Days::new(i as u64 - 1);
            s.push_str(&format!("spell p{i} BOTILB 2024-01-01 {end} 1 -\n"));
        }
    }
    register(&s)
}

#[test]
fn top_shares_and_lorenz_points_never_differ_by_fewer_than_five() {
    let reg = hundred_and_one();
    let dir = tempfile::tempdir().unwrap();
    let s = write_both(&reg, dir.path());
    assert_no_pseudonyms(&reg, dir.path());
    let n = 101.0;
    let tops = at(&s, "/top_shares/citizens").as_array().unwrap();
    // top 1 % = 2 and top 3 % = 4 citizens: hidden. top 5 % = ⌈5.05⌉ = 6, top 10 % = 11.
    assert_eq!(tops[0]["suppressed"], Value::Bool(true));
    assert_eq!(tops[1]["suppressed"], Value::Bool(true));
    assert_eq!(tops[2]["units"], 6);
    assert_eq!(tops[3]["units"], 11);
    // The six largest are 95..100 thousand: 585,000 of 5,050,000 kr.
    let top5 = at(&s, "/concentration/citizens/top5").as_f64().unwrap();
    assert!((top5 - 585.0 / 5050.0).abs() < 1e-12, "{top5}");
    assert_eq!(tops[2]["cost_ore"], 58_500_000);
    // Gini of 0, 1, …, 100: Σ i·x_i = Σ i(i−1) = 343,400; G = 686,800/(101·5,050) − 102/101
    // = 34/101.
    let g = at(&s, "/concentration/citizens/gini").as_f64().unwrap();
    assert!((g - 34.0 / 101.0).abs() < 1e-12, "{g}");

    // All published cumulative cuts (Lorenz points and N − top-k units) lie ≥ 5 apart.
    let mut cuts: Vec<i64> = vec![0, 101];
    let pts = at(&s, "/lorenz/citizens").as_array().unwrap();
    assert!(pts.len() >= 10, "a usable curve: {}", pts.len());
    for p in pts {
        cuts.push((p[0].as_f64().unwrap() * n).round() as i64);
    }
    for t in tops {
        if let Some(u) = t["units"].as_i64() {
            cuts.push(101 - u);
            // The curve passes through the top-k point: y(N − m) = 1 − share.
            let x = (101 - u) as f64 / n;
            let y = pts
                .iter()
                .find(|p| (p[0].as_f64().unwrap() - x).abs() < 1e-12)
                .expect("top-k point on the curve")[1]
                .as_f64()
                .unwrap();
            assert!((y - (1.0 - t["share"].as_f64().unwrap())).abs() < 1e-12);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        assert!(
            w[1] - w[0] >= 5,
            "cuts {} and {} isolate fewer than 5",
            w[0],
            w[1]
        );
    }
    assert_suppressed_list_consistent(&s);
}

fn write_both_with_rules(reg: &Register<Pseudonymised>, dir: &Path) -> (Value, Analysis) {
    let rules = RuleSet::parse(common::FIXTURE_RULES, "fixture.toml").unwrap();
    let a = analyse_with_rules(reg, Period::year(2024), &rules).unwrap();
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::Da), &dir.join("da")).unwrap();
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::En), &dir.join("en")).unwrap();
    let text = std::fs::read_to_string(dir.join("da/summary.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), a)
}

/// A table of counts under a published total leaves each "<5" its whole range 1–4: the hidden
/// sum (known from the total) minus 1 for each other "<5" and 5 for each "—" is at least 4,
/// and there is a "—" (else the "<5"s alone would bound each other).
fn assert_interval_safe(what: &str, total: u64, cells: &[tvaers_analysis::Cell<u64>]) {
    let shown: u64 = cells.iter().filter_map(|c| c.value()).sum();
    let hidden = total - shown;
    let prim = cells
        .iter()
        .filter(|c| c.suppression() == Some(Suppression::Primary))
        .count() as u64;
    let sec = cells
        .iter()
        .filter(|c| c.suppression() == Some(Suppression::Secondary))
        .count() as u64;
    if prim > 0 {
        assert!(sec >= 1, "{what}: a \"<5\" with no \"—\"");
        assert!(
            hidden >= (prim - 1) + 5 * sec + 4,
            "{what}: hidden {hidden} narrows a \"<5\""
        );
    } else {
        assert_ne!(sec, 1, "{what}: a lone hidden cell is total minus the rest");
    }
}

/// The rule fixture with one short citizen and `genop` in rehabilitation, m10 given a
/// distinctive cash benefit so that the scans can look for that person's cost.
fn small_fixture(genop: usize) -> Register<Pseudonymised> {
    let mut reg = common::fixture(1, genop);
    reg.postings.push(tvaers_core::Posting {
        date: tvaers_core::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap(),
        function: tvaers_core::AccountFunction::parse("5.57.73").unwrap(),
        amount: Ore(123_457),
        person: Some(PersonIx(10)),
        service: None,
    });
    reg
}

fn service_sets(s: &Value) -> Vec<Vec<String>> {
    at(s, "/rules/combinations/list")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn band_values(c: &Value) -> Vec<Option<u64>> {
    c["age_bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["citizens"].as_u64())
        .collect()
}

/// Checks shared by both small fixtures: the 4-citizen target group and overlap, the
/// combinations of 4 and the count tables.
fn assert_small_groups_hidden(reg: &Register<Pseudonymised>, dir: &Path, s: &Value, a: &Analysis) {
    assert_no_pseudonyms(reg, dir);
    assert_suppressed_list_consistent(s);
    let alloc = allocate(reg, Period::year(2024)).unwrap();
    // The 4-citizen target group: no figure of it anywhere.
    let tg = at(s, "/rules/target_groups/2");
    assert_eq!(tg["suppressed"], Value::Bool(true));
    for k in ["citizens", "families", "mean_contacts"] {
        assert!(tg[k].is_null(), "{k}");
    }
    assert!(tg["cost"]["cost_ore"].is_null());
    let all_null = |v: &Value, k: &str| v.as_array().unwrap().iter().all(|r| r[k].is_null());
    assert!(all_null(&tg["cost_by_department"], "cost_ore"));
    assert!(all_null(&tg["concurrent_departments"], "citizens"));
    // h0..h3 sit at indices 26, 28, …, paired with a0..a3 (after m0..m10 and the 15 family
    // members): each 20 days of home help at 263.17 and 10 of rehabilitation at 150.
    let h: Vec<PersonIx> = (0..4).map(|i| PersonIx(26 + 2 * i)).collect();
    let a4: Vec<PersonIx> = (0..4).map(|i| PersonIx(27 + 2 * i)).collect();
    for &p in &h {
        assert_eq!(alloc.allocated(p), Ore(526_340 + 150_000));
    }
    assert_value_absent(dir, Ore(4 * 676_340), "the 4-citizen group's cost");
    assert_value_absent(dir, Ore(676_340), "a member's cost");
    assert_value_absent(dir, Ore(4 * 526_340), "its home-help cost");
    // The 4-citizen overlap: hidden with its involved cost (= their whole cost here).
    let ov = at(s, "/rules/overlaps/1");
    assert_eq!(ov["suppressed"], Value::Bool(true));
    assert!(ov["citizens"].is_null() && ov["cost"]["involved_cost_ore"].is_null());
    let a_cost: Ore = a4.iter().map(|&p| alloc.allocated(p)).sum();
    assert!(a_cost > Ore::ZERO);
    assert_value_absent(dir, a_cost, "the 4-citizen overlap's cost");
    // Combinations of 4 (home help + rehabilitation, activation + anxiety) are never found.
    assert_eq!(at(s, "/rules/combinations/found"), 5);
    for set in service_sets(s) {
        assert!(
            !(set.contains(&"GENOP".to_string()) && set.contains(&"HJH".to_string())),
            "{set:?}"
        );
        assert!(!set.contains(&"ANGST".to_string()), "{set:?}");
    }
    // {activation, home help}, ages 24 ×6, 44 ×4, 74 ×9: the 4 is hidden with the 6.
    let list = at(s, "/rules/combinations/list").as_array().unwrap();
    let q = list
        .iter()
        .find(|c| c["services"][0] == "HJH")
        .expect("the activation + home help combination");
    assert_eq!(band_values(q), vec![Some(0), None, None, Some(0), Some(9)]);
    let csv = std::fs::read_to_string(dir.join("da/tables/kombinationer.csv")).unwrap();
    assert!(csv.contains(";—;<5;0;9;"), "{csv}");
    assert!(csv.contains("<5: "));
    // Every count table of the rule sections leaves its hidden cells their whole range.
    let r = a.rules.as_ref().unwrap();
    for c in &r.combinations.rows {
        let n = *c.citizens.value().unwrap();
        assert_interval_safe("age bands", n, &c.age_bands);
    }
    for g in &r.target_groups {
        if let Some(f) = g.figures.value() {
            assert_interval_safe("departments at once", f.citizens, &g.concurrent_departments);
        }
    }
}

/// Five in rehabilitation: the 14-day overlap (m0..m9) is the 11-citizen target group
/// (m0..m10) less one, and the top combination's age bands hold a single 59-year-old.
#[test]
fn an_overlap_one_short_of_a_target_group_is_withheld() {
    let reg = small_fixture(5);
    let dir = tempfile::tempdir().unwrap();
    let (s, a) = write_both_with_rules(&reg, dir.path());
    assert_small_groups_hidden(&reg, dir.path(), &s, &a);
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let cost = |r: std::ops::Range<u32>| -> Ore { r.map(|p| alloc.allocated(PersonIx(p))).sum() };
    assert_eq!(at(&s, "/rules/target_groups/0/citizens"), 11);
    assert_eq!(
        at(&s, "/rules/target_groups/0/cost/cost_ore"),
        cost(0..11).0
    );
    // Withheld whole, so neither the difference (m10) nor its cost can be had by subtraction;
    // the overlap count within the target group neither (1 outside it).
    let ov0 = at(&s, "/rules/overlaps/0");
    assert_eq!(ov0["suppressed"], Value::Bool(true));
    assert!(ov0["citizens"].is_null() && ov0["cost"]["cost_ore"].is_null());
    assert!(at(&s, "/rules/target_groups/0/overlaps/0/citizens").is_null());
    assert_value_absent(dir.path(), cost(0..10), "the overlap's whole cost");
    assert_eq!(alloc.allocated(PersonIx(10)), Ore(510_000 + 123_457));
    assert_value_absent(dir.path(), alloc.allocated(PersonIx(10)), "m10's cost");
    // {mentor, support} = the target group: ages 24 ×5, 44 ×5, 59 ×1. Hiding the 1 beside the
    // two 5s leaves 11 − 10 = 1 for it: too little, and there is nothing else to hide, so no
    // band is shown; nor the share of women (1 man).
    let list = at(&s, "/rules/combinations/list").as_array().unwrap();
    assert_eq!(list[0]["services"], serde_json::json!(["MENTOR", "SKP99"]));
    assert_eq!(list[0]["citizens"], 11);
    assert_eq!(band_values(&list[0]), vec![None; 5]);
    assert!(list[0]["women_share"].is_null());
    assert_eq!(at(&s, "/rules/combinations/withheld_nested"), 0);
}

/// Eight in rehabilitation: the families table of the base report shows the 8 (m0..m7) with
/// three departments at once, so the target group, the overlap and {mentor, support}, which
/// hold 1–3 more, are withheld; the three with all of mentor, support and rehabilitation are
/// shown.
#[test]
fn rule_populations_one_to_four_from_a_complexity_group_are_withheld() {
    let reg = small_fixture(8);
    let dir = tempfile::tempdir().unwrap();
    let (s, a) = write_both_with_rules(&reg, dir.path());
    assert_small_groups_hidden(&reg, dir.path(), &s, &a);
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let cost = |r: std::ops::Range<u32>| -> Ore { r.map(|p| alloc.allocated(PersonIx(p))).sum() };
    // The base report publishes the 8 and their cost.
    let fam = at(&s, "/complexity_families/departments_3plus");
    assert_eq!(
        (fam["families"].as_u64(), fam["cost_ore"].as_i64()),
        (Some(8), Some(cost(0..8).0))
    );
    for ptr in ["/rules/target_groups/0", "/rules/overlaps/0"] {
        assert_eq!(at(&s, ptr)["suppressed"], Value::Bool(true), "{ptr}");
        assert!(at(&s, ptr)["citizens"].is_null());
    }
    assert_value_absent(dir.path(), cost(0..11), "the target group's cost");
    assert_value_absent(dir.path(), cost(0..10), "the overlap's cost");
    assert_value_absent(dir.path(), cost(8..11), "the three beyond the 8");
    assert_value_absent(
        dir.path(),
        cost(8..10),
        "the two beyond the 8 in the overlap",
    );
    assert_eq!(at(&s, "/rules/combinations/withheld_nested"), 1);
    let sets = service_sets(&s);
    assert_eq!(
        sets,
        vec![
            vec!["MENTOR", "SKP99", "GENOP"],
            vec!["MENTOR", "GENOP"],
            vec!["SKP99", "GENOP"],
            vec!["HJH", "AKT"],
        ]
    );
    // m0..m7: ages 24 ×5 and 44 ×3: the 3 cannot be hidden with the 5 alone (8 − 5 = 3 < 4).
    let list = at(&s, "/rules/combinations/list").as_array().unwrap();
    assert_eq!(band_values(&list[0]), vec![None; 5]);
    assert_eq!(list[0]["women_share"], 1.0);
}

/// A small random municipality over the fixture catalogue (tags for the fixture rules): 3–30
/// persons in a few families, 0–4 spells each of random services, lengths and volumes (now and
/// then a very expensive one, so that one person dominates a department), booked postings on
/// the persons' service functions and postings on no one; or, in half the cases, even costs.
fn random_municipality(rng: &mut fastrand::Rng) -> Register<Pseudonymised> {
    const SERVICES: [(&str, &str); 8] = [
        ("KTH", "5.57.73"),
        ("MENTOR", "5.68.90"),
        ("SKP99", "5.38.53"),
        ("FOREB", "5.28.21"),
        ("GENOP", "4.62.82"),
        ("HJH", "5.30.26"),
        ("AKT", "5.68.92"),
        ("ANGST", "5.38.42"),
    ];
    let jan1 = tvaers_core::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let day = |d: u64| jan1 + chrono::Days::new(d);
    let mut s = String::from(common::FIXTURE_CATALOGUE);
    let n = rng.usize(3..=30);
    // Half the municipalities have even costs (the same volume and length for every spell, no
    // postings), where a remainder of 2–4 persons is not dominated by any one of them.
    let even = rng.bool();
    // Few services per register, so that departments are small and persons share them.
    let used: Vec<usize> = (0..rng.usize(2..=8)).map(|_| rng.usize(0..8)).collect();
    for i in 0..n {
        let family = rng.usize(0..n.div_ceil(2));
        let year = rng.i32(1940..=2020);
        let sex = if rng.bool() { "K" } else { "M" };
        s.push_str(&format!("person p{i} F{family} {year} {sex}\n"));
        for _ in 0..rng.usize(0..=4) {
            let (code, function) = SERVICES[used[rng.usize(0..used.len())]];
            let start = rng.u64(0..330);
            let end = (start + if even { 29 } else { rng.u64(0..120) }).min(365);
            let volume = if even {
                7
            } else if rng.u8(0..10) == 0 {
                rng.u32(30..=60)
            } else {
                rng.u32(1..=7)
            };
            let contact = if rng.bool() {
                format!("C{}", rng.u8(0..4))
            } else {
                "-".into()
            };
            s.push_str(&format!(
                "spell p{i} {code} {} {} {volume} {contact}\n",
                day(start),
                day(end)
            ));
            if !even && rng.u8(0..4) == 0 {
                let kroner = if rng.u8(0..5) == 0 {
                    rng.u32(100_000..1_000_000)
                } else {
                    rng.u32(100..20_000)
                };
                let service = if rng.bool() { code } else { "-" };
                s.push_str(&format!(
                    "posting {} {function} {kroner}.00 p{i} {service}\n",
                    day(rng.u64(0..366))
                ));
            }
        }
    }
    for _ in 0..rng.usize(0..3) {
        let (_, function) = SERVICES[used[rng.usize(0..used.len())]];
        s.push_str(&format!(
            "posting {} {function} {}.00 - -\n",
            day(rng.u64(0..366)),
            rng.u32(1_000..500_000)
        ));
    }
    register(&s)
}

/// Per person (ascending), their non-zero amounts; the persons behind a set of cells.
type Amounts = std::collections::BTreeMap<u32, i64>;

fn add(into: &mut Amounts, from: &Amounts) {
    for (&p, &a) in from {
        *into.entry(p).or_default() += a;
    }
}

/// The reader's view of a hidden remainder, or a published cell, with the truth behind it:
/// it must describe no one or at least 5 distinct persons, none of whom has more than half.
fn assert_not_isolating(what: &str, cells: &[&Amounts], hidden: bool) {
    let mut persons: Vec<u32> = cells.iter().flat_map(|c| c.keys().copied()).collect();
    persons.sort_unstable();
    persons.dedup();
    if hidden {
        assert!(
            persons.is_empty() || persons.len() as u64 >= tvaers_analysis::MIN_PERSONS,
            "{what}: total − published parts is made up by {} persons",
            persons.len()
        );
    }
    let mut sum = Amounts::new();
    for c in cells {
        add(&mut sum, c);
    }
    let abs: u128 = sum.values().map(|a| a.unsigned_abs() as u128).sum();
    let max = sum
        .values()
        .map(|a| a.unsigned_abs() as u128)
        .max()
        .unwrap_or(0);
    assert!(
        max * 2 <= abs,
        "{what}: one person has {max} of {abs} (hidden remainder: {hidden})"
    );
}

#[test]
fn no_published_margin_isolates_one_to_four_persons() {
    let rules = RuleSet::parse(common::FIXTURE_RULES, "fixture.toml").unwrap();
    let period = Period::year(2024);
    let mut rng = fastrand::Rng::with_seed(0x7e15);
    let (mut hidden_seen, mut groups_seen) = (0usize, 0usize);
    let (mut complexity_hidden_seen, mut cuts_seen, mut cross_seen) = (0usize, 0usize, 0usize);
    for case in 0..600 {
        let reg = random_municipality(&mut rng);
        let a = analyse_with_rules(&reg, period, &rules).unwrap();
        let alloc = allocate(&reg, period).unwrap();
        let metrics = tvaers_analysis::compute_metrics(&reg, &alloc, period);

        // The truth per department: each person's booked and activity cost there.
        let mut booked = vec![Amounts::new(); CostCentre::COUNT];
        let mut activity = vec![Amounts::new(); CostCentre::COUNT];
        for p in 0..reg.persons.len() as u32 {
            for &ix in alloc.booked_postings.of(PersonIx(p)) {
                let posting = &reg.postings[ix as usize];
                let c = alloc.centres.of_posting(&reg.catalogue, posting).index();
                *booked[c].entry(p).or_default() += posting.amount.0;
            }
            for &si in alloc.person_spells.of(PersonIx(p)) {
                let svc = reg.catalogue.get(reg.spells[si as usize].service);
                let c = CostCentre::Department(svc.department).index();
                *activity[c].entry(p).or_default() += alloc.spell_cost[si as usize].0;
            }
        }
        for m in booked.iter_mut().chain(activity.iter_mut()) {
            m.retain(|_, a| *a != 0);
        }

        // The overview: totals booked and activity minus the published departments.
        if let Some(cov) = a.coverage.value() {
            for (name, truth, total, pick) in [
                (
                    "booked",
                    &booked,
                    cov.booked,
                    (|r: &tvaers_analysis::summary::CentreRow| r.booked) as fn(&_) -> Ore,
                ),
                ("activity", &activity, cov.activity, |r| r.activity),
            ] {
                let mut remainder = total;
                let mut hidden: Vec<&Amounts> = Vec::new();
                for (c, cell) in &a.centres {
                    match cell.value() {
                        Some(r) => {
                            remainder -= pick(r);
                            assert_not_isolating(
                                &format!("case {case}: {name} of {c:?}"),
                                &[&truth[c.index()]],
                                false,
                            );
                        }
                        None => hidden.push(&truth[c.index()]),
                    }
                }
                let true_remainder: i64 = hidden.iter().flat_map(|m| m.values()).sum();
                assert_eq!(remainder.0, true_remainder, "case {case}: the attack works");
                if !hidden.is_empty() {
                    hidden_seen += 1;
                    assert_not_isolating(&format!("case {case}: {name}"), &hidden, true);
                }
            }
        }

        // The complexity tables: the total cost minus the published bucket costs, for citizens
        // and for families (a family is one unit there).
        if let Some(cov) = a.coverage.value() {
            for (what, units, table) in [
                ("citizens", &metrics.citizens, &a.complexity),
                ("families", &metrics.families, &a.family_complexity),
            ] {
                let mut truth = vec![Amounts::new(); tvaers_analysis::complexity::BUCKETS];
                for i in 0..units.len() {
                    let b = (units.max_concurrent_departments[i] as usize)
                        .min(tvaers_analysis::complexity::BUCKETS - 1);
                    if units.cost[i] != Ore::ZERO {
                        truth[b].insert(i as u32, units.cost[i].0);
                    }
                }
                let mut remainder = cov.allocated;
                let mut hidden: Vec<&Amounts> = Vec::new();
                for (b, row) in table.distribution.iter().enumerate() {
                    match row.value().and_then(|r| r.cost.value()) {
                        Some(cost) => {
                            remainder -= *cost;
                            assert_not_isolating(
                                &format!("case {case}: {what} bucket {b}"),
                                &[&truth[b]],
                                false,
                            );
                        }
                        None => hidden.push(&truth[b]),
                    }
                }
                let true_remainder: i64 = hidden.iter().flat_map(|m| m.values()).sum();
                assert_eq!(
                    remainder.0, true_remainder,
                    "case {case}: {what}: the attack works"
                );
                if !hidden.is_empty() {
                    complexity_hidden_seen += 1;
                    assert_not_isolating(&format!("case {case}: {what} buckets"), &hidden, true);
                }
            }
        }

        // Concentration: two published cuts of the sorted costs publish the sum between them.
        for (what, units, table) in [
            ("citizens", &metrics.citizens, &a.concentration),
            ("families", &metrics.families, &a.family_concentration),
        ] {
            let mut sorted: Vec<(u32, i64)> = units
                .cost
                .iter()
                .enumerate()
                .map(|(i, c)| (i as u32, c.0))
                .collect();
            sorted.sort_by_key(|&(i, c)| (c, i));
            let n = sorted.len();
            let mut cuts: Vec<usize> = vec![0, n];
            for (_, cell) in &table.top {
                if let Some(t) = cell.value() {
                    cuts.push(n - t.units as usize);
                }
            }
            for p in table.lorenz.iter().filter_map(|c| c.value()) {
                cuts.push((p.population_share * n as f64).round() as usize);
            }
            cuts.sort_unstable();
            cuts.dedup();
            if cuts.len() > 2 {
                cuts_seen += 1;
            }
            for w in cuts.windows(2).filter(|w| (w[0], w[1]) != (0, n)) {
                let step: Amounts = sorted[w[0]..w[1]]
                    .iter()
                    .filter(|&&(_, c)| c != 0)
                    .copied()
                    .collect();
                assert!(
                    w[1] - w[0] >= tvaers_analysis::MIN_PERSONS as usize,
                    "case {case}: {what} cut step {w:?}"
                );
                assert_not_isolating(&format!("case {case}: {what} step {w:?}"), &[&step], false);
            }
        }

        // Each target group: its published cost minus its published departments.
        let idx = tvaers_rules::Index::build(&reg);
        let membership = tvaers_rules::evaluate_all_indexed(&reg, &idx, &rules, period);
        for g in &a.rules.as_ref().unwrap().target_groups {
            let members = &membership.get(&g.rule.id).unwrap().persons;
            let mut truth = vec![Amounts::new(); CostCentre::COUNT];
            for p in members {
                for &(c, v) in metrics.citizens.cost_by_centre(p.0 as usize) {
                    truth[c.index()].insert(p.0, v.0);
                }
            }
            let Some(cost) = g.cost.value() else {
                continue;
            };
            groups_seen += 1;
            // The group's cost itself, and everyone else's (the total minus it).
            let (inside, outside): (Amounts, Amounts) = metrics
                .citizens
                .cost
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != Ore::ZERO)
                .map(|(i, c)| (i as u32, c.0))
                .partition(|(i, _)| members.binary_search(&PersonIx(*i)).is_ok());
            assert_not_isolating(
                &format!("case {case}: {} cost", g.rule.id),
                &[&inside],
                false,
            );
            assert_not_isolating(
                &format!("case {case}: not {}", g.rule.id),
                &[&outside],
                false,
            );
            let mut remainder = cost.cost;
            let mut hidden: Vec<&Amounts> = Vec::new();
            for (c, cell) in &g.by_centre {
                match cell.value() {
                    Some(r) => {
                        remainder -= r.cost;
                        assert_not_isolating(
                            &format!("case {case}: {} in {c:?}", g.rule.id),
                            &[&truth[c.index()]],
                            false,
                        );
                    }
                    None => hidden.push(&truth[c.index()]),
                }
            }
            let true_remainder: i64 = hidden.iter().flat_map(|m| m.values()).sum();
            assert_eq!(remainder.0, true_remainder, "case {case}: the attack works");
            if !hidden.is_empty() {
                assert_not_isolating(&format!("case {case}: {}", g.rule.id), &hidden, true);
            }
            // Across tables: the overview's department minus the group's is the non-members'.
            for (c, cell) in &g.by_centre {
                let (Some(mine), Some(all)) = (
                    cell.value(),
                    a.centres
                        .iter()
                        .find(|(d, _)| d == c)
                        .and_then(|(_, x)| x.value()),
                ) else {
                    continue;
                };
                let mut everyone = Amounts::new();
                add(&mut everyone, &booked[c.index()]);
                add(&mut everyone, &activity[c.index()]);
                let rest: Amounts = everyone
                    .into_iter()
                    .filter(|(p, v)| *v != 0 && members.binary_search(&PersonIx(*p)).is_err())
                    .collect();
                let rest_sum: i64 = rest.values().sum();
                assert_eq!(
                    (all.booked + all.activity - mine.cost).0,
                    rest_sum,
                    "case {case}: the cross-table attack works"
                );
                cross_seen += 1;
                assert_not_isolating(
                    &format!("case {case}: all − {} in {c:?}", g.rule.id),
                    &[&rest],
                    true,
                );
            }
        }
    }
    // The generator must exercise the rule, not just pass it by.
    assert!(hidden_seen >= 50, "only {hidden_seen} overview remainders");
    assert!(
        groups_seen >= 20,
        "only {groups_seen} published group costs"
    );
    assert!(
        complexity_hidden_seen >= 50,
        "only {complexity_hidden_seen} complexity remainders"
    );
    assert!(
        cuts_seen >= 50,
        "only {cuts_seen} concentration tables with cuts"
    );
    assert!(
        cross_seen >= 50,
        "only {cross_seen} group departments beside the overview's"
    );
}
