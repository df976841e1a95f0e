//! `tvaers`: the command line. The only crate that reads argv, the environment and config files,
//! and the only one that prints progress; everything it does is a call into the library crates.

mod bench;
mod commands;
mod progress;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tvaers",
    version,
    about = "Tværs — the cross-sector overview of a municipality's help to its most vulnerable citizens"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Da,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a synthetic municipality's exports (deterministic for a seed).
    Generate {
        #[arg(long, default_value_t = 42_000)]
        citizens: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// First calendar year of activity data.
        #[arg(long, default_value_t = 2024)]
        first_year: i32,
        /// Number of calendar years of data.
        #[arg(long, default_value_t = 2)]
        years: u32,
    },
    /// Validate exports and write the pseudonymised analysis dataset (all or nothing).
    Import {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Mapping profile (TOML); the default profile when left out.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// The secret pseudonymisation key, kept outside the dataset; created if missing.
        #[arg(long, env = "TVAERS_KEY_FILE", default_value = "tvaers-pseudonym.key")]
        key_file: PathBuf,
    },
    /// Analyse exports or an imported dataset and write the report.
    Analyse {
        /// A directory of raw exports or of an imported dataset.
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// First day of the period (default: the last full calendar year in the data).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day of the period.
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        /// Mapping profile for raw exports.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// Key for pseudonymising raw exports; without it a fresh key is used for this run only.
        #[arg(long, env = "TVAERS_KEY_FILE")]
        key_file: Option<PathBuf>,
        /// Rules file with target groups and overlap/conflict rules (default: the standard rules).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also write the pseudonymised dataset (microdata, not for sharing) to this folder,
        /// which must lie outside the report folder.
        #[arg(long)]
        dataset_out: Option<PathBuf>,
    },
    /// Generate a 42,000-citizen municipality, analyse it and print where the report is.
    Demo {
        #[arg(long, default_value = "tvaers-demo")]
        out: PathBuf,
        #[arg(long, default_value_t = 42_000)]
        citizens: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
    },
    /// Check a rules file (target groups, overlap and conflict rules) and list its rules.
    CheckRules {
        /// The rules file (TOML); see rules/README.md.
        file: PathBuf,
    },
    /// Benchmark every stage on a generated municipality against DuckDB in the same run.
    Bench {
        #[arg(long, default_value_t = 650_000)]
        citizens: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to keep the generated exports (reused when present).
        #[arg(long)]
        work: Option<PathBuf>,
        /// Python interpreter with the DuckDB peer's packages
        /// (`python3 -m pip install -r bench/requirements.txt`).
        #[arg(long, default_value = "python3")]
        python: String,
        /// Runs of each side; the table shows medians.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TVAERS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tvaers: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Generate {
            citizens,
            seed,
            out,
            first_year,
            years,
        } => commands::generate(citizens, seed, first_year, years, &out),
        Command::Import {
            input,
            out,
            profile,
            key_file,
        } => commands::import(&input, &out, profile.as_deref(), &key_file),
        Command::Analyse {
            input,
            out,
            from,
            to,
            lang,
            profile,
            key_file,
            rules,
            dataset_out,
        } => commands::analyse(&commands::AnalyseOptions {
            input: &input,
            out: &out,
            from,
            to,
            lang: lang.into(),
            profile: profile.as_deref(),
            key_file: key_file.as_deref(),
            rules: rules.as_deref(),
            dataset_out: dataset_out.as_deref(),
        }),
        Command::Demo {
            out,
            citizens,
            seed,
            lang,
        } => commands::demo(&out, citizens, seed, lang.into()),
        Command::CheckRules { file } => commands::check_rules(&file),
        Command::Bench {
            citizens,
            seed,
            work,
            python,
            runs,
        } => bench::run(citizens, seed, work, &python, runs),
    }
}
