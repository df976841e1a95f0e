//! The overview part of the publication: key figures, coverage, departments, concentration
//! and complexity, as tables and page sections built from the published [`Analysis`] only.

use super::labels::centre_name;
use crate::complexity::bucket_label;
use crate::summary::{Analysis, ComplexityTable, ConcentrationTable, GroupRow};
use tvaers_core::Ore;
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_report::{
    Block, Cell, Chart, Curve, HBar, Section, Table, TableId, VBar, Value as V, cells, hidden_kind,
    hidden_text, one,
};

/// The overview's tables, in file order.
pub(super) struct OverviewTables {
    pub key_figures: Table,
    pub departments: Table,
    pub concentration: Table,
    pub lorenz: Table,
    pub complexity: Table,
    pub distribution: Table,
}

impl OverviewTables {
    pub fn into_vec(self) -> Vec<Table> {
        vec![
            self.key_figures,
            self.departments,
            self.concentration,
            self.lorenz,
            self.complexity,
            self.distribution,
        ]
    }
}

/// Builds the overview's tables from the published analysis.
pub(super) fn tables(a: &Analysis, lang: Lang) -> OverviewTables {
    let t = |k| msg::t(lang, k).to_string();
    let cov = &a.coverage;
    let gini = |c: &ConcentrationTable| one(&c.gini, |g| V::Dec(*g, 3));
    let key_rows = vec![
        vec![
            V::Text(t(Key::kf_citizens)),
            one(&a.citizens, |n| V::Int(*n as i64)),
        ],
        vec![
            V::Text(t(Key::kf_families)),
            one(&a.families, |n| V::Int(*n as i64)),
        ],
        vec![
            V::Text(t(Key::kf_cost_total)),
            one(cov, |c| V::Money(c.cost_total)),
        ],
        vec![
            V::Text(t(Key::kf_cost_allocated)),
            one(cov, |c| V::Money(c.allocated)),
        ],
        vec![V::Text(t(Key::kf_booked)), one(cov, |c| V::Money(c.booked))],
        vec![
            V::Text(t(Key::kf_activity)),
            one(cov, |c| V::Money(c.activity)),
        ],
        vec![
            V::Text(t(Key::kf_unallocated)),
            one(cov, |c| V::Money(c.unallocated)),
        ],
        vec![
            V::Text(t(Key::kf_booked_share)),
            one(cov, |c| V::Share(c.booked_share)),
        ],
        vec![
            V::Text(t(Key::kf_activity_share)),
            one(cov, |c| V::Share(c.activity_share)),
        ],
        vec![
            V::Text(t(Key::kf_unallocated_share)),
            one(cov, |c| V::Share(c.unallocated_share)),
        ],
        vec![V::Text(t(Key::kf_gini_citizens)), gini(&a.concentration)],
        vec![
            V::Text(t(Key::kf_gini_families)),
            gini(&a.family_concentration),
        ],
        vec![
            V::Text(t(Key::kf_unpriced_days)),
            one(&a.data_quality.unpriced_spell_days, |d| V::Int(*d)),
        ],
        vec![
            V::Text(t(Key::kf_skipped_spells)),
            one(&a.data_quality.skipped_spells, |d| V::Int(*d as i64)),
        ],
    ];

    let mut dept_rows = Vec::new();
    for (centre, cell) in &a.centres {
        let empty = cell.value().is_some_and(|r| {
            r.persons == 0
                && r.total == Ore::ZERO
                && r.booked == Ore::ZERO
                && r.activity == Ore::ZERO
        });
        if empty {
            continue;
        }
        let mut row = vec![V::Text(centre_name(lang, *centre).to_string())];
        row.extend(cells(cell, 5, |r| {
            vec![
                V::Int(r.persons as i64),
                V::Money(r.total),
                V::Money(r.booked),
                V::Money(r.activity),
                V::Money(r.unallocated),
            ]
        }));
        dept_rows.push(row);
    }
    let mut total_row = vec![V::Text(t(Key::kf_cost_total)), V::Empty];
    total_row.extend(cells(cov, 4, |c| {
        vec![
            V::Money(c.cost_total),
            V::Money(c.booked),
            V::Money(c.activity),
            V::Money(c.unallocated),
        ]
    }));
    dept_rows.push(total_row);

    let pops = [
        (Key::pop_citizens, &a.concentration, &a.complexity),
        (
            Key::pop_families,
            &a.family_concentration,
            &a.family_complexity,
        ),
    ];
    let mut conc_rows = Vec::new();
    let mut lorenz_rows = Vec::new();
    let mut complexity_rows = Vec::new();
    let mut dist_rows = Vec::new();
    for (pop, conc, cx) in pops {
        for (k, cell) in &conc.top {
            let mut row = vec![
                V::Text(t(pop)),
                V::Text(msg::t1(lang, Key::top_pct, &k.to_string())),
            ];
            row.extend(cells(cell, 3, |s| {
                vec![V::Int(s.units as i64), V::Money(s.cost), V::Share(s.share)]
            }));
            conc_rows.push(row);
        }
        for p in conc.lorenz.iter().filter_map(|c| c.value()) {
            lorenz_rows.push(vec![
                V::Text(t(pop)),
                V::Share(Some(p.population_share)),
                V::Share(Some(p.cost_share)),
            ]);
        }
        complexity_rows.extend(complexity_table_rows(lang, t(pop), cx));
        for (i, cell) in cx.distribution.iter().enumerate() {
            let mut row = vec![V::Text(t(pop)), V::Text(bucket_label(i))];
            row.extend(group_cells(cell));
            dist_rows.push(row);
        }
    }

    let h = |keys: &[Key]| keys.iter().map(|&k| t(k)).collect::<Vec<_>>();
    OverviewTables {
        key_figures: Table {
            id: TableId::KeyFigures,
            title: t(Key::table_key_figures),
            headers: h(&[Key::col_measure, Key::col_value]),
            rows: key_rows,
            money_unit: true,
        },
        departments: Table {
            id: TableId::Departments,
            title: t(Key::table_departments),
            headers: h(&[
                Key::col_department,
                Key::col_persons,
                Key::col_total_kr,
                Key::col_booked_kr,
                Key::col_activity_kr,
                Key::col_unallocated_kr,
            ]),
            rows: dept_rows,
            money_unit: false,
        },
        concentration: Table {
            id: TableId::Concentration,
            title: t(Key::table_concentration),
            headers: h(&[
                Key::col_population,
                Key::col_top,
                Key::col_units,
                Key::col_cost_kr,
                Key::col_share_pct,
            ]),
            rows: conc_rows,
            money_unit: false,
        },
        lorenz: Table {
            id: TableId::Lorenz,
            title: t(Key::table_lorenz),
            headers: h(&[
                Key::col_population,
                Key::col_population_share_pct,
                Key::col_share_pct,
            ]),
            rows: lorenz_rows,
            money_unit: false,
        },
        complexity: Table {
            id: TableId::Complexity,
            title: t(Key::table_complexity),
            headers: h(&[
                Key::col_population,
                Key::col_criterion,
                Key::col_units,
                Key::col_cost_kr,
                Key::col_mean_services,
                Key::col_mean_contacts,
            ]),
            rows: complexity_rows,
            money_unit: false,
        },
        distribution: Table {
            id: TableId::ComplexityDistribution,
            title: t(Key::table_distribution),
            headers: h(&[
                Key::col_population,
                Key::col_concurrent_departments,
                Key::col_units,
                Key::col_cost_kr,
                Key::col_mean_services,
                Key::col_mean_contacts,
            ]),
            rows: dist_rows,
            money_unit: false,
        },
    }
}

