//! Follow-up: for a scenario started at a date, the target group's realised cost quarter by
//! quarter and department by department against what the scenario expects — the table for the
//! cross-department budget meeting (issue 11, item 6).
//!
//! # Rules of the calculation
//! - The **start** is the first day of a calendar quarter. The **cohort** is the target group's
//!   members in the **baseline year**, the twelve months before the start; they are followed
//!   whether they stay in the group or not (a redesign is followed for the citizens it began
//!   with).
//! - **Realised** cost of a period, by cost centre (the department whose budget carries it):
//!   the cohort's allocated cost in the period (`tvaers_analysis`'s allocation: booked postings
//!   and activity × unit price), as in the baseline.
//! - **Baseline** (the before cost) of a department: the cohort's realised cost in the baseline
//!   year, spread evenly over four quarters: quarter q (0–3) gets
//!   `round(Y × (q + 1) / 4) − round(Y × q / 4)`, so the four add up to Y exactly.
//! - **Expected** for quarter q of scenario year k (year 1 = the first four quarters after the
//!   start; after the horizon the last year's figures): the baseline plus the scenario's change
//!   in that department scaled to the cohort, spread the same way:
//!   `Δ = round((after_k − before) × members / persons)` with the scenario's after of year k by
//!   department (new package, running and one-off costs, minus the effect) and its before. A
//!   department the scenario does not touch is expected to stay at its baseline.
//! - **Variance** = realised − expected (positive: more spent than expected), in the budget of
//!   the department of the row.
//! - Only quarters the data covers completely (up to the last posting date) are followed.
//! - Every `round` is to the nearest øre, halves away from zero.
//!
//! # Disclosure control
//! As the baseline: with fewer than [`MIN_PERSONS`] in the cohort everything is withheld; the
//! realised amounts of a period by department are published with the dominance rule and
//! protected against the period's total (`protect_margin_parts`); the baseline, the expected
//! amounts and the variance are derived from the realised cells they are computed from and
//! hidden with them; sums over quarters are derived from the quarters' cells.

use crate::potential::{Potential, div_round};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use tvaers_analysis::MissingPrices;
use tvaers_analysis::allocation::{Allocation, CostCentre, allocate_with};
use tvaers_core::{Department, Ore, Period, PersonIx, Pseudonymised, Register};
use tvaers_report::disclosure::{
    Cell, Disclosed, Dominance, MIN_PERSONS, Parts, derive, protect_margin_parts, publish,
    publish_parts, withheld,
};

const N: usize = CostCentre::COUNT;

/// Why a follow-up cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    #[error("the start {0} is not the first day of a quarter (1 January, April, July or October)")]
    NotAQuarter(NaiveDate),
    #[error("the data does not cover the baseline year before the start ({from} – {to})")]
    NoBaselineYear { from: NaiveDate, to: NaiveDate },
    #[error(transparent)]
    Analysis(#[from] tvaers_analysis::AnalysisError),
}

/// The exact figures of one quarter, by cost centre (`CostCentre::ALL` order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawQuarter {
    pub year: i32,
    /// 1–4.
    pub quarter: u32,
    /// 1-based year of the scenario's horizon.
    pub scenario_year: u32,
    pub baseline: [i64; N],
    pub expected: [i64; N],
    pub realised: [i64; N],
}

/// The exact figures of a follow-up, before disclosure control; for tests and an independent
/// recomputation. Never published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawFollowUp {
    pub members: u64,
    /// The cohort's realised cost in the baseline year, by cost centre.
    pub baseline_year: [i64; N],
    pub quarters: Vec<RawQuarter>,
}

/// One row: a cost centre, or the total when `centre` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    pub centre: Option<CostCentre>,
    pub baseline: Cell<Ore>,
    pub expected: Cell<Ore>,
    pub realised: Cell<Ore>,
    /// realised − expected.
    pub variance: Cell<Ore>,
}

/// One quarter: a row per cost centre with a figure in the follow-up, then the total.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpQuarter {
    pub year: i32,
    pub quarter: u32,
    pub scenario_year: u32,
    pub rows: Vec<FollowUpRow>,
}

