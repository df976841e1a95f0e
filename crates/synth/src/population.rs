//! Households and persons: a roughly Danish age pyramid (≈ 20 % 0–17, ≈ 60 % 18–64, ≈ 20 %
//! 65+) built from household types, each person with a synthetic replacement CPR number.

use crate::SynthError;
use chrono::{Datelike, NaiveDate};
use fastrand::Rng;
use tvaers_core::{Cpr, Sex};

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub birth: NaiveDate,
    pub sex: Sex,
    pub cpr: Cpr,
    pub household: u32,
}

/// Members are the persons `first .. first + size`; the first `adults` of them are the
/// household's adults (partners when two), the rest their children.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Household {
    pub first: u32,
    pub adults: u8,
    pub size: u8,
}

impl Household {
    pub fn members(&self) -> std::ops::Range<u32> {
        self.first..self.first + self.size as u32
    }
    pub fn adults(&self) -> std::ops::Range<u32> {
        self.first..self.first + self.adults as u32
    }
    pub fn children(&self) -> std::ops::Range<u32> {
        self.first + self.adults as u32..self.first + self.size as u32
    }
    pub fn has_children(&self) -> bool {
        self.size > self.adults
    }
}

#[derive(Debug, Default)]
pub(crate) struct Population {
    pub persons: Vec<Person>,
    pub households: Vec<Household>,
}

impl Population {
    pub fn household_of(&self, p: u32) -> &Household {
        &self.households[self.persons[p as usize].household as usize]
    }
}

/// Household types and their shares of households. Tuned so that the persons come out at the
/// Danish age shares (see `docs/calibration.md`).
const HOUSEHOLD_MIX: [(Kind, f64); 6] = [
    (Kind::Single, 0.360),
    (Kind::Couple, 0.165),
    (Kind::CoupleWithChildren, 0.160),
    (Kind::SingleParent, 0.055),
    (Kind::SingleElderly, 0.145),
    (Kind::ElderlyCouple, 0.115),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Single,
    Couple,
    CoupleWithChildren,
    SingleParent,
    SingleElderly,
    ElderlyCouple,
}

struct Spec {
    age: i32,
    sex: Sex,
}

fn pick_kind(rng: &mut Rng) -> Kind {
    let mut x = rng.f64();
    for (k, w) in HOUSEHOLD_MIX {
        if x < w {
            return k;
        }
        x -= w;
    }
    Kind::Single
}

fn sex(rng: &mut Rng, female_share: f64) -> Sex {
    if rng.f64() < female_share {
        Sex::Female
    } else {
        Sex::Male
    }
}

fn other(s: Sex) -> Sex {
    match s {
        Sex::Female => Sex::Male,
        Sex::Male => Sex::Female,
    }
}

fn elderly_age(rng: &mut Rng, oldest: bool) -> i32 {
    let x = rng.f64();
    if x < 0.70 || (!oldest && x < 0.8) {
        rng.i32(65..=79)
    } else if x < 0.94 || !oldest {
        rng.i32(80..=89)
    } else {
        rng.i32(90..=101)
    }
}

fn adult_age(rng: &mut Rng) -> i32 {
    // Younger adults live alone more often than middle-aged ones.
    if rng.f64() < 0.55 {
        rng.i32(18..=34)
    } else {
        rng.i32(35..=64)
    }
}

fn partner_age(rng: &mut Rng, age: i32, lo: i32, hi: i32) -> i32 {
    (age + rng.i32(-4..=4)).clamp(lo, hi)
}

fn children(rng: &mut Rng, parent_age: i32, max_n: u32, specs: &mut Vec<Spec>) {
    let x = rng.f64();
    let n = if x < 0.45 {
        1
    } else if x < 0.85 {
        2
    } else if x < 0.97 {
        3
    } else {
        4
    }
    .min(max_n);
    let oldest = (parent_age - 20).clamp(0, 17);
    for _ in 0..n {
        specs.push(Spec {
            age: rng.i32(0..=oldest),
            sex: sex(rng, 0.487),
        });
    }
    // Some young adults still live with their parents.
    if parent_age >= 42 && rng.f64() < 0.12 {
        specs.push(Spec {
            age: rng.i32(18..=21),
            sex: sex(rng, 0.45),
        });
    }
}

/// How many synthetic numbers `Cpr::synthetic` offers per birth date and sex: 500 per value of
/// digit 7 that expresses the century (docs/reference.md, "CPR numbers").
fn serial_capacity(year: i32) -> u32 {
    match year {
        // Digit 7 has six values for 1937–1999 and for 2000–2036, four otherwise.
        1937..=2036 => 3_000,
        _ => 2_000,
    }
}

