//! The records the store reads and writes. Ids of users, consents and grants are the core's
//! ([`UserId`], [`ConsentId`], [`GrantId`]), so that the access rule and the store speak of the
//! same things.

use chrono::{DateTime, NaiveDate, Utc};
use tvaers_core::access::{
    Basis, DataCategory, Decision, Purpose, Reason, Role, Subject, UserId, Viewer,
};
use tvaers_core::{Cpr, Department, Sex};

/// A citizen of the identified case-processing store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId(pub i64);

/// A note a user wrote about a citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoteId(pub i64);

/// A user account. The password hash is not part of it (see [`Credentials`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Set when the account was disabled; a disabled user has no valid session.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn subject(&self) -> Subject {
        Subject {
            id: self.id,
            role: self.role,
        }
    }
}

/// A user with the stored password hash (PHC string, argon2id), for the login check only.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// From [`crate::password::hash_password`].
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A login session. The store keeps only the SHA-256 of the cookie's token
/// ([`crate::session_token_hash`]), so a copy of the database cannot be used to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: [u8; 32],
    pub user: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The per-session secret the server derives CSRF tokens from.
    pub csrf_secret: [u8; 32],
}

/// A session in force and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub csrf_secret: [u8; 32],
}

/// A citizen as loaded from the person register. `left_register_on` is set when a load no
/// longer contained the person (moved away, died): marked, never deleted, because the users'
/// notes, consents and the audit log refer to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub id: CitizenId,
    pub cpr: Cpr,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub family_key: String,
    pub first_loaded_on: NaiveDate,
    pub left_register_on: Option<NaiveDate>,
    /// From the CPR extract's names (`Store::set_names`); `None` where none was supplied.
    pub name: Option<String>,
}

/// A unit price of the last load: what one `unit` of service `code` cost in `year`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPriceRecord {
    pub code: String,
    /// The unit's code (`tvaers_core::Unit::code`).
    pub unit: String,
    pub year: i32,
    pub price: tvaers_core::Ore,
}

/// The postings booked to a citizen in one department and year, summed (from the last load).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedCost {
    pub department: Department,
    pub year: i32,
    pub amount: tvaers_core::Ore,
}

/// One service (spell) of a citizen, from the last load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    pub code: String,
    pub name_da: String,
    pub department: Department,
    pub legal_basis: String,
    /// The unit's code (`tvaers_core::Unit::code`).
    pub unit: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// The volume in thousandths of the unit (`tvaers_core::Quantity`).
    pub volume_milli: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub user: UserId,
    pub added_by: Option<UserId>,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub citizen: CitizenId,
    pub scope: Vec<(Viewer, DataCategory)>,
    pub given_at: DateTime<Utc>,
    pub recorded_by: Option<UserId>,
    /// What the citizen consented to, in the caseworker's words (or the form's reference).
    pub note: String,
}

/// A consent with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub consent: tvaers_core::access::Consent,
    pub citizen: CitizenId,
    pub recorded_by: Option<UserId>,
    pub withdrawn_by: Option<UserId>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub citizen: CitizenId,
    pub user: UserId,
    /// Required: the store refuses an empty reason.
    pub reason: String,
    pub from: DateTime<Utc>,
    /// Must be after `from`.
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    pub grant: tvaers_core::access::BreakGlassGrant,
    pub citizen: CitizenId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    pub citizen: CitizenId,
    pub author: UserId,
    /// The category the note belongs to (usually the author's department's services); the
    /// access rule decides who may read it like any other data of that category.
    pub category: DataCategory,
    pub written_at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: NoteId,
    pub citizen: CitizenId,
    pub author: UserId,
    pub category: DataCategory,
    pub written_at: DateTime<Utc>,
    pub text: String,
}

/// What happened to personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Read,
    Write,
    /// The access rule refused; nothing was shown.
    Refused,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Write => "write",
            AuditAction::Refused => "refused",
        }
    }

    pub fn from_code(s: &str) -> Option<AuditAction> {
        match s {
            "read" => Some(AuditAction::Read),
            "write" => Some(AuditAction::Write),
            "refused" => Some(AuditAction::Refused),
            _ => None,
        }
    }
}

