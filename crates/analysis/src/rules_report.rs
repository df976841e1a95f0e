//! The report's tables and HTML sections for target groups, overlaps and combinations, built
//! from the published [`RuleAnalysis`] only (through the same [`Table`] model as the rest of the
//! report, so CSV, xlsx and HTML agree).

use crate::disclosure::{Cell, Suppression};
use crate::groups::{AGE_BANDS, RuleAnalysis, RuleText, ServiceName};
use crate::report::{
    Table, V, bucket_label, cells, centre_name, figure, hidden_text, html_table, one,
};
use crate::svg;
use std::fmt::Write as _;
use tvaers_core::Ore;
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_rules::Severity;

/// Combinations shown on the report page (the tables hold all listed ones).
pub const HTML_COMBINATIONS: usize = 25;

fn name(lang: Lang, r: &RuleText) -> String {
    match lang {
        Lang::Da => r.name_da.clone(),
        Lang::En => r.name_en.clone(),
    }
}

fn explanation(lang: Lang, r: &RuleText) -> String {
    match lang {
        Lang::Da => r.explanation_da.clone(),
        Lang::En => r.explanation_en.clone(),
    }
}

fn service_name(lang: Lang, s: &ServiceName) -> &str {
    match lang {
        Lang::Da => &s.name_da,
        Lang::En => &s.name_en,
    }
}

pub(crate) fn severity(lang: Lang, s: Severity) -> &'static str {
    msg::t(
        lang,
        match s {
            Severity::Info => Key::severity_info,
            Severity::Warning => Key::severity_warning,
            Severity::Critical => Key::severity_critical,
        },
    )
}

fn hidden_of<T>(c: &Cell<T>) -> V {
    V::Hidden(c.suppression().unwrap_or(Suppression::Secondary))
}

/// "0–17", "65+" for the column headers.
fn band_text(b: usize) -> String {
    match AGE_BANDS[b] {
        (from, Some(to)) => format!("{from}–{to}"),
        (from, None) => format!("{from}+"),
    }
}

