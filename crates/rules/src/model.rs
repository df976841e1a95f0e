//! The rule language: what a parsed and validated rules file holds.
//!
//! A rule is a *condition* over a citizen's (or a family's) services on each day of the period,
//! plus texts and a severity. Three shapes of condition exist:
//! - **concurrent** ([`Condition::Person`]): every [`Requirement`] holds on the same day;
//! - **family** ([`Condition::Family`]): each member role is met by a person of the family, all on
//!   the same day;
//! - **sequence** ([`Condition::Sequence`]): a service ends and another is active shortly after
//!   (the 18-year transition).

use tvaers_core::{Department, ServiceEntry, ServiceKind};

/// The category tags rules may name (the vocabulary lives in the core, beside the catalogue).
pub use tvaers_core::service::CATEGORY_TAGS as KNOWN_TAGS;

/// Whether an alert marks membership of a target group or a possible overlap/conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    TargetGroup,
    Overlap,
}

impl AlertKind {
    /// The table name used in the rules file.
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::TargetGroup => "target_group",
            AlertKind::Overlap => "overlap",
        }
    }
}

/// How serious an overlap is. Codes are Danish as the rules file writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "advarsel",
            Severity::Critical => "kritisk",
        }
    }

    /// Danish codes, and their English words for convenience.
    pub fn from_code(s: &str) -> Option<Severity> {
        match s.trim().to_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "advarsel" | "warning" => Some(Severity::Warning),
            "kritisk" | "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// Which services a requirement looks at. Every given criterion must hold; an empty selector
/// matches every service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// At least one of these tags (ignored when empty).
    pub tags_any: Vec<String>,
    /// Every one of these tags.
    pub tags_all: Vec<String>,
    /// None of these tags.
    pub tags_none: Vec<String>,
    /// One of these departments (ignored when empty).
    pub departments: Vec<Department>,
    /// None of these departments.
    pub departments_none: Vec<Department>,
    pub kind: Option<ServiceKind>,
}

impl Selector {
    pub fn matches(&self, e: &ServiceEntry) -> bool {
        (self.tags_any.is_empty() || self.tags_any.iter().any(|t| e.has_tag(t)))
            && self.tags_all.iter().all(|t| e.has_tag(t))
            && !self.tags_none.iter().any(|t| e.has_tag(t))
            && (self.departments.is_empty() || self.departments.contains(&e.department))
            && !self.departments_none.contains(&e.department)
            && self.kind.is_none_or(|k| k == e.kind)
    }
}

/// What a requirement counts among the matching services active on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Count {
    /// Active spells.
    Spells,
    /// Distinct services.
    Services,
    /// Distinct departments.
    Departments,
    /// Distinct contact persons (spells without a contact person do not count).
    Contacts,
}

impl Count {
    pub fn code(self) -> &'static str {
        match self {
            Count::Spells => "spells",
            Count::Services => "services",
            Count::Departments => "departments",
            Count::Contacts => "contacts",
        }
    }

    pub fn from_code(s: &str) -> Option<Count> {
        match s.trim() {
            "spells" => Some(Count::Spells),
            "services" => Some(Count::Services),
            "departments" => Some(Count::Departments),
            "contacts" => Some(Count::Contacts),
            _ => None,
        }
    }
}

/// On a given day: the number of `count` among active spells matching `selector` lies in
/// `at_least ..= at_most`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub selector: Selector,
    pub count: Count,
    pub at_least: u32,
    pub at_most: Option<u32>,
}

/// A condition on one person: age in the year within bounds, and all requirements on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCondition {
    /// A label for the member role in a family rule (documentation only).
    pub role: Option<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub require: Vec<Requirement>,
}

/// A service ending (in the period, at an age within bounds) and another being active within
/// `within_days` after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub first: Selector,
    pub then: Selector,
    pub within_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Person(PersonCondition),
    Family {
        members: Vec<PersonCondition>,
        /// Whether each role needs its own person (the default) or one person may fill several.
        distinct_members: bool,
    },
    Sequence(Box<Sequence>),
}

/// One rule of a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub kind: AlertKind,
    pub name_da: String,
    pub name_en: String,
    pub severity: Severity,
    pub explanation_da: String,
    pub explanation_en: String,
    /// The condition must hold this many consecutive days for an alert (1 = any day).
    pub min_days: u32,
    pub condition: Condition,
}

/// A validated set of rules, in file order (target groups first, then overlaps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    pub(crate) source_name: String,
    pub(crate) rules: Vec<Rule>,
}

impl RuleSet {
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rules shipped with Tværs (`rules/standard.toml`).
    pub fn standard() -> RuleSet {
        RuleSet::parse(STANDARD_RULES, "rules/standard.toml")
            .expect("the shipped rules file is valid (checked by the crate's tests)")
    }
}

/// The text of the shipped rules file.
pub const STANDARD_RULES: &str = include_str!("../../../rules/standard.toml");
