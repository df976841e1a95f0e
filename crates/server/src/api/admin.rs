//! The data protection officer's audit view, the citizen's access log, and user management.

use super::{Created, UserView};
use crate::AppState;
use crate::access::authorize;
use crate::auth::CurrentUser;
use crate::lang::{Lang, ReqLang};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tvaers_core::Department;
use tvaers_core::access::{DataCategory, Purpose, Role, UserId};
use tvaers_messages::{Key, department, t, tn};
use tvaers_store::{
    AuditAction, AuditEntry, AuditFilter, CitizenId, NewUser, Store, User, password,
};

/// Filters of the audit view; all optional, combined with "and".
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries by this user.
    pub user: Option<i64>,
    /// Entries about this citizen.
    pub citizen: Option<i64>,
    /// From (inclusive), RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// To (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    /// Only accesses made by break-the-glass.
    pub break_glass: Option<bool>,
    /// Entries after this seq (paging).
    pub after: Option<i64>,
    /// At most this many (default and maximum 1,000).
    pub limit: Option<u32>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub actor_role: Option<String>,
    pub actor_department: Option<String>,
    pub citizen_id: Option<i64>,
    pub category: Option<String>,
    pub purpose: String,
    /// `read`, `write` or `refused`.
    pub action: String,
    /// `team`, `own_department`, `consent`, `legal_basis`, `break_the_glass` or `supervision`.
    pub basis: Option<String>,
    /// The consent or grant id of the basis.
    pub basis_ref: Option<i64>,
    /// The provision, or the break-the-glass reason.
    pub basis_text: Option<String>,
    /// The rule's reason code of a refusal.
    pub refusal: Option<String>,
    pub detail: String,
    pub break_the_glass: bool,
    /// The entry's hash in the chain (hex).
    pub hash: String,
}

/// The audit log, for the data protection officer (supervision).
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "Matching entries, by seq", body = [AuditEntryView]),
        (status = 403, description = "Only the data protection officer", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn audit(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    authorize(
        &state,
        &me.user,
        q.citizen.map(CitizenId),
        DataCategory::AuditLog,
        Purpose::Supervision,
        "audit view",
    )
    .await?;
    let filter = AuditFilter {
        user: q.user.map(UserId),
        citizen: q.citizen.map(CitizenId),
        from: q.from,
        until: q.to,
        break_the_glass_only: q.break_glass.unwrap_or(false),
        after_seq: q.after,
        limit: Some(q.limit.unwrap_or(1000).min(1000)),
    };
    let rows = state.store().audit_entries(&filter).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| {
                let btg = r.is_break_the_glass();
                let (kind, basis_ref, basis_text) = match &r.basis {
                    Some(b) => {
                        let (k, re, te) = tvaers_store::audit::basis_columns(b);
                        (Some(k.to_string()), re, te)
                    }
                    None => (None, None, None),
                };
                AuditEntryView {
                    seq: r.seq,
                    at: r.at,
                    user_id: r.user.map(|u| u.0),
                    actor_role: r.actor_role,
                    actor_department: r.actor_department.map(|d| d.code().into()),
                    citizen_id: r.citizen.map(|c| c.0),
                    category: r.category.map(|c| c.code().into()),
                    purpose: r.purpose.code().into(),
                    action: r.action.code().into(),
                    basis: kind,
                    basis_ref,
                    basis_text,
                    refusal: r.refusal,
                    detail: r.detail,
                    break_the_glass: btg,
                    hash: hex::encode(r.hash),
                }
            })
            .collect(),
    ))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// From when (default and latest: two years back).
    pub since: Option<DateTime<Utc>>,
    /// `json` (default) or `text` (a printable document for a GDPR art. 15 answer).
    pub format: Option<String>,
}

/// One access to the citizen's data, as the citizen may know it: when, which department, why
/// — never the employee.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccessLogLineView {
    pub at: DateTime<Utc>,
    /// The department's name (or the role's, for users without a department).
    pub department: String,
    pub purpose: String,
    pub category: String,
    pub action: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccessLogView {
    pub citizen_id: i64,
    pub since: DateTime<Utc>,
    pub lines: Vec<AccessLogLineView>,
}

