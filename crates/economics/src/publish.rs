//! The economics report as a [`tvaers_report::Document`] in one language (no I/O): key figures,
//! the package, before/after by department with a chart, year by year with the cumulative net
//! effect as a chart, the sensitivity table, the network model's transfers and broken guard
//! rules, the separate unit, and — with a register — the target group's baseline. The scenario's
//! own figures are the user's assumptions, not statistics about persons; the baseline's are
//! [`Cell`]s from [`crate::baseline`].

use crate::baseline::Baseline;
use crate::budget::{Network, SeparateUnit, Violation};
use crate::followup::{FollowUp, FollowUpQuarter, FollowUpRow};
use crate::model::{Harvest, Scenario};
use crate::potential::Potential;
use serde_json::{Value as Json, json};
use tvaers_analysis::allocation::CostCentre;
use tvaers_core::{Department, Ore, ServiceKind};
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_report::disclosure::Cell;
use tvaers_report::model::{
    Block, Chart, Document, HBar, Section, Table, TableId, VBar, Value, hidden_kind,
};

/// Everything one economics report shows.
pub struct Report<'a> {
    pub scenario: &'a Scenario,
    pub potential: &'a Potential,
    pub network: &'a Network,
    pub unit: &'a SeparateUnit,
    pub baseline: Option<&'a Baseline>,
}

fn money_cell(c: &Cell<Ore>) -> Value {
    match c.value() {
        Some(v) => Value::Money(*v),
        None => Value::Hidden(hidden_kind(c)),
    }
}

fn count_cell(c: &Cell<u64>) -> Value {
    match c.value() {
        Some(v) => Value::Int(*v as i64),
        None => Value::Hidden(hidden_kind(c)),
    }
}

fn cell_json<T: serde::Serialize>(c: &Cell<T>) -> Json {
    c.value().map_or(Json::Null, |v| json!(v))
}

fn kind_name(lang: Lang, k: Option<ServiceKind>) -> &'static str {
    msg::t(
        lang,
        match k {
            Some(ServiceKind::TransferIncome) => Key::econ_kind_transfer,
            Some(ServiceKind::Intervention) => Key::econ_kind_intervention,
            None => Key::econ_kind_unknown,
        },
    )
}

fn centre_name(lang: Lang, c: CostCentre) -> &'static str {
    match c {
        CostCentre::Department(d) => msg::department(lang, d),
        CostCentre::Unmapped => msg::t(lang, Key::econ_unmapped),
    }
}

fn kr_text(lang: Lang, o: Ore) -> String {
    msg::money(lang, o)
}

fn headers(lang: Lang, keys: &[Key]) -> Vec<String> {
    keys.iter().map(|k| msg::t(lang, *k).to_string()).collect()
}

fn table(lang: Lang, id: TableId, title: Key, cols: &[Key], rows: Vec<Vec<Value>>) -> Table {
    Table {
        id,
        title: msg::t(lang, title).to_string(),
        headers: headers(lang, cols),
        rows,
        money_unit: false,
    }
}

