//! Stage 3: the report — `index.html`, `tables/*.csv`, `tabeller.xlsx`, `summary.json`.
//!
//! Every table is first built as a [`Table`] of [`V`] values from the [`Analysis`]'s cells (the
//! only way a number gets in is through a [`Cell`]); the CSV, xlsx and HTML writers render that
//! one model, so they cannot disagree or bypass disclosure control.

use crate::allocation::CostCentre;
use crate::complexity::BUCKETS;
use crate::disclosure::{Cell, Suppression};
use crate::summary::{Analysis, ComplexityTable, ConcentrationTable};
use crate::svg;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tvaers_core::Ore;
use tvaers_messages::{self as msg, Key, Lang};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Xlsx { path: PathBuf, source: XlsxError },
    #[error("cannot encode summary.json: {0}")]
    Json(#[from] serde_json::Error),
}

/// The files written by [`write_report`].
#[derive(Debug, Clone)]
pub struct ReportFiles {
    pub html: PathBuf,
    pub summary: PathBuf,
    pub xlsx: PathBuf,
    pub csv: Vec<PathBuf>,
}

/// A table value.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Text(String),
    Int(i64),
    Money(Ore),
    /// A fraction, shown as per cent; `None` = not defined.
    Share(Option<f64>),
    /// A decimal number with the given places; `None` = not defined.
    Dec(Option<f64>, usize),
    Hidden(Suppression),
    Empty,
}

/// One table of the report.
#[derive(Debug, Clone)]
pub struct Table {
    /// File stem of the CSV (fixed, ASCII).
    pub stem: &'static str,
    /// Title (and xlsx sheet name).
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<V>>,
    /// Money cells carry the currency (key figures); elsewhere the header says "(kr.)".
    pub money_unit: bool,
}

impl Table {
    pub fn has_hidden(&self) -> bool {
        self.rows
            .iter()
            .flatten()
            .any(|v| matches!(v, V::Hidden(_)))
    }
}

/// `width` values of a cell: `f(value)` when published, else that many hidden markers.
pub(crate) fn cells<T>(c: &Cell<T>, width: usize, f: impl FnOnce(&T) -> Vec<V>) -> Vec<V> {
    match (c.value(), c.suppression()) {
        (Some(v), _) => f(v),
        (None, s) => vec![V::Hidden(s.unwrap_or(Suppression::Secondary)); width],
    }
}

pub(crate) fn one<T>(c: &Cell<T>, f: impl FnOnce(&T) -> V) -> V {
    cells(c, 1, |v| vec![f(v)]).pop().unwrap_or(V::Empty)
}

pub(crate) fn centre_name(lang: Lang, c: CostCentre) -> &'static str {
    match c {
        CostCentre::Department(d) => msg::department(lang, d),
        CostCentre::Unmapped => msg::t(lang, Key::dept_unmapped),
    }
}

pub(crate) fn bucket_label(i: usize) -> String {
    if i + 1 == BUCKETS {
        format!("{i}+")
    } else {
        i.to_string()
    }
}

