//! The whole pipeline against a deliberately naive re-implementation on random registers:
//! a global hash set for the booked pairs, a linear search for prices, the core's
//! `department_of_function`, concurrency counted day by day, and the Gini coefficient as the
//! mean absolute difference Σ|x_i − x_j| / (2·N·Σx) instead of the sorted formula.

mod common;

use chrono::{Datelike, Days, NaiveDate};
use common::at;
use std::collections::{BTreeSet, HashMap, HashSet};
use tvaers_analysis::{CostCentre, MissingPrices, allocate_with, compute_metrics, summarise};
use tvaers_core::service::activity_cost;
use tvaers_core::{
    AccountFunction, Catalogue, ContactIx, Department, Ore, Period, PersonIx, Posting, Pseudonym,
    Pseudonymised, PseudonymisedPerson, Quantity, Register, ServiceEntry, ServiceIx, ServiceKind,
    Sex, Spell, Unit, UnitPrice,
};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pseudonym(&mut self) -> Pseudonym {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        Pseudonym(b)
    }
}

/// Services with a shared function (two on 5.38.38) so that function → department needs the
/// catalogue's first entry.
const SERVICES: &[(&str, Department, Unit, &str)] = &[
    ("KTH", Department::Employment, Unit::Month, "5.57.73"),
    ("MENTOR", Department::Employment, Unit::Hour, "5.68.90"),
    ("SEL85", Department::AdultSocial, Unit::Hour, "5.38.38"),
    ("BOSTOT", Department::Psychiatry, Unit::Hour, "5.38.38"),
    ("FOREB", Department::ChildrenFamily, Unit::Week, "5.28.21"),
    ("GENOP", Department::Health, Unit::Hour, "4.62.82"),
    ("HJEM", Department::Elderly, Unit::Hour, "5.30.26"),
    ("BOTILB", Department::Disability, Unit::Day, "5.38.50"),
    ("ARSYD", Department::Integration, Unit::Year, "5.46.61"),
];

fn random_register(seed: u64, persons: usize) -> Register<Pseudonymised> {
    let mut r = Rng(seed);
    let catalogue = Catalogue::new(
        SERVICES
            .iter()
            .map(|&(code, department, unit, f)| ServiceEntry {
                code: code.into(),
                name_da: code.into(),
                name_en: code.into(),
                department,
                kind: ServiceKind::Intervention,
                legal_basis: String::new(),
                unit,
                function: AccountFunction::parse(f).unwrap(),
                tags: Vec::new(),
            })
            .collect(),
    )
    .unwrap();
    let mut prices = Vec::new();
    for (s, &(code, _, unit, _)) in SERVICES.iter().enumerate() {
        for year in 2021..=2025 {
            // Gaps fall back to earlier years; ARSYD is never priced and BOTILB only from 2025
            // (unpriced in 2024).
            let never = code == "ARSYD" || (code == "BOTILB" && year < 2025);
            if never || r.below(3) == 0 {
                continue;
            }
            prices.push(UnitPrice {
                service: ServiceIx(s as u32),
                unit,
                price: Ore(10_000 + r.below(5_000_000) as i64),
                year,
                source: String::new(),
            });
        }
    }
    let mut family = r.pseudonym();
    let people: Vec<PseudonymisedPerson> = (0..persons)
        .map(|_| {
            if r.below(10) < 4 {
                family = r.pseudonym();
            }
            PseudonymisedPerson {
                id: r.pseudonym(),
                birth_year: 1950,
                sex: Sex::Male,
                family,
            }
        })
        .collect();
    let contacts: Vec<Pseudonym> = (0..40).map(|_| r.pseudonym()).collect();
    let d0 = NaiveDate::from_ymd_opt(2022, 9, 1).unwrap();
    let mut spells = Vec::new();
    for p in 0..persons {
        for _ in 0..r.below(7) {
            let start = d0 + Days::new(r.below(900));
            let end = (r.below(4) > 0).then(|| start + Days::new(r.below(400)));
            spells.push(Spell {
                person: PersonIx(p as u32),
                service: ServiceIx(r.below(SERVICES.len() as u64) as u32),
                start,
                end,
                volume: Quantity(r.below(8_000) as i64),
                contact: (r.below(3) > 0).then(|| ContactIx(r.below(40) as u32)),
            });
        }
    }
    let mut postings = Vec::new();
    for _ in 0..persons * 3 {
        let date = NaiveDate::from_ymd_opt(2023, 10, 1).unwrap() + Days::new(r.below(500));
        let s = r.below(SERVICES.len() as u64) as u32;
        let function = match r.below(20) {
            0 => AccountFunction::parse("6.45.53").unwrap(), // no service: unmapped
            _ => AccountFunction::parse(SERVICES[s as usize].3).unwrap(),
        };
        postings.push(Posting {
            date,
            function,
            amount: Ore(r.below(10_000_000) as i64 - 1_000_000),
            person: (r.below(3) == 0).then(|| PersonIx(r.below(persons as u64) as u32)),
            service: (r.below(2) == 0 && function.main_account != 6).then_some(ServiceIx(s)),
        });
    }
    Register {
        persons: people,
        relations: Vec::new(),
        catalogue,
        contacts,
        spells,
        postings,
        prices,
    }
}

