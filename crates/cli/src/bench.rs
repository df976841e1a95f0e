//! `tvaers bench`: every stage on a generated municipality, timed and with its peak memory, and
//! in the same run DuckDB computing the same summary figures from the same files with SQL. The
//! figures must agree; the ratio is printed.

use crate::commands;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;
use tvaers_core::{Ore, PersonIx, Pseudonymised, Register};
use tvaers_messages::Lang;
use tvaers_pipeline::{Progress, Stage};

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
    "summary (incl. target groups, overlaps, combinations)",
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
    let mut watch = Stopwatch {
        figures,
        started: None,
    };
    watch.start();
    let out = f();
    watch.stop(name);
    out
}

/// The bench's name of a pipeline stage (the names the peer's figures are compared under).
fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::ReadExports => "read + validate CSV",
        Stage::ReadDataset => "read dataset",
        Stage::Pseudonymise => "pseudonymise",
        Stage::Allocate => "allocate",
        Stage::Metrics => "metrics",
        Stage::Summarise => "summary (incl. target groups, overlaps, combinations)",
        Stage::WriteReport => "report",
        // `analyse` also exports the pseudonymised dataset for other SQL engines; DuckDB's run
        // has no counterpart, so it is measured but kept out of the comparison.
        Stage::WriteDataset => "dataset export (Parquet, not compared)",
    }
}

/// Times each stage and reads its peak memory.
struct Stopwatch<'a> {
    figures: &'a mut Vec<StageFigure>,
    started: Option<Instant>,
}

impl Stopwatch<'_> {
    fn start(&mut self) {
        reset_peak();
        self.started = Some(Instant::now());
    }

    fn stop(&mut self, name: &'static str) {
        let seconds = self
            .started
            .take()
            .map_or(0.0, |t| t.elapsed().as_secs_f64());
        self.figures.push(StageFigure {
            name,
            seconds,
            peak_mib: peak_mib(),
        });
        eprintln!("  {name}: {seconds:.2} s");
    }
}

impl Progress for Stopwatch<'_> {
    fn begin(&mut self, _: Stage) {
        self.start();
    }

    fn end(&mut self, stage: Stage) {
        self.stop(stage_name(stage));
    }
}

/// What one run of our pipeline produced, kept for the comparison with the peer.
struct Ours {
    reg: Register<Pseudonymised>,
    period: tvaers_core::Period,
    summary: Value,
    membership: tvaers_rules::Membership,
    combinations: Vec<tvaers_rules::Combination>,
}