/// The report in `lang`.
pub fn publish(r: &Report<'_>, lang: Lang) -> Document {
    let s = r.scenario;
    let p = r.potential;
    let t = |k| msg::t(lang, k).to_string();
    let name = match lang {
        Lang::Da => &s.name_da,
        Lang::En => &s.name_en,
    };
    let mut tables = Vec::new();
    let mut sections = Vec::new();

    // ---- Key figures and before/after by department ----
    let payback = match p.payback_year {
        Some(y) => Value::Int(i64::from(y)),
        None => Value::Text(t(Key::econ_payback_none)),
    };
    let key_figures = Table {
        id: TableId::EconKeyFigures,
        title: t(Key::econ_table_key_figures),
        headers: headers(lang, &[Key::col_measure, Key::col_value]),
        rows: vec![
            vec![
                Value::Text(t(Key::econ_kf_persons)),
                Value::Int(i64::from(p.persons)),
            ],
            vec![
                Value::Text(t(Key::econ_kf_before_per_person)),
                Value::Money(p.before_per_person),
            ],
            vec![
                Value::Text(t(Key::econ_kf_after_per_person)),
                Value::Money(p.after_per_person),
            ],
            vec![
                Value::Text(t(Key::econ_kf_before_total)),
                Value::Money(p.before_total),
            ],
            vec![
                Value::Text(t(Key::econ_kf_after_short)),
                Value::Money(p.after_short_total),
            ],
            vec![
                Value::Text(t(Key::econ_kf_after_long)),
                Value::Money(p.after_long_total),
            ],
            vec![
                Value::Text(msg::tn(lang, Key::econ_kf_npv, &[&p.horizon_years])),
                Value::Money(p.npv),
            ],
            vec![
                Value::Text(t(Key::econ_kf_discount_rate)),
                Value::Share(Some(f64::from(s.discount_rate) / 10_000.0)),
            ],
            vec![Value::Text(t(Key::econ_kf_payback)), payback],
        ],
        money_unit: true,
    };
    let departments = table(
        lang,
        TableId::EconDepartments,
        Key::econ_table_departments,
        &[
            Key::col_department,
            Key::econ_col_before_per_person_kr,
            Key::econ_col_after_per_person_kr,
            Key::econ_col_before_kr,
            Key::econ_col_after_short_kr,
            Key::econ_col_after_long_kr,
        ],
        p.departments
            .iter()
            .map(|d| {
                vec![
                    Value::Text(msg::department(lang, d.department).to_string()),
                    Value::Money(d.before_per_person),
                    Value::Money(d.after_per_person),
                    Value::Money(d.before_total),
                    Value::Money(d.after_short_total),
                    Value::Money(d.after_long_total),
                ]
            })
            .collect(),
    );
    let mut bars = Vec::new();
    for d in &p.departments {
        let dept = msg::department(lang, d.department);
        for (when, v) in [
            (Key::econ_col_before_kr, d.before_total),
            (Key::econ_col_after_short_kr, d.after_short_total),
        ] {
            bars.push(HBar {
                label: format!("{dept} – {}", t(when)),
                parts: vec![v.round_kroner().max(0) as f64],
                value_text: kr_text(lang, v),
            });
        }
    }
    sections.push(Section {
        heading: t(Key::econ_section_potential),
        blocks: vec![
            Block::Table(key_figures.clone()),
            Block::Figure(Chart::HBars {
                title: t(Key::econ_chart_departments),
                series: vec![t(Key::econ_col_amount_kr)],
                bars,
            }),
            Block::Table(departments.clone()),
        ],
    });
    tables.push(key_figures);
    tables.push(departments);

    // ---- The package ----
    let package = table(
        lang,
        TableId::EconPackage,
        Key::econ_table_package,
        &[
            Key::econ_col_service,
            Key::col_department,
            Key::econ_col_kind,
            Key::econ_col_before_kr,
            Key::econ_col_after_kr,
        ],
        p.package
            .iter()
            .map(|row| {
                let l = &row.line;
                vec![
                    Value::Text(match lang {
                        Lang::Da => l.name_da.clone(),
                        Lang::En => l.name_en.clone(),
                    }),
                    Value::Text(msg::department(lang, l.department).to_string()),
                    Value::Text(kind_name(lang, Some(l.kind)).to_string()),
                    Value::Money(row.before),
                    Value::Money(row.after),
                ]
            })
            .collect(),
    );
    sections.push(Section {
        heading: t(Key::econ_section_package),
        blocks: vec![Block::Table(package.clone())],
    });
    tables.push(package);

    // ---- Year by year ----
    let years = table(
        lang,
        TableId::EconYears,
        Key::econ_table_years,
        &[
            Key::econ_col_year,
            Key::econ_col_before_kr,
            Key::econ_col_after_kr,
            Key::econ_col_effect_kr,
            Key::econ_col_redesign_kr,
            Key::econ_col_net_kr,
            Key::econ_col_cumulative_kr,
            Key::econ_col_present_value_kr,
        ],
        p.years
            .iter()
            .map(|y| {
                vec![
                    Value::Int(i64::from(y.year)),
                    Value::Money(y.before),
                    Value::Money(y.after),
                    Value::Money(y.effect_saving),
                    Value::Money(y.redesign_costs),
                    Value::Money(y.net),
                    Value::Money(y.cumulative_net),
                    Value::Money(y.present_value),
                ]
            })
            .collect(),
    );
    let cumulative = p
        .years
        .iter()
        .map(|y| VBar {
            label: msg::tn(lang, Key::econ_year_n, &[&y.year]),
            value: Some(y.cumulative_net.round_kroner() as f64),
            value_text: kr_text(lang, y.cumulative_net),
        })
        .collect();
    sections.push(Section {
        heading: t(Key::econ_section_years),
        blocks: vec![
            Block::Figure(Chart::VBars {
                title: t(Key::econ_chart_cumulative),
                x_label: t(Key::econ_col_year),
                bars: cumulative,
            }),
            Block::Table(years.clone()),
        ],
    });
    tables.push(years);

    // ---- Sensitivity ----
    let sensitivity = table(
        lang,
        TableId::EconSensitivity,
        Key::econ_table_sensitivity,
        &[
            Key::econ_col_effect_pct,
            Key::econ_col_cost_pct,
            Key::econ_col_npv_kr,
            Key::econ_col_payback,
        ],
        p.sensitivity
            .iter()
            .map(|c| {
                vec![
                    Value::Int(i64::from(c.effect_percent)),
                    Value::Int(i64::from(c.cost_percent)),
                    Value::Money(c.npv),
                    match c.payback_year {
                        Some(y) => Value::Int(i64::from(y)),
                        None => Value::Text(t(Key::econ_payback_none)),
                    },
                ]
            })
            .collect(),
    );
    sections.push(Section {
        heading: t(Key::econ_section_sensitivity),
        blocks: vec![Block::Table(sensitivity.clone())],
    });
    tables.push(sensitivity);

    // ---- Network model ----
    let mut transfer_rows = Vec::new();
    for y in &r.network.years {
        let year = Value::Int(i64::from(y.year));
        for tr in &y.transfers {
            transfer_rows.push(vec![
                year.clone(),
                Value::Text(msg::department(lang, tr.from).to_string()),
                Value::Text(msg::department(lang, tr.to).to_string()),
                Value::Money(tr.amount),
            ]);
        }
        for (key, amount) in [
            (Key::econ_uncovered, y.uncovered),
            (Key::econ_harvest, y.harvest),
        ] {
            if amount != Ore::ZERO {
                transfer_rows.push(vec![
                    year.clone(),
                    Value::Text(t(key)),
                    Value::Empty,
                    Value::Money(amount),
                ]);
            }
        }
    }
    let transfers = table(
        lang,
        TableId::EconTransfers,
        Key::econ_table_transfers,
        &[
            Key::econ_col_year,
            Key::econ_col_from,
            Key::econ_col_to,
            Key::econ_col_amount_kr,
        ],
        transfer_rows,
    );
    let violation_rows: Vec<Vec<Value>> = r
        .network
        .violations
        .iter()
        .map(|v| {
            vec![Value::Text(match v {
                Violation::PackageCostsMore { before, after } => msg::tn(
                    lang,
                    Key::econ_violation_package,
                    &[&msg::money(lang, *after), &msg::money(lang, *before)],
                ),
                Violation::NeedsApproval {
                    year,
                    department,
                    before,
                    after,
                    ..
                } => msg::tn(
                    lang,
                    Key::econ_violation_approval,
                    &[
                        year,
                        &msg::department(lang, *department),
                        &msg::money(lang, *before),
                        &msg::money(lang, *after),
                    ],
                ),
            })]
        })
        .collect();
    let mut network_blocks = vec![
        Block::Paragraph(t(match r.network.harvest_mode {
            Harvest::UpFront => Key::econ_note_harvest_up_front,
            Harvest::AlongTheWay => Key::econ_note_harvest_along,
        })),
        Block::Table(transfers.clone()),
    ];
    if violation_rows.is_empty() {
        network_blocks.push(Block::Note(t(Key::econ_note_no_violations)));
    }
    let violations = table(
        lang,
        TableId::EconViolations,
        Key::econ_table_violations,
        &[Key::econ_col_violation],
        violation_rows,
    );
    if !violations.rows.is_empty() {
        network_blocks.push(Block::Table(violations.clone()));
    }
    sections.push(Section {
        heading: t(Key::econ_section_network),
        blocks: network_blocks,
    });
    tables.push(transfers);
    tables.push(violations);

    // ---- Separate unit ----
    let mut unit_rows = Vec::new();
    for y in &r.unit.years {
        unit_rows.push(vec![
            Value::Int(i64::from(y.year)),
            Value::Text(t(Key::econ_unit_budget)),
            Value::Money(y.unit_budget),
            Value::Empty,
        ]);
        for d in Department::ALL {
            let i = d.index();
            if r.unit.citizens[i] > 0 {
                unit_rows.push(vec![
                    Value::Int(i64::from(y.year)),
                    Value::Text(msg::department(lang, d).to_string()),
                    Value::Money(y.contribution[i]),
                    Value::Money(y.freed[i]),
                ]);
            }
        }
    }
    let unit = table(
        lang,
        TableId::EconUnit,
        Key::econ_table_unit,
        &[
            Key::econ_col_year,
            Key::col_department,
            Key::econ_col_contribution_kr,
            Key::econ_col_freed_kr,
        ],
        unit_rows,
    );
    sections.push(Section {
        heading: t(Key::econ_section_unit),
        blocks: vec![
            Block::Paragraph(t(Key::econ_note_unit)),
            Block::Table(unit.clone()),
        ],
    });
    tables.push(unit);

    // ---- Baseline ----
    let mut baseline_json = Json::Null;
    if let Some(b) = r.baseline {
        let (section, mut more, j) = baseline_section(lang, b);
        sections.push(section);
        tables.append(&mut more);
        baseline_json = j;
    }

    sections.push(Section {
        heading: t(Key::econ_section_method),
        blocks: vec![Block::Paragraph(t(Key::econ_method))],
    });

    Document {
        lang,
        title: msg::tn(lang, Key::econ_report_title, &[name]),
        period: None,
        intro: t(Key::econ_intro),
        sections,
        footer: t(Key::footer),
        tables,
        summary: json!({
            "scenario": s,
            "potential": p,
            "network": r.network,
            "separate_unit": r.unit,
            "baseline": baseline_json,
        }),
    }
}