/// The follow-up of a scenario under disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub group_id: String,
    pub start: NaiveDate,
    pub baseline_period: Period,
    pub members: Cell<u64>,
    /// The cohort's realised cost in the baseline year: the centres used, then the total.
    pub baseline_year: Vec<(Option<CostCentre>, Cell<Ore>)>,
    pub quarters: Vec<FollowUpQuarter>,
    /// Over all followed quarters: the centres used, then the total.
    pub totals: Vec<FollowUpRow>,
}

/// A column of a follow-up row.
#[derive(Debug, Clone, Copy)]
enum Field {
    Baseline,
    Expected,
    Realised,
    Variance,
}

impl Field {
    fn cell(self, r: &FollowUpRow) -> &Cell<Ore> {
        match self {
            Field::Baseline => &r.baseline,
            Field::Expected => &r.expected,
            Field::Realised => &r.realised,
            Field::Variance => &r.variance,
        }
    }

    /// The exact figure of a quarter for a centre (`None`: the total).
    fn raw(self, q: &RawQuarter, centre: Option<CostCentre>) -> i64 {
        let pick = |a: &[i64; N]| match centre {
            Some(c) => a[c.index()],
            None => a.iter().sum(),
        };
        match self {
            Field::Baseline => pick(&q.baseline),
            Field::Expected => pick(&q.expected),
            Field::Realised => pick(&q.realised),
            Field::Variance => pick(&q.realised) - pick(&q.expected),
        }
    }
}

/// Quarter q (0–3) of a yearly amount: `round(y × (q + 1) / 4) − round(y × q / 4)`.
pub fn quarter_share(yearly: i128, q: usize) -> i128 {
    div_round(yearly * (q as i128 + 1), 4) - div_round(yearly * q as i128, 4)
}

/// The scenario's change by department in each year of its horizon for its own group:
/// after of year k − before (`Department::ALL` order).
pub fn scenario_change(p: &Potential) -> Vec<[i128; 8]> {
    let mut before = [0i128; 8];
    for d in &p.departments {
        before[d.department.index()] = i128::from(d.before_total.0);
    }
    p.years
        .iter()
        .map(|y| {
            let mut delta = [0i128; 8];
            for (i, v) in delta.iter_mut().enumerate() {
                *v = i128::from(y.after_by_department[i].0) - before[i];
            }
            delta
        })
        .collect()
}

/// Baseline and expected amounts of quarter `q` (0–3) of scenario year `k` (1-based), by cost
/// centre, from the cohort's baseline year and the scenario's change per year
/// ([`scenario_change`]) scaled from `persons` to `members`.
pub fn expectation(
    baseline_year: &[i64; N],
    change: &[[i128; 8]],
    members: u64,
    persons: u32,
    k: u32,
    q: usize,
) -> ([i64; N], [i64; N]) {
    let mut baseline = [0i64; N];
    let mut expected = [0i64; N];
    let year = change
        .get(k as usize - 1)
        .or(change.last())
        .copied()
        .unwrap_or([0; 8]);
    for (c, centre) in CostCentre::ALL.iter().enumerate() {
        let b = quarter_share(i128::from(baseline_year[c]), q);
        let delta = match centre {
            CostCentre::Department(d) if persons > 0 => {
                div_round(year[d.index()] * i128::from(members), i128::from(persons))
            }
            _ => 0,
        };
        baseline[c] = b as i64;
        expected[c] = (b + quarter_share(delta, q)) as i64;
    }
    (baseline, expected)
}

/// Each cohort member's amounts by cost centre in `alloc`'s period: (member index, centre,
/// amount).
fn amounts(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    members: &[PersonIx],
) -> Vec<(u32, usize, i64)> {
    let mut out = Vec::new();
    for (m, &p) in members.iter().enumerate() {
        for &s in alloc.person_spells.of(p) {
            let cost = alloc.spell_cost[s as usize];
            if cost != Ore::ZERO {
                let entry = reg.catalogue.get(reg.spells[s as usize].service);
                let c = CostCentre::Department(entry.department).index();
                out.push((m as u32, c, cost.0));
            }
        }
        for &i in alloc.booked_postings.of(p) {
            let posting = &reg.postings[i as usize];
            if posting.amount != Ore::ZERO {
                let c = alloc.centres.of_posting(&reg.catalogue, posting).index();
                out.push((m as u32, c, posting.amount.0));
            }
        }
    }
    out
}

