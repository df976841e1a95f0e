//! One conformance suite for both stores, through the [`Store`] trait: every case runs on
//! SQLite (a file in a temporary folder) and on PostgreSQL (a fresh database with a random
//! name per test, dropped at the end; `tvaers_testkit::postgres()` decides whether it runs).
//! Tampering is done behind the trait's back, with SQL on the store's pool.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::sync::Arc;
use tvaers_core::access::{
    Basis, ConsentId, DataCategory, LegalBasis, Purpose, Role, Subject, UserId, Viewer, decide,
};
use tvaers_core::{
    AccountFunction, Catalogue, Cpr, Department, Identified, IdentifiedPerson, PersonIx, Quantity,
    Register, ServiceEntry, ServiceIx, ServiceKind, Sex, Spell, Unit,
};
use tvaers_store::*;
use tvaers_testkit::db::{Backend, TestDb};

// ---- fixtures ----------------------------------------------------------------------------

struct Db {
    store: AnyStore,
    db: TestDb,
}

impl Db {
    async fn sqlite() -> Db {
        let db = TestDb::new(Backend::Sqlite).await.unwrap();
        Db {
            store: open(&db.url).await.unwrap(),
            db,
        }
    }

    async fn postgres() -> Option<Db> {
        let db = TestDb::new(Backend::Postgres).await?;
        Some(Db {
            store: open(&db.url).await.unwrap(),
            db,
        })
    }

    /// Runs SQL behind the trait's back.
    async fn exec(&self, sql: &str) {
        match &self.store {
            AnyStore::Sqlite(s) => {
                sqlx::raw_sql(sql).execute(s.pool()).await.unwrap();
            }
            AnyStore::Postgres(s) => {
                sqlx::raw_sql(sql).execute(s.pool()).await.unwrap();
            }
        }
    }

    async fn close(self) {
        self.store.close().await;
        drop(self.db);
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::Db::sqlite().await;
                    super::$name(&db).await;
                    db.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = super::Db::postgres().await else { return };
                    super::$name(&db).await;
                    db.close().await;
                }
            )*
        }
    };
}

both!(
    users_and_credentials,
    sessions_expire_and_end_with_the_user,
    login_failures_are_counted,
    teams_consents_and_withdrawal_through_the_rule,
    break_the_glass_is_recorded_and_flagged,
    audit_appends_and_verifies,
    audit_edit_is_caught,
    audit_delete_is_caught,
    audit_delete_at_end_is_caught,
    audit_insert_is_caught,
    audit_reorder_is_caught,
    audit_chain_does_not_fork_under_concurrent_appends,
    dpo_queries_and_citizen_access_log,
    load_is_idempotent_and_marks_who_left,
    notes_and_consents_survive_reload,
    failed_load_leaves_the_previous_state,
    writes_and_their_audit_commit_together,
    plan_versions_and_optimistic_concurrency,
    concurrent_plan_saves_one_wins,
    progression_is_validated_and_audited,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn sys(detail: &str) -> AuditEntry {
    AuditEntry::write(
        None,
        None,
        None,
        Purpose::Administration,
        None,
        t0(),
        detail,
    )
}

async fn add_user(s: &AnyStore, name: &str, role: Role) -> UserId {
    s.create_user(
        &NewUser {
            username: name.into(),
            display_name: format!("{name} Jensen"),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            created_at: t0(),
        },
        &sys("user added"),
    )
    .await
    .unwrap()
}

fn entry(code: &str, dept: Department, legal: &str) -> ServiceEntry {
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
        tags: vec![],
    }
}

fn person(cpr: &str, family: &str) -> IdentifiedPerson {
    let cpr = Cpr::parse(cpr).unwrap();
    IdentifiedPerson {
        birth_date: cpr.birth_date().unwrap(),
        sex: cpr.sex(),
        cpr,
        family: family.into(),
    }
}

fn spell(p: u32, s: u32, start: NaiveDate, end: Option<NaiveDate>, vol: i64) -> Spell {
    Spell {
        person: PersonIx(p),
        service: ServiceIx(s),
        start,
        end,
        volume: Quantity(vol),
        contact: None,
    }
}

/// A small register: `cprs` persons, each with the spells `f(i)` gives.
fn register(persons: Vec<IdentifiedPerson>, spells: Vec<Spell>) -> Register<Identified> {
    Register {
        persons,
        relations: vec![],
        catalogue: Catalogue::new(vec![
            entry("KTH", Department::Employment, "LAS § 25"),
            entry("SEL85", Department::AdultSocial, "SEL § 85"),
            entry("HJS", Department::Health, "SUL § 138"),
        ])
        .unwrap(),
        contacts: vec![],
        spells,
        postings: vec![],
        prices: vec![],
    }
}

const A: &str = "610180-1235";
const B: &str = "620285-2346";
const C: &str = "630390-3457";

fn night1() -> Register<Identified> {
    register(
        vec![person(A, "F1"), person(B, "F1"), person(C, "F2")],
        vec![
            spell(0, 0, day(2024, 1, 1), None, 1000),
            spell(0, 1, day(2024, 2, 1), Some(day(2024, 6, 30)), 3000),
            // The same spell twice: both survive.
            spell(0, 1, day(2024, 2, 1), Some(day(2024, 6, 30)), 3000),
            spell(1, 2, day(2024, 3, 1), None, 2000),
            spell(2, 0, day(2024, 1, 1), Some(day(2024, 12, 31)), 1000),
        ],
    )
}

