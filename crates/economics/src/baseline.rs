//! Baselines: what a target group costs in a year, computed two ways from the pseudonymised
//! register, side by side, by department and by kind (transfer income / intervention).
//!
//! - **Precise**: the sum over each member's allocated cost in the year (`tvaers_analysis`'s
//!   allocation: booked postings, and activity × unit price where nothing is booked), every
//!   service, large and small.
//! - **Archetype-based**: a member's *package* is the set of services with a cost in the year.
//!   A package shared by at least [`MIN_PERSONS`] members is an **archetype** (the typical
//!   packages). Each archetype is priced at its members × its *typical* cost, the median member
//!   total (the lower median for an even count), split over department and kind in proportion
//!   to its members' actual amounts. Members whose package is shared by fewer than 5 (*rare
//!   packages*) are priced at the archetypes' average estimate per member, split like the
//!   archetypes' sum.
//! - **The difference** precise − archetype-based is explained in two parts that add up to it:
//!   *spread within archetypes* (actual minus typical cost of the archetypes' members) and
//!   *rare packages* (their actual cost minus their estimate).
//!
//! Member = the rule's members in the year (`tvaers_rules::evaluate_all`), as in the overview.
//!
//! # Disclosure control
//! Every figure is a [`Cell`]: the group size and the archetype counts are counts under one
//! total (`protect_interval`); the precise amounts by (department, kind) are published with the
//! dominance rule and protected against the group's total (`protect_margin_parts`, who is
//! behind each cell); an archetype-based amount and a difference are derived from the precise
//! cell of the same row and hidden with it; the two explaining parts are published with the
//! dominance rule over their own members. Sums by department and by kind are derived from the
//! published cells (hidden if any part is hidden), so they tell nothing the cells do not. The
//! typical cost of one archetype is not published (a median is one person's figure).

use crate::budget::split;
use serde::Serialize;
use std::collections::HashMap;
use tvaers_analysis::allocation::{Allocation, CostCentre};
use tvaers_core::{
    AccountFunction, Ore, Period, PersonIx, Pseudonymised, Register, ServiceIx, ServiceKind,
};
use tvaers_report::disclosure::{
    Cell, Dominance, MIN_PERSONS, Parts, derive, derive_parts, protect_interval,
    protect_margin_parts, publish, publish_parts, withheld,
};
use tvaers_rules::{RuleSet, evaluate_all};

/// The kinds of a baseline row: the catalogue's two, and "unknown" for a posting on a function
/// no catalogue service uses.
pub const KINDS: [Option<ServiceKind>; 3] = [
    Some(ServiceKind::TransferIncome),
    Some(ServiceKind::Intervention),
    None,
];

const CELLS: usize = CostCentre::COUNT * KINDS.len();

fn cell_index(centre: CostCentre, kind: Option<ServiceKind>) -> usize {
    let k = match kind {
        Some(ServiceKind::TransferIncome) => 0,
        Some(ServiceKind::Intervention) => 1,
        None => 2,
    };
    centre.index() * KINDS.len() + k
}

/// One (department, kind) row.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineRow {
    pub centre: CostCentre,
    pub kind: Option<ServiceKind>,
    pub precise: Cell<Ore>,
    pub archetype: Cell<Ore>,
    /// precise − archetype.
    pub difference: Cell<Ore>,
}

/// A typical package and how many members have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Archetype {
    /// Service codes, ascending.
    pub services: Vec<String>,
    pub members: Cell<u64>,
}

/// One target group's baseline for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub group_id: String,
    pub year: i32,
    pub members: Cell<u64>,
    pub precise_total: Cell<Ore>,
    /// `None` when no package is shared by 5 members (no archetype).
    pub archetype_total: Option<Cell<Ore>>,
    /// Non-empty (department, kind) rows in `CostCentre::ALL` × [`KINDS`] order.
    pub rows: Vec<BaselineRow>,
    pub archetypes: Vec<Archetype>,
    pub rare_members: Cell<u64>,
    /// Σ (actual − typical) over the archetypes' members.
    pub spread_within: Option<Cell<Ore>>,
    /// Rare packages' actual cost − their estimate.
    pub rare_difference: Option<Cell<Ore>>,
}