pub(crate) fn category_text(lang: Lang, c: Option<DataCategory>) -> String {
    match c {
        None | Some(DataCategory::Basic) => t(lang, Key::category_basic).into(),
        Some(DataCategory::Services(d)) => department(lang, d).into(),
        Some(DataCategory::AuditLog) => t(lang, Key::category_audit_log).into(),
    }
}

pub(crate) fn purpose_text(lang: Lang, p: Purpose) -> &'static str {
    t(
        lang,
        match p {
            Purpose::CaseProcessing => Key::purpose_case_processing,
            Purpose::Statistics => Key::purpose_statistics,
            Purpose::Supervision => Key::purpose_supervision,
            Purpose::Administration => Key::purpose_administration,
        },
    )
}

pub(crate) fn role_text(lang: Lang, code: &str) -> &'static str {
    t(
        lang,
        match code {
            "caseworker" => Key::role_caseworker,
            "coordinator" => Key::role_coordinator,
            "manager" => Key::role_manager,
            "analyst" => Key::role_analyst,
            "dpo" => Key::role_dpo,
            "admin" => Key::role_admin,
            _ => Key::role_system,
        },
    )
}

/// The citizen's access log (GDPR art. 15, after CJEU C-579/21): when, which department, for
/// what purpose — not the employee's name; at least two years back. `?format=text` gives a
/// printable document. Read by the data protection officer, who answers the request.
#[utoipa::path(get, path = "/api/citizens/{id}/access-log", tag = "audit", params(("id" = i64, Path, description = "The citizen's id"), AccessLogQuery),
    responses(
        (status = 200, description = "The accesses, oldest first", body = AccessLogView),
        (status = 403, description = "Only the data protection officer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such citizen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    me: CurrentUser,
    ReqLang(lang): ReqLang,
    Path(id): Path<i64>,
    Query(q): Query<AccessLogQuery>,
) -> Result<Response, ApiError> {
    let id = CitizenId(id);
    authorize(
        &state,
        &me.user,
        Some(id),
        DataCategory::AuditLog,
        Purpose::Supervision,
        "citizen's access log",
    )
    .await?;
    let now = state.now();
    let window_start = now - state.settings().access_log_window;
    let since = q.since.map_or(window_start, |s| s.min(window_start));
    let lines: Vec<AccessLogLineView> = state
        .store()
        .citizen_access_log(id, since)
        .await?
        .into_iter()
        .map(|l| AccessLogLineView {
            at: l.at,
            department: match (l.department, &l.role) {
                (Some(d), _) => department(lang, d).into(),
                (None, Some(r)) => role_text(lang, r).into(),
                (None, None) => t(lang, Key::role_system).into(),
            },
            purpose: purpose_text(lang, l.purpose).into(),
            category: category_text(lang, l.category),
            action: t(
                lang,
                match l.action {
                    AuditAction::Write => Key::action_write,
                    _ => Key::action_read,
                },
            )
            .into(),
        })
        .collect();
    if q.format.as_deref() == Some("text") {
        let citizen = state
            .store()
            .citizen(id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let mut out = String::new();
        out.push_str(t(lang, Key::access_log_title));
        out.push_str("\n\n");
        out.push_str(&tn(
            lang,
            Key::access_log_intro,
            &[
                &format!("{:?}", citizen.cpr),
                &since.format("%Y-%m-%d"),
                &now.format("%Y-%m-%d"),
            ],
        ));
        out.push_str("\n\n");
        out.push_str(&format!(
            "{:<17}  {:<28}  {:<22}  {:<26}  {}\n",
            t(lang, Key::access_log_col_when),
            t(lang, Key::access_log_col_department),
            t(lang, Key::access_log_col_purpose),
            t(lang, Key::access_log_col_category),
            t(lang, Key::access_log_col_action)
        ));
        for l in &lines {
            out.push_str(&format!(
                "{:<17}  {:<28}  {:<22}  {:<26}  {}\n",
                l.at.format("%Y-%m-%d %H:%M"),
                l.department,
                l.purpose,
                l.category,
                l.action
            ));
        }
        if lines.is_empty() {
            out.push_str(t(lang, Key::access_log_none));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(t(lang, Key::access_log_footer));
        out.push('\n');
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], out).into_response());
    }
    Ok(Json(AccessLogView {
        citizen_id: id.0,
        since,
        lines,
    })
    .into_response())
}

