//! Hand-computed cases for allocation, metrics, concentration and complexity, on registers
//! built with [`crate::testkit`]. Expected figures are worked out in the comments.

use crate::allocation::{
    Allocation, AnalysisError, CostCentre, MissingPrices, allocate, allocate_with, default_period,
};
use crate::metrics::{compute_metrics, max_concurrent_distinct};
use crate::summary::summarise;
use crate::testkit::{CATALOGUE, date, register};
use tvaers_core::{Department, Ore, Period, PersonIx, Pseudonymised, Register};

/// The allocation of a fixture that leaves some years unpriced on purpose.
fn previous_year_prices(r: &Register<Pseudonymised>, p: Period) -> Allocation {
    allocate_with(r, p, MissingPrices::PreviousYear).unwrap()
}

fn reg(body: &str) -> tvaers_core::Register<tvaers_core::Pseudonymised> {
    register(&format!("{CATALOGUE}\n{body}"))
}

fn centre(a: &crate::Allocation, d: Department) -> crate::allocation::CentreCosts {
    a.by_centre[CostCentre::Department(d).index()]
}

/// a: booked on 5.57.73 (KTH) → her KTH spell is skipped, her mentor spell is priced.
/// b: no bookings → his KTH spell is priced.
const BOOKED_VS_ACTIVITY: &str = "
price KTH 2024 10000.00
price MENTOR 2024 500.00
person a F1
person b F2
spell a KTH 2024-01-01 - 1 c1
spell a MENTOR 2024-01-01 2024-12-31 2 c2
spell b KTH 2024-07-01 2024-07-31 1 -
posting 2024-03-01 5.57.73 10000.00 a KTH
posting 2024-04-01 5.57.73 10000.00 a -
posting 2023-12-31 5.57.73 99999.00 a KTH
posting 2024-05-01 5.38.38 50000.00 - -
posting 2024-06-01 9.99.99 1000.00 - -
";

#[test]
fn booked_and_activity_without_double_counting() {
    let r = reg(BOOKED_VS_ACTIVITY);
    let a = allocate(&r, Period::year(2024)).unwrap();
    // In 2024: 10,000 + 10,000 (a) + 50,000 (supplier) + 1,000 (unmapped); the 2023 posting is out.
    assert_eq!(a.cost_total, Ore::from_kroner(71_000));
    assert_eq!(a.booked[0], Ore::from_kroner(20_000));
    // Mentor: 2 h/week × 500 kr × 366 days / 7 = 52,285.714… kr → 5,228,571 øre.
    // a's KTH spell is skipped: (a, 5.57.73) is booked.
    assert_eq!(a.activity[0], Ore(5_228_571));
    assert_eq!(a.skipped_spells, 1);
    // b: one benefit a month at 10,000 kr for 31 days: 10,000 × 31 × 12 / 365 = 10,191.78 kr.
    assert_eq!(a.booked[1], Ore::ZERO);
    assert_eq!(a.activity[1], Ore(1_019_178));
    assert_eq!(a.cost_allocated(), Ore(2_000_000 + 5_228_571 + 1_019_178));
    // More is allocated than spent in this toy case: reported as negative, not clamped.
    assert_eq!(a.unallocated(), Ore(7_100_000 - 8_247_749));
    assert_eq!(a.booked_persons, 1);
    assert_eq!(a.activity_persons, 2);
}

