//! Day counts a rules file may hold but no period can reach (beyond `i32::MAX` days) neither
//! wrap around nor overflow: `min_days` that long matches nothing, `within_days` that long means
//! "any time later".

mod common;

use common::{Builder, year};
use tvaers_rules::{Index, RuleSet, evaluate_all, evaluate_person};

fn rules(min_days: &str, within_days: &str) -> RuleSet {
    let text = format!(
        r#"
[[target_group]]
id = "lang_hjemmehjaelp"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
min_days = {min_days}
  [[target_group.require]]
  tags_any = ["hjemmehjaelp"]

[[overlap]]
id = "sygepleje_derefter_hjemmehjaelp"
name_da = "x"
name_en = "x"
severity = "info"
explanation_da = "x"
explanation_en = "x"
  [overlap.sequence]
  within_days = {within_days}
  first = {{ tags_any = ["hjemmesygepleje"] }}
  then = {{ tags_any = ["hjemmehjaelp"] }}
"#
    );
    RuleSet::parse(&text, "huge.toml").expect("valid rules")
}

/// Rule ids (sorted) that hold for the one citizen: home nursing in March, home help from May.
fn hits(rules: &RuleSet) -> (Vec<String>, Vec<String>) {
    let mut b = Builder::new();
    let p = b.person(1940);
    b.spell(p, "HJSP", "2025-03-01", Some("2025-03-31"));
    b.spell(p, "HJH", "2025-05-01", None);
    let reg = b.register();
    let mut one: Vec<String> = evaluate_person(reg, &Index::build(reg), rules, p, year(2025))
        .into_iter()
        .map(|a| a.rule_id)
        .collect();
    one.sort_unstable();
    one.dedup();
    let m = evaluate_all(reg, rules, year(2025));
    let mut all: Vec<String> = rules
        .rules()
        .iter()
        .filter(|r| m.get(&r.id).is_some_and(|x| x.persons.contains(&p)))
        .map(|r| r.id.clone())
        .collect();
    all.sort_unstable();
    (one, all)
}

#[test]
fn ordinary_day_counts_match_as_expected() {
    let (one, all) = hits(&rules("30", "60"));
    let both = vec![
        "lang_hjemmehjaelp".to_string(),
        "sygepleje_derefter_hjemmehjaelp".to_string(),
    ];
    assert_eq!(one, both);
    assert_eq!(all, both);
}

#[test]
fn min_days_beyond_i32_matches_nothing_rather_than_everything() {
    // 3,000,000,000 as i32 is negative: every run would have been long enough.
    for min_days in ["2147483648", "3000000000", "4294967295"] {
        let (one, all) = hits(&rules(min_days, "60"));
        assert_eq!(one, vec!["sygepleje_derefter_hjemmehjaelp"], "{min_days}");
        assert_eq!(all, one, "{min_days}");
    }
}

#[test]
fn within_days_beyond_any_period_means_any_time_later() {
    // 2,000,000,000 overflowed `end + within` (a panic in debug builds); 3,000,000,000 and
    // u32::MAX became negative and matched nothing.
    for within in ["2000000000", "2147483647", "3000000000", "4294967295"] {
        let (one, all) = hits(&rules("30", within));
        let both = vec![
            "lang_hjemmehjaelp".to_string(),
            "sygepleje_derefter_hjemmehjaelp".to_string(),
        ];
        assert_eq!(one, both, "{within}");
        assert_eq!(all, both, "{within}");
    }
}
