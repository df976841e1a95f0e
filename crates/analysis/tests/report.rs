//! The report's files and formats: CSV for Danish Excel, xlsx with real numbers, a
//! self-contained HTML page in Danish or English, and the summary.json contract.

mod common;

use common::testkit::{CATALOGUE, register};
use common::{at, contains, output_files};
use serde_json::Value;
use std::path::Path;
use tvaers_analysis::{CostCentre, allocate, analyse};
use tvaers_core::{Department, Period, Pseudonymised, Register};
use tvaers_messages::{self as messages, Lang};
use tvaers_report::ReportError;

/// 40 citizens in 20 two-person families across four departments, some of them booked.
fn forty() -> Register<Pseudonymised> {
    let mut s = format!(
        "{CATALOGUE}
price KTH 2024 11944.00
price MENTOR 2024 575.00
price SEL85 2024 610.00
price HJEM 2024 490.00
price FOREB 2024 1450.00
posting 2024-02-01 5.38.38 250000.00 - -
posting 2024-03-01 5.57.73 100000.00 - KTH
"
    );
    for i in 0..40 {
        s.push_str(&format!("person p{i} F{}\n", i / 2));
        let start = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 27);
        match i % 4 {
            0 => s.push_str(&format!(
                "spell p{i} KTH {start} - 1 JC{}\nspell p{i} MENTOR {start} - 3 JC{}\n",
                i % 3,
                i % 5
            )),
            1 => s.push_str(&format!("spell p{i} SEL85 {start} - 4 SO{}\n", i % 4)),
            2 => s.push_str(&format!(
                "spell p{i} HJEM {start} - 2 -\nspell p{i} SEL85 2024-01-01 - 2 SO1\n"
            )),
            _ => s.push_str(&format!(
                "spell p{i} FOREB {start} 2024-12-31 1 BF{}\n",
                i % 2
            )),
        }
        if i % 5 == 0 {
            s.push_str(&format!(
                "posting 2024-0{}-15 5.57.73 {}.50 p{i} KTH\n",
                1 + i % 9,
                9000 + i
            ));
        }
    }
    register(&s)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn writes_every_file_in_the_expected_formats() {
    let reg = forty();
    let a = analyse(&reg, Period::year(2024)).unwrap();
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let da = dir.path().join("da");
    let files = tvaers_report::write(&tvaers_analysis::publish(&a, Lang::Da), &da).unwrap();
    assert!(files.html.ends_with("index.html") && files.html.exists());
    assert!(files.summary.exists() && files.xlsx.ends_with("tabeller.xlsx"));
    let stems: Vec<String> = files
        .csv
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        stems,
        [
            "noegletal.csv",
            "forvaltninger.csv",
            "koncentration.csv",
            "lorenz.csv",
            "kompleksitet.csv",
            "kompleksitet_fordeling.csv",
            "top_profil.csv",
            "plausibilitet.csv",
            "plausibilitet_funktioner.csv"
        ]
    );

    // CSV for Danish Excel: BOM, ';', CRLF, decimal comma, exact øre.
    let bytes = std::fs::read(da.join("tables/forvaltninger.csv")).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(csv.starts_with("Forvaltning;Borgere;Udgifter i alt (kr.);"));
    assert!(csv.contains("\r\n"));
    let emp = alloc.by_centre[CostCentre::Department(Department::Employment).index()];
    let emp_line = csv
        .lines()
        .find(|l| l.starts_with("Beskæftigelse;"))
        .unwrap();
    let cols: Vec<&str> = emp_line.split(';').collect();
    assert_eq!(cols[1], emp.persons.to_string());
    // Total: 100,000 kr supplier + 10 booked postings of 9,000 + i kr and 50 øre (i = 0, 5, …, 45).
    let booked_kr: i64 = (0..40).step_by(5).map(|i| 9000 + i).sum();
    assert_eq!(emp.total.0, 10_000_000 + booked_kr * 100 + 8 * 50);
    assert_eq!(
        cols[2],
        format!("{},{:02}", emp.total.0 / 100, emp.total.0 % 100)
    );
    let key = read(&da, "tables/noegletal.csv");
    let share = alloc.booked_total.0 as f64 / alloc.cost_total.0 as f64 * 100.0;
    let line = key
        .lines()
        .find(|l| l.starts_with("Andel bogført"))
        .unwrap();
    assert_eq!(
        line.split(';').nth(1).unwrap(),
        format!("{share:.2}").replace('.', ",")
    );

    // xlsx: nine sheets named from the catalogue, amounts stored as numbers in kroner.
    let all = output_files(&da);
    let workbook = &all
        .iter()
        .find(|(n, _)| n.ends_with("xl/workbook.xml"))
        .unwrap()
        .1;
    let wb = String::from_utf8_lossy(workbook);
    assert_eq!(wb.matches("<sheet ").count(), 9);
    assert!(wb.contains("name=\"Nøgletal\"") && wb.contains("name=\"Forvaltninger\""));
    let sheet2 = &all
        .iter()
        .find(|(n, _)| n.ends_with("worksheets/sheet2.xml"))
        .unwrap()
        .1;
    let kroner = format!("<v>{}</v>", emp.total.0 as f64 / 100.0);
    assert!(
        contains(sheet2, &kroner),
        "department total as a number {kroner}"
    );

    // HTML: Danish, self-contained, four charts with captions, Danish money.
    let html = read(&da, "index.html");
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"da\">"));
    assert!(html.contains(messages::t(Lang::Da, messages::Key::report_title)));
    assert_eq!(html.matches("<svg").count(), 4);
    assert_eq!(html.matches("<figcaption>").count(), 4);
    assert!(html.contains(&messages::money(Lang::Da, alloc.cost_total)));
    assert!(messages::money(Lang::Da, alloc.cost_total).ends_with(" kr."));
    for banned in ["<script", "<link", "src=", "<img", "@import"] {
        assert!(!html.contains(banned), "not self-contained: {banned}");
    }
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    for tag in ["table", "section", "figure", "svg", "p"] {
        assert_eq!(
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count(),
            html.matches(&format!("</{tag}>")).count(),
            "<{tag}> balanced"
        );
    }

    // English report: same numbers, English words and money, identical summary.json.
    let en = dir.path().join("en");
    tvaers_report::write(&tvaers_analysis::publish(&a, Lang::En), &en).unwrap();
    let html_en = read(&en, "index.html");
    assert!(html_en.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(html_en.contains(&messages::money(Lang::En, alloc.cost_total)));
    assert!(!html_en.contains(messages::t(Lang::Da, messages::Key::report_title)));
    assert_eq!(read(&da, "summary.json"), read(&en, "summary.json"));
    assert!(read(&en, "tables/forvaltninger.csv").starts_with("\u{feff}Department;Citizens;"));
}

