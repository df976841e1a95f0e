//! Writes the input of `bench/duckdb_peer.py --rules-sql`:
//! `cargo run -p tvaers-rules --example peer_sql -- FROM TO [RULES_FILE] [MIN_SUPPORT] [MAX_SIZE]`
//! (dates `yyyy-mm-dd`; the standard rules, support 5 and size 3 by default) to stdout.

use tvaers_core::{NaiveDate, Period};
use tvaers_rules::{RuleSet, sql};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let date = |i: usize| {
        let s = args
            .get(i)
            .expect("usage: peer_sql FROM TO [RULES] [MIN_SUPPORT] [MAX_SIZE]");
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date yyyy-mm-dd")
    };
    let period = Period::new(date(0), date(1)).expect("FROM ≤ TO");
    let rules = match args.get(2).filter(|s| s.as_str() != "-") {
        Some(path) => {
            let text = std::fs::read_to_string(path).expect("read the rules file");
            RuleSet::parse(&text, path).unwrap_or_else(|e| panic!("{e}"))
        }
        None => RuleSet::standard(),
    };
    let num = |i: usize, default: usize| {
        args.get(i)
            .map_or(default, |s| s.parse().expect("a number"))
    };
    println!(
        "{}",
        sql::peer_input_json(&rules, period, num(3, 5), num(4, 3))
    );
}
