//! The one access rule of the case-processing face (docs/data-protection.md, "Who may see what").
//!
//! [`decide`] is a pure function: who asks ([`Subject`]), what is known about the citizen's
//! team, consents, the municipality's legal bases and break-the-glass grants
//! ([`CitizenFacts`]), which [`DataCategory`] and for which [`Purpose`], at which moment. It
//! answers with a [`Decision`]: allowed or not, on which [`Basis`], and a [`Reason`] that the
//! server maps to a message of the catalogue. Every page and API call that shows identified
//! data asks it first, and the audit log records the answer (the basis of an allowed access,
//! the reason of a refused one).
//!
//! The rule, in short (the table in docs/data-protection.md is the full statement):
//!
//! - An analyst never sees identified data, and the statistics purpose never allows identified
//!   access: statistics go through the pseudonymised dataset.
//! - The data protection officer supervises the audit log ([`DataCategory::AuditLog`],
//!   [`Purpose::Supervision`]) and sees no citizen data; the administrator manages users and
//!   sees no citizen data.
//! - A caseworker, coordinator or department manager sees a citizen only while on the
//!   citizen's team, or by an active break-the-glass grant.
//! - On the team: basic data (identity, contact, team) always; their own department's services
//!   always; another department's services where a consent in force covers (viewer, category),
//!   or — for a category that is not sensitive — where a legal basis covers it. Health and social
//!   categories ([`DataCategory::is_sensitive`]) need consent: a legal basis is not enough.
//! - Without a team basis, an active break-the-glass grant (written reason, time-limited) opens
//!   every citizen category for case processing, and is flagged in the audit log.
//! - Consent withdrawn at or before `now` no longer counts; a grant counts from its `from` up to
//!   (not including) its `until`.

use crate::department::Department;
use chrono::{DateTime, Utc};
use std::fmt;

/// A user of the case-processing face (an id of the store's `users` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// A recorded consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsentId(pub i64);

/// A break-the-glass grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId(pub i64);

/// What a user is in the municipality. The department of a caseworker or manager is the one
/// whose services are "their own".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Caseworker {
        department: Department,
    },
    /// Coordinates the help across departments (helhedsorienteret plan); no department of
    /// its own.
    Coordinator,
    DepartmentManager {
        department: Department,
    },
    Analyst,
    DataProtectionOfficer,
    Administrator,
}

impl Role {
    /// Code of the role as stored and typed on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Caseworker { .. } => "caseworker",
            Role::Coordinator => "coordinator",
            Role::DepartmentManager { .. } => "manager",
            Role::Analyst => "analyst",
            Role::DataProtectionOfficer => "dpo",
            Role::Administrator => "admin",
        }
    }

    /// All role codes, for messages ("expected one of …").
    pub const CODES: [&'static str; 6] = [
        "caseworker",
        "coordinator",
        "manager",
        "analyst",
        "dpo",
        "admin",
    ];

    /// The role from its code and a department: caseworkers and managers need one, the other
    /// roles must have none.
    pub fn from_code(code: &str, department: Option<Department>) -> Result<Role, RoleError> {
        let role = match (code.trim().to_lowercase().as_str(), department) {
            ("caseworker", Some(department)) => Role::Caseworker { department },
            ("manager", Some(department)) => Role::DepartmentManager { department },
            ("caseworker" | "manager", None) => return Err(RoleError::NeedsDepartment),
            ("coordinator", None) => Role::Coordinator,
            ("analyst", None) => Role::Analyst,
            ("dpo", None) => Role::DataProtectionOfficer,
            ("admin", None) => Role::Administrator,
            ("coordinator" | "analyst" | "dpo" | "admin", Some(_)) => {
                return Err(RoleError::NoDepartment);
            }
            _ => return Err(RoleError::Unknown),
        };
        Ok(role)
    }

    /// The department of a caseworker or a manager.
    pub fn department(self) -> Option<Department> {
        match self {
            Role::Caseworker { department } | Role::DepartmentManager { department } => {
                Some(department)
            }
            _ => None,
        }
    }

    /// The [`Viewer`] a consent or legal basis must name to cover this role, if any.
    pub fn viewer(self) -> Option<Viewer> {
        match self {
            Role::Caseworker { department } | Role::DepartmentManager { department } => {
                Some(Viewer::Department(department))
            }
            Role::Coordinator => Some(Viewer::Coordinator),
            _ => None,
        }
    }
}

