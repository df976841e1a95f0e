//! Crash safety of the server: `tvaers serve` as a child process on SQLite and on PostgreSQL,
//! a client streaming notes, `SIGKILL` in the middle, restart — many times. Every write the
//! client saw acknowledged (201) must be in the database afterwards with its audit entry, and
//! the audit chain must verify.

#[path = "../../server/tests/common/mod.rs"]
mod common;

use common::*;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tvaers_core::Department;
use tvaers_core::access::{DataCategory, Role};
use tvaers_store::{AuditAction, AuditFilter, Store};

const ROUNDS: usize = 10;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tvaers"))
        .args(["serve", "--database-url", url, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .env_remove("TVAERS_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(c: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = c.get(format!("{base}/api/health")).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "the server did not come up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn kill_test(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let (citizen, ann) = {
        let store = tvaers_store::open(&db.url).await.unwrap();
        let ids = load(&store, 1).await;
        let ann = add_user(
            &store,
            "ann",
            Role::Caseworker {
                department: Department::Employment,
            },
        )
        .await;
        store
            .add_to_team(ids[0], ann, None, now(), &sys("team"))
            .await
            .unwrap();
        store.close().await;
        (ids[0], ann)
    };
    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let started = Instant::now();
    for round in 0..ROUNDS {
        let port = free_port();
        let mut child = start(&db.url, port);
        let base = format!("http://127.0.0.1:{port}");
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        wait_up(&c, &base).await;
        let r = c
            .post(format!("{base}/api/login"))
            .json(&serde_json::json!({"username": "ann", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let csrf = r.json::<serde_json::Value>().await.unwrap()["csrf_token"]
            .as_str()
            .unwrap()
            .to_string();
        // Stream writes until the server dies.
        let acked = acknowledged.clone();
        let writer = tokio::spawn(async move {
            let mut n = 0;
            loop {
                let text = format!("round {round} note {n}");
                n += 1;
                let r = c
                    .post(format!("{base}/api/citizens/{}/notes", citizen.0))
                    .header("x-csrf-token", &csrf)
                    .json(&serde_json::json!({"text": text}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => {
                        if let Ok(v) = r.json::<serde_json::Value>().await
                            && let Some(id) = v["id"].as_i64()
                        {
                            acked.lock().unwrap().push((id, text));
                        }
                    }
                    Ok(r) => panic!("unexpected answer {}", r.status()),
                    Err(_) => return n,
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(100 + fastrand::u64(..200))).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let sent = writer.await.unwrap();
        assert!(
            sent > 1,
            "round {round}: some writes were made before the kill"
        );
        // Everything acknowledged is there, each with its audit entry; the chain verifies.
        let store = tvaers_store::open(&db.url).await.unwrap();
        let notes = store
            .notes(citizen, &[DataCategory::Services(Department::Employment)])
            .await
            .unwrap();
        for (id, text) in acknowledged.lock().unwrap().iter() {
            assert!(
                notes.iter().any(|n| n.id.0 == *id && &n.text == text),
                "round {round}: acknowledged note {id} ({text}) is missing"
            );
        }
        let writes = store
            .audit_entries(&AuditFilter {
                user: Some(ann),
                citizen: Some(citizen),
                limit: Some(1_000_000),
                ..AuditFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == AuditAction::Write && e.detail == "note written")
            .count();
        assert_eq!(
            writes,
            notes.len(),
            "round {round}: one audit entry per note"
        );
        let report = store.verify_audit_chain().await.unwrap();
        assert!(report.broken.is_none(), "round {round}: {report:?}");
        store.close().await;
    }
    let n = acknowledged.lock().unwrap().len();
    eprintln!(
        "kill test on {backend:?}: {ROUNDS} kills, {n} acknowledged writes all present, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_writes_sqlite() {
    kill_test(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_writes_postgres() {
    kill_test(Backend::Postgres).await;
}
