//! Thousands of persons sharing one family key — what a placeholder such as "0" in the person
//! export does. Family rules used to enumerate every assignment of members to roles (members²
//! for two roles, per affected member again for the overlap costs), which did not finish for a
//! family of 42,000; now the work is linear in the family's size.
//!
//! No wall-clock assertion: the family below has 2,000 children and 2,000 adults who all hold
//! both roles of two family rules on common days, so the enumeration would build 4 million
//! assignments per rule and, for the overlap costs, 2 million more for each of 3,000 affected
//! members (≈ 6·10⁹) — far beyond the test harness's patience — while the linear evaluation
//! takes well under a second in a dev build.

mod common;

use common::testkit::register;
use tvaers_analysis::{MAX_PLAUSIBLE_FAMILY, allocate, analyse_with_rules, compute_metrics};
use tvaers_core::{FamilyIx, NaiveDate, Period, PersonIx, Pseudonymised, Register};
use tvaers_rules::{Index, RuleSet, evaluate_all, evaluate_persons};

const CHILDREN: usize = 2_000;
const ADULTS: usize = 2_000;

/// Children c0.. (born 2015) with a preventive measure all year, adults a0.. (born 1980) on
/// cash benefit all year, the even ones also in activation March–June; all in family "0".
/// Plus one ordinary family of two.
fn municipality() -> Register<Pseudonymised> {
    let mut t = String::from(
        "service FOREB boern_familie uge 5.28.21 forebyggende,barn\n\
         service KTH beskaeftigelse maaned 5.57.73 overfoersel,kontanthjaelp\n\
         service AKT beskaeftigelse time 5.68.90 aktivering\n\
         price FOREB 2024 4500.00\nprice KTH 2024 11944.00\nprice AKT 2024 500.00\n\
         person x F1 1980 K\nperson y F1 2012 M\n\
         spell x KTH 2024-01-01 2024-12-31 1 -\nspell y FOREB 2024-02-01 2024-04-30 1 -\n",
    );
    for i in 0..CHILDREN {
        t.push_str(&format!(
            "person c{i} 0 2015 K\nspell c{i} FOREB 2024-01-01 2024-12-31 1 -\n"
        ));
    }
    for i in 0..ADULTS {
        t.push_str(&format!(
            "person a{i} 0 1980 M\nspell a{i} KTH 2024-01-01 2024-12-31 1 -\n"
        ));
        if i % 2 == 0 {
            t.push_str(&format!("spell a{i} AKT 2024-03-01 2024-06-30 5 -\n"));
        }
    }
    register(&t)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn one_family_of_many_members_is_linear() {
    let reg = municipality();
    let period = Period::year(2024);
    let rules = RuleSet::standard();
    // Persons 0, 1: the ordinary family; then the children, then the adults.
    let child = |i: usize| PersonIx((2 + i) as u32);
    let adult = |i: usize| PersonIx((2 + CHILDREN + i) as u32);

    let m = evaluate_all(&reg, &rules, period);
    let vulnerable = m.get("udsatte_familier").unwrap();
    let big = FamilyIx(1);
    // The ordinary family meets the rule too (February–April).
    assert_eq!(vulnerable.families, vec![FamilyIx(0), big]);
    assert_eq!(vulnerable.persons.len(), 2 + CHILDREN + ADULTS);
    let activation = m.get("aktivering_og_forebyggelse").unwrap();
    assert_eq!(activation.families, vec![big]);
    let expected: Vec<PersonIx> = (0..CHILDREN)
        .map(child)
        .chain((0..ADULTS).step_by(2).map(adult))
        .collect();
    assert_eq!(activation.persons, expected);

    // Per member, the days and services of the alerts, as for a family of two.
    let idx = Index::build(&reg);
    let asked = [child(7), adult(0), adult(1)];
    let alerts = evaluate_persons(&reg, &idx, &rules, &asked, period);
    let seen = |k: usize| -> Vec<(&str, NaiveDate, NaiveDate, Vec<u32>)> {
        alerts[k]
            .iter()
            .map(|a| {
                (
                    a.rule_id.as_str(),
                    a.from,
                    a.to,
                    a.services.iter().map(|s| s.0).collect(),
                )
            })
            .collect()
    };
    let (foreb, kth, akt) = (0, 1, 2);
    let year = (d("2024-01-01"), d("2024-12-31"));
    let spring = (d("2024-03-01"), d("2024-06-30"));
    assert_eq!(
        seen(0),
        vec![
            ("udsatte_familier", year.0, year.1, vec![foreb]),
            (
                "aktivering_og_forebyggelse",
                spring.0,
                spring.1,
                vec![foreb]
            ),
        ]
    );
    assert_eq!(
        seen(1),
        vec![
            ("udsatte_familier", year.0, year.1, vec![kth]),
            ("aktivering_og_forebyggelse", spring.0, spring.1, vec![akt]),
        ]
    );
    assert_eq!(
        seen(2),
        vec![("udsatte_familier", year.0, year.1, vec![kth])]
    );

    // The whole analysis, with the overlap costs of every affected member.
    let alloc = allocate(&reg, period).unwrap();
    let metrics = compute_metrics(&reg, &alloc, period);
    let f = &metrics.families;
    assert_eq!(metrics.family_index.members(big).len(), CHILDREN + ADULTS);
    assert_eq!((f.services[1], f.departments[1]), (3, 2));
    assert_eq!(
        (
            f.max_concurrent_services[1],
            f.max_concurrent_departments[1]
        ),
        (3, 2)
    );
    let a = analyse_with_rules(&reg, period, &rules).unwrap();
    const { assert!(CHILDREN + ADULTS > MAX_PLAUSIBLE_FAMILY) };
    assert_eq!(
        a.data_quality.implausible_families, 1,
        "the placeholder family is counted for a warning, the family of two is not"
    );
    assert!(a.rules.is_some());
}
