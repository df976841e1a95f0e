//! The commands of the case-processing store: `load`, `user add`, `audit verify`. They run
//! the store's async API on a runtime of their own.

use crate::commands::{load_profile, msg, read_raw, tn};
use crate::progress::stage;
use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;
use tvaers_core::access::{Purpose, Role};
use tvaers_core::{Cpr, Department};
use tvaers_messages::Key;
use tvaers_store::password::{self, PasswordProblem};
use tvaers_store::{AuditEntry, BreakKind, NewUser, Store, StoreError};

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `tvaers load`: the same reading and validation as `import`, then one transaction.
pub fn load(
    input: &Path,
    profile: Option<&Path>,
    database_url: &str,
    as_of: Option<NaiveDate>,
) -> Result<ExitCode> {
    let profile = load_profile(profile)?;
    let reg = match read_raw(input, &profile)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    // Names are read and checked before anything is written, like the exports.
    let names_path = input.join(NAMES_FILE);
    let names = if names_path.exists() {
        match read_names(&names_path)? {
            Ok(n) => Some(n),
            Err(problems) => {
                for p in &problems {
                    eprintln!("{p}");
                }
                eprintln!("{}", tn(Key::cli_names_rejected, &[&NAMES_FILE]));
                return Ok(ExitCode::from(1));
            }
        }
    } else {
        None
    };
    let as_of = as_of.unwrap_or_else(|| Utc::now().date_naive());
    let rt = runtime()?;
    let counts = stage(&msg(Key::cli_loading), || {
        rt.block_on(async {
            let store = tvaers_store::open(database_url)
                .await
                .context("cannot open the database")?;
            let entry = AuditEntry::write(
                None,
                None,
                None,
                Purpose::Administration,
                None,
                Utc::now(),
                format!("load of the register as of {as_of}"),
            );
            let counts = store.load_register(&reg, as_of, &entry).await;
            let named = match (&counts, &names) {
                (Ok(_), Some(n)) => {
                    let entry = AuditEntry::write(
                        None,
                        None,
                        None,
                        Purpose::Administration,
                        None,
                        Utc::now(),
                        format!("names from {NAMES_FILE}"),
                    );
                    Some(store.set_names(n, &entry).await)
                }
                _ => None,
            };
            store.close().await;
            let counts = counts?;
            let named = named.transpose()?;
            anyhow::Ok((counts, named))
        })
    })?;
    let (counts, named) = counts;
    if let (Some(matched), Some(n)) = (named, &names) {
        println!("{}", tn(Key::cli_names_loaded, &[&n.len(), &matched]));
    }
    println!(
        "{}",
        tn(
            Key::cli_loaded,
            &[
                &counts.citizens,
                &counts.new,
                &counts.returned,
                &counts.left,
                &counts.services,
                &counts.services_added,
                &counts.services_removed,
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The optional file of citizens' names beside the exports (from the CPR extract).
pub const NAMES_FILE: &str = "navne.csv";

/// The names of a valid file, or every problem found (each a whole message).
pub type NamesRead = std::result::Result<Vec<(Cpr, String)>, Vec<String>>;

/// Reads `navne.csv`: UTF-8, a header with the columns `cpr` and `navn` in any order,
/// separated by `;` or `,`. Every problem is listed with line and column, never with a whole
/// CPR number; nothing is returned unless the whole file is valid.
pub fn read_names(path: &Path) -> Result<NamesRead> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = NAMES_FILE;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(Err(vec![tn(Key::cli_names_not_utf8, &[&file])]));
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Ok(Err(vec![tn(Key::cli_names_header, &[&file])]));
    };
    let sep = if header.contains(';') { ';' } else { ',' };
    let columns: Vec<String> = header
        .split(sep)
        .map(|c| c.trim().trim_matches('"').to_lowercase())
        .collect();
    let (Some(cpr_at), Some(name_at)) = (
        columns.iter().position(|c| c == "cpr"),
        columns.iter().position(|c| c == "navn"),
    ) else {
        return Ok(Err(vec![tn(Key::cli_names_header, &[&file])]));
    };
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in lines {
        if problems.len() >= 20 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line
            .split(sep)
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let n = i + 1;
        if fields.len() != columns.len() {
            problems.push(tn(
                Key::cli_names_fields,
                &[&file, &n, &fields.len(), &columns.len()],
            ));
            continue;
        }
        let Ok(cpr) = Cpr::parse(fields[cpr_at]) else {
            problems.push(tn(Key::cli_names_bad_cpr, &[&file, &n]));
            continue;
        };
        let name = fields[name_at];
        if name.is_empty() {
            problems.push(tn(Key::cli_names_empty, &[&file, &n]));
            continue;
        }
        names.push((cpr, name.to_string()));
    }
    Ok(if problems.is_empty() {
        Ok(names)
    } else {
        Err(problems)
    })
}

fn problem_text(p: PasswordProblem) -> String {
    msg(match p {
        PasswordProblem::TooShort => Key::password_too_short,
        PasswordProblem::TooLong => Key::password_too_long,
        PasswordProblem::Common => Key::password_common,
        PasswordProblem::ContainsUsername => Key::password_contains_username,
        PasswordProblem::Repetitive => Key::password_repetitive,
    })
}

/// The new user's password: `TVAERS_PASSWORD`, or the first line of standard input.
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("TVAERS_PASSWORD") {
        return Ok(p);
    }
    eprintln!("{}", msg(Key::cli_password_prompt));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `tvaers user add`.
pub fn user_add(
    username: &str,
    role: &str,
    department: Option<&str>,
    display_name: Option<&str>,
    database_url: &str,
) -> Result<ExitCode> {
    let department = match department {
        None => None,
        Some(d) => match Department::from_code(d) {
            Some(d) => Some(d),
            None => {
                eprintln!(
                    "{}",
                    tn(
                        Key::cli_department_invalid,
                        &[&d, &Department::codes_list()]
                    )
                );
                return Ok(ExitCode::from(1));
            }
        },
    };
    let Ok(role) = Role::from_code(role, department) else {
        eprintln!("{}", tn(Key::cli_role_invalid, &[&Role::CODES.join(", ")]));
        return Ok(ExitCode::from(1));
    };
    let password = read_password()?;
    if let Err(p) = password::check(&password, username) {
        eprintln!("{}", tn(Key::cli_password_rejected, &[&problem_text(p)]));
        return Ok(ExitCode::from(1));
    }
    let hash = password::hash(&password);
    let now = Utc::now();
    let user = NewUser {
        username: username.to_string(),
        display_name: display_name.unwrap_or(username).to_string(),
        role,
        password_hash: hash,
        created_at: now,
    };
    let audit = AuditEntry::write(
        None,
        None,
        None,
        Purpose::Administration,
        None,
        now,
        format!("user {username} created with role {}", role.code()),
    );
    let result = runtime()?.block_on(async {
        let store = tvaers_store::open(database_url)
            .await
            .context("cannot open the database")?;
        let r = store.create_user(&user, &audit).await;
        store.close().await;
        anyhow::Ok(r)
    })?;
    match result {
        Ok(_) => {
            println!("{}", tn(Key::cli_user_added, &[&username, &role.code()]));
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Conflict(_)) => {
            eprintln!("{}", tn(Key::cli_username_taken, &[&username]));
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// `tvaers audit verify`: exit code 1 and the first bad entry when the chain is broken.
pub fn audit_verify(database_url: &str) -> Result<ExitCode> {
    let report = runtime()?.block_on(async {
        let store = tvaers_store::open(database_url)
            .await
            .context("cannot open the database")?;
        let r = store.verify_audit_chain().await;
        store.close().await;
        anyhow::Ok(r?)
    })?;
    match report.broken {
        None => {
            println!(
                "{}",
                tn(
                    Key::cli_audit_intact,
                    &[
                        &report.entries,
                        &report.head_seq,
                        &hex_of(&report.head_hash)
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            let why = msg(match b.kind {
                BreakKind::Altered => Key::audit_break_altered,
                BreakKind::Missing => Key::audit_break_missing,
                BreakKind::BeyondHead => Key::audit_break_beyond_head,
                BreakKind::HeadMismatch => Key::audit_break_head_mismatch,
            });
            eprintln!("{}", tn(Key::cli_audit_broken, &[&b.seq, &why]));
            Ok(ExitCode::from(1))
        }
    }
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
