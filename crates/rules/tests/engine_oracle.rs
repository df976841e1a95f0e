//! The sweep engine against a day-by-day oracle on random registers.
//!
//! The oracle reads the rule's meaning literally: for every day of the period, take the spells
//! active that day, count what each requirement counts, check the age in that day's year; then
//! cut the holding days into runs of consecutive days and keep runs of at least `min_days`.

mod common;

use chrono::{Datelike, NaiveDate};
use common::{Builder, SERVICES, d};
use std::collections::{BTreeMap, BTreeSet};
use tvaers_core::{Period, PersonIx, PersonRecord, Pseudonymised, Register};
use tvaers_rules::{
    Condition, Count, Index, PersonCondition, Rule, RuleSet, evaluate_all, evaluate_person,
};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const EXTRA_RULES: &str = r#"
[[target_group]]
id = "young_transfer_two_others"
name_da = "a"
name_en = "b"
explanation_da = "a"
explanation_en = "b"
age_min = 14
age_max = 16
min_days = 3
  [[target_group.require]]
  tags_any = ["overfoersel"]
  [[target_group.require]]
  tags_none = ["overfoersel"]
  at_least = 2
  at_most = 3

[[target_group]]
id = "three_services_few_departments"
name_da = "a"
name_en = "b"
explanation_da = "a"
explanation_en = "b"
  [[target_group.require]]
  count = "services"
  at_least = 3
  [[target_group.require]]
  count = "departments"
  at_most = 2
  at_least = 0

[[overlap]]
id = "three_contacts"
name_da = "a"
name_en = "b"
severity = "info"
explanation_da = "a"
explanation_en = "b"
  [[overlap.require]]
  count = "contacts"
  at_least = 3

[[overlap]]
id = "activation_without_treatment"
name_da = "a"
name_en = "b"
severity = "kritisk"
explanation_da = "a"
explanation_en = "b"
min_days = 5
  [[overlap.require]]
  tags_any = ["aktivering"]
  [[overlap.require]]
  tags_any = ["behandling"]
  at_least = 0
  at_most = 0
  [[overlap.require]]
  kind = "indsats"
  departments_none = ["sundhed"]
  tags_all = ["aktivering", "fysisk_traening"]

[[overlap]]
id = "family_distinct"
name_da = "a"
name_en = "b"
severity = "advarsel"
explanation_da = "a"
explanation_en = "b"
min_days = 2
  [[overlap.member]]
  age_max = 17
    [[overlap.member.require]]
    tags_any = ["barn", "ung"]
  [[overlap.member]]
  age_min = 18
    [[overlap.member.require]]
    kind = "ydelse"
  [[overlap.member]]
  age_min = 18
    [[overlap.member.require]]
    tags_any = ["hverdagsstoette", "aktivering"]

[[overlap]]
id = "family_shared"
name_da = "a"
name_en = "b"
severity = "advarsel"
explanation_da = "a"
explanation_en = "b"
distinct_members = false
  [[overlap.member]]
    [[overlap.member.require]]
    tags_any = ["aktivering"]
  [[overlap.member]]
    [[overlap.member.require]]
    tags_any = ["familiebehandling", "behandling"]

[[overlap]]
id = "sequence_short"
name_da = "a"
name_en = "b"
severity = "info"
explanation_da = "a"
explanation_en = "b"
age_min = 10
age_max = 20
  [overlap.sequence]
  within_days = 20
  first = { tags_any = ["barn", "ung"] }
  then = { departments_none = ["boern_familie"] }
"#;

fn random_register(seed: u64) -> Register<Pseudonymised> {
    let mut rng = Rng(seed);
    let mut b = Builder::new();
    let base = d("2024-10-01");
    for _ in 0..120 {
        let f = b.family();
        let size = 1 + rng.below(4);
        for _ in 0..size {
            let p = b.member(1995 + rng.below(20) as i32, f);
            for _ in 0..rng.below(7) {
                let code = SERVICES[rng.below(SERVICES.len() as u64) as usize].0;
                let start = base + chrono::Days::new(rng.below(200));
                let end = (rng.below(5) > 0).then(|| start + chrono::Days::new(rng.below(70)));
                let contact = (rng.below(4) > 0).then(|| rng.below(6) as u32);
                let (s, e) = (start.to_string(), end.map(|e| e.to_string()));
                b.spell_with_contact(p, code, &s, e.as_deref(), contact);
            }
        }
    }
    b.build()
}

