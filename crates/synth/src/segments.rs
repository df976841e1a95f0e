//! Archetypes: segments of citizens with a typical service package and a prevalence
//! (docs/domain.md, "Economics": typical service packages × a realistic distribution).
//!
//! Every person draws at most one primary archetype for their age; families with children may
//! draw the vulnerable-family archetype; short rehabilitation is drawn on top. Packages are laid
//! out so that the target groups and overlaps of docs/domain.md occur by construction
//! (e.g. mentor and § 85 within the same intensive period), while prevalences and intensities
//! are tuned so the cost distribution has the shape of docs/domain.md, "The problem".

use crate::catalogue::S;
use crate::population::Population;
use chrono::{Datelike, NaiveDate};
use fastrand::Rng;
use tvaers_core::{Department, Sex};

/// A spell as generated. Days are `NaiveDate::num_days_from_ce`; an `end` after the window is
/// written as an open spell.
#[derive(Debug, Clone)]
pub(crate) struct SpellRec {
    pub person: u32,
    pub service: S,
    pub start: i32,
    pub end: i32,
    /// Thousandths of the service's unit rate.
    pub volume: i64,
    /// Index into the department's pool of contact persons.
    pub contact: u32,
}

const ONE: i64 = 1000;

/// The primary archetypes. Names follow the segments municipalities describe (docs/domain.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Archetype {
    /// Short sick leave on sygedagpenge.
    SickLeave,
    /// Job-ready unemployed on kontanthjælp/uddannelseshjælp with activation.
    JobReady,
    /// "Per": long-term kontanthjælp with mentor, § 85/§ 99, home help, rehabilitation,
    /// transport (target group 4).
    Complex,
    /// Substance abuse treatment with a transfer income (target group 3).
    Abuse,
    /// Anxiety treatment with a transfer income, often activated at the same time.
    Anxiety,
    /// Ressourceforløb with mentor, support and training.
    Resource,
    /// Førtidspension, sometimes with support.
    DisabilityPension,
    /// § 108 long-term residential care with førtidspension.
    Residential108,
    /// § 107 temporary residential care.
    Residential107,
    /// § 110 homeless shelter.
    Homeless,
    /// Transfer income with rehabilitation and home nursing/home help (target group 2).
    RehabOnTransfer,
    /// Vulnerable young person 18–25 with complex needs (target group 5).
    Youth,
    /// Refugee/immigrant on the self-support programme.
    Integration,
    /// Flexjob-visitated on ledighedsydelse.
    FlexWaiting,
    /// § 85 support alone (people in work or education).
    SupportOnly,
    /// Disability with home help and transport.
    DisabilityHelp,
    /// Elderly: light practical help.
    ElderLight,
    /// Elderly: personal care, practical help, some home nursing.
    ElderMedium,
    /// Elderly: home nursing, sometimes practical help.
    ElderNursing,
    /// Elderly: heavy personal care and home nursing.
    ElderHeavy,
    /// Child with a preventive measure.
    ChildPreventive,
    /// Child in foster care.
    ChildFoster,
    /// Child in a residential institution or home.
    ChildResidential,
}

use Archetype::*;

impl Archetype {
    /// Lasts for years (drawn once over the whole window), as opposed to an episode (drawn again
    /// for each two-year block when the years run with dynamics).
    fn chronic(self) -> bool {
        matches!(
            self,
            Complex
                | DisabilityPension
                | Residential108
                | SupportOnly
                | DisabilityHelp
                | ElderLight
                | ElderMedium
                | ElderNursing
                | ElderHeavy
                | ChildFoster
                | ChildResidential
        )
    }
}

/// Prevalence of each primary archetype by age (whole years at the end of the last year) and
/// sex. The draws are exclusive; what is left is "no service".
fn adult_mix(age: i32, sex: Sex) -> [(Archetype, f64); 16] {
    let young = (18..=25).contains(&age);
    let band = |lo: i32, hi: i32, p: f64| if (lo..=hi).contains(&age) { p } else { 0.0 };
    // Substance abuse and homelessness are mostly men's, anxiety more often women's.
    let (men, women) = match sex {
        Sex::Male => (1.5, 0.7),
        Sex::Female => (0.5, 1.3),
    };
    let ftp = match age {
        18..=29 => 0.002,
        30..=39 => 0.0055,
        40..=49 => 0.011,
        50..=59 => 0.019,
        _ => 0.023,
    };
    [
        (SickLeave, band(18, 66, 0.145)),
        (JobReady, band(18, 64, 0.07)),
        (Complex, band(35, 64, 0.0085)),
        (Abuse, band(20, 64, 0.0045 * men)),
        (Anxiety, band(18, 50, 0.005 * women)),
        (Resource, band(25, 64, 0.004)),
        (DisabilityPension, band(18, 66, ftp)),
        (Residential108, band(20, 66, 0.0012)),
        (Residential107, band(20, 60, 0.0015 * men)),
        (Homeless, band(22, 64, 0.0015 * men)),
        (RehabOnTransfer, band(30, 64, 0.004)),
        (Youth, if young { 0.012 } else { 0.0 }),
        (Integration, band(18, 55, 0.006)),
        (FlexWaiting, band(30, 64, 0.003)),
        (SupportOnly, band(18, 66, 0.008)),
        (DisabilityHelp, band(18, 66, 0.002)),
    ]
}

