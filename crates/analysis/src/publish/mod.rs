//! Stage 4: the publication — the [`Analysis`] as a [`Document`] of page sections, tables and the
//! JSON summary, in one language. Plain data and no I/O: `tvaers_report::write` turns it into
//! files. Every number in it comes from a [`tvaers_report::Cell`] of the analysis.

mod labels;
mod overview;
pub(crate) mod plausibility;
mod rules;
mod top;

pub use plausibility::{CheckText, describe_check};
pub use rules::HTML_COMBINATIONS;

use crate::summary::Analysis;
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_report::{Block, Document, Section};

/// Whether the run that publishes also wrote the pseudonymised dataset (to a folder of its own,
/// never inside the report): the report says so, since the dataset is microdata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetExport {
    NotWritten,
    Written,
}

/// The published document of an analysis in `lang`, written without a dataset.
pub fn publish(a: &Analysis, lang: Lang) -> Document {
    publish_with(a, lang, DatasetExport::NotWritten)
}

/// Where a publication comes from, for its footer and `summary.json` (`"provenance"`), so that
/// two reports can be told apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The tool's version.
    pub version: String,
    /// SHA-256 (hex) over the input files (`tvaers_report::input_fingerprint`).
    pub input_sha256: String,
    /// The day the report was made.
    pub run_date: tvaers_core::NaiveDate,
}

impl Provenance {
    /// This build's version, the fingerprint and the run date.
    pub fn new(input_sha256: String, run_date: tvaers_core::NaiveDate) -> Provenance {
        Provenance {
            version: env!("CARGO_PKG_VERSION").to_string(),
            input_sha256,
            run_date,
        }
    }

    /// The short fingerprint of the footer (12 hex digits).
    pub fn short(&self) -> &str {
        tvaers_report::provenance::short(&self.input_sha256)
    }
}

/// The published document of an analysis in `lang`, saying whether a dataset was written.
pub fn publish_with(a: &Analysis, lang: Lang, dataset: DatasetExport) -> Document {
    publish_full(a, lang, dataset, None)
}

/// [`publish_with`], with the footer and `summary.json` naming where the report comes from.
pub fn publish_full(
    a: &Analysis,
    lang: Lang,
    dataset: DatasetExport,
    provenance: Option<&Provenance>,
) -> Document {
    let t = |k| msg::t(lang, k).to_string();
    let overview_tables = overview::tables(a, lang);
    let mut sections = overview::sections(a, lang, &overview_tables);
    let mut tables = overview_tables.into_vec();
    let (plaus_checks, plaus_functions) = plausibility::tables(&a.plausibility, lang);
    // Right after the key figures: an analyst sees at once when the data look wrong.
    sections.insert(
        1.min(sections.len()),
        plausibility::section(&plaus_checks, &plaus_functions, lang),
    );
    let top_table = top::table(&a.top, lang);
    // After concentration (it profiles that table's top shares), before complexity.
    let at = sections.len().saturating_sub(1);
    sections.insert(at, top::section(&top_table, lang));
    if let Some(r) = &a.rules {
        let rule_tables = rules::tables(r, lang);
        sections.extend(rules::sections(r, lang, &rule_tables));
        tables.extend(rule_tables.into_vec());
    }
    tables.push(top_table);
    tables.push(plaus_checks);
    tables.push(plaus_functions);

    let mut method: Vec<Key> = vec![
        Key::method_period,
        Key::method_allocation,
        Key::method_activity,
        Key::method_departments,
        Key::method_concentration,
        Key::method_complexity,
        Key::method_families,
    ];
    let mut disclosure = vec![Key::disclosure_text];
    if a.rules.is_some() {
        method.extend([
            Key::method_target_groups,
            Key::method_overlaps,
            Key::method_combinations,
        ]);
        disclosure.push(Key::disclosure_rules);
    }
    disclosure.extend([
        Key::note_suppression,
        Key::disclosure_files,
        match dataset {
            DatasetExport::NotWritten => Key::dataset_not_written,
            DatasetExport::Written => Key::dataset_written,
        },
    ]);
    let percent = a.dominance.get().to_string();
    // The disclosure text states the dominance threshold the figures were protected with.
    let text = |k: Key| match k {
        Key::disclosure_text => msg::tn(lang, k, &[&percent, &percent]),
        _ => t(k),
    };
    let paragraphs = |keys: Vec<Key>| {
        keys.into_iter()
            .map(|k| Block::Paragraph(text(k)))
            .collect()
    };
    sections.push(Section {
        heading: t(Key::section_method),
        blocks: paragraphs(method),
    });
    sections.push(Section {
        heading: t(Key::section_disclosure),
        blocks: paragraphs(disclosure),
    });

    let mut footer = t(Key::footer);
    let mut summary = a.summary_json();
    if let Some(p) = provenance {
        footer.push(' ');
        footer.push_str(&msg::tn(
            lang,
            Key::footer_provenance,
            &[
                &p.version,
                &msg::date(lang, a.period.from()),
                &msg::date(lang, a.period.to()),
                &p.short(),
                &msg::date(lang, p.run_date),
            ],
        ));
        summary["provenance"] = serde_json::json!({
            "tool": "tvaers",
            "version": p.version,
            "period": {
                "from": a.period.from().to_string(),
                "to": a.period.to().to_string(),
            },
            "input_sha256": p.input_sha256,
            "input_fingerprint": p.short(),
            "run_date": p.run_date.to_string(),
        });
    }
    Document {
        lang,
        title: t(Key::report_title),
        period: Some(a.period),
        intro: t(Key::intro),
        sections,
        footer,
        tables,
        summary,
    }
}
