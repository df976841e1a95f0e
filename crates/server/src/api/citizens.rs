//! The citizen routes. Each one asks [`crate::access`] before it reads or writes anything of
//! the citizen's.

use super::{Created, Date, Hidden};
use crate::AppState;
use crate::access::{self, Mode, authorize, authorize_each, authorize_write, write_entry};
use crate::auth::CurrentUser;
use crate::lang::{Lang, ReqLang};
use crate::problem::{ApiError, Problem, reason_key};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tvaers_core::Department;
use tvaers_core::access::{ConsentId, DataCategory, Decision, Purpose, UserId, Viewer};
use tvaers_messages::{Key, t};
use tvaers_store::{CitizenId, NewConsent, NewGrant, NewNote, Store, User};

/// A citizen in a list: identity only.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CitizenSummary {
    pub id: i64,
    /// The CPR number (identified data: only for users the access rule lets see basic data).
    pub cpr: String,
    pub birth_date: Date,
    /// `M` or `K` as the register writes it.
    pub sex: String,
    /// Set when the citizen is no longer in the register (moved away, died).
    pub left_register_on: Option<Date>,
}

/// A member of a citizen's team.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamMemberView {
    pub user_id: i64,
    pub display_name: String,
    pub role: String,
    pub department: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// Who may see which category under a consent.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScopeItem {
    /// `coordinator` or a department code.
    pub viewer: String,
    /// `basic` or a department code.
    pub category: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentView {
    pub id: i64,
    pub scope: Vec<ScopeItem>,
    pub given_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub note: String,
}

/// A citizen's basic data: identity, the team, the consents.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CitizenView {
    #[serde(flatten)]
    pub citizen: CitizenSummary,
    pub first_loaded_on: Date,
    pub team: Vec<TeamMemberView>,
    pub consents: Vec<ConsentView>,
    /// True when this look rests on a break-the-glass grant (flagged for the data protection
    /// officer).
    pub break_the_glass: bool,
}

/// One service (spell) of the citizen.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub code: String,
    pub name: String,
    pub department: String,
    pub legal_basis: String,
    pub unit: String,
    pub start: Date,
    pub end: Option<Date>,
    /// The volume in thousandths of the unit.
    pub volume_milli: i64,
}

/// The services of the categories the access rule opened, and the categories it did not.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServicesView {
    pub services: Vec<ServiceView>,
    /// The department codes whose services are shown.
    pub shown: Vec<String>,
    pub hidden: Vec<Hidden>,
    pub break_the_glass: bool,
}

/// An overlap or conflict alert of the rules engine.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertView {
    pub rule_id: String,
    /// `target_group` or `overlap`.
    pub kind: String,
    /// `info`, `advarsel` or `kritisk`.
    pub severity: String,
    pub explanation: String,
    pub from: Date,
    pub to: Date,
    /// The codes of the citizen's services that made the rule hold.
    pub services: Vec<String>,
}

