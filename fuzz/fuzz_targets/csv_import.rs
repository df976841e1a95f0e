//! One export file read through the import (`read_exports`) with a mapping profile; the other
//! five exports are a small valid fixture. Byte 0 picks the file and its profile entry
//! (separator, encoding, decimal); see `tvaers_ingest::fuzzing::CsvImport::run`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tvaers_ingest::fuzzing::CsvImport;

struct Setup {
    _dir: tempfile::TempDir,
    import: CsvImport,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let import = CsvImport::new(dir.path()).expect("the fixture is written");
        Setup { _dir: dir, import }
    })
}

fuzz_target!(|data: &[u8]| {
    setup().import.run(data);
});
