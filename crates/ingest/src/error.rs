//! Import errors: each names the file, the line, the column, the value and what was expected,
//! so that the person who made the export can find and fix it.
//!
//! An error holds catalogue keys and their arguments ([`Message`]), not text: it is rendered in
//! the user's language with [`ImportError::render`] / [`ImportErrors::render`]. `Display` is the
//! English rendering, for logs and tests.

use std::fmt;
use tvaers_messages::{Key, Lang, tn};

/// A catalogue message with the arguments for its `{}`s, rendered in a language on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: Key,
    /// Filled into the text's `{}`s in order; language-neutral (names, numbers, values).
    pub args: Vec<String>,
}

impl Message {
    /// `key` with `args` for its `{}`s.
    pub fn new(key: Key, args: &[&dyn fmt::Display]) -> Message {
        Message {
            key,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<&dyn fmt::Display> = self.args.iter().map(|a| a as _).collect();
        tn(lang, self.key, &args)
    }
}

impl fmt::Display for Message {
    /// The English rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl From<Key> for Message {
    /// A message without arguments.
    fn from(key: Key) -> Message {
        Message {
            key,
            args: Vec::new(),
        }
    }
}

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
    /// What is wrong, as a predicate of the value: [`Key::import_not_amount`], "is not an
    /// amount".
    pub problem: Message,
    /// What was expected instead, if anything.
    pub expected: Option<Message>,
    /// On how many later lines of the file the same value has the same problem (one bad person
    /// referenced from a thousand spells is one line with a count, not a thousand lines).
    pub repeats: u64,
}

impl ImportError {
    /// `posteringer.csv:4812: column "beloeb": "12.3x" is not an amount; expected kroner with at
    /// most two decimals, decimal ","` (en), `…: kolonne "beloeb": "12.3x" er ikke et beløb;
    /// forventet kroner med højst to decimaler, decimaltegn ","` (da).
    pub fn render(&self, lang: Lang) -> String {
        let mut out = self.file.clone();
        if self.line > 0 {
            out.push_str(&format!(":{}", self.line));
        }
        out.push_str(": ");
        let problem = self.problem.render(lang);
        // Masked again after quoting: the quoting's escapes can put a digit before digits of
        // the value (a NUL is shown `\0`, so NUL + `21196-9383` showed `021196-9383`).
        let column = mask_cpr(&format!("{:?}", self.column));
        out.push_str(&match self.kind {
            ErrorKind::MissingColumn => tn(lang, Key::import_missing_column, &[&column, &problem]),
            _ if self.column.is_empty() => problem,
            _ => {
                let value = mask_cpr(&format!("{:?}", self.value));
                tn(lang, Key::import_column_value, &[&column, &value, &problem])
            }
        });
        if let Some(expected) = &self.expected {
            out.push_str("; ");
            out.push_str(&tn(lang, Key::import_expected, &[&expected.render(lang)]));
        }
        if self.repeats > 0 {
            out.push_str(&tn(lang, Key::import_repeats, &[&self.repeats]));
        }
        out
    }
}

impl fmt::Display for ImportError {
    /// The English rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
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

    /// One error per line, then a count of those not listed, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let mut lines: Vec<String> = self.errors.iter().map(|e| e.render(lang)).collect();
        if self.truncated > 0 {
            let key = if self.truncated == 1 {
                Key::import_more_error
            } else {
                Key::import_more_errors
            };
            lines.push(tn(lang, key, &[&self.truncated, &ERRORS_PER_FILE]));
        }
        lines.join("\n")
    }
}

impl fmt::Display for ImportErrors {
    /// The English rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for ImportErrors {}

/// Collects the errors of one file, listing the first [`ERRORS_PER_FILE`] and counting the rest.
#[derive(Debug)]
pub(crate) struct Collector {
    pub file: String,
    pub errors: Vec<ImportError>,
    pub overflow: usize,
    /// (column, value) of errors reported with [`Collector::push_once`] → their index.
    once: std::collections::HashMap<(String, String), usize>,
}

impl Collector {
    pub fn new(file: &str) -> Collector {
        Collector {
            file: file.to_string(),
            errors: Vec::new(),
            overflow: 0,
            once: std::collections::HashMap::new(),
        }
    }