async fn loaded(s: &AnyStore) -> (CitizenId, CitizenId, CitizenId) {
    s.load_register(&night1(), day(2025, 3, 1), &sys("load"))
        .await
        .unwrap();
    let id = |c| async move {
        s.citizen_by_cpr(&Cpr::parse(c).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    };
    (id(A).await, id(B).await, id(C).await)
}

fn subject(id: UserId, role: Role) -> Subject {
    Subject { id, role }
}

// ---- cases -------------------------------------------------------------------------------

async fn users_and_credentials(db: &Db) {
    let s = &db.store;
    let role = Role::Caseworker {
        department: Department::Health,
    };
    let id = add_user(s, "ann", role).await;
    let u = s.user(id).await.unwrap().unwrap();
    assert_eq!(u.username, "ann");
    assert_eq!(u.role, role);
    assert_eq!(u.created_at, t0());
    let c = s.credentials("ann").await.unwrap().unwrap();
    assert!(c.password_hash.starts_with("$argon2id$"));
    assert!(!format!("{c:?}").contains("argon2"), "Debug hides the hash");
    assert!(s.credentials("nobody").await.unwrap().is_none());
    // A taken username is a conflict, and nothing of it is written (no audit entry either).
    let before = s.verify_audit_chain().await.unwrap().head_seq;
    let again = s
        .create_user(
            &NewUser {
                username: "ann".into(),
                display_name: "Other".into(),
                role: Role::Analyst,
                password_hash: "x".into(),
                created_at: t0(),
            },
            &sys("user added"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(s.verify_audit_chain().await.unwrap().head_seq, before);
    add_user(s, "bo", Role::Coordinator).await;
    let names: Vec<String> = s
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["ann", "bo"]);
    s.set_password_hash(id, "$argon2id$new", &sys("password"))
        .await
        .unwrap();
    assert_eq!(
        s.credentials("ann").await.unwrap().unwrap().password_hash,
        "$argon2id$new"
    );
    assert!(matches!(
        s.set_password_hash(UserId(999), "x", &sys("password"))
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn sessions_expire_and_end_with_the_user(db: &Db) {
    let s = &db.store;
    let id = add_user(s, "ann", Role::Coordinator).await;
    let token = random_secret();
    let hash = session_token_hash(&token);
    let csrf = random_secret();
    s.create_session(&NewSession {
        token_hash: hash,
        user: id,
        created_at: t0(),
        expires_at: t0() + Duration::hours(8),
        csrf_secret: csrf,
    })
    .await
    .unwrap();
    let found = s
        .session(&hash, t0() + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.id, id);
    assert_eq!(found.csrf_secret, csrf);
    assert!(
        s.session(&hash, t0() + Duration::hours(8))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.session(&session_token_hash(b"other"), t0())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        s.delete_expired_sessions(t0() + Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        s.delete_expired_sessions(t0() + Duration::hours(9))
            .await
            .unwrap(),
        1
    );
    // Disabling a user ends their sessions.
    s.create_session(&NewSession {
        token_hash: hash,
        user: id,
        created_at: t0(),
        expires_at: t0() + Duration::hours(8),
        csrf_secret: csrf,
    })
    .await
    .unwrap();
    s.set_user_disabled(id, Some(t0()), &sys("disabled"))
        .await
        .unwrap();
    assert!(s.session(&hash, t0()).await.unwrap().is_none());
    assert!(s.user(id).await.unwrap().unwrap().disabled_at.is_some());
    s.set_user_disabled(id, None, &sys("enabled"))
        .await
        .unwrap();
    assert!(
        s.session(&hash, t0()).await.unwrap().is_none(),
        "ended, not paused"
    );
    s.create_session(&NewSession {
        token_hash: hash,
        user: id,
        created_at: t0(),
        expires_at: t0() + Duration::hours(8),
        csrf_secret: csrf,
    })
    .await
    .unwrap();
    assert!(s.session(&hash, t0()).await.unwrap().is_some());
    s.delete_session(&hash).await.unwrap();
    assert!(s.session(&hash, t0()).await.unwrap().is_none());
}

async fn login_failures_are_counted(db: &Db) {
    let s = &db.store;
    for m in 0..3 {
        s.record_login_failure("ann", t0() + Duration::minutes(m))
            .await
            .unwrap();
    }
    s.record_login_failure("bo", t0()).await.unwrap();
    assert_eq!(s.login_failures_since("ann", t0()).await.unwrap(), 3);
    assert_eq!(
        s.login_failures_since("ann", t0() + Duration::minutes(1))
            .await
            .unwrap(),
        2
    );
    s.clear_login_failures("ann").await.unwrap();
    assert_eq!(s.login_failures_since("ann", t0()).await.unwrap(), 0);
    assert_eq!(s.login_failures_since("bo", t0()).await.unwrap(), 1);
}

async fn teams_consents_and_withdrawal_through_the_rule(db: &Db) {
    let s = &db.store;
    let (a, _, _) = loaded(s).await;
    let emp = Role::Caseworker {
        department: Department::Employment,
    };
    let ann = add_user(s, "ann", emp).await;
    let me = subject(ann, emp);
    let health = DataCategory::Services(Department::Health);
    let social = DataCategory::Services(Department::AdultSocial);
    let at = t0() + Duration::hours(1);
    let decide_now = |facts: &tvaers_core::access::CitizenFacts, cat, now| {
        decide(&me, facts, cat, Purpose::CaseProcessing, now)
    };

    // Not on the team: nothing.
    let f = s.access_facts(a).await.unwrap();
    assert!(!decide_now(&f, DataCategory::Basic, at).allowed);
    assert!(matches!(
        s.access_facts(CitizenId(999_999)).await,
        Err(StoreError::NotFound(_))
    ));

    let w = |detail| {
        AuditEntry::write(
            Some(me),
            Some(a),
            None,
            Purpose::CaseProcessing,
            None,
            at,
            detail,
        )
    };
    s.add_to_team(a, ann, Some(ann), at, &w("team"))
        .await
        .unwrap();
    s.add_to_team(a, ann, Some(ann), at, &w("team again"))
        .await
        .unwrap();
    assert_eq!(s.team(a).await.unwrap().len(), 1);
    assert_eq!(s.citizens_of_user(ann).await.unwrap()[0].id, a);
    let f = s.access_facts(a).await.unwrap();
    assert_eq!(f.team, vec![ann]);
    assert!(decide_now(&f, DataCategory::Basic, at).allowed);
    // Own department with the legal basis of the citizen's services.
    assert_eq!(
        decide_now(&f, DataCategory::Services(Department::Employment), at).basis,
        Some(Basis::OwnDepartment {
            department: Department::Employment,
            legal_basis: vec!["LAS § 25".into()]
        })
    );
    assert!(!decide_now(&f, health, at).allowed);

    // A legal basis for a sensitive category is stored, but does not open it.
    s.add_legal_basis(
        &LegalBasis {
            viewer: Viewer::Department(Department::Employment),
            category: health,
            text: "not enough".into(),
        },
        &sys("legal basis"),
    )
    .await
    .unwrap();
    assert_eq!(s.legal_bases().await.unwrap().len(), 1);
    let f = s.access_facts(a).await.unwrap();
    assert!(!decide_now(&f, health, at).allowed);

    // Consent opens health; withdrawal closes it from that moment.
    let cid = s
        .record_consent(
            &NewConsent {
                citizen: a,
                scope: vec![
                    (Viewer::Department(Department::Employment), health),
                    (Viewer::Coordinator, social),
                ],
                given_at: at,
                recorded_by: Some(ann),
                note: "samtykkeerklæring 2025-03".into(),
            },
            &w("consent"),
        )
        .await
        .unwrap();
    let f = s.access_facts(a).await.unwrap();
    assert_eq!(
        decide_now(&f, health, at).basis,
        Some(Basis::Consent { consent_id: cid })
    );
    assert!(!decide_now(&f, social, at).allowed, "scope is per viewer");
    let withdrawn = at + Duration::minutes(30);
    s.withdraw_consent(cid, withdrawn, Some(ann), &w("withdrawn"))
        .await
        .unwrap();
    assert!(matches!(
        s.withdraw_consent(cid, withdrawn, Some(ann), &w("withdrawn"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let f = s.access_facts(a).await.unwrap();
    assert!(decide_now(&f, health, withdrawn - Duration::seconds(1)).allowed);
    assert!(!decide_now(&f, health, withdrawn).allowed);
    let recs = s.consents(a).await.unwrap();
    assert_eq!(recs.len(), 1);
    // One consent by id, with its citizen; an unknown id is none.
    let one = s.consent(cid).await.unwrap().unwrap();
    assert_eq!(one, recs[0]);
    assert_eq!(one.citizen, a);
    assert!(s.consent(ConsentId(cid.0 + 1000)).await.unwrap().is_none());
    assert_eq!(recs[0].withdrawn_by, Some(ann));
    assert_eq!(recs[0].consent.scope.len(), 2);
    assert_eq!(recs[0].note, "samtykkeerklæring 2025-03");

    s.remove_from_team(a, ann, &w("off team")).await.unwrap();
    assert!(s.team(a).await.unwrap().is_empty());
    assert!(matches!(
        s.remove_from_team(a, ann, &w("off team")).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(s.verify_audit_chain().await.unwrap().broken.is_none());
}

async fn break_the_glass_is_recorded_and_flagged(db: &Db) {
    let s = &db.store;
    let (a, _, _) = loaded(s).await;
    let role = Role::Caseworker {
        department: Department::Elderly,
    };
    let ann = add_user(s, "ann", role).await;
    let me = subject(ann, role);
    let at = t0() + Duration::hours(2);
    let w = |detail| {
        AuditEntry::write(
            Some(me),
            Some(a),
            None,
            Purpose::CaseProcessing,
            None,
            at,
            detail,
        )
    };
    for (reason, until) in [("", at + Duration::hours(1)), ("acute", at)] {
        let r = s
            .grant_break_glass(
                &NewGrant {
                    citizen: a,
                    user: ann,
                    reason: reason.into(),
                    from: at,
                    until,
                },
                &w("btg"),
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    }
    let gid = s
        .grant_break_glass(
            &NewGrant {
                citizen: a,
                user: ann,
                reason: "Borgeren er indlagt akut; vagten skal kende medicinen".into(),
                from: at,
                until: at + Duration::hours(4),
            },
            &w("btg granted"),
        )
        .await
        .unwrap();
    let f = s.access_facts(a).await.unwrap();
    let health = DataCategory::Services(Department::Health);
    let d = decide(
        &me,
        &f,
        health,
        Purpose::CaseProcessing,
        at + Duration::hours(1),
    );
    assert!(d.is_break_the_glass());
    let seq = s
        .append_audit(&[AuditEntry::access(
            me,
            a,
            health,
            Purpose::CaseProcessing,
            &d,
            at + Duration::hours(1),
            "opened services",
        )])
        .await
        .unwrap();
    assert!(
        !decide(
            &me,
            &f,
            health,
            Purpose::CaseProcessing,
            at + Duration::hours(4)
        )
        .allowed
    );
    let grants = s
        .break_glass_grants(at - Duration::days(1), at + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].grant.id, gid);
    assert!(
        s.break_glass_grants(at + Duration::hours(4), at + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
    let flagged = s
        .audit_entries(&AuditFilter {
            break_the_glass_only: true,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].seq, seq[0]);
    assert!(matches!(
        &flagged[0].basis,
        Some(Basis::BreakTheGlass { grant_id, reason }) if *grant_id == gid && reason.contains("akut")
    ));
}

/// `n` read entries by user 1 on citizen 1.
fn reads(n: usize, base: DateTime<Utc>) -> Vec<AuditEntry> {
    let me = subject(
        UserId(1),
        Role::Caseworker {
            department: Department::Health,
        },
    );
    (0..n)
        .map(|i| AuditEntry {
            at: base + Duration::seconds(i as i64),
            actor: Some(me),
            citizen: Some(CitizenId(1)),
            category: Some(DataCategory::Basic),
            purpose: Purpose::CaseProcessing,
            action: AuditAction::Read,
            basis: Some(Basis::Team),
            refusal: None,
            detail: format!("read {i}"),
        })
        .collect()
}

async fn audit_appends_and_verifies(db: &Db) {
    let s = &db.store;
    let empty = s.verify_audit_chain().await.unwrap();
    assert_eq!((empty.entries, empty.head_seq, empty.broken), (0, 0, None));
    let seqs = s.append_audit(&reads(5, t0())).await.unwrap();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_eq!(s.append_audit(&[]).await.unwrap(), Vec::<i64>::new());
    let r = s.verify_audit_chain().await.unwrap();
    assert_eq!((r.entries, r.head_seq, r.broken), (5, 5, None));
    let stored = s.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(stored.len(), 5);
    assert_eq!(stored[4].hash, r.head_hash);
    assert_eq!(stored[0].detail, "read 0");
    assert_eq!(stored[0].at, t0());
    assert_eq!(stored[0].actor_department, Some(Department::Health));
    // Sub-microsecond parts are truncated, and the chain still verifies.
    let odd = t0() + Duration::nanoseconds(1_234_567);
    s.append_audit(&reads(1, odd)).await.unwrap();
    assert!(s.verify_audit_chain().await.unwrap().broken.is_none());
}

async fn expect_break(db: &Db, seq: i64, kind: BreakKind) {
    let r = db.store.verify_audit_chain().await.unwrap();
    assert_eq!(r.broken, Some(ChainBreak { seq, kind }), "{r:?}");
}

async fn audit_edit_is_caught(db: &Db) {
    db.store.append_audit(&reads(10, t0())).await.unwrap();
    db.exec("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 4")
        .await;
    expect_break(db, 4, BreakKind::Altered).await;
}

async fn audit_delete_is_caught(db: &Db) {
    db.store.append_audit(&reads(10, t0())).await.unwrap();
    db.exec("DELETE FROM audit_log WHERE seq = 6").await;
    expect_break(db, 6, BreakKind::Missing).await;
}

async fn audit_delete_at_end_is_caught(db: &Db) {
    db.store.append_audit(&reads(10, t0())).await.unwrap();
    db.exec("DELETE FROM audit_log WHERE seq >= 9").await;
    expect_break(db, 9, BreakKind::Missing).await;
}

async fn audit_insert_is_caught(db: &Db) {
    db.store.append_audit(&reads(10, t0())).await.unwrap();
    // A copy of entry 10 as entry 11, beyond the head.
    db.exec(
        "INSERT INTO audit_log (seq, at_us, user_id, actor_role, actor_department, citizen_id, \
         category, purpose, action, basis_kind, basis_ref, basis_text, refusal, detail, hash) \
         SELECT 11, at_us, user_id, actor_role, actor_department, citizen_id, category, purpose, \
         action, basis_kind, basis_ref, basis_text, refusal, detail, hash FROM audit_log \
         WHERE seq = 10",
    )
    .await;
    expect_break(db, 11, BreakKind::BeyondHead).await;
    // Inserting in the middle means moving the later entries up: caught where it starts.
    db.exec("DELETE FROM audit_log WHERE seq = 11").await;
    db.exec("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 5")
        .await;
    db.exec("UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1005")
        .await;
    db.exec("UPDATE audit_head SET seq = 11").await;
    db.exec(
        "INSERT INTO audit_log (seq, at_us, user_id, actor_role, actor_department, citizen_id, \
         category, purpose, action, basis_kind, basis_ref, basis_text, refusal, detail, hash) \
         SELECT 5, at_us, user_id, actor_role, actor_department, citizen_id, category, purpose, \
         action, basis_kind, basis_ref, basis_text, refusal, 'inserted', hash FROM audit_log \
         WHERE seq = 4",
    )
    .await;
    expect_break(db, 5, BreakKind::Altered).await;
}

async fn audit_reorder_is_caught(db: &Db) {
    db.store.append_audit(&reads(10, t0())).await.unwrap();
    // Swap entries 3 and 7 whole (hashes included).
    db.exec("UPDATE audit_log SET seq = -3 WHERE seq = 3").await;
    db.exec("UPDATE audit_log SET seq = 3 WHERE seq = 7").await;
    db.exec("UPDATE audit_log SET seq = 7 WHERE seq = -3").await;
    expect_break(db, 3, BreakKind::Altered).await;
}

async fn audit_chain_does_not_fork_under_concurrent_appends(db: &Db) {
    let store = Arc::new(db.store.clone());
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..50 {
                let mut e = reads(1, t0() + Duration::seconds(i));
                e[0].detail = format!("task {t} entry {i}");
                seqs.extend(s.append_audit(&e).await.unwrap());
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (1..=400).collect::<Vec<i64>>());
    let r = store.verify_audit_chain().await.unwrap();
    assert_eq!((r.entries, r.head_seq, r.broken), (400, 400, None));
}

async fn dpo_queries_and_citizen_access_log(db: &Db) {
    let s = &db.store;
    let (a, b, _) = loaded(s).await;
    let emp = Role::Caseworker {
        department: Department::Employment,
    };
    let ann = add_user(s, "ann", emp).await;
    let bo = add_user(s, "bo", Role::Coordinator).await;
    let now = t0() + Duration::days(800);
    let old = now - Duration::days(2 * 365 + 10);
    let recent = now - Duration::days(30);
    let basic = DataCategory::Basic;
    let allowed = tvaers_core::access::Decision {
        allowed: true,
        basis: Some(Basis::Team),
        reason: tvaers_core::access::Reason::TeamMember,
    };
    let refused = tvaers_core::access::Decision {
        allowed: false,
        basis: None,
        reason: tvaers_core::access::Reason::NotOnTeam,
    };
    let e = |who: Subject, c, d: &tvaers_core::access::Decision, at| {
        AuditEntry::access(who, c, basic, Purpose::CaseProcessing, d, at, "page")
    };
    s.append_audit(&[
        e(subject(ann, emp), a, &allowed, old),
        e(subject(ann, emp), a, &allowed, recent),
        e(
            subject(bo, Role::Coordinator),
            a,
            &allowed,
            recent + Duration::hours(1),
        ),
        e(
            subject(bo, Role::Coordinator),
            a,
            &refused,
            recent + Duration::hours(2),
        ),
        e(subject(ann, emp), b, &allowed, recent),
    ])
    .await
    .unwrap();
    let q = |f: AuditFilter| async move { s.audit_entries(&f).await.unwrap() };
    let of_a = q(AuditFilter {
        citizen: Some(a),
        ..Default::default()
    })
    .await;
    assert_eq!(of_a.len(), 4);
    let by_ann = q(AuditFilter {
        user: Some(ann),
        ..Default::default()
    })
    .await;
    assert_eq!(by_ann.len(), 3);
    let period = q(AuditFilter {
        citizen: Some(a),
        from: Some(recent),
        until: Some(recent + Duration::hours(2)),
        ..Default::default()
    })
    .await;
    assert_eq!(period.len(), 2);
    let refusals: Vec<_> = of_a
        .iter()
        .filter(|r| r.action == AuditAction::Refused)
        .collect();
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].refusal.as_deref(), Some("not_on_team"));
    let page = q(AuditFilter {
        after_seq: Some(of_a[0].seq),
        limit: Some(2),
        ..Default::default()
    })
    .await;
    assert_eq!(page.len(), 2);
    assert!(page[0].seq > of_a[0].seq);

    // The citizen's log: two years back, no employee, no refusals.
    let log = s
        .citizen_access_log(a, now - Duration::days(2 * 365))
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].department, Some(Department::Employment));
    assert_eq!(log[0].role, None);
    assert_eq!(log[1].department, None);
    assert_eq!(log[1].role.as_deref(), Some("coordinator"));
    assert_eq!(log[1].purpose, Purpose::CaseProcessing);
    assert!(!format!("{log:?}").contains("ann"));
    assert_eq!(
        s.citizen_access_log(a, old - Duration::days(1))
            .await
            .unwrap()
            .len(),
        3
    );
}

/// Citizens and services as plain rows, to compare two states.
async fn snapshot(s: &AnyStore, cprs: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for c in cprs {
        match s.citizen_by_cpr(&Cpr::parse(c).unwrap()).await.unwrap() {
            None => out.push(format!("{c}: absent")),
            Some(cit) => {
                out.push(format!("{cit:?} {}", cit.family_key));
                for sv in s.services(cit.id).await.unwrap() {
                    out.push(format!("  {sv:?}"));
                }
            }
        }
    }
    out
}

async fn load_is_idempotent_and_marks_who_left(db: &Db) {
    let s = &db.store;
    let n1 = s
        .load_register(&night1(), day(2025, 3, 1), &sys("load"))
        .await
        .unwrap();
    assert_eq!(
        (n1.citizens, n1.new, n1.left, n1.services, n1.services_added),
        (3, 3, 0, 5, 5)
    );
    let first = snapshot(s, &[A, B, C]).await;
    let again = s
        .load_register(&night1(), day(2025, 3, 2), &sys("load"))
        .await
        .unwrap();
    assert_eq!(
        (
            again.new,
            again.left,
            again.services_added,
            again.services_removed
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(
        snapshot(s, &[A, B, C]).await,
        first,
        "loading twice changes nothing"
    );
    let a = s
        .citizen_by_cpr(&Cpr::parse(A).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.services(a.id).await.unwrap().len(), 3);
    assert_eq!(a.first_loaded_on, day(2025, 3, 1));
    assert_eq!(a.sex, Sex::Male);
    assert_eq!(s.family(a.id).await.unwrap().len(), 2);

    // Next night: C has left, A's spell changed, D is new.
    let d = "640495-4568";
    let night2 = register(
        vec![person(A, "F1"), person(B, "F1"), person(d, "F3")],
        vec![
            spell(0, 0, day(2024, 1, 1), Some(day(2025, 2, 28)), 1000),
            spell(1, 2, day(2024, 3, 1), None, 2000),
            spell(2, 0, day(2025, 1, 1), None, 1000),
        ],
    );
    let n2 = s
        .load_register(&night2, day(2025, 3, 3), &sys("load"))
        .await
        .unwrap();
    assert_eq!((n2.new, n2.left, n2.returned), (1, 1, 0));
    assert_eq!((n2.services_added, n2.services_removed), (2, 3));
    let c = s
        .citizen_by_cpr(&Cpr::parse(C).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.left_register_on, Some(day(2025, 3, 3)));
    assert_eq!(
        s.services(c.id).await.unwrap().len(),
        1,
        "kept, not deleted"
    );
    let a_services = s.services(a.id).await.unwrap();
    assert_eq!(a_services.len(), 1);
    assert_eq!(a_services[0].end, Some(day(2025, 2, 28)));
    // Loading night 2 again: C stays left on the first date.
    s.load_register(&night2, day(2025, 3, 4), &sys("load"))
        .await
        .unwrap();
    let c2 = s
        .citizen_by_cpr(&Cpr::parse(C).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c2.left_register_on, Some(day(2025, 3, 3)));
    // C comes back.
    let n3 = s
        .load_register(&night1(), day(2025, 3, 5), &sys("load"))
        .await
        .unwrap();
    assert_eq!((n3.returned, n3.left), (1, 1));
    let c3 = s
        .citizen_by_cpr(&Cpr::parse(C).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c3.left_register_on, None);
    assert_eq!(c3.id, c.id);
    assert_eq!(snapshot(s, &[A, B, C]).await, first);
    // Every load is in the audit log, and the chain holds.
    let loads = s.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(loads.len(), 5);
    assert!(loads[0].detail.contains("citizens=3"));
    assert!(s.verify_audit_chain().await.unwrap().broken.is_none());
}

async fn notes_and_consents_survive_reload(db: &Db) {
    let s = &db.store;
    let (a, _, c) = loaded(s).await;
    let role = Role::Caseworker {
        department: Department::Employment,
    };
    let ann = add_user(s, "ann", role).await;
    let me = subject(ann, role);
    let w = |detail| {
        AuditEntry::write(
            Some(me),
            Some(a),
            None,
            Purpose::CaseProcessing,
            None,
            t0(),
            detail,
        )
    };
    let emp = DataCategory::Services(Department::Employment);
    s.add_to_team(a, ann, None, t0(), &w("team")).await.unwrap();
    s.add_to_team(c, ann, None, t0(), &w("team")).await.unwrap();
    let note = s
        .add_note(
            &NewNote {
                citizen: a,
                author: ann,
                category: emp,
                written_at: t0(),
                text: "Borgeren ønsker møde om formiddagen; «citat» & æøå".into(),
            },
            &w("note"),
        )
        .await
        .unwrap();
    s.add_note(
        &NewNote {
            citizen: c,
            author: ann,
            category: emp,
            written_at: t0(),
            text: "note on C".into(),
        },
        &w("note"),
    )
    .await
    .unwrap();
    s.record_consent(
        &NewConsent {
            citizen: a,
            scope: vec![(Viewer::Coordinator, emp)],
            given_at: t0(),
            recorded_by: Some(ann),
            note: String::new(),
        },
        &w("consent"),
    )
    .await
    .unwrap();
    // Reload twice, the second time without C.
    s.load_register(&night1(), day(2025, 3, 2), &sys("load"))
        .await
        .unwrap();
    let without_c = register(vec![person(A, "F1"), person(B, "F1")], vec![]);
    s.load_register(&without_c, day(2025, 3, 3), &sys("load"))
        .await
        .unwrap();
    let notes = s.notes(a, &[emp]).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].id, note);
    assert!(notes[0].text.contains("«citat» & æøå"));
    assert!(s.notes(a, &[DataCategory::Basic]).await.unwrap().is_empty());
    assert!(s.notes(a, &[]).await.unwrap().is_empty());
    assert_eq!(s.notes(c, &[emp]).await.unwrap().len(), 1);
    assert_eq!(s.consents(a).await.unwrap().len(), 1);
    assert_eq!(s.team(a).await.unwrap().len(), 1);
    assert_eq!(s.team(c).await.unwrap().len(), 1);
    assert!(
        s.services(a).await.unwrap().is_empty(),
        "A's services follow the export"
    );
}

async fn failed_load_leaves_the_previous_state(db: &Db) {
    let s = &db.store;
    loaded(s).await;
    let before = snapshot(s, &[A, B, C, "640495-4568"]).await;
    let head = s.verify_audit_chain().await.unwrap().head_seq;
    // A new citizen, C gone, and a last spell the database refuses (negative volume): the
    // citizens are upserted and C marked as left before the services fail.
    let bad = register(
        vec![
            person(A, "F9"),
            person(B, "F1"),
            person("640495-4568", "F3"),
        ],
        vec![
            spell(0, 0, day(2024, 1, 1), None, 1000),
            spell(2, 0, day(2024, 1, 1), None, -1),
        ],
    );
    let r = s.load_register(&bad, day(2025, 3, 9), &sys("load")).await;
    assert!(r.is_err());
    assert_eq!(snapshot(s, &[A, B, C, "640495-4568"]).await, before);
    assert_eq!(s.verify_audit_chain().await.unwrap().head_seq, head);
    // The store is usable afterwards (no staging table left behind).
    s.load_register(&night1(), day(2025, 3, 10), &sys("load"))
        .await
        .unwrap();
    assert_eq!(snapshot(s, &[A, B, C, "640495-4568"]).await, before);
}

async fn writes_and_their_audit_commit_together(db: &Db) {
    let s = &db.store;
    let (a, _, _) = loaded(s).await;
    let ann = add_user(s, "ann", Role::Coordinator).await;
    let head = s.verify_audit_chain().await.unwrap().head_seq;
    // A write that fails (unknown citizen) appends nothing.
    let w = AuditEntry::write(
        None,
        Some(CitizenId(999)),
        None,
        Purpose::CaseProcessing,
        None,
        t0(),
        "team",
    );
    assert!(
        s.add_to_team(CitizenId(999), ann, None, t0(), &w)
            .await
            .is_err()
    );
    assert!(s.add_to_team(a, UserId(999), None, t0(), &w).await.is_err());
    assert_eq!(s.verify_audit_chain().await.unwrap().head_seq, head);
    // A write whose audit entry cannot be stored is not written. (Sabotage the chain head so
    // that the append fails.)
    db.exec("DELETE FROM audit_head").await;
    let r = s
        .add_note(
            &NewNote {
                citizen: a,
                author: ann,
                category: DataCategory::Basic,
                written_at: t0(),
                text: "lost".into(),
            },
            &w,
        )
        .await;
    assert!(r.is_err());
    assert!(s.notes(a, &[DataCategory::Basic]).await.unwrap().is_empty());
}

// ---- the plan and progression -------------------------------------------------------------

fn plan_write(who: Subject, c: CitizenId, detail: &str) -> AuditEntry {
    AuditEntry::write(
        Some(who),
        Some(c),
        Some(DataCategory::Basic),
        Purpose::CaseProcessing,
        Some(Basis::Team),
        t0(),
        detail,
    )
}

fn a_plan(goal_text: &str) -> PlanContent {
    PlanContent {
        goal: Some(StaircaseStep::CloseToLabourMarket),
        goal_text: goal_text.into(),
        sub_goals: vec![SubGoal {
            id: 1,
            text: "Stabil bolig".into(),
        }],
        interventions: vec![Intervention {
            goal: 1,
            text: "Bostøtte to timer om ugen".into(),
            department: Department::AdultSocial,
            legal_basis: "SEL § 85".into(),
        }],
        coordinator: None,
        contacts: vec![ContactPerson {
            name: "Mette".into(),
            role: "Mentor".into(),
            phone: "12345678".into(),
        }],
        meetings: vec![Meeting {
            at: day(2025, 3, 4).and_hms_opt(10, 0, 0).unwrap(),
            place: "Jobcentret".into(),
        }],
    }
}

fn save(c: CitizenId, by: UserId, based_on: i64, content: PlanContent) -> NewPlanVersion {
    NewPlanVersion {
        citizen: c,
        based_on,
        saved_by: by,
        saved_at: t0() + Duration::minutes(based_on),
        content,
    }
}

async fn plan_versions_and_optimistic_concurrency(db: &Db) {
    let s = &db.store;
    let (a, b, _) = loaded(s).await;
    let ann = add_user(s, "ann", Role::Coordinator).await;
    let bo = add_user(s, "bo", Role::Coordinator).await;
    let who = subject(ann, Role::Coordinator);
    assert_eq!(s.plan(a).await.unwrap(), None);
    assert!(s.plan_versions(a).await.unwrap().is_empty());

    let v1 = s
        .save_plan(
            &save(a, ann, 0, a_plan("Job i butik")),
            &plan_write(who, a, "plan saved"),
        )
        .await
        .unwrap();
    assert_eq!(v1, 1);
    let mut second = a_plan("Job i butik eller lager");
    second.coordinator = Some(ann.0);
    let v2 = s
        .save_plan(
            &save(a, bo, 1, second.clone()),
            &plan_write(who, a, "plan saved"),
        )
        .await
        .unwrap();
    assert_eq!(v2, 2);
    let head = s.verify_audit_chain().await.unwrap().head_seq;

    // A save based on version 1 after version 2: refused, nothing written, no audit entry.
    let stale = s
        .save_plan(
            &save(a, ann, 1, a_plan("lost?")),
            &plan_write(who, a, "plan saved"),
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::Stale { current: 2 })),
        "{stale:?}"
    );
    // Also a first save when a plan exists.
    assert!(matches!(
        s.save_plan(
            &save(a, ann, 0, a_plan("x")),
            &plan_write(who, a, "plan saved")
        )
        .await,
        Err(StoreError::Stale { current: 2 })
    ));
    assert_eq!(s.verify_audit_chain().await.unwrap().head_seq, head);

    let current = s.plan(a).await.unwrap().unwrap();
    assert_eq!(current.version, 2);
    assert_eq!(current.saved_by, bo);
    assert_eq!(current.content, second);
    let all = s.plan_versions(a).await.unwrap();
    assert_eq!(all.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(all[0].content.goal_text, "Job i butik");
    assert_eq!(all[0].saved_by, ann);
    assert_eq!(all[0].saved_at, t0());
    assert_eq!(all[1].saved_at, t0() + Duration::minutes(1));
    // Plans are per citizen.
    assert_eq!(s.plan(b).await.unwrap(), None);

    // Every save has its audit entry, with the version.
    let entries = s
        .audit_entries(&AuditFilter {
            citizen: Some(a),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let saves: Vec<_> = entries
        .iter()
        .filter(|e| e.action == AuditAction::Write && e.detail.starts_with("plan saved"))
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(saves, ["plan saved (version 1)", "plan saved (version 2)"]);

    // Invalid content and unknown citizens are refused.
    let mut bad = a_plan("x");
    bad.interventions[0].goal = 9;
    assert!(matches!(
        s.save_plan(&save(a, ann, 2, bad), &plan_write(who, a, "plan saved"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.save_plan(
            &save(CitizenId(999), ann, 0, a_plan("x")),
            &plan_write(who, a, "plan saved")
        )
        .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.plan(a).await.unwrap().unwrap().version, 2);
    assert_eq!(s.verify_audit_chain().await.unwrap().head_seq, head);
    assert!(s.verify_audit_chain().await.unwrap().broken.is_none());
}

async fn concurrent_plan_saves_one_wins(db: &Db) {
    let s = Arc::new(db.store.clone());
    let (a, _, _) = loaded(&s).await;
    let ann = add_user(&s, "ann", Role::Coordinator).await;
    let who = subject(ann, Role::Coordinator);
    s.save_plan(
        &save(a, ann, 0, a_plan("start")),
        &plan_write(who, a, "plan saved"),
    )
    .await
    .unwrap();
    for round in 0..5 {
        let base = s.plan(a).await.unwrap().unwrap().version;
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.save_plan(
                        &save(a, ann, base, a_plan(&format!("round {round} writer {i}"))),
                        &plan_write(who, a, "plan saved"),
                    )
                    .await
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(v) => {
                    assert_eq!(v, base + 1);
                    won += 1;
                }
                Err(StoreError::Stale { .. }) => {}
                Err(e) => panic!("a concurrent save failed otherwise: {e}"),
            }
        }
        assert_eq!(won, 1, "exactly one of the concurrent saves wins");
    }
    assert_eq!(s.plan_versions(a).await.unwrap().len(), 6);
    assert!(s.verify_audit_chain().await.unwrap().broken.is_none());
}

async fn progression_is_validated_and_audited(db: &Db) {
    let s = &db.store;
    let (a, b, _) = loaded(s).await;
    let emp = Role::Caseworker {
        department: Department::Employment,
    };
    let ann = add_user(s, "ann", emp).await;
    let rec = |on, step, ors, srs| NewProgression {
        citizen: a,
        on,
        step,
        ors,
        srs,
        recorded_by: ann,
        department: Some(Department::Employment),
        recorded_at: t0(),
    };
    let w = plan_write(subject(ann, emp), a, "progression recorded");
    let later = s
        .record_progression(
            &rec(day(2025, 2, 1), StaircaseStep::Clarification, 28, 37),
            &w,
        )
        .await
        .unwrap();
    let earlier = s
        .record_progression(
            &rec(day(2025, 1, 1), StaircaseStep::FarFromLabourMarket, 0, 40),
            &w,
        )
        .await
        .unwrap();
    let mut coordinator = rec(day(2025, 2, 1), StaircaseStep::Clarification, 30, 36);
    coordinator.department = None;
    let third = s.record_progression(&coordinator, &w).await.unwrap();
    let head = s.verify_audit_chain().await.unwrap().head_seq;
    for (ors, srs) in [(41, 10), (10, 41), (255, 0)] {
        assert!(matches!(
            s.record_progression(
                &rec(day(2025, 3, 1), StaircaseStep::Clarification, ors, srs),
                &w
            )
            .await,
            Err(StoreError::Invalid(_))
        ));
    }
    assert_eq!(s.verify_audit_chain().await.unwrap().head_seq, head);
    let got = s.progression(a).await.unwrap();
    assert_eq!(
        got.iter().map(|p| p.id).collect::<Vec<_>>(),
        [earlier, later, third],
        "by date, then by id"
    );
    assert_eq!(got[0].step, StaircaseStep::FarFromLabourMarket);
    assert_eq!((got[0].ors, got[0].srs), (0, 40));
    assert_eq!((got[1].ors, got[1].srs), (28, 37));
    assert_eq!(got[1].department, Some(Department::Employment));
    assert_eq!(got[2].department, None);
    assert_eq!(got[1].recorded_by, ann);
    assert!(s.progression(b).await.unwrap().is_empty());
    let writes = s
        .audit_entries(&AuditFilter {
            citizen: Some(a),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail == "progression recorded")
        .count();
    assert_eq!(writes, 3);
}
