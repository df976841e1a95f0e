//! The written files against `docs/data-formats.md`: layouts, encodings, number and date forms,
//! CPR numbers, households and relations, catalogue, prices and postings — read back with an
//! independent reader (`common`).

mod common;

use chrono::Datelike;
use common::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tvaers_core::service::activity_cost;
use tvaers_core::{AccountFunction, Cpr, Department, Ore, Period, Sex};
use tvaers_synth::{Config, SynthError, generate};

const FILES: [&str; 6] = [
    "personer.csv",
    "relationer.csv",
    "ydelseskatalog.csv",
    "forloeb.csv",
    "posteringer.csv",
    "enhedspriser.csv",
];

fn small(citizens: u32, seed: u64) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        citizens,
        seed,
        ..Config::default()
    };
    generate(&cfg, dir.path()).unwrap();
    (dir, cfg)
}

/// FNV-1a over a file's bytes: enough to tell two outputs apart.
fn hash(path: &Path) -> u64 {
    std::fs::read(path)
        .unwrap()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        })
}

#[test]
fn same_config_gives_the_same_bytes_and_another_seed_does_not() {
    let (a, _) = small(6_000, 11);
    let (b, _) = small(6_000, 11);
    let (c, _) = small(6_000, 12);
    for f in FILES {
        assert_eq!(
            hash(&a.path().join(f)),
            hash(&b.path().join(f)),
            "{f} differs between runs"
        );
    }
    for f in ["personer.csv", "forloeb.csv", "posteringer.csv"] {
        assert_ne!(
            hash(&a.path().join(f)),
            hash(&c.path().join(f)),
            "{f} ignores the seed"
        );
    }
}

#[test]
fn summary_counts_match_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        citizens: 3_000,
        ..Config::default()
    };
    let s = generate(&cfg, dir.path()).unwrap();
    let m = Municipality::read(dir.path());
    assert_eq!(s.persons, 3_000);
    assert_eq!(s.persons as usize, m.persons.len());
    let families: HashSet<&str> = m.persons.iter().map(|p| p.family.as_str()).collect();
    assert_eq!(s.families as usize, families.len());
    assert_eq!(s.spells as usize, m.spells.len());
    assert_eq!(s.postings as usize, m.postings.len());
    assert_eq!(s.services as usize, m.services.len());
    assert_eq!(s.prices as usize, m.prices.len());
    assert_eq!(
        s.prices,
        s.services * cfg.years as u64,
        "one price per service and year"
    );
}

#[test]
fn cpr_numbers_are_unique_replacement_numbers_matching_birth_date_and_sex() {
    let (dir, _) = small(20_000, 5);
    let m = Municipality::read(dir.path());
    let mut seen = HashSet::new();
    for p in &m.persons {
        let cpr = Cpr::parse(&p.cpr).unwrap_or_else(|e| panic!("{}: {e}", p.cpr));
        assert!(
            cpr.is_replacement(),
            "{} is not a replacement number",
            p.cpr
        );
        assert_eq!(cpr.birth_date(), Some(p.birth), "{}", p.cpr);
        assert_eq!(cpr.sex() == Sex::Female, p.female, "{}", p.cpr);
        assert_eq!(cpr.to_string(), p.cpr, "written as DDMMYY-SSSS");
        assert!(seen.insert(p.cpr.clone()), "{} twice", p.cpr);
        let day: u32 = p.cpr[..2].parse().unwrap();
        assert!((61..=91).contains(&day));
        assert!(
            p.family.len() == 8 && p.family.starts_with('F'),
            "{}",
            p.family
        );
        assert!(p.family[1..].chars().all(|c| c.is_ascii_digit()));
    }
}

