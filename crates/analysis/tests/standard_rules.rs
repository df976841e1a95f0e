//! The shipped rules (`RuleSet::standard()`) on a generated municipality, read and
//! pseudonymised as `tvaers import` does: every target group and every overlap rule must find
//! enough citizens to be published, and the report must show each of them by name.

mod common;

use common::{at, output_files};
use tvaers_analysis::{analyse_with_rules, default_period};
use tvaers_messages::Lang;
use tvaers_rules::{AlertKind, RuleSet};

#[test]
fn every_shipped_rule_is_published_on_a_generated_municipality() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir(&input).unwrap();
    let cfg = tvaers_synth::Config {
        citizens: 42_000,
        seed: 1,
        first_year: 2024,
        years: 2,
    };
    tvaers_synth::generate(&cfg, &input).expect("generate");
    let identified =
        tvaers_ingest::read_exports(&input, &tvaers_ingest::profile::Profile::default_profile())
            .expect("the generated exports import cleanly");
    let reg = tvaers_ingest::pseudonymise(
        identified,
        &tvaers_ingest::PseudonymKey::from_bytes([7; 32]),
    );
    let period = default_period(&reg);
    let rules = RuleSet::standard();
    let a = analyse_with_rules(&reg, period, &rules).unwrap();
    let r = a.rules.as_ref().expect("rules were given");

    let mut missing = Vec::new();
    for (i, rule) in rules.rules().iter().enumerate() {
        let n = match rule.kind {
            AlertKind::TargetGroup => {
                let g = r
                    .target_groups
                    .iter()
                    .find(|g| g.rule.id == rule.id)
                    .unwrap();
                g.figures.value().map(|f| f.citizens)
            }
            AlertKind::Overlap => {
                let o = r.overlaps.iter().find(|o| o.rule.id == rule.id).unwrap();
                o.figures.value().map(|f| f.citizens)
            }
        };
        match n {
            Some(n) if n >= 5 => {}
            _ => missing.push(format!("{i}: {} ({n:?})", rule.id)),
        }
    }
    assert!(missing.is_empty(), "rules not published: {missing:?}");
    // Costs too, and the combinations.
    for g in &r.target_groups {
        assert!(g.cost.value().is_some(), "{} cost hidden", g.rule.id);
    }
    for o in &r.overlaps {
        let c = o
            .cost
            .value()
            .unwrap_or_else(|| panic!("{} cost hidden", o.rule.id));
        assert!(
            c.involved <= c.cost,
            "{}: involved is part of the whole",
            o.rule.id
        );
    }
    assert!(r.combinations.rows.len() >= 25, "a full top 25");

    let out = dir.path().join("report");
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::Da), &out).unwrap();
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::En), &out.join("en")).unwrap();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let html_en = std::fs::read_to_string(out.join("en/index.html")).unwrap();
    for rule in rules.rules() {
        let esc = |s: &str| tvaers_report::svg::esc(s);
        assert!(
            html.contains(&esc(&rule.name_da)),
            "{} not in the report",
            rule.id
        );
        assert!(
            html_en.contains(&esc(&rule.name_en)),
            "{} not in the English report",
            rule.id
        );
    }
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        at(&s, "/rules/target_groups").as_array().unwrap().len()
            + at(&s, "/rules/overlaps").as_array().unwrap().len(),
        rules.rules().len()
    );

    // No pseudonym of a person, family or contact in any file, nor either half of one: every
    // run of 16 or more hex digits is checked against the halves of every pseudonym.
    let halves: std::collections::HashSet<String> = reg
        .persons
        .iter()
        .flat_map(|p| [p.id.to_hex(), p.family.to_hex()])
        .chain(reg.contacts.iter().map(|c| c.to_hex()))
        .flat_map(|h| [h[..16].to_string(), h[16..].to_string()])
        .collect();
    assert!(halves.len() > 80_000);
    let files = output_files(&out);
    assert!(files.len() >= 2 * 15, "both reports with all their files");
    for (name, bytes) in &files {
        let body = String::from_utf8_lossy(bytes).to_lowercase();
        for run in body
            .split(|c: char| !c.is_ascii_hexdigit())
            .filter(|w| w.len() >= 16)
        {
            for start in 0..=run.len() - 16 {
                assert!(
                    !halves.contains(&run[start..start + 16]),
                    "part of a pseudonym in {name}"
                );
            }
        }
    }
}
