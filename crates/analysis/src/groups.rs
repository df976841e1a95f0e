//! Target groups, overlaps/conflicts and discovered service combinations as published
//! statistics: the rules of a [`RuleSet`] are evaluated with `tvaers_rules`, and every figure
//! leaves this module as a [`Cell`] of [`crate::disclosure`].
//!
//! # What is counted (period P = the allocation's period)
//! - **Members** of a rule: the citizens `tvaers_rules::evaluate_all_indexed` finds (for a family
//!   rule the citizens filling its roles, and the families). Costs are the per-citizen allocated
//!   cost of the crate's stage 1 (booked + activity, whole period, all departments).
//! - **Target group**: citizens (families for family rules); total and mean allocated cost; for
//!   family rules also the cost of the whole families (every member, role or not); cost by
//!   department as in the per-citizen metrics; the mean over members of max concurrent
//!   departments, max concurrent services and distinct contact persons; the distribution of max
//!   concurrent departments (0, 1, 2, 3, 4+); members with ≥ 7 concurrent services; and per
//!   overlap rule how many members it also hits.
//! - **Overlap rule**: affected citizens (and families); the **cost of the services involved**:
//!   per affected citizen, S = the union of `Alert::services` over that citizen's alerts of the
//!   rule in P (`tvaers_rules::evaluate_person`), and the involved cost is the activity cost of
//!   the citizen's spells of a service in S plus the citizen's booked postings in P that name a
//!   service in S, or name none and are on the account function of a service in S (a booked
//!   function is what keeps those spells from being priced, so the booking is their cost; each
//!   posting counts once). It is the whole period's cost of those services, not only the days
//!   the rule held. Also the affected citizens' whole allocated cost.
//! - **Combinations**: `tvaers_rules::discover_combinations` with support ≥ [`MIN_SUPPORT`] and at
//!   most [`MAX_COMBINATION_SIZE`] services, costs = allocated cost per citizen; each with an
//!   age profile (age in the year P ends, bands [`AGE_BANDS`]) and the share of women.
//!
//! # Disclosure control (on top of [`crate::disclosure`])
//! - A row describes its citizens and, for family rules, its families: hidden when either is
//!   1–4. A hidden row hides all its cells (which departments a hidden group uses is itself
//!   information about fewer than 5 persons).
//! - A cost describes the members with a non-zero cost: hidden when they are 1–4.
//! - Cost by department is a table under the published total cost whose rows share members
//!   ([`crate::disclosure::protect_margin_parts`]: the hidden departments' members, as a union,
//!   are 0 or at least 5 and none has more than half of their cost); a department's cost that
//!   one member has more than half of is hidden ([`crate::disclosure::publish_parts`]); the departments distribution and the age and sex
//!   profiles are count tables under a published size
//!   ([`crate::disclosure::protect_interval`]: no hidden count can be narrowed below 1–4).
//! - Against the overview: where the overview shows a department (or a bucket of concurrent
//!   departments), a group's cell there is shown only when the non-members in it — the
//!   overview's cell minus the group's — are 0 or at least 5 and, for the cost, not dominated.
//! - Every published amount (a group's, an overlap's, a combination's cost) and its complement
//!   under the total cost pass the dominance rule ([`crate::disclosure::Dominance`]).
//! - A count of members with a property (≥ 7 services) is published only when the members
//!   without it are 0 or at least 5 as well — the pair is a two-cell table under the group's
//!   published size; hidden, it is marked "—" whichever side is small. The overlap count
//!   |A ∩ O| of a target group A and an overlap rule O likewise needs |A ∖ O| and |O ∖ A| to be
//!   0 or at least 5.
//! - **Nested populations.** After the complexity groups the base analysis publishes (citizens,
//!   and families as their members), target groups, then overlaps, then combinations (in rank
//!   order) are published one by one; a population whose citizens contain, or are contained in, those
//!   of one already published (checked on the actual members, e.g. a combination and its
//!   sub-combinations, or two rules where one is stricter) is withheld when the two differ by
//!   1–4 citizens, or — both costs published — by 1–4 citizens with a cost: the difference and
//!   its cost would describe 1–4 persons. A combination's age (or sex) profile is withheld
//!   whole unless, against the published profile of every nested population with other
//!   members, the same cells are hidden and the shown ones differ by 0 or at least 5.
//!   Populations that merely overlap are not compared (their intersections are not published,
//!   except the overlap counts above).
//! - No person, family or contact pseudonym, and no person index, is kept in the result.

use crate::allocation::{Allocation, CostCentre};
use crate::complexity::{BUCKETS, ComplexityTable, complexity_table};
use crate::disclosure::{
    Cell, Dominance, MIN_PERSONS, Parts, derive, derive_parts, min_nonzero, protect_interval,
    protect_margin, protect_margin_parts, publish, publish_parts, withheld,
};
use crate::json::JsonOut;
use crate::metrics::Metrics;
use chrono::Datelike;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use tvaers_core::{
    Department, FamilyIx, Ore, Period, PersonIx, PersonRecord, Pseudonymised, Register, ServiceIx,
    Sex,
};
use tvaers_rules::{
    AlertKind, Combination, Condition, Index, Membership, Rule, RuleSet, Severity,
    discover_combinations, evaluate_all_indexed, evaluate_persons,
};

/// Citizens a combination needs to be discovered (= [`MIN_PERSONS`]).
pub const MIN_SUPPORT: usize = MIN_PERSONS as usize;
/// The largest combinations looked for.
pub const MAX_COMBINATION_SIZE: usize = 4;
/// The most combinations listed (in rank order; the report page shows the first 25).
pub const PUBLISHED_COMBINATIONS: usize = 100;
/// Age bands `(from, to)` in years, inclusive; `None` = no upper bound.
pub const AGE_BANDS: [(i32, Option<i32>); 5] = [
    (0, Some(17)),
    (18, Some(29)),
    (30, Some(49)),
    (50, Some(64)),
    (65, None),
];
/// The "at least" threshold of concurrent services counted per target group.
pub const SERVICES_THRESHOLD: u32 = 7;