    /// As [`Collector::push`], but a value already reported in this column with this method
    /// only counts as a repeat of that first error.
    pub fn push_once(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        kind: ErrorKind,
        problem: impl Into<Message>,
        expected: impl Into<Message>,
    ) {
        let key = (column.to_string(), value.to_string());
        if let Some(&i) = self.once.get(&key) {
            self.errors[i].repeats += 1;
            return;
        }
        if self.errors.len() < ERRORS_PER_FILE {
            self.once.insert(key, self.errors.len());
        }
        self.push(line, column, value, kind, problem, expected);
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

    /// An error in `column` at `value`, with what was expected.
    pub fn push(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        kind: ErrorKind,
        problem: impl Into<Message>,
        expected: impl Into<Message>,
    ) {
        self.add(
            line,
            column,
            value,
            kind,
            problem.into(),
            Some(expected.into()),
        );
    }

    /// An error with nothing to say about what was expected.
    pub fn push_bare(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        kind: ErrorKind,
        problem: impl Into<Message>,
    ) {
        self.add(line, column, value, kind, problem.into(), None);
    }

    /// An error about the whole file (line 0) or a whole row.
    pub fn whole(&mut self, line: u64, kind: ErrorKind, problem: impl Into<Message>) {
        self.push_bare(line, "", "", kind, problem);
    }

    fn add(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        kind: ErrorKind,
        problem: Message,
        expected: Option<Message>,
    ) {
        if self.full() {
            return;
        }
        let safe = |m: Message| Message {
            key: m.key,
            args: m.args.iter().map(|a| shown(a)).collect(),
        };
        self.errors.push(ImportError {
            file: self.file.clone(),
            line,
            column: column.to_string(),
            value: shown(value),
            kind,
            problem: safe(problem),
            expected: expected.map(safe),
            repeats: 0,
        });
    }
}

/// The longest value an error message repeats (in characters); the rest is cut, so that a
/// runaway field (a lost quote swallowing a file) does not flood a log.
pub const SHOWN_CHARS: usize = 40;

/// A value as an error message may show it: CPR numbers masked and long values cut. Messages
/// end up in shared logs and tickets, where a whole CPR number must never appear.
pub fn shown(value: &str) -> String {
    let masked = mask_cpr(value);
    let count = masked.chars().count();
    if count <= SHOWN_CHARS {
        return masked;
    }
    let head: String = masked.chars().take(SHOWN_CHARS).collect();
    // Cutting a longer run of digits (not a CPR number, so not masked above) can leave ten
    // digits at the end of the head that are CPR-shaped, such as a CPR number written with a
    // digit after it: mask again.
    format!("{}… (+{} chars)", mask_cpr(&head), count - SHOWN_CHARS)
}

/// Replaces the serial of every CPR-shaped run (six digits, an optional `-`, four digits, not
/// inside a longer run of digits) with `****`: `310380-1235` → `310380-****`. The birth date
/// stays, so the person who made the export can still find the row.
pub fn mask_cpr(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let digit = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
    while i < b.len() {
        let starts_run = digit(i) && (i == 0 || !digit(i - 1));
        if starts_run && (i..i + 6).all(digit) {
            let dash = b.get(i + 6) == Some(&b'-');
            let serial = i + 6 + usize::from(dash);
            if (serial..serial + 4).all(digit) && !digit(serial + 4) {
                out.push_str(&text[i..serial]);
                out.push_str("****");
                i = serial + 4;
                continue;
            }
        }
        // Copy one whole character (the text may hold any UTF-8).
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpr_numbers_in_messages_are_masked() {
        assert_eq!(mask_cpr("310380-1235"), "310380-****");
        assert_eq!(mask_cpr("3103801235"), "310380****");
        assert_eq!(
            mask_cpr("a 310380-1235 and 010101-0001."),
            "a 310380-**** and 010101-****."
        );
        // Not CPR-shaped: other digit runs stay.
        assert_eq!(mask_cpr("12345678901"), "12345678901");
        assert_eq!(mask_cpr("2.345.629,30"), "2.345.629,30");
        assert_eq!(mask_cpr("Kontanthjælp 2024"), "Kontanthjælp 2024");
        let mut c = Collector::new("personer.csv");
        c.push(
            2,
            "cpr",
            "3201801235",
            ErrorKind::Malformed,
            Message::new(Key::import_not_amount, &[&"seen 010180-1235 before"]),
            Key::import_expected_amount,
        );
        let text = c.errors[0].to_string();
        assert!(
            !text.contains("1235") && text.contains("320180****"),
            "{text}"
        );
        assert_eq!(c.errors[0].problem.args, ["seen 010180-**** before"]);
    }

    #[test]
    fn a_runaway_value_is_cut() {
        let big = "x".repeat(50_000_000 / 1000);
        let v = shown(&big);
        assert!(v.chars().count() < SHOWN_CHARS + 20, "{}", v.len());
        assert!(v.ends_with(&format!("(+{} chars)", 50_000 - SHOWN_CHARS)));
        assert_eq!(shown("kort"), "kort");
    }

    #[test]
    fn quoting_a_value_never_makes_a_whole_cpr_number() {
        // Found by the fuzz target `csv_import` (fuzz/regressions/csv_import/): a NUL before
        // `21196-9383` is quoted as `\021196-9383`, ten CPR-shaped digits in the message.
        let mut c = Collector::new("forloeb.csv");
        c.push(
            2,
            "cpr",
            "6\x0021196-9383",
            ErrorKind::Malformed,
            Key::import_not_cpr,
            Key::import_expected_cpr,
        );
        for lang in [Lang::En, Lang::Da] {
            let text = c.errors[0].render(lang);
            assert!(!text.contains("9383"), "{text}");
            assert!(text.contains(r#""6\021196-****""#), "{text}");
        }
    }

    #[test]
    fn cutting_a_value_never_leaves_a_whole_cpr_number() {
        // Found by the fuzz target `values` (fuzz/regressions/values/): an eleven-digit run is
        // no CPR number and stays, but cut after its tenth digit it showed one.
        let value = format!(
            "{}6103801235{}",
            "x".repeat(SHOWN_CHARS - 10),
            "7".repeat(20)
        );
        let v = shown(&value);
        assert!(!v.contains("6103801235"), "{v}");
        assert!(v.starts_with(&format!("{}610380****…", "x".repeat(SHOWN_CHARS - 10))));
    }

    #[test]
    fn display_has_the_documented_form() {
        let e = ImportError {
            file: "posteringer.csv".into(),
            line: 4812,
            column: "beloeb".into(),
            value: "12.3x".into(),
            kind: ErrorKind::Malformed,
            problem: Key::import_not_amount.into(),
            expected: Some(Message::new(Key::import_expected_amount, &[&','])),
            repeats: 0,
        };
        assert_eq!(
            e.to_string(),
            "posteringer.csv:4812: column \"beloeb\": \"12.3x\" is not an amount; \
             expected kroner with at most two decimals, decimal \",\""
        );
        assert_eq!(e.render(Lang::En), e.to_string());
        assert_eq!(
            e.render(Lang::Da),
            "posteringer.csv:4812: kolonne \"beloeb\": \"12.3x\" er ikke et beløb; \
             forventet kroner med højst to decimaler, decimaltegn \",\""
        );
    }

    #[test]
    fn whole_file_and_missing_column_errors_in_both_languages() {
        let mut c = Collector::new("personer.csv");
        c.whole(
            0,
            ErrorKind::Unreadable,
            Message::new(Key::import_file_not_found, &[&"ind"]),
        );
        c.push_bare(
            1,
            "cpr",
            "",
            ErrorKind::MissingColumn,
            Message::new(
                Key::import_missing_column_detail,
                &[&"persons", &"cpr", &"a, b"],
            ),
        );
        let all = ImportErrors {
            errors: c.errors,
            truncated: 1,
        };
        assert_eq!(
            all.to_string(),
            "personer.csv: file not found in ind\n\
             personer.csv:1: missing column \"cpr\" (field persons.cpr); the header has: a, b\n\
             … and 1 more error not listed (at most 100 are listed per file)"
        );
        assert_eq!(
            all.render(Lang::Da),
            "personer.csv: filen findes ikke i ind\n\
             personer.csv:1: mangler kolonnen \"cpr\" (felt persons.cpr); overskriftslinjen \
             indeholder: a, b\n\
             … og 1 fejl mere, som ikke er vist (højst 100 vises pr. fil)"
        );
    }

    #[test]
    fn a_brace_pair_in_a_value_is_shown_as_it_is() {
        let mut c = Collector::new("x.csv");
        c.push(
            2,
            "{}",
            "{}",
            ErrorKind::Malformed,
            Key::import_not_date,
            Key::import_expected_date,
        );
        assert_eq!(
            c.errors[0].to_string(),
            "x.csv:2: column \"{}\": \"{}\" is not a date; \
             expected yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy, dd/mm/yyyy or yyyymmdd (optionally with a time)"
        );
    }

    #[test]
    fn collector_lists_a_hundred_and_counts_the_rest() {
        let mut c = Collector::new("x.csv");
        for i in 0..250 {
            c.push_bare(i + 2, "a", "b", ErrorKind::Malformed, Key::import_not_date);
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
        assert!(
            all.render(Lang::Da)
                .ends_with("… og 150 fejl mere, som ikke er vist (højst 100 vises pr. fil)")
        );
    }
}
