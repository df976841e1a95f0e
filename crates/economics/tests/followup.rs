//! The follow-up on a small hand-made register whose figures are worked out by hand in the
//! comments.

#[path = "../../analysis/src/testkit.rs"]
mod testkit;

use chrono::NaiveDate;
use tvaers_analysis::MissingPrices;
use tvaers_analysis::allocation::CostCentre;
use tvaers_core::{Department, Ore, PersonIx};
use tvaers_economics::{FollowUpError, Scenario, follow_up, potential};
use tvaers_report::disclosure::Dominance;

/// Six citizens with a mentor (100 kr a day) from 1 January 2024 to 30 June 2025 and a support
/// contact person (200 kr a day) in the last quarter of 2024. In 2024: 366 mentor days =
/// 36,600 kr and 92 contact days = 18,400 kr each. In 2025: 90 mentor days in Q1 (9,000 kr), 91
/// in Q2 (9,100 kr). Postings without a person mark what the data covers: January 2024 to
/// June 2025.
const REGISTER: &str = "
service MEN beskaeftigelse dag 5.68.90
service SKP social_voksne dag 5.38.53
price MEN 2024 100.00
price MEN 2025 100.00
price SKP 2024 200.00
price SKP 2025 200.00
person a F1
person b F2
person c F3
person d F4
person e F5
person f F6
spell a MEN 2024-01-01 2025-06-30 1 -
spell b MEN 2024-01-01 2025-06-30 1 -
spell c MEN 2024-01-01 2025-06-30 1 -
spell d MEN 2024-01-01 2025-06-30 1 -
spell e MEN 2024-01-01 2025-06-30 1 -
spell f MEN 2024-01-01 2025-06-30 1 -
spell a SKP 2024-10-01 2024-12-31 1 -
spell b SKP 2024-10-01 2024-12-31 1 -
spell c SKP 2024-10-01 2024-12-31 1 -
spell d SKP 2024-10-01 2024-12-31 1 -
spell e SKP 2024-10-01 2024-12-31 1 -
spell f SKP 2024-10-01 2024-12-31 1 -
posting 2024-01-31 6.45.53 10.00 - -
posting 2025-06-30 6.45.53 10.00 - -
";

/// For 3 persons: mentor 36,600 and contact person 18,400 kr a year, replaced by a
/// coordinator at 30,000 kr. Before: employment 109,800, adult social 55,200; after: 90,000 and
/// 0.
const SCENARIO: &str = r#"
format = 1
id = "t"
name_da = "t"
name_en = "t"
persons = 3
horizon_years = 2
discount_rate_percent = 0

[[service]]
code = "MEN"
department = "beskaeftigelse"
kind = "indsats"
kr_per_year = 36600

[[service]]
code = "SKP"
department = "social_voksne"
kind = "indsats"
kr_per_year = 18400

[[change]]
action = "replace"
services = ["MEN", "SKP"]
with = { code = "KOORD", department = "beskaeftigelse", kind = "indsats", kr_per_year = 30000 }
"#;

fn kr(v: i64) -> Ore {
    Ore::from_kroner(v)
}

fn d(s: &str) -> NaiveDate {
    testkit::date(s)
}