/// The texts of a rule, as the rules file gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleText {
    pub id: String,
    pub name_da: String,
    pub name_en: String,
    pub explanation_da: String,
    pub explanation_en: String,
    pub severity: Severity,
    /// A family rule: its members are families as well as citizens.
    pub family: bool,
}

impl RuleText {
    fn of(r: &Rule) -> RuleText {
        RuleText {
            id: r.id.clone(),
            name_da: r.name_da.clone(),
            name_en: r.name_en.clone(),
            explanation_da: r.explanation_da.clone(),
            explanation_en: r.explanation_en.clone(),
            severity: r.severity,
            family: matches!(r.condition, Condition::Family { .. }),
        }
    }
}

/// Size and complexity of a target group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupFigures {
    pub citizens: u64,
    /// Family rules only.
    pub families: Option<u64>,
    /// Means over the members.
    pub mean_concurrent_departments: f64,
    pub mean_concurrent_services: f64,
    pub mean_contacts: f64,
}

/// What a target group costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCost {
    /// Σ of the members' allocated cost.
    pub cost: Ore,
    /// `cost` / citizens, nearest øre (halves up).
    pub average: Ore,
    /// Family rules: Σ of the families' cost (every member of the family).
    pub family_cost: Option<Ore>,
    /// `family_cost` / families.
    pub family_average: Option<Ore>,
}

/// A target group's cost in one department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentreCost {
    /// Members with a non-zero cost there.
    pub persons: u64,
    pub cost: Ore,
}

