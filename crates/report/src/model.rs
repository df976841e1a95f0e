//! The published-document model: what a face of Tværs hands to the writers. Plain data with
//! public fields and no I/O; every number in it came through a [`Cell`], so a writer cannot
//! print anything that disclosure control did not pass.

use crate::disclosure::{Cell, Suppression};
use tvaers_core::{Ore, Period};
use tvaers_messages::Lang;

/// Every table Tværs publishes. The identifier fixes the file name, so a table is found by a
/// name the compiler checks, never by a string that a typo could silently miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableId {
    KeyFigures,
    Departments,
    Concentration,
    Lorenz,
    Complexity,
    ComplexityDistribution,
    TargetGroups,
    TargetGroupDepartments,
    TargetGroupComplexity,
    TargetGroupOverlaps,
    Overlaps,
    Combinations,
    /// The profile of the top 1 % and 3 % (citizens and families).
    TopProfile,
    /// The plausibility checks of the input (no person-level data).
    Plausibility,
    /// Totals per account function (plausibility page).
    PlausibilityFunctions,
    // The economics face (`tvaers economics`, crate tvaers-economics).
    EconKeyFigures,
    EconPackage,
    EconDepartments,
    EconYears,
    EconSensitivity,
    EconTransfers,
    EconViolations,
    EconUnit,
    EconBaseline,
    EconArchetypes,
    EconFollowUp,
}

impl TableId {
    /// The file stem of the table's CSV (fixed, ASCII, Danish as the files' users expect).
    pub fn stem(self) -> &'static str {
        match self {
            TableId::KeyFigures => "noegletal",
            TableId::Departments => "forvaltninger",
            TableId::Concentration => "koncentration",
            TableId::Lorenz => "lorenz",
            TableId::Complexity => "kompleksitet",
            TableId::ComplexityDistribution => "kompleksitet_fordeling",
            TableId::TargetGroups => "maalgrupper",
            TableId::TargetGroupDepartments => "maalgrupper_forvaltninger",
            TableId::TargetGroupComplexity => "maalgrupper_kompleksitet",
            TableId::TargetGroupOverlaps => "maalgrupper_overlap",
            TableId::Overlaps => "overlap",
            TableId::Combinations => "kombinationer",
            TableId::TopProfile => "top_profil",
            TableId::Plausibility => "plausibilitet",
            TableId::PlausibilityFunctions => "plausibilitet_funktioner",
            TableId::EconKeyFigures => "oekonomi_noegletal",
            TableId::EconPackage => "oekonomi_pakke",
            TableId::EconDepartments => "oekonomi_forvaltninger",
            TableId::EconYears => "oekonomi_aar",
            TableId::EconSensitivity => "oekonomi_foelsomhed",
            TableId::EconTransfers => "oekonomi_omplaceringer",
            TableId::EconViolations => "oekonomi_brud",
            TableId::EconUnit => "oekonomi_enhed",
            TableId::EconBaseline => "oekonomi_baseline",
            TableId::EconArchetypes => "oekonomi_arketyper",
            TableId::EconFollowUp => "oekonomi_opfoelgning",
        }
    }
}

/// A table value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
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

impl Value {
    /// The marker of a cell that is not published.
    pub fn hidden_of<T>(c: &Cell<T>) -> Value {
        Value::Hidden(hidden_kind(c))
    }
}

/// Why a cell is not shown; a cell without a value is at least secondarily suppressed.
pub fn hidden_kind<T>(c: &Cell<T>) -> Suppression {
    c.suppression().unwrap_or(Suppression::Secondary)
}

/// `width` values of a cell: `f(value)` when published, else that many hidden markers.
pub fn cells<T>(c: &Cell<T>, width: usize, f: impl FnOnce(&T) -> Vec<Value>) -> Vec<Value> {
    match c.value() {
        Some(v) => f(v),
        None => vec![Value::hidden_of(c); width],
    }
}

/// The one value of a cell, or its hidden marker.
pub fn one<T>(c: &Cell<T>, f: impl FnOnce(&T) -> Value) -> Value {
    cells(c, 1, |v| vec![f(v)]).pop().unwrap_or(Value::Empty)
}

/// One published table.
#[derive(Debug, Clone)]
pub struct Table {
    pub id: TableId,
    /// Title (and xlsx sheet name).
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Money cells carry the currency (key figures); elsewhere the header says "(kr.)".
    pub money_unit: bool,
}

impl Table {
    pub fn has_hidden(&self) -> bool {
        self.rows
            .iter()
            .flatten()
            .any(|v| matches!(v, Value::Hidden(_)))
    }
}

/// One horizontal bar of a bar chart; no parts = hidden.
#[derive(Debug, Clone, PartialEq)]
pub struct HBar {
    pub label: String,
    /// Stacked segment values (one per series); empty when the bar is suppressed.
    pub parts: Vec<f64>,
    pub value_text: String,
}

/// One vertical bar; `None` = suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct VBar {
    pub label: String,
    pub value: Option<f64>,
    pub value_text: String,
}

/// A Lorenz curve series: points (population share, cost share) in ascending order; (0, 0) is
/// added when drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// A chart, described by its data; the writer draws it as inline SVG.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// One bar of 100 % split into segments; `texts` are shown under it.
    StackedBar {
        title: String,
        labels: Vec<String>,
        values: Vec<f64>,
        texts: Vec<String>,
    },
    /// Horizontal (stacked) bars with a legend of `series`.
    HBars {
        title: String,
        series: Vec<String>,
        bars: Vec<HBar>,
    },
    /// Vertical bars over a labelled axis.
    VBars {
        title: String,
        x_label: String,
        bars: Vec<VBar>,
    },
    /// Lorenz curves with the line of equality; axes in per cent of the document's language.
    Lorenz {
        title: String,
        x_label: String,
        y_label: String,
        equality_label: String,
        curves: Vec<Curve>,
    },
}

impl Chart {
    /// The chart's title, which is also its visible caption.
    pub fn title(&self) -> &str {
        match self {
            Chart::StackedBar { title, .. }
            | Chart::HBars { title, .. }
            | Chart::VBars { title, .. }
            | Chart::Lorenz { title, .. } => title,
        }
    }
}

/// One piece of a section's content, in page order.
#[derive(Debug, Clone)]
pub enum Block {
    Paragraph(String),
    /// A smaller explanatory paragraph.
    Note(String),
    Figure(Chart),
    /// A table as shown on the page: one of the document's [`Document::tables`], possibly with
    /// fewer rows (the files keep all of them).
    Table(Table),
}

/// A titled part of the page.
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// Everything one publication holds: the page, its tables as files and its machine-readable
/// summary.
#[derive(Debug, Clone)]
pub struct Document {
    pub lang: Lang,
    pub title: String,
    /// The period the figures cover, shown under the title.
    pub period: Option<Period>,
    pub intro: String,
    pub sections: Vec<Section>,
    pub footer: String,
    /// Every table, in file order (CSV per table, one xlsx sheet each).
    pub tables: Vec<Table>,
    /// `summary.json`.
    pub summary: serde_json::Value,
}

impl Document {
    /// The table with this identifier, if the document publishes it.
    pub fn table(&self, id: TableId) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}
