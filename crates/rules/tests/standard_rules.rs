//! Every shipped rule catches a citizen it must catch and passes over a near miss.

mod common;

use common::{Builder, d, year};
use tvaers_core::{PersonIx, ServiceIx};
use tvaers_rules::{Alert, AlertKind, Index, RuleSet, Severity, evaluate_all, evaluate_person};

/// A test case: builds a register and returns (a citizen the rule must catch, one it must not).
type Case = fn(&mut Builder) -> (PersonIx, PersonIx);

fn cases() -> Vec<(&'static str, Case)> {
    vec![
        ("udsatte_familier", |b| {
            // Child's preventive measure Mar–Aug, mother on kontanthjælp from June: common days.
            let f = b.family();
            let mother = b.member(1985, f);
            let child = b.member(2015, f);
            b.spell(child, "FOREB", "2025-03-01", Some("2025-08-31"));
            b.spell(mother, "KTH", "2025-06-01", None);
            // Same services one after the other: no common day.
            let g = b.family();
            let father = b.member(1980, g);
            let child2 = b.member(2014, g);
            b.spell(child2, "FOREB", "2025-01-01", Some("2025-03-31"));
            b.spell(father, "KTH", "2025-04-01", None);
            (mother, father)
        }),
        ("overfoersel_genoptraening_pleje", |b| {
            let p = b.person(1970);
            b.spell(p, "KTH", "2024-06-01", None);
            b.spell(p, "GENOP", "2025-03-01", Some("2025-05-31"));
            b.spell(p, "HJH", "2025-05-01", Some("2025-06-30"));
            // Rehabilitation ends before home nursing starts.
            let q = b.person(1970);
            b.spell(q, "KTH", "2024-06-01", None);
            b.spell(q, "GENOP", "2025-03-01", Some("2025-04-30"));
            b.spell(q, "HJSP", "2025-05-01", None);
            (p, q)
        }),
        ("misbrug_overfoersel", |b| {
            // One common day (30 June) is enough.
            let p = b.person(1975);
            b.spell(p, "SDP", "2025-01-01", Some("2025-06-30"));
            b.spell(p, "MISBRUG", "2025-06-30", None);
            // Treatment with home support but no transfer income.
            let q = b.person(1975);
            b.spell(q, "MISBRUG", "2025-01-01", None);
            b.spell(q, "SEL85", "2025-01-01", None);
            (p, q)
        }),
        ("mentor_stoette_overfoersel", |b| {
            let p = b.person(1976);
            b.spell(p, "FP", "2020-01-01", None);
            b.spell(p, "MENTOR", "2025-02-01", Some("2025-10-31"));
            b.spell(p, "SKP99", "2025-09-01", None);
            // § 85 support ended before the mentor started.
            let q = b.person(1976);
            b.spell(q, "FP", "2020-01-01", None);
            b.spell(q, "SEL85", "2024-01-01", Some("2025-01-31"));
            b.spell(q, "MENTOR", "2025-02-01", None);
            (p, q)
        }),
        ("unge_17_25_komplekse", |b| {
            // 20 in 2025: education benefit plus mentor and § 85.
            let p = b.person(2005);
            b.spell(p, "UDH", "2025-01-01", None);
            b.spell(p, "MENTOR", "2025-01-01", None);
            b.spell(p, "SEL85", "2025-01-01", None);
            // Same age, but the second "other" service is another transfer income.
            let q = b.person(2005);
            b.spell(q, "UDH", "2025-01-01", None);
            b.spell(q, "KTH", "2025-01-01", None);
            b.spell(q, "MENTOR", "2025-01-01", None);
            (p, q)
        }),
        ("mange_samtidige_ydelser", |b| {
            let codes = ["KTH", "MENTOR", "AKT", "SEL85", "SKP99", "HJH", "GENOP"];
            let p = b.person(1970);
            for c in codes {
                b.spell(p, c, "2025-03-01", Some("2025-03-31"));
            }
            // Seven spells but only six distinct services (§ 85 twice).
            let q = b.person(1970);
            for c in &codes[..6] {
                b.spell(q, c, "2025-03-01", Some("2025-03-31"));
            }
            b.spell(q, "SEL85", "2025-03-01", Some("2025-03-31"));
            (p, q)
        }),
        ("mentor_og_stoettekontakt", |b| {
            // 21 days of parallel help (10–30 June).
            let p = b.person(1980);
            b.spell(p, "MENTOR", "2025-01-01", Some("2025-06-30"));
            b.spell(p, "SEL85", "2025-06-10", None);
            // 11 days: a hand-over, under the rule's 14 days.
            let q = b.person(1980);
            b.spell(q, "MENTOR", "2025-01-01", Some("2025-06-30"));
            b.spell(q, "SKP99", "2025-06-20", None);
            (p, q)
        }),
        ("dobbelt_befordring", |b| {
            let p = b.person(1960);
            b.spell(p, "BEF_SUND", "2025-01-01", Some("2025-12-31"));
            b.spell(p, "BEF_HAND", "2025-04-01", Some("2025-04-30"));
            // Seven days of overlap when one scheme replaces the other.
            let q = b.person(1960);
            b.spell(q, "BEF_SUND", "2025-01-01", Some("2025-03-31"));
            b.spell(q, "BEF_HAND", "2025-03-25", None);
            (p, q)
        }),
        ("aktivering_under_angstbehandling", |b| {
            let p = b.person(1990);
            b.spell(p, "ANGST", "2025-02-01", Some("2025-07-31"));
            b.spell(p, "AKT", "2025-05-01", Some("2025-09-30"));
            // Psychiatric treatment that is not for anxiety.
            let q = b.person(1990);
            b.spell(q, "PSYK", "2025-02-01", Some("2025-07-31"));
            b.spell(q, "AKT", "2025-05-01", Some("2025-09-30"));
            (p, q)
        }),
        ("aktivering_under_behandling", |b| {
            let p = b.person(1985);
            b.spell(p, "MISBRUG", "2025-01-01", None);
            b.spell(p, "AKT", "2025-03-01", Some("2025-03-31"));
            // Anxiety treatment is left to the critical rule.
            let q = b.person(1985);
            b.spell(q, "ANGST", "2025-01-01", None);
            b.spell(q, "AKT", "2025-03-01", Some("2025-03-31"));
            (p, q)
        }),
        ("aktivering_og_genoptraening", |b| {
            let p = b.person(1972);
            b.spell(p, "AKT", "2025-01-01", Some("2025-06-30"));
            b.spell(p, "GENOP", "2025-06-01", Some("2025-08-31"));
            // Two activations, one with physical training: not training in two places.
            let q = b.person(1972);
            b.spell(q, "AKT", "2025-01-01", Some("2025-06-30"));
            b.spell(q, "AKT_FYS", "2025-06-01", Some("2025-08-31"));
            (p, q)
        }),
        ("familiebehandling_i_arbejdstid", |b| {
            // A single parent registered for both activation and family treatment.
            let f = b.family();
            let parent = b.member(1990, f);
            let _child = b.member(2018, f);
            b.spell(parent, "AKT", "2025-02-01", Some("2025-04-30"));
            b.spell(parent, "FAMBEH", "2025-04-01", Some("2025-09-30"));
            // Family treatment (on the child) only after the activation ended.
            let g = b.family();
            let parent2 = b.member(1990, g);
            let child2 = b.member(2018, g);
            b.spell(parent2, "AKT", "2025-02-01", Some("2025-04-30"));
            b.spell(child2, "FAMBEH", "2025-05-01", Some("2025-09-30"));
            (parent, parent2)
        }),
        ("aktivering_og_forebyggelse", |b| {
            let f = b.family();
            let parent = b.member(1987, f);
            let child = b.member(2012, f);
            b.spell(parent, "AKT", "2025-01-01", None);
            b.spell(child, "FOREB", "2025-08-01", None);
            // The child is placed, not under a preventive measure.
            let g = b.family();
            let parent2 = b.member(1987, g);
            let child2 = b.member(2012, g);
            b.spell(parent2, "AKT", "2025-01-01", None);
            b.spell(child2, "ANBR", "2025-08-01", None);
            (parent, parent2)
        }),
        ("mange_kontaktpersoner", |b| {
            let codes = ["KTH", "MENTOR", "SEL85", "HJH", "GENOP"];
            let p = b.person(1965);
            for (i, c) in codes.iter().enumerate() {
                b.spell_with_contact(p, c, "2025-01-01", None, Some(i as u32 + 1));
            }
            // Six spells: two share a contact person and one has none — four people.
            let q = b.person(1965);
            for (i, c) in codes.iter().take(4).enumerate() {
                b.spell_with_contact(q, c, "2025-01-01", None, Some(i as u32 + 1));
            }
            b.spell_with_contact(q, "GENOP", "2025-01-01", None, Some(1));
            b.spell_with_contact(q, "AKT", "2025-01-01", None, None);
            (p, q)
        }),
        ("overgang_18_aar", |b| {
            // Turns 18 in 2025: placement ends in May, kontanthjælp from July.
            let p = b.person(2007);
            b.spell(p, "ANBR", "2020-01-01", Some("2025-05-14"));
            b.spell(p, "KTH", "2025-07-01", None);
            // The same course at 25 is no 18-year transition.
            let q = b.person(2000);
            b.spell(q, "ANBR", "2020-01-01", Some("2025-05-14"));
            b.spell(q, "KTH", "2025-07-01", None);
            (p, q)
        }),
    ]
}

