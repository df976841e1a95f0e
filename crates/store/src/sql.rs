//! The one implementation of [`Store`], expanded for each backend by `backend!`.
//!
//! Both backends run the same SQL (PostgreSQL-style `$n` placeholders, which SQLite accepts as
//! numbered parameters too; `ON CONFLICT`, `RETURNING`, `IS NOT DISTINCT FROM` exist in both).
//! What differs is passed to the macro: how a write transaction begins (SQLite:
//! `BEGIN IMMEDIATE`, so that writers queue on the database lock instead of failing on
//! upgrade), how the chain head is locked (PostgreSQL: `FOR UPDATE`, serialising appends
//! across server instances; SQLite's write lock already does), and the load's temporary tables.

use crate::audit::{self, Fields, GENESIS};
use crate::migrations::{MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, migrator};
use crate::model::*;
use crate::plan::*;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Postgres, QueryBuilder, Row, Sqlite};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;
use tvaers_core::access::{
    BreakGlassGrant, CitizenFacts, Consent, ConsentId, DataCategory, GrantId, LegalBasis, Purpose,
    Role, UserId, Viewer,
};
use tvaers_core::{Cpr, Department, Identified, Register, Sex};

/// The embedded SQLite store (a file; WAL, `synchronous=FULL`, `busy_timeout`).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// The PostgreSQL store; several server instances may share one database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl SqliteStore {
    /// Opens (creating if absent) and migrates `sqlite:PATH`.
    pub async fn open(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        migrator(MIGRATIONS_SQLITE).await?.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The pool, for tests and tools that must reach behind the trait (tamper tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Closes the pool (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl PostgresStore {
    /// Connects to and migrates `postgres://…` (sqlx's migrator takes an advisory lock, so
    /// instances starting together migrate once).
    pub async fn open(url: &str) -> Result<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        migrator(MIGRATIONS_POSTGRES).await?.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_us(v: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v).ok_or_else(|| StoreError::Corrupt(format!("time {v}")))
}

fn opt_from_us(v: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    v.map(from_us).transpose()
}

fn role_of(code: &str, department: Option<&str>) -> Result<Role> {
    let dept = department
        .map(|d| Department::from_code(d).ok_or_else(|| corrupt("department", d)))
        .transpose()?;
    Role::from_code(code, dept).map_err(|_| corrupt("role", code))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

fn category_of(code: &str) -> Result<DataCategory> {
    DataCategory::from_code(code).ok_or_else(|| corrupt("category", code))
}

fn viewer_of(code: &str) -> Result<Viewer> {
    Viewer::from_code(code).ok_or_else(|| corrupt("viewer", code))
}

fn department_of(code: &str) -> Result<Department> {
    Department::from_code(code).ok_or_else(|| corrupt("department", code))
}

fn hash32(v: Vec<u8>) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(v).map_err(|_| StoreError::Corrupt("hash length".into()))
}

fn unique_as(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

fn not_found_if_zero(rows: u64, what: &'static str) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound(what))
    } else {
        Ok(())
    }
}

/// A row of the load's staging table of services.
struct StagedService<'a> {
    cpr: String,
    code: &'a str,
    name_da: &'a str,
    department: &'static str,
    legal_basis: &'a str,
    unit: &'static str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    volume: i64,
    n: i64,
}

/// The register's spells as staging rows; `n` numbers identical spells of one citizen so that
/// a genuine duplicate survives the comparison with the stored rows.
fn staged_services(reg: &Register<Identified>) -> Vec<StagedService<'_>> {
    let mut seen: HashMap<(u32, u32, NaiveDate, Option<NaiveDate>, i64), i64> = HashMap::new();
    reg.spells
        .iter()
        .map(|s| {
            let entry = reg.catalogue.get(s.service);
            let n = seen
                .entry((s.person.0, s.service.0, s.start, s.end, s.volume.0))
                .or_insert(0);
            *n += 1;
            StagedService {
                cpr: reg.person(s.person).cpr.to_string(),
                code: &entry.code,
                name_da: &entry.name_da,
                department: entry.department.code(),
                legal_basis: &entry.legal_basis,
                unit: entry.unit.code(),
                start: s.start,
                end: s.end,
                volume: s.volume.0,
                n: *n,
            }
        })
        .collect()
}

/// The load's unit prices as rows (code, unit, year, øre).
fn staged_prices(reg: &Register<Identified>) -> Vec<(&str, &'static str, i32, i64)> {
    reg.prices
        .iter()
        .map(|p| {
            (
                reg.catalogue.get(p.service).code.as_str(),
                p.unit.code(),
                p.year,
                p.price.0,
            )
        })
        .collect()
}

/// The postings booked to a person, summed per (CPR, department, year): the department of
/// the posting's service, else of its function; a posting with neither is left out.
fn staged_booked(reg: &Register<Identified>) -> Vec<(String, &'static str, i32, i64)> {
    let mut sums: std::collections::BTreeMap<(u32, &'static str, i32), i64> = Default::default();
    for p in &reg.postings {
        let dept = match p.service {
            Some(ix) => Some(reg.catalogue.get(ix).department),
            None => reg.catalogue.department_of_function(p.function),
        };
        let (Some(person), Some(dept)) = (p.person, dept) else {
            continue;
        };
        *sums
            .entry((person.0, dept.code(), chrono::Datelike::year(&p.date)))
            .or_default() += p.amount.0;
    }
    sums.into_iter()
        .map(|((person, dept, year), amount)| {
            (
                reg.persons[person as usize].cpr.to_string(),
                dept,
                year,
                amount,
            )
        })
        .collect()
}

/// The form a name is searched in: trimmed, lower case, inner spaces collapsed.
pub(crate) fn name_search_form(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The search's terms: every word must occur in the name.
fn name_terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|t| !t.is_empty())
        .take(5)
        .collect()
}

/// `%`, `_` and `\` taken literally in a LIKE pattern with `ESCAPE '\'`.
fn like_escaped(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, department, created_us, disabled_us, password_hash";
const CITIZEN_COLUMNS: &str =
    "id, cpr, birth_date, sex, family_key, first_loaded_on, left_register_on, name";
const AUDIT_COLUMNS: &str = "seq, at_us, user_id, actor_role, actor_department, citizen_id, \
     category, purpose, action, basis_kind, basis_ref, basis_text, refusal, detail, hash";

/// The comparison of a staged service with a stored one (aliases `s` and `v`).
const SAME_SERVICE: &str = "s.code = v.code AND s.start_on = v.start_on \
     AND s.end_on IS NOT DISTINCT FROM v.end_on AND s.volume_milli = v.volume_milli \
     AND s.n = v.n AND s.department = v.department AND s.legal_basis = v.legal_basis \
     AND s.unit = v.unit AND s.name_da = v.name_da";

const SQLITE_STAGING: &[&str] = &[
    "DROP TABLE IF EXISTS temp.load_citizens",
    "DROP TABLE IF EXISTS temp.load_services",
    "CREATE TEMP TABLE load_citizens (cpr TEXT PRIMARY KEY, birth_date TEXT NOT NULL, \
     sex TEXT NOT NULL, family_key TEXT NOT NULL)",
    "CREATE TEMP TABLE load_services (cpr TEXT NOT NULL, code TEXT NOT NULL, \
     name_da TEXT NOT NULL, department TEXT NOT NULL, legal_basis TEXT NOT NULL, \
     unit TEXT NOT NULL, start_on TEXT NOT NULL, end_on TEXT, volume_milli INTEGER NOT NULL, \
     n INTEGER NOT NULL)",
];
const SQLITE_STAGED: &[&str] = &[
    "CREATE INDEX temp.load_services_key ON load_services (cpr, code, start_on)",
    "ANALYZE temp",
];
const PG_STAGING: &[&str] = &[
    "DROP TABLE IF EXISTS pg_temp.load_citizens",
    "DROP TABLE IF EXISTS pg_temp.load_services",
    "CREATE TEMP TABLE load_citizens (cpr TEXT PRIMARY KEY, birth_date DATE NOT NULL, \
     sex TEXT NOT NULL, family_key TEXT NOT NULL) ON COMMIT DROP",
    "CREATE TEMP TABLE load_services (cpr TEXT NOT NULL, code TEXT NOT NULL, \
     name_da TEXT NOT NULL, department TEXT NOT NULL, legal_basis TEXT NOT NULL, \
     unit TEXT NOT NULL, start_on DATE NOT NULL, end_on DATE, volume_milli BIGINT NOT NULL, \
     n BIGINT NOT NULL) ON COMMIT DROP",
];
const PG_STAGED: &[&str] = &[
    "CREATE INDEX ON load_services (cpr, code, start_on)",
    "ANALYZE load_citizens",
    "ANALYZE load_services",
];

macro_rules! backend {
    ($Store:ident, $Db:ty, $Row:ty, head = $head_sql:expr, staging = $staging:expr,
     staged = $staged:expr) => {
        impl $Store {
            fn user_row(r: &$Row) -> Result<User> {
                Ok(User {
                    id: UserId(r.try_get("id")?),
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    role: role_of(
                        &r.try_get::<String, _>("role")?,
                        r.try_get::<Option<String>, _>("department")?.as_deref(),
                    )?,
                    created_at: from_us(r.try_get("created_us")?)?,
                    disabled_at: opt_from_us(r.try_get("disabled_us")?)?,
                })
            }

            fn citizen_row(r: &$Row) -> Result<Citizen> {
                let cpr: String = r.try_get("cpr")?;
                let sex: String = r.try_get("sex")?;
                Ok(Citizen {
                    id: CitizenId(r.try_get("id")?),
                    // Never the number itself in an error.
                    cpr: Cpr::parse(&cpr).map_err(|_| corrupt("cpr", "******-****"))?,
                    birth_date: r.try_get("birth_date")?,
                    sex: Sex::from_code(&sex).ok_or_else(|| corrupt("sex", &sex))?,
                    family_key: r.try_get("family_key")?,
                    first_loaded_on: r.try_get("first_loaded_on")?,
                    left_register_on: r.try_get("left_register_on")?,
                    name: r.try_get("name")?,
                })
            }

            fn plan_row(r: &$Row) -> Result<PlanVersion> {
                let json: String = r.try_get("content")?;
                Ok(PlanVersion {
                    citizen: CitizenId(r.try_get("citizen_id")?),
                    version: r.try_get("version")?,
                    saved_by: UserId(r.try_get("saved_by")?),
                    saved_at: from_us(r.try_get("saved_us")?)?,
                    content: serde_json::from_str(&json)
                        // Line and column only: serde's message may quote the user's text.
                        .map_err(|e| {
                            StoreError::Corrupt(format!(
                                "plan content (line {}, column {})",
                                e.line(),
                                e.column()
                            ))
                        })?,
                })
            }

            fn audit_row(r: &$Row) -> Result<AuditRecord> {
                let kind: Option<String> = r.try_get("basis_kind")?;
                let basis_ref: Option<i64> = r.try_get("basis_ref")?;
                let text: Option<String> = r.try_get("basis_text")?;
                let basis = match kind {
                    None => None,
                    Some(k) => Some(
                        audit::basis_from_columns(&k, basis_ref, text.as_deref())
                            .ok_or_else(|| corrupt("basis", &k))?,
                    ),
                };
                let purpose: String = r.try_get("purpose")?;
                let action: String = r.try_get("action")?;
                Ok(AuditRecord {
                    seq: r.try_get("seq")?,
                    at: from_us(r.try_get("at_us")?)?,
                    user: r.try_get::<Option<i64>, _>("user_id")?.map(UserId),
                    actor_role: r.try_get("actor_role")?,
                    actor_department: r
                        .try_get::<Option<String>, _>("actor_department")?
                        .map(|d| department_of(&d))
                        .transpose()?,
                    citizen: r.try_get::<Option<i64>, _>("citizen_id")?.map(CitizenId),
                    category: r
                        .try_get::<Option<String>, _>("category")?
                        .map(|c| category_of(&c))
                        .transpose()?,
                    purpose: Purpose::from_code(&purpose)
                        .ok_or_else(|| corrupt("purpose", &purpose))?,
                    action: AuditAction::from_code(&action)
                        .ok_or_else(|| corrupt("action", &action))?,
                    basis,
                    refusal: r.try_get("refusal")?,
                    detail: r.try_get("detail")?,
                    hash: hash32(r.try_get("hash")?)?,
                })
            }

            /// Appends entries inside `tx`, after locking the chain head.
            async fn append_in(
                tx: &mut sqlx::Transaction<'static, $Db>,
                entries: &[AuditEntry],
            ) -> Result<Vec<i64>> {
                let head = sqlx::query($head_sql).fetch_one(&mut **tx).await?;
                let mut seq: i64 = head.try_get("seq")?;
                let mut prev = hash32(head.try_get("hash")?)?;
                let mut seqs = Vec::with_capacity(entries.len());
                for e in entries {
                    seq += 1;
                    let (kind, basis_ref, text) = match &e.basis {
                        Some(b) => {
                            let (k, r, t) = audit::basis_columns(b);
                            (Some(k), r, t)
                        }
                        None => (None, None, None),
                    };
                    let department = e.actor.and_then(|a| a.role.department()).map(|d| d.code());
                    let fields = Fields {
                        seq,
                        at_us: us(e.at),
                        user_id: e.actor.map(|a| a.id.0),
                        actor_role: e.actor.map(|a| a.role.code()),
                        actor_department: department,
                        citizen_id: e.citizen.map(|c| c.0),
                        category: e.category.map(|c| c.code()),
                        purpose: e.purpose.code(),
                        action: e.action.code(),
                        basis_kind: kind,
                        basis_ref,
                        basis_text: text.as_deref(),
                        refusal: e.refusal.map(|r| r.code()),
                        detail: &e.detail,
                    };
                    let hash = fields.hash(&prev);
                    sqlx::query(
                        "INSERT INTO audit_log (seq, at_us, user_id, actor_role, \
                         actor_department, citizen_id, category, purpose, action, basis_kind, \
                         basis_ref, basis_text, refusal, detail, hash) VALUES ($1, $2, $3, $4, \
                         $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    )
                    .bind(fields.seq)
                    .bind(fields.at_us)
                    .bind(fields.user_id)
                    .bind(fields.actor_role)
                    .bind(fields.actor_department)
                    .bind(fields.citizen_id)
                    .bind(fields.category)
                    .bind(fields.purpose)
                    .bind(fields.action)
                    .bind(fields.basis_kind)
                    .bind(fields.basis_ref)
                    .bind(fields.basis_text)
                    .bind(fields.refusal)
                    .bind(fields.detail)
                    .bind(hash.to_vec())
                    .execute(&mut **tx)
                    .await?;
                    prev = hash;
                    seqs.push(seq);
                }
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(seq)
                    .bind(prev.to_vec())
                    .execute(&mut **tx)
                    .await?;
                Ok(seqs)
            }

            async fn citizen_exists(
                tx: &mut sqlx::Transaction<'static, $Db>,
                id: CitizenId,
            ) -> Result<()> {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM citizens WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut **tx)
                    .await?;
                found.map(|_| ()).ok_or(StoreError::NotFound("citizen"))
            }
        }

        impl Store for $Store {
            async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> Result<UserId> {
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (username, display_name, role, department, \
                     password_hash, created_us) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&user.username)
                .bind(&user.display_name)
                .bind(user.role.code())
                .bind(user.role.department().map(|d| d.code()))
                .bind(&user.password_hash)
                .bind(us(user.created_at))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| unique_as(e, "username"))?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(UserId(id))
            }

            async fn user(&self, id: UserId) -> Result<Option<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(Self::user_row).transpose()
            }

            async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
                let row = sqlx::query(&sql).bind(username).fetch_optional(&self.pool).await?;
                match row {
                    None => Ok(None),
                    Some(r) => Ok(Some(Credentials {
                        user: Self::user_row(&r)?,
                        password_hash: r.try_get("password_hash")?,
                    })),
                }
            }

            async fn users(&self) -> Result<Vec<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
                rows.iter().map(Self::user_row).collect()
            }

            async fn set_user_disabled(
                &self,
                id: UserId,
                disabled_at: Option<DateTime<Utc>>,
                audit: &AuditEntry,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("UPDATE users SET disabled_us = $1 WHERE id = $2")
                    .bind(disabled_at.map(us))
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                not_found_if_zero(n, "user")?;
                if disabled_at.is_some() {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_password_hash(
                &self,
                id: UserId,
                password_hash: &str,
                audit: &AuditEntry,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                not_found_if_zero(n, "user")?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_session(&self, s: &NewSession) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_us, expires_us, \
                     csrf_secret) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(s.token_hash.to_vec())
                .bind(s.user.0)
                .bind(us(s.created_at))
                .bind(us(s.expires_at))
                .bind(s.csrf_secret.to_vec())
                .execute(&self.pool)
                .await
                .map_err(|e| unique_as(e, "session"))?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &[u8; 32],
                now: DateTime<Utc>,
            ) -> Result<Option<Session>> {
                let sql = format!(
                    "SELECT {}, s.created_us AS s_created_us, s.expires_us, s.csrf_secret \
                     FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE s.token_hash = $1 AND s.expires_us > $2 AND u.disabled_us IS NULL",
                    USER_COLUMNS
                        .split(", ")
                        .map(|c| format!("u.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let row = sqlx::query(&sql)
                    .bind(token_hash.to_vec())
                    .bind(us(now))
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    None => Ok(None),
                    Some(r) => Ok(Some(Session {
                        user: Self::user_row(&r)?,
                        created_at: from_us(r.try_get("s_created_us")?)?,
                        expires_at: from_us(r.try_get("expires_us")?)?,
                        csrf_secret: hash32(r.try_get("csrf_secret")?)?,
                    })),
                }
            }

            async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash.to_vec())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_us <= $1")
                    .bind(us(now))
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }

            async fn record_login_failure(&self, username: &str, at: DateTime<Utc>) -> Result<()> {
                sqlx::query("INSERT INTO login_failures (username, at_us) VALUES ($1, $2)")
                    .bind(username)
                    .bind(us(at))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn login_failures_since(
                &self,
                username: &str,
                since: DateTime<Utc>,
            ) -> Result<u64> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at_us >= $2",
                )
                .bind(username)
                .bind(us(since))
                .fetch_one(&self.pool)
                .await?;
                Ok(n as u64)
            }

            async fn clear_login_failures(&self, username: &str) -> Result<()> {
                sqlx::query("DELETE FROM login_failures WHERE username = $1")
                    .bind(username)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn citizen(&self, id: CitizenId) -> Result<Option<Citizen>> {
                let sql = format!("SELECT {CITIZEN_COLUMNS} FROM citizens WHERE id = $1");
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(Self::citizen_row).transpose()
            }

            async fn citizen_by_cpr(&self, cpr: &Cpr) -> Result<Option<Citizen>> {
                let sql = format!("SELECT {CITIZEN_COLUMNS} FROM citizens WHERE cpr = $1");
                let row = sqlx::query(&sql)
                    .bind(cpr.to_string())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::citizen_row).transpose()
            }

            async fn family(&self, id: CitizenId) -> Result<Vec<Citizen>> {
                let sql = format!(
                    "SELECT {CITIZEN_COLUMNS} FROM citizens WHERE family_key = \
                     (SELECT family_key FROM citizens WHERE id = $1) ORDER BY cpr"
                );
                let rows = sqlx::query(&sql).bind(id.0).fetch_all(&self.pool).await?;
                rows.iter().map(Self::citizen_row).collect()
            }

            async fn services(&self, id: CitizenId) -> Result<Vec<ServiceRecord>> {
                let rows = sqlx::query(
                    "SELECT code, name_da, department, legal_basis, unit, start_on, end_on, \
                     volume_milli FROM services WHERE citizen_id = $1 \
                     ORDER BY start_on, code, id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(ServiceRecord {
                            code: r.try_get("code")?,
                            name_da: r.try_get("name_da")?,
                            department: department_of(&r.try_get::<String, _>("department")?)?,
                            legal_basis: r.try_get("legal_basis")?,
                            unit: r.try_get("unit")?,
                            start: r.try_get("start_on")?,
                            end: r.try_get("end_on")?,
                            volume_milli: r.try_get("volume_milli")?,
                        })
                    })
                    .collect()
            }

            async fn citizens_of_user(&self, user: UserId) -> Result<Vec<Citizen>> {
                let sql = format!(
                    "SELECT {} FROM citizens c JOIN teams t ON t.citizen_id = c.id \
                     WHERE t.user_id = $1 ORDER BY c.cpr",
                    CITIZEN_COLUMNS
                        .split(", ")
                        .map(|c| format!("c.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let rows = sqlx::query(&sql).bind(user.0).fetch_all(&self.pool).await?;
                rows.iter().map(Self::citizen_row).collect()
            }

            async fn search_by_name(&self, query: &str, limit: u32) -> Result<Vec<Citizen>> {
                let terms = name_terms(query);
                if terms.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = QueryBuilder::<$Db>::new(format!(
                    "SELECT {CITIZEN_COLUMNS} FROM citizens WHERE name_search IS NOT NULL"
                ));
                for t in &terms {
                    qb.push(" AND name_search LIKE ")
                        .push_bind(format!("%{}%", like_escaped(t)))
                        .push(" ESCAPE '\\'");
                }
                qb.push(" ORDER BY name_search, cpr LIMIT ")
                    .push_bind(i64::from(limit));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(Self::citizen_row).collect()
            }

            async fn set_names(&self, names: &[(Cpr, String)], audit: &AuditEntry) -> Result<u64> {
                let mut tx = self.begin_write().await?;
                let mut matched = 0;
                for chunk in names.chunks(1000) {
                    let mut qb = QueryBuilder::<$Db>::new("WITH n (cpr, name, name_search) AS (");
                    qb.push_values(chunk, |mut b, (cpr, name)| {
                        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
                        let search = name_search_form(&name);
                        b.push_bind(cpr.to_string())
                            .push_bind(name)
                            .push_bind(search);
                    });
                    qb.push(
                        ") UPDATE citizens SET name = n.name, name_search = n.name_search \
                         FROM n WHERE citizens.cpr = n.cpr",
                    );
                    matched += qb.build().execute(&mut *tx).await?.rows_affected();
                }
                let mut entry = audit.clone();
                entry.detail = format!("{} (names={}, matched={matched})", entry.detail, names.len());
                Self::append_in(&mut tx, std::slice::from_ref(&entry)).await?;
                tx.commit().await?;
                Ok(matched)
            }

            async fn unit_prices_of(&self, id: CitizenId) -> Result<Vec<UnitPriceRecord>> {
                let rows = sqlx::query(
                    "SELECT code, unit, year, price_oere FROM unit_prices WHERE code IN \
                     (SELECT DISTINCT code FROM services WHERE citizen_id = $1) \
                     ORDER BY code, unit, year",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(UnitPriceRecord {
                            code: r.try_get("code")?,
                            unit: r.try_get("unit")?,
                            year: r.try_get::<i32, _>("year")?,
                            price: tvaers_core::Ore(r.try_get("price_oere")?),
                        })
                    })
                    .collect()
            }

            async fn booked_costs(&self, id: CitizenId) -> Result<Vec<BookedCost>> {
                let rows = sqlx::query(
                    "SELECT department, year, amount_oere FROM booked_costs \
                     WHERE citizen_id = $1 ORDER BY department, year",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(BookedCost {
                            department: department_of(&r.try_get::<String, _>("department")?)?,
                            year: r.try_get::<i32, _>("year")?,
                            amount: tvaers_core::Ore(r.try_get("amount_oere")?),
                        })
                    })
                    .collect()
            }

            async fn access_facts(&self, id: CitizenId) -> Result<CitizenFacts> {
                let mut tx = self.pool.begin().await?;
                Self::citizen_exists(&mut tx, id).await?;
                let team: Vec<i64> =
                    sqlx::query_scalar("SELECT user_id FROM teams WHERE citizen_id = $1")
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await?;
                let consents = Self::consent_rows(&mut tx, id).await?;
                let legal_bases = Self::legal_basis_rows(&mut tx).await?;
                let grant_rows = sqlx::query(
                    "SELECT id, user_id, reason, from_us, until_us FROM break_glass \
                     WHERE citizen_id = $1 ORDER BY id",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                let mut grants = Vec::with_capacity(grant_rows.len());
                for r in &grant_rows {
                    grants.push(BreakGlassGrant {
                        id: GrantId(r.try_get("id")?),
                        user: UserId(r.try_get("user_id")?),
                        reason: r.try_get("reason")?,
                        from: from_us(r.try_get("from_us")?)?,
                        until: from_us(r.try_get("until_us")?)?,
                    });
                }
                let base_rows = sqlx::query(
                    "SELECT DISTINCT department, legal_basis FROM services WHERE citizen_id = $1 \
                     ORDER BY department, legal_basis",
                )
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                let mut service_bases = Vec::with_capacity(base_rows.len());
                for r in &base_rows {
                    service_bases.push((
                        department_of(&r.try_get::<String, _>("department")?)?,
                        r.try_get("legal_basis")?,
                    ));
                }
                tx.commit().await?;
                Ok(CitizenFacts {
                    team: team.into_iter().map(UserId).collect(),
                    consents: consents.into_iter().map(|c| c.consent).collect(),
                    legal_bases,
                    grants,
                    service_bases,
                })
            }

            async fn add_to_team(
                &self,
                citizen: CitizenId,
                user: UserId,
                added_by: Option<UserId>,
                at: DateTime<Utc>,
                audit: &AuditEntry,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                Self::citizen_exists(&mut tx, citizen).await?;
                sqlx::query(
                    "INSERT INTO teams (citizen_id, user_id, added_by, added_us) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (citizen_id, user_id) DO NOTHING",
                )
                .bind(citizen.0)
                .bind(user.0)
                .bind(added_by.map(|u| u.0))
                .bind(us(at))
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                        StoreError::NotFound("user")
                    }
                    _ => StoreError::Database(e),
                })?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_from_team(
                &self,
                citizen: CitizenId,
                user: UserId,
                audit: &AuditEntry,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM teams WHERE citizen_id = $1 AND user_id = $2")
                    .bind(citizen.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                not_found_if_zero(n, "team member")?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn team(&self, citizen: CitizenId) -> Result<Vec<TeamMember>> {
                let rows = sqlx::query(
                    "SELECT user_id, added_by, added_us FROM teams WHERE citizen_id = $1 \
                     ORDER BY added_us, user_id",
                )
                .bind(citizen.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(TeamMember {
                            user: UserId(r.try_get("user_id")?),
                            added_by: r.try_get::<Option<i64>, _>("added_by")?.map(UserId),
                            added_at: from_us(r.try_get("added_us")?)?,
                        })
                    })
                    .collect()
            }

            async fn record_consent(&self, c: &NewConsent, audit: &AuditEntry) -> Result<ConsentId> {
                if c.scope.is_empty() {
                    return Err(StoreError::Invalid("a consent needs a scope"));
                }
                let mut tx = self.begin_write().await?;
                Self::citizen_exists(&mut tx, c.citizen).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO consents (citizen_id, given_us, recorded_by, note) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(c.citizen.0)
                .bind(us(c.given_at))
                .bind(c.recorded_by.map(|u| u.0))
                .bind(&c.note)
                .fetch_one(&mut *tx)
                .await?;
                let mut scope = c.scope.clone();
                scope.sort();
                scope.dedup();
                for (viewer, category) in scope {
                    sqlx::query(
                        "INSERT INTO consent_scope (consent_id, viewer, category) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(viewer.code())
                    .bind(category.code())
                    .execute(&mut *tx)
                    .await?;
                }
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(ConsentId(id))
            }

            async fn withdraw_consent(
                &self,
                id: ConsentId,
                at: DateTime<Utc>,
                by: Option<UserId>,
                audit: &AuditEntry,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let current: Option<Option<i64>> =
                    sqlx::query_scalar("SELECT withdrawn_us FROM consents WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                match current {
                    None => return Err(StoreError::NotFound("consent")),
                    Some(Some(_)) => return Err(StoreError::Conflict("withdrawal of the consent")),
                    Some(None) => {}
                }
                sqlx::query("UPDATE consents SET withdrawn_us = $1, withdrawn_by = $2 WHERE id = $3")
                    .bind(us(at))
                    .bind(by.map(|u| u.0))
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn consents(&self, citizen: CitizenId) -> Result<Vec<ConsentRecord>> {
                let mut tx = self.pool.begin().await?;
                let v = Self::consent_rows(&mut tx, citizen).await?;
                tx.commit().await?;
                Ok(v)
            }

            async fn consent(&self, id: ConsentId) -> Result<Option<ConsentRecord>> {
                let mut tx = self.pool.begin().await?;
                let citizen: Option<i64> =
                    sqlx::query_scalar("SELECT citizen_id FROM consents WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let found = match citizen {
                    None => None,
                    Some(c) => Self::consent_rows(&mut tx, CitizenId(c))
                        .await?
                        .into_iter()
                        .find(|r| r.consent.id == id),
                };
                tx.commit().await?;
                Ok(found)
            }

            async fn add_legal_basis(&self, b: &LegalBasis, audit: &AuditEntry) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO legal_bases (viewer, category, text) VALUES ($1, $2, $3) \
                     ON CONFLICT (viewer, category, text) DO NOTHING",
                )
                .bind(b.viewer.code())
                .bind(b.category.code())
                .bind(&b.text)
                .execute(&mut *tx)
                .await?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn legal_bases(&self) -> Result<Vec<LegalBasis>> {
                let mut tx = self.pool.begin().await?;
                let v = Self::legal_basis_rows(&mut tx).await?;
                tx.commit().await?;
                Ok(v)
            }

            async fn grant_break_glass(&self, g: &NewGrant, audit: &AuditEntry) -> Result<GrantId> {
                if g.reason.trim().is_empty() {
                    return Err(StoreError::Invalid("break-the-glass needs a written reason"));
                }
                if g.until <= g.from {
                    return Err(StoreError::Invalid("break-the-glass must end after it starts"));
                }
                let mut tx = self.begin_write().await?;
                Self::citizen_exists(&mut tx, g.citizen).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO break_glass (citizen_id, user_id, reason, from_us, until_us) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(g.citizen.0)
                .bind(g.user.0)
                .bind(&g.reason)
                .bind(us(g.from))
                .bind(us(g.until))
                .fetch_one(&mut *tx)
                .await?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(GrantId(id))
            }

            async fn break_glass_grants(
                &self,
                from: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> Result<Vec<GrantRecord>> {
                let rows = sqlx::query(
                    "SELECT id, citizen_id, user_id, reason, from_us, until_us FROM break_glass \
                     WHERE from_us < $2 AND until_us > $1 ORDER BY from_us, id",
                )
                .bind(us(from))
                .bind(us(until))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(GrantRecord {
                            citizen: CitizenId(r.try_get("citizen_id")?),
                            grant: BreakGlassGrant {
                                id: GrantId(r.try_get("id")?),
                                user: UserId(r.try_get("user_id")?),
                                reason: r.try_get("reason")?,
                                from: from_us(r.try_get("from_us")?)?,
                                until: from_us(r.try_get("until_us")?)?,
                            },
                        })
                    })
                    .collect()
            }

            async fn add_note(&self, n: &NewNote, audit: &AuditEntry) -> Result<NoteId> {
                let mut tx = self.begin_write().await?;
                Self::citizen_exists(&mut tx, n.citizen).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO notes (citizen_id, author_id, category, written_us, text) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(n.citizen.0)
                .bind(n.author.0)
                .bind(n.category.code())
                .bind(us(n.written_at))
                .bind(&n.text)
                .fetch_one(&mut *tx)
                .await?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(NoteId(id))
            }

            async fn notes(&self, citizen: CitizenId, categories: &[DataCategory]) -> Result<Vec<Note>> {
                if categories.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = QueryBuilder::<$Db>::new(
                    "SELECT id, citizen_id, author_id, category, written_us, text FROM notes \
                     WHERE citizen_id = ",
                );
                qb.push_bind(citizen.0).push(" AND category IN (");
                let mut sep = qb.separated(", ");
                for c in categories {
                    sep.push_bind(c.code());
                }
                qb.push(") ORDER BY written_us, id");
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok(Note {
                            id: NoteId(r.try_get("id")?),
                            citizen: CitizenId(r.try_get("citizen_id")?),
                            author: UserId(r.try_get("author_id")?),
                            category: category_of(&r.try_get::<String, _>("category")?)?,
                            written_at: from_us(r.try_get("written_us")?)?,
                            text: r.try_get("text")?,
                        })
                    })
                    .collect()
            }

            async fn save_plan(&self, p: &NewPlanVersion, audit: &AuditEntry) -> Result<i64> {
                p.content.check().map_err(StoreError::Invalid)?;
                let json = serde_json::to_string(&p.content)
                    .map_err(|_| StoreError::Invalid("plan content"))?;
                let mut tx = self.begin_write().await?;
                Self::citizen_exists(&mut tx, p.citizen).await?;
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT MAX(version) FROM plan_versions WHERE citizen_id = $1",
                )
                .bind(p.citizen.0)
                .fetch_one(&mut *tx)
                .await?;
                let current = current.unwrap_or(0);
                if current != p.based_on {
                    return Err(StoreError::Stale { current });
                }
                let version = current + 1;
                // A concurrent save based on the same version collides on the primary key
                // (PostgreSQL does not serialise this transaction before the audit head lock).
                sqlx::query(
                    "INSERT INTO plan_versions (citizen_id, version, saved_by, saved_us, content) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(p.citizen.0)
                .bind(version)
                .bind(p.saved_by.0)
                .bind(us(p.saved_at))
                .bind(json)
                .execute(&mut *tx)
                .await
                .map_err(|e| match unique_as(e, "plan version") {
                    StoreError::Conflict(_) => StoreError::Stale { current: version },
                    e => e,
                })?;
                let mut entry = audit.clone();
                entry.detail = format!("{} (version {version})", entry.detail);
                Self::append_in(&mut tx, std::slice::from_ref(&entry)).await?;
                tx.commit().await?;
                Ok(version)
            }

            async fn plan(&self, citizen: CitizenId) -> Result<Option<PlanVersion>> {
                let row = sqlx::query(
                    "SELECT citizen_id, version, saved_by, saved_us, content FROM plan_versions \
                     WHERE citizen_id = $1 ORDER BY version DESC LIMIT 1",
                )
                .bind(citizen.0)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(Self::plan_row).transpose()
            }

            async fn plan_versions(&self, citizen: CitizenId) -> Result<Vec<PlanVersion>> {
                let rows = sqlx::query(
                    "SELECT citizen_id, version, saved_by, saved_us, content FROM plan_versions \
                     WHERE citizen_id = $1 ORDER BY version",
                )
                .bind(citizen.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::plan_row).collect()
            }

            async fn record_progression(
                &self,
                r: &NewProgression,
                audit: &AuditEntry,
            ) -> Result<ProgressionId> {
                if r.ors > MAX_SCORE {
                    return Err(StoreError::Invalid("ORS score (0–40)"));
                }
                if r.srs > MAX_SCORE {
                    return Err(StoreError::Invalid("SRS score (0–40)"));
                }
                let mut tx = self.begin_write().await?;
                Self::citizen_exists(&mut tx, r.citizen).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO progression (citizen_id, recorded_on, step, ors, srs, \
                     recorded_by, department, recorded_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(r.citizen.0)
                .bind(r.on)
                .bind(i64::from(r.step.number()))
                .bind(i64::from(r.ors))
                .bind(i64::from(r.srs))
                .bind(r.recorded_by.0)
                .bind(r.department.map(|d| d.code()))
                .bind(us(r.recorded_at))
                .fetch_one(&mut *tx)
                .await?;
                Self::append_in(&mut tx, std::slice::from_ref(audit)).await?;
                tx.commit().await?;
                Ok(ProgressionId(id))
            }

            async fn progression(&self, citizen: CitizenId) -> Result<Vec<Progression>> {
                let rows = sqlx::query(
                    "SELECT id, citizen_id, recorded_on, step, ors, srs, recorded_by, department, \
                     recorded_us FROM progression WHERE citizen_id = $1 \
                     ORDER BY recorded_on, id",
                )
                .bind(citizen.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let small = |c: &str| -> Result<u8> {
                            let v: i64 = r.try_get(c)?;
                            u8::try_from(v).map_err(|_| corrupt(c, &v.to_string()))
                        };
                        let step = small("step")?;
                        Ok(Progression {
                            id: ProgressionId(r.try_get("id")?),
                            citizen: CitizenId(r.try_get("citizen_id")?),
                            on: r.try_get("recorded_on")?,
                            step: StaircaseStep::from_number(step)
                                .ok_or_else(|| corrupt("step", &step.to_string()))?,
                            ors: small("ors")?,
                            srs: small("srs")?,
                            recorded_by: UserId(r.try_get("recorded_by")?),
                            department: r
                                .try_get::<Option<String>, _>("department")?
                                .map(|d| department_of(&d))
                                .transpose()?,
                            recorded_at: from_us(r.try_get("recorded_us")?)?,
                        })
                    })
                    .collect()
            }

            async fn append_audit(&self, entries: &[AuditEntry]) -> Result<Vec<i64>> {
                if entries.is_empty() {
                    return Ok(vec![]);
                }
                let mut tx = self.begin_write().await?;
                let seqs = Self::append_in(&mut tx, entries).await?;
                tx.commit().await?;
                Ok(seqs)
            }

            async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<AuditRecord>> {
                let mut qb = QueryBuilder::<$Db>::new(format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1"
                ));
                if let Some(u) = f.user {
                    qb.push(" AND user_id = ").push_bind(u.0);
                }
                if let Some(c) = f.citizen {
                    qb.push(" AND citizen_id = ").push_bind(c.0);
                }
                if let Some(t) = f.from {
                    qb.push(" AND at_us >= ").push_bind(us(t));
                }
                if let Some(t) = f.until {
                    qb.push(" AND at_us < ").push_bind(us(t));
                }
                if f.break_the_glass_only {
                    qb.push(" AND basis_kind = 'break_the_glass'");
                }
                if let Some(s) = f.after_seq {
                    qb.push(" AND seq > ").push_bind(s);
                }
                qb.push(" ORDER BY seq LIMIT ")
                    .push_bind(i64::from(f.limit.unwrap_or(1000)));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(Self::audit_row).collect()
            }

            async fn citizen_access_log(
                &self,
                citizen: CitizenId,
                since: DateTime<Utc>,
            ) -> Result<Vec<AccessLogLine>> {
                let rows = sqlx::query(
                    "SELECT at_us, actor_role, actor_department, purpose, category, action \
                     FROM audit_log WHERE citizen_id = $1 AND at_us >= $2 \
                     AND action IN ('read', 'write') ORDER BY seq",
                )
                .bind(citizen.0)
                .bind(us(since))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let purpose: String = r.try_get("purpose")?;
                        let action: String = r.try_get("action")?;
                        let department = r
                            .try_get::<Option<String>, _>("actor_department")?
                            .map(|d| department_of(&d))
                            .transpose()?;
                        Ok(AccessLogLine {
                            at: from_us(r.try_get("at_us")?)?,
                            role: if department.is_some() {
                                None
                            } else {
                                r.try_get("actor_role")?
                            },
                            department,
                            purpose: Purpose::from_code(&purpose)
                                .ok_or_else(|| corrupt("purpose", &purpose))?,
                            category: r
                                .try_get::<Option<String>, _>("category")?
                                .map(|c| category_of(&c))
                                .transpose()?,
                            action: AuditAction::from_code(&action)
                                .ok_or_else(|| corrupt("action", &action))?,
                        })
                    })
                    .collect()
            }

            async fn verify_audit_chain(&self) -> Result<ChainReport> {
                // One snapshot of the whole log (a read transaction).
                let mut tx = self.pool.begin().await?;
                let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
                let head_seq: i64 = head.try_get("seq")?;
                let head_hash = hash32(head.try_get("hash")?)?;
                let mut report = ChainReport {
                    entries: 0,
                    head_seq,
                    head_hash,
                    broken: None,
                };
                let mut prev = GENESIS;
                let mut expected = 1i64;
                let sql = format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000"
                );
                'pages: loop {
                    let rows = sqlx::query(&sql).bind(expected).fetch_all(&mut *tx).await?;
                    if rows.is_empty() {
                        break;
                    }
                    for r in &rows {
                        let seq: i64 = r.try_get("seq")?;
                        let brk = |seq, kind| Some(ChainBreak { seq, kind });
                        if seq > head_seq {
                            report.broken = brk(seq, BreakKind::BeyondHead);
                            break 'pages;
                        }
                        if seq != expected {
                            report.broken = brk(expected, BreakKind::Missing);
                            break 'pages;
                        }
                        let stored = hash32(r.try_get("hash")?)?;
                        let s = |c: &str| r.try_get::<Option<String>, _>(c);
                        let (role, dept, cat, kind, text, refusal) = (
                            s("actor_role")?,
                            s("actor_department")?,
                            s("category")?,
                            s("basis_kind")?,
                            s("basis_text")?,
                            s("refusal")?,
                        );
                        let purpose: String = r.try_get("purpose")?;
                        let action: String = r.try_get("action")?;
                        let detail: String = r.try_get("detail")?;
                        let fields = Fields {
                            seq,
                            at_us: r.try_get("at_us")?,
                            user_id: r.try_get("user_id")?,
                            actor_role: role.as_deref(),
                            actor_department: dept.as_deref(),
                            citizen_id: r.try_get("citizen_id")?,
                            category: cat.as_deref(),
                            purpose: &purpose,
                            action: &action,
                            basis_kind: kind.as_deref(),
                            basis_ref: r.try_get("basis_ref")?,
                            basis_text: text.as_deref(),
                            refusal: refusal.as_deref(),
                            detail: &detail,
                        };
                        if fields.hash(&prev) != stored {
                            report.broken = brk(seq, BreakKind::Altered);
                            break 'pages;
                        }
                        prev = stored;
                        report.entries += 1;
                        expected += 1;
                    }
                }
                if report.broken.is_none() {
                    let last = expected - 1;
                    if last < head_seq {
                        report.broken = Some(ChainBreak {
                            seq: expected,
                            kind: BreakKind::Missing,
                        });
                    } else if prev != head_hash {
                        report.broken = Some(ChainBreak {
                            seq: head_seq,
                            kind: BreakKind::HeadMismatch,
                        });
                    }
                }
                tx.commit().await?;
                Ok(report)
            }

            async fn load_register(
                &self,
                reg: &Register<Identified>,
                as_of: NaiveDate,
                audit: &AuditEntry,
            ) -> Result<LoadCounts> {
                let services = staged_services(reg);
                let mut tx = self.begin_write().await?;
                for ddl in $staging {
                    sqlx::query(ddl).execute(&mut *tx).await?;
                }
                for chunk in reg.persons.chunks(2000) {
                    let mut qb = QueryBuilder::<$Db>::new(
                        "INSERT INTO load_citizens (cpr, birth_date, sex, family_key) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        b.push_bind(p.cpr.to_string())
                            .push_bind(p.birth_date)
                            .push_bind(p.sex.code())
                            .push_bind(p.family.as_str());
                    });
                    qb.build()
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| unique_as(e, "person in the export (twice)"))?;
                }
                for chunk in services.chunks(1000) {
                    let mut qb = QueryBuilder::<$Db>::new(
                        "INSERT INTO load_services (cpr, code, name_da, department, \
                         legal_basis, unit, start_on, end_on, volume_milli, n) ",
                    );
                    qb.push_values(chunk, |mut b, s| {
                        b.push_bind(s.cpr.as_str())
                            .push_bind(s.code)
                            .push_bind(s.name_da)
                            .push_bind(s.department)
                            .push_bind(s.legal_basis)
                            .push_bind(s.unit)
                            .push_bind(s.start)
                            .push_bind(s.end)
                            .push_bind(s.volume)
                            .push_bind(s.n);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for ddl in $staged {
                    sqlx::query(ddl).execute(&mut *tx).await?;
                }
                let mut counts = LoadCounts {
                    citizens: reg.persons.len() as u64,
                    services: services.len() as u64,
                    ..LoadCounts::default()
                };
                let new: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM load_citizens l \
                     WHERE NOT EXISTS (SELECT 1 FROM citizens c WHERE c.cpr = l.cpr)",
                )
                .fetch_one(&mut *tx)
                .await?;
                counts.new = new as u64;
                let returned: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM citizens c JOIN load_citizens l ON l.cpr = c.cpr \
                     WHERE c.left_register_on IS NOT NULL",
                )
                .fetch_one(&mut *tx)
                .await?;
                counts.returned = returned as u64;
                sqlx::query(
                    "INSERT INTO citizens (cpr, birth_date, sex, family_key, first_loaded_on) \
                     SELECT cpr, birth_date, sex, family_key, $1 FROM load_citizens WHERE true \
                     ON CONFLICT (cpr) DO UPDATE SET birth_date = excluded.birth_date, \
                     sex = excluded.sex, family_key = excluded.family_key, \
                     left_register_on = NULL \
                     WHERE citizens.birth_date IS DISTINCT FROM excluded.birth_date \
                     OR citizens.sex IS DISTINCT FROM excluded.sex \
                     OR citizens.family_key IS DISTINCT FROM excluded.family_key \
                     OR citizens.left_register_on IS NOT NULL",
                )
                .bind(as_of)
                .execute(&mut *tx)
                .await?;
                counts.left = sqlx::query(
                    "UPDATE citizens SET left_register_on = $1 WHERE left_register_on IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM load_citizens l WHERE l.cpr = citizens.cpr)",
                )
                .bind(as_of)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                counts.services_removed = sqlx::query(&format!(
                    "DELETE FROM services WHERE id IN (SELECT v.id FROM services v \
                     JOIN citizens c ON c.id = v.citizen_id \
                     JOIN load_citizens l ON l.cpr = c.cpr \
                     WHERE NOT EXISTS (SELECT 1 FROM load_services s \
                     WHERE s.cpr = c.cpr AND {SAME_SERVICE}))"
                ))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                counts.services_added = sqlx::query(&format!(
                    "INSERT INTO services (citizen_id, code, name_da, department, legal_basis, \
                     unit, start_on, end_on, volume_milli, n) \
                     SELECT c.id, s.code, s.name_da, s.department, s.legal_basis, s.unit, \
                     s.start_on, s.end_on, s.volume_milli, s.n \
                     FROM load_services s JOIN citizens c ON c.cpr = s.cpr \
                     WHERE NOT EXISTS (SELECT 1 FROM services v WHERE v.citizen_id = c.id \
                     AND {SAME_SERVICE})"
                ))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Unit prices and booked amounts are replaced whole: they are the last load's.
                sqlx::query("DELETE FROM unit_prices").execute(&mut *tx).await?;
                let prices = staged_prices(reg);
                for chunk in prices.chunks(2000) {
                    let mut qb = QueryBuilder::<$Db>::new(
                        "INSERT INTO unit_prices (code, unit, year, price_oere) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        b.push_bind(p.0)
                            .push_bind(p.1)
                            .push_bind(p.2)
                            .push_bind(p.3);
                    });
                    qb.build()
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| unique_as(e, "unit price (twice for a service, unit and year)"))?;
                }
                sqlx::query("DELETE FROM booked_costs").execute(&mut *tx).await?;
                let booked = staged_booked(reg);
                for chunk in booked.chunks(2000) {
                    let mut qb =
                        QueryBuilder::<$Db>::new("WITH b (cpr, department, year, amount) AS (");
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.0.as_str())
                            .push_bind(r.1)
                            .push_bind(r.2)
                            .push_bind(r.3);
                    });
                    qb.push(
                        ") INSERT INTO booked_costs (citizen_id, department, year, amount_oere) \
                         SELECT c.id, b.department, b.year, b.amount \
                         FROM b JOIN citizens c ON c.cpr = b.cpr",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                sqlx::query("DROP TABLE load_citizens").execute(&mut *tx).await?;
                sqlx::query("DROP TABLE load_services").execute(&mut *tx).await?;
                let mut entry = audit.clone();
                entry.detail = format!(
                    "{} (citizens={}, new={}, returned={}, left={}, services={}, \
                     services_added={}, services_removed={})",
                    entry.detail,
                    counts.citizens,
                    counts.new,
                    counts.returned,
                    counts.left,
                    counts.services,
                    counts.services_added,
                    counts.services_removed
                );
                Self::append_in(&mut tx, std::slice::from_ref(&entry)).await?;
                tx.commit().await?;
                Ok(counts)
            }
        }

        impl $Store {
            async fn consent_rows(
                tx: &mut sqlx::Transaction<'static, $Db>,
                citizen: CitizenId,
            ) -> Result<Vec<ConsentRecord>> {
                let rows = sqlx::query(
                    "SELECT id, citizen_id, given_us, withdrawn_us, recorded_by, withdrawn_by, \
                     note FROM consents WHERE citizen_id = $1 ORDER BY id",
                )
                .bind(citizen.0)
                .fetch_all(&mut **tx)
                .await?;
                let scope_rows = sqlx::query(
                    "SELECT s.consent_id, s.viewer, s.category FROM consent_scope s \
                     JOIN consents c ON c.id = s.consent_id WHERE c.citizen_id = $1 \
                     ORDER BY s.consent_id, s.viewer, s.category",
                )
                .bind(citizen.0)
                .fetch_all(&mut **tx)
                .await?;
                let mut scopes: HashMap<i64, Vec<(Viewer, DataCategory)>> = HashMap::new();
                for r in &scope_rows {
                    scopes.entry(r.try_get("consent_id")?).or_default().push((
                        viewer_of(&r.try_get::<String, _>("viewer")?)?,
                        category_of(&r.try_get::<String, _>("category")?)?,
                    ));
                }
                rows.iter()
                    .map(|r| {
                        let id: i64 = r.try_get("id")?;
                        Ok(ConsentRecord {
                            consent: Consent {
                                id: ConsentId(id),
                                scope: scopes.remove(&id).unwrap_or_default(),
                                given_at: from_us(r.try_get("given_us")?)?,
                                withdrawn_at: opt_from_us(r.try_get("withdrawn_us")?)?,
                            },
                            citizen: CitizenId(r.try_get("citizen_id")?),
                            recorded_by: r.try_get::<Option<i64>, _>("recorded_by")?.map(UserId),
                            withdrawn_by: r.try_get::<Option<i64>, _>("withdrawn_by")?.map(UserId),
                            note: r.try_get("note")?,
                        })
                    })
                    .collect()
            }

            async fn legal_basis_rows(
                tx: &mut sqlx::Transaction<'static, $Db>,
            ) -> Result<Vec<LegalBasis>> {
                let rows = sqlx::query("SELECT viewer, category, text FROM legal_bases ORDER BY id")
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(LegalBasis {
                            viewer: viewer_of(&r.try_get::<String, _>("viewer")?)?,
                            category: category_of(&r.try_get::<String, _>("category")?)?,
                            text: r.try_get("text")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

backend!(
    SqliteStore,
    Sqlite,
    SqliteRow,
    head = "SELECT seq, hash FROM audit_head WHERE id = 1",
    staging = SQLITE_STAGING,
    staged = SQLITE_STAGED
);
backend!(
    PostgresStore,
    Postgres,
    PgRow,
    head = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    staging = PG_STAGING,
    staged = PG_STAGED
);

/// Either store, chosen at start-up by [`crate::open`].
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl AnyStore {
    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "sqlite",
            AnyStore::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(s) => s.close().await,
            AnyStore::Postgres(s) => s.close().await,
        }
    }
}

macro_rules! delegate {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        impl Store for AnyStore {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyStore::Sqlite(s) => s.$name($($arg),*).await,
                        AnyStore::Postgres(s) => s.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

delegate! {
    fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> Result<UserId>;
    fn user(&self, id: UserId) -> Result<Option<User>>;
    fn credentials(&self, username: &str) -> Result<Option<Credentials>>;
    fn users(&self) -> Result<Vec<User>>;
    fn set_user_disabled(&self, id: UserId, disabled_at: Option<DateTime<Utc>>, audit: &AuditEntry) -> Result<()>;
    fn set_password_hash(&self, id: UserId, password_hash: &str, audit: &AuditEntry) -> Result<()>;
    fn create_session(&self, session: &NewSession) -> Result<()>;
    fn session(&self, token_hash: &[u8; 32], now: DateTime<Utc>) -> Result<Option<Session>>;
    fn delete_session(&self, token_hash: &[u8; 32]) -> Result<()>;
    fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64>;
    fn record_login_failure(&self, username: &str, at: DateTime<Utc>) -> Result<()>;
    fn login_failures_since(&self, username: &str, since: DateTime<Utc>) -> Result<u64>;
    fn clear_login_failures(&self, username: &str) -> Result<()>;
    fn citizen(&self, id: CitizenId) -> Result<Option<Citizen>>;
    fn citizen_by_cpr(&self, cpr: &Cpr) -> Result<Option<Citizen>>;
    fn family(&self, id: CitizenId) -> Result<Vec<Citizen>>;
    fn services(&self, id: CitizenId) -> Result<Vec<ServiceRecord>>;
    fn citizens_of_user(&self, user: UserId) -> Result<Vec<Citizen>>;
    fn search_by_name(&self, query: &str, limit: u32) -> Result<Vec<Citizen>>;
    fn set_names(&self, names: &[(Cpr, String)], audit: &AuditEntry) -> Result<u64>;
    fn unit_prices_of(&self, id: CitizenId) -> Result<Vec<UnitPriceRecord>>;
    fn booked_costs(&self, id: CitizenId) -> Result<Vec<BookedCost>>;
    fn access_facts(&self, id: CitizenId) -> Result<CitizenFacts>;
    fn add_to_team(&self, citizen: CitizenId, user: UserId, added_by: Option<UserId>, at: DateTime<Utc>, audit: &AuditEntry) -> Result<()>;
    fn remove_from_team(&self, citizen: CitizenId, user: UserId, audit: &AuditEntry) -> Result<()>;
    fn team(&self, citizen: CitizenId) -> Result<Vec<TeamMember>>;
    fn record_consent(&self, consent: &NewConsent, audit: &AuditEntry) -> Result<ConsentId>;
    fn withdraw_consent(&self, id: ConsentId, at: DateTime<Utc>, by: Option<UserId>, audit: &AuditEntry) -> Result<()>;
    fn consents(&self, citizen: CitizenId) -> Result<Vec<ConsentRecord>>;
    fn consent(&self, id: ConsentId) -> Result<Option<ConsentRecord>>;
    fn add_legal_basis(&self, basis: &LegalBasis, audit: &AuditEntry) -> Result<()>;
    fn legal_bases(&self) -> Result<Vec<LegalBasis>>;
    fn grant_break_glass(&self, grant: &NewGrant, audit: &AuditEntry) -> Result<GrantId>;
    fn break_glass_grants(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<GrantRecord>>;
    fn add_note(&self, note: &NewNote, audit: &AuditEntry) -> Result<NoteId>;
    fn notes(&self, citizen: CitizenId, categories: &[DataCategory]) -> Result<Vec<Note>>;
    fn save_plan(&self, plan: &NewPlanVersion, audit: &AuditEntry) -> Result<i64>;
    fn plan(&self, citizen: CitizenId) -> Result<Option<PlanVersion>>;
    fn plan_versions(&self, citizen: CitizenId) -> Result<Vec<PlanVersion>>;
    fn record_progression(&self, record: &NewProgression, audit: &AuditEntry) -> Result<ProgressionId>;
    fn progression(&self, citizen: CitizenId) -> Result<Vec<Progression>>;
    fn append_audit(&self, entries: &[AuditEntry]) -> Result<Vec<i64>>;
    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>>;
    fn citizen_access_log(&self, citizen: CitizenId, since: DateTime<Utc>) -> Result<Vec<AccessLogLine>>;
    fn verify_audit_chain(&self) -> Result<ChainReport>;
    fn load_register(&self, register: &Register<Identified>, as_of: NaiveDate, audit: &AuditEntry) -> Result<LoadCounts>;
}
