//! End-to-end tests of the `tvaers` binary: generate → import → analyse, bad input, and
//! interrupted writes. They run the real binary on generated data.

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

fn generate(dir: &Path, citizens: u32, seed: u64) {
    run_ok(
        tvaers()
            .arg("generate")
            .arg("--citizens")
            .arg(citizens.to_string())
            .arg("--seed")
            .arg(seed.to_string())
            .arg("--out")
            .arg(dir),
    );
}

fn import(input: &Path, out: &Path, key: &Path) -> Output {
    tvaers()
        .arg("import")
        .arg("--input")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--key-file")
        .arg(key)
        .output()
        .expect("tvaers runs")
}

/// Every file under `dir` with its bytes, for before/after comparisons.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Replaces field `column` (by header name) on 1-based `line` of a delimited file, working on
/// bytes so a Windows-1252 file stays Windows-1252.
fn corrupt(file: &Path, line: usize, column: &str, value: &str) {
    let bytes = fs::read(file).unwrap();
    let delim = if bytes.split(|&b| b == b'\n').next().unwrap().contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(|l| l.to_vec()).collect();
    let header: Vec<String> = String::from_utf8_lossy(&lines[0])
        .trim_end_matches('\r')
        .trim_start_matches('\u{feff}')
        .split(delim as char)
        .map(|s| s.to_string())
        .collect();
    let col = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("{column} not in {header:?}"));
    let fields: Vec<&[u8]> = lines[line - 1].split(|&b| b == delim).collect();
    assert!(fields.len() > col, "line {line} has too few fields");
    let mut new = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            new.push(delim);
        }
        if i == col {
            new.extend_from_slice(value.as_bytes());
        } else {
            new.extend_from_slice(f);
        }
    }
    lines[line - 1] = new;
    fs::write(file, lines.join(&b'\n')).unwrap();
}

#[test]
fn generated_municipality_imports_and_a_corrupted_value_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 3_000, 7);
    let key = tmp.path().join("noegle.key");
    let out = tmp.path().join("datasaet");
    let ok = import(&exports, &out, &key);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.join("manifest.json").exists());
    assert!(out.join("persons.parquet").exists());
    let before = snapshot(&out);

    // One corrupted value per file; each import must fail, name the place and change nothing.
    let cases = [
        ("personer.csv", 5, "cpr", "3213801234", "cpr"),
        (
            "personer.csv",
            9,
            "foedselsdato",
            "1980-02-30",
            "foedselsdato",
        ),
        ("relationer.csv", 3, "relation", "fætter", "relation"),
        ("ydelseskatalog.csv", 4, "enhed", "liter", "enhed"),
        ("forloeb.csv", 20, "ydelse", "UKENDT", "ydelse"),
        ("forloeb.csv", 21, "omfang", "3,x", "omfang"),
        ("posteringer.csv", 30, "beloeb", "12.3x", "beloeb"),
        (
            "posteringer.csv",
            31,
            "bogfoeringsdato",
            "31-02-2025",
            "bogfoeringsdato",
        ),
        ("enhedspriser.csv", 3, "pris", "-5.00", "pris"),
    ];
    for (file, line, column, value, expect_col) in cases {
        let bad = tmp.path().join(format!("bad-{file}-{line}"));
        copy_dir(&exports, &bad);
        corrupt(&bad.join(file), line, column, value);
        let res = import(&bad, &out, &key);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(
            res.status.code(),
            Some(1),
            "{file}:{line} {column}={value}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("{file}:{line}")),
            "message must name {file}:{line}: {stderr}"
        );
        assert!(
            stderr.contains(expect_col),
            "message must name column {expect_col}: {stderr}"
        );
        // Quoted as shown: a CPR number with its serial masked.
        assert!(
            stderr.contains(&tvaers_ingest::mask_cpr(value.trim_start_matches('-'))),
            "message must quote the value {value}: {stderr}"
        );
        assert_eq!(
            snapshot(&out),
            before,
            "a failed import must not touch {}",
            out.display()
        );
    }
}

#[test]
fn many_errors_are_reported_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 1_000, 3);
    corrupt(&exports.join("forloeb.csv"), 5, "start", "2025-13-01");
    corrupt(&exports.join("posteringer.csv"), 7, "funktion", "5.57");
    corrupt(&exports.join("enhedspriser.csv"), 2, "aar", "tyve");
    let res = import(&exports, &tmp.path().join("ud"), &tmp.path().join("k.key"));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1));
    for place in ["forloeb.csv:5", "posteringer.csv:7", "enhedspriser.csv:2"] {
        assert!(stderr.contains(place), "missing {place} in: {stderr}");
    }
    assert!(
        !tmp.path().join("ud").exists(),
        "nothing may be written on failure"
    );
}

