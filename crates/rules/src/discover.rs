//! Discovery of frequent concurrent service combinations (frequent itemsets where a citizen's
//! "baskets" are the sets of services active on the same day).
//!
//! 1. Per citizen, an interval sweep gives the distinct service sets active on each segment of
//!    the period; only the maximal ones are kept (every concurrent set is a subset of one).
//! 2. Apriori, level by level: a service or set counts once per citizen (deduplicated across the
//!    citizen's maximal sets); a `k`-set is only counted when its first `k-1` services already
//!    form a frequent set, since support can only fall as a set grows.
//! 3. A last pass collects the members of every frequent set, for cost and profiles.
//!
//! Sets are packed into a `u128` key, 16 bits per service (32 bits, and so at most four
//! services, for a catalogue of 65,535 services or more), so counting hashes integers.

use chrono::Datelike;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use tvaers_core::{
    Department, Ore, Period, PersonIx, PersonSpells, Pseudonymised, Register, ServiceIx,
};

/// Largest set size discovery looks for (a `u128` key holds eight 16-bit services; for a
/// catalogue of 65,535 services or more, four 32-bit ones).
pub const MAX_COMBINATION_SIZE: usize = 8;

/// A set of services that enough citizens receive on the same day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    /// Ascending.
    pub services: Vec<ServiceIx>,
    pub size: usize,
    /// Citizens receiving all of `services` on some common day in the period.
    pub support: usize,
    /// Sum of `cost` over the members (their whole cost, not only these services).
    pub total_cost: Ore,
    /// `total_cost / support`, rounded to the nearest øre.
    pub average_cost: Ore,
    /// Distinct departments of the services, ascending.
    pub departments: Vec<Department>,
    /// Ascending; for age and sex profiles (publish only through disclosure control).
    pub members: Vec<PersonIx>,
}

/// Multiplicative hashing for packed keys (SipHash is several times slower here and the keys
/// are not attacker-chosen).
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u128(&mut self, v: u128) {
        let x = (v as u64) ^ ((v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = (self.0 ^ x).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 31)
    }
}

type KeyBuild = BuildHasherDefault<KeyHasher>;
type KeyMap<V> = HashMap<u128, V, KeyBuild>;
type KeySet = HashSet<u128, KeyBuild>;

/// How services are packed into a key: `bits` per service, each stored as index + 1 so that 0
/// ends the set.
#[derive(Clone, Copy)]
struct Packing {
    bits: u32,
}

impl Packing {
    /// 16 bits while every index + 1 fits, else 32; `None` beyond `u32` indices.
    fn for_catalogue(services: usize) -> Option<Packing> {
        if services < usize::from(u16::MAX) {
            Some(Packing { bits: 16 })
        } else if u32::try_from(services).is_ok() {
            Some(Packing { bits: 32 })
        } else {
            None
        }
    }

    /// Services a key holds.
    fn capacity(self) -> usize {
        (u128::BITS / self.bits) as usize
    }

    fn push(self, key: u128, service: Item) -> u128 {
        (key << self.bits) | (u128::from(service) + 1)
    }

    fn unpack(self, mut key: u128) -> Vec<ServiceIx> {
        let mask = (1u128 << self.bits) - 1;
        let mut v = Vec::new();
        while key != 0 {
            // Every slot holds index + 1 ≤ u32::MAX (see `for_catalogue`).
            v.push(ServiceIx(((key & mask) as u32).saturating_sub(1)));
            key >>= self.bits;
        }
        v.reverse();
        v
    }
}

/// A service index in the baskets.
type Item = u32;

/// The frequent sets found so far, with how their keys are packed.
struct Frequent {
    keys: KeySet,
    packing: Packing,
}

/// Maximal concurrent service sets of a block of citizens, flat.
#[derive(Default)]
struct Baskets {
    persons: Vec<u32>,
    /// `person_sets[i]..person_sets[i+1]`: the sets of `persons[i]`.
    person_sets: Vec<u32>,
    /// `set_items[s]..set_items[s+1]`: the services (ascending) of set `s`.
    set_items: Vec<u32>,
    items: Vec<Item>,
}

impl Baskets {
    fn new() -> Baskets {
        Baskets {
            person_sets: vec![0],
            set_items: vec![0],
            ..Baskets::default()
        }
    }

    fn len(&self) -> usize {
        self.persons.len()
    }

