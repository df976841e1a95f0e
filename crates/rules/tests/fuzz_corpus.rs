//! Replays the committed fuzz corpus (`fuzz/corpus/rules_file/`) and the inputs of past
//! findings (`fuzz/regressions/rules_file/`) through the fuzz target's own body
//! (`tvaers_rules::fuzzing::rules_file`), so that a plain `cargo test` guards against
//! regressions on every input the fuzzer kept, without cargo-fuzz or a nightly toolchain.

use std::path::Path;

#[test]
fn rules_file_corpus_replays() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for folder in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join("rules_file")) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no corpus under fuzz/corpus/rules_file");
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let run = std::panic::catch_unwind(|| tvaers_rules::fuzzing::rules_file(&data));
        if let Err(panic) = run {
            eprintln!("fuzz input {} fails", file.display());
            std::panic::resume_unwind(panic);
        }
    }
}
