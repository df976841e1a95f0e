//! Timings at the target size: `cargo run --release -p tvaers-rules --example rules_scale [persons]`.
//!
//! Builds a synthetic register (650,000 citizens, about 1M spells by default, in families),
//! then times the index, `evaluate_all` with the standard rules, `evaluate_person` for a sample
//! and `discover_combinations`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Builder, SERVICES, d};
use std::time::Instant;
use tvaers_core::{Ore, Period, PersonIx};
use tvaers_rules::{Index, RuleSet, discover_combinations, evaluate_all_indexed, evaluate_person};

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Service packages, so that combinations recur as they do in real municipalities.
const PACKAGES: &[&[&str]] = &[
    &["KTH", "MENTOR", "SEL85", "AKT"],
    &["KTH", "MISBRUG", "SEL85"],
    &["SDP", "GENOP", "HJSP", "BEF_SUND"],
    &["FP", "HJH", "HJSP", "BEF_HAND", "BESK104"],
    &["UDH", "MENTOR", "PSYK", "SKP99"],
    &["RFY", "MENTOR", "ANGST", "AKT", "SKP99"],
    &["FOREB", "FAMBEH"],
    &["ANBR", "UNGSTOETTE"],
    &["KTH", "AKT", "AKT_FYS", "GENOP"],
];

fn main() {
    let persons: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("a number of persons"))
        .unwrap_or(650_000);
    let mut rng = Rng(0x5eed_1234_5678_9abc);
    let t = Instant::now();
    let mut b = Builder::new();
    let start_base = d("2023-01-01");
    let mut made = 0;
    while made < persons {
        let f = b.family();
        let size = (1 + rng.below(4) as usize).min(persons - made);
        for _ in 0..size {
            let p = b.member(1930 + rng.below(95) as i32, f);
            made += 1;
            // Skewed: most citizens have no spell, a few have many.
            let n = match rng.below(100) {
                0..=44 => 0,
                45..=69 => 1,
                70..=81 => 2,
                82..=89 => 3,
                90..=97 => 4 + rng.below(5),
                _ => 8 + rng.below(16),
            };
            let package = PACKAGES[rng.below(PACKAGES.len() as u64) as usize];
            for k in 0..n {
                let code = if rng.below(3) > 0 {
                    package[k as usize % package.len()]
                } else {
                    SERVICES[rng.below(SERVICES.len() as u64) as usize].0
                };
                let start = start_base + chrono::Days::new(rng.below(1000));
                let end =
                    (rng.below(4) > 0).then(|| start + chrono::Days::new(30 + rng.below(700)));
                let (s, e) = (start.to_string(), end.map(|e| e.to_string()));
                b.spell_with_contact(p, code, &s, e.as_deref(), Some(rng.below(5000) as u32));
            }
        }
    }
    let reg = b.build();
    eprintln!(
        "built {} persons, {} spells in {:.2?}",
        reg.persons.len(),
        reg.spells.len(),
        t.elapsed()
    );

    let period = Period::year(2025);
    let rules = RuleSet::standard();
    let t = Instant::now();
    let idx = Index::build(&reg);
    eprintln!("index: {:.2?}", t.elapsed());

    let t = Instant::now();
    let m = evaluate_all_indexed(&reg, &idx, &rules, period);
    eprintln!(
        "evaluate_all ({} rules): {:.2?}",
        rules.rules().len(),
        t.elapsed()
    );
    for r in &m.rules {
        eprintln!(
            "  {:<34} {:>7} persons {:>7} families",
            r.rule_id,
            r.persons.len(),
            r.families.len()
        );
    }

    let t = Instant::now();
    let sample = 10_000.min(reg.persons.len());
    let mut alerts = 0;
    for i in 0..sample {
        let p = PersonIx((i * (reg.persons.len() / sample)) as u32);
        alerts += evaluate_person(&reg, &idx, &rules, p, period).len();
    }
    eprintln!(
        "evaluate_person × {sample}: {:.2?} ({alerts} alerts)",
        t.elapsed()
    );

    let cost: Vec<Ore> = (0..reg.persons.len())
        .map(|_| Ore(rng.below(100_000_000) as i64))
        .collect();
    for max in [4, 5] {
        let t = Instant::now();
        let combos = discover_combinations(&reg, period, &cost, 5, max);
        eprintln!(
            "discover_combinations (min 5, max {max}): {:.2?}, {} combinations, largest {}",
            t.elapsed(),
            combos.len(),
            combos.iter().map(|c| c.size).max().unwrap_or(0)
        );
        if let Some(top) = combos.first() {
            eprintln!(
                "  top: {:?} support {} total {} kr",
                top.services
                    .iter()
                    .map(|s| reg.catalogue.get(*s).code.as_str())
                    .collect::<Vec<_>>(),
                top.support,
                top.total_cost.round_kroner()
            );
        }
    }
}
