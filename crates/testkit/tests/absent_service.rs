//! The policy end to end, with PostgreSQL pointed at a closed port: outside CI a test that needs
//! it prints a `NOT RUN` line and passes; with `TVAERS_REQUIRE_ALL` it fails. The test that needs
//! PostgreSQL runs in a child process of this binary, so that the variables are its own.

use std::net::TcpListener;
use std::process::{Command, Output};

/// Needs PostgreSQL; run only by the test below, in a child process.
#[test]
#[ignore = "run by absent_postgres_is_not_run_outside_ci_and_fails_in_ci in a child process"]
fn needs_postgres() {
    let Some(pg) = tvaers_testkit::postgres() else {
        return;
    };
    println!("PostgreSQL is present at {}", pg.addr);
}

fn child(require_all: bool) -> Output {
    // A port that was free a moment ago: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
    cmd.args(["needs_postgres", "--exact", "--ignored", "--test-threads=1"])
        .env(
            "DATABASE_URL",
            format!("postgres://nobody@127.0.0.1:{port}/none"),
        );
    if require_all {
        cmd.env(tvaers_testkit::REQUIRE_ALL_VAR, "1");
    } else {
        cmd.env_remove(tvaers_testkit::REQUIRE_ALL_VAR);
    }
    cmd.output().expect("run this test binary")
}

#[test]
fn absent_postgres_is_not_run_outside_ci_and_fails_in_ci() {
    let out = child(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "outside CI it passes:\n{stderr}");
    assert!(
        stderr.contains("NOT RUN: ") && stderr.contains("because PostgreSQL is absent"),
        "it says what did not run and why:\n{stderr}"
    );
    assert!(
        stderr.contains(
            "run `apt-get install -y postgresql && service postgresql start` to make it run"
        ),
        "it gives the command:\n{stderr}"
    );

    let out = child(true);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "with TVAERS_REQUIRE_ALL it fails:\n{all}"
    );
    assert!(all.contains("REQUIRED SERVICE ABSENT"), "{all}");
}
