//! The potential of a scenario: cost before and after by department, year by year over the
//! horizon, net present value, payback year and a sensitivity table.
//!
//! # Rules of the calculation (an independent recomputation must follow exactly these)
//! - Prices are fixed at the scenario's level: no indexing over the horizon.
//! - **Before**, every year: the package × persons, by department.
//! - **After**, year t: the package after the changes × persons, plus running costs, plus the
//!   one-off costs in year 1, minus the transfer income saved by the effect (in the effect's
//!   department). A resized service costs `round(yearly × factor / 10000)` for one person.
//! - **Effect**: steps are taken from year `first_year`; a step taken in year t saves from year
//!   t + 1. Saving in year t = `round(persons × saving_per_step × step_share × n / 10000)` with
//!   n = max(0, t − first_year) years of steps, at most the group's transfer income before in
//!   the effect's department (no more than is paid can be saved).
//! - **Net** effect of year t = before − after (positive = saving).
//! - **Discounting** at the end of each year: the factor D₀ = 10¹⁸, Dₜ = round(Dₜ₋₁ × 10000 /
//!   (10000 + rate)); present value PVₜ = round(netₜ × Dₜ / 10¹⁸); NPV = Σ PVₜ.
//! - **Payback year**: the first year whose cumulative (undiscounted) net effect is ≥ 0.
//! - Every `round` is to the nearest øre (or unit of D), halves away from zero.
//! - **Sensitivity**: the effect share and the redesign's own costs — one-off and running costs
//!   and the services a `replace` adds — are scaled by 50 %, 100 % and 150 %
//!   (`round(amount × f / 100)` per person or per cost line), the rest unchanged.

use crate::model::*;
use serde::Serialize;
use tvaers_core::{Department, Ore, ServiceKind};

/// A calculation whose sums leave the range of øre in `i64`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the scenario's amounts are too large to add up in øre")]
pub struct TooLarge;

/// Integer division rounded to the nearest, halves away from zero.
pub fn div_round(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}

const DISCOUNT_ONE: i128 = 1_000_000_000_000_000_000;

/// Amounts by department in `Department::ALL` order, exact.
pub type ByDepartment = [i128; 8];

/// One year of the horizon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearRow {
    /// 1-based.
    pub year: u32,
    pub before: Ore,
    pub after: Ore,
    /// After, by department (`Department::ALL` order).
    pub after_by_department: [Ore; 8],
    /// Transfer income saved by the effect this year (already subtracted in `after`).
    pub effect_saving: Ore,
    /// Redesign costs this year (one-off and running; already included in `after`).
    pub redesign_costs: Ore,
    /// before − after.
    pub net: Ore,
    pub cumulative_net: Ore,
    pub present_value: Ore,
    pub cumulative_present_value: Ore,
}

/// Before and after for one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentRow {
    pub department: Department,
    /// One person's package before.
    pub before_per_person: Ore,
    /// One person's package after the changes (no redesign costs, no effect).
    pub after_per_person: Ore,
    pub before_total: Ore,
    /// Year 1 without one-off costs: the new package and running costs.
    pub after_short_total: Ore,
    /// The last year of the horizon: with running costs and the effect.
    pub after_long_total: Ore,
}

/// One cell of the sensitivity table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sensitivity {
    /// The effect share in % of the scenario's.
    pub effect_percent: u32,
    /// The redesign's costs in % of the scenario's.
    pub cost_percent: u32,
    pub npv: Ore,
    pub payback_year: Option<u32>,
}

/// A package line before and after, for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRow {
    pub line: ServiceLine,
    pub before: Ore,
    pub after: Ore,
}

/// Everything the scenario implies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Potential {
    pub persons: u32,
    pub horizon_years: u32,
    /// The package service by service (removed services after = 0; added ones before = 0).
    pub package: Vec<PackageRow>,
    /// Every department with a cost before or after, in `Department::ALL` order.
    pub departments: Vec<DepartmentRow>,
    pub before_per_person: Ore,
    pub after_per_person: Ore,
    pub before_total: Ore,
    pub after_short_total: Ore,
    pub after_long_total: Ore,
    pub years: Vec<YearRow>,
    pub npv: Ore,
    pub payback_year: Option<u32>,
    pub sensitivity: Vec<Sensitivity>,
}

