//! Evaluating rules: an interval sweep over each citizen's spells clipped to the period.
//!
//! Between two consecutive spell boundaries the set of active spells is constant, so a condition
//! is checked once per such segment rather than once per day. Segments are also cut at 1 January
//! so that the age in the year is constant on each of them. Work per citizen is linear in the
//! number of their spells times the number of requirements; citizens without spells in the
//! period cost nothing.

use crate::model::*;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use tvaers_core::{
    Catalogue, Families, FamilyIx, Identity, Period, PersonIx, PersonRecord, PersonSpells,
    Pseudonymised, Register, ServiceIx,
};

/// The groupings evaluation needs, built once per register.
#[derive(Debug, Clone)]
pub struct Index {
    pub spells: PersonSpells,
    pub families: Families,
}

impl Index {
    pub fn build<I: Identity>(reg: &Register<I>) -> Index {
        Index {
            spells: PersonSpells::build(&reg.spells, reg.persons.len()),
            families: Families::build(reg),
        }
    }
}

/// A rule that holds for a citizen over an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub rule_id: String,
    pub kind: AlertKind,
    pub severity: Severity,
    pub explanation_da: String,
    pub explanation_en: String,
    /// The citizen's services that made the rule hold (distinct, ascending). For a family rule,
    /// only the evaluated citizen's own services; for a sequence, the ending service and the
    /// services that followed.
    pub services: Vec<ServiceIx>,
    /// First day the condition held (for a sequence: the last day of the ending service).
    pub from: NaiveDate,
    /// Last day the condition held (for a sequence: the first day a following service was
    /// active).
    pub to: NaiveDate,
}

/// Who meets one rule in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMembership {
    pub rule_id: String,
    pub kind: AlertKind,
    pub severity: Severity,
    /// Citizens for whom the rule held on some day (for a family rule: the citizens filling its
    /// member roles), ascending.
    pub persons: Vec<PersonIx>,
    /// Families meeting a family rule, ascending; empty for other rules.
    pub families: Vec<FamilyIx>,
}

/// Per rule, in rule-set order, who meets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub rules: Vec<RuleMembership>,
}

impl Membership {
    pub fn get(&self, rule_id: &str) -> Option<&RuleMembership> {
        self.rules.iter().find(|r| r.rule_id == rule_id)
    }
}

const NONE: u32 = u32::MAX;

/// A spell clipped to the period, as day numbers.
#[derive(Debug, Clone, Copy)]
struct Clip {
    start: i32,
    /// Inclusive.
    end: i32,
    service: u32,
    contact: u32,
    /// The spell's own end lies inside the period (so `end` is where it really ended).
    ends_in_period: bool,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    day: i32,
    /// `NONE` for a year boundary.
    clip: u32,
    delta: i32,
}

fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn date_of(n: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(n).expect("day numbers come from dates")
}

/// The period as day numbers, with where each calendar year starts inside it.
struct Frame {
    period: Period,
    to: i32,
    /// `(first day inside the period, year)`, ascending.
    years: Vec<(i32, i32)>,
}

impl Frame {
    fn new(period: Period) -> Frame {
        Frame {
            period,
            to: day_number(period.to()),
            years: period
                .year_segments()
                .map(|(y, seg)| (day_number(seg.from()), y))
                .collect(),
        }
    }

    /// Index into `years` of the year `day` (inside the period) falls in.
    fn year_index(&self, day: i32) -> usize {
        self.years
            .iter()
            .rposition(|(start, _)| *start <= day)
            .unwrap_or(0)
    }
}

struct CReq {
    matches: Vec<bool>,
    count: Count,
    at_least: u32,
    at_most: u32,
}

struct CCond {
    age_min: i32,
    age_max: i32,
    reqs: Vec<CReq>,
}

enum CShape {
    Person(CCond),
    Family { members: Vec<CCond>, distinct: bool },
    Sequence(CSequence),
}

/// A sequence rule bound to the catalogue.
struct CSequence {
    age_min: i32,
    age_max: i32,
    first: Vec<bool>,
    then: Vec<bool>,
    within: i32,
}

struct CRule {
    shape: CShape,
    min_days: i32,
}

/// A rule set bound to one catalogue: every selector becomes a lookup by service index.
struct Compiled {
    rules: Vec<CRule>,
    department_of: Vec<u32>,
}

fn compile_selector(sel: &Selector, cat: &Catalogue) -> Vec<bool> {
    cat.entries().iter().map(|e| sel.matches(e)).collect()
}

fn compile_cond(c: &PersonCondition, cat: &Catalogue) -> CCond {
    CCond {
        age_min: c.age_min.unwrap_or(i32::MIN),
        age_max: c.age_max.unwrap_or(i32::MAX),
        reqs: c
            .require
            .iter()
            .map(|r| CReq {
                matches: compile_selector(&r.selector, cat),
                count: r.count,
                at_least: r.at_least,
                at_most: r.at_most.unwrap_or(u32::MAX),
            })
            .collect(),
    }
}

