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

impl Add for Ore {
    type Output = Ore;
    fn add(self, o: Ore) -> Ore {
        Ore(self.0 + o.0)
    }
}
impl AddAssign for Ore {
    fn add_assign(&mut self, o: Ore) {
        self.0 += o.0;
    }
}
impl Sub for Ore {
    type Output = Ore;
    fn sub(self, o: Ore) -> Ore {
        Ore(self.0 - o.0)
    }
}
impl SubAssign for Ore {
    fn sub_assign(&mut self, o: Ore) {
        self.0 -= o.0;
    }
}
impl Neg for Ore {
    type Output = Ore;
    fn neg(self) -> Ore {
        Ore(-self.0)
    }
}
impl Sum for Ore {
    fn sum<I: Iterator<Item = Ore>>(iter: I) -> Ore {
        Ore(iter.map(|o| o.0).sum())
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
    fn displays_in_both_languages() {
        assert_eq!(Ore(123_456_789).to_danish(), "1.234.567,89");
        assert_eq!(Ore(-5).to_english(), "-0.05");
        assert_eq!(Ore(-123_456).to_string(), "-1234.56");
        assert_eq!(Ore(149).round_kroner(), 1);
        assert_eq!(Ore(150).round_kroner(), 2);
        assert_eq!(Ore(-150).round_kroner(), -2);
    }
}