#[test]
fn summary_json_has_the_contract_keys() {
    let reg = forty();
    let a = analyse(&reg, Period::year(2024)).unwrap();
    let alloc = allocate(&reg, Period::year(2024)).unwrap();
    let s: Value = a.summary_json();
    assert_eq!(at(&s, "/period/from"), "2024-01-01");
    assert_eq!(at(&s, "/period/to"), "2024-12-31");
    assert_eq!(at(&s, "/citizens"), 40);
    assert_eq!(at(&s, "/families"), 20);
    assert_eq!(at(&s, "/cost_total_ore"), alloc.cost_total.0);
    assert_eq!(at(&s, "/cost_allocated_ore"), alloc.cost_allocated().0);
    for k in ["booked_share", "activity_share", "unallocated_share"] {
        let v = at(&s, &format!("/coverage/{k}")).as_f64().unwrap();
        assert!(v.is_finite());
    }
    let shares: f64 = ["booked_share", "activity_share", "unallocated_share"]
        .iter()
        .map(|k| at(&s, &format!("/coverage/{k}")).as_f64().unwrap())
        .sum();
    assert!(
        (shares - 1.0).abs() < 1e-12,
        "the three shares partition cost_total"
    );
    for pop in ["citizens", "families"] {
        for k in ["top1", "top3", "top5", "top10", "gini"] {
            let v = at(&s, &format!("/concentration/{pop}/{k}"));
            assert!(v.is_null() || v.is_f64(), "{pop} {k}: {v}");
        }
        // N = 40 (20 families): every top-k holds fewer than 5 → null and listed.
        assert!(at(&s, &format!("/concentration/{pop}/top10")).is_null());
        assert!(at(&s, &format!("/concentration/{pop}/gini")).is_f64());
    }
    for row in [
        "departments_2plus",
        "departments_3plus",
        "departments_4plus",
        "services_7plus",
    ] {
        let r = at(&s, &format!("/complexity/{row}"));
        for k in ["citizens", "cost_ore"] {
            assert!(r[k].is_null() || r[k].is_i64(), "{row}.{k}");
        }
    }
    // Money is integer øre everywhere.
    for row in at(&s, "/coverage_by_department").as_array().unwrap() {
        for k in ["total_ore", "booked_ore", "activity_ore", "unallocated_ore"] {
            assert!(row[k].is_null() || row[k].is_i64(), "{k} in {row}");
        }
    }
}

