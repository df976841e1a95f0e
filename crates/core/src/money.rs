//! Money as integer øre. Never `f64`: sums must agree to the øre with an independent computation.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of Danish kroner held as integer øre (1 kr = 100 øre).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Ore(pub i64);

impl Ore {
    pub const ZERO: Ore = Ore(0);

    /// The largest absolute amount of one posting: 10^12 kr (a municipality's whole yearly
    /// budget is below 10^11 kr). Larger amounts are typos or wrong units and must be rejected
    /// on import ([`check_amount`]); with them, sums could leave `i64`.
    pub const MAX_POSTING: Ore = Ore(100_000_000_000_000);

    /// The largest absolute unit price: 10^8 kr per unit (a year in residential care costs
    /// about 10^6 kr). See [`check_price`].
    pub const MAX_PRICE: Ore = Ore(10_000_000_000);

    /// `self + o`, or `None` if it does not fit.
    pub fn checked_add(self, o: Ore) -> Option<Ore> {
        self.0.checked_add(o.0).map(Ore)
    }

    /// `self − o`, or `None` if it does not fit.
    pub fn checked_sub(self, o: Ore) -> Option<Ore> {
        self.0.checked_sub(o.0).map(Ore)
    }

    /// The sum of `items`, exact (accumulated in `i128`), or `None` if it does not fit in øre
    /// as `i64`.
    pub fn checked_sum(items: impl IntoIterator<Item = Ore>) -> Option<Ore> {
        let total: i128 = items.into_iter().map(|o| o.0 as i128).sum();
        i64::try_from(total).ok().map(Ore)
    }

    pub fn from_kroner(kr: i64) -> Ore {
        Ore(kr * 100)
    }

    /// Whole kroner, rounded half away from zero (for display and charts only).
    pub fn round_kroner(self) -> i64 {
        let q = self.0 / 100;
        let r = self.0 % 100;
        if r >= 50 {
            q + 1
        } else if r <= -50 {
            q - 1
        } else {
            q
        }
    }

    /// Parses an amount in kroner with an optional fraction of at most two digits, using the
    /// given decimal separator; `.`/`,` (whichever is not the decimal separator) and spaces are
    /// accepted as thousands separators. Returns `None` if the text is not such a number.
    pub fn parse_kroner(text: &str, decimal: char) -> Option<Ore> {
        let t = text.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        if t.is_empty() {
            return None;
        }
        let thousands = if decimal == ',' { '.' } else { ',' };
        let (int_part, frac_part) = match t.rfind(decimal) {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => (t, ""),
        };
        let mut whole: i64 = 0;
        let mut digits = 0;
        for c in int_part.chars() {
            if c.is_ascii_digit() {
                whole = whole
                    .checked_mul(10)?
                    .checked_add((c as u8 - b'0') as i64)?;
                digits += 1;
            } else if c == thousands || c == ' ' || c == '\u{a0}' {
                continue;
            } else {
                return None;
            }
        }
        if frac_part.len() > 2 || !frac_part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if digits == 0 && frac_part.is_empty() {
            return None;
        }
        let mut frac: i64 = 0;
        for c in frac_part.chars() {
            frac = frac * 10 + (c as u8 - b'0') as i64;
        }
        if frac_part.len() == 1 {
            frac *= 10;
        }
        let v = whole.checked_mul(100)?.checked_add(frac)?;
        Some(Ore(if neg { -v } else { v }))
    }

    /// Danish display form: `1.234.567,89 kr.` without the unit.
    pub fn to_danish(self) -> String {
        format_grouped(self.0, '.', ',')
    }

    /// English display form: `1,234,567.89`.
    pub fn to_english(self) -> String {
        format_grouped(self.0, ',', '.')
    }
}

/// A value outside the documented limits of a posting, a unit price or a spell volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("amount {0} kr is beyond ±{max} kr", max = Ore::MAX_POSTING.0 / 100)]
    Amount(Ore),
    #[error("unit price {0} kr is beyond ±{max} kr", max = Ore::MAX_PRICE.0 / 100)]
    Price(Ore),
    #[error("volume {0} is negative or beyond {max}", max = crate::Quantity::MAX_VOLUME)]
    Volume(crate::Quantity),
}

/// A posting's amount if its absolute value is at most [`Ore::MAX_POSTING`]. The importer
/// should call this for every posting (and the analysis refuses a register that fails it).
pub fn check_amount(amount: Ore) -> Result<Ore, LimitError> {
    if amount.0.unsigned_abs() <= Ore::MAX_POSTING.0 as u64 {
        Ok(amount)
    } else {
        Err(LimitError::Amount(amount))
    }
}