fn group_cells(cell: &Cell<GroupRow>) -> Vec<V> {
    cells(cell, 4, |g| {
        vec![
            V::Int(g.units as i64),
            one(&g.cost, |c| V::Money(*c)),
            V::Dec(g.mean_services, 2),
            V::Dec(g.mean_contacts, 2),
        ]
    })
}

fn complexity_table_rows(lang: Lang, pop: String, cx: &ComplexityTable) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for (thr, cell) in &cx.departments_at_least {
        let mut row = vec![
            V::Text(pop.clone()),
            V::Text(msg::t1(
                lang,
                Key::crit_departments_at_least,
                &thr.to_string(),
            )),
        ];
        row.extend(group_cells(cell));
        rows.push(row);
    }
    let mut row = vec![
        V::Text(pop),
        V::Text(msg::t(lang, Key::crit_services_7plus).into()),
    ];
    row.extend(group_cells(&cx.services_7plus));
    rows.push(row);
    rows
}

/// The overview's page sections, in page order.
pub(super) fn sections(a: &Analysis, lang: Lang, tables: &OverviewTables) -> Vec<Section> {
    let t = |k| msg::t(lang, k).to_string();
    let section = |key: Key, blocks: Vec<Block>| Section {
        heading: t(key),
        blocks,
    };
    let three_parts = || {
        vec![
            t(Key::legend_booked),
            t(Key::legend_activity),
            t(Key::legend_unallocated),
        ]
    };

    let key_figures = section(
        Key::section_key_figures,
        vec![Block::Table(tables.key_figures.clone())],
    );

    let mut coverage = Vec::new();
    match a.coverage.value() {
        Some(c) => {
            let shares = [c.booked_share, c.activity_share, c.unallocated_share];
            coverage.push(Block::Figure(Chart::StackedBar {
                title: t(Key::chart_coverage_title),
                labels: three_parts(),
                values: vec![
                    c.booked.0 as f64,
                    c.activity.0 as f64,
                    c.unallocated.0 as f64,
                ],
                texts: shares
                    .iter()
                    .map(|s| match s {
                        Some(f) => msg::percent(lang, *f, 1),
                        None => t(Key::not_available),
                    })
                    .collect(),
            }));
            if c.unallocated.0 < 0 {
                coverage.push(Block::Note(t(Key::note_negative_unallocated)));
            }
        }
        None => coverage.push(Block::Note(format!(
            "{} {}",
            hidden_text(lang, hidden_kind(&a.coverage)),
            t(Key::note_suppression)
        ))),
    }
    let coverage = section(Key::section_coverage, coverage);

    let bars = a
        .centres
        .iter()
        .filter_map(|(centre, cell)| {
            let label = centre_name(lang, *centre).to_string();
            match cell.value() {
                Some(r) if r.persons == 0 && r.total == Ore::ZERO && r.activity == Ore::ZERO => {
                    None
                }
                Some(r) => Some(HBar {
                    label,
                    parts: vec![
                        r.booked.0 as f64,
                        r.activity.0 as f64,
                        r.unallocated.0.max(0) as f64,
                    ],
                    value_text: msg::money(lang, r.total),
                }),
                None => Some(HBar {
                    label,
                    parts: Vec::new(),
                    value_text: hidden_text(lang, hidden_kind(cell)).to_string(),
                }),
            }
        })
        .collect();
    let departments = section(
        Key::section_departments,
        vec![
            Block::Figure(Chart::HBars {
                title: t(Key::chart_departments_title),
                series: three_parts(),
                bars,
            }),
            Block::Table(tables.departments.clone()),
            Block::Note(t(Key::method_departments)),
        ],
    );

    let curve = |key: Key, c: &ConcentrationTable| Curve {
        label: t(key),
        points: c
            .lorenz
            .iter()
            .filter_map(|p| p.value())
            .map(|p| (p.population_share, p.cost_share))
            .collect(),
    };
    let concentration = section(
        Key::section_concentration,
        vec![
            Block::Figure(Chart::Lorenz {
                title: t(Key::chart_lorenz_title),
                x_label: t(Key::chart_lorenz_x),
                y_label: t(Key::chart_lorenz_y),
                equality_label: t(Key::chart_lorenz_equality),
                curves: vec![
                    curve(Key::pop_citizens, &a.concentration),
                    curve(Key::pop_families, &a.family_concentration),
                ],
            }),
            Block::Table(tables.concentration.clone()),
            Block::Note(t(Key::method_concentration)),
        ],
    );

    // Bucket 0 (no department) holds most citizens and would flatten the other bars: it is left
    // out of the chart, with a note, and kept in the table.
    let distribution = a
        .complexity
        .distribution
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| match c.value() {
            Some(g) => VBar {
                label: bucket_label(i),
                value: Some(g.units as f64),
                value_text: msg::int(lang, g.units as i64),
            },
            None => VBar {
                label: bucket_label(i),
                value: None,
                value_text: hidden_text(lang, hidden_kind(c)).to_string(),
            },
        })
        .collect();
    let complexity = section(
        Key::section_complexity,
        vec![
            Block::Figure(Chart::VBars {
                title: t(Key::chart_distribution_title),
                x_label: t(Key::chart_distribution_x),
                bars: distribution,
            }),
            Block::Note(msg::t1(
                lang,
                Key::note_distribution_zero,
                &match a.complexity.distribution.first().map(|c| (c.value(), c)) {
                    Some((Some(g), _)) => msg::int(lang, g.units as i64),
                    Some((None, c)) => hidden_text(lang, hidden_kind(c)).to_string(),
                    None => msg::int(lang, 0),
                },
            )),
            Block::Table(tables.complexity.clone()),
            Block::Table(tables.distribution.clone()),
            Block::Note(t(Key::method_complexity)),
        ],
    );

    vec![
        key_figures,
        coverage,
        departments,
        concentration,
        complexity,
    ]
}
