//! The publication's plausibility page: the checks against the reference ranges and the
//! postings per account function, from the published [`Plausibility`] only.

use crate::plausibility::{Check, Hint, Measure, Measured, Plausibility, Status, function_code};
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_report::{Block, Section, Table, TableId, Value as V, cells};

pub(crate) fn status_key(s: Status) -> Key {
    match s {
        Status::Ok => Key::plaus_ok,
        Status::Low => Key::plaus_below,
        Status::High => Key::plaus_above,
    }
}

pub(crate) fn hint_key(h: Hint) -> Key {
    match h {
        Hint::Hundredfold => Key::hint_hundredfold,
        Hint::Hundredth => Key::hint_hundredth,
        Hint::Nothing => Key::hint_nothing,
        Hint::BookedLow => Key::hint_booked_low,
        Hint::BookedHigh => Key::hint_booked_high,
        Hint::AllocatedLow => Key::hint_allocated_low,
        Hint::AllocatedHigh => Key::hint_allocated_high,
        Hint::WithoutHigh => Key::hint_without_high,
        Hint::WithoutLow => Key::hint_without_low,
        Hint::Above => Key::hint_above,
        Hint::Below => Key::hint_below,
    }
}

/// The name of a check in `lang`.
pub(crate) fn check_name(lang: Lang, c: &Check) -> String {
    if let Some(d) = c.department {
        return msg::t1(lang, Key::plaus_department, msg::department(lang, d));
    }
    let key = match c.range.key {
        "total_per_citizen" => Key::plaus_total_per_citizen,
        "booked_share" => Key::plaus_booked_share,
        "allocated_share" => Key::plaus_allocated_share,
        _ => Key::plaus_citizens_without_service,
    };
    msg::t(lang, key).to_string()
}

/// "5.000–150.000 kr." or "10–70 %".
pub(crate) fn range_text(lang: Lang, c: &Check) -> String {
    let r = &c.range;
    let n = |x: f64| msg::int(lang, x.round() as i64);
    match r.measure {
        Measure::KronerPerCitizen => format!("{}–{} kr.", n(r.low), n(r.high)),
        Measure::Percent => match lang {
            Lang::Da => format!("{}–{} %", n(r.low), n(r.high)),
            Lang::En => format!("{}–{}%", n(r.low), n(r.high)),
        },
    }
}

pub(super) fn tables(p: &Plausibility, lang: Lang) -> (Table, Table) {
    let t = |k| msg::t(lang, k).to_string();
    let h = |keys: &[Key]| keys.iter().map(|&k| t(k)).collect::<Vec<_>>();
    let checks = p
        .checks
        .iter()
        .map(|c| {
            let mut row = vec![V::Text(check_name(lang, c))];
            row.extend(cells(&c.verdict, 1, |v| {
                vec![match v.value {
                    Measured::PerCitizen(o) => V::Money(o),
                    Measured::Share(f) => V::Share(Some(f)),
                }]
            }));
            row.push(V::Text(range_text(lang, c)));
            row.extend(cells(&c.verdict, 2, |v| {
                vec![
                    V::Text(t(status_key(v.status))),
                    v.hint.map_or(V::Empty, |h| V::Text(t(hint_key(h)))),
                ]
            }));
            row
        })
        .collect();
    let functions = p
        .functions
        .iter()
        .map(|f| {
            let mut row = vec![V::Text(function_code(f.function))];
            row.extend(cells(&f.figures, 5, |x| {
                vec![
                    V::Money(x.total),
                    V::Money(x.per_citizen),
                    V::Int(x.without_person as i64),
                    V::Money(x.without_person_amount),
                    V::Text(t(status_key(x.status))),
                ]
            }));
            row
        })
        .collect();
    (
        Table {
            id: TableId::Plausibility,
            title: t(Key::table_plausibility),
            headers: h(&[
                Key::col_check,
                Key::col_value,
                Key::col_range,
                Key::col_status,
                Key::col_hint,
            ]),
            rows: checks,
            money_unit: true,
        },
        Table {
            id: TableId::PlausibilityFunctions,
            title: t(Key::table_plausibility_functions),
            headers: h(&[
                Key::col_function,
                Key::col_total_kr,
                Key::col_per_citizen_kr,
                Key::col_without_person_postings,
                Key::col_without_person_kr,
                Key::col_status,
            ]),
            rows: functions,
            money_unit: false,
        },
    )
}

pub(super) fn section(checks: &Table, functions: &Table, lang: Lang) -> Section {
    let t = |k| msg::t(lang, k).to_string();
    Section {
        heading: t(Key::section_plausibility),
        blocks: vec![
            Block::Paragraph(t(Key::intro_plausibility)),
            Block::Table(checks.clone()),
            Block::Table(functions.clone()),
            Block::Note(t(Key::note_plausibility_ranges)),
        ],
    }
}

/// A check in words, for the command line: its name, value, status, range and hint (empty
/// when there is none); a hidden value shows its marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckText {
    pub name: String,
    pub value: String,
    pub status: String,
    pub range: String,
    pub hint: String,
}

/// [`CheckText`] of `c` in `lang`, numbers formatted the language's way.
pub fn describe_check(lang: Lang, c: &Check) -> CheckText {
    let (value, status, hint) = match c.verdict.value() {
        Some(v) => (
            match v.value {
                Measured::PerCitizen(o) => msg::money(lang, o),
                Measured::Share(f) => msg::percent(lang, f, 1),
            },
            msg::t(lang, status_key(v.status)).to_string(),
            v.hint
                .map_or(String::new(), |h| msg::t(lang, hint_key(h)).to_string()),
        ),
        None => {
            let m = tvaers_report::hidden_text(lang, tvaers_report::hidden_kind(&c.verdict));
            (m.to_string(), m.to_string(), String::new())
        }
    };
    CheckText {
        name: check_name(lang, c),
        value,
        status,
        range: range_text(lang, c),
        hint,
    }
}