#[test]
fn an_import_killed_midway_leaves_the_previous_dataset_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("k.key");
    let out = tmp.path().join("datasaet");
    // The previous state: a complete dataset of a small municipality.
    let small = tmp.path().join("lille");
    generate(&small, 500, 1);
    assert!(import(&small, &out, &key).status.success());
    let before = snapshot(&out);
    let exports = tmp.path().join("eksporter");
    generate(&exports, 60_000, 11);

    // A crash after everything is written but before the swap: the old dataset stays.
    let crashed = tvaers()
        .env("TVAERS_FAILPOINT", "before-commit")
        .arg("import")
        .arg("--input")
        .arg(&exports)
        .arg("--out")
        .arg(&out)
        .arg("--key-file")
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        !crashed.status.success(),
        "the failpoint must abort the import"
    );
    assert_eq!(
        snapshot(&out),
        before,
        "a crash before the swap must leave the old dataset"
    );

    // Kill at increasing delays: each time the directory is either untouched or complete.
    let mut saw_old = false;
    for delay_ms in [10u64, 100, 250, 500, 1000, 2000, 4000] {
        let mut child = tvaers()
            .arg("import")
            .arg("--input")
            .arg(&exports)
            .arg("--out")
            .arg(&out)
            .arg("--key-file")
            .arg(&key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let now = snapshot(&out);
        if now == before {
            saw_old = true;
        } else {
            // Replaced: it must be a complete dataset.
            for f in [
                "manifest.json",
                "persons.parquet",
                "spells.parquet",
                "postings.parquet",
            ] {
                assert!(
                    out.join(f).exists(),
                    "after a kill at {delay_ms} ms the dataset is partial: {f} missing"
                );
            }
            break;
        }
    }
    assert!(
        saw_old,
        "the first kill (10 ms) should have hit before the swap"
    );
}

#[test]
fn analyse_writes_the_report_from_raw_exports_and_from_a_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 4_000, 5);
    let from_raw = tmp.path().join("rapport-raa");
    run_ok(
        tvaers()
            .args(["analyse", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&from_raw),
    );
    let key = tmp.path().join("k.key");
    let ds = tmp.path().join("ds");
    assert!(import(&exports, &ds, &key).status.success());
    let from_ds = tmp.path().join("rapport-ds");
    run_ok(
        tvaers()
            .args(["analyse", "--lang", "en", "--input"])
            .arg(&ds)
            .arg("--out")
            .arg(&from_ds),
    );
    let a: serde_json::Value =
        serde_json::from_slice(&fs::read(from_raw.join("summary.json")).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_slice(&fs::read(from_ds.join("summary.json")).unwrap()).unwrap();
    // Pseudonyms differ between the two runs; the statistics must not.
    for k in [
        "citizens",
        "families",
        "cost_total_ore",
        "cost_allocated_ore",
        "concentration",
        "complexity",
        "coverage",
    ] {
        assert_eq!(a[k], b[k], "{k} differs between raw and imported input");
    }
    let html = fs::read_to_string(from_raw.join("index.html")).unwrap();
    assert!(html.contains("<svg"), "the report has charts");
    assert!(html.contains("lang=\"da\""));
    let html_en = fs::read_to_string(from_ds.join("index.html")).unwrap();
    assert!(html_en.contains("lang=\"en\""));
}

#[test]
fn the_key_file_may_not_live_inside_the_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 500, 2);
    let out = tmp.path().join("ds");
    let res = import(&exports, &out, &out.join("k.key"));
    assert!(!res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("outside"));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn check_rules_accepts_the_standard_file_and_names_the_line_of_an_error() {
    let standard = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/standard.toml");
    let ok = run_ok(tvaers().arg("check-rules").arg(&standard));
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(stdout.contains("udsatte_familier"), "{stdout}");

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("regler.toml");
    let text = fs::read_to_string(&standard).unwrap().replacen(
        "tags_any = [\"misbrug\"]",
        "tags_any = [\"misbrugg\"]",
        1,
    );
    fs::write(&bad, &text).unwrap();
    let line = text.lines().position(|l| l.contains("misbrugg")).unwrap() + 1;
    let res = tvaers().arg("check-rules").arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(":{line}:")),
        "must name line {line}: {stderr}"
    );
    assert!(stderr.contains("misbrugg"), "{stderr}");
}