/// The rule tables, in report order: `maalgrupper`, `maalgrupper_forvaltninger`,
/// `maalgrupper_kompleksitet`, `maalgrupper_overlap`, `overlap`, `kombinationer`.
pub(crate) fn tables(r: &RuleAnalysis, lang: Lang) -> Vec<Table> {
    let t = |k| msg::t(lang, k).to_string();
    let h = |keys: &[Key]| keys.iter().map(|&k| t(k)).collect::<Vec<_>>();

    let mut groups = Vec::new();
    let mut by_dept = Vec::new();
    let mut by_complexity = Vec::new();
    let mut with_overlaps = Vec::new();
    for g in &r.target_groups {
        let label = V::Text(name(lang, &g.rule));
        let mut row = vec![label.clone()];
        row.extend(cells(&g.figures, 2, |f| {
            vec![
                V::Int(f.citizens as i64),
                f.families.map_or(V::Empty, |n| V::Int(n as i64)),
            ]
        }));
        row.extend(cells(&g.cost, 4, |c| {
            vec![
                V::Money(c.cost),
                V::Money(c.average),
                c.family_cost.map_or(V::Empty, V::Money),
                c.family_average.map_or(V::Empty, V::Money),
            ]
        }));
        row.extend(cells(&g.figures, 3, |f| {
            vec![
                V::Dec(Some(f.mean_concurrent_departments), 2),
                V::Dec(Some(f.mean_concurrent_services), 2),
                V::Dec(Some(f.mean_contacts), 2),
            ]
        }));
        row.push(one(&g.services_7plus, |n| V::Int(*n as i64)));
        groups.push(row);

        if g.figures.is_suppressed() {
            // One row, so that not even which cells would be empty shows.
            let all = V::Text(t(Key::all_departments));
            let hidden = hidden_of(&g.figures);
            by_dept.push(vec![
                label.clone(),
                all.clone(),
                hidden.clone(),
                hidden.clone(),
            ]);
            by_complexity.push(vec![label.clone(), all.clone(), hidden.clone()]);
            with_overlaps.push(vec![label, all, hidden]);
            continue;
        }
        for (centre, cell) in &g.by_centre {
            let empty = cell
                .value()
                .is_some_and(|c| c.persons == 0 && c.cost == Ore::ZERO);
            if empty {
                continue;
            }
            let mut row = vec![
                label.clone(),
                V::Text(centre_name(lang, *centre).to_string()),
            ];
            row.extend(cells(cell, 2, |c| {
                vec![V::Int(c.persons as i64), V::Money(c.cost)]
            }));
            by_dept.push(row);
        }
        for (i, cell) in g.concurrent_departments.iter().enumerate() {
            by_complexity.push(vec![
                label.clone(),
                V::Text(bucket_label(i)),
                one(cell, |n| V::Int(*n as i64)),
            ]);
        }
        for (cell, o) in g.overlaps.iter().zip(&r.overlaps) {
            with_overlaps.push(vec![
                label.clone(),
                V::Text(name(lang, &o.rule)),
                one(cell, |n| V::Int(*n as i64)),
            ]);
        }
    }

    let overlaps = r
        .overlaps
        .iter()
        .map(|o| {
            let mut row = vec![
                V::Text(name(lang, &o.rule)),
                V::Text(severity(lang, o.rule.severity).to_string()),
            ];
            row.extend(cells(&o.figures, 2, |f| {
                vec![
                    V::Int(f.citizens as i64),
                    f.families.map_or(V::Empty, |n| V::Int(n as i64)),
                ]
            }));
            row.extend(cells(&o.cost, 3, |c| {
                vec![
                    V::Money(c.involved),
                    V::Money(c.involved_average),
                    V::Money(c.cost),
                ]
            }));
            row.push(V::Text(explanation(lang, &o.rule)));
            row
        })
        .collect();

    let combos = r
        .combinations
        .rows
        .iter()
        .map(|c| {
            let services: Vec<&str> = c.services.iter().map(|s| service_name(lang, s)).collect();
            let departments: Vec<&str> = c
                .departments
                .iter()
                .map(|&d| msg::department(lang, d))
                .collect();
            let mut row = vec![
                V::Int(c.rank as i64),
                V::Text(services.join(" + ")),
                V::Text(departments.join(", ")),
                V::Int(c.services.len() as i64),
                one(&c.citizens, |n| V::Int(*n as i64)),
            ];
            row.extend(cells(&c.cost, 2, |x| {
                vec![V::Money(x.cost), V::Money(x.average)]
            }));
            row.extend(c.age_bands.iter().map(|b| one(b, |n| V::Int(*n as i64))));
            row.push(one(&c.women_share, |s| V::Share(Some(*s))));
            row
        })
        .collect();
    let mut combo_headers = h(&[
        Key::col_rank,
        Key::col_services,
        Key::col_departments,
        Key::col_size,
        Key::col_persons,
        Key::col_cost_kr,
        Key::col_mean_cost_kr,
    ]);
    combo_headers
        .extend((0..AGE_BANDS.len()).map(|b| msg::t1(lang, Key::col_age_band, &band_text(b))));
    combo_headers.push(t(Key::col_women_pct));

    vec![
        Table {
            stem: "maalgrupper",
            title: t(Key::table_target_groups),
            headers: h(&[
                Key::col_target_group,
                Key::col_persons,
                Key::col_families,
                Key::col_cost_kr,
                Key::col_mean_cost_kr,
                Key::col_family_cost_kr,
                Key::col_mean_family_cost_kr,
                Key::col_mean_concurrent_departments,
                Key::col_mean_concurrent_services,
                Key::col_mean_contacts,
                Key::col_services_7plus,
            ]),
            rows: groups,
            money_unit: false,
        },
        Table {
            stem: "maalgrupper_forvaltninger",
            title: t(Key::table_target_group_departments),
            headers: h(&[
                Key::col_target_group,
                Key::col_department,
                Key::col_persons,
                Key::col_cost_kr,
            ]),
            rows: by_dept,
            money_unit: false,
        },
        Table {
            stem: "maalgrupper_kompleksitet",
            title: t(Key::table_target_group_complexity),
            headers: h(&[
                Key::col_target_group,
                Key::col_concurrent_departments,
                Key::col_persons,
            ]),
            rows: by_complexity,
            money_unit: false,
        },
        Table {
            stem: "maalgrupper_overlap",
            title: t(Key::table_target_group_overlaps),
            headers: h(&[Key::col_target_group, Key::col_overlap, Key::col_both]),
            rows: with_overlaps,
            money_unit: false,
        },
        Table {
            stem: "overlap",
            title: t(Key::table_overlaps),
            headers: h(&[
                Key::col_overlap,
                Key::col_severity,
                Key::col_persons,
                Key::col_families,
                Key::col_involved_cost_kr,
                Key::col_mean_involved_cost_kr,
                Key::col_affected_cost_kr,
                Key::col_explanation,
            ]),
            rows: overlaps,
            money_unit: false,
        },
        Table {
            stem: "kombinationer",
            title: t(Key::table_combinations),
            headers: combo_headers,
            rows: combos,
            money_unit: false,
        },
    ]
}