#[derive(Debug, Clone)]
pub struct TargetGroupRow {
    pub rule: RuleText,
    pub figures: Cell<GroupFigures>,
    pub cost: Cell<GroupCost>,
    /// One per [`CostCentre::ALL`].
    pub by_centre: Vec<(CostCentre, Cell<CentreCost>)>,
    /// Members by max concurrent departments 0, 1, 2, 3, 4+.
    pub concurrent_departments: Vec<Cell<u64>>,
    /// Members with at least [`SERVICES_THRESHOLD`] concurrent services.
    pub services_7plus: Cell<u64>,
    /// Per overlap rule (in [`RuleAnalysis::overlaps`] order): members it also hits.
    pub overlaps: Vec<Cell<u64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverlapFigures {
    pub citizens: u64,
    /// Family rules only.
    pub families: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverlapCost {
    /// Cost of the involved services (see the module documentation).
    pub involved: Ore,
    /// `involved` / citizens.
    pub involved_average: Ore,
    /// The affected citizens' whole allocated cost.
    pub cost: Ore,
    pub average: Ore,
}

#[derive(Debug, Clone)]
pub struct OverlapRow {
    pub rule: RuleText,
    pub figures: Cell<OverlapFigures>,
    /// Hidden separately when fewer than 5 of the affected have an involved (or any) cost.
    pub cost: Cell<OverlapCost>,
}

/// A service as the catalogue names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceName {
    pub code: String,
    pub name_da: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CombinationCost {
    pub cost: Ore,
    pub average: Ore,
}

#[derive(Debug, Clone)]
pub struct CombinationRow {
    /// 1-based rank among the listed combinations (by total cost, then citizens).
    pub rank: usize,
    pub services: Vec<ServiceName>,
    /// Ascending.
    pub departments: Vec<Department>,
    pub citizens: Cell<u64>,
    pub cost: Cell<CombinationCost>,
    /// One per [`AGE_BANDS`].
    pub age_bands: Vec<Cell<u64>>,
    /// Share of women, 0–1.
    pub women_share: Cell<f64>,
}

#[derive(Debug, Clone)]
pub struct Combinations {
    pub min_support: usize,
    pub max_size: usize,
    /// Combinations discovery found (a count of service sets, not of persons).
    pub found: usize,
    /// Left out because their citizens contain, or are contained in, those of a published
    /// target group, overlap or combination, and differ from them by 1–4.
    pub withheld_nested: usize,
    /// At most [`PUBLISHED_COMBINATIONS`], in rank order.
    pub rows: Vec<CombinationRow>,
}

/// The published result of [`summarise_rules`].
#[derive(Debug, Clone)]
pub struct RuleAnalysis {
    /// The rules file's name as given to `RuleSet::parse`.
    pub source: String,
    pub target_groups: Vec<TargetGroupRow>,
    pub overlaps: Vec<OverlapRow>,
    pub combinations: Combinations,
}

/// `total / n` to the nearest øre, halves up (as discovery and `activity_cost` round).
fn mean_ore(total: Ore, n: u64) -> Ore {
    if n == 0 {
        return Ore::ZERO;
    }
    let n = n as i64;
    Ore((total.0 * 2 + n).div_euclid(2 * n))
}

/// Would publishing both `a` and `b`, counts of nested populations, isolate 1–4 persons?
pub(crate) fn isolates(a: u64, b: u64) -> bool {
    let d = a.abs_diff(b);
    d > 0 && d < MIN_PERSONS
}

/// `with` of `of` members have a property: published only when `with` and `of − with` are both
/// 0 or at least 5 (a two-cell table under the published `of`). When hidden it is marked "—"
/// whichever side is small, so the marker does not tell which.
fn part_of(with: u64, of: u64) -> Cell<u64> {
    let mut cells = [publish(with, with), publish(of - with, of - with)];
    protect_margin(&mut cells);
    let [first, second] = cells;
    if first.is_suppressed() || second.is_suppressed() {
        withheld(of.max(MIN_PERSONS))
    } else {
        first
    }
}

/// `|A ∩ B|` beside the published `|A|` and `|B|`: hidden when it, `|A ∖ B|` or `|B ∖ A|` is
/// 1–4. (`|B|` below 5 is not published, so it constrains nothing.)
pub(crate) fn intersection(both: u64, a: u64, b: u64) -> Cell<u64> {
    let in_a = part_of(both, a);
    if in_a.is_suppressed() || (b > 0 && b < MIN_PERSONS) {
        return in_a;
    }
    part_of(both, b)
}

/// Number of common elements of two ascending lists.
fn common(a: &[PersonIx], b: &[PersonIx]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Is one ascending list contained in the other?
fn nested(a: &[PersonIx], b: &[PersonIx]) -> bool {
    common(a, b) as usize == a.len().min(b.len())
}

/// A published population (target group, overlap or combination) and its counts.
struct Shown<'a> {
    members: &'a [PersonIx],
    /// Members with a non-zero cost, when a cost of theirs is published.
    with_cost: Option<u64>,
    /// Age bands and sexes, when published (combinations).
    bands: Vec<Option<u64>>,
    sexes: Vec<Option<u64>>,
}

/// Picks the published sub-cells (age bands or sexes) of a population.
type Pick = for<'b, 'c> fn(&'b Shown<'c>) -> &'b [Option<u64>];

/// The populations published so far, so that no later one differs from a nested earlier one
/// by 1–4 persons (which would publish those persons' count and cost by subtraction).
struct Guard<'a> {
    shown: Vec<Shown<'a>>,
    /// Each citizen's whole cost, for the dominance rule on differences.
    costs: &'a [Ore],
    limit: Dominance,
}

impl<'a> Guard<'a> {
    fn new(costs: &'a [Ore], limit: Dominance) -> Guard<'a> {
        Guard {
            shown: Vec::new(),
            costs,
            limit,
        }
    }

    /// Whether a population with these members (and, if its cost is published, this many with
    /// a cost) isolates 1–4 persons against a published one it is nested with, or — both
    /// costs published — the cost of the difference is dominated by one person.
    fn clashes(&self, members: &[PersonIx], with_cost: Option<u64>) -> bool {
        let n = members.len() as u64;
        self.shown.iter().any(|z| {
            let count = isolates(z.members.len() as u64, n);
            let both_costs = z.with_cost.is_some() && with_cost.is_some();
            let cost = matches!((z.with_cost, with_cost), (Some(a), Some(b)) if isolates(a, b));
            if !nested(z.members, members) {
                return false;
            }
            count || cost || (both_costs && self.difference_dominated(z.members, members))
        })
    }

    /// The cost of the larger of two nested populations minus the smaller's: one person more
    /// than the dominance share of it?
    fn difference_dominated(&self, a: &[PersonIx], b: &[PersonIx]) -> bool {
        let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        let rest: Vec<(u32, i64)> = large
            .iter()
            .filter(|p| small.binary_search(p).is_err())
            .map(|p| (p.0, self.costs[p.0 as usize].0))
            .collect();
        Parts::new(vec![rest]).dominated(self.limit)
    }

    fn push(&mut self, s: Shown<'a>) {
        self.shown.push(s);
    }
}

/// The cells of a combination's age or sex profile: primary suppression and
/// [`protect_interval`] under the published number of citizens; then, against the published
/// profile of each nested population with other members, the same cells must be hidden and the
/// shown ones differ by 0 or at least 5 (else the difference would be a profile of 1–4
/// persons, or a hidden cell would be bounded by the other's). Otherwise, or when the interval
/// protection fails, the whole profile is withheld.
fn profile_cells(
    guard: &Guard<'_>,
    members: &[PersonIx],
    raw: &[u64],
    pick: Pick,
) -> Vec<Cell<u64>> {
    let all_hidden = || {
        raw.iter()
            .map(|_| withheld::<u64>((members.len() as u64).max(MIN_PERSONS)))
            .collect()
    };
    let mut cells: Vec<Cell<u64>> = raw.iter().map(|&v| publish(v, v)).collect();
    if !protect_interval(&mut cells) {
        return all_hidden();
    }
    let shown = published(&cells);
    let clash = guard.shown.iter().any(|z| {
        let other = pick(z);
        let consistent = other.is_empty()
            || other.iter().zip(&shown).all(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => !isolates(*a, *b),
                (None, None) => true,
                _ => false,
            });
        !consistent && nested(z.members, members)
    });
    if clash { all_hidden() } else { cells }
}

/// The published values of `cells`; empty when none is (a withheld profile constrains nothing).
fn published(cells: &[Cell<u64>]) -> Vec<Option<u64>> {
    let v: Vec<Option<u64>> = cells.iter().map(|c| c.value().copied()).collect();
    if v.iter().all(Option::is_none) {
        Vec::new()
    } else {
        v
    }
}

/// The citizens of the populations the base analysis publishes with their members' whole
/// cost — the complexity groups of citizens and of families (as their members) — with how many
/// have a cost, to seed the [`Guard`]. `tables` are the published complexity tables of citizens
/// and of families.
fn base_populations(
    metrics: &Metrics,
    tables: [&ComplexityTable; 2],
) -> Vec<(Vec<PersonIx>, Option<u64>)> {
    // Everyone: the number of citizens and the total cost are published.
    let everyone: Vec<PersonIx> = (0..metrics.citizens.len() as u32).map(PersonIx).collect();
    let with_cost = metrics
        .citizens
        .cost
        .iter()
        .filter(|c| **c != Ore::ZERO)
        .count() as u64;
    let mut out = vec![(everyone, Some(with_cost))];
    let units = [(&metrics.citizens, false), (&metrics.families, true)];
    for ((units, families), table) in units.into_iter().zip(tables) {
        // Members of the units `pred` picks, and — when `row`'s cost is shown — how many of
        // them have a cost.
        let members = |pred: &dyn Fn(usize) -> bool,
                       row: &Cell<crate::complexity::GroupRow>|
         -> (Vec<PersonIx>, Option<u64>) {
            let mut v = Vec::new();
            for i in (0..units.len()).filter(|&i| pred(i)) {
                if families {
                    v.extend_from_slice(metrics.family_index.members(FamilyIx(i as u32)));
                } else {
                    v.push(PersonIx(i as u32));
                }
            }
            v.sort_unstable();
            let with_cost = v
                .iter()
                .filter(|p| metrics.citizens.cost[p.0 as usize] != Ore::ZERO)
                .count() as u64;
            let cost_shown = row.value().is_some_and(|r| !r.cost.is_suppressed());
            (v, cost_shown.then_some(with_cost))
        };
        let depts = |i: usize| units.max_concurrent_departments[i] as usize;
        for (b, cell) in table.distribution.iter().enumerate() {
            if !cell.is_suppressed() {
                out.push(members(&|i| depts(i).min(BUCKETS - 1) == b, cell));
            }
        }
        for (t, cell) in &table.departments_at_least {
            if !cell.is_suppressed() {
                out.push(members(&|i| depts(i) >= *t as usize, cell));
            }
        }
        if !table.services_7plus.is_suppressed() {
            out.push(members(
                &|i| units.max_concurrent_services[i] >= crate::complexity::SERVICE_THRESHOLD,
                &table.services_7plus,
            ));
        }
    }
    out
}

/// Who is behind a population's published cost, for the dominance rule: each member's whole
/// cost, and each other citizen's (the total cost minus the population's is theirs).
fn population_columns(members: &[PersonIx], costs: &[Ore]) -> Vec<Vec<(u32, i64)>> {
    let (mut inside, mut outside) = (Vec::with_capacity(members.len()), Vec::new());
    let mut m = members.iter().peekable();
    for (i, c) in costs.iter().enumerate() {
        if m.peek().is_some_and(|p| p.0 as usize == i) {
            m.next();
            inside.push((i as u32, c.0));
        } else {
            outside.push((i as u32, c.0));
        }
    }
    vec![inside, outside]
}

/// What the overview publishes for everyone, cut the way a target group's tables are cut: a
/// group's cell minus the overview's is the non-members' figure, so it too must describe 0 or
/// at least 5 persons and not be one person's.
struct Everyone {
    /// Per cost centre: each citizen's non-zero cost there.
    by_centre: Vec<Vec<(u32, i64)>>,
    /// Whether the overview publishes the centre's row.
    centre_shown: Vec<bool>,
    /// Citizens per bucket of concurrent departments, where the overview shows the bucket.
    buckets: [Option<u64>; BUCKETS],
    /// The dominance rule of the whole publication.
    limit: Dominance,
}

impl Everyone {
    /// `complexity` is the published complexity table of the citizens.
    fn of(
        reg: &Register<Pseudonymised>,
        alloc: &Allocation,
        metrics: &Metrics,
        complexity: &ComplexityTable,
        limit: Dominance,
    ) -> Everyone {
        let m = &metrics.citizens;
        let mut by_centre = vec![Vec::new(); CostCentre::COUNT];
        let mut counts = [0u64; BUCKETS];
        for i in 0..m.len() {
            for &(c, v) in m.cost_by_centre(i) {
                by_centre[c.index()].push((i as u32, v.0));
            }
            counts[(m.max_concurrent_departments[i] as usize).min(BUCKETS - 1)] += 1;
        }
        let (overview, _) = crate::centres::centre_cells(reg, alloc, limit);
        let centre_shown = overview.iter().map(|c| !c.is_suppressed()).collect();
        let mut buckets = [None; BUCKETS];
        for ((b, row), n) in buckets.iter_mut().zip(&complexity.distribution).zip(counts) {
            *b = (!row.is_suppressed()).then_some(n);
        }
        Everyone {
            by_centre,
            centre_shown,
            buckets,
            limit,
        }
    }

