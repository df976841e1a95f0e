//! `tvaers bench`: every stage on a generated municipality, timed and with its peak memory, and
//! in the same run DuckDB computing the same summary figures from the same files with SQL. The
//! figures must agree; the ratio is printed.

use crate::commands;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;
use tvaers_analysis::Lang;
use tvaers_core::{Ore, PersonIx, Pseudonymised, Register};

/// Discovery parameters shared with the peer: the disclosure threshold, and sets up to three
/// services (the size the SQL peer can enumerate in reasonable time).
const MIN_SUPPORT: usize = 5;
const MAX_SIZE: usize = 3;

/// The stages that make up "read CSV → summary + report", compared with DuckDB's whole run.
const END_TO_END: [&str; 6] = [
    "read + validate CSV",
    "pseudonymise",
    "allocate",
    "metrics",
    "summary",
    "report",
];

/// The DuckDB peer, embedded so the benchmark runs from any directory.
pub const DUCKDB_PEER: &str = include_str!("../../../bench/duckdb_peer.py");

struct StageFigure {
    name: &'static str,
    seconds: f64,
    peak_mib: f64,
}

/// Resets the kernel's high-water mark of this process's resident memory, so the next reading
/// of VmHWM is the peak of the stage that follows (Linux `clear_refs`, value 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn timed<T>(figures: &mut Vec<StageFigure>, name: &'static str, f: impl FnOnce() -> T) -> T {
    reset_peak();
    let t = Instant::now();
    let out = f();
    figures.push(StageFigure {
        name,
        seconds: t.elapsed().as_secs_f64(),
        peak_mib: peak_mib(),
    });
    eprintln!("  {name}: {:.2} s", t.elapsed().as_secs_f64());
    out
}

