//! The writers: one [`Document`] → `index.html`, `tables/*.csv`, `tabeller.xlsx`,
//! `summary.json`. They render the one model, so the formats cannot disagree or bypass
//! disclosure control.

use crate::disclosure::Suppression;
use crate::model::{Block, Chart, Document, Table, Value};
use crate::svg;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
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

/// The files written by [`write`].
#[derive(Debug, Clone)]
pub struct ReportFiles {
    pub html: PathBuf,
    pub summary: PathBuf,
    pub xlsx: PathBuf,
    pub csv: Vec<PathBuf>,
}

/// The marker shown for a hidden cell: "<5" (primary), "—" (secondary) or "(d)" (dominance).
pub fn hidden_text(lang: Lang, s: Suppression) -> &'static str {
    match s {
        Suppression::Primary => msg::t(lang, Key::suppressed_primary),
        Suppression::Secondary => msg::t(lang, Key::suppressed_secondary),
        Suppression::Dominance => msg::t(lang, Key::suppressed_dominance),
    }
}

/// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return
/// first) gets a leading `'`, as OWASP recommends against CSV injection: names in the tables come
/// from the municipality's own files (rules, catalogue), and a CSV is opened by double-click.
fn neutralise_formula(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// CSV text of a value for Danish Excel: no thousands separator, decimal comma.
fn csv_value(lang: Lang, v: &Value) -> String {
    let dk = |x: f64, d: usize| format!("{x:.d$}").replace('.', ",");
    match v {
        Value::Text(s) => neutralise_formula(s),
        Value::Int(n) => n.to_string(),
        Value::Money(o) => {
            let neg = if o.0 < 0 { "-" } else { "" };
            let a = o.0.unsigned_abs();
            format!("{neg}{},{:02}", a / 100, a % 100)
        }
        Value::Share(Some(x)) => dk(x * 100.0, 2),
        Value::Dec(Some(x), d) => dk(*x, *d),
        Value::Share(None) | Value::Dec(None, _) => msg::t(lang, Key::not_available).to_string(),
        Value::Hidden(s) => hidden_text(lang, *s).to_string(),
        Value::Empty => String::new(),
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
        w.write_record(table.headers.iter().map(|h| neutralise_formula(h)))
            .map_err(csv_err)?;
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
                    // A string cell is never a formula in xlsx; written as is.
                    Value::Text(s) => {
                        ws.write_string(r, c, s).map_err(x)?;
                    }
                    Value::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, &int)
                            .map_err(x)?;
                    }
                    // Exact kroner and øre as the value; whole kroner shown.
                    Value::Money(o) => {
                        ws.write_number_with_format(r, c, o.0 as f64 / 100.0, &money)
                            .map_err(x)?;
                    }
                    Value::Share(Some(f)) => {
                        ws.write_number_with_format(r, c, *f, &pct).map_err(x)?;
                    }
                    Value::Dec(Some(f), d) => {
                        let fmt = if *d >= 3 { &dec3 } else { &dec2 };
                        ws.write_number_with_format(r, c, *f, fmt).map_err(x)?;
                    }
                    Value::Share(None) | Value::Dec(None, _) | Value::Hidden(_) => {
                        ws.write_string_with_format(r, c, csv_value(lang, v), &right)
                            .map_err(x)?;
                    }
                    Value::Empty => {}
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

fn html_value(lang: Lang, v: &Value, money_unit: bool) -> (String, &'static str) {
    match v {
        Value::Text(s) => (svg::esc(s), ""),
        Value::Int(n) => (msg::int(lang, *n), "num"),
        Value::Money(o) if money_unit => (svg::esc(&msg::money(lang, *o)), "num"),
        Value::Money(o) => (msg::int(lang, o.round_kroner()), "num"),
        Value::Share(Some(f)) => (svg::esc(&msg::percent(lang, *f, 1)), "num"),
        Value::Dec(Some(f), d) => (msg::decimal(lang, *f, *d), "num"),
        Value::Share(None) | Value::Dec(None, _) => {
            (svg::esc(msg::t(lang, Key::not_available)), "num")
        }
        Value::Hidden(s) => (svg::esc(hidden_text(lang, *s)), "num hidden"),
        Value::Empty => (String::new(), ""),
    }
}

fn html_table(out: &mut String, table: &Table, lang: Lang) {
    // A wide table scrolls inside its own box; the page itself never gets wider than the
    // screen (1280 px and less).
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table><caption>{}</caption><thead><tr>",
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
    out.push_str("</tbody></table></div>");
    if table.has_hidden() {
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            svg::esc(msg::t(lang, Key::note_suppression))
        );
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The chart as inline SVG.
pub fn chart_svg(lang: Lang, chart: &Chart) -> String {
    match chart {
        Chart::StackedBar {
            title,
            labels,
            values,
            texts,
        } => svg::stacked_bar(title, &strs(labels), values, texts),
        Chart::HBars {
            title,
            series,
            bars,
        } => svg::hbars(title, &strs(series), bars),
        Chart::VBars {
            title,
            x_label,
            bars,
        } => svg::vbars(title, x_label, bars),
        Chart::Lorenz {
            title,
            x_label,
            y_label,
            equality_label,
            curves,
        } => svg::lorenz(title, x_label, y_label, equality_label, curves, &|v| {
            msg::percent(lang, v, 0)
        }),
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;\
color:#222;background:#fafafa}main{max-width:980px;margin:0 auto;padding:24px 28px;\
background:#fff;box-sizing:border-box}h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;\
margin-top:2em;border-bottom:2px solid #1b6ca8;padding-bottom:.2em}p,td,th,li{overflow-wrap:anywhere}\
.table-wrap{max-width:100%;overflow-x:auto;margin:1em 0}table{border-collapse:collapse;\
width:100%;font-size:.92em}caption{text-align:left;font-weight:600;padding:.3em 0}\
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}\
th{background:#f0f4f8;overflow-wrap:normal;hyphens:auto}td.num{text-align:right;\
font-variant-numeric:tabular-nums;white-space:nowrap}td.hidden{color:#777}\
.note{font-size:.85em;color:#555}.period{color:#555}\
svg.chart{max-width:100%;height:auto;display:block;margin:1em 0}\
figure{margin:1em 0}figcaption{font-size:.9em;color:#444;font-style:italic}\
nav.toc{background:#f0f4f8;padding:.6em 1.2em;margin:1.5em 0}nav.toc h2{margin-top:.4em;\
border:none;font-size:1.1em}nav.toc ol{margin:.3em 0;padding-left:1.4em}\
footer{margin-top:3em;font-size:.8em;color:#777}";

/// The anchor of the `i`-th section (for the table of contents).
fn section_id(i: usize) -> String {
    format!("s{}", i + 1)
}

/// The page: self-contained HTML (inline CSS and SVG).
pub fn html(doc: &Document) -> String {
    let lang = doc.lang;
    let e = |k| svg::esc(msg::t(lang, k));
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title><style>{CSS}</style></head><body><main><h1>{t}</h1>",
        e(Key::html_lang),
        t = svg::esc(&doc.title),
    );
    if let Some(p) = doc.period {
        let _ = write!(
            out,
            "<p class=\"period\">{}: {} – {}</p>",
            e(Key::period_label),
            msg::date(lang, p.from()),
            msg::date(lang, p.to()),
        );
    }
    let _ = write!(out, "<p>{}</p>", svg::esc(&doc.intro));
    if doc.sections.len() > 1 {
        let _ = write!(out, "<nav class=\"toc\"><h2>{}</h2><ol>", e(Key::toc_title));
        for (i, section) in doc.sections.iter().enumerate() {
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                section_id(i),
                svg::esc(&section.heading)
            );
        }
        out.push_str("</ol></nav>");
    }
    for (i, section) in doc.sections.iter().enumerate() {
        let _ = write!(
            out,
            "<section id=\"{}\"><h2>{}</h2>",
            section_id(i),
            svg::esc(&section.heading)
        );
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let _ = write!(out, "<p>{}</p>", svg::esc(text));
                }
                Block::Note(text) => {
                    let _ = write!(out, "<p class=\"note\">{}</p>", svg::esc(text));
                }
                // A visible caption: the SVG's own title is only a tooltip.
                Block::Figure(chart) => {
                    let _ = write!(
                        out,
                        "<figure>{}<figcaption>{}</figcaption></figure>",
                        chart_svg(lang, chart),
                        svg::esc(chart.title())
                    );
                }
                Block::Table(table) => html_table(&mut out, table, lang),
            }
        }
        out.push_str("</section>");
    }
    let _ = write!(
        out,
        "<footer>{}</footer></main></body></html>",
        svg::esc(&doc.footer)
    );
    out
}

/// Writes the document into `out` (created if missing): `index.html`, `tables/*.csv`,
/// `tabeller.xlsx` and `summary.json`.
pub fn write(doc: &Document, out: &Path) -> Result<ReportFiles, ReportError> {
    let tables_dir = out.join("tables");
    fs::create_dir_all(&tables_dir).map_err(io_err(&tables_dir))?;
    let mut csv = Vec::with_capacity(doc.tables.len());
    for tb in &doc.tables {
        let p = tables_dir.join(format!("{}.csv", tb.id.stem()));
        write_csv(tb, doc.lang, &p)?;
        csv.push(p);
    }
    let xlsx = out.join("tabeller.xlsx");
    write_xlsx(&doc.tables, doc.lang, &xlsx)?;
    let html_path = out.join("index.html");
    fs::write(&html_path, html(doc)).map_err(io_err(&html_path))?;
    let summary = out.join("summary.json");
    let mut f = fs::File::create(&summary).map_err(io_err(&summary))?;
    serde_json::to_writer_pretty(&mut f, &doc.summary)?;
    f.write_all(b"\n").map_err(io_err(&summary))?;
    tracing::info!(dir = %out.display(), "report written");
    Ok(ReportFiles {
        html: html_path,
        summary,
        xlsx,
        csv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HBar, Section, TableId, VBar};

    fn doc() -> Document {
        let table = Table {
            id: TableId::Departments,
            title: "T".into(),
            headers: (0..12).map(|i| format!("Column {i}")).collect(),
            rows: vec![(0..12).map(|i| Value::Int(i * 1_000_000)).collect()],
            money_unit: false,
        };
        let long = "A target group with a very long name that goes on and on and on past the edge";
        Document {
            lang: Lang::Da,
            title: "Report".into(),
            period: None,
            intro: "Intro".into(),
            sections: vec![
                Section {
                    heading: "First & one".into(),
                    blocks: vec![Block::Table(table.clone())],
                },
                Section {
                    heading: "Second".into(),
                    blocks: vec![
                        Block::Figure(Chart::HBars {
                            title: "bars".into(),
                            series: vec!["a".into(), "b".into()],
                            bars: vec![HBar {
                                label: long.into(),
                                parts: vec![1.0, 2.0],
                                value_text: "3".into(),
                            }],
                        }),
                        Block::Figure(Chart::VBars {
                            title: "v".into(),
                            x_label: "x".into(),
                            bars: vec![VBar {
                                label: "1".into(),
                                value: Some(4.0),
                                value_text: "4".into(),
                            }],
                        }),
                    ],
                },
            ],
            footer: "Made with Tværs 0.1.0 · input abcdef123456".into(),
            tables: vec![table],
            summary: serde_json::json!({}),
        }
    }

    #[test]
    fn the_page_has_a_table_of_contents_linking_every_section() {
        let h = html(&doc());
        let toc = h.find("<nav class=\"toc\">").expect("a table of contents");
        assert!(toc < h.find("<section").unwrap(), "at the top");
        assert!(h.contains(&format!("<h2>{}</h2>", msg::t(Lang::Da, Key::toc_title))));
        assert!(h.contains("<li><a href=\"#s1\">First &amp; one</a></li>"));
        assert!(h.contains("<li><a href=\"#s2\">Second</a></li>"));
        assert!(h.contains("<section id=\"s1\">") && h.contains("<section id=\"s2\">"));
    }

    #[test]
    fn tables_scroll_in_their_own_box_and_nothing_widens_the_page() {
        let h = html(&doc());
        assert_eq!(
            h.matches("<div class=\"table-wrap\"><table>").count(),
            h.matches("<table").count(),
            "every table is wrapped"
        );
        assert!(CSS.contains(".table-wrap{max-width:100%;overflow-x:auto"));
        assert!(CSS.contains("main{max-width:980px"));
        // Charts never exceed the content width of a 1280 px screen (980 − 2 × 28 px).
        assert!(CSS.contains("svg.chart{max-width:100%"));
        for svg in h.split("<svg ").skip(1) {
            let width: f64 = svg
                .split("width=\"")
                .nth(1)
                .and_then(|w| w.split('"').next())
                .and_then(|w| w.parse().ok())
                .expect("a pixel width");
            assert!(
                width <= svg::MAX_WIDTH && svg::MAX_WIDTH <= 924.0,
                "{width}"
            );
        }
    }

    #[test]
    fn chart_text_is_at_least_12_px() {
        let h = html(&doc());
        let sizes: Vec<u32> = h
            .split("font:")
            .skip(1)
            .map(|s| s.split("px").next().unwrap().trim().parse().unwrap())
            .collect();
        assert!(!sizes.is_empty());
        assert!(sizes.iter().all(|&s| s >= 12), "{sizes:?}");
        assert!(!h.contains("font-size=\""), "no SVG text sets its own size");
        // A label too long for the column is cut with its full text as a tooltip.
        assert!(h.contains("<title>A target group with a very long name"));
        assert!(h.contains("…</text>"));
    }

    #[test]
    fn the_footer_is_last() {
        let h = html(&doc());
        assert!(h.ends_with(
            "<footer>Made with Tværs 0.1.0 · input abcdef123456</footer></main></body></html>"
        ));
    }

    #[test]
    fn csv_text_cells_cannot_start_a_formula() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            let out = csv_value(Lang::Da, &Value::Text(bad.to_string()));
            assert!(out.starts_with('\''), "{bad:?} written as {out:?}");
            assert_eq!(&out[1..], bad);
        }
        assert_eq!(csv_value(Lang::Da, &Value::Text("Mentor".into())), "Mentor");
        // Numbers are ours, not text: a negative amount stays a number.
        assert_eq!(
            csv_value(Lang::Da, &Value::Money(tvaers_core::Ore(-12_345))),
            "-123,45"
        );
    }
}
