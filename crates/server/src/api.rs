//! The routes of the JSON API and the shapes they exchange. Every route is registered through
//! `utoipa_axum::routes!`, so the router and the OpenAPI document are made from the same list
//! (a test checks both ways).

mod admin;
mod citizens;
mod session;

pub(crate) use admin::{category_text, purpose_text, role_text};

use crate::AppState;
use crate::problem::Problem;
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tvaers_store::User;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tværs coordination API",
        description = "Identified data for case processing, behind one access rule. Errors are \
                       RFC 9457 problem details (application/problem+json); a refused access is \
                       403 with the access rule's reason code. Texts are Danish unless `?lang=en` \
                       or `Accept-Language: en`. Authentication: the `tvaers_session` cookie from \
                       POST /api/login; every state-changing request needs the session's CSRF \
                       token in `X-CSRF-Token`."
    ),
    components(schemas(Problem)),
    tags(
        (name = "session", description = "Login, logout, the current session"),
        (name = "citizens", description = "Citizens, their services, alerts, team, consents, notes"),
        (name = "audit", description = "The data protection officer's audit view and the citizen's access log"),
        (name = "users", description = "User management (administrators)"),
        (name = "meta", description = "Health and this document")
    )
)]
struct ApiDoc;

/// The API: every route with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(<ApiDoc as utoipa::OpenApi>::openapi())
        .routes(routes!(health))
        .routes(routes!(openapi_json))
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::current))
        .routes(routes!(citizens::list))
        .routes(routes!(citizens::one))
        .routes(routes!(citizens::services))
        .routes(routes!(citizens::alerts))
        .routes(routes!(citizens::team_add))
        .routes(routes!(citizens::team_remove))
        .routes(routes!(citizens::consent_add))
        .routes(routes!(citizens::consent_withdraw))
        .routes(routes!(citizens::notes_list, citizens::note_add))
        .routes(routes!(citizens::break_glass))
        .routes(routes!(admin::audit))
        .routes(routes!(admin::access_log))
        .routes(routes!(admin::users_list, admin::user_add))
        .routes(routes!(admin::user_disable))
        .routes(routes!(admin::user_enable))
}

/// Whether the server and its database answer.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
}

#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, description = "Up", body = Health)))]
async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        backend: state.store().backend().into(),
    })
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "This document (OpenAPI 3.1)")))]
async fn openapi_json(Extension(doc): Extension<Arc<OpenApi>>) -> Json<OpenApi> {
    Json((*doc).clone())
}

// ---- shapes shared by several modules ---------------------------------------------------------

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `caseworker`, `coordinator`, `manager`, `analyst`, `dpo` or `admin`.
    pub role: String,
    /// The department code of a caseworker or manager.
    pub department: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> UserView {
        UserView {
            id: u.id.0,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.code().into(),
            department: u.role.department().map(|d| d.code().into()),
            disabled_at: u.disabled_at,
        }
    }
}

/// A category the access rule did not open, and why (the data is not shown).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Hidden {
    /// `basic`, a department code, or `audit_log`.
    pub category: String,
    /// The rule's reason code.
    pub reason: String,
    /// The reason in the request's language.
    pub message: String,
}

/// The id of something created.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// A date as the API writes it (ISO 8601).
pub type Date = NaiveDate;
