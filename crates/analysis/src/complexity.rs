//! Complexity: how many departments and services a citizen (or family) has at the same time
//! (docs/domain.md, "Complexity": 2 and 3 departments at once, at least 7–8 concurrent services).

use crate::disclosure::{
    Cell, Disclosed, Dominance, Parts, derive_parts, protect_interval, protect_margin_parts,
    publish, publish_parts, safe_tails, withheld,
};
use crate::metrics::UnitMetrics;
use tvaers_core::Ore;

/// Buckets of the distribution of max concurrent departments: 0, 1, 2, 3, 4 or more.
pub const BUCKETS: usize = 5;

/// The "at least" thresholds reported as rows.
pub const DEPARTMENT_THRESHOLDS: [u8; 3] = [2, 3, 4];
pub const SERVICE_THRESHOLD: u32 = 7;

/// Units in a group and their summed allocated cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Group {
    pub units: u64,
    pub cost: Ore,
    /// Σ of distinct services (for means).
    pub services: u64,
    /// Σ of distinct contact persons (for means).
    pub contacts: u64,
}

impl Group {
    fn add(&mut self, m: &UnitMetrics, i: usize) {
        self.units += 1;
        self.cost += m.cost[i];
        self.services += m.services[i] as u64;
        self.contacts += m.contacts[i] as u64;
    }
}

/// Raw complexity figures for one population (before disclosure control).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Complexity {
    /// By max concurrent departments: 0, 1, 2, 3, 4+.
    pub distribution: [Group; BUCKETS],
    /// Max concurrent departments ≥ 2, ≥ 3, ≥ 4.
    pub departments_at_least: [Group; 3],
    /// Max concurrent services ≥ 7.
    pub services_7plus: Group,
}

/// Counts every unit of `m` (zero-cost and no-spell units fall in bucket 0).
pub fn complexity(m: &UnitMetrics) -> Complexity {
    let mut c = Complexity::default();
    for i in 0..m.len() {
        let d = m.max_concurrent_departments[i];
        c.distribution[(d as usize).min(BUCKETS - 1)].add(m, i);
        for (t, g) in DEPARTMENT_THRESHOLDS
            .iter()
            .zip(c.departments_at_least.iter_mut())
        {
            if d >= *t {
                g.add(m, i);
            }
        }
        if m.max_concurrent_services[i] >= SERVICE_THRESHOLD {
            c.services_7plus.add(m, i);
        }
    }
    c
}

/// A group of citizens (or families) in the complexity tables. Its cost is a cell of its own:
/// an amount can need hiding (one unit dominates it, or it would give away another hidden cost
/// by subtraction from the total) where the count need not.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub units: u64,
    pub cost: Cell<Ore>,
    pub mean_services: Option<f64>,
    pub mean_contacts: Option<f64>,
}

impl GroupRow {
    fn of(g: &Group, cost: Cell<Ore>) -> GroupRow {
        let mean = |s: u64| (g.units > 0).then(|| s as f64 / g.units as f64);
        GroupRow {
            units: g.units,
            cost,
            mean_services: mean(g.services),
            mean_contacts: mean(g.contacts),
        }
    }
}

/// Each unit's cost, per bucket of the distribution, for protection only (never published).
fn bucket_parts(m: &UnitMetrics) -> Vec<Parts> {
    let mut columns: Vec<Vec<(u32, i64)>> = vec![Vec::new(); BUCKETS];
    for i in 0..m.len() {
        let b = (m.max_concurrent_departments[i] as usize).min(BUCKETS - 1);
        columns[b].push((i as u32, m.cost[i].0));
    }
    columns.into_iter().map(|c| Parts::new(vec![c])).collect()
}

#[derive(Debug, Clone)]
pub struct ComplexityTable {
    /// By max concurrent departments 0, 1, 2, 3, 4+.
    pub distribution: Vec<Cell<GroupRow>>,
    /// (threshold, row) for ≥ 2, ≥ 3, ≥ 4 concurrent departments.
    pub departments_at_least: Vec<(u8, Cell<GroupRow>)>,
    /// ≥ 7 concurrent services.
    pub services_7plus: Cell<GroupRow>,
}

