//! `tvaers`: the command line. The only crate that reads argv, the environment and config files,
//! and the only one that prints progress; everything it does is a call into the library crates.

mod bench;
mod casework;
mod commands;
mod progress;
mod serve;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tvaers_messages::{Key, Lang, t, t1};

// The help texts of the commands and their arguments are not doc comments here but entries of
// the message catalogue (`help_*` in crates/messages/messages.toml), set by `command()` in the
// user's language; see `HELP`.

#[derive(Parser)]
#[command(name = "tvaers", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Da,
    En,
}

/// `--missing-prices`: what a year without a unit price of its own does.
#[derive(Clone, Copy, ValueEnum)]
enum MissingPricesArg {
    Error,
    PreviousYear,
}

impl From<MissingPricesArg> for tvaers_analysis::MissingPrices {
    fn from(a: MissingPricesArg) -> Self {
        match a {
            MissingPricesArg::Error => tvaers_analysis::MissingPrices::Refuse,
            MissingPricesArg::PreviousYear => tvaers_analysis::MissingPrices::PreviousYear,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    Generate {
        #[arg(long, default_value_t = 42_000)]
        citizens: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        first_year: Option<i32>,
        #[arg(long, value_parser = parse_years)]
        years: Option<commands::Years>,
    },
    Import {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        profile: Option<PathBuf>,
        #[arg(long, env = "TVAERS_KEY_FILE", default_value = "tvaers-pseudonym.key")]
        key_file: PathBuf,
    },
    Analyse {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_parser = commands::parse_cli_date)]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = commands::parse_cli_date)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        profile: Option<PathBuf>,
        #[arg(long, env = "TVAERS_KEY_FILE")]
        key_file: Option<PathBuf>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        dataset_out: Option<PathBuf>,
        #[arg(long, default_value_t = tvaers_analysis::disclosure::DOMINANCE_PERCENT,
              value_name = "PCT", value_parser = clap::value_parser!(u8).range(1..=100))]
        dominance: u8,
        #[arg(long, value_enum, value_name = "RULE", default_value = "error")]
        missing_prices: MissingPricesArg,
    },
    Economics {
        #[arg(long)]
        scenario: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        input: Option<PathBuf>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        start: Option<NaiveDate>,
    },
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
    CheckRules {
        file: PathBuf,
    },
    Bench {
        #[arg(long, default_value_t = 650_000)]
        citizens: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        work: Option<PathBuf>,
        #[arg(long, default_value = "python3")]
        python: String,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    Load {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        profile: Option<PathBuf>,
        #[arg(long, env = "TVAERS_DATABASE_URL", default_value = tvaers_store::DEFAULT_DATABASE_URL)]
        database_url: String,
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    Serve {
        #[arg(long, env = "TVAERS_DATABASE_URL", default_value = tvaers_store::DEFAULT_DATABASE_URL)]
        database_url: String,
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: std::net::SocketAddr,
        #[arg(long, value_name = "BOOL")]
        secure_cookies: Option<bool>,
        #[arg(long)]
        demo: bool,
        #[arg(long, default_value_t = 2_000)]
        citizens: u32,
    },
}

#[derive(Subcommand)]
enum ProfileCommand {
    Suggest {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long, env = "TVAERS_DATABASE_URL", default_value = tvaers_store::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    Verify {
        #[arg(long, env = "TVAERS_DATABASE_URL", default_value = tvaers_store::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

/// A subcommand's name, its description and the help of each argument (by argument id).
type CommandHelp = (&'static str, Key, &'static [(&'static str, Key)]);

/// Each subcommand (in declaration order) with its description and the help of each argument.
/// An argument left out here has an empty help line, which the CLI tests catch.
#[rustfmt::skip]
const HELP: &[CommandHelp] = &[
    ("generate", Key::help_generate, &[
        ("citizens", Key::help_arg_citizens),
        ("seed", Key::help_arg_seed),
        ("out", Key::help_generate_out),
        ("first_year", Key::help_generate_first_year),
        ("years", Key::help_generate_years),
    ]),
    ("import", Key::help_import, &[
        ("input", Key::help_import_input),
        ("out", Key::help_import_out),
        ("profile", Key::help_import_profile),
        ("key_file", Key::help_import_key_file),
    ]),
    ("analyse", Key::help_analyse, &[
        ("input", Key::help_analyse_input),
        ("out", Key::help_analyse_out),
        ("from", Key::help_analyse_from),
        ("to", Key::help_analyse_to),
        ("lang", Key::help_arg_lang),
        ("profile", Key::help_analyse_profile),
        ("key_file", Key::help_analyse_key_file),
        ("rules", Key::help_analyse_rules),
        ("dataset_out", Key::help_analyse_dataset_out),
        ("dominance", Key::help_analyse_dominance),
        ("missing_prices", Key::help_analyse_missing_prices),
    ]),
    ("economics", Key::help_economics, &[
        ("scenario", Key::help_economics_scenario),
        ("out", Key::help_economics_out),
        ("input", Key::help_economics_input),
        ("year", Key::help_economics_year),
        ("rules", Key::help_economics_rules),
        ("lang", Key::help_arg_lang),
        ("start", Key::help_economics_start),
    ]),
    ("demo", Key::help_demo, &[
        ("out", Key::help_demo_out),
        ("citizens", Key::help_arg_citizens),
        ("seed", Key::help_arg_seed),
        ("lang", Key::help_arg_lang),
    ]),
    ("check-rules", Key::help_check_rules, &[
        ("file", Key::help_check_rules_file),
    ]),
    ("bench", Key::help_bench, &[
        ("citizens", Key::help_arg_citizens),
        ("seed", Key::help_arg_seed),
        ("work", Key::help_bench_work),
        ("python", Key::help_bench_python),
        ("runs", Key::help_bench_runs),
    ]),
    ("load", Key::help_load, &[
        ("input", Key::help_import_input),
        ("profile", Key::help_import_profile),
        ("database_url", Key::help_arg_database_url),
        ("as_of", Key::help_load_as_of),
    ]),
    ("profile", Key::help_profile, &[]),
    ("user", Key::help_user, &[]),
    ("audit", Key::help_audit, &[]),
    ("serve", Key::help_serve, &[
        ("database_url", Key::help_arg_database_url),
        ("listen", Key::help_serve_listen),
        ("secure_cookies", Key::help_serve_secure_cookies),
        ("demo", Key::help_serve_demo),
        ("citizens", Key::help_serve_citizens),
    ]),
];

/// The subcommands of the command groups (`tvaers user add`, `tvaers audit verify`).
#[rustfmt::skip]
const NESTED_HELP: &[(&str, CommandHelp)] = &[
    ("profile", ("suggest", Key::help_profile_suggest, &[
        ("input", Key::help_profile_suggest_input),
        ("out", Key::help_profile_suggest_out),
    ])),
    ("user", ("add", Key::help_user_add, &[
        ("username", Key::help_user_add_username),
        ("role", Key::help_user_add_role),
        ("department", Key::help_user_add_department),
        ("display_name", Key::help_user_add_display_name),
        ("database_url", Key::help_arg_database_url),
    ])),
    ("audit", ("verify", Key::help_audit_verify, &[
        ("database_url", Key::help_arg_database_url),
    ])),
];

/// The parser of [`Cli`] with every description, help line and heading in `lang`.
fn command(lang: Lang) -> clap::Command {
    let text = |key| t(lang, key);
    let mut cmd = Cli::command()
        .about(text(Key::help_about))
        .subcommand_help_heading(text(Key::help_heading_commands))
        .subcommand_value_name(text(Key::help_command_value))
        .disable_version_flag(true);
    let describe = |mut sub: clap::Command, about: Key, args: &[(&str, Key)]| {
        sub = sub.about(text(about));
        for &(arg, key) in args {
            sub = sub.mut_arg(arg, |a| a.help(text(key)));
        }
        frame(sub, lang)
    };
    for &(name, about, args) in HELP {
        cmd = cmd.mut_subcommand(name, |mut sub| {
            for &(parent, (child, child_about, child_args)) in NESTED_HELP {
                if parent == name {
                    sub = sub
                        .disable_help_subcommand(true)
                        .subcommand_help_heading(text(Key::help_heading_commands))
                        .subcommand_value_name(text(Key::help_command_value))
                        .mut_subcommand(child, |c| describe(c, child_about, child_args));
                }
            }
            describe(sub, about, args)
        });
    }
    let mut cmd = frame(cmd, lang).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(text(Key::help_arg_version))
            .help_heading(text(Key::help_heading_options)),
    );
    // Building adds the `help` subcommand, whose description can only be set afterwards; it is
    // the last subcommand, so moving it to the end changes nothing else.
    cmd.build();
    cmd.mut_subcommand("help", |h| h.about(text(Key::help_help)))
}

/// The `--help` flag, the usage line, the argument headings and the notes on default, possible
/// and environment values (clap writes those in English) of one command in `lang`.
fn frame(cmd: clap::Command, lang: Lang) -> clap::Command {
    let text = |key| t(lang, key);
    let notes = |mut a: Arg| {
        let mut help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() {
            help = format!(
                "{help} {}",
                t1(lang, Key::help_default, &defaults.join(", "))
            );
            a = a.hide_default_value(true);
        }
        if a.get_action().takes_values() {
            let possible: Vec<String> = a
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !possible.is_empty() {
                let list = possible.join(", ");
                help = format!("{help} {}", t1(lang, Key::help_possible_values, &list));
                a = a.hide_possible_values(true);
            }
        }
        if let Some(env) = a.get_env() {
            help = format!("{help} {}", t1(lang, Key::help_env, &env.to_string_lossy()));
            a = a.hide_env(true);
        }
        a.help(help)
    };
    cmd.disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(text(Key::help_arg_help)),
        )
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            text(Key::help_usage)
        ))
        .mut_args(|a| {
            let heading = if a.is_positional() {
                Key::help_heading_arguments
            } else {
                Key::help_heading_options
            };
            notes(a.help_heading(text(heading)))
        })
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TVAERS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let matches = command(commands::cli_lang()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tvaers: {}", error_text(&e, commands::cli_lang()));
            ExitCode::from(2)
        }
    }
}

/// `{e:#}` (each error of the chain, joined by ": "), with the library errors that can render
/// themselves in `lang`.
fn error_text(e: &anyhow::Error, lang: Lang) -> String {
    e.chain()
        .map(
            |cause| match cause.downcast_ref::<tvaers_ingest::ProfileError>() {
                Some(p) => p.render(lang),
                None => cause.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(": ")
}

/// `--years`: a range `2023-2026` or a count `4`.
fn parse_years(s: &str) -> std::result::Result<commands::Years, String> {
    let bad = || commands::tn(Key::cli_years_invalid, &[&s]);
    let s = s.trim();
    if let Some((a, b)) = s.split_once('-') {
        let a: i32 = a.trim().parse().map_err(|_| bad())?;
        let b: i32 = b.trim().parse().map_err(|_| bad())?;
        if b < a {
            return Err(bad());
        }
        Ok(commands::Years::Range(a, b))
    } else {
        let n: u32 = s.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        Ok(commands::Years::Count(n))
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
            dominance,
            missing_prices,
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
            settings: tvaers_analysis::Settings {
                dominance: tvaers_analysis::disclosure::Dominance::percent(dominance)
                    .expect("clap keeps it in 1..=100"),
                missing_prices: missing_prices.into(),
            },
        }),
        Command::Economics {
            scenario,
            out,
            input,
            year,
            rules,
            lang,
            start,
        } => commands::economics(&commands::EconomicsOptions {
            scenario: &scenario,
            out: &out,
            input: input.as_deref(),
            year,
            rules: rules.as_deref(),
            lang: lang.into(),
            start,
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
        Command::Load {
            input,
            profile,
            database_url,
            as_of,
        } => casework::load(&input, profile.as_deref(), &database_url, as_of),
        Command::Profile {
            command: ProfileCommand::Suggest { input, out },
        } => commands::profile_suggest(&input, out.as_deref()),
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    department,
                    display_name,
                    database_url,
                },
        } => casework::user_add(
            &username,
            &role,
            department.as_deref(),
            display_name.as_deref(),
            &database_url,
        ),
        Command::Audit {
            command: AuditCommand::Verify { database_url },
        } => casework::audit_verify(&database_url),
        Command::Serve {
            database_url,
            listen,
            secure_cookies,
            demo,
            citizens,
        } => serve::serve(&serve::ServeOptions {
            database_url: &database_url,
            listen,
            secure_cookies,
            demo,
            citizens,
        }),
    }
}
