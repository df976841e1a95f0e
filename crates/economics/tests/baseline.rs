//! Baselines on a small hand-made register whose figures are worked out by hand in the
//! comments, and on a generated municipality with the shipped rules.

#[path = "../../analysis/src/testkit.rs"]
mod testkit;

use tvaers_analysis::allocation::{CostCentre, allocate};
use tvaers_core::{Department, Ore, Period, PersonIx, ServiceKind};
use tvaers_economics::baseline::{baseline, members_of, raw_baseline};
use tvaers_report::disclosure::{Dominance, Suppression};

/// Six citizens with mentor (100 kr a day) and a support contact person (200 kr a day), with
/// 10–60 mentor days and 10 contact-person days: 3,000 … 8,000 kr. One citizen with 10 days of
/// rehabilitation (50 kr a day) and a 250 kr posting on a function no service uses.
const REGISTER: &str = "
service MEN beskaeftigelse dag 5.68.90
service SKP social_voksne dag 5.38.53
service GEN sundhed dag 4.62.82
price MEN 2024 100.00
price SKP 2024 200.00
price GEN 2024 50.00
person a F1
person b F2
person c F3
person d F4
person e F5
person f F6
person g F7
spell a MEN 2024-03-01 2024-03-10 1 -
spell b MEN 2024-03-01 2024-03-20 1 -
spell c MEN 2024-03-01 2024-03-30 1 -
spell d MEN 2024-03-01 2024-04-09 1 -
spell e MEN 2024-03-01 2024-04-19 1 -
spell f MEN 2024-03-01 2024-04-29 1 -
spell a SKP 2024-05-01 2024-05-10 1 -
spell b SKP 2024-05-01 2024-05-10 1 -
spell c SKP 2024-05-01 2024-05-10 1 -
spell d SKP 2024-05-01 2024-05-10 1 -
spell e SKP 2024-05-01 2024-05-10 1 -
spell f SKP 2024-05-01 2024-05-10 1 -
spell g GEN 2024-06-01 2024-06-10 1 -
posting 2024-06-15 6.45.53 250.00 g -
";

fn kr(v: i64) -> Ore {
    Ore::from_kroner(v)
}

#[test]
fn precise_and_archetype_baselines_by_hand() {
    let reg = testkit::register(REGISTER);
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let members: Vec<PersonIx> = (0..7).map(PersonIx).collect();
    let raw = raw_baseline(&reg, &alloc, &members);
    assert_eq!(raw.members, 7);
    assert_eq!(raw.precise.iter().sum::<i64>(), kr(33_750).0);
    // One archetype {MEN, SKP} with 6 members; g's package {GEN} is rare.
    assert_eq!(raw.archetype_members, vec![6]);
    assert_eq!(raw.rare_members, 1);
    // Typical = the lower median of 3,000 … 8,000 = 5,000; × 6 = 30,000. The rare citizen is
    // priced at 30,000 / 6 = 5,000.
    assert_eq!(raw.covered_estimate, kr(30_000).0);
    assert_eq!(raw.rare_estimate, kr(5_000).0);
    assert_eq!(
        raw.archetype.as_ref().unwrap().iter().sum::<i64>(),
        kr(35_000).0
    );

    let b = baseline(&reg, &alloc, "test", 2024, &members, Dominance::default());
    assert_eq!(b.members.value(), Some(&7));
    assert_eq!(b.precise_total.value(), Some(&kr(33_750)));
    assert_eq!(
        b.archetype_total.as_ref().unwrap().value(),
        Some(&kr(35_000))
    );
    // The rare count is 1: hidden, and the archetype's 6 with it (else 7 − 6 = 1).
    assert_eq!(b.rare_members.suppression(), Some(Suppression::Primary));
    assert!(b.archetypes[0].members.is_suppressed());
    assert_eq!(b.archetypes[0].services, vec!["MEN", "SKP"]);
    // The parts of the difference describe 6 and 1 citizens: the 1 is hidden, so both are.
    assert!(b.rare_difference.as_ref().unwrap().is_suppressed());
    assert!(b.spread_within.as_ref().unwrap().is_suppressed());

    let row = |c: CostCentre, k: Option<ServiceKind>| {
        b.rows
            .iter()
            .find(|r| r.centre == c && r.kind == k)
            .unwrap()
    };
    // Health and the unmapped posting are g's alone (primary); together they are still one
    // person, so the smallest other cell (employment, first of two with 6) is hidden too.
    let health = row(
        CostCentre::Department(Department::Health),
        Some(ServiceKind::Intervention),
    );
    assert_eq!(health.precise.suppression(), Some(Suppression::Primary));
    assert!(row(CostCentre::Unmapped, None).precise.is_suppressed());
    let emp = row(
        CostCentre::Department(Department::Employment),
        Some(ServiceKind::Intervention),
    );
    assert_eq!(emp.precise.suppression(), Some(Suppression::Secondary));
    assert!(emp.archetype.is_suppressed() && emp.difference.is_suppressed());
    // Adult social: 6 × 2,000 = 12,000 precise. Archetype: 30,000 × 12/33 and 5,000 × 12/33,
    // split to the øre by largest remainder: 10,909.09 + 1,818.18 = 12,727.27.
    let social = row(
        CostCentre::Department(Department::AdultSocial),
        Some(ServiceKind::Intervention),
    );
    assert_eq!(social.precise.value(), Some(&kr(12_000)));
    assert_eq!(social.archetype.value(), Some(&Ore(1_272_727)));
    assert_eq!(social.difference.value(), Some(&Ore(-72_727)));
}

