//! Complexity: how many departments and services a citizen (or family) has at the same time
//! (docs/domain.md, "Complexity": 2 and 3 departments at once, at least 7–8 concurrent services).

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