#[test]
fn age_pyramid_and_sexes_are_roughly_danish() {
    let (dir, cfg) = small(42_000, 1);
    let m = Municipality::read(dir.path());
    let year = cfg.first_year + cfg.years as i32 - 1;
    let n = m.persons.len() as f64;
    let share = |lo: i32, hi: i32| {
        m.persons
            .iter()
            .filter(|p| (lo..=hi).contains(&(year - p.birth.year())))
            .count() as f64
            / n
    };
    let (kids, working, old) = (share(0, 17), share(18, 64), share(65, 200));
    assert!((0.17..=0.23).contains(&kids), "0-17: {kids}");
    assert!((0.57..=0.63).contains(&working), "18-64: {working}");
    assert!((0.17..=0.23).contains(&old), "65+: {old}");
    let women = m.persons.iter().filter(|p| p.female).count() as f64 / n;
    assert!((0.48..=0.53).contains(&women), "women {women}");
    let oldest = m
        .persons
        .iter()
        .map(|p| year - p.birth.year())
        .max()
        .unwrap();
    assert!((95..=105).contains(&oldest));
}

#[test]
fn households_have_all_kinds_and_relations_run_both_ways() {
    let (dir, cfg) = small(10_000, 3);
    let year = cfg.first_year + cfg.years as i32 - 1;
    let m = Municipality::read(dir.path());
    let set: HashSet<(usize, usize, &str)> = m
        .relations
        .iter()
        .map(|(a, b, k)| (*a, *b, k.as_str()))
        .collect();
    assert_eq!(set.len(), m.relations.len(), "no duplicate relation rows");
    for (a, b, k) in &m.relations {
        let back = match k.as_str() {
            "partner" => "partner",
            "forælder" => "barn",
            "barn" => "forælder",
            other => panic!("relation {other:?}"),
        };
        assert!(set.contains(&(*b, *a, back)), "{k} without its converse");
        assert_eq!(
            m.persons[*a].family, m.persons[*b].family,
            "relations within a family"
        );
        if k == "forælder" {
            // `b` is the parent of `a`.
            assert!(m.persons[*b].birth.year() + 16 <= m.persons[*a].birth.year());
        }
    }
    // Family kinds: singles, couples, couples with children, single parents, elderly couples.
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in m.persons.iter().enumerate() {
        members.entry(p.family.as_str()).or_default().push(i);
    }
    let partners: HashSet<usize> = m
        .relations
        .iter()
        .filter(|r| r.2 == "partner")
        .map(|r| r.0)
        .collect();
    let parents: HashSet<usize> = m
        .relations
        .iter()
        .filter(|r| r.2 == "barn")
        .map(|r| r.0)
        .collect();
    let (mut single, mut couple, mut couple_kids, mut single_parent, mut elderly_couple) =
        (0, 0, 0, 0, 0);
    for ms in members.values() {
        let adults_partnered = ms.iter().filter(|p| partners.contains(p)).count();
        let has_kids = ms.iter().any(|p| parents.contains(p));
        match (ms.len(), adults_partnered, has_kids) {
            (1, 0, false) => single += 1,
            (2, 2, false) => {
                if ms.iter().all(|&p| year - m.persons[p].birth.year() >= 65) {
                    elderly_couple += 1
                } else {
                    couple += 1
                }
            }
            (_, 2, true) => couple_kids += 1,
            (_, 0, true) => single_parent += 1,
            _ => {}
        }
    }
    for (kind, count) in [
        ("single", single),
        ("couple", couple),
        ("couple with children", couple_kids),
        ("single parent", single_parent),
        ("elderly couple", elderly_couple),
    ] {
        assert!(count >= 100, "{kind}: {count}");
    }
}

