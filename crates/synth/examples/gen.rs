//! Generates a municipality and reports the time taken:
//! `cargo run --release -p tvaers-synth --example gen -- CITIZENS OUT_DIR [SEED]`.

use std::time::Instant;
use tvaers_synth::{Config, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let citizens: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42_000);
    let out = args.next().unwrap_or_else(|| "synth-out".to_string());
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    std::fs::create_dir_all(&out).expect("create output directory");
    let cfg = Config {
        citizens,
        seed,
        ..Config::default()
    };
    let t = Instant::now();
    let summary = generate(&cfg, out.as_ref()).expect("generate");
    println!(
        "{citizens} citizens in {:.2} s: {summary:?}",
        t.elapsed().as_secs_f64()
    );
}