fn require_admin(user: &User) -> Result<(), ApiError> {
    if user.role == Role::Administrator {
        Ok(())
    } else {
        Err(ApiError::admin_only())
    }
}

fn admin_entry(state: &AppState, admin: &User, detail: String) -> AuditEntry {
    AuditEntry::write(
        Some(admin.subject()),
        None,
        None,
        Purpose::Administration,
        None,
        state.now(),
        detail,
    )
}

/// Every user (administrators only).
#[utoipa::path(get, path = "/api/users", tag = "users",
    responses(
        (status = 200, description = "The users", body = [UserView]),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn users_list(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<Vec<UserView>>, ApiError> {
    require_admin(&me.user)?;
    Ok(Json(
        state
            .store()
            .users()
            .await?
            .iter()
            .map(UserView::from)
            .collect(),
    ))
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserNew {
    pub username: String,
    pub display_name: Option<String>,
    /// `caseworker`, `coordinator`, `manager`, `analyst`, `dpo` or `admin`.
    pub role: String,
    /// A department code, for caseworkers and managers only.
    pub department: Option<String>,
    /// At least 15 characters, not a common password, not containing the username (NIST SP
    /// 800-63B).
    pub password: String,
}

/// Creates a user (administrators only).
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = UserNew,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, description = "Created", body = Created),
        (status = 400, description = "Invalid role, department or password", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn user_add(
    State(state): State<AppState>,
    me: CurrentUser,
    Json(req): Json<UserNew>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    require_admin(&me.user)?;
    let username = req.username.trim().to_string();
    if username.is_empty() {
        return Err(ApiError::invalid(Key::problem_username_detail, &[]));
    }
    let dept = match &req.department {
        None => None,
        Some(d) => Some(Department::from_code(d).ok_or_else(|| {
            ApiError::invalid(Key::cli_department_invalid, &[d, &Department::codes_list()])
        })?),
    };
    let role = Role::from_code(&req.role, dept)
        .map_err(|_| ApiError::invalid(Key::cli_role_invalid, &[&Role::CODES.join(", ")]))?;
    password::check(&req.password, &username).map_err(ApiError::password)?;
    let pw = req.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| ApiError::internal())?;
    let entry = admin_entry(
        &state,
        &me.user,
        format!("user {username} created with role {}", role.code()),
    );
    let id = state
        .store()
        .create_user(
            &NewUser {
                display_name: req.display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                password_hash: hash,
                created_at: state.now(),
            },
            &entry,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// Disables a user: their sessions end and they cannot log in (administrators only).
#[utoipa::path(post, path = "/api/users/{id}/disable", tag = "users",
    params(("id" = i64, Path, description = "The user's id"),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 400, description = "An administrator cannot disable themselves", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn user_disable(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    require_admin(&me.user)?;
    if id == me.user.id.0 {
        return Err(ApiError::invalid(Key::problem_disable_self_detail, &[]));
    }
    let entry = admin_entry(&state, &me.user, format!("user {id} disabled"));
    state
        .store()
        .set_user_disabled(UserId(id), Some(state.now()), &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled user again (administrators only).
#[utoipa::path(post, path = "/api/users/{id}/enable", tag = "users",
    params(("id" = i64, Path, description = "The user's id"),
           ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Enabled"),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn user_enable(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    require_admin(&me.user)?;
    let entry = admin_entry(&state, &me.user, format!("user {id} enabled"));
    state
        .store()
        .set_user_disabled(UserId(id), None, &entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
