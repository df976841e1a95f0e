//! `POST /api/login`, `POST /api/logout`, `GET /api/session`.

use super::UserView;
use crate::AppState;
use crate::auth::{CurrentUser, LoginRefused, csrf_token, session_cookie, start_session};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tvaers_store::Store;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The session: who is logged in, and the CSRF token every state-changing request must send
/// in `X-CSRF-Token`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionView {
    pub user: UserView,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Logs in with a username and password. Sets the `tvaers_session` cookie.
#[utoipa::path(post, path = "/api/login", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = SessionView),
        (status = 401, description = "Unknown user, wrong password or disabled account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this username", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<(HeaderMap, Json<SessionView>), ApiError> {
    let now = state.now();
    let user = match state
        .identity()
        .password_login(&state, &req.username, &req.password, now)
        .await
    {
        Ok(u) => u,
        Err(LoginRefused::BadCredentials) => return Err(ApiError::login_failed()),
        Err(LoginRefused::Throttled) => {
            return Err(ApiError::throttled(
                state.settings().login_window.num_minutes(),
            ));
        }
        Err(LoginRefused::Store(e)) => return Err(e.into()),
    };
    let ttl = state.settings().session_ttl;
    let (token, csrf_secret) = start_session(state.store(), &user, now, ttl).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&session_cookie(
            &token,
            ttl.num_seconds(),
            state.settings().secure_cookies,
        ))
        .expect("a cookie of hex and ASCII flags"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((
        headers,
        Json(SessionView {
            user: UserView::from(&user),
            csrf_token: csrf_token(&csrf_secret),
            expires_at: now + ttl,
        }),
    ))
}

/// Ends the session and clears the cookie.
#[utoipa::path(post, path = "/api/logout", tag = "session",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "No session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing or wrong CSRF token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<(axum::http::StatusCode, HeaderMap), ApiError> {
    state.store().delete_session(&me.token_hash).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&session_cookie("", 0, state.settings().secure_cookies))
            .expect("ASCII"),
    );
    Ok((axum::http::StatusCode::NO_CONTENT, headers))
}

/// The current session and its CSRF token.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 401, description = "No session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn current(me: CurrentUser) -> Json<SessionView> {
    Json(SessionView {
        user: UserView::from(&me.user),
        csrf_token: csrf_token(&me.csrf_secret),
        expires_at: me.expires_at,
    })
}
