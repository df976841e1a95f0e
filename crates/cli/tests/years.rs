//! Several years of data (`tvaers generate --years`) and the economics follow-up on them
//! (`tvaers economics --start`), end to end with the real binary.

use serde_json::Value as Json;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tvaers() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tvaers"))
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("tvaers runs");
    assert!(
        out.status.success(),
        "tvaers failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn generate(dir: &Path, citizens: u32, extra: &[&str]) -> Output {
    run_ok(
        tvaers()
            .args(["generate", "--seed", "7", "--citizens"])
            .arg(citizens.to_string())
            .arg("--out")
            .arg(dir)
            .args(extra),
    )
}

/// Every file of a directory (not recursive) with its bytes, by name.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| (PathBuf::from(p.file_name().unwrap()), fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn json(path: &Path) -> Json {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn import(exports: &Path, ds: &Path, key: &Path) {
    run_ok(
        tvaers()
            .arg("import")
            .arg("--input")
            .arg(exports)
            .arg("--out")
            .arg(ds)
            .arg("--key-file")
            .arg(key),
    );
}

/// Without `--years` the command writes exactly what the library's `generate` with the default
/// configuration writes (the code path without dynamics); `--years 4` is `--years 2022-2025`;
/// a bad `--years` is refused.
#[test]
fn default_is_unchanged_and_years_are_a_range_or_a_count() {
    let tmp = tempfile::tempdir().unwrap();
    let cli = tmp.path().join("cli");
    generate(&cli, 800, &[]);
    let lib = tmp.path().join("lib");
    fs::create_dir(&lib).unwrap();
    let cfg = tvaers_synth::Config {
        citizens: 800,
        seed: 7,
        ..tvaers_synth::Config::default()
    };
    let summary = tvaers_synth::generate(&cfg, &lib).unwrap();
    assert!(summary.dynamics.is_none());
    assert_eq!(files(&cli).len(), 6);
    assert_eq!(files(&cli), files(&lib), "the default output changed");

    let count = tmp.path().join("count");
    let o = generate(&count, 800, &["--years", "4"]);
    let range = tmp.path().join("range");
    generate(&range, 800, &["--years", "2022-2025"]);
    assert_eq!(files(&count), files(&range));
    assert_ne!(files(&count), files(&cli));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("2022-2025"), "{stdout}");
    let prices = fs::read_to_string(count.join("enhedspriser.csv")).unwrap();
    for year in 2022..=2025 {
        assert!(prices.contains(&format!(",{year},")), "prices for {year}");
    }
    assert!(!prices.contains(",2026,") && !prices.contains(",2021,"));

    for bad in ["2026-2023", "x", "0", "2023-"] {
        let o = tvaers()
            .args(["generate", "--citizens", "100", "--years", bad, "--out"])
            .arg(tmp.path().join("bad"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "--years {bad}");
        assert!(!tmp.path().join("bad").exists());
    }
}

/// A four-year municipality imports, and `analyse --from/--to` works on each year and on a
/// period across two years, with about the same cost every year.
#[test]
fn four_years_import_and_analyse_any_period() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    generate(&exports, 2_000, &["--years", "2023-2026"]);
    let ds = tmp.path().join("ds");
    import(&exports, &ds, &tmp.path().join("k.key"));
    let mut totals = Vec::new();
    for (from, to) in [
        ("2023-01-01", "2023-12-31"),
        ("2024-01-01", "2024-12-31"),
        ("2025-01-01", "2025-12-31"),
        ("2026-01-01", "2026-12-31"),
        ("2024-07-01", "2025-06-30"),
    ] {
        let out = tmp.path().join(format!("r-{from}"));
        run_ok(
            tvaers()
                .args(["analyse", "--input"])
                .arg(&ds)
                .arg("--out")
                .arg(&out)
                .args(["--from", from, "--to", to]),
        );
        let s = json(&out.join("summary.json"));
        assert_eq!(s["period"]["from"], from);
        assert_eq!(s["period"]["to"], to);
        let total = s["cost_total_ore"].as_i64().expect("a total");
        assert!(total > 0);
        totals.push(total as f64);
    }
    // Prices rise 3 % a year and the population turns over, but no year is far off another.
    let (min, max) = totals
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &t| (a.min(t), b.max(t)));
    assert!(min > 0.8 * max, "yearly totals {totals:?}");
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            l.split(';')
                .map(|f| f.trim_matches('"').to_string())
                .collect()
        })
        .collect()
}