/// Why a role code and department do not make a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("unknown role")]
    Unknown,
    #[error("a caseworker or a department manager belongs to a department")]
    NeedsDepartment,
    #[error("only caseworkers and department managers belong to a department")]
    NoDepartment,
}

/// Who a consent scope or a legal basis lets see a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Viewer {
    /// The caseworkers and the manager of a department.
    Department(Department),
    /// The coordinators.
    Coordinator,
}

impl Viewer {
    /// `coordinator` or the department's code.
    pub fn code(self) -> &'static str {
        match self {
            Viewer::Department(d) => d.code(),
            Viewer::Coordinator => "coordinator",
        }
    }

    pub fn from_code(code: &str) -> Option<Viewer> {
        if code.trim() == "coordinator" {
            return Some(Viewer::Coordinator);
        }
        Department::from_code(code).map(Viewer::Department)
    }
}

/// A kind of data about an identified citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataCategory {
    /// Identity, contact details and the team: what every team member needs to work at all.
    Basic,
    /// The services (and notes) of one department.
    Services(Department),
    /// Who looked at the citizen's data: the audit log about this citizen, for the data
    /// protection officer's supervision.
    AuditLog,
}

impl DataCategory {
    /// Every category, in a fixed order (Basic, the eight departments, AuditLog).
    pub fn all() -> Vec<DataCategory> {
        let mut v = vec![DataCategory::Basic];
        v.extend(Department::ALL.map(DataCategory::Services));
        v.push(DataCategory::AuditLog);
        v
    }

    /// Health and social data (GDPR art. 9, and the sector acts' special confidentiality):
    /// another department sees them only with the citizen's consent.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            DataCategory::Services(
                Department::Health
                    | Department::Psychiatry
                    | Department::AdultSocial
                    | Department::ChildrenFamily
                    | Department::Disability
            )
        )
    }

    /// `basic`, `audit_log` or the department's code.
    pub fn code(self) -> &'static str {
        match self {
            DataCategory::Basic => "basic",
            DataCategory::Services(d) => d.code(),
            DataCategory::AuditLog => "audit_log",
        }
    }

    pub fn from_code(code: &str) -> Option<DataCategory> {
        match code.trim() {
            "basic" => Some(DataCategory::Basic),
            "audit_log" => Some(DataCategory::AuditLog),
            c => Department::from_code(c).map(DataCategory::Services),
        }
    }
}

impl fmt::Display for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why the data is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// Decisions and help for this citizen.
    CaseProcessing,
    /// Describing groups; never allowed on identified data.
    Statistics,
    /// The data protection officer's supervision of the audit log.
    Supervision,
    /// Running the system (users, legal bases); never about a citizen's data.
    Administration,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [
        Purpose::CaseProcessing,
        Purpose::Statistics,
        Purpose::Supervision,
        Purpose::Administration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::CaseProcessing => "case_processing",
            Purpose::Statistics => "statistics",
            Purpose::Supervision => "supervision",
            Purpose::Administration => "administration",
        }
    }

    pub fn from_code(code: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.code() == code.trim())
    }
}

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub id: UserId,
    pub role: Role,
}

/// A consent the citizen gave: which viewers may see which categories, from `given_at` until
/// it is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub scope: Vec<(Viewer, DataCategory)>,
    pub given_at: DateTime<Utc>,
    /// Set when withdrawn; it stops counting at this moment.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl Consent {
    /// In force at `now`: given at or before, not withdrawn at or before.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.given_at <= now && self.withdrawn_at.is_none_or(|w| w > now)
    }

    pub fn covers(&self, viewer: Viewer, category: DataCategory) -> bool {
        self.scope.contains(&(viewer, category))
    }
}

/// A legal basis for sharing a category with a viewer without consent (e.g. a provision that
/// lets the employment department see elderly care data). Counts only for categories that are
/// not sensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasis {
    pub viewer: Viewer,
    pub category: DataCategory,
    /// The provision, as written in law (`LAB § 30 b`).
    pub text: String,
}

/// Emergency access to one citizen for one user, with a written reason, from `from` until
/// (not including) `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub id: GrantId,
    pub user: UserId,
    pub reason: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl BreakGlassGrant {
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.until
    }
}