/// Returns the table and whether its margin (population and total cost) may be published.
///
/// The buckets count units that add up to the published population, so they get
/// [`protect_interval`]: with mere [`protect_margin`] two hidden 1-unit buckets (known sum 2) or
/// a "<5" beside a "—" (≥ 5) could be worked out. A hidden bucket hides its cost with it. The
/// bucket costs add up to the published total cost, so they get [`protect_margin_parts`] on
/// top (the units behind the hidden costs, 0 or at least 5 and none dominating), after the
/// dominance rule on each ([`publish_parts`]). A "≥ k departments" row sums buckets: its cost
/// is shown only when every bucket cost it sums is, so it tells nothing new; the "≥ 7
/// services" cost must not be dominated by one unit, nor may the cost of everyone else.
///
/// [`protect_margin`]: crate::disclosure::protect_margin
pub(crate) fn complexity_table(m: &UnitMetrics, limit: Dominance) -> (ComplexityTable, bool) {
    let raw = complexity(m);
    let parts = bucket_parts(m);
    let mut distribution: Vec<Cell<GroupRow>> = raw
        .distribution
        .iter()
        .zip(&parts)
        .map(|(g, p)| {
            let cost = publish_parts(g.units, g.cost, p, limit);
            publish(g.units, GroupRow::of(g, cost))
        })
        .collect();
    let counts_ok = protect_interval(&mut distribution);
    // The cost column under the total cost: a hidden row hides its cost.
    let mut costs: Vec<Cell<Ore>> = distribution
        .iter()
        .zip(&raw.distribution)
        .map(|(row, g)| match row.value() {
            Some(r) => r.cost.clone(),
            None => withheld(g.units),
        })
        .collect();
    let costs_ok = protect_margin_parts(&mut costs, &parts, limit);
    drop(parts);
    for (row, cost) in distribution.iter_mut().zip(&costs) {
        *row = row.map(|r| GroupRow {
            cost: cost.clone(),
            ..r.clone()
        });
    }
    let tails: Vec<usize> = DEPARTMENT_THRESHOLDS.iter().map(|&t| t as usize).collect();
    let tail_ok = safe_tails(&distribution, &tails);
    debug_assert_eq!(distribution.len(), BUCKETS);
    let departments_at_least = DEPARTMENT_THRESHOLDS
        .iter()
        .zip(&raw.departments_at_least)
        .zip(&tail_ok)
        .map(|((&t, g), &fine)| {
            let cell = if fine {
                let sources: Vec<&dyn Disclosed> = costs[t as usize..]
                    .iter()
                    .map(|c| c as &dyn Disclosed)
                    .collect();
                let members = Parts::new(vec![
                    (0..m.len())
                        .filter(|&i| m.max_concurrent_departments[i] >= t)
                        .map(|i| (i as u32, m.cost[i].0))
                        .collect(),
                ]);
                let cost = derive_parts(&sources, g.units, g.cost, &members, limit);
                publish(g.units, GroupRow::of(g, cost))
            } else {
                withheld(g.units)
            };
            (t, cell)
        })
        .collect();
    let svc = |i: usize| m.max_concurrent_services[i] >= SERVICE_THRESHOLD;
    let (with, without): (Vec<usize>, Vec<usize>) = (0..m.len()).partition(|&i| svc(i));
    let column = |v: Vec<usize>| v.into_iter().map(|i| (i as u32, m.cost[i].0)).collect();
    let s7 = &raw.services_7plus;
    let s7_cost = publish_parts(
        s7.units,
        s7.cost,
        &Parts::new(vec![column(with), column(without)]),
        limit,
    );
    let services_7plus = publish(s7.units, GroupRow::of(s7, s7_cost));
    (
        ComplexityTable {
            distribution,
            departments_at_least,
            services_7plus,
        },
        counts_ok && costs_ok,
    )
}

/// "0", "1", … "4+": the label of a bucket of concurrent departments.
pub fn bucket_label(i: usize) -> String {
    if i + 1 == BUCKETS {
        format!("{i}+")
    } else {
        i.to_string()
    }
}