fn baseline_section(lang: Lang, b: &Baseline) -> (Section, Vec<Table>, Json) {
    let t = |k| msg::t(lang, k).to_string();
    let mut rows: Vec<Vec<Value>> = b
        .rows
        .iter()
        .map(|row| {
            vec![
                Value::Text(centre_name(lang, row.centre).to_string()),
                Value::Text(kind_name(lang, row.kind).to_string()),
                money_cell(&row.precise),
                money_cell(&row.archetype),
                money_cell(&row.difference),
            ]
        })
        .collect();
    let total_diff = match (&b.archetype_total, b.precise_total.value()) {
        (Some(a), Some(p)) => a.value().map(|a| Value::Money(*p - *a)),
        _ => None,
    };
    rows.push(vec![
        Value::Text(t(Key::econ_total)),
        Value::Empty,
        money_cell(&b.precise_total),
        b.archetype_total.as_ref().map_or(Value::Empty, money_cell),
        total_diff.unwrap_or(Value::Empty),
    ]);
    for (key, cell) in [
        (Key::econ_row_spread_within, &b.spread_within),
        (Key::econ_row_rare, &b.rare_difference),
    ] {
        if let Some(c) = cell {
            rows.push(vec![
                Value::Text(t(key)),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                money_cell(c),
            ]);
        }
    }
    let baseline = table(
        lang,
        TableId::EconBaseline,
        Key::econ_table_baseline,
        &[
            Key::col_department,
            Key::econ_col_kind,
            Key::econ_col_precise_kr,
            Key::econ_col_archetype_kr,
            Key::econ_col_difference_kr,
        ],
        rows,
    );
    let mut arch_rows: Vec<Vec<Value>> = b
        .archetypes
        .iter()
        .map(|a| vec![Value::Text(a.services.join(" + ")), count_cell(&a.members)])
        .collect();
    arch_rows.push(vec![
        Value::Text(t(Key::econ_rare_packages)),
        count_cell(&b.rare_members),
    ]);
    arch_rows.push(vec![
        Value::Text(t(Key::econ_total)),
        count_cell(&b.members),
    ]);
    let archetypes = table(
        lang,
        TableId::EconArchetypes,
        Key::econ_table_archetypes,
        &[Key::econ_col_package, Key::econ_col_members],
        arch_rows,
    );
    let mut blocks = vec![
        Block::Paragraph(t(Key::econ_note_baseline)),
        Block::Table(baseline.clone()),
    ];
    if b.archetype_total.is_none() {
        blocks.push(Block::Note(t(Key::econ_note_no_archetypes)));
    }
    blocks.push(Block::Table(archetypes.clone()));
    let json = json!({
        "target_group": b.group_id,
        "year": b.year,
        "members": cell_json(&b.members),
        "precise_total": cell_json(&b.precise_total),
        "archetype_total": b.archetype_total.as_ref().map(cell_json),
        "rows": b.rows.iter().map(|r| json!({
            "department": r.centre.code(),
            "kind": r.kind.map(|k| k.code()),
            "precise": cell_json(&r.precise),
            "archetype": cell_json(&r.archetype),
            "difference": cell_json(&r.difference),
        })).collect::<Vec<_>>(),
    });
    (
        Section {
            heading: msg::tn(
                lang,
                Key::econ_section_baseline,
                &[&format!("{} ({})", b.group_id, b.year)],
            ),
            blocks,
        },
        vec![baseline, archetypes],
        json,
    )
}