#[test]
fn realised_expected_and_variance_by_hand() {
    let reg = testkit::register(REGISTER);
    let scenario = Scenario::parse(SCENARIO, "t.toml").unwrap();
    let p = potential(&scenario).unwrap();
    let members: Vec<PersonIx> = (0..6).map(PersonIx).collect();
    let (f, raw) = follow_up(
        &reg,
        "g",
        &members,
        &p,
        d("2025-01-01"),
        MissingPrices::Refuse,
        Dominance::default(),
    )
    .unwrap();
    let emp = CostCentre::Department(Department::Employment).index();
    let soc = CostCentre::Department(Department::AdultSocial).index();
    // The baseline year 2024: 6 × 36,600 and 6 × 18,400.
    assert_eq!(raw.baseline_year[emp], kr(219_600).0);
    assert_eq!(raw.baseline_year[soc], kr(110_400).0);
    // The data ends 30 June 2025: two quarters.
    assert_eq!(raw.quarters.len(), 2);
    let (q1, q2) = (&raw.quarters[0], &raw.quarters[1]);
    assert_eq!((q1.year, q1.quarter, q1.scenario_year), (2025, 1, 1));
    assert_eq!((q2.year, q2.quarter), (2025, 2));
    // Before, a quarter: 219,600 / 4 = 54,900 and 110,400 / 4 = 27,600.
    assert_eq!(q1.baseline[emp], kr(54_900).0);
    assert_eq!(q1.baseline[soc], kr(27_600).0);
    // The change for 3 persons: employment 90,000 − 109,800 = −19,800, adult social −55,200;
    // for the 6 followed twice that: −39,600 and −110,400. Expected a year: 180,000 and 0;
    // a quarter 45,000 and 0.
    assert_eq!(q1.expected[emp], kr(45_000).0);
    assert_eq!(q1.expected[soc], 0);
    // Realised: 6 × 9,000 in Q1, 6 × 9,100 in Q2; nothing in adult social.
    assert_eq!(q1.realised[emp], kr(54_000).0);
    assert_eq!(q2.realised[emp], kr(54_600).0);
    assert_eq!(q1.realised[soc], 0);

    // Published: employment and adult social, then the total.
    assert_eq!(f.members.value(), Some(&6));
    let rows = &f.quarters[0].rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0].centre,
        Some(CostCentre::Department(Department::Employment))
    );
    assert_eq!(rows[0].variance.value(), Some(&kr(9_000)));
    assert_eq!(rows[1].variance.value(), Some(&kr(0)));
    assert_eq!(rows[2].centre, None);
    assert_eq!(rows[2].realised.value(), Some(&kr(54_000)));
    assert_eq!(rows[2].expected.value(), Some(&kr(45_000)));
    assert_eq!(rows[2].baseline.value(), Some(&kr(82_500)));
    // Over both quarters: realised 108,600, expected 90,000, variance 18,600.
    let total = f.totals.last().unwrap();
    assert_eq!(total.realised.value(), Some(&kr(108_600)));
    assert_eq!(total.expected.value(), Some(&kr(90_000)));
    assert_eq!(total.variance.value(), Some(&kr(18_600)));
    assert_eq!(
        f.baseline_year.last().unwrap().1.value(),
        Some(&kr(330_000))
    );
}

#[test]
fn fewer_than_five_followed_are_withheld() {
    let reg = testkit::register(REGISTER);
    let p = potential(&Scenario::parse(SCENARIO, "t.toml").unwrap()).unwrap();
    let members: Vec<PersonIx> = (0..4).map(PersonIx).collect();
    let (f, raw) = follow_up(
        &reg,
        "g",
        &members,
        &p,
        d("2025-01-01"),
        MissingPrices::Refuse,
        Dominance::default(),
    )
    .unwrap();
    assert_eq!(raw.quarters[0].realised[0], kr(36_000).0);
    assert!(f.members.is_suppressed());
    for q in &f.quarters {
        for r in &q.rows {
            for c in [&r.baseline, &r.expected, &r.realised, &r.variance] {
                assert!(c.is_suppressed());
            }
        }
    }
    assert!(f.totals.iter().all(|r| r.realised.is_suppressed()));
    assert!(f.baseline_year.iter().all(|(_, c)| c.is_suppressed()));
}

#[test]
fn a_start_needs_a_quarter_and_a_covered_year_before_it() {
    let reg = testkit::register(REGISTER);
    let p = potential(&Scenario::parse(SCENARIO, "t.toml").unwrap()).unwrap();
    let members: Vec<PersonIx> = (0..6).map(PersonIx).collect();
    let run = |start| {
        follow_up(
            &reg,
            "g",
            &members,
            &p,
            d(start),
            MissingPrices::Refuse,
            Dominance::default(),
        )
        .map(|_| ())
    };
    assert_eq!(
        run("2025-03-01"),
        Err(FollowUpError::NotAQuarter(d("2025-03-01")))
    );
    assert!(matches!(
        run("2024-07-01"),
        Err(FollowUpError::NoBaselineYear { .. })
    ));
    // A start at the end of the data follows no quarter.
    let (f, _) = follow_up(
        &reg,
        "g",
        &members,
        &p,
        d("2025-07-01"),
        MissingPrices::Refuse,
        Dominance::default(),
    )
    .unwrap();
    assert!(f.quarters.is_empty());
}
