//! The budget models of the KL report § 6.1–6.2, for a scenario's expected figures.
//!
//! - **Network model**: staff and budgets stay in the departments. Each year, a department
//!   whose cost rises (after > before) is covered by the departments whose cost falls, split in
//!   proportion to their falls; what the falls do not cover is *uncovered* (needs financing),
//!   what is left of the falls is the *harvest* (the municipality's net saving). The guard rules
//!   are checked and reported as violations; they do not change the figures.
//! - **Separate unit**: a unit takes over the group's interventions (transfer incomes stay in
//!   their departments) and the redesign's costs; its yearly budget is carved out of the
//!   departments in proportion to the citizens of the group each of them serves today.
//!
//! Splits are exact to the øre: largest remainders, ties to the earlier department in
//! `Department::ALL` order.

use crate::model::*;
use crate::potential::{Potential, TooLarge, package_after};
use serde::Serialize;
use tvaers_core::{Department, Ore, ServiceKind};

/// `total` split in proportion to `weights` (non-negative), summing exactly to `total`.
pub fn split(total: i128, weights: &[i128]) -> Vec<i128> {
    let sum: i128 = weights.iter().sum();
    if sum <= 0 || total == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest = total - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0).collect();
    // Largest remainder first; the sort is stable, so ties keep department order.
    order.sort_by_key(|&i| std::cmp::Reverse((total * weights[i] % sum).abs()));
    let step = rest.signum();
    for &i in order.iter().cycle() {
        if rest == 0 {
            break;
        }
        parts[i] += step;
        rest -= step;
    }
    parts
}

/// One budget transfer of the network model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub from: Department,
    pub to: Department,
    pub amount: Ore,
}

/// One year of the network model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkYear {
    pub year: u32,
    /// after − before by department (`Department::ALL` order).
    pub change: [Ore; 8],
    pub transfers: Vec<Transfer>,
    /// Rises that no fall covers.
    pub uncovered: Ore,
    /// Falls left after covering the rises: the net saving to harvest.
    pub harvest: Ore,
}

/// A broken guard rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Violation {
    /// The new package for one person costs more than the old one.
    PackageCostsMore { before: Ore, after: Ore },
    /// A department's cost rises by more than the approval threshold.
    NeedsApproval {
        year: u32,
        department: Department,
        before: Ore,
        after: Ore,
        /// The rise in basis points of `before` (None when before is 0).
        rise: Option<u64>,
    },
}

/// The network model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    pub harvest_mode: Harvest,
    pub years: Vec<NetworkYear>,
    pub violations: Vec<Violation>,
}

/// One year of the separate-unit model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitYear {
    pub year: u32,
    pub unit_budget: Ore,
    /// What each department hands over (`Department::ALL` order).
    pub contribution: [Ore; 8],
    /// Each department's interventions for the group before, less its contribution: the budget
    /// it keeps free (negative: it hands over more than it spent).
    pub freed: [Ore; 8],
}

/// The separate-unit model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeparateUnit {
    /// Citizens of the group each department serves today (the carving weights).
    pub citizens: [u32; 8],
    pub years: Vec<UnitYear>,
}

fn ore(v: i128) -> Result<Ore, TooLarge> {
    i64::try_from(v).map(Ore).map_err(|_| TooLarge)
}

fn before_by_department(s: &Scenario) -> [i128; 8] {
    let mut b = [0i128; 8];
    for l in &s.package {
        b[l.department.index()] += i128::from(l.yearly.0) * i128::from(s.persons);
    }
    b
}