#[test]
fn coverage_by_department() {
    let r = reg(BOOKED_VS_ACTIVITY);
    let a = allocate(&r, Period::year(2024)).unwrap();
    let emp = centre(&a, Department::Employment);
    assert_eq!(emp.total, Ore::from_kroner(20_000)); // both of a's postings (service / function)
    assert_eq!(emp.booked, Ore::from_kroner(20_000));
    assert_eq!(emp.activity, Ore(5_228_571 + 1_019_178));
    assert_eq!(emp.persons, 2);
    assert_eq!(emp.booked_persons, 1);
    assert_eq!(emp.activity_persons, 2);
    // The supplier posting on 5.38.38 has no service: the catalogue puts 5.38.38 (SEL85) in
    // adult social services.
    let soc = centre(&a, Department::AdultSocial);
    assert_eq!(soc.total, Ore::from_kroner(50_000));
    assert_eq!(soc.booked + soc.activity, Ore::ZERO);
    assert_eq!(soc.unallocated(), Ore::from_kroner(50_000));
    assert_eq!(soc.persons, 0);
    let un = a.by_centre[CostCentre::Unmapped.index()];
    assert_eq!(un.total, Ore::from_kroner(1_000));
    // The rows add up to the totals.
    let sum =
        |f: fn(&crate::allocation::CentreCosts) -> Ore| a.by_centre.iter().map(f).sum::<Ore>();
    assert_eq!(sum(|c| c.total), a.cost_total);
    assert_eq!(sum(|c| c.booked), a.booked_total);
    assert_eq!(sum(|c| c.activity), a.activity_total);
}

#[test]
fn posting_service_department_beats_function_department() {
    // A posting on the employment function 5.57.73 that names the SEL85 service goes to adult
    // social services.
    let r = reg("person a F1\nposting 2024-02-01 5.57.73 100.00 a SEL85");
    let a = allocate(&r, Period::year(2024)).unwrap();
    assert_eq!(
        centre(&a, Department::AdultSocial).booked,
        Ore::from_kroner(100)
    );
    assert_eq!(centre(&a, Department::Employment).total, Ore::ZERO);
}