    /// Whether the non-members' cost in centre `c` (the overview's minus the group's) would
    /// describe 1–4 persons or be dominated by one.
    fn centre_rest_unsafe(&self, c: usize, members: &[PersonIx]) -> bool {
        if !self.centre_shown[c] {
            return false;
        }
        let rest: Vec<(u32, i64)> = self.by_centre[c]
            .iter()
            .filter(|(p, _)| members.binary_search(&PersonIx(*p)).is_err())
            .copied()
            .collect();
        let n = rest.len() as u64;
        (n > 0 && n < MIN_PERSONS) || Parts::new(vec![rest]).dominated(self.limit)
    }
}

/// Raw figures of a target group.
struct GroupRaw {
    cost: Ore,
    cost_persons: u64,
    sums: [u64; 3],
    centre_cost: [Ore; CostCentre::COUNT],
    centre_persons: [u64; CostCentre::COUNT],
    /// Per centre, each member's cost there (for disclosure control only; never published).
    centre_parts: Vec<Vec<(u32, i64)>>,
    buckets: [u64; BUCKETS],
    svc7: u64,
    family_cost: Ore,
    family_cost_units: u64,
}

fn group_raw(
    persons: &[PersonIx],
    families: &[tvaers_core::FamilyIx],
    metrics: &Metrics,
) -> GroupRaw {
    let m = &metrics.citizens;
    let mut g = GroupRaw {
        cost: Ore::ZERO,
        cost_persons: 0,
        sums: [0; 3],
        centre_cost: [Ore::ZERO; CostCentre::COUNT],
        centre_persons: [0; CostCentre::COUNT],
        centre_parts: vec![Vec::new(); CostCentre::COUNT],
        buckets: [0; BUCKETS],
        svc7: 0,
        family_cost: Ore::ZERO,
        family_cost_units: 0,
    };
    for &p in persons {
        let i = p.0 as usize;
        g.cost += m.cost[i];
        g.cost_persons += (m.cost[i] != Ore::ZERO) as u64;
        let dep = m.max_concurrent_departments[i];
        g.sums[0] += dep as u64;
        g.sums[1] += m.max_concurrent_services[i] as u64;
        g.sums[2] += m.contacts[i] as u64;
        g.buckets[(dep as usize).min(BUCKETS - 1)] += 1;
        g.svc7 += (m.max_concurrent_services[i] >= SERVICES_THRESHOLD) as u64;
        for &(c, v) in m.cost_by_centre(i) {
            g.centre_cost[c.index()] += v;
            g.centre_persons[c.index()] += 1;
            g.centre_parts[c.index()].push((p.0, v.0));
        }
    }
    for f in families {
        let c = metrics.families.cost[f.0 as usize];
        g.family_cost += c;
        g.family_cost_units += (c != Ore::ZERO) as u64;
    }
    g
}

/// A row with nothing but hidden cells; `why` says how big the population is (for the kind
/// of suppression shown).
fn hidden_group(text: RuleText, why: u64, overlaps: usize) -> TargetGroupRow {
    TargetGroupRow {
        rule: text,
        figures: withheld(why),
        cost: withheld(why),
        by_centre: CostCentre::ALL
            .iter()
            .map(|&c| (c, withheld(why)))
            .collect(),
        concurrent_departments: (0..BUCKETS).map(|_| withheld(why)).collect(),
        services_7plus: withheld(why),
        overlaps: (0..overlaps).map(|_| withheld(why)).collect(),
    }
}

fn target_group<'a>(
    rule: &Rule,
    persons: &'a [PersonIx],
    families: &[tvaers_core::FamilyIx],
    metrics: &Metrics,
    overlap_members: &[&[PersonIx]],
    guard: &mut Guard<'a>,
    everyone: &Everyone,
) -> TargetGroupRow {
    let limit = everyone.limit;
    let text = RuleText::of(rule);
    let g = group_raw(persons, families, metrics);
    let n = persons.len() as u64;
    let fam_n = text.family.then_some(families.len() as u64);
    let size_persons = min_nonzero(&[n, fam_n.unwrap_or(0)]);
    let mean = |s: u64| if n > 0 { s as f64 / n as f64 } else { 0.0 };
    let figures = publish(
        size_persons,
        GroupFigures {
            citizens: n,
            families: fam_n,
            mean_concurrent_departments: mean(g.sums[0]),
            mean_concurrent_services: mean(g.sums[1]),
            mean_contacts: mean(g.sums[2]),
        },
    );
    let k = overlap_members.len();
    if figures.is_suppressed() {
        // Nothing of a hidden group, not even which of its cells would be empty.
        let mut row = hidden_group(text, size_persons, k);
        row.figures = figures;
        return row;
    }

    let parts: Vec<Parts> = g
        .centre_parts
        .into_iter()
        .map(|v| Parts::new(vec![v]))
        .collect();
    let mut by_centre: Vec<Cell<CentreCost>> = (0..CostCentre::COUNT)
        .map(|c| {
            publish_parts(
                g.centre_persons[c],
                CentreCost {
                    persons: g.centre_persons[c],
                    cost: g.centre_cost[c],
                },
                &parts[c],
                limit,
            )
        })
        .collect();
    // Against the overview's department table: the non-members' part of a department.
    for (c, cell) in by_centre.iter_mut().enumerate() {
        if !cell.is_suppressed() && everyone.centre_rest_unsafe(c, persons) {
            *cell = withheld(g.centre_persons[c]);
        }
    }
    // Members may be in several departments: the hidden ones' members count as a union.
    let centres_ok = protect_margin_parts(&mut by_centre, &parts, limit);
    drop(parts);
    let cost_units = if text.family {
        min_nonzero(&[g.cost_persons, g.family_cost_units])
    } else {
        g.cost_persons
    };
    let cost = if centres_ok {
        let mut columns = population_columns(persons, &metrics.citizens.cost);
        if text.family {
            columns.push(
                families
                    .iter()
                    .map(|f| (f.0, metrics.families.cost[f.0 as usize].0))
                    .collect(),
            );
        }
        publish_parts(
            cost_units,
            GroupCost {
                cost: g.cost,
                average: mean_ore(g.cost, n),
                family_cost: text.family.then_some(g.family_cost),
                family_average: fam_n.map(|f| mean_ore(g.family_cost, f)),
            },
            &Parts::new(columns),
            limit,
        )
    } else {
        withheld(cost_units)
    };
    let with_cost = (!cost.is_suppressed()).then_some(g.cost_persons);
    if guard.clashes(persons, with_cost) {
        return hidden_group(text, n, k);
    }
    // Against the overview's distribution: the non-members of a bucket must not be 1–4.
    let mut distribution: Vec<Cell<u64>> = g
        .buckets
        .iter()
        .zip(&everyone.buckets)
        .map(|(&b, &all)| {
            if all.is_some_and(|all| isolates(all, b)) {
                withheld(b)
            } else {
                publish(b, b)
            }
        })
        .collect();
    if !protect_interval(&mut distribution) {
        return hidden_group(text, n, k);
    }
    guard.push(Shown {
        members: persons,
        with_cost,
        bands: Vec::new(),
        sexes: Vec::new(),
    });
    TargetGroupRow {
        rule: text,
        figures,
        cost,
        by_centre: CostCentre::ALL.into_iter().zip(by_centre).collect(),
        concurrent_departments: distribution,
        services_7plus: part_of(g.svc7, n),
        overlaps: overlap_members
            .iter()
            .map(|o| intersection(common(persons, o), n, o.len() as u64))
            .collect(),
    }
}

