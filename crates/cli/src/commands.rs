//! The subcommands other than `bench`.

use crate::LangArg;
use crate::progress::{Spinners, stage};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::Path;
use std::process::ExitCode;
use tvaers_core::Register;
use tvaers_ingest::{PseudonymKey, StagedDir, dataset, profile::Profile};
use tvaers_messages::{self as messages, Key, Lang};

/// The language of the command line's own messages: `TVAERS_LANG=en` for English, else Danish.
pub(crate) fn cli_lang() -> Lang {
    static LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();
    *LANG.get_or_init(|| {
        std::env::var("TVAERS_LANG")
            .ok()
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or(Lang::Da)
    })
}

pub(crate) fn msg(key: Key) -> String {
    messages::t(cli_lang(), key).to_string()
}

pub(crate) fn tn(key: Key, args: &[&dyn std::fmt::Display]) -> String {
    messages::tn(cli_lang(), key, args)
}

/// `--from`/`--to`: every date form the importer accepts (`31-12-2025`, `31.12.2025`,
/// `31/12/2025`, `20251231`, `2025-12-31`, with or without a time of day).
pub(crate) fn parse_cli_date(text: &str) -> std::result::Result<NaiveDate, String> {
    tvaers_ingest::parse_date(text.trim()).ok_or_else(|| tn(Key::cli_bad_date, &[&text]))
}

/// A count as the command line prints it: `1.234.567` in Danish, `1,234,567` in English.
pub(crate) fn num(n: impl TryInto<i64>) -> String {
    messages::int(cli_lang(), n.try_into().unwrap_or(i64::MAX))
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Da => Lang::Da,
            LangArg::En => Lang::En,
        }
    }
}

/// `tvaers generate --years`: a range of calendar years or a count of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Years {
    /// First and last year, inclusive.
    Range(i32, i32),
    /// A number of years, from `--first-year` or else ending at the default's last year.
    Count(u32),
}

/// The first year and the number of years without `--years` (the default municipality).
const DEFAULT_FIRST_YEAR: i32 = 2024;
const DEFAULT_YEARS: u32 = 2;

/// The first year, number of years and whether the years run with dynamics.
pub fn generate_window(
    first_year: Option<i32>,
    years: Option<Years>,
) -> std::result::Result<(i32, u32, bool), String> {
    Ok(match (years, first_year) {
        (None, f) => (f.unwrap_or(DEFAULT_FIRST_YEAR), DEFAULT_YEARS, false),
        (Some(Years::Range(a, b)), None) => (a, (b - a + 1) as u32, true),
        (Some(Years::Range(a, _)), Some(f)) if f == a => return generate_window(None, years),
        (Some(Years::Range(..)), Some(_)) => return Err(msg(Key::cli_years_and_first_year)),
        (Some(Years::Count(n)), Some(f)) => (f, n, true),
        (Some(Years::Count(n)), None) => {
            let last = DEFAULT_FIRST_YEAR + DEFAULT_YEARS as i32 - 1;
            (last + 1 - n as i32, n, true)
        }
    })
}

