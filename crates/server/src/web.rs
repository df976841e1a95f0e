//! The server-rendered web application: plain HTML forms (POST, then a redirect), no
//! JavaScript, Danish unless `?lang=en` or `Accept-Language` asks for English. Every text is a
//! key of the message catalogue.
//!
//! - **The same access rule and audit log as the API.** Every page that shows a citizen's data
//!   first asks [`crate::access`] (`authorize`, `authorize_each`, `authorize_write`); nothing
//!   here reads the store for a citizen otherwise.
//! - **The plan and progression are basic data of the team** (category `basic`): the plan is
//!   the team's shared agreement with the citizen, not one department's case. A department's
//!   services are still shown only as the rule allows.
//! - **CSRF**: every state-changing form carries the session's CSRF token in the hidden field
//!   `csrf` ([`Posted`] checks it before the handler runs). The login form has no session yet;
//!   it is refused when the browser says the request is cross-site (`Sec-Fetch-Site`).
//! - **Optimistic concurrency**: every plan form carries the version it was made from; a save
//!   based on an older version is refused with 409, and the page is shown again with the
//!   user's text in the form and a message saying what happened.
//! - **My citizens** lists the citizens with new alerts first (an overlap that began within
//!   [`NEW_ALERT_DAYS`]; the store keeps no "seen" mark), then by the most serious alert. The
//!   register holds no names, so the search is by CPR number: a whole number is looked up and
//!   the rule asked (logged as an access, also when refused or when no one has it).
//! - **Meeting warning** (seed 002 § 2.6): a meeting on a weekday between 08:00 and 16:00, on
//!   a day inside an employment or integration service the user may see (activation, job
//!   training, education), is flagged — the citizen is expected to be there.
//! - **WCAG 2.1 AA**: `<html lang>`, a skip link, header/nav/main landmarks, a label on every
//!   input, errors linked to their field (`aria-describedby`, `aria-invalid`), tables with
//!   `<th scope>`, a visible focus outline and contrast of at least 4.5:1. The browser test
//!   runs axe-core on every page it visits.

use crate::AppState;
use crate::access::{
    Ask, Mode, authorize, authorize_each, authorize_write, check_asks, write_entry,
};
use crate::api::{category_text, purpose_text, role_text};
use crate::auth::{LoginRefused, csrf_ok, csrf_token, session_cookie, start_session};
use crate::costs::{YearlyCosts, yearly_costs};
use crate::lang::{Lang, request_lang};
use crate::problem::{ApiError, reason_key};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use tvaers_core::access::{DataCategory, Decision, Purpose, Role, UserId};
use tvaers_core::{Cpr, Department, Ore};
use tvaers_messages::{Key, department, t, tn};
use tvaers_store::{
    AuditAction, AuditEntry, AuditFilter, Citizen, CitizenId, ContactPerson, DOMINANT_GOAL,
    Intervention, MAX_SCORE, Meeting, NewPlanVersion, NewProgression, PlanContent, PlanVersion,
    ServiceRecord, StaircaseStep, Store, StoreError, SubGoal, User, session_token_hash,
};

/// The web application's routes (merged into [`crate::app`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/mine", get(mine))
        .route("/citizens/{id}", get(overview))
        .route("/citizens/{id}/plan", get(plan_page))
        .route("/citizens/{id}/plan/edit/{part}", post(plan_edit))
        .route("/citizens/{id}/plan/history", get(plan_history))
        .route("/citizens/{id}/plan/compare", get(plan_compare))
        .route(
            "/citizens/{id}/progression",
            get(progression_page).post(progression_add),
        )
        .route("/citizens/{id}/access-log", get(access_log_page))
        .route("/audit", get(audit_page))
        .layer(axum::middleware::from_fn(render_failures))
}

// ---- failures ------------------------------------------------------------------------------

/// What a page handler can fail with: no session (to the login page) or an API error, shown
/// as an HTML page in the request's language by [`render_failures`].
#[derive(Debug)]
pub enum WebError {
    Login,
    Api(ApiError),
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> WebError {
        if e.status == StatusCode::UNAUTHORIZED {
            WebError::Login
        } else {
            WebError::Api(e)
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        WebError::Api(e.into())
    }
}

/// The error carried to [`render_failures`] (which knows the language).
#[derive(Debug, Clone)]
struct Failure(ApiError);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Login => redirect("/"),
            WebError::Api(e) => {
                let mut resp = Response::new(Body::empty());
                *resp.status_mut() = e.status;
                resp.extensions_mut().insert(Failure(e));
                resp
            }
        }
    }
}

/// Renders a [`Failure`] as an HTML page (the problem-details middleware leaves `text/html`
/// alone).
async fn render_failures(req: Request, next: Next) -> Response {
    let lang = request_lang(req.uri().query(), req.headers());
    let mut resp = next.run(req).await;
    if let Some(Failure(e)) = resp.extensions_mut().remove::<Failure>() {
        let p = e.problem(lang);
        let body = layout(
            lang,
            &p.title,
            None,
            html! {
                h1 { (p.title) }
                p role="alert" { (p.detail) }
                p { a href=(href(lang, "/mine")) { (t(lang, Key::web_back_to_mine)) } }
            },
        );
        let mut out = body.into_response();
        *out.status_mut() = e.status;
        return out;
    }
    resp
}

fn redirect(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .expect("a redirect")
}

/// `path` in the language of the request (Danish needs no parameter).
fn href(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Da => path.to_string(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

// ---- sessions ------------------------------------------------------------------------------

/// The logged-in user of a page (no CSRF check: a GET changes nothing; forms use [`Posted`]).
#[derive(Debug, Clone)]
pub struct WebUser {
    pub user: User,
    token_hash: [u8; 32],
    csrf: String,
    csrf_secret: [u8; 32],
}

async fn web_user(parts: &Parts, state: &AppState) -> Result<WebUser, WebError> {
    let token = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == crate::SESSION_COOKIE)
        .and_then(|(_, value)| hex::decode(value).ok())
        .filter(|t| t.len() == 32)
        .ok_or(WebError::Login)?;
    let token_hash = session_token_hash(&token);
    let session = state
        .store()
        .session(&token_hash, state.now())
        .await?
        .ok_or(WebError::Login)?;
    Ok(WebUser {
        user: session.user,
        token_hash,
        csrf: csrf_token(&session.csrf_secret),
        csrf_secret: session.csrf_secret,
    })
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<WebUser, WebError> {
        web_user(parts, state).await
    }
}

/// A submitted form of a logged-in user whose hidden `csrf` field is the session's token;
/// otherwise 403 (reason `csrf`), before the handler runs.
#[derive(Debug)]
pub struct Posted {
    pub me: WebUser,
    pub lang: Lang,
    pub fields: HashMap<String, String>,
}

impl Posted {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |s| s.as_str())
    }
}

impl FromRequest<AppState> for Posted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Posted, WebError> {
        let (parts, body) = req.into_parts();
        let lang = request_lang(parts.uri.query(), &parts.headers);
        let me = web_user(&parts, state).await?;
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .map_err(|_| ApiError::invalid(Key::problem_body_detail, &[]))?;
        let fields: HashMap<String, String> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| ApiError::invalid(Key::problem_body_detail, &[]))?;
        let token = fields.get("csrf").map_or("", |s| s.as_str());
        if !csrf_ok(&me.csrf_secret, token) {
            tracing::warn!(user = me.user.id.0, "form without a valid CSRF token");
            return Err(ApiError::csrf().into());
        }
        Ok(Posted { me, lang, fields })
    }
}

/// The hidden CSRF field of a form.
fn csrf_field(me: &WebUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(me.csrf); }
}

// ---- layout --------------------------------------------------------------------------------