#[test]
fn outputs_that_would_replace_or_bury_their_input_are_refused_and_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 300, 3);
    let before = snapshot(&exports);
    let key = tmp.path().join("k.key");
    // import --input X --out X, and an --out inside or around the input.
    for out in [
        exports.clone(),
        exports.join("ds"),
        tmp.path().to_path_buf(),
    ] {
        let res = import(&exports, &out, &key);
        assert_eq!(res.status.code(), Some(2), "import --out {out:?}");
        assert!(String::from_utf8_lossy(&res.stderr).contains("overlap"));
        assert_eq!(
            snapshot(&exports),
            before,
            "import --out {out:?} touched the input"
        );
    }
    let ds = tmp.path().join("ds");
    assert!(import(&exports, &ds, &key).status.success());
    let dataset = snapshot(&ds);
    // analyse --input ds --out ds, and a dataset folder inside the report.
    let analyse = |out: &Path, extra: &[&str]| {
        tvaers()
            .args(["analyse", "--input"])
            .arg(&ds)
            .arg("--out")
            .arg(out)
            .args(extra)
            .output()
            .unwrap()
    };
    for out in [ds.clone(), ds.join("rapport")] {
        let res = analyse(&out, &[]);
        assert_eq!(res.status.code(), Some(2), "analyse --out {out:?}");
        assert_eq!(
            snapshot(&ds),
            dataset,
            "analyse --out {out:?} touched the dataset"
        );
    }
    let report = tmp.path().join("rapport");
    let inside = report.join("datasaet");
    let res = analyse(&report, &["--dataset-out", inside.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(2));
    assert!(!report.exists(), "nothing written when refused");
}

#[test]
fn the_report_folder_carries_no_microdata_unless_asked_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 600, 4);
    let report = tmp.path().join("rapport");
    run_ok(
        tvaers()
            .args(["analyse", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&report),
    );
    let files = snapshot(&report);
    assert!(
        files
            .iter()
            .all(|(p, _)| p.extension().is_none_or(|e| e != "parquet")),
        "no Parquet in the report: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let html = fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("Der er ikke skrevet et pseudonymiseret datasæt"));

    let dataset = tmp.path().join("mikrodata");
    let report2 = tmp.path().join("rapport2");
    run_ok(
        tvaers()
            .args(["analyse", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&report2)
            .arg("--dataset-out")
            .arg(&dataset),
    );
    assert!(dataset.join("persons.parquet").is_file());
    assert!(
        snapshot(&report2)
            .iter()
            .all(|(p, _)| p.extension().is_none_or(|e| e != "parquet"))
    );
    let html = fs::read_to_string(report2.join("index.html")).unwrap();
    assert!(html.contains("Det pseudonymiserede datasæt"));
}

/// `tvaers <args>` with `TVAERS_LANG` set to `lang`, or unset for `None`.
fn tvaers_in(lang: Option<&str>) -> Command {
    let mut cmd = tvaers();
    match lang {
        Some(l) => cmd.env("TVAERS_LANG", l),
        None => cmd.env_remove("TVAERS_LANG"),
    };
    cmd
}

#[test]
fn import_errors_are_danish_by_default_and_english_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 300, 5);
    corrupt(&exports.join("posteringer.csv"), 4, "beloeb", "12.3x");
    let stderr_in = |lang: Option<&str>| {
        let res = tvaers_in(lang)
            .arg("import")
            .arg("--input")
            .arg(&exports)
            .arg("--out")
            .arg(tmp.path().join("ud"))
            .arg("--key-file")
            .arg(tmp.path().join("k.key"))
            .output()
            .expect("tvaers runs");
        assert_eq!(res.status.code(), Some(1));
        String::from_utf8_lossy(&res.stderr).into_owned()
    };
    let da = stderr_in(None);
    assert!(
        da.contains(
            "posteringer.csv:4: kolonne \"beloeb\": \"12.3x\" er ikke et beløb; \
             forventet kroner med højst to decimaler"
        ),
        "{da}"
    );
    let en = stderr_in(Some("en"));
    assert!(
        en.contains(
            "posteringer.csv:4: column \"beloeb\": \"12.3x\" is not an amount; \
             expected kroner with at most two decimals"
        ),
        "{en}"
    );
}