/// Everything the rule needs to know about one citizen (the store's `access_facts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CitizenFacts {
    /// The users on the citizen's team.
    pub team: Vec<UserId>,
    /// The citizen's consents, withdrawn ones included.
    pub consents: Vec<Consent>,
    /// The municipality's legal bases for sharing (the same for every citizen).
    pub legal_bases: Vec<LegalBasis>,
    /// Break-the-glass grants on this citizen, any user's, expired ones included.
    pub grants: Vec<BreakGlassGrant>,
    /// The legal bases of the citizen's services by department (from the catalogue), for the
    /// basis of a department looking at its own services.
    pub service_bases: Vec<(Department, String)>,
}

/// On what an allowed access rests (written to the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Team membership: basic data of a citizen one works with.
    Team,
    /// The department's own services, under the provisions they were granted by (empty when
    /// the citizen has none from the department yet).
    OwnDepartment {
        department: Department,
        legal_basis: Vec<String>,
    },
    Consent {
        consent_id: ConsentId,
    },
    LegalBasis {
        text: String,
    },
    BreakTheGlass {
        grant_id: GrantId,
        reason: String,
    },
    /// The data protection officer's supervision (GDPR art. 39).
    Supervision,
}

/// Why the rule answered as it did; the server maps each to a catalogue message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    // Allowed.
    TeamMember,
    OwnDepartment,
    ConsentInForce,
    LegalBasisCovers,
    BreakTheGlass,
    Supervision,
    // Refused.
    /// Analysts work on the pseudonymised dataset only.
    AnalystSeesNoIdentifiedData,
    /// Statistics never uses identified data.
    StatisticsNeverIdentified,
    /// The data protection officer and the administrator see no citizen data.
    RoleSeesNoCitizenData,
    /// Only the data protection officer reads the audit log, for supervision.
    AuditLogOnlyForSupervision,
    /// This purpose is not one this role works for (e.g. administration of a citizen).
    PurposeNotForRole,
    /// Not on the team and no active break-the-glass grant.
    NotOnTeam,
    /// A sensitive category of another department, and no consent in force covers it.
    SensitiveNeedsConsent,
    /// A non-sensitive category of another department, and neither a consent in force nor a
    /// legal basis covers it.
    NoConsentOrLegalBasis,
}

impl Reason {
    pub const ALL: [Reason; 14] = [
        Reason::TeamMember,
        Reason::OwnDepartment,
        Reason::ConsentInForce,
        Reason::LegalBasisCovers,
        Reason::BreakTheGlass,
        Reason::Supervision,
        Reason::AnalystSeesNoIdentifiedData,
        Reason::StatisticsNeverIdentified,
        Reason::RoleSeesNoCitizenData,
        Reason::AuditLogOnlyForSupervision,
        Reason::PurposeNotForRole,
        Reason::NotOnTeam,
        Reason::SensitiveNeedsConsent,
        Reason::NoConsentOrLegalBasis,
    ];

    /// A stable code, as stored in the audit log.
    pub fn code(self) -> &'static str {
        match self {
            Reason::TeamMember => "team_member",
            Reason::OwnDepartment => "own_department",
            Reason::ConsentInForce => "consent_in_force",
            Reason::LegalBasisCovers => "legal_basis_covers",
            Reason::BreakTheGlass => "break_the_glass",
            Reason::Supervision => "supervision",
            Reason::AnalystSeesNoIdentifiedData => "analyst_sees_no_identified_data",
            Reason::StatisticsNeverIdentified => "statistics_never_identified",
            Reason::RoleSeesNoCitizenData => "role_sees_no_citizen_data",
            Reason::AuditLogOnlyForSupervision => "audit_log_only_for_supervision",
            Reason::PurposeNotForRole => "purpose_not_for_role",
            Reason::NotOnTeam => "not_on_team",
            Reason::SensitiveNeedsConsent => "sensitive_needs_consent",
            Reason::NoConsentOrLegalBasis => "no_consent_or_legal_basis",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The rule's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub basis: Option<Basis>,
    pub reason: Reason,
}

impl Decision {
    fn allow(basis: Basis, reason: Reason) -> Decision {
        Decision {
            allowed: true,
            basis: Some(basis),
            reason,
        }
    }