pub fn run(citizens: u32, seed: u64, work: Option<PathBuf>, python: &str) -> Result<ExitCode> {
    let work = work
        .unwrap_or_else(|| std::env::temp_dir().join(format!("tvaers-bench-{citizens}-{seed}")));
    let exports = work.join("eksporter");
    let mut figures = Vec::new();
    if !exports.join("posteringer.csv").exists() {
        std::fs::create_dir_all(&work)?;
        timed(&mut figures, "generate", || {
            commands::generate(citizens, seed, 2024, 2, &exports)
        })?;
    }

    eprintln!("Tværs ({citizens} citizens):");
    let profile = tvaers_ingest::profile::Profile::default_profile();
    let identified = timed(&mut figures, "read + validate CSV", || {
        tvaers_ingest::read_exports(&exports, &profile)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = commands::ephemeral_key()?;
    let reg = timed(&mut figures, "pseudonymise", || {
        tvaers_ingest::pseudonymise(identified, &key)
    });
    let period = tvaers_analysis::default_period(&reg);
    let alloc = timed(&mut figures, "allocate", || {
        tvaers_analysis::allocate(&reg, period)
    });
    let metrics = timed(&mut figures, "metrics", || {
        tvaers_analysis::compute_metrics(&reg, &alloc, period)
    });
    let analysis = timed(&mut figures, "summary", || {
        tvaers_analysis::summarise(&reg, &alloc, &metrics)
    });
    let report_dir = work.join("rapport");
    let _ = std::fs::remove_dir_all(&report_dir);
    timed(&mut figures, "report", || {
        tvaers_analysis::write_report(&analysis, Lang::Da, &report_dir)
    })?;
    let rules = tvaers_rules::RuleSet::standard();
    let membership = timed(&mut figures, "rules (15 standard rules)", || {
        tvaers_rules::evaluate_all(&reg, &rules, period)
    });
    let cost: Vec<Ore> = (0..reg.persons.len())
        .map(|p| alloc.allocated(PersonIx(p as u32)))
        .collect();
    let combinations = timed(
        &mut figures,
        "discovery (sets of ≤ 3, ≥ 5 citizens)",
        || tvaers_rules::discover_combinations(&reg, period, &cost, MIN_SUPPORT, MAX_SIZE),
    );
    let ours = analysis.summary_json();
    let ours_total: f64 = figures
        .iter()
        .filter(|f| END_TO_END.contains(&f.name))
        .map(|f| f.seconds)
        .sum();
    // `analyse` also exports the pseudonymised dataset for other SQL engines; DuckDB's run has no
    // counterpart, so it is measured but kept out of the comparison.
    let dataset_dir = work.join("datasaet");
    let _ = std::fs::remove_dir_all(&dataset_dir);
    std::fs::create_dir_all(&dataset_dir)?;
    let manifest = tvaers_ingest::dataset::Manifest::new(&reg, "bench", "default", "-");
    timed(
        &mut figures,
        "dataset export (Parquet, not compared)",
        || tvaers_ingest::dataset::write(&reg, &dataset_dir, &manifest),
    )?;

    eprintln!("DuckDB (same files, same figures):");
    let peer_path = work.join("duckdb_peer.py");
    std::fs::write(&peer_path, DUCKDB_PEER)?;
    let rules_sql = work.join("rules-sql.json");
    std::fs::write(
        &rules_sql,
        tvaers_rules::sql::peer_input_json(&rules, period, MIN_SUPPORT, MAX_SIZE),
    )?;
    let t = Instant::now();
    let output = Command::new(python)
        .arg(&peer_path)
        .arg("--input")
        .arg(&exports)
        .arg("--from")
        .arg(period.from().to_string())
        .arg("--to")
        .arg(period.to().to_string())
        .arg("--rules-sql")
        .arg(&rules_sql)
        .output()
        .with_context(|| format!("cannot run {python} (needs the duckdb package)"))?;
    let duck_wall = t.elapsed().as_secs_f64();
    let duck_peak = children_peak_mib();
    if !output.status.success() {
        bail!(
            "the DuckDB peer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let theirs: Value = serde_json::from_slice(&output.stdout).context("DuckDB peer output")?;
    let mut disagreements = compare_summaries(&ours, &theirs);
    disagreements.extend(compare_rules(
        &reg,
        &rules,
        &membership,
        &combinations,
        &theirs,
    ));

    println!("\n## tvaers bench — {citizens} citizens, seed {seed}, period {period}\n");
    println!("| stage | wall time (s) | peak RSS (MiB) |");
    println!("|---|---:|---:|");
    for f in &figures {
        println!("| {} | {:.2} | {:.0} |", f.name, f.seconds, f.peak_mib);
    }
    println!("| **Tværs end to end** (read CSV → summary + report) | **{ours_total:.2}** | |");
    let t = &theirs["timing_seconds"];
    println!(
        "| DuckDB {} read CSV | {:.2} | |",
        theirs["duckdb_version"].as_str().unwrap_or("?"),
        t["read"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "| DuckDB compute | {:.2} | |",
        t["compute"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "| DuckDB rules (same 15 rules as SQL) | {:.2} | |",
        t["rules"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "| DuckDB discovery | {:.2} | |",
        t["discovery"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "| **DuckDB end to end** (process wall time incl. Python start) | **{duck_wall:.2}** | {duck_peak:.0} |"
    );
    let ours_rules: f64 = figures
        .iter()
        .filter(|f| f.name.starts_with("rules") || f.name.starts_with("discovery"))
        .map(|f| f.seconds)
        .sum();
    let duck_rules =
        t["rules"].as_f64().unwrap_or(f64::NAN) + t["discovery"].as_f64().unwrap_or(f64::NAN);
    println!(
        "\nRules + discovery: Tværs {ours_rules:.2} s, DuckDB {duck_rules:.2} s — ratio **{:.1}×**; {} rule memberships and {} combinations compared.",
        duck_rules / ours_rules,
        membership.rules.len(),
        combinations.len()
    );
    println!(
        "\nRatio DuckDB / Tværs end to end: **{:.2}×** ({})",
        duck_wall / ours_total,
        if ours_total < duck_wall {
            "Tværs faster"
        } else {
            "DuckDB faster"
        }
    );
    if disagreements.is_empty() {
        println!(
            "Agreement: all summary figures equal (money to the øre, counts to the person, shares to 1e-9)."
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("DISAGREEMENT with DuckDB:");
        for d in &disagreements {
            println!("  {d}");
        }
        Ok(ExitCode::from(1))
    }
}

/// Peak resident memory of the largest waited-for child process.
fn children_peak_mib() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    if rc == 0 {
        ru.ru_maxrss as f64 / 1024.0
    } else {
        f64::NAN
    }
}

/// Members per rule and the frequent combinations, compared with the peer's SQL.
fn compare_rules(
    reg: &Register<Pseudonymised>,
    rules: &tvaers_rules::RuleSet,
    membership: &tvaers_rules::Membership,
    combinations: &[tvaers_rules::Combination],
    theirs: &Value,
) -> Vec<String> {
    let mut out = Vec::new();
    for rule in rules.rules() {
        let Some(m) = membership.get(&rule.id) else {
            out.push(format!("rule {}: no membership computed", rule.id));
            continue;
        };
        let peer = &theirs["rules"][rule.id.as_str()];
        if peer["persons"].as_u64() != Some(m.persons.len() as u64) {
            out.push(format!(
                "rule {}: tvaers {} citizens, duckdb {}",
                rule.id,
                m.persons.len(),
                peer["persons"]
            ));
        }
        if let Some(f) = peer["families"].as_u64()
            && f != m.families.len() as u64
        {
            out.push(format!(
                "rule {}: tvaers {} families, duckdb {f}",
                rule.id,
                m.families.len()
            ));
        }
    }
    let mut ours: Vec<(Vec<String>, u64, i64)> = combinations
        .iter()
        .map(|c| {
            let mut codes: Vec<String> = c
                .services
                .iter()
                .map(|&s| reg.catalogue.get(s).code.clone())
                .collect();
            codes.sort();
            (codes, c.support as u64, c.total_cost.0)
        })
        .collect();
    ours.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    let n = theirs["discovery"]["combinations"].as_u64();
    if n != Some(ours.len() as u64) {
        out.push(format!(
            "discovery: tvaers {} combinations, duckdb {n:?}",
            ours.len()
        ));
    }
    let top = theirs["discovery"]["top"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, t) in top.iter().enumerate() {
        let services: Vec<String> = t["services"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let theirs = (
            services,
            t["support"].as_u64().unwrap_or(0),
            t["cost_ore"].as_i64().unwrap_or(0),
        );
        if ours.get(i) != Some(&theirs) {
            out.push(format!(
                "discovery #{}: tvaers {:?}, duckdb {theirs:?}",
                i + 1,
                ours.get(i)
            ));
        }
    }
    out
}

/// Every figure the peer computes, compared exactly (integers) or to 1e-9 (shares).
pub fn compare_summaries(ours: &Value, theirs: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let ints = [
        "/citizens",
        "/families",
        "/cost_total_ore",
        "/cost_allocated_ore",
        "/complexity/departments_2plus/citizens",
        "/complexity/departments_2plus/cost_ore",
        "/complexity/departments_3plus/citizens",
        "/complexity/departments_3plus/cost_ore",
        "/complexity/departments_4plus/citizens",
        "/complexity/departments_4plus/cost_ore",
        "/complexity/services_7plus/citizens",
        "/complexity/services_7plus/cost_ore",
    ];
    for p in ints {
        let (a, b) = (ours.pointer(p), theirs.pointer(p));
        if a.and_then(Value::as_i64) != b.and_then(Value::as_i64) || a.is_none() {
            out.push(format!("{p}: tvaers {a:?}, duckdb {b:?}"));
        }
    }
    let mut floats = vec![
        "/coverage/booked_share".to_string(),
        "/coverage/activity_share".to_string(),
        "/coverage/unallocated_share".to_string(),
    ];
    for who in ["citizens", "families"] {
        for k in ["top1", "top3", "top5", "top10", "gini"] {
            floats.push(format!("/concentration/{who}/{k}"));
        }
    }
    for p in &floats {
        let (a, b) = (ours.pointer(p), theirs.pointer(p));
        match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
            (Some(x), Some(y)) if (x - y).abs() <= 1e-9 => {}
            _ => out.push(format!("{p}: tvaers {a:?}, duckdb {b:?}")),
        }
    }
    out
}