fn elderly_mix(age: i32) -> [(Archetype, f64); 4] {
    if age >= 80 {
        [
            (ElderLight, 0.28),
            (ElderMedium, 0.22),
            (ElderNursing, 0.20),
            (ElderHeavy, 0.04),
        ]
    } else {
        [
            (ElderLight, 0.14),
            (ElderMedium, 0.09),
            (ElderNursing, 0.11),
            (ElderHeavy, 0.006),
        ]
    }
}

fn child_mix(age: i32) -> [(Archetype, f64); 3] {
    [
        (ChildPreventive, if age >= 3 { 0.11 } else { 0.0 }),
        (ChildFoster, if age >= 1 { 0.0025 } else { 0.0 }),
        (ChildResidential, if age >= 10 { 0.0025 } else { 0.0 }),
    ]
}

/// Share of families with children that are vulnerable families (target group 1).
const VULNERABLE_FAMILY: f64 = 0.03;
/// Share of young people turning 18 in the window who leave a child case for adult services.
const TRANSITION_AT_18: f64 = 0.08;

fn pick<const N: usize>(rng: &mut Rng, mix: &[(Archetype, f64); N]) -> Option<Archetype> {
    let mut x = rng.f64();
    for &(a, p) in mix {
        if x < p {
            return Some(a);
        }
        x -= p;
    }
    None
}

struct Gen<'a> {
    rng: &'a mut Rng,
    pop: &'a Population,
    /// First and last day of the window.
    w0: i32,
    w1: i32,
    /// A day well after the window: the end of spells still open at the extract.
    open: i32,
    spells: Vec<SpellRec>,
    /// The whole window. `w0 ..= w1` is one block of it when the years run with dynamics.
    full: Span,
    /// Several years with dynamics (`crate::Dynamics`): episodes are drawn per two-year block
    /// and chronic spells also begin and end inside the window.
    dynamic: bool,
}

/// Days of a span, first and last inclusive.
type Span = (i32, i32);

