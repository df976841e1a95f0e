//! A malformed rules file fails with the line, the column and what is wrong.

use tvaers_rules::{AlertKind, Condition, Count, RuleSet, RulesError, Severity};

const GOOD: &str = r#"
[[overlap]]
id = "mentor_og_sel85"
name_da = "Mentor og § 85"
name_en = "Mentor and § 85"
severity = "advarsel"
explanation_da = "Parallel hjælp."
explanation_en = "Parallel help."
  [[overlap.require]]
  tags_any = ["mentor"]
  [[overlap.require]]
  tags_any = ["sel85"]
"#;

fn err(text: &str) -> RulesError {
    match RuleSet::parse(text, "test.toml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

/// Replaces the first occurrence of `from` in GOOD (which must be there).
fn good_with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from} not in the base text");
    GOOD.replacen(from, to, 1)
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle present");
    text[..at].matches('\n').count() + 1
}

#[test]
fn the_base_text_is_valid() {
    let r = RuleSet::parse(GOOD, "test.toml").expect("valid");
    assert_eq!(r.rules().len(), 1);
    let rule = &r.rules()[0];
    assert_eq!(rule.kind, AlertKind::Overlap);
    assert_eq!(rule.severity, Severity::Warning);
    assert_eq!(rule.min_days, 1);
    let Condition::Person(c) = &rule.condition else {
        panic!("a person rule")
    };
    assert_eq!(c.require.len(), 2);
    assert_eq!(c.require[0].count, Count::Spells);
    assert_eq!(c.require[0].at_least, 1);
}

#[test]
fn syntax_error_names_line_and_column() {
    let text = good_with("severity = \"advarsel\"", "severity = \"advarsel");
    let e = err(&text);
    assert_eq!(e.source_name, "test.toml");
    assert_eq!(e.line, line_of(&text, "severity"));
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("test.toml:{}:", e.line)),
        "{shown}"
    );
}

#[test]
fn missing_equals_is_a_syntax_error_on_its_line() {
    let text = good_with(
        "name_en = \"Mentor and § 85\"",
        "name_en \"Mentor and § 85\"",
    );
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "name_en"));
}

#[test]
fn unknown_tag_points_at_the_tag() {
    let text = good_with("[\"sel85\"]", "[\"sel58\"]");
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "sel58"));
    // Column of the opening quote of the value: `  tags_any = [` is 14 characters.
    assert_eq!(e.column, 15);
    assert!(e.message.contains("unknown tag \"sel58\""), "{e}");
    assert!(
        e.message.contains("stoettekontakt"),
        "lists the known tags: {e}"
    );
}

#[test]
fn bad_severity_is_named() {
    let text = good_with("\"advarsel\"", "\"alvorlig\"");
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "alvorlig"));
    assert_eq!(e.column, 12);
    assert!(e.message.contains("bad severity \"alvorlig\""), "{e}");
    assert!(e.to_string().contains("info, advarsel or kritisk"));
}

#[test]
fn overlap_without_severity_is_refused() {
    let text = good_with("severity = \"advarsel\"\n", "");
    let e = err(&text);
    assert!(e.message.contains("needs a severity"), "{e}");
}

#[test]
fn unknown_field_is_named_with_its_line() {
    let text = good_with("  tags_any = [\"mentor\"]", "  tags_anyy = [\"mentor\"]");
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "tags_anyy"));
    assert!(e.message.contains("tags_anyy"), "{e}");
}

#[test]
fn unknown_department_and_kind_are_named() {
    let text = good_with(
        "  tags_any = [\"mentor\"]",
        "  tags_any = [\"mentor\"]\n  departments = [\"finans\"]",
    );
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "finans"));
    assert!(e.message.contains("unknown department \"finans\""), "{e}");
    assert!(e.message.contains("social_voksne"), "{e}");

    let text = good_with(
        "  tags_any = [\"mentor\"]",
        "  tags_any = [\"mentor\"]\n  kind = \"tilskud\"",
    );
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "tilskud"));
    assert!(e.message.contains("ydelse or indsats"), "{e}");
}

#[test]
fn empty_condition_is_refused() {
    // Only an absence: would select every citizen without services.
    let text = good_with(
        "  [[overlap.require]]\n  tags_any = [\"mentor\"]\n  [[overlap.require]]\n  tags_any = [\"sel85\"]\n",
        "  [[overlap.require]]\n  tags_any = [\"mentor\"]\n  at_least = 0\n  at_most = 0\n",
    );
    let e = err(&text);
    assert!(e.message.contains("empty condition"), "{e}");
    assert_eq!(e.line, line_of(&text, "[[overlap.require]]"));

    // No condition at all.
    let cut = GOOD.find("  [[overlap.require]]").expect("present");
    let e = err(&GOOD[..cut]);
    assert!(e.message.contains("exactly one of"), "{e}");
}