#[test]
fn catalogue_covers_departments_tags_and_valid_codes() {
    let (dir, _) = small(1_000, 1);
    let (header, rows) = read_utf8(&dir.path().join("ydelseskatalog.csv"), ',');
    assert_eq!(header.len(), 9);
    assert!((30..=45).contains(&rows.len()), "{} services", rows.len());
    let mut codes = HashSet::new();
    let mut departments = HashSet::new();
    let mut tags: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        assert_eq!(r.len(), 9, "{r:?}");
        assert!(codes.insert(r[0].clone()), "code {} twice", r[0]);
        assert!(!r[1].is_empty() && !r[2].is_empty());
        departments.insert(Department::from_code(&r[3]).expect("department code"));
        assert!(r[4] == "ydelse" || r[4] == "indsats");
        assert!(
            [
                "LAS",
                "LAB",
                "SEL",
                "Sundhedsloven",
                "Barnets lov",
                "Sygedagpengeloven",
                "Lov om social pension",
                "Integrationsloven"
            ]
            .iter()
            .any(|law| r[5].starts_with(law)),
            "legal basis {}",
            r[5]
        );
        assert!(tvaers_core::Unit::from_code(&r[6]).is_some());
        assert!(AccountFunction::parse(&r[7]).is_some(), "function {}", r[7]);
        for t in r[8].split('|') {
            *tags.entry(t.to_string()).or_default() += 1;
        }
        if r[4] == "ydelse" {
            assert!(
                r[8].split('|').any(|t| t == "overfoersel"),
                "{} untagged",
                r[0]
            );
        }
    }
    assert_eq!(departments.len(), Department::ALL.len());
    for t in tvaers_core::service::CATEGORY_TAGS {
        assert!(tags.contains_key(*t), "tag {t} missing");
    }
    assert!(tags["befordring"] >= 3, "several transport schemes");
    assert!(tags["hverdagsstoette"] >= 3, "mentor, § 99 and § 85");
    let legal: Vec<&str> = rows.iter().map(|r| r[5].as_str()).collect();
    for basis in [
        "LAS § 25",
        "SEL § 85",
        "SEL § 99",
        "SEL § 107",
        "SEL § 108",
        "SEL § 110",
        "Sundhedsloven § 138",
        "Sundhedsloven § 140",
    ] {
        assert!(legal.contains(&basis), "{basis}");
    }
}

#[test]
fn prices_follow_reference_figures_and_index_three_percent() {
    let (dir, _) = small(1_000, 1);
    let m = Municipality::read(dir.path());
    let p = |code: &str, year: i32| m.prices[&(code.to_string(), year)];
    for code in m.services.keys() {
        let (a, b) = (p(code, 2024), p(code, 2025));
        // Rolled forward by 3 % to the øre.
        let expected = (a.0 * 103 + 50) / 100;
        assert!((b.0 - expected).abs() <= 1, "{code}: {a:?} → {b:?}");
    }
    // docs/reference.md: kontanthjælp 11,944 kr in 2023 → 12,302.32 kr in 2024.
    assert_eq!(p("KTH", 2024), Ore(1_230_232));
    assert_eq!(p("FTP", 2024), Ore::from_kroner(20_370));
    // § 108 at ≈ 2,355 kr a day in 2019, five years on: 2,355 × 1.03⁵ ≈ 2,730 kr.
    assert!((272_900..=273_100).contains(&p("BOT108", 2024).0));
    // Home care 490 kr an hour in 2026 is ≈ 462 kr in 2024.
    assert!((46_100..=46_300).contains(&p("HJHPP", 2024).0));
}

#[test]
fn spells_are_well_formed_and_span_the_window() {
    let (dir, cfg) = small(20_000, 2);
    let m = Municipality::read(dir.path());
    let (_, rows) = read_utf8(&dir.path().join("forloeb.csv"), ';');
    let first = chrono::NaiveDate::from_ymd_opt(cfg.first_year, 1, 1).unwrap();
    let last =
        chrono::NaiveDate::from_ymd_opt(cfg.first_year + cfg.years as i32 - 1, 12, 31).unwrap();
    let (mut open, mut earlier, mut decimal_comma) = (0, 0, 0);
    for (s, r) in m.spells.iter().zip(&rows) {
        let svc = &m.services[&s.service];
        assert_eq!(
            tvaers_core::Unit::from_code(&r[5]),
            Some(svc.unit),
            "unit of {}",
            s.service
        );
        assert!(s.end.is_none_or(|e| e >= s.start), "end before start");
        assert!(
            s.start <= last && s.end.is_none_or(|e| e >= first),
            "outside the window"
        );
        assert!(s.start >= m.persons[s.person].birth, "service before birth");
        assert!(s.volume.0 > 0);
        let dept = Department::from_code(&svc.department).unwrap();
        let prefix = match dept {
            Department::Employment => "JC",
            Department::AdultSocial => "SO",
            Department::ChildrenFamily => "BF",
            Department::Health => "SU",
            Department::Elderly => "AE",
            Department::Psychiatry => "PS",
            Department::Disability => "HA",
            Department::Integration => "IN",
        };
        assert!(
            s.contact.starts_with(prefix) && s.contact.len() >= 5,
            "{}",
            s.contact
        );
        assert!(s.contact[2..].chars().all(|c| c.is_ascii_digit()));
        open += usize::from(s.end.is_none());
        earlier += usize::from(s.start < first);
        decimal_comma += usize::from(r[4].contains(','));
        assert!(!r[4].contains('.'), "decimal comma, not point: {}", r[4]);
    }
    assert!(
        open > 100 && earlier > 100 && decimal_comma > 100,
        "{open} {earlier} {decimal_comma}"
    );
}