/// The involved cost of `services` (ascending) for `p`; see the module documentation.
fn involved_cost(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    p: PersonIx,
    services: &[ServiceIx],
) -> Ore {
    let mut cost = Ore::ZERO;
    for &si in alloc.person_spells.of(p) {
        let s = &reg.spells[si as usize];
        if services.binary_search(&s.service).is_ok() {
            cost += alloc.spell_cost[si as usize];
        }
    }
    for &pi in alloc.booked_postings.of(p) {
        let posting = &reg.postings[pi as usize];
        let hit = match posting.service {
            Some(s) => services.binary_search(&s).is_ok(),
            None => services
                .iter()
                .any(|&s| reg.catalogue.get(s).function == posting.function),
        };
        if hit {
            cost += posting.amount;
        }
    }
    cost
}

/// Per overlap rule (positions in `overlap_rules`): Σ involved cost and the number of members
/// with a non-zero one.
fn involved_costs(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    idx: &Index,
    rules: &RuleSet,
    membership: &Membership,
    overlap_rules: &[usize],
    period: Period,
) -> Vec<Involved> {
    let k = overlap_rules.len();
    let mut todo: Vec<PersonIx> = overlap_rules
        .iter()
        .flat_map(|&r| membership.rules[r].persons.iter().copied())
        .collect();
    todo.sort_unstable();
    todo.dedup();
    let position: HashMap<&str, usize> = overlap_rules
        .iter()
        .enumerate()
        .map(|(j, &r)| (rules.rules()[r].id.as_str(), j))
        .collect();
    // Whole families per task, so that a family rule is evaluated once per family
    // (`evaluate_persons`), however many of its members are affected.
    todo.sort_by_key(|&p| (idx.families.of(p), p));
    let mut tasks: Vec<&[PersonIx]> = Vec::new();
    let mut start = 0;
    for i in 1..=todo.len() {
        let family_ends =
            i == todo.len() || idx.families.of(todo[i]) != idx.families.of(todo[i - 1]);
        if family_ends && (i - start >= 512 || i == todo.len()) {
            tasks.push(&todo[start..i]);
            start = i;
        }
    }
    tasks
        .into_par_iter()
        .map(|chunk| {
            let mut acc = vec![Involved::default(); k];
            let mut services: Vec<Vec<ServiceIx>> = vec![Vec::new(); k];
            let alerts = evaluate_persons(reg, idx, rules, chunk, period);
            for (&p, alerts) in chunk.iter().zip(alerts) {
                for s in &mut services {
                    s.clear();
                }
                for alert in alerts {
                    if let Some(&j) = position.get(alert.rule_id.as_str()) {
                        services[j].extend_from_slice(&alert.services);
                    }
                }
                for (j, s) in services.iter_mut().enumerate() {
                    // Only the rule's members: the citizens the counts are of.
                    if membership.rules[overlap_rules[j]]
                        .persons
                        .binary_search(&p)
                        .is_err()
                    {
                        continue;
                    }
                    s.sort_unstable();
                    s.dedup();
                    let c = involved_cost(reg, alloc, p, s);
                    acc[j].cost += c;
                    if c != Ore::ZERO {
                        acc[j].persons += 1;
                        acc[j].by_person.push((p.0, c.0));
                    }
                }
            }
            acc
        })
        .reduce(
            || vec![Involved::default(); k],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.cost += y.cost;
                    x.persons += y.persons;
                    x.by_person.extend(y.by_person);
                }
                a
            },
        )
}