fn day_iter(p: Period) -> impl Iterator<Item = NaiveDate> {
    (0..p.days()).map(move |i| p.from() + Days::new(i as u64))
}

struct Naive {
    cost_total: i64,
    booked: Vec<i64>,
    activity: Vec<i64>,
    centre_total: [i64; 9],
    centre_booked: [i64; 9],
    centre_activity: [i64; 9],
    unpriced_days: i64,
}

fn centre_of(reg: &Register<Pseudonymised>, p: &Posting) -> usize {
    match p.service {
        Some(s) => reg.catalogue.get(s).department.index(),
        None => reg
            .catalogue
            .department_of_function(p.function)
            .map_or(8, |d| d.index()),
    }
}

fn naive_allocation(reg: &Register<Pseudonymised>, p: Period) -> Naive {
    let n = reg.persons.len();
    let mut out = Naive {
        cost_total: 0,
        booked: vec![0; n],
        activity: vec![0; n],
        centre_total: [0; 9],
        centre_booked: [0; 9],
        centre_activity: [0; 9],
        unpriced_days: 0,
    };
    let mut pairs: HashSet<(u32, AccountFunction)> = HashSet::new();
    for post in reg.postings.iter().filter(|x| p.contains(x.date)) {
        out.cost_total += post.amount.0;
        let c = centre_of(reg, post);
        out.centre_total[c] += post.amount.0;
        if let Some(who) = post.person {
            out.booked[who.0 as usize] += post.amount.0;
            out.centre_booked[c] += post.amount.0;
            pairs.insert((who.0, post.function));
        }
    }
    for s in &reg.spells {
        let e = reg.catalogue.get(s.service);
        if pairs.contains(&(s.person.0, e.function)) {
            continue;
        }
        let from = s.start.max(p.from());
        let to = s.end.unwrap_or(p.to()).min(p.to());
        if from > to {
            continue;
        }
        for year in from.year()..=to.year() {
            let a = from.max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap());
            let b = to.min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap());
            let days = (b - a).num_days() + 1;
            let price = reg
                .prices
                .iter()
                .filter(|x| x.service == s.service && x.year <= year)
                .max_by_key(|x| x.year)
                .map(|x| x.price);
            match price {
                Some(price) => {
                    let c = activity_cost(s.volume, price, e.unit, days).0;
                    out.activity[s.person.0 as usize] += c;
                    out.centre_activity[e.department.index()] += c;
                }
                None => out.unpriced_days += days,
            }
        }
    }
    out
}