#[test]
fn postings_are_windows_1252_with_danish_numbers_and_dates() {
    let (dir, _) = small(5_000, 4);
    let bytes = std::fs::read(dir.path().join("posteringer.csv")).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "æøå must be Windows-1252 bytes"
    );
    assert!(bytes.contains(&0xe6), "æ as 0xE6");
    let (text, _, bad) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!bad);
    assert!(text.contains("Kontanthjælp") || text.contains("Sygedagpenge"));
    let (_, rows) = table(&text, ';');
    let mut grouped = 0;
    for r in &rows {
        assert_eq!(r.len(), 6, "{r:?}");
        dmy(&r[0]);
        let amount = r[2].trim_start_matches('-');
        let (int, frac) = amount.split_once(',').expect("decimal comma");
        assert_eq!(frac.len(), 2, "{}", r[2]);
        let groups: Vec<&str> = int.split('.').collect();
        assert!(groups[0].len() <= 3 && !groups[0].is_empty(), "{}", r[2]);
        assert!(groups[1..].iter().all(|g| g.len() == 3), "{}", r[2]);
        grouped += usize::from(groups.len() > 1);
        assert!(r[3].is_empty() || Cpr::parse(&r[3]).is_ok());
        assert_eq!(
            r[3].is_empty(),
            r[4].is_empty(),
            "a person posting names its service"
        );
    }
    assert!(grouped > 100);
}

#[test]
fn postings_book_transfers_to_persons_and_lump_the_rest_at_activity_times_overhead() {
    let (dir, cfg) = small(20_000, 6);
    let m = Municipality::read(dir.path());
    let year = cfg.first_year + cfg.years as i32 - 1;
    let period = Period::year(year);
    let spells = by_person(&m);
    // Every person posting pays for a spell of that service running in that month.
    let mut refunds = (0, 0);
    for p in &m.postings {
        if p.amount.0 < 0 {
            if p.person.is_some() {
                refunds.0 += 1
            } else {
                refunds.1 += 1
            }
        }
        // Repayments may come after the spell has ended.
        let Some(who) = p.person.filter(|_| p.amount.0 > 0) else {
            continue;
        };
        let month_start = p.date.with_day(1).unwrap();
        assert!(
            spells[who].iter().any(|s| s.service == p.service
                && s.start <= p.date
                && s.end.is_none_or(|e| e >= month_start)),
            "posting of {} without a spell",
            p.service
        );
        assert!(
            m.services[&p.service].transfer
                || m.services[&p.service]
                    .tags
                    .iter()
                    .any(|t| t == "anbringelse")
        );
    }
    assert!(refunds.0 >= 5 && refunds.1 >= 5, "refunds {refunds:?}");
    // A full month of kontanthjælp at the single or the provider rate of docs/reference.md
    // (11,944 / 15,874 kr in 2023), rolled forward twice by 3 % to the øre.
    let kth_2025 = [Ore(1_267_139), Ore(1_684_073)];
    let full_months = m
        .postings
        .iter()
        .filter(|p| p.service == "KTH" && p.date.year() == 2025 && kth_2025.contains(&p.amount))
        .count();
    assert!(full_months > 100, "{full_months}");

    // Lumps per function: activity × unit price, times an overhead of 0–30 %.
    let mut activity: HashMap<&str, i64> = HashMap::new();
    for s in &m.spells {
        let svc = &m.services[&s.service];
        if svc.transfer || svc.tags.iter().any(|t| t == "anbringelse") {
            continue;
        }
        if let Some(part) = period.intersect(s.start, s.end) {
            let price = m.prices[&(s.service.clone(), year)];
            *activity.entry(svc.function.as_str()).or_default() +=
                activity_cost(s.volume, price, svc.unit, part.days()).0;
        }
    }
    let mut lumps: HashMap<&str, i64> = HashMap::new();
    for p in m
        .postings
        .iter()
        .filter(|p| p.person.is_none() && period.contains(p.date))
    {
        *lumps.entry(p.function.as_str()).or_default() += p.amount.0;
    }
    for (f, a) in &activity {
        let l = lumps[f];
        assert!(
            l as f64 >= *a as f64 * 1.0 && l as f64 <= *a as f64 * 1.3,
            "{f}: lumps {l} activity {a}"
        );
    }
    // Functions with cost and no activity data at all.
    let without: Vec<&&str> = lumps
        .keys()
        .filter(|f| !activity.contains_key(*f))
        .collect();
    assert!(without.len() >= 2, "{without:?}");
    // Booked and lumped functions are disjoint.
    for p in m.postings.iter().filter(|p| p.person.is_some()) {
        assert!(
            !activity.contains_key(p.function.as_str()),
            "{} both booked and lumped",
            p.function
        );
    }
}

