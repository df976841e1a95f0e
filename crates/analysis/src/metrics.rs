//! Stage 2: per-citizen and per-family metrics — cost, cost by department, and how many
//! services, departments and contact persons are involved, in total and at the same time.

use crate::allocation::{Allocation, CostCentre, chunk_bounds};
use chrono::Datelike;
use rayon::prelude::*;
use tvaers_core::{Families, FamilyIx, Ore, Period, PersonIx, Pseudonymised, Register};

/// One row per unit (citizen or family), as parallel dense vectors.
#[derive(Debug, Clone, Default)]
pub struct UnitMetrics {
    /// Allocated cost (booked + activity).
    pub cost: Vec<Ore>,
    /// Distinct services among the spells intersecting the period.
    pub services: Vec<u32>,
    /// Distinct departments of those services.
    pub departments: Vec<u8>,
    /// Distinct contact persons of those spells (spells without one are not counted).
    pub contacts: Vec<u32>,
    /// Maximum over days of the number of distinct services with a spell covering the day.
    pub max_concurrent_services: Vec<u32>,
    /// Maximum over days of the number of distinct departments with a spell covering the day.
    pub max_concurrent_departments: Vec<u8>,
    centre_offsets: Vec<u32>,
    centre_costs: Vec<(CostCentre, Ore)>,
}

impl UnitMetrics {
    pub fn len(&self) -> usize {
        self.cost.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cost.is_empty()
    }

    /// The unit's non-zero cost by centre (booked by posting centre, activity by the spell's
    /// service department), in centre order.
    pub fn cost_by_centre(&self, i: usize) -> &[(CostCentre, Ore)] {
        &self.centre_costs[self.centre_offsets[i] as usize..self.centre_offsets[i + 1] as usize]
    }
}

/// The result of [`compute_metrics`].
#[derive(Debug, Clone)]
pub struct Metrics {
    pub period: Period,
    /// Indexed by [`PersonIx`].
    pub citizens: UnitMetrics,
    /// Indexed by [`FamilyIx`] of [`Metrics::family_index`].
    pub families: UnitMetrics,
    pub family_index: Families,
}

/// A spell clipped to the period, as day numbers: `[start, end_excl)` with a grouping key.
type Interval = (i32, i32, u32);

/// Maximum over days of the number of distinct keys whose interval covers the day.
/// Intervals are half-open day ranges `[start, end_excl)`.
pub fn max_concurrent_distinct(intervals: &[Interval]) -> u32 {
    let mut events: Vec<(i32, i32, u32)> = Vec::with_capacity(intervals.len() * 2);
    let mut counters: Vec<(u32, u32)> = Vec::new();
    max_concurrent_with(intervals, &mut events, &mut counters)
}

fn max_concurrent_with(
    intervals: &[Interval],
    events: &mut Vec<(i32, i32, u32)>,
    counters: &mut Vec<(u32, u32)>,
) -> u32 {
    if intervals.len() <= 1 {
        return intervals.len() as u32;
    }
    events.clear();
    counters.clear();
    for &(s, e, k) in intervals {
        events.push((s, 1, k));
        events.push((e, -1, k));
    }
    events.sort_unstable_by_key(|ev| ev.0);
    let (mut active, mut best) = (0u32, 0u32);
    let mut i = 0;
    while i < events.len() {
        let day = events[i].0;
        // Apply every change of this day before reading: a spell ending the day before another
        // starts (back to back) never overlaps it.
        while i < events.len() && events[i].0 == day {
            let (_, delta, key) = events[i];
            let slot = match counters.iter().position(|c| c.0 == key) {
                Some(j) => j,
                None => {
                    counters.push((key, 0));
                    counters.len() - 1
                }
            };
            let c = &mut counters[slot].1;
            if delta > 0 {
                *c += 1;
                if *c == 1 {
                    active += 1;
                }
            } else {
                *c -= 1;
                if *c == 0 {
                    active -= 1;
                }
            }
            i += 1;
        }
        best = best.max(active);
    }
    best
}

