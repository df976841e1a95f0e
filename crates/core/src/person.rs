//! Persons, and the two identities a register can carry (docs/data-protection.md).
//!
//! [`Identified`] records carry the CPR number and the municipality's own family key; they
//! belong to case processing. [`Pseudonymised`] records carry only keyed pseudonyms, birth year
//! and sex; they are what the statistics purpose may use. Code for statistics takes
//! `Register<Pseudonymised>`, so passing identified data is a type error.

use crate::cpr::Cpr;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::Hash;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// `K`/`M` as the person register writes it.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "K",
            Sex::Male => "M",
        }
    }

    pub fn from_code(s: &str) -> Option<Sex> {
        match s.trim() {
            "K" | "k" | "F" | "f" | "kvinde" | "Kvinde" => Some(Sex::Female),
            "M" | "m" | "mand" | "Mand" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// A keyed pseudonym (the first 128 bits of an HMAC-SHA256 of the identifier under a secret key
/// kept outside the dataset). Without the key it cannot be reversed or recomputed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pseudonym(pub [u8; 16]);

impl Pseudonym {
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(32);
        for b in self.0 {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    pub fn from_hex(s: &str) -> Option<Pseudonym> {
        if s.len() != 32 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Pseudonym(out))
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonym({})", &self.to_hex()[..8])
    }
}

/// What every person row offers, whatever its identity.
pub trait PersonRecord {
    /// The family key: the register's own key, or its pseudonym.
    type Family: Clone + fmt::Debug + Eq + Hash;
    fn family(&self) -> &Self::Family;
    fn birth_year(&self) -> i32;
    fn sex(&self) -> Sex;
    /// Age in whole years at the end of `year` (what statistics by age use; the pseudonymised
    /// dataset keeps only the birth year).
    fn age_in_year(&self, year: i32) -> i32 {
        year - self.birth_year()
    }
}

/// Which kind of identity a register's records carry.
pub trait Identity: Clone + fmt::Debug + 'static {
    /// A person row.
    type Person: Clone + fmt::Debug + PersonRecord;
    /// A contact person (employee) reference.
    type Contact: Clone + fmt::Debug + Eq + Hash;
}

/// Case-processing identity: CPR numbers, the municipality's own keys.
#[derive(Debug, Clone, Copy)]
pub enum Identified {}

/// Statistics identity: keyed pseudonyms only.
#[derive(Debug, Clone, Copy)]
pub enum Pseudonymised {}

impl Identity for Identified {
    type Person = IdentifiedPerson;
    type Contact = String;
}

impl Identity for Pseudonymised {
    type Person = PseudonymisedPerson;
    type Contact = Pseudonym;
}

/// A row of the person register extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifiedPerson {
    pub cpr: Cpr,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// The register's household/family key, as exported.
    pub family: String,
}

/// What the statistics purpose may know of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PseudonymisedPerson {
    pub id: Pseudonym,
    pub birth_year: i32,
    pub sex: Sex,
    pub family: Pseudonym,
}

impl PersonRecord for IdentifiedPerson {
    type Family = String;
    fn family(&self) -> &String {
        &self.family
    }
    fn birth_year(&self) -> i32 {
        chrono::Datelike::year(&self.birth_date)
    }
    fn sex(&self) -> Sex {
        self.sex
    }
}

impl PersonRecord for PseudonymisedPerson {
    type Family = Pseudonym;
    fn family(&self) -> &Pseudonym {
        &self.family
    }
    fn birth_year(&self) -> i32 {
        self.birth_year
    }
    fn sex(&self) -> Sex {
        self.sex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonym_hex_round_trip() {
        let p = Pseudonym([0xab; 16]);
        assert_eq!(Pseudonym::from_hex(&p.to_hex()), Some(p));
        assert_eq!(Pseudonym::from_hex("zz"), None);
        assert_eq!(Sex::from_code("K"), Some(Sex::Female));
        assert_eq!(Sex::from_code("x"), None);
    }
}
