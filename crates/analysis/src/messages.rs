//! The one message catalogue for every user-facing string of the report (`messages.toml`,
//! embedded and parsed once), and Danish/English number formatting.
//!
//! Keys are the variants of [`Key`], so a key used in code always exists as a name; the tests
//! check that the catalogue has every key in both languages and no key that code does not know.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;
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

macro_rules! keys {
    ($($k:ident),* $(,)?) => {
        /// A message key; its name in `messages.toml` is the variant name.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($k),* }
        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$k),*];
            pub fn name(self) -> &'static str {
                match self { $(Key::$k => stringify!($k)),* }
            }
        }
    };
}

keys! {
    html_lang, report_title, period_label, intro,
    section_key_figures, section_coverage, section_departments, section_concentration,
    section_complexity, section_method, section_disclosure,
    table_key_figures, table_departments, table_concentration, table_lorenz,
    table_complexity, table_distribution,
    col_measure, col_value, col_department, col_persons, col_total_kr, col_booked_kr,
    col_activity_kr, col_unallocated_kr, col_population, col_top, col_units, col_cost_kr,
    col_share_pct, col_population_share_pct, col_criterion, col_concurrent_departments,
    col_mean_services, col_mean_contacts,
    pop_citizens, pop_families, top_pct,
    kf_citizens, kf_families, kf_cost_total, kf_cost_allocated, kf_booked, kf_activity,
    kf_unallocated, kf_booked_share, kf_activity_share, kf_unallocated_share,
    kf_gini_citizens, kf_gini_families, kf_unpriced_days, kf_skipped_spells,
    crit_departments_at_least, crit_services_7plus,
    dept_employment, dept_adult_social, dept_children_family, dept_health, dept_elderly,
    dept_psychiatry, dept_disability, dept_integration, dept_unmapped,
    chart_coverage_title, legend_booked, legend_activity, legend_unallocated,
    chart_departments_title, chart_lorenz_title, chart_lorenz_x, chart_lorenz_y,
    chart_lorenz_equality, chart_distribution_title, chart_distribution_x,
    suppressed_primary, suppressed_secondary, not_available, note_suppression,
    note_negative_unallocated, money_kr,
    method_period, method_allocation, method_activity, method_departments,
    method_concentration, method_complexity, method_families,
    disclosure_text, disclosure_files, footer,
    section_target_groups, section_overlaps, section_combinations,
    intro_target_groups, intro_overlaps, intro_combinations, rules_source,
    table_target_groups, table_target_group_departments, table_target_group_complexity,
    table_target_group_overlaps, table_overlaps, table_combinations, table_combinations_top,
    col_target_group, col_families, col_mean_cost_kr, col_family_cost_kr,
    col_mean_family_cost_kr, col_mean_concurrent_departments, col_mean_concurrent_services,
    col_services_7plus, col_overlap, col_both, col_severity, col_involved_cost_kr,
    col_mean_involved_cost_kr, col_affected_cost_kr, col_explanation, col_rank, col_services,
    col_departments, col_size, col_age_band, col_women_pct, all_departments,
    severity_info, severity_warning, severity_critical,
    chart_target_group_sizes, chart_target_group_costs,
    note_combinations_withheld, note_no_combinations,
    method_target_groups, method_overlaps, method_combinations, disclosure_rules,
    cli_generating, cli_generated, cli_reading_exports, cli_import_rejected, cli_key_created, cli_pseudonymising, cli_writing_dataset, cli_dataset_written, cli_reading_dataset, cli_report_at, cli_allocating, cli_metrics, cli_summarising, cli_writing_report, cli_writing_parquet, cli_open_report, cli_rules_ok,
}

#[derive(Debug, Deserialize)]
struct Entry {
    da: String,
    en: String,
}

const SOURCE: &str = include_str!("../messages.toml");

fn catalogue() -> &'static HashMap<String, Entry> {
    static CAT: OnceLock<HashMap<String, Entry>> = OnceLock::new();
    CAT.get_or_init(|| toml::from_str(SOURCE).expect("messages.toml is checked by the tests"))
}

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    let e = catalogue()
        .get(key.name())
        .unwrap_or_else(|| panic!("message {} missing (the tests check this)", key.name()));
    match lang {
        Lang::Da => &e.da,
        Lang::En => &e.en,
    }
}

/// The text of `key` with its `{}`s replaced by `args`, in order.
pub fn tn(lang: Lang, key: Key, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = t(lang, key).to_string();
    for a in args {
        out = out.replacen("{}", &a.to_string(), 1);
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

    #[test]
    fn every_key_has_both_languages_and_the_catalogue_has_no_stray_keys() {
        let raw: HashMap<String, toml::Value> = toml::from_str(SOURCE).expect("valid TOML");
        for k in Key::ALL {
            let v = raw
                .get(k.name())
                .unwrap_or_else(|| panic!("key {} used in code but missing", k.name()));
            for lang in ["da", "en"] {
                let s = v.get(lang).and_then(|x| x.as_str());
                assert!(
                    s.is_some_and(|s| !s.trim().is_empty()),
                    "key {} has no {lang} text",
                    k.name()
                );
            }
            assert_eq!(
                v.as_table().unwrap().len(),
                2,
                "key {}: only da and en",
                k.name()
            );
        }
        let known: std::collections::HashSet<&str> = Key::ALL.iter().map(|k| k.name()).collect();
        for name in raw.keys() {
            assert!(
                known.contains(name.as_str()),
                "catalogue key {name} is not used"
            );
        }
        // Every key is used by the code that renders the report (not only declared).
        let code = [
            include_str!("report.rs"),
            include_str!("summary.rs"),
            include_str!("svg.rs"),
            include_str!("rules_report.rs"),
            include_str!("messages.rs"),
            // The command line's strings live in this one catalogue too.
            include_str!("../../cli/src/commands.rs")
                .split("#[cfg(test)]")
                .next()
                .unwrap(),
        ]
        .concat();
        for k in Key::ALL {
            let used = format!("Key::{}", k.name());
            let n = code.matches(&used).count();
            assert!(
                code.match_indices(&used)
                    .any(|(i, _)| !code[i + used.len()..]
                        .starts_with(|c: char| c.is_alphanumeric() || c == '_')),
                "key {} is declared but never used ({n} prefix matches)",
                k.name()
            );
        }
        // And the runtime parse works.
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