#[test]
fn contact_person_caseloads_are_realistic() {
    let (dir, cfg) = small(42_000, 1);
    let m = Municipality::read(dir.path());
    let mid = chrono::NaiveDate::from_ymd_opt(cfg.first_year + cfg.years as i32 - 1, 7, 1).unwrap();
    let mut spells: HashMap<&str, usize> = HashMap::new();
    let mut contacts: HashMap<&str, HashSet<&str>> = HashMap::new();
    for s in m
        .spells
        .iter()
        .filter(|s| s.start <= mid && s.end.is_none_or(|e| e >= mid))
    {
        let dept = m.services[&s.service].department.as_str();
        *spells.entry(dept).or_default() += 1;
        contacts.entry(dept).or_default().insert(s.contact.as_str());
    }
    for (dept, n) in &spells {
        let load = *n as f64 / contacts[dept].len() as f64;
        assert!(
            (10.0..=90.0).contains(&load),
            "{dept}: {load} per contact person"
        );
    }
    assert!(contacts.len() >= 7);
}

#[test]
fn refuses_bad_config_and_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let bad = Config {
        years: 0,
        ..Config::default()
    };
    assert!(matches!(
        generate(&bad, dir.path()),
        Err(SynthError::InvalidConfig(_))
    ));
    let too_late = Config {
        first_year: 2050,
        years: 10,
        ..Config::default()
    };
    assert!(matches!(
        generate(&too_late, dir.path()),
        Err(SynthError::InvalidConfig(_))
    ));
    let missing = dir.path().join("nope");
    let cfg = Config {
        citizens: 10,
        ..Config::default()
    };
    assert!(matches!(
        generate(&cfg, &missing),
        Err(SynthError::Io { .. })
    ));
    // An empty municipality is still six files with headers.
    let empty = Config {
        citizens: 0,
        ..Config::default()
    };
    let s = generate(&empty, dir.path()).unwrap();
    assert_eq!(s.persons, 0);
    for f in FILES {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

#[test]
fn one_year_and_other_first_years_work() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        citizens: 2_000,
        seed: 9,
        first_year: 2021,
        years: 1,
    };
    let s = generate(&cfg, dir.path()).unwrap();
    assert_eq!(s.prices, s.services);
    let m = Municipality::read(dir.path());
    assert!(m.postings.iter().all(|p| p.date.year() == 2021));
    assert!(m.prices.keys().all(|(_, y)| *y == 2021));
}