impl Compiled {
    fn new(rules: &RuleSet, cat: &Catalogue) -> Compiled {
        Compiled {
            rules: rules
                .rules
                .iter()
                .map(|r| CRule {
                    // A run longer than i32::MAX days cannot occur: such a rule matches nothing.
                    min_days: i32::try_from(r.min_days).unwrap_or(i32::MAX),
                    shape: match &r.condition {
                        Condition::Person(c) => CShape::Person(compile_cond(c, cat)),
                        Condition::Family {
                            members,
                            distinct_members,
                        } => CShape::Family {
                            members: members.iter().map(|m| compile_cond(m, cat)).collect(),
                            distinct: *distinct_members,
                        },
                        Condition::Sequence(s) => CShape::Sequence(CSequence {
                            age_min: s.age_min.unwrap_or(i32::MIN),
                            age_max: s.age_max.unwrap_or(i32::MAX),
                            first: compile_selector(&s.first, cat),
                            then: compile_selector(&s.then, cat),
                            // Beyond i32::MAX days is "any time later" all the same.
                            within: i32::try_from(s.within_days).unwrap_or(i32::MAX),
                        }),
                    },
                })
                .collect(),
            department_of: cat
                .entries()
                .iter()
                .map(|e| e.department.index() as u32)
                .collect(),
        }
    }
}

/// An interval on which a condition held, with the services that made it hold.
#[derive(Debug, Clone)]
struct Run {
    from: i32,
    to: i32,
    services: Vec<u32>,
}

/// One citizen's spells in the period, ready to sweep.
#[derive(Default)]
struct Prepared {
    clips: Vec<Clip>,
    events: Vec<Event>,
    /// The citizen's age in each year of the frame (`PersonRecord::age_in_year`).
    ages: Vec<i32>,
}

impl Prepared {
    fn load<I: Identity>(&mut self, reg: &Register<I>, idx: &Index, p: PersonIx, frame: &Frame) {
        self.clips.clear();
        self.events.clear();
        self.ages.clear();
        let record = reg.person(p);
        self.ages
            .extend(frame.years.iter().map(|&(_, y)| record.age_in_year(y)));
        for &s in idx.spells.of(p) {
            let sp = &reg.spells[s as usize];
            if let Some(seg) = frame.period.intersect(sp.start, sp.end) {
                self.clips.push(Clip {
                    start: day_number(seg.from()),
                    end: day_number(seg.to()),
                    service: sp.service.0,
                    contact: sp.contact.map_or(NONE, |c| c.0),
                    ends_in_period: sp.end.is_some_and(|e| e <= frame.period.to()),
                });
            }
        }
        if self.clips.is_empty() {
            return;
        }
        for (i, c) in self.clips.iter().enumerate() {
            self.events.push(Event {
                day: c.start,
                clip: i as u32,
                delta: 1,
            });
            self.events.push(Event {
                day: c.end + 1,
                clip: i as u32,
                delta: -1,
            });
        }
        for &(start, _) in &frame.years[1..] {
            self.events.push(Event {
                day: start,
                clip: NONE,
                delta: 0,
            });
        }
        self.events.sort_unstable_by_key(|e| e.day);
    }
}

/// Reused buffers for [`sweep`].
#[derive(Default)]
struct SweepScratch {
    counts: Vec<i64>,
    /// Per requirement, `(key, multiplicity)` of the distinct things counted.
    distinct: Vec<Vec<(u32, u32)>>,
    active: Vec<bool>,
}

fn age_ok(age: i32, lo: i32, hi: i32) -> bool {
    lo <= age && age <= hi
}

/// What [`sweep`] looks for.
#[derive(Clone, Copy)]
struct SweepQuery<'a> {
    cond: &'a CCond,
    /// Shorter runs are dropped.
    min_days: i32,
    /// Whether to fill [`Run::services`].
    want_services: bool,
}

