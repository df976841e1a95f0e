//! The access matrix through HTTP, on SQLite and PostgreSQL: role × on-team × consent scope ×
//! category × break-the-glass × withdrawn, against a table written from the text (the
//! same table as the rule's unit test, `crates/core/src/access/tests.rs`, with the audit log
//! asked for the purpose the API uses for it: supervision). Each cell is driven through the
//! API — status code, reason code, the shown and hidden categories — and each must have left
//! its audit entry (refusals included).

mod common;

use chrono::Duration;
use common::*;
use serde_json::Value;
use std::collections::HashMap;
use tvaers_core::Department;
use tvaers_core::access::{DataCategory, LegalBasis, Role, UserId, Viewer};
use tvaers_store::{AuditAction, AuditFilter, CitizenId, NewConsent, NewGrant, Store};

/// The columns: T = on team, nothing else; TC = on team, consent in force covering (viewer,
/// category); TW = that consent withdrawn an hour ago; TO = a consent for another viewer or
/// another category only; TG = on team with an active grant; TX = on team, grant expired;
/// N = off team with a covering consent; NG = off team, active grant; NX = off team, covering
/// consent, expired grant.
const COLUMNS: [&str; 9] = ["T", "TC", "TW", "TO", "TG", "TX", "N", "NG", "NX"];

// Codes: allowed `team`, `own`, `cons`, `law`, `btg`, `sup`; refused `-team` (not on team),
// `-sens` (sensitive needs consent), `-none` (no consent or legal basis), `-anal` (analyst),
// `-role` (role sees no citizen data), `-audit` (audit log only for supervision), `-purp`
// (purpose not for role). `basic` is GET /api/citizens/{id}; the departments are
// GET /api/citizens/{id}/services; `audit` is GET /api/citizens/{id}/access-log (purpose
// supervision).
// The rule's case-processing table and the codes of roles and categories (`CASE_PROCESSING`,
// `role`, `category`), the same as the unit test's.
include!("../../core/src/access/matrix_table.rs");