#[test]
fn the_parts_of_the_difference_are_shown_when_both_are_safe() {
    // Five more rare citizens (each alone in a package of their own) make the rare part 6.
    let mut text = REGISTER.to_string();
    for (i, days) in [12, 14, 16, 18, 20].iter().enumerate() {
        let name = format!("r{i}");
        text.push_str(&format!("person {name} R{i}\n"));
        text.push_str(&format!("spell {name} GEN 2024-07-01 2024-07-{days} 1 -\n"));
        // A second service makes each package differ from g's {GEN}.
        if i % 2 == 0 {
            text.push_str(&format!(
                "spell {name} SKP 2024-08-01 2024-08-0{} 1 -\n",
                i + 1
            ));
        } else {
            text.push_str(&format!(
                "spell {name} MEN 2024-08-01 2024-08-0{} 1 -\n",
                i + 1
            ));
        }
    }
    let reg = testkit::register(&text);
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let members: Vec<PersonIx> = (0..12).map(PersonIx).collect();
    let raw = raw_baseline(&reg, &alloc, &members);
    assert_eq!(raw.archetype_members, vec![6]);
    assert_eq!(raw.rare_members, 6);
    let b = baseline(&reg, &alloc, "test", 2024, &members, Dominance::default());
    let within = *b.spread_within.as_ref().unwrap().value().expect("shown");
    let rare = *b.rare_difference.as_ref().unwrap().value().expect("shown");
    // Within: 33,000 actual − 30,000 typical.
    assert_eq!(within, kr(3_000));
    let precise = *b.precise_total.value().unwrap();
    let arch = *b.archetype_total.as_ref().unwrap().value().unwrap();
    assert_eq!(
        within + rare,
        precise - arch,
        "the parts explain the whole difference"
    );
    assert_eq!(b.rare_members.value(), Some(&6));
}

#[test]
fn a_generated_municipality_has_baselines_for_the_shipped_groups() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir(&input).unwrap();
    let cfg = tvaers_synth::Config {
        citizens: 8_000,
        seed: 3,
        first_year: 2024,
        years: 2,
    };
    tvaers_synth::generate(&cfg, &input).expect("generate");
    let identified =
        tvaers_ingest::read_exports(&input, &tvaers_ingest::profile::Profile::default_profile())
            .unwrap();
    let reg = tvaers_ingest::pseudonymise(
        identified,
        &tvaers_ingest::PseudonymKey::from_bytes([7; 32]),
    );
    let period = Period::year(2025);
    let alloc = allocate(&reg, period).unwrap();
    let rules = tvaers_rules::RuleSet::standard();
    let members = members_of(&reg, &rules, "mentor_stoette_overfoersel", period).unwrap();
    assert!(members.len() >= 5, "{} members", members.len());
    let raw = raw_baseline(&reg, &alloc, &members);
    // Precise = the members' allocated cost, as the overview counts it.
    let allocated: i64 = members.iter().map(|&p| alloc.allocated(p).0).sum();
    assert_eq!(raw.precise.iter().sum::<i64>(), allocated);
    let b = baseline(
        &reg,
        &alloc,
        "mentor_stoette_overfoersel",
        2025,
        &members,
        Dominance::default(),
    );
    assert_eq!(b.precise_total.value(), Some(&Ore(allocated)));
    // Transfer income and interventions both appear.
    assert!(
        b.rows
            .iter()
            .any(|r| r.kind == Some(ServiceKind::TransferIncome))
    );
    assert!(
        b.rows
            .iter()
            .any(|r| r.kind == Some(ServiceKind::Intervention))
    );
    // Published cells add up to at most the total; hidden ones are never a single cell.
    let hidden = b.rows.iter().filter(|r| r.precise.is_suppressed()).count();
    assert_ne!(hidden, 1);
    assert!(members_of(&reg, &rules, "no_such_group", period).is_none());
}
