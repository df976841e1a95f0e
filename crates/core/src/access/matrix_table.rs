// The access matrix's case-processing table, written from the rule's text (issue 9 and
// docs/data-protection.md), and the codes of its roles and categories. Included (`include!`) by
// the rule's unit test (`tests.rs`) and by the same matrix driven through HTTP
// (crates/server/tests/matrix.rs), so the two cannot drift apart. Not a module of its own.

/// Purpose case processing, written from the text. Columns:
/// T = on team, no consent, no grant; TC = on team, consent in force covering (viewer, category);
/// TW = on team, that consent withdrawn an hour ago; TO = on team, consent for another viewer or
/// another category only; TG = on team, active grant; TX = on team, grant expired;
/// N = off team with covering consent; NG = off team, active grant; NX = off team, covering
/// consent, expired grant.
#[rustfmt::skip]
const CASE_PROCESSING: &[(&str, &str, &str)] = &[
    //  role       category   T      TC     TW     TO     TG     TX     N      NG     NX
    ("cw_emp",  "basic",   "team   team   team   team   team   team   -team  btg    -team"),
    ("cw_emp",  "emp",     "own    own    own    own    own    own    -team  btg    -team"),
    ("cw_emp",  "health",  "-sens  cons   -sens  -sens  btg    -sens  -team  btg    -team"),
    ("cw_emp",  "elderly", "law    cons   law    law    law    law    -team  btg    -team"),
    ("cw_emp",  "integr",  "-none  cons   -none  -none  btg    -none  -team  btg    -team"),
    ("cw_emp",  "audit",   "-audit -audit -audit -audit -audit -audit -audit -audit -audit"),
    ("cw_hea",  "basic",   "team   team   team   team   team   team   -team  btg    -team"),
    ("cw_hea",  "emp",     "law    cons   law    law    law    law    -team  btg    -team"),
    ("cw_hea",  "health",  "own    own    own    own    own    own    -team  btg    -team"),
    ("cw_hea",  "elderly", "-none  cons   -none  -none  btg    -none  -team  btg    -team"),
    ("cw_hea",  "integr",  "-none  cons   -none  -none  btg    -none  -team  btg    -team"),
    ("cw_hea",  "audit",   "-audit -audit -audit -audit -audit -audit -audit -audit -audit"),
    ("coord",   "basic",   "team   team   team   team   team   team   -team  btg    -team"),
    ("coord",   "emp",     "-none  cons   -none  -none  btg    -none  -team  btg    -team"),
    ("coord",   "health",  "-sens  cons   -sens  -sens  btg    -sens  -team  btg    -team"),
    ("coord",   "elderly", "law    cons   law    law    law    law    -team  btg    -team"),
    ("coord",   "integr",  "-none  cons   -none  -none  btg    -none  -team  btg    -team"),
    ("coord",   "audit",   "-audit -audit -audit -audit -audit -audit -audit -audit -audit"),
    ("mgr_emp", "basic",   "team   team   team   team   team   team   -team  btg    -team"),
    ("mgr_emp", "emp",     "own    own    own    own    own    own    -team  btg    -team"),
    ("mgr_emp", "health",  "-sens  cons   -sens  -sens  btg    -sens  -team  btg    -team"),
    ("mgr_emp", "elderly", "law    cons   law    law    law    law    -team  btg    -team"),
    ("mgr_emp", "integr",  "-none  cons   -none  -none  btg    -none  -team  btg    -team"),
    ("mgr_emp", "audit",   "-audit -audit -audit -audit -audit -audit -audit -audit -audit"),
    ("analyst", "basic",   "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("analyst", "emp",     "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("analyst", "health",  "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("analyst", "elderly", "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("analyst", "integr",  "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("analyst", "audit",   "-anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal  -anal"),
    ("dpo",     "basic",   "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("dpo",     "emp",     "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("dpo",     "health",  "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("dpo",     "elderly", "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("dpo",     "integr",  "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("dpo",     "audit",   "-purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp  -purp"),
    ("admin",   "basic",   "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("admin",   "emp",     "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("admin",   "health",  "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("admin",   "elderly", "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("admin",   "integr",  "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
    ("admin",   "audit",   "-role  -role  -role  -role  -role  -role  -role  -role  -role"),
];

fn role(code: &str) -> Role {
    match code {
        "cw_emp" => Role::Caseworker {
            department: Department::Employment,
        },
        "cw_hea" => Role::Caseworker {
            department: Department::Health,
        },
        "coord" => Role::Coordinator,
        "mgr_emp" => Role::DepartmentManager {
            department: Department::Employment,
        },
        "analyst" => Role::Analyst,
        "dpo" => Role::DataProtectionOfficer,
        "admin" => Role::Administrator,
        _ => panic!("role {code}"),
    }
}

fn category(code: &str) -> DataCategory {
    match code {
        "basic" => DataCategory::Basic,
        "emp" => DataCategory::Services(Department::Employment),
        "health" => DataCategory::Services(Department::Health),
        "elderly" => DataCategory::Services(Department::Elderly),
        "integr" => DataCategory::Services(Department::Integration),
        "audit" => DataCategory::AuditLog,
        _ => panic!("category {code}"),
    }
}
