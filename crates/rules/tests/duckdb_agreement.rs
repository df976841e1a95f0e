//! Agreement with the independent DuckDB peer (`bench/duckdb_peer.py --rules-sql`).
//!
//! A synthetic municipality is generated as raw exports, read and pseudonymised as
//! `tvaers import` does, and evaluated by the engine; the peer reads the same exports and runs the
//! rules translated to SQL by `tvaers_rules::sql`. Every rule's person and family counts, and the
//! frequent combinations with their support and cost, must be equal.
//!
//! The peer's Python is provisioned by `tvaers_testkit::duckdb` (a virtual environment under
//! `target/` with `bench/requirements.txt`); where it cannot be, the tests say `NOT RUN` and why,
//! and fail under `TVAERS_REQUIRE_ALL` (CI).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tvaers_core::{NaiveDate, Ore, Period, PersonIx, Pseudonymised, Register};
use tvaers_ingest::profile::Profile;
use tvaers_rules::{Condition, RuleSet, discover_combinations, evaluate_all, sql};
use tvaers_testkit::Python;

struct Data {
    dir: tempfile::TempDir,
    reg: Register<Pseudonymised>,
}

/// One generated municipality shared by the tests of this file.
fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let cfg = tvaers_synth::Config {
            citizens: 20_000,
            seed: 3,
            first_year: 2024,
            years: 2,
        };
        tvaers_synth::generate(&cfg, dir.path()).expect("generate a municipality");
        let identified = tvaers_ingest::read_exports(dir.path(), &Profile::default_profile())
            .expect("the generated exports are valid");
        let key = tvaers_ingest::PseudonymKey::from_bytes([7; 32]);
        let reg = tvaers_ingest::pseudonymise(identified, &key);
        Data { dir, reg }
    })
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Runs the peer on the generated exports with `input` (from [`sql::peer_input_json`]).
fn run_peer(python: &Python, dir: &Path, period: Period, input: &str) -> serde_json::Value {
    // Tests run in parallel on the same exports: one input file per period.
    let spec = dir.join(format!("rules-sql-{}-{}.json", period.from(), period.to()));
    std::fs::write(&spec, input).expect("write the peer input");
    let out = python
        .command()
        .arg(repo_root().join("bench/duckdb_peer.py"))
        .arg("--input")
        .arg(dir)
        .arg("--from")
        .arg(period.from().to_string())
        .arg("--to")
        .arg(period.to().to_string())
        .arg("--rules-sql")
        .arg(&spec)
        // DuckDB spills to `.tmp` under the working directory: keep that out of the source tree.
        .current_dir(dir)
        .output()
        .expect("run the DuckDB peer");
    assert!(
        out.status.success(),
        "the DuckDB peer failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the peer prints one JSON object")
}

