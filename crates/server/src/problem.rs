//! The one HTTP error type: RFC 9457 problem details (`application/problem+json`), with texts
//! from the message catalogue in the request's language.
//!
//! A handler returns [`ApiError`]; its response carries the error (not yet rendered) in the
//! response extensions, and the [`render_problems`] middleware, which knows the request's
//! language, writes the body. The same middleware turns axum's own rejections (a malformed JSON
//! body, an unknown route, a wrong method) into problem details, so every error the API gives
//! has one shape.

use crate::lang::{Lang, request_lang};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tvaers_core::access::Reason;
use tvaers_messages::{Key, t, tn};
use tvaers_store::StoreError;
use tvaers_store::password::PasswordProblem;

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details document (RFC 9457), as the API sends it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem (`urn:tvaers:problem:access-refused`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind, in the request's language.
    pub title: String,
    pub status: u16,
    /// What happened here, in the request's language.
    pub detail: String,
    /// For a refused access: the access rule's reason code (`not_on_team`,
    /// `sensitive_needs_consent`, …), or `csrf`, `admin_only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An error of the API. Render it with [`render_problems`] (installed on the router).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// The last part of the problem type URN.
    pub slug: &'static str,
    pub title: Key,
    pub detail: Key,
    pub args: Vec<String>,
    pub reason: Option<&'static str>,
}

impl ApiError {
    fn new(status: StatusCode, slug: &'static str, title: Key, detail: Key) -> ApiError {
        ApiError {
            status,
            slug,
            title,
            detail,
            args: vec![],
            reason: None,
        }
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            Key::problem_unauthenticated,
            Key::problem_unauthenticated_detail,
        )
    }

    pub fn login_failed() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login-failed",
            Key::problem_login_failed,
            Key::problem_login_failed_detail,
        )
    }

    pub fn throttled(minutes: i64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login-throttled",
            Key::problem_throttled,
            Key::problem_throttled_detail,
        );
        e.args = vec![minutes.to_string()];
        e
    }

    pub fn csrf() -> ApiError {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            Key::problem_csrf,
            Key::problem_csrf_detail,
        );
        e.reason = Some("csrf");
        e
    }

    /// The access rule refused (403 with the rule's reason).
    pub fn refused(reason: Reason) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "access-refused",
            Key::problem_refused,
            reason_key(reason),
        );
        e.reason = Some(reason.code());
        e
    }

    /// An endpoint for administrators only (user management is not citizen data, so the access
    /// rule is not asked; the role is).
    pub fn admin_only() -> ApiError {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "access-refused",
            Key::problem_refused,
            Key::problem_admin_only_detail,
        );
        e.reason = Some("admin_only");
        e
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            Key::problem_not_found,
            Key::problem_not_found_detail,
        )
    }

    pub fn conflict() -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            Key::problem_conflict,
            Key::problem_conflict_detail,
        )
    }

    /// A request the API cannot take; `detail` says why (with `args`).
    pub fn invalid(detail: Key, args: &[&dyn std::fmt::Display]) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-request",
            Key::problem_invalid,
            detail,
        );
        e.args = args.iter().map(|a| a.to_string()).collect();
        e
    }

    pub fn password(p: PasswordProblem) -> ApiError {
        ApiError::invalid(
            match p {
                PasswordProblem::TooShort => Key::password_too_short,
                PasswordProblem::TooLong => Key::password_too_long,
                PasswordProblem::Common => Key::password_common,
                PasswordProblem::ContainsUsername => Key::password_contains_username,
                PasswordProblem::Repetitive => Key::password_repetitive,
            },
            &[],
        )
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Key::problem_internal,
            Key::problem_internal_detail,
        )
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let args: Vec<&dyn std::fmt::Display> = self
            .args
            .iter()
            .map(|a| a as &dyn std::fmt::Display)
            .collect();
        Problem {
            kind: format!("urn:tvaers:problem:{}", self.slug),
            title: t(lang, self.title).to_string(),
            status: self.status.as_u16(),
            detail: tn(lang, self.detail, &args),
            reason: self.reason.map(str::to_string),
        }
    }
}

/// The catalogue message of an access rule's reason.
pub fn reason_key(r: Reason) -> Key {
    match r {
        Reason::TeamMember => Key::reason_team_member,
        Reason::OwnDepartment => Key::reason_own_department,
        Reason::ConsentInForce => Key::reason_consent_in_force,
        Reason::LegalBasisCovers => Key::reason_legal_basis_covers,
        Reason::BreakTheGlass => Key::reason_break_the_glass,
        Reason::Supervision => Key::reason_supervision,
        Reason::AnalystSeesNoIdentifiedData => Key::reason_analyst_sees_no_identified_data,
        Reason::StatisticsNeverIdentified => Key::reason_statistics_never_identified,
        Reason::RoleSeesNoCitizenData => Key::reason_role_sees_no_citizen_data,
        Reason::AuditLogOnlyForSupervision => Key::reason_audit_log_only_for_supervision,
        Reason::PurposeNotForRole => Key::reason_purpose_not_for_role,
        Reason::NotOnTeam => Key::reason_not_on_team,
        Reason::SensitiveNeedsConsent => Key::reason_sensitive_needs_consent,
        Reason::NoConsentOrLegalBasis => Key::reason_no_consent_or_legal_basis,
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(_) => ApiError::not_found(),
            StoreError::Conflict(_) => ApiError::conflict(),
            StoreError::Invalid(what) => {
                ApiError::invalid(Key::problem_invalid_store_detail, &[&what])
            }
            other => {
                // Store errors name tables and fields, never values of personal data.
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = self.status;
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Writes the body of every error response: an [`ApiError`] in the request's language, and
/// axum's own rejections (bad JSON, unknown route, wrong method) as problems of their status.
pub async fn render_problems(req: Request, next: Next) -> Response {
    let lang = request_lang(req.uri().query(), req.headers());
    let mut resp = next.run(req).await;
    let error = match resp.extensions_mut().remove::<ApiError>() {
        Some(e) => Some(e),
        None if resp.status().is_client_error() || resp.status().is_server_error() => {
            // The web pages render their own errors as HTML (crate::web).
            let is_problem = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
                v.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
                    || v.as_bytes().starts_with(b"text/html")
            });
            (!is_problem).then(|| match resp.status() {
                StatusCode::NOT_FOUND => ApiError::not_found(),
                StatusCode::METHOD_NOT_ALLOWED => ApiError {
                    status: StatusCode::METHOD_NOT_ALLOWED,
                    ..ApiError::invalid(Key::problem_method_detail, &[])
                },
                s if s.is_client_error() => ApiError {
                    status: s,
                    ..ApiError::invalid(Key::problem_body_detail, &[])
                },
                _ => ApiError::internal(),
            })
        }
        None => None,
    };
    if let Some(e) = error {
        let body = serde_json::to_vec(&e.problem(lang)).expect("a problem serialises");
        let (mut parts, _) = resp.into_parts();
        parts.status = e.status;
        parts
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        parts.headers.remove(header::CONTENT_LENGTH);
        resp = Response::from_parts(parts, Body::from(body));
    }
    resp.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    resp
}
