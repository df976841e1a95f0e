//! The citizen's one plan and the progression records (issue 10).
//!
//! A plan is saved whole: every save is a new version holding the entire [`PlanContent`] as
//! JSON, so the history is the list of versions and any two can be compared. A save names the
//! version it was based on; if another save came first the store refuses with
//! [`crate::StoreError::Stale`] and changes nothing (the caller still has the user's text).

use crate::model::CitizenId;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use tvaers_core::Department;
use tvaers_core::access::UserId;

/// A step on the four-step staircase towards work or education (docs/domain.md, seed 004):
/// 1 is furthest from the labour market, 4 is ready for a job or education.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum StaircaseStep {
    FarFromLabourMarket = 1,
    Clarification = 2,
    CloseToLabourMarket = 3,
    JobOrEducationReady = 4,
}

impl StaircaseStep {
    pub const ALL: [StaircaseStep; 4] = [
        StaircaseStep::FarFromLabourMarket,
        StaircaseStep::Clarification,
        StaircaseStep::CloseToLabourMarket,
        StaircaseStep::JobOrEducationReady,
    ];

    /// 1–4, as stored.
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<StaircaseStep> {
        StaircaseStep::ALL
            .get(usize::from(n).checked_sub(1)?)
            .copied()
    }
}

impl TryFrom<u8> for StaircaseStep {
    type Error = String;
    fn try_from(n: u8) -> Result<StaircaseStep, String> {
        StaircaseStep::from_number(n).ok_or_else(|| format!("staircase step {n} is not 1–4"))
    }
}

impl From<StaircaseStep> for u8 {
    fn from(s: StaircaseStep) -> u8 {
        s.number()
    }
}

/// A sub-goal of the plan. `id` is unique within the plan and stays with the sub-goal across
/// versions (interventions refer to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubGoal {
    pub id: u32,
    pub text: String,
}

/// What is done towards a goal, by which department, on which legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    /// The sub-goal's id, or [`DOMINANT_GOAL`] for the dominant goal.
    pub goal: u32,
    pub text: String,
    pub department: Department,
    pub legal_basis: String,
}

/// The goal id of the dominant goal (sub-goal ids start at 1).
pub const DOMINANT_GOAL: u32 = 0;

/// A person the citizen or the team can turn to (name, role or organisation, how to reach).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPerson {
    pub name: String,
    pub role: String,
    pub phone: String,
}

/// A meeting about the plan. Local (Danish) time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub at: NaiveDateTime,
    pub place: String,
}

/// The whole plan as one version holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// The dominant goal: where on the staircase the plan aims.
    pub goal: Option<StaircaseStep>,
    /// The dominant goal in the citizen's words.
    pub goal_text: String,
    pub sub_goals: Vec<SubGoal>,
    pub interventions: Vec<Intervention>,
    /// The one coordinator (a user id).
    pub coordinator: Option<i64>,
    pub contacts: Vec<ContactPerson>,
    pub meetings: Vec<Meeting>,
}

impl PlanContent {
    /// What makes a plan unsavable: a sub-goal id used twice or 0, an intervention linked to
    /// no goal, an empty text.
    pub fn check(&self) -> Result<(), &'static str> {
        let mut ids: Vec<u32> = self.sub_goals.iter().map(|g| g.id).collect();
        ids.sort_unstable();
        if ids.first() == Some(&DOMINANT_GOAL) || ids.windows(2).any(|w| w[0] == w[1]) {
            return Err("plan sub-goal id");
        }
        if self.sub_goals.iter().any(|g| g.text.trim().is_empty()) {
            return Err("plan sub-goal text");
        }
        for i in &self.interventions {
            if i.goal != DOMINANT_GOAL && ids.binary_search(&i.goal).is_err() {
                return Err("plan intervention goal");
            }
            if i.text.trim().is_empty() {
                return Err("plan intervention text");
            }
        }
        if self.contacts.iter().any(|c| c.name.trim().is_empty()) {
            return Err("plan contact name");
        }
        Ok(())
    }

    /// The next free sub-goal id.
    pub fn next_sub_goal_id(&self) -> u32 {
        self.sub_goals.iter().map(|g| g.id).max().unwrap_or(0) + 1
    }
}

/// One saved version of a citizen's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    pub citizen: CitizenId,
    /// 1, 2, … per citizen.
    pub version: i64,
    pub saved_by: UserId,
    pub saved_at: DateTime<Utc>,
    pub content: PlanContent,
}

/// A save: the whole new content and the version it was edited from (0: there was no plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlanVersion {
    pub citizen: CitizenId,
    pub based_on: i64,
    pub saved_by: UserId,
    pub saved_at: DateTime<Utc>,
    pub content: PlanContent,
}

/// A progression record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProgressionId(pub i64);

/// The highest ORS or SRS total (four items of 0–10).
pub const MAX_SCORE: u8 = 40;

/// A measurement of where the citizen is: staircase step and the FIT scales (ORS, SRS; each
/// 0–40, docs/reference.md "Outcome scales"), by a user of a department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgression {
    pub citizen: CitizenId,
    pub on: NaiveDate,
    pub step: StaircaseStep,
    pub ors: u8,
    pub srs: u8,
    pub recorded_by: UserId,
    /// The recording user's department (none for a coordinator).
    pub department: Option<Department>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progression {
    pub id: ProgressionId,
    pub citizen: CitizenId,
    pub on: NaiveDate,
    pub step: StaircaseStep,
    pub ors: u8,
    pub srs: u8,
    pub recorded_by: UserId,
    pub department: Option<Department>,
    pub recorded_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_and_refuse_out_of_range() {
        for s in StaircaseStep::ALL {
            assert_eq!(StaircaseStep::from_number(s.number()), Some(s));
        }
        assert_eq!(StaircaseStep::from_number(0), None);
        assert_eq!(StaircaseStep::from_number(5), None);
        assert!(serde_json::from_str::<StaircaseStep>("5").is_err());
        assert_eq!(
            serde_json::from_str::<StaircaseStep>("4").unwrap(),
            StaircaseStep::JobOrEducationReady
        );
    }

    #[test]
    fn check_refuses_dangling_interventions_and_duplicate_ids() {
        let mut p = PlanContent {
            sub_goals: vec![SubGoal {
                id: 1,
                text: "bolig".into(),
            }],
            interventions: vec![Intervention {
                goal: 1,
                text: "mentor".into(),
                department: Department::Employment,
                legal_basis: "LAB § 31".into(),
            }],
            ..PlanContent::default()
        };
        assert_eq!(p.check(), Ok(()));
        assert_eq!(p.next_sub_goal_id(), 2);
        p.interventions[0].goal = 7;
        assert_eq!(p.check(), Err("plan intervention goal"));
        p.interventions[0].goal = DOMINANT_GOAL;
        assert_eq!(p.check(), Ok(()));
        p.sub_goals.push(SubGoal {
            id: 1,
            text: "x".into(),
        });
        assert_eq!(p.check(), Err("plan sub-goal id"));
    }
}
