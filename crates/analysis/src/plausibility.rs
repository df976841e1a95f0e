//! The plausibility page: does the imported data have the shape of a municipality's spending?
//! Totals per department and per account function against ranges, the share of the spending
//! booked to persons, the citizens without any service and the postings without a person — so
//! that amounts 100 times off (øre read as kroner) or a missing file show at once.
//!
//! The ranges ([`RANGES`]) are **estimates** derived from the project's reference figures
//! (docs/calibration.md §5, the generated municipality, and docs/domain.md), written wide
//! enough for real municipalities of any size; docs/reference.md, "Plausibility ranges", is the
//! same table (a test reads it). Amounts are normalised to kroner per citizen and year (the
//! period's days / 365), so the ranges do not depend on the municipality's size.
//!
//! No person-level data: every figure is a total over many persons and passes the disclosure
//! control like the rest of the report (a function's total is hidden when 1–4 persons have a
//! booked posting on it or one of them dominates it, with the other functions protecting it
//! under the published total spending).

use crate::allocation::{Allocation, CostCentre};
use crate::centres::CentreRow;
use crate::disclosure::{
    Cell, Dominance, Parts, derive, min_nonzero, protect_margin_parts, publish_parts,
};
use crate::json::JsonOut;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tvaers_core::{AccountFunction, Department, Ore, PersonIx, Pseudonymised, Register};

/// What a range measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Kroner per citizen and year.
    KronerPerCitizen,
    /// Per cent.
    Percent,
}

/// An accepted range: `low ≤ value ≤ high` is ok.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// The check's key (also in docs/reference.md and `summary.json`).
    pub key: &'static str,
    pub measure: Measure,
    pub low: f64,
    pub high: f64,
}

const fn kr(key: &'static str, low: f64, high: f64) -> Range {
    Range {
        key,
        measure: Measure::KronerPerCitizen,
        low,
        high,
    }
}

const fn pct(key: &'static str, low: f64, high: f64) -> Range {
    Range {
        key,
        measure: Measure::Percent,
        low,
        high,
    }
}

/// The accepted ranges (estimates; docs/reference.md, "Plausibility ranges").
pub const RANGES: [Range; 13] = [
    kr("total_per_citizen", 5_000.0, 150_000.0),
    pct("booked_share", 10.0, 70.0),
    pct("allocated_share", 40.0, 120.0),
    pct("citizens_without_service", 30.0, 95.0),
    kr("department.beskaeftigelse", 1_000.0, 60_000.0),
    kr("department.social_voksne", 100.0, 30_000.0),
    kr("department.boern_familie", 100.0, 30_000.0),
    kr("department.sundhed", 50.0, 20_000.0),
    kr("department.aeldre", 500.0, 60_000.0),
    kr("department.psykiatri", 0.0, 20_000.0),
    kr("department.handicap", 0.0, 30_000.0),
    kr("department.integration", 0.0, 20_000.0),
    kr("function", 0.0, 30_000.0),
];

/// The range of `key`.
pub fn range(key: &str) -> Range {
    *RANGES
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no plausibility range {key}"))
}

/// Where a value lies against its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Low,
    High,
}

/// A plain-language hint for a value outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// At least 10 times the upper bound (the ranges are wide, so ≈ 60–100 times the
    /// reference): amounts in øre read as kroner?
    Hundredfold,
    /// At most a tenth of the lower bound: kroner read as øre?
    Hundredth,
    /// No amount at all in the period: a missing file, or a period outside the data?
    Nothing,
    /// Few postings carry a person: is the person column mapped?
    BookedLow,
    /// Nearly everything is booked to persons: are the supplier postings missing?
    BookedHigh,
    /// Little can be placed on citizens: spells or prices missing?
    AllocatedLow,
    /// More is placed than spent: prices too high, or postings too small?
    AllocatedHigh,
    /// Most citizens have no service: spells missing, or the period outside them?
    WithoutHigh,
    /// Nearly every citizen has a service: does the persons file hold only recipients?
    WithoutLow,
    /// Above the reference shape: check the department or function mapping.
    Above,
    /// Below the reference shape: postings of this department missing or mapped elsewhere?
    Below,
}

/// The value a check measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    /// Kroner per citizen and year, in øre.
    PerCitizen(Ore),
    /// A fraction 0–1 (shown as per cent).
    Share(f64),
}

impl Measured {
    /// The value in the range's unit (kroner, or per cent).
    fn in_range_unit(self) -> f64 {
        match self {
            Measured::PerCitizen(o) => o.0 as f64 / 100.0,
            Measured::Share(f) => f * 100.0,
        }
    }
}

/// One checked figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub value: Measured,
    pub status: Status,
    pub hint: Option<Hint>,
}

/// One check: the range and the verdict (hidden when the figure is).
#[derive(Debug, Clone)]
pub struct Check {
    pub range: Range,
    /// The department of a department check.
    pub department: Option<Department>,
    pub verdict: Cell<Verdict>,
}