/// Adds the follow-up (section before the method, table, chart and summary) to an economics
/// report made by [`publish`].
pub fn add_follow_up(doc: &mut Document, f: &FollowUp, lang: Lang) {
    let t = |k| msg::t(lang, k).to_string();
    let centre_text = |c: Option<CostCentre>| match c {
        Some(c) => centre_name(lang, c).to_string(),
        None => t(Key::econ_total),
    };
    let mut rows = Vec::new();
    for (centre, cell) in &f.baseline_year {
        rows.push(vec![
            Value::Text(t(Key::econ_followup_baseline_year)),
            Value::Empty,
            Value::Text(centre_text(*centre)),
            Value::Empty,
            Value::Empty,
            money_cell(cell),
            Value::Empty,
        ]);
    }
    let quarter_label =
        |q: &FollowUpQuarter| msg::tn(lang, Key::econ_quarter_label, &[&q.year, &q.quarter]);
    let row_values = |r: &FollowUpRow| {
        vec![
            money_cell(&r.baseline),
            money_cell(&r.expected),
            money_cell(&r.realised),
            money_cell(&r.variance),
        ]
    };
    for q in &f.quarters {
        for r in &q.rows {
            let mut row = vec![
                Value::Text(quarter_label(q)),
                Value::Int(i64::from(q.scenario_year)),
                Value::Text(centre_text(r.centre)),
            ];
            row.extend(row_values(r));
            rows.push(row);
        }
    }
    if !f.quarters.is_empty() {
        for r in &f.totals {
            let mut row = vec![
                Value::Text(t(Key::econ_followup_all_quarters)),
                Value::Empty,
                Value::Text(centre_text(r.centre)),
            ];
            row.extend(row_values(r));
            rows.push(row);
        }
    }
    let table = table(
        lang,
        TableId::EconFollowUp,
        Key::econ_table_followup,
        &[
            Key::econ_col_quarter,
            Key::econ_col_scenario_year,
            Key::econ_col_budget,
            Key::econ_col_baseline_kr,
            Key::econ_col_expected_kr,
            Key::econ_col_realised_kr,
            Key::econ_col_variance_kr,
        ],
        rows,
    );
    let mut bars = Vec::new();
    for q in &f.quarters {
        let total = q.rows.last().expect("a total row");
        for (key, cell) in [
            (Key::econ_col_expected_kr, &total.expected),
            (Key::econ_col_realised_kr, &total.realised),
        ] {
            let (parts, text) = match cell.value() {
                Some(v) => (vec![v.round_kroner().max(0) as f64], kr_text(lang, *v)),
                None => (vec![0.0], t(Key::econ_hidden)),
            };
            bars.push(HBar {
                label: format!("{} – {}", quarter_label(q), t(key)),
                parts,
                value_text: text,
            });
        }
    }
    let members = match f.members.value() {
        Some(n) => n.to_string(),
        None => t(Key::econ_hidden),
    };
    let mut blocks = vec![Block::Paragraph(msg::tn(
        lang,
        Key::econ_note_followup,
        &[
            &f.start,
            &members,
            &f.baseline_period.from(),
            &f.baseline_period.to(),
        ],
    ))];
    if f.quarters.is_empty() {
        blocks.push(Block::Note(t(Key::econ_followup_no_quarters)));
    } else {
        blocks.push(Block::Figure(Chart::HBars {
            title: t(Key::econ_chart_followup),
            series: vec![t(Key::econ_col_amount_kr)],
            bars,
        }));
    }
    blocks.push(Block::Table(table.clone()));
    let section = Section {
        heading: msg::tn(
            lang,
            Key::econ_section_followup,
            &[&format!("{}, {}", f.group_id, f.start)],
        ),
        blocks,
    };
    // Before the closing method section.
    let at = doc.sections.len().saturating_sub(1);
    doc.sections.insert(at, section);
    doc.tables.push(table);
    let row_json = |r: &FollowUpRow| {
        json!({
            "department": r.centre.map(|c| c.code()),
            "baseline": cell_json(&r.baseline),
            "expected": cell_json(&r.expected),
            "realised": cell_json(&r.realised),
            "variance": cell_json(&r.variance),
        })
    };
    let summary = json!({
        "target_group": f.group_id,
        "start": f.start.to_string(),
        "baseline_from": f.baseline_period.from().to_string(),
        "baseline_to": f.baseline_period.to().to_string(),
        "members": cell_json(&f.members),
        "baseline_year": f.baseline_year.iter().map(|(c, cell)| json!({
            "department": c.map(|c| c.code()),
            "realised": cell_json(cell),
        })).collect::<Vec<_>>(),
        "quarters": f.quarters.iter().map(|q| json!({
            "year": q.year,
            "quarter": q.quarter,
            "scenario_year": q.scenario_year,
            "rows": q.rows.iter().map(row_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "totals": f.totals.iter().map(row_json).collect::<Vec<_>>(),
    });
    if let Json::Object(m) = &mut doc.summary {
        m.insert("followup".to_string(), summary);
    }
}
