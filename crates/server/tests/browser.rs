//! The web application end to end in headless Chromium (WebDriver through chromedriver,
//! `fantoccini`), on SQLite and on PostgreSQL: a caseworker logs in, opens a citizen, sees an
//! overlap alert, adds a goal, a sub-goal and an intervention to the plan (and meets the
//! optimistic-concurrency refusal with the text kept), records a progression score; a second
//! caseworker without consent for health sees that it is hidden and why; the data protection
//! officer finds these accesses in the audit log and the citizen's access log. axe-core runs on
//! every page visited (zero violations), and a PNG of each page is written to
//! `<target>/screenshots/`.
//!
//! Chromium, chromedriver and axe-core are external services (`tvaers_testkit::browser`): absent,
//! the test says so loudly and does not run — or fails, under `TVAERS_REQUIRE_ALL=1`.

mod common;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tvaers_core::access::{DataCategory, Role, Viewer};
use tvaers_core::{
    AccountFunction, Catalogue, Cpr, Department, IdentifiedPerson, PersonIx, Quantity, Register,
    ServiceEntry, ServiceIx, ServiceKind, Sex, Spell, Unit,
};
use tvaers_store::{AuditFilter, CitizenId, NewConsent, NewPlanVersion, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_scenario_sqlite() {
    scenario(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_scenario_postgres() {
    scenario(Backend::Postgres).await;
}

/// chromedriver, ended when dropped (also when the test panics).
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(b: &tvaers_testkit::Browser) -> Driver {
    let port = free_port();
    let child = Command::new(&b.chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port}");
}

async fn connect(b: &tvaers_testkit::Browser, driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": b.chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=da",
                     "--accept-lang=da"],
            "prefs": {"intl.accept_languages": "da"}
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// The browser, one backend's prefix for the screenshots, the axe-core source.
struct Page<'a> {
    c: &'a Client,
    axe: &'a str,
    shots: PathBuf,
    prefix: &'static str,
    n: usize,
}

impl Page<'_> {
    /// Runs axe-core on the page (zero violations) and writes its screenshot.
    async fn check(&mut self, name: &str) {
        self.n += 1;
        let png = self.c.screenshot().await.unwrap();
        let file = self
            .shots
            .join(format!("{}-{:02}-{name}.png", self.prefix, self.n));
        std::fs::write(&file, png).unwrap();
        self.c.execute(self.axe, vec![]).await.unwrap();
        let v = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(
                   r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.map(n => n.target.join(' '))}))),
                   e => done([{id: 'axe-error', help: String(e)}]));",
                vec![],
            )
            .await
            .unwrap();
        let violations = v.as_array().cloned().unwrap_or_default();
        assert!(
            violations.is_empty(),
            "axe-core found violations on {name} ({}): {}",
            self.c.current_url().await.unwrap(),
            serde_json::to_string_pretty(&violations).unwrap()
        );
    }

    async fn source(&self) -> String {
        self.c.source().await.unwrap()
    }

    async fn goto(&self, url: &str) {
        self.c.goto(url).await.unwrap();
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Sets a value by script (date and time inputs take keys in the browser's locale).
    async fn set(&self, id: &str, value: &str) {
        self.c
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![id.into(), value.into()],
            )
            .await
            .unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.select_by_value(value).await.unwrap();
    }

    async fn submit(&self, form_action_suffix: &str) {
        let css = format!("form[action*='{form_action_suffix}'] button[type=submit]");
        self.click(Locator::Css(&css)).await;
    }

    /// Clicks and waits for the next page: a click may return before the navigation it
    /// starts has finished, so the old page is marked and the new one awaited.
    async fn click(&self, locator: Locator<'_>) {
        self.c
            .execute("window.tvaersOldPage = true;", vec![])
            .await
            .unwrap();
        self.c.find(locator).await.unwrap().click().await.unwrap();
        for _ in 0..200 {
            let loaded = self
                .c
                .execute(
                    "return window.tvaersOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page after the click");
    }

    async fn login(&self, base: &str, username: &str) {
        self.goto(&format!("{base}/")).await;
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.submit("/login").await;
    }

    async fn logout(&self) {
        self.submit("/logout").await;
    }
}

fn entry(code: &str, dept: Department, legal: &str, tags: &[&str]) -> ServiceEntry {
    ServiceEntry {
        code: code.into(),
        name_da: format!("ydelse {code}"),
        name_en: format!("service {code}"),
        department: dept,
        kind: ServiceKind::Intervention,
        legal_basis: legal.into(),
        unit: Unit::Hour,
        function: AccountFunction {
            main_account: 5,
            main_function: 38,
            function: 42,
        },
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

/// One citizen with a mentor (employment), § 85 support (adult social: the overlap rule
/// `mentor_og_stoettekontakt`) and a health service.
fn citizen_register() -> Register<tvaers_core::Identified> {
    let catalogue = Catalogue::new(vec![
        entry("MENTOR", Department::Employment, "LAB § 31 b", &["mentor"]),
        entry("SEL85", Department::AdultSocial, "SEL § 85", &["sel85"]),
        entry("HJS", Department::Health, "SUL § 138", &[]),
    ])
    .unwrap();
    let birth = day(1990, 5, 17);
    let cpr = Cpr::synthetic(birth, Sex::Female, 7).unwrap();
    let spell = |s: u32| Spell {
        person: PersonIx(0),
        service: ServiceIx(s),
        start: day(2024, 1, 1),
        end: None,
        volume: Quantity(2000),
        contact: None,
    };
    Register {
        persons: vec![IdentifiedPerson {
            birth_date: birth,
            sex: cpr.sex(),
            cpr,
            family: "F1".into(),
        }],
        relations: vec![],
        catalogue,
        contacts: vec![],
        spells: vec![spell(0), spell(1), spell(2)],
        postings: vec![],
        prices: vec![],
    }
}

async fn scenario(backend: Backend) {
    let Some(browser) = tvaers_testkit::browser() else {
        return;
    };
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let prefix = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let axe = std::fs::read_to_string(&browser.axe_js).unwrap();
    let shots = tvaers_testkit::target_directory().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // The municipality: one citizen, two caseworkers on the team, a data protection officer.
    let reg = citizen_register();
    let mut settings = settings();
    settings.catalogue = Some(Arc::new(reg.catalogue.clone()));
    let app = spawn_app(&db.url, settings).await;
    let store = &app.store;
    store
        .load_register(&reg, now().date_naive(), &sys("load"))
        .await
        .unwrap();
    let id: CitizenId = store
        .citizen_by_cpr(&reg.persons[0].cpr)
        .await
        .unwrap()
        .unwrap()
        .id;
    let ann = add_user(
        store,
        "ann",
        Role::Caseworker {
            department: Department::Employment,
        },
    )
    .await;
    let bo = add_user(
        store,
        "bo",
        Role::Caseworker {
            department: Department::AdultSocial,
        },
    )
    .await;
    add_user(store, "dpo", Role::DataProtectionOfficer).await;
    for u in [ann, bo] {
        store
            .add_to_team(id, u, None, now(), &sys("team"))
            .await
            .unwrap();
    }
    // The citizen lets employment see the § 85 support and health; adult social may see
    // employment, not health.
    store
        .record_consent(
            &NewConsent {
                citizen: id,
                scope: vec![
                    (
                        Viewer::Department(Department::Employment),
                        DataCategory::Services(Department::AdultSocial),
                    ),
                    (
                        Viewer::Department(Department::Employment),
                        DataCategory::Services(Department::Health),
                    ),
                    (
                        Viewer::Department(Department::AdultSocial),
                        DataCategory::Services(Department::Employment),
                    ),
                ],
                given_at: now(),
                recorded_by: None,
                note: "samtykkeerklæring".into(),
            },
            &sys("consent"),
        )
        .await
        .unwrap();

    let driver = start_driver(&browser).await;
    let c = connect(&browser, &driver).await;
    let base = app.url("");
    let mut p = Page {
        c: &c,
        axe: &axe,
        shots,
        prefix,
        n: 0,
    };

    // ---- the first caseworker --------------------------------------------------------------
    p.goto(&format!("{base}/")).await;
    assert!(
        p.source().await.contains("<html lang=\"da\">"),
        "Danish by default"
    );
    p.check("login").await;
    p.login(&base, "ann").await;
    assert!(c.current_url().await.unwrap().path().ends_with("/mine"));
    let mine = p.source().await;
    assert!(mine.contains("Mine borgere"), "{mine}");
    assert!(
        mine.contains("Mentor (beskæftigelsesloven)"),
        "the alert is listed"
    );
    p.check("mine").await;

    p.click(Locator::LinkText(&reg.persons[0].cpr.to_string()))
        .await;
    let overview = p.source().await;
    assert!(
        overview.contains("Mentor (beskæftigelsesloven)"),
        "overlap alert"
    );
    assert!(overview.contains("ydelse MENTOR (MENTOR)"));
    assert!(overview.contains("ydelse SEL85 (SEL85)"));
    assert!(overview.contains("ydelse HJS"), "health is open to ann");
    p.check("overview").await;

    // The plan: goal, sub-goal, intervention.
    p.goto(&format!("{base}/citizens/{}/plan", id.0)).await;
    assert!(p.source().await.contains("Der er ingen plan endnu."));
    p.check("plan-empty").await;
    p.select("#goal-step", "3").await;
    p.fill("#goal-text", "Job i en butik").await;
    p.submit("/plan/edit/goal").await;
    let saved = p.source().await;
    assert!(saved.contains("Planen er gemt som version 1."), "{saved}");
    p.fill("#sub-text", "Stabil bolig").await;
    p.submit("/plan/edit/sub-goal").await;
    p.select("#int-goal", "1").await;
    p.fill("#int-text", "Mentor to timer om ugen").await;
    p.select("#int-dept", "beskaeftigelse").await;
    p.fill("#int-basis", "LAB § 31 b").await;
    p.submit("/plan/edit/intervention").await;
    // A meeting on a weekday morning inside the mentor period: warned.
    p.set("meeting-date", "2026-12-08").await;
    p.set("meeting-time", "10:00").await;
    p.fill("#meeting-place", "Jobcentret").await;
    p.submit("/plan/edit/meeting").await;
    let plan = p.source().await;
    assert!(plan.contains("Planen er gemt som version 4."), "{plan}");
    assert!(plan.contains("Job i en butik"));
    assert!(plan.contains("Stabil bolig"));
    assert!(plan.contains("Mentor to timer om ugen"));
    assert!(
        plan.contains("mødet ligger i borgerens arbejds-"),
        "meeting warning"
    );
    p.check("plan").await;

    // Someone else saves while ann types: her save is refused, her text kept.
    let current = store.plan(id).await.unwrap().unwrap();
    p.fill("#sub-text", "Kørekort").await;
    store
        .save_plan(
            &NewPlanVersion {
                citizen: id,
                based_on: current.version,
                saved_by: bo,
                saved_at: now(),
                content: current.content.clone(),
            },
            &sys("plan saved elsewhere"),
        )
        .await
        .unwrap();
    p.submit("/plan/edit/sub-goal").await;
    let stale = p.source().await;
    assert!(stale.contains("Planen blev ikke gemt"), "{stale}");
    let kept = c
        .find(Locator::Css("#sub-text"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Kørekort"), "the user's text is kept");
    assert_eq!(store.plan(id).await.unwrap().unwrap().version, 5);
    p.check("plan-refused").await;
    p.submit("/plan/edit/sub-goal").await;
    assert!(p.source().await.contains("Planen er gemt som version 6."));

    // History and compare.
    p.goto(&format!("{base}/citizens/{}/plan/history", id.0))
        .await;
    p.check("history").await;
    p.goto(&format!("{base}/citizens/{}/plan/compare?a=1&b=6", id.0))
        .await;
    let cmp = p.source().await;
    assert!(cmp.contains("Kørekort") && cmp.contains("Tilføjet"));
    p.check("compare").await;

    // Progression.
    p.goto(&format!("{base}/citizens/{}/progression", id.0))
        .await;
    p.select("#prog-step", "2").await;
    p.fill("#prog-ors", "41").await;
    p.fill("#prog-srs", "37").await;
    // The browser's own check would stop a score above 40; the server's is what counts.
    c.execute(
        "document.querySelector('#prog-ors').removeAttribute('max');",
        vec![],
    )
    .await
    .unwrap();
    p.submit("/progression").await;
    let refused = p.source().await;
    assert!(refused.contains("ORS og SRS skal være hele tal fra 0 til 40."));
    assert!(refused.contains("aria-describedby=\"form-error\""));
    p.check("progression-error").await;
    p.fill("#prog-ors", "22").await;
    p.submit("/progression").await;
    let prog = p.source().await;
    assert!(
        prog.contains("<td>22</td>") && prog.contains("<td>37</td>"),
        "{prog}"
    );
    assert!(prog.contains("<svg"));
    p.check("progression").await;
    assert_eq!(store.progression(id).await.unwrap().len(), 1);

    // English.
    p.goto(&format!("{base}/citizens/{}?lang=en", id.0)).await;
    let en = p.source().await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Overlap and conflict alerts"));
    p.check("overview-en").await;
    p.logout().await;

    // ---- the second caseworker: health is hidden, and why -----------------------------------
    p.login(&base, "bo").await;
    p.goto(&format!("{base}/citizens/{}", id.0)).await;
    let hidden = p.source().await;
    assert!(hidden.contains("Noget er skjult for dig"));
    assert!(hidden.contains("<strong>Sundhed</strong>"), "{hidden}");
    assert!(
        !hidden.contains("ydelse HJS"),
        "health services are not shown"
    );
    assert!(hidden.contains("ydelse MENTOR"), "employment by consent");
    p.check("overview-hidden").await;
    p.logout().await;

    // ---- the data protection officer ------------------------------------------------------
    p.login(&base, "dpo").await;
    assert!(c.current_url().await.unwrap().path().ends_with("/audit"));
    p.check("audit").await;
    p.goto(&format!("{base}/audit?citizen={}", id.0)).await;
    let audit = p.source().await;
    assert!(audit.contains("ann Hansen") && audit.contains("bo Hansen"));
    assert!(audit.contains("plan saved (goal) (version 1)"));
    assert!(audit.contains("progression recorded"));
    assert!(audit.contains("web: overview, services"));
    p.check("audit-citizen").await;
    p.goto(&format!("{base}/citizens/{}/access-log", id.0))
        .await;
    let log = p.source().await;
    assert!(
        log.contains("Beskæftigelse") && log.contains("Socialområdet"),
        "{log}"
    );
    assert!(
        !log.contains("ann Hansen") && !log.contains("bo Hansen"),
        "no employee's name in the citizen's access log"
    );
    assert!(log.contains("@media print"));
    p.check("access-log").await;

    c.close().await.unwrap();
    drop(driver);

    // The store holds what the pages claimed: every look of both caseworkers is logged.
    let entries = store
        .audit_entries(&AuditFilter {
            citizen: Some(id),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let by = |u: tvaers_core::access::UserId, detail: &str| {
        entries
            .iter()
            .filter(|e| e.user == Some(u) && e.detail == detail)
            .count()
    };
    assert!(by(ann, "web: overview") >= 1);
    assert!(by(bo, "web: overview") >= 1);
    assert!(
        entries.iter().any(|e| e.user == Some(bo)
            && e.category == Some(DataCategory::Services(Department::Health))
            && e.action == tvaers_store::AuditAction::Refused),
        "bo's refused look at health is logged"
    );
    assert!(store.verify_audit_chain().await.unwrap().broken.is_none());
    app.stop().await;
}
