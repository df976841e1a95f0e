//! The contract between generator and importer: what `tvaers_synth::generate` writes must be
//! read by the default profile without a single error, row for row.

use tvaers_core::PersonRecord;
use tvaers_ingest::dataset::{self, Manifest};
use tvaers_ingest::{Profile, PseudonymKey, pseudonymise, read_exports};

#[test]
fn generated_municipality_imports_cleanly_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tvaers_synth::Config {
        citizens: 3_000,
        seed: 7,
        first_year: 2024,
        years: 2,
    };
    let summary = tvaers_synth::generate(&cfg, dir.path()).unwrap();
    let reg =
        read_exports(dir.path(), &Profile::default_profile()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reg.persons.len() as u64, summary.persons);
    assert_eq!(reg.spells.len() as u64, summary.spells);
    assert_eq!(reg.postings.len() as u64, summary.postings);
    assert_eq!(reg.prices.len() as u64, summary.prices);
    assert_eq!(reg.catalogue.len() as u64, summary.services);
    let families: std::collections::HashSet<_> = reg.persons.iter().map(|p| p.family()).collect();
    assert_eq!(families.len() as u64, summary.families);
    // Generated CPR numbers are replacement numbers (day of month + 60) only.
    assert!(reg.persons.iter().all(|p| p.cpr.is_replacement()));

    let key = PseudonymKey::from_bytes([3; 32]);
    let p = pseudonymise(reg, &key);
    let out = tempfile::tempdir().unwrap();
    let m = Manifest::new(&p, "synth", "default", &key.fingerprint());
    dataset::write(&p, out.path(), &m).unwrap();
    let back = dataset::read(out.path()).unwrap();
    assert_eq!(back.persons, p.persons);
    assert_eq!(back.spells, p.spells);
    assert_eq!(back.postings, p.postings);
    assert_eq!(back.prices, p.prices);
    assert_eq!(back.relations, p.relations);
    assert_eq!(back.contacts, p.contacts);
}