/// A period's realised cells (every centre, then the total) under disclosure control.
fn realised_cells(
    rows: &[(u32, usize, i64)],
    members: u64,
    dominance: Dominance,
) -> (Vec<Cell<Ore>>, [i64; N]) {
    let mut sums = [0i64; N];
    let mut columns: Vec<Vec<(u32, i64)>> = vec![Vec::new(); N];
    for &(m, c, a) in rows {
        sums[c] += a;
        columns[c].push((m, a));
    }
    let total_parts = Parts::new(vec![rows.iter().map(|&(m, _, a)| (m, a)).collect()]);
    let parts: Vec<Parts> = columns.into_iter().map(|c| Parts::new(vec![c])).collect();
    if members < MIN_PERSONS {
        let mut cells: Vec<Cell<Ore>> = parts.iter().map(|p| withheld(p.persons())).collect();
        cells.push(withheld(members));
        return (cells, sums);
    }
    let total: i64 = sums.iter().sum();
    let total_cell = publish_parts(total_parts.persons(), Ore(total), &total_parts, dominance);
    let mut cells: Vec<Cell<Ore>> = parts
        .iter()
        .enumerate()
        .map(|(c, p)| {
            if total_cell.is_suppressed() {
                withheld(p.persons().max(MIN_PERSONS))
            } else {
                publish_parts(p.persons(), Ore(sums[c]), p, dominance)
            }
        })
        .collect();
    let mut total_cell = total_cell;
    if !protect_margin_parts(&mut cells, &parts, dominance) {
        total_cell = withheld(members);
        cells = cells
            .iter()
            .map(|c| withheld(c.persons().unwrap_or(MIN_PERSONS)))
            .collect();
    }
    cells.push(total_cell);
    (cells, sums)
}

/// The first day of the quarter `d` is in, if `d` is that day.
fn is_quarter_start(d: NaiveDate) -> bool {
    d.day() == 1 && matches!(d.month(), 1 | 4 | 7 | 10)
}