fn days(period: Period) -> Vec<NaiveDate> {
    period
        .from()
        .iter_days()
        .take(period.days() as usize)
        .collect()
}

fn holds_on(
    reg: &Register<Pseudonymised>,
    c: &PersonCondition,
    p: PersonIx,
    day: NaiveDate,
) -> bool {
    let age = reg.person(p).age_in_year(day.year());
    if c.age_min.is_some_and(|a| age < a) || c.age_max.is_some_and(|a| age > a) {
        return false;
    }
    let active: Vec<_> = reg
        .spells
        .iter()
        .filter(|s| s.person == p && s.start <= day && s.end.is_none_or(|e| day <= e))
        .collect();
    c.require.iter().all(|r| {
        let matching: Vec<_> = active
            .iter()
            .filter(|s| r.selector.matches(reg.catalogue.get(s.service)))
            .collect();
        let n = match r.count {
            Count::Spells => matching.len(),
            Count::Services => matching
                .iter()
                .map(|s| s.service)
                .collect::<BTreeSet<_>>()
                .len(),
            Count::Departments => matching
                .iter()
                .map(|s| reg.catalogue.get(s.service).department)
                .collect::<BTreeSet<_>>()
                .len(),
            Count::Contacts => matching
                .iter()
                .filter_map(|s| s.contact)
                .collect::<BTreeSet<_>>()
                .len(),
        } as u32;
        r.at_least <= n && r.at_most.is_none_or(|m| n <= m)
    })
}

/// Runs of consecutive days in a sorted day list.
fn runs(ds: &[NaiveDate]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &day in ds {
        match out.last_mut() {
            Some(r) if r.1.succ_opt() == Some(day) => r.1 = day,
            _ => out.push((day, day)),
        }
    }
    out
}

fn long_enough(rs: Vec<(NaiveDate, NaiveDate)>, min_days: u32) -> Vec<(NaiveDate, NaiveDate)> {
    rs.into_iter()
        .filter(|(a, b)| (*b - *a).num_days() + 1 >= min_days as i64)
        .collect()
}