#[test]
fn year_split_with_two_prices_fallback_and_unpriced() {
    let r = reg("
price HJEM 2023 400.00
price HJEM 2024 500.00
price GENOP 2022 300.00
price BOTILB 2025 2000.00
person c F1
spell c HJEM 2023-12-01 2024-01-31 7 -
spell c GENOP 2024-03-01 2024-03-07 7 -
spell c PSYK 2024-02-01 2024-02-10 1 -
spell c BOTILB 2024-01-01 2024-01-05 1 -
");
    let p = Period::new(date("2023-12-01"), date("2024-12-31")).unwrap();
    let a = previous_year_prices(&r, p);
    // HJEM 7 h/week = 1 h a day: 31 days of 2023 at 400 kr + 31 days of 2024 at 500 kr.
    assert_eq!(a.spell_cost[0], Ore::from_kroner(31 * 400 + 31 * 500));
    // GENOP has only a 2022 price: 7 days × 1 h × 300 kr.
    assert_eq!(a.spell_cost[1], Ore::from_kroner(2_100));
    // PSYK has no price at all; BOTILB only a later one: 10 + 5 unpriced days, cost 0.
    assert_eq!(a.spell_cost[2], Ore::ZERO);
    assert_eq!(a.spell_cost[3], Ore::ZERO);
    assert_eq!(a.unpriced_spell_days, 15);
    assert_eq!(a.unpriced_persons, 1);
    assert_eq!(a.activity[0], Ore::from_kroner(27_900 + 2_100));
    // Clipping: with P = 2024 only, HJEM costs just the 31 January days.
    let a24 = previous_year_prices(&r, Period::year(2024));
    assert_eq!(a24.spell_cost[0], Ore::from_kroner(31 * 500));
}

#[test]
fn a_missing_price_is_an_error_naming_service_and_year() {
    let r = register(&format!(
        "{CATALOGUE}
price HJEM 2023 400.00
price HJEM 2024 500.00
price GENOP 2022 300.00
person c F1
person d F2
spell c HJEM 2023-12-01 2024-01-31 7 -
spell c GENOP 2024-03-01 2024-03-07 7 -
spell d PSYK 2024-02-01 2024-02-10 1 -
"
    ));
    let p = Period::new(date("2023-12-01"), date("2024-12-31")).unwrap();
    let Err(AnalysisError::MissingPrices { missing, count }) = allocate(&r, p) else {
        panic!("a year without its own price is refused by default");
    };
    // GENOP's 2024 would fall back to 2022; PSYK has no price at all. HJEM is priced in both
    // years.
    assert_eq!(count, 2);
    let mut names: Vec<String> = missing.iter().map(|(s, y)| format!("{s} {y}")).collect();
    names.sort();
    assert_eq!(names, ["GENOP 2024", "PSYK 2024"]);
    let e = allocate(&r, p).unwrap_err().to_string();
    assert!(
        e.contains("GENOP 2024") && e.contains("--missing-prices previous-year"),
        "{e}"
    );
    // Explicitly allowed, the fallback is the documented one.
    let a = previous_year_prices(&r, p);
    assert_eq!(a.spell_cost[1], Ore::from_kroner(2_100));
}

#[test]
fn booked_pair_only_skips_the_same_function_and_person() {
    // a is booked on MENTOR's function; her SEL85 spell and b's MENTOR spell are still priced.
    let r = reg("
price MENTOR 2024 100.00
price SEL85 2024 100.00
person a F1
person b F1
spell a MENTOR 2024-01-01 2024-01-07 7 -
spell a SEL85 2024-01-01 2024-01-07 7 -
spell b MENTOR 2024-01-01 2024-01-07 7 -
posting 2024-01-15 5.68.90 1.00 a -
");
    let a = allocate(&r, Period::year(2024)).unwrap();
    assert_eq!(
        a.spell_cost,
        vec![Ore::ZERO, Ore::from_kroner(700), Ore::from_kroner(700)]
    );
    assert_eq!(a.skipped_spells, 1);
    // A booking outside the period does not make a pair.
    let a23 = allocate(
        &reg(
            "price MENTOR 2024 100.00\nperson a F1\nspell a MENTOR 2024-01-01 2024-01-07 7 -\nposting 2023-06-01 5.68.90 1.00 a -",
        ),
        Period::year(2024),
    ).unwrap();
    assert_eq!(a23.spell_cost[0], Ore::from_kroner(700));
}

#[test]
fn default_period_is_last_fully_covered_year() {
    let r = reg(
        "person a F1\nposting 2024-12-31 5.57.73 1.00 - -\nposting 2024-03-01 5.57.73 1.00 - -",
    );
    assert_eq!(default_period(&r), Period::year(2024));
    let r = reg(
        "person a F1\nposting 2025-01-02 5.57.73 1.00 - -\nposting 2024-12-31 5.57.73 1.00 - -",
    );
    assert_eq!(default_period(&r), Period::year(2024));
    let r = reg("person a F1\nspell a KTH 2021-05-01 - 1 -\nspell a KTH 2019-05-01 - 1 -");
    assert_eq!(default_period(&r), Period::year(2021));
}

#[test]
fn one_mistyped_date_does_not_move_the_default_period() {
    // 200 postings through 2024 (the last on 31 December), two in the first days of 2025 (too
    // few to be bulk, but next year's: counted as before), and one typo dated 31-12-2200.
    let mut text = String::from("person a F1\nspell a KTH 2024-01-01 2024-12-31 1 -\n");
    for i in 0..200 {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i);
        text.push_str(&format!("posting {day} 5.57.73 1.00 - -\n"));
    }
    text.push_str("posting 2024-12-31 5.57.73 1.00 - -\n");
    let without_typo = reg(&text);
    assert_eq!(default_period(&without_typo), Period::year(2024));
    text.push_str("posting 2025-01-03 5.57.73 1.00 - -\nposting 2025-01-02 5.57.73 1.00 - -\n");
    assert_eq!(default_period(&reg(&text)), Period::year(2024));
    text.push_str("posting 2200-12-31 5.57.73 50000.00 - -\nspell a KTH 2300-01-01 - 1 -\n");
    let r = reg(&text);
    assert_eq!(default_period(&r), Period::year(2024), "not 2200");
    // The typo and the spell starting in 2300 are reported; 2025's postings are within a year.
    assert_eq!(
        crate::far_outside(&r, Period::year(2024)),
        crate::FarOutside {
            postings: 1,
            spells: 1
        }
    );
    let a = crate::analyse_with(
        &r,
        default_period(&r),
        None,
        &crate::Settings {
            missing_prices: MissingPrices::PreviousYear,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (
            a.data_quality.postings_far_outside,
            a.data_quality.spells_far_outside
        ),
        (1, 1)
    );
    // With no postings, spell starts follow the same rule: 1 of 150 starts is stray.
    let mut text = String::from("person a F1\n");
    for _ in 0..149 {
        text.push_str("spell a KTH 2023-05-01 - 1 -\n");
    }
    text.push_str("spell a KTH 2300-05-01 - 1 -\n");
    assert_eq!(default_period(&reg(&text)), Period::year(2023));
}

#[test]
fn huge_postings_do_not_wrap() {
    use crate::allocation::{AnalysisError, Record};
    use tvaers_core::LimitError;
    // Two postings of 5·10^16 kr used to add up to a negative total.
    let r = reg("person a F1
posting 2024-02-01 5.57.73 50000000000000000.00 a -
posting 2024-03-01 5.57.73 50000000000000000.00 a -");
    assert_eq!(
        allocate(&r, Period::year(2024)).unwrap_err(),
        AnalysisError::OutOfRange {
            record: Record::Posting,
            index: 0,
            error: LimitError::Amount(Ore::from_kroner(50_000_000_000_000_000)),
        }
    );
    // Within the limit per posting (10^12 kr), but 100,000 of them: 10^19 øre, beyond i64.
    let mut r = reg("person a F1\nposting 2024-02-01 5.57.73 1000000000000.00 a -");
    let one = r.postings[0].clone();
    r.postings.resize(100_000, one);
    assert_eq!(
        allocate(&r, Period::year(2024)).unwrap_err(),
        AnalysisError::TooLarge
    );
    // Up to the limit the figures are exact: 9,000 postings of 10^12 kr and −10^12 kr.
    r.postings.truncate(9_000);
    for p in &mut r.postings[4_500..] {
        p.amount = -p.amount;
        p.person = None;
    }
    let a = allocate(&r, Period::year(2024)).unwrap();
    assert_eq!(a.cost_total, Ore::ZERO);
    assert_eq!(a.booked_total, Ore(Ore::MAX_POSTING.0 * 4_500));
    assert_eq!(a.unallocated(), -a.booked_total);
}

#[test]
fn huge_spell_volumes_do_not_wrap() {
    use crate::allocation::{AnalysisError, Record};
    // 9·10^15 hours a week used to give a negative cost.
    let r = reg("price MENTOR 2024 500.00
person a F1
spell a MENTOR 2024-01-01 2024-12-31 9000000000000000 -");
    assert!(matches!(
        allocate(&r, Period::year(2024)),
        Err(AnalysisError::OutOfRange {
            record: Record::Spell,
            index: 0,
            ..
        })
    ));
    // At the limits (100,000 units at 10^8 kr a day), each spell fits; 300 of them do not.
    let mut r = reg("price FOREB 2024 100000000.00
person a F1
spell a FOREB 2024-01-01 2024-12-31 100000 -");
    assert_eq!(
        allocate(&r, Period::year(2024)).unwrap().activity_total,
        Ore(100_000 * 10_000_000_000 * 366)
    );
    let one = r.spells[0].clone();
    r.spells.resize(300, one);
    assert_eq!(
        allocate(&r, Period::year(2024)).unwrap_err(),
        AnalysisError::TooLarge
    );
    // A price beyond 10^8 kr a unit is refused.
    let r = reg("price FOREB 2024 100000000.01\nperson a F1");
    assert!(matches!(
        allocate(&r, Period::year(2024)),
        Err(AnalysisError::OutOfRange {
            record: Record::Price,
            ..
        })
    ));
}

#[test]
fn concurrency_overlap_back_to_back_and_same_department() {
    let r = reg("
person over F1
spell over MENTOR 2024-01-01 2024-03-31 1 c1
spell over SEL85 2024-03-01 2024-06-30 1 c2
spell over GENOP 2024-03-15 2024-04-15 1 c2
person seq F2
spell seq KTH 2024-01-01 2024-03-31 1 c3
spell seq SEL85 2024-04-01 2024-06-30 1 -
person dept F3
spell dept KTH 2024-01-01 2024-12-31 1 c4
spell dept MENTOR 2024-02-01 2024-02-29 1 c5
spell dept MENTOR 2024-02-15 2024-03-31 1 c5
person old F4
spell old KTH 2020-01-01 - 1 -
spell old SEL85 2023-01-01 2023-12-31 1 -
spell old HJEM 2024-12-31 - 1 -
");
    let p = Period::year(2024);
    let a = previous_year_prices(&r, p);
    let m = compute_metrics(&r, &a, p);
    let c = &m.citizens;
    // over: 15–31 March has mentor, SEL85 and rehabilitation: 3 services in 3 departments.
    assert_eq!(
        (
            c.max_concurrent_services[0],
            c.max_concurrent_departments[0]
        ),
        (3, 3)
    );
    assert_eq!((c.services[0], c.departments[0], c.contacts[0]), (3, 3, 2));
    // seq: back to back, never two at once, though two of each in total.
    assert_eq!(
        (
            c.max_concurrent_services[1],
            c.max_concurrent_departments[1]
        ),
        (1, 1)
    );
    assert_eq!((c.services[1], c.departments[1], c.contacts[1]), (2, 2, 1));
    // dept: KTH and mentor are both employment; two overlapping mentor spells are one service.
    assert_eq!(
        (
            c.max_concurrent_services[2],
            c.max_concurrent_departments[2]
        ),
        (2, 1)
    );
    assert_eq!((c.services[2], c.departments[2], c.contacts[2]), (2, 1, 2));
    // old: the open 2020 KTH spell runs through 2024; the 2023 SEL85 spell is outside; HJEM
    // starts on the last day: 2 at once on 31 December.
    assert_eq!(
        (
            c.max_concurrent_services[3],
            c.max_concurrent_departments[3]
        ),
        (2, 2)
    );
    assert_eq!(c.services[3], 2);
}

#[test]
fn max_concurrent_distinct_on_raw_intervals() {
    assert_eq!(max_concurrent_distinct(&[]), 0);
    // [1,5) and [5,9) touch but do not overlap.
    assert_eq!(max_concurrent_distinct(&[(1, 5, 1), (5, 9, 2)]), 1);
    assert_eq!(max_concurrent_distinct(&[(1, 6, 1), (5, 9, 2)]), 2);
    // Same key twice counts once; a third key inside both gives 2.
    assert_eq!(
        max_concurrent_distinct(&[(1, 9, 1), (2, 8, 1), (3, 4, 2)]),
        2
    );
}

#[test]
fn family_metrics_sum_costs_and_union_spells() {
    let r = reg("
price MENTOR 2024 100.00
price FOREB 2024 1000.00
person mor F1
person barn F1
person alone F2
spell mor MENTOR 2024-01-01 2024-01-07 7 k1
spell barn FOREB 2024-01-05 2024-01-10 1 k2
spell barn MENTOR 2024-06-01 2024-06-07 7 k1
posting 2024-02-01 5.57.73 250.00 mor KTH
");
    let p = Period::year(2024);
    let a = allocate(&r, p).unwrap();
    let m = compute_metrics(&r, &a, p);
    assert_eq!(m.family_index.len(), 2);
    let f = &m.families;
    // mor: 250 booked + 7 × 100 mentor; barn: 6 days × 1,000 + 700 mentor.
    assert_eq!(f.cost[0], Ore::from_kroner(250 + 700 + 6_000 + 700));
    assert_eq!(
        f.cost[0],
        a.allocated(PersonIx(0)) + a.allocated(PersonIx(1))
    );
    // Union: mentor (both) and FOREB = 2 services, 2 departments, contacts k1 and k2.
    assert_eq!((f.services[0], f.departments[0], f.contacts[0]), (2, 2, 2));
    // 5–7 January: mor's mentor and barn's FOREB at once.
    assert_eq!(
        (
            f.max_concurrent_services[0],
            f.max_concurrent_departments[0]
        ),
        (2, 2)
    );
    // Cost by department: employment = 250 (booked KTH) + 700 + 700; children = 6,000.
    assert_eq!(
        f.cost_by_centre(0),
        &[
            (
                CostCentre::Department(Department::Employment),
                Ore::from_kroner(1_650)
            ),
            (
                CostCentre::Department(Department::ChildrenFamily),
                Ore::from_kroner(6_000)
            ),
        ]
    );
    assert_eq!(f.cost[1], Ore::ZERO);
    assert_eq!(f.cost_by_centre(1), &[]);
}

/// 20 citizens: 19 with a 1-day FOREB place at 1,000 kr (1,000 kr each), one with 81,000 kr
/// booked. Σ = 100,000 kr.
fn twenty() -> tvaers_core::Register<tvaers_core::Pseudonymised> {
    let mut s = String::from("price FOREB 2024 1000.00\n");
    for i in 0..20 {
        s.push_str(&format!("person p{i} F{i}\n"));
    }
    for i in 0..19 {
        s.push_str(&format!("spell p{i} FOREB 2024-05-01 2024-05-01 1 -\n"));
    }
    s.push_str("posting 2024-06-01 5.57.73 81000.00 p19 -\n");
    reg(&s)
}

#[test]
fn concentration_and_gini_in_the_summary() {
    let r = twenty();
    let p = Period::year(2024);
    let a = allocate(&r, p).unwrap();
    let m = compute_metrics(&r, &a, p);
    let s = summarise(&r, &a, &m, Default::default());
    // N = 20: every top-k is ⌈k·20/100⌉ ≤ 2 < 5 persons → suppressed.
    for (_, c) in &s.concentration.top {
        assert!(c.is_suppressed());
    }
    // Gini: ascending x = 1,000 ×19, 81,000 (kr). Σ i·x_i = 1,000·190 + 20·81,000 = 1,810,000;
    // G = 2·1,810,000 / (20·100,000) − 21/20 = 1.81 − 1.05 = 0.76.
    let g = s.concentration.gini.value().unwrap().unwrap();
    assert!((g - 0.76).abs() < 1e-12, "{g}");
    // Lorenz: candidate cuts of 5 (20 / min(100, 4) groups): 5, 10, 15. But p19 has 81,000 of
    // the 85,000 between 15 and 20, so that step is dominated; dropping 15 leaves 10–20 (81,000
    // of 86,000), then 5–20 (81,000 of 87,000): each cut would tell roughly what p19 costs, so
    // only (1, 1) is left.
    let pts: Vec<(f64, f64)> = s
        .concentration
        .lorenz
        .iter()
        .map(|c| {
            c.value()
                .map(|p| (p.population_share, p.cost_share))
                .unwrap()
        })
        .collect();
    assert_eq!(pts, vec![(1.0, 1.0)]);
    // Without the dominance rule (100 %), the even grid is shown: 5 %, 10 %, 15 % of the cost.
    let off = tvaers_report::disclosure::Dominance::percent(100).unwrap();
    let s100 = summarise(&r, &a, &m, off);
    let pts: Vec<(f64, f64)> = s100
        .concentration
        .lorenz
        .iter()
        .filter_map(|c| c.value().map(|p| (p.population_share, p.cost_share)))
        .collect();
    let want = [(0.25, 0.05), (0.5, 0.10), (0.75, 0.15), (1.0, 1.0)];
    assert_eq!(pts.len(), want.len());
    for (got, w) in pts.iter().zip(want) {
        assert!(
            (got.0 - w.0).abs() < 1e-12 && (got.1 - w.1).abs() < 1e-12,
            "{got:?}"
        );
    }
    // Each person is their own family here, so the family figures are the same.
    let gf = s.family_concentration.gini.value().unwrap().unwrap();
    assert!((gf - 0.76).abs() < 1e-12);
}

#[test]
fn complexity_counts_and_costs() {
    // Six citizens with 2 departments at once (KTH + SEL85 overlapping), five of them also with
    // a third (GENOP) at the same time; one citizen with nothing.
    let mut s = String::from("price KTH 2024 1000.00\n");
    for i in 0..6 {
        s.push_str(&format!(
            "person p{i} F{i}\nspell p{i} KTH 2024-01-01 2024-12-31 1 -\nspell p{i} SEL85 2024-03-01 2024-03-31 1 -\n"
        ));
        if i < 5 {
            s.push_str(&format!("spell p{i} GENOP 2024-03-10 2024-03-12 1 -\n"));
        }
    }
    s.push_str("person idle F9\n");
    let r = reg(&s);
    let p = Period::year(2024);
    let a = previous_year_prices(&r, p);
    let m = compute_metrics(&r, &a, p);
    let cx = crate::complexity::complexity(&m.citizens);
    // KTH for the whole of 2024 (366 days) = 12 × 366/365 benefits; SEL85/GENOP unpriced.
    let kth = tvaers_core::service::activity_cost(
        tvaers_core::Quantity::ONE,
        Ore::from_kroner(1000),
        tvaers_core::Unit::Month,
        366,
    );
    assert_eq!(kth, Ore(1_203_288)); // 12,000 × 366 / 365 = 12,032.88 kr
    assert_eq!(cx.distribution[0].units, 1);
    assert_eq!(cx.distribution[2].units, 1);
    assert_eq!(cx.distribution[3].units, 5);
    assert_eq!(cx.departments_at_least[0].units, 6);
    assert_eq!(cx.departments_at_least[0].cost, Ore(6 * kth.0));
    assert_eq!(cx.departments_at_least[1].units, 5);
    assert_eq!(cx.departments_at_least[2].units, 0);
    assert_eq!(cx.services_7plus.units, 0);
    // Buckets 0 (the idle citizen) and 2 (p5) hold one person each and are hidden; with the
    // total of 7 their sum 2 would make each 1, so bucket 3 (5) goes too, and then a "<5" is
    // still at most 7 − 1 − 5 = 1: nothing is left to hide with, so the total of 7 is withheld.
    // "≥ 2" would give bucket 0 as N − "≥ 2"; "≥ 3" = 5 beside a published 0 in bucket 4 would
    // give the hidden bucket 3: both are withheld.
    let sm = summarise(&r, &a, &m, Default::default());
    let d = &sm.complexity.distribution;
    let hidden: Vec<usize> = (0..d.len()).filter(|&i| d[i].is_suppressed()).collect();
    assert_eq!(hidden, vec![0, 2, 3]);
    assert_eq!(
        d[3].suppression(),
        Some(crate::disclosure::Suppression::Secondary)
    );
    assert_eq!(sm.citizens.value(), None, "the total would narrow the 1s");
    let rows = &sm.complexity.departments_at_least;
    let ge2 = rows[0].1.value().map(|g| g.units);
    let ge3 = rows[1].1.value().map(|g| g.units);
    assert_eq!(ge2, None);
    assert_eq!(ge3, None);
}

/// Every value each cell of a count table may hold, given what a reader sees: the published
/// `total`, the published cells, the markers ("<5" = 1–4, "—" = at least 5) and the published
/// tail sums `(k, Σ_{j ≥ k})`. Brute force over the hidden cells.
fn consistent_values(
    total: u64,
    cells: &[(Option<u64>, Option<crate::Suppression>)],
    tails: &[(usize, u64)],
) -> Vec<std::collections::BTreeSet<u64>> {
    use crate::Suppression;
    fn walk(
        i: usize,
        acc: &mut Vec<u64>,
        total: u64,
        cells: &[(Option<u64>, Option<Suppression>)],
        tails: &[(usize, u64)],
        out: &mut [std::collections::BTreeSet<u64>],
    ) {
        let sum: u64 = acc.iter().sum();
        if sum > total {
            return;
        }
        if i == cells.len() {
            let fits = sum == total
                && tails
                    .iter()
                    .all(|&(k, v)| acc[k.min(acc.len())..].iter().sum::<u64>() == v);
            if fits {
                for (set, &x) in out.iter_mut().zip(acc.iter()) {
                    set.insert(x);
                }
            }
            return;
        }
        let range = match cells[i] {
            (Some(v), _) => v..=v,
            (None, Some(Suppression::Primary)) => 1..=MIN - 1,
            (None, _) => MIN..=total,
        };
        for x in range {
            acc.push(x);
            walk(i + 1, acc, total, cells, tails, out);
            acc.pop();
        }
    }
    const MIN: u64 = crate::disclosure::MIN_PERSONS;
    let mut out = vec![std::collections::BTreeSet::new(); cells.len()];
    walk(0, &mut Vec::new(), total, cells, tails, &mut out);
    out
}

/// The hidden cells that a reader could pin down: a "<5" with fewer than two of 1–4 left, or a
/// "—" with fewer than two values left.
fn determined(
    total: u64,
    cells: &[(Option<u64>, Option<crate::Suppression>)],
    tails: &[(usize, u64)],
) -> Vec<usize> {
    let sets = consistent_values(total, cells, tails);
    (0..cells.len())
        .filter(|&i| cells[i].0.is_none())
        .filter(|&i| {
            let left = match cells[i].1 {
                Some(crate::Suppression::Primary) => sets[i].range(1..=4).count(),
                _ => sets[i].len(),
            };
            left < 2
        })
        .collect()
}

#[test]
fn complexity_distribution_cannot_be_recovered_by_reasoning() {
    // 28 citizens, each their own family: one idle (0 departments), 20 in employment only (1),
    // one with employment and social services at once (2), six with those and rehabilitation
    // at once (3). Buckets 0 and 2 hold one citizen each.
    let mut s = String::from("price KTH 2024 1000.00\n");
    for i in 0..27 {
        s.push_str(&format!(
            "person p{i} F{i}\nspell p{i} KTH 2024-01-01 2024-12-31 1 -\n"
        ));
        if i >= 20 {
            s.push_str(&format!("spell p{i} SEL85 2024-03-01 2024-03-31 1 -\n"));
        }
        if i >= 21 {
            s.push_str(&format!("spell p{i} GENOP 2024-03-10 2024-03-12 1 -\n"));
        }
    }
    s.push_str("person idle F99\n");
    let r = reg(&s);
    let p = Period::year(2024);
    let a = previous_year_prices(&r, p);
    let m = compute_metrics(&r, &a, p);
    let raw = crate::complexity::complexity(&m.citizens);
    let units: Vec<u64> = raw.distribution.iter().map(|g| g.units).collect();
    assert_eq!(units, vec![1, 20, 1, 6, 0]);

    // What the old rule published: the two 1s hidden side by side, their known sum 2 makes
    // each of them 1. The checker must see that (else it could not fail below).
    let mut weak: Vec<crate::Cell<u64>> = units
        .iter()
        .map(|&u| crate::disclosure::publish(u, u))
        .collect();
    assert!(crate::disclosure::protect_margin(&mut weak));
    let weak_view: Vec<_> = weak
        .iter()
        .map(|c| (c.value().copied(), c.suppression()))
        .collect();
    assert_eq!(determined(28, &weak_view, &[]), vec![0, 2]);

    let sm = summarise(&r, &a, &m, Default::default());
    for (what, t, total) in [
        ("citizens", &sm.complexity, sm.citizens.value().copied()),
        (
            "families",
            &sm.family_complexity,
            sm.families.value().copied(),
        ),
    ] {
        let total = total.unwrap_or_else(|| panic!("{what}: the total of 28 is published"));
        assert_eq!(total, 28);
        let view: Vec<_> = t
            .distribution
            .iter()
            .map(|c| (c.value().map(|g| g.units), c.suppression()))
            .collect();
        assert!(
            view[0].0.is_none() && view[2].0.is_none(),
            "{what}: {view:?}"
        );
        let tails: Vec<(usize, u64)> = t
            .departments_at_least
            .iter()
            .filter_map(|(k, c)| c.value().map(|g| (*k as usize, g.units)))
            .collect();
        assert_eq!(
            determined(total, &view, &tails),
            Vec::<usize>::new(),
            "{what}: {view:?}, tails {tails:?}"
        );
        // Every hidden bucket keeps its whole 1–4 or more; a "<5" may be anything from 1 to 4.
        let sets = consistent_values(total, &view, &tails);
        for i in [0, 2] {
            assert_eq!(
                sets[i].range(1..=4).count(),
                4,
                "{what}: bucket {i} narrowed to {:?}",
                sets[i]
            );
        }
    }

    // In summary.json a hidden bucket has no cost either.
    let j = sm.summary_json();
    for who in ["citizens", "families"] {
        for row in j["complexity_distribution"][who].as_array().unwrap() {
            if row["suppressed"] == serde_json::Value::Bool(true) {
                assert!(row["cost_ore"].is_null() && row[who].is_null(), "{row}");
            }
        }
    }
}