/// The follow-up of `potential`'s scenario for the cohort `members` (the target group in the
/// twelve months before `start`, see [`baseline_period`]).
#[allow(clippy::too_many_arguments)]
pub fn follow_up(
    reg: &Register<Pseudonymised>,
    group_id: &str,
    members: &[PersonIx],
    potential: &Potential,
    start: NaiveDate,
    missing_prices: MissingPrices,
    dominance: Dominance,
) -> Result<(FollowUp, RawFollowUp), FollowUpError> {
    let base_period = baseline_period(start)?;
    let first_posting = reg.postings.iter().map(|p| p.date).min();
    let last_posting = reg.postings.iter().map(|p| p.date).max();
    match first_posting {
        Some(f) if f <= base_period.from() + chrono::Days::new(31) => {}
        _ => {
            return Err(FollowUpError::NoBaselineYear {
                from: base_period.from(),
                to: base_period.to(),
            });
        }
    }
    let last = last_posting.expect("checked above");
    let n = members.len() as u64;
    let change = scenario_change(potential);

    let alloc = allocate_with(reg, base_period, missing_prices)?;
    let base_rows = amounts(reg, &alloc, members);
    let (base_cells, base_sums) = realised_cells(&base_rows, n, dominance);

    let mut raw_quarters = Vec::new();
    let mut quarter_cells = Vec::new();
    let horizon_quarters = potential.horizon_years.max(1) * 4;
    for i in 0..horizon_quarters {
        let from = start + Months::new(3 * i);
        let to = from + Months::new(3) - chrono::Days::new(1);
        if to > last {
            break;
        }
        let period = Period::new(from, to).expect("a quarter");
        let alloc = allocate_with(reg, period, missing_prices)?;
        let rows = amounts(reg, &alloc, members);
        let (cells, realised) = realised_cells(&rows, n, dominance);
        let k = i / 4 + 1;
        let q = (i % 4) as usize;
        let (baseline, expected) = expectation(&base_sums, &change, n, potential.persons, k, q);
        raw_quarters.push(RawQuarter {
            year: from.year(),
            quarter: from.month0() / 3 + 1,
            scenario_year: k,
            baseline,
            expected,
            realised,
        });
        quarter_cells.push(cells);
    }
    let raw = RawFollowUp {
        members: n,
        baseline_year: base_sums,
        quarters: raw_quarters,
    };

    // Centres shown: any figure in any period.
    let used: Vec<usize> = (0..N)
        .filter(|&c| {
            raw.baseline_year[c] != 0
                || raw
                    .quarters
                    .iter()
                    .any(|q| q.realised[c] != 0 || q.expected[c] != 0)
        })
        .collect();
    let members_cell = if n < MIN_PERSONS {
        withheld(n)
    } else {
        publish(n, n)
    };
    let persons_of = |c: &Cell<Ore>| c.persons().unwrap_or(MIN_PERSONS);
    let row = |centre: Option<CostCentre>,
               base_src: &Cell<Ore>,
               real: &Cell<Ore>,
               b: i64,
               e: i64,
               r: i64| {
        let persons = persons_of(base_src).max(persons_of(real));
        let baseline = derive(&[base_src], persons, Ore(b));
        let expected = derive(&[base_src], persons, Ore(e));
        let realised = if n < MIN_PERSONS {
            withheld(n)
        } else {
            real.clone()
        };
        let variance = derive(&[&realised, &expected], persons, Ore(r - e));
        FollowUpRow {
            centre,
            baseline,
            expected,
            realised,
            variance,
        }
    };
    let quarters: Vec<FollowUpQuarter> = raw
        .quarters
        .iter()
        .zip(&quarter_cells)
        .map(|(q, cells)| {
            let mut rows: Vec<FollowUpRow> = used
                .iter()
                .map(|&c| {
                    row(
                        Some(CostCentre::ALL[c]),
                        &base_cells[c],
                        &cells[c],
                        q.baseline[c],
                        q.expected[c],
                        q.realised[c],
                    )
                })
                .collect();
            rows.push(row(
                None,
                &base_cells[N],
                &cells[N],
                q.baseline.iter().sum(),
                q.expected.iter().sum(),
                q.realised.iter().sum(),
            ));
            FollowUpQuarter {
                year: q.year,
                quarter: q.quarter,
                scenario_year: q.scenario_year,
                rows,
            }
        })
        .collect();
    // Sums over the quarters, derived from the quarters' cells.
    let mut totals = Vec::new();
    for (pos, centre) in used
        .iter()
        .map(|&c| Some(CostCentre::ALL[c]))
        .chain(std::iter::once(None))
        .enumerate()
    {
        let sum_of = |f: Field| -> Cell<Ore> {
            let sources: Vec<&dyn Disclosed> = quarters
                .iter()
                .map(|q| f.cell(&q.rows[pos]) as &dyn Disclosed)
                .collect();
            let persons = quarters
                .iter()
                .map(|q| persons_of(f.cell(&q.rows[pos])))
                .max()
                .unwrap_or(0);
            let value: i64 = raw.quarters.iter().map(|q| f.raw(q, centre)).sum();
            if n < MIN_PERSONS {
                withheld(n)
            } else {
                derive(&sources, persons, Ore(value))
            }
        };
        totals.push(FollowUpRow {
            centre,
            baseline: sum_of(Field::Baseline),
            expected: sum_of(Field::Expected),
            realised: sum_of(Field::Realised),
            variance: sum_of(Field::Variance),
        });
    }
    let mut baseline_year: Vec<(Option<CostCentre>, Cell<Ore>)> = used
        .iter()
        .map(|&c| (Some(CostCentre::ALL[c]), base_cells[c].clone()))
        .collect();
    baseline_year.push((None, base_cells[N].clone()));
    Ok((
        FollowUp {
            group_id: group_id.to_string(),
            start,
            baseline_period: base_period,
            members: members_cell,
            baseline_year,
            quarters,
            totals,
        },
        raw,
    ))
}

/// The twelve months before `start`, which must be the first day of a quarter.
pub fn baseline_period(start: NaiveDate) -> Result<Period, FollowUpError> {
    if !is_quarter_start(start) {
        return Err(FollowUpError::NotAQuarter(start));
    }
    let from = start - Months::new(12);
    Ok(Period::new(from, start - chrono::Days::new(1)).expect("a year"))
}