/// One run of every stage, timed into `figures`.
fn run_ours(
    exports: &std::path::Path,
    work: &std::path::Path,
    rules: &tvaers_rules::RuleSet,
    figures: &mut Vec<StageFigure>,
) -> Result<Ours> {
    let profile = tvaers_ingest::profile::Profile::default_profile();
    let key = tvaers_ingest::PseudonymKey::random()?;
    // The same pipeline as `tvaers analyse`, stage by stage on the stopwatch.
    let job = tvaers_pipeline::Job {
        source: tvaers_pipeline::Source::Exports {
            dir: exports,
            profile: &profile,
            key: &key,
        },
        from: None,
        to: None,
        rules,
        lang: Lang::Da,
        out: &work.join("rapport"),
        dataset_out: Some(&work.join("datasaet")),
        settings: tvaers_analysis::Settings::default(),
    };
    let outcome = tvaers_pipeline::analyse(
        &job,
        &mut Stopwatch {
            figures,
            started: None,
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (reg, period, alloc, analysis) = (
        outcome.register,
        outcome.period,
        outcome.allocation,
        outcome.analysis,
    );
    let membership = timed(figures, "rules (15 standard rules)", || {
        tvaers_rules::evaluate_all(&reg, rules, period)
    });
    let cost: Vec<Ore> = (0..reg.persons.len())
        .map(|p| alloc.allocated(PersonIx(p as u32)))
        .collect();
    let combinations = timed(figures, "discovery (sets of ≤ 3, ≥ 5 citizens)", || {
        tvaers_rules::discover_combinations(&reg, period, &cost, MIN_SUPPORT, MAX_SIZE)
    });
    Ok(Ours {
        summary: analysis.summary_json(),
        reg,
        period,
        membership,
        combinations,
    })
}

/// The median time of each stage over the runs. Peak memory is the first run's: later runs start
/// with heap the allocator kept from the run before, which would count against them.
fn median_figures(runs: &[Vec<StageFigure>]) -> Vec<StageFigure> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .map(|f| {
            let mut secs: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.iter().find(|g| g.name == f.name).map(|g| g.seconds))
                .collect();
            secs.sort_by(f64::total_cmp);
            StageFigure {
                name: f.name,
                seconds: secs[secs.len() / 2],
                peak_mib: f.peak_mib,
            }
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

pub fn run(
    citizens: u32,
    seed: u64,
    work: Option<PathBuf>,
    python: &str,
    runs: usize,
) -> Result<ExitCode> {
    let runs = runs.max(1);
    let work = work
        .unwrap_or_else(|| std::env::temp_dir().join(format!("tvaers-bench-{citizens}-{seed}")));
    let exports = work.join("eksporter");
    let mut generate_figure = Vec::new();
    if !exports.join("posteringer.csv").exists() {
        std::fs::create_dir_all(&work)?;
        timed(&mut generate_figure, "generate", || {
            commands::generate(citizens, seed, None, None, &exports)
        })?;
    }

    let rules = tvaers_rules::RuleSet::standard();
    let peer_path = work.join("duckdb_peer.py");
    std::fs::write(&peer_path, DUCKDB_PEER)?;
    let rules_sql = work.join("rules-sql.json");
    let mut all_runs = Vec::new();
    let mut peer_runs: Vec<Value> = Vec::new();
    let mut walls = Vec::new();
    let mut last: Option<Ours> = None;
    // The two sides alternate, run by run, so that other load on the machine falls on both alike.
    for i in 0..runs {
        eprintln!("Tværs ({citizens} citizens), run {} of {runs}:", i + 1);
        let mut figures = Vec::new();
        // The previous run's data must not count in this run's peak memory.
        drop(last.take());
        let ours = run_ours(&exports, &work, &rules, &mut figures)?;
        all_runs.push(figures);
        let period = ours.period;
        last = Some(ours);
        if i == 0 {
            std::fs::write(
                &rules_sql,
                tvaers_rules::sql::peer_input_json(&rules, period, MIN_SUPPORT, MAX_SIZE),
            )?;
        }
        eprintln!("DuckDB (same files, same figures), run {} of {runs}", i + 1);
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
            .with_context(|| {
                format!(
                    "cannot run {python} (needs the packages of bench/requirements.txt: duckdb)"
                )
            })?;
        walls.push(t.elapsed().as_secs_f64());
        if !output.status.success() {
            bail!(
                "the DuckDB peer failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        peer_runs.push(serde_json::from_slice(&output.stdout).context("DuckDB peer output")?);
    }
    let Ours {
        reg,
        period,
        summary: ours,
        membership,
        combinations,
    } = last.expect("at least one run");
    let mut figures = generate_figure;
    figures.extend(median_figures(&all_runs));
    let ours_total: f64 = figures
        .iter()
        .filter(|f| END_TO_END.contains(&f.name))
        .map(|f| f.seconds)
        .sum();
    let duck_wall = median(walls);
    let duck_peak = children_peak_mib();
    let peer_time = |k: &str| {
        median(
            peer_runs
                .iter()
                .map(|r| r["timing_seconds"][k].as_f64().unwrap_or(f64::NAN))
                .collect(),
        )
    };
    let theirs = peer_runs.last().expect("at least one peer run").clone();
    let mut disagreements = compare_summaries(&ours, &theirs);
    disagreements.extend(compare_rules(
        &reg,
        &rules,
        &membership,
        &combinations,
        &theirs,
    ));

    println!(
        "\n## tvaers bench — {citizens} citizens, seed {seed}, period {period}, median of {runs} run(s)\n"
    );
    println!("| stage | wall time (s) | peak RSS (MiB) |");
    println!("|---|---:|---:|");
    for f in &figures {
        println!("| {} | {:.2} | {:.0} |", f.name, f.seconds, f.peak_mib);
    }
    println!("| **Tværs end to end** (read CSV → summary + report) | **{ours_total:.2}** | |");
    println!(
        "| DuckDB {} read CSV | {:.2} | |",
        theirs["duckdb_version"].as_str().unwrap_or("?"),
        peer_time("read")
    );
    println!("| DuckDB compute | {:.2} | |", peer_time("compute"));
    println!(
        "| DuckDB rules (same 15 rules as SQL) | {:.2} | |",
        peer_time("rules")
    );
    println!("| DuckDB discovery | {:.2} | |", peer_time("discovery"));
    // Like for like: DuckDB's own read + compute against our read CSV → summary + report.
    let duck_total = peer_time("read") + peer_time("compute");
    println!("| **DuckDB end to end** (read CSV → summary figures) | **{duck_total:.2}** | |");
    println!(
        "| DuckDB process (Python start, all of the above, rules, discovery) | {duck_wall:.2} | {duck_peak:.0} |"
    );
    let ours_rules: f64 = figures
        .iter()
        .filter(|f| f.name.starts_with("rules") || f.name.starts_with("discovery"))
        .map(|f| f.seconds)
        .sum();
    let duck_rules = peer_time("rules") + peer_time("discovery");
    println!(
        "\nRules + discovery: Tværs {ours_rules:.2} s, DuckDB {duck_rules:.2} s — ratio **{:.1}×**; {} rule memberships and {} combinations compared.",
        duck_rules / ours_rules,
        membership.rules.len(),
        combinations.len()
    );
    println!(
        "\nRatio DuckDB / Tværs end to end: **{:.2}×** ({})",
        duck_total / ours_total,
        if ours_total < duck_total {
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
#[cfg(unix)]
#[allow(
    unsafe_code,
    reason = "getrusage(2) has no safe wrapper; the workspace's only unsafe code"
)]
fn children_peak_mib() -> f64 {
    // SAFETY: `rusage` is plain data (all-zero is a valid value) and getrusage only writes into
    // the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    if rc == 0 {
        // Kibibytes on Linux; macOS reports bytes, hence the scale.
        let kib = if cfg!(target_os = "macos") {
            ru.ru_maxrss as f64 / 1024.0
        } else {
            ru.ru_maxrss as f64
        };
        kib / 1024.0
    } else {
        f64::NAN
    }
}

/// Not measured on this platform (reported as NaN, like a failed getrusage).
#[cfg(not(unix))]
fn children_peak_mib() -> f64 {
    f64::NAN
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
