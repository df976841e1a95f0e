//! The built-in spellings of coded fields: what the importer reads without a value mapping in
//! the profile (`F` and `Kvinde` for a woman, `MOR` for a parent, `timer` for hours…).
//!
//! [`BUILT_IN`] is the one table: the readers look values up here and nowhere else, and
//! docs/data-formats.md ("Built-in spellings") lists the same table — a test reads the doc's
//! table and compares, so the two cannot drift. A profile's `[<table>.values.<field>]` is applied
//! first; what it does not map is looked up here; what is in neither is an error naming the
//! value.

use tvaers_core::{Department, RelationKind, ServiceKind, Sex, Unit};

/// One code of a coded field and the other spellings read as it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltIn {
    /// `<table>.<field>`, or `*.unit` for the unit of the catalogue, spells and prices.
    pub field: &'static str,
    /// The code Tværs reads (what a value mapping may map to).
    pub code: &'static str,
    /// Other spellings read as `code`.
    pub also: &'static [&'static str],
    /// Whether letter case is ignored (the code and every spelling, in any case).
    pub any_case: bool,
}

const fn exact(field: &'static str, code: &'static str, also: &'static [&'static str]) -> BuiltIn {
    BuiltIn {
        field,
        code,
        also,
        any_case: false,
    }
}

const fn any(field: &'static str, code: &'static str, also: &'static [&'static str]) -> BuiltIn {
    BuiltIn {
        field,
        code,
        also,
        any_case: true,
    }
}

/// Every built-in spelling, per field and code (documented in docs/data-formats.md).
pub const BUILT_IN: &[BuiltIn] = &[
    exact("persons.sex", "M", &["m", "mand", "Mand"]),
    exact("persons.sex", "K", &["k", "F", "f", "kvinde", "Kvinde"]),
    any(
        "relations.relation",
        "forælder",
        &["foraelder", "mor", "far", "parent"],
    ),
    any("relations.relation", "barn", &["child"]),
    any(
        "relations.relation",
        "partner",
        &["ægtefælle", "aegtefaelle", "samlever"],
    ),
    any("catalogue.department", "beskaeftigelse", &[]),
    any("catalogue.department", "social_voksne", &[]),
    any("catalogue.department", "boern_familie", &[]),
    any("catalogue.department", "sundhed", &[]),
    any("catalogue.department", "aeldre", &[]),
    any("catalogue.department", "psykiatri", &[]),
    any("catalogue.department", "handicap", &[]),
    any("catalogue.department", "integration", &[]),
    any("catalogue.kind", "ydelse", &["transfer_income"]),
    any("catalogue.kind", "indsats", &["intervention"]),
    any("*.unit", "time", &["timer", "hour"]),
    any("*.unit", "dag", &["dage", "døgn", "doegn", "day"]),
    any("*.unit", "uge", &["week"]),
    any("*.unit", "maaned", &["måned", "md", "month"]),
    any("*.unit", "aar", &["år", "year"]),
    any("postings.sign", "debet", &["D", "debit", "+"]),
    any("postings.sign", "kredit", &["K", "credit", "-"]),
];

/// The code `value` is read as in `field`, if the table has it.
fn lookup(field: &str, value: &str) -> Option<&'static str> {
    let entries = || BUILT_IN.iter().filter(move |b| b.field == field);
    // Exact first: the common case (the code itself) costs no allocation.
    for b in entries() {
        if b.code == value || b.also.contains(&value) {
            return Some(b.code);
        }
    }
    let same = |a: &str, b: &str| {
        if a.is_ascii() && b.is_ascii() {
            a.eq_ignore_ascii_case(b)
        } else {
            a.to_lowercase() == b.to_lowercase()
        }
    };
    entries()
        .filter(|b| b.any_case)
        .find(|b| same(b.code, value) || b.also.iter().any(|s| same(s, value)))
        .map(|b| b.code)
}

pub(crate) fn sex(value: &str) -> Option<Sex> {
    lookup("persons.sex", value).and_then(Sex::from_code)
}

pub(crate) fn relation(value: &str) -> Option<RelationKind> {
    lookup("relations.relation", value).and_then(RelationKind::from_code)
}

pub(crate) fn department(value: &str) -> Option<Department> {
    lookup("catalogue.department", value).and_then(Department::from_code)
}

pub(crate) fn service_kind(value: &str) -> Option<ServiceKind> {
    lookup("catalogue.kind", value).and_then(ServiceKind::from_code)
}

pub(crate) fn unit(value: &str) -> Option<Unit> {
    lookup("*.unit", value).and_then(Unit::from_code)
}

/// Which side of the account a posting's amount is on, from a debit/credit indicator column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sign {
    /// Debet: the amount as it stands (an expense).
    Debit,
    /// Kredit: the amount negated (a refund, an income).
    Credit,
}

