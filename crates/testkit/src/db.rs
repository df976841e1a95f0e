//! A database made for one test (feature `db`): SQLite in a temporary folder, or a PostgreSQL
//! database with a random name on the server [`crate::postgres`] finds, dropped when the test
//! ends — also when it panics. Shared by the store's conformance suite and the server's tests.

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test; `url` opens it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

/// Drops its database when dropped.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // A runtime of its own: the test's may be gone or panicking.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

/// `url` with its database name replaced by `name` (query kept).
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, after) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let query = after.find('?').map_or("", |i| &after[i..]);
    format!("{scheme}://{authority}/{name}{query}")
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is absent (reported under the policy of
    /// [`crate::require`]).
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite:{}", dir.path().join("t.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    _pg: None,
                })
            }
            Backend::Postgres => {
                let pg = crate::postgres()?;
                let name = format!("tvaers_test_{:016x}", fastrand::u64(..));
                {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&pg.url).await.unwrap();
                    sqlx::query(&format!("CREATE DATABASE {name}"))
                        .execute(&mut c)
                        .await
                        .unwrap();
                }
                Some(TestDb {
                    url: with_database(&pg.url, &name),
                    _dir: None,
                    _pg: Some(PgDatabase {
                        admin_url: pg.url,
                        name,
                    }),
                })
            }
        }
    }
}