fn alerts_for(b: &Builder, p: PersonIx, rules: &RuleSet) -> Vec<Alert> {
    let reg = b.register();
    evaluate_person(reg, &Index::build(reg), rules, p, year(2025))
}

#[test]
fn every_shipped_rule_has_a_case() {
    let standard = RuleSet::standard();
    let mut shipped: Vec<&str> = standard.rules().iter().map(|r| r.id.as_str()).collect();
    let mut tested: Vec<&str> = cases().iter().map(|(id, _)| *id).collect();
    shipped.sort_unstable();
    tested.sort_unstable();
    assert_eq!(shipped, tested);
}

#[test]
fn each_rule_catches_its_case_and_not_the_near_miss() {
    let rules = RuleSet::standard();
    let mut failures = Vec::new();
    for (id, case) in cases() {
        let mut b = Builder::new();
        let (hit, miss) = case(&mut b);
        let hit_alerts = alerts_for(&b, hit, &rules);
        let miss_alerts = alerts_for(&b, miss, &rules);
        if !hit_alerts.iter().any(|a| a.rule_id == id) {
            failures.push(format!(
                "{id}: did not catch its case; alerts {hit_alerts:?}"
            ));
        }
        if miss_alerts.iter().any(|a| a.rule_id == id) {
            failures.push(format!(
                "{id}: caught the near miss; alerts {miss_alerts:?}"
            ));
        }
        // The statistics path must agree with the per-citizen path.
        let m = evaluate_all(b.register(), &rules, year(2025));
        let members = &m.get(id).expect("every rule has a membership").persons;
        if !members.contains(&hit) || members.contains(&miss) {
            failures.push(format!("{id}: evaluate_all members {members:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn only<'a>(alerts: &'a [Alert], id: &str) -> Vec<&'a Alert> {
    alerts.iter().filter(|a| a.rule_id == id).collect()
}

#[test]
fn alerts_carry_the_days_services_and_texts() {
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let p = b.person(1970);
    b.spell(p, "KTH", "2024-06-01", None);
    b.spell(p, "GENOP", "2025-03-01", Some("2025-05-31"));
    b.spell(p, "HJH", "2025-05-01", Some("2025-06-30"));
    b.spell(p, "MENTOR", "2025-01-01", None); // not part of this target group
    let alerts = alerts_for(&b, p, &rules);
    let a = only(&alerts, "overfoersel_genoptraening_pleje");
    assert_eq!(a.len(), 1);
    let a = a[0];
    // All three are active from 1 May (home help starts) to 31 May (rehabilitation ends).
    assert_eq!((a.from, a.to), (d("2025-05-01"), d("2025-05-31")));
    let mut expected: Vec<ServiceIx> = ["KTH", "GENOP", "HJH"].map(|c| b.service(c)).to_vec();
    expected.sort_unstable();
    assert_eq!(a.services, expected);
    assert_eq!(a.kind, AlertKind::TargetGroup);
    assert_eq!(a.severity, Severity::Info);
    assert!(a.explanation_da.contains("genoptræning"));
    assert!(a.explanation_en.contains("rehabilitation"));
}

#[test]
fn separate_spells_of_overlap_give_separate_alerts_clipped_to_the_period() {
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let p = b.person(1990);
    b.spell(p, "ANGST", "2024-01-01", None);
    b.spell(p, "AKT", "2024-11-01", Some("2025-01-31"));
    b.spell(p, "AKT", "2025-11-01", Some("2026-03-31"));
    let alerts = alerts_for(&b, p, &rules);
    let a = only(&alerts, "aktivering_under_angstbehandling");
    let days: Vec<_> = a.iter().map(|a| (a.from, a.to)).collect();
    assert_eq!(
        days,
        vec![
            (d("2025-01-01"), d("2025-01-31")),
            (d("2025-11-01"), d("2025-12-31"))
        ]
    );
    assert!(a.iter().all(|a| a.severity == Severity::Critical));
}

#[test]
fn family_rules_alert_each_member_filling_a_role() {
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let f = b.family();
    let mother = b.member(1985, f);
    let child = b.member(2015, f);
    let sibling = b.member(2017, f);
    b.spell(child, "FOREB", "2025-03-01", Some("2025-08-31"));
    b.spell(mother, "KTH", "2025-06-01", None);
    b.spell(mother, "MENTOR", "2025-06-01", None);
    let reg = b.register();
    let idx = Index::build(reg);
    let for_child = evaluate_person(reg, &idx, &rules, child, year(2025));
    let a = only(&for_child, "udsatte_familier");
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].from, a[0].to), (d("2025-06-01"), d("2025-08-31")));
    // Only the child's own service, not the mother's.
    assert_eq!(a[0].services, vec![b.service("FOREB")]);
    let for_mother = evaluate_person(reg, &idx, &rules, mother, year(2025));
    assert_eq!(
        only(&for_mother, "udsatte_familier")[0].services,
        vec![b.service("KTH")]
    );
    // The sibling has no services and fills no role.
    let for_sibling = evaluate_person(reg, &idx, &rules, sibling, year(2025));
    assert!(only(&for_sibling, "udsatte_familier").is_empty());

    let m = evaluate_all(reg, &rules, year(2025));
    let fam = m.get("udsatte_familier").expect("rule");
    assert_eq!(fam.persons, vec![mother, child]);
    assert_eq!(fam.families, vec![idx.families.of(mother)]);
    // Person rules report no families.
    assert!(
        m.get("misbrug_overfoersel")
            .expect("rule")
            .families
            .is_empty()
    );
}

#[test]
fn an_eighteen_year_old_is_no_child_in_a_family_rule() {
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let f = b.family();
    let parent = b.member(1980, f);
    let young = b.member(2007, f); // 18 in 2025
    b.spell(young, "ANBR", "2024-06-01", None);
    b.spell(parent, "KTH", "2024-06-01", None);
    assert!(only(&alerts_for(&b, parent, &rules), "udsatte_familier").is_empty());
    // The year before, at 17 in the year, the family belongs to the target group.
    let reg = b.register();
    let prior = evaluate_person(reg, &Index::build(reg), &rules, parent, year(2024));
    let a = only(&prior, "udsatte_familier");
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].from, a[0].to), (d("2024-06-01"), d("2024-12-31")));
}

