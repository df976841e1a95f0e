//! The API through HTTP on both databases: login, logout, throttling, CSRF, languages and
//! problem details; consent withdrawal taking effect on the next request; notes, alerts,
//! break-the-glass, the audit view and the citizen's access log; user management; the analyst
//! seeing nothing identified; two instances on one PostgreSQL; the OpenAPI document.

mod common;

use common::*;
use serde_json::{Value, json};
use tvaers_core::Department;
use tvaers_core::access::Role;
use tvaers_store::{AuditAction, AuditFilter, Store};

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

both!(
    login_logout_throttling,
    csrf_is_required_and_bound_to_the_session,
    problems_are_rfc9457_in_danish_or_english,
    withdrawn_consent_takes_effect_on_the_next_request,
    notes_alerts_and_team_through_the_rule,
    break_the_glass_is_time_limited_and_flagged,
    access_log_names_no_employee,
    analyst_never_sees_identified_data,
    administrators_manage_users,
    concurrent_reads_are_each_logged_once,
);

const EMP: Role = Role::Caseworker {
    department: Department::Employment,
};
const HEA: Role = Role::Caseworker {
    department: Department::Health,
};

async fn setup(backend: Backend) -> Option<(TestDb, TestApp)> {
    let db = TestDb::new(backend).await?;
    let app = spawn_app(&db.url, settings()).await;
    Some((db, app))
}

async fn login_login_raw(
    app: &TestApp,
    c: &reqwest::Client,
    u: &str,
    p: &str,
) -> reqwest::Response {
    c.post(app.url("/api/login"))
        .json(&json!({"username": u, "password": p}))
        .send()
        .await
        .unwrap()
}

