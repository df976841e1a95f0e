//! A synthetic municipality: the six exports of `docs/data-formats.md`, deterministic per seed.
//!
//! The population is built from households (a roughly Danish age pyramid) and archetypes —
//! segments with a typical service package and a prevalence — tuned so that the cost
//! distribution has the shape the KL report describes (docs/domain.md): the most expensive
//! 1 % of citizens use ≈ 30 % of the spending allocated to citizens, the most expensive 3 %
//! ≈ 50 %; ≈ one third of spending is booked to persons and 80–90 % can be allocated with
//! activity data × unit prices. `docs/calibration.md` gives the targets, archetypes and the
//! measured figures.
//!
//! Pipeline: `population` (households, CPR numbers) → `segments` (archetypes → spells) →
//! `finance` (postings) → `write` (the six CSV files). Each stage has its own random stream
//! forked from the seed, so a change in one stage's draws does not reshuffle the others.

#![forbid(unsafe_code)]

mod catalogue;
mod dynamics;
mod finance;
mod population;
mod segments;
mod write;

pub use catalogue::catalogue;
pub use dynamics::DynamicsSummary;

use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub citizens: u32,
    pub seed: u64,
    /// The first calendar year of activity and postings.
    pub first_year: i32,
    /// Number of calendar years; the last one is the year the calibration targets.
    pub years: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            citizens: 42_000,
            seed: 1,
            first_year: 2024,
            years: 2,
        }
    }
}

/// Year-to-year dynamics for a municipality over several years (`tvaers generate --years`):
/// households move in and out, persons die, episodes recur year by year and chronic spells
/// also begin and end inside the window. See `docs/calibration.md`, "Several years: dynamics".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dynamics {
    /// Households moving in, and (separately) moving out, per 1,000 households a year.
    pub moves_per_mille: u32,
}

impl Default for Dynamics {
    fn default() -> Dynamics {
        Dynamics {
            moves_per_mille: 35,
        }
    }
}

/// Row counts of what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    pub persons: u64,
    pub families: u64,
    pub spells: u64,
    pub postings: u64,
    pub prices: u64,
    pub services: u64,
    /// With [`generate_with`]: what the dynamics did.
    pub dynamics: Option<DynamicsSummary>,
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("invalid configuration: {0}")]
    InvalidConfig(&'static str),
    #[error("no synthetic CPR number left for birth date {birth}")]
    CprExhausted { birth: NaiveDate },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes `personer.csv`, `relationer.csv`, `ydelseskatalog.csv`, `forloeb.csv`,
/// `posteringer.csv` and `enhedspriser.csv` into `out`, which must exist (the caller stages the
/// directory). The same `Config` gives the same bytes.
///
/// ```
/// use tvaers_synth::{Config, generate};
/// let dir = tempfile::tempdir().unwrap();
/// let cfg = Config { citizens: 300, seed: 9, ..Config::default() };
/// let summary = generate(&cfg, dir.path()).unwrap();
/// assert_eq!(summary.persons, 300);
/// let persons = std::fs::read_to_string(dir.path().join("personer.csv")).unwrap();
/// assert_eq!(persons.lines().count(), 301, "a header and one line per person");
/// // Replacement numbers: the day of month is 61–91.
/// let first_cpr = persons.lines().nth(1).unwrap().split(',').next().unwrap();
/// assert!(first_cpr[..2].parse::<u32>().unwrap() > 60);
/// ```
pub fn generate(cfg: &Config, out: &Path) -> Result<GenerateSummary, SynthError> {
    run(cfg, None, out)
}

/// Like [`generate`], with year-to-year dynamics over the configured years. The same `Config`
/// and `Dynamics` give the same bytes; the output differs from [`generate`]'s.
pub fn generate_with(
    cfg: &Config,
    dynamics: Dynamics,
    out: &Path,
) -> Result<GenerateSummary, SynthError> {
    if dynamics.moves_per_mille > 500 {
        return Err(SynthError::InvalidConfig(
            "moves_per_mille must be 500 or less",
        ));
    }
    run(cfg, Some(dynamics), out)
}

fn run(
    cfg: &Config,
    dynamics: Option<Dynamics>,
    out: &Path,
) -> Result<GenerateSummary, SynthError> {
    if cfg.years == 0 || cfg.years > 50 {
        return Err(SynthError::InvalidConfig("years must be between 1 and 50"));
    }
    if !(1960..=2050).contains(&cfg.first_year) {
        return Err(SynthError::InvalidConfig(
            "first_year must be between 1960 and 2050",
        ));
    }
    let first_year = cfg.first_year;
    let last_year = cfg.first_year + cfg.years as i32 - 1;
    if last_year > 2057 {
        // CPR numbers cannot express birth years after 2057 (docs/reference.md, "CPR numbers").
        return Err(SynthError::InvalidConfig(
            "the last year must be 2057 or earlier",
        ));
    }
    let mut master = fastrand::Rng::with_seed(cfg.seed);
    let mut rng_population = master.fork();
    let mut rng_spells = master.fork();
    let mut rng_finance = master.fork();

    let pop = population::build(cfg.citizens, last_year, &mut rng_population)?;
    let mut spells = segments::generate(
        &pop,
        first_year,
        last_year,
        dynamics.is_some(),
        &mut rng_spells,
    );
    // Forked after the others, so the default's streams are the same with or without it.
    let dynamics_summary = dynamics.map(|d| {
        let mut rng_dynamics = master.fork();
        let (res, summary) =
            dynamics::residences(&pop, first_year, last_year, &d, &mut rng_dynamics);
        dynamics::apply(&mut spells, &res);
        summary
    });
    let ledger = finance::generate(&pop, &spells, first_year, last_year, &mut rng_finance);
    let window_end = finance::months(last_year, last_year)[11].last;

    let persons = write::persons(out, &pop)?;
    write::relations(out, &pop)?;
    let services = write::catalogue(out)?;
    let spell_rows = write::spells(out, &pop, &spells, window_end)?;
    let postings = write::postings(out, &pop, &ledger)?;
    let prices = write::prices(out, first_year, last_year)?;
    Ok(GenerateSummary {
        persons,
        families: pop.households.len() as u64,
        spells: spell_rows,
        postings,
        prices,
        services,
        dynamics: dynamics_summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect()
    }

    #[test]
    fn dynamics_are_deterministic_and_leave_the_default_alone() {
        let cfg = Config {
            citizens: 1_500,
            seed: 4,
            first_year: 2023,
            years: 4,
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let c = tempfile::tempdir().unwrap();
        let sa = generate_with(&cfg, Dynamics::default(), a.path()).unwrap();
        let sb = generate_with(&cfg, Dynamics::default(), b.path()).unwrap();
        let sc = generate(&cfg, c.path()).unwrap();
        assert_eq!(read_all(a.path()), read_all(b.path()));
        assert_eq!(sa, sb);
        assert!(sa.dynamics.is_some() && sc.dynamics.is_none());
        let (fa, fc) = (read_all(a.path()), read_all(c.path()));
        // Same persons and prices; other spells and postings.
        assert_eq!(fa[2], fc[2], "{}", fa[2].0);
        assert_eq!(fa[0].0, "enhedspriser.csv");
        assert_eq!(fa[0], fc[0]);
        let spells = fa.iter().find(|(n, _)| n == "forloeb.csv").unwrap();
        let spells_c = fc.iter().find(|(n, _)| n == "forloeb.csv").unwrap();
        assert_ne!(spells, spells_c);
    }
}
