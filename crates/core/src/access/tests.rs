//! The access matrix, against tables written from the rule's text (issue 9 and
//! docs/data-protection.md), not computed by the rule.
//!
//! Codes in the tables — allowed: `team` (team member, basic data), `own` (own department),
//! `cons` (consent), `law` (legal basis), `btg` (break-the-glass), `sup` (supervision);
//! refused: `-team` (not on the team), `-sens` (sensitive, needs consent), `-none` (no consent
//! or legal basis), `-anal` (analyst), `-stat` (statistics purpose), `-role` (role sees no
//! citizen data), `-audit` (audit log only for supervision), `-purp` (purpose not for role).

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn hours(h: i64) -> chrono::Duration {
    chrono::Duration::hours(h)
}

const ME: UserId = UserId(7);
const OTHER: UserId = UserId(8);

/// The municipality's legal bases in every test: employment and coordinators may see elderly
/// care; health may see employment; and one for a sensitive category, which must not count.
fn legal_bases() -> Vec<LegalBasis> {
    let lb = |viewer, d, text: &str| LegalBasis {
        viewer,
        category: DataCategory::Services(d),
        text: text.to_string(),
    };
    vec![
        lb(
            Viewer::Department(Department::Employment),
            Department::Elderly,
            "law E→Ä",
        ),
        lb(Viewer::Coordinator, Department::Elderly, "law C→Ä"),
        lb(
            Viewer::Department(Department::Health),
            Department::Employment,
            "law S→B",
        ),
        lb(
            Viewer::Department(Department::Employment),
            Department::Health,
            "law E→S (sensitive: ignored)",
        ),
    ]
}

/// The situations of the matrix's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Team {
    On,
    Off,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConsentCase {
    None,
    Covers,
    Withdrawn,
    OtherScope,
    NotYetGiven,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GrantCase {
    None,
    Active,
    Expired,
    OtherUser,
}

fn facts(r: Role, cat: DataCategory, team: Team, c: ConsentCase, g: GrantCase) -> CitizenFacts {
    let viewer = r
        .viewer()
        .unwrap_or(Viewer::Department(Department::Employment));
    let other_viewer = match viewer {
        Viewer::Coordinator => Viewer::Department(Department::Integration),
        Viewer::Department(_) => Viewer::Coordinator,
    };
    let other_category = if cat == DataCategory::Services(Department::Psychiatry) {
        DataCategory::Services(Department::Disability)
    } else {
        DataCategory::Services(Department::Psychiatry)
    };
    let consent = |scope, given_at, withdrawn_at| Consent {
        id: ConsentId(3),
        scope,
        given_at,
        withdrawn_at,
    };
    let consents = match c {
        ConsentCase::None => vec![],
        ConsentCase::Covers => vec![consent(vec![(viewer, cat)], now() - hours(48), None)],
        ConsentCase::Withdrawn => vec![consent(
            vec![(viewer, cat)],
            now() - hours(48),
            Some(now() - hours(1)),
        )],
        ConsentCase::OtherScope => vec![consent(
            vec![(other_viewer, cat), (viewer, other_category)],
            now() - hours(48),
            None,
        )],
        ConsentCase::NotYetGiven => vec![consent(vec![(viewer, cat)], now() + hours(1), None)],
    };
    let grant = |user, from, until| BreakGlassGrant {
        id: GrantId(5),
        user,
        reason: "acute".to_string(),
        from,
        until,
    };
    let grants = match g {
        GrantCase::None => vec![],
        GrantCase::Active => vec![grant(ME, now() - hours(1), now() + hours(1))],
        GrantCase::Expired => vec![grant(ME, now() - hours(3), now() - hours(1))],
        GrantCase::OtherUser => vec![grant(OTHER, now() - hours(1), now() + hours(1))],
    };
    CitizenFacts {
        team: match team {
            Team::On => vec![OTHER, ME],
            Team::Off => vec![OTHER],
        },
        consents,
        legal_bases: legal_bases(),
        grants,
        service_bases: vec![
            (Department::Employment, "LAS § 25".to_string()),
            (Department::Health, "SUL § 138".to_string()),
        ],
    }
}

/// The short code of a decision (see the module doc).
fn code(d: &Decision) -> &'static str {
    match (d.allowed, d.reason) {
        (true, Reason::TeamMember) => "team",
        (true, Reason::OwnDepartment) => "own",
        (true, Reason::ConsentInForce) => "cons",
        (true, Reason::LegalBasisCovers) => "law",
        (true, Reason::BreakTheGlass) => "btg",
        (true, Reason::Supervision) => "sup",
        (false, Reason::NotOnTeam) => "-team",
        (false, Reason::SensitiveNeedsConsent) => "-sens",
        (false, Reason::NoConsentOrLegalBasis) => "-none",
        (false, Reason::AnalystSeesNoIdentifiedData) => "-anal",
        (false, Reason::StatisticsNeverIdentified) => "-stat",
        (false, Reason::RoleSeesNoCitizenData) => "-role",
        (false, Reason::AuditLogOnlyForSupervision) => "-audit",
        (false, Reason::PurposeNotForRole) => "-purp",
        (allowed, reason) => panic!("inconsistent decision: allowed={allowed} {reason:?}"),
    }
}

