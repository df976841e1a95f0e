//! CPR numbers (docs/reference.md): form `DDMMYY-SSSS`, digit 7 with the year gives the century,
//! the last digit is odd for men and even for women. Modulus 11 is *not* required: numbers
//! issued since 2007 need not satisfy it.
//!
//! Synthetic numbers use the replacement-number convention of adding 60 to the day of month
//! (days 61–91), so that no generated number can belong to a living person.

use crate::person::Sex;
use chrono::{Datelike, NaiveDate};
use std::fmt;

/// An identified person's CPR number, normalised to ten digits. `Debug` masks it so that a
/// stray `{:?}` in a log line does not leak it; `Display` prints it in full for files that are
/// allowed to hold it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpr([u8; 10]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("expected 10 digits as DDMMYY-SSSS or DDMMYYSSSS")]
    Form,
    #[error("day/month DDMM is not a calendar date (days 61–91 are replacement numbers)")]
    Date,
}

impl Cpr {
    pub fn parse(text: &str) -> Result<Cpr, CprError> {
        let t = text.trim().as_bytes();
        let mut digits = [0u8; 10];
        let ok = match t.len() {
            10 => {
                digits.copy_from_slice(t);
                true
            }
            11 if t[6] == b'-' => {
                digits[..6].copy_from_slice(&t[..6]);
                digits[6..].copy_from_slice(&t[7..]);
                true
            }
            _ => false,
        };
        if !ok || !digits.iter().all(u8::is_ascii_digit) {
            return Err(CprError::Form);
        }
        let cpr = Cpr(digits);
        cpr.birth_date().ok_or(CprError::Date)?;
        Ok(cpr)
    }

    fn num(&self, i: usize, n: usize) -> u32 {
        self.0[i..i + n]
            .iter()
            .fold(0, |acc, d| acc * 10 + (d - b'0') as u32)
    }

    /// True for replacement numbers (day of month + 60).
    pub fn is_replacement(&self) -> bool {
        self.num(0, 2) > 60
    }

    /// The birth date the number encodes, with the century from digit 7.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let mut day = self.num(0, 2);
        if day > 60 {
            day -= 60;
        }
        let month = self.num(2, 2);
        let yy = self.num(4, 2) as i32;
        let d7 = self.num(6, 1);
        let century = match d7 {
            0..=3 => 1900,
            4 | 9 => {
                if yy <= 36 {
                    2000
                } else {
                    1900
                }
            }
            _ => {
                if yy <= 57 {
                    2000
                } else {
                    1800
                }
            }
        };
        NaiveDate::from_ymd_opt(century + yy, month, day)
    }

    pub fn sex(&self) -> Sex {
        if self.num(9, 1) % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Ten digits without the hyphen; the form pseudonymisation hashes.
    pub fn digits(&self) -> &[u8; 10] {
        &self.0
    }

    /// A synthetic replacement number for `birth` and `sex`. `serial` numbers the people of
    /// that birth date and sex (0, 1, 2, …); distinct serials give distinct numbers.
    /// Returns `None` when the serial space for that date is exhausted or the year is outside
    /// what CPR can express (1858–2057).
    pub fn synthetic(birth: NaiveDate, sex: Sex, serial: u32) -> Option<Cpr> {
        let year = birth.year();
        let yy = (year % 100) as u32;
        // Which values of digit 7 express this century.
        let sevenths: &[u32] = match year {
            1858..=1899 => &[5, 6, 7, 8],
            1900..=1936 => &[0, 1, 2, 3],
            1937..=1999 => &[0, 1, 2, 3, 4, 9],
            2000..=2036 => &[4, 9, 5, 6, 7, 8],
            2037..=2057 => &[5, 6, 7, 8],
            _ => return None,
        };
        // Digits 8–9 free (100 values), digit 10 one of five with the right parity.
        let per_seventh = 100 * 5;
        let d7 = *sevenths.get((serial / per_seventh) as usize)?;
        let rest = serial % per_seventh;
        let d89 = rest / 5;
        let d10 = (rest % 5) * 2 + if sex == Sex::Male { 1 } else { 0 };
        let s = format!(
            "{:02}{:02}{:02}{}{:02}{}",
            birth.day() + 60,
            birth.month(),
            yy,
            d7,
            d89,
            d10
        );
        let mut digits = [0u8; 10];
        digits.copy_from_slice(s.as_bytes());
        Some(Cpr(digits))
    }
}

impl fmt::Display for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = std::str::from_utf8(&self.0).expect("ASCII digits");
        write!(f, "{}-{}", &s[..6], &s[6..])
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cpr(******-****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_both_forms_and_reads_century_and_sex() {
        let a = Cpr::parse("010180-1235").unwrap();
        assert_eq!(a.birth_date(), Some(d(1980, 1, 1)));
        assert_eq!(a.sex(), Sex::Male);
        let b = Cpr::parse("0101054002").unwrap();
        assert_eq!(b.birth_date(), Some(d(2005, 1, 1)));
        assert_eq!(b.sex(), Sex::Female);
        assert_eq!(
            Cpr::parse("010170-5000").unwrap().birth_date(),
            Some(d(1870, 1, 1))
        );
        assert_eq!(a.to_string(), "010180-1235");
    }

    #[test]
    fn rejects_wrong_forms() {
        assert_eq!(Cpr::parse("01018-1235"), Err(CprError::Form));
        assert_eq!(Cpr::parse("010180 1235"), Err(CprError::Form));
        assert_eq!(Cpr::parse("0101801a35"), Err(CprError::Form));
        assert_eq!(Cpr::parse("320180-1235"), Err(CprError::Date));
        assert_eq!(Cpr::parse("300280-1235"), Err(CprError::Date));
        assert_eq!(Cpr::parse("011380-1235"), Err(CprError::Date));
    }

    #[test]
    fn synthetic_numbers_are_replacement_numbers_that_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for (birth, sex) in [(d(1951, 12, 31), Sex::Female), (d(2019, 2, 28), Sex::Male)] {
            for serial in 0..1500 {
                let c = Cpr::synthetic(birth, sex, serial).unwrap();
                assert!(c.is_replacement());
                assert_eq!(c.birth_date(), Some(birth), "{c}");
                assert_eq!(c.sex(), sex);
                assert_eq!(Cpr::parse(&c.to_string()), Ok(c.clone()));
                assert!(seen.insert(c));
            }
        }
        assert!(Cpr::synthetic(d(1980, 1, 1), Sex::Male, 2000).is_some());
        assert!(Cpr::synthetic(d(1920, 1, 1), Sex::Male, 2000).is_none());
    }

    #[test]
    fn debug_does_not_leak_the_number() {
        let c = Cpr::parse("010180-1235").unwrap();
        assert!(!format!("{c:?}").contains("0101"));
    }
}
