//! The body of the fuzz target `rules_file` (`fuzz/`, cargo-fuzz), kept here so that the
//! committed corpus is replayed through exactly the same code by a plain `cargo test`
//! (`tests/fuzz_corpus.rs`). Not an API: hidden from the docs, used only by the fuzz target and
//! that test.

use crate::{RuleSet, evaluate_persons, sql};
use std::sync::OnceLock;
use tvaers_core::{
    AccountFunction, Catalogue, Department, NaiveDate, Period, PersonIx, Pseudonym, Pseudonymised,
    PseudonymisedPerson, Quantity, Register, ServiceEntry, ServiceIx, ServiceKind, Sex, Spell,
    Unit,
};

/// A rules file's text, as `tvaers` reads it after reading the file (which must be UTF-8; other
/// bytes are an I/O error there and skipped here).
///
/// Asserts: an error names a line and column inside the text. A rule set that parses is
/// translated to SQL and evaluated for every citizen of a small register (one service per
/// known tag, two families, overlapping spells), which must not panic and whose alerts lie in
/// the period.
pub fn rules_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rules = match RuleSet::parse(text, "fuzz.toml") {
        Ok(r) => r,
        Err(e) => {
            let lines = text.matches('\n').count() + 1;
            assert!(
                (1..=lines).contains(&e.line),
                "line {} of {lines}: {e}",
                e.line
            );
            let line_text = text.split('\n').nth(e.line - 1).unwrap_or("");
            assert!(
                (1..=line_text.chars().count() + 1).contains(&e.column),
                "column {} of a line of {} characters: {e}",
                e.column,
                line_text.chars().count()
            );
            let _ = e.to_string();
            return;
        }
    };
    let period = Period::year(2024);
    let queries = sql::rule_queries(&rules, period);
    assert_eq!(queries.len(), rules.rules().len());
    let reg = register();
    let idx = crate::Index::build(reg);
    let persons: Vec<PersonIx> = (0..reg.persons.len() as u32).map(PersonIx).collect();
    for alerts in evaluate_persons(reg, &idx, &rules, &persons, period) {
        for a in alerts {
            assert!(a.from <= a.to, "{a:?}");
            assert!(rules.get(&a.rule_id).is_some(), "{a:?}");
        }
    }
}

/// The small register the parsed rules are evaluated on, built once.
fn register() -> &'static Register<Pseudonymised> {
    static REGISTER: OnceLock<Register<Pseudonymised>> = OnceLock::new();
    REGISTER.get_or_init(|| {
        let departments = [
            Department::Employment,
            Department::AdultSocial,
            Department::ChildrenFamily,
            Department::Health,
            Department::Elderly,
            Department::Psychiatry,
            Department::Disability,
            Department::Integration,
        ];
        let entries: Vec<ServiceEntry> = crate::KNOWN_TAGS
            .iter()
            .enumerate()
            .map(|(i, tag)| ServiceEntry {
                code: tag.to_uppercase(),
                name_da: tag.to_string(),
                name_en: tag.to_string(),
                department: departments[i % departments.len()],
                kind: if i < 6 {
                    ServiceKind::TransferIncome
                } else {
                    ServiceKind::Intervention
                },
                legal_basis: String::new(),
                unit: if i < 6 { Unit::Month } else { Unit::Hour },
                function: AccountFunction::parse("5.57.72").expect("a valid function"),
                tags: vec![tag.to_string()],
            })
            .collect();
        let services = entries.len() as u32;
        let catalogue = Catalogue::new(entries).expect("distinct codes");
        let pseudo = |domain: u8, n: u32| {
            let mut b = [0u8; 16];
            b[0] = domain;
            b[12..].copy_from_slice(&n.to_be_bytes());
            Pseudonym(b)
        };
        // Two families: parents born 1950 and 1980, children 2010 and 2015.
        let births = [1950, 1980, 2010, 2015, 1955, 1985, 2012, 2020];
        let persons: Vec<PseudonymisedPerson> = births
            .iter()
            .enumerate()
            .map(|(i, &birth_year)| PseudonymisedPerson {
                id: pseudo(1, i as u32),
                birth_year,
                sex: if i % 2 == 0 { Sex::Female } else { Sex::Male },
                family: pseudo(2, (i / 4) as u32),
            })
            .collect();
        let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2024, m, d).expect("a date");
        let mut spells = Vec::new();
        for p in 0..persons.len() as u32 {
            for k in 0..6u32 {
                let s = (p * 7 + k * 5) % services;
                let start = day(1 + (k * 2 + p) % 12, 1 + (p * 3 + k) % 28);
                let end = (k % 3 != 0).then(|| day(1 + (k * 2 + p + 3) % 12, 28));
                let end = end.filter(|&e| e >= start);
                spells.push(Spell {
                    person: PersonIx(p),
                    service: ServiceIx(s),
                    start,
                    end,
                    volume: Quantity::ONE,
                    contact: None,
                });
            }
        }
        Register {
            persons,
            relations: Vec::new(),
            catalogue,
            contacts: Vec::new(),
            spells,
            postings: Vec::new(),
            prices: Vec::new(),
        }
    })
}
