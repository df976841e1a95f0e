//! An independent reader of the generated files for the tests: plain line splitting and the
//! core's parsers, nothing from the generator's own model. What the tests measure is what an
//! importer would see.

#![allow(
    dead_code,
    reason = "shared by several test binaries (`mod common;` in each); every binary uses only part of it, so `expect` would fail in some"
)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use tvaers_core::service::activity_cost;
use tvaers_core::{Cpr, NaiveDate, Ore, Period, Quantity, Unit};

/// Splits one CSV line, honouring double quotes.
pub fn split(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            quoted = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// Header and rows of a UTF-8 CSV file.
pub fn read_utf8(path: &Path, sep: char) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("UTF-8 file");
    table(&text, sep)
}

pub fn table(text: &str, sep: char) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = split(lines.next().expect("header"), sep);
    let rows = lines.map(|l| split(l, sep)).collect();
    (header, rows)
}

pub fn iso(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("ISO date {s:?}"))
}

pub fn dmy(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%d-%m-%Y").unwrap_or_else(|_| panic!("dd-mm-yyyy date {s:?}"))
}

pub struct Person {
    pub cpr: String,
    pub birth: NaiveDate,
    pub female: bool,
    pub family: String,
}

pub struct Service {
    pub department: String,
    pub unit: Unit,
    pub function: String,
    pub tags: Vec<String>,
    pub transfer: bool,
}

pub struct Spell {
    pub person: usize,
    pub service: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub volume: Quantity,
    pub contact: String,
}

pub struct Posting {
    pub date: NaiveDate,
    pub function: String,
    pub amount: Ore,
    pub person: Option<usize>,
    pub service: String,
}

pub struct Municipality {
    pub persons: Vec<Person>,
    pub by_cpr: HashMap<String, usize>,
    pub relations: Vec<(usize, usize, String)>,
    pub services: HashMap<String, Service>,
    pub spells: Vec<Spell>,
    pub postings: Vec<Posting>,
    pub prices: HashMap<(String, i32), Ore>,
}

impl Municipality {
    pub fn read(dir: &Path) -> Municipality {
        let (h, rows) = read_utf8(&dir.join("personer.csv"), ',');
        assert_eq!(h, ["cpr", "foedselsdato", "koen", "familie_id"]);
        let persons: Vec<Person> = rows
            .into_iter()
            .map(|r| Person {
                cpr: r[0].clone(),
                birth: iso(&r[1]),
                female: r[2] == "K",
                family: r[3].clone(),
            })
            .collect();
        let by_cpr: HashMap<String, usize> = persons
            .iter()
            .enumerate()
            .map(|(i, p)| (p.cpr.clone(), i))
            .collect();

        let (h, rows) = read_utf8(&dir.join("relationer.csv"), ',');
        assert_eq!(h, ["cpr", "relateret_cpr", "relation"]);
        let relations = rows
            .into_iter()
            .map(|r| (by_cpr[&r[0]], by_cpr[&r[1]], r[2].clone()))
            .collect();

        let (h, rows) = read_utf8(&dir.join("ydelseskatalog.csv"), ',');
        assert_eq!(
            h,
            [
                "kode",
                "navn_da",
                "navn_en",
                "forvaltning",
                "art",
                "hjemmel",
                "enhed",
                "funktion",
                "kategorier"
            ]
        );
        let services = rows
            .into_iter()
            .map(|r| {
                (
                    r[0].clone(),
                    Service {
                        department: r[3].clone(),
                        unit: Unit::from_code(&r[6]).expect("unit"),
                        function: r[7].clone(),
                        tags: r[8].split('|').map(str::to_string).collect(),
                        transfer: r[4] == "ydelse",
                    },
                )
            })
            .collect();

        let (h, rows) = read_utf8(&dir.join("forloeb.csv"), ';');
        assert_eq!(
            h,
            [
                "cpr",
                "ydelse",
                "start",
                "slut",
                "omfang",
                "enhed",
                "kontaktperson"
            ]
        );
        let spells = rows
            .into_iter()
            .map(|r| Spell {
                person: by_cpr[&r[0]],
                service: r[1].clone(),
                start: iso(&r[2]),
                end: (!r[3].is_empty()).then(|| iso(&r[3])),
                volume: Quantity::parse(&r[4], ',').expect("volume"),
                contact: r[6].clone(),
            })
            .collect();

        let bytes = std::fs::read(dir.join("posteringer.csv")).expect("postings");
        let (text, _, bad) = encoding_rs::WINDOWS_1252.decode(&bytes);
        assert!(!bad);
        let (h, rows) = table(&text, ';');
        assert_eq!(
            h,
            [
                "bogfoeringsdato",
                "funktion",
                "beloeb",
                "cpr",
                "ydelse",
                "tekst"
            ]
        );
        let postings = rows
            .into_iter()
            .map(|r| Posting {
                date: dmy(&r[0]),
                function: r[1].clone(),
                amount: Ore::parse_kroner(&r[2], ',').expect("amount"),
                person: (!r[3].is_empty()).then(|| by_cpr[&r[3]]),
                service: r[4].clone(),
            })
            .collect();

        let (h, rows) = read_utf8(&dir.join("enhedspriser.csv"), ',');
        assert_eq!(h, ["ydelse", "enhed", "pris", "aar", "kilde"]);
        let prices = rows
            .into_iter()
            .map(|r| {
                (
                    (r[0].clone(), r[3].parse().expect("year")),
                    Ore::parse_kroner(&r[2], '.').expect("price"),
                )
            })
            .collect();

        Municipality {
            persons,
            by_cpr,
            relations,
            services,
            spells,
            postings,
            prices,
        }
    }