#[test]
fn bad_numbers_are_refused() {
    let text = good_with(
        "  tags_any = [\"sel85\"]",
        "  tags_any = [\"sel85\"]\n  at_least = 3\n  at_most = 2",
    );
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "at_most"));
    assert!(e.message.contains("below at_least"), "{e}");

    let text = good_with(
        "severity = \"advarsel\"",
        "severity = \"advarsel\"\nmin_days = 0",
    );
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "min_days"));

    let text = good_with(
        "severity = \"advarsel\"",
        "severity = \"advarsel\"\nage_min = -3",
    );
    let e = err(&text);
    assert_eq!(e.line, line_of(&text, "age_min"));
}

#[test]
fn duplicate_ids_and_bad_ids_are_refused() {
    let text = format!("{GOOD}\n{GOOD}");
    let e = err(&text);
    assert!(e.message.contains("duplicate rule id"), "{e}");
    // The second occurrence is reported.
    let second = text.rfind("id = ").expect("present");
    assert_eq!(e.line, text[..second].matches('\n').count() + 1);

    let e = err(&good_with("mentor_og_sel85", "Mentor og SEL85"));
    assert!(e.message.contains("a-z, 0-9 and _"), "{e}");
}

#[test]
fn an_empty_file_and_an_empty_text_are_refused() {
    let e = err("# nothing here\n");
    assert!(
        e.message.contains("no [[target_group]] or [[overlap]]"),
        "{e}"
    );
    let e = err(&good_with(
        "explanation_en = \"Parallel help.\"",
        "explanation_en = \"  \"",
    ));
    assert_eq!(e.line, line_of(GOOD, "explanation_en"));
    assert!(
        e.message.contains("explanation_en must not be empty"),
        "{e}"
    );
}

#[test]
fn family_and_sequence_rules_parse_and_validate() {
    let family = r#"
[[target_group]]
id = "fam"
name_da = "x"
name_en = "x"
explanation_da = "x"
explanation_en = "x"
distinct_members = false
  [[target_group.member]]
  role = "barn"
  age_max = 17
    [[target_group.member.require]]
    tags_any = ["anbringelse"]
  [[target_group.member]]
  age_min = 18
    [[target_group.member.require]]
    tags_any = ["overfoersel"]
    count = "departments"
"#;
    let r = RuleSet::parse(family, "f.toml").expect("valid family rule");
    let Condition::Family {
        members,
        distinct_members,
    } = &r.rules()[0].condition
    else {
        panic!("family")
    };
    assert_eq!(members.len(), 2);
    assert!(!distinct_members);
    assert_eq!(members[0].age_max, Some(17));
    assert_eq!(members[1].require[0].count, Count::Departments);
    assert_eq!(
        r.rules()[0].severity,
        Severity::Info,
        "target groups default to info"
    );

    // A member without requirements.
    let broken = family.replace(
        "    [[target_group.member.require]]\n    tags_any = [\"anbringelse\"]\n",
        "",
    );
    let e = err(&broken);
    assert!(e.message.contains("no [[…require]]"), "{e}");

    let seq = r#"
[[overlap]]
id = "seq"
name_da = "x"
name_en = "x"
severity = "info"
explanation_da = "x"
explanation_en = "x"
age_min = 18
  [overlap.sequence]
  within_days = 0
  first = { tags_any = ["barn"] }
  then = { departments_none = ["boern_familie"] }
"#;
    let e = err(seq);
    assert_eq!(e.line, line_of(seq, "within_days"));
    let ok = seq.replace("within_days = 0", "within_days = 30");
    assert!(RuleSet::parse(&ok, "s.toml").is_ok());
    let bad_tag = ok.replace("[\"barn\"]", "[\"barm\"]");
    let e = err(&bad_tag);
    assert_eq!(e.line, line_of(&bad_tag, "barm"));
}

#[test]
fn the_shipped_file_is_valid_and_bilingual() {
    let r = RuleSet::standard();
    assert_eq!(r.source_name(), "rules/standard.toml");
    let groups = r
        .rules()
        .iter()
        .filter(|x| x.kind == AlertKind::TargetGroup)
        .count();
    assert!(groups >= 5, "the five target groups of docs/domain.md");
    for rule in r.rules() {
        assert_ne!(rule.explanation_da, rule.explanation_en, "{}", rule.id);
        assert_ne!(rule.name_da, rule.name_en, "{}", rule.id);
    }
}
