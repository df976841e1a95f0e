//! Times the analysis when many persons share one family key (a placeholder such as "0" in the
//! person export): a generated municipality, read and pseudonymised as `tvaers import` does,
//! then every person is put in the same family.
//!
//! `cargo run --release -p tvaers-analysis --example one_family -- [persons]`

use std::time::Instant;
use tvaers_analysis::{allocate, compute_metrics, default_period, summarise_with_rules};
use tvaers_rules::RuleSet;

fn main() {
    let persons: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(42_000);
    let dir = tempfile::tempdir().unwrap();
    let cfg = tvaers_synth::Config {
        citizens: persons,
        seed: 1,
        first_year: 2024,
        years: 2,
    };
    tvaers_synth::generate(&cfg, dir.path()).expect("generate");
    let identified = tvaers_ingest::read_exports(
        dir.path(),
        &tvaers_ingest::profile::Profile::default_profile(),
    )
    .expect("read");
    let mut reg = tvaers_ingest::pseudonymise(
        identified,
        &tvaers_ingest::PseudonymKey::from_bytes([7; 32]),
    );
    // ONE_FAMILY=0 keeps the generated families (to compare with an ordinary run).
    if std::env::var("ONE_FAMILY").as_deref() != Ok("0") {
        let one = reg.persons[0].family;
        for p in &mut reg.persons {
            p.family = one;
        }
    }
    println!(
        "{} persons in one family, {} spells, {} postings",
        reg.persons.len(),
        reg.spells.len(),
        reg.postings.len()
    );
    let period = default_period(&reg);
    println!("default period {period}");
    let rules = RuleSet::standard();
    let t = Instant::now();
    let alloc = allocate(&reg, period).unwrap();
    println!("allocate:             {:.2?}", t.elapsed());
    let t = Instant::now();
    let metrics = compute_metrics(&reg, &alloc, period);
    println!("compute_metrics:      {:.2?}", t.elapsed());
    let t = Instant::now();
    let a = summarise_with_rules(&reg, &alloc, &metrics, &rules, Default::default());
    println!("summarise_with_rules: {:.2?}", t.elapsed());
    // A fingerprint of everything published, to compare runs of two versions.
    let json = a.summary_json().to_string();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&json, &mut h);
    println!(
        "summary.json: {} bytes, hash {:016x}",
        json.len(),
        std::hash::Hasher::finish(&h)
    );
}