/// The package after the changes, for one person, with whether each line was added by a
/// `replace` (the redesign's own cost, scaled in the sensitivity table).
pub fn package_after(s: &Scenario) -> Vec<(ServiceLine, bool)> {
    let mut lines: Vec<(ServiceLine, bool)> =
        s.package.iter().map(|l| (l.clone(), false)).collect();
    for c in &s.changes {
        match c {
            Change::Remove { codes } => lines.retain(|(l, _)| !codes.contains(&l.code)),
            Change::Replace { codes, with } => {
                lines.retain(|(l, _)| !codes.contains(&l.code));
                lines.push((with.clone(), true));
            }
            Change::Resize { codes, factor } => {
                for (l, _) in lines.iter_mut().filter(|(l, _)| codes.contains(&l.code)) {
                    l.yearly =
                        Ore(div_round(i128::from(l.yearly.0) * i128::from(*factor), 10_000) as i64);
                }
            }
        }
    }
    lines
}

struct Flows {
    before: ByDepartment,
    /// Year t (index t − 1), by department.
    after: Vec<ByDepartment>,
    effect: Vec<i128>,
    redesign: Vec<i128>,
}

fn flows(s: &Scenario, effect_percent: u32, cost_percent: u32) -> Flows {
    let persons = i128::from(s.persons);
    let scale = |amount: i128| div_round(amount * i128::from(cost_percent), 100);
    let mut before = [0i128; 8];
    for l in &s.package {
        before[l.department.index()] += i128::from(l.yearly.0) * persons;
    }
    let mut package = [0i128; 8];
    for (l, added) in package_after(s) {
        let per_person = i128::from(l.yearly.0);
        let per_person = if added { scale(per_person) } else { per_person };
        package[l.department.index()] += per_person * persons;
    }
    let transfer_before: ByDepartment = {
        let mut t = [0i128; 8];
        for l in s
            .package
            .iter()
            .filter(|l| l.kind == ServiceKind::TransferIncome)
        {
            t[l.department.index()] += i128::from(l.yearly.0) * persons;
        }
        t
    };
    let mut after = Vec::with_capacity(s.horizon_years as usize);
    let mut effect = Vec::with_capacity(s.horizon_years as usize);
    let mut redesign = Vec::with_capacity(s.horizon_years as usize);
    for year in 1..=s.horizon_years {
        let mut a = package;
        let mut costs = 0i128;
        for c in &s.costs {
            if !c.one_off || year == 1 {
                let v = scale(i128::from(c.amount.0));
                a[c.department.index()] += v;
                costs += v;
            }
        }
        let saving = match &s.effect {
            Some(e) if year > e.first_year => {
                let n = i128::from(year - e.first_year);
                let v = div_round(
                    persons
                        * i128::from(e.saving_per_step.0)
                        * i128::from(e.step_share)
                        * i128::from(effect_percent)
                        * n,
                    10_000 * 100,
                );
                v.min(transfer_before[e.department.index()])
            }
            _ => 0,
        };
        if let Some(e) = &s.effect {
            a[e.department.index()] -= saving;
        }
        after.push(a);
        effect.push(saving);
        redesign.push(costs);
    }
    Flows {
        before,
        after,
        effect,
        redesign,
    }
}

fn ore(v: i128) -> Result<Ore, TooLarge> {
    i64::try_from(v).map(Ore).map_err(|_| TooLarge)
}

/// Yearly net, cumulative and discounted figures, the NPV and the payback year of some flows.
/// Per year: net, cumulative net, present value, cumulative present value.
type Discounted = Vec<(i128, i128, i128, i128)>;

fn discounted(s: &Scenario, f: &Flows) -> (Discounted, i128, Option<u32>) {
    let before: i128 = f.before.iter().sum();
    let mut factor = DISCOUNT_ONE;
    let mut cumulative = 0i128;
    let mut cumulative_pv = 0i128;
    let mut payback = None;
    let mut rows = Vec::with_capacity(f.after.len());
    for (i, a) in f.after.iter().enumerate() {
        let net = before - a.iter().sum::<i128>();
        factor = div_round(factor * 10_000, 10_000 + i128::from(s.discount_rate));
        let pv = div_round(net * factor, DISCOUNT_ONE);
        cumulative += net;
        cumulative_pv += pv;
        if payback.is_none() && cumulative >= 0 {
            payback = Some(i as u32 + 1);
        }
        rows.push((net, cumulative, pv, cumulative_pv));
    }
    (rows, cumulative_pv, payback)
}