/// An overlap rule's involved cost: the sum, the members with a non-zero one, and each such
/// member's (kept for the dominance rule only, never published).
#[derive(Debug, Clone, Default)]
struct Involved {
    cost: Ore,
    persons: u64,
    by_person: Vec<(u32, i64)>,
}

fn overlap_row<'a>(
    rule: &Rule,
    persons: &'a [PersonIx],
    families: usize,
    metrics: &Metrics,
    involved: &Involved,
    guard: &mut Guard<'a>,
    limit: Dominance,
) -> OverlapRow {
    let text = RuleText::of(rule);
    let n = persons.len() as u64;
    let fam_n = text.family.then_some(families as u64);
    let size_persons = min_nonzero(&[n, fam_n.unwrap_or(0)]);
    let figures = publish(
        size_persons,
        OverlapFigures {
            citizens: n,
            families: fam_n,
        },
    );
    let (mut cost, mut cost_persons) = (Ore::ZERO, 0u64);
    for p in persons {
        let c = metrics.citizens.cost[p.0 as usize];
        cost += c;
        cost_persons += (c != Ore::ZERO) as u64;
    }
    let mut columns = population_columns(persons, &metrics.citizens.cost);
    columns.push(involved.by_person.clone());
    let cost = derive_parts(
        &[&figures],
        min_nonzero(&[involved.persons, cost_persons]),
        OverlapCost {
            involved: involved.cost,
            involved_average: mean_ore(involved.cost, n),
            cost,
            average: mean_ore(cost, n),
        },
        &Parts::new(columns),
        limit,
    );
    if figures.is_suppressed() {
        return OverlapRow {
            rule: text,
            figures,
            cost,
        };
    }
    let with_cost = (!cost.is_suppressed()).then_some(cost_persons);
    if guard.clashes(persons, with_cost) {
        return OverlapRow {
            rule: text,
            figures: withheld(n),
            cost: withheld(n),
        };
    }
    guard.push(Shown {
        members: persons,
        with_cost,
        bands: Vec::new(),
        sexes: Vec::new(),
    });
    OverlapRow {
        rule: text,
        figures,
        cost,
    }
}

/// The band of an age (ages below 0, births after the year, count in the first band).
pub fn age_band(age: i32) -> usize {
    AGE_BANDS
        .iter()
        .position(|&(_, to)| to.is_none_or(|t| age <= t))
        .unwrap_or(AGE_BANDS.len() - 1)
}

/// Lists discovered combinations in rank order, skipping those the guard refuses.
fn list_combinations<'a>(
    reg: &Register<Pseudonymised>,
    metrics: &Metrics,
    period: Period,
    found: &'a [Combination],
    guard: &mut Guard<'a>,
    limit: Dominance,
) -> Combinations {
    let cost = &metrics.citizens.cost;
    let year = period.to().year();
    let mut rows = Vec::new();
    let mut withheld_nested = 0usize;
    for c in found {
        if rows.len() == PUBLISHED_COMBINATIONS {
            break;
        }
        let support = c.members.len() as u64;
        let mut with_cost = 0u64;
        let mut bands = [0u64; AGE_BANDS.len()];
        let mut sexes = [0u64; 2];
        for &p in &c.members {
            with_cost += (cost[p.0 as usize] != Ore::ZERO) as u64;
            let person = reg.person(p);
            bands[age_band(person.age_in_year(year))] += 1;
            sexes[(person.sex() == Sex::Male) as usize] += 1;
        }
        let citizens = publish(support, support);
        let cost_cell = derive_parts(
            &[&citizens],
            with_cost,
            CombinationCost {
                cost: c.total_cost,
                average: mean_ore(c.total_cost, support),
            },
            &Parts::new(population_columns(&c.members, cost)),
            limit,
        );
        let with_cost_shown = (!cost_cell.is_suppressed()).then_some(with_cost);
        if citizens.is_suppressed() || guard.clashes(&c.members, with_cost_shown) {
            withheld_nested += 1;
            continue;
        }
        let age_bands = profile_cells(guard, &c.members, &bands, |z| &z.bands);
        let sex = profile_cells(guard, &c.members, &sexes, |z| &z.sexes);
        let women_share = derive(
            &[&sex[0], &sex[1]],
            support,
            sexes[0] as f64 / support.max(1) as f64,
        );
        guard.push(Shown {
            members: &c.members,
            with_cost: with_cost_shown,
            bands: published(&age_bands),
            sexes: published(&sex),
        });
        rows.push(CombinationRow {
            rank: rows.len() + 1,
            services: c
                .services
                .iter()
                .map(|&s| {
                    let e = reg.catalogue.get(s);
                    ServiceName {
                        code: e.code.clone(),
                        name_da: e.name_da.clone(),
                        name_en: e.name_en.clone(),
                    }
                })
                .collect(),
            departments: c.departments.clone(),
            citizens,
            cost: cost_cell,
            age_bands,
            women_share,
        });
    }
    Combinations {
        min_support: MIN_SUPPORT,
        max_size: MAX_COMBINATION_SIZE,
        found: found.len(),
        withheld_nested,
        rows,
    }
}