#[derive(Default)]
struct Scratch {
    services: Vec<u32>,
    contacts: Vec<u32>,
    service_iv: Vec<Interval>,
    department_iv: Vec<Interval>,
    events: Vec<(i32, i32, u32)>,
    counters: Vec<(u32, u32)>,
}

struct Ctx<'a> {
    reg: &'a Register<Pseudonymised>,
    alloc: &'a Allocation,
    period: Period,
}

impl Ctx<'_> {
    /// Measures one unit from its spells and booked postings, appending a row to `out`.
    fn measure(
        &self,
        spells: impl Iterator<Item = u32>,
        postings: impl Iterator<Item = u32>,
        s: &mut Scratch,
        out: &mut UnitMetrics,
    ) {
        let reg = self.reg;
        let mut by_centre = [Ore::ZERO; CostCentre::COUNT];
        let mut cost = Ore::ZERO;
        for pi in postings {
            let p = &reg.postings[pi as usize];
            cost += p.amount;
            by_centre[self.alloc.centres.of_posting(&reg.catalogue, p).index()] += p.amount;
        }
        s.services.clear();
        s.contacts.clear();
        s.service_iv.clear();
        s.department_iv.clear();
        let mut dept_mask = 0u16;
        for si in spells {
            let spell = &reg.spells[si as usize];
            let Some(clip) = self.period.intersect(spell.start, spell.end) else {
                continue;
            };
            let dept = reg.catalogue.get(spell.service).department.index();
            let c = self.alloc.spell_cost[si as usize];
            cost += c;
            by_centre[dept] += c;
            dept_mask |= 1 << dept;
            s.services.push(spell.service.0);
            if let Some(k) = spell.contact {
                s.contacts.push(k.0);
            }
            let start = clip.from().num_days_from_ce();
            let end_excl = clip.to().num_days_from_ce() + 1;
            s.service_iv.push((start, end_excl, spell.service.0));
            s.department_iv.push((start, end_excl, dept as u32));
        }
        s.services.sort_unstable();
        s.services.dedup();
        s.contacts.sort_unstable();
        s.contacts.dedup();
        out.cost.push(cost);
        out.services.push(s.services.len() as u32);
        out.departments.push(dept_mask.count_ones() as u8);
        out.contacts.push(s.contacts.len() as u32);
        // At most as many at once as there are distinct ones: one distinct needs no sweep.
        let services_at_once = match s.services.len() {
            0 | 1 => s.services.len() as u32,
            _ => max_concurrent_with(&s.service_iv, &mut s.events, &mut s.counters),
        };
        let departments_at_once = match dept_mask.count_ones() {
            0 | 1 => dept_mask.count_ones(),
            _ if services_at_once <= 1 => services_at_once,
            _ => max_concurrent_with(&s.department_iv, &mut s.events, &mut s.counters),
        };
        out.max_concurrent_services.push(services_at_once);
        out.max_concurrent_departments
            .push(departments_at_once as u8);
        for (i, v) in by_centre.into_iter().enumerate() {
            if v != Ore::ZERO {
                out.centre_costs.push((CostCentre::ALL[i], v));
            }
        }
        out.centre_offsets.push(out.centre_costs.len() as u32);
    }
}

fn with_capacity(n: usize) -> UnitMetrics {
    let mut m = UnitMetrics {
        cost: Vec::with_capacity(n),
        services: Vec::with_capacity(n),
        departments: Vec::with_capacity(n),
        contacts: Vec::with_capacity(n),
        max_concurrent_services: Vec::with_capacity(n),
        max_concurrent_departments: Vec::with_capacity(n),
        centre_offsets: Vec::with_capacity(n + 1),
        centre_costs: Vec::with_capacity(n * 2),
    };
    m.centre_offsets.push(0);
    m
}

