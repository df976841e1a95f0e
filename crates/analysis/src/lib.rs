//! The cross-sector overview: who costs what across departments, how concentrated the cost is,
//! how complex the help is — under disclosure control, as an HTML report with tables.
//!
//! Works only on a [`Register<Pseudonymised>`] (statistics purpose, docs/data-protection.md).
//!
//! # Pipeline
//! 1. [`allocate`] — stage 1, cost allocation ([`allocation`]).
//! 2. [`compute_metrics`] — stage 2, per-citizen and per-family metrics ([`metrics`]).
//! 3. [`summarise`] — concentration, complexity and coverage, through [`disclosure`], into an
//!    [`Analysis`] that holds only publishable cells.
//!    [`summarise_with_rules`] adds the target groups, overlaps/conflicts and discovered service
//!    combinations of a `tvaers_rules::RuleSet` ([`groups`], [`summarise_rules`]).
//! 4. [`publish`] — the [`Analysis`] as a `tvaers_report::Document` (page sections, tables,
//!    `summary.json`) in one language; `tvaers_report::write` writes it. This crate does no I/O.
//!
//! # Semantics (the contract an independent SQL implementation reproduces)
//! Period P = [from, to], both days included.
//!
//! - **Default period** ([`default_period`]): the last calendar year fully covered by postings —
//!   the year of the latest posting date if that date is 31 December, else the year before. The
//!   latest date ignores *stray* dates: let Y be the latest calendar year holding at least 1 % of
//!   the postings (count(year) · 100 ≥ count(all)); postings dated after 31 December of Y + 1 are
//!   ignored (one posting mistyped as 31-12-2200 does not move the period). With no postings,
//!   the year of the latest spell start, stray starts ignored by the same rule over spell
//!   starts; with neither, the current year. Postings dated, and spells lying wholly, more than
//!   a year (12 months) outside the period are counted for a warning
//!   ([`DataQuality`](summary::DataQuality), not published).
//! - **cost_total** = Σ amount of all postings dated in P.
//! - **Booked**: postings dated in P with a person. Per person Σ amount. B = the set of pairs
//!   (person, posting function) over those postings.
//! - **Activity**: each spell whose pair (spell person, catalogue function of the spell's
//!   service) is in B is skipped. Otherwise, for each calendar-year segment of (spell ∩ P) (open
//!   end = P.to): price = the unit price of (service, year). A year without one is an error
//!   ([`MissingPrices::Refuse`], the default) unless [`MissingPrices::PreviousYear`] is chosen:
//!   then the latest earlier year's price, and with no price at all the segment is *unpriced*
//!   (its days are counted, cost 0).
//!   cost += `activity_cost(volume, price, catalogue unit of the service, segment days)` (integer
//!   øre, halves rounded up; `tvaers_core::service::activity_cost`). The cost is the spell
//!   person's.
//! - **Allocated** per person = booked + activity; **cost_allocated** = Σ over persons;
//!   **unallocated** = cost_total − cost_allocated (may be negative; reported as is).
//! - **Coverage** shares = booked, activity and unallocated divided by cost_total (`null` when
//!   cost_total is 0). **By department**: a posting's department is the catalogue department of
//!   its service if set, else of its function (the first catalogue service on that function),
//!   else the row "unmapped"; activity goes to the department of the spell's service. Per
//!   department: total = Σ postings, booked = Σ booked postings, activity, unallocated = total −
//!   booked − activity. The row's *persons* = persons with a booked posting of the department in
//!   P or a spell of one of its services intersecting P.
//! - **Per-citizen metrics** over the spells intersecting P: cost = allocated; cost by
//!   department (booked by posting department, activity by service department); distinct
//!   services; distinct departments (of those services); distinct contact persons (spells with
//!   one); **max concurrent distinct services / departments** = the maximum over days in P of the
//!   number of distinct services (departments) with a spell covering the day, spells clipped to
//!   P (open end = P.to). A spell ending on day d and one starting on d + 1 do not overlap.
//! - **Per family** (families of `Families::build`, i.e. persons sharing a family pseudonym):
//!   costs are sums over members; distinct counts and concurrency are taken over the union of
//!   the members' spells (a service two members both receive counts once).
//!   Families of more than [`MAX_PLAUSIBLE_FAMILY`] members (20) are counted in
//!   [`DataQuality`](summary::DataQuality) for a warning — usually a placeholder family key —
//!   and analysed like any other.
//! - **Concentration** over all N persons of the register, zero-cost ones included: with costs
//!   sorted descending, top-k share = Σ of the ⌈k·N/100⌉ largest / cost_allocated for k = 1, 3,
//!   5, 10; Gini on ascending x_1..x_N: G = 2·Σ i·x_i / (N·Σx) − (N+1)/N (i from 1, i128 sums,
//!   f64 only at the end); Lorenz points (i/N, Σ_{j≤i} x_j / Σx). The same for families (N =
//!   number of families, family cost = Σ of its members' allocated cost).
//! - **Complexity**: citizens with max concurrent departments ≥ 2, ≥ 3, ≥ 4 and with max
//!   concurrent services ≥ 7, each with count and Σ allocated cost; and the distribution over
//!   0, 1, 2, 3, 4+ concurrent departments (all N persons; no spell = 0).
//!
//! # Disclosure control ([`disclosure`], threshold 5)
//! No published value describes 1–4 persons: department rows by the smallest of their person
//! counts (persons, booked persons, persons with priced activity); the overall figures likewise;
//! complexity rows by their number of citizens; a top-k share by ⌈k·N/100⌉ and, with the Lorenz
//! points, so that any two published cumulative points differ by at least 5 persons; the Gini
//! and the counts of citizens/families by N. Secondary suppression: a table with a published
//! total never has exactly one hidden cell; the distribution over concurrent departments, a
//! count table, is interval-safe (every "<5" may still be anything from 1 to 4 given the total
//! and the markers), and "≥ k departments" rows are withheld when they would narrow or single
//! out a hidden bucket. No person, family or contact pseudonym is ever output.
//! The rule sections follow stricter rules on top (interval-safe count tables, nested
//! populations); see [`groups`].