/// A fixed pseudo-random offset in `0..cap` for a birth date.
fn scatter(day: i32, cap: u32) -> u32 {
    ((day as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as u32 % cap
}

/// Builds `citizens` persons in households. Ages are whole years at 31 December of
/// `last_year`.
pub(crate) fn build(
    citizens: u32,
    last_year: i32,
    rng: &mut Rng,
) -> Result<Population, SynthError> {
    let n = citizens as usize;
    let mut pop = Population {
        persons: Vec::with_capacity(n),
        households: Vec::with_capacity(n / 2 + 1),
    };
    let min_day = NaiveDate::from_ymd_opt(last_year - 110, 1, 1)
        .ok_or(SynthError::InvalidConfig("first_year out of range"))?
        .num_days_from_ce();
    let max_day = NaiveDate::from_ymd_opt(last_year, 12, 31)
        .ok_or(SynthError::InvalidConfig("first_year out of range"))?
        .num_days_from_ce();
    // Serial numbers already used per birth date and sex.
    let mut serials = vec![0u32; ((max_day - min_day + 1) * 2) as usize];
    let mut specs: Vec<Spec> = Vec::with_capacity(8);
    while pop.persons.len() < n {
        specs.clear();
        let adults: u8;
        match pick_kind(rng) {
            Kind::Single => {
                adults = 1;
                specs.push(Spec {
                    age: adult_age(rng),
                    sex: sex(rng, 0.48),
                });
            }
            Kind::Couple => {
                adults = 2;
                let a = if rng.f64() < 0.5 {
                    rng.i32(22..=39)
                } else {
                    rng.i32(40..=64)
                };
                let s = sex(rng, 0.5);
                specs.push(Spec { age: a, sex: s });
                let s2 = if rng.f64() < 0.03 { s } else { other(s) };
                specs.push(Spec {
                    age: partner_age(rng, a, 20, 64),
                    sex: s2,
                });
            }
            Kind::CoupleWithChildren => {
                adults = 2;
                let a = rng.i32(24..=56);
                let s = sex(rng, 0.5);
                specs.push(Spec { age: a, sex: s });
                let s2 = if rng.f64() < 0.02 { s } else { other(s) };
                specs.push(Spec {
                    age: partner_age(rng, a, 22, 60),
                    sex: s2,
                });
                children(rng, a, 4, &mut specs);
            }
            Kind::SingleParent => {
                adults = 1;
                let a = rng.i32(22..=54);
                specs.push(Spec {
                    age: a,
                    sex: sex(rng, 0.8),
                });
                children(rng, a, 3, &mut specs);
            }
            Kind::SingleElderly => {
                adults = 1;
                specs.push(Spec {
                    age: elderly_age(rng, true),
                    sex: sex(rng, 0.64),
                });
            }
            Kind::ElderlyCouple => {
                adults = 2;
                let a = elderly_age(rng, false);
                let s = sex(rng, 0.5);
                specs.push(Spec { age: a, sex: s });
                specs.push(Spec {
                    age: partner_age(rng, a, 65, 95),
                    sex: other(s),
                });
            }
        }
        let room = n - pop.persons.len();
        specs.truncate(room);
        let adults = adults.min(specs.len() as u8);
        let hh = pop.households.len() as u32;
        pop.households.push(Household {
            first: pop.persons.len() as u32,
            adults,
            size: specs.len() as u8,
        });
        for spec in &specs {
            let year = last_year - spec.age;
            let days_in_year = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
                366
            } else {
                365
            };
            let birth = NaiveDate::from_yo_opt(year, rng.u32(1..=days_in_year))
                .ok_or(SynthError::InvalidConfig("first_year out of range"))?;
            let day = birth.num_days_from_ce();
            let slot = ((day - min_day) * 2) as usize + usize::from(spec.sex == Sex::Male);
            let cap = serial_capacity(year);
            if serials[slot] >= cap {
                return Err(SynthError::CprExhausted { birth });
            }
            // Start each birth date at its own place in the serial range, so numbers look
            // varied rather than all ending in 0000, 0001, …; still one serial per person.
            let serial = (serials[slot] + scatter(day, cap)) % cap;
            let cpr = Cpr::synthetic(birth, spec.sex, serial)
                .ok_or(SynthError::CprExhausted { birth })?;
            serials[slot] += 1;
            pop.persons.push(Person {
                birth,
                sex: spec.sex,
                cpr,
                household: hh,
            });
        }
    }
    Ok(pop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_exactly_n_persons_with_unique_matching_cprs() {
        let mut rng = Rng::with_seed(7);
        let pop = build(5_001, 2025, &mut rng).unwrap();
        assert_eq!(pop.persons.len(), 5_001);
        let mut seen = std::collections::HashSet::new();
        for p in &pop.persons {
            assert_eq!(p.cpr.birth_date(), Some(p.birth));
            assert_eq!(p.cpr.sex(), p.sex);
            assert!(seen.insert(p.cpr.clone()));
        }
        let total: u32 = pop.households.iter().map(|h| h.size as u32).sum();
        assert_eq!(total, 5_001);
        for (i, h) in pop.households.iter().enumerate() {
            assert!(h.adults >= 1 && h.size >= h.adults);
            for m in h.members() {
                assert_eq!(pop.persons[m as usize].household, i as u32);
            }
        }
    }

    #[test]
    fn children_are_younger_than_their_parents_by_twenty_years() {
        let mut rng = Rng::with_seed(3);
        let pop = build(3_000, 2025, &mut rng).unwrap();
        for h in &pop.households {
            for c in h.children() {
                for a in h.adults() {
                    let cy = pop.persons[c as usize].birth.year();
                    let ay = pop.persons[a as usize].birth.year();
                    assert!(cy - ay >= 16, "parent born {ay}, child {cy}");
                }
            }
        }
    }
}