/// Asserts that every rule has the same person (and family) count in the engine and the peer,
/// and that every rule has members (an empty rule would agree vacuously).
fn assert_rules_agree(rules: &RuleSet, period: Period, peer: &serde_json::Value) {
    let d = data();
    let m = evaluate_all(&d.reg, rules, period);
    let mut problems = Vec::new();
    for (rule, rm) in rules.rules().iter().zip(&m.rules) {
        let p = &peer["rules"][&rule.id];
        let peer_persons = p["persons"].as_u64();
        let peer_families = p["families"].as_u64();
        let is_family = matches!(rule.condition, Condition::Family { .. });
        let engine_families = is_family.then_some(rm.families.len() as u64);
        eprintln!(
            "{:<36} engine {:>6} persons {:>6?} families | peer {:>6?} persons {:>6?} families",
            rule.id,
            rm.persons.len(),
            engine_families,
            peer_persons,
            peer_families
        );
        if peer_persons != Some(rm.persons.len() as u64) || peer_families != engine_families {
            problems.push(format!(
                "{}: engine {} persons / {:?} families, peer {:?} / {:?}",
                rule.id,
                rm.persons.len(),
                engine_families,
                peer_persons,
                peer_families
            ));
        }
        if rm.persons.is_empty() {
            problems.push(format!(
                "{}: no member in the test data, so agreement on it proves nothing",
                rule.id
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

type Combo = (Vec<String>, u64, i64);

/// The engine's frequent combinations as (codes sorted, support, cost), in the peer's order.
fn engine_combinations(period: Period, min_support: usize, max_size: usize) -> Vec<Combo> {
    let d = data();
    let alloc = tvaers_analysis::allocate(&d.reg, period).unwrap();
    let cost: Vec<Ore> = (0..d.reg.persons.len())
        .map(|p| alloc.allocated(PersonIx(p as u32)))
        .collect();
    let mut out: Vec<Combo> = discover_combinations(&d.reg, period, &cost, min_support, max_size)
        .into_iter()
        .map(|c| {
            let mut codes: Vec<String> = c
                .services
                .iter()
                .map(|&s| d.reg.catalogue.get(s).code.clone())
                .collect();
            codes.sort();
            (codes, c.support as u64, c.total_cost.0)
        })
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    out
}

fn peer_combinations(peer: &serde_json::Value) -> Vec<Combo> {
    peer["discovery"]["top"]
        .as_array()
        .expect("discovery.top")
        .iter()
        .map(|c| {
            (
                c["services"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
                c["support"].as_u64().unwrap(),
                c["cost_ore"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn assert_discovery_agrees(period: Period, peer: &serde_json::Value, ms: usize, size: usize) {
    let engine = engine_combinations(period, ms, size);
    let peer_n = peer["discovery"]["combinations"].as_u64();
    eprintln!(
        "discovery (support ≥ {ms}, size ≤ {size}): engine {} combinations, peer {peer_n:?}",
        engine.len()
    );
    // Combinations of every size up to `size` must be present for the check to mean much.
    for k in 2..=size {
        assert!(
            engine.iter().any(|c| c.0.len() == k),
            "no frequent combination of size {k} in the test data"
        );
    }
    assert_eq!(peer_n, Some(engine.len() as u64), "number of combinations");
    let top = peer_combinations(peer);
    assert_eq!(top.len(), engine.len().min(50));
    let by_services: BTreeMap<&Vec<String>, &Combo> = engine.iter().map(|c| (&c.0, c)).collect();
    for c in &top {
        assert_eq!(
            by_services.get(&c.0).copied(),
            Some(c),
            "peer's combination {:?} (support, cost) differs from the engine's",
            c.0
        );
    }
    assert_eq!(
        &top[..],
        &engine[..top.len()],
        "the top combinations in order"
    );
}

#[test]
fn standard_rules_and_discovery_agree_with_duckdb() {
    let Some(python) = tvaers_testkit::duckdb() else {
        return;
    };
    let d = data();
    let rules = RuleSet::standard();
    let period = Period::year(2025);
    let (ms, size) = (5, 3);
    let peer = run_peer(
        &python,
        d.dir.path(),
        period,
        &sql::peer_input_json(&rules, period, ms, size),
    );
    assert_rules_agree(&rules, period, &peer);
    assert_discovery_agrees(period, &peer, ms, size);
}

/// Every construct of the rules language that the standard rules do not use, over a period
/// crossing New Year (the age in the year changes on 1 January) and discovery up to size 4.
const CONSTRUCTS: &str = r#"
format = 1

[[target_group]]
id = "tags_all_kind_departments"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
age_min = 30
  [[target_group.require]]
  tags_all = ["overfoersel", "kontanthjaelp"]
  kind = "ydelse"
  departments = ["beskaeftigelse"]
  [[target_group.require]]
  kind = "indsats"
  departments_none = ["beskaeftigelse"]
  count = "departments"
  at_most = 1

[[target_group]]
id = "transfer_and_no_intervention_60_days"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
age_max = 40
min_days = 60
  [[target_group.require]]
  tags_any = ["overfoersel"]
  at_most = 1
  [[target_group.require]]
  kind = "indsats"
  at_least = 0
  at_most = 0

[[target_group]]
id = "age_18_in_the_year_150_days"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
age_min = 18
age_max = 18
min_days = 150
  [[target_group.require]]
  count = "spells"

[[overlap]]
id = "services_3_to_4_few_contacts"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
severity = "info"
  [[overlap.require]]
  count = "services"
  at_least = 3
  at_most = 4
  [[overlap.require]]
  count = "contacts"
  at_most = 2

[[overlap]]
id = "three_intervention_spells_30_days"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
severity = "kritisk"
min_days = 30
  [[overlap.require]]
  kind = "indsats"
  at_least = 3

[[target_group]]
id = "family_three_roles"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
  [[target_group.member]]
  age_max = 17
    [[target_group.member.require]]
    tags_any = ["barn"]
  [[target_group.member]]
  age_min = 18
    [[target_group.member.require]]
    tags_any = ["overfoersel"]
  [[target_group.member]]
  age_min = 18
    [[target_group.member.require]]
    kind = "indsats"
    departments_none = ["boern_familie"]

[[overlap]]
id = "family_one_person_may_fill_both_30_days"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
severity = "advarsel"
distinct_members = false
min_days = 30
  [[overlap.member]]
  age_min = 18
    [[overlap.member.require]]
    tags_any = ["overfoersel"]
  [[overlap.member]]
    [[overlap.member.require]]
    tags_any = ["hverdagsstoette"]

[[overlap]]
id = "family_distinct_90_days"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
severity = "advarsel"
min_days = 90
  [[overlap.member]]
    [[overlap.member.require]]
    tags_any = ["overfoersel"]
  [[overlap.member]]
    [[overlap.member.require]]
    tags_any = ["overfoersel"]

[[overlap]]
id = "sequence_health_then_transfer_30"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
severity = "info"
age_min = 30
  [overlap.sequence]
  within_days = 30
  first = { kind = "indsats", departments = ["sundhed"] }
  then = { tags_all = ["overfoersel"], kind = "ydelse" }

[[overlap]]
id = "sequence_anything_after_transfer"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
severity = "info"
  [overlap.sequence]
  within_days = 100000
  first = { tags_any = ["overfoersel"] }
  then = {}
"#;

#[test]
fn every_construct_agrees_with_duckdb_across_new_year() {
    let Some(python) = tvaers_testkit::duckdb() else {
        return;
    };
    let d = data();
    let rules = RuleSet::parse(CONSTRUCTS, "constructs.toml").expect("valid rules");
    let period = Period::new(date("2024-07-01"), date("2025-06-30")).unwrap();
    let (ms, size) = (20, 4);
    let peer = run_peer(
        &python,
        d.dir.path(),
        period,
        &sql::peer_input_json(&rules, period, ms, size),
    );
    assert_rules_agree(&rules, period, &peer);
    assert_discovery_agrees(period, &peer, ms, size);
}
