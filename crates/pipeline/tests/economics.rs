//! `economics` end to end on a generated municipality: the Per scenario pointed at a shipped
//! target group gives the potential, budget and baseline pages and files, all-or-nothing.

use std::path::Path;
use tvaers_ingest::{PseudonymKey, profile::Profile};
use tvaers_pipeline::{EconomicsJob, PipelineError, Silent, Source, economics};

fn per_for(group: &str) -> tvaers_economics::Scenario {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/per.toml"),
    )
    .unwrap()
    .replace(
        "persons = 1\n",
        &format!("persons = 1\ntarget_group = \"{group}\"\n"),
    );
    tvaers_economics::Scenario::parse(&text, "per.toml").unwrap()
}

#[test]
fn economics_report_with_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir(&input).unwrap();
    let cfg = tvaers_synth::Config {
        citizens: 8_000,
        seed: 3,
        first_year: 2024,
        years: 2,
    };
    tvaers_synth::generate(&cfg, &input).unwrap();
    let profile = Profile::default_profile();
    let key = PseudonymKey::from_bytes([7; 32]);
    let rules = tvaers_rules::RuleSet::standard();
    let out = dir.path().join("out");
    let scenario = per_for("mentor_stoette_overfoersel");
    let job = EconomicsJob {
        scenario: &scenario,
        source: Some(Source::Exports {
            dir: &input,
            profile: &profile,
            key: &key,
        }),
        year: Some(2025),
        rules: &rules,
        lang: tvaers_messages::Lang::Da,
        out: &out,
        settings: tvaers_analysis::Settings::default(),
    };
    let files = economics(&job, &mut Silent).unwrap();
    let html = std::fs::read_to_string(&files.html).unwrap();
    assert!(html.contains("895.000") && html.contains("408.500"));
    assert!(html.contains("mentor_stoette_overfoersel (2025)"));
    for stem in [
        "oekonomi_noegletal",
        "oekonomi_baseline",
        "oekonomi_arketyper",
        "oekonomi_omplaceringer",
    ] {
        assert!(
            out.join("tables").join(format!("{stem}.csv")).is_file(),
            "{stem}"
        );
    }
    assert!(out.join("tabeller.xlsx").is_file());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files.summary).unwrap()).unwrap();
    assert_eq!(summary["potential"]["before_per_person"], 89_500_000);
    assert!(
        summary["baseline"]["precise_total"].is_i64(),
        "{}",
        summary["baseline"]
    );
    assert!(summary["baseline"]["members"].as_u64().unwrap() >= 5);

    // An unknown target group fails before anything is written, and the old report stays.
    let bad = per_for("no_such_group");
    let job = EconomicsJob {
        scenario: &bad,
        ..job
    };
    assert!(matches!(
        economics(&job, &mut Silent),
        Err(PipelineError::UnknownTargetGroup(g)) if g == "no_such_group"
    ));
    assert!(out.join("index.html").is_file());
}
