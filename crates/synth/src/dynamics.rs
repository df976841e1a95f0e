//! Year-to-year dynamics of the population over several years: households moving in and out
//! and persons dying (births are already in the window: the children born in it). Each person
//! gets a residence interval; their spells are cut to it, so services stop at a move or a death
//! and start at a move in. The persons file lists everyone resident at some time in the window,
//! as a register extract for the period does.

use crate::Dynamics;
use crate::population::Population;
use crate::segments::SpellRec;
use chrono::{Datelike, NaiveDate};
use fastrand::Rng;

/// A person's days of residence in the municipality, first and last inclusive (`from` is the
/// birth for those resident before the window; `to` is `i32::MAX` for those still resident at
/// the extract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Residence {
    pub from: i32,
    pub to: i32,
}

/// What the dynamics did, for the calibration note and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DynamicsSummary {
    pub households_moved_in: u64,
    pub households_moved_out: u64,
    pub deaths: u64,
    /// Persons born inside the window.
    pub births: u64,
}

fn day(y: i32, m: u32, d: u32) -> i32 {
    NaiveDate::from_ymd_opt(y, m, d)
        .expect("valid date")
        .num_days_from_ce()
}

/// Yearly probability of dying at `age` (whole years), per 100,000: roughly the Danish
/// mortality table (Statistics Denmark, DOD/FOD), about 0.9 % of the population a year.
fn mortality_per_100k(age: i32) -> u32 {
    match age {
        0 => 300,
        1..=39 => 40,
        40..=54 => 200,
        55..=64 => 600,
        65..=74 => 1_500,
        75..=84 => 4_500,
        85..=94 => 13_000,
        _ => 30_000,
    }
}

/// Draws every person's residence in `first_year ..= last_year`.
pub(crate) fn residences(
    pop: &Population,
    first_year: i32,
    last_year: i32,
    d: &Dynamics,
    rng: &mut Rng,
) -> (Vec<Residence>, DynamicsSummary) {
    let w0 = day(first_year, 1, 1);
    let mut out = vec![
        Residence {
            from: i32::MIN,
            to: i32::MAX
        };
        pop.persons.len()
    ];
    let mut sum = DynamicsSummary::default();
    let move_p = f64::from(d.moves_per_mille) / 1000.0;
    let random_day = |rng: &mut Rng, y: i32, after: i32| {
        let lo = day(y, 1, 1).max(after);
        let hi = day(y, 12, 31);
        if lo > hi {
            None
        } else {
            Some(rng.i32(lo..=hi))
        }
    };
    for hh in &pop.households {
        // Moved in during a year of the window (the first one included: part of that year);
        // otherwise resident since before it (since birth, for the spells).
        let mut from = i32::MIN;
        for y in first_year..=last_year {
            if rng.f64() < move_p {
                from = random_day(rng, y, w0).expect("a whole year");
                sum.households_moved_in += 1;
                break;
            }
        }
        let latest_birth = hh
            .members()
            .map(|p| pop.persons[p as usize].birth.num_days_from_ce())
            .max()
            .unwrap_or(w0);
        let mut to = i32::MAX;
        for y in NaiveDate::from_num_days_from_ce_opt(from.max(w0))
            .expect("valid day")
            .year()..=last_year
        {
            if rng.f64() < move_p {
                // Not before the household's youngest is born: they were born here.
                if let Some(t) = random_day(rng, y, from.max(latest_birth) + 1) {
                    to = t;
                    sum.households_moved_out += 1;
                }
                break;
            }
        }
        for p in hh.members() {
            let birth = pop.persons[p as usize].birth;
            let b = birth.num_days_from_ce();
            if b >= w0 {
                sum.births += 1;
            }
            let mut r = Residence {
                from: from.max(b),
                to,
            };
            let first = NaiveDate::from_num_days_from_ce_opt(r.from.max(w0))
                .expect("valid day")
                .year();
            for y in first..=last_year {
                if r.to < day(y, 1, 1) {
                    break;
                }
                let age = y - birth.year();
                if rng.u32(0..100_000) < mortality_per_100k(age) {
                    if let Some(t) = random_day(rng, y, r.from.max(w0))
                        && t < r.to
                    {
                        r.to = t;
                        sum.deaths += 1;
                    }
                    break;
                }
            }
            out[p as usize] = r;
        }
    }
    (out, sum)
}