impl Gen<'_> {
    fn add(&mut self, person: u32, service: S, span: Span, volume: i64) {
        let birth = self.pop.persons[person as usize].birth.num_days_from_ce();
        let start = span.0.max(birth);
        let end = span.1;
        if end < start || end < self.w0 || start > self.w1 || end < self.full.0 || volume <= 0 {
            return;
        }
        self.spells.push(SpellRec {
            person,
            service,
            start,
            end,
            volume,
            contact: 0,
        });
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    /// Weekly hours between `lo` and `hi` in half-hour steps, as thousandths.
    fn hours(&mut self, lo: f64, hi: f64) -> i64 {
        let a = (lo * 2.0).round() as i64;
        let b = (hi * 2.0).round() as i64;
        self.rng.i64(a..=b) * 500
    }

    /// A rate between `lo` and `hi` thousandths, in steps of 0.05.
    fn rate(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.i64(lo / 50..=hi / 50) * 50
    }

    /// An episode of `lo..=hi` days that overlaps the window.
    fn episode(&mut self, lo: i32, hi: i32) -> Span {
        let len = self.rng.i32(lo..=hi);
        let start = self.rng.i32(self.w0 - len + 30..=self.w1 - 14);
        (start, start + len - 1)
    }

    /// Began before the window (months to years ago); open at the extract, or in a few cases
    /// ended during the window.
    fn chronic(&mut self, ended_share: f64) -> Span {
        if self.dynamic {
            return self.chronic_dynamic(ended_share);
        }
        let start = self.w0 - self.rng.i32(30..=3650);
        let end = if self.chance(ended_share) {
            self.rng.i32(self.w0 + 30..=self.w1)
        } else {
            self.open
        };
        (start, end)
    }

    /// With dynamics: a chronic spell may also begin inside the window (about 7 % of a year's
    /// stock a year, so the stock is renewed as deaths and endings take it down), and
    /// `ended_share` is the share ending per two years.
    fn chronic_dynamic(&mut self, ended_share: f64) -> Span {
        let (w0, w1) = self.full;
        let years = f64::from(w1 - w0 + 1) / 365.25;
        let start = if self.chance(0.07 * years) {
            self.rng.i32(w0..=w1 - 30)
        } else {
            w0 - self.rng.i32(30..=3650)
        };
        let from = start.max(w0) + 30;
        let end = if from <= w1 && self.chance((ended_share * years / 2.0).min(0.9)) {
            self.rng.i32(from..=w1)
        } else {
            self.open
        };
        (start, end)
    }

    /// A part of `outer` of `lo..=hi` days (the whole when shorter).
    fn within(&mut self, outer: Span, lo: i32, hi: i32) -> Span {
        let room = outer.1 - outer.0 + 1;
        let len = self.rng.i32(lo..=hi).min(room);
        let start = self.rng.i32(outer.0..=outer.1 - len + 1);
        (start, start + len - 1)
    }

    /// `outer` with up to a month trimmed at each end, so parallel services do not all start on
    /// the same day.
    fn jitter(&mut self, outer: Span) -> Span {
        let room = (outer.1 - outer.0) / 4;
        let a = self.rng.i32(0..=room.clamp(0, 30));
        let b = self.rng.i32(0..=room.clamp(0, 30));
        (outer.0 + a, outer.1 - b)
    }

    /// An intensive period inside the window (or covering it), for packages whose services run
    /// in parallel.
    fn core(&mut self, lo: i32, hi: i32) -> Span {
        let (s, e) = self.episode(lo, hi);
        (s.max(self.w0 - 120), e)
    }

    fn age(&self, p: u32, last_year: i32) -> i32 {
        last_year - self.pop.persons[p as usize].birth.year()
    }

    /// A transfer income for an adult of working age: kontanthjælp or, under 30,
    /// uddannelseshjælp.
    fn assistance(&self, age: i32) -> S {
        if age < 30 { S::Uddh } else { S::Kth }
    }

    fn activation(&mut self, p: u32, outer: Span, lo: i32, hi: i32) {
        let span = self.within(outer, lo, hi);
        if self.chance(0.5) {
            self.add(p, S::Vok, span, ONE);
        } else {
            self.add(p, S::Virkprak, span, ONE);
        }
    }

    fn primary(&mut self, p: u32, a: Archetype, age: i32) {
        match a {
            SickLeave => {
                let x = self.rng.f64();
                let (lo, hi) = if x < 0.65 {
                    (14, 60)
                } else if x < 0.9 {
                    (60, 150)
                } else {
                    (180, 364)
                };
                let sp = self.episode(lo, hi);
                self.add(p, S::Sdp, sp, ONE);
                if self.chance(0.2) {
                    let g = self.within(sp, 42, 112);
                    let h = self.hours(1.0, 3.0);
                    self.add(p, S::Genop, g, h);
                }
                if self.chance(0.35) {
                    let w = self.within(sp, 28, 84);
                    if self.chance(0.5) {
                        self.add(p, S::Virkprak, w, ONE);
                    } else {
                        let h = self.hours(1.0, 3.0);
                        self.add(p, S::Akttraen, w, h);
                    }
                }
            }
            JobReady => {
                let sp = self.episode(60, 300);
                let s = self.assistance(age);
                self.add(p, s, sp, ONE);
                if self.chance(0.9) {
                    let first = self.within(sp, 42, 140);
                    self.activation(p, first, 42, 140);
                    // A second offer after the first, while still unemployed.
                    if self.chance(0.5) && first.1 + 14 < sp.1 {
                        let rest = (first.1 + 1, sp.1);
                        self.activation(p, rest, 42, 120);
                    }
                }
                if self.chance(0.2) {
                    let b = self.within(sp, 30, 120);
                    self.add(p, S::Beflab, b, ONE);
                }
            }
            Complex => {
                let k = self.chronic(0.05);
                self.add(p, S::Kth, k, ONE);
                let core = self.core(300, 900);
                let j = self.jitter(core);
                let h = self.hours(2.0, 4.5);
                self.add(p, S::Mentor, j, h);
                // § 99, § 85 or both, in parallel with the mentor.
                let x = self.rng.f64();
                if x < 0.65 {
                    let j = self.jitter(core);
                    let h = self.hours(2.0, 5.0);
                    self.add(p, S::Sel99, j, h);
                }
                if x >= 0.35 {
                    let j = self.jitter(core);
                    let h = self.hours(3.0, 7.0);
                    self.add(p, S::Sel85, j, h);
                }
                let j = self.jitter(core);
                let h = self.hours(1.0, 3.0);
                self.add(p, S::HjhPh, j, h);
                if self.chance(0.35) {
                    let j = self.jitter(core);
                    let h = self.hours(2.0, 6.0);
                    self.add(p, S::HjhPp, j, h);
                }
                let g = self.within(core, 90, 240);
                let h = self.hours(2.0, 4.0);
                self.add(p, S::Genop, g, h);
                let j = self.jitter(core);
                self.add(p, S::Beflab, j, ONE);
                if self.chance(0.7) {
                    let j = self.jitter(core);
                    self.add(p, S::Sel117, j, ONE);
                }
                if self.chance(0.35) {
                    let j = self.jitter(core);
                    let h = self.hours(1.0, 3.0);
                    self.add(p, S::Hjsyg, j, h);
                }
                if self.chance(0.25) {
                    let m = self.within(core, 120, 365);
                    self.add(p, S::MisbrugAlk, m, ONE);
                }
                if self.chance(0.2) {
                    let m = self.within(core, 90, 240);
                    let h = self.hours(1.0, 2.0);
                    self.add(p, S::Angst, m, h);
                }
                if self.chance(0.35) {
                    let m = self.within(core, 60, 180);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::Akttraen, m, h);
                }
            }
            Abuse => {
                let core = self.core(200, 720);
                let x = self.rng.f64();
                let t = if x < 0.7 {
                    self.assistance(age)
                } else if x < 0.85 {
                    S::Sdp
                } else {
                    S::Rfy
                };
                let long = (
                    core.0 - self.rng.i32(0..=400),
                    core.1 + self.rng.i32(0..=200),
                );
                self.add(p, t, long, ONE);
                let treat = self.jitter(core);
                let alcohol = self.chance(0.5);
                self.add(
                    p,
                    if alcohol {
                        S::MisbrugAlk
                    } else {
                        S::MisbrugStof
                    },
                    treat,
                    ONE,
                );
                if !alcohol && self.chance(0.3) {
                    let d = self.within(treat, 30, 120);
                    self.add(p, S::MisbrugDoegn, d, ONE);
                }
                if self.chance(0.35) {
                    let j = self.jitter(core);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::Sel99, j, h);
                }
                if self.chance(0.25) {
                    let j = self.jitter(core);
                    let h = self.hours(1.0, 2.0);
                    self.add(p, S::HjhPh, j, h);
                }
                if self.chance(0.35) {
                    self.activation(p, treat, 42, 120);
                }
            }
            Anxiety => {
                let core = self.core(150, 540);
                let x = self.rng.f64();
                let t = if x < 0.6 {
                    self.assistance(age)
                } else if x < 0.8 {
                    S::Rfy
                } else {
                    S::Sdp
                };
                let long = (
                    core.0 - self.rng.i32(0..=300),
                    core.1 + self.rng.i32(0..=200),
                );
                self.add(p, t, long, ONE);
                let tr = self.within(core, 90, 300);
                let h = self.hours(1.0, 2.0);
                self.add(p, S::Angst, tr, h);
                if self.chance(0.6) {
                    let span = self.within(tr, 42, 150);
                    if self.chance(0.6) {
                        self.add(p, S::Vok, span, ONE);
                    } else {
                        let h = self.hours(2.0, 4.0);
                        self.add(p, S::Akttraen, span, h);
                    }
                }
                if self.chance(0.35) {
                    let j = self.jitter(core);
                    let h = self.hours(1.5, 4.0);
                    self.add(p, S::Mentor, j, h);
                }
                if self.chance(0.2) {
                    let j = self.jitter(core);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::PsykBost, j, h);
                }
            }
            Resource => {
                let core = self.core(365, 900);
                let long = (
                    core.0 - self.rng.i32(0..=365),
                    core.1 + self.rng.i32(0..=365),
                );
                self.add(p, S::Rfy, long, ONE);
                let j = self.jitter(core);
                let h = self.hours(2.0, 4.0);
                self.add(p, S::Mentor, j, h);
                let j = self.jitter(core);
                let h = self.hours(2.0, 6.0);
                let s = if self.chance(0.6) {
                    S::Sel85
                } else {
                    S::PsykBost
                };
                self.add(p, s, j, h);
                if self.chance(0.4) {
                    let g = self.within(core, 90, 200);
                    let h = self.hours(2.0, 3.0);
                    self.add(p, S::Genop, g, h);
                    let a = self.within(g, 60, 150);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::Akttraen, a, h);
                }
                if self.chance(0.3) {
                    let a = self.within(core, 90, 240);
                    let h = self.hours(1.0, 2.0);
                    self.add(p, S::Angst, a, h);
                }
                if self.chance(0.4) {
                    let j = self.jitter(core);
                    self.add(p, S::Beflab, j, ONE);
                }
            }
            DisabilityPension => {
                let c = self.chronic(0.02);
                self.add(p, S::Ftp, c, ONE);
                if self.chance(0.12) {
                    let c = self.chronic(0.2);
                    let h = self.hours(2.0, 6.0);
                    self.add(p, S::Sel85, c, h);
                }
                if self.chance(0.08) {
                    let c = self.chronic(0.1);
                    let h = self.hours(2.0, 8.0);
                    self.add(p, S::HjhHandicap, c, h);
                }
                if self.chance(0.05) {
                    let c = self.chronic(0.1);
                    self.add(p, S::Sel117, c, ONE);
                }
                if self.chance(0.05) {
                    let c = self.chronic(0.3);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::PsykBost, c, h);
                }
            }
            Residential108 => {
                let c = self.chronic(0.03);
                self.add(p, S::Bot108, c, ONE);
                let f = (c.0 - self.rng.i32(0..=700), self.open);
                self.add(p, S::Ftp, f, ONE);
                if self.chance(0.3) {
                    let j = self.jitter(c);
                    self.add(p, S::Sel117, j, ONE);
                }
                if self.chance(0.2) {
                    let j = self.within(c, 120, 720);
                    let h = self.hours(1.0, 3.0);
                    self.add(p, S::Hjsyg, j, h);
                }
            }
            Residential107 => {
                let core = self.core(180, 720);
                self.add(p, S::Bot107, core, ONE);
                let t = if self.chance(0.6) {
                    self.assistance(age)
                } else {
                    S::Rfy
                };
                let long = (
                    core.0 - self.rng.i32(0..=365),
                    core.1 + self.rng.i32(0..=180),
                );
                self.add(p, t, long, ONE);
                if self.chance(0.4) {
                    let m = self.within(core, 120, 365);
                    self.add(p, S::MisbrugStof, m, ONE);
                }
                if self.chance(0.3) {
                    let m = self.within(core, 90, 240);
                    let h = self.hours(1.0, 2.0);
                    self.add(p, S::Angst, m, h);
                }
            }
            Homeless => {
                let stay = self.episode(30, 300);
                self.add(p, S::Bot110, stay, ONE);
                let long = (
                    stay.0 - self.rng.i32(0..=365),
                    stay.1 + self.rng.i32(30..=365),
                );
                let t = self.assistance(age);
                self.add(p, t, long, ONE);
                if self.chance(0.5) {
                    let m = self.within(long, 90, 365);
                    let s = if self.chance(0.5) {
                        S::MisbrugAlk
                    } else {
                        S::MisbrugStof
                    };
                    self.add(p, s, m, ONE);
                }
                if self.chance(0.4) {
                    let after = (stay.1 + 1, stay.1 + self.rng.i32(90..=365));
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::Sel99, after, h);
                }
            }
            RehabOnTransfer => {
                let core = self.core(150, 420);
                let t = if self.chance(0.6) { S::Sdp } else { S::Kth };
                let long = (
                    core.0 - self.rng.i32(0..=90),
                    core.1 + self.rng.i32(0..=120),
                );
                self.add(p, t, long, ONE);
                let g = self.within(core, 60, 200);
                let h = self.hours(2.0, 4.0);
                self.add(p, S::Genop, g, h);
                let x = self.rng.f64();
                if x < 0.7 {
                    let j = self.jitter(core);
                    let h = self.hours(1.0, 3.0);
                    self.add(p, S::Hjsyg, j, h);
                }
                if x >= 0.4 {
                    let j = self.jitter(core);
                    let h = self.hours(1.0, 3.0);
                    self.add(p, S::HjhPh, j, h);
                }
                self.add(p, S::Befsul, g, ONE);
                if self.chance(0.5) {
                    let j = self.jitter(core);
                    self.add(p, S::Beflab, j, ONE);
                }
                if self.chance(0.5) {
                    let a = self.within(g, 42, 120);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::Akttraen, a, h);
                }
            }
            Youth => {
                let core = self.core(180, 720);
                let long = (
                    core.0 - self.rng.i32(0..=200),
                    core.1 + self.rng.i32(0..=200),
                );
                self.add(p, S::Uddh, long, ONE);
                let j = self.jitter(core);
                let h = self.hours(1.5, 3.5);
                self.add(p, S::Mentor, j, h);
                let j = self.jitter(core);
                let h = self.hours(1.5, 4.0);
                let s = if self.chance(0.6) { S::Sel85 } else { S::Sel99 };
                self.add(p, s, j, h);
                if self.chance(0.4) {
                    self.activation(p, core, 42, 150);
                }
                if self.chance(0.3) {
                    let m = self.within(core, 120, 365);
                    self.add(p, S::MisbrugStof, m, ONE);
                }
                if self.chance(0.25) {
                    let m = self.within(core, 90, 240);
                    let h = self.hours(1.0, 2.0);
                    self.add(p, S::Angst, m, h);
                }
            }
            Integration => {
                let sp = self.episode(180, 720);
                self.add(p, S::Shy, sp, ONE);
                let j = self.jitter(sp);
                self.add(p, S::Intprog, j, ONE);
                if self.chance(0.3) {
                    let w = self.within(sp, 28, 120);
                    self.add(p, S::Virkprak, w, ONE);
                }
            }
            FlexWaiting => {
                let sp = self.episode(90, 365);
                self.add(p, S::Ledy, sp, ONE);
            }
            SupportOnly => {
                let c = self.chronic(0.3);
                let h = self.hours(1.0, 4.0);
                let s = if self.chance(0.6) {
                    S::Sel85
                } else {
                    S::PsykBost
                };
                self.add(p, s, c, h);
            }
            DisabilityHelp => {
                let c = self.chronic(0.05);
                let h = self.hours(4.0, 20.0);
                self.add(p, S::HjhHandicap, c, h);
                if self.chance(0.5) {
                    let j = self.jitter(c);
                    self.add(p, S::Sel117, j, ONE);
                }
                if self.chance(0.6) {
                    let f = (c.0 - self.rng.i32(0..=700), self.open);
                    self.add(p, S::Ftp, f, ONE);
                }
            }
            ElderLight => {
                let c = self.chronic(0.1);
                let h = self.rate(500, 2000);
                self.add(p, S::HjhPh, c, h);
            }
            ElderMedium => {
                let c = self.chronic(0.1);
                let h = self.hours(1.0, 3.5);
                self.add(p, S::HjhPp, c, h);
                let h = self.rate(500, 1500);
                self.add(p, S::HjhPh, c, h);
                if self.chance(0.6) {
                    let j = self.jitter(c);
                    let h = self.rate(500, 2000);
                    self.add(p, S::Hjsyg, j, h);
                }
                if self.chance(0.2) {
                    let r = self.episode(56, 84);
                    let h = self.hours(2.0, 4.0);
                    self.add(p, S::Rehab, r, h);
                }
            }
            ElderNursing => {
                let c = self.chronic(0.2);
                let h = self.rate(500, 2000);
                self.add(p, S::Hjsyg, c, h);
                if self.chance(0.3) {
                    let j = self.jitter(c);
                    let h = self.rate(500, 1000);
                    self.add(p, S::HjhPh, j, h);
                }
            }
            ElderHeavy => {
                let c = self.chronic(0.08);
                let h = self.hours(11.0, 26.0);
                self.add(p, S::HjhPp, c, h);
                let h = self.hours(1.0, 2.0);
                self.add(p, S::HjhPh, c, h);
                let j = self.jitter(c);
                let h = self.hours(2.0, 6.0);
                self.add(p, S::Hjsyg, j, h);
                if self.chance(0.3) {
                    let g = self.episode(42, 112);
                    let h = self.hours(2.0, 3.0);
                    self.add(p, S::Genop, g, h);
                    if self.chance(0.5) {
                        self.add(p, S::Befsul, g, ONE);
                    }
                }
                if self.chance(0.1) {
                    let j = self.jitter(c);
                    self.add(p, S::Sel117, j, ONE);
                }
            }
            ChildPreventive => {
                let sp = self.episode(180, 720);
                if self.chance(0.6) {
                    let h = self.hours(2.0, 5.0);
                    self.add(p, S::ForebKp, sp, h);
                } else {
                    let r = self.rate(100, 200);
                    self.add(p, S::Aflast, sp, r);
                }
                if self.chance(0.3) {
                    let parent = self.pop.household_of(p).first;
                    let f = self.within(sp, 90, 365);
                    let h = self.hours(2.0, 4.0);
                    self.add(parent, S::Fambeh, f, h);
                }
            }
            ChildFoster => {
                let c = self.chronic(0.1);
                self.add(p, S::AnbPleje, c, ONE);
            }
            ChildResidential => {
                let c = self.chronic(0.15);
                let s = if self.chance(0.5) {
                    S::AnbDoegn
                } else {
                    S::AnbOph
                };
                self.add(p, s, c, ONE);
            }
        }
    }

    /// Target group 1: a child case and a parent on a transfer income at the same time, with
    /// family treatment for the parent while activated.
    fn vulnerable_family(&mut self, h: u32, last_year: i32) -> u32 {
        let hh = self.pop.households[h as usize];
        let parent = hh.first + self.rng.u32(0..hh.adults as u32);
        let core = self.core(180, 600);
        let age = self.age(parent, last_year);
        let x = self.rng.f64();
        let t = if x < 0.7 {
            self.assistance(age)
        } else if x < 0.85 {
            S::Rfy
        } else {
            S::Sdp
        };
        let long = (
            core.0 - self.rng.i32(0..=365),
            core.1 + self.rng.i32(0..=200),
        );
        self.add(parent, t, long, ONE);
        let f = self.jitter(core);
        let hrs = self.hours(1.5, 4.0);
        self.add(parent, S::Fambeh, f, hrs);
        if t != S::Sdp && self.chance(0.7) {
            self.activation(parent, f, 42, 150);
        }
        if self.chance(0.3) {
            let j = self.jitter(core);
            if self.chance(0.5) {
                let hrs = self.hours(2.0, 4.0);
                self.add(parent, S::Sel85, j, hrs);
            } else {
                self.add(parent, S::MisbrugAlk, j, ONE);
            }
        }
        if hh.adults == 2 && self.chance(0.4) {
            let other = if parent == hh.first {
                hh.first + 1
            } else {
                hh.first
            };
            let a = self.age(other, last_year);
            let s = self.assistance(a);
            let j = self.jitter(long);
            self.add(other, s, j, ONE);
        }
        let mut any = false;
        let kids: Vec<u32> = hh
            .children()
            .filter(|&c| self.age(c, last_year) < 18)
            .collect();
        let placed = if self.chance(0.15) && !kids.is_empty() {
            Some(kids[self.rng.usize(0..kids.len())])
        } else {
            None
        };
        for (i, &c) in kids.iter().enumerate() {
            if Some(c) == placed {
                let age = self.age(c, last_year);
                let s = if age < 12 || self.chance(0.5) {
                    S::AnbPleje
                } else if self.chance(0.5) {
                    S::AnbDoegn
                } else {
                    S::AnbOph
                };
                let start = self.rng.i32(core.0..=core.1);
                self.add(c, s, (start, self.open), ONE);
                any = true;
            } else if self.chance(0.6) || (!any && i + 1 == kids.len()) {
                let j = self.jitter(core);
                if self.chance(0.6) {
                    let hrs = self.hours(2.0, 4.0);
                    self.add(c, S::ForebKp, j, hrs);
                } else {
                    let r = self.rate(100, 250);
                    self.add(c, S::Aflast, j, r);
                }
                any = true;
            }
        }
        parent
    }

    /// The 18-year transition: a child case ending around the 18th birthday, followed by
    /// aftercare and adult services.
    fn transition(&mut self, p: u32, eighteen: i32) {
        let birth = self.pop.persons[p as usize].birth.num_days_from_ce();
        let start = (eighteen - self.rng.i32(365..=2500)).max(birth + 365);
        let end = eighteen - 1 - self.rng.i32(0..=45);
        let x = self.rng.f64();
        let child = if x < 0.5 {
            S::AnbPleje
        } else if x < 0.65 {
            S::AnbOph
        } else {
            S::ForebKp
        };
        let vol = if child == S::ForebKp {
            self.hours(2.0, 4.0)
        } else {
            ONE
        };
        self.add(p, child, (start, end), vol);
        let after = eighteen + self.rng.i32(0..=30);
        let ev = (after, after + self.rng.i32(180..=900));
        let h = self.hours(2.0, 5.0);
        self.add(p, S::Eftervaern, ev, h);
        let u = (eighteen + self.rng.i32(0..=60), self.open);
        self.add(p, S::Uddh, u, ONE);
        if self.chance(0.5) {
            let j = self.jitter(ev);
            let h = self.hours(2.0, 4.0);
            self.add(p, S::Sel85, j, h);
        }
        if self.chance(0.4) {
            let j = self.jitter(ev);
            let h = self.hours(1.5, 3.0);
            self.add(p, S::Mentor, j, h);
        }
        if self.chance(0.3) {
            self.activation(p, ev, 42, 120);
        }
    }

    /// Short rehabilitation after a hospital stay, drawn on top of the primary archetype.
    fn background(&mut self, p: u32, age: i32) {
        let p_genop = if age >= 67 { 0.18 } else { 0.08 };
        if self.chance(p_genop) {
            let g = self.episode(42, 140);
            let h = self.hours(1.5, 3.5);
            self.add(p, S::Genop, g, h);
            if age >= 67 && self.chance(0.3) {
                self.add(p, S::Befsul, g, ONE);
            }
        }
        if (18..67).contains(&age) {
            // Time-limited light support, most often after a crisis.
            if self.chance(0.04) {
                let e = self.episode(120, 365);
                let h = self.hours(1.0, 3.0);
                let s = if self.chance(0.5) { S::Sel85 } else { S::Sel99 };
                self.add(p, s, e, h);
            }
            if self.chance(0.008) {
                let e = self.episode(60, 240);
                let s = if self.chance(0.6) {
                    S::MisbrugAlk
                } else {
                    S::MisbrugStof
                };
                self.add(p, s, e, ONE);
            }
        }
    }
}

