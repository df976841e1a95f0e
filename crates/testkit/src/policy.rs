//! The policy for tests whose service is absent: report loudly and do not run, or fail in CI.

use std::ffi::OsStr;
use std::fmt;
use std::io::Write;

/// Set (to anything but empty or `0`) to turn an absent service into a test failure. CI sets it.
pub const REQUIRE_ALL_VAR: &str = "TVAERS_REQUIRE_ALL";

/// A service outside the Rust build that some tests need. A new one (Chromium, npm tools) gets a
/// variant here and a probe returning `Result<_, Absence>` that goes through [`require`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The independent DuckDB peer: Python 3 with the pinned `duckdb` package.
    DuckDb,
    /// A PostgreSQL server (`DATABASE_URL`, default 127.0.0.1:5432).
    PostgreSql,
    /// Headless Chromium with chromedriver (Debian's `chromium`, `chromium-driver`).
    Chromium,
    /// axe-core (the accessibility checker, from npm), run inside the browser.
    AxeCore,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::DuckDb => "the DuckDB peer (Python 3 with duckdb)",
            Service::PostgreSql => "PostgreSQL",
            Service::Chromium => "headless Chromium with chromedriver",
            Service::AxeCore => "axe-core (npm)",
        })
    }
}

/// Why a service is absent and the one command that would make it present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub service: Service,
    /// What was tried and what went wrong.
    pub because: String,
    /// One command for the user to run.
    pub fix: String,
}

/// What becomes of a test whose service is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Print this line and return without checking anything.
    NotRun(String),
    /// Fail the test with this message.
    Fail(String),
}

/// The policy, without side effects: `test` needs the service that `absence` describes.
pub fn verdict(test: &str, absence: &Absence, require_all: bool) -> Verdict {
    let Absence {
        service,
        because,
        fix,
    } = absence;
    if require_all {
        Verdict::Fail(format!(
            "REQUIRED SERVICE ABSENT: {test} needs {service}, and {REQUIRE_ALL_VAR} is set (as in \
             CI), so it may not be skipped; {service} is absent because {because}; run `{fix}` to \
             make it run"
        ))
    } else {
        Verdict::NotRun(format!(
            "NOT RUN: {test} because {service} is absent: {because}; run `{fix}` to make it run"
        ))
    }
}

/// Whether `TVAERS_REQUIRE_ALL`'s value asks for every service.
pub fn require_all(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

/// The service if present; otherwise prints the `NOT RUN` line and returns `None`, or panics
/// when `TVAERS_REQUIRE_ALL` is set.
pub fn require<T: Clone>(probe: &Result<T, Absence>) -> Option<T> {
    let absence = match probe {
        Ok(service) => return Some(service.clone()),
        Err(absence) => absence,
    };
    let all = require_all(std::env::var_os(REQUIRE_ALL_VAR).as_deref());
    match verdict(&current_test(), absence, all) {
        Verdict::NotRun(line) => {
            // Straight to the process's stderr: the harness captures `eprintln!` of passing tests.
            let _ = writeln!(std::io::stderr().lock(), "\n{line}\n");
            None
        }
        Verdict::Fail(message) => panic!("{message}"),
    }
}

/// The running test's name (the harness names each test's thread after it).
fn current_test() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => format!("test `{name}`"),
        _ => "this test".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn absent() -> Absence {
        Absence {
            service: Service::PostgreSql,
            because: "nothing listens on 127.0.0.1:5432".into(),
            fix: "service postgresql start".into(),
        }
    }

    #[test]
    fn an_absent_service_is_reported_with_the_reason_and_the_command() {
        let Verdict::NotRun(line) = verdict("test `x`", &absent(), false) else {
            panic!("outside CI an absent service does not fail");
        };
        assert_eq!(
            line,
            "NOT RUN: test `x` because PostgreSQL is absent: nothing listens on 127.0.0.1:5432; \
             run `service postgresql start` to make it run"
        );
    }

    #[test]
    fn an_absent_service_fails_when_all_are_required() {
        let Verdict::Fail(message) = verdict("test `x`", &absent(), true) else {
            panic!("with TVAERS_REQUIRE_ALL an absent service fails");
        };
        assert!(message.contains("TVAERS_REQUIRE_ALL is set"), "{message}");
        assert!(message.contains("nothing listens"), "{message}");
        assert!(message.contains("`service postgresql start`"), "{message}");
    }

    #[test]
    fn require_all_is_on_for_any_value_but_empty_or_zero() {
        let on = |v: Option<&str>| require_all(v.map(OsString::from).as_deref());
        assert!(!on(None));
        assert!(!on(Some("")));
        assert!(!on(Some("0")));
        assert!(on(Some("1")));
        assert!(on(Some("true")));
    }

    #[test]
    fn a_present_service_is_returned() {
        assert_eq!(require::<u8>(&Ok(7)), Some(7));
    }
}