    pub fn has_tag(&self, spell: &Spell, tag: &str) -> bool {
        self.services[&spell.service].tags.iter().any(|t| t == tag)
    }
}

/// The cost shape of one year, allocated to citizens as the task defines it: postings booked to
/// the person, plus activity × unit price for spells unless the person has a booked posting on
/// that spell's account function in the year (no double counting).
pub struct Allocation {
    pub total: Ore,
    pub booked: Ore,
    pub activity: Ore,
    /// Per person: booked + activity.
    pub per_person: Vec<i64>,
}

pub fn allocate(m: &Municipality, year: i32) -> Allocation {
    let period = Period::year(year);
    let mut total = Ore::ZERO;
    let mut booked = Ore::ZERO;
    let mut per_person = vec![0i64; m.persons.len()];
    let mut booked_on: HashSet<(usize, &str)> = HashSet::new();
    for p in &m.postings {
        if !period.contains(p.date) {
            continue;
        }
        total += p.amount;
        if let Some(who) = p.person {
            booked += p.amount;
            per_person[who] += p.amount.0;
            booked_on.insert((who, p.function.as_str()));
        }
    }
    let mut activity = Ore::ZERO;
    for s in &m.spells {
        let svc = &m.services[&s.service];
        if booked_on.contains(&(s.person, svc.function.as_str())) {
            continue;
        }
        let Some(part) = period.intersect(s.start, s.end) else {
            continue;
        };
        for (y, seg) in part.year_segments() {
            let price = m.prices[&(s.service.clone(), y)];
            let c = activity_cost(s.volume, price, svc.unit, seg.days());
            activity += c;
            per_person[s.person] += c.0;
        }
    }
    Allocation {
        total,
        booked,
        activity,
        per_person,
    }
}

/// Share of the allocated cost held by the ⌈k/100·N⌉ most expensive citizens, and their
/// indices.
pub fn top_share(alloc: &Allocation, k: u32) -> (f64, Vec<usize>) {
    let n = alloc.per_person.len();
    let take = (n * k as usize).div_ceil(100);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(alloc.per_person[i]));
    order.truncate(take);
    let sum: i64 = order.iter().map(|&i| alloc.per_person[i]).sum();
    let all: i64 = alloc.per_person.iter().sum();
    (sum as f64 / all as f64, order)
}

/// Whether some day lies in all of the intervals.
pub fn overlap(spells: &[&Spell]) -> bool {
    let far = NaiveDate::MAX;
    let start = spells.iter().map(|s| s.start).max().expect("non-empty");
    let end = spells
        .iter()
        .map(|s| s.end.unwrap_or(far))
        .min()
        .expect("non-empty");
    start <= end
}

/// Spells grouped by person.
pub fn by_person(m: &Municipality) -> Vec<Vec<&Spell>> {
    let mut out: Vec<Vec<&Spell>> = (0..m.persons.len()).map(|_| Vec::new()).collect();
    for s in &m.spells {
        out[s.person].push(s);
    }
    out
}

/// Whether one spell from each predicate's group (distinct spells) is active on a common day.
pub fn concurrent(spells: &[&Spell], preds: &[&dyn Fn(&Spell) -> bool]) -> bool {
    fn go<'a>(
        spells: &[&'a Spell],
        preds: &[&dyn Fn(&Spell) -> bool],
        chosen: &mut Vec<&'a Spell>,
    ) -> bool {
        if chosen.len() == preds.len() {
            return overlap(chosen);
        }
        let pred = preds[chosen.len()];
        for &s in spells {
            if pred(s) && !chosen.iter().any(|c| std::ptr::eq(*c, s)) {
                chosen.push(s);
                if overlap(chosen) && go(spells, preds, chosen) {
                    return true;
                }
                chosen.pop();
            }
        }
        false
    }
    go(spells, preds, &mut Vec::new())
}

/// Days on which the set of active spells can change (every start), for "at once" counts.
pub fn max_at_once<T: Eq + std::hash::Hash>(spells: &[&Spell], key: impl Fn(&Spell) -> T) -> usize {
    let mut best = 0;
    for s in spells {
        let d = s.start;
        let active: HashSet<T> = spells
            .iter()
            .filter(|o| o.start <= d && o.end.is_none_or(|e| e >= d))
            .map(|o| key(o))
            .collect();
        best = best.max(active.len());
    }
    best
}

pub fn cpr_ok(cpr: &str) -> Option<Cpr> {
    Cpr::parse(cpr).ok()
}
