//! Calendar periods with inclusive ends, as municipal data writes them ("1.1.–31.12.").

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A closed interval of calendar days, `from ..= to`. Always `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("period ends ({to}) before it starts ({from})")]
pub struct EndBeforeStart {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, EndBeforeStart> {
        if to < from {
            Err(EndBeforeStart { from, to })
        } else {
            Ok(Period { from, to })
        }
    }

    /// The whole calendar year.
    pub fn year(year: i32) -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists"),
            to: NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists"),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Number of days, counting both ends.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The part of `start ..= end` (open end = `None`) that lies inside this period.
    pub fn intersect(&self, start: NaiveDate, end: Option<NaiveDate>) -> Option<Period> {
        let from = start.max(self.from);
        let to = end.map_or(self.to, |e| e.min(self.to));
        (from <= to).then_some(Period { from, to })
    }

    /// Splits the period at calendar-year boundaries (unit prices are set per year).
    pub fn year_segments(&self) -> impl Iterator<Item = (i32, Period)> + '_ {
        (self.from.year()..=self.to.year()).map(move |y| {
            let whole = Period::year(y);
            let seg = Period {
                from: whole.from.max(self.from),
                to: whole.to.min(self.to),
            };
            (y, seg)
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} – {}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn days_and_intersections() {
        let p = Period::year(2024);
        assert_eq!(p.days(), 366);
        assert_eq!(p.intersect(d(2023, 6, 1), None), Some(p));
        assert_eq!(p.intersect(d(2023, 6, 1), Some(d(2023, 12, 31))), None);
        let i = p.intersect(d(2024, 12, 31), Some(d(2025, 2, 1))).unwrap();
        assert_eq!(i.days(), 1);
        assert!(Period::new(d(2024, 2, 1), d(2024, 1, 31)).is_err());
    }

    #[test]
    fn splits_at_year_ends() {
        let p = Period::new(d(2024, 12, 1), d(2026, 1, 10)).unwrap();
        let segs: Vec<_> = p.year_segments().collect();
        assert_eq!(segs.len(), 3);
        assert_eq!(
            segs[0],
            (2024, Period::new(d(2024, 12, 1), d(2024, 12, 31)).unwrap())
        );
        assert_eq!(segs[2].1.days(), 10);
        assert_eq!(segs.iter().map(|s| s.1.days()).sum::<i64>(), p.days());
    }
}
