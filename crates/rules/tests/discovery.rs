//! Discovery of frequent concurrent combinations.

mod common;

use common::{Builder, SERVICES, d, year};
use std::collections::{BTreeMap, BTreeSet};
use tvaers_core::{Department, Ore, Period, PersonIx, Pseudonymised, Register, ServiceIx};
use tvaers_rules::discover_combinations;

/// The hand-made municipality:
/// - group A (5): mentor, § 85 and kontanthjælp on common days;
/// - group B (3): mentor all year, § 85 in Q1, kontanthjælp from June — pairs with the mentor
///   but § 85 and kontanthjælp never on the same day;
/// - group C (1): mentor and kontanthjælp;
/// - group D (4): mentor and a transport scheme (support 4 — one short);
/// - group E (5): home help, then rehabilitation, never at once;
/// - group F (5): activation during anxiety treatment, but in 2024 only.
fn municipality() -> (
    Register<Pseudonymised>,
    Vec<Ore>,
    BTreeMap<&'static str, Vec<PersonIx>>,
) {
    let mut b = Builder::new();
    let mut groups: BTreeMap<&'static str, Vec<PersonIx>> = BTreeMap::new();
    for i in 0..5 {
        let p = b.person(1980);
        // Staggered starts; all three active 1–31 May.
        b.spell(
            p,
            "MENTOR",
            &format!("2025-0{}-01", 1 + i % 4),
            Some("2025-05-31"),
        );
        b.spell(p, "SEL85", "2025-03-01", None);
        b.spell(p, "KTH", "2024-01-01", Some("2025-06-30"));
        groups.entry("A").or_default().push(p);
    }
    for _ in 0..3 {
        let p = b.person(1980);
        b.spell(p, "MENTOR", "2025-01-01", None);
        b.spell(p, "SEL85", "2025-01-01", Some("2025-03-31"));
        b.spell(p, "KTH", "2025-06-01", None);
        groups.entry("B").or_default().push(p);
    }
    let p = b.person(1980);
    b.spell(p, "MENTOR", "2025-01-01", None);
    b.spell(p, "KTH", "2025-12-31", None);
    groups.entry("C").or_default().push(p);
    for _ in 0..4 {
        let p = b.person(1980);
        b.spell(p, "MENTOR", "2025-01-01", Some("2025-02-28"));
        b.spell(p, "BEF_SUND", "2025-02-01", None);
        groups.entry("D").or_default().push(p);
    }
    for _ in 0..5 {
        let p = b.person(1940);
        b.spell(p, "HJH", "2025-01-01", Some("2025-04-30"));
        b.spell(p, "GENOP", "2025-05-01", Some("2025-07-31"));
        groups.entry("E").or_default().push(p);
    }
    for _ in 0..5 {
        let p = b.person(1990);
        b.spell(p, "AKT", "2024-01-01", Some("2024-12-31"));
        b.spell(p, "ANGST", "2024-06-01", Some("2024-12-31"));
        groups.entry("F").or_default().push(p);
    }
    let reg = b.build();
    // Person i costs (i + 1) × 1,000 kr, so every member set has its own total.
    let cost = (0..reg.persons.len())
        .map(|i| Ore::from_kroner(1000 * (i as i64 + 1)))
        .collect();
    (reg, cost, groups)
}

fn svc(reg: &Register<Pseudonymised>, codes: &[&str]) -> Vec<ServiceIx> {
    let mut v: Vec<ServiceIx> = codes
        .iter()
        .map(|c| reg.catalogue.lookup(c).expect("service"))
        .collect();
    v.sort_unstable();
    v
}

fn sum_cost(cost: &[Ore], members: &[PersonIx]) -> Ore {
    members.iter().map(|p| cost[p.0 as usize]).sum()
}

#[test]
fn finds_exactly_the_combinations_with_support_five() {
    let (reg, cost, g) = municipality();
    let found = discover_combinations(&reg, year(2025), &cost, 5, 4);

    let cat = |xs: &[&str]| -> Vec<PersonIx> {
        let mut v: Vec<PersonIx> = xs.iter().flat_map(|x| g[x].clone()).collect();
        v.sort_unstable();
        v
    };
    // (services, members) worked out from the group descriptions above.
    let mut expected = vec![
        (svc(&reg, &["MENTOR", "SEL85"]), cat(&["A", "B"])),
        (svc(&reg, &["MENTOR", "KTH"]), cat(&["A", "B", "C"])),
        (svc(&reg, &["SEL85", "KTH"]), cat(&["A"])),
        (svc(&reg, &["MENTOR", "SEL85", "KTH"]), cat(&["A"])),
    ];
    // Ranked by the members' total cost.
    expected.sort_by_key(|(s, m)| (std::cmp::Reverse(sum_cost(&cost, m)), s.clone()));
    let got: Vec<(Vec<ServiceIx>, Vec<PersonIx>)> = found
        .iter()
        .map(|c| (c.services.clone(), c.members.clone()))
        .collect();
    assert_eq!(got, expected);

    for c in &found {
        assert_eq!(c.size, c.services.len());
        assert_eq!(c.support, c.members.len());
        assert_eq!(c.total_cost, sum_cost(&cost, &c.members));
    }
    // Group A are persons 0..5 (1,000–5,000 kr): 15,000 kr, 3,000 kr each.
    let triple = found.iter().find(|c| c.size == 3).expect("the triple");
    assert_eq!(triple.total_cost, Ore::from_kroner(15_000));
    assert_eq!(triple.average_cost, Ore::from_kroner(3_000));
    assert_eq!(
        triple.departments,
        vec![Department::Employment, Department::AdultSocial]
    );
}