#[test]
fn an_unwritable_output_is_an_error_naming_the_path() {
    let reg = forty();
    let a = analyse(&reg, Period::year(2024)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = tvaers_report::write(&tvaers_analysis::publish(&a, Lang::Da), &file).unwrap_err();
    assert!(matches!(err, ReportError::Io { .. }));
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}

#[test]
fn the_page_has_contents_new_sections_a_readable_distribution_and_a_provenance_footer() {
    use tvaers_analysis::{DatasetExport, Provenance, publish_full};
    use tvaers_report::{Block, Chart};
    let a = analyse(&forty(), Period::year(2024)).unwrap();
    let run = tvaers_core::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let p = Provenance::new("ab".repeat(32), run);
    let doc = publish_full(&a, Lang::Da, DatasetExport::NotWritten, Some(&p));
    // The distribution chart leaves out the 0-departments bucket, says so, the table keeps it.
    let blocks: Vec<&Block> = doc.sections.iter().flat_map(|s| &s.blocks).collect();
    let bars = blocks
        .iter()
        .find_map(|b| match b {
            Block::Figure(Chart::VBars { bars, .. }) => Some(bars),
            _ => None,
        })
        .unwrap();
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["1", "2", "3", "4+"]);
    let zero = a.complexity.distribution[0].value().unwrap().units;
    let note = messages::t1(
        Lang::Da,
        messages::Key::note_distribution_zero,
        &messages::int(Lang::Da, zero as i64),
    );
    assert!(
        blocks
            .iter()
            .any(|b| matches!(b, Block::Note(n) if *n == note))
    );
    let table = doc
        .table(tvaers_report::TableId::ComplexityDistribution)
        .unwrap();
    assert!(
        table
            .rows
            .iter()
            .any(|r| r[1] == tvaers_report::Value::Text("0".into()))
    );
    // Contents at the top, linking the new sections too.
    let html = tvaers_report::html(&doc);
    for key in [
        messages::Key::toc_title,
        messages::Key::section_top,
        messages::Key::section_plausibility,
    ] {
        assert!(
            html.contains(&format!(">{}</", messages::t(Lang::Da, key))),
            "{key:?}"
        );
    }
    assert!(html.find("<nav class=\"toc\">").unwrap() < html.find("<section").unwrap());
    // Footer and summary.json: version, period, short fingerprint, run date.
    let footer = &doc.footer;
    assert!(footer.contains(env!("CARGO_PKG_VERSION")), "{footer}");
    assert!(footer.contains("01.01.2024 – 31.12.2024") && footer.contains("03.12.2026"));
    assert!(footer.contains("abababababab") && !footer.contains(&"ab".repeat(7)));
    let s = &doc.summary["provenance"];
    assert_eq!(s["input_sha256"], "ab".repeat(32));
    assert_eq!(s["input_fingerprint"], "abababababab");
    assert_eq!(s["run_date"], "2026-12-03");
    assert_eq!(s["period"]["from"], "2024-01-01");
    // Without provenance (tests, the library) the key is there and null.
    assert!(a.summary_json()["provenance"].is_null());
}
