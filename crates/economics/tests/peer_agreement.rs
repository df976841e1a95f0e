//! An independent calculation (bench/economics_peer.py: DuckDB SQL written from the rules in
//! docs/scenarios.md) reproduces the Per scenario's figures to the øre.

use serde_json::Value;
use tvaers_economics::{Scenario, potential};

#[test]
fn duckdb_peer_reproduces_per() {
    let Some(python) = tvaers_testkit::duckdb() else {
        return;
    };
    let root = tvaers_testkit::workspace_root();
    let path = root.join("scenarios/per.toml");
    let out = python
        .command()
        .arg(root.join("bench/economics_peer.py"))
        .arg(&path)
        .output()
        .expect("run the peer");
    assert!(
        out.status.success(),
        "peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peer: Value = serde_json::from_slice(&out.stdout).expect("peer JSON");
    let text = std::fs::read_to_string(&path).unwrap();
    let p = potential(&Scenario::parse(&text, "per.toml").unwrap()).unwrap();
    let ours = serde_json::json!({
        "before_per_person": p.before_per_person.0,
        "after_per_person": p.after_per_person.0,
        "years": p.years.iter().map(|y| serde_json::json!({
            "year": y.year,
            "before": y.before.0,
            "after": y.after.0,
            "net": y.net.0,
            "cumulative_net": y.cumulative_net.0,
            "present_value": y.present_value.0,
        })).collect::<Vec<_>>(),
        "npv": p.npv.0,
        "payback_year": p.payback_year,
        "sensitivity": p.sensitivity.iter().map(|s| serde_json::json!({
            "effect_percent": s.effect_percent,
            "cost_percent": s.cost_percent,
            "npv": s.npv.0,
            "payback_year": s.payback_year,
        })).collect::<Vec<_>>(),
    });
    assert_eq!(peer, ours);
    // The headline, to the krone, from the peer as well.
    assert_eq!(peer["before_per_person"], 89_500_000);
    assert_eq!(peer["after_per_person"], 40_850_000);
}