/// The exact figures behind a baseline, before disclosure control; for tests and for an
/// independent recomputation. Never published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawBaseline {
    pub members: u64,
    pub precise: Vec<i64>,
    pub archetype: Option<Vec<i64>>,
    pub archetype_members: Vec<u64>,
    pub rare_members: u64,
    /// The archetypes' estimate (members × typical cost), summed.
    pub covered_estimate: i64,
    /// The rare packages' estimate.
    pub rare_estimate: i64,
}

/// Each member's amounts by cell, and their package.
struct Member {
    amounts: Vec<(usize, i64)>,
    package: Vec<ServiceIx>,
    total: i64,
}

fn member(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    kind_of_function: &HashMap<AccountFunction, ServiceKind>,
    p: PersonIx,
) -> Member {
    let mut amounts = Vec::new();
    let mut package = Vec::new();
    for &s in alloc.person_spells.of(p) {
        let cost = alloc.spell_cost[s as usize];
        if cost == Ore::ZERO {
            continue;
        }
        let spell = &reg.spells[s as usize];
        let entry = reg.catalogue.get(spell.service);
        amounts.push((
            cell_index(CostCentre::Department(entry.department), Some(entry.kind)),
            cost.0,
        ));
        package.push(spell.service);
    }
    for &i in alloc.booked_postings.of(p) {
        let posting = &reg.postings[i as usize];
        if posting.amount == Ore::ZERO {
            continue;
        }
        let centre = alloc.centres.of_posting(&reg.catalogue, posting);
        let kind = match posting.service {
            Some(s) => {
                package.push(s);
                Some(reg.catalogue.get(s).kind)
            }
            None => kind_of_function.get(&posting.function).copied(),
        };
        amounts.push((cell_index(centre, kind), posting.amount.0));
    }
    package.sort_unstable();
    package.dedup();
    let total = amounts.iter().map(|(_, a)| a).sum();
    Member {
        amounts,
        package,
        total,
    }
}

/// A package (services, ascending) and its members (indices into the member list).
type PackageMembers = (Vec<ServiceIx>, Vec<usize>);

/// Computes the exact figures (no disclosure control) and each member's amounts.
fn compute(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    members: &[PersonIx],
) -> (RawBaseline, Vec<Member>, Vec<PackageMembers>, Vec<usize>) {
    let mut kind_of_function = HashMap::new();
    for e in reg.catalogue.entries() {
        kind_of_function.entry(e.function).or_insert(e.kind);
    }
    let ms: Vec<Member> = members
        .iter()
        .map(|&p| member(reg, alloc, &kind_of_function, p))
        .collect();
    let mut precise = vec![0i64; CELLS];
    for m in &ms {
        for &(c, a) in &m.amounts {
            precise[c] += a;
        }
    }
    // Packages in a fixed order (by their services), so ties and output are deterministic.
    let mut by_package: HashMap<&[ServiceIx], Vec<usize>> = HashMap::new();
    for (i, m) in ms.iter().enumerate() {
        by_package.entry(&m.package).or_default().push(i);
    }
    let mut groups: Vec<PackageMembers> = by_package
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v))
        .collect();
    groups.sort();
    let (archetypes, rare): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .partition(|(pkg, v)| !pkg.is_empty() && v.len() as u64 >= MIN_PERSONS);
    let rare: Vec<usize> = rare.into_iter().flat_map(|(_, v)| v).collect();

    let (mut covered_estimate, mut rare_estimate) = (0i64, 0i64);
    let archetype = if archetypes.is_empty() {
        None
    } else {
        let mut est = vec![0i128; CELLS];
        let mut covered_weights = vec![0i128; CELLS];
        let (mut est_sum, mut covered) = (0i128, 0i128);
        for (_, idx) in &archetypes {
            let mut totals: Vec<i64> = idx.iter().map(|&i| ms[i].total).collect();
            totals.sort_unstable();
            let typical = i128::from(totals[(totals.len() - 1) / 2]);
            let estimate = typical * idx.len() as i128;
            let mut weights = vec![0i128; CELLS];
            for &i in idx {
                for &(c, a) in &ms[i].amounts {
                    weights[c] += i128::from(a);
                }
            }
            let weights: Vec<i128> = weights.into_iter().map(|w| w.max(0)).collect();
            for (c, v) in split(estimate, &weights).into_iter().enumerate() {
                est[c] += v;
                covered_weights[c] += weights[c];
            }
            est_sum += estimate;
            covered += idx.len() as i128;
        }
        covered_estimate = est_sum as i64;
        if !rare.is_empty() {
            let r = crate::potential::div_round(est_sum * rare.len() as i128, covered);
            rare_estimate = r as i64;
            for (c, v) in split(r, &covered_weights).into_iter().enumerate() {
                est[c] += v;
            }
        }
        Some(est.into_iter().map(|v| v as i64).collect())
    };
    let raw = RawBaseline {
        members: ms.len() as u64,
        precise,
        archetype,
        archetype_members: archetypes.iter().map(|(_, v)| v.len() as u64).collect(),
        rare_members: rare.len() as u64,
        covered_estimate,
        rare_estimate,
    };
    (raw, ms, archetypes, rare)
}

