//! The calibration targets of docs/calibration.md §1, measured on the written files of the default
//! municipality (42,000 citizens, seed 1) by an independent reader (`common`).
//!
//! `cargo test -p tvaers-synth --release --test calibration -- --nocapture` prints the figures
//! recorded in `docs/calibration.md`.

mod common;

use chrono::Datelike;
use common::*;
use std::collections::{HashMap, HashSet};
use tvaers_synth::{Config, generate};

fn kr(ore: i64) -> f64 {
    ore as f64 / 100.0
}

#[test]
fn default_municipality_has_the_calibrated_shape_and_target_groups() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        citizens: 42_000,
        seed: 1,
        ..Config::default()
    };
    generate(&cfg, dir.path()).unwrap();
    let m = &Municipality::read(dir.path());
    let year = cfg.first_year + cfg.years as i32 - 1;
    let n = m.persons.len();
    assert_eq!(n, 42_000);

    // ---- Cost shape (docs/domain.md) ----
    let a = allocate(m, year);
    let allocated = a.booked + a.activity;
    let booked_share = a.booked.0 as f64 / a.total.0 as f64;
    let allocatable = allocated.0 as f64 / a.total.0 as f64;
    let (top1, top1_ix) = top_share(&a, 1);
    let (top3, _) = top_share(&a, 3);
    let top1_avg = top1_ix.iter().map(|&i| kr(a.per_person[i])).sum::<f64>() / top1_ix.len() as f64;
    let top1_age = top1_ix
        .iter()
        .map(|&i| (year - m.persons[i].birth.year()) as f64)
        .sum::<f64>()
        / top1_ix.len() as f64;
    let top1_women =
        top1_ix.iter().filter(|&&i| m.persons[i].female).count() as f64 / top1_ix.len() as f64;
    eprintln!(
        "year {year}: total {:.1} mio. kr, {:.0} kr per citizen",
        kr(a.total.0) / 1e6,
        kr(a.total.0) / n as f64
    );
    eprintln!(
        "booked to persons {:.1} %, allocatable {:.1} %",
        booked_share * 100.0,
        allocatable * 100.0
    );
    eprintln!(
        "top 1 % ({}) {:.1} %, top 3 % {:.1} %",
        top1_ix.len(),
        top1 * 100.0,
        top3 * 100.0
    );
    eprintln!(
        "top 1 %: average {:.0} kr, age {:.1}, women {:.0} %, threshold {:.0} kr",
        top1_avg,
        top1_age,
        top1_women * 100.0,
        kr(a.per_person[*top1_ix.last().unwrap()])
    );
    let mut bands = [0usize; 6];
    for &i in &top1_ix {
        let age = year - m.persons[i].birth.year();
        bands[match age {
            0..=17 => 0,
            18..=29 => 1,
            30..=49 => 2,
            50..=66 => 3,
            67..=79 => 4,
            _ => 5,
        }] += 1;
    }
    eprintln!("top 1 % by age 0-17, 18-29, 30-49, 50-66, 67-79, 80+: {bands:?}");
    // Where the money goes: per service, persons with the service in the year and their cost;
    // how many of the top 1 % have it.
    let top1_set: HashSet<usize> = top1_ix.iter().copied().collect();
    let (_, top3_ix) = top_share(&a, 3);
    let band: HashSet<usize> = top3_ix
        .iter()
        .copied()
        .filter(|i| !top1_set.contains(i))
        .collect();
    let mut per_service: HashMap<&str, (HashSet<usize>, usize, usize)> = HashMap::new();
    for s in &m.spells {
        if s.start.year() <= year && s.end.is_none_or(|e| e.year() >= year) {
            let e = per_service.entry(s.service.as_str()).or_default();
            if e.0.insert(s.person) {
                e.1 += usize::from(top1_set.contains(&s.person));
                e.2 += usize::from(band.contains(&s.person));
            }
        }
    }
    let mut svc_cost: HashMap<&str, (i64, i64)> = HashMap::new();
    for p in m.postings.iter().filter(|p| p.date.year() == year) {
        let key = if p.service.is_empty() {
            p.function.as_str()
        } else {
            p.service.as_str()
        };
        svc_cost.entry(key).or_default().0 += p.amount.0;
    }
    let period = tvaers_core::Period::year(year);
    for s in &m.spells {
        if let Some(part) = period.intersect(s.start, s.end) {
            let svc = &m.services[&s.service];
            let price = m.prices[&(s.service.clone(), year)];
            let c = tvaers_core::service::activity_cost(s.volume, price, svc.unit, part.days());
            svc_cost.entry(s.service.as_str()).or_default().1 += c.0;
        }
    }
    let mut keys: Vec<&str> = svc_cost.keys().copied().collect();
    keys.sort();
    for k in keys {
        let (persons, in_top, in_band) = per_service
            .get(k)
            .map_or((0, 0, 0), |e| (e.0.len(), e.1, e.2));
        let (posted, activity) = svc_cost[k];
        eprintln!(
            "  {k:10} posted {:>7.1}  activity {:>7.1} mio. kr  {persons:>6} persons  {in_top:>4} in top 1 %  {in_band:>4} in 1-3 %",
            kr(posted) / 1e6,
            kr(activity) / 1e6
        );
    }
    let mut sorted = a.per_person.clone();
    sorted.sort_unstable_by(|x, y| y.cmp(x));
    for k in [1, 3, 5, 10, 20] {
        eprintln!(
            "  threshold top {k} %: {:.0} kr",
            kr(sorted[(n * k).div_ceil(100) - 1])
        );
    }
    let with_cost = a.per_person.iter().filter(|&&c| c > 0).count();
    eprintln!(
        "citizens with any allocated cost: {with_cost} ({:.1} %)",
        with_cost as f64 * 100.0 / n as f64
    );

    // Target groups and overlaps (docs/domain.md), counted in citizens (families for 1).
    let spells = by_person(m);
    let tag = |t: &'static str| move |s: &Spell| m.has_tag(s, t);
    let transfer = tag("overfoersel");
    let age_at = |p: usize, d: chrono::NaiveDate| {
        let b = m.persons[p].birth;
        d.year() - b.year() - i32::from((d.month(), d.day()) < (b.month(), b.day()))
    };
    let count = |f: &dyn Fn(usize, &[&Spell]) -> bool| {
        spells.iter().enumerate().filter(|(p, s)| f(*p, s)).count()
    };

    // 1: a child case and an adult on a transfer income in the same family at the same time.
    let mut families: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in m.persons.iter().enumerate() {
        families.entry(p.family.as_str()).or_default().push(i);
    }
    let g1 = families
        .values()
        .filter(|members| {
            let child: Vec<&Spell> = members
                .iter()
                .flat_map(|&p| spells[p].iter().copied())
                .filter(|s| {
                    (m.has_tag(s, "forebyggende") || m.has_tag(s, "anbringelse"))
                        && age_at(s.person, s.start) < 18
                })
                .collect();
            let adult: Vec<&Spell> = members
                .iter()
                .flat_map(|&p| spells[p].iter().copied())
                .filter(|s| m.has_tag(s, "overfoersel") && age_at(s.person, s.start) >= 18)
                .collect();
            child.iter().any(|c| adult.iter().any(|t| overlap(&[c, t])))
        })
        .count();
    let g2 = count(&|_, s| {
        concurrent(
            s,
            &[&transfer, &tag("genoptraening"), &|x: &Spell| {
                m.has_tag(x, "hjemmesygepleje") || m.has_tag(x, "hjemmehjaelp")
            }],
        )
    });
    let g3 = count(&|_, s| concurrent(s, &[&tag("misbrug"), &transfer]));
    let support = |x: &Spell| m.has_tag(x, "stoettekontakt") || m.has_tag(x, "sel85");
    let g4 = count(&|_, s| concurrent(s, &[&transfer, &tag("mentor"), &support]));
    let g5 = count(&|p, s| {
        s.iter().filter(|t| transfer(t)).any(|t| {
            let from = t
                .start
                .max(chrono::NaiveDate::from_ymd_opt(cfg.first_year, 1, 1).unwrap());
            let age = age_at(p, from);
            (17..=25).contains(&age)
                && s.iter().any(|a| {
                    a.service != t.service
                        && s.iter().any(|b| {
                            b.service != t.service && b.service != a.service && overlap(&[t, a, b])
                        })
                })
        })
    });
    let o_mentor = count(&|_, s| concurrent(s, &[&tag("mentor"), &support]));
    let o_transport = count(&|_, s| {
        s.iter().any(|a| {
            m.has_tag(a, "befordring")
                && s.iter().any(|b| {
                    m.has_tag(b, "befordring") && b.service != a.service && overlap(&[a, b])
                })
        })
    });
    let treatment = |x: &Spell| m.has_tag(x, "behandling") || m.has_tag(x, "angst");
    let o_treat = count(&|_, s| concurrent(s, &[&tag("aktivering"), &treatment]));
    let rehab = |x: &Spell| m.has_tag(x, "fysisk_traening") && !m.has_tag(x, "aktivering");
    let o_train = count(&|_, s| concurrent(s, &[&tag("aktivering"), &rehab]));
    let o_fambeh = count(&|_, s| {
        concurrent(
            s,
            &[
                &tag("familiebehandling"),
                &tag("kontanthjaelp"),
                &tag("aktivering"),
            ],
        )
    });
    let o_contacts = count(&|_, s| max_at_once(s, |x| x.contact.clone()) > 5);
    let o_18 = count(&|p, s| {
        let b = m.persons[p].birth;
        let Some(eighteen) = b.with_year(b.year() + 18) else {
            return false;
        };
        s.iter().any(|c| {
            let Some(end) = c.end else { return false };
            (m.has_tag(c, "anbringelse") || m.has_tag(c, "forebyggende"))
                && (end - eighteen).num_days().abs() <= 183
                && s.iter().any(|a| {
                    !m.has_tag(a, "barn")
                        && a.start >= end - chrono::Days::new(90)
                        && a.start <= end + chrono::Days::new(365)
                })
        })
    });
    let dept = |x: &Spell| m.services[&x.service].department.clone();
    let depts: Vec<usize> = spells.iter().map(|s| max_at_once(s, dept)).collect();
    let d2 = depts.iter().filter(|&&d| d == 2).count();
    let d3 = depts.iter().filter(|&&d| d == 3).count();
    let d4 = depts.iter().filter(|&&d| d >= 4).count();
    let s7 = count(&|_, s| max_at_once(s, |x| x.service.clone()) >= 7);
    let figures = [
        ("1 families: child case + adult transfer", g1),
        (
            "2 transfer + genoptræning + hjemmesygepleje/hjemmehjælp",
            g2,
        ),
        ("3 misbrug + transfer", g3),
        ("4 transfer + mentor + § 99/§ 85", g4),
        ("5 age 17-25, transfer + 2 other services", g5),
        ("mentor with § 99/§ 85", o_mentor),
        ("two befordring schemes at once", o_transport),
        ("activation during treatment", o_treat),
        ("activation + physical rehabilitation", o_train),
        ("familiebehandling + kontanthjælp + activation", o_fambeh),
        ("> 5 contact persons at once", o_contacts),
        ("18-year transition", o_18),
        ("2 departments at once", d2),
        ("3 departments at once", d3),
        ("4+ departments at once", d4),
        ("7+ services at once", s7),
    ];
    for (name, v) in figures {
        eprintln!("{name}: {v}");
    }

    assert!((0.27..=0.33).contains(&top1), "top 1 % share {top1}");
    assert!((0.46..=0.54).contains(&top3), "top 3 % share {top3}");
    assert!(
        (0.28..=0.38).contains(&booked_share),
        "booked share {booked_share}"
    );
    assert!(
        (0.80..=0.90).contains(&allocatable),
        "allocatable {allocatable}"
    );
    assert!(
        (500_000.0..=700_000.0).contains(&top1_avg),
        "top 1 % average {top1_avg}"
    );
    assert!((45.0..=55.0).contains(&top1_age), "top 1 % age {top1_age}");
    assert!(
        (0.40..=0.60).contains(&top1_women),
        "top 1 % women {top1_women}"
    );
    for (name, v) in figures {
        assert!(v >= 20, "{name}: only {v}");
    }
    // The departments in the overlap counts exist in the catalogue.
    let all: HashSet<&str> = m.services.values().map(|s| s.department.as_str()).collect();
    assert_eq!(all.len(), 8);
}
