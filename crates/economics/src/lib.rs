//! Tværs economics (issue 11): what a target group costs, what a redesign of its help would
//! cost, who pays for what across departments, and whether it pays off.
//!
//! Pure and without I/O, like `tvaers-analysis`: a [`Scenario`] is parsed from a TOML text
//! ([`Scenario::parse`], errors with line and column), [`potential`] computes before/after by
//! department, year by year, the net present value, payback year and a sensitivity table, and
//! [`network`] and [`separate_unit`] the budget models. Money is integer øre ([`tvaers_core::Ore`])
//! throughout; shares and rates are whole basis points, so every figure is exact integer
//! arithmetic with the rounding rules stated in [`potential`](mod@potential).
#![forbid(unsafe_code)]

pub mod baseline;
pub mod budget;
pub mod followup;
pub mod model;
mod parse;
pub mod potential;
pub mod publish;

pub use budget::{Network, SeparateUnit, Transfer, Violation, network, separate_unit};
pub use followup::{FollowUp, FollowUpError, follow_up};
pub use model::{
    BasisPoints, Change, Effect, Guards, Harvest, RedesignCost, Scenario, ServiceLine,
};
pub use parse::ScenarioError;
pub use potential::{Potential, TooLarge, potential};