/// Postings of one account function in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionFigures {
    pub total: Ore,
    /// Postings without a person: their number and sum.
    pub without_person: u64,
    pub without_person_amount: Ore,
    /// `total` per citizen and year.
    pub per_citizen: Ore,
    pub status: Status,
}

#[derive(Debug, Clone)]
pub struct FunctionRow {
    pub function: AccountFunction,
    pub figures: Cell<FunctionFigures>,
}

/// The published plausibility page.
#[derive(Debug, Clone)]
pub struct Plausibility {
    /// Overall checks, then one per department, in [`RANGES`] order.
    pub checks: Vec<Check>,
    /// One row per account function with a posting in the period, ascending.
    pub functions: Vec<FunctionRow>,
}

impl Plausibility {
    /// The checks and function rows outside their range (published ones only).
    pub fn outside(&self) -> impl Iterator<Item = (&'static str, Verdict)> + '_ {
        self.checks
            .iter()
            .filter_map(|c| c.verdict.value().map(|v| (c.range.key, *v)))
            .filter(|(_, v)| v.status != Status::Ok)
    }
}

/// The status of `value` against `range`, and the hint for it.
pub fn judge(range: &Range, value: Measured) -> (Status, Option<Hint>) {
    let x = value.in_range_unit();
    let status = if x < range.low {
        Status::Low
    } else if x > range.high {
        Status::High
    } else {
        Status::Ok
    };
    let amounts = range.measure == Measure::KronerPerCitizen;
    let hint = match status {
        Status::Ok => None,
        _ if amounts && range.high > 0.0 && x >= 10.0 * range.high => Some(Hint::Hundredfold),
        _ if amounts && x == 0.0 => Some(Hint::Nothing),
        _ if amounts && x > 0.0 && x * 10.0 <= range.low => Some(Hint::Hundredth),
        Status::High => Some(match range.key {
            "booked_share" => Hint::BookedHigh,
            "allocated_share" => Hint::AllocatedHigh,
            "citizens_without_service" => Hint::WithoutHigh,
            _ => Hint::Above,
        }),
        Status::Low => Some(match range.key {
            "booked_share" => Hint::BookedLow,
            "allocated_share" => Hint::AllocatedLow,
            "citizens_without_service" => Hint::WithoutLow,
            _ => Hint::Below,
        }),
    };
    (status, hint)
}

/// `amount` per citizen and year over a period of `days` (øre, rounded down; 0 without citizens).
fn per_citizen(amount: Ore, citizens: u64, days: i64) -> Ore {
    if citizens == 0 || days <= 0 {
        return Ore::ZERO;
    }
    let v = amount.0 as i128 * 365 / (citizens as i128 * days as i128);
    Ore(v as i64)
}

fn verdict(range: Range, value: Measured) -> Verdict {
    let (status, hint) = judge(&range, value);
    Verdict {
        value,
        status,
        hint,
    }
}

/// The plausibility page of an allocation. `citizens`, `coverage_persons` and `centres` are the
/// overview's published cells the checks are computed from (a check is hidden when its
/// source is).
pub(crate) fn plausibility(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    citizens: &Cell<u64>,
    coverage_published: &dyn crate::disclosure::Disclosed,
    centres: &[Cell<CentreRow>],
    limit: Dominance,
) -> Plausibility {
    let n = reg.persons.len() as u64;
    let days = alloc.period.days();
    let mut checks = Vec::new();
    let total = alloc.cost_total;
    let share = |part: Ore| {
        if total.0 == 0 {
            0.0
        } else {
            part.0 as f64 / total.0 as f64
        }
    };
    let coverage_persons = min_nonzero(&[alloc.booked_persons, alloc.activity_persons]);
    let overall = |key: &'static str, value: Measured| Check {
        range: range(key),
        department: None,
        verdict: derive(
            &[citizens, coverage_published],
            coverage_persons,
            verdict(range(key), value),
        ),
    };
    checks.push(overall(
        "total_per_citizen",
        Measured::PerCitizen(per_citizen(total, n, days)),
    ));
    checks.push(overall(
        "booked_share",
        Measured::Share(share(alloc.booked_total)),
    ));
    checks.push(overall(
        "allocated_share",
        Measured::Share(share(alloc.cost_allocated())),
    ));
    // Citizens without any service: no spell intersecting the period and no booked posting.
    let without = (0..alloc.persons())
        .filter(|&p| {
            let who = PersonIx(p as u32);
            alloc.booked_postings.of(who).is_empty()
                && alloc.person_spells.of(who).iter().all(|&si| {
                    let s = &reg.spells[si as usize];
                    alloc.period.intersect(s.start, s.end).is_none()
                })
        })
        .count() as u64;
    let without_share = if n == 0 {
        0.0
    } else {
        without as f64 / n as f64
    };
    let r = range("citizens_without_service");
    // A two-cell table under the published number of citizens: both sides 0 or at least 5.
    let small = |x: u64| x > 0 && x < crate::disclosure::MIN_PERSONS;
    let persons = if small(without) || small(n - without) {
        1
    } else {
        n
    };
    checks.push(Check {
        range: r,
        department: None,
        verdict: derive(
            &[citizens],
            persons,
            verdict(r, Measured::Share(without_share)),
        ),
    });
    for (c, cell) in CostCentre::ALL.iter().zip(centres) {
        let CostCentre::Department(d) = c else {
            continue;
        };
        let r = range(&format!("department.{}", d.code()));
        checks.push(Check {
            range: r,
            department: Some(*d),
            verdict: cell
                .map(|row| verdict(r, Measured::PerCitizen(per_citizen(row.total, n, days)))),
        });
    }

