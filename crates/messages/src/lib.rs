//! The one message catalogue of Tværs: every user-facing string of the report, the command line
//! and the importer's validation errors (`messages.toml`, Danish and English), and Danish/English
//! number formatting.
//!
//! The build script turns the catalogue into the [`Key`] enum and one text table per language:
//! a key that code uses but the catalogue lacks does not compile, a message without both
//! languages (or with a different number of `{}` in them) fails the build, and looking a text up
//! cannot fail at run time. A test checks that every key is used somewhere in the workspace.

#![forbid(unsafe_code)]

use tvaers_core::{Department, NaiveDate, Ore};

/// The report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().as_str() {
            "da" | "dansk" | "danish" => Some(Lang::Da),
            "en" | "english" | "engelsk" => Some(Lang::En),
            _ => None,
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/keys.rs"));

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::Da => DA[key as usize],
        Lang::En => EN[key as usize],
    }
}

/// The text of `key` with its `{}`s replaced by `args`, in order. A `{}` inside an argument is
/// left as it is (arguments may be values read from a user's file).
pub fn tn(lang: Lang, key: Key, args: &[&dyn std::fmt::Display]) -> String {
    use std::fmt::Write as _;
    let mut parts = t(lang, key).split("{}");
    let mut out = parts.next().unwrap_or("").to_string();
    let mut args = args.iter();
    for part in parts {
        match args.next() {
            Some(a) => write!(out, "{a}").expect("writing to a String"),
            None => out.push_str("{}"),
        }
        out.push_str(part);
    }
    out
}

/// The text of `key` with its `{}` replaced by `arg`.
pub fn t1(lang: Lang, key: Key, arg: &str) -> String {
    t(lang, key).replacen("{}", arg, 1)
}

/// The display name of a department.
pub fn department(lang: Lang, d: Department) -> &'static str {
    t(
        lang,
        match d {
            Department::Employment => Key::dept_employment,
            Department::AdultSocial => Key::dept_adult_social,
            Department::ChildrenFamily => Key::dept_children_family,
            Department::Health => Key::dept_health,
            Department::Elderly => Key::dept_elderly,
            Department::Psychiatry => Key::dept_psychiatry,
            Department::Disability => Key::dept_disability,
            Department::Integration => Key::dept_integration,
        },
    )
}

fn group_digits(mut n: u64, sep: char) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(&sep.to_string())
}

/// An integer with thousands separators: `1.234.567` (da), `1,234,567` (en).
pub fn int(lang: Lang, n: i64) -> String {
    let sep = match lang {
        Lang::Da => '.',
        Lang::En => ',',
    };
    let s = group_digits(n.unsigned_abs(), sep);
    if n < 0 { format!("-{s}") } else { s }
}

/// A decimal number with `decimals` places: `1.234,5` (da), `1,234.5` (en).
pub fn decimal(lang: Lang, x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (sep, point) = match lang {
        Lang::Da => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::new();
    // Only a minus when something non-zero is shown.
    if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    out.push_str(&group_digits(whole.parse().unwrap_or(0), sep));
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Whole kroner with the currency: `1.234.567 kr.` (da), `DKK 1,234,567` (en).
pub fn money(lang: Lang, amount: Ore) -> String {
    t1(lang, Key::money_kr, &int(lang, amount.round_kroner()))
}

/// A fraction as per cent: `12,3 %` (da), `12.3%` (en).
pub fn percent(lang: Lang, fraction: f64, decimals: usize) -> String {
    let n = decimal(lang, fraction * 100.0, decimals);
    match lang {
        Lang::Da => format!("{n} %"),
        Lang::En => format!("{n}%"),
    }
}

/// A date: `31.12.2024` (da), `2024-12-31` (en).
pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Da => d.format("%d.%m.%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.rs` file under `dir`.
    fn sources(dir: &std::path::Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Tests do not count as use.
                out.push_str(text.split("#[cfg(test)]").next().unwrap());
            }
        }
    }

    #[test]
    fn every_key_is_used_by_some_crate() {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut code = String::new();
        for krate in std::fs::read_dir(&crates).unwrap().flatten() {
            let src = krate.path().join("src");
            if src.is_dir() {
                sources(&src, &mut code);
            }
        }
        assert!(code.len() > 10_000, "found the workspace's sources");
        for k in Key::ALL {
            let used = format!("Key::{}", k.name());
            assert!(
                code.match_indices(&used)
                    .any(|(i, _)| !code[i + used.len()..]
                        .starts_with(|c: char| c.is_alphanumeric() || c == '_')),
                "key {} is in messages.toml but no crate uses it",
                k.name()
            );
        }
        assert_eq!(t(Lang::Da, Key::html_lang), "da");
        assert_eq!(t(Lang::En, Key::html_lang), "en");
    }

    #[test]
    fn placeholders_are_where_code_fills_them() {
        for k in [
            Key::top_pct,
            Key::crit_departments_at_least,
            Key::money_kr,
            Key::rules_source,
            Key::table_combinations_top,
            Key::col_age_band,
            Key::note_combinations_withheld,
        ] {
            for lang in [Lang::Da, Lang::En] {
                assert_eq!(t(lang, k).matches("{}").count(), 1, "{k:?} {lang:?}");
            }
        }
    }

    #[test]
    fn arguments_are_filled_in_once() {
        assert_eq!(
            tn(Lang::En, Key::cli_rules_ok, &[&"a{}b", &3]),
            "a{}b: 3 rules, all valid"
        );
        assert_eq!(
            tn(Lang::En, Key::cli_rules_ok, &[&"x"]),
            "x: {} rules, all valid"
        );
    }

    #[test]
    fn danish_and_english_numbers() {
        assert_eq!(int(Lang::Da, 1_234_567), "1.234.567");
        assert_eq!(int(Lang::En, -1_234_567), "-1,234,567");
        assert_eq!(int(Lang::Da, 999), "999");
        assert_eq!(money(Lang::Da, Ore(123_456_789)), "1.234.568 kr.");
        assert_eq!(money(Lang::En, Ore(123_456_749)), "DKK 1,234,567");
        assert_eq!(percent(Lang::Da, 0.1234, 1), "12,3 %");
        assert_eq!(percent(Lang::En, 0.1234, 1), "12.3%");
        assert_eq!(decimal(Lang::Da, 1234.5, 2), "1.234,50");
        assert_eq!(decimal(Lang::Da, -0.001, 1), "0,0");
        assert_eq!(
            date(Lang::Da, NaiveDate::from_ymd_opt(2024, 1, 5).unwrap()),
            "05.01.2024"
        );
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
    }
}
