//! A mapping profile's text (`Profile::from_toml`, what `Profile::load` runs), with a
//! write-and-read-back property; see `tvaers_ingest::fuzzing::profile`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tvaers_ingest::fuzzing::profile(data);
});