fn help_text(lang: Option<&str>, args: &[&str]) -> String {
    let out = run_ok(tvaers_in(lang).args(args).arg("--help"));
    String::from_utf8(out.stdout).expect("help is UTF-8")
}

#[test]
fn help_is_danish_by_default_and_english_on_request() {
    let da = help_text(None, &[]);
    for phrase in [
        "Brug: tvaers",
        "Kommandoer:",
        "Tilvalg:",
        "Lav eksporter",
        "Vis hjælpen",
    ] {
        assert!(da.contains(phrase), "missing {phrase:?} in:\n{da}");
    }
    assert!(
        !da.contains("Commands:") && !da.contains("Print help"),
        "{da}"
    );
    let en = help_text(Some("en"), &[]);
    for phrase in [
        "Usage: tvaers",
        "Commands:",
        "Options:",
        "Generate a synthetic municipality's exports",
        "Print help",
    ] {
        assert!(en.contains(phrase), "missing {phrase:?} in:\n{en}");
    }
    let import = help_text(None, &["import"]);
    assert!(
        import.contains("[standard: tvaers-pseudonym.key]"),
        "{import}"
    );
}

/// The subcommands that `tvaers --help` lists (all but `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !matches!(l.trim_end(), "Kommandoer:" | "Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_argument_of_every_command_has_help() {
    for lang in [None, Some("en")] {
        let commands = subcommands(&help_text(lang, &[]));
        assert!(commands.len() >= 6, "{commands:?}");
        // A command group (`user`, `audit`) is checked through its subcommands.
        let mut leaves: Vec<Vec<String>> = Vec::new();
        for command in commands {
            let inner = subcommands(&help_text(lang, &[&command]));
            if inner.is_empty() {
                leaves.push(vec![command]);
            } else {
                leaves.extend(inner.into_iter().map(|c| vec![command.clone(), c]));
            }
        }
        for path in leaves {
            let args: Vec<&str> = path.iter().map(String::as_str).collect();
            let command = path.join(" ");
            let help = help_text(lang, &args);
            let description = help.lines().next().unwrap_or("");
            assert!(!description.trim().is_empty(), "{command}: no description");
            let mut arguments = 0;
            for line in help.lines() {
                let entry = line.trim_start();
                if !line.starts_with("  ") || !(entry.starts_with('-') || entry.starts_with('<')) {
                    continue;
                }
                arguments += 1;
                // The argument, two or more spaces, its help; then notes in brackets.
                let text = entry.split_once("  ").map_or("", |(_, h)| h).trim();
                let text = text.split(" [").next().unwrap_or("");
                assert!(
                    !text.is_empty() && !text.starts_with('['),
                    "{command} ({lang:?}): no help for {entry:?}"
                );
            }
            assert!(arguments >= 2, "{command}: found its arguments in\n{help}");
        }
    }
}

#[test]
fn a_bad_mapping_profile_is_reported_in_the_language_of_the_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("profil.toml");
    fs::write(&profile, "[postings]\ndecimal = \"'\"\n").unwrap();
    // Input and output apart (an output inside the input is refused before the profile is read).
    let input = tmp.path().join("eksporter");
    fs::create_dir(&input).unwrap();
    let stderr_in = |lang: Option<&str>| {
        let res = tvaers_in(lang)
            .arg("import")
            .arg("--input")
            .arg(&input)
            .arg("--out")
            .arg(tmp.path().join("ud"))
            .arg("--key-file")
            .arg(tmp.path().join("k.key"))
            .arg("--profile")
            .arg(&profile)
            .output()
            .expect("tvaers runs");
        assert_eq!(res.status.code(), Some(2));
        String::from_utf8_lossy(&res.stderr).into_owned()
    };
    let da = stderr_in(None);
    assert!(
        da.contains("[postings] decimal \"'\" er hverken \".\" eller \",\""),
        "{da}"
    );
    let en = stderr_in(Some("en"));
    assert!(
        en.contains("[postings] decimal \"'\" is not \".\" or \",\""),
        "{en}"
    );
}

