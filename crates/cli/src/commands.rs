//! The subcommands other than `bench`.

use crate::LangArg;
use crate::progress::stage;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::Path;
use std::process::ExitCode;
use tvaers_analysis::Lang;
use tvaers_core::{Period, Pseudonymised, Register};
use tvaers_ingest::{PseudonymKey, StagedDir, dataset, profile::Profile};
use tvaers_messages::{self as messages, Key};

/// The language of the command line's own messages: `TVAERS_LANG=en` for English, else Danish.
fn cli_lang() -> Lang {
    static LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();
    *LANG.get_or_init(|| {
        std::env::var("TVAERS_LANG")
            .ok()
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or(Lang::Da)
    })
}

fn msg(key: Key) -> String {
    messages::t(cli_lang(), key).to_string()
}

fn tn(key: Key, args: &[&dyn std::fmt::Display]) -> String {
    messages::tn(cli_lang(), key, args)
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Da => Lang::Da,
            LangArg::En => Lang::En,
        }
    }
}

pub fn generate(
    citizens: u32,
    seed: u64,
    first_year: i32,
    years: u32,
    out: &Path,
) -> Result<ExitCode> {
    let cfg = tvaers_synth::Config {
        citizens,
        seed,
        first_year,
        years,
    };
    let staged =
        StagedDir::begin(out).with_context(|| format!("cannot write {}", out.display()))?;
    let summary = stage(&tn(Key::cli_generating, &[&citizens]), || {
        tvaers_synth::generate(&cfg, staged.path())
    })?;
    staged.commit()?;
    println!(
        "{}",
        tn(
            Key::cli_generated,
            &[
                &summary.persons,
                &summary.families,
                &summary.spells,
                &summary.postings,
                &out.display(),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn load_profile(profile: Option<&Path>) -> Result<Profile> {
    Ok(match profile {
        Some(p) => Profile::load(p).with_context(|| format!("mapping profile {}", p.display()))?,
        None => Profile::default_profile(),
    })
}

/// Reads raw exports; on validation errors prints them all and returns `Err(exit code 1)`.
fn read_raw(
    input: &Path,
    profile: &Profile,
) -> Result<std::result::Result<Register<tvaers_core::Identified>, ExitCode>> {
    match stage(&msg(Key::cli_reading_exports), || {
        tvaers_ingest::read_exports(input, profile)
    }) {
        Ok(reg) => Ok(Ok(reg)),
        Err(errors) => {
            eprintln!("{}", errors.render(cli_lang()));
            eprintln!(
                "{}",
                tn(
                    Key::cli_import_rejected,
                    &[&(errors.errors.len() + errors.truncated)]
                )
            );
            Ok(Err(ExitCode::from(1)))
        }
    }
}

pub fn import(
    input: &Path,
    out: &Path,
    profile_path: Option<&Path>,
    key_file: &Path,
) -> Result<ExitCode> {
    tvaers_ingest::check_key_outside(key_file, out)?;
    let profile = load_profile(profile_path)?;
    let reg = match read_raw(input, &profile)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let (key, created) = PseudonymKey::load_or_create(key_file)
        .with_context(|| format!("pseudonymisation key {}", key_file.display()))?;
    if created {
        eprintln!("{}", tn(Key::cli_key_created, &[&key_file.display()]));
    }
    let pseudo = stage(&msg(Key::cli_pseudonymising), || {
        tvaers_ingest::pseudonymise(reg, &key)
    });
    let staged = StagedDir::begin(out)?;
    let profile_name = profile_path.map_or("default".to_string(), |p| p.display().to_string());
    let manifest = dataset::Manifest::new(
        &pseudo,
        &input.display().to_string(),
        &profile_name,
        &key.fingerprint(),
    );
    stage(&msg(Key::cli_writing_dataset), || {
        dataset::write(&pseudo, staged.path(), &manifest)
    })?;
    failpoint("before-commit");
    staged.commit()?;
    println!(
        "{}",
        tn(
            Key::cli_dataset_written,
            &[
                &out.display(),
                &pseudo.persons.len(),
                &pseudo.spells.len(),
                &pseudo.postings.len(),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Dies on the spot when `TVAERS_FAILPOINT` names this point: lets the tests crash the program
/// at the worst moment (everything written, nothing swapped in) without timing luck.
fn failpoint(name: &str) {
    if std::env::var("TVAERS_FAILPOINT").is_ok_and(|v| v == name) {
        eprintln!("tvaers: failpoint {name}: aborting");
        std::process::abort();
    }
}

/// Loads either an imported dataset or raw exports (pseudonymised in memory).
pub fn load_pseudonymised(
    input: &Path,
    profile: Option<&Path>,
    key_file: Option<&Path>,
) -> Result<std::result::Result<Register<Pseudonymised>, ExitCode>> {
    if dataset::is_dataset(input) {
        let reg = stage(&msg(Key::cli_reading_dataset), || dataset::read(input))?;
        return Ok(Ok(reg));
    }
    let profile = load_profile(profile)?;
    let reg = match read_raw(input, &profile)? {
        Ok(r) => r,
        Err(code) => return Ok(Err(code)),
    };
    let key = match key_file {
        Some(k) => PseudonymKey::load_or_create(k)?.0,
        None => PseudonymKey::random()?,
    };
    Ok(Ok(stage(&msg(Key::cli_pseudonymising), || {
        tvaers_ingest::pseudonymise(reg, &key)
    })))
}

#[allow(clippy::too_many_arguments)]
pub fn analyse(
    input: &Path,
    out: &Path,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    lang: LangArg,
    profile: Option<&Path>,
    key_file: Option<&Path>,
    rules_file: Option<&Path>,
) -> Result<ExitCode> {
    let reg = match load_pseudonymised(input, profile, key_file)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let period = resolve_period(&reg, from, to)?;
    let rules = match rules_file {
        Some(f) => match load_rules(f)? {
            Ok(r) => r,
            Err(code) => return Ok(code),
        },
        None => tvaers_rules::RuleSet::standard(),
    };
    let index = write_analysis(&reg, period, &rules, lang.into(), out)?;
    println!("{}", tn(Key::cli_report_at, &[&index.display()]));
    Ok(ExitCode::SUCCESS)
}

fn resolve_period(
    reg: &Register<Pseudonymised>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Period> {
    let default = tvaers_analysis::default_period(reg);
    let from = from.unwrap_or(default.from());
    let to = to.unwrap_or(default.to());
    Period::new(from, to).map_err(|e| anyhow::anyhow!("--from/--to: {e}"))
}

/// Runs the analysis stages and writes report and dataset into `out` (all or nothing).
/// Returns the path of the report's `index.html`.
pub fn write_analysis(
    reg: &Register<Pseudonymised>,
    period: Period,
    rules: &tvaers_rules::RuleSet,
    lang: Lang,
    out: &Path,
) -> Result<std::path::PathBuf> {
    let alloc = stage(&msg(Key::cli_allocating), || {
        tvaers_analysis::allocate(reg, period)
    });
    let metrics = stage(&msg(Key::cli_metrics), || {
        tvaers_analysis::compute_metrics(reg, &alloc, period)
    });
    let analysis = stage(&msg(Key::cli_summarising), || {
        tvaers_analysis::summarise_with_rules(reg, &alloc, &metrics, rules)
    });
    let staged = StagedDir::begin(out)?;
    stage(&msg(Key::cli_writing_report), || {
        tvaers_analysis::write_report(&analysis, lang, staged.path())
    })?;
    let manifest = dataset::Manifest::new(reg, "analyse", "-", "-");
    stage(&msg(Key::cli_writing_parquet), || {
        let dir = staged.path().join("datasaet");
        std::fs::create_dir_all(&dir)?;
        dataset::write(reg, &dir, &manifest)?;
        anyhow::Ok(())
    })?;
    staged.commit()?;
    Ok(out.join("index.html"))
}

pub fn demo(out: &Path, citizens: u32, seed: u64, lang: LangArg) -> Result<ExitCode> {
    let exports = out.join("eksporter");
    let report = out.join("rapport");
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    generate(citizens, seed, 2024, 2, &exports)?;
    let code = analyse(&exports, &report, None, None, lang, None, None, None)?;
    if code == ExitCode::SUCCESS {
        let abs = std::path::absolute(report.join("index.html"))?;
        println!(
            "\n{}",
            tn(
                Key::cli_open_report,
                &[&format!("file://{}", abs.display())]
            )
        );
    }
    Ok(code)
}

/// Reads a rules file; on any error prints it with line and column and returns exit code 1.
pub fn load_rules(file: &Path) -> Result<std::result::Result<tvaers_rules::RuleSet, ExitCode>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    match tvaers_rules::RuleSet::parse(&text, &file.display().to_string()) {
        Ok(rules) => Ok(Ok(rules)),
        Err(e) => {
            eprintln!("{e}");
            Ok(Err(ExitCode::from(1)))
        }
    }
}

pub fn check_rules(file: &Path) -> Result<ExitCode> {
    let rules = match load_rules(file)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    println!(
        "{}",
        tn(Key::cli_rules_ok, &[&file.display(), &rules.rules().len()])
    );
    for rule in rules.rules() {
        println!("  {:<40} {}", rule.id, rule.name_da);
    }
    Ok(ExitCode::SUCCESS)
}