/// Alerts from the citizen's services in the categories the user may see (the hidden ones did
/// not take part).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertsView {
    pub alerts: Vec<AlertView>,
    pub shown: Vec<String>,
    pub hidden: Vec<Hidden>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamAdd {
    pub user_id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentNew {
    pub scope: Vec<ScopeItem>,
    /// What the citizen consented to, in the caseworker's words or the form's reference.
    pub note: String,
    /// When the consent was given (default: now). Not in the future.
    pub given_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteNew {
    /// The category the note belongs to (a department code); default: the author's department.
    pub category: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteView {
    pub id: i64,
    pub category: String,
    pub author_id: i64,
    pub written_at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotesView {
    pub notes: Vec<NoteView>,
    pub shown: Vec<String>,
    pub hidden: Vec<Hidden>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BreakGlassNew {
    /// Why the user must see the citizen now (required; kept with the grant and every access
    /// made on it).
    pub reason: String,
    /// How long, in minutes (default 60, at most the server's maximum).
    pub minutes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

fn summary(c: &tvaers_store::Citizen) -> CitizenSummary {
    CitizenSummary {
        id: c.id.0,
        cpr: c.cpr.to_string(),
        birth_date: c.birth_date,
        sex: c.sex.code().to_string(),
        left_register_on: c.left_register_on,
    }
}

fn hidden(lang: Lang, decisions: &[(DataCategory, Decision)]) -> Vec<Hidden> {
    decisions
        .iter()
        .filter(|(_, d)| !d.allowed)
        .map(|(c, d)| Hidden {
            category: c.code().into(),
            reason: d.reason.code().into(),
            message: t(lang, reason_key(d.reason)).into(),
        })
        .collect()
}

fn shown(decisions: &[(DataCategory, Decision)]) -> Vec<DataCategory> {
    decisions
        .iter()
        .filter(|(_, d)| d.allowed)
        .map(|(c, _)| *c)
        .collect()
}

fn by_glass(decisions: &[(DataCategory, Decision)]) -> bool {
    decisions.iter().any(|(_, d)| d.is_break_the_glass())
}

/// Every service category of a citizen decided (and logged) for case processing: the decisions
/// and the categories they open, or 403 with the first reason when they open none.
async fn open_service_categories(
    state: &AppState,
    user: &User,
    id: CitizenId,
    detail: &str,
) -> Result<(Vec<(DataCategory, Decision)>, Vec<DataCategory>), ApiError> {
    let ds = authorize_each(
        state,
        user,
        id,
        &service_categories(),
        Purpose::CaseProcessing,
        detail,
    )
    .await?;
    let open = shown(&ds);
    if open.is_empty() {
        // Nothing opened: refused as a whole, with the first reason.
        return Err(ApiError::refused(ds[0].1.reason));
    }
    Ok((ds, open))
}

fn service_categories() -> Vec<DataCategory> {
    Department::ALL.map(DataCategory::Services).to_vec()
}

const CITIZEN_ID: &str = "The citizen's id in the case-processing store";

/// The citizens on my team.
#[utoipa::path(get, path = "/api/citizens", tag = "citizens",
    responses(
        (status = 200, description = "The citizens on the user's team whose basic data the rule opens", body = [CitizenSummary]),
        (status = 401, description = "No session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<Vec<CitizenSummary>>, ApiError> {
    let mine = state.store().citizens_of_user(me.user.id).await?;
    let targets: Vec<_> = mine
        .iter()
        .map(|c| (Some(c.id), DataCategory::Basic))
        .collect();
    let decisions = access::check(
        &state,
        &me.user,
        &targets,
        Purpose::CaseProcessing,
        Mode::Read,
        "list of my citizens",
    )
    .await?;
    Ok(Json(
        mine.iter()
            .zip(decisions)
            .filter(|(_, d)| d.allowed)
            .map(|(c, _)| summary(c))
            .collect(),
    ))
}

/// A citizen's basic data: identity, team and consents.
#[utoipa::path(get, path = "/api/citizens/{id}", tag = "citizens",
    params(("id" = i64, Path, description = CITIZEN_ID)),
    responses(
        (status = 200, description = "Basic data", body = CitizenView),
        (status = 403, description = "Refused by the access rule (reason in `reason`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn one(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<CitizenView>, ApiError> {
    let id = CitizenId(id);
    let d = authorize(
        &state,
        &me.user,
        Some(id),
        DataCategory::Basic,
        Purpose::CaseProcessing,
        "basic data",
    )
    .await?;
    let store = state.store();
    let c = store.citizen(id).await?.ok_or_else(ApiError::not_found)?;
    let mut team = Vec::new();
    for m in store.team(id).await? {
        if let Some(u) = store.user(m.user).await? {
            team.push(TeamMemberView {
                user_id: u.id.0,
                display_name: u.display_name,
                role: u.role.code().into(),
                department: u.role.department().map(|d| d.code().into()),
                added_at: m.added_at,
            });
        }
    }
    let consents = store
        .consents(id)
        .await?
        .into_iter()
        .map(|r| ConsentView {
            id: r.consent.id.0,
            scope: r
                .consent
                .scope
                .iter()
                .map(|(v, c)| ScopeItem {
                    viewer: v.code().into(),
                    category: c.code().into(),
                })
                .collect(),
            given_at: r.consent.given_at,
            withdrawn_at: r.consent.withdrawn_at,
            note: r.note,
        })
        .collect();
    Ok(Json(CitizenView {
        citizen: summary(&c),
        first_loaded_on: c.first_loaded_on,
        team,
        consents,
        break_the_glass: d.is_break_the_glass(),
    }))
}

/// The citizen's services in the categories the rule opens; the others are listed as hidden
/// with the reason.
#[utoipa::path(get, path = "/api/citizens/{id}/services", tag = "citizens",
    params(("id" = i64, Path, description = CITIZEN_ID)),
    responses(
        (status = 200, description = "Services shown and categories hidden", body = ServicesView),
        (status = 403, description = "No category is opened to this user (e.g. not on the team)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn services(
    State(state): State<AppState>,
    me: CurrentUser,
    ReqLang(lang): ReqLang,
    Path(id): Path<i64>,
) -> Result<Json<ServicesView>, ApiError> {
    let id = CitizenId(id);
    let (ds, open) = open_service_categories(&state, &me.user, id, "services").await?;
    let services = state
        .store()
        .services(id)
        .await?
        .into_iter()
        .filter(|s| open.contains(&DataCategory::Services(s.department)))
        .map(|s| ServiceView {
            code: s.code,
            name: s.name_da,
            department: s.department.code().into(),
            legal_basis: s.legal_basis,
            unit: s.unit,
            start: s.start,
            end: s.end,
            volume_milli: s.volume_milli,
        })
        .collect();
    Ok(Json(ServicesView {
        services,
        shown: open.iter().map(|c| c.code().to_string()).collect(),
        hidden: hidden(lang, &ds),
        break_the_glass: by_glass(&ds),
    }))
}

/// Overlap and conflict alerts from the rules engine on the services the user may see.
#[utoipa::path(get, path = "/api/citizens/{id}/alerts", tag = "citizens",
    params(("id" = i64, Path, description = CITIZEN_ID)),
    responses(
        (status = 200, description = "Alerts", body = AlertsView),
        (status = 403, description = "No category is opened to this user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn alerts(
    State(state): State<AppState>,
    me: CurrentUser,
    ReqLang(lang): ReqLang,
    Path(id): Path<i64>,
) -> Result<Json<AlertsView>, ApiError> {
    let id = CitizenId(id);
    let (ds, open) = open_service_categories(&state, &me.user, id, "alerts").await?;
    let store = state.store();
    let citizen = store.citizen(id).await?.ok_or_else(ApiError::not_found)?;
    let services: Vec<_> = store
        .services(id)
        .await?
        .into_iter()
        .filter(|s| open.contains(&DataCategory::Services(s.department)))
        .collect();
    let (found, codes) = crate::alerts::alerts_of(&state, citizen, services).await?;
    let alerts = found
        .into_iter()
        .map(|a| AlertView {
            rule_id: a.rule_id,
            kind: a.kind.code().into(),
            severity: a.severity.code().into(),
            explanation: match lang {
                Lang::Da => a.explanation_da,
                Lang::En => a.explanation_en,
            },
            from: a.from,
            to: a.to,
            services: a
                .services
                .iter()
                .filter_map(|s| codes.get(s.0 as usize).cloned())
                .collect(),
        })
        .collect();
    Ok(Json(AlertsView {
        alerts,
        shown: open.iter().map(|c| c.code().to_string()).collect(),
        hidden: hidden(lang, &ds),
    }))
}

/// Adds a user to the citizen's team (by a user who may see the citizen's basic data).
#[utoipa::path(post, path = "/api/citizens/{id}/team", tag = "citizens", request_body = TeamAdd,
    params(("id" = i64, Path, description = CITIZEN_ID),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "On the team"),
        (status = 400, description = "The user cannot be on a team", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen or user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn team_add(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<TeamAdd>,
) -> Result<StatusCode, ApiError> {
    let id = CitizenId(id);
    let d = authorize_write(&state, &me.user, id, DataCategory::Basic, "team: add").await?;
    let member = state
        .store()
        .user(UserId(req.user_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if member.role.viewer().is_none() || member.disabled_at.is_some() {
        return Err(ApiError::invalid(Key::problem_not_team_role_detail, &[]));
    }
    let entry = write_entry(
        &state,
        &me.user,
        id,
        Some(DataCategory::Basic),
        &d,
        format!("team: user {} added", member.id.0),
    );
    state
        .store()
        .add_to_team(id, member.id, Some(me.user.id), state.now(), &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a user from the citizen's team.
#[utoipa::path(delete, path = "/api/citizens/{id}/team/{user_id}", tag = "citizens",
    params(("id" = i64, Path, description = CITIZEN_ID), ("user_id" = i64, Path, description = "The user to remove"),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Off the team"),
        (status = 403, description = "Refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen or member", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn team_remove(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, user_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let id = CitizenId(id);
    let d = authorize_write(&state, &me.user, id, DataCategory::Basic, "team: remove").await?;
    let entry = write_entry(
        &state,
        &me.user,
        id,
        Some(DataCategory::Basic),
        &d,
        format!("team: user {user_id} removed"),
    );
    state
        .store()
        .remove_from_team(id, UserId(user_id), &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn parse_scope(items: &[ScopeItem]) -> Result<Vec<(Viewer, DataCategory)>, ApiError> {
    if items.is_empty() {
        return Err(ApiError::invalid(Key::problem_scope_empty_detail, &[]));
    }
    items
        .iter()
        .map(|i| {
            let v = Viewer::from_code(&i.viewer)
                .ok_or_else(|| ApiError::invalid(Key::problem_viewer_detail, &[&i.viewer]))?;
            let c = DataCategory::from_code(&i.category)
                .filter(|c| *c != DataCategory::AuditLog)
                .ok_or_else(|| ApiError::invalid(Key::problem_category_detail, &[&i.category]))?;
            Ok((v, c))
        })
        .collect()
}

/// Records the citizen's consent (by a team member).
#[utoipa::path(post, path = "/api/citizens/{id}/consents", tag = "citizens", request_body = ConsentNew,
    params(("id" = i64, Path, description = CITIZEN_ID),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 400, description = "Invalid scope or date", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn consent_add(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<ConsentNew>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = CitizenId(id);
    let scope = parse_scope(&req.scope)?;
    let now = state.now();
    let given_at = req.given_at.unwrap_or(now);
    if given_at > now {
        return Err(ApiError::invalid(Key::problem_future_detail, &[]));
    }
    let d = authorize_write(&state, &me.user, id, DataCategory::Basic, "consent: record").await?;
    let entry = write_entry(
        &state,
        &me.user,
        id,
        Some(DataCategory::Basic),
        &d,
        "consent recorded",
    );
    let cid = state
        .store()
        .record_consent(
            &NewConsent {
                citizen: id,
                scope,
                given_at,
                recorded_by: Some(me.user.id),
                note: req.note,
            },
            &entry,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: cid.0 })))
}

/// Withdraws a consent now. It stops counting from this moment: the next request is decided
/// without it.
#[utoipa::path(post, path = "/api/consents/{id}/withdraw", tag = "citizens",
    params(("id" = i64, Path, description = "The consent's id"),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consent", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn consent_withdraw(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let consent = state
        .store()
        .consent(ConsentId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let citizen = consent.citizen;
    let d = authorize_write(
        &state,
        &me.user,
        citizen,
        DataCategory::Basic,
        "consent: withdraw",
    )
    .await?;
    let entry = write_entry(
        &state,
        &me.user,
        citizen,
        Some(DataCategory::Basic),
        &d,
        format!("consent {id} withdrawn"),
    );
    state
        .store()
        .withdraw_consent(ConsentId(id), state.now(), Some(me.user.id), &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The notes in the categories the rule opens.
#[utoipa::path(get, path = "/api/citizens/{id}/notes", tag = "citizens",
    params(("id" = i64, Path, description = CITIZEN_ID)),
    responses(
        (status = 200, description = "Notes shown and categories hidden", body = NotesView),
        (status = 403, description = "No category is opened to this user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn notes_list(
    State(state): State<AppState>,
    me: CurrentUser,
    ReqLang(lang): ReqLang,
    Path(id): Path<i64>,
) -> Result<Json<NotesView>, ApiError> {
    let id = CitizenId(id);
    let (ds, open) = open_service_categories(&state, &me.user, id, "notes").await?;
    let notes = state
        .store()
        .notes(id, &open)
        .await?
        .into_iter()
        .map(|n| NoteView {
            id: n.id.0,
            category: n.category.code().into(),
            author_id: n.author.0,
            written_at: n.written_at,
            text: n.text,
        })
        .collect();
    Ok(Json(NotesView {
        notes,
        shown: open.iter().map(|c| c.code().to_string()).collect(),
        hidden: hidden(lang, &ds),
    }))
}

/// Writes a note in a category the user may see (default: their own department's).
#[utoipa::path(post, path = "/api/citizens/{id}/notes", tag = "citizens", request_body = NoteNew,
    params(("id" = i64, Path, description = CITIZEN_ID),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, description = "Written (with its audit entry, in one transaction)", body = Created),
        (status = 400, description = "Empty text or unknown category", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn note_add(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<NoteNew>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = CitizenId(id);
    let category = match &req.category {
        Some(code) => Department::from_code(code)
            .map(DataCategory::Services)
            .ok_or_else(|| ApiError::invalid(Key::problem_category_detail, &[code]))?,
        None => me
            .user
            .role
            .department()
            .map(DataCategory::Services)
            .ok_or_else(|| ApiError::invalid(Key::problem_note_category_detail, &[]))?,
    };
    if req.text.trim().is_empty() {
        return Err(ApiError::invalid(Key::problem_note_empty_detail, &[]));
    }
    let d = authorize_write(&state, &me.user, id, category, "note: write").await?;
    let entry = write_entry(&state, &me.user, id, Some(category), &d, "note written");
    let nid = state
        .store()
        .add_note(
            &NewNote {
                citizen: id,
                author: me.user.id,
                category,
                written_at: state.now(),
                text: req.text,
            },
            &entry,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: nid.0 })))
}

/// Break-the-glass: time-limited access to a citizen the user is not (fully) allowed to see,
/// with a written reason. Every access made on it is flagged for the data protection officer.
#[utoipa::path(post, path = "/api/citizens/{id}/break-glass", tag = "citizens", request_body = BreakGlassNew,
    params(("id" = i64, Path, description = CITIZEN_ID),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, description = "Granted", body = GrantView),
        (status = 400, description = "No reason, or a duration out of bounds", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role cannot break the glass", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn break_glass(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<BreakGlassNew>,
) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let id = CitizenId(id);
    let reason = req.reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::invalid(Key::problem_reason_empty_detail, &[]));
    }
    let max = state.settings().break_glass_max.num_minutes();
    let minutes = req.minutes.unwrap_or(60);
    if !(1..=max).contains(&minutes) {
        return Err(ApiError::invalid(Key::problem_minutes_detail, &[&max]));
    }
    access::authorize_break_glass(&state, &me.user, id).await?;
    let from = state.now();
    let until = from + chrono::Duration::minutes(minutes);
    let entry = tvaers_store::AuditEntry::write(
        Some(me.user.subject()),
        Some(id),
        None,
        Purpose::CaseProcessing,
        None,
        from,
        format!("break-the-glass granted for {minutes} minutes"),
    );
    let gid = state
        .store()
        .grant_break_glass(
            &NewGrant {
                citizen: id,
                user: me.user.id,
                reason,
                from,
                until,
            },
            &entry,
        )
        .await?;
    tracing::warn!(
        user = me.user.id.0,
        grant = gid.0,
        "break-the-glass granted"
    );
    Ok((
        StatusCode::CREATED,
        Json(GrantView {
            id: gid.0,
            from,
            until,
        }),
    ))
}