/// The maximal intervals on which `q.cond` holds for one citizen, at least `q.min_days` long.
fn sweep(
    q: SweepQuery<'_>,
    person: &Prepared,
    frame: &Frame,
    department_of: &[u32],
    sc: &mut SweepScratch,
    out: &mut Vec<Run>,
) {
    let SweepQuery {
        cond,
        min_days,
        want_services,
    } = q;
    out.clear();
    let clips = &person.clips;
    if clips.is_empty() {
        return;
    }
    // Cheap necessary conditions first: most citizens fail them.
    if !person
        .ages
        .iter()
        .any(|&age| age_ok(age, cond.age_min, cond.age_max))
    {
        return;
    }
    for r in &cond.reqs {
        if r.at_least > 0 {
            let n = clips
                .iter()
                .filter(|c| r.matches[c.service as usize])
                .count();
            if (n as u32) < r.at_least {
                return;
            }
        }
    }
    let nreq = cond.reqs.len();
    sc.counts.clear();
    sc.counts.resize(nreq, 0);
    if sc.distinct.len() < nreq {
        sc.distinct.resize_with(nreq, Vec::new);
    }
    for d in &mut sc.distinct[..nreq] {
        d.clear();
    }
    sc.active.clear();
    sc.active.resize(clips.len(), false);

    let ev = &person.events;
    let mut k = 0;
    while k < ev.len() {
        let day = ev[k].day;
        while k < ev.len() && ev[k].day == day {
            let e = ev[k];
            k += 1;
            if e.clip == NONE {
                continue;
            }
            let c = &clips[e.clip as usize];
            sc.active[e.clip as usize] = e.delta > 0;
            for (ri, r) in cond.reqs.iter().enumerate() {
                if !r.matches[c.service as usize] {
                    continue;
                }
                let key = match r.count {
                    Count::Spells => {
                        sc.counts[ri] += e.delta as i64;
                        continue;
                    }
                    Count::Services => c.service,
                    Count::Departments => department_of[c.service as usize],
                    Count::Contacts => {
                        if c.contact == NONE {
                            continue;
                        }
                        c.contact
                    }
                };
                let set = &mut sc.distinct[ri];
                let pos = set.iter().position(|(k2, _)| *k2 == key);
                match (pos, e.delta > 0) {
                    (Some(i), true) => set[i].1 += 1,
                    (None, true) => set.push((key, 1)),
                    (Some(i), false) => {
                        set[i].1 -= 1;
                        if set[i].1 == 0 {
                            set.swap_remove(i);
                        }
                    }
                    (None, false) => unreachable!("a spell ends only after it started"),
                }
            }
        }
        if k == ev.len() {
            break;
        }
        let (seg_from, seg_to) = (day, ev[k].day - 1);
        let age = person.ages[frame.year_index(seg_from)];
        let holds = age_ok(age, cond.age_min, cond.age_max)
            && cond.reqs.iter().enumerate().all(|(ri, r)| {
                let n = match r.count {
                    Count::Spells => sc.counts[ri] as u32,
                    _ => sc.distinct[ri].len() as u32,
                };
                r.at_least <= n && n <= r.at_most
            });
        if !holds {
            continue;
        }
        match out.last_mut() {
            Some(run) if run.to + 1 == seg_from => run.to = seg_to,
            _ => out.push(Run {
                from: seg_from,
                to: seg_to,
                services: Vec::new(),
            }),
        }
        if want_services {
            let run = out.last_mut().expect("just pushed or extended");
            for (i, c) in clips.iter().enumerate() {
                if sc.active[i]
                    && cond
                        .reqs
                        .iter()
                        .any(|r| r.at_least > 0 && r.matches[c.service as usize])
                    && !run.services.contains(&c.service)
                {
                    run.services.push(c.service);
                }
            }
        }
    }
    out.retain(|r| r.to - r.from + 1 >= min_days);
}

/// Sequence rule for one citizen: each ending spell followed by a matching active spell.
fn sequence_runs(seq: &CSequence, person: &Prepared, frame: &Frame, out: &mut Vec<Run>) {
    let CSequence {
        age_min,
        age_max,
        ref first,
        ref then,
        within,
    } = *seq;
    out.clear();
    for (i, c) in person.clips.iter().enumerate() {
        if !c.ends_in_period || !first[c.service as usize] {
            continue;
        }
        let e = c.end;
        if !age_ok(person.ages[frame.year_index(e)], age_min, age_max) {
            continue;
        }
        let (w_from, w_to) = (e + 1, e.saturating_add(within).min(frame.to));
        if w_from > w_to {
            continue;
        }
        let mut first_day = i32::MAX;
        let mut services = vec![c.service];
        for (j, d) in person.clips.iter().enumerate() {
            if j != i && then[d.service as usize] && d.start <= w_to && d.end >= w_from {
                first_day = first_day.min(d.start.max(w_from));
                if !services.contains(&d.service) {
                    services.push(d.service);
                }
            }
        }
        if first_day != i32::MAX {
            out.push(Run {
                from: e,
                to: first_day,
                services,
            });
        }
    }
}

