//! The statistics face in one call: exports (or an imported dataset) → pseudonymised register →
//! cost allocation → metrics → summary with target groups, overlaps and combinations → the
//! published document → files, written all-or-nothing.
//!
//! `tvaers analyse`, `tvaers demo` and `tvaers bench` all run [`analyse`]; they differ only in
//! how they show [`Progress`] (a spinner, nothing, or a stopwatch per stage). Whatever later
//! publishes an analysis (the server, the economics face) calls it too, so there is one order
//! of stages and one place to change it.
//!
//! This crate reads no environment and prints nothing: the caller decides language, key and
//! where the output goes.

#![forbid(unsafe_code)]

use std::path::Path;
use tvaers_analysis::{Allocation, Analysis, DatasetExport};
use tvaers_core::{NaiveDate, Period, Pseudonymised, Register};
use tvaers_ingest::dataset::{self, DatasetError};
use tvaers_ingest::{ImportErrors, Profile, PseudonymKey, StagedDir, StagedError, check_apart};
use tvaers_messages::{Key, Lang};
use tvaers_report::{ReportError, ReportFiles};
use tvaers_rules::RuleSet;

/// One step of the pipeline, as reported to [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Read and validate raw exports (all-or-nothing).
    ReadExports,
    /// Read an imported, already pseudonymised dataset.
    ReadDataset,
    Pseudonymise,
    Allocate,
    Metrics,
    /// Concentration, complexity, coverage, target groups, overlaps and combinations, through
    /// disclosure control.
    Summarise,
    /// Build the published document and write HTML, CSV, xlsx and JSON.
    WriteReport,
    /// Write the pseudonymised dataset (Parquet) for other SQL engines.
    WriteDataset,
}

impl Stage {
    /// The stage's label in the message catalogue.
    pub fn message(self) -> Key {
        match self {
            Stage::ReadExports => Key::cli_reading_exports,
            Stage::ReadDataset => Key::cli_reading_dataset,
            Stage::Pseudonymise => Key::cli_pseudonymising,
            Stage::Allocate => Key::cli_allocating,
            Stage::Metrics => Key::cli_metrics,
            Stage::Summarise => Key::cli_summarising,
            Stage::WriteReport => Key::cli_writing_report,
            Stage::WriteDataset => Key::cli_writing_parquet,
        }
    }
}

/// Told when each stage begins and ends (in that order, never nested).
pub trait Progress {
    fn begin(&mut self, stage: Stage);
    fn end(&mut self, stage: Stage);
}

/// Progress that shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn begin(&mut self, _: Stage) {}
    fn end(&mut self, _: Stage) {}
}

fn step<T>(progress: &mut dyn Progress, stage: Stage, f: impl FnOnce() -> T) -> T {
    progress.begin(stage);
    let out = f();
    progress.end(stage);
    out
}

/// Where the register comes from.
pub enum Source<'a> {
    /// A directory of raw exports, read through `profile` and pseudonymised with `key`.
    Exports {
        dir: &'a Path,
        profile: &'a Profile,
        key: &'a PseudonymKey,
    },
    /// A dataset written by `tvaers import`.
    Dataset(&'a Path),
}

impl Source<'_> {
    /// The input directory.
    pub fn dir(&self) -> &Path {
        match self {
            Source::Exports { dir, .. } => dir,
            Source::Dataset(dir) => dir,
        }
    }
}

/// Everything [`analyse`] needs.
pub struct Job<'a> {
    pub source: Source<'a>,
    /// First and last day of the period; each defaults to the last full calendar year in the data.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub rules: &'a RuleSet,
    pub lang: Lang,
    /// The report folder, replaced all-or-nothing.
    pub out: &'a Path,
    /// Also write the pseudonymised dataset (microdata) into this folder, which must lie apart
    /// from `out`: whoever shares the report must not share the dataset with it.
    pub dataset_out: Option<&'a Path>,
    /// The choices a user may make about the analysis (dominance rule, …).
    pub settings: tvaers_analysis::Settings,
}

