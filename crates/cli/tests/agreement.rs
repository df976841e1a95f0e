//! The analysis agrees with an independent computation: `tvaers bench` runs the DuckDB peer
//! (bench/duckdb_peer.py, SQL written from the documented semantics) on the same generated files
//! and exits non-zero on any difference. The peer's Python is provisioned by
//! `tvaers_testkit::duckdb`; where it cannot be, the test says `NOT RUN` and why, and fails under
//! `TVAERS_REQUIRE_ALL` (CI).

use std::process::Command;

#[test]
fn summary_figures_agree_with_duckdb_to_the_ore_and_the_person() {
    let Some(python) = tvaers_testkit::duckdb() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut bench = Command::new(env!("CARGO_BIN_EXE_tvaers"));
    // The peer runs as a child of `tvaers bench`: it inherits the environment set here.
    python.configure(&mut bench);
    let out = bench
        .args([
            "bench",
            "--citizens",
            "20000",
            "--seed",
            "3",
            "--runs",
            "1",
            "--work",
        ])
        .arg(tmp.path())
        .arg("--python")
        .arg(python.program())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Agreement: all summary figures equal"),
        "{stdout}"
    );
}
