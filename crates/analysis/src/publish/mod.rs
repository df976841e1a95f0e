//! Stage 4: the publication — the [`Analysis`] as a [`Document`] of page sections, tables and the
//! JSON summary, in one language. Plain data and no I/O: `tvaers_report::write` turns it into
//! files. Every number in it comes from a [`tvaers_report::Cell`] of the analysis.

mod labels;
mod overview;
mod rules;

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

/// The published document of an analysis in `lang`, saying whether a dataset was written.
pub fn publish_with(a: &Analysis, lang: Lang, dataset: DatasetExport) -> Document {
    let t = |k| msg::t(lang, k).to_string();
    let overview_tables = overview::tables(a, lang);
    let mut sections = overview::sections(a, lang, &overview_tables);
    let mut tables = overview_tables.into_vec();
    if let Some(r) = &a.rules {
        let rule_tables = rules::tables(r, lang);
        sections.extend(rules::sections(r, lang, &rule_tables));
        tables.extend(rule_tables.into_vec());
    }

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

    Document {
        lang,
        title: t(Key::report_title),
        period: Some(a.period),
        intro: t(Key::intro),
        sections,
        footer: t(Key::footer),
        tables,
        summary: a.summary_json(),
    }
}