#[test]
fn support_four_appears_only_when_allowed() {
    let (reg, cost, g) = municipality();
    let pair = svc(&reg, &["MENTOR", "BEF_SUND"]);
    let at5 = discover_combinations(&reg, year(2025), &cost, 5, 4);
    assert!(at5.iter().all(|c| c.services != pair));
    let at4 = discover_combinations(&reg, year(2025), &cost, 4, 4);
    let c = at4
        .iter()
        .find(|c| c.services == pair)
        .expect("support 4 at min 4");
    assert_eq!(c.members, g["D"]);
    // Sequential home help and rehabilitation never form a combination.
    let seq = svc(&reg, &["HJH", "GENOP"]);
    assert!(at4.iter().all(|c| c.services != seq));
}

#[test]
fn the_period_and_the_size_limit_are_respected() {
    let (reg, cost, _) = municipality();
    let pairs = discover_combinations(&reg, year(2025), &cost, 5, 2);
    assert_eq!(pairs.len(), 3);
    assert!(pairs.iter().all(|c| c.size == 2));
    // In 2024 only group F's activation and anxiety treatment overlap (group A's kontanthjælp
    // runs alone then).
    let in_2024 = discover_combinations(&reg, year(2024), &cost, 5, 4);
    assert_eq!(in_2024.len(), 1);
    assert_eq!(in_2024[0].services, svc(&reg, &["AKT", "ANGST"]));
}

