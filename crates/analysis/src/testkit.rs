//! Builds a `Register<Pseudonymised>` from a compact text description, for tests.
//!
//! One item per line, fields separated by whitespace, `-` for an empty optional field, `#`
//! starts a comment:
//!
//! ```text
//! service KTH beskaeftigelse maaned 5.57.73 overfoersel,kontanthjaelp   # code department unit function [tags]
//! price   KTH 2024 11944.00                      # service year kroner
//! person  a F1                                   # name family (birth year 1980, sex K)
//! person  b F1 2010 M                            # name family birth-year sex
//! spell   a KTH 2024-01-01 2024-12-31 1 JC1      # person service start end|- volume contact|-
//! posting 2024-02-01 5.57.73 100.00 a KTH        # date function kroner person|- service|-
//! ```
//!
//! Pseudonyms are derived from the names by a fixed mixing function, so they look like real
//! 32-hex pseudonyms and differ between persons, families and contacts.
//! Used by the unit tests and, through `#[path]`, by the integration tests.

#![allow(
    dead_code,
    reason = "compiled into the unit tests and, through `#[path]`, into every integration-test binary; each uses only part of it"
)]

use std::collections::HashMap;
use tvaers_core::{
    AccountFunction, Catalogue, ContactIx, Department, NaiveDate, Ore, PersonIx, Posting,
    Pseudonym, Pseudonymised, PseudonymisedPerson, Quantity, Register, ServiceEntry, ServiceIx,
    ServiceKind, Sex, Spell, Unit, UnitPrice,
};

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic pseudonym for `name` in `domain` ("p", "f", "c").
pub fn pseudonym(domain: &str, name: &str) -> Pseudonym {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in domain.bytes().chain([0u8]).chain(name.bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    let a = mix(h);
    let b = mix(a);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&a.to_le_bytes());
    out[8..].copy_from_slice(&b.to_le_bytes());
    Pseudonym(out)
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {s}"))
}

fn opt(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// Parses the description; panics with the offending line on any error.
pub fn register(text: &str) -> Register<Pseudonymised> {
    let mut services = Vec::new();
    let mut persons = Vec::new();
    let mut person_ix: HashMap<String, u32> = HashMap::new();
    let mut contacts = Vec::new();
    let mut contact_ix: HashMap<String, u32> = HashMap::new();
    // Spells, postings and prices refer to services by code; resolve after the catalogue.
    let mut raw_prices = Vec::new();
    let mut raw_spells = Vec::new();
    let mut raw_postings = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        match f[0] {
            "service" => {
                assert!(
                    f.len() == 5 || f.len() == 6,
                    "service CODE DEPT UNIT FUNCTION [TAG,TAG]: {line}"
                );
                services.push(ServiceEntry {
                    code: f[1].to_string(),
                    name_da: f[1].to_string(),
                    name_en: f[1].to_string(),
                    department: Department::from_code(f[2]).expect(line),
                    kind: ServiceKind::Intervention,
                    legal_basis: String::new(),
                    unit: Unit::from_code(f[3]).expect(line),
                    function: AccountFunction::parse(f[4]).expect(line),
                    tags: f
                        .get(5)
                        .map(|t| t.split(',').map(str::to_string).collect())
                        .unwrap_or_default(),
                });
            }
            "price" => {
                assert_eq!(f.len(), 4, "price SERVICE YEAR KRONER: {line}");
                raw_prices.push((
                    f[1].to_string(),
                    f[2].parse::<i32>().expect(line),
                    Ore::parse_kroner(f[3], '.').expect(line),
                ));
            }
            "person" => {
                assert!(
                    f.len() == 3 || f.len() == 5,
                    "person NAME FAMILY [BIRTH-YEAR SEX]: {line}"
                );
                let ix = persons.len() as u32;
                assert!(person_ix.insert(f[1].to_string(), ix).is_none(), "{line}");
                persons.push(PseudonymisedPerson {
                    id: pseudonym("p", f[1]),
                    birth_year: f.get(3).map_or(1980, |y| y.parse().expect(line)),
                    sex: f
                        .get(4)
                        .map_or(Sex::Female, |x| Sex::from_code(x).expect(line)),
                    family: pseudonym("f", f[2]),
                });
            }
            "spell" => {
                assert_eq!(
                    f.len(),
                    7,
                    "spell PERSON SERVICE START END VOLUME CONTACT: {line}"
                );
                let contact = opt(f[6]).map(|c| {
                    let n = contact_ix.len() as u32;
                    let ix = *contact_ix.entry(c.to_string()).or_insert(n);
                    if ix == n {
                        contacts.push(pseudonym("c", c));
                    }
                    ContactIx(ix)
                });
                raw_spells.push((
                    f[1].to_string(),
                    f[2].to_string(),
                    date(f[3]),
                    opt(f[4]).map(date),
                    Quantity::parse(f[5], '.').expect(line),
                    contact,
                ));
            }
            "posting" => {
                assert_eq!(
                    f.len(),
                    6,
                    "posting DATE FUNCTION KRONER PERSON SERVICE: {line}"
                );
                raw_postings.push((
                    date(f[1]),
                    AccountFunction::parse(f[2]).expect(line),
                    Ore::parse_kroner(f[3], '.').expect(line),
                    opt(f[4]).map(str::to_string),
                    opt(f[5]).map(str::to_string),
                ));
            }
            other => panic!("unknown item {other:?} in {line}"),
        }
    }
    let catalogue = Catalogue::new(services).expect("duplicate service code");
    let svc = |code: &str| -> ServiceIx {
        catalogue
            .lookup(code)
            .unwrap_or_else(|| panic!("unknown service {code}"))
    };
    let who = |name: &str| -> PersonIx {
        PersonIx(
            *person_ix
                .get(name)
                .unwrap_or_else(|| panic!("unknown person {name}")),
        )
    };
    let prices = raw_prices
        .into_iter()
        .map(|(code, year, price)| {
            let service = svc(&code);
            UnitPrice {
                service,
                unit: catalogue.get(service).unit,
                price,
                year,
                source: "test".to_string(),
            }
        })
        .collect();
    let spells = raw_spells
        .into_iter()
        .map(|(p, code, start, end, volume, contact)| Spell {
            person: who(&p),
            service: svc(&code),
            start,
            end,
            volume,
            contact,
        })
        .collect();
    let postings = raw_postings
        .into_iter()
        .map(|(date, function, amount, p, code)| Posting {
            date,
            function,
            amount,
            person: p.as_deref().map(who),
            service: code.as_deref().map(svc),
        })
        .collect();
    Register {
        persons,
        relations: Vec::new(),
        catalogue,
        contacts,
        spells,
        postings,
        prices,
    }
}

/// Every pseudonym in the register as lower-case hex (persons, families, contacts).
pub fn all_pseudonym_hex(reg: &Register<Pseudonymised>) -> Vec<String> {
    let mut v: Vec<String> = reg
        .persons
        .iter()
        .flat_map(|p| [p.id.to_hex(), p.family.to_hex()])
        .chain(reg.contacts.iter().map(|c| c.to_hex()))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A standard catalogue for tests: one service per department with distinct functions.
pub const CATALOGUE: &str = "
service KTH beskaeftigelse maaned 5.57.73
service MENTOR beskaeftigelse time 5.68.90
service SEL85 social_voksne time 5.38.38
service SEL99 social_voksne time 5.38.53
service FOREB boern_familie dag 5.28.21
service GENOP sundhed time 4.62.82
service HJEM aeldre time 5.30.26
service PSYK psykiatri uge 5.38.42
service BOTILB handicap dag 5.38.50
service INTEG integration maaned 5.57.72
";
