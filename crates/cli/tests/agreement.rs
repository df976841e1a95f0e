//! The analysis agrees with an independent computation: `tvaers bench` runs the DuckDB peer
//! (bench/duckdb_peer.py, SQL written from the documented semantics) on the same generated files
//! and exits non-zero on any difference. Needs Python with `duckdb`; fails loudly without it.

use std::process::Command;

#[test]
fn summary_figures_agree_with_duckdb_to_the_ore_and_the_person() {
    let probe = Command::new("python3")
        .args(["-c", "import duckdb"])
        .status();
    assert!(
        matches!(probe, Ok(s) if s.success()),
        "this test needs python3 with the duckdb package (pip install duckdb); it cannot run without it"
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tvaers"))
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