#[test]
fn average_cost_rounds_to_the_nearest_ore() {
    let mut b = Builder::new();
    for _ in 0..3 {
        let p = b.person(1980);
        b.spell(p, "MENTOR", "2025-01-01", None);
        b.spell(p, "SEL85", "2025-01-01", None);
    }
    let reg = b.build();
    // 1 + 1 + 2 øre = 4 øre over 3 persons: 1.33 → 1; 5 øre: 1.67 → 2.
    let c = discover_combinations(&reg, year(2025), &[Ore(1), Ore(1), Ore(2)], 3, 2);
    assert_eq!(c[0].average_cost, Ore(1));
    let c = discover_combinations(&reg, year(2025), &[Ore(1), Ore(2), Ore(2)], 3, 2);
    assert_eq!(c[0].average_cost, Ore(2));
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Every subset of size 2..=max of the service set active on any day, per person.
fn brute_force(
    reg: &Register<Pseudonymised>,
    period: Period,
    min_support: usize,
    max: usize,
) -> BTreeMap<Vec<ServiceIx>, Vec<PersonIx>> {
    let mut members: BTreeMap<Vec<ServiceIx>, BTreeSet<PersonIx>> = BTreeMap::new();
    for day in period.from().iter_days().take(period.days() as usize) {
        let mut active: BTreeMap<PersonIx, BTreeSet<ServiceIx>> = BTreeMap::new();
        for s in &reg.spells {
            if s.start <= day && s.end.is_none_or(|e| day <= e) {
                active.entry(s.person).or_default().insert(s.service);
            }
        }
        for (p, set) in active {
            let v: Vec<ServiceIx> = set.into_iter().collect();
            for mask in 0u32..(1 << v.len()) {
                let n = mask.count_ones() as usize;
                if (2..=max).contains(&n) {
                    let sub: Vec<ServiceIx> = (0..v.len())
                        .filter(|i| mask & (1 << i) != 0)
                        .map(|i| v[i])
                        .collect();
                    members.entry(sub).or_default().insert(p);
                }
            }
        }
    }
    members
        .into_iter()
        .filter(|(_, m)| m.len() >= min_support)
        .map(|(s, m)| (s, m.into_iter().collect()))
        .collect()
}

#[test]
fn agrees_with_brute_force_on_random_registers() {
    for seed in [3u64, 17, 101, 9001] {
        let mut rng = Rng(seed);
        let mut b = Builder::new();
        // A few services only, so that combinations recur.
        let codes: Vec<&str> = SERVICES.iter().take(7).map(|s| s.0).collect();
        for _ in 0..400 {
            let p = b.person(1980);
            for _ in 0..rng.below(6) {
                let start = d("2024-11-01") + chrono::Days::new(rng.below(120));
                let end = (rng.below(4) > 0).then(|| start + chrono::Days::new(rng.below(60)));
                let code = codes[rng.below(codes.len() as u64) as usize];
                let (s, e) = (start.to_string(), end.map(|e| e.to_string()));
                b.spell(p, code, &s, e.as_deref());
            }
        }
        let reg = b.build();
        let cost: Vec<Ore> = (0..reg.persons.len())
            .map(|_| Ore(rng.below(1_000_000) as i64))
            .collect();
        let period = Period::new(d("2024-12-01"), d("2025-02-28")).expect("period");
        for (min_support, max) in [(5, 4), (12, 3), (30, 5)] {
            let expected = brute_force(&reg, period, min_support, max);
            let found = discover_combinations(&reg, period, &cost, min_support, max);
            let got: BTreeMap<Vec<ServiceIx>, Vec<PersonIx>> = found
                .iter()
                .map(|c| (c.services.clone(), c.members.clone()))
                .collect();
            assert_eq!(got.len(), found.len(), "no combination twice");
            assert_eq!(got, expected, "seed {seed}, min {min_support}, max {max}");
            if min_support == 5 {
                assert!(
                    expected.keys().any(|k| k.len() >= 3),
                    "seed {seed}: triples exercised"
                );
            }
            assert!(!expected.is_empty(), "seed {seed}: something to find");
            // Ranked by total cost, descending.
            assert!(found.windows(2).all(|w| w[0].total_cost >= w[1].total_cost));
        }
    }
}

/// The test municipality's catalogue padded to `size` services, with the mentor spells moved to
/// service 65,536 (0 in 16 bits) and the § 85 spells to the last service.
fn wide(size: usize) -> (Register<Pseudonymised>, Vec<Ore>, ServiceIx, ServiceIx) {
    let (mut reg, cost, _) = municipality();
    let mut entries = reg.catalogue.entries().to_vec();
    let filler = entries[0].clone();
    while entries.len() < size {
        let mut e = filler.clone();
        e.code = format!("FILL{}", entries.len());
        entries.push(e);
    }
    let (mentor, sel85) = (
        reg.catalogue.lookup("MENTOR").expect("mentor"),
        reg.catalogue.lookup("SEL85").expect("sel85"),
    );
    let (hi_mentor, hi_sel85) = (
        ServiceIx(65_536.min(size as u32 - 2)),
        ServiceIx(size as u32 - 1),
    );
    entries.swap(mentor.0 as usize, hi_mentor.0 as usize);
    entries.swap(sel85.0 as usize, hi_sel85.0 as usize);
    for sp in &mut reg.spells {
        if sp.service == mentor {
            sp.service = hi_mentor;
        } else if sp.service == sel85 {
            sp.service = hi_sel85;
        }
    }
    reg.catalogue = tvaers_core::Catalogue::new(entries).expect("distinct codes");
    (reg, cost, hi_mentor, hi_sel85)
}

#[test]
fn discovery_with_more_than_u16_max_services_does_not_panic() {
    let (small, small_cost, _) = municipality();
    let expected = discover_combinations(&small, year(2025), &small_cost, 5, 4);
    let codes = |reg: &Register<Pseudonymised>, found: &[tvaers_rules::Combination]| {
        found
            .iter()
            .map(|c| {
                let mut v: Vec<String> = c
                    .services
                    .iter()
                    .map(|&s| reg.catalogue.get(s).code.clone())
                    .collect();
                v.sort_unstable();
                (v, c.support, c.total_cost, c.members.clone())
            })
            .collect::<Vec<_>>()
    };
    assert!(!expected.is_empty());
    // 65,535 services was the first size the old 16-bit packing refused with a panic.
    for size in [65_535, 65_537, 70_000] {
        let (reg, cost, hi_mentor, hi_sel85) = wide(size);
        let found = discover_combinations(&reg, year(2025), &cost, 5, 4);
        assert_eq!(
            codes(&reg, &found),
            codes(&small, &expected),
            "{size} services"
        );
        assert!(
            found
                .iter()
                .any(|c| c.services.contains(&hi_mentor) && c.services.contains(&hi_sel85)),
            "{size} services: the high indices are kept apart from low ones"
        );
        // At most four services fit a key in this packing.
        let eight = discover_combinations(&reg, year(2025), &cost, 1, 8);
        assert!(eight.iter().all(|c| c.size <= 4), "{size} services");
    }
}