impl UnitMetrics {
    /// Appends `other`'s rows after this one's.
    fn append(&mut self, other: UnitMetrics) {
        let base = self.centre_costs.len() as u32;
        self.cost.extend(other.cost);
        self.services.extend(other.services);
        self.departments.extend(other.departments);
        self.contacts.extend(other.contacts);
        self.max_concurrent_services
            .extend(other.max_concurrent_services);
        self.max_concurrent_departments
            .extend(other.max_concurrent_departments);
        self.centre_offsets
            .extend(other.centre_offsets[1..].iter().map(|o| o + base));
        self.centre_costs.extend(other.centre_costs);
    }
}

impl UnitMetrics {
    /// Appends a copy of row `i` of `from`.
    fn push_row_of(&mut self, from: &UnitMetrics, i: usize) {
        self.cost.push(from.cost[i]);
        self.services.push(from.services[i]);
        self.departments.push(from.departments[i]);
        self.contacts.push(from.contacts[i]);
        self.max_concurrent_services
            .push(from.max_concurrent_services[i]);
        self.max_concurrent_departments
            .push(from.max_concurrent_departments[i]);
        self.centre_costs.extend_from_slice(from.cost_by_centre(i));
        self.centre_offsets.push(self.centre_costs.len() as u32);
    }
}

/// How [`measure_all`] gets a unit's row.
enum Source<'a> {
    /// Measure it from its spells and booked postings.
    Measure,
    /// The unit is this one citizen: copy the row.
    Copy(&'a UnitMetrics, usize),
}

/// Measures units `0..n` in parallel chunks, merged in order.
fn measure_all<'a, S, P, C>(
    ctx: &Ctx<'_>,
    n: usize,
    spells: S,
    postings: P,
    source: C,
) -> UnitMetrics
where
    S: Fn(usize, &mut Vec<u32>) + Sync,
    P: Fn(usize, &mut Vec<u32>) + Sync,
    C: Fn(usize) -> Source<'a> + Sync,
{
    let parts: Vec<UnitMetrics> = chunk_bounds(n)
        .into_par_iter()
        .map(|(lo, hi)| {
            let mut s = Scratch::default();
            let mut out = with_capacity(hi - lo);
            let (mut sp, mut po) = (Vec::new(), Vec::new());
            for i in lo..hi {
                if let Source::Copy(from, j) = source(i) {
                    out.push_row_of(from, j);
                    continue;
                }
                sp.clear();
                po.clear();
                spells(i, &mut sp);
                postings(i, &mut po);
                ctx.measure(sp.iter().copied(), po.iter().copied(), &mut s, &mut out);
            }
            out
        })
        .collect();
    let mut all = with_capacity(n);
    for p in parts {
        all.append(p);
    }
    all
}

/// Stage 2. Metrics per citizen (every person of the register, in [`PersonIx`] order) and per
/// family ([`Families::build`] order). A family's costs are the sums of its members'; its
/// distinct counts and concurrency are taken over the union of the members' spells.
///
/// `period` must be the allocation's period (the spell costs were computed for it).
pub fn compute_metrics(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    period: Period,
) -> Metrics {
    debug_assert_eq!(
        period, alloc.period,
        "metrics over another period than the allocation"
    );
    let ctx = Ctx { reg, alloc, period };
    let n = reg.persons.len();
    let (citizens, family_index) = rayon::join(
        || {
            measure_all(
                &ctx,
                n,
                |p, v| v.extend_from_slice(alloc.person_spells.of(PersonIx(p as u32))),
                |p, v| v.extend_from_slice(alloc.booked_postings.of(PersonIx(p as u32))),
                |_| Source::Measure,
            )
        },
        || Families::build(reg),
    );
    let fi = &family_index;
    let members = |f: usize| fi.members(FamilyIx(f as u32));
    let families = measure_all(
        &ctx,
        fi.len(),
        |f, v| {
            for &m in members(f) {
                v.extend_from_slice(alloc.person_spells.of(m));
            }
        },
        |f, v| {
            for &m in members(f) {
                v.extend_from_slice(alloc.booked_postings.of(m));
            }
        },
        // A one-person family is that citizen.
        |f| match members(f) {
            [only] => Source::Copy(&citizens, only.0 as usize),
            _ => Source::Measure,
        },
    );
    Metrics {
        period,
        citizens,
        families,
        family_index,
    }
}
