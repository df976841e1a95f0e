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
struct Assignment {
    persons: Vec<usize>,
    days: Vec<(i32, i32)>,
}

/// Every assignment of members to roles (distinct members if `distinct`) under which all
/// roles hold on the same days for at least `min_days` in a row. `cands[r]` lists the members
/// that can fill role `r`, with their intervals.
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

/// Per-thread state for evaluating many citizens or families.
#[derive(Default)]
struct Worker {
    prepared: Vec<Prepared>,
    scratch: SweepScratch,
    runs: Vec<Run>,
}

impl Worker {
    /// Evaluates a family rule on a family of `members` persons, loaded by [`Self::load_family`];
    /// returns the satisfying assignments (indices into the family's member list).
    fn family(
        &mut self,
        members: usize,
        roles: &[CCond],
        distinct: bool,
        min_days: i32,
        frame: &Frame,
        c: &Compiled,
    ) -> Vec<Assignment> {
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
        assignments(&cands, distinct, min_days)
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
    let c = Compiled::new(rules, &reg.catalogue);
    let frame = Frame::new(period);
    let mut w = Worker::default();
    let mut own = Prepared::default();
    own.load(reg, idx, person, &frame);
    let mut alerts = Vec::new();
    for (rule, cr) in rules.rules.iter().zip(&c.rules) {
        let mut runs: Vec<Run> = Vec::new();
        match &cr.shape {
            CShape::Person(cond) => sweep(
                SweepQuery {
                    cond,
                    min_days: cr.min_days,
                    want_services: true,
                },
                &own,
                &frame,
                &c.department_of,
                &mut w.scratch,
                &mut runs,
            ),
            CShape::Sequence(seq) => sequence_runs(seq, &own, &frame, &mut runs),
            CShape::Family { members, distinct } => {
                let fam = idx.families.members(idx.families.of(person));
                let me = fam
                    .iter()
                    .position(|&p| p == person)
                    .expect("a person is a member of their own family");
                w.load_family(reg, idx, fam, &frame);
                let found = w.family(fam.len(), members, *distinct, cr.min_days, &frame, &c);
                let mut days = Vec::new();
                let mut roles_filled = Vec::new();
                for a in &found {
                    for (role, &m) in a.persons.iter().enumerate() {
                        if m == me {
                            days.extend_from_slice(&a.days);
                            if !roles_filled.contains(&role) {
                                roles_filled.push(role);
                            }
                        }
                    }
                }
                for (from, to) in merge(days) {
                    let mut services = Vec::new();
                    for clip in &own.clips {
                        let used = roles_filled.iter().any(|&role| {
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
            let mut services: Vec<ServiceIx> = run.services.into_iter().map(ServiceIx).collect();
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
                            let mut ps: Vec<PersonIx> = found
                                .iter()
                                .flat_map(|a| a.persons.iter().map(|&m| members[m]))
                                .collect();
                            ps.sort_unstable();
                            ps.dedup();
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