/// Sorted, disjoint interval lists → their intersection.
#[cfg(test)]
fn intersect(a: &[(i32, i32)], b: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo <= hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Sorts and merges touching or overlapping intervals.
fn merge(mut v: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    v.sort_unstable();
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The members (indices into the family) that can fill one role, with the days they do.
type RoleCandidates = Vec<(usize, Vec<(i32, i32)>)>;

/// A satisfying assignment of family members (indices into the family) to the roles, with the
/// days on which all of them held at once.
#[cfg(test)]
struct Assignment {
    persons: Vec<usize>,
    days: Vec<(i32, i32)>,
}

/// Every assignment of members to roles (distinct members if `distinct`) under which all
/// roles hold on the same days for at least `min_days` in a row. `cands[r]` lists the members
/// that can fill role `r`, with their intervals.
///
/// The literal definition, exponential in the number of roles (a family of m members has up to
/// m^roles assignments): kept as the reference [`fits`] is tested against.
#[cfg(test)]
fn assignments(cands: &[RoleCandidates], distinct: bool, min_days: i32) -> Vec<Assignment> {
    fn go(
        cands: &[RoleCandidates],
        distinct: bool,
        min_days: i32,
        chosen: &mut Vec<usize>,
        days: Option<&[(i32, i32)]>,
        out: &mut Vec<Assignment>,
    ) {
        let r = chosen.len();
        if r == cands.len() {
            let days: Vec<_> = days
                .unwrap_or(&[])
                .iter()
                .copied()
                .filter(|(a, b)| b - a + 1 >= min_days)
                .collect();
            if !days.is_empty() {
                out.push(Assignment {
                    persons: chosen.clone(),
                    days,
                });
            }
            return;
        }
        for (m, ivs) in &cands[r] {
            if distinct && chosen.contains(m) {
                continue;
            }
            let next = match days {
                None => ivs.clone(),
                Some(d) => intersect(d, ivs),
            };
            if next.is_empty() {
                continue;
            }
            chosen.push(*m);
            go(cands, distinct, min_days, chosen, Some(&next), out);
            chosen.pop();
        }
    }
    let mut out = Vec::new();
    if cands.iter().all(|c| !c.is_empty()) {
        go(cands, distinct, min_days, &mut Vec::new(), None, &mut out);
    }
    out
}

/// What one family member does under a family rule: what the satisfying assignments that
/// include them add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Fit {
    /// The roles the member fills in some satisfying assignment, ascending.
    roles: Vec<usize>,
    /// The union of those assignments' days, as merged runs.
    days: Vec<(i32, i32)>,
}

/// Appends `seg` to sorted, disjoint `runs`, joining it to the last run when they touch.
fn push_run(runs: &mut Vec<(i32, i32)>, seg: (i32, i32)) {
    match runs.last_mut() {
        Some(last) if last.1 + 1 == seg.0 => last.1 = seg.1,
        _ => runs.push(seg),
    }
}

/// `a` without the days of `b` (both sorted and disjoint).
fn subtract(a: &[(i32, i32)], b: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &(mut lo, hi) in a {
        while j < b.len() && b[j].1 < lo {
            j += 1;
        }
        let mut k = j;
        while lo <= hi && k < b.len() && b[k].0 <= hi {
            if b[k].0 > lo {
                out.push((lo, b[k].0 - 1));
            }
            lo = lo.max(b[k].1 + 1);
            k += 1;
        }
        if lo <= hi {
            out.push((lo, hi));
        }
    }
    out
}

/// Can every role but `skip` get its own member from `reps`, none of them `avoid`? Augmenting
/// paths (Kuhn); at most as many roles as representatives per role, so the work is tiny.
fn matchable(reps: &[Vec<usize>], skip: usize, avoid: Option<usize>) -> bool {
    fn augment(
        r: usize,
        reps: &[Vec<usize>],
        avoid: Option<usize>,
        owner: &mut Vec<(usize, usize)>,
        seen: &mut Vec<usize>,
    ) -> bool {
        for &m in &reps[r] {
            if Some(m) == avoid || seen.contains(&m) {
                continue;
            }
            seen.push(m);
            match owner.iter().position(|o| o.0 == m) {
                None => {
                    owner.push((m, r));
                    return true;
                }
                Some(j) => {
                    let other = owner[j].1;
                    if augment(other, reps, avoid, owner, seen) {
                        owner[j].1 = r;
                        return true;
                    }
                }
            }
        }
        false
    }
    let mut owner = Vec::new();
    let mut seen = Vec::new();
    (0..reps.len()).filter(|&r| r != skip).all(|r| {
        seen.clear();
        augment(r, reps, avoid, &mut owner, &mut seen)
    })
}

/// Per member (index into the family, ascending) that fills some role of a family rule: the
/// roles and days of [`Fit`] — what enumerating every assignment of members to roles would give
/// (distinct members if `distinct`, common runs of at least `min_days` days), without the
/// enumeration, whose size grows as members^roles.
///
/// An assignment's days are the common runs of one run of each chosen member (for their role)
/// at least `len = max(min_days, 1)` days long, i.e. the union of the `len`-day windows all
/// those runs cover. So a member's days are the union of the windows `[a, a + len − 1]` for
/// which they can fill a role while every other role is filled by someone (someone else, and
/// pairwise different, if `distinct`) whose run covers the window too. A run `[from, to]` is
/// available to windows starting in `[from, to − len + 1]`; one sweep over window starts keeps
/// the members available per role. Without `distinct` a role can be filled by any available
/// member whenever every other role has one. With `distinct`, whether the other roles can be
/// filled without member x is decided on k = (number of roles) representatives per role: any
/// k serve as well as all (at most k − 1 members are taken by x and the other roles, so a role
/// with k representatives always has one left), and only a member that is some role's
/// representative can make a difference. The work is O(n log n) in the number of runs.
fn fits(cands: &[RoleCandidates], distinct: bool, min_days: i32) -> Vec<(usize, Fit)> {
    let k = cands.len();
    if k == 0 || cands.iter().any(|c| c.is_empty()) {
        return Vec::new();
    }
    let len = min_days.max(1);
    // (first window start, +1 / −1, role, member)
    let mut events: Vec<(i32, i32, usize, usize)> = Vec::new();
    for (r, list) in cands.iter().enumerate() {
        for (m, runs) in list {
            for &(from, to) in runs {
                if to - from + 1 >= len {
                    events.push((from, 1, r, *m));
                    events.push((to - len + 2, -1, r, *m));
                }
            }
        }
    }
    events.sort_unstable_by_key(|e| e.0);
    // Per role: the members available at the current window start (with their run counts).
    let mut avail: Vec<BTreeMap<usize, u32>> = vec![BTreeMap::new(); k];
    // Per role: the window starts at which all other roles can be filled.
    let mut open: Vec<Vec<(i32, i32)>> = vec![Vec::new(); k];
    // Per (member, role): window starts inside `open` at which the others cannot be filled
    // without that member.
    let mut blocked: HashMap<(usize, usize), Vec<(i32, i32)>> = HashMap::new();
    let mut reps: Vec<Vec<usize>> = vec![Vec::new(); k];
    let mut special: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let day = events[i].0;
        while i < events.len() && events[i].0 == day {
            let (_, delta, r, m) = events[i];
            i += 1;
            if delta > 0 {
                *avail[r].entry(m).or_insert(0) += 1;
            } else {
                let n = avail[r]
                    .get_mut(&m)
                    .expect("a run is added before it is removed");
                *n -= 1;
                if *n == 0 {
                    avail[r].remove(&m);
                }
            }
        }
        if i == events.len() {
            break;
        }
        let seg = (day, events[i].0 - 1);
        if avail.iter().any(BTreeMap::is_empty) {
            continue;
        }
        if !distinct {
            for o in &mut open {
                push_run(o, seg);
            }
            continue;
        }
        for (rep, a) in reps.iter_mut().zip(&avail) {
            rep.clear();
            rep.extend(a.keys().take(k).copied());
        }
        special.clear();
        special.extend(reps.iter().flatten().copied());
        special.sort_unstable();
        special.dedup();
        for r in 0..k {
            if !matchable(&reps, r, None) {
                continue;
            }
            push_run(&mut open[r], seg);
            for &x in &special {
                if avail[r].contains_key(&x) && !matchable(&reps, r, Some(x)) {
                    push_run(blocked.entry((x, r)).or_default(), seg);
                }
            }
        }
    }
    let mut out: BTreeMap<usize, Fit> = BTreeMap::new();
    let mut starts: Vec<(i32, i32)> = Vec::new();
    for (r, list) in cands.iter().enumerate() {
        let open = &open[r];
        for (m, runs) in list {
            starts.clear();
            for &(from, to) in runs {
                if to - from + 1 < len {
                    continue;
                }
                let (lo, hi) = (from, to - len + 1);
                let first = open.partition_point(|o| o.1 < lo);
                for o in open[first..].iter().take_while(|o| o.0 <= hi) {
                    starts.push((o.0.max(lo), o.1.min(hi)));
                }
            }
            let allowed = match blocked.get(&(*m, r)) {
                Some(b) => subtract(&starts, b),
                None => std::mem::take(&mut starts),
            };
            if allowed.is_empty() {
                continue;
            }
            let fit = out.entry(*m).or_default();
            fit.roles.push(r);
            fit.days
                .extend(allowed.iter().map(|&(a, b)| (a, b + len - 1)));
        }
    }
    out.into_iter()
        .map(|(m, mut fit)| {
            fit.days = merge(std::mem::take(&mut fit.days));
            (m, fit)
        })
        .collect()
}

