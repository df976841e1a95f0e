//! The case-processing store of Tværs: one [`Store`] trait, two implementations
//! ([`SqliteStore`], the embedded default, and [`PostgresStore`], for several server instances
//! sharing one database), chosen at start-up by [`open`] from the database URL.
//!
//! This store holds **identified** data (CPR numbers, services, notes) for case processing. It
//! never meets the statistics dataset: nothing here reads or writes Parquet, and nothing in the
//! statistics branch depends on this crate (docs/data-protection.md, ARCHITECTURE.md).
//!
//! # What the server must know
//!
//! - **Every access goes through the access rule.** The store does not decide who may see
//!   what; it hands [`access_facts`](Store::access_facts) to
//!   [`tvaers_core::access::decide`], and the caller shows only what was allowed.
//! - **Every write is audited in its own transaction.** Each method that writes personal data
//!   takes an [`AuditEntry`] and appends it to the audit log in the same transaction as the
//!   write: both commit or neither. Reads and refusals are appended with
//!   [`append_audit`](Store::append_audit) *before* the data is shown (if the log cannot be
//!   written, show nothing).
//! - **The audit log is a hash chain** (`hash = SHA-256(prev_hash ‖ canonical entry)`, see
//!   [`audit`]); appends are serialised (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a row lock on
//!   the chain head, `SELECT … FOR UPDATE`), so several server instances on one PostgreSQL never
//!   fork it. [`verify_audit_chain`](Store::verify_audit_chain) names the first broken entry.
//! - **Times are the caller's.** Methods take `at`/`now` instead of reading the clock, so tests
//!   and the access rule agree on "now". Timestamps are stored as microseconds since the Unix
//!   epoch (`*_us` columns) on both backends; finer parts are truncated.
//! - **Sessions** are stored by the SHA-256 of the token ([`session_token_hash`]); an expired
//!   session or a disabled user's session is not found.
//! - **Passwords**: [`password`] checks the rules (NIST SP 800-63B) and hashes with argon2id;
//!   hashing is CPU-bound, so call it from `spawn_blocking` on the server.
//! - **Errors** never contain a whole CPR number ([`StoreError`]).
//!
//! # Layout
//!
//! `model` (the records), `audit` (canonical encoding and hashing of entries),
//! `sql` (the one implementation of the trait, expanded for each backend), `migrations`
//! (per-backend, append-only, embedded), `password`.

#![forbid(unsafe_code)]

pub mod audit;
mod migrations;
mod model;
pub mod password;
mod plan;
mod sql;

pub use migrations::{MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, Migration};
pub use model::*;
pub use plan::*;
pub use sql::{AnyStore, PostgresStore, SqliteStore};

use chrono::{DateTime, NaiveDate, Utc};
use std::future::Future;
use tvaers_core::access::{BreakGlassGrant, CitizenFacts, ConsentId, GrantId, LegalBasis, UserId};
use tvaers_core::{Cpr, Identified, Register};

/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:tvaers.db";

