//! The "Per" example of docs/domain.md (Syddjurs): 895,000 kr a year today, 408,500 kr a year
//! coordinated. The shipped scenario must give exactly those figures, to the krone.

use tvaers_core::{Department, Ore};
use tvaers_economics::{Scenario, Violation, network, potential, separate_unit};

fn per() -> Scenario {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/per.toml"
    ))
    .expect("scenarios/per.toml");
    Scenario::parse(&text, "scenarios/per.toml").expect("per.toml parses")
}

fn kr(v: i64) -> Ore {
    Ore::from_kroner(v)
}

#[test]
fn per_costs_895_000_before_and_408_500_after() {
    let p = potential(&per()).unwrap();
    assert_eq!(p.before_per_person, kr(895_000));
    assert_eq!(p.after_per_person, kr(408_500));
    assert_eq!(p.before_total, kr(895_000));
    assert_eq!(p.after_short_total, kr(408_500));
    // The long term: the last year's steps save 4 × 20 % × 50,000 kr of kontanthjælp.
    assert_eq!(p.after_long_total, kr(368_500));
}

#[test]
fn per_by_department() {
    let p = potential(&per()).unwrap();
    let rows: Vec<(Department, Ore, Ore, Ore)> = p
        .departments
        .iter()
        .map(|d| {
            (
                d.department,
                d.before_total,
                d.after_short_total,
                d.after_long_total,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                Department::Employment,
                kr(400_000),
                kr(281_000),
                kr(241_000)
            ),
            (Department::AdultSocial, kr(240_000), kr(0), kr(0)),
            (Department::Health, kr(142_500), kr(71_250), kr(71_250)),
            (Department::Elderly, kr(112_500), kr(56_250), kr(56_250)),
        ]
    );
}

#[test]
fn per_years_npv_and_payback() {
    let p = potential(&per()).unwrap();
    let nets: Vec<i64> = p.years.iter().map(|y| y.net.round_kroner()).collect();
    assert_eq!(nets, vec![386_500, 496_500, 506_500, 516_500, 526_500]);
    let cumulative = p.years.last().unwrap().cumulative_net;
    assert_eq!(cumulative, kr(2_432_500));
    // End-of-year discounting at 4 %: 386,500/1.04 + 496,500/1.04² + … (see potential's docs).
    assert_eq!(p.npv, Ore(215_520_442));
    assert_eq!(p.payback_year, Some(1));
    assert_eq!(p.sensitivity.len(), 9);
    let mid = p
        .sensitivity
        .iter()
        .find(|s| s.effect_percent == 100 && s.cost_percent == 100)
        .unwrap();
    assert_eq!(mid.npv, p.npv);
    // More cost, less effect: a smaller NPV.
    let worst = p
        .sensitivity
        .iter()
        .find(|s| s.effect_percent == 50 && s.cost_percent == 150)
        .unwrap();
    assert!(worst.npv < p.npv);
}

#[test]
fn per_network_model_moves_no_money_and_breaks_no_guard() {
    let s = per();
    let p = potential(&s).unwrap();
    let n = network(&s, &p).unwrap();
    // Every department's cost falls, so nothing needs covering and everything is harvested.
    assert!(n.violations.is_empty(), "{:?}", n.violations);
    assert!(n.years.iter().all(|y| y.transfers.is_empty()));
    assert_eq!(n.years[0].harvest, kr(895_000 - 508_500));
    assert_eq!(n.years[0].uncovered, Ore::ZERO);
}

#[test]
fn network_transfers_cover_a_rising_department_and_guards_report() {
    // Move the coordinator to social_voksne: employment falls, adult social rises.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/per.toml"
    ))
    .unwrap()
    .replace(
        "department = \"beskaeftigelse\", kind = \"indsats\", quantity = 200",
        "department = \"social_voksne\", kind = \"indsats\", quantity = 600",
    );
    let s = Scenario::parse(&text, "x.toml").unwrap();
    let p = potential(&s).unwrap();
    let n = network(&s, &p).unwrap();
    // Adult social: 240,000 → 600 h × 655 = 393,000, a rise of 153,000 (63.75 %).
    let y1 = &n.years[0];
    let into_social: i64 = y1
        .transfers
        .iter()
        .filter(|t| t.to == Department::AdultSocial)
        .map(|t| t.amount.0)
        .sum();
    assert_eq!(Ore(into_social), kr(153_000));
    assert_eq!(y1.uncovered, Ore::ZERO);
    // Transfers come from the falling departments in proportion to their falls.
    let from: Vec<(Department, Ore)> = y1.transfers.iter().map(|t| (t.from, t.amount)).collect();
    // Falls in year 1: employment 400,000 → 250,000 (150,000, one-off included), health 71,250,
    // elderly 56,250; total 277,500. Floors 8,270,270.27 / 3,928,378.38 / 3,101,351.35 øre: the
    // one øre left goes to the largest remainder (health).
    assert_eq!(
        from,
        vec![
            (Department::Employment, Ore(8_270_270)),
            (Department::Health, Ore(3_928_379)),
            (Department::Elderly, Ore(3_101_351)),
        ]
    );
    assert!(n.violations.iter().any(|v| matches!(
        v,
        Violation::NeedsApproval {
            year: 1,
            department: Department::AdultSocial,
            rise: Some(6375),
            ..
        }
    )));
    assert!(
        !n.violations
            .iter()
            .any(|v| matches!(v, Violation::PackageCostsMore { .. }))
    );
}

#[test]
fn separate_unit_is_carved_by_citizens() {
    let s = per();
    let p = potential(&s).unwrap();
    let u = separate_unit(&s, &p).unwrap();
    // Interventions after: 131,000 + 56,250 + 71,250 = 258,500, plus the 100,000 one-off in
    // year 1; four departments serve Per, so each hands over a quarter.
    assert_eq!(u.years[0].unit_budget, kr(358_500));
    assert_eq!(u.years[1].unit_budget, kr(258_500));
    let c = u.years[1].contribution;
    assert_eq!(c[Department::Employment.index()], Ore(6_462_500));
    assert_eq!(c.iter().map(|o| o.0).sum::<i64>(), 25_850_000);
    assert_eq!(c[Department::Psychiatry.index()], Ore::ZERO);
    assert_eq!(
        u.years[1].freed[Department::AdultSocial.index()],
        kr(240_000 - 64_625)
    );
}
