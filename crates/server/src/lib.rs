//! The coordination server of Tværs: a JSON API over the case-processing store
//! (`tvaers-store`), behind the one access rule (`tvaers_core::access::decide`).
//!
//! - **Only this crate knows HTTP.** The store, the rule and the rules engine are called as
//!   libraries; `tvaers serve` (crates/cli) reads the command line and calls [`serve`].
//! - **Stateless apart from the database.** Sessions, login failures and everything else live
//!   in the store, so several instances can serve one PostgreSQL database.
//! - **Nothing reaches identified data but through [`access`].** Every handler that shows or
//!   writes a citizen's data first asks [`access::authorize`] (or its batch form), which reads
//!   the citizen's facts, calls `decide` and appends the read or refused entry to the audit log
//!   before the handler may read the data; writes carry the decision's basis into the audit
//!   entry that the store appends in the write's transaction.
//! - **Errors are RFC 9457 problem details** ([`problem`]); a refused access is 403 with the
//!   rule's reason code. Every text comes from the message catalogue, in Danish unless the
//!   request asks for English (`?lang=en` or `Accept-Language`).
//! - **Identity is behind a trait** ([`auth::IdentityProvider`]; local passwords today), so
//!   another login (OpenID Connect) changes neither the sessions nor the access rule.
//! - The OpenAPI 3.1 document is generated from the handlers (`utoipa`) and served at
//!   `/api/openapi.json`.

#![forbid(unsafe_code)]

pub mod access;
mod alerts;
pub mod api;
pub mod auth;
pub mod costs;
mod group_commit;
pub mod lang;
pub mod problem;
pub mod web;

use axum::Extension;
use chrono::{DateTime, Duration, Utc};
use std::future::Future;
use std::sync::Arc;
use tvaers_core::Catalogue;
use tvaers_store::AnyStore;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "tvaers_session";
/// The header a state-changing request must carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The server's settings (the command line fills them in).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Add `Secure` to the session cookie (send it over HTTPS only). `tvaers serve` turns it on
    /// unless it listens on a loopback address.
    pub secure_cookies: bool,
    /// How long a session lasts from login (absolute, not sliding).
    pub session_ttl: Duration,
    /// Failed logins of one username within `login_window` after which logins are refused
    /// with 429 until the window has passed.
    pub max_login_failures: u64,
    pub login_window: Duration,
    /// The longest break-the-glass grant a user can ask for.
    pub break_glass_max: Duration,
    /// The citizen's access log goes at least this far back.
    pub access_log_window: Duration,
    /// The service catalogue used to give the rules engine each service's kind and tags (the
    /// store keeps code, department and legal basis only). A service whose code is not in it
    /// counts with no tags.
    pub catalogue: Option<Arc<Catalogue>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secure_cookies: true,
            session_ttl: Duration::hours(8),
            max_login_failures: 5,
            login_window: Duration::minutes(15),
            break_glass_max: Duration::hours(8),
            access_log_window: Duration::days(2 * 366),
            catalogue: None,
        }
    }
}

/// The clock the server reads (the store never reads one). Tests can move it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What every handler gets: the store, the settings, the identity provider, the rules and the
/// clock. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: AnyStore,
    settings: Settings,
    identity: Box<dyn auth::IdentityProvider>,
    rules: tvaers_rules::RuleSet,
    clock: Clock,
    /// Started on first use, inside the runtime (`AppState` may be built outside one).
    audit: std::sync::OnceLock<group_commit::GroupCommit>,
}

impl AppState {
    /// Local password logins, the shipped rules and the system clock.
    pub fn new(store: AnyStore, settings: Settings) -> AppState {
        AppState::with(
            store,
            settings,
            Box::new(auth::LocalPasswords),
            Arc::new(Utc::now),
        )
    }

    pub fn with(
        store: AnyStore,
        settings: Settings,
        identity: Box<dyn auth::IdentityProvider>,
        clock: Clock,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                settings,
                identity,
                rules: tvaers_rules::RuleSet::standard(),
                clock,
                audit: std::sync::OnceLock::new(),
            }),
        }
    }

    pub fn store(&self) -> &AnyStore {
        &self.inner.store
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn identity(&self) -> &dyn auth::IdentityProvider {
        &*self.inner.identity
    }

    pub fn rules(&self) -> &tvaers_rules::RuleSet {
        &self.inner.rules
    }

    /// Appends read and refusal entries to the audit log through the group commit
    /// ([`group_commit`]): returns once they are durable.
    pub(crate) async fn append_audit(
        &self,
        entries: Vec<tvaers_store::AuditEntry>,
    ) -> Result<Vec<i64>, tvaers_store::StoreError> {
        let writer = self
            .inner
            .audit
            .get_or_init(|| group_commit::GroupCommit::start(self.inner.store.clone()));
        writer.append(&self.inner.store, entries).await
    }

    /// Now, truncated to the microsecond (what the store keeps).
    pub fn now(&self) -> DateTime<Utc> {
        let t = (self.inner.clock)();
        DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
    }
}

/// The application: the API routes, the problem-details renderer and the OpenAPI document.
pub fn app(state: AppState) -> axum::Router {
    let (router, doc) = api::router().split_for_parts();
    router
        .merge(web::router())
        .fallback(no_route)
        .layer(Extension(Arc::new(doc)))
        .layer(axum::middleware::from_fn(problem::render_problems))
        .with_state(state)
}

/// The header the fallback sets on "no such route" (so a test can tell it from a 404 of a
/// route, e.g. an unknown citizen).
pub const NO_ROUTE_HEADER: &str = "x-tvaers-no-route";

async fn no_route() -> impl axum::response::IntoResponse {
    ([(NO_ROUTE_HEADER, "1")], problem::ApiError::not_found())
}

/// The OpenAPI 3.1 document of the API (the same one `/api/openapi.json` serves).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().into_openapi()
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes the requests in
/// flight (graceful shutdown).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