    fn sets(&self, i: usize) -> impl Iterator<Item = &[Item]> {
        (self.person_sets[i]..self.person_sets[i + 1]).map(|s| {
            &self.items
                [self.set_items[s as usize] as usize..self.set_items[s as usize + 1] as usize]
        })
    }

    fn push_person(&mut self, person: u32, sets: &[Vec<Item>]) {
        if sets.is_empty() {
            return;
        }
        self.persons.push(person);
        for s in sets {
            self.items.extend_from_slice(s);
            self.set_items.push(self.items.len() as u32);
        }
        self.person_sets.push((self.set_items.len() - 1) as u32);
    }
}

fn is_subset(small: &[Item], big: &[Item]) -> bool {
    let mut j = 0;
    for &x in small {
        while j < big.len() && big[j] < x {
            j += 1;
        }
        if j == big.len() || big[j] != x {
            return false;
        }
        j += 1;
    }
    true
}

/// Keeps the sets that are no subset of another (input: distinct sorted sets).
fn maximal(mut sets: Vec<Vec<Item>>) -> Vec<Vec<Item>> {
    sets.sort_unstable_by_key(|s| std::cmp::Reverse(s.len()));
    let mut kept: Vec<Vec<Item>> = Vec::with_capacity(sets.len());
    for s in sets {
        if !kept.iter().any(|k| is_subset(&s, k)) {
            kept.push(s);
        }
    }
    kept
}

/// Citizens per parallel task.
const CHUNK: usize = 8192;

