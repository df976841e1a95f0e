//! The financial system: what the municipality paid, month by month.
//!
//! Transfer incomes and placements are booked to the person (CPR and service set), one posting
//! a month, prorated for partial months. Everything else is paid as monthly supplier and payroll
//! lumps per account function without CPR: the activity × unit price cost of that function's
//! spells times an overhead factor (what activity data does not capture: administration,
//! cancelled visits, transport time), plus functions no case system records at all. A few
//! refunds (negative amounts) appear on both sides; each is matched by an earlier
//! overpayment, so they move money between months, not the totals.

use crate::catalogue::{self, AltRate, Booking, S, SERVICES};
use crate::population::Population;
use crate::segments::SpellRec;
use chrono::{Datelike, NaiveDate};
use fastrand::Rng;
use tvaers_core::{Ore, Quantity, Unit, service::activity_cost};

/// Marks a posting not booked to a person.
pub(crate) const NO_PERSON: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// The month's benefit or placement payment.
    Payment,
    /// An overpayment later reclaimed.
    Adjustment,
    /// Repayment of an overpayment (negative).
    Repayment,
    Supplier,
    Payroll,
    /// A supplier's credit note (negative).
    CreditNote,
}

#[derive(Debug, Clone)]
pub(crate) struct PostingRec {
    pub date: i32,
    /// Index into [`Ledger::functions`].
    pub function: u8,
    /// Øre.
    pub amount: i64,
    pub person: u32,
    pub service: Option<S>,
    pub text: Text,
    /// Month number 1–12 the posting concerns (for the text).
    pub month: u8,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Month {
    pub year: i32,
    pub month: u32,
    pub first: i32,
    pub last: i32,
}

impl Month {
    fn days(&self) -> i64 {
        (self.last - self.first + 1) as i64
    }
}

pub(crate) struct Ledger {
    /// Distinct account functions of the catalogue, sorted.
    pub functions: Vec<&'static str>,
    pub postings: Vec<PostingRec>,
}

/// Overhead on top of activity × unit price, in thousandths, per account function. Higher where
/// much of the work is not recorded as activity (home care travel time, institutions).
fn overhead_permille(function: &str) -> i64 {
    match function {
        "5.30.26" | "5.32.32" | "5.38.37" => 1_150,
        "5.68.90" => 1_120,
        "5.38.50" | "5.38.52" | "5.38.42" => 1_080,
        _ => 1_100,
    }
}

/// Places per 100,000 citizens of the services without activity data (their whole cost is
/// unallocatable).
fn no_activity_places_per_100k(s: S) -> i64 {
    match s {
        S::Plejebolig => 350,
        S::Sel103 => 60,
        S::Sel104 => 120,
        _ => 0,
    }
}

pub(crate) fn months(first_year: i32, last_year: i32) -> Vec<Month> {
    let mut out = Vec::with_capacity(((last_year - first_year + 1) * 12) as usize);
    for year in first_year..=last_year {
        for month in 1..=12u32 {
            let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)
            }
            .expect("valid month");
            out.push(Month {
                year,
                month,
                first: first.num_days_from_ce(),
                last: next.num_days_from_ce() - 1,
            });
        }
    }
    out
}

/// `a × b / c` rounded half up, in i128 so that no intermediate overflows.
fn mul_div(a: i64, b: i64, c: i64) -> i64 {
    let n = a as i128 * b as i128;
    let c = c as i128;
    ((n * 2 + c).div_euclid(c * 2)) as i64
}

/// The amount booked to the person for `days` of `month` of a person-booked spell.
fn person_amount(s: S, rate: Ore, volume: i64, days: i64, month: &Month) -> i64 {
    match s.def().unit {
        // A monthly benefit, prorated by the days of the month covered.
        Unit::Month => mul_div(rate.0 * volume / 1000, days, month.days()),
        unit => activity_cost(Quantity(volume), rate, unit, days).0,
    }
}