#[test]
fn the_transition_alert_spans_the_hand_over() {
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let p = b.person(2007);
    b.spell(p, "ANBR", "2020-01-01", Some("2025-05-14"));
    b.spell(p, "UNGSTOETTE", "2025-05-15", None); // still the children's department
    b.spell(p, "KTH", "2025-07-01", None);
    let alerts = alerts_for(&b, p, &rules);
    let a = only(&alerts, "overgang_18_aar");
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].from, a[0].to), (d("2025-05-14"), d("2025-07-01")));
    let mut expected = vec![b.service("ANBR"), b.service("KTH")];
    expected.sort_unstable();
    assert_eq!(a[0].services, expected);
    // Without an adult service the transition is not flagged.
    let mut b = Builder::new();
    let q = b.person(2007);
    b.spell(q, "ANBR", "2020-01-01", Some("2025-05-14"));
    b.spell(q, "UNGSTOETTE", "2025-05-15", None);
    assert!(only(&alerts_for(&b, q, &rules), "overgang_18_aar").is_empty());
}

#[test]
fn the_young_target_group_uses_the_age_in_each_year() {
    // Born 1999: 25 in 2024, 26 in 2025. A period over both years catches only 2024 days.
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let p = b.person(1999);
    b.spell(p, "KTH", "2024-10-01", None);
    b.spell(p, "MENTOR", "2024-10-01", None);
    b.spell(p, "SEL85", "2024-10-01", None);
    let reg = b.register();
    let period = tvaers_core::Period::new(d("2024-07-01"), d("2025-06-30")).expect("period");
    let alerts = evaluate_person(reg, &Index::build(reg), &rules, p, period);
    let a = only(&alerts, "unge_17_25_komplekse");
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].from, a[0].to), (d("2024-10-01"), d("2024-12-31")));
}

