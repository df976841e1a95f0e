//! The Danish number and date parsers (and volumes, years, CPR numbers, the masking of values in
//! messages) with round-trip properties; see `tvaers_ingest::fuzzing::values`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tvaers_ingest::fuzzing::values(data);
});
