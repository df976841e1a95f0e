//! Shared by the HTTP tests: a fresh database per test (SQLite in a temporary folder, or a
//! PostgreSQL database with a random name, dropped at the end), the app spawned on port 0
//! (like zero-to-production's `spawn_app`), users, a small register, and a `reqwest` client with
//! a cookie jar.

#![allow(dead_code)] // Each test binary uses a part.

use chrono::{DateTime, NaiveDate, Utc};
use std::net::SocketAddr;
use std::sync::OnceLock;
use tvaers_core::access::{Purpose, Role, UserId};
use tvaers_core::{
    AccountFunction, Catalogue, Cpr, Department, Identified, IdentifiedPerson, PersonIx, Quantity,
    Register, ServiceEntry, ServiceIx, ServiceKind, Sex, Spell, Unit,
};
use tvaers_server::{AppState, Settings};
use tvaers_store::{AnyStore, AuditEntry, NewUser, Store, password};

/// The password of every test user (hashed once per test binary).
pub const PASSWORD: &str = "a long test password for everyone";

pub fn password_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| password::hash(PASSWORD))
}

pub use tvaers_testkit::db::{Backend, TestDb};

/// A running server.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: AnyStore,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        self.store.close().await;
    }
}

/// Test settings: no `Secure` flag (the tests speak plain HTTP on loopback).
pub fn settings() -> Settings {
    Settings {
        secure_cookies: false,
        ..Settings::default()
    }
}

/// Spawns the app on 127.0.0.1:0 over `url`.
pub async fn spawn_app(url: &str, settings: Settings) -> TestApp {
    let store = tvaers_store::open(url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(store.clone(), settings);
    let handle = tokio::spawn(async move {
        tvaers_server::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestApp {
        addr,
        store,
        shutdown: Some(tx),
        handle: Some(handle),
    }
}

pub fn sys(detail: &str) -> AuditEntry {
    AuditEntry::write(
        None,
        None,
        None,
        Purpose::Administration,
        None,
        Utc::now(),
        detail,
    )
}

pub async fn add_user(store: &AnyStore, username: &str, role: Role) -> UserId {
    store
        .create_user(
            &NewUser {
                username: username.into(),
                display_name: format!("{username} Hansen"),
                role,
                password_hash: password_hash().to_string(),
                created_at: Utc::now(),
            },
            &sys("user added"),
        )
        .await
        .unwrap()
}

/// A client with its own cookie jar.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Logs `username` in on `client`; returns the CSRF token.
pub async fn login(app: &TestApp, client: &reqwest::Client, username: &str) -> String {
    let r = client
        .post(app.url("/api/login"))
        .json(&serde_json::json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "login of {username}");
    let v: serde_json::Value = r.json().await.unwrap();
    v["csrf_token"].as_str().unwrap().to_string()
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

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A register of `n` persons (each their own family), each with one open service in every
/// department, so every category has data.
pub fn register(n: u32) -> Register<Identified> {
    let entries: Vec<ServiceEntry> = Department::ALL
        .iter()
        .enumerate()
        .map(|(i, d)| entry(&format!("S{i}"), *d, &format!("Lov § {i}"), &[]))
        .collect();
    let persons = (0..n)
        .map(|i| {
            let birth = day(1960, 1, 1) + chrono::Duration::days(i64::from(i) * 37);
            let cpr = Cpr::synthetic(birth, Sex::Female, i % 1000).unwrap();
            IdentifiedPerson {
                birth_date: birth,
                sex: cpr.sex(),
                cpr,
                family: format!("F{i}"),
            }
        })
        .collect();
    let mut spells = Vec::new();
    for p in 0..n {
        for s in 0..entries.len() as u32 {
            spells.push(Spell {
                person: PersonIx(p),
                service: ServiceIx(s),
                start: day(2024, 1, 1),
                end: None,
                volume: Quantity(1000),
                contact: None,
            });
        }
    }
    Register {
        persons,
        relations: vec![],
        catalogue: Catalogue::new(entries).unwrap(),
        contacts: vec![],
        spells,
        postings: vec![],
        prices: vec![],
    }
}

/// Loads [`register`] and returns the citizens' ids in register order.
pub async fn load(store: &AnyStore, n: u32) -> Vec<tvaers_store::CitizenId> {
    let reg = register(n);
    store
        .load_register(&reg, Utc::now().date_naive(), &sys("load"))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for p in &reg.persons {
        ids.push(store.citizen_by_cpr(&p.cpr).await.unwrap().unwrap().id);
    }
    ids
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}
