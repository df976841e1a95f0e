//! The plausibility page: its ranges are the table of docs/reference.md, a generated
//! municipality passes every check, and the same data with amounts 100 times too large (øre
//! read as kroner) is flagged with the hint that says so.

use tvaers_analysis::plausibility::{Hint, RANGES, Status};
use tvaers_analysis::{analyse, default_period};
use tvaers_core::{Ore, Pseudonymised, Register};

/// The rows of the "Plausibility ranges" table: (key, low, high).
fn doc_ranges() -> Vec<(String, f64, f64)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/reference.md");
    let text = std::fs::read_to_string(path).unwrap();
    let section = text
        .split("\n## Plausibility ranges\n")
        .nth(1)
        .expect("docs/reference.md has a section \"Plausibility ranges\"");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            let num = |s: &str| -> f64 {
                s.replace(',', "")
                    .parse()
                    .unwrap_or_else(|_| panic!("not a number {s:?} in {l}"))
            };
            (
                cols[1].trim_matches('`').to_string(),
                num(cols[3]),
                num(cols[4]),
            )
        })
        .collect()
}

#[test]
fn the_code_and_the_documentation_have_the_same_ranges() {
    let doc = doc_ranges();
    let code: Vec<(String, f64, f64)> = RANGES
        .iter()
        .map(|r| (r.key.to_string(), r.low, r.high))
        .collect();
    assert_eq!(
        doc, code,
        "docs/reference.md, \"Plausibility ranges\" vs RANGES"
    );
}

fn generated(citizens: u32) -> Register<Pseudonymised> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tvaers_synth::Config {
        citizens,
        seed: 1,
        first_year: 2024,
        years: 2,
    };
    tvaers_synth::generate(&cfg, dir.path()).expect("generate");
    let identified = tvaers_ingest::read_exports(
        dir.path(),
        &tvaers_ingest::profile::Profile::default_profile(),
    )
    .expect("the generated exports import cleanly");
    tvaers_ingest::pseudonymise(
        identified,
        &tvaers_ingest::PseudonymKey::from_bytes([7; 32]),
    )
}

#[test]
fn a_generated_municipality_is_plausible_and_amounts_times_100_are_flagged() {
    let mut reg = generated(3_000);
    let period = default_period(&reg);
    let a = analyse(&reg, period).unwrap();
    let p = &a.plausibility;
    assert!(p.checks.len() >= 12);
    let mut shown = 0;
    for c in &p.checks {
        // A department row the overview hides (dominance in a small municipality) hides its
        // check; the overall checks are always shown here.
        let Some(v) = c.verdict.value() else {
            assert!(c.department.is_some(), "{} hidden", c.range.key);
            continue;
        };
        shown += 1;
        assert_eq!(v.status, Status::Ok, "{}: {v:?}", c.range.key);
    }
    assert!(shown >= 9, "{shown} checks shown");
    assert!(!p.functions.is_empty());
    for f in &p.functions {
        if let Some(x) = f.figures.value() {
            assert_eq!(x.status, Status::Ok, "{:?}", f.function);
        }
    }
    assert_eq!(p.outside().count(), 0);

    // The same postings in øre read as kroner: 100 times too large.
    for posting in &mut reg.postings {
        posting.amount = Ore(posting.amount.0 * 100);
    }
    let a = analyse(&reg, period).unwrap();
    let flagged: Vec<_> = a.plausibility.outside().collect();
    let total = flagged
        .iter()
        .find(|(k, _)| *k == "total_per_citizen")
        .expect("the total per citizen is flagged");
    assert_eq!(total.1.status, Status::High);
    assert_eq!(total.1.hint, Some(Hint::Hundredfold));
    assert!(
        a.plausibility
            .functions
            .iter()
            .filter_map(|f| f.figures.value())
            .any(|x| x.status == Status::High),
        "some function is flagged too"
    );
    // summary.json says so, in codes.
    let s = a.summary_json();
    let checks = s["plausibility"]["checks"].as_array().unwrap();
    let row = checks
        .iter()
        .find(|c| c["check"] == "total_per_citizen")
        .unwrap();
    assert_eq!(row["status"], "above");
    assert_eq!(row["hint"], "amounts_100x_too_large");

    // And kroner read as øre: 100 times too small.
    for posting in &mut reg.postings {
        posting.amount = Ore(posting.amount.0 / 10_000);
    }
    let a = analyse(&reg, period).unwrap();
    let total = a
        .plausibility
        .outside()
        .find(|(k, _)| *k == "total_per_citizen")
        .expect("flagged");
    assert_eq!(total.1.hint, Some(Hint::Hundredth));
}

#[test]
fn an_empty_postings_file_is_flagged() {
    let mut reg = generated(1_000);
    let period = default_period(&reg);
    reg.postings.clear();
    let a = analyse(&reg, period).unwrap();
    let total = a
        .plausibility
        .outside()
        .find(|(k, _)| *k == "total_per_citizen")
        .expect("flagged");
    assert_eq!(total.1.hint, Some(Hint::Nothing));
}
