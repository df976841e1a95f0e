//! Publishing statistics: the one way a figure of Tværs reaches a reader.
//!
//! - [`disclosure`]: a published figure is a [`Cell`], which can only be made through the
//!   disclosure rules (at least [`MIN_PERSONS`] persons behind every value, secondary
//!   suppression against subtraction). See `docs/data-protection.md`.
//! - [`model`]: the published document — sections of paragraphs, notes, charts (as data) and
//!   tables of [`Value`]s, plus the tables as files and a JSON summary. Plain data, no I/O; the
//!   faces (analysis today; economics and the server later) build it.
//! - [`write`]: the writers that turn a [`Document`] into `index.html` (inline SVG charts),
//!   `tables/*.csv` for Danish Excel, `tabeller.xlsx` and `summary.json`. They are the only
//!   code that writes statistics to files.
//!
//! All text comes from the message catalogue (`tvaers-messages`) in the document's language.

#![forbid(unsafe_code)]

pub mod disclosure;
pub mod model;
pub mod provenance;
pub mod svg;
pub mod write;

pub use disclosure::{Cell, MIN_PERSONS, Suppression};
pub use model::{
    Block, Chart, Curve, Document, HBar, Section, Table, TableId, VBar, Value, cells, hidden_kind,
    one,
};
pub use provenance::input_fingerprint;
pub use write::{
    ReportError, ReportFiles, chart_svg, hidden_text, html, write, write_csv, write_xlsx,
};