async fn login_logout_throttling(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    add_user(&app.store, "ann", EMP).await;
    let c = client();
    // Wrong password and unknown user: the same 401 problem.
    let r = login_login_raw(&app, &c, "ann", "wrong password here!").await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let wrong: Value = r.json().await.unwrap();
    let r = login_login_raw(&app, &c, "nobody", "wrong password here!").await;
    assert_eq!(r.status(), 401);
    let unknown: Value = r.json().await.unwrap();
    assert_eq!(
        wrong, unknown,
        "no difference between unknown user and wrong password"
    );
    // A good login clears the failures, sets the cookie with its flags.
    let r = login_login_raw(&app, &c, "ann", PASSWORD).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("tvaers_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/")
    );
    assert!(!cookie.contains("Secure"), "off on loopback in the tests");
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["user"]["username"], "ann");
    let csrf = s["csrf_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.store
            .login_failures_since("ann", now() - chrono::Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    let r = c.get(app.url("/api/session")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["csrf_token"], csrf.as_str());
    // Logout ends the session (in the store, not just the cookie).
    let r = c
        .post(app.url("/api/logout"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        c.get(app.url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Throttling: five failures, then 429 even with the right password; logged as a failure
    // count in the store.
    for _ in 0..5 {
        let r = login_login_raw(&app, &c, "ann", "not the password at all").await;
        assert_eq!(r.status(), 401);
    }
    let r = login_login_raw(&app, &c, "ann", PASSWORD).await;
    assert_eq!(r.status(), 429);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], 429);
    assert_eq!(p["type"], "urn:tvaers:problem:login-throttled");
    // Another username is not throttled.
    add_user(&app.store, "bo", HEA).await;
    assert_eq!(
        login_login_raw(&app, &c, "bo", PASSWORD).await.status(),
        200
    );
    app.stop().await;
}

async fn csrf_is_required_and_bound_to_the_session(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 1).await;
    let ann = add_user(&app.store, "ann", EMP).await;
    add_user(&app.store, "bo", EMP).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let a = client();
    let csrf_a = login(&app, &a, "ann").await;
    let b = client();
    let csrf_b = login(&app, &b, "bo").await;
    let note = |c: &reqwest::Client, token: Option<&str>| {
        let mut req = c
            .post(app.url(&format!("/api/citizens/{}/notes", ids[0].0)))
            .json(&json!({"text": "called the citizen"}));
        if let Some(t) = token {
            req = req.header("X-CSRF-Token", t);
        }
        req.send()
    };
    for (token, why) in [
        (None, "missing"),
        (Some(csrf_b.as_str()), "another session's"),
        (Some("00"), "garbage"),
    ] {
        let r = note(&a, token).await.unwrap();
        assert_eq!(r.status(), 403, "{why}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["reason"], "csrf", "{why}");
    }
    let before = app.store.verify_audit_chain().await.unwrap().head_seq;
    let r = note(&a, Some(&csrf_a)).await.unwrap();
    assert_eq!(r.status(), 201);
    // The write and its audit entry: one entry, in the same transaction.
    let entries = app
        .store
        .audit_entries(&AuditFilter {
            after_seq: Some(before),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, AuditAction::Write);
    // Logout needs the token too; GET does not.
    assert_eq!(
        a.post(app.url("/api/logout"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        a.get(app.url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.stop().await;
}

async fn problems_are_rfc9457_in_danish_or_english(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let c = client();
    let r = c.get(app.url("/api/citizens")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-language"], "da");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["title"], "Ikke logget ind");
    assert_eq!(p["type"], "urn:tvaers:problem:unauthenticated");
    assert_eq!(p["status"], 401);
    assert!(p["detail"].as_str().unwrap().len() > 5);
    let r = c
        .get(app.url("/api/citizens?lang=en"))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["title"], "Not logged in");
    let r = c
        .get(app.url("/api/citizens"))
        .header("Accept-Language", "en-GB,en;q=0.9,da;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-language"], "en");
    // Axum's own rejections become problems too: a malformed body, an unknown route.
    let r = c
        .post(app.url("/api/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = c.get(app.url("/api/nowhere")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers().get(tvaers_server::NO_ROUTE_HEADER).is_some());
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["type"], "urn:tvaers:problem:not-found");
    app.stop().await;
}

async fn services_of(app: &TestApp, c: &reqwest::Client, id: i64) -> Value {
    let r = c
        .get(app.url(&format!("/api/citizens/{id}/services")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn hidden_codes(v: &Value) -> Vec<String> {
    v["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["category"].as_str().unwrap().to_string())
        .collect()
}

async fn withdrawn_consent_takes_effect_on_the_next_request(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "ann", EMP).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let c = client();
    let csrf = login(&app, &c, "ann").await;
    let v = services_of(&app, &c, id).await;
    assert!(hidden_codes(&v).contains(&"sundhed".to_string()), "{v}");
    // Record the consent through the API.
    let r = c
        .post(app.url(&format!("/api/citizens/{id}/consents")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"scope": [{"viewer": "beskaeftigelse", "category": "sundhed"}], "note": "blanket 12"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let cid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let v = services_of(&app, &c, id).await;
    assert!(
        v["shown"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "sundhed"),
        "{v}"
    );
    assert!(
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["department"] == "sundhed")
    );
    // Withdraw it; the very next request no longer sees health.
    let r = c
        .post(app.url(&format!("/api/consents/{cid}/withdraw")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let v = services_of(&app, &c, id).await;
    let hidden = v["hidden"].as_array().unwrap();
    let h = hidden
        .iter()
        .find(|h| h["category"] == "sundhed")
        .expect("health hidden again");
    assert_eq!(h["reason"], "sensitive_needs_consent");
    assert!(
        !v["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["department"] == "sundhed")
    );
    // Twice is a conflict.
    let r = c
        .post(app.url(&format!("/api/consents/{cid}/withdraw")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    app.stop().await;
}

async fn notes_alerts_and_team_through_the_rule(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 2).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "ann", EMP).await;
    let bo = add_user(&app.store, "bo", HEA).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let a = client();
    let csrf_a = login(&app, &a, "ann").await;
    let b = client();
    let csrf_b = login(&app, &b, "bo").await;
    // Bo is not on the team: refused, and cannot add himself.
    let r = b
        .get(app.url(&format!("/api/citizens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .post(app.url(&format!("/api/citizens/{id}/team")))
        .header("x-csrf-token", &csrf_b)
        .json(&json!({"user_id": bo.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["reason"], "not_on_team");
    // Ann (on the team) adds him.
    let r = a
        .post(app.url(&format!("/api/citizens/{id}/team")))
        .header("x-csrf-token", &csrf_a)
        .json(&json!({"user_id": bo.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let list: Value = b
        .get(app.url("/api/citizens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    // Notes: each writes in their own department; each reads only what the rule opens.
    for (c, csrf, text) in [
        (&a, &csrf_a, "employment note"),
        (&b, &csrf_b, "health note"),
    ] {
        let r = c
            .post(app.url(&format!("/api/citizens/{id}/notes")))
            .header("x-csrf-token", csrf.as_str())
            .json(&json!({"text": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let notes: Value = a
        .get(app.url(&format!("/api/citizens/{id}/notes")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["employment note"],
        "health is sensitive: no consent, not shown"
    );
    assert!(
        notes["hidden"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["category"] == "sundhed" && h["reason"] == "sensitive_needs_consent")
    );
    // Writing in a category one may not see is refused.
    let r = a
        .post(app.url(&format!("/api/citizens/{id}/notes")))
        .header("x-csrf-token", &csrf_a)
        .json(&json!({"category": "sundhed", "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Alerts: computed on what Ann may see; the answer names what was hidden.
    let r = a
        .get(app.url(&format!("/api/citizens/{id}/alerts")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let al: Value = r.json().await.unwrap();
    assert!(al["alerts"].is_array());
    assert!(
        al["hidden"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["category"] == "sundhed")
    );
    // Remove Bo again.
    let r = a
        .delete(app.url(&format!("/api/citizens/{id}/team/{}", bo.0)))
        .header("x-csrf-token", &csrf_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        b.get(app.url(&format!("/api/citizens/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert!(
        app.store
            .verify_audit_chain()
            .await
            .unwrap()
            .broken
            .is_none()
    );
    app.stop().await;
}

async fn break_the_glass_is_time_limited_and_flagged(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    add_user(&app.store, "ann", EMP).await;
    add_user(&app.store, "dpo", Role::DataProtectionOfficer).await;
    let a = client();
    let csrf = login(&app, &a, "ann").await;
    assert_eq!(
        a.get(app.url(&format!("/api/citizens/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // No reason: refused; too long: refused.
    for body in [
        json!({"reason": "  "}),
        json!({"reason": "acute", "minutes": 100000}),
    ] {
        let r = a
            .post(app.url(&format!("/api/citizens/{id}/break-glass")))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    let r = a
        .post(app.url(&format!("/api/citizens/{id}/break-glass")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"reason": "the citizen is in hospital, the family asks for help", "minutes": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.unwrap();
    let from: chrono::DateTime<chrono::Utc> = g["from"].as_str().unwrap().parse().unwrap();
    let until: chrono::DateTime<chrono::Utc> = g["until"].as_str().unwrap().parse().unwrap();
    assert_eq!(until - from, chrono::Duration::minutes(30));
    let v: Value = a
        .get(app.url(&format!("/api/citizens/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["break_the_glass"], true);
    let s = services_of(&app, &a, id).await;
    assert_eq!(s["break_the_glass"], true);
    assert!(
        s["hidden"].as_array().unwrap().is_empty(),
        "a grant opens every category"
    );
    // The DPO sees these accesses with the break-the-glass filter.
    let d = client();
    login(&app, &d, "dpo").await;
    let all: Value = d
        .get(app.url(&format!("/api/audit?break_glass=true&citizen={id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let all = all.as_array().unwrap();
    assert!(all.len() >= 9, "basic and eight departments");
    assert!(
        all.iter().all(|e| e["break_the_glass"] == true
            && e["basis_text"].as_str().unwrap().contains("hospital"))
    );
    // Ann cannot read the audit view.
    let r = a.get(app.url("/api/audit")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["reason"],
        "purpose_not_for_role"
    );
    // An analyst cannot break the glass.
    add_user(&app.store, "ana", Role::Analyst).await;
    let n = client();
    let csrf_n = login(&app, &n, "ana").await;
    let r = n
        .post(app.url(&format!("/api/citizens/{id}/break-glass")))
        .header("x-csrf-token", &csrf_n)
        .json(&json!({"reason": "curious"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["reason"],
        "analyst_sees_no_identified_data"
    );
    app.stop().await;
}

async fn access_log_names_no_employee(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "annemette", EMP).await;
    add_user(&app.store, "dpo", Role::DataProtectionOfficer).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let a = client();
    login(&app, &a, "annemette").await;
    a.get(app.url(&format!("/api/citizens/{id}")))
        .send()
        .await
        .unwrap();
    services_of(&app, &a, id).await;
    let d = client();
    login(&app, &d, "dpo").await;
    let r = d
        .get(app.url(&format!("/api/citizens/{id}/access-log?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let lines = v["lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["department"] == "Employment" && l["purpose"] == "Case processing"),
        "{v}"
    );
    assert!(
        !text.contains("annemette") && !text.contains("Hansen"),
        "no employee: {text}"
    );
    let since: chrono::DateTime<chrono::Utc> = v["since"].as_str().unwrap().parse().unwrap();
    assert!(
        now() - since >= chrono::Duration::days(730),
        "at least two years back"
    );
    // The printable version.
    let r = d
        .get(app.url(&format!("/api/citizens/{id}/access-log?format=text")))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let t = r.text().await.unwrap();
    assert!(
        t.starts_with("Oversigt over opslag i dine oplysninger"),
        "{t}"
    );
    assert!(
        t.contains("Beskæftigelse") || t.contains("beskæftigelse"),
        "{t}"
    );
    assert!(!t.contains("annemette"));
    app.stop().await;
}

/// Reads are logged through a group commit (many requests' entries in one transaction): under
/// 40 concurrent requests every one is answered, every one has exactly one read entry, and the
/// chain verifies.
async fn concurrent_reads_are_each_logged_once(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "annemette", EMP).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let a = client();
    login(&app, &a, "annemette").await;
    let before = app
        .store
        .audit_entries(&AuditFilter {
            citizen: Some(ids[0]),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .len();
    let url = app.url(&format!("/api/citizens/{id}?lang=en"));
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (a, url) = (a.clone(), format!("{url}&n={i}"));
        tasks.push(tokio::spawn(async move {
            a.get(url).send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let entries = app
        .store
        .audit_entries(&AuditFilter {
            citizen: Some(ids[0]),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let reads: Vec<_> = entries[before..]
        .iter()
        .filter(|e| e.action == AuditAction::Read)
        .collect();
    assert_eq!(reads.len(), 40, "one read entry per request");
    let mut seqs: Vec<i64> = reads.iter().map(|e| e.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), 40, "distinct places in the chain");
    let report = app.store.verify_audit_chain().await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    app.stop().await;
}

async fn analyst_never_sees_identified_data(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    // Even on the team (put there behind the API's back), with a consent for everyone.
    let ana = add_user(&app.store, "ana", Role::Analyst).await;
    app.store
        .add_to_team(ids[0], ana, None, now(), &sys("team"))
        .await
        .unwrap();
    let c = client();
    let csrf = login(&app, &c, "ana").await;
    let list: Value = c
        .get(app.url("/api/citizens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    for path in ["", "/services", "/alerts", "/notes", "/access-log"] {
        let r = c
            .get(app.url(&format!("/api/citizens/{id}{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        let body = r.text().await.unwrap();
        assert!(
            body.contains("analyst_sees_no_identified_data"),
            "{path}: {body}"
        );
        assert!(!body.contains("cpr"), "{path}");
    }
    let r = c
        .post(app.url(&format!("/api/citizens/{id}/notes")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"category": "sundhed", "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Every refusal is in the audit log.
    let refused = app
        .store
        .audit_entries(&AuditFilter {
            user: Some(ana),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(refused.iter().all(|e| e.action == AuditAction::Refused));
    assert!(
        refused.len() >= 28, // list, basic, 3 × 8 departments, access log, the note
        "{}",
        refused.len()
    );
    app.stop().await;
}

async fn administrators_manage_users(backend: Backend) {
    let Some((_db, app)) = setup(backend).await else {
        return;
    };
    add_user(&app.store, "root", Role::Administrator).await;
    add_user(&app.store, "ann", EMP).await;
    let a = client();
    let csrf = login(&app, &a, "root").await;
    let r = a
        .post(app.url("/api/users"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": "carl", "role": "caseworker", "department": "sundhed", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = a
        .post(app.url("/api/users"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": "carl", "role": "caseworker", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a caseworker needs a department");
    let r = a
        .post(app.url("/api/users"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": "carl", "role": "caseworker", "department": "sundhed", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let carl = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = a
        .post(app.url("/api/users"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": "carl", "role": "analyst", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let c = client();
    login(&app, &c, "carl").await;
    assert_eq!(
        c.get(app.url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = a
        .post(app.url(&format!("/api/users/{carl}/disable")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // His session ended, and he cannot log in.
    assert_eq!(
        c.get(app.url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        login_login_raw(&app, &c, "carl", PASSWORD).await.status(),
        401
    );
    let r = a
        .post(app.url(&format!("/api/users/{carl}/enable")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let users: Value = a
        .get(app.url("/api/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users.as_array().unwrap().len(), 3);
    assert!(!users.to_string().contains("argon2"));
    // A caseworker cannot manage users.
    let n = client();
    let csrf_n = login(&app, &n, "ann").await;
    let r = n
        .post(app.url("/api/users"))
        .header("x-csrf-token", &csrf_n)
        .json(&json!({"username": "eve", "role": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["reason"], "admin_only");
    app.stop().await;
}

/// Two instances on one PostgreSQL: a login through one is valid on the other, and a write
/// through one is read through the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let one = spawn_app(&db.url, settings()).await;
    let two = spawn_app(&db.url, settings()).await;
    let ids = load(&one.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&one.store, "ann", EMP).await;
    one.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let c = client();
    let csrf = login(&one, &c, "ann").await;
    // The cookie jar is per host and port-agnostic; send the same cookie to the other port.
    let r = c.get(two.url("/api/session")).send().await.unwrap();
    assert_eq!(
        r.status(),
        200,
        "the session from instance one is valid on instance two"
    );
    let r = c
        .post(one.url(&format!("/api/citizens/{id}/notes")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"text": "written through one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let notes: Value = c
        .get(two.url(&format!("/api/citizens/{id}/notes")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(notes["notes"][0]["text"], "written through one");
    // A write through two with the same CSRF token, then logout through two ends it on one.
    let r = c
        .post(two.url(&format!("/api/citizens/{id}/notes")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"text": "written through two"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = c
        .post(two.url("/api/logout"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        c.get(one.url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert!(
        one.store
            .verify_audit_chain()
            .await
            .unwrap()
            .broken
            .is_none()
    );
    one.stop().await;
    two.stop().await;
}

/// Every route of the router is in the OpenAPI document and every operation of the document is
/// routed; the document is OpenAPI 3.1 and served at /api/openapi.json.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_lists_every_route() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let doc: Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc, serde_json::to_value(tvaers_server::openapi()).unwrap());
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    let c = client();
    for (path, item) in paths {
        for method in ["get", "post", "delete", "put", "patch"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let url = app.url(&path.replace("{id}", "1").replace("{user_id}", "1"));
            let req = c.request(method.to_uppercase().parse().unwrap(), &url);
            let r = req.send().await.unwrap();
            // Routed: not the fallback, and not "wrong method".
            assert!(
                r.status() != 405 && r.headers().get(tvaers_server::NO_ROUTE_HEADER).is_none(),
                "{method} {path} is not routed"
            );
        }
    }
    // The router's routes, as `api::router` registers them (each through `routes!`, so each
    // comes with its OpenAPI path); the list here is checked against the document.
    let expected = [
        ("get", "/api/health"),
        ("get", "/api/openapi.json"),
        ("post", "/api/login"),
        ("post", "/api/logout"),
        ("get", "/api/session"),
        ("get", "/api/citizens"),
        ("get", "/api/citizens/{id}"),
        ("get", "/api/citizens/{id}/services"),
        ("get", "/api/citizens/{id}/alerts"),
        ("post", "/api/citizens/{id}/team"),
        ("delete", "/api/citizens/{id}/team/{user_id}"),
        ("post", "/api/citizens/{id}/consents"),
        ("post", "/api/consents/{id}/withdraw"),
        ("get", "/api/citizens/{id}/notes"),
        ("post", "/api/citizens/{id}/notes"),
        ("post", "/api/citizens/{id}/break-glass"),
        ("get", "/api/audit"),
        ("get", "/api/citizens/{id}/access-log"),
        ("get", "/api/users"),
        ("post", "/api/users"),
        ("post", "/api/users/{id}/disable"),
        ("post", "/api/users/{id}/enable"),
    ];
    for (m, p) in expected {
        assert!(
            paths.get(p).and_then(|i| i.get(m)).is_some(),
            "{m} {p} missing from the document"
        );
    }
    assert_eq!(
        operations,
        expected.len(),
        "the document has exactly the router's operations"
    );
    // And no route is added to the router outside `routes!` (which would skip the document).
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api.rs")).unwrap();
    assert!(
        !src.contains(".route("),
        "register routes with routes!(…) only"
    );
    assert_eq!(src.matches(".routes(routes!(").count(), 20);
    app.stop().await;
}
