//! A redesign scenario as validated data (what [`crate::Scenario::parse`] returns).

use serde::Serialize;
use tvaers_core::{Department, Ore, ServiceKind};

/// Basis points: 1 % = 100 bp. Shares, rates and resize factors are whole basis points so that
/// every figure is exact integer arithmetic.
pub type BasisPoints = u32;

/// One service in a yearly package for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceLine {
    /// The catalogue's code (e.g. `MENTOR`) or a new code for a service the redesign adds.
    pub code: String,
    pub name_da: String,
    pub name_en: String,
    pub department: Department,
    pub kind: ServiceKind,
    /// The yearly cost for one person.
    pub yearly: Ore,
}

/// What a redesign does to the package, applied in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Change {
    /// The services are stopped.
    Remove { codes: Vec<String> },
    /// The services are stopped and one new service takes their place.
    Replace {
        codes: Vec<String>,
        with: ServiceLine,
    },
    /// The services continue at `factor` of their cost (5000 bp = half).
    Resize {
        codes: Vec<String>,
        factor: BasisPoints,
    },
}

/// The expected movement towards self-support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effect {
    /// Share of the group that moves one step on the staircase each year.
    pub step_share: BasisPoints,
    /// Transfer income saved a year for each step taken.
    pub saving_per_step: Ore,
    /// Whose budget the saved transfer income is in.
    pub department: Department,
    /// The first year (1-based) in which steps are taken. Steps taken in year t save from year
    /// t + 1 on, so with the default 1 the first saving is in year 2.
    pub first_year: u32,
}

/// A cost of the redesign itself, for the whole group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedesignCost {
    pub text_da: String,
    pub text_en: String,
    pub department: Department,
    /// One-off costs fall in year 1; running costs in every year.
    pub one_off: bool,
    pub amount: Ore,
}

/// When the network model's budget transfers are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Harvest {
    /// In the budget from the start, from the expected figures (the KL report's recommendation).
    UpFront,
    /// After each follow-up, from the realised figures; the table is then the expectation.
    AlongTheWay,
}

/// The guard rules of the network model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guards {
    /// "A person's new package costs at most the old one."
    pub package_at_most_old: bool,
    /// "Extra spending over X % in one department needs approval" (None: no such rule).
    pub approval_above: Option<BasisPoints>,
}

/// A redesign of the help for a target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub id: String,
    pub name_da: String,
    pub name_en: String,
    /// The rules file's target group the scenario is for, if any.
    pub target_group: Option<String>,
    /// How many citizens the package describes.
    pub persons: u32,
    pub horizon_years: u32,
    /// Yearly discount rate.
    pub discount_rate: BasisPoints,
    /// Today's package for one person, a year.
    pub package: Vec<ServiceLine>,
    pub changes: Vec<Change>,
    pub effect: Option<Effect>,
    pub costs: Vec<RedesignCost>,
    pub guards: Guards,
    pub harvest: Harvest,
}

/// The largest horizon: discount factors and sums stay well inside `i128`.
pub const MAX_HORIZON: u32 = 30;
/// The largest group a scenario may describe.
pub const MAX_PERSONS: u32 = 1_000_000;
/// The largest discount rate (50 %).
pub const MAX_DISCOUNT_RATE: BasisPoints = 5_000;
/// The largest resize factor (500 %).
pub const MAX_FACTOR: BasisPoints = 50_000;