    fn refuse(reason: Reason) -> Decision {
        Decision {
            allowed: false,
            basis: None,
            reason,
        }
    }

    /// True when the access rests on break-the-glass (flagged for the data protection officer).
    pub fn is_break_the_glass(&self) -> bool {
        matches!(self.basis, Some(Basis::BreakTheGlass { .. }))
    }
}

/// The access rule. See the module documentation and docs/data-protection.md.
pub fn decide(
    subject: &Subject,
    citizen: &CitizenFacts,
    category: DataCategory,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Decision {
    use Decision as D;
    // Roles that never see a citizen's data, whatever the purpose.
    match subject.role {
        Role::Analyst => return D::refuse(Reason::AnalystSeesNoIdentifiedData),
        Role::DataProtectionOfficer => {
            return match (category, purpose) {
                (DataCategory::AuditLog, Purpose::Supervision) => {
                    D::allow(Basis::Supervision, Reason::Supervision)
                }
                (_, Purpose::Statistics) => D::refuse(Reason::StatisticsNeverIdentified),
                (DataCategory::AuditLog, _) => D::refuse(Reason::PurposeNotForRole),
                _ => D::refuse(Reason::RoleSeesNoCitizenData),
            };
        }
        Role::Administrator => {
            return match purpose {
                Purpose::Statistics => D::refuse(Reason::StatisticsNeverIdentified),
                _ => D::refuse(Reason::RoleSeesNoCitizenData),
            };
        }
        Role::Caseworker { .. } | Role::Coordinator | Role::DepartmentManager { .. } => {}
    }
    // Caseworkers, coordinators and managers: case processing only (a manager also for the
    // supervision of their department's casework).
    match (purpose, subject.role) {
        (Purpose::Statistics, _) => return D::refuse(Reason::StatisticsNeverIdentified),
        (Purpose::CaseProcessing, _) | (Purpose::Supervision, Role::DepartmentManager { .. }) => {}
        _ => return D::refuse(Reason::PurposeNotForRole),
    }
    if category == DataCategory::AuditLog {
        return D::refuse(Reason::AuditLogOnlyForSupervision);
    }
    let grant = citizen
        .grants
        .iter()
        .filter(|g| g.user == subject.id && g.active(now))
        .min_by_key(|g| g.id);
    let by_grant = |refusal: Reason| match grant {
        Some(g) => D::allow(
            Basis::BreakTheGlass {
                grant_id: g.id,
                reason: g.reason.clone(),
            },
            Reason::BreakTheGlass,
        ),
        None => D::refuse(refusal),
    };
    if !citizen.team.contains(&subject.id) {
        return by_grant(Reason::NotOnTeam);
    }
    let department = match category {
        DataCategory::Basic => return D::allow(Basis::Team, Reason::TeamMember),
        DataCategory::Services(d) => d,
        DataCategory::AuditLog => unreachable!("refused above"),
    };
    if subject.role.department() == Some(department) {
        let mut legal_basis: Vec<String> = citizen
            .service_bases
            .iter()
            .filter(|(d, _)| *d == department)
            .map(|(_, t)| t.clone())
            .collect();
        legal_basis.sort();
        legal_basis.dedup();
        return D::allow(
            Basis::OwnDepartment {
                department,
                legal_basis,
            },
            Reason::OwnDepartment,
        );
    }
    let viewer = subject
        .role
        .viewer()
        .expect("caseworkers, coordinators and managers are viewers");
    if let Some(c) = citizen
        .consents
        .iter()
        .filter(|c| c.in_force(now) && c.covers(viewer, category))
        .min_by_key(|c| c.id)
    {
        return D::allow(Basis::Consent { consent_id: c.id }, Reason::ConsentInForce);
    }
    if category.is_sensitive() {
        return by_grant(Reason::SensitiveNeedsConsent);
    }
    if let Some(l) = citizen
        .legal_bases
        .iter()
        .find(|l| l.viewer == viewer && l.category == category)
    {
        return D::allow(
            Basis::LegalBasis {
                text: l.text.clone(),
            },
            Reason::LegalBasisCovers,
        );
    }
    by_grant(Reason::NoConsentOrLegalBasis)
}

#[cfg(test)]
mod tests;