/// The sensitivity factors, in % of the scenario's own values.
pub const SENSITIVITY_STEPS: [u32; 3] = [50, 100, 150];

/// Computes the potential of a scenario.
pub fn potential(s: &Scenario) -> Result<Potential, TooLarge> {
    let f = flows(s, 100, 100);
    let (rows, npv, payback_year) = discounted(s, &f);
    let persons = i128::from(s.persons);
    let after_lines = package_after(s);

    let mut package: Vec<PackageRow> = s
        .package
        .iter()
        .map(|l| PackageRow {
            line: l.clone(),
            before: l.yearly,
            after: after_lines
                .iter()
                .find(|(a, _)| a.code == l.code)
                .map_or(Ore::ZERO, |(a, _)| a.yearly),
        })
        .collect();
    for (l, added) in &after_lines {
        if *added {
            package.push(PackageRow {
                line: l.clone(),
                before: Ore::ZERO,
                after: l.yearly,
            });
        }
    }

    let mut after_per_person = [0i128; 8];
    for (l, _) in &after_lines {
        after_per_person[l.department.index()] += i128::from(l.yearly.0);
    }
    let one_off: ByDepartment = {
        let mut o = [0i128; 8];
        for c in s.costs.iter().filter(|c| c.one_off) {
            o[c.department.index()] += i128::from(c.amount.0);
        }
        o
    };
    let first = &f.after[0];
    let last = &f.after[f.after.len() - 1];
    let mut departments = Vec::new();
    for d in Department::ALL {
        let i = d.index();
        let short = first[i] - one_off[i];
        if f.before[i] == 0 && short == 0 && last[i] == 0 && first[i] == 0 {
            continue;
        }
        departments.push(DepartmentRow {
            department: d,
            before_per_person: ore(f.before[i] / persons)?,
            after_per_person: ore(after_per_person[i])?,
            before_total: ore(f.before[i])?,
            after_short_total: ore(short)?,
            after_long_total: ore(last[i])?,
        });
    }

    let mut years = Vec::with_capacity(rows.len());
    for (i, (net, cumulative, pv, cumulative_pv)) in rows.into_iter().enumerate() {
        let mut by_dept = [Ore::ZERO; 8];
        for (slot, v) in by_dept.iter_mut().zip(f.after[i].iter()) {
            *slot = ore(*v)?;
        }
        years.push(YearRow {
            year: i as u32 + 1,
            before: ore(f.before.iter().sum())?,
            after: ore(f.after[i].iter().sum())?,
            after_by_department: by_dept,
            effect_saving: ore(f.effect[i])?,
            redesign_costs: ore(f.redesign[i])?,
            net: ore(net)?,
            cumulative_net: ore(cumulative)?,
            present_value: ore(pv)?,
            cumulative_present_value: ore(cumulative_pv)?,
        });
    }

    let mut sensitivity = Vec::new();
    for effect_percent in SENSITIVITY_STEPS {
        for cost_percent in SENSITIVITY_STEPS {
            let (_, npv, payback_year) = discounted(s, &flows(s, effect_percent, cost_percent));
            sensitivity.push(Sensitivity {
                effect_percent,
                cost_percent,
                npv: ore(npv)?,
                payback_year,
            });
        }
    }

    let before_total: i128 = f.before.iter().sum();
    let after_short_total: i128 = first.iter().sum::<i128>() - one_off.iter().sum::<i128>();
    Ok(Potential {
        persons: s.persons,
        horizon_years: s.horizon_years,
        package,
        departments,
        before_per_person: ore(s.package.iter().map(|l| i128::from(l.yearly.0)).sum())?,
        after_per_person: ore(after_per_person.iter().sum())?,
        before_total: ore(before_total)?,
        after_short_total: ore(after_short_total)?,
        after_long_total: ore(last.iter().sum())?,
        years,
        npv: ore(npv)?,
        payback_year,
        sensitivity,
    })
}

#[cfg(test)]
mod tests {
    use super::div_round;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 10), 1);
        assert_eq!(div_round(4, 10), 0);
        assert_eq!(div_round(-5, 10), -1);
        assert_eq!(div_round(-4, 10), 0);
        assert_eq!(div_round(15, 10), 2);
        assert_eq!(div_round(-25, 10), -3);
    }
}