/// The audit-log rows as the API asks them: for the supervision purpose (the unit test's table
/// asks every category for case processing).
#[rustfmt::skip]
const AUDIT_ROWS: &[(&str, &str, &str)] = &[
    ("cw_emp",  "audit",   "-purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp"),
    ("cw_hea",  "audit",   "-purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp"),
    ("coord",   "audit",   "-purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp"),
    ("mgr_emp", "audit",   "-audit -audit -audit -audit -audit -audit -audit -audit -audit"),
    ("analyst", "audit",   "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("dpo",     "audit",   "sup    sup    sup    sup    sup    sup    sup    sup    sup"),
    ("admin",   "audit",   "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
];

const ROLES: [&str; 7] = [
    "cw_emp", "cw_hea", "coord", "mgr_emp", "analyst", "dpo", "admin",
];
const SERVICE_CATS: [&str; 4] = ["emp", "health", "elderly", "integr"];

/// (allowed, the reason code the API gives, the basis kind the audit log keeps).
fn meaning(code: &str) -> (bool, &'static str, Option<&'static str>) {
    match code {
        "team" => (true, "team_member", Some("team")),
        "own" => (true, "own_department", Some("own_department")),
        "cons" => (true, "consent_in_force", Some("consent")),
        "law" => (true, "legal_basis_covers", Some("legal_basis")),
        "btg" => (true, "break_the_glass", Some("break_the_glass")),
        "sup" => (true, "supervision", Some("supervision")),
        "-team" => (false, "not_on_team", None),
        "-sens" => (false, "sensitive_needs_consent", None),
        "-none" => (false, "no_consent_or_legal_basis", None),
        "-anal" => (false, "analyst_sees_no_identified_data", None),
        "-role" => (false, "role_sees_no_citizen_data", None),
        "-audit" => (false, "audit_log_only_for_supervision", None),
        "-purp" => (false, "purpose_not_for_role", None),
        _ => panic!("code {code}"),
    }
}

fn expected(r: &str, c: &str, col: usize) -> &'static str {
    let table = if c == "audit" {
        AUDIT_ROWS
    } else {
        CASE_PROCESSING
    };
    let row = table
        .iter()
        .find(|(rr, cc, _)| *rr == r && *cc == c)
        .unwrap_or_else(|| panic!("no row {r} {c}"));
    row.2.split_whitespace().nth(col).unwrap()
}

/// Sets up the citizen of (role, column) as the column says.
async fn arrange(
    store: &tvaers_store::AnyStore,
    citizen: CitizenId,
    me: UserId,
    other: UserId,
    r: Role,
    col: &str,
) {
    let now = now();
    store
        .add_to_team(citizen, other, None, now, &sys("team"))
        .await
        .unwrap();
    if col.starts_with('T') {
        store
            .add_to_team(citizen, me, None, now, &sys("team"))
            .await
            .unwrap();
    }
    let viewer = r
        .viewer()
        .unwrap_or(Viewer::Department(Department::Employment));
    let other_viewer = match viewer {
        Viewer::Coordinator => Viewer::Department(Department::Integration),
        Viewer::Department(_) => Viewer::Coordinator,
    };
    let cats: Vec<DataCategory> = SERVICE_CATS.iter().map(|c| category(c)).collect();
    let scope = match col {
        "TC" | "TW" | "N" | "NX" => Some(cats.iter().map(|c| (viewer, *c)).collect::<Vec<_>>()),
        "TO" => {
            let mut s: Vec<_> = cats.iter().map(|c| (other_viewer, *c)).collect();
            s.push((viewer, DataCategory::Services(Department::Psychiatry)));
            Some(s)
        }
        _ => None,
    };
    if let Some(scope) = scope {
        let id = store
            .record_consent(
                &NewConsent {
                    citizen,
                    scope,
                    given_at: now - Duration::hours(48),
                    recorded_by: None,
                    note: "form 1".into(),
                },
                &sys("consent"),
            )
            .await
            .unwrap();
        if col == "TW" {
            store
                .withdraw_consent(id, now - Duration::hours(1), None, &sys("withdrawn"))
                .await
                .unwrap();
        }
    }
    let grant = match col {
        "TG" | "NG" => Some((now - Duration::hours(1), now + Duration::hours(1))),
        "TX" | "NX" => Some((now - Duration::hours(3), now - Duration::hours(1))),
        _ => None,
    };
    if let Some((from, until)) = grant {
        store
            .grant_break_glass(
                &NewGrant {
                    citizen,
                    user: me,
                    reason: "acute".into(),
                    from,
                    until,
                },
                &sys("grant"),
            )
            .await
            .unwrap();
    }
}

async fn matrix(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let store = &app.store;
    let ids = load(store, (ROLES.len() * COLUMNS.len()) as u32).await;
    // The municipality's legal bases, as in the rule's unit test.
    for (viewer, d, text) in [
        (
            Viewer::Department(Department::Employment),
            Department::Elderly,
            "law E→Ä",
        ),
        (Viewer::Coordinator, Department::Elderly, "law C→Ä"),
        (
            Viewer::Department(Department::Health),
            Department::Employment,
            "law S→B",
        ),
        (
            Viewer::Department(Department::Employment),
            Department::Health,
            "law E→S (sensitive: ignored)",
        ),
    ] {
        store
            .add_legal_basis(
                &LegalBasis {
                    viewer,
                    category: DataCategory::Services(d),
                    text: text.into(),
                },
                &sys("legal basis"),
            )
            .await
            .unwrap();
    }
    let other = add_user(store, "other", Role::Coordinator).await;
    let mut users = HashMap::new();
    for r in ROLES {
        users.insert(r, add_user(store, r, role(r)).await);
    }
    let mut cell = HashMap::new();
    let mut n = 0;
    for r in ROLES {
        for col in COLUMNS {
            let c = ids[n];
            n += 1;
            arrange(store, c, users[r], other, role(r), col).await;
            cell.insert((r, col), c);
        }
    }

    let mut failures = Vec::new();
    let mut checked = 0;
    for r in ROLES {
        let client = client();
        login(&app, &client, r).await;
        for (ci, col) in COLUMNS.iter().enumerate() {
            let citizen = cell[&(r, *col)];
            let before = store.verify_audit_chain().await.unwrap().head_seq;
            let mut fail = |what: String| failures.push(format!("{r} {col}: {what}"));

            // basic: GET /api/citizens/{id}
            let resp = client
                .get(app.url(&format!("/api/citizens/{}", citizen.0)))
                .send()
                .await
                .unwrap();
            let (allowed, reason, _) = meaning(expected(r, "basic", ci));
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            if allowed {
                if status != 200 || body["cpr"].as_str().is_none() {
                    fail(format!(
                        "basic: expected 200 with data, got {status} {body}"
                    ));
                }
                if body["break_the_glass"] != (reason == "break_the_glass") {
                    fail(format!(
                        "basic: break_the_glass flag {}",
                        body["break_the_glass"]
                    ));
                }
            } else if status != 403 || body["reason"] != reason || body.get("cpr").is_some() {
                fail(format!("basic: expected 403 {reason}, got {status} {body}"));
            }

            // the departments: GET /api/citizens/{id}/services
            let resp = client
                .get(app.url(&format!("/api/citizens/{}/services", citizen.0)))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            let any_allowed = SERVICE_CATS.iter().any(|c| meaning(expected(r, c, ci)).0);
            if any_allowed {
                if status != 200 {
                    fail(format!("services: expected 200, got {status} {body}"));
                } else {
                    let shown: Vec<&str> = body["shown"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    let hidden: HashMap<&str, &str> = body["hidden"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| {
                            (
                                h["category"].as_str().unwrap(),
                                h["reason"].as_str().unwrap(),
                            )
                        })
                        .collect();
                    let services_shown: Vec<&str> = body["services"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s["department"].as_str().unwrap())
                        .collect();
                    for c in SERVICE_CATS {
                        let code = category(c).code();
                        let (allowed, reason, _) = meaning(expected(r, c, ci));
                        if allowed {
                            if !shown.contains(&code) || !services_shown.contains(&code) {
                                fail(format!("services: {c} not shown"));
                            }
                        } else {
                            if hidden.get(code) != Some(&reason) {
                                fail(format!(
                                    "services: {c} expected hidden {reason}, got {:?}",
                                    hidden.get(code)
                                ));
                            }
                            if services_shown.contains(&code) {
                                fail(format!("services: data of hidden {c} shown"));
                            }
                        }
                    }
                }
            } else {
                let (_, first_reason, _) = meaning(expected(r, "emp", ci));
                if status != 403 || body["reason"] != first_reason {
                    fail(format!(
                        "services: expected 403 {first_reason}, got {status} {body}"
                    ));
                }
            }

            // the audit log: GET /api/citizens/{id}/access-log (supervision)
            let resp = client
                .get(app.url(&format!("/api/citizens/{}/access-log", citizen.0)))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            let (allowed, reason, _) = meaning(expected(r, "audit", ci));
            if allowed {
                if status != 200 || body["lines"].as_array().is_none() {
                    fail(format!("audit: expected 200, got {status} {body}"));
                }
            } else if status != 403 || body["reason"] != reason {
                fail(format!("audit: expected 403 {reason}, got {status} {body}"));
            }

            // Every one of the six categories left its entry, with the expected action and
            // basis or refusal.
            let entries = store
                .audit_entries(&AuditFilter {
                    user: Some(users[r]),
                    citizen: Some(citizen),
                    after_seq: Some(before),
                    ..AuditFilter::default()
                })
                .await
                .unwrap();
            for c in ["basic", "emp", "health", "elderly", "integr", "audit"] {
                checked += 1;
                let (allowed, reason, basis) = meaning(expected(r, c, ci));
                let e = entries.iter().find(|e| e.category == Some(category(c)));
                let Some(e) = e else {
                    failures.push(format!("{r} {col} {c}: no audit entry"));
                    continue;
                };
                let ok = if allowed {
                    e.action == AuditAction::Read
                        && e.basis
                            .as_ref()
                            .map(|b| tvaers_store::audit::basis_columns(b).0)
                            == basis
                } else {
                    e.action == AuditAction::Refused && e.refusal.as_deref() == Some(reason)
                };
                if !ok {
                    failures.push(format!(
                        "{r} {col} {c}: audit entry {:?} {:?} {:?}, expected {}",
                        e.action,
                        e.basis,
                        e.refusal,
                        expected(r, c, ci)
                    ));
                }
            }
        }
    }
    assert_eq!(checked, ROLES.len() * COLUMNS.len() * 6);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(store.verify_audit_chain().await.unwrap().broken.is_none());
    eprintln!("matrix through HTTP on {backend:?}: {checked} cells");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_through_http_sqlite() {
    matrix(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_through_http_postgres() {
    matrix(Backend::Postgres).await;
}