/// Columns of [`CASE_PROCESSING`]: (team, consent, grant).
const COLUMNS: [(Team, ConsentCase, GrantCase); 9] = [
    (Team::On, ConsentCase::None, GrantCase::None),
    (Team::On, ConsentCase::Covers, GrantCase::None),
    (Team::On, ConsentCase::Withdrawn, GrantCase::None),
    (Team::On, ConsentCase::OtherScope, GrantCase::None),
    (Team::On, ConsentCase::None, GrantCase::Active),
    (Team::On, ConsentCase::None, GrantCase::Expired),
    (Team::Off, ConsentCase::Covers, GrantCase::None),
    (Team::Off, ConsentCase::None, GrantCase::Active),
    (Team::Off, ConsentCase::Covers, GrantCase::Expired),
];

// The case-processing table and the codes of roles and categories, shared with the same matrix
// driven through HTTP (crates/server/tests/matrix.rs).
include!("matrix_table.rs");

/// Every purpose, on the team with a covering consent and an active grant (so that only the
/// role and the purpose can refuse). Columns: case processing, statistics, supervision,
/// administration — for basic data, health (sensitive, another department's for most roles) and
/// the audit log.
#[rustfmt::skip]
const PURPOSES: &[(&str, &str, &str)] = &[
    //  role       category   CASE   STAT   SUPER  ADMIN
    ("cw_emp",  "basic",   "team   -stat  -purp  -purp"),
    ("cw_emp",  "health",  "cons   -stat  -purp  -purp"),
    ("cw_emp",  "audit",   "-audit -stat  -purp  -purp"),
    ("coord",   "basic",   "team   -stat  -purp  -purp"),
    ("coord",   "health",  "cons   -stat  -purp  -purp"),
    ("coord",   "audit",   "-audit -stat  -purp  -purp"),
    ("mgr_emp", "basic",   "team   -stat  team   -purp"),
    ("mgr_emp", "health",  "cons   -stat  cons   -purp"),
    ("mgr_emp", "audit",   "-audit -stat  -audit -purp"),
    ("analyst", "basic",   "-anal  -anal  -anal  -anal"),
    ("analyst", "health",  "-anal  -anal  -anal  -anal"),
    ("analyst", "audit",   "-anal  -anal  -anal  -anal"),
    ("dpo",     "basic",   "-role  -stat  -role  -role"),
    ("dpo",     "health",  "-role  -stat  -role  -role"),
    ("dpo",     "audit",   "-purp  -stat  sup    -purp"),
    ("admin",   "basic",   "-role  -stat  -role  -role"),
    ("admin",   "health",  "-role  -stat  -role  -role"),
    ("admin",   "audit",   "-role  -stat  -role  -role"),
];

