//! Test support for Tværs: the tests' external services and one policy for their absence.
//!
//! Some tests need a service outside the Rust build: the DuckDB peer (Python with `duckdb`)
//! today, PostgreSQL, Chromium and npm tools later. One policy holds for all of them:
//!
//! - A peer that can be provisioned from the package registries is provisioned by the tests
//!   themselves, pinned in one place and reused ([`duckdb`]: a virtual environment under
//!   `target/` from `bench/requirements.txt`).
//! - Where a service is present, the tests use it.
//! - Where it is absent, each test that needs it prints a loud `NOT RUN: … because …; run `…` to
//!   make it run` line on stderr (past the test harness's output capture) and returns without
//!   checking anything ([`require`] returns `None`).
//! - Where `TVAERS_REQUIRE_ALL` is set (CI's `.ci/run` sets it), an absent service fails the
//!   test instead, so CI cannot pass without every service.
//!
//! The embedded path (the analysis itself, and SQLite once there is SQLite code) needs no service
//! and always runs.
//!
//! A test uses it as:
//!
//! ```no_run
//! let Some(python) = tvaers_testkit::duckdb() else { return };
//! let out = python.command().arg("bench/duckdb_peer.py").output().unwrap();
//! ```

#![forbid(unsafe_code)]

mod browser;
#[cfg(feature = "db")]
pub mod db;
mod policy;
mod postgres;
mod python;

pub use browser::{AXE_CORE_VERSION, Browser, browser, probe_browser};
pub use policy::{Absence, REQUIRE_ALL_VAR, Service, Verdict, require, require_all, verdict};
pub use postgres::{Postgres, postgres, probe_postgres};
pub use python::{BASE_PYTHON_VAR, Python, duckdb, probe_duckdb};

use std::path::{Path, PathBuf};

/// The Cargo target directory of the running test (where artefacts such as the browser test's
/// screenshots go).
pub fn target_directory() -> PathBuf {
    python::target_dir(&workspace_root())
}

/// The workspace root (where README.md, `.ci/run` and `bench/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}