/// One entry to append to the audit log. Write methods of [`crate::Store`] take one and append
/// it in the same transaction as the write; reads and refusals go through
/// [`crate::Store::append_audit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Stored to the microsecond.
    pub at: DateTime<Utc>,
    /// Who acted; `None` for the system itself (the nightly load, the command line).
    pub actor: Option<Subject>,
    pub citizen: Option<CitizenId>,
    pub category: Option<DataCategory>,
    pub purpose: Purpose,
    pub action: AuditAction,
    /// The basis of an allowed access or write (the decision's).
    pub basis: Option<Basis>,
    /// Why it was refused (for [`AuditAction::Refused`]).
    pub refusal: Option<Reason>,
    /// What was done, in words or a code the server chooses (no CPR numbers).
    pub detail: String,
}

impl AuditEntry {
    /// The entry for an access the rule decided: `Read` with its basis, or `Refused` with its
    /// reason.
    pub fn access(
        subject: Subject,
        citizen: CitizenId,
        category: DataCategory,
        purpose: Purpose,
        decision: &Decision,
        at: DateTime<Utc>,
        detail: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            at,
            actor: Some(subject),
            citizen: Some(citizen),
            category: Some(category),
            purpose,
            action: if decision.allowed {
                AuditAction::Read
            } else {
                AuditAction::Refused
            },
            basis: decision.basis.clone(),
            refusal: (!decision.allowed).then_some(decision.reason),
            detail: detail.into(),
        }
    }

    /// A write by `actor` (or the system) on `basis`.
    pub fn write(
        actor: Option<Subject>,
        citizen: Option<CitizenId>,
        category: Option<DataCategory>,
        purpose: Purpose,
        basis: Option<Basis>,
        at: DateTime<Utc>,
        detail: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            at,
            actor,
            citizen,
            category,
            purpose,
            action: AuditAction::Write,
            basis,
            refusal: None,
            detail: detail.into(),
        }
    }
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub user: Option<UserId>,
    /// The actor's role code and department code at the time of the entry.
    pub actor_role: Option<String>,
    pub actor_department: Option<Department>,
    pub citizen: Option<CitizenId>,
    pub category: Option<DataCategory>,
    pub purpose: Purpose,
    pub action: AuditAction,
    pub basis: Option<Basis>,
    pub refusal: Option<String>,
    pub detail: String,
    pub hash: [u8; 32],
}

impl AuditRecord {
    pub fn is_break_the_glass(&self) -> bool {
        matches!(self.basis, Some(Basis::BreakTheGlass { .. }))
    }
}

/// The data protection officer's filters; all optional, combined with "and".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user: Option<UserId>,
    pub citizen: Option<CitizenId>,
    /// From (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until (exclusive).
    pub until: Option<DateTime<Utc>>,
    pub break_the_glass_only: bool,
    /// Entries after this seq (for paging); newest last.
    pub after_seq: Option<i64>,
    /// At most this many (default 1,000).
    pub limit: Option<u32>,
}

/// One line of the citizen's own access log (GDPR art. 15 after CJEU C-579/21): when, which
/// department (or role, for those without one), for what purpose — never the employee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogLine {
    pub at: DateTime<Utc>,
    /// The department of the user who looked, if the user belongs to one.
    pub department: Option<Department>,
    /// The user's role code (`coordinator`, `dpo`, …), for lines without a department.
    pub role: Option<String>,
    pub purpose: Purpose,
    pub category: Option<DataCategory>,
    pub action: AuditAction,
}

/// What [`crate::Store::verify_audit_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries read.
    pub entries: u64,
    /// The last seq and hash of the chain head.
    pub head_seq: i64,
    pub head_hash: [u8; 32],
    /// The first place the chain is broken, if it is.
    pub broken: Option<ChainBreak>,
}

/// Where the audit chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub kind: BreakKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// The entry's content does not give its stored hash (edited, or moved to another seq).
    Altered,
    /// The entry with this seq is missing (deleted).
    Missing,
    /// An entry after the recorded head of the chain (inserted).
    BeyondHead,
    /// The head records another hash than the last entry's.
    HeadMismatch,
}

impl BreakKind {
    pub fn code(self) -> &'static str {
        match self {
            BreakKind::Altered => "altered",
            BreakKind::Missing => "missing",
            BreakKind::BeyondHead => "beyond_head",
            BreakKind::HeadMismatch => "head_mismatch",
        }
    }
}

/// The counts of one load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadCounts {
    /// Citizens in the export.
    pub citizens: u64,
    /// Of them, not in the store before.
    pub new: u64,
    /// Of them, marked as left before and back now.
    pub returned: u64,
    /// Citizens in the store but not in the export, marked as left by this load.
    pub left: u64,
    /// Services (spells) in the export.
    pub services: u64,
    /// Service rows inserted and removed to make the store equal the export.
    pub services_added: u64,
    pub services_removed: u64,
}
