//! The publication's tables and page sections for target groups, overlaps and combinations,
//! built from the published [`RuleAnalysis`] only (through the same [`Table`] model as the rest
//! of the publication, so CSV, xlsx and HTML agree).

use super::labels::centre_name;
use crate::complexity::bucket_label;
use crate::groups::{AGE_BANDS, RuleAnalysis, RuleText, ServiceName};
use tvaers_core::Ore;
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_report::{
    Block, Cell, Chart, HBar, Section, Table, TableId, Value as V, cells, hidden_kind, hidden_text,
    one,
};
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

/// "0–17", "65+" for the column headers.
fn band_text(b: usize) -> String {
    match AGE_BANDS[b] {
        (from, Some(to)) => format!("{from}–{to}"),
        (from, None) => format!("{from}+"),
    }
}

/// The rule tables, in file order.
pub(super) struct RuleTables {
    pub target_groups: Table,
    pub by_department: Table,
    pub by_complexity: Table,
    pub with_overlaps: Table,
    pub overlaps: Table,
    pub combinations: Table,
}

impl RuleTables {
    pub fn into_vec(self) -> Vec<Table> {
        vec![
            self.target_groups,
            self.by_department,
            self.by_complexity,
            self.with_overlaps,
            self.overlaps,
            self.combinations,
        ]
    }
}

/// Builds the rule tables from the published rule analysis.
pub(super) fn tables(r: &RuleAnalysis, lang: Lang) -> RuleTables {
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
            let hidden = V::hidden_of(&g.figures);
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

    RuleTables {
        target_groups: Table {
            id: TableId::TargetGroups,
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
        by_department: Table {
            id: TableId::TargetGroupDepartments,
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
        by_complexity: Table {
            id: TableId::TargetGroupComplexity,
            title: t(Key::table_target_group_complexity),
            headers: h(&[
                Key::col_target_group,
                Key::col_concurrent_departments,
                Key::col_persons,
            ]),
            rows: by_complexity,
            money_unit: false,
        },
        with_overlaps: Table {
            id: TableId::TargetGroupOverlaps,
            title: t(Key::table_target_group_overlaps),
            headers: h(&[Key::col_target_group, Key::col_overlap, Key::col_both]),
            rows: with_overlaps,
            money_unit: false,
        },
        overlaps: Table {
            id: TableId::Overlaps,
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
        combinations: Table {
            id: TableId::Combinations,
            title: t(Key::table_combinations),
            headers: combo_headers,
            rows: combos,
            money_unit: false,
        },
    }
}

/// The three page sections: target groups, overlaps, combinations.
pub(super) fn sections(r: &RuleAnalysis, lang: Lang, tables: &RuleTables) -> Vec<Section> {
    let t = |k| msg::t(lang, k).to_string();
    let bar = |label: String, c: &dyn HiddenKind, value: Option<(f64, String)>| match value {
        Some((v, text)) => HBar {
            label,
            parts: vec![v.max(0.0)],
            value_text: text,
        },
        None => HBar {
            label,
            parts: Vec::new(),
            value_text: hidden_text(lang, c.hidden()).to_string(),
        },
    };
    let sizes = r
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
    let costs = r
        .target_groups
        .iter()
        .map(|g| {
            bar(
                name(lang, &g.rule),
                &g.cost,
                g.cost
                    .value()
                    .map(|c| (c.cost.0 as f64, msg::money(lang, c.cost))),
            )
        })
        .collect();
    // On the page only the pairs that occur; the files keep the zeros.
    let mut with_overlaps = tables.with_overlaps.clone();
    with_overlaps
        .rows
        .retain(|row| row.last() != Some(&V::Int(0)));
    let target_groups = Section {
        heading: t(Key::section_target_groups),
        blocks: vec![
            Block::Paragraph(t(Key::intro_target_groups)),
            Block::Note(msg::t1(lang, Key::rules_source, &r.source)),
            Block::Figure(Chart::HBars {
                title: t(Key::chart_target_group_sizes),
                series: vec![t(Key::col_persons)],
                bars: sizes,
            }),
            Block::Figure(Chart::HBars {
                title: t(Key::chart_target_group_costs),
                series: vec![t(Key::col_cost_kr)],
                bars: costs,
            }),
            Block::Table(tables.target_groups.clone()),
            Block::Table(tables.by_department.clone()),
            Block::Table(tables.by_complexity.clone()),
            Block::Table(with_overlaps),
            Block::Note(t(Key::method_target_groups)),
        ],
    };

    let overlaps = Section {
        heading: t(Key::section_overlaps),
        blocks: vec![
            Block::Paragraph(t(Key::intro_overlaps)),
            Block::Table(tables.overlaps.clone()),
            Block::Note(t(Key::method_overlaps)),
        ],
    };

    let mut combinations = vec![Block::Paragraph(t(Key::intro_combinations))];
    if tables.combinations.rows.is_empty() {
        combinations.push(Block::Paragraph(t(Key::note_no_combinations)));
    } else {
        let mut top = tables.combinations.clone();
        top.rows.truncate(HTML_COMBINATIONS);
        top.title = msg::t1(
            lang,
            Key::table_combinations_top,
            &msg::int(lang, top.rows.len() as i64),
        );
        combinations.push(Block::Table(top));
    }
    if r.combinations.withheld_nested > 0 {
        combinations.push(Block::Note(msg::t1(
            lang,
            Key::note_combinations_withheld,
            &msg::int(lang, r.combinations.withheld_nested as i64),
        )));
    }
    combinations.push(Block::Note(t(Key::method_combinations)));
    let combinations = Section {
        heading: t(Key::section_combinations),
        blocks: combinations,
    };

    vec![target_groups, overlaps, combinations]
}

/// Why a cell of any value type is hidden; lets one bar builder take cells of both kinds.
trait HiddenKind {
    fn hidden(&self) -> tvaers_report::Suppression;
}

impl<T> HiddenKind for Cell<T> {
    fn hidden(&self) -> tvaers_report::Suppression {
        hidden_kind(self)
    }
}