/// Who the variance of a department lands on: the department itself (its budget carries the
/// cost). For the unmapped centre: none.
pub fn budget_of(centre: CostCentre) -> Option<Department> {
    match centre {
        CostCentre::Department(d) => Some(d),
        CostCentre::Unmapped => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_of_a_year_add_up_and_round_half_away_from_zero() {
        // 10 øre: 2.5 → 3, 5 → 5 − 3 = 2, 7.5 → 8 − 5 = 3, 10 − 8 = 2.
        let q: Vec<i128> = (0..4).map(|q| quarter_share(10, q)).collect();
        assert_eq!(q, vec![3, 2, 3, 2]);
        assert_eq!(q.iter().sum::<i128>(), 10);
        let q: Vec<i128> = (0..4).map(|q| quarter_share(-10, q)).collect();
        assert_eq!(q, vec![-3, -2, -3, -2]);
        for y in [0i128, 1, 3, 7, 999_999, -12_345_677] {
            assert_eq!((0..4).map(|q| quarter_share(y, q)).sum::<i128>(), y);
        }
    }

    #[test]
    fn expected_is_the_baseline_plus_the_scaled_change() {
        // The cohort's baseline year: Employment 400,000 kr, Adult social 100,000.02 kr.
        let mut base = [0i64; N];
        base[0] = 40_000_000;
        base[1] = 10_000_002;
        // The scenario, for 2 persons: Employment −60,000 kr in year 1, −80,000 kr in year 2;
        // Adult social −40,000 kr both years.
        let mut y1 = [0i128; 8];
        y1[0] = -6_000_000;
        y1[1] = -4_000_000;
        let mut y2 = y1;
        y2[0] = -8_000_000;
        let change = vec![y1, y2];
        // The cohort has 5 persons: Δ = change × 5 / 2.
        // Year 1, Employment: 400,000 − 150,000 = 250,000 kr a year = 62,500 kr a quarter.
        let (b, e) = expectation(&base, &change, 5, 2, 1, 0);
        assert_eq!(b[0], 10_000_000);
        assert_eq!(e[0], 6_250_000);
        // Adult social: 100,000.02 − 100,000 = 0.02 kr a year: quarters 0.01, 0, 0.01, 0 (by
        // the rounding of the quarters: round(0.5)=1, round(1)=1, round(1.5)=2, 2).
        let adult: Vec<i64> = (0..4)
            .map(|q| expectation(&base, &change, 5, 2, 1, q).1[1])
            .collect();
        assert_eq!(adult, vec![1, 0, 1, 0]);
        // Year 2, Employment: 400,000 − 200,000 = 200,000 kr = 50,000 kr a quarter.
        assert_eq!(expectation(&base, &change, 5, 2, 2, 3).1[0], 5_000_000);
        // After the horizon: the last year's figures.
        assert_eq!(expectation(&base, &change, 5, 2, 9, 1).1[0], 5_000_000);
        // An untouched centre stays at its baseline; the unmapped centre has no change.
        assert_eq!(e[2], 0);
        assert_eq!(e[8], 0);
        // The four quarters of a year add up to baseline + Δ.
        let year1: i64 = (0..4)
            .map(|q| expectation(&base, &change, 5, 2, 1, q).1[0])
            .sum();
        assert_eq!(year1, 40_000_000 - 15_000_000);
    }

    #[test]
    fn the_start_must_begin_a_quarter() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let p = baseline_period(d(2025, 4, 1)).unwrap();
        assert_eq!((p.from(), p.to()), (d(2024, 4, 1), d(2025, 3, 31)));
        assert_eq!(
            baseline_period(d(2025, 2, 1)),
            Err(FollowUpError::NotAQuarter(d(2025, 2, 1)))
        );
    }

    #[test]
    fn small_cohorts_are_withheld() {
        let rows = vec![(0u32, 0usize, 100i64), (1, 0, 200), (2, 1, 50)];
        let (cells, sums) = realised_cells(&rows, 3, Dominance::default());
        assert_eq!(sums[0], 300);
        assert!(cells.iter().all(|c| c.is_suppressed()));
    }
}