/// What one run produced.
pub struct Outcome {
    pub register: Register<Pseudonymised>,
    pub period: Period,
    /// Each person's allocated cost (kept for callers that go on, e.g. to discovery).
    pub allocation: Allocation,
    pub analysis: Analysis,
    pub files: ReportFiles,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The exports did not validate; nothing was written.
    #[error("{0}")]
    Import(ImportErrors),
    #[error("cannot read the dataset: {0}")]
    Dataset(#[from] DatasetError),
    #[error("--from/--to: {0}")]
    Period(String),
    #[error(transparent)]
    Output(#[from] StagedError),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A posting, price or spell beyond the documented limits, or sums beyond exact arithmetic.
    #[error("cannot analyse: {0}")]
    Analysis(#[from] tvaers_analysis::AnalysisError),
    /// The scenario's sums leave exact arithmetic.
    #[error(transparent)]
    Economics(#[from] tvaers_economics::TooLarge),
    /// The scenario's target group is not a rule of the rules file.
    #[error("the target group \"{0}\" is not in the rules file")]
    UnknownTargetGroup(String),
}

/// The pseudonymised register of `source`.
pub fn load(
    source: &Source<'_>,
    progress: &mut dyn Progress,
) -> Result<Register<Pseudonymised>, PipelineError> {
    match source {
        Source::Dataset(dir) => Ok(step(progress, Stage::ReadDataset, || dataset::read(dir))?),
        Source::Exports { dir, profile, key } => {
            let identified = step(progress, Stage::ReadExports, || {
                tvaers_ingest::read_exports(dir, profile)
            })
            .map_err(PipelineError::Import)?;
            Ok(step(progress, Stage::Pseudonymise, || {
                tvaers_ingest::pseudonymise(identified, key)
            }))
        }
    }
}

/// The period of the analysis: the given days, each defaulting to the last full calendar year
/// in the data.
pub fn period(
    reg: &Register<Pseudonymised>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Period, PipelineError> {
    let default = tvaers_analysis::default_period(reg);
    Period::new(from.unwrap_or(default.from()), to.unwrap_or(default.to()))
        .map_err(|e| PipelineError::Period(e.to_string()))
}

/// Allocation, metrics and the published summary of `reg` over `period`.
pub fn summarise(
    reg: &Register<Pseudonymised>,
    period: Period,
    rules: &RuleSet,
    settings: &tvaers_analysis::Settings,
    progress: &mut dyn Progress,
) -> Result<(Allocation, Analysis), PipelineError> {
    let alloc = step(progress, Stage::Allocate, || {
        tvaers_analysis::allocate_with(reg, period, settings.missing_prices)
    })?;
    let metrics = step(progress, Stage::Metrics, || {
        tvaers_analysis::compute_metrics(reg, &alloc, period)
    });
    let analysis = step(progress, Stage::Summarise, || {
        tvaers_analysis::summarise_with_rules(reg, &alloc, &metrics, rules, settings.dominance)
    });
    Ok((alloc, analysis))
}

/// The whole pipeline: load, summarise, publish and write `job.out` all-or-nothing.
pub fn analyse(job: &Job<'_>, progress: &mut dyn Progress) -> Result<Outcome, PipelineError> {
    // Before anything is read or written: no output may replace or bury an input or the other
    // output.
    check_apart(job.out, "the input folder", job.source.dir())?;
    if let Some(dir) = job.dataset_out {
        check_apart(dir, "the input folder", job.source.dir())?;
        check_apart(dir, "the report folder", job.out)?;
    }
    let register = load(&job.source, progress)?;
    let period = period(&register, job.from, job.to)?;
    let (allocation, analysis) = summarise(&register, period, job.rules, &job.settings, progress)?;
    if let Some(dir) = job.dataset_out {
        let staged = StagedDir::begin(dir)?;
        step(progress, Stage::WriteDataset, || {
            let manifest = dataset::Manifest::new(&register, "analyse", "-", "-");
            dataset::write(&register, staged.path(), &manifest)
        })?;
        staged.commit()?;
    }
    let export = match job.dataset_out {
        Some(_) => DatasetExport::Written,
        None => DatasetExport::NotWritten,
    };
    let staged = StagedDir::begin(job.out)?;
    let files = step(progress, Stage::WriteReport, || {
        // The footer and summary.json name the input by its fingerprint, the tool's version
        // and the day of the run, so that two reports can be told apart.
        let dir = job.source.dir();
        let fingerprint =
            tvaers_report::input_fingerprint(dir).map_err(|source| ReportError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        let provenance =
            tvaers_analysis::Provenance::new(fingerprint, chrono::Local::now().date_naive());
        tvaers_report::write(
            &tvaers_analysis::publish_full(&analysis, job.lang, export, Some(&provenance)),
            staged.path(),
        )
    })?;
    let written_in = staged.path().to_path_buf();
    staged.commit()?;
    // The files now live in `out`, not in the staging folder they were written to.
    let moved = |p: &Path| job.out.join(p.strip_prefix(&written_in).unwrap_or(p));
    let files = ReportFiles {
        html: moved(&files.html),
        summary: moved(&files.summary),
        xlsx: moved(&files.xlsx),
        csv: files.csv.iter().map(|p| moved(p)).collect(),
    };
    Ok(Outcome {
        register,
        period,
        allocation,
        analysis,
        files,
    })
}

/// One run of the economics face (`tvaers economics`).
pub struct EconomicsJob<'a> {
    pub scenario: &'a tvaers_economics::Scenario,
    /// The register for the baseline of the scenario's target group; none: no baseline.
    pub source: Option<Source<'a>>,
    /// The baseline's year; defaults to the last full calendar year in the data.
    pub year: Option<i32>,
    pub rules: &'a RuleSet,
    pub lang: Lang,
    /// The report folder, replaced all-or-nothing.
    pub out: &'a Path,
    pub settings: tvaers_analysis::Settings,
}

/// The economics face end to end: the scenario's potential and budget models, the target
/// group's baseline when a register and a target group are given, the report written to
/// `job.out` all-or-nothing.
pub fn economics(
    job: &EconomicsJob<'_>,
    progress: &mut dyn Progress,
) -> Result<ReportFiles, PipelineError> {
    use chrono::Datelike;
    use tvaers_economics::{baseline, network, potential, publish, separate_unit};
    if let Some(source) = &job.source {
        check_apart(job.out, "the input folder", source.dir())?;
    }
    let s = job.scenario;
    let p = potential(s)?;
    let net = network(s, &p)?;
    let unit = separate_unit(s, &p)?;
    let base = match (&job.source, &s.target_group) {
        (Some(source), Some(group)) => {
            let register = load(source, progress)?;
            let year = job
                .year
                .unwrap_or_else(|| tvaers_analysis::default_period(&register).to().year());
            let period = Period::year(year);
            let alloc = step(progress, Stage::Allocate, || {
                tvaers_analysis::allocate_with(&register, period, job.settings.missing_prices)
            })?;
            let members = step(progress, Stage::Summarise, || {
                baseline::members_of(&register, job.rules, group, period)
            })
            .ok_or_else(|| PipelineError::UnknownTargetGroup(group.clone()))?;
            Some(baseline::baseline(
                &register,
                &alloc,
                group,
                year,
                &members,
                job.settings.dominance,
            ))
        }
        _ => None,
    };
    let doc = publish::publish(
        &publish::Report {
            scenario: s,
            potential: &p,
            network: &net,
            unit: &unit,
            baseline: base.as_ref(),
        },
        job.lang,
    );
    let staged = StagedDir::begin(job.out)?;
    let files = step(progress, Stage::WriteReport, || {
        tvaers_report::write(&doc, staged.path())
    })?;
    let written_in = staged.path().to_path_buf();
    staged.commit()?;
    let moved = |p: &Path| job.out.join(p.strip_prefix(&written_in).unwrap_or(p));
    Ok(ReportFiles {
        html: moved(&files.html),
        summary: moved(&files.summary),
        xlsx: moved(&files.xlsx),
        csv: files.csv.iter().map(|p| moved(p)).collect(),
    })
}
