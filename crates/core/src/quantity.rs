//! Fixed-point quantities (hours a week, places, …) in thousandths, so that cost = volume ×
//! price stays in integer arithmetic and can be reproduced to the øre elsewhere (SQL).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A non-negative quantity with three decimals, held as thousandths.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(pub i64);

impl Quantity {
    pub const ONE: Quantity = Quantity(1000);

    /// The largest volume of a spell: 100,000 units of the service's unit (hours a week, places,
    /// …; a week has 168 hours). With it and [`crate::Ore::MAX_PRICE`], the cost of one spell
    /// over one year fits in `i64` øre with room to spare (≤ 10^5 · 10^10 øre · 366 days for a
    /// daily unit ≈ 3.7 · 10^17). See [`check_volume`].
    pub const MAX_VOLUME: Quantity = Quantity(100_000_000);

    pub fn from_thousandths(t: i64) -> Quantity {
        Quantity(t)
    }

    pub fn thousandths(self) -> i64 {
        self.0
    }

    /// Parses `12`, `12.5` or `12,5` (with the given decimal separator), at most three decimals.
    pub fn parse(text: &str, decimal: char) -> Option<Quantity> {
        let t = text.trim();
        if t.is_empty() || t.starts_with('-') {
            return None;
        }
        let (int_part, frac_part) = match t.find(decimal) {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => (t, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part.chars().all(|c| c.is_ascii_digit())
            || !frac_part.chars().all(|c| c.is_ascii_digit())
            || frac_part.len() > 3
        {
            return None;
        }
        let whole: i64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut frac: i64 = if frac_part.is_empty() {
            0
        } else {
            frac_part.parse().ok()?
        };
        for _ in frac_part.len()..3 {
            frac *= 10;
        }
        Some(Quantity(whole.checked_mul(1000)?.checked_add(frac)?))
    }
}

/// A spell's volume if it is between 0 and [`Quantity::MAX_VOLUME`]. The importer should call
/// this for every spell (and the analysis refuses a register that fails it).
pub fn check_volume(volume: Quantity) -> Result<Quantity, crate::money::LimitError> {
    if (0..=Quantity::MAX_VOLUME.0).contains(&volume.0) {
        Ok(volume)
    } else {
        Err(crate::money::LimitError::Volume(volume))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let s = format!("{frac:03}");
            write!(f, "{whole}.{}", s.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!(Quantity::parse("12,5", ','), Some(Quantity(12_500)));
        assert_eq!(Quantity::parse("0.125", '.'), Some(Quantity(125)));
        assert_eq!(Quantity::parse("3", '.'), Some(Quantity(3_000)));
        assert_eq!(Quantity::parse("-1", '.'), None);
        assert_eq!(Quantity::parse("1.2345", '.'), None);
        assert_eq!(Quantity(12_500).to_string(), "12.5");
        assert_eq!(Quantity(3_000).to_string(), "3");
    }
}