#[test]
fn one_mistyped_posting_date_warns_and_does_not_move_the_period() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 400, 6);
    let clean = tmp.path().join("ren");
    run_ok(
        tvaers()
            .args(["analyse", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&clean),
    );
    corrupt(
        &exports.join("posteringer.csv"),
        3,
        "bogfoeringsdato",
        "31-12-2090",
    );
    let typo = tmp.path().join("tastefejl");
    let out = run_ok(
        tvaers_in(Some("en"))
            .args(["analyse", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&typo),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Warning: 1 postings and 0 spells lie more than a year outside"),
        "{stderr}"
    );
    let period = |dir: &Path| {
        let s: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
        s["period"].clone()
    };
    assert!(!period(&clean).is_null());
    assert_eq!(period(&clean), period(&typo), "the period did not move");
}

#[test]
fn a_missing_unit_price_is_an_error_naming_service_and_year_unless_the_fallback_is_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 400, 6);
    // Drop every price of the last year (the default period's): each priced service misses
    // its price there.
    let prices = exports.join("enhedspriser.csv");
    let text = fs::read_to_string(&prices).unwrap();
    let last = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(3)?.parse::<i32>().ok())
        .max()
        .unwrap()
        .to_string();
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| line.split(',').nth(3) != Some(last.as_str()))
        .collect();
    assert!(kept.len() < text.lines().count(), "price rows were dropped");
    fs::write(&prices, kept.join("\n") + "\n").unwrap();

    let refused = tmp.path().join("afvist");
    let out = tvaers_in(Some("en"))
        .args(["analyse", "--input"])
        .arg(&exports)
        .arg("--out")
        .arg(&refused)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unit prices are missing for (service year): ")
            && stderr.contains(&format!(" {last}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("--missing-prices previous-year"),
        "{stderr}"
    );
    assert!(!refused.exists(), "nothing is written");

    let fallback = tmp.path().join("fallback");
    run_ok(
        tvaers()
            .args(["analyse", "--missing-prices", "previous-year", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&fallback),
    );
    assert!(fallback.join("summary.json").exists());
}

/// Whether `text` holds a whole CPR number (six digits, an optional `-`, four digits).
fn has_whole_cpr(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
    (0..b.len()).any(|i| {
        (i == 0 || !digit(i - 1))
            && (i..i + 6).all(digit)
            && [0, 1].iter().any(|&d| {
                (d == 0 || b.get(i + 6) == Some(&b'-'))
                    && (i + 6 + d..i + 10 + d).all(digit)
                    && !digit(i + 10 + d)
            })
    })
}

#[test]
fn error_messages_never_print_a_whole_cpr_number() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 300, 8);
    // A persons file with only its header: every spell and booked posting names an unknown
    // person (this once printed 174 whole CPR numbers).
    let persons = exports.join("personer.csv");
    let text = fs::read(&persons).unwrap();
    let header_end = text.iter().position(|&c| c == b'\n').unwrap() + 1;
    fs::write(&persons, &text[..header_end]).unwrap();
    for lang in [None, Some("en")] {
        let res = tvaers_in(lang)
            .arg("import")
            .arg("--input")
            .arg(&exports)
            .arg("--out")
            .arg(tmp.path().join("ds"))
            .arg("--key-file")
            .arg(tmp.path().join("k.key"))
            .output()
            .unwrap();
        assert_eq!(res.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert!(
            stderr.contains("-****"),
            "masked numbers are shown: {stderr}"
        );
        assert!(!has_whole_cpr(&stderr), "a whole CPR number in: {stderr}");
    }
    assert!(has_whole_cpr("x 310380-1235 y") && has_whole_cpr("3103801235"));
    assert!(!has_whole_cpr("310380-**** 12345678901"));
}

/// `tvaers economics` writes the Per report; a bad scenario file fails with its line and column
/// and writes nothing.
#[test]
fn economics_writes_the_per_report_and_refuses_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = dir.path().join("oekonomi");
    run_ok(
        tvaers()
            .arg("economics")
            .arg("--scenario")
            .arg(root.join("scenarios/per.toml"))
            .arg("--out")
            .arg(&out),
    );
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("895.000") && html.contains("408.500"));
    assert!(out.join("tables/oekonomi_aar.csv").is_file());

    let bad = dir.path().join("bad.toml");
    let text = fs::read_to_string(root.join("scenarios/per.toml"))
        .unwrap()
        .replace("department = \"social_voksne\"", "department = \"socialt\"");
    fs::write(&bad, text).unwrap();
    let bad_out = dir.path().join("bad_out");
    let o = tvaers()
        .arg("economics")
        .arg("--scenario")
        .arg(&bad)
        .arg("--out")
        .arg(&bad_out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml:39:14: unknown department \"socialt\""),
        "{err}"
    );
    assert!(!bad_out.exists());
}