/// (services, departments, contacts, max concurrent services, max concurrent departments).
fn naive_unit(
    reg: &Register<Pseudonymised>,
    p: Period,
    spells: &[&Spell],
) -> (u32, u8, u32, u32, u8) {
    let live: Vec<&&Spell> = spells
        .iter()
        .filter(|s| s.start <= p.to() && s.end.is_none_or(|e| e >= p.from()))
        .collect();
    let services: BTreeSet<u32> = live.iter().map(|s| s.service.0).collect();
    let depts: BTreeSet<usize> = live
        .iter()
        .map(|s| reg.catalogue.get(s.service).department.index())
        .collect();
    let contacts: BTreeSet<u32> = live.iter().filter_map(|s| s.contact.map(|c| c.0)).collect();
    let (mut ms, mut md) = (0, 0);
    for day in day_iter(p) {
        let on: Vec<&&&Spell> = live
            .iter()
            .filter(|s| s.start <= day && s.end.is_none_or(|e| day <= e))
            .collect();
        let s: BTreeSet<u32> = on.iter().map(|s| s.service.0).collect();
        let d: BTreeSet<usize> = on
            .iter()
            .map(|s| reg.catalogue.get(s.service).department.index())
            .collect();
        ms = ms.max(s.len() as u32);
        md = md.max(d.len() as u8);
    }
    (
        services.len() as u32,
        depts.len() as u8,
        contacts.len() as u32,
        ms,
        md,
    )
}

fn naive_gini(x: &[i64]) -> f64 {
    let n = x.len() as f64;
    let sum: f64 = x.iter().map(|&v| v as f64).sum();
    let mut diff = 0.0;
    for &a in x {
        for &b in x {
            diff += (a - b).abs() as f64;
        }
    }
    diff / (2.0 * n * sum)
}

fn naive_top(x: &[i64], k: u32) -> f64 {
    let mut v = x.to_vec();
    v.sort_unstable_by(|a, b| b.cmp(a));
    let m = (k as f64 * v.len() as f64 / 100.0).ceil() as usize;
    v[..m].iter().sum::<i64>() as f64 / v.iter().sum::<i64>() as f64
}