/// Per-thread state for evaluating many citizens or families.
#[derive(Default)]
struct Worker {
    prepared: Vec<Prepared>,
    scratch: SweepScratch,
    runs: Vec<Run>,
}

impl Worker {
    /// Evaluates a family rule on a family of `members` persons, loaded by [`Self::load_family`];
    /// returns the members (indices into the family's member list) filling some role of a
    /// satisfying assignment, with their roles and days ([`fits`]).
    fn family(
        &mut self,
        members: usize,
        roles: &[CCond],
        distinct: bool,
        min_days: i32,
        frame: &Frame,
        c: &Compiled,
    ) -> Vec<(usize, Fit)> {
        let mut cands: Vec<RoleCandidates> = Vec::with_capacity(roles.len());
        for role in roles {
            let mut list = Vec::new();
            for m in 0..members {
                // min_days applies to the family's common days, not to each member alone.
                sweep(
                    SweepQuery {
                        cond: role,
                        min_days: 1,
                        want_services: false,
                    },
                    &self.prepared[m],
                    frame,
                    &c.department_of,
                    &mut self.scratch,
                    &mut self.runs,
                );
                if !self.runs.is_empty() {
                    list.push((m, self.runs.iter().map(|r| (r.from, r.to)).collect()));
                }
            }
            if list.is_empty() {
                return Vec::new();
            }
            cands.push(list);
        }
        fits(&cands, distinct, min_days)
    }