    // Per function: totals, postings without a person; who is behind the booked part.
    #[derive(Default)]
    struct Acc {
        total: Ore,
        without: u64,
        without_amount: Ore,
        booked: Vec<(u32, i64)>,
    }
    let mut by_function: BTreeMap<AccountFunction, Acc> = BTreeMap::new();
    for posting in &reg.postings {
        if !alloc.period.contains(posting.date) {
            continue;
        }
        let a = by_function.entry(posting.function).or_default();
        a.total += posting.amount;
        match posting.person {
            Some(p) => a.booked.push((p.0, posting.amount.0)),
            None => {
                a.without += 1;
                a.without_amount += posting.amount;
            }
        }
    }
    let fr = range("function");
    let mut parts = Vec::with_capacity(by_function.len());
    let mut cells: Vec<Cell<FunctionFigures>> = Vec::with_capacity(by_function.len());
    let mut functions = Vec::with_capacity(by_function.len());
    for (f, a) in by_function {
        let p = Parts::new(vec![a.booked]);
        let pc = per_citizen(a.total, n, days);
        let (status, _) = judge(&fr, Measured::PerCitizen(pc));
        cells.push(publish_parts(
            p.persons(),
            FunctionFigures {
                total: a.total,
                without_person: a.without,
                without_person_amount: a.without_amount,
                per_citizen: pc,
                status,
            },
            &p,
            limit,
        ));
        parts.push(p);
        functions.push(f);
    }
    // The functions add up to the published total spending.
    if !protect_margin_parts(&mut cells, &parts, limit) {
        cells = parts
            .iter()
            .map(|p| crate::disclosure::withheld(p.persons().max(crate::disclosure::MIN_PERSONS)))
            .collect();
    }
    let functions = functions
        .into_iter()
        .zip(cells)
        .map(|(function, figures)| FunctionRow { function, figures })
        .collect();
    Plausibility { checks, functions }
}

/// The code of a status in `summary.json`.
pub fn status_code(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Low => "below",
        Status::High => "above",
    }
}

/// The code of a hint in `summary.json`.
pub fn hint_code(h: Hint) -> &'static str {
    match h {
        Hint::Hundredfold => "amounts_100x_too_large",
        Hint::Hundredth => "amounts_100x_too_small",
        Hint::Nothing => "nothing_in_period",
        Hint::BookedLow => "few_postings_with_person",
        Hint::BookedHigh => "nearly_all_postings_with_person",
        Hint::AllocatedLow => "little_allocated",
        Hint::AllocatedHigh => "more_allocated_than_spent",
        Hint::WithoutHigh => "most_citizens_without_service",
        Hint::WithoutLow => "nearly_all_citizens_with_service",
        Hint::Above => "above_reference",
        Hint::Below => "below_reference",
    }
}

/// `X.XX.XX`.
pub fn function_code(f: AccountFunction) -> String {
    format!(
        "{}.{:02}.{:02}",
        f.main_account, f.main_function, f.function
    )
}

impl JsonOut {
    /// `plausibility {checks: [{check, department, low, high, value, status, hint, suppressed}],
    /// functions: [{function, total_ore, per_citizen_ore, without_person_postings,
    /// without_person_ore, status, suppressed}]}`; `value` is kroner per citizen and year or
    /// per cent, as the range.
    pub(crate) fn plausibility(&mut self, p: &Plausibility) -> Value {
        let checks: Vec<Value> = p
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.row(
                    &format!("/plausibility/checks/{i}"),
                    &c.verdict,
                    &[
                        ("check", json!(c.range.key)),
                        ("low", json!(c.range.low)),
                        ("high", json!(c.range.high)),
                    ],
                    &["value", "status", "hint"],
                    |v| {
                        vec![
                            json!(v.value.in_range_unit()),
                            json!(status_code(v.status)),
                            json!(v.hint.map(hint_code)),
                        ]
                    },
                )
            })
            .collect();
        let functions: Vec<Value> = p
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| {
                self.row(
                    &format!("/plausibility/functions/{i}"),
                    &f.figures,
                    &[("function", json!(function_code(f.function)))],
                    &[
                        "total_ore",
                        "per_citizen_ore",
                        "without_person_postings",
                        "without_person_ore",
                        "status",
                    ],
                    |x| {
                        vec![
                            json!(x.total.0),
                            json!(x.per_citizen.0),
                            json!(x.without_person),
                            json!(x.without_person_amount.0),
                            json!(status_code(x.status)),
                        ]
                    },
                )
            })
            .collect();
        json!({ "checks": checks, "functions": functions })
    }
}
