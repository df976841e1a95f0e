//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) and the inputs of past findings
//! (`fuzz/regressions/<target>/`) through the fuzz targets' own bodies
//! (`tvaers_ingest::fuzzing`), so that a plain `cargo test` guards against regressions on every
//! input the fuzzer kept, without cargo-fuzz or a nightly toolchain.

use std::path::{Path, PathBuf};
use tvaers_ingest::fuzzing;

/// Every file of `fuzz/corpus/<target>` and `fuzz/regressions/<target>`, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join(target)) else {
            continue;
        };
        files.extend(
            entries
                .map(|e| e.expect("a readable folder").path())
                .filter(|p| p.is_file()),
        );
    }
    files.sort();
    files
}

/// Runs `body` on every input of `target`, naming the input that fails.
fn replay(target: &str, mut body: impl FnMut(&[u8])) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "no corpus for the fuzz target {target} under fuzz/corpus"
    );
    for file in files {
        let data = std::fs::read(&file).expect("a readable corpus file");
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&data)));
        if let Err(panic) = run {
            eprintln!("fuzz input {} fails", file.display());
            std::panic::resume_unwind(panic);
        }
    }
}

#[test]
fn csv_import_corpus_replays() {
    let dir = tempfile::tempdir().unwrap();
    let import = fuzzing::CsvImport::new(dir.path()).unwrap();
    replay("csv_import", |data| import.run(data));
}

#[test]
fn values_corpus_replays() {
    replay("values", fuzzing::values);
}

#[test]
fn profile_corpus_replays() {
    replay("profile", fuzzing::profile);
}

#[test]
fn csv_import_seeds_are_the_valid_fixture() {
    // The harness's fixture must itself import cleanly, or every input fails for the same
    // reason and the fuzzer learns nothing.
    let dir = tempfile::tempdir().unwrap();
    let import = fuzzing::CsvImport::new(dir.path()).unwrap();
    for kind in tvaers_ingest::FileKind::ALL {
        import.run(&fuzzing::csv_import_seed(kind));
    }
}
