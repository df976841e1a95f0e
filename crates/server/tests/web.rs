//! The web pages over plain HTTP (no browser), on SQLite and PostgreSQL: sessions, the CSRF
//! field, the access rule and its log on pages and forms, the stale-save refusal, validation.

mod common;

use common::*;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use tvaers_core::Department;
use tvaers_core::access::{DataCategory, Role};
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
    pages_need_a_session_and_forms_the_csrf_field,
    refused_pages_and_forms_are_logged,
    stale_plan_save_is_refused_with_the_text_kept,
    progression_scores_are_validated,
    login_form_and_search,
    search_by_name,
    overview_shows_yearly_cost_by_department,
    family_members_only_as_the_rule_allows,
    new_alerts_first,
    dpo_audit_filters,
);

/// A client that does not follow redirects (the tests look at them).
fn browser_like() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn caseworker(d: Department) -> Role {
    Role::Caseworker { department: d }
}

async fn post_form(c: &reqwest::Client, url: String, fields: &[(&str, &str)]) -> reqwest::Response {
    c.post(url).form(fields).send().await.unwrap()
}

async fn pages_need_a_session_and_forms_the_csrf_field(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();

    let c = browser_like();
    for path in ["/mine", &format!("/citizens/{id}"), "/audit"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()["location"], "/");
    }
    let csrf = login(&app, &c, "ann").await;
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/mine");
    let page = c.get(app.url("/mine")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = page.text().await.unwrap();
    assert!(body.contains("<html lang=\"da\">"));
    assert!(
        body.contains(&format!("value=\"{csrf}\"")),
        "the form field"
    );

    let goal = app.url(&format!("/citizens/{id}/plan/edit/goal"));
    let fields = [("version", "0"), ("step", "2"), ("goal_text", "Praktik")];
    // No token, a wrong token: refused, nothing saved.
    let r = post_form(&c, goal.clone(), &fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("<html"), "an HTML page");
    let wrong = "00".repeat(32);
    let mut with_wrong = fields.to_vec();
    with_wrong.push(("csrf", &wrong));
    assert_eq!(
        post_form(&c, goal.clone(), &with_wrong).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.store.plan(ids[0]).await.unwrap(), None);
    // The session's token: saved, then redirected to the plan.
    let mut with_token = fields.to_vec();
    with_token.push(("csrf", &csrf));
    let r = post_form(&c, goal, &with_token).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/citizens/{id}/plan?saved=1").as_str()
    );
    let plan = app.store.plan(ids[0]).await.unwrap().unwrap();
    assert_eq!(plan.version, 1);
    assert_eq!(plan.content.goal_text, "Praktik");
    assert_eq!(plan.saved_by, ann);
    // The write is in the audit log with the team as its basis.
    let writes: Vec<_> = app
        .store
        .audit_entries(&AuditFilter {
            citizen: Some(ids[0]),
            user: Some(ann),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Write)
        .collect();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].detail, "plan saved (goal) (version 1)");
    assert!(writes[0].basis.is_some());

    // Logout needs the token too; afterwards the pages redirect again.
    assert_eq!(
        post_form(&c, app.url("/logout"), &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = post_form(&c, app.url("/logout"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("/mine")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

async fn refused_pages_and_forms_are_logged(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    // Eve is not on the team.
    let eve = add_user(&app.store, "eve", caseworker(Department::Health)).await;
    let c = browser_like();
    let csrf = login(&app, &c, "eve").await;
    for path in [
        format!("/citizens/{id}"),
        format!("/citizens/{id}/plan"),
        format!("/citizens/{id}/progression"),
        format!("/citizens/{id}/access-log"),
        "/audit".to_string(),
    ] {
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("<main"), "{path}: an HTML page");
        assert!(
            !body.contains(&ids_cpr(&app, ids[0]).await),
            "{path}: no CPR"
        );
    }
    let r = post_form(
        &c,
        app.url(&format!("/citizens/{id}/plan/edit/sub-goal?lang=en")),
        &[("csrf", &csrf), ("version", "0"), ("text", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body = r.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\">"), "English on request");
    assert!(
        body.contains("You are not on the citizen"),
        "the rule's reason: {body}"
    );
    assert_eq!(app.store.plan(ids[0]).await.unwrap(), None);
    let refused: Vec<_> = app
        .store
        .audit_entries(&AuditFilter {
            user: Some(eve),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Refused)
        .map(|e| e.detail)
        .collect();
    for detail in [
        "web: overview",
        "web: plan",
        "web: progression",
        "web: citizen's access log",
        "web: audit view",
        "web: plan save",
    ] {
        assert!(
            refused.iter().any(|d| d == detail),
            "refusal of {detail} logged: {refused:?}"
        );
    }
    app.stop().await;
}

async fn ids_cpr(app: &TestApp, id: tvaers_store::CitizenId) -> String {
    app.store
        .citizen(id)
        .await
        .unwrap()
        .unwrap()
        .cpr
        .to_string()
}

async fn stale_plan_save_is_refused_with_the_text_kept(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let mut users = Vec::new();
    for (name, role) in [
        ("ann", caseworker(Department::Employment)),
        ("kim", Role::Coordinator),
    ] {
        let u = add_user(&app.store, name, role).await;
        app.store
            .add_to_team(ids[0], u, None, now(), &sys("team"))
            .await
            .unwrap();
        users.push(u);
    }
    let (a, k) = (browser_like(), browser_like());
    let csrf_a = login(&app, &a, "ann").await;
    let csrf_k = login(&app, &k, "kim").await;
    // Both open the plan at version 0; Kim saves first.
    let sub = app.url(&format!("/citizens/{id}/plan/edit/sub-goal"));
    let r = post_form(
        &k,
        sub.clone(),
        &[("csrf", &csrf_k), ("version", "0"), ("text", "Kims delmål")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post_form(
        &a,
        sub.clone(),
        &[("csrf", &csrf_a), ("version", "0"), ("text", "Anns delmål")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body = r.text().await.unwrap();
    assert!(body.contains("Planen blev ikke gemt"));
    assert!(body.contains("value=\"Anns delmål\""), "her text is kept");
    assert!(body.contains("Kims delmål"), "the latest plan is shown");
    assert!(
        body.contains("name=\"version\" value=\"1\""),
        "the form now carries the latest version"
    );
    let plan = app.store.plan(ids[0]).await.unwrap().unwrap();
    assert_eq!(plan.version, 1);
    assert_eq!(plan.content.sub_goals.len(), 1);
    // Saved again on the latest version: both sub-goals.
    let r = post_form(
        &a,
        sub,
        &[("csrf", &csrf_a), ("version", "1"), ("text", "Anns delmål")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let plan = app.store.plan(ids[0]).await.unwrap().unwrap();
    assert_eq!(plan.version, 2);
    assert_eq!(
        plan.content
            .sub_goals
            .iter()
            .map(|g| g.text.as_str())
            .collect::<Vec<_>>(),
        ["Kims delmål", "Anns delmål"]
    );
    // An empty sub-goal: 400, the error linked to the field.
    let r = post_form(
        &a,
        app.url(&format!("/citizens/{id}/plan/edit/sub-goal")),
        &[("csrf", &csrf_a), ("version", "2"), ("text", "  ")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("aria-invalid=\"true\" aria-describedby=\"form-error\""));
    assert!(body.contains("id=\"form-error\""));
    assert_eq!(app.store.plan(ids[0]).await.unwrap().unwrap().version, 2);
    // History and compare show both versions.
    let h = a
        .get(app.url(&format!("/citizens/{id}/plan/history")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h.contains("kim Hansen") && h.contains("ann Hansen"));
    let cmp = a
        .get(app.url(&format!("/citizens/{id}/plan/compare?a=1&b=2")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        cmp.contains(
            "<tr class=\"added\"><th scope=\"row\">Tilføjet</th><td>Delmål: Anns delmål</td></tr>"
        ),
        "{cmp}"
    );
    assert!(!cmp.contains("Fjernet</th><td>Delmål: Kims"));
    app.stop().await;
}

async fn progression_scores_are_validated(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let c = browser_like();
    let csrf = login(&app, &c, "ann").await;
    let url = app.url(&format!("/citizens/{id}/progression"));
    for (ors, srs) in [("41", "10"), ("10", "-1"), ("x", "10"), ("10", "")] {
        let r = post_form(
            &c,
            url.clone(),
            &[
                ("csrf", &csrf),
                ("date", "2025-03-01"),
                ("step", "2"),
                ("ors", ors),
                ("srs", srs),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{ors} {srs}");
        assert!(r.text().await.unwrap().contains("fra 0 til 40"));
    }
    assert!(app.store.progression(ids[0]).await.unwrap().is_empty());
    let r = post_form(
        &c,
        url.clone(),
        &[
            ("csrf", &csrf),
            ("date", "2025-03-01"),
            ("step", "4"),
            ("ors", "40"),
            ("srs", "0"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let got = app.store.progression(ids[0]).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].ors, got[0].srs), (40, 0));
    assert_eq!(got[0].department, Some(Department::Employment));
    let page = c.get(url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("<td>40</td>"));
    app.stop().await;
}

async fn login_form_and_search(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 2).await;
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let c = browser_like();
    // Another site's form is refused before the password is looked at.
    let r = c
        .post(app.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "ann"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post_form(
        &c,
        app.url("/login?lang=en"),
        &[("username", "ann"), ("password", "wrong")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.unwrap();
    assert!(body.contains("aria-describedby=\"login-error\"") && body.contains("value=\"ann\""));
    assert!(body.contains("<html lang=\"en\">"));
    let r = post_form(
        &c,
        app.url("/login"),
        &[("username", "ann"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("HttpOnly; SameSite=Strict")
    );
    // Search: the citizen on the team is found; the other one exists but is refused; both
    // searches are in the audit log.
    let own = ids_cpr(&app, ids[0]).await;
    let other = ids_cpr(&app, ids[1]).await;
    let page = c
        .get(app.url(&format!("/mine?q={own}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("href=\"/citizens/{}\"", ids[0].0)));
    let page = c
        .get(app.url(&format!("/mine?q={other}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Borgeren findes, men du har ikke adgang"));
    assert!(!page.contains(&format!("/citizens/{}\"", ids[1].0)));
    let searches: Vec<_> = app
        .store
        .audit_entries(&AuditFilter {
            user: Some(ann),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail == "web: search by CPR")
        .map(|e| (e.citizen, e.action, e.category))
        .collect();
    assert_eq!(
        searches,
        [
            (Some(ids[0]), AuditAction::Read, Some(DataCategory::Basic)),
            (
                Some(ids[1]),
                AuditAction::Refused,
                Some(DataCategory::Basic)
            ),
        ]
    );
    app.stop().await;
}

async fn family_members_only_as_the_rule_allows(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let mut reg = register(3);
    for p in 1..3 {
        reg.persons[p].family = reg.persons[0].family.clone();
    }
    app.store
        .load_register(&reg, now().date_naive(), &sys("load"))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for p in &reg.persons {
        ids.push(app.store.citizen_by_cpr(&p.cpr).await.unwrap().unwrap().id);
    }
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    for id in &ids[..2] {
        app.store
            .add_to_team(*id, ann, None, now(), &sys("team"))
            .await
            .unwrap();
    }
    let c = browser_like();
    login(&app, &c, "ann").await;
    let page = c
        .get(app.url(&format!("/citizens/{}", ids[0].0)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Familien"));
    assert!(page.contains(&format!("href=\"/citizens/{}\"", ids[1].0)));
    assert!(!page.contains(&format!("href=\"/citizens/{}\"", ids[2].0)));
    assert!(
        !page.contains(&ids_cpr(&app, ids[2]).await),
        "no CPR of a hidden member"
    );
    assert!(page.contains("1 familiemedlem(mer) er skjult for dig"));
    let looks: Vec<_> = app
        .store
        .audit_entries(&AuditFilter {
            user: Some(ann),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail == "web: overview, family")
        .map(|e| (e.citizen, e.action))
        .collect();
    assert_eq!(
        looks,
        [
            (Some(ids[1]), AuditAction::Read),
            (Some(ids[2]), AuditAction::Refused)
        ]
    );
    app.stop().await;
}

async fn new_alerts_first(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    // The mentor (employment, S0) and § 85 support (adult social, S1) overlap: for the first
    // citizen since 2024, for the second since 20 days ago (new).
    let mut reg = register(2);
    let recent = now().date_naive() - chrono::Duration::days(20);
    for s in reg.spells.iter_mut().filter(|s| s.person.0 == 1) {
        s.start = recent;
    }
    let mut entries = reg.catalogue.entries().to_vec();
    entries[0].tags = vec!["mentor".into()];
    entries[1].tags = vec!["sel85".into()];
    let mut settings = settings();
    settings.catalogue = Some(std::sync::Arc::new(
        tvaers_core::Catalogue::new(entries).unwrap(),
    ));
    let app = spawn_app(&db.url, settings).await;
    app.store
        .load_register(&reg, now().date_naive(), &sys("load"))
        .await
        .unwrap();
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    let mut cprs = Vec::new();
    for p in &reg.persons {
        let id = app.store.citizen_by_cpr(&p.cpr).await.unwrap().unwrap().id;
        app.store
            .add_to_team(id, ann, None, now(), &sys("team"))
            .await
            .unwrap();
        app.store
            .record_consent(
                &tvaers_store::NewConsent {
                    citizen: id,
                    scope: vec![(
                        tvaers_core::access::Viewer::Department(Department::Employment),
                        DataCategory::Services(Department::AdultSocial),
                    )],
                    given_at: now() - chrono::Duration::days(1),
                    recorded_by: None,
                    note: "samtykke".into(),
                },
                &sys("consent"),
            )
            .await
            .unwrap();
        cprs.push(p.cpr.to_string());
    }
    assert!(cprs[0] < cprs[1], "by CPR the old alert would come first");
    let c = browser_like();
    login(&app, &c, "ann").await;
    let page = c
        .get(app.url("/mine"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = page
        .find(&cprs[1])
        .expect("the new alert's citizen is listed");
    let second = page
        .find(&cprs[0])
        .expect("the old alert's citizen is listed");
    assert!(first < second, "new alerts first");
    assert_eq!(page.matches("<strong>Ny:</strong>").count(), 1, "{page}");
    app.stop().await;
}

async fn dpo_audit_filters(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 1).await;
    let id = ids[0].0;
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    add_user(&app.store, "eve", caseworker(Department::Health)).await;
    add_user(&app.store, "dpo", Role::DataProtectionOfficer).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let a = browser_like();
    login(&app, &a, "ann").await;
    assert_eq!(
        a.get(app.url(&format!("/citizens/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Eve is not on the team: she breaks the glass and looks.
    let e = browser_like();
    let csrf = login(&app, &e, "eve").await;
    let r = e
        .post(app.url(&format!("/api/citizens/{id}/break-glass")))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"reason": "akut henvendelse", "minutes": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(
        e.get(app.url(&format!("/citizens/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let d = browser_like();
    login(&app, &d, "dpo").await;
    let page = |q: String| {
        let d = d.clone();
        let url = app.url(&format!("/audit{q}"));
        async move { d.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let all = page(String::new()).await;
    assert!(all.contains("<td>ann Hansen</td>") && all.contains("<td>eve Hansen</td>"));
    let only_ann = page(format!("?user={}", ann.0)).await;
    assert!(only_ann.contains("<td>ann Hansen</td>"));
    assert!(!only_ann.contains("<td>eve Hansen</td>"));
    let glass = page("?btg=1".into()).await;
    assert!(glass.contains("<td>eve Hansen</td>") && glass.contains("<strong>Nødadgang</strong>"));
    assert!(!glass.contains("<td>ann Hansen</td>"));
    let tomorrow = (now() + chrono::Duration::days(2)).date_naive();
    let later = page(format!("?from={tomorrow}&citizen={id}")).await;
    assert!(later.contains("0 poster."), "nothing after tomorrow");
    assert!(later.contains(&format!("href=\"/citizens/{id}/access-log\"")));
    app.stop().await;
}

async fn search_by_name(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    let ids = load(&app.store, 3).await;
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    app.store
        .add_to_team(ids[0], ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let names = [
        (ids_cpr(&app, ids[0]).await, "Karen  Marie Jensen"),
        (ids_cpr(&app, ids[1]).await, "Karen Hansen"),
        (ids_cpr(&app, ids[2]).await, "Ole 100%_Jensen"),
    ];
    let names: Vec<_> = names
        .iter()
        .map(|(c, n)| (tvaers_core::Cpr::parse(c).unwrap(), n.to_string()))
        .collect();
    assert_eq!(app.store.set_names(&names, &sys("names")).await.unwrap(), 3);
    let c = browser_like();
    login(&app, &c, "ann").await;
    let get = |q: &str| {
        let c = c.clone();
        let url = app.url(&format!("/mine?q={q}"));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // Every word must occur, in any case: "karen jensen" finds only Karen Marie Jensen.
    let page = get("karen%20JENSEN").await;
    assert!(
        page.contains(&format!("href=\"/citizens/{}\"", ids[0].0)),
        "{page}"
    );
    assert!(page.contains("Karen Marie Jensen"), "spaces collapsed");
    assert!(!page.contains("Karen Hansen"));
    // "karen": two found, one on the team; the other is counted, not named.
    let page = get("karen").await;
    assert!(!page.contains("Karen Hansen") && !page.contains(&format!("/citizens/{}\"", ids[1].0)));
    assert!(
        page.contains("1 borger(e) med et navn, der passer, er ikke vist"),
        "{page}"
    );
    // % and _ are letters, not wildcards.
    assert!(get("100%25_j").await.contains("1 borger(e)"));
    assert!(get("k%25n").await.contains("Ingen borger"));
    // The page's own list shows the name too.
    assert!(get("").await.contains("<td>Karen Marie Jensen</td>"));
    let searches: Vec<_> = app
        .store
        .audit_entries(&AuditFilter {
            user: Some(ann),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail.starts_with("web: search by name"))
        .map(|e| (e.citizen, e.action, e.detail))
        .collect();
    assert!(searches.contains(&(
        Some(ids[0]),
        AuditAction::Read,
        "web: search by name".into()
    )));
    assert!(searches.contains(&(
        Some(ids[1]),
        AuditAction::Refused,
        "web: search by name".into()
    )));
    assert!(searches.contains(&(
        None,
        AuditAction::Read,
        "web: search by name, no match".into()
    )));
    app.stop().await;
}

async fn overview_shows_yearly_cost_by_department(backend: Backend) {
    use tvaers_core::{Ore, Posting, Quantity, ServiceIx, Unit, UnitPrice};
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = spawn_app(&db.url, settings()).await;
    // One employment service (S0, hours a week) for 14 days in 2024 at 100 kr an hour, and
    // 2,500 kr booked to the person in 2025; one health service (S3) without a price.
    let mut reg = register(1);
    let s0 = reg.catalogue.get(ServiceIx(0)).clone();
    let health = ServiceIx(3);
    assert_eq!(s0.department, Department::Employment);
    assert_eq!(reg.catalogue.get(health).department, Department::Health);
    reg.spells
        .retain(|s| s.service == ServiceIx(0) || s.service == health);
    for s in &mut reg.spells {
        s.volume = Quantity(7000);
        if s.service == ServiceIx(0) {
            s.end = Some(day(2024, 1, 14));
        }
    }
    reg.prices = vec![UnitPrice {
        service: ServiceIx(0),
        unit: Unit::Hour,
        price: Ore::from_kroner(100),
        year: 2024,
        source: "test".into(),
    }];
    reg.postings = vec![Posting {
        date: day(2025, 3, 1),
        function: s0.function,
        amount: Ore::from_kroner(2500),
        person: Some(tvaers_core::PersonIx(0)),
        service: None,
    }];
    app.store
        .load_register(&reg, now().date_naive(), &sys("load"))
        .await
        .unwrap();
    let id = app
        .store
        .citizen_by_cpr(&reg.persons[0].cpr)
        .await
        .unwrap()
        .unwrap()
        .id;
    let ann = add_user(&app.store, "ann", caseworker(Department::Employment)).await;
    app.store
        .add_to_team(id, ann, None, now(), &sys("team"))
        .await
        .unwrap();
    let c = browser_like();
    login(&app, &c, "ann").await;
    let page = c
        .get(app.url(&format!("/citizens/{}", id.0)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Udgift pr. år fordelt på forvaltninger"),
        "{page}"
    );
    // 2 weeks × 7 h × 100 kr = 1.400 kr in 2024; 2.500 kr booked in 2025.
    assert!(
        page.contains(">1.400 kr.<") || page.contains("1.400"),
        "{page}"
    );
    assert!(page.contains("2.500"), "{page}");
    // Without consent the health service is hidden, and so is its (missing) price.
    assert!(!page.contains("mangler en enhedspris"), "{page}");
    app.stop().await;
}