#[test]
fn profile_suggest_writes_a_profile_that_imports_the_exports() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 300, 3);
    let profile = tmp.path().join("forslag.toml");
    let res = run_ok(
        tvaers_in(Some("en"))
            .args(["profile", "suggest", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(&profile),
    );
    let said = String::from_utf8_lossy(&res.stderr);
    assert!(said.contains("Suggested profile written to"), "{said}");
    let text = fs::read_to_string(&profile).unwrap();
    assert!(text.contains("file = \"posteringer.csv\""), "{text}");
    assert!(text.contains("encoding = \"windows-1252\""), "{text}");
    // The suggestion imports what the default profile imports.
    let with = run_ok(
        tvaers()
            .arg("import")
            .arg("--input")
            .arg(&exports)
            .arg("--out")
            .arg(tmp.path().join("a"))
            .arg("--key-file")
            .arg(tmp.path().join("k.key"))
            .arg("--profile")
            .arg(&profile),
    );
    let without = import(&exports, &tmp.path().join("b"), &tmp.path().join("k.key"));
    assert!(without.status.success());
    let counts = |o: &Output| {
        let s = String::from_utf8_lossy(&o.stdout).into_owned();
        s[s.find('(').expect("counts in brackets")..].to_string()
    };
    assert_eq!(counts(&with), counts(&without));
    // Standard output without --out; an existing file is not overwritten.
    let out = run_ok(
        tvaers()
            .args(["profile", "suggest", "--input"])
            .arg(&exports),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        text.lines().count()
    );
    fs::write(&profile, "# hand-edited\n").unwrap();
    let again = tvaers_in(None)
        .args(["profile", "suggest", "--input"])
        .arg(&exports)
        .arg("--out")
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("findes allerede"));
    assert_eq!(fs::read_to_string(&profile).unwrap(), "# hand-edited\n");
}

#[test]
fn analyse_of_rejected_exports_says_analyse_not_import() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 300, 4);
    corrupt(&exports.join("posteringer.csv"), 4, "beloeb", "12.3x");
    let stderr_in = |lang: Option<&str>| {
        let out = tvaers_in(lang)
            .args(["analyse", "--input"])
            .arg(&exports)
            .arg("--out")
            .arg(tmp.path().join("rapport"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let da = stderr_in(None);
    assert!(da.contains("posteringer.csv:4: kolonne \"beloeb\""), "{da}");
    assert!(
        da.contains("tvaers: analyse afvist — 1 fejl i eksporterne; intet er skrevet."),
        "{da}"
    );
    assert!(!da.contains("import"), "{da}");
    let en = stderr_in(Some("en"));
    assert!(
        en.contains("tvaers: analyse rejected — 1 errors in the exports"),
        "{en}"
    );
    assert!(!tmp.path().join("rapport").exists());
    // import itself still says import.
    let out = import(&exports, &tmp.path().join("ds"), &tmp.path().join("k.key"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("import afvist"));
}

#[test]
fn analyse_takes_danish_dates_and_prints_danish_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    let out = run_ok(
        tvaers_in(None)
            .args(["generate", "--citizens", "1500", "--seed", "3", "--out"])
            .arg(&exports),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1.500"), "Danish thousands point: {stdout}");
    let period = |dir: &Path| {
        let s: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
        (s["period"].clone(), s["provenance"].clone())
    };
    let mut seen = Vec::new();
    for (i, (from, to)) in [("01-01-2025", "31.12.2025"), ("20250101", "31/12/2025")]
        .into_iter()
        .enumerate()
    {
        let report = tmp.path().join(format!("r{i}"));
        let out = run_ok(
            tvaers_in(None)
                .args(["analyse", "--from", from, "--to", to, "--input"])
                .arg(&exports)
                .arg("--out")
                .arg(&report),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("Plausibilitet: "), "{stderr}");
        let (p, provenance) = period(&report);
        assert_eq!(p["from"], "2025-01-01", "{from}");
        assert_eq!(p["to"], "2025-12-31", "{to}");
        let fp = provenance["input_fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
        let html = fs::read_to_string(report.join("index.html")).unwrap();
        assert!(html.contains(&fp), "the footer names the input");
        seen.push(fp);
    }
    assert_eq!(seen[0], seen[1], "the same input, the same fingerprint");
    let bad = tvaers_in(None)
        .args(["analyse", "--from", "31-02-2025", "--input"])
        .arg(&exports)
        .arg("--out")
        .arg(tmp.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("31-02-2025"));
}
