//! The municipal departments (forvaltninger) a citizen's services come from.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A department. The code is the stable identifier used in data files; names are for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    Employment,
    AdultSocial,
    ChildrenFamily,
    Health,
    Elderly,
    Psychiatry,
    Disability,
    Integration,
}

impl Department {
    pub const ALL: [Department; 8] = [
        Department::Employment,
        Department::AdultSocial,
        Department::ChildrenFamily,
        Department::Health,
        Department::Elderly,
        Department::Psychiatry,
        Department::Disability,
        Department::Integration,
    ];

    /// The code written in data files (Danish, ASCII).
    pub fn code(self) -> &'static str {
        match self {
            Department::Employment => "beskaeftigelse",
            Department::AdultSocial => "social_voksne",
            Department::ChildrenFamily => "boern_familie",
            Department::Health => "sundhed",
            Department::Elderly => "aeldre",
            Department::Psychiatry => "psykiatri",
            Department::Disability => "handicap",
            Department::Integration => "integration",
        }
    }

    pub fn from_code(code: &str) -> Option<Department> {
        let c = code.trim().to_lowercase();
        Department::ALL.into_iter().find(|d| d.code() == c)
    }

    /// Dense index 0..8, for per-department arrays and bit sets.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name_da(self) -> &'static str {
        match self {
            Department::Employment => "Beskæftigelse",
            Department::AdultSocial => "Socialområdet, voksne",
            Department::ChildrenFamily => "Børn og familie",
            Department::Health => "Sundhed",
            Department::Elderly => "Ældre og pleje",
            Department::Psychiatry => "Psykiatri",
            Department::Disability => "Handicap",
            Department::Integration => "Integration",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Department::Employment => "Employment",
            Department::AdultSocial => "Adult social services",
            Department::ChildrenFamily => "Children and families",
            Department::Health => "Health",
            Department::Elderly => "Elderly care",
            Department::Psychiatry => "Psychiatry",
            Department::Disability => "Disability",
            Department::Integration => "Integration",
        }
    }

    /// All valid codes, for error messages ("expected one of …").
    pub fn codes_list() -> String {
        Department::ALL.map(|d| d.code()).join(", ")
    }
}

impl fmt::Display for Department {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_indices_are_dense() {
        for (i, d) in Department::ALL.into_iter().enumerate() {
            assert_eq!(Department::from_code(d.code()), Some(d));
            assert_eq!(d.index(), i);
        }
        assert_eq!(Department::from_code(" Sundhed "), Some(Department::Health));
        assert_eq!(Department::from_code("finance"), None);
    }
}