#[test]
fn the_same_rules_serve_one_identified_citizen() {
    use tvaers_core::{Cpr, Identified, IdentifiedPerson, Register};
    let rules = RuleSet::standard();
    let mut b = Builder::new();
    let f = b.family();
    let mother = b.member(1985, f);
    let child = b.member(2015, f);
    b.spell(child, "FOREB", "2025-03-01", Some("2025-08-31"));
    b.spell(mother, "KTH", "2025-06-01", None);
    b.spell(mother, "MENTOR", "2025-01-01", None);
    b.spell(mother, "SKP99", "2025-02-01", None);
    let pseudo = b.build();
    let expected = evaluate_person(&pseudo, &Index::build(&pseudo), &rules, mother, year(2025));
    assert!(
        expected.len() >= 3,
        "family, target group and overlap: {expected:?}"
    );

    let mut serial = 0;
    let identified: Register<Identified> = pseudo.map_identity(
        |p| {
            serial += 1;
            let birth = d(&format!("{}-07-01", p.birth_year));
            IdentifiedPerson {
                cpr: Cpr::synthetic(birth, p.sex, serial).expect("synthetic CPR"),
                birth_date: birth,
                sex: p.sex,
                family: p.family.to_hex(),
            }
        },
        |c| c.to_hex(),
    );
    let idx = Index::build(&identified);
    let got = evaluate_person(&identified, &idx, &rules, mother, year(2025));
    assert_eq!(got, expected);
}
