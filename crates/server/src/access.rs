//! The one way from a request to identified data: [`check`] reads the citizen's facts from the
//! store (fresh on every request, so a withdrawn consent or an expired grant takes effect on the
//! next one), asks `tvaers_core::access::decide`, and appends the audit entries — `read` for an
//! allowed look, `refused` for a refusal — **before** the handler reads anything. If the audit
//! log cannot be written, the request fails and nothing is shown.
//!
//! For a write, an allowed decision is not logged here: its basis goes into the write's own
//! audit entry, which the store appends in the write's transaction ([`Mode::Write`]); a refused
//! write is logged here like a refused read.
//!
//! Handlers use the thin forms: [`authorize`] (one category, 403 when refused),
//! [`authorize_each`] (several categories: show the allowed, list the refused), and
//! [`authorize_write`].

use crate::AppState;
use crate::problem::ApiError;
use std::collections::HashMap;
use tvaers_core::access::{CitizenFacts, DataCategory, Decision, Purpose, decide};
use tvaers_store::{AuditAction, AuditEntry, CitizenId, Store, User};

/// Whether the access is a look (logged here) or a write (logged with the write when allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

/// Decides every `(citizen, category)` of `targets` for `user` and `purpose`, and appends the
/// audit entries in one transaction before returning. `None` as citizen is an access that is
/// about no one citizen (the data protection officer's view of the whole log). An unknown
/// citizen is 404 (nothing is logged: there is no one's data).
pub async fn check(
    state: &AppState,
    user: &User,
    targets: &[(Option<CitizenId>, DataCategory)],
    purpose: Purpose,
    mode: Mode,
    detail: &str,
) -> Result<Vec<Decision>, ApiError> {
    let asks: Vec<Ask> = targets
        .iter()
        .map(|&(citizen, category)| Ask {
            citizen,
            category,
            detail,
        })
        .collect();
    check_asks(state, user, &asks, purpose, mode).await
}

/// One question to the rule, with the detail its audit entry carries.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub citizen: Option<CitizenId>,
    pub category: DataCategory,
    pub detail: &'a str,
}

/// [`check`] for questions with different details: a page that shows several parts asks for
/// them all at once, so the citizen's facts are read once and the entries committed once.
pub async fn check_asks(
    state: &AppState,
    user: &User,
    asks: &[Ask<'_>],
    purpose: Purpose,
    mode: Mode,
) -> Result<Vec<Decision>, ApiError> {
    let now = state.now();
    let subject = user.subject();
    let mut facts: HashMap<CitizenId, CitizenFacts> = HashMap::new();
    let none = CitizenFacts::default();
    let mut decisions = Vec::with_capacity(asks.len());
    let mut entries = Vec::with_capacity(asks.len());
    for &Ask {
        citizen,
        category,
        detail,
    } in asks
    {
        let f = match citizen {
            None => &none,
            Some(c) => {
                if let std::collections::hash_map::Entry::Vacant(e) = facts.entry(c) {
                    e.insert(state.store().access_facts(c).await?);
                }
                &facts[&c]
            }
        };
        let d = decide(&subject, f, category, purpose, now);
        if mode == Mode::Read || !d.allowed {
            entries.push(AuditEntry {
                at: now,
                actor: Some(subject),
                citizen,
                category: Some(category),
                purpose,
                action: if d.allowed {
                    AuditAction::Read
                } else {
                    AuditAction::Refused
                },
                basis: d.basis.clone(),
                refusal: (!d.allowed).then_some(d.reason),
                detail: detail.to_string(),
            });
        }
        decisions.push(d);
    }
    state.append_audit(entries).await?;
    Ok(decisions)
}

/// One category of one citizen (or none, for the whole audit log): the decision if allowed,
/// 403 with the reason if not. Logged either way.
pub async fn authorize(
    state: &AppState,
    user: &User,
    citizen: Option<CitizenId>,
    category: DataCategory,
    purpose: Purpose,
    detail: &str,
) -> Result<Decision, ApiError> {
    let d = check(
        state,
        user,
        &[(citizen, category)],
        purpose,
        Mode::Read,
        detail,
    )
    .await?
    .pop()
    .expect("one decision per target");
    if d.allowed {
        Ok(d)
    } else {
        Err(ApiError::refused(d.reason))
    }
}

/// Several categories of one citizen: each decision, in the order given. Nothing is refused as
/// a whole; the handler shows the allowed categories and lists the others with their reasons.
pub async fn authorize_each(
    state: &AppState,
    user: &User,
    citizen: CitizenId,
    categories: &[DataCategory],
    purpose: Purpose,
    detail: &str,
) -> Result<Vec<(DataCategory, Decision)>, ApiError> {
    let targets: Vec<_> = categories.iter().map(|&c| (Some(citizen), c)).collect();
    let ds = check(state, user, &targets, purpose, Mode::Read, detail).await?;
    Ok(categories.iter().copied().zip(ds).collect())
}

/// A write in `category` of a citizen: the decision whose basis the write's audit entry must
/// carry, or 403 (the refusal logged).
pub async fn authorize_write(
    state: &AppState,
    user: &User,
    citizen: CitizenId,
    category: DataCategory,
    detail: &str,
) -> Result<Decision, ApiError> {
    let d = check(
        state,
        user,
        &[(Some(citizen), category)],
        Purpose::CaseProcessing,
        Mode::Write,
        detail,
    )
    .await?
    .pop()
    .expect("one decision per target");
    if d.allowed {
        Ok(d)
    } else {
        Err(ApiError::refused(d.reason))
    }
}

/// The audit entry of an allowed write (its basis is the decision's).
pub fn write_entry(
    state: &AppState,
    user: &User,
    citizen: CitizenId,
    category: Option<DataCategory>,
    decision: &Decision,
    detail: impl Into<String>,
) -> AuditEntry {
    AuditEntry::write(
        Some(user.subject()),
        Some(citizen),
        category,
        Purpose::CaseProcessing,
        decision.basis.clone(),
        state.now(),
        detail,
    )
}

/// Whether the user's role may ask for break-the-glass on a citizen at all: only the roles that
/// can be on a team (caseworkers, coordinators, managers). The rule is asked about basic data
/// with no facts (no team, no grant), so only the role can be its answer; "not on the team" is
/// what break-the-glass is for. A refusal is logged.
pub async fn authorize_break_glass(
    state: &AppState,
    user: &User,
    citizen: CitizenId,
) -> Result<(), ApiError> {
    let now = state.now();
    let d = decide(
        &user.subject(),
        &CitizenFacts::default(),
        DataCategory::Basic,
        Purpose::CaseProcessing,
        now,
    );
    if d.allowed || d.reason == tvaers_core::access::Reason::NotOnTeam {
        return Ok(());
    }
    // Refused for the role: log it against the citizen (if there is one).
    state.store().access_facts(citizen).await?;
    let entry = AuditEntry::access(
        user.subject(),
        citizen,
        DataCategory::Basic,
        Purpose::CaseProcessing,
        &d,
        now,
        "break-the-glass asked",
    );
    state.store().append_audit(&[entry]).await?;
    Err(ApiError::refused(d.reason))
}