/// The network model for a scenario and its potential.
pub fn network(s: &Scenario, p: &Potential) -> Result<Network, TooLarge> {
    let before = before_by_department(s);
    let mut years = Vec::new();
    let mut violations = Vec::new();
    if s.guards.package_at_most_old && p.after_per_person > p.before_per_person {
        violations.push(Violation::PackageCostsMore {
            before: p.before_per_person,
            after: p.after_per_person,
        });
    }
    for y in &p.years {
        let after: Vec<i128> = y
            .after_by_department
            .iter()
            .map(|o| i128::from(o.0))
            .collect();
        let change: Vec<i128> = after
            .iter()
            .zip(before.iter())
            .map(|(a, b)| a - b)
            .collect();
        let rises: Vec<i128> = change.iter().map(|c| (*c).max(0)).collect();
        let falls: Vec<i128> = change.iter().map(|c| (-*c).max(0)).collect();
        let rise: i128 = rises.iter().sum();
        let fall: i128 = falls.iter().sum();
        let cover = rise.min(fall);
        let mut transfers = Vec::new();
        for (to, covered) in split(cover, &rises).into_iter().enumerate() {
            for (from, amount) in split(covered, &falls).into_iter().enumerate() {
                if amount != 0 {
                    transfers.push(Transfer {
                        from: Department::ALL[from],
                        to: Department::ALL[to],
                        amount: ore(amount)?,
                    });
                }
            }
        }
        if let Some(limit) = s.guards.approval_above {
            for (i, d) in Department::ALL.into_iter().enumerate() {
                let exceeds = change[i] > 0
                    && (before[i] == 0 || change[i] * 10_000 > i128::from(limit) * before[i]);
                if exceeds {
                    violations.push(Violation::NeedsApproval {
                        year: y.year,
                        department: d,
                        before: ore(before[i])?,
                        after: ore(after[i])?,
                        rise: (before[i] > 0).then(|| (change[i] * 10_000 / before[i]) as u64),
                    });
                }
            }
        }
        let mut change_ore = [Ore::ZERO; 8];
        for (slot, c) in change_ore.iter_mut().zip(change.iter()) {
            *slot = ore(*c)?;
        }
        years.push(NetworkYear {
            year: y.year,
            change: change_ore,
            transfers,
            uncovered: ore(rise - cover)?,
            harvest: ore(fall - cover)?,
        });
    }
    Ok(Network {
        harvest_mode: s.harvest,
        years,
        violations,
    })
}

/// The separate-unit model for a scenario and its potential.
pub fn separate_unit(s: &Scenario, p: &Potential) -> Result<SeparateUnit, TooLarge> {
    let persons = i128::from(s.persons);
    let mut before = [0i128; 8];
    for l in s
        .package
        .iter()
        .filter(|l| l.kind == ServiceKind::Intervention)
    {
        before[l.department.index()] += i128::from(l.yearly.0) * persons;
    }
    // Every person of a scenario has the whole package, so a department serves either all of
    // the group's citizens or none.
    let mut citizens = [0u32; 8];
    for (c, b) in citizens.iter_mut().zip(before.iter()) {
        *c = if *b > 0 { s.persons } else { 0 };
    }
    let interventions_after: i128 = package_after(s)
        .iter()
        .filter(|(l, _)| l.kind == ServiceKind::Intervention)
        .map(|(l, _)| i128::from(l.yearly.0) * persons)
        .sum();
    let weights: Vec<i128> = citizens.iter().map(|c| i128::from(*c)).collect();
    let mut years = Vec::new();
    for y in &p.years {
        let budget = interventions_after + i128::from(y.redesign_costs.0);
        let parts = split(budget, &weights);
        let mut contribution = [Ore::ZERO; 8];
        let mut freed = [Ore::ZERO; 8];
        for i in 0..8 {
            contribution[i] = ore(parts[i])?;
            freed[i] = ore(before[i] - parts[i])?;
        }
        years.push(UnitYear {
            year: y.year,
            unit_budget: ore(budget)?,
            contribution,
            freed,
        });
    }
    Ok(SeparateUnit { citizens, years })
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn split_is_exact_and_proportional() {
        assert_eq!(split(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split(10, &[0, 3, 1]), vec![0, 8, 2]);
        assert_eq!(split(7, &[0, 0]), vec![0, 0]);
        let parts = split(1_000_003, &[5, 7, 11, 0, 13]);
        assert_eq!(parts.iter().sum::<i128>(), 1_000_003);
        assert_eq!(parts[3], 0);
    }
}