pub(crate) fn sign(value: &str) -> Option<Sign> {
    match lookup("postings.sign", value)? {
        "debet" => Some(Sign::Debit),
        _ => Some(Sign::Credit),
    }
}

/// Whether `value` is read in `field` without a mapping.
pub(crate) fn known(field: &str, value: &str) -> bool {
    lookup(field, value).is_some()
}

/// The codes of `field` (what a value mapping may map to).
pub(crate) fn codes(field: &str) -> String {
    let codes: Vec<&str> = BUILT_IN
        .iter()
        .filter(|b| b.field == field)
        .map(|b| b.code)
        .collect();
    codes.join(", ")
}

/// The spellings of `field`, for "expected one of …" (codes first, then the rest).
pub(crate) fn spellings(field: &str) -> String {
    let entries: Vec<&BuiltIn> = BUILT_IN.iter().filter(|b| b.field == field).collect();
    let mut all: Vec<&str> = entries.iter().map(|b| b.code).collect();
    all.extend(entries.iter().flat_map(|b| b.also.iter().copied()));
    all.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn core_reads_every_spelling_as_its_code() {
        // The readers pass only table codes to the core's parsers; the core must agree with the
        // table on every spelling it lists, so that nothing means two things.
        for b in BUILT_IN {
            for s in std::iter::once(&b.code).chain(b.also) {
                let ok = match b.field {
                    "persons.sex" => Sex::from_code(s) == Sex::from_code(b.code),
                    "relations.relation" => {
                        RelationKind::from_code(s) == RelationKind::from_code(b.code)
                    }
                    "catalogue.department" => {
                        Department::from_code(s) == Department::from_code(b.code)
                    }
                    "catalogue.kind" => ServiceKind::from_code(s) == ServiceKind::from_code(b.code),
                    "*.unit" => Unit::from_code(s) == Unit::from_code(b.code),
                    "postings.sign" => true,
                    other => panic!("unknown field {other}"),
                };
                assert!(ok, "{}: {s} is not read as {}", b.field, b.code);
            }
        }
        assert!(
            Department::ALL
                .iter()
                .all(|d| department(d.code()) == Some(*d))
        );
        assert!(Unit::ALL.iter().all(|u| unit(u.code()) == Some(*u)));
    }

    #[test]
    fn lookups_follow_the_table() {
        assert_eq!(sex("F"), Some(Sex::Female));
        assert_eq!(sex("Kvinde"), Some(Sex::Female));
        assert_eq!(sex("KVINDE"), None, "sex is case-sensitive");
        assert_eq!(relation("MOR"), Some(RelationKind::Parent));
        assert_eq!(relation("Ægtefælle"), Some(RelationKind::Partner));
        assert_eq!(unit("TIMER"), Some(Unit::Hour));
        assert_eq!(unit("Døgn"), Some(Unit::Day));
        assert_eq!(unit("besøg"), None, "a visit is no unit of its own; map it");
        assert_eq!(department("Sundhed"), Some(Department::Health));
        assert_eq!(department("Beskæftigelse"), None, "names need a mapping");
        assert_eq!(sign("d"), Some(Sign::Debit));
        assert_eq!(sign("Kredit"), Some(Sign::Credit));
        assert_eq!(sign("-"), Some(Sign::Credit));
        assert_eq!(sign("X"), None);
        assert_eq!(sign(""), None);
    }

    /// The rows of the table between the markers in docs/data-formats.md, as
    /// `(field, code, also, any_case)`.
    fn documented() -> Vec<(String, String, Vec<String>, bool)> {
        let doc = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/data-formats.md"),
        )
        .unwrap();
        let begin = doc
            .find("<!-- built-in spellings: begin -->")
            .expect("begin marker");
        let end = doc
            .find("<!-- built-in spellings: end -->")
            .expect("end marker");
        let ticked = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        doc[begin..end]
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                assert_eq!(cells.len(), 4, "four cells: {l}");
                let field = ticked(cells[0]).concat();
                let code = ticked(cells[1]).concat();
                let case = cells[3].trim_end_matches('|').trim();
                let any_case = match case {
                    "any" => true,
                    "exact" => false,
                    other => panic!("case is any or exact, not {other}"),
                };
                (field, code, ticked(cells[2]), any_case)
            })
            .collect()
    }

    #[test]
    fn the_documented_table_is_the_code_table() {
        let code: Vec<(String, String, Vec<String>, bool)> = BUILT_IN
            .iter()
            .map(|b| {
                (
                    b.field.to_string(),
                    b.code.to_string(),
                    b.also.iter().map(|s| s.to_string()).collect(),
                    b.any_case,
                )
            })
            .collect();
        let doc = documented();
        assert_eq!(doc.len(), code.len(), "rows in docs/data-formats.md");
        for (d, c) in doc.iter().zip(&code) {
            assert_eq!(d, c, "docs/data-formats.md differs from aliases::BUILT_IN");
        }
    }
}