/// Builds every table of the report from the published analysis.
pub fn tables(a: &Analysis, lang: Lang) -> Vec<Table> {
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
    let mut all = vec![
        Table {
            stem: "noegletal",
            title: t(Key::table_key_figures),
            headers: h(&[Key::col_measure, Key::col_value]),
            rows: key_rows,
            money_unit: true,
        },
        Table {
            stem: "forvaltninger",
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
        Table {
            stem: "koncentration",
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
        Table {
            stem: "lorenz",
            title: t(Key::table_lorenz),
            headers: h(&[
                Key::col_population,
                Key::col_population_share_pct,
                Key::col_share_pct,
            ]),
            rows: lorenz_rows,
            money_unit: false,
        },
        Table {
            stem: "kompleksitet",
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
        Table {
            stem: "kompleksitet_fordeling",
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
    ];
    if let Some(r) = &a.rules {
        all.extend(crate::rules_report::tables(r, lang));
    }
    all
}

fn group_cells(cell: &Cell<crate::summary::GroupRow>) -> Vec<V> {
    cells(cell, 4, |g| {
        vec![
            V::Int(g.units as i64),
            V::Money(g.cost),
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

pub(crate) fn hidden_text(lang: Lang, s: Suppression) -> &'static str {
    match s {
        Suppression::Primary => msg::t(lang, Key::suppressed_primary),
        Suppression::Secondary => msg::t(lang, Key::suppressed_secondary),
    }
}

/// CSV text of a value for Danish Excel: no thousands separator, decimal comma.
fn csv_value(lang: Lang, v: &V) -> String {
    let dk = |x: f64, d: usize| format!("{x:.d$}").replace('.', ",");
    match v {
        V::Text(s) => s.clone(),
        V::Int(n) => n.to_string(),
        V::Money(o) => {
            let neg = if o.0 < 0 { "-" } else { "" };
            let a = o.0.unsigned_abs();
            format!("{neg}{},{:02}", a / 100, a % 100)
        }
        V::Share(Some(x)) => dk(x * 100.0, 2),
        V::Dec(Some(x), d) => dk(*x, *d),
        V::Share(None) | V::Dec(None, _) => msg::t(lang, Key::not_available).to_string(),
        V::Hidden(s) => hidden_text(lang, *s).to_string(),
        V::Empty => String::new(),
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes one table as CSV for Danish Excel: UTF-8 with BOM, `;`, decimal comma; a note line
/// at the end when something is hidden.
pub fn write_csv(table: &Table, lang: Lang, path: &Path) -> Result<(), ReportError> {
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(&mut buf);
        let csv_err = |e: csv::Error| ReportError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        };
        w.write_record(&table.headers).map_err(csv_err)?;
        for row in &table.rows {
            w.write_record(row.iter().map(|v| csv_value(lang, v)))
                .map_err(csv_err)?;
        }
        if table.has_hidden() {
            w.write_record([""]).map_err(csv_err)?;
            w.write_record([msg::t(lang, Key::note_suppression)])
                .map_err(csv_err)?;
        }
        w.flush().map_err(io_err(path))?;
    }
    fs::write(path, buf).map_err(io_err(path))
}

/// Writes every table to one workbook, a sheet each; numbers as numbers with formats.
pub fn write_xlsx(tables: &[Table], lang: Lang, path: &Path) -> Result<(), ReportError> {
    let x = |source| ReportError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let int = Format::new().set_num_format("#,##0");
    let money = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    let dec2 = Format::new().set_num_format("0.00");
    let dec3 = Format::new().set_num_format("0.000");
    let right = Format::new().set_align(rust_xlsxwriter::FormatAlign::Right);
    let note = Format::new().set_italic();
    for table in tables {
        let ws = wb.add_worksheet();
        let name: String = table.title.chars().take(31).collect();
        ws.set_name(name).map_err(x)?;
        for (c, h) in table.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(x)?;
            let width = if c == 0 { 48.0 } else { 20.0 };
            ws.set_column_width(c as u16, width).map_err(x)?;
        }
        ws.set_freeze_panes(1, 0).map_err(x)?;
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    V::Text(s) => {
                        ws.write_string(r, c, s).map_err(x)?;
                    }
                    V::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, &int)
                            .map_err(x)?;
                    }
                    // Exact kroner and øre as the value; whole kroner shown.
                    V::Money(o) => {
                        ws.write_number_with_format(r, c, o.0 as f64 / 100.0, &money)
                            .map_err(x)?;
                    }
                    V::Share(Some(f)) => {
                        ws.write_number_with_format(r, c, *f, &pct).map_err(x)?;
                    }
                    V::Dec(Some(f), d) => {
                        let fmt = if *d >= 3 { &dec3 } else { &dec2 };
                        ws.write_number_with_format(r, c, *f, fmt).map_err(x)?;
                    }
                    V::Share(None) | V::Dec(None, _) | V::Hidden(_) => {
                        ws.write_string_with_format(r, c, csv_value(lang, v), &right)
                            .map_err(x)?;
                    }
                    V::Empty => {}
                }
            }
        }
        if table.has_hidden() {
            let r = table.rows.len() as u32 + 2;
            ws.write_string_with_format(r, 0, msg::t(lang, Key::note_suppression), &note)
                .map_err(x)?;
        }
    }
    wb.save(path).map_err(x)
}

fn html_value(lang: Lang, v: &V, money_unit: bool) -> (String, &'static str) {
    match v {
        V::Text(s) => (svg::esc(s), ""),
        V::Int(n) => (msg::int(lang, *n), "num"),
        V::Money(o) if money_unit => (svg::esc(&msg::money(lang, *o)), "num"),
        V::Money(o) => (msg::int(lang, o.round_kroner()), "num"),
        V::Share(Some(f)) => (svg::esc(&msg::percent(lang, *f, 1)), "num"),
        V::Dec(Some(f), d) => (msg::decimal(lang, *f, *d), "num"),
        V::Share(None) | V::Dec(None, _) => (svg::esc(msg::t(lang, Key::not_available)), "num"),
        V::Hidden(s) => (svg::esc(hidden_text(lang, *s)), "num hidden"),
        V::Empty => (String::new(), ""),
    }
}

pub(crate) fn html_table(out: &mut String, table: &Table, lang: Lang) {
    let _ = write!(
        out,
        "<table><caption>{}</caption><thead><tr>",
        svg::esc(&table.title)
    );
    for h in &table.headers {
        let _ = write!(out, "<th>{}</th>", svg::esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &table.rows {
        out.push_str("<tr>");
        for v in row {
            let (text, class) = html_value(lang, v, table.money_unit);
            if class.is_empty() {
                let _ = write!(out, "<td>{text}</td>");
            } else {
                let _ = write!(out, "<td class=\"{class}\">{text}</td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if table.has_hidden() {
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            svg::esc(msg::t(lang, Key::note_suppression))
        );
    }
}

/// A chart with a visible caption (the SVG's own title is only a tooltip).
pub(crate) fn figure(out: &mut String, caption: &str, svg: &str) {
    let _ = write!(
        out,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        svg::esc(caption)
    );
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;\
color:#222;background:#fafafa}main{max-width:980px;margin:0 auto;padding:24px 28px;\
background:#fff}h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;\
border-bottom:2px solid #1b6ca8;padding-bottom:.2em}table{border-collapse:collapse;margin:1em 0;\
width:100%;font-size:.92em}caption{text-align:left;font-weight:600;padding:.3em 0}\
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}\
th{background:#f0f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums;\
white-space:nowrap}td.hidden{color:#777}.note{font-size:.85em;color:#555}\
.period{color:#555}svg.chart{max-width:760px;display:block;margin:1em 0}\
figure{margin:1em 0}figcaption{font-size:.9em;color:#444;font-style:italic}\
footer{margin-top:3em;font-size:.8em;color:#777}";

/// The HTML report: self-contained (inline CSS and SVG).
pub fn html(a: &Analysis, lang: Lang, tables: &[Table]) -> String {
    let t = |k| msg::t(lang, k);
    let e = |k| svg::esc(msg::t(lang, k));
    let table = |stem: &str| tables.iter().find(|t| t.stem == stem);
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body><main><h1>{}</h1>\
         <p class=\"period\">{}: {} – {}</p><p>{}</p>",
        e(Key::html_lang),
        e(Key::report_title),
        e(Key::report_title),
        e(Key::period_label),
        msg::date(lang, a.period.from()),
        msg::date(lang, a.period.to()),
        e(Key::intro)
    );
    let section = |out: &mut String, key: Key| {
        let _ = write!(out, "<section><h2>{}</h2>", svg::esc(t(key)));
    };

    section(&mut out, Key::section_key_figures);
    if let Some(tb) = table("noegletal") {
        html_table(&mut out, tb, lang);
    }
    out.push_str("</section>");

    section(&mut out, Key::section_coverage);
    let hidden_note = |out: &mut String, s: Option<Suppression>| {
        let _ = write!(
            out,
            "<p class=\"note\">{} {}</p>",
            svg::esc(hidden_text(lang, s.unwrap_or(Suppression::Secondary))),
            svg::esc(t(Key::note_suppression))
        );
    };
    match a.coverage.value() {
        Some(c) => {
            let shares = [c.booked_share, c.activity_share, c.unallocated_share];
            let texts: Vec<String> = shares
                .iter()
                .map(|s| match s {
                    Some(f) => msg::percent(lang, *f, 1),
                    None => t(Key::not_available).to_string(),
                })
                .collect();
            figure(
                &mut out,
                t(Key::chart_coverage_title),
                &svg::stacked_bar(
                    t(Key::chart_coverage_title),
                    &[
                        t(Key::legend_booked),
                        t(Key::legend_activity),
                        t(Key::legend_unallocated),
                    ],
                    &[
                        c.booked.0 as f64,
                        c.activity.0 as f64,
                        c.unallocated.0 as f64,
                    ],
                    &texts,
                ),
            );
            if c.unallocated.0 < 0 {
                let _ = write!(
                    out,
                    "<p class=\"note\">{}</p>",
                    e(Key::note_negative_unallocated)
                );
            }
        }
        None => hidden_note(&mut out, a.coverage.suppression()),
    }
    out.push_str("</section>");

    section(&mut out, Key::section_departments);
    let mut bars = Vec::new();
    for (centre, cell) in &a.centres {
        let label = centre_name(lang, *centre).to_string();
        match cell.value() {
            Some(r) if r.persons == 0 && r.total == Ore::ZERO && r.activity == Ore::ZERO => {}
            Some(r) => bars.push(svg::HBar {
                label,
                parts: vec![
                    r.booked.0 as f64,
                    r.activity.0 as f64,
                    r.unallocated.0.max(0) as f64,
                ],
                value_text: msg::money(lang, r.total),
            }),
            None => bars.push(svg::HBar {
                label,
                parts: Vec::new(),
                value_text: hidden_text(lang, cell.suppression().unwrap_or(Suppression::Secondary))
                    .to_string(),
            }),
        }
    }
    figure(
        &mut out,
        t(Key::chart_departments_title),
        &svg::hbars(
            t(Key::chart_departments_title),
            &[
                t(Key::legend_booked),
                t(Key::legend_activity),
                t(Key::legend_unallocated),
            ],
            &bars,
        ),
    );
    if let Some(tb) = table("forvaltninger") {
        html_table(&mut out, tb, lang);
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}</p></section>",
        e(Key::method_departments)
    );

    section(&mut out, Key::section_concentration);
    let curve = |key: Key, c: &ConcentrationTable| svg::Curve {
        label: t(key).to_string(),
        points: c
            .lorenz
            .iter()
            .filter_map(|p| p.value())
            .map(|p| (p.population_share, p.cost_share))
            .collect(),
    };
    figure(
        &mut out,
        t(Key::chart_lorenz_title),
        &svg::lorenz(
            t(Key::chart_lorenz_title),
            t(Key::chart_lorenz_x),
            t(Key::chart_lorenz_y),
            t(Key::chart_lorenz_equality),
            &[
                curve(Key::pop_citizens, &a.concentration),
                curve(Key::pop_families, &a.family_concentration),
            ],
            &|v| msg::percent(lang, v, 0),
        ),
    );
    if let Some(tb) = table("koncentration") {
        html_table(&mut out, tb, lang);
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}</p></section>",
        e(Key::method_concentration)
    );

    section(&mut out, Key::section_complexity);
    let vb: Vec<svg::VBar> = a
        .complexity
        .distribution
        .iter()
        .enumerate()
        .map(|(i, c)| match c.value() {
            Some(g) => svg::VBar {
                label: bucket_label(i),
                value: Some(g.units as f64),
                value_text: msg::int(lang, g.units as i64),
            },
            None => svg::VBar {
                label: bucket_label(i),
                value: None,
                value_text: hidden_text(lang, c.suppression().unwrap_or(Suppression::Secondary))
                    .to_string(),
            },
        })
        .collect();
    figure(
        &mut out,
        t(Key::chart_distribution_title),
        &svg::vbars(
            t(Key::chart_distribution_title),
            t(Key::chart_distribution_x),
            &vb,
        ),
    );
    if let Some(tb) = table("kompleksitet") {
        html_table(&mut out, tb, lang);
    }
    if let Some(tb) = table("kompleksitet_fordeling") {
        html_table(&mut out, tb, lang);
    }
    let _ = write!(
        out,
        "<p class=\"note\">{}</p></section>",
        e(Key::method_complexity)
    );

    if let Some(r) = &a.rules {
        crate::rules_report::html_sections(&mut out, r, lang, tables);
    }

    section(&mut out, Key::section_method);
    for k in [
        Key::method_period,
        Key::method_allocation,
        Key::method_activity,
        Key::method_departments,
        Key::method_concentration,
        Key::method_complexity,
        Key::method_families,
    ] {
        let _ = write!(out, "<p>{}</p>", e(k));
    }
    if a.rules.is_some() {
        for k in [
            Key::method_target_groups,
            Key::method_overlaps,
            Key::method_combinations,
        ] {
            let _ = write!(out, "<p>{}</p>", e(k));
        }
    }
    out.push_str("</section>");

    section(&mut out, Key::section_disclosure);
    let _ = write!(out, "<p>{}</p>", e(Key::disclosure_text));
    if a.rules.is_some() {
        let _ = write!(out, "<p>{}</p>", e(Key::disclosure_rules));
    }
    let _ = write!(
        out,
        "<p>{}</p><p>{}</p></section><footer>{}</footer></main></body></html>",
        e(Key::note_suppression),
        e(Key::disclosure_files),
        e(Key::footer)
    );
    out
}

/// Writes the report into `out` (created if missing): `index.html`, `tables/*.csv`,
/// `tabeller.xlsx` and `summary.json`.
pub fn write_report(a: &Analysis, lang: Lang, out: &Path) -> Result<ReportFiles, ReportError> {
    let tables_dir = out.join("tables");
    fs::create_dir_all(&tables_dir).map_err(io_err(&tables_dir))?;
    let tabs = tables(a, lang);
    let mut csv = Vec::with_capacity(tabs.len());
    for tb in &tabs {
        let p = tables_dir.join(format!("{}.csv", tb.stem));
        write_csv(tb, lang, &p)?;
        csv.push(p);
    }
    let xlsx = out.join("tabeller.xlsx");
    write_xlsx(&tabs, lang, &xlsx)?;
    let html_path = out.join("index.html");
    fs::write(&html_path, html(a, lang, &tabs)).map_err(io_err(&html_path))?;
    let summary = out.join("summary.json");
    let mut f = fs::File::create(&summary).map_err(io_err(&summary))?;
    serde_json::to_writer_pretty(&mut f, &a.summary_json())?;
    f.write_all(b"\n").map_err(io_err(&summary))?;
    tracing::info!(dir = %out.display(), "report written");
    Ok(ReportFiles {
        html: html_path,
        summary,
        xlsx,
        csv,
    })
}