#[test]
fn pipeline_agrees_with_a_naive_oracle() {
    for seed in [1u64, 2, 3] {
        let reg = random_register(seed, 640);
        let p = Period::year(2024);
        // The oracle implements the documented fallback to an earlier year's price.
        let alloc = allocate_with(&reg, p, MissingPrices::PreviousYear).unwrap();
        let nv = naive_allocation(&reg, p);
        assert_eq!(alloc.cost_total.0, nv.cost_total, "seed {seed}");
        for i in 0..reg.persons.len() {
            assert_eq!(
                alloc.booked[i].0, nv.booked[i],
                "seed {seed} person {i} booked"
            );
            assert_eq!(
                alloc.activity[i].0, nv.activity[i],
                "seed {seed} person {i} activity"
            );
        }
        assert_eq!(alloc.unpriced_spell_days, nv.unpriced_days);
        // The random register exercises every path.
        assert!(
            alloc.skipped_spells > 0 && nv.unpriced_days > 0,
            "seed {seed}: {} {}",
            alloc.skipped_spells,
            nv.unpriced_days
        );
        assert_ne!(nv.centre_total[8], 0, "seed {seed}: unmapped postings");
        for c in CostCentre::ALL {
            let got = alloc.by_centre[c.index()];
            let i = c.index();
            assert_eq!(
                (got.total.0, got.booked.0, got.activity.0),
                (
                    nv.centre_total[i],
                    nv.centre_booked[i],
                    nv.centre_activity[i]
                ),
                "seed {seed} centre {c:?}"
            );
        }

        let m = compute_metrics(&reg, &alloc, p);
        let mut by_person: Vec<Vec<&Spell>> = vec![Vec::new(); reg.persons.len()];
        for s in &reg.spells {
            by_person[s.person.0 as usize].push(s);
        }
        let c = &m.citizens;
        for (i, spells) in by_person.iter().enumerate() {
            let want = naive_unit(&reg, p, spells);
            let got = (
                c.services[i],
                c.departments[i],
                c.contacts[i],
                c.max_concurrent_services[i],
                c.max_concurrent_departments[i],
            );
            assert_eq!(got, want, "seed {seed} person {i}");
            assert_eq!(c.cost[i].0, nv.booked[i] + nv.activity[i]);
            let by_centre: Ore = c.cost_by_centre(i).iter().map(|x| x.1).sum();
            assert_eq!(by_centre, c.cost[i], "cost by department adds up");
        }

        // Families: group by the family pseudonym directly.
        let mut fam: HashMap<Pseudonym, Vec<usize>> = HashMap::new();
        for (i, person) in reg.persons.iter().enumerate() {
            fam.entry(person.family).or_default().push(i);
        }
        assert_eq!(m.family_index.len(), fam.len());
        let f = &m.families;
        for fi in 0..m.family_index.len() {
            let members: Vec<usize> = m
                .family_index
                .members(tvaers_core::FamilyIx(fi as u32))
                .iter()
                .map(|x| x.0 as usize)
                .collect();
            let key = reg.persons[members[0]].family;
            assert_eq!(fam[&key], members, "same members in order");
            let spells: Vec<&Spell> = members.iter().flat_map(|&i| by_person[i].clone()).collect();
            let want = naive_unit(&reg, p, &spells);
            let got = (
                f.services[fi],
                f.departments[fi],
                f.contacts[fi],
                f.max_concurrent_services[fi],
                f.max_concurrent_departments[fi],
            );
            assert_eq!(got, want, "seed {seed} family {fi}");
            let cost: i64 = members.iter().map(|&i| nv.booked[i] + nv.activity[i]).sum();
            assert_eq!(f.cost[fi].0, cost);
        }

        // The published summary against the oracle.
        let s = summarise(&reg, &alloc, &m, Default::default()).summary_json();
        let costs: Vec<i64> = (0..reg.persons.len())
            .map(|i| nv.booked[i] + nv.activity[i])
            .collect();
        let allocated: i64 = costs.iter().sum();
        assert_eq!(at(&s, "/cost_total_ore"), nv.cost_total);
        assert_eq!(at(&s, "/cost_allocated_ore"), allocated);
        assert_eq!(at(&s, "/cost_unallocated_ore"), nv.cost_total - allocated);
        let share = at(&s, "/coverage/booked_share").as_f64().unwrap();
        let booked: i64 = nv.booked.iter().sum();
        assert!((share - booked as f64 / nv.cost_total as f64).abs() < 1e-12);
        let g = at(&s, "/concentration/citizens/gini").as_f64().unwrap();
        assert!(
            (g - naive_gini(&costs)).abs() < 1e-9,
            "seed {seed}: {g} vs {}",
            naive_gini(&costs)
        );
        // N = 640: top 1 % = 7 citizens ≥ 5, so every top-k share is published.
        for k in [1, 3, 5, 10] {
            let got = at(&s, &format!("/concentration/citizens/top{k}"))
                .as_f64()
                .unwrap();
            assert!(
                (got - naive_top(&costs, k)).abs() < 1e-12,
                "seed {seed} top{k}"
            );
        }
        let fam_costs: Vec<i64> = fam
            .values()
            .map(|ms| ms.iter().map(|&i| costs[i]).sum())
            .collect();
        let gf = at(&s, "/concentration/families/gini").as_f64().unwrap();
        assert!((gf - naive_gini(&fam_costs)).abs() < 1e-9);
        // Complexity counts from the day-by-day figures.
        let per: Vec<(u32, u8, u32, u32, u8)> = (0..reg.persons.len())
            .map(|i| naive_unit(&reg, p, &by_person[i]))
            .collect();
        for (key, pred) in [
            (
                "departments_2plus",
                Box::new(|u: &(u32, u8, u32, u32, u8)| u.4 >= 2) as Box<dyn Fn(&_) -> bool>,
            ),
            (
                "departments_3plus",
                Box::new(|u: &(u32, u8, u32, u32, u8)| u.4 >= 3),
            ),
            (
                "services_7plus",
                Box::new(|u: &(u32, u8, u32, u32, u8)| u.3 >= 7),
            ),
        ] {
            let n = per.iter().filter(|u| pred(u)).count() as u64;
            let cost: i64 = (0..per.len())
                .filter(|&i| pred(&per[i]))
                .map(|i| costs[i])
                .sum();
            let row = at(&s, &format!("/complexity/{key}"));
            if key != "services_7plus" {
                assert!(
                    row["citizens"].is_u64(),
                    "seed {seed}: {key} should be published here"
                );
            }
            // Hidden rows (primary or to protect a hidden bucket) have nothing to compare.
            if let Some(got) = row["citizens"].as_u64() {
                assert_eq!(got, n, "seed {seed} {key}");
                assert_eq!(row["cost_ore"], cost);
            }
        }
    }
}
