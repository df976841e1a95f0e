//! `tvaers serve`: the coordination server (crates/server) on a database, until SIGTERM or
//! Ctrl-C (then it finishes the requests in flight). `--demo` first fills an empty database
//! with a generated municipality and demo users of every role, whose random passwords are
//! printed once.

use crate::commands::{msg, tn};
use anyhow::{Context, Result};
use chrono::{Duration, Utc};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tvaers_core::Department;
use tvaers_core::access::{DataCategory, Purpose, Role, UserId, Viewer};
use tvaers_messages::Key;
use tvaers_store::{AnyStore, AuditEntry, NewConsent, NewUser, Store, password};

pub struct ServeOptions<'a> {
    pub database_url: &'a str,
    pub listen: SocketAddr,
    pub secure_cookies: Option<bool>,
    pub demo: bool,
    pub citizens: u32,
}

pub fn serve(o: &ServeOptions) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let store = tvaers_store::open(o.database_url)
            .await
            .context("cannot open the database")?;
        if o.demo {
            demo(&store, o.database_url, o.citizens).await?;
        }
        // `Secure` cookies unless on loopback (a browser sends no Secure cookie over plain
        // HTTP, and only a local test or a TLS-terminating proxy in front speaks plain HTTP).
        let secure = o.secure_cookies.unwrap_or(!o.listen.ip().is_loopback());
        let settings = tvaers_server::Settings {
            secure_cookies: secure,
            catalogue: Some(Arc::new(tvaers_synth::catalogue())),
            ..tvaers_server::Settings::default()
        };
        let listener = tokio::net::TcpListener::bind(o.listen)
            .await
            .with_context(|| format!("cannot listen on {}", o.listen))?;
        let addr = listener.local_addr()?;
        println!(
            "{}",
            tn(
                Key::cli_serving,
                &[&format!("http://{addr}"), &store.backend()]
            )
        );
        let state = tvaers_server::AppState::new(store.clone(), settings);
        tvaers_server::serve(listener, state, shutdown_signal()).await?;
        eprintln!("{}", msg(Key::cli_shutting_down));
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn sys(detail: String) -> AuditEntry {
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

/// A random password that passes the rules (24 hex characters).
fn random_password() -> String {
    hex_of(&tvaers_store::random_secret()[..12])
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Fills an empty database: a generated municipality, users of every role, teams and consents.
/// A database that already has users is used as it is (the passwords were printed when it was
/// made).
async fn demo(store: &AnyStore, url: &str, citizens: u32) -> Result<()> {
    if !store.users().await?.is_empty() {
        println!("{}", tn(Key::cli_demo_exists, &[&url]));
        return Ok(());
    }
    let dir = std::env::temp_dir().join(format!(
        "tvaers-demo-{}",
        hex_of(&tvaers_store::random_secret()[..6])
    ));
    let exports = dir.join("eksporter");
    let reg = {
        let cfg = tvaers_synth::Config {
            citizens,
            seed: 1,
            first_year: 2024,
            years: 2,
        };
        std::fs::create_dir_all(&exports)
            .with_context(|| format!("cannot create {}", exports.display()))?;
        crate::progress::stage(&tn(Key::cli_generating, &[&citizens]), || {
            tvaers_synth::generate(&cfg, &exports)
        })?;
        let read =
            tvaers_ingest::read_exports(&exports, &tvaers_ingest::Profile::default_profile());
        let _ = std::fs::remove_dir_all(&dir);
        read.map_err(|_| anyhow::anyhow!("the generated exports do not read back"))?
    };
    store
        .load_register(
            &reg,
            Utc::now().date_naive(),
            &sys("demo: load of a generated municipality".into()),
        )
        .await?;
    // Synthetic names, so the search by name has something to find; a family shares a surname.
    let names: Vec<(tvaers_core::Cpr, String)> = reg
        .persons
        .iter()
        .enumerate()
        .map(|(i, p)| (p.cpr.clone(), demo_name(i, p.sex, &p.family)))
        .collect();
    store
        .set_names(&names, &sys("demo: synthetic names".into()))
        .await?;
    let people: [(&str, &str, Role); 9] = [
        ("admin", "Demo Administrator", Role::Administrator),
        (
            "dpo",
            "Demo Databeskyttelsesrådgiver",
            Role::DataProtectionOfficer,
        ),
        ("analytiker", "Demo Analytiker", Role::Analyst),
        ("koordinator", "Demo Koordinator", Role::Coordinator),
        (
            "leder",
            "Demo Leder (beskæftigelse)",
            Role::DepartmentManager {
                department: Department::Employment,
            },
        ),
        (
            "beskaeftigelse",
            "Demo Sagsbehandler (beskæftigelse)",
            Role::Caseworker {
                department: Department::Employment,
            },
        ),
        (
            "sundhed",
            "Demo Sagsbehandler (sundhed)",
            Role::Caseworker {
                department: Department::Health,
            },
        ),
        (
            "voksen",
            "Demo Sagsbehandler (voksen)",
            Role::Caseworker {
                department: Department::AdultSocial,
            },
        ),
        (
            "aeldre",
            "Demo Sagsbehandler (ældre)",
            Role::Caseworker {
                department: Department::Elderly,
            },
        ),
    ];
    let mut created: Vec<(String, Role, UserId, String)> = Vec::new();
    for (username, name, role) in people {
        let pw = random_password();
        debug_assert!(password::check(&pw, username).is_ok());
        let pw2 = pw.clone();
        let hash = tokio::task::spawn_blocking(move || password::hash(&pw2)).await?;
        let id = store
            .create_user(
                &NewUser {
                    username: username.into(),
                    display_name: name.into(),
                    role,
                    password_hash: hash,
                    created_at: Utc::now(),
                },
                &sys(format!(
                    "demo: user {username} created with role {}",
                    role.code()
                )),
            )
            .await?;
        created.push((username.into(), role, id, pw));
    }
    // Teams: the citizens with services from the most departments, each with every caseworker,
    // the coordinator and the manager; a consent on every other one.
    let mut by_departments: Vec<(usize, tvaers_core::Cpr)> = Vec::new();
    {
        let mut depts: std::collections::HashMap<u32, std::collections::BTreeSet<Department>> =
            std::collections::HashMap::new();
        for s in &reg.spells {
            depts
                .entry(s.person.0)
                .or_default()
                .insert(reg.catalogue.get(s.service).department);
        }
        for (p, d) in depts {
            by_departments.push((d.len(), reg.persons[p as usize].cpr.clone()));
        }
    }
    by_departments.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let now = Utc::now();
    let team: Vec<UserId> = created
        .iter()
        .filter(|(_, r, _, _)| r.viewer().is_some())
        .map(|(_, _, id, _)| *id)
        .collect();
    for (i, (_, cpr)) in by_departments.iter().take(12).enumerate() {
        let Some(c) = store.citizen_by_cpr(cpr).await? else {
            continue;
        };
        for u in &team {
            store
                .add_to_team(c.id, *u, None, now, &sys("demo: team".into()))
                .await?;
        }
        if i % 2 == 0 {
            let mut scope = Vec::new();
            for v in [
                Viewer::Coordinator,
                Viewer::Department(Department::Employment),
                Viewer::Department(Department::Health),
                Viewer::Department(Department::AdultSocial),
                Viewer::Department(Department::Elderly),
            ] {
                for d in Department::ALL {
                    scope.push((v, DataCategory::Services(d)));
                }
            }
            store
                .record_consent(
                    &NewConsent {
                        citizen: c.id,
                        scope,
                        given_at: now - Duration::days(30),
                        recorded_by: None,
                        note: "demo: samtykke til deling mellem forvaltningerne".into(),
                    },
                    &sys("demo: consent".into()),
                )
                .await?;
        }
        if i == 0 {
            demo_plan(store, c.id, &created, now).await?;
        }
    }
    println!("\n{}", msg(Key::cli_demo_users));
    for (username, role, _, pw) in &created {
        println!("  {username:<16} {:<12} {pw}", role.code());
    }
    println!("\n{}", msg(Key::cli_demo_login));
    Ok(())
}

/// A plan and a first progression measurement for the demo's first citizen, so that the plan,
/// history and progression pages have something to show.
async fn demo_plan(
    store: &AnyStore,
    citizen: tvaers_store::CitizenId,
    created: &[(String, Role, UserId, String)],
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    use tvaers_store::{
        ContactPerson, Intervention, Meeting, NewPlanVersion, NewProgression, PlanContent,
        StaircaseStep, SubGoal,
    };
    let Some(coordinator) = created
        .iter()
        .find(|(_, r, _, _)| *r == Role::Coordinator)
        .map(|(_, _, id, _)| *id)
    else {
        return Ok(());
    };
    let content = PlanContent {
        goal: Some(StaircaseStep::Clarification),
        goal_text: "Komme i praktik i en butik inden for et år".into(),
        sub_goals: vec![SubGoal {
            id: 1,
            text: "Stabil hverdag og bolig".into(),
        }],
        interventions: vec![Intervention {
            goal: 1,
            text: "Bostøtte to timer om ugen".into(),
            department: Department::AdultSocial,
            legal_basis: "SEL § 85".into(),
        }],
        coordinator: Some(coordinator.0),
        contacts: vec![ContactPerson {
            name: "Demo-mentor".into(),
            role: "Mentor, jobcentret".into(),
            phone: "70 00 00 00".into(),
        }],
        meetings: vec![Meeting {
            at: (now + Duration::days(7))
                .date_naive()
                .and_hms_opt(10, 0, 0)
                .expect("10:00"),
            place: "Jobcentret".into(),
        }],
    };
    store
        .save_plan(
            &NewPlanVersion {
                citizen,
                based_on: 0,
                saved_by: coordinator,
                saved_at: now,
                content,
            },
            &sys("demo: plan saved".into()),
        )
        .await?;
    store
        .record_progression(
            &NewProgression {
                citizen,
                on: now.date_naive() - Duration::days(30),
                step: StaircaseStep::FarFromLabourMarket,
                ors: 18,
                srs: 34,
                recorded_by: coordinator,
                department: None,
                recorded_at: now,
            },
            &sys("demo: progression recorded".into()),
        )
        .await?;
    Ok(())
}

const DEMO_FEMALE: [&str; 16] = [
    "Anne",
    "Kirsten",
    "Mette",
    "Hanne",
    "Helle",
    "Susanne",
    "Lene",
    "Maria",
    "Marianne",
    "Karen",
    "Bente",
    "Camilla",
    "Louise",
    "Charlotte",
    "Ida",
    "Emma",
];
const DEMO_MALE: [&str; 16] = [
    "Peter",
    "Jens",
    "Michael",
    "Lars",
    "Henrik",
    "Thomas",
    "Søren",
    "Niels",
    "Christian",
    "Martin",
    "Anders",
    "Morten",
    "Jesper",
    "Ole",
    "Mads",
    "Rasmus",
];
const DEMO_SURNAMES: [&str; 16] = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Andersen",
    "Pedersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Møller",
];

/// A made-up name for the demo's `i`th person: the first name by sex, the surname by family.
fn demo_name(i: usize, sex: tvaers_core::Sex, family: &str) -> String {
    let first = match sex {
        tvaers_core::Sex::Female => DEMO_FEMALE[i % DEMO_FEMALE.len()],
        _ => DEMO_MALE[i % DEMO_MALE.len()],
    };
    let h = family
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    format!("{first} {}", DEMO_SURNAMES[h % DEMO_SURNAMES.len()])
}