pub(crate) fn generate(
    pop: &Population,
    spells: &[SpellRec],
    first_year: i32,
    last_year: i32,
    rng: &mut Rng,
) -> Ledger {
    let months = months(first_year, last_year);
    let years = (last_year - first_year + 1) as usize;
    let (w0, w1) = (months[0].first, months[months.len() - 1].last);
    let mut functions: Vec<&'static str> = SERVICES.iter().map(|d| d.function).collect();
    functions.sort_unstable();
    functions.dedup();
    let fn_ix: Vec<u8> = SERVICES
        .iter()
        .map(|d| functions.binary_search(&d.function).expect("listed") as u8)
        .collect();
    // Prices per service and window year, looked up in the hot loop.
    let price: Vec<[Ore; 2]> = (0..SERVICES.len() * years)
        .map(|i| {
            let s = S::ALL[i / years];
            let y = first_year + (i % years) as i32;
            [catalogue::price(s, y), catalogue::alt_price(s, y)]
        })
        .collect();
    let nm = months.len();
    let mut lumps = vec![0i64; functions.len() * nm];
    let mut postings = Vec::with_capacity(spells.len() * 2);

    for sp in spells {
        let d = sp.service.def();
        if d.booking == Booking::NoActivity {
            continue;
        }
        let from = sp.start.max(w0);
        let to = sp.end.min(w1);
        if from > to {
            continue;
        }
        // Months overlapping the spell: months are in order, so start from the first one.
        let first_m = months.partition_point(|m| m.last < from);
        let alt = match d.alt_rate {
            AltRate::None => false,
            AltRate::Provider => {
                let h = pop.household_of(sp.person);
                h.has_children() && h.adults().contains(&sp.person)
            }
            AltRate::Cohabiting => {
                let h = pop.household_of(sp.person);
                h.adults == 2 && h.adults().contains(&sp.person)
            }
        };
        let refund_at = (d.booking == Booking::Person && rng.f64() < 0.01).then(|| {
            let last_m = months.partition_point(|m| m.last < to);
            rng.usize(first_m..=last_m)
        });
        for (mi, m) in months.iter().enumerate().skip(first_m) {
            if m.first > to {
                break;
            }
            let days = (to.min(m.last) - from.max(m.first) + 1) as i64;
            let yi = (m.year - first_year) as usize;
            let pr = price[sp.service.ix() * years + yi];
            match d.booking {
                Booking::Person => {
                    let rate = if alt { pr[1] } else { pr[0] };
                    let amount = person_amount(sp.service, rate, sp.volume, days, m);
                    let base = PostingRec {
                        date: m.last,
                        function: fn_ix[sp.service.ix()],
                        amount,
                        person: sp.person,
                        service: Some(sp.service),
                        text: Text::Payment,
                        month: m.month as u8,
                    };
                    if refund_at == Some(mi) {
                        // Overpaid this month, reclaimed the next (in the same year, so a
                        // year's total is unchanged).
                        let extra = mul_div(amount, rng.i64(10..=50), 100);
                        let back_m = if m.month < 12 && mi + 1 < nm {
                            mi + 1
                        } else {
                            mi
                        };
                        postings.push(PostingRec {
                            amount: extra,
                            text: Text::Adjustment,
                            ..base.clone()
                        });
                        postings.push(PostingRec {
                            date: months[back_m].last,
                            amount: -extra,
                            text: Text::Repayment,
                            month: months[back_m].month as u8,
                            ..base.clone()
                        });
                    }
                    postings.push(base);
                }
                Booking::Lump => {
                    let c = activity_cost(Quantity(sp.volume), pr[0], d.unit, days);
                    lumps[fn_ix[sp.service.ix()] as usize * nm + mi] += c.0;
                }
                Booking::NoActivity => unreachable!("skipped above"),
            }
        }
    }
    // Services nobody records activity for: a number of places, paid as lumps.
    let citizens = pop.persons.len() as i64;
    for &s in S::ALL {
        let per_100k = no_activity_places_per_100k(s);
        if per_100k == 0 {
            continue;
        }
        // Places in thousandths: citizens × per_100k / 100,000 × 1,000.
        let places = Quantity(mul_div(citizens, per_100k, 100));
        for (mi, m) in months.iter().enumerate() {
            let yi = (m.year - first_year) as usize;
            let pr = price[s.ix() * years + yi][0];
            let c = activity_cost(places, pr, s.def().unit, m.days());
            lumps[fn_ix[s.ix()] as usize * nm + mi] += c.0;
        }
    }
    for (fi, f) in functions.iter().enumerate() {
        let oh = overhead_permille(f);
        for (mi, m) in months.iter().enumerate() {
            let activity = lumps[fi * nm + mi];
            if activity == 0 {
                continue;
            }
            let total = mul_div(activity, oh, 1000);
            let mut supplier = mul_div(total, 65, 100);
            let payroll = total - supplier;
            let base = PostingRec {
                date: m.last,
                function: fi as u8,
                amount: 0,
                person: NO_PERSON,
                service: None,
                text: Text::Supplier,
                month: m.month as u8,
            };
            if rng.f64() < 0.06 {
                // An invoice too high, and the supplier's credit note the same month.
                let credit = mul_div(supplier, rng.i64(1..=5), 100);
                supplier += credit;
                postings.push(PostingRec {
                    amount: -credit,
                    text: Text::CreditNote,
                    ..base.clone()
                });
            }
            postings.push(PostingRec {
                amount: supplier,
                ..base.clone()
            });
            postings.push(PostingRec {
                amount: payroll,
                text: Text::Payroll,
                ..base
            });
        }
    }
    // As a financial system lists them: by date, then account.
    postings.sort_by_key(|p| (p.date, p.function));
    Ledger {
        functions,
        postings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_cover_the_window_without_gaps() {
        let ms = months(2024, 2025);
        assert_eq!(ms.len(), 24);
        assert_eq!(ms[1].days(), 29, "February 2024 is a leap month");
        assert_eq!(ms[13].days(), 28);
        for w in ms.windows(2) {
            assert_eq!(w[0].last + 1, w[1].first);
        }
        let total: i64 = ms.iter().map(Month::days).sum();
        assert_eq!(total, 366 + 365);
    }

    #[test]
    fn monthly_benefit_is_prorated_by_days() {
        let ms = months(2025, 2025);
        let rate = Ore::from_kroner(12_000);
        // A whole month is the monthly rate; 15 of April's 30 days is half.
        assert_eq!(person_amount(S::Kth, rate, 1000, 30, &ms[3]), 1_200_000);
        assert_eq!(person_amount(S::Kth, rate, 1000, 15, &ms[3]), 600_000);
        // 10 of January's 31 days: 12,000 × 10 / 31 = 3,870.967… kr.
        assert_eq!(person_amount(S::Kth, rate, 1000, 10, &ms[0]), 387_097);
        // A placement is priced by the day.
        let day = Ore::from_kroner(1_500);
        assert_eq!(person_amount(S::AnbPleje, day, 1000, 31, &ms[0]), 4_650_000);
    }

    #[test]
    fn mul_div_rounds_half_up() {
        assert_eq!(mul_div(5, 1, 2), 3);
        assert_eq!(mul_div(4, 1, 3), 1);
        assert_eq!(mul_div(i64::MAX / 2, 4, 4), i64::MAX / 2);
    }
}