/// Target groups, overlaps/conflicts and discovered combinations of `rules` over `period` (the
/// allocation's and the metrics' period), under disclosure control.
pub fn summarise_rules(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    metrics: &Metrics,
    rules: &RuleSet,
    period: Period,
    limit: Dominance,
) -> RuleAnalysis {
    summarise_rules_members(reg, alloc, metrics, rules, period, limit).0
}

/// A published target group's members (ascending) and texts, for the top profile
/// (module `top`); never published.
pub(crate) struct GroupMembers {
    pub id: String,
    pub name_da: String,
    pub name_en: String,
    pub members: Vec<PersonIx>,
}

/// [`summarise_rules`], and the members of every published target group (for the top
/// profile; never published).
pub(crate) fn summarise_rules_members(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    metrics: &Metrics,
    rules: &RuleSet,
    period: Period,
    limit: Dominance,
) -> (RuleAnalysis, Vec<GroupMembers>) {
    debug_assert_eq!(
        period, alloc.period,
        "rules over another period than the costs"
    );
    // The groupings the allocation and metrics already built, in the same order.
    let idx = Index {
        spells: alloc.person_spells.clone(),
        families: metrics.family_index.clone(),
    };
    let (membership, found) = rayon::join(
        || evaluate_all_indexed(reg, &idx, rules, period),
        || {
            discover_combinations(
                reg,
                period,
                &metrics.citizens.cost,
                MIN_SUPPORT,
                MAX_COMBINATION_SIZE,
            )
        },
    );
    let of_kind = |kind: AlertKind| -> Vec<usize> {
        (0..rules.rules().len())
            .filter(|&r| rules.rules()[r].kind == kind)
            .collect()
    };
    let overlap_rules = of_kind(AlertKind::Overlap);
    let involved = involved_costs(reg, alloc, &idx, rules, &membership, &overlap_rules, period);
    let overlap_members: Vec<&[PersonIx]> = overlap_rules
        .iter()
        .map(|&r| membership.rules[r].persons.as_slice())
        .collect();
    // Published in this order, after the base analysis' groups; a later population nested in
    // an earlier one by 1–4 persons gives way.
    // The base analysis' complexity tables, as it publishes them (computed again here: the two
    // summaries run side by side).
    let (citizen_table, _) = complexity_table(&metrics.citizens, limit);
    let (family_table, _) = complexity_table(&metrics.families, limit);
    let base = base_populations(metrics, [&citizen_table, &family_table]);
    let everyone = Everyone::of(reg, alloc, metrics, &citizen_table, limit);
    let mut guard = Guard::new(&metrics.citizens.cost, limit);
    for (members, with_cost) in &base {
        guard.push(Shown {
            members,
            with_cost: *with_cost,
            bands: Vec::new(),
            sexes: Vec::new(),
        });
    }
    let target_rules = of_kind(AlertKind::TargetGroup);
    let target_groups: Vec<TargetGroupRow> = target_rules
        .iter()
        .map(|&r| {
            let m = &membership.rules[r];
            target_group(
                &rules.rules()[r],
                &m.persons,
                &m.families,
                metrics,
                &overlap_members,
                &mut guard,
                &everyone,
            )
        })
        .collect();
    let overlaps = overlap_rules
        .iter()
        .zip(&involved)
        .map(|(&r, inv)| {
            let m = &membership.rules[r];
            overlap_row(
                &rules.rules()[r],
                &m.persons,
                m.families.len(),
                metrics,
                inv,
                &mut guard,
                limit,
            )
        })
        .collect();
    let combinations = list_combinations(reg, metrics, period, &found, &mut guard, limit);
    tracing::debug!(
        rules = rules.rules().len(),
        combinations = combinations.found,
        "rules summarised"
    );
    let members = target_rules
        .iter()
        .zip(&target_groups)
        .filter(|(_, g)| !g.figures.is_suppressed())
        .map(|(&r, g)| GroupMembers {
            id: g.rule.id.clone(),
            name_da: g.rule.name_da.clone(),
            name_en: g.rule.name_en.clone(),
            members: membership.rules[r].persons.clone(),
        })
        .collect();
    (
        RuleAnalysis {
            source: rules.source_name().to_string(),
            target_groups,
            overlaps,
            combinations,
        },
        members,
    )
}

pub(crate) fn band_label(b: usize) -> String {
    match AGE_BANDS[b] {
        (from, Some(to)) => format!("{from}-{to}"),
        (from, None) => format!("{from}+"),
    }
}

