//! Times `summarise_rules` (target groups, overlaps, combinations) with the shipped rules on a
//! generated municipality, read and pseudonymised as `tvaers import` does.
//!
//! `cargo run --release -p tvaers-analysis --example rules_scale -- [citizens] [report-dir]`
//! (default 650,000; `REPS=n` runs the stage n times and reports the fastest.)

use std::time::Instant;
use tvaers_analysis::{
    Lang, allocate, compute_metrics, default_period, summarise, summarise_rules,
};
use tvaers_rules::RuleSet;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let citizens: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(650_000);
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let tmp = tempfile::tempdir().expect("temporary directory");
    let t = Instant::now();
    let cfg = tvaers_synth::Config {
        citizens,
        seed: 1,
        first_year: 2024,
        years: 2,
    };
    let summary = tvaers_synth::generate(&cfg, tmp.path()).expect("generate");
    println!("generated {summary:?} in {:.2?}", t.elapsed());
    let t = Instant::now();
    let identified = tvaers_ingest::read_exports(
        tmp.path(),
        &tvaers_ingest::profile::Profile::default_profile(),
    )
    .expect("import");
    let reg = tvaers_ingest::pseudonymise(
        identified,
        &tvaers_ingest::PseudonymKey::from_bytes([7; 32]),
    );
    println!("imported and pseudonymised in {:.2?}", t.elapsed());

    let period = default_period(&reg);
    let t = Instant::now();
    let alloc = allocate(&reg, period).unwrap();
    let metrics = compute_metrics(&reg, &alloc, period);
    println!("allocate + metrics ({period}): {:.2?}", t.elapsed());
    let rules = RuleSet::standard();
    let mut best = std::time::Duration::MAX;
    let mut result = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let r = summarise_rules(&reg, &alloc, &metrics, &rules, period, Default::default());
        best = best.min(t.elapsed());
        result = Some(r);
    }
    let r = result.expect("at least one run");
    println!("summarise_rules: {best:.2?} (best of {reps})");
    for g in &r.target_groups {
        println!(
            "  target group {:<34} citizens {:>8} families {:>6} cost {:>14} kr",
            g.rule.id,
            g.figures
                .value()
                .map_or("hidden".into(), |f| f.citizens.to_string()),
            g.figures
                .value()
                .and_then(|f| f.families)
                .map_or("-".into(), |f| f.to_string()),
            g.cost
                .value()
                .map_or("hidden".into(), |c| c.cost.round_kroner().to_string()),
        );
    }
    for o in &r.overlaps {
        println!(
            "  overlap {:<39} citizens {:>8} involved {:>14} kr of {:>14} kr",
            o.rule.id,
            o.figures
                .value()
                .map_or("hidden".into(), |f| f.citizens.to_string()),
            o.cost
                .value()
                .map_or("hidden".into(), |c| c.involved.round_kroner().to_string()),
            o.cost
                .value()
                .map_or("hidden".into(), |c| c.cost.round_kroner().to_string()),
        );
    }
    let c = &r.combinations;
    println!(
        "  combinations: {} found, {} listed, {} withheld as nested",
        c.found,
        c.rows.len(),
        c.withheld_nested
    );
    for row in c.rows.iter().take(5) {
        let names: Vec<&str> = row.services.iter().map(|s| s.code.as_str()).collect();
        println!(
            "    {:>2}. {:<40} citizens {:>7} cost {:>14} kr",
            row.rank,
            names.join(" + "),
            row.citizens.value().copied().unwrap_or(0),
            row.cost
                .value()
                .map_or("hidden".into(), |c| c.cost.round_kroner().to_string()),
        );
    }
    if let Some(dir) = args.get(2) {
        let mut a = summarise(&reg, &alloc, &metrics, Default::default());
        a.rules = Some(r);
        let t = Instant::now();
        let files = tvaers_report::write(
            &tvaers_analysis::publish(&a, Lang::Da),
            std::path::Path::new(dir),
        )
        .expect("report");
        println!("report in {:.2?} → {}", t.elapsed(), files.html.display());
    }
}