/// Caseload (spells active at mid-year per contact person) by department, which sizes each
/// department's pool of contact persons.
fn caseload(d: Department) -> u32 {
    match d {
        Department::Employment => 70,
        Department::AdultSocial => 30,
        Department::ChildrenFamily => 25,
        Department::Health => 45,
        Department::Elderly => 40,
        Department::Psychiatry => 25,
        Department::Disability => 30,
        Department::Integration => 40,
    }
}

/// Generates every person's spells over the window `first_year ..= last_year` and assigns
/// contact persons.
pub(crate) fn generate(
    pop: &Population,
    first_year: i32,
    last_year: i32,
    dynamic: bool,
    rng: &mut Rng,
) -> Vec<SpellRec> {
    let w0 = NaiveDate::from_ymd_opt(first_year, 1, 1)
        .expect("valid year")
        .num_days_from_ce();
    let w1 = NaiveDate::from_ymd_opt(last_year, 12, 31)
        .expect("valid year")
        .num_days_from_ce();
    let mut g = Gen {
        rng,
        pop,
        w0,
        w1,
        open: w1 + 3650,
        spells: Vec::with_capacity(pop.persons.len() / 2),
        full: (w0, w1),
        dynamic,
    };
    // Without dynamics one block, the window; with dynamics two-year blocks from the last year
    // back (the first may begin before the window; what falls before it is dropped), so that a
    // year has the episodes of the calibration whatever the number of years.
    let blocks: Vec<Span> = if dynamic {
        (0..)
            .map(|i| last_year - 1 - 2 * i)
            .take_while(|&y| y + 1 >= first_year)
            .map(|y| {
                (
                    NaiveDate::from_ymd_opt(y, 1, 1)
                        .expect("valid year")
                        .num_days_from_ce(),
                    NaiveDate::from_ymd_opt(y + 1, 12, 31)
                        .expect("valid year")
                        .num_days_from_ce(),
                )
            })
            .collect()
    } else {
        vec![(w0, w1)]
    };
    let mut taken = Vec::new();
    for h in 0..pop.households.len() as u32 {
        let hh = pop.households[h as usize];
        for (bi, &(b0, b1)) in blocks.iter().enumerate() {
            g.w0 = b0;
            g.w1 = b1;
            taken.clear();
            if hh.has_children() && g.chance(VULNERABLE_FAMILY) {
                let parent = g.vulnerable_family(h, last_year);
                taken.push(parent);
            }
            for p in hh.members() {
                let age = g.age(p, last_year);
                if !taken.contains(&p) {
                    let birth = pop.persons[p as usize].birth;
                    let eighteen = birth
                        .with_year(birth.year() + 18)
                        .unwrap_or_else(|| birth + chrono::Days::new(18 * 365 + 4))
                        .num_days_from_ce();
                    let a = if (g.w0 + 30..=g.w1 - 30).contains(&eighteen)
                        && g.chance(TRANSITION_AT_18)
                    {
                        g.transition(p, eighteen);
                        None
                    } else if age < 18 {
                        pick(g.rng, &child_mix(age))
                    } else if age < 67 {
                        pick(g.rng, &adult_mix(age, pop.persons[p as usize].sex))
                    } else {
                        pick(g.rng, &elderly_mix(age))
                    };
                    match a {
                        // A chronic archetype over the whole window, from the first block's
                        // draw only (so its prevalence is the calibrated one).
                        Some(a) if a.chronic() && bi == 0 => {
                            (g.w0, g.w1) = (w0, w1);
                            g.primary(p, a, age);
                            (g.w0, g.w1) = (b0, b1);
                        }
                        Some(a) if a.chronic() => {}
                        Some(a) => g.primary(p, a, age),
                        None => {}
                    }
                }
                g.background(p, age);
            }
        }
    }
    let mut spells = g.spells;
    // Contact persons: pool size from the department's mid-year load and caseload.
    let mid = NaiveDate::from_ymd_opt(last_year, 7, 1)
        .expect("valid year")
        .num_days_from_ce();
    let mut active = [0u32; 8];
    for s in &spells {
        if s.start <= mid && mid <= s.end {
            active[s.service.def().department.index()] += 1;
        }
    }
    let mut pools = [1u32; 8];
    for d in Department::ALL {
        pools[d.index()] = active[d.index()].div_ceil(caseload(d)).max(1);
    }
    for s in &mut spells {
        s.contact = rng.u32(0..pools[s.service.def().department.index()]);
    }
    spells.sort_by_key(|s| (s.person, s.start, s.service));
    spells
}
