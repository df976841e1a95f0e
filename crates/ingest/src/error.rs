//! Import errors: each names the file, the line, the column, the value and what was expected,
//! so that the person who made the export can find and fix it.

use std::fmt;

/// What kind of problem an [`ImportError`] is (docs/data-formats.md, "Validation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file is missing, unreadable, not CSV/Parquet, or in an unsupported encoding.
    Unreadable,
    /// A required column is not in the header.
    MissingColumn,
    /// A value does not parse (CPR, date, amount, quantity, code, unit, year), or a row has the
    /// wrong number of fields.
    Malformed,
    /// A key occurs twice (CPR, service code, price per service and year).
    Duplicate,
    /// A reference to a person or service that is not in its file.
    UnknownReference,
    /// Values that parse but contradict each other (end before start, birth date or unit not
    /// matching, negative price).
    Inconsistent,
}

/// One problem in one place of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// File name as the profile names it (relative to the input directory).
    pub file: String,
    /// Line in the file, the header being line 1 (Parquet: row number + 1); 0 for the whole file.
    pub line: u64,
    /// Column name (empty when the error concerns the whole file or row).
    pub column: String,
    /// The offending value as read (trimmed).
    pub value: String,
    pub kind: ErrorKind,
    /// What is wrong, as a predicate of the value: `is not an amount`.
    pub problem: String,
    /// What was expected instead (may be empty).
    pub expected: String,
}

impl fmt::Display for ImportError {
    /// `posteringer.csv:4812: column "beloeb": "12.3x" is not an amount; expected kroner with at
    /// most two decimals, decimal ","`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        match self.kind {
            ErrorKind::MissingColumn => {
                write!(f, ": missing column {:?} {}", self.column, self.problem)?
            }
            ErrorKind::Unreadable if self.column.is_empty() => write!(f, ": {}", self.problem)?,
            _ if self.column.is_empty() => write!(f, ": {}", self.problem)?,
            _ => write!(
                f,
                ": column {:?}: {:?} {}",
                self.column, self.value, self.problem
            )?,
        }
        if !self.expected.is_empty() {
            write!(f, "; expected {}", self.expected)?;
        }
        Ok(())
    }
}

/// All problems an import found. The import is all-or-nothing: one error and nothing is
/// returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors {
    /// The errors reported, in file order, at most [`ERRORS_PER_FILE`] per file.
    pub errors: Vec<ImportError>,
    /// How many more errors were found but not listed.
    pub truncated: usize,
}

/// How many errors are listed per file before the rest are only counted.
pub const ERRORS_PER_FILE: usize = 100;

impl ImportErrors {
    /// Total number of errors found, listed or not.
    pub fn total(&self) -> usize {
        self.errors.len() + self.truncated
    }
}

impl fmt::Display for ImportErrors {
    /// One error per line, then a count of those not listed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.truncated > 0 {
            if !self.errors.is_empty() {
                writeln!(f)?;
            }
            write!(
                f,
                "… and {} more error{} not listed (at most {ERRORS_PER_FILE} are listed per file)",
                self.truncated,
                if self.truncated == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

/// Collects the errors of one file, listing the first [`ERRORS_PER_FILE`] and counting the rest.
#[derive(Debug)]
pub(crate) struct Collector {
    pub file: String,
    pub errors: Vec<ImportError>,
    pub overflow: usize,
}

impl Collector {
    pub fn new(file: &str) -> Collector {
        Collector {
            file: file.to_string(),
            errors: Vec::new(),
            overflow: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.overflow == 0
    }

    /// Whether the next error would only be counted; lets callers skip formatting it.
    fn full(&mut self) -> bool {
        if self.errors.len() >= ERRORS_PER_FILE {
            self.overflow += 1;
            true
        } else {
            false
        }
    }

    pub fn push(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        kind: ErrorKind,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) {
        if self.full() {
            return;
        }
        self.errors.push(ImportError {
            file: self.file.clone(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            kind,
            problem: problem.into(),
            expected: expected.into(),
        });
    }

    /// An error about the whole file (line 0) or a whole row.
    pub fn whole(&mut self, line: u64, kind: ErrorKind, problem: impl Into<String>) {
        self.push(line, "", "", kind, problem, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_the_documented_form() {
        let e = ImportError {
            file: "posteringer.csv".into(),
            line: 4812,
            column: "beloeb".into(),
            value: "12.3x".into(),
            kind: ErrorKind::Malformed,
            problem: "is not an amount".into(),
            expected: "kroner with at most two decimals, decimal \",\"".into(),
        };
        assert_eq!(
            e.to_string(),
            "posteringer.csv:4812: column \"beloeb\": \"12.3x\" is not an amount; \
             expected kroner with at most two decimals, decimal \",\""
        );
    }

    #[test]
    fn collector_lists_a_hundred_and_counts_the_rest() {
        let mut c = Collector::new("x.csv");
        for i in 0..250 {
            c.push(i + 2, "a", "b", ErrorKind::Malformed, "is bad", "");
        }
        assert_eq!(c.errors.len(), ERRORS_PER_FILE);
        assert_eq!(c.overflow, 150);
        let all = ImportErrors {
            errors: c.errors,
            truncated: c.overflow,
        };
        assert_eq!(all.total(), 250);
        let text = all.to_string();
        assert_eq!(text.lines().count(), 101);
        assert!(text.lines().last().unwrap().contains("150 more errors"));
    }
}