impl JsonOut {
    /// The `rules` section of `summary.json`:
    /// `{source, target_groups: [{id, name_da, name_en, family_rule, citizens, families,
    /// mean_concurrent_departments, mean_concurrent_services, mean_contacts, suppressed,
    /// cost: {cost_ore, average_cost_ore, family_cost_ore, average_family_cost_ore, suppressed},
    /// cost_by_department: [{department, persons, cost_ore, suppressed}],
    /// concurrent_departments: [{departments: "0".."4+", citizens, suppressed}],
    /// services_7plus, overlaps: [{overlap, citizens, suppressed}]}],
    /// overlaps: [{id, name_da, name_en, severity, explanation_da, explanation_en, family_rule,
    /// citizens, families, suppressed, cost: {involved_cost_ore, average_involved_cost_ore,
    /// cost_ore, average_cost_ore, suppressed}}],
    /// combinations: {min_support, max_size, found, withheld_nested, published,
    /// list: [{rank, services: [code], departments: [code], size, citizens, cost_ore,
    /// average_cost_ore, suppressed, age_bands: [{band, citizens, suppressed}],
    /// women_share}]}}`. `families` and the family costs are `null` (not suppressed) for rules
    /// that are not family rules.
    pub(crate) fn rules(&mut self, r: &RuleAnalysis) -> Value {
        let base = "/rules";
        let tgs: Vec<Value> = r
            .target_groups
            .iter()
            .enumerate()
            .map(|(i, g)| self.target_group_json(&format!("{base}/target_groups/{i}"), g, r))
            .collect();
        let ovs: Vec<Value> = r
            .overlaps
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let path = format!("{base}/overlaps/{i}");
                let t = &o.rule;
                let mut v = self.row(
                    &path,
                    &o.figures,
                    &[
                        ("id", json!(t.id)),
                        ("name_da", json!(t.name_da)),
                        ("name_en", json!(t.name_en)),
                        ("severity", json!(t.severity.code())),
                        ("explanation_da", json!(t.explanation_da)),
                        ("explanation_en", json!(t.explanation_en)),
                        ("family_rule", json!(t.family)),
                    ],
                    &["citizens", "families"],
                    |f| vec![json!(f.citizens), json!(f.families)],
                );
                let cost = self.row(
                    &format!("{path}/cost"),
                    &o.cost,
                    &[],
                    &[
                        "involved_cost_ore",
                        "average_involved_cost_ore",
                        "cost_ore",
                        "average_cost_ore",
                    ],
                    |c| {
                        vec![
                            json!(c.involved.0),
                            json!(c.involved_average.0),
                            json!(c.cost.0),
                            json!(c.average.0),
                        ]
                    },
                );
                v["cost"] = cost;
                v
            })
            .collect();
        let c = &r.combinations;
        let list: Vec<Value> = c
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let path = format!("{base}/combinations/list/{i}");
                let mut v = self.row(
                    &path,
                    &row.citizens,
                    &[
                        ("rank", json!(row.rank)),
                        (
                            "services",
                            json!(row.services.iter().map(|s| &s.code).collect::<Vec<_>>()),
                        ),
                        (
                            "departments",
                            json!(row.departments.iter().map(|d| d.code()).collect::<Vec<_>>()),
                        ),
                        ("size", json!(row.services.len())),
                    ],
                    &["citizens"],
                    |n| vec![json!(n)],
                );
                let cost_ore =
                    self.scalar(&format!("{path}/cost_ore"), &row.cost, |c| json!(c.cost.0));
                let avg = self.scalar(&format!("{path}/average_cost_ore"), &row.cost, |c| {
                    json!(c.average.0)
                });
                v["cost_ore"] = cost_ore;
                v["average_cost_ore"] = avg;
                let bands: Vec<Value> = row
                    .age_bands
                    .iter()
                    .enumerate()
                    .map(|(b, cell)| {
                        self.row(
                            &format!("{path}/age_bands/{b}"),
                            cell,
                            &[("band", json!(band_label(b)))],
                            &["citizens"],
                            |n| vec![json!(n)],
                        )
                    })
                    .collect();
                v["age_bands"] = Value::Array(bands);
                v["women_share"] =
                    self.scalar(&format!("{path}/women_share"), &row.women_share, |s| {
                        json!(s)
                    });
                v
            })
            .collect();
        json!({
            "source": r.source,
            "target_groups": tgs,
            "overlaps": ovs,
            "combinations": {
                "min_support": c.min_support,
                "max_size": c.max_size,
                "found": c.found,
                "withheld_nested": c.withheld_nested,
                "published": c.rows.len(),
                "list": list,
            },
        })
    }

    fn target_group_json(&mut self, path: &str, g: &TargetGroupRow, r: &RuleAnalysis) -> Value {
        let t = &g.rule;
        let mut v = self.row(
            path,
            &g.figures,
            &[
                ("id", json!(t.id)),
                ("name_da", json!(t.name_da)),
                ("name_en", json!(t.name_en)),
                ("family_rule", json!(t.family)),
            ],
            &[
                "citizens",
                "families",
                "mean_concurrent_departments",
                "mean_concurrent_services",
                "mean_contacts",
            ],
            |f| {
                vec![
                    json!(f.citizens),
                    json!(f.families),
                    json!(f.mean_concurrent_departments),
                    json!(f.mean_concurrent_services),
                    json!(f.mean_contacts),
                ]
            },
        );
        v["cost"] = self.row(
            &format!("{path}/cost"),
            &g.cost,
            &[],
            &[
                "cost_ore",
                "average_cost_ore",
                "family_cost_ore",
                "average_family_cost_ore",
            ],
            |c| {
                vec![
                    json!(c.cost.0),
                    json!(c.average.0),
                    json!(c.family_cost.map(|o| o.0)),
                    json!(c.family_average.map(|o| o.0)),
                ]
            },
        );
        let by: Vec<Value> = g
            .by_centre
            .iter()
            .enumerate()
            .map(|(i, (centre, cell))| {
                self.row(
                    &format!("{path}/cost_by_department/{i}"),
                    cell,
                    &[("department", json!(centre.code()))],
                    &["persons", "cost_ore"],
                    |c| vec![json!(c.persons), json!(c.cost.0)],
                )
            })
            .collect();
        v["cost_by_department"] = Value::Array(by);
        let dist: Vec<Value> = g
            .concurrent_departments
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let label = crate::complexity::bucket_label(i);
                self.row(
                    &format!("{path}/concurrent_departments/{i}"),
                    cell,
                    &[("departments", json!(label))],
                    &["citizens"],
                    |n| vec![json!(n)],
                )
            })
            .collect();
        v["concurrent_departments"] = Value::Array(dist);
        v["services_7plus"] =
            self.scalar(&format!("{path}/services_7plus"), &g.services_7plus, |n| {
                json!(n)
            });
        let ovs: Vec<Value> = g
            .overlaps
            .iter()
            .zip(&r.overlaps)
            .enumerate()
            .map(|(i, (cell, o))| {
                self.row(
                    &format!("{path}/overlaps/{i}"),
                    cell,
                    &[("overlap", json!(o.rule.id))],
                    &["citizens"],
                    |n| vec![json!(n)],
                )
            })
            .collect();
        v["overlaps"] = Value::Array(ovs);
        v
    }
}
