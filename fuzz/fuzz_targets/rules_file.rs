//! A rules file (`RuleSet::parse`), then SQL translation and evaluation of what parses; see
//! `tvaers_rules::fuzzing::rules_file`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tvaers_rules::fuzzing::rules_file(data);
});