/// The economics face on a generated multi-year municipality: the koordinator scenario with a
/// start date gives the baseline, potential, transfers and follow-up pages with figures that add
/// up.
#[test]
fn economics_follow_up_on_a_generated_municipality() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let exports = tmp.path().join("exports");
    generate(&exports, 6_000, &["--years", "2023-2026"]);
    let ds = tmp.path().join("ds");
    import(&exports, &ds, &tmp.path().join("k.key"));
    let out = tmp.path().join("oekonomi");
    run_ok(
        tvaers()
            .arg("economics")
            .arg("--scenario")
            .arg(root.join("scenarios/koordinator.toml"))
            .arg("--input")
            .arg(&ds)
            .arg("--out")
            .arg(&out)
            .args(["--start", "2025-01-01"]),
    );
    for table in [
        "oekonomi_baseline",
        "oekonomi_noegletal",
        "oekonomi_omplaceringer",
        "oekonomi_opfoelgning",
    ] {
        assert!(out.join(format!("tables/{table}.csv")).is_file(), "{table}");
    }
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("Opfølgning") && html.matches("<svg").count() >= 3);
    let s = json(&out.join("summary.json"));
    let f = &s["followup"];
    assert_eq!(f["start"], "2025-01-01");
    assert_eq!(f["baseline_from"], "2024-01-01");
    let members = f["members"].as_u64().expect("the group is published");
    assert!(members >= 5, "{members}");
    // Data to the end of 2026: eight quarters followed.
    let quarters = f["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 8);
    let money = |v: &Json| v.as_i64().expect("a published amount");
    // The cohort's realised cost in the baseline year is the baseline's precise total: same
    // members, same year, same allocation.
    let base_total = money(&s["baseline"]["precise_total"]);
    let base_year = f["baseline_year"].as_array().unwrap();
    assert_eq!(money(&base_year.last().unwrap()["realised"]), base_total);
    assert_eq!(s["baseline"]["members"].as_u64(), Some(members));
    let mut realised_sum = 0;
    let mut checked = 0;
    for q in quarters {
        let rows = q["rows"].as_array().unwrap();
        let (total, parts) = rows.split_last().unwrap();
        assert!(total["department"].is_null());
        // Departments add up to the quarter's total, expected and realised; a department hidden
        // by disclosure control is never hidden alone (it could be worked out from the total).
        for k in ["expected", "realised", "baseline"] {
            let shown: Vec<i64> = parts.iter().filter_map(|r| r[k].as_i64()).collect();
            if shown.len() == parts.len() {
                let sum: i64 = shown.iter().sum();
                assert_eq!(sum, money(&total[k]), "{k} in {q}");
                checked += 1;
            } else {
                assert!(parts.len() - shown.len() >= 2, "{k} in {q}");
            }
        }
        assert_eq!(
            money(&total["variance"]),
            money(&total["realised"]) - money(&total["expected"])
        );
        // The baseline per quarter is a quarter of the baseline year (each department rounded
        // to the øre on its own).
        assert!((money(&total["baseline"]) - base_total / 4).abs() <= 9);
        // Realised in a quarter: positive and below three quarters of the baseline (the cohort's
        // episodes end over time, so later quarters fall).
        let r = money(&total["realised"]) as f64;
        assert!(
            r > 0.0 && r < 3.0 * base_total as f64 / 4.0,
            "{r} against {base_total}"
        );
        realised_sum += money(&total["realised"]);
    }
    // (How many department sums could be checked depends on disclosure control.)
    let _ = checked;
    // The first quarter after the start: the same order of magnitude as a quarter of the
    // baseline year.
    let first = money(&quarters[0]["rows"].as_array().unwrap().last().unwrap()["realised"]);
    assert!(
        first as f64 > 0.2 * base_total as f64 / 4.0,
        "{first} against {base_total}"
    );
    let totals = f["totals"].as_array().unwrap();
    assert_eq!(money(&totals.last().unwrap()["realised"]), realised_sum);
    // The redesign takes cost out of the package: year 1 expects less than the baseline.
    let year1: i64 = quarters[..4]
        .iter()
        .map(|q| money(&q["rows"].as_array().unwrap().last().unwrap()["expected"]))
        .sum();
    assert!(year1 < base_total, "{year1} against {base_total}");

    // The CSV carries the same rows: 4 quarters × … plus the baseline year and the totals.
    let csv = fs::read_to_string(out.join("tables/oekonomi_opfoelgning.csv")).unwrap();
    // (Up to the empty line before the note on hidden figures, if any.)
    let table: Vec<Vec<String>> = rows(&csv)
        .into_iter()
        .take_while(|r| r.iter().any(|f| !f.is_empty()))
        .collect();
    let per_quarter = quarters[0]["rows"].as_array().unwrap().len();
    assert_eq!(
        table.len(),
        base_year.len() + quarters.len() * per_quarter + totals.len()
    );
    // The transfers of the network model are there.
    let transfers = fs::read_to_string(out.join("tables/oekonomi_omplaceringer.csv")).unwrap();
    assert!(!rows(&transfers).is_empty());

    // A start that does not begin a quarter is refused and nothing is written.
    let bad = tmp.path().join("bad");
    let o = tvaers()
        .arg("economics")
        .arg("--scenario")
        .arg(root.join("scenarios/koordinator.toml"))
        .arg("--input")
        .arg(&ds)
        .arg("--out")
        .arg(&bad)
        .args(["--start", "2025-02-01"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2025-02-01"));
    assert!(!bad.exists());
}