const STYLE: &str = r#"
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}
a{color:#0b4f9c}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #b3530b;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem}
header{background:#0b3d6e;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a,header .who{color:#fff}
header .brand{font-weight:700;font-size:1.2rem;color:#fff;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
header form{margin:0}
header button{background:#fff;color:#0b3d6e}
main{padding:1rem;max-width:72rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #6b6b6b;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}
label{display:block;font-weight:600;margin-top:.5rem}
input,select,textarea{font:inherit;padding:.25rem;border:1px solid #4a4a4a;max-width:100%}
button{font:inherit;background:#0b4f9c;color:#fff;border:0;padding:.4rem .9rem;margin-top:.5rem;cursor:pointer}
fieldset{border:1px solid #6b6b6b;margin:1rem 0;padding:.5rem 1rem}
.notice{background:#f1f1f1;border-left:4px solid #4a4a4a;padding:.5rem 1rem}
.alert{background:#fdf0e6;border-left:4px solid #9c3d00;padding:.5rem 1rem;margin:.5rem 0}
.error{color:#a00000;font-weight:600}
.ok{background:#e8f4ea;border-left:4px solid #1e6b2e;padding:.5rem 1rem}
.added{background:#e8f4ea}
.scroll{overflow-x:auto;max-width:100%}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.removed{background:#fbe9e9;text-decoration:line-through}
@media print{header,nav,.skip,form,.noprint{display:none}main{max-width:none;padding:0}a{color:#000;text-decoration:none}}
"#;

/// The page around `body`: language, skip link, header with navigation, main.
fn layout(lang: Lang, title: &str, me: Option<&WebUser>, body: Markup) -> Html<String> {
    let other = match lang {
        Lang::Da => ("?lang=en", "English", "en"),
        Lang::En => ("?lang=da", "Dansk", "da"),
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(t(lang, Key::html_lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Tværs" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { (t(lang, Key::web_skip_to_content)) }
                header {
                    a.brand href=(href(lang, "/")) { "Tværs" }
                    @if let Some(me) = me {
                        nav aria-label=(t(lang, Key::web_nav_label)) {
                            ul {
                                @if me.user.role == Role::DataProtectionOfficer {
                                    li { a href=(href(lang, "/audit")) { (t(lang, Key::web_audit_title)) } }
                                } @else {
                                    li { a href=(href(lang, "/mine")) { (t(lang, Key::web_mine_title)) } }
                                }
                                li { a href=(other.0) hreflang=(other.2) lang=(other.2) { (other.1) } }
                            }
                        }
                        span.who { (me.user.display_name) }
                        form method="post" action=(href(lang, "/logout")) {
                            (csrf_field(me))
                            button type="submit" { (t(lang, Key::web_logout)) }
                        }
                    } @else {
                        nav aria-label=(t(lang, Key::web_nav_label)) {
                            ul { li { a href=(other.0) hreflang=(other.2) lang=(other.2) { (other.1) } } }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    };
    Html(markup.into_string())
}

fn with_status(status: StatusCode, page: Html<String>) -> Response {
    let mut r = page.into_response();
    *r.status_mut() = status;
    r
}

// ---- login ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct LangQuery {
    #[serde(default)]
    q: Option<String>,
}

async fn home(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let lang = request_lang(parts.uri.query(), &parts.headers);
    match web_user(&parts, &state).await {
        Ok(me) if me.user.role == Role::DataProtectionOfficer => redirect(&href(lang, "/audit")),
        Ok(_) => redirect(&href(lang, "/mine")),
        Err(_) => login_form(lang, "", None, StatusCode::OK),
    }
}

fn login_form(lang: Lang, username: &str, error: Option<String>, status: StatusCode) -> Response {
    let invalid = error.as_ref().map(|_| "true");
    let described = error.as_ref().map(|_| "login-error");
    with_status(
        status,
        layout(
            lang,
            t(lang, Key::web_login_title),
            None,
            html! {
                h1 { (t(lang, Key::web_login_title)) }
                p { (t(lang, Key::web_login_intro)) }
                @if let Some(e) = &error {
                    p.error #login-error role="alert" { (e) }
                }
                form method="post" action=(href(lang, "/login")) {
                    label for="username" { (t(lang, Key::web_username)) }
                    input #username name="username" type="text" autocomplete="username"
                        required value=(username) aria-invalid=[invalid] aria-describedby=[described];
                    label for="password" { (t(lang, Key::web_password)) }
                    input #password name="password" type="password" autocomplete="current-password"
                        required aria-invalid=[invalid] aria-describedby=[described];
                    div { button type="submit" { (t(lang, Key::web_login_button)) } }
                }
            },
        ),
    )
}

async fn login(State(state): State<AppState>, req: Request) -> Result<Response, WebError> {
    let (parts, body) = req.into_parts();
    let lang = request_lang(parts.uri.query(), &parts.headers);
    // No session yet, so no CSRF token: refuse what the browser says is another site's form.
    let cross_site = parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        return Err(ApiError::csrf().into());
    }
    let bytes = axum::body::to_bytes(body, 1 << 16)
        .await
        .map_err(|_| ApiError::invalid(Key::problem_body_detail, &[]))?;
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| ApiError::invalid(Key::problem_body_detail, &[]))?;
    let username = form.get("username").map_or("", |s| s.trim());
    let password = form.get("password").map_or("", |s| s.as_str());
    let now = state.now();
    let user = match state
        .identity()
        .password_login(&state, username, password, now)
        .await
    {
        Ok(u) => u,
        Err(LoginRefused::BadCredentials) => {
            let e = ApiError::login_failed().problem(lang).detail;
            return Ok(login_form(
                lang,
                username,
                Some(e),
                StatusCode::UNAUTHORIZED,
            ));
        }
        Err(LoginRefused::Throttled) => {
            let minutes = state.settings().login_window.num_minutes();
            let e = ApiError::throttled(minutes).problem(lang).detail;
            return Ok(login_form(
                lang,
                username,
                Some(e),
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
        Err(LoginRefused::Store(e)) => return Err(e.into()),
    };
    let ttl = state.settings().session_ttl;
    let (token, _) = start_session(state.store(), &user, now, ttl).await?;
    let mut resp = redirect(&href(
        lang,
        if user.role == Role::DataProtectionOfficer {
            "/audit"
        } else {
            "/mine"
        },
    ));
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&session_cookie(
            &token,
            ttl.num_seconds(),
            state.settings().secure_cookies,
        ))
        .expect("a cookie of hex and ASCII flags"),
    );
    Ok(resp)
}

async fn logout(State(state): State<AppState>, form: Posted) -> Result<Response, WebError> {
    state.store().delete_session(&form.me.token_hash).await?;
    let mut resp = redirect(&href(form.lang, "/"));
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&session_cookie("", 0, state.settings().secure_cookies))
            .expect("ASCII"),
    );
    Ok(resp)
}

// ---- shared pieces -------------------------------------------------------------------------

fn service_categories() -> Vec<DataCategory> {
    Department::ALL.map(DataCategory::Services).to_vec()
}

/// The hidden categories and why ("something is hidden here, and this is the rule's reason").
fn hidden_notice(lang: Lang, decisions: &[(DataCategory, Decision)]) -> Markup {
    let hidden: Vec<_> = decisions.iter().filter(|(_, d)| !d.allowed).collect();
    html! {
        @if !hidden.is_empty() {
            div.notice {
                h3 { (t(lang, Key::web_hidden_title)) }
                ul {
                    @for (c, d) in &hidden {
                        li { strong { (category_text(lang, Some(*c))) } ": " (t(lang, reason_key(d.reason))) }
                    }
                }
            }
        }
    }
}

fn opened(decisions: &[(DataCategory, Decision)]) -> Vec<DataCategory> {
    decisions
        .iter()
        .filter(|(_, d)| d.allowed)
        .map(|(c, _)| *c)
        .collect()
}

/// The citizen's services in the categories the rule opened (asked and logged here).
async fn visible_services(
    state: &AppState,
    me: &WebUser,
    id: CitizenId,
    detail: &str,
) -> Result<(Vec<(DataCategory, Decision)>, Vec<ServiceRecord>), WebError> {
    let ds = authorize_each(
        state,
        &me.user,
        id,
        &service_categories(),
        Purpose::CaseProcessing,
        detail,
    )
    .await?;
    let services = services_in(state, id, &ds).await?;
    Ok((ds, services))
}

/// The citizen's services in the categories the rule opened in `decisions` (already asked and
/// logged by the caller).
async fn services_in(
    state: &AppState,
    id: CitizenId,
    decisions: &[(DataCategory, Decision)],
) -> Result<Vec<ServiceRecord>, WebError> {
    let open = opened(decisions);
    Ok(if open.is_empty() {
        vec![]
    } else {
        state
            .store()
            .services(id)
            .await?
            .into_iter()
            .filter(|s| open.contains(&DataCategory::Services(s.department)))
            .collect()
    })
}

/// One alert as a page shows it.
struct AlertLine {
    /// Began within [`NEW_ALERT_DAYS`] (the store keeps no "seen" mark, so "new" is by date).
    new: bool,
    severity: tvaers_rules::Severity,
    explanation: String,
    from: NaiveDate,
    to: NaiveDate,
    services: Vec<String>,
}

/// An alert whose overlap began within this many days is new: listed first and marked.
pub const NEW_ALERT_DAYS: i64 = 30;

async fn alerts_of(
    state: &AppState,
    lang: Lang,
    citizen: &Citizen,
    services: &[ServiceRecord],
) -> Result<Vec<AlertLine>, WebError> {
    if services.is_empty() {
        return Ok(vec![]);
    }
    let today = state.now().date_naive();
    let names: HashMap<String, String> = services
        .iter()
        .map(|s| (s.code.clone(), s.name_da.clone()))
        .collect();
    let (found, codes) =
        crate::alerts::alerts_of(state, citizen.clone(), services.to_vec()).await?;
    let mut lines: Vec<AlertLine> = found
        .into_iter()
        .map(|a| AlertLine {
            new: a.from > today - chrono::Duration::days(NEW_ALERT_DAYS),
            severity: a.severity,
            explanation: match lang {
                Lang::Da => a.explanation_da,
                Lang::En => a.explanation_en,
            },
            from: a.from,
            to: a.to,
            services: a
                .services
                .iter()
                .filter_map(|s| codes.get(s.0 as usize))
                .map(|c| match names.get(c) {
                    Some(n) => format!("{n} ({c})"),
                    None => c.clone(),
                })
                .collect(),
        })
        .collect();
    lines.sort_by(|a, b| {
        b.new
            .cmp(&a.new)
            .then(b.severity.cmp(&a.severity))
            .then(b.to.cmp(&a.to))
    });
    Ok(lines)
}

fn severity_text(lang: Lang, s: tvaers_rules::Severity) -> &'static str {
    t(
        lang,
        match s {
            tvaers_rules::Severity::Info => Key::severity_info,
            tvaers_rules::Severity::Warning => Key::severity_warning,
            tvaers_rules::Severity::Critical => Key::severity_critical,
        },
    )
}

fn step_text(lang: Lang, s: StaircaseStep) -> &'static str {
    t(
        lang,
        match s {
            StaircaseStep::FarFromLabourMarket => Key::web_step_1,
            StaircaseStep::Clarification => Key::web_step_2,
            StaircaseStep::CloseToLabourMarket => Key::web_step_3,
            StaircaseStep::JobOrEducationReady => Key::web_step_4,
        },
    )
}

fn date_text(lang: Lang, d: NaiveDate) -> String {
    tvaers_messages::date(lang, d)
}

/// Local Danish time for display (the store keeps UTC; CET/CEST by the EU rule).
fn local(at: DateTime<Utc>) -> NaiveDateTime {
    let y = at.year();
    let last_sunday = |m: u32| {
        let last = NaiveDate::from_ymd_opt(y, m, 31).expect("March and October have 31 days");
        last - chrono::Duration::days(i64::from(last.weekday().num_days_from_sunday()))
    };
    let start = last_sunday(3)
        .and_hms_opt(1, 0, 0)
        .expect("01:00")
        .and_utc();
    let end = last_sunday(10)
        .and_hms_opt(1, 0, 0)
        .expect("01:00")
        .and_utc();
    let offset = if at >= start && at < end { 2 } else { 1 };
    (at + chrono::Duration::hours(offset)).naive_utc()
}

fn time_text(lang: Lang, at: DateTime<Utc>) -> String {
    let l = local(at);
    format!("{} {}", date_text(lang, l.date()), l.format("%H:%M"))
}

fn citizen_heading(lang: Lang, c: &Citizen, page: Key) -> Markup {
    html! {
        h1 { (t(lang, page)) ": " @if let Some(n) = &c.name { (n) ", " } (c.cpr.to_string()) }
        nav aria-label=(t(lang, Key::web_citizen_nav)) {
            ul {
                li { a href=(href(lang, &format!("/citizens/{}", c.id.0))) { (t(lang, Key::web_overview_title)) } }
                li { a href=(href(lang, &format!("/citizens/{}/plan", c.id.0))) { (t(lang, Key::web_plan_title)) } }
                li { a href=(href(lang, &format!("/citizens/{}/plan/history", c.id.0))) { (t(lang, Key::web_history_title)) } }
                li { a href=(href(lang, &format!("/citizens/{}/progression", c.id.0))) { (t(lang, Key::web_progression_title)) } }
            }
        }
    }
}

async fn basic(
    state: &AppState,
    me: &WebUser,
    id: CitizenId,
    detail: &str,
) -> Result<Citizen, WebError> {
    authorize(
        state,
        &me.user,
        Some(id),
        DataCategory::Basic,
        Purpose::CaseProcessing,
        detail,
    )
    .await?;
    Ok(state
        .store()
        .citizen(id)
        .await?
        .ok_or_else(ApiError::not_found)?)
}

// ---- my citizens ---------------------------------------------------------------------------

async fn mine(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let q: LangQuery = Query::try_from_uri(req.uri())
        .map(|q| q.0)
        .unwrap_or(LangQuery { q: None });
    let store = state.store();
    let list = store.citizens_of_user(me.user.id).await?;
    let targets: Vec<_> = list
        .iter()
        .map(|c| (Some(c.id), DataCategory::Basic))
        .collect();
    let decisions = crate::access::check(
        &state,
        &me.user,
        &targets,
        Purpose::CaseProcessing,
        Mode::Read,
        "web: my citizens",
    )
    .await?;
    let allowed: Vec<&Citizen> = list
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.allowed)
        .map(|(c, _)| c)
        .collect();
    // Alerts first: each citizen's alerts from the services the rule opens to this user, asked
    // for every citizen at once (one commit of the audit log for the page).
    let categories = service_categories();
    let asks: Vec<Ask> = allowed
        .iter()
        .flat_map(|c| {
            categories.iter().map(|&category| Ask {
                citizen: Some(c.id),
                category,
                detail: "web: my citizens, alerts",
            })
        })
        .collect();
    let service_decisions =
        check_asks(&state, &me.user, &asks, Purpose::CaseProcessing, Mode::Read).await?;
    let mut rows = Vec::with_capacity(allowed.len());
    for (c, ds) in allowed
        .into_iter()
        .zip(service_decisions.chunks(categories.len()))
    {
        let ds: Vec<(DataCategory, Decision)> =
            categories.iter().copied().zip(ds.iter().cloned()).collect();
        let services = services_in(&state, c.id, &ds).await?;
        let alerts = alerts_of(&state, lang, c, &services).await?;
        rows.push((c.clone(), alerts));
    }
    rows.sort_by(|a, b| {
        let new = |x: &[AlertLine]| x.iter().any(|a| a.new);
        let top = |x: &[AlertLine]| x.iter().map(|a| a.severity).max();
        new(&b.1)
            .cmp(&new(&a.1))
            .then(top(&b.1).cmp(&top(&a.1)))
            .then(b.1.len().cmp(&a.1.len()))
            .then(a.0.cpr.to_string().cmp(&b.0.cpr.to_string()))
    });
    let search = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some((s.to_string(), search(&state, &me, lang, s).await?)),
    };
    Ok(layout(
        lang,
        t(lang, Key::web_mine_title),
        Some(&me),
        html! {
            h1 { (t(lang, Key::web_mine_title)) }
            form method="get" action="/mine" role="search" {
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                label for="q" { (t(lang, Key::web_search_label)) }
                input #q name="q" type="search" autocomplete="off" aria-describedby="q-hint"
                    value=(search.as_ref().map_or("", |s| s.0.as_str()));
                p #q-hint { (t(lang, Key::web_search_hint)) }
                button type="submit" { (t(lang, Key::web_search_button)) }
            }
            @if let Some((_, result)) = &search {
                section aria-labelledby="search-result" {
                    h2 #search-result { (t(lang, Key::web_search_result)) }
                    (result)
                }
            }
            @if rows.is_empty() {
                p { (t(lang, Key::web_mine_empty)) }
            } @else {
                table {
                    caption { (t(lang, Key::web_mine_caption)) }
                    thead { tr {
                        th scope="col" { (t(lang, Key::web_cpr)) }
                        th scope="col" { (t(lang, Key::web_name)) }
                        th scope="col" { (t(lang, Key::web_birth_date)) }
                        th scope="col" { (t(lang, Key::web_alerts_title)) }
                    } }
                    tbody {
                        @for (c, alerts) in &rows {
                            tr {
                                th scope="row" { a href=(href(lang, &format!("/citizens/{}", c.id.0))) { (c.cpr.to_string()) } }
                                td { (c.name.as_deref().unwrap_or("")) }
                                td { (date_text(lang, c.birth_date)) }
                                td {
                                    @if alerts.is_empty() { (t(lang, Key::web_no_alerts)) }
                                    @else {
                                        ul { @for a in alerts { li {
                                            @if a.new { strong { (t(lang, Key::web_new_alert)) } " " }
                                            strong { (severity_text(lang, a.severity)) } ": " (a.explanation)
                                        } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// A search that found no one is logged too: a search is an access whether or not it finds
/// someone.
async fn log_unmatched_search(
    state: &AppState,
    me: &WebUser,
    detail: &str,
) -> Result<(), WebError> {
    state
        .store()
        .append_audit(&[AuditEntry {
            at: state.now(),
            actor: Some(me.user.subject()),
            citizen: None,
            category: Some(DataCategory::Basic),
            purpose: Purpose::CaseProcessing,
            action: AuditAction::Read,
            basis: None,
            refusal: None,
            detail: detail.into(),
        }])
        .await?;
    Ok(())
}

/// The most citizens a name search lists.
const NAME_SEARCH_LIMIT: u32 = 20;

/// A search: by CPR number when the text is digits (and a dash), otherwise by name.
async fn search(state: &AppState, me: &WebUser, lang: Lang, q: &str) -> Result<Markup, WebError> {
    if q.chars().any(char::is_alphabetic) {
        search_name(state, me, lang, q).await
    } else {
        search_cpr(state, me, lang, q).await
    }
}

/// A search by name: every citizen found is asked of the rule (each logged as an access); the
/// page lists those the user may see and counts the others, without naming them.
async fn search_name(
    state: &AppState,
    me: &WebUser,
    lang: Lang,
    q: &str,
) -> Result<Markup, WebError> {
    let found = state.store().search_by_name(q, NAME_SEARCH_LIMIT).await?;
    if found.is_empty() {
        log_unmatched_search(state, me, "web: search by name, no match").await?;
        return Ok(html! { p { (t(lang, Key::web_search_name_none)) } });
    }
    let targets: Vec<_> = found
        .iter()
        .map(|c| (Some(c.id), DataCategory::Basic))
        .collect();
    let decisions = crate::access::check(
        state,
        &me.user,
        &targets,
        Purpose::CaseProcessing,
        Mode::Read,
        "web: search by name",
    )
    .await?;
    let shown: Vec<&Citizen> = found
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.allowed)
        .map(|(c, _)| c)
        .collect();
    let refused = found.len() - shown.len();
    Ok(html! {
        @if !shown.is_empty() {
            ul { @for c in &shown { li {
                a href=(href(lang, &format!("/citizens/{}", c.id.0))) {
                    (c.name.as_deref().unwrap_or("")) ", " (c.cpr.to_string())
                }
            } } }
        }
        @if refused > 0 { p { (tn(lang, Key::web_search_refused_count, &[&refused])) } }
        @if found.len() as u32 == NAME_SEARCH_LIMIT { p { (tn(lang, Key::web_search_more, &[&NAME_SEARCH_LIMIT])) } }
    })
}

/// A search by CPR number: a whole number looks the citizen up and asks the rule (logged as an
/// access, allowed or refused); anything else is refused as a search term.
async fn search_cpr(
    state: &AppState,
    me: &WebUser,
    lang: Lang,
    q: &str,
) -> Result<Markup, WebError> {
    let Ok(cpr) = Cpr::parse(q) else {
        return Ok(html! { p { (t(lang, Key::web_search_invalid)) } });
    };
    let Some(c) = state.store().citizen_by_cpr(&cpr).await? else {
        log_unmatched_search(state, me, "web: search by CPR, no match").await?;
        return Ok(html! { p { (t(lang, Key::web_search_none)) } });
    };
    let d = crate::access::check(
        state,
        &me.user,
        &[(Some(c.id), DataCategory::Basic)],
        Purpose::CaseProcessing,
        Mode::Read,
        "web: search by CPR",
    )
    .await?
    .pop()
    .expect("one decision");
    Ok(if d.allowed {
        html! { p { a href=(href(lang, &format!("/citizens/{}", c.id.0))) { (c.cpr.to_string()) } } }
    } else {
        html! { p { (t(lang, Key::web_search_refused)) " " (t(lang, reason_key(d.reason))) } }
    })
}

// ---- citizen overview ----------------------------------------------------------------------

async fn overview(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let id = citizen_id(&req)?;
    let store = state.store();
    // Basic data and every department's services in one question to the rule: the facts are
    // read once and the audit entries committed once (the commit is most of a page's time).
    let mut asks = vec![Ask {
        citizen: Some(id),
        category: DataCategory::Basic,
        detail: "web: overview",
    }];
    asks.extend(service_categories().into_iter().map(|category| Ask {
        citizen: Some(id),
        category,
        detail: "web: overview, services",
    }));
    let mut decisions =
        check_asks(&state, &me.user, &asks, Purpose::CaseProcessing, Mode::Read).await?;
    let basic_decision = decisions.remove(0);
    if !basic_decision.allowed {
        return Err(ApiError::refused(basic_decision.reason).into());
    }
    let ds: Vec<(DataCategory, Decision)> =
        service_categories().into_iter().zip(decisions).collect();
    let c = store.citizen(id).await?.ok_or_else(ApiError::not_found)?;
    let services = services_in(&state, id, &ds).await?;
    let alerts = alerts_of(&state, lang, &c, &services).await?;
    let mut team = Vec::new();
    for m in store.team(id).await? {
        if let Some(u) = store.user(m.user).await? {
            team.push(u);
        }
    }
    let plan = store.plan(id).await?;
    // The family: each other member only as far as the rule opens their basic data (asked
    // and logged like any look).
    let others: Vec<Citizen> = store
        .family(id)
        .await?
        .into_iter()
        .filter(|m| m.id != id)
        .collect();
    let family: Vec<&Citizen> = if others.is_empty() {
        vec![]
    } else {
        let targets: Vec<_> = others
            .iter()
            .map(|m| (Some(m.id), DataCategory::Basic))
            .collect();
        let family_decisions = crate::access::check(
            &state,
            &me.user,
            &targets,
            Purpose::CaseProcessing,
            Mode::Read,
            "web: overview, family",
        )
        .await?;
        others
            .iter()
            .zip(&family_decisions)
            .filter(|(_, d)| d.allowed)
            .map(|(m, _)| m)
            .collect()
    };
    let family_hidden = others.len() - family.len();
    // Yearly cost by department, from the services and booked amounts the rule opened.
    let today = state.now().date_naive();
    let visible: Vec<Department> = ds
        .iter()
        .filter(|(_, d)| d.allowed)
        .filter_map(|(c, _)| match c {
            DataCategory::Services(dept) => Some(*dept),
            _ => None,
        })
        .collect();
    let costs = if visible.is_empty() {
        YearlyCosts::default()
    } else {
        let prices = store.unit_prices_of(id).await?;
        let booked = store.booked_costs(id).await?;
        yearly_costs(&services, &prices, &booked, &visible, today)
    };
    Ok(layout(
        lang,
        t(lang, Key::web_overview_title),
        Some(&me),
        html! {
            (citizen_heading(lang, &c, Key::web_overview_title))
            p { (t(lang, Key::web_birth_date)) ": " (date_text(lang, c.birth_date)) }
            section aria-labelledby="alerts" {
                h2 #alerts { (t(lang, Key::web_alerts_title)) }
                @if alerts.is_empty() { p { (t(lang, Key::web_no_alerts)) } }
                @for a in &alerts {
                    div.alert {
                        p {
                            @if a.new { strong { (t(lang, Key::web_new_alert)) } " " }
                            strong { (severity_text(lang, a.severity)) } ": " (a.explanation)
                        }
                        p { (tn(lang, Key::web_alert_period, &[&date_text(lang, a.from), &date_text(lang, a.to)])) }
                        p { (t(lang, Key::web_alert_services)) ": " (a.services.join(", ")) }
                    }
                }
            }
            section aria-labelledby="services" {
                h2 #services { (t(lang, Key::web_services_title)) }
                (hidden_notice(lang, &ds))
                @if services.is_empty() {
                    p { (t(lang, Key::web_no_services)) }
                } @else {
                    (timeline(lang, &services, today))
                    table {
                        caption { (t(lang, Key::web_services_title)) }
                        thead { tr {
                            th scope="col" { (t(lang, Key::web_service)) }
                            th scope="col" { (t(lang, Key::web_department)) }
                            th scope="col" { (t(lang, Key::web_legal_basis)) }
                            th scope="col" { (t(lang, Key::web_from)) }
                            th scope="col" { (t(lang, Key::web_to)) }
                        } }
                        tbody { @for s in &services { tr {
                            th scope="row" { (s.name_da) " (" (s.code) ")" }
                            td { (department(lang, s.department)) }
                            td { (s.legal_basis) }
                            td { (date_text(lang, s.start)) }
                            td { @if let Some(e) = s.end { (date_text(lang, e)) } @else { (t(lang, Key::web_ongoing)) } }
                        } } }
                    }
                }
            }
            (cost_table(lang, &costs))
            @if !others.is_empty() {
                section aria-labelledby="family" {
                    h2 #family { (t(lang, Key::web_family_title)) }
                    ul {
                        @for m in &family {
                            li { a href=(href(lang, &format!("/citizens/{}", m.id.0))) { (m.cpr.to_string()) } }
                        }
                    }
                    @if family_hidden > 0 { p { (tn(lang, Key::web_family_hidden, &[&family_hidden])) } }
                }
            }
            section aria-labelledby="contacts" {
                h2 #contacts { (t(lang, Key::web_contacts_title)) }
                table {
                    caption { (t(lang, Key::web_team_caption)) }
                    thead { tr {
                        th scope="col" { (t(lang, Key::web_name)) }
                        th scope="col" { (t(lang, Key::web_role)) }
                        th scope="col" { (t(lang, Key::web_department)) }
                    } }
                    tbody { @for u in &team { tr {
                        th scope="row" { (u.display_name) }
                        td { (role_text(lang, u.role.code())) }
                        td { @if let Some(d) = u.role.department() { (department(lang, d)) } }
                    } } }
                }
                @if let Some(p) = &plan {
                    @if !p.content.contacts.is_empty() {
                        (contacts_table(lang, &p.content.contacts))
                    }
                }
            }
        },
    ))
}

/// The yearly cost by department: one row per department, one column per year, a total row;
/// a cell lacking a unit price for some service is marked and explained under the table.
fn cost_table(lang: Lang, costs: &YearlyCosts) -> Markup {
    let money = |o: Ore| tvaers_messages::money(lang, o);
    html! {
        section aria-labelledby="costs" {
            h2 #costs { (t(lang, Key::web_costs_title)) }
            @if costs.cells.is_empty() {
                p { (t(lang, Key::web_costs_none)) }
            } @else {
                div.scroll tabindex="0" role="region" aria-labelledby="costs-caption" {
                    table {
                        caption #costs-caption { (t(lang, Key::web_costs_caption)) }
                        thead { tr {
                            th scope="col" { (t(lang, Key::web_department)) }
                            @for y in &costs.years { th scope="col" class="num" { (y) } }
                        } }
                        tbody {
                            @for d in costs.cells.keys() { tr {
                                th scope="row" { (department(lang, *d)) }
                                @for y in &costs.years {
                                    td class="num" {
                                        (money(costs.cell(*d, *y)))
                                        @if costs.incomplete.contains(&(*d, *y)) { " *" }
                                    }
                                }
                            } }
                        }
                        tfoot { tr {
                            th scope="row" { (t(lang, Key::web_costs_total)) }
                            @for y in &costs.years { td class="num" { (money(costs.year_total(*y))) } }
                        } }
                    }
                }
                p { (t(lang, Key::web_costs_note)) }
                @if !costs.incomplete.is_empty() { p { "* " (t(lang, Key::web_costs_missing_price)) } }
            }
        }
    }
}

fn citizen_id(req: &Request) -> Result<CitizenId, WebError> {
    // /citizens/{id}/…
    req.uri()
        .path()
        .split('/')
        .nth(2)
        .and_then(|s| s.parse::<i64>().ok())
        .map(CitizenId)
        .ok_or_else(|| ApiError::not_found().into())
}

fn dept_colour(d: Department) -> &'static str {
    // Dark enough for 3:1 against white (graphics, WCAG 1.4.11).
    match d {
        Department::Employment => "#0b4f9c",
        Department::AdultSocial => "#8a3b00",
        Department::ChildrenFamily => "#6a1b9a",
        Department::Health => "#1e6b2e",
        Department::Elderly => "#5d4037",
        Department::Psychiatry => "#a00050",
        Department::Disability => "#00695c",
        Department::Integration => "#37474f",
    }
}

/// The services as bars on one time axis (a picture of the table below it).
fn timeline(lang: Lang, services: &[ServiceRecord], today: NaiveDate) -> Markup {
    let start = services.iter().map(|s| s.start).min().unwrap_or(today);
    let end = services
        .iter()
        .map(|s| s.end.unwrap_or(today))
        .max()
        .unwrap_or(today)
        .max(start + chrono::Duration::days(1));
    let span = (end - start).num_days().max(1) as f64;
    let (left, width, row) = (220.0, 560.0, 22.0);
    let x = |d: NaiveDate| left + width * ((d - start).num_days() as f64 / span);
    let height = 30.0 + row * services.len() as f64;
    html! {
        svg role="img" aria-label=(t(lang, Key::web_timeline_label)) width="800" height=(height)
            viewBox=(format!("0 0 800 {height}")) xmlns="http://www.w3.org/2000/svg" {
            text x=(left) y="14" font-size="12" fill="#1a1a1a" { (date_text(lang, start)) }
            text x=(left + width) y="14" font-size="12" fill="#1a1a1a" text-anchor="end" { (date_text(lang, end)) }
            @for (i, s) in services.iter().enumerate() {
                @let y = 22.0 + row * i as f64;
                @let x0 = x(s.start);
                @let x1 = x(s.end.unwrap_or(today)).max(x0 + 2.0);
                text x="0" y=(y + 13.0) font-size="12" fill="#1a1a1a" { (department(lang, s.department)) ": " (s.code) }
                rect x=(x0) y=(y) width=(x1 - x0) height="16" fill=(dept_colour(s.department)) {}
            }
        }
    }
}

fn contacts_table(lang: Lang, contacts: &[ContactPerson]) -> Markup {
    html! {
        table {
            caption { (t(lang, Key::web_contacts_caption)) }
            thead { tr {
                th scope="col" { (t(lang, Key::web_name)) }
                th scope="col" { (t(lang, Key::web_contact_role)) }
                th scope="col" { (t(lang, Key::web_phone)) }
            } }
            tbody { @for c in contacts { tr {
                th scope="row" { (c.name) }
                td { (c.role) }
                td { (c.phone) }
            } } }
        }
    }
}

// ---- the plan ------------------------------------------------------------------------------

/// Whether a meeting falls inside the citizen's expected working, education or activation
/// hours: a weekday, 08:00–16:00, on a day inside an employment or integration service.
pub fn meeting_clashes(at: NaiveDateTime, services: &[ServiceRecord]) -> Vec<&ServiceRecord> {
    let weekday = !matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
    let t = at.time();
    let hours = NaiveTime::from_hms_opt(8, 0, 0).expect("08:00") <= t
        && t < NaiveTime::from_hms_opt(16, 0, 0).expect("16:00");
    if !(weekday && hours) {
        return vec![];
    }
    let day = at.date();
    services
        .iter()
        .filter(|s| {
            matches!(
                s.department,
                Department::Employment | Department::Integration
            )
        })
        .filter(|s| s.start <= day && s.end.is_none_or(|e| day <= e))
        .collect()
}

/// What a plan form re-shows after a refusal: which form, its fields, the message.
struct Draft {
    part: String,
    fields: HashMap<String, String>,
    message: String,
    /// The field the message is about (for `aria-describedby`).
    field: Option<&'static str>,
    /// Shown at the top of the page (a refused save), not at the form.
    banner: bool,
}

impl Draft {
    fn value<'a>(&'a self, part: &str, name: &str) -> Option<&'a str> {
        (self.part == part)
            .then(|| self.fields.get(name).map(|s| s.as_str()))
            .flatten()
    }
}

async fn plan_page(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let id = citizen_id(&req)?;
    let saved = req.uri().query().is_some_and(|q| q.contains("saved=1"));
    render_plan(&state, &me, lang, id, None, saved).await
}

async fn render_plan(
    state: &AppState,
    me: &WebUser,
    lang: Lang,
    id: CitizenId,
    draft: Option<Draft>,
    saved: bool,
) -> Result<Html<String>, WebError> {
    let c = basic(state, me, id, "web: plan").await?;
    let (_, services) = visible_services(state, me, id, "web: plan, meeting check").await?;
    let store = state.store();
    let plan = store.plan(id).await?;
    let version = plan.as_ref().map_or(0, |p| p.version);
    let content = plan.as_ref().map(|p| p.content.clone()).unwrap_or_default();
    let mut team = Vec::new();
    for m in store.team(id).await? {
        if let Some(u) = store.user(m.user).await? {
            team.push(u);
        }
    }
    let names: HashMap<i64, String> = team
        .iter()
        .map(|u| (u.id.0, u.display_name.clone()))
        .collect();
    let action = |part: &str| href(lang, &format!("/citizens/{}/plan/edit/{part}", id.0));
    let d = draft.as_ref();
    let err = |part: &str, field: &str| {
        d.filter(|d| d.part == part && d.field == Some(field_static(field)))
            .map(|_| "true")
    };
    let describe = |part: &str, field: &str| {
        d.filter(|d| d.part == part && d.field == Some(field_static(field)))
            .map(|_| "form-error")
    };
    let message = |part: &str| -> Markup {
        html! {
            @if let Some(d) = d.filter(|d| d.part == part && !d.banner) {
                p.error #form-error role="alert" { (d.message) }
            }
        }
    };
    let goal_text = d
        .and_then(|d| d.value("goal", "goal_text"))
        .unwrap_or(&content.goal_text)
        .to_string();
    // The main goal first, then the sub-goals, each with its interventions.
    let goals: Vec<SubGoal> = std::iter::once(SubGoal {
        id: DOMINANT_GOAL,
        text: t(lang, Key::web_goal_title).to_string(),
    })
    .chain(content.sub_goals.iter().cloned())
    .collect();
    let hidden = |m: &WebUser| {
        html! {
            (csrf_field(m))
            input type="hidden" name="version" value=(version);
        }
    };
    Ok(layout(
        lang,
        t(lang, Key::web_plan_title),
        Some(me),
        html! {
            (citizen_heading(lang, &c, Key::web_plan_title))
            @if saved { p.ok role="status" { (tn(lang, Key::web_plan_saved, &[&version])) } }
            @if let Some(d) = d.filter(|d| d.banner) { p.error #plan-stale role="alert" { (d.message) } }
            p { (tn(lang, Key::web_plan_version, &[&version])) }
            section aria-labelledby="goal" {
                h2 #goal { (t(lang, Key::web_goal_title)) }
                @match content.goal {
                    Some(s) => p { strong { (s.number()) ". " (step_text(lang, s)) } @if !content.goal_text.is_empty() { " – " (content.goal_text) } },
                    None => p { (t(lang, Key::web_goal_none)) },
                }
                @if let Some(co) = content.coordinator {
                    p { (t(lang, Key::web_coordinator)) ": " (names.get(&co).cloned().unwrap_or_else(|| co.to_string())) }
                }
                @if !content.sub_goals.is_empty() || !content.interventions.is_empty() {
                    h3 { (t(lang, Key::web_sub_goals_title)) }
                    ul {
                        @for g in &goals {
                            li {
                                (g.text)
                                @let ivs: Vec<&Intervention> = content.interventions.iter().filter(|i| i.goal == g.id).collect();
                                @if !ivs.is_empty() {
                                    ul { @for i in ivs { li {
                                        (t(lang, Key::web_intervention)) ": " (i.text) " — " (department(lang, i.department)) ", " (i.legal_basis)
                                    } } }
                                }
                            }
                        }
                    }
                }
                form method="post" action=(action("goal")) {
                    (hidden(me))
                    fieldset {
                        legend { (t(lang, Key::web_goal_edit)) }
                        (message("goal"))
                        label for="goal-step" { (t(lang, Key::web_goal_step)) }
                        select #goal-step name="step" {
                            @for s in StaircaseStep::ALL {
                                @let chosen = d.and_then(|d| d.value("goal", "step")).map_or(content.goal == Some(s), |v| v == s.number().to_string());
                                option value=(s.number()) selected[chosen] { (s.number()) ". " (step_text(lang, s)) }
                            }
                        }
                        label for="goal-text" { (t(lang, Key::web_goal_text)) }
                        textarea #goal-text name="goal_text" rows="2" cols="60" { (goal_text) }
                        label for="goal-coordinator" { (t(lang, Key::web_coordinator)) }
                        select #goal-coordinator name="coordinator" {
                            option value="" { (t(lang, Key::web_none)) }
                            @for u in &team {
                                option value=(u.id.0) selected[content.coordinator == Some(u.id.0)] { (u.display_name) }
                            }
                        }
                        div { button type="submit" { (t(lang, Key::web_save)) } }
                    }
                }
                form method="post" action=(action("sub-goal")) {
                    (hidden(me))
                    fieldset {
                        legend { (t(lang, Key::web_sub_goal_add)) }
                        (message("sub-goal"))
                        label for="sub-text" { (t(lang, Key::web_sub_goal_text)) }
                        input #sub-text name="text" type="text" size="60"
                            value=(d.and_then(|d| d.value("sub-goal", "text")).unwrap_or(""))
                            aria-invalid=[err("sub-goal", "text")] aria-describedby=[describe("sub-goal", "text")];
                        div { button type="submit" { (t(lang, Key::web_add)) } }
                    }
                }
                form method="post" action=(action("intervention")) {
                    (hidden(me))
                    fieldset {
                        legend { (t(lang, Key::web_intervention_add)) }
                        (message("intervention"))
                        label for="int-goal" { (t(lang, Key::web_intervention_goal)) }
                        select #int-goal name="goal" {
                            option value="0" { (t(lang, Key::web_goal_title)) }
                            @for g in &content.sub_goals {
                                option value=(g.id) selected[d.and_then(|d| d.value("intervention", "goal")) == Some(g.id.to_string().as_str())] { (g.text) }
                            }
                        }
                        label for="int-text" { (t(lang, Key::web_intervention_text)) }
                        input #int-text name="text" type="text" size="60"
                            value=(d.and_then(|d| d.value("intervention", "text")).unwrap_or(""))
                            aria-invalid=[err("intervention", "text")] aria-describedby=[describe("intervention", "text")];
                        label for="int-dept" { (t(lang, Key::web_department)) }
                        select #int-dept name="department" {
                            @for dep in Department::ALL {
                                option value=(dep.code()) selected[d.and_then(|d| d.value("intervention", "department")) == Some(dep.code())] { (department(lang, dep)) }
                            }
                        }
                        label for="int-basis" { (t(lang, Key::web_legal_basis)) }
                        input #int-basis name="legal_basis" type="text"
                            value=(d.and_then(|d| d.value("intervention", "legal_basis")).unwrap_or(""));
                        div { button type="submit" { (t(lang, Key::web_add)) } }
                    }
                }
            }
            section aria-labelledby="plan-contacts" {
                h2 #plan-contacts { (t(lang, Key::web_contacts_title)) }
                @if !content.contacts.is_empty() { (contacts_table(lang, &content.contacts)) }
                form method="post" action=(action("contact")) {
                    (hidden(me))
                    fieldset {
                        legend { (t(lang, Key::web_contact_add)) }
                        (message("contact"))
                        label for="contact-name" { (t(lang, Key::web_name)) }
                        input #contact-name name="name" type="text"
                            value=(d.and_then(|d| d.value("contact", "name")).unwrap_or(""))
                            aria-invalid=[err("contact", "name")] aria-describedby=[describe("contact", "name")];
                        label for="contact-role" { (t(lang, Key::web_contact_role)) }
                        input #contact-role name="role" type="text" value=(d.and_then(|d| d.value("contact", "role")).unwrap_or(""));
                        label for="contact-phone" { (t(lang, Key::web_phone)) }
                        input #contact-phone name="phone" type="tel" value=(d.and_then(|d| d.value("contact", "phone")).unwrap_or(""));
                        div { button type="submit" { (t(lang, Key::web_add)) } }
                    }
                }
            }
            section aria-labelledby="meetings" {
                h2 #meetings { (t(lang, Key::web_meetings_title)) }
                @if !content.meetings.is_empty() {
                    table {
                        caption { (t(lang, Key::web_meetings_title)) }
                        thead { tr {
                            th scope="col" { (t(lang, Key::web_when)) }
                            th scope="col" { (t(lang, Key::web_place)) }
                            th scope="col" { (t(lang, Key::web_warning)) }
                        } }
                        tbody { @for m in &content.meetings { tr {
                            th scope="row" { (date_text(lang, m.at.date())) " " (m.at.format("%H:%M")) }
                            td { (m.place) }
                            td {
                                @let clash = meeting_clashes(m.at, &services);
                                @if !clash.is_empty() {
                                    span.error { (t(lang, Key::web_meeting_clash)) } " "
                                    (clash.iter().map(|s| format!("{} ({})", s.name_da, s.code)).collect::<Vec<_>>().join(", "))
                                }
                            }
                        } } }
                    }
                }
                form method="post" action=(action("meeting")) {
                    (hidden(me))
                    fieldset {
                        legend { (t(lang, Key::web_meeting_add)) }
                        (message("meeting"))
                        label for="meeting-date" { (t(lang, Key::web_date)) }
                        input #meeting-date name="date" type="date" required
                            value=(d.and_then(|d| d.value("meeting", "date")).unwrap_or(""))
                            aria-invalid=[err("meeting", "date")] aria-describedby=[describe("meeting", "date")];
                        label for="meeting-time" { (t(lang, Key::web_time)) }
                        input #meeting-time name="time" type="time" required
                            value=(d.and_then(|d| d.value("meeting", "time")).unwrap_or(""));
                        label for="meeting-place" { (t(lang, Key::web_place)) }
                        input #meeting-place name="place" type="text"
                            value=(d.and_then(|d| d.value("meeting", "place")).unwrap_or(""));
                        div { button type="submit" { (t(lang, Key::web_add)) } }
                    }
                }
            }
        },
    ))
}

fn field_static(name: &str) -> &'static str {
    match name {
        "text" => "text",
        "name" => "name",
        "date" => "date",
        "ors" => "ors",
        "srs" => "srs",
        _ => "other",
    }
}

async fn plan_edit(
    State(state): State<AppState>,
    Path((id, part)): Path<(i64, String)>,
    form: Posted,
) -> Result<Response, WebError> {
    let lang = form.lang;
    let id = CitizenId(id);
    // The rule first (a refusal is logged); the write's own entry carries an allowed basis.
    let d = authorize_write(
        &state,
        &form.me.user,
        id,
        DataCategory::Basic,
        "web: plan save",
    )
    .await?;
    let based_on: i64 = form.get("version").parse().unwrap_or(-1);
    let current = state.store().plan(id).await?;
    let mut content = current
        .as_ref()
        .map(|p| p.content.clone())
        .unwrap_or_default();
    let fail = |message: Key, field: Option<&'static str>| Draft {
        part: part.clone(),
        fields: form.fields.clone(),
        message: t(lang, message).to_string(),
        field,
        banner: false,
    };
    let text = form.get("text").trim().to_string();
    let invalid = match part.as_str() {
        "goal" => {
            content.goal = form
                .get("step")
                .parse::<u8>()
                .ok()
                .and_then(StaircaseStep::from_number);
            content.goal_text = form.get("goal_text").trim().to_string();
            content.coordinator = form.get("coordinator").parse::<i64>().ok();
            None
        }
        "sub-goal" if text.is_empty() => Some(fail(Key::web_error_text_empty, Some("text"))),
        "sub-goal" => {
            let next = content.next_sub_goal_id();
            content.sub_goals.push(SubGoal { id: next, text });
            None
        }
        "intervention" if text.is_empty() => Some(fail(Key::web_error_text_empty, Some("text"))),
        "intervention" => match Department::from_code(form.get("department")) {
            None => Some(fail(Key::web_error_text_empty, None)),
            Some(department) => {
                content.interventions.push(Intervention {
                    goal: form.get("goal").parse().unwrap_or(DOMINANT_GOAL),
                    text,
                    department,
                    legal_basis: form.get("legal_basis").trim().to_string(),
                });
                None
            }
        },
        "contact" if form.get("name").trim().is_empty() => {
            Some(fail(Key::web_error_text_empty, Some("name")))
        }
        "contact" => {
            content.contacts.push(ContactPerson {
                name: form.get("name").trim().to_string(),
                role: form.get("role").trim().to_string(),
                phone: form.get("phone").trim().to_string(),
            });
            None
        }
        "meeting" => {
            let date = NaiveDate::parse_from_str(form.get("date"), "%Y-%m-%d");
            let time = NaiveTime::parse_from_str(form.get("time"), "%H:%M");
            match (date, time) {
                (Ok(d), Ok(tm)) => {
                    content.meetings.push(Meeting {
                        at: d.and_time(tm),
                        place: form.get("place").trim().to_string(),
                    });
                    content.meetings.sort_by_key(|m| m.at);
                    None
                }
                _ => Some(fail(Key::web_error_date, Some("date"))),
            }
        }
        _ => return Err(ApiError::not_found().into()),
    };
    if let Some(draft) = invalid {
        let page = render_plan(&state, &form.me, lang, id, Some(draft), false).await?;
        return Ok(with_status(StatusCode::BAD_REQUEST, page));
    }
    let entry = write_entry(
        &state,
        &form.me.user,
        id,
        Some(DataCategory::Basic),
        &d,
        format!("plan saved ({part})"),
    );
    let current_version = current.as_ref().map_or(0, |p| p.version);
    let result = if based_on != current_version {
        Err(StoreError::Stale {
            current: current_version,
        })
    } else {
        state
            .store()
            .save_plan(
                &NewPlanVersion {
                    citizen: id,
                    based_on,
                    saved_by: form.me.user.id,
                    saved_at: state.now(),
                    content,
                },
                &entry,
            )
            .await
    };
    match result {
        Ok(_) => Ok(redirect(&href(
            lang,
            &format!("/citizens/{}/plan?saved=1", id.0),
        ))),
        Err(StoreError::Stale { .. }) => {
            // Nothing is lost: the page shows the plan as it is now, with the user's text
            // still in the form they sent and a message at the top.
            let mut draft = fail(Key::web_plan_stale, None);
            draft.banner = true;
            let page = render_plan(&state, &form.me, lang, id, Some(draft), false).await?;
            Ok(with_status(StatusCode::CONFLICT, page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- history and compare -------------------------------------------------------------------

async fn plan_history(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let id = citizen_id(&req)?;
    let c = basic(&state, &me, id, "web: plan history").await?;
    let versions = state.store().plan_versions(id).await?;
    let names = user_names(&state).await?;
    let last = versions.last().map_or(0, |v| v.version);
    Ok(layout(
        lang,
        t(lang, Key::web_history_title),
        Some(&me),
        html! {
            (citizen_heading(lang, &c, Key::web_history_title))
            @if versions.is_empty() { p { (t(lang, Key::web_goal_none)) } } @else {
                table {
                    caption { (t(lang, Key::web_history_title)) }
                    thead { tr {
                        th scope="col" { (t(lang, Key::web_version)) }
                        th scope="col" { (t(lang, Key::web_when)) }
                        th scope="col" { (t(lang, Key::web_saved_by)) }
                    } }
                    tbody { @for v in versions.iter().rev() { tr {
                        th scope="row" { (v.version) }
                        td { (time_text(lang, v.saved_at)) }
                        td { (names.get(&v.saved_by).cloned().unwrap_or_default()) }
                    } } }
                }
                form method="get" action=(format!("/citizens/{}/plan/compare", id.0)) {
                    @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                    fieldset {
                        legend { (t(lang, Key::web_compare_title)) }
                        label for="cmp-a" { (t(lang, Key::web_compare_a)) }
                        select #cmp-a name="a" { @for v in &versions { option value=(v.version) selected[v.version == (last - 1).max(1)] { (v.version) } } }
                        label for="cmp-b" { (t(lang, Key::web_compare_b)) }
                        select #cmp-b name="b" { @for v in &versions { option value=(v.version) selected[v.version == last] { (v.version) } } }
                        div { button type="submit" { (t(lang, Key::web_compare_button)) } }
                    }
                }
            }
        },
    ))
}

async fn user_names(state: &AppState) -> Result<HashMap<UserId, String>, WebError> {
    Ok(state
        .store()
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// The plan as lines of text, for comparing two versions line by line.
fn plan_lines(lang: Lang, p: &PlanContent, names: &HashMap<UserId, String>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = p.goal {
        out.push(format!(
            "{}: {}. {} – {}",
            t(lang, Key::web_goal_title),
            s.number(),
            step_text(lang, s),
            p.goal_text
        ));
    }
    if let Some(c) = p.coordinator {
        out.push(format!(
            "{}: {}",
            t(lang, Key::web_coordinator),
            names.get(&UserId(c)).cloned().unwrap_or_default()
        ));
    }
    for g in &p.sub_goals {
        out.push(format!("{}: {}", t(lang, Key::web_sub_goal_text), g.text));
    }
    for i in &p.interventions {
        let goal = p.sub_goals.iter().find(|g| g.id == i.goal).map_or_else(
            || t(lang, Key::web_goal_title).to_string(),
            |g| g.text.clone(),
        );
        out.push(format!(
            "{}: {} ({goal}) – {}, {}",
            t(lang, Key::web_intervention),
            i.text,
            department(lang, i.department),
            i.legal_basis
        ));
    }
    for c in &p.contacts {
        out.push(format!(
            "{}: {}, {}, {}",
            t(lang, Key::web_contacts_title),
            c.name,
            c.role,
            c.phone
        ));
    }
    for m in &p.meetings {
        out.push(format!(
            "{}: {} {}, {}",
            t(lang, Key::web_meetings_title),
            date_text(lang, m.at.date()),
            m.at.format("%H:%M"),
            m.place
        ));
    }
    out
}

#[derive(Debug, Deserialize)]
struct CompareQuery {
    a: i64,
    b: i64,
}

async fn plan_compare(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let id = citizen_id(&req)?;
    let q: CompareQuery = Query::try_from_uri(req.uri())
        .map_err(|_| ApiError::invalid(Key::problem_body_detail, &[]))?
        .0;
    let c = basic(&state, &me, id, "web: plan compare").await?;
    let versions = state.store().plan_versions(id).await?;
    let find = |v: i64| -> Result<&PlanVersion, WebError> {
        versions
            .iter()
            .find(|p| p.version == v)
            .ok_or_else(|| ApiError::not_found().into())
    };
    let (a, b) = (find(q.a)?, find(q.b)?);
    let names = user_names(&state).await?;
    let la = plan_lines(lang, &a.content, &names);
    let lb = plan_lines(lang, &b.content, &names);
    Ok(layout(
        lang,
        t(lang, Key::web_compare_title),
        Some(&me),
        html! {
            (citizen_heading(lang, &c, Key::web_compare_title))
            p { (tn(lang, Key::web_compare_intro, &[&a.version, &b.version])) }
            table {
                caption { (t(lang, Key::web_compare_title)) }
                thead { tr {
                    th scope="col" { (t(lang, Key::web_change)) }
                    th scope="col" { (t(lang, Key::web_content)) }
                } }
                tbody {
                    @for l in &la { @if !lb.contains(l) { tr.removed { th scope="row" { (t(lang, Key::web_removed)) } td { (l) } } } }
                    @for l in &lb { @if !la.contains(l) { tr.added { th scope="row" { (t(lang, Key::web_added)) } td { (l) } } } }
                    @for l in &lb { @if la.contains(l) { tr { th scope="row" { (t(lang, Key::web_unchanged)) } td { (l) } } } }
                }
            }
        },
    ))
}

// ---- progression ---------------------------------------------------------------------------

async fn progression_page(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let id = citizen_id(&req)?;
    render_progression(&state, &me, lang, id, None).await
}

async fn render_progression(
    state: &AppState,
    me: &WebUser,
    lang: Lang,
    id: CitizenId,
    draft: Option<Draft>,
) -> Result<Html<String>, WebError> {
    let c = basic(state, me, id, "web: progression").await?;
    let records = state.store().progression(id).await?;
    let d = draft.as_ref();
    let value = |f: &str| d.and_then(|d| d.value("progression", f)).unwrap_or("");
    let bad = |f: &str| {
        d.filter(|d| d.field == Some(field_static(f)))
            .map(|_| "true")
    };
    let described = |f: &str| {
        d.filter(|d| d.field == Some(field_static(f)))
            .map(|_| "form-error")
    };
    let today = local(state.now()).date().format("%Y-%m-%d").to_string();
    Ok(layout(
        lang,
        t(lang, Key::web_progression_title),
        Some(me),
        html! {
            (citizen_heading(lang, &c, Key::web_progression_title))
            p { (t(lang, Key::web_progression_intro)) }
            @if records.is_empty() { p { (t(lang, Key::web_progression_none)) } } @else {
                (progression_chart(lang, &records))
                table {
                    caption { (t(lang, Key::web_progression_title)) }
                    thead { tr {
                        th scope="col" { (t(lang, Key::web_date)) }
                        th scope="col" { (t(lang, Key::web_goal_step)) }
                        th scope="col" { "ORS" }
                        th scope="col" { "SRS" }
                        th scope="col" { (t(lang, Key::web_department)) }
                    } }
                    tbody { @for r in &records { tr {
                        th scope="row" { (date_text(lang, r.on)) }
                        td { (r.step.number()) ". " (step_text(lang, r.step)) }
                        td { (r.ors) }
                        td { (r.srs) }
                        td { @match r.department { Some(dep) => (department(lang, dep)), None => (t(lang, Key::role_coordinator)) } }
                    } } }
                }
            }
            form method="post" action=(href(lang, &format!("/citizens/{}/progression", id.0))) {
                (csrf_field(me))
                fieldset {
                    legend { (t(lang, Key::web_progression_add)) }
                    @if let Some(d) = d { p.error #form-error role="alert" { (d.message) } }
                    label for="prog-date" { (t(lang, Key::web_date)) }
                    input #prog-date name="date" type="date" required value=(if value("date").is_empty() { today.as_str() } else { value("date") })
                        aria-invalid=[bad("date")] aria-describedby=[described("date")];
                    label for="prog-step" { (t(lang, Key::web_goal_step)) }
                    select #prog-step name="step" {
                        @for s in StaircaseStep::ALL { option value=(s.number()) selected[value("step") == s.number().to_string()] { (s.number()) ". " (step_text(lang, s)) } }
                    }
                    label for="prog-ors" { (t(lang, Key::web_ors_label)) }
                    input #prog-ors name="ors" type="number" min="0" max=(MAX_SCORE) required value=(value("ors"))
                        aria-invalid=[bad("ors")] aria-describedby=[described("ors")];
                    label for="prog-srs" { (t(lang, Key::web_srs_label)) }
                    input #prog-srs name="srs" type="number" min="0" max=(MAX_SCORE) required value=(value("srs"))
                        aria-invalid=[bad("srs")] aria-describedby=[described("srs")];
                    div { button type="submit" { (t(lang, Key::web_save)) } }
                }
            }
        },
    ))
}

/// ORS and SRS over time in one chart for every department, with the cut-offs (ORS 25 for
/// adults, SRS 36; docs/reference.md). Points are marked by department (colour and a letter,
/// so colour is not the only cue).
fn progression_chart(lang: Lang, records: &[tvaers_store::Progression]) -> Markup {
    let first = records.first().map(|r| r.on).expect("not empty");
    let last = records.last().map(|r| r.on).expect("not empty");
    let span = (last - first).num_days().max(1) as f64;
    let (left, top, w, h) = (50.0, 20.0, 600.0, 200.0);
    let x = |d: NaiveDate| left + w * ((d - first).num_days() as f64 / span);
    let y = |v: u8| top + h * (1.0 - f64::from(v) / f64::from(MAX_SCORE));
    let line = |f: &dyn Fn(&tvaers_store::Progression) -> u8| {
        records
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(r.on), y(f(r))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let depts: BTreeSet<Option<Department>> = records.iter().map(|r| r.department).collect();
    let label = |d: Option<Department>| match d {
        Some(d) => department(lang, d).to_string(),
        None => t(lang, Key::role_coordinator).to_string(),
    };
    let colour = |d: Option<Department>| d.map_or("#1a1a1a", dept_colour);
    html! {
        figure {
            svg role="img" aria-label=(t(lang, Key::web_chart_label)) width="800" height="300"
                viewBox="0 0 800 300" xmlns="http://www.w3.org/2000/svg" {
                line x1=(left) y1=(top) x2=(left) y2=(top + h) stroke="#1a1a1a" {}
                line x1=(left) y1=(top + h) x2=(left + w) y2=(top + h) stroke="#1a1a1a" {}
                @for v in [0u8, 10, 20, 30, 40] {
                    text x=(left - 8.0) y=(y(v) + 4.0) font-size="11" text-anchor="end" fill="#1a1a1a" { (v) }
                }
                line x1=(left) y1=(y(25)) x2=(left + w) y2=(y(25)) stroke="#8a3b00" stroke-dasharray="6 3" {}
                text x=(left + w + 4.0) y=(y(25) + 4.0) font-size="11" fill="#8a3b00" { "ORS 25" }
                line x1=(left) y1=(y(36)) x2=(left + w) y2=(y(36)) stroke="#0b4f9c" stroke-dasharray="2 3" {}
                text x=(left + w + 4.0) y=(y(36) + 4.0) font-size="11" fill="#0b4f9c" { "SRS 36" }
                polyline points=(line(&|r| r.ors)) fill="none" stroke="#1a1a1a" stroke-width="2" {}
                polyline points=(line(&|r| r.srs)) fill="none" stroke="#4a4a4a" stroke-width="2" stroke-dasharray="4 2" {}
                @for r in records {
                    circle cx=(x(r.on)) cy=(y(r.ors)) r="5" fill=(colour(r.department)) {}
                    rect x=(x(r.on) - 4.0) y=(y(r.srs) - 4.0) width="8" height="8" fill=(colour(r.department)) {}
                }
                text x=(left) y=(top + h + 16.0) font-size="11" fill="#1a1a1a" { (date_text(lang, first)) }
                text x=(left + w) y=(top + h + 16.0) font-size="11" text-anchor="end" fill="#1a1a1a" { (date_text(lang, last)) }
                @for (i, d) in depts.iter().enumerate() {
                    rect x=(left + 150.0 * i as f64) y=(top + h + 30.0) width="10" height="10" fill=(colour(*d)) {}
                    text x=(left + 150.0 * i as f64 + 14.0) y=(top + h + 39.0) font-size="11" fill="#1a1a1a" { (label(*d)) }
                }
            }
            figcaption { (t(lang, Key::web_chart_caption)) }
        }
    }
}

async fn progression_add(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Response, WebError> {
    let lang = form.lang;
    let id = CitizenId(id);
    let score = |name: &str| {
        form.get(name)
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|v| *v <= MAX_SCORE)
    };
    let date = NaiveDate::parse_from_str(form.get("date"), "%Y-%m-%d");
    let step = form
        .get("step")
        .parse::<u8>()
        .ok()
        .and_then(StaircaseStep::from_number);
    let problem = match (&date, score("ors"), score("srs"), step) {
        (Err(_), ..) => Some((Key::web_error_date, "date")),
        (_, None, ..) => Some((Key::web_error_score, "ors")),
        (_, _, None, _) => Some((Key::web_error_score, "srs")),
        (_, _, _, None) => Some((Key::web_error_date, "other")),
        _ => None,
    };
    if let Some((key, field)) = problem {
        let draft = Draft {
            part: "progression".into(),
            fields: form.fields.clone(),
            message: t(lang, key).to_string(),
            field: Some(field_static(field)),
            banner: false,
        };
        let page = render_progression(&state, &form.me, lang, id, Some(draft)).await?;
        return Ok(with_status(StatusCode::BAD_REQUEST, page));
    }
    let d = authorize_write(
        &state,
        &form.me.user,
        id,
        DataCategory::Basic,
        "web: progression",
    )
    .await?;
    let entry = write_entry(
        &state,
        &form.me.user,
        id,
        Some(DataCategory::Basic),
        &d,
        "progression recorded",
    );
    state
        .store()
        .record_progression(
            &NewProgression {
                citizen: id,
                on: date.expect("checked"),
                step: step.expect("checked"),
                ors: score("ors").expect("checked"),
                srs: score("srs").expect("checked"),
                recorded_by: form.me.user.id,
                department: form.me.user.role.department(),
                recorded_at: state.now(),
            },
            &entry,
        )
        .await?;
    Ok(redirect(&href(
        lang,
        &format!("/citizens/{}/progression", id.0),
    )))
}

// ---- the data protection officer -------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    citizen: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    btg: Option<String>,
}

fn start_of(d: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

async fn audit_page(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let q: AuditQuery = Query::try_from_uri(req.uri())
        .map(|q| q.0)
        .unwrap_or_default();
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let citizen = nonempty(&q.citizen)
        .and_then(|s| s.parse::<i64>().ok())
        .map(CitizenId);
    let user = nonempty(&q.user)
        .and_then(|s| s.parse::<i64>().ok())
        .map(UserId);
    authorize(
        &state,
        &me.user,
        citizen,
        DataCategory::AuditLog,
        Purpose::Supervision,
        "web: audit view",
    )
    .await?;
    let filter = AuditFilter {
        user,
        citizen,
        from: nonempty(&q.from).as_deref().and_then(start_of),
        until: nonempty(&q.to)
            .as_deref()
            .and_then(start_of)
            .map(|d| d + chrono::Duration::days(1)),
        break_the_glass_only: q.btg.is_some(),
        after_seq: None,
        limit: Some(1000),
    };
    let rows = state.store().audit_entries(&filter).await?;
    let users = state.store().users().await?;
    let names: HashMap<UserId, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let v = |s: &Option<String>| s.clone().unwrap_or_default();
    Ok(layout(
        lang,
        t(lang, Key::web_audit_title),
        Some(&me),
        html! {
            h1 { (t(lang, Key::web_audit_title)) }
            form method="get" action="/audit" {
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                fieldset {
                    legend { (t(lang, Key::web_filter)) }
                    label for="f-user" { (t(lang, Key::web_user)) }
                    select #f-user name="user" {
                        option value="" { (t(lang, Key::web_all)) }
                        @for u in &users { option value=(u.id.0) selected[user == Some(u.id)] { (u.display_name) " (" (u.username) ")" } }
                    }
                    label for="f-citizen" { (t(lang, Key::web_citizen_id)) }
                    input #f-citizen name="citizen" type="text" inputmode="numeric" value=(v(&q.citizen));
                    label for="f-from" { (t(lang, Key::web_from)) }
                    input #f-from name="from" type="date" value=(v(&q.from));
                    label for="f-to" { (t(lang, Key::web_to)) }
                    input #f-to name="to" type="date" value=(v(&q.to));
                    div {
                        input #f-btg name="btg" type="checkbox" value="1" checked[q.btg.is_some()];
                        label for="f-btg" style="display:inline" { (t(lang, Key::web_btg_only)) }
                    }
                    div { button type="submit" { (t(lang, Key::web_filter_button)) } }
                }
            }
            @if let Some(c) = citizen {
                p { a href=(href(lang, &format!("/citizens/{}/access-log", c.0))) { (t(lang, Key::web_access_log_title)) } }
            }
            p { (tn(lang, Key::web_audit_count, &[&rows.len()])) }
            table {
                caption { (t(lang, Key::web_audit_title)) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (t(lang, Key::web_when)) }
                    th scope="col" { (t(lang, Key::web_user)) }
                    th scope="col" { (t(lang, Key::web_role)) }
                    th scope="col" { (t(lang, Key::web_citizen_id)) }
                    th scope="col" { (t(lang, Key::web_category)) }
                    th scope="col" { (t(lang, Key::web_purpose)) }
                    th scope="col" { (t(lang, Key::web_action)) }
                    th scope="col" { (t(lang, Key::web_detail)) }
                } }
                tbody { @for r in rows.iter().rev() { tr {
                    th scope="row" { (r.seq) }
                    td { (time_text(lang, r.at)) }
                    td { (r.user.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| t(lang, Key::role_system).to_string())) }
                    td { (r.actor_role.as_deref().map_or("", |c| role_text(lang, c))) @if let Some(d) = r.actor_department { ", " (department(lang, d)) } }
                    td { @if let Some(c) = r.citizen { a href=(href(lang, &format!("/audit?citizen={}", c.0))) { (c.0) } } }
                    td { (r.category.map(|c| category_text(lang, Some(c))).unwrap_or_default()) }
                    td { (purpose_text(lang, r.purpose)) }
                    td {
                        (action_text(lang, r.action))
                        @if r.is_break_the_glass() { " " strong { (t(lang, Key::web_btg)) } }
                    }
                    td { (r.detail) }
                } } }
            }
        },
    ))
}

fn action_text(lang: Lang, a: AuditAction) -> &'static str {
    t(
        lang,
        match a {
            AuditAction::Read => Key::action_read,
            AuditAction::Write => Key::action_write,
            AuditAction::Refused => Key::web_refused,
        },
    )
}

/// The citizen's access log as a page for printing (GDPR art. 15): when, which department,
/// for what purpose — never the employee.
async fn access_log_page(
    State(state): State<AppState>,
    me: WebUser,
    req: Request,
) -> Result<Html<String>, WebError> {
    let lang = request_lang(req.uri().query(), req.headers());
    let id = citizen_id(&req)?;
    authorize(
        &state,
        &me.user,
        Some(id),
        DataCategory::AuditLog,
        Purpose::Supervision,
        "web: citizen's access log",
    )
    .await?;
    let c = state
        .store()
        .citizen(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let now = state.now();
    let since = now - state.settings().access_log_window;
    let lines = state.store().citizen_access_log(id, since).await?;
    Ok(layout(
        lang,
        t(lang, Key::web_access_log_title),
        Some(&me),
        html! {
            h1 { (t(lang, Key::web_access_log_title)) ": " (c.cpr.to_string()) }
            p { (tn(lang, Key::access_log_intro, &[&c.cpr.to_string(), &date_text(lang, local(since).date()), &date_text(lang, local(now).date())])) }
            table {
                caption { (t(lang, Key::web_access_log_title)) }
                thead { tr {
                    th scope="col" { (t(lang, Key::web_when)) }
                    th scope="col" { (t(lang, Key::web_department)) }
                    th scope="col" { (t(lang, Key::web_purpose)) }
                    th scope="col" { (t(lang, Key::web_category)) }
                    th scope="col" { (t(lang, Key::web_action)) }
                } }
                tbody { @for l in &lines { tr {
                    th scope="row" { (time_text(lang, l.at)) }
                    td { @match (l.department, &l.role) {
                        (Some(d), _) => (department(lang, d)),
                        (None, Some(r)) => (role_text(lang, r)),
                        (None, None) => (t(lang, Key::role_system)),
                    } }
                    td { (purpose_text(lang, l.purpose)) }
                    td { (category_text(lang, l.category)) }
                    td { (action_text(lang, l.action)) }
                } } }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(dept: Department, start: NaiveDate, end: Option<NaiveDate>) -> ServiceRecord {
        ServiceRecord {
            code: "X".into(),
            name_da: "x".into(),
            department: dept,
            legal_basis: "".into(),
            unit: "hour".into(),
            start,
            end,
            volume_milli: 1000,
        }
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn meetings_clash_only_in_working_hours_of_an_activation_period() {
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        let s = [
            service(Department::Employment, day(3, 1), Some(day(3, 31))),
            service(Department::Health, day(1, 1), None),
        ];
        // Tuesday 4 March 2025, 10:00: inside the employment service.
        assert_eq!(meeting_clashes(at(2025, 3, 4, 10, 0), &s).len(), 1);
        assert_eq!(meeting_clashes(at(2025, 3, 4, 8, 0), &s).len(), 1);
        // 16:00 and 07:59 are outside the hours; Saturday is not a weekday.
        assert!(meeting_clashes(at(2025, 3, 4, 16, 0), &s).is_empty());
        assert!(meeting_clashes(at(2025, 3, 4, 7, 59), &s).is_empty());
        assert!(meeting_clashes(at(2025, 3, 8, 10, 0), &s).is_empty());
        // After the service ended; a health service never clashes.
        assert!(meeting_clashes(at(2025, 4, 1, 10, 0), &s).is_empty());
        assert!(meeting_clashes(at(2025, 2, 4, 10, 0), &s[1..]).is_empty());
    }

    #[test]
    fn danish_local_time_follows_summer_time() {
        let winter = NaiveDate::from_ymd_opt(2025, 1, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc();
        let summer = NaiveDate::from_ymd_opt(2025, 7, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(local(winter).format("%H").to_string(), "10");
        assert_eq!(local(summer).format("%H").to_string(), "11");
    }

    #[test]
    fn links_keep_the_language() {
        assert_eq!(href(Lang::Da, "/mine"), "/mine");
        assert_eq!(href(Lang::En, "/mine"), "/mine?lang=en");
        assert_eq!(href(Lang::En, "/a?b=1"), "/a?b=1&lang=en");
    }
}