#![forbid(unsafe_code)]

pub mod allocation;
pub mod centres;
pub mod complexity;
pub mod concentration;
pub mod groups;
mod json;
pub mod metrics;
pub mod plausibility;
pub mod publish;
pub mod summary;
pub mod top;

/// Disclosure control lives with the publication model (`tvaers-report`), where every face
/// publishes through it; re-exported here because every statistic of this crate is made with it.
pub use tvaers_report::disclosure;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use allocation::{
    Allocation, AnalysisError, CostCentre, FarOutside, MissingPrices, allocate, allocate_with,
    check_limits, default_period, far_outside,
};
pub use disclosure::{Cell, MIN_PERSONS, Suppression};
pub use groups::{RuleAnalysis, summarise_rules};
pub use metrics::{Metrics, UnitMetrics, compute_metrics};
pub use publish::{DatasetExport, Provenance, publish, publish_full, publish_with};
pub use summary::{Analysis, DataQuality, MAX_PLAUSIBLE_FAMILY, summarise, summarise_with_rules};
pub use tvaers_messages::Lang;

use tvaers_core::{Period, Pseudonymised, Register};

/// What a user may choose about an analysis; [`Default`] is what `tvaers analyse` does unless
/// told otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// The dominance rule of disclosure control (docs/data-protection.md).
    pub dominance: disclosure::Dominance,
    /// What a year without a unit price of its own does (default: an error).
    pub missing_prices: MissingPrices,
}

/// All three computing stages in one call, with the default [`Settings`].
pub fn analyse(reg: &Register<Pseudonymised>, period: Period) -> Result<Analysis, AnalysisError> {
    analyse_with(reg, period, None, &Settings::default())
}

/// [`analyse`] with the target groups, overlaps and combinations of `rules`.
pub fn analyse_with_rules(
    reg: &Register<Pseudonymised>,
    period: Period,
    rules: &tvaers_rules::RuleSet,
) -> Result<Analysis, AnalysisError> {
    analyse_with(reg, period, Some(rules), &Settings::default())
}

/// All three computing stages, with `rules` if given, under `settings`.
pub fn analyse_with(
    reg: &Register<Pseudonymised>,
    period: Period,
    rules: Option<&tvaers_rules::RuleSet>,
    settings: &Settings,
) -> Result<Analysis, AnalysisError> {
    let alloc = allocate_with(reg, period, settings.missing_prices)?;
    let metrics = compute_metrics(reg, &alloc, period);
    Ok(match rules {
        Some(r) => summarise_with_rules(reg, &alloc, &metrics, r, settings.dominance),
        None => summarise(reg, &alloc, &metrics, settings.dominance),
    })
}