/// The oracle's alert intervals per person for one rule.
fn oracle(
    reg: &Register<Pseudonymised>,
    idx: &Index,
    rule: &Rule,
    period: Period,
) -> BTreeMap<PersonIx, Vec<(NaiveDate, NaiveDate)>> {
    let all_days = days(period);
    let mut out = BTreeMap::new();
    match &rule.condition {
        Condition::Person(c) => {
            for p in 0..reg.persons.len() {
                let p = PersonIx(p as u32);
                let ds: Vec<_> = all_days
                    .iter()
                    .copied()
                    .filter(|&t| holds_on(reg, c, p, t))
                    .collect();
                let rs = long_enough(runs(&ds), rule.min_days);
                if !rs.is_empty() {
                    out.insert(p, rs);
                }
            }
        }
        Condition::Family {
            members,
            distinct_members,
        } => {
            for f in 0..idx.families.len() {
                let fam = idx.families.members(tvaers_core::FamilyIx(f as u32));
                // Every tuple of members, one per role.
                let mut tuples: Vec<Vec<PersonIx>> = vec![vec![]];
                for _ in members {
                    tuples = tuples
                        .into_iter()
                        .flat_map(|t| {
                            fam.iter().filter_map(move |&m| {
                                if *distinct_members && t.contains(&m) {
                                    None
                                } else {
                                    let mut t2 = t.clone();
                                    t2.push(m);
                                    Some(t2)
                                }
                            })
                        })
                        .collect();
                }
                let mut per_person: BTreeMap<PersonIx, BTreeSet<NaiveDate>> = BTreeMap::new();
                for t in tuples {
                    let ds: Vec<_> = all_days
                        .iter()
                        .copied()
                        .filter(|&day| {
                            members
                                .iter()
                                .zip(&t)
                                .all(|(c, &p)| holds_on(reg, c, p, day))
                        })
                        .collect();
                    for (a, b) in long_enough(runs(&ds), rule.min_days) {
                        for &p in &t {
                            per_person
                                .entry(p)
                                .or_default()
                                .extend(a.iter_days().take_while(|x| *x <= b));
                        }
                    }
                }
                for (p, ds) in per_person {
                    out.insert(p, runs(&ds.into_iter().collect::<Vec<_>>()));
                }
            }
        }
        Condition::Sequence(s) => {
            for (i, sp) in reg.spells.iter().enumerate() {
                let Some(e) = sp.end else { continue };
                let by = reg.person(sp.person).birth_year();
                let age = e.year() - by;
                if !period.contains(e)
                    || !s.first.matches(reg.catalogue.get(sp.service))
                    || s.age_min.is_some_and(|a| age < a)
                    || s.age_max.is_some_and(|a| age > a)
                {
                    continue;
                }
                // The first day after `e`, within the window and the period, with a follower.
                let follower = (1..=s.within_days as u64)
                    .map(|k| e + chrono::Days::new(k))
                    .filter(|t| period.contains(*t))
                    .find(|&t| {
                        reg.spells.iter().enumerate().any(|(j, o)| {
                            j != i
                                && o.person == sp.person
                                && s.then.matches(reg.catalogue.get(o.service))
                                && o.start <= t
                                && o.end.is_none_or(|x| t <= x)
                        })
                    });
                if let Some(t) = follower {
                    out.entry(sp.person).or_insert_with(Vec::new).push((e, t));
                }
            }
            for v in out.values_mut() {
                v.sort_unstable();
            }
        }
    }
    out
}

fn check(seed: u64, rules: &RuleSet, period: Period) {
    let reg = random_register(seed);
    let idx = Index::build(&reg);
    let membership = evaluate_all(&reg, rules, period);
    let mut engine: Vec<BTreeMap<PersonIx, Vec<(NaiveDate, NaiveDate)>>> =
        vec![BTreeMap::new(); rules.rules().len()];
    for p in 0..reg.persons.len() {
        let p = PersonIx(p as u32);
        for a in evaluate_person(&reg, &idx, rules, p, period) {
            let ri = rules
                .rules()
                .iter()
                .position(|r| r.id == a.rule_id)
                .expect("known rule");
            engine[ri].entry(p).or_default().push((a.from, a.to));
        }
    }
    let mut nonempty = 0;
    for (ri, rule) in rules.rules().iter().enumerate() {
        let expected = oracle(&reg, &idx, rule, period);
        assert_eq!(engine[ri], expected, "seed {seed}, rule {}", rule.id);
        let members: Vec<PersonIx> = expected.keys().copied().collect();
        assert_eq!(
            membership.rules[ri].persons, members,
            "seed {seed}, rule {} (evaluate_all)",
            rule.id
        );
        nonempty += usize::from(!expected.is_empty());
    }
    // The data must exercise the rules, or agreement proves little.
    assert!(
        nonempty * 2 >= rules.rules().len(),
        "seed {seed}: only {nonempty} rules ever held"
    );
}

#[test]
fn custom_rules_agree_with_the_day_by_day_oracle() {
    let rules = RuleSet::parse(EXTRA_RULES, "extra.toml").expect("valid");
    // Across a new year, so that ages change inside the period.
    let period = Period::new(d("2024-11-15"), d("2025-03-20")).expect("period");
    for seed in 1..=8u64 {
        check(seed * 7919, &rules, period);
    }
}

#[test]
fn standard_rules_agree_with_the_day_by_day_oracle() {
    let rules = RuleSet::standard();
    let period = Period::new(d("2024-12-01"), d("2025-04-30")).expect("period");
    for seed in 1..=6u64 {
        check(seed * 104_729, &rules, period);
    }
}
