//! End-to-end tests of the case-processing commands: `load`, `user add`, `audit verify`, on the
//! embedded SQLite database (PostgreSQL is covered by the store's conformance suite).

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn tvaers() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tvaers"));
    c.env_remove("TVAERS_LANG")
        .env_remove("TVAERS_PASSWORD")
        .env_remove("TVAERS_DATABASE_URL");
    c
}

fn out(cmd: &mut Command) -> (Option<i32>, String, String) {
    let o: Output = cmd.output().expect("tvaers runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn generate(dir: &Path, citizens: u32, seed: u64) {
    let (code, _, err) = out(tvaers()
        .args([
            "generate",
            "--citizens",
            &citizens.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .arg("--out")
        .arg(dir));
    assert_eq!(code, Some(0), "{err}");
}

fn load(exports: &Path, url: &str, as_of: &str) -> (Option<i32>, String, String) {
    out(tvaers().arg("load").arg("--input").arg(exports).args([
        "--database-url",
        url,
        "--as-of",
        as_of,
    ]))
}

/// `loaded` figures of a `tvaers load` line (English).
fn counts(stdout: &str) -> Vec<u64> {
    stdout
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn load_is_idempotent_validates_like_import_and_marks_who_left() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 300, 3);
    let url = format!("sqlite:{}", tmp.path().join("t.db").display());
    let (code, stdout, err) = load(&exports, &url, "2025-03-01");
    assert_eq!(code, Some(0), "{err}");
    let first = counts(&stdout);
    assert_eq!(first[0], first[1], "every citizen is new: {stdout}");
    assert!(first[0] >= 300, "{stdout}");
    let (code, stdout, err) = load(&exports, &url, "2025-03-02");
    assert_eq!(code, Some(0), "{err}");
    let again = counts(&stdout);
    assert_eq!(
        (again[1], again[2], again[3], again[5], again[6]),
        (0, 0, 0, 0, 0),
        "{stdout}"
    );

    // A broken export is refused with import's errors, and nothing changes.
    let bad = tmp.path().join("bad");
    generate(&bad, 300, 4);
    let persons = bad.join("personer.csv");
    let text = std::fs::read_to_string(&persons).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(|c: char| c.is_ascii_digit(), "x", 1);
    std::fs::write(&persons, lines.join("\n") + "\n").unwrap();
    let (code, _, err) = load(&bad, &url, "2025-03-03");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("personer.csv:4"), "{err}");
    assert!(err.contains("intet er skrevet"), "{err}");

    // Another municipality's export: the first one's citizens are marked as left.
    let other = tmp.path().join("other");
    generate(&other, 200, 5);
    let (code, stdout, err) = load(&other, &url, "2025-03-04");
    assert_eq!(code, Some(0), "{err}");
    let third = counts(&stdout);
    // (Synthetic numbers of two seeds may coincide: those citizens stay.)
    assert_eq!(third[3] + (third[0] - third[1]), first[0], "{stdout}");
    assert!(third[3] > 0, "{stdout}");

    let (code, stdout, err) = out(tvaers().args(["audit", "verify", "--database-url", &url]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        stdout.contains("Revisionssporet er intakt: 3 poster"),
        "{stdout}"
    );
}

fn user_add(url: &str, args: &[&str], password: &str) -> (Option<i32>, String, String) {
    let mut child = tvaers()
        .env("TVAERS_LANG", "en")
        .args(["user", "add", "--database-url", url])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    // The command may refuse (bad role) and exit before reading: a closed pipe is fine.
    let _ = writeln!(child.stdin.take().unwrap(), "{password}");
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn user_add_checks_role_and_password_and_refuses_a_taken_name() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", tmp.path().join("u.db").display());
    let good = "correct horse stable battery";
    let (code, stdout, err) = user_add(&url, &["--username", "admin", "--role", "admin"], good);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        stdout.contains("User admin created with the role admin"),
        "{stdout}"
    );
    let (code, _, err) = user_add(&url, &["--username", "admin", "--role", "admin"], good);
    assert_eq!(code, Some(1));
    assert!(err.contains("already taken"), "{err}");
    let (code, _, err) = user_add(&url, &["--username", "ann", "--role", "caseworker"], good);
    assert_eq!(code, Some(1));
    assert!(err.contains("need a department"), "{err}");
    let (code, _, err) = user_add(
        &url,
        &[
            "--username",
            "ann",
            "--role",
            "caseworker",
            "--department",
            "nope",
        ],
        good,
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown department nope"), "{err}");
    for (pw, why) in [
        ("short one", "shorter than 15"),
        ("passwordpassword", "most common"),
        ("ann-is-my-name-here", "contains the username"),
    ] {
        let (code, _, err) = user_add(
            &url,
            &[
                "--username",
                "ann",
                "--role",
                "caseworker",
                "--department",
                "sundhed",
            ],
            pw,
        );
        assert_eq!(code, Some(1), "{pw}");
        assert!(err.contains(why), "{pw}: {err}");
    }
    let (code, _, err) = out(tvaers()
        .env("TVAERS_PASSWORD", good)
        .args(["user", "add", "--username", "ann", "--role", "caseworker"])
        .args(["--department", "sundhed", "--database-url", &url]));
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains(good), "the password is never echoed");
}

#[test]
fn audit_verify_names_the_first_bad_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("a.db");
    let url = format!("sqlite:{}", db.display());
    for name in ["anna", "bent", "carl"] {
        let (code, _, err) = user_add(
            &url,
            &["--username", name, "--role", "coordinator"],
            "a long enough passphrase",
        );
        assert_eq!(code, Some(0), "{err}");
    }
    let (code, _, _) = out(tvaers().args(["audit", "verify", "--database-url", &url]));
    assert_eq!(code, Some(0));
    // Edit entry 2 behind the program's back.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 2")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    });
    let (code, _, err) =
        out(tvaers()
            .env("TVAERS_LANG", "en")
            .args(["audit", "verify", "--database-url", &url]));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("broken at entry 2"), "{err}");
    let (code, _, err) = out(tvaers().args(["audit", "verify", "--database-url", &url]));
    assert_eq!(code, Some(1));
    assert!(err.contains("brudt ved post 2"), "{err}");
}

