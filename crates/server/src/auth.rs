//! Logins, sessions and CSRF.
//!
//! - **Identity** is behind [`IdentityProvider`]: it turns credentials into a [`User`] of the
//!   store, or refuses. [`LocalPasswords`] checks argon2id hashes (in `spawn_blocking`), answers
//!   an unknown username by verifying against a dummy hash (so it takes as long as a known one),
//!   and throttles: after `max_login_failures` failures of one username within `login_window`
//!   it refuses with 429 without looking at the password. A successful login clears the
//!   failures. An OpenID Connect provider would map its verified claims to a store user the
//!   same way and end in the same session; the access rule does not change.
//! - **Sessions** live in the store, keyed by the SHA-256 of a random 32-byte token that only
//!   the cookie holds (`HttpOnly; SameSite=Strict; Path=/`, and `Secure` when configured).
//! - **CSRF**: every request that is not GET/HEAD/OPTIONS must carry the session's CSRF token in
//!   `X-CSRF-Token`. The token is HMAC-SHA256(session's CSRF secret, "tvaers-csrf-v1"), given at
//!   login and by `GET /api/session`; it is bound to the session, so a token of another session
//!   is refused (403, reason `csrf`). The login itself needs a JSON body, which a cross-site form
//!   cannot send without a CORS preflight that this server never grants.

use crate::problem::ApiError;
use crate::{AppState, CSRF_HEADER, SESSION_COOKIE};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::future::Future;
use std::pin::Pin;
use tvaers_store::{AnyStore, Store, User, password, session_token_hash};

/// A boxed future (for the object-safe [`IdentityProvider`]).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginRefused {
    /// Unknown user, wrong password or disabled account: one answer for all three.
    BadCredentials,
    /// Too many failures in the window.
    Throttled,
    Store(tvaers_store::StoreError),
}

/// Who the user is. Implementations must not decide what the user may see: that is the
/// access rule's, on the [`User`] returned.
pub trait IdentityProvider: Send + Sync + 'static {
    /// A username and password login.
    fn password_login<'a>(
        &'a self,
        state: &'a AppState,
        username: &'a str,
        password: &'a str,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<User, LoginRefused>>;
}

/// Local accounts with argon2id password hashes in the store.
pub struct LocalPasswords;

impl IdentityProvider for LocalPasswords {
    fn password_login<'a>(
        &'a self,
        state: &'a AppState,
        username: &'a str,
        password: &'a str,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<User, LoginRefused>> {
        Box::pin(async move {
            let store = state.store();
            let settings = state.settings();
            let failures = store
                .login_failures_since(username, now - settings.login_window)
                .await
                .map_err(LoginRefused::Store)?;
            if failures >= settings.max_login_failures {
                tracing::warn!(
                    failures,
                    "login refused: too many failures for the username"
                );
                return Err(LoginRefused::Throttled);
            }
            let credentials = store
                .credentials(username)
                .await
                .map_err(LoginRefused::Store)?;
            let hash = credentials.as_ref().map_or_else(
                || password::dummy_hash().to_string(),
                |c| c.password_hash.clone(),
            );
            let password = password.to_string();
            let verified = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
                .await
                .unwrap_or(false);
            match credentials {
                Some(c) if verified && c.user.disabled_at.is_none() => {
                    store
                        .clear_login_failures(username)
                        .await
                        .map_err(LoginRefused::Store)?;
                    Ok(c.user)
                }
                _ => {
                    store
                        .record_login_failure(username, now)
                        .await
                        .map_err(LoginRefused::Store)?;
                    tracing::info!("login failed");
                    Err(LoginRefused::BadCredentials)
                }
            }
        })
    }
}

/// The CSRF token of a session's secret.
pub fn csrf_token(secret: &[u8; 32]) -> String {
    hex::encode(csrf_mac(secret).finalize().into_bytes())
}

fn csrf_mac(secret: &[u8; 32]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"tvaers-csrf-v1");
    mac
}

/// Whether `token` is the session's CSRF token (compared in constant time).
pub fn csrf_ok(secret: &[u8; 32], token: &str) -> bool {
    match hex::decode(token.trim()) {
        Ok(bytes) => csrf_mac(secret).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The `Set-Cookie` value of a new session.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let mut c = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}"
    );
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The session token from a request's `Cookie` headers.
fn cookie_token(parts: &Parts) -> Option<Vec<u8>> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, value)| hex::decode(value).ok())
        .filter(|t| t.len() == 32)
}

/// The logged-in user of a request, with a valid CSRF token if the request changes state.
/// Extracting it answers 401 without a session and 403 (reason `csrf`) without the token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub token_hash: [u8; 32],
    pub csrf_secret: [u8; 32],
    pub expires_at: DateTime<Utc>,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<CurrentUser, ApiError> {
        let token = cookie_token(parts).ok_or_else(ApiError::unauthenticated)?;
        let token_hash = session_token_hash(&token);
        let session = state
            .store()
            .session(&token_hash, state.now())
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let ok = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| csrf_ok(&session.csrf_secret, t));
            if !ok {
                tracing::warn!(
                    user = session.user.id.0,
                    "state-changing request without a valid CSRF token"
                );
                return Err(ApiError::csrf());
            }
        }
        Ok(CurrentUser {
            user: session.user,
            token_hash,
            csrf_secret: session.csrf_secret,
            expires_at: session.expires_at,
        })
    }
}

/// Store access for callers that hold only the store (the demo and tests).
pub async fn start_session(
    store: &AnyStore,
    user: &User,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> Result<(String, [u8; 32]), tvaers_store::StoreError> {
    let token = tvaers_store::random_secret();
    let csrf_secret = tvaers_store::random_secret();
    store
        .create_session(&tvaers_store::NewSession {
            token_hash: session_token_hash(&token),
            user: user.id,
            created_at: now,
            expires_at: now + ttl,
            csrf_secret,
        })
        .await?;
    Ok((hex::encode(token), csrf_secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_are_bound_to_the_secret() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let ta = csrf_token(&a);
        assert!(csrf_ok(&a, &ta));
        assert!(!csrf_ok(&b, &ta));
        assert!(!csrf_ok(&a, ""));
        assert!(!csrf_ok(&a, "zz"));
        assert!(!csrf_ok(&a, &ta[..10]));
    }

    #[test]
    fn cookie_has_the_flags() {
        let c = session_cookie("ab", 60, false);
        assert!(c.contains("HttpOnly; SameSite=Strict; Path=/"));
        assert!(!c.contains("Secure"));
        assert!(session_cookie("ab", 60, true).ends_with("; Secure"));
    }
}
