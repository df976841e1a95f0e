//! Target groups, overlap/conflict rules and discovery of concurrent service combinations: the
//! cross-sector patterns of docs/domain.md as rules a municipality can read and change.
//!
//! - [`RuleSet::parse`] reads a rules file (TOML, documented in `rules/README.md`); every error
//!   names the line and column. [`RuleSet::standard`] is the shipped `rules/standard.toml`.
//! - [`evaluate_person`] gives one citizen's [`Alert`]s; it is generic over the register's
//!   identity, so the same rules serve statistics and case processing.
//!   [`evaluate_all`] gives, per rule, the citizens (and families) meeting it, for statistics.
//! - [`discover_combinations`] finds the service sets that at least `min_support` citizens
//!   receive on the same day, ranked by cost.
//! - [`sql`] translates the rules and discovery to DuckDB SQL for the independent peer
//!   (`bench/duckdb_peer.py --rules-sql`).
//!
//! "Concurrent" always means a common day: spells are clipped to the period and a condition
//! holds on a day when all its requirements hold on that day. Age is the age in the year
//! ([`tvaers_core::PersonRecord::age_in_year`]), as the pseudonymised dataset keeps only the
//! birth year. Nothing here does I/O.

#![forbid(unsafe_code)]

mod discover;
mod engine;
// The fuzz target's body (`fuzz/`), public so that the target and the corpus replay test can
// call it; not an API.
#[doc(hidden)]
pub mod fuzzing;
mod model;
mod parse;
pub mod sql;

pub use discover::{Combination, MAX_COMBINATION_SIZE, discover_combinations};
pub use engine::{
    Alert, Index, Membership, RuleMembership, evaluate_all, evaluate_all_indexed, evaluate_person,
    evaluate_persons,
};
pub use model::{
    AlertKind, Condition, Count, KNOWN_TAGS, PersonCondition, Requirement, Rule, RuleSet,
    STANDARD_RULES, Selector, Sequence, Severity,
};
pub use parse::RulesError;