/// The service sets (size ≥ 2) that at least `min_support` citizens receive on some common day
/// of `period`, up to `max_size` services (at most [`MAX_COMBINATION_SIZE`]; at most four for a
/// catalogue of 65,535 services or more), ranked by the members' total `cost` (one entry per
/// person, indexed by [`PersonIx`]), then by support.
///
/// Panics if `cost` does not have one entry per person (a caller's mistake, not the data's).
pub fn discover_combinations(
    reg: &Register<Pseudonymised>,
    period: Period,
    cost: &[Ore],
    min_support: usize,
    max_size: usize,
) -> Vec<Combination> {
    assert_eq!(cost.len(), reg.persons.len(), "one cost per person");
    // Service indices are `u32`, so every catalogue a register can address has a packing.
    let Some(packing) = Packing::for_catalogue(reg.catalogue.len()) else {
        return Vec::new();
    };
    let min_support = min_support.max(1);
    let max_size = max_size.min(MAX_COMBINATION_SIZE).min(packing.capacity());
    if max_size < 2 {
        return Vec::new();
    }
    let index = PersonSpells::build(&reg.spells, reg.persons.len());
    let nserv = reg.catalogue.len();

    // 1. Maximal concurrent sets per citizen.
    let persons = reg.persons.len();
    let baskets: Vec<Baskets> = (0..persons.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut b = Baskets::new();
            let mut events: Vec<(i32, Item, i32)> = Vec::new();
            let mut active: Vec<(Item, u32)> = Vec::new();
            let mut found: Vec<Vec<Item>> = Vec::new();
            for p in chunk * CHUNK..((chunk + 1) * CHUNK).min(persons) {
                let spells = index.of(PersonIx(p as u32));
                if spells.len() < 2 {
                    continue;
                }
                events.clear();
                for &s in spells {
                    let sp = &reg.spells[s as usize];
                    if let Some(seg) = period.intersect(sp.start, sp.end) {
                        let svc: Item = sp.service.0;
                        events.push((seg.from().num_days_from_ce(), svc, 1));
                        events.push((seg.to().num_days_from_ce() + 1, svc, -1));
                    }
                }
                if events.len() < 4 {
                    continue;
                }
                events.sort_unstable();
                active.clear();
                found.clear();
                let mut k = 0;
                while k < events.len() {
                    let day = events[k].0;
                    while k < events.len() && events[k].0 == day {
                        let (_, svc, delta) = events[k];
                        k += 1;
                        let pos = active.iter().position(|(s, _)| *s == svc);
                        match (pos, delta > 0) {
                            (Some(i), true) => active[i].1 += 1,
                            (None, true) => active.push((svc, 1)),
                            (Some(i), false) => {
                                active[i].1 -= 1;
                                if active[i].1 == 0 {
                                    active.swap_remove(i);
                                }
                            }
                            (None, false) => unreachable!("a spell ends after it starts"),
                        }
                    }
                    if active.len() >= 2 {
                        let mut set: Vec<Item> = active.iter().map(|(s, _)| *s).collect();
                        set.sort_unstable();
                        if !found.contains(&set) {
                            found.push(set);
                        }
                    }
                }
                if !found.is_empty() {
                    let sets = maximal(std::mem::take(&mut found));
                    b.push_person(p as u32, &sets);
                }
            }
            b
        })
        .collect();

    // 2. Frequent single services (counted once per citizen), then drop the rest from baskets.
    let item_counts: Vec<u32> = baskets
        .par_iter()
        .map(|b| {
            let mut counts = vec![0u32; nserv];
            let mut seen: Vec<Item> = Vec::new();
            for i in 0..b.len() {
                seen.clear();
                for s in b.sets(i) {
                    seen.extend_from_slice(s);
                }
                seen.sort_unstable();
                seen.dedup();
                for &x in &seen {
                    counts[x as usize] += 1;
                }
            }
            counts
        })
        .reduce(
            || vec![0u32; nserv],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    let frequent_item: Vec<bool> = item_counts
        .iter()
        .map(|&c| c as usize >= min_support)
        .collect();
    let baskets: Vec<Baskets> = baskets
        .into_par_iter()
        .map(|b| {
            let mut out = Baskets::new();
            let mut sets: Vec<Vec<Item>> = Vec::new();
            for i in 0..b.len() {
                sets.clear();
                for s in b.sets(i) {
                    let f: Vec<Item> = s
                        .iter()
                        .copied()
                        .filter(|&x| frequent_item[x as usize])
                        .collect();
                    if f.len() >= 2 && !sets.contains(&f) {
                        sets.push(f);
                    }
                }
                let sets = maximal(std::mem::take(&mut sets));
                out.push_person(b.persons[i], &sets);
            }
            out
        })
        .collect();

    // 3. Level by level. `frequent` holds every frequent set of size ≥ 2 found so far.
    let mut frequent = Frequent {
        keys: KeySet::default(),
        packing,
    };
    for k in 2..=max_size {
        let counts: KeyMap<u32> = baskets
            .par_iter()
            .map(|b| {
                let mut counts: KeyMap<u32> = KeyMap::default();
                let mut keys: Vec<u128> = Vec::new();
                for i in 0..b.len() {
                    keys.clear();
                    for s in b.sets(i) {
                        if s.len() >= k {
                            subsets_of_size(s, k, &frequent, &mut keys);
                        }
                    }
                    keys.sort_unstable();
                    keys.dedup();
                    for &key in &keys {
                        *counts.entry(key).or_insert(0) += 1;
                    }
                }
                counts
            })
            .reduce(KeyMap::default, |a, b| {
                let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
                for (key, c) in small {
                    *big.entry(key).or_insert(0) += c;
                }
                big
            });
        let before = frequent.keys.len();
        frequent.keys.extend(
            counts
                .into_iter()
                .filter(|&(_, c)| c as usize >= min_support)
                .map(|(key, _)| key),
        );
        if frequent.keys.len() == before {
            break;
        }
    }
    if frequent.keys.is_empty() {
        return Vec::new();
    }

    // 4. Members of each frequent set.
    let mut pairs: Vec<(u128, u32)> = baskets
        .par_iter()
        .flat_map_iter(|b| {
            let mut out: Vec<(u128, u32)> = Vec::new();
            let mut keys: Vec<u128> = Vec::new();
            for i in 0..b.len() {
                keys.clear();
                for s in b.sets(i) {
                    frequent_subsets(s, max_size, &frequent, &mut keys);
                }
                keys.sort_unstable();
                keys.dedup();
                out.extend(keys.iter().map(|&key| (key, b.persons[i])));
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();

    let mut result: Vec<Combination> = pairs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|group| {
            let services = packing.unpack(group[0].0);
            let members: Vec<PersonIx> = group.iter().map(|&(_, p)| PersonIx(p)).collect();
            let total: i64 = members.iter().map(|p| cost[p.0 as usize].0).sum();
            let n = members.len() as i64;
            let mut departments: Vec<Department> = services
                .iter()
                .map(|&s| reg.catalogue.get(s).department)
                .collect();
            departments.sort_unstable();
            departments.dedup();
            Combination {
                size: services.len(),
                services,
                support: members.len(),
                total_cost: Ore(total),
                // Nearest øre, halves up (as activity_cost rounds).
                average_cost: Ore((total * 2 + n).div_euclid(2 * n)),
                departments,
                members,
            }
        })
        .collect();
    result.sort_by(|a, b| {
        b.total_cost
            .cmp(&a.total_cost)
            .then(b.support.cmp(&a.support))
            .then(a.services.cmp(&b.services))
    });
    result
}

/// Appends the keys of the `k`-subsets of `set` whose every prefix of size 2..k is frequent.
fn subsets_of_size(set: &[Item], k: usize, frequent: &Frequent, out: &mut Vec<u128>) {
    fn go(
        set: &[Item],
        start: usize,
        k: usize,
        depth: usize,
        key: u128,
        f: &Frequent,
        out: &mut Vec<u128>,
    ) {
        if depth == k {
            out.push(key);
            return;
        }
        // Leave room for the remaining picks.
        for i in start..=set.len() - (k - depth) {
            let next = f.packing.push(key, set[i]);
            // Prefixes of size ≥ 2 below k must be frequent already (Apriori).
            if depth + 1 >= 2 && depth + 1 < k && !f.keys.contains(&next) {
                continue;
            }
            go(set, i + 1, k, depth + 1, next, f, out);
        }
    }
    go(set, 0, k, 0, 0, frequent, out);
}

/// Appends the keys of all frequent subsets (size 2..=max) of `set`. Every prefix of a frequent
/// set is frequent, so the search stops at the first infrequent prefix.
fn frequent_subsets(set: &[Item], max: usize, frequent: &Frequent, out: &mut Vec<u128>) {
    fn go(
        set: &[Item],
        start: usize,
        depth: usize,
        max: usize,
        key: u128,
        f: &Frequent,
        out: &mut Vec<u128>,
    ) {
        for i in start..set.len() {
            let next = f.packing.push(key, set[i]);
            let d = depth + 1;
            if d >= 2 {
                if !f.keys.contains(&next) {
                    continue;
                }
                out.push(next);
            }
            if d < max {
                go(set, i + 1, d, max, next, f, out);
            }
        }
    }
    go(set, 0, 0, max, 0, frequent, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    const P16: Packing = Packing { bits: 16 };

    fn push_item(key: u128, service: Item) -> u128 {
        P16.push(key, service)
    }

    fn unpack(key: u128) -> Vec<ServiceIx> {
        P16.unpack(key)
    }

    fn frequent(keys: KeySet) -> Frequent {
        Frequent { keys, packing: P16 }
    }

    #[test]
    fn keys_round_trip_and_subsets() {
        let key = push_item(push_item(push_item(0, 3), 7), 0);
        assert_eq!(unpack(key), vec![ServiceIx(3), ServiceIx(7), ServiceIx(0)]);
        assert!(is_subset(&[2, 5], &[1, 2, 3, 5]));
        assert!(!is_subset(&[2, 4], &[1, 2, 3, 5]));
        let m = maximal(vec![vec![1, 2], vec![1, 2, 3], vec![3, 4]]);
        assert_eq!(m, vec![vec![1, 2, 3], vec![3, 4]]);
    }

    #[test]
    fn subset_enumeration_counts_binomials() {
        let empty = frequent(KeySet::default());
        let mut out = Vec::new();
        subsets_of_size(&[1, 2, 3, 4, 5], 2, &empty, &mut out);
        assert_eq!(out.len(), 10); // C(5,2)
        // Triples need frequent pairs as prefixes; with none frequent there are none.
        out.clear();
        subsets_of_size(&[1, 2, 3, 4, 5], 3, &empty, &mut out);
        assert!(out.is_empty());
        let mut f = KeySet::default();
        f.insert(push_item(push_item(0, 1), 2));
        subsets_of_size(&[1, 2, 3, 4, 5], 3, &frequent(f), &mut out);
        assert_eq!(out.len(), 3); // {1,2,3}, {1,2,4}, {1,2,5}
    }

    #[test]
    fn wide_catalogues_pack_32_bits_four_to_a_key() {
        assert_eq!(Packing::for_catalogue(65_534).map(|p| p.bits), Some(16));
        assert_eq!(Packing::for_catalogue(65_535).map(|p| p.bits), Some(32));
        let p = Packing::for_catalogue(u32::MAX as usize).expect("u32 indices");
        assert_eq!(p.capacity(), 4);
        let top = u32::MAX - 1;
        let key = [65_535, 65_536, 3, top]
            .into_iter()
            .fold(0, |k, s| p.push(k, s));
        assert_eq!(
            p.unpack(key),
            vec![
                ServiceIx(65_535),
                ServiceIx(65_536),
                ServiceIx(3),
                ServiceIx(top)
            ]
        );
    }
}