    fn load_family<I: Identity>(
        &mut self,
        reg: &Register<I>,
        idx: &Index,
        members: &[PersonIx],
        frame: &Frame,
    ) {
        if self.prepared.len() < members.len() {
            self.prepared.resize_with(members.len(), Prepared::default);
        }
        for (m, &p) in members.iter().enumerate() {
            self.prepared[m].load(reg, idx, p, frame);
        }
    }
}

/// Every alert for one citizen in `period`, in rule order and by date within a rule.
///
/// Generic over the identity: the same rules serve statistics and, for one identified citizen,
/// case processing. Family rules look at the citizen's family as `idx` groups it.
pub fn evaluate_person<I: Identity>(
    reg: &Register<I>,
    idx: &Index,
    rules: &RuleSet,
    person: PersonIx,
    period: Period,
) -> Vec<Alert> {
    evaluate_persons(reg, idx, rules, &[person], period)
        .pop()
        .expect("one list per person")
}

/// [`evaluate_person`] for each of `persons`, in the same order. Each family rule is evaluated
/// once per family, not once per member, so the work is linear in the families' sizes even
/// when many members of one (large) family are asked for.
pub fn evaluate_persons<I: Identity>(
    reg: &Register<I>,
    idx: &Index,
    rules: &RuleSet,
    persons: &[PersonIx],
    period: Period,
) -> Vec<Vec<Alert>> {
    let c = Compiled::new(rules, &reg.catalogue);
    let mut e = PersonEvaluator {
        reg,
        idx,
        rules,
        c: &c,
        frame: Frame::new(period),
        w: Worker::default(),
        own: Prepared::default(),
        loaded: None,
        fits: (0..c.rules.len()).map(|_| None).collect(),
    };
    // Family by family, so that a family's rules are evaluated once.
    let mut order: Vec<usize> = (0..persons.len()).collect();
    order.sort_by_key(|&i| (idx.families.of(persons[i]), i));
    let mut out: Vec<Vec<Alert>> = vec![Vec::new(); persons.len()];
    for i in order {
        out[i] = e.alerts(persons[i]);
    }
    out
}

/// State for [`evaluate_persons`]: the family last loaded and its family rules' results.
struct PersonEvaluator<'a, I: Identity> {
    reg: &'a Register<I>,
    idx: &'a Index,
    rules: &'a RuleSet,
    c: &'a Compiled,
    frame: Frame,
    w: Worker,
    own: Prepared,
    /// The family whose members `w` holds.
    loaded: Option<FamilyIx>,
    /// Per rule: the family it was last evaluated on, and each filling member's [`Fit`].
    fits: Vec<Option<(FamilyIx, HashMap<PersonIx, Fit>)>>,
}

impl<I: Identity> PersonEvaluator<'_, I> {
    fn alerts(&mut self, person: PersonIx) -> Vec<Alert> {
        let (reg, idx, c) = (self.reg, self.idx, self.c);
        let frame = &self.frame;
        self.own.load(reg, idx, person, frame);
        let own = &self.own;
        let mut alerts = Vec::new();
        for (ri, (rule, cr)) in self.rules.rules.iter().zip(&c.rules).enumerate() {
            let mut runs: Vec<Run> = Vec::new();
            match &cr.shape {
                CShape::Person(cond) => sweep(
                    SweepQuery {
                        cond,
                        min_days: cr.min_days,
                        want_services: true,
                    },
                    own,
                    frame,
                    &c.department_of,
                    &mut self.w.scratch,
                    &mut runs,
                ),
                CShape::Sequence(seq) => sequence_runs(seq, own, frame, &mut runs),
                CShape::Family { members, distinct } => {
                    let f = idx.families.of(person);
                    if !matches!(&self.fits[ri], Some((g, _)) if *g == f) {
                        let fam = idx.families.members(f);
                        if self.loaded != Some(f) {
                            self.w.load_family(reg, idx, fam, frame);
                            self.loaded = Some(f);
                        }
                        let found =
                            self.w
                                .family(fam.len(), members, *distinct, cr.min_days, frame, c);
                        let by_person = found.into_iter().map(|(m, fit)| (fam[m], fit)).collect();
                        self.fits[ri] = Some((f, by_person));
                    }
                    let Some((_, by_person)) = &self.fits[ri] else {
                        unreachable!("just evaluated")
                    };
                    let Some(fit) = by_person.get(&person) else {
                        continue;
                    };
                    for &(from, to) in &fit.days {
                        let mut services = Vec::new();
                        for clip in &own.clips {
                            let used = fit.roles.iter().any(|&role| {
                                members[role]
                                    .reqs
                                    .iter()
                                    .any(|r| r.at_least > 0 && r.matches[clip.service as usize])
                            });
                            if used
                                && clip.start <= to
                                && clip.end >= from
                                && !services.contains(&clip.service)
                            {
                                services.push(clip.service);
                            }
                        }
                        runs.push(Run { from, to, services });
                    }
                }
            }
            runs.sort_by_key(|r| (r.from, r.to));
            for run in runs {
                let mut services: Vec<ServiceIx> =
                    run.services.into_iter().map(ServiceIx).collect();
                services.sort_unstable();
                alerts.push(Alert {
                    rule_id: rule.id.clone(),
                    kind: rule.kind,
                    severity: rule.severity,
                    explanation_da: rule.explanation_da.clone(),
                    explanation_en: rule.explanation_en.clone(),
                    services,
                    from: date_of(run.from),
                    to: date_of(run.to),
                });
            }
        }
        alerts
    }
}