/// The three HTML sections (target groups, overlaps, combinations).
pub(crate) fn html_sections(out: &mut String, r: &RuleAnalysis, lang: Lang, tables: &[Table]) {
    let t = |k| msg::t(lang, k);
    let e = |k| svg::esc(msg::t(lang, k));
    let table = |stem: &str| tables.iter().find(|t| t.stem == stem);

    let _ = write!(
        out,
        "<section><h2>{}</h2><p>{}</p><p class=\"note\">{}</p>",
        e(Key::section_target_groups),
        e(Key::intro_target_groups),
        svg::esc(&msg::t1(lang, Key::rules_source, &r.source))
    );
    let bar = |label: String, c: &Cell<_>, value: Option<(f64, String)>| match value {
        Some((v, text)) => svg::HBar {
            label,
            parts: vec![v.max(0.0)],
            value_text: text,
        },
        None => svg::HBar {
            label,
            parts: Vec::new(),
            value_text: hidden_text(lang, hidden_kind(c)).to_string(),
        },
    };
    let sizes: Vec<svg::HBar> = r
        .target_groups
        .iter()
        .map(|g| {
            bar(
                name(lang, &g.rule),
                &g.figures,
                g.figures
                    .value()
                    .map(|f| (f.citizens as f64, msg::int(lang, f.citizens as i64))),
            )
        })
        .collect();
    figure(
        out,
        t(Key::chart_target_group_sizes),
        &svg::hbars(
            t(Key::chart_target_group_sizes),
            &[t(Key::col_persons)],
            &sizes,
        ),
    );
    let costs: Vec<svg::HBar> = r
        .target_groups
        .iter()
        .map(|g| {
            let v = g
                .cost
                .value()
                .map(|c| (c.cost.0 as f64, msg::money(lang, c.cost)));
            svg::HBar {
                label: name(lang, &g.rule),
                parts: v.as_ref().map(|x| vec![x.0.max(0.0)]).unwrap_or_default(),
                value_text: match v {
                    Some((_, text)) => text,
                    None => hidden_text(lang, hidden_kind(&g.cost)).to_string(),
                },
            }
        })
        .collect();
    figure(
        out,
        t(Key::chart_target_group_costs),
        &svg::hbars(
            t(Key::chart_target_group_costs),
            &[t(Key::col_cost_kr)],
            &costs,
        ),
    );
    for stem in [
        "maalgrupper",
        "maalgrupper_forvaltninger",
        "maalgrupper_kompleksitet",
    ] {
        if let Some(tb) = table(stem) {
            html_table(out, tb, lang);
        }
    }
    if let Some(tb) = table("maalgrupper_overlap") {
        // On the page only the pairs that occur; the files keep the zeros.
        let mut shown = tb.clone();
        shown.rows.retain(|row| row.last() != Some(&V::Int(0)));
        html_table(out, &shown, lang);
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}</p></section>",
        e(Key::method_target_groups)
    );

    let _ = write!(
        out,
        "<section><h2>{}</h2><p>{}</p>",
        e(Key::section_overlaps),
        e(Key::intro_overlaps)
    );
    if let Some(tb) = table("overlap") {
        html_table(out, tb, lang);
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}</p></section>",
        e(Key::method_overlaps)
    );

    let _ = write!(
        out,
        "<section><h2>{}</h2><p>{}</p>",
        e(Key::section_combinations),
        e(Key::intro_combinations)
    );
    match table("kombinationer") {
        Some(tb) if !tb.rows.is_empty() => {
            let mut top = tb.clone();
            top.rows.truncate(HTML_COMBINATIONS);
            top.title = msg::t1(
                lang,
                Key::table_combinations_top,
                &msg::int(lang, top.rows.len() as i64),
            );
            html_table(out, &top, lang);
        }
        _ => {
            let _ = write!(out, "<p>{}</p>", e(Key::note_no_combinations));
        }
    }
    if r.combinations.withheld_nested > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            svg::esc(&msg::t1(
                lang,
                Key::note_combinations_withheld,
                &msg::int(lang, r.combinations.withheld_nested as i64)
            ))
        );
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}</p></section>",
        e(Key::method_combinations)
    );
}

fn hidden_kind<T>(c: &Cell<T>) -> Suppression {
    c.suppression().unwrap_or(Suppression::Secondary)
}