/// Cuts each spell to its person's residence; drops what is left empty. Keeps the order by
/// person, start and service.
pub(crate) fn apply(spells: &mut Vec<SpellRec>, res: &[Residence]) {
    spells.retain_mut(|s| {
        let r = res[s.person as usize];
        s.start = s.start.max(r.from);
        s.end = s.end.min(r.to);
        s.start <= s.end
    });
    spells.sort_by_key(|s| (s.person, s.start, s.service));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{population, segments};

    fn setup(citizens: u32) -> (Population, Vec<Residence>, DynamicsSummary) {
        let mut rng = Rng::with_seed(11);
        let pop = population::build(citizens, 2026, &mut rng).unwrap();
        let (res, sum) = residences(&pop, 2023, 2026, &Dynamics::default(), &mut rng);
        (pop, res, sum)
    }

    #[test]
    fn moves_and_deaths_come_at_danish_rates() {
        let (pop, res, sum) = setup(20_000);
        let households = pop.households.len() as f64;
        // 3.5 % a year over four years: 1 − 0.965⁴ ≈ 13.3 % of households move in (and out).
        let moved_in = sum.households_moved_in as f64 / households;
        assert!((0.11..0.16).contains(&moved_in), "moved in {moved_in}");
        let moved_out = sum.households_moved_out as f64 / households;
        assert!((0.10..0.16).contains(&moved_out), "moved out {moved_out}");
        // About 0.9 % die a year.
        let deaths = sum.deaths as f64 / pop.persons.len() as f64 / 4.0;
        assert!((0.005..0.015).contains(&deaths), "deaths a year {deaths}");
        assert!(sum.births > 0);
        let w0 = day(2023, 1, 1);
        let w1 = day(2026, 12, 31);
        for (p, r) in res.iter().enumerate() {
            let birth = pop.persons[p].birth.num_days_from_ce();
            assert!(r.from >= birth && r.from <= w1);
            assert!(
                r.from == birth || r.from >= w0,
                "moved in inside the window"
            );
            assert!(r.to >= r.from, "person {p}: {r:?}");
            assert!(r.to == i32::MAX || r.to <= w1);
        }
    }

    #[test]
    fn spells_are_cut_to_the_residence() {
        let (pop, res, _) = setup(5_000);
        let mut rng = Rng::with_seed(5);
        let mut spells = segments::generate(&pop, 2023, 2026, true, &mut rng);
        let before = spells.len();
        apply(&mut spells, &res);
        assert!(
            spells.len() < before,
            "some spells fall outside a residence"
        );
        for s in &spells {
            let r = res[s.person as usize];
            assert!(s.start >= r.from && s.end <= r.to && s.start <= s.end);
        }
        for w in spells.windows(2) {
            assert!((w[0].person, w[0].start) <= (w[1].person, w[1].start));
        }
    }

    #[test]
    fn episodes_recur_so_every_year_has_about_the_same_activity() {
        let (pop, res, _) = setup(10_000);
        let mut rng = Rng::with_seed(5);
        let mut spells = segments::generate(&pop, 2023, 2026, true, &mut rng);
        apply(&mut spells, &res);
        let active = |y: i32| {
            let d = day(y, 7, 1);
            spells.iter().filter(|s| s.start <= d && d <= s.end).count() as f64
        };
        let years: Vec<f64> = (2023..=2026).map(active).collect();
        let max = years.iter().cloned().fold(f64::MIN, f64::max);
        let min = years.iter().cloned().fold(f64::MAX, f64::min);
        assert!(
            min > 0.8 * max,
            "spells active on 1 July by year: {years:?}"
        );
        // Spells that start, end and continue across the years.
        let new_in_2025 = spells
            .iter()
            .filter(|s| (day(2025, 1, 1)..=day(2025, 12, 31)).contains(&s.start))
            .count();
        let ended_in_2024 = spells
            .iter()
            .filter(|s| (day(2024, 1, 1)..=day(2024, 12, 31)).contains(&s.end))
            .count();
        let across = spells
            .iter()
            .filter(|s| s.start < day(2023, 1, 1) && s.end > day(2026, 12, 31))
            .count();
        assert!(
            new_in_2025 > 100 && ended_in_2024 > 100 && across > 100,
            "{new_in_2025} {ended_in_2024} {across}"
        );
    }
}