#[test]
fn case_processing_matrix_matches_the_written_table() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for &(r, c, row) in CASE_PROCESSING {
        let expected: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(expected.len(), COLUMNS.len(), "row {r} {c}");
        for (col, &(team, consent, grant)) in COLUMNS.iter().enumerate() {
            let subject = Subject {
                id: ME,
                role: role(r),
            };
            let f = facts(subject.role, category(c), team, consent, grant);
            let d = decide(&subject, &f, category(c), Purpose::CaseProcessing, now());
            checked += 1;
            if code(&d) != expected[col] {
                failures.push(format!(
                    "{r} {c} {team:?}/{consent:?}/{grant:?}: expected {} got {} ({d:?})",
                    expected[col],
                    code(&d)
                ));
            }
        }
    }
    assert_eq!(checked, 7 * 6 * 9);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn purpose_matrix_matches_the_written_table() {
    let mut failures = Vec::new();
    for &(r, c, row) in PURPOSES {
        let expected: Vec<&str> = row.split_whitespace().collect();
        for (col, purpose) in Purpose::ALL.into_iter().enumerate() {
            let subject = Subject {
                id: ME,
                role: role(r),
            };
            let f = facts(
                subject.role,
                category(c),
                Team::On,
                ConsentCase::Covers,
                GrantCase::Active,
            );
            let d = decide(&subject, &f, category(c), purpose, now());
            if code(&d) != expected[col] {
                failures.push(format!(
                    "{r} {c} {purpose:?}: expected {} got {}",
                    expected[col],
                    code(&d)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The whole product (7 roles × 2 team × 5 consent × 4 grant × 10 categories × 4 purposes)
/// against the properties the text states outright.
#[test]
fn every_combination_keeps_the_stated_properties() {
    let roles = [
        "cw_emp", "cw_hea", "coord", "mgr_emp", "analyst", "dpo", "admin",
    ];
    let consents = [
        ConsentCase::None,
        ConsentCase::Covers,
        ConsentCase::Withdrawn,
        ConsentCase::OtherScope,
        ConsentCase::NotYetGiven,
    ];
    let grants = [
        GrantCase::None,
        GrantCase::Active,
        GrantCase::Expired,
        GrantCase::OtherUser,
    ];
    let mut n = 0;
    for r in roles {
        let subject = Subject {
            id: ME,
            role: role(r),
        };
        for team in [Team::On, Team::Off] {
            for consent in consents {
                for grant in grants {
                    for cat in DataCategory::all() {
                        for purpose in Purpose::ALL {
                            n += 1;
                            let at = |c, g| {
                                decide(
                                    &subject,
                                    &facts(subject.role, cat, team, c, g),
                                    cat,
                                    purpose,
                                    now(),
                                )
                            };
                            let d = at(consent, grant);
                            let _ = code(&d); // allowed ⇔ an allowing reason
                            assert_eq!(d.allowed, d.basis.is_some());
                            // An analyst never sees identified data; statistics never does.
                            if r == "analyst" || purpose == Purpose::Statistics {
                                assert!(!d.allowed);
                            }
                            // The DPO sees only the audit log, the administrator nothing.
                            if r == "dpo" {
                                assert_eq!(
                                    d.allowed,
                                    cat == DataCategory::AuditLog
                                        && purpose == Purpose::Supervision
                                );
                            }
                            if r == "admin" {
                                assert!(!d.allowed);
                            }
                            // The audit log is for supervision only.
                            if cat == DataCategory::AuditLog && r != "dpo" {
                                assert!(!d.allowed);
                            }
                            // Off the team only break-the-glass opens a citizen (the DPO's
                            // supervision of the audit log needs no team).
                            if team == Team::Off && d.allowed && r != "dpo" {
                                assert!(d.is_break_the_glass());
                            }
                            // Withdrawn or not yet given consent is no consent; an expired grant
                            // or another user's grant is no grant.
                            let base_c = match consent {
                                ConsentCase::Withdrawn
                                | ConsentCase::NotYetGiven
                                | ConsentCase::OtherScope => ConsentCase::None,
                                c => c,
                            };
                            let base_g = match grant {
                                GrantCase::Expired | GrantCase::OtherUser => GrantCase::None,
                                g => g,
                            };
                            assert_eq!(d, at(base_c, base_g), "{r} {cat} {purpose:?}");
                            // A sensitive category of another department is never opened by a
                            // legal basis.
                            if cat.is_sensitive() && d.allowed {
                                assert!(!matches!(d.basis, Some(Basis::LegalBasis { .. })));
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(n, 7 * 2 * 5 * 4 * 10 * 4);
}

#[test]
fn consent_withdrawn_now_no_longer_counts_and_grants_end_at_until() {
    let subject = Subject {
        id: ME,
        role: role("cw_emp"),
    };
    let health = category("health");
    let mut f = facts(
        subject.role,
        health,
        Team::On,
        ConsentCase::Covers,
        GrantCase::None,
    );
    let at = |f: &CitizenFacts, t| decide(&subject, f, health, Purpose::CaseProcessing, t);
    assert!(at(&f, now()).allowed);
    f.consents[0].withdrawn_at = Some(now());
    assert_eq!(code(&at(&f, now())), "-sens");
    assert_eq!(
        code(&at(&f, now() - chrono::Duration::microseconds(1))),
        "cons"
    );

    let mut f = facts(
        subject.role,
        health,
        Team::Off,
        ConsentCase::None,
        GrantCase::Active,
    );
    f.grants[0].until = now();
    assert_eq!(code(&at(&f, now())), "-team");
    f.grants[0].from = now() + hours(1);
    f.grants[0].until = now() + hours(2);
    assert_eq!(code(&at(&f, now())), "-team");
    assert_eq!(code(&at(&f, now() + hours(1))), "btg");
}

#[test]
fn bases_carry_what_the_audit_log_needs() {
    let subject = Subject {
        id: ME,
        role: role("cw_emp"),
    };
    let f = facts(
        subject.role,
        category("emp"),
        Team::On,
        ConsentCase::None,
        GrantCase::None,
    );
    let d = decide(
        &subject,
        &f,
        category("emp"),
        Purpose::CaseProcessing,
        now(),
    );
    assert_eq!(
        d.basis,
        Some(Basis::OwnDepartment {
            department: Department::Employment,
            legal_basis: vec!["LAS § 25".to_string()]
        })
    );
    let d = decide(
        &subject,
        &f,
        category("elderly"),
        Purpose::CaseProcessing,
        now(),
    );
    assert_eq!(
        d.basis,
        Some(Basis::LegalBasis {
            text: "law E→Ä".to_string()
        })
    );
    let f = facts(
        subject.role,
        category("health"),
        Team::Off,
        ConsentCase::None,
        GrantCase::Active,
    );
    let d = decide(
        &subject,
        &f,
        category("health"),
        Purpose::CaseProcessing,
        now(),
    );
    assert_eq!(
        d.basis,
        Some(Basis::BreakTheGlass {
            grant_id: GrantId(5),
            reason: "acute".to_string()
        })
    );
}

#[test]
fn codes_round_trip() {
    for c in DataCategory::all() {
        assert_eq!(DataCategory::from_code(c.code()), Some(c));
    }
    for r in Reason::ALL {
        assert_eq!(Reason::from_code(r.code()), Some(r));
    }
    for p in Purpose::ALL {
        assert_eq!(Purpose::from_code(p.code()), Some(p));
    }
    for v in [Viewer::Coordinator, Viewer::Department(Department::Health)] {
        assert_eq!(Viewer::from_code(v.code()), Some(v));
    }
    for code in Role::CODES {
        let dept = matches!(code, "caseworker" | "manager").then_some(Department::Elderly);
        assert_eq!(Role::from_code(code, dept).unwrap().code(), code);
    }
    assert_eq!(
        Role::from_code("caseworker", None),
        Err(RoleError::NeedsDepartment)
    );
    assert_eq!(
        Role::from_code("admin", Some(Department::Health)),
        Err(RoleError::NoDepartment)
    );
    assert_eq!(Role::from_code("boss", None), Err(RoleError::Unknown));
}