/// The members of a rule of the rules file in `period` (None: no rule with that id).
pub fn members_of(
    reg: &Register<Pseudonymised>,
    rules: &RuleSet,
    group_id: &str,
    period: Period,
) -> Option<Vec<PersonIx>> {
    rules.rules().iter().find(|r| r.id == group_id)?;
    evaluate_all(reg, rules, period)
        .get(group_id)
        .map(|m| m.persons.clone())
}

/// The exact figures of [`baseline`], without disclosure control (tests and recomputation only).
pub fn raw_baseline(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    members: &[PersonIx],
) -> RawBaseline {
    compute(reg, alloc, members).0
}

fn parts_of(ms: &[Member], idx: impl Iterator<Item = usize>, cell: Option<usize>) -> Parts {
    let mut column = Vec::new();
    for i in idx {
        let a: i64 = match cell {
            Some(c) => ms[i]
                .amounts
                .iter()
                .filter(|(k, _)| *k == c)
                .map(|(_, a)| a)
                .sum(),
            None => ms[i].total,
        };
        if a != 0 {
            column.push((i as u32, a));
        }
    }
    Parts::new(vec![column])
}

/// The baseline of one target group (its members in `alloc`'s period, which should be a year)
/// under disclosure control.
pub fn baseline(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    group_id: &str,
    year: i32,
    members: &[PersonIx],
    dominance: Dominance,
) -> Baseline {
    let (raw, ms, archetypes, rare) = compute(reg, alloc, members);
    let n = ms.len();

    // Counts: the archetypes and the rare packages under the group's size.
    let members_cell = publish(raw.members, raw.members);
    let mut counts: Vec<Cell<u64>> = raw
        .archetype_members
        .iter()
        .map(|&c| publish(c, c))
        .chain(std::iter::once(publish(raw.rare_members, raw.rare_members)))
        .collect();
    if members_cell.is_suppressed() || !protect_interval(&mut counts) {
        // Not safe under the group's size: withhold every count (the size itself is the
        // overview's published figure and stays).
        counts = raw
            .archetype_members
            .iter()
            .chain(std::iter::once(&raw.rare_members))
            .map(|&c| withheld(c))
            .collect();
    }
    let rare_members = counts.pop().expect("the rare count");
    let archetype_rows = archetypes
        .iter()
        .zip(counts)
        .map(|((pkg, _), members)| Archetype {
            services: pkg
                .iter()
                .map(|s| reg.catalogue.get(*s).code.clone())
                .collect(),
            members,
        })
        .collect();

    // Precise amounts by (department, kind), protected against the published total.
    let total_parts = parts_of(&ms, 0..n, None);
    let total: i64 = raw.precise.iter().sum();
    let mut precise_total = if members_cell.is_suppressed() {
        withheld(raw.members)
    } else {
        publish_parts(total_parts.persons(), Ore(total), &total_parts, dominance)
    };
    let used: Vec<usize> = (0..CELLS)
        .filter(|&c| raw.precise[c] != 0 || raw.archetype.as_ref().is_some_and(|a| a[c] != 0))
        .collect();
    let parts: Vec<Parts> = used.iter().map(|&c| parts_of(&ms, 0..n, Some(c))).collect();
    let mut cells: Vec<Cell<Ore>> = used
        .iter()
        .zip(&parts)
        .map(|(&c, p)| {
            if precise_total.is_suppressed() {
                withheld(p.persons().max(MIN_PERSONS))
            } else {
                publish_parts(p.persons(), Ore(raw.precise[c]), p, dominance)
            }
        })
        .collect();
    if !protect_margin_parts(&mut cells, &parts, dominance) {
        precise_total = withheld(raw.members);
        cells = cells
            .iter()
            .map(|c| withheld(c.persons().unwrap_or(MIN_PERSONS)))
            .collect();
    }
    let rows = used
        .iter()
        .zip(cells)
        .map(|(&c, precise)| {
            let centre = CostCentre::ALL[c / KINDS.len()];
            let kind = KINDS[c % KINDS.len()];
            let persons = precise.persons().unwrap_or(MIN_PERSONS);
            let (archetype, difference) = match &raw.archetype {
                Some(a) => {
                    let arch = derive(&[&precise], persons, Ore(a[c]));
                    let diff = derive(&[&precise, &arch], persons, Ore(raw.precise[c] - a[c]));
                    (arch, diff)
                }
                None => (withheld(persons), withheld(persons)),
            };
            BaselineRow {
                centre,
                kind,
                precise,
                archetype,
                difference,
            }
        })
        .collect();

    let (archetype_total, spread_within, rare_difference) = match &raw.archetype {
        None => (None, None, None),
        Some(a) => {
            let est_total: i64 = a.iter().sum();
            let covered: Vec<usize> = archetypes.iter().flat_map(|(_, v)| v.clone()).collect();
            let covered_actual: i64 = covered.iter().map(|&i| ms[i].total).sum();
            let rare_actual: i64 = rare.iter().map(|&i| ms[i].total).sum();
            let covered_parts = parts_of(&ms, covered.iter().copied(), None);
            let rare_parts = parts_of(&ms, rare.iter().copied(), None);
            let within = derive_parts(
                &[&precise_total],
                covered_parts.persons(),
                Ore(covered_actual - raw.covered_estimate),
                &covered_parts,
                dominance,
            );
            let rare_diff = derive_parts(
                &[&precise_total, &rare_members],
                rare_parts.persons(),
                Ore(rare_actual - raw.rare_estimate),
                &rare_parts,
                dominance,
            );
            // The two parts add up to the published precise − archetype total, so one cannot be
            // shown while the other is hidden: it would be recovered by subtraction.
            let (within, rare_diff) = if within.is_suppressed() || rare_diff.is_suppressed() {
                (
                    withheld(covered_parts.persons().max(MIN_PERSONS)),
                    withheld(rare_parts.persons()),
                )
            } else {
                (within, rare_diff)
            };
            let arch_total = derive(&[&precise_total], raw.members, Ore(est_total));
            (Some(arch_total), Some(within), Some(rare_diff))
        }
    };

    Baseline {
        group_id: group_id.to_string(),
        year,
        members: members_cell,
        precise_total,
        archetype_total,
        rows,
        archetypes: archetype_rows,
        rare_members,
        spread_within,
        rare_difference,
    }
}