pub fn generate(
    citizens: u32,
    seed: u64,
    first_year: Option<i32>,
    years: Option<Years>,
    out: &Path,
) -> Result<ExitCode> {
    let (first_year, years, dynamic) = match generate_window(first_year, years) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let cfg = tvaers_synth::Config {
        citizens,
        seed,
        first_year,
        years,
    };
    let staged =
        StagedDir::begin(out).with_context(|| format!("cannot write {}", out.display()))?;
    let summary = stage(&tn(Key::cli_generating, &[&num(citizens)]), || {
        if dynamic {
            tvaers_synth::generate_with(&cfg, tvaers_synth::Dynamics::default(), staged.path())
        } else {
            tvaers_synth::generate(&cfg, staged.path())
        }
    })?;
    staged.commit()?;
    println!(
        "{}",
        tn(
            Key::cli_generated,
            &[
                &num(summary.persons),
                &num(summary.families),
                &num(summary.spells),
                &num(summary.postings),
                &out.display(),
            ],
        )
    );
    if let Some(d) = summary.dynamics {
        println!(
            "{}",
            tn(
                Key::cli_generated_dynamics,
                &[
                    &first_year,
                    &(first_year + years as i32 - 1),
                    &d.households_moved_in,
                    &d.households_moved_out,
                    &d.births,
                    &d.deaths,
                ],
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn load_profile(profile: Option<&Path>) -> Result<Profile> {
    Ok(match profile {
        Some(p) => Profile::load(p).with_context(|| format!("mapping profile {}", p.display()))?,
        None => Profile::default_profile(),
    })
}

/// Prints every validation error of the exports and the count, under the name of the command
/// that read them (`rejected` is `cli_import_rejected` or `cli_analyse_rejected`); the caller
/// exits with code 1.
fn print_import_errors(errors: &tvaers_ingest::ImportErrors, rejected: Key) {
    eprintln!("{}", errors.render(cli_lang()));
    eprintln!(
        "{}",
        tn(rejected, &[&num(errors.errors.len() + errors.truncated)])
    );
}

/// Reads raw exports; on validation errors prints them all and returns `Err(exit code 1)`.
pub(crate) fn read_raw(
    input: &Path,
    profile: &Profile,
) -> Result<std::result::Result<Register<tvaers_core::Identified>, ExitCode>> {
    match stage(&msg(Key::cli_reading_exports), || {
        tvaers_ingest::read_exports(input, profile)
    }) {
        Ok(reg) => Ok(Ok(reg)),
        Err(errors) => {
            print_import_errors(&errors, Key::cli_import_rejected);
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
    tvaers_ingest::check_apart(out, "the input folder", input)?;
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
                &num(pseudo.persons.len()),
                &num(pseudo.spells.len()),
                &num(pseudo.postings.len()),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `tvaers profile suggest`: a commented mapping profile guessed from the exports in `input`,
/// to standard output or to `out` (never over an existing file: it may be a hand-edited
/// profile).
pub fn profile_suggest(input: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let text = match tvaers_ingest::suggest(input, cli_lang()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tvaers: {}", e.render(cli_lang()));
            return Ok(ExitCode::from(1));
        }
    };
    match out {
        None => print!("{text}"),
        Some(path) => {
            if path.exists() {
                eprintln!("{}", tn(Key::cli_profile_exists, &[&path.display()]));
                return Ok(ExitCode::from(1));
            }
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "{}",
                tn(
                    Key::cli_profile_written,
                    &[&path.display(), &input.display()]
                )
            );
        }
    }
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

/// What `tvaers analyse` was asked to do.
pub struct AnalyseOptions<'a> {
    /// Raw exports or an imported dataset.
    pub input: &'a Path,
    pub out: &'a Path,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub lang: Lang,
    /// Mapping profile for raw exports (default profile when `None`).
    pub profile: Option<&'a Path>,
    /// Key for pseudonymising raw exports; `None` = a fresh key for this run only.
    pub key_file: Option<&'a Path>,
    /// Rules file; `None` = the standard rules.
    pub rules: Option<&'a Path>,
    /// Where to write the pseudonymised dataset too (never inside the report).
    pub dataset_out: Option<&'a Path>,
    pub settings: tvaers_analysis::Settings,
}

pub fn analyse(opts: &AnalyseOptions<'_>) -> Result<ExitCode> {
    let rules = match opts.rules {
        Some(f) => match load_rules(f)? {
            Ok(r) => r,
            Err(code) => return Ok(code),
        },
        None => tvaers_rules::RuleSet::standard(),
    };
    if let Some(key) = opts.key_file {
        // A key created inside an output folder would be swapped away with the old output.
        tvaers_ingest::check_key_outside(key, opts.out)?;
        if let Some(d) = opts.dataset_out {
            tvaers_ingest::check_key_outside(key, d)?;
        }
    }
    let profile = load_profile(opts.profile)?;
    let is_dataset = dataset::is_dataset(opts.input);
    let key = match (is_dataset, opts.key_file) {
        (true, _) => None,
        (false, Some(k)) => Some(PseudonymKey::load_or_create(k)?.0),
        (false, None) => Some(PseudonymKey::random()?),
    };
    let source = match &key {
        None => tvaers_pipeline::Source::Dataset(opts.input),
        Some(key) => tvaers_pipeline::Source::Exports {
            dir: opts.input,
            profile: &profile,
            key,
        },
    };
    let job = tvaers_pipeline::Job {
        source,
        from: opts.from,
        to: opts.to,
        rules: &rules,
        lang: opts.lang,
        out: opts.out,
        dataset_out: opts.dataset_out,
        settings: opts.settings,
    };
    match tvaers_pipeline::analyse(&job, &mut Spinners::new(cli_lang())) {
        Ok(outcome) => {
            warn_data_quality(&outcome);
            print_plausibility(&outcome.analysis.plausibility);
            println!(
                "{}",
                tn(Key::cli_report_at, &[&outcome.files.html.display()])
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(tvaers_pipeline::PipelineError::Import(errors)) => {
            print_import_errors(&errors, Key::cli_analyse_rejected);
            Ok(ExitCode::from(1))
        }
        Err(tvaers_pipeline::PipelineError::Analysis(
            tvaers_analysis::AnalysisError::MissingPrices { missing, count },
        )) => {
            let list = tvaers_analysis::allocation::missing_list(&missing);
            let more = count - missing.len();
            eprintln!(
                "{}",
                tn(Key::cli_missing_prices, &[&list, &num(count), &num(more)])
            );
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// The plausibility page in short: how many checks are ok, and each one outside its range
/// with its hint (totals only, never a person).
fn print_plausibility(p: &tvaers_analysis::plausibility::Plausibility) {
    let lang = cli_lang();
    let shown = p
        .checks
        .iter()
        .filter(|c| !c.verdict.is_suppressed())
        .count();
    let outside: Vec<_> = p
        .checks
        .iter()
        .filter(|c| {
            c.verdict
                .value()
                .is_some_and(|v| v.status != tvaers_analysis::plausibility::Status::Ok)
        })
        .collect();
    eprintln!(
        "{}",
        tn(
            Key::cli_plausibility,
            &[&num(shown - outside.len()), &num(outside.len())]
        )
    );
    for c in outside {
        let d = tvaers_analysis::publish::describe_check(lang, c);
        eprintln!(
            "{}",
            tn(
                Key::cli_plausibility_outside,
                &[&d.name, &d.value, &d.status, &d.range, &d.hint]
            )
        );
    }
}

/// Warnings about data that parsed but looks wrong (counts only, never a person).
fn warn_data_quality(outcome: &tvaers_pipeline::Outcome) {
    let q = &outcome.analysis.data_quality;
    if q.implausible_families > 0 {
        eprintln!(
            "{}",
            tn(
                Key::cli_warn_large_families,
                &[
                    &num(q.implausible_families),
                    &num(tvaers_analysis::MAX_PLAUSIBLE_FAMILY)
                ]
            )
        );
    }
    if q.postings_far_outside + q.spells_far_outside > 0 {
        let lang = cli_lang();
        eprintln!(
            "{}",
            tn(
                Key::cli_warn_far_outside,
                &[
                    &num(q.postings_far_outside),
                    &num(q.spells_far_outside),
                    &messages::date(lang, outcome.period.from()),
                    &messages::date(lang, outcome.period.to()),
                ]
            )
        );
    }
}

pub fn demo(out: &Path, citizens: u32, seed: u64, lang: Lang) -> Result<ExitCode> {
    let exports = out.join("eksporter");
    let report = out.join("rapport");
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    generate(citizens, seed, None, None, &exports)?;
    let code = analyse(&AnalyseOptions {
        input: &exports,
        out: &report,
        from: None,
        to: None,
        lang,
        profile: None,
        key_file: None,
        rules: None,
        dataset_out: None,
        settings: tvaers_analysis::Settings::default(),
    })?;
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
/// What `tvaers economics` was asked to do.
pub struct EconomicsOptions<'a> {
    pub scenario: &'a Path,
    pub out: &'a Path,
    /// A dataset written by `tvaers import`, for the target group's baseline.
    pub input: Option<&'a Path>,
    pub year: Option<i32>,
    pub rules: Option<&'a Path>,
    pub lang: Lang,
    /// The redesign's start: adds the quarterly follow-up.
    pub start: Option<NaiveDate>,
}

pub fn economics(opts: &EconomicsOptions<'_>) -> Result<ExitCode> {
    let text = std::fs::read_to_string(opts.scenario)
        .with_context(|| format!("cannot read {}", opts.scenario.display()))?;
    let scenario =
        match tvaers_economics::Scenario::parse(&text, &opts.scenario.display().to_string()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return Ok(ExitCode::from(1));
            }
        };
    let rules = match opts.rules {
        Some(f) => match load_rules(f)? {
            Ok(r) => r,
            Err(code) => return Ok(code),
        },
        None => tvaers_rules::RuleSet::standard(),
    };
    if opts.input.is_some() && scenario.target_group.is_none() {
        eprintln!("{}", msg(Key::cli_economics_no_group));
    }
    if let Some(start) = opts.start {
        return economics_follow_up(opts, &scenario, &rules, start);
    }
    let job = tvaers_pipeline::EconomicsJob {
        scenario: &scenario,
        source: opts.input.map(tvaers_pipeline::Source::Dataset),
        year: opts.year,
        rules: &rules,
        lang: opts.lang,
        out: opts.out,
        settings: tvaers_analysis::Settings::default(),
    };
    match tvaers_pipeline::economics(&job, &mut Spinners::new(cli_lang())) {
        Ok(files) => {
            println!("{}", tn(Key::cli_report_at, &[&files.html.display()]));
            Ok(ExitCode::SUCCESS)
        }
        Err(tvaers_pipeline::PipelineError::UnknownTargetGroup(group)) => {
            eprintln!("{}", tn(Key::cli_economics_unknown_group, &[&group]));
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// `tvaers economics --start`: the report of `tvaers_pipeline::economics` with the quarterly
/// follow-up added. The baseline year defaults to the calendar year before the start.
fn economics_follow_up(
    opts: &EconomicsOptions<'_>,
    scenario: &tvaers_economics::Scenario,
    rules: &tvaers_rules::RuleSet,
    start: NaiveDate,
) -> Result<ExitCode> {
    use chrono::Datelike;
    use tvaers_economics::{
        FollowUpError, baseline, follow_up, followup, network, potential, publish, separate_unit,
    };
    let (Some(input), Some(group)) = (opts.input, &scenario.target_group) else {
        eprintln!("{}", msg(Key::cli_economics_start_needs_group));
        return Ok(ExitCode::from(2));
    };
    let cohort_period = match followup::baseline_period(start) {
        Ok(p) => p,
        Err(_) => {
            eprintln!("{}", tn(Key::cli_followup_not_quarter, &[&start]));
            return Ok(ExitCode::from(2));
        }
    };
    if opts.out.starts_with(input) || input.starts_with(opts.out) {
        anyhow::bail!(
            "{} / {}: the report folder and the input folder must lie apart",
            opts.out.display(),
            input.display()
        );
    }
    let settings = tvaers_analysis::Settings::default();
    let mut progress = Spinners::new(cli_lang());
    let register = tvaers_pipeline::load(&tvaers_pipeline::Source::Dataset(input), &mut progress)?;
    let p = potential(scenario)?;
    let net = network(scenario, &p)?;
    let unit = separate_unit(scenario, &p)?;
    let year = opts.year.unwrap_or(start.year() - 1);
    let period = tvaers_core::Period::year(year);
    let (base, f) = stage(&msg(Key::cli_followup_computing), || {
        let alloc = tvaers_analysis::allocate_with(&register, period, settings.missing_prices)?;
        let Some(members) = baseline::members_of(&register, rules, group, period) else {
            return Ok(None);
        };
        let base = baseline::baseline(&register, &alloc, group, year, &members, settings.dominance);
        let cohort =
            baseline::members_of(&register, rules, group, cohort_period).expect("the group exists");
        let f = follow_up(
            &register,
            group,
            &cohort,
            &p,
            start,
            settings.missing_prices,
            settings.dominance,
        );
        anyhow::Ok(Some((base, f)))
    })?
    .map_or((None, None), |(b, f)| (Some(b), Some(f)));
    let Some(base) = base else {
        eprintln!("{}", tn(Key::cli_economics_unknown_group, &[group]));
        return Ok(ExitCode::from(1));
    };
    let f = match f.expect("with the baseline") {
        Ok((f, _)) => f,
        Err(FollowUpError::NoBaselineYear { from, to }) => {
            eprintln!("{}", tn(Key::cli_followup_no_baseline_year, &[&from, &to]));
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let mut doc = publish::publish(
        &publish::Report {
            scenario,
            potential: &p,
            network: &net,
            unit: &unit,
            baseline: Some(&base),
        },
        opts.lang,
    );
    publish::add_follow_up(&mut doc, &f, opts.lang);
    let staged = StagedDir::begin(opts.out)
        .with_context(|| format!("cannot write {}", opts.out.display()))?;
    let files = tvaers_report::write(&doc, staged.path())?;
    let written_in = staged.path().to_path_buf();
    staged.commit()?;
    let html = opts
        .out
        .join(files.html.strip_prefix(&written_in).unwrap_or(&files.html));
    println!("{}", tn(Key::cli_report_at, &[&html.display()]));
    Ok(ExitCode::SUCCESS)
}

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
        tn(
            Key::cli_rules_ok,
            &[&file.display(), &num(rules.rules().len())]
        )
    );
    for rule in rules.rules() {
        println!("  {:<40} {}", rule.id, rule.name_da);
    }
    Ok(ExitCode::SUCCESS)
}