/// A unit price if its absolute value is at most [`Ore::MAX_PRICE`].
pub fn check_price(price: Ore) -> Result<Ore, LimitError> {
    if price.0.unsigned_abs() <= Ore::MAX_PRICE.0 as u64 {
        Ok(price)
    } else {
        Err(LimitError::Price(price))
    }
}

fn format_grouped(ore: i64, group: char, decimal: char) -> String {
    let neg = ore < 0;
    let abs = ore.unsigned_abs();
    let whole = (abs / 100).to_string();
    let frac = abs % 100;
    let mut out = String::with_capacity(whole.len() + 8);
    if neg {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    out.push(decimal);
    out.push_str(&format!("{frac:02}"));
    out
}

impl fmt::Display for Ore {
    /// Plain, locale-free form used in machine-readable files: `-1234.56`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        write!(
            f,
            "{}{}.{:02}",
            if neg { "-" } else { "" },
            abs / 100,
            abs % 100
        )
    }
}

// The operators never wrap: beyond `i64` they panic, in release builds too. The analysis checks
// its inputs against the limits above first, so that no sum it makes can get there.
impl Add for Ore {
    type Output = Ore;
    fn add(self, o: Ore) -> Ore {
        self.checked_add(o).expect("amount beyond i64 øre")
    }
}
impl AddAssign for Ore {
    fn add_assign(&mut self, o: Ore) {
        *self = *self + o;
    }
}
impl Sub for Ore {
    type Output = Ore;
    fn sub(self, o: Ore) -> Ore {
        self.checked_sub(o).expect("amount beyond i64 øre")
    }
}
impl SubAssign for Ore {
    fn sub_assign(&mut self, o: Ore) {
        *self = *self - o;
    }
}
impl Neg for Ore {
    type Output = Ore;
    fn neg(self) -> Ore {
        Ore(self.0.checked_neg().expect("amount beyond i64 øre"))
    }
}
impl Sum for Ore {
    fn sum<I: Iterator<Item = Ore>>(iter: I) -> Ore {
        Ore::checked_sum(iter).expect("sum beyond i64 øre")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_danish_and_english_forms() {
        assert_eq!(Ore::parse_kroner("1.234,5", ','), Some(Ore(123_450)));
        assert_eq!(Ore::parse_kroner("-12,34", ','), Some(Ore(-1_234)));
        assert_eq!(Ore::parse_kroner("1,234.56", '.'), Some(Ore(123_456)));
        assert_eq!(Ore::parse_kroner("7", '.'), Some(Ore(700)));
        assert_eq!(
            Ore::parse_kroner("12,345", ','),
            None,
            "three decimals is not money"
        );
        assert_eq!(Ore::parse_kroner("abc", ','), None);
        assert_eq!(Ore::parse_kroner("", ','), None);
        assert_eq!(Ore::parse_kroner(",", ','), None);
    }

    #[test]
    fn huge_postings_do_not_wrap() {
        // Two postings of 5·10^16 kr: 10^19 øre, beyond i64.
        let huge = Ore::from_kroner(50_000_000_000_000_000);
        assert_eq!(Ore::checked_sum([huge, huge]), None);
        assert_eq!(huge.checked_add(huge), None);
        assert!(
            std::panic::catch_unwind(|| huge + huge).is_err(),
            "no silent wrap"
        );
        assert!(std::panic::catch_unwind(|| [huge, huge].into_iter().sum::<Ore>()).is_err());
        // An intermediate beyond i64 that comes back is exact.
        assert_eq!(Ore::checked_sum([huge, huge, -huge]), Some(huge));
        // The limits: 10^12 kr per posting, 10^8 kr per unit price.
        assert_eq!(check_amount(huge), Err(LimitError::Amount(huge)));
        assert_eq!(check_amount(-huge), Err(LimitError::Amount(-huge)));
        assert!(check_amount(Ore::MAX_POSTING).is_ok());
        assert!(check_amount(-Ore::MAX_POSTING).is_ok());
        assert!(check_amount(Ore(Ore::MAX_POSTING.0 + 1)).is_err());
        assert!(check_amount(Ore(i64::MIN)).is_err());
        assert!(check_price(Ore::MAX_PRICE).is_ok());
        assert!(check_price(Ore(Ore::MAX_PRICE.0 + 1)).is_err());
        assert_eq!(
            check_amount(huge).unwrap_err().to_string(),
            "amount 50000000000000000.00 kr is beyond ±1000000000000 kr"
        );
    }

    #[test]
    fn displays_in_both_languages() {
        assert_eq!(Ore(123_456_789).to_danish(), "1.234.567,89");
        assert_eq!(Ore(-5).to_english(), "-0.05");
        assert_eq!(Ore(-123_456).to_string(), "-1234.56");
        assert_eq!(Ore(149).round_kroner(), 1);
        assert_eq!(Ore(150).round_kroner(), 2);
        assert_eq!(Ore(-150).round_kroner(), -2);
    }
}