#[test]
fn load_reads_names_and_refuses_a_bad_names_file_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("eksporter");
    generate(&exports, 100, 6);
    let url = format!("sqlite:{}", tmp.path().join("t.db").display());
    let persons = std::fs::read_to_string(exports.join("personer.csv")).unwrap();
    let cprs: Vec<&str> = persons
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    // Line 3 has a CPR number with a letter in it: refused, with file, line and column, and
    // without the whole number; nothing is loaded.
    let mut bad = String::from("cpr;navn\n");
    bad.push_str(&format!("{};Anne Hansen\n", cprs[0]));
    let broken = cprs[1].replacen(|c: char| c.is_ascii_digit(), "x", 1);
    bad.push_str(&format!("{broken};Ole Jensen\n"));
    std::fs::write(exports.join("navne.csv"), &bad).unwrap();
    let (code, _, err) = load(&exports, &url, "2025-03-01");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("navne.csv, linje 3, kolonne cpr"), "{err}");
    assert!(!err.contains(&broken) && !err.contains(cprs[0]), "{err}");
    assert!(
        !tmp.path().join("t.db").exists(),
        "the database is not even opened"
    );
    // A good file: every name read and matched.
    let good: String = std::iter::once("navn,cpr".to_string())
        .chain(cprs.iter().take(10).map(|c| format!("\"Person {c}\",{c}")))
        .collect::<Vec<_>>()
        .join("\r\n");
    std::fs::write(exports.join("navne.csv"), good).unwrap();
    let (code, stdout, err) = load(&exports, &url, "2025-03-01");
    assert_eq!(code, Some(0), "{err}");
    assert!(stdout.contains("Navne: 10 læst, 10 borgere"), "{stdout}");
}