/// What can go wrong. Messages name tables and fields, never values of personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL must start with sqlite: or postgres:// (got a URL of another kind)")]
    UnknownUrl,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("invalid: {0}")]
    Invalid(&'static str),
    /// A plan save based on an old version: someone saved after the user began editing.
    /// Nothing was written.
    #[error("the plan was saved by someone else meanwhile (now version {current})")]
    Stale { current: i64 },
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opens the store named by `url` (`sqlite:PATH` — created and migrated if absent — or
/// `postgres://…`), migrating it to the current schema.
pub async fn open(url: &str) -> Result<AnyStore> {
    if url.starts_with("sqlite:") {
        Ok(AnyStore::Sqlite(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(AnyStore::Postgres(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnknownUrl)
    }
}

/// The SHA-256 of a session token, as the store keeps it.
pub fn session_token_hash(token: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token).into()
}

/// A fresh random 32-byte secret (session tokens, CSRF secrets).
pub fn random_secret() -> [u8; 32] {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b
}

/// The case-processing store. Both backends pass one conformance suite
/// (`crates/store/tests/conformance.rs`).
///
/// Methods taking `audit: &AuditEntry` append it in the same transaction as their write.
/// Methods returning `Option` answer `None` for an unknown id; writes to an unknown id fail
/// with [`StoreError::NotFound`].
pub trait Store: Send + Sync {
    // ---- users, sessions, login throttling -------------------------------------------------

    /// Creates a user; [`StoreError::Conflict`] if the username is taken.
    fn create_user(
        &self,
        user: &NewUser,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<UserId>> + Send;
    fn user(&self, id: UserId) -> impl Future<Output = Result<Option<User>>> + Send;
    /// The user and password hash for a login (disabled users included: the caller refuses).
    fn credentials(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<Credentials>>> + Send;
    fn users(&self) -> impl Future<Output = Result<Vec<User>>> + Send;
    /// Disables (`Some(at)`) or enables (`None`) a user; disabling ends their sessions.
    fn set_user_disabled(
        &self,
        id: UserId,
        disabled_at: Option<DateTime<Utc>>,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_password_hash(
        &self,
        id: UserId,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    fn create_session(&self, session: &NewSession) -> impl Future<Output = Result<()>> + Send;
    /// The session for a token hash, if it has not expired at `now` and its user is enabled.
    fn session(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;
    fn delete_session(&self, token_hash: &[u8; 32]) -> impl Future<Output = Result<()>> + Send;
    /// Removes sessions expired at `now`; returns how many.
    fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Records a failed login for a username (known or not).
    fn record_login_failure(
        &self,
        username: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Failed logins for `username` since `since`, for throttling.
    fn login_failures_since(
        &self,
        username: &str,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Forgets the failures of `username` (after a successful login).
    fn clear_login_failures(&self, username: &str) -> impl Future<Output = Result<()>> + Send;

    // ---- citizens (loaded from the register) -----------------------------------------------

    fn citizen(&self, id: CitizenId) -> impl Future<Output = Result<Option<Citizen>>> + Send;
    fn citizen_by_cpr(&self, cpr: &Cpr) -> impl Future<Output = Result<Option<Citizen>>> + Send;
    /// The citizens sharing `id`'s family key (the citizen included), by CPR.
    fn family(&self, id: CitizenId) -> impl Future<Output = Result<Vec<Citizen>>> + Send;
    /// The citizen's services from the last load, by start date.
    fn services(&self, id: CitizenId) -> impl Future<Output = Result<Vec<ServiceRecord>>> + Send;
    /// The citizens on whose team the user is.
    fn citizens_of_user(&self, user: UserId) -> impl Future<Output = Result<Vec<Citizen>>> + Send;
    /// Citizens whose name contains every word of `query` (case-insensitive), at most
    /// `limit`, by name. Citizens without a name are never found.
    fn search_by_name(
        &self,
        query: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Citizen>>> + Send;
    /// Sets the names of the citizens with these CPR numbers (from the CPR extract); returns
    /// how many citizens matched. One transaction with its audit entry.
    fn set_names(
        &self,
        names: &[(Cpr, String)],
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// The last load's unit prices of the services the citizen has.
    fn unit_prices_of(
        &self,
        id: CitizenId,
    ) -> impl Future<Output = Result<Vec<UnitPriceRecord>>> + Send;
    /// The amounts booked to the citizen, per department and year, from the last load.
    fn booked_costs(&self, id: CitizenId) -> impl Future<Output = Result<Vec<BookedCost>>> + Send;
    /// Everything [`tvaers_core::access::decide`] needs about the citizen.
    fn access_facts(&self, id: CitizenId) -> impl Future<Output = Result<CitizenFacts>> + Send;

    // ---- teams ------------------------------------------------------------------------------

    /// Adds a user to a citizen's team (no-op if already on it; the audit entry is still
    /// appended).
    fn add_to_team(
        &self,
        citizen: CitizenId,
        user: UserId,
        added_by: Option<UserId>,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    fn remove_from_team(
        &self,
        citizen: CitizenId,
        user: UserId,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    fn team(&self, citizen: CitizenId) -> impl Future<Output = Result<Vec<TeamMember>>> + Send;

    // ---- consents and legal bases ------------------------------------------------------------

    fn record_consent(
        &self,
        consent: &NewConsent,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<ConsentId>> + Send;
    /// Withdraws a consent at `at`; [`StoreError::Conflict`] if already withdrawn.
    fn withdraw_consent(
        &self,
        id: ConsentId,
        at: DateTime<Utc>,
        by: Option<UserId>,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The citizen's consents, withdrawn ones included, by id.
    fn consents(
        &self,
        citizen: CitizenId,
    ) -> impl Future<Output = Result<Vec<ConsentRecord>>> + Send;
    /// One consent by id (for withdrawing it: the server needs its citizen to ask the rule).
    fn consent(&self, id: ConsentId) -> impl Future<Output = Result<Option<ConsentRecord>>> + Send;
    /// Adds a legal basis for sharing (the same `(viewer, category, text)` twice is a no-op).
    fn add_legal_basis(
        &self,
        basis: &LegalBasis,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    fn legal_bases(&self) -> impl Future<Output = Result<Vec<LegalBasis>>> + Send;

    // ---- break-the-glass ---------------------------------------------------------------------

    /// Records a grant; [`StoreError::Invalid`] for an empty reason or `until <= from`.
    fn grant_break_glass(
        &self,
        grant: &NewGrant,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<GrantId>> + Send;
    /// Grants that were active at some time in `[from, until)`, for the DPO.
    fn break_glass_grants(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<GrantRecord>>> + Send;

    // ---- notes -------------------------------------------------------------------------------

    fn add_note(
        &self,
        note: &NewNote,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<NoteId>> + Send;
    /// The citizen's notes in the given categories (those the rule allowed), oldest first.
    fn notes(
        &self,
        citizen: CitizenId,
        categories: &[tvaers_core::access::DataCategory],
    ) -> impl Future<Output = Result<Vec<Note>>> + Send;

    // ---- the plan and progression ---------------------------------------------------------

    /// Saves a new version of the citizen's plan and returns its number. Refuses with
    /// [`StoreError::Stale`] (writing nothing) unless `plan.based_on` is the current version
    /// (0 when there is none); [`StoreError::Invalid`] if the content fails
    /// [`PlanContent::check`].
    fn save_plan(
        &self,
        plan: &NewPlanVersion,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// The current version of the citizen's plan.
    fn plan(&self, citizen: CitizenId) -> impl Future<Output = Result<Option<PlanVersion>>> + Send;
    /// Every version of the citizen's plan, oldest first.
    fn plan_versions(
        &self,
        citizen: CitizenId,
    ) -> impl Future<Output = Result<Vec<PlanVersion>>> + Send;
    /// Records a progression measurement; [`StoreError::Invalid`] for a score above
    /// [`MAX_SCORE`].
    fn record_progression(
        &self,
        record: &NewProgression,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<ProgressionId>> + Send;
    /// The citizen's progression records by date (then by id).
    fn progression(
        &self,
        citizen: CitizenId,
    ) -> impl Future<Output = Result<Vec<Progression>>> + Send;

    // ---- audit log ---------------------------------------------------------------------------

    /// Appends entries (reads, refusals, or anything not tied to a write) in one transaction;
    /// returns their seqs.
    fn append_audit(&self, entries: &[AuditEntry])
    -> impl Future<Output = Result<Vec<i64>>> + Send;
    /// The DPO's view: entries matching the filter, by seq.
    fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> impl Future<Output = Result<Vec<AuditRecord>>> + Send;
    /// The citizen's own access log since `since`, oldest first: reads and writes of their
    /// data, without the employee (refusals are not accesses and are left out).
    fn citizen_access_log(
        &self,
        citizen: CitizenId,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<AccessLogLine>>> + Send;
    /// Recomputes the whole chain; `Ok` with [`ChainReport::broken`] set if it is broken.
    fn verify_audit_chain(&self) -> impl Future<Output = Result<ChainReport>> + Send;

    // ---- the nightly load --------------------------------------------------------------------

    /// Loads the identified register in one transaction: upserts citizens by CPR, makes their
    /// services equal the export's, marks citizens absent from it as left on `as_of` (and
    /// un-marks returning ones). Teams, consents, notes and the audit log are not touched,
    /// apart from `audit`, which is appended with the counts added to its detail. Loading
    /// the same export twice changes no citizen or service.
    fn load_register(
        &self,
        register: &Register<Identified>,
        as_of: NaiveDate,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<LoadCounts>> + Send;
}

/// An active grant check for callers outside [`tvaers_core::access::decide`] (e.g. showing a
/// banner "you are looking by break-the-glass").
pub fn active_grant(grants: &[BreakGlassGrant], user: UserId, now: DateTime<Utc>) -> bool {
    grants.iter().any(|g| g.user == user && g.active(now))
}