/// Who meets each rule in `period`, for statistics. Builds the index; see
/// [`evaluate_all_indexed`] to reuse one.
pub fn evaluate_all(reg: &Register<Pseudonymised>, rules: &RuleSet, period: Period) -> Membership {
    let idx = Index::build(reg);
    evaluate_all_indexed(reg, &idx, rules, period)
}

/// Persons or families per parallel task: big enough to amortise scheduling.
const CHUNK: usize = 4096;

/// [`evaluate_all`] with a prebuilt index.
pub fn evaluate_all_indexed(
    reg: &Register<Pseudonymised>,
    idx: &Index,
    rules: &RuleSet,
    period: Period,
) -> Membership {
    let c = Compiled::new(rules, &reg.catalogue);
    let frame = Frame::new(period);
    let nrules = c.rules.len();
    let has_single = c
        .rules
        .iter()
        .any(|r| !matches!(r.shape, CShape::Family { .. }));
    let has_family = c
        .rules
        .iter()
        .any(|r| matches!(r.shape, CShape::Family { .. }));

    // Citizen-level rules: (rule, person) pairs, chunks kept in order so lists come out sorted.
    let persons = reg.persons.len();
    let single: Vec<Vec<(u32, u32)>> = if has_single {
        (0..persons.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let mut w = Worker::default();
                let mut own = Prepared::default();
                let mut hits = Vec::new();
                for p in chunk * CHUNK..((chunk + 1) * CHUNK).min(persons) {
                    let px = PersonIx(p as u32);
                    own.load(reg, idx, px, &frame);
                    if own.clips.is_empty() {
                        continue;
                    }
                    for (ri, cr) in c.rules.iter().enumerate() {
                        match &cr.shape {
                            CShape::Person(cond) => sweep(
                                SweepQuery {
                                    cond,
                                    min_days: cr.min_days,
                                    want_services: false,
                                },
                                &own,
                                &frame,
                                &c.department_of,
                                &mut w.scratch,
                                &mut w.runs,
                            ),
                            CShape::Sequence(seq) => sequence_runs(seq, &own, &frame, &mut w.runs),
                            CShape::Family { .. } => continue,
                        }
                        if !w.runs.is_empty() {
                            hits.push((ri as u32, p as u32));
                        }
                    }
                }
                hits
            })
            .collect()
    } else {
        Vec::new()
    };

    // Family rules: (rule, family, members filling roles).
    let families = idx.families.len();
    let family: Vec<Vec<(u32, u32, Vec<PersonIx>)>> = if has_family {
        (0..families.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let mut w = Worker::default();
                let mut hits = Vec::new();
                for f in chunk * CHUNK..((chunk + 1) * CHUNK).min(families) {
                    let fx = FamilyIx(f as u32);
                    let members = idx.families.members(fx);
                    // A family with no spells in the period cannot meet any rule.
                    if members.iter().all(|&p| idx.spells.of(p).is_empty()) {
                        continue;
                    }
                    let mut loaded = false;
                    for (ri, cr) in c.rules.iter().enumerate() {
                        let CShape::Family {
                            members: roles,
                            distinct,
                        } = &cr.shape
                        else {
                            continue;
                        };
                        if !loaded {
                            w.load_family(reg, idx, members, &frame);
                            loaded = true;
                        }
                        let found =
                            w.family(members.len(), roles, *distinct, cr.min_days, &frame, &c);
                        if !found.is_empty() {
                            let mut ps: Vec<PersonIx> =
                                found.iter().map(|(m, _)| members[*m]).collect();
                            ps.sort_unstable();
                            hits.push((ri as u32, f as u32, ps));
                        }
                    }
                }
                hits
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut out: Vec<RuleMembership> = rules
        .rules
        .iter()
        .map(|r| RuleMembership {
            rule_id: r.id.clone(),
            kind: r.kind,
            severity: r.severity,
            persons: Vec::new(),
            families: Vec::new(),
        })
        .collect();
    for (ri, p) in single.into_iter().flatten() {
        out[ri as usize].persons.push(PersonIx(p));
    }
    for (ri, f, ps) in family.into_iter().flatten() {
        let m = &mut out[ri as usize];
        m.families.push(FamilyIx(f));
        m.persons.extend(ps);
    }
    for m in &mut out {
        // Families are numbered by first appearance, so their members are not in person order.
        m.persons.sort_unstable();
        m.persons.dedup();
    }
    debug_assert_eq!(out.len(), nrules);
    Membership { rules: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_helpers() {
        assert_eq!(
            intersect(&[(1, 5), (8, 10)], &[(4, 9)]),
            vec![(4, 5), (8, 9)]
        );
        assert_eq!(intersect(&[(1, 2)], &[(3, 4)]), vec![]);
        // Touching intervals join; day 4 and day 7 are gaps.
        assert_eq!(
            merge(vec![(5, 6), (1, 2), (3, 3), (8, 9)]),
            vec![(1, 3), (5, 6), (8, 9)]
        );
        assert_eq!(merge(vec![(4, 9), (1, 5)]), vec![(1, 9)]);
    }

    /// What [`fits`] must give, read off the enumeration of every assignment.
    fn fits_by_enumeration(
        cands: &[RoleCandidates],
        distinct: bool,
        min_days: i32,
    ) -> Vec<(usize, Fit)> {
        let mut out: BTreeMap<usize, Fit> = BTreeMap::new();
        for a in assignments(cands, distinct, min_days) {
            for (role, &m) in a.persons.iter().enumerate() {
                let fit = out.entry(m).or_default();
                if !fit.roles.contains(&role) {
                    fit.roles.push(role);
                }
                fit.days.extend_from_slice(&a.days);
            }
        }
        out.into_iter()
            .map(|(m, mut fit)| {
                fit.roles.sort_unstable();
                fit.days = merge(fit.days);
                (m, fit)
            })
            .collect()
    }

    #[test]
    fn fits_agree_with_enumerating_every_assignment() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut below = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n) as i32
        };
        let mut held = 0;
        for case in 0..3000 {
            let roles = 1 + below(4) as usize;
            let members = 1 + below(6) as usize;
            let mut cands: Vec<RoleCandidates> = Vec::new();
            for _ in 0..roles {
                let mut list = Vec::new();
                for m in 0..members {
                    if below(3) == 0 {
                        continue;
                    }
                    // Disjoint, non-touching runs inside days 0..60, as the sweep gives them.
                    let mut runs = Vec::new();
                    let mut day = below(10);
                    for _ in 0..1 + below(3) {
                        let to = day + below(15);
                        if to >= 60 {
                            break;
                        }
                        runs.push((day, to));
                        day = to + 2 + below(8);
                    }
                    if !runs.is_empty() {
                        list.push((m, runs));
                    }
                }
                cands.push(list);
            }
            let distinct = below(2) == 0;
            let min_days = below(8);
            let want = fits_by_enumeration(&cands, distinct, min_days);
            held += usize::from(!want.is_empty());
            assert_eq!(
                fits(&cands, distinct, min_days),
                want,
                "case {case}: distinct {distinct}, min_days {min_days}, {cands:?}"
            );
        }
        assert!(held > 500, "only {held} cases held");
    }

    #[test]
    fn fits_of_a_family_of_thousands_take_linear_work() {
        // 20,000 members who can all fill both roles of a distinct-member rule: 4·10^8
        // assignments to enumerate, but one sweep over 40,000 runs for `fits`.
        let members = 20_000;
        let role: RoleCandidates = (0..members)
            .map(|m| {
                let from = (m % 300) as i32;
                (m, vec![(from, from + 30)])
            })
            .collect();
        let cands = vec![role.clone(), role];
        let got = fits(&cands, true, 7);
        assert_eq!(got.len(), members, "everyone has a partner on some week");
        for (m, fit) in &got {
            assert_eq!(fit.roles, vec![0, 1]);
            // Others start on the same day (m ± 300, …), so each member's whole run counts.
            let from = (*m % 300) as i32;
            assert_eq!(fit.days, vec![(from, from + 30)], "member {m}");
        }
    }

    #[test]
    fn assignments_respect_distinct_members() {
        // One member can fill both roles; with distinct members nobody else can.
        let cands = vec![vec![(0, vec![(1, 10)])], vec![(0, vec![(5, 20)])]];
        assert!(assignments(&cands, true, 1).is_empty());
        let a = assignments(&cands, false, 1);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].days, vec![(5, 10)]);
        // Six common days are not a week.
        assert!(assignments(&cands, false, 7).is_empty());
    }
}
