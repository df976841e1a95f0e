//! The overview's table of cost by department (cost centre), under disclosure control. Its own
//! module because two publications use it: the overview, and the target groups, whose
//! department tables are checked against it.

use crate::allocation::{Allocation, CostCentre};
use crate::disclosure::{Cell, Dominance, Parts, min_nonzero, protect_margin_parts, publish_parts};
use tvaers_core::{Ore, Pseudonymised, Register};

/// One row of coverage by department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentreRow {
    /// Persons with a booked posting of the centre or a spell of its services in the period.
    pub persons: u64,
    pub total: Ore,
    pub booked: Ore,
    pub activity: Ore,
    pub unallocated: Ore,
}

/// Who is behind each department row, for disclosure control only (never published): per
/// [`CostCentre::ALL`], the persons' booked cost (postings attributed to the centre) and
/// activity cost (priced spells of its services) — the two columns of the row that add up to
/// published totals.
fn centre_parts(reg: &Register<Pseudonymised>, alloc: &Allocation) -> Vec<Parts> {
    let mut booked: Vec<Vec<(u32, i64)>> = vec![Vec::new(); CostCentre::COUNT];
    let mut activity: Vec<Vec<(u32, i64)>> = vec![Vec::new(); CostCentre::COUNT];
    for p in 0..alloc.persons() {
        let who = tvaers_core::PersonIx(p as u32);
        for &ix in alloc.booked_postings.of(who) {
            let posting = &reg.postings[ix as usize];
            let c = alloc.centres.of_posting(&reg.catalogue, posting).index();
            booked[c].push((p as u32, posting.amount.0));
        }
        for &si in alloc.person_spells.of(who) {
            let cost = alloc.spell_cost[si as usize];
            if cost != Ore::ZERO {
                let service = reg.catalogue.get(reg.spells[si as usize].service);
                let c = CostCentre::Department(service.department).index();
                activity[c].push((p as u32, cost.0));
            }
        }
    }
    booked
        .into_iter()
        .zip(activity)
        .map(|(b, a)| Parts::new(vec![b, a]))
        .collect()
}

/// The overview's department table under disclosure control, and whether its total may be
/// published. (Also used by the target groups, whose department tables are checked against
/// this one.)
pub(crate) fn centre_cells(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    limit: Dominance,
) -> (Vec<Cell<CentreRow>>, bool) {
    let parts = centre_parts(reg, alloc);
    let mut centres: Vec<Cell<CentreRow>> = CostCentre::ALL
        .iter()
        .map(|c| {
            let raw = &alloc.by_centre[c.index()];
            let row = CentreRow {
                persons: raw.persons,
                total: raw.total,
                booked: raw.booked,
                activity: raw.activity,
                unallocated: raw.unallocated(),
            };
            publish_parts(
                min_nonzero(&[raw.persons, raw.booked_persons, raw.activity_persons]),
                row,
                &parts[c.index()],
                limit,
            )
        })
        .collect();
    // A citizen may be in several departments, so the person counts have no published total;
    // only the costs add up (to the cost total), and a hidden cost is not bounded by a marker.
    // The hidden rows' persons are counted as a union: one person may be behind several.
    let centres_margin_ok = protect_margin_parts(&mut centres, &parts, limit);
    drop(parts);
    (centres, centres_margin_ok)
}
