//! The rules as DuckDB SQL: an independent peer for [`crate::evaluate_all`] and
//! [`crate::discover_combinations`] (`bench/duckdb_peer.py --rules-sql`).
//!
//! The SQL is written from the semantics of the rule language (`rules/README.md`), not from the
//! engine's code, so that agreement between the two is evidence that both are right. It runs
//! against two tables the peer builds from the raw exports:
//!
//! - `persons(cpr VARCHAR, familie_id VARCHAR, birth_year INTEGER)`;
//! - `rsp(cpr VARCHAR, ydelse VARCHAR, a DATE, b DATE, forvaltning VARCHAR, art VARCHAR,
//!   tags VARCHAR[], kontaktperson VARCHAR)`: every spell clipped to the period (`a ..= b`),
//!   joined with its catalogue entry (`art` is `ydelse` or `indsats`, `tags` the category tags,
//!   `kontaktperson` NULL when empty);
//!
//! and, for discovery, the peer's `alloc(cpr, familie_id, cost)` (allocated cost in øre).
//!
//! Day-level strategy: between two consecutive *change points* of a citizen (a spell's first
//! day, the day after a spell's last day, and 1 January inside the period, where the age in the
//! year changes) the set of active spells is constant. Each such elementary interval is checked
//! once, by joining it with the spells covering its first day; holding intervals that touch are
//! joined into runs for `min_days`. Only citizens that have enough matching spells for every
//! requirement (a necessary condition) are cut into intervals.
//!
//! Every construct of the rules language (format 1) is translated, so no rule is refused.

use crate::model::{Condition, Count, PersonCondition, Requirement, Rule, RuleSet, Selector};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt::Write as _;
use tvaers_core::{Period, ServiceKind};

/// One rule as SQL. Each query returns one column of DISTINCT keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleQuery {
    pub rule_id: String,
    /// The citizens meeting the rule (`cpr`); for a family rule, the citizens filling its roles.
    pub persons_sql: String,
    /// For a family rule, the families meeting it (`familie_id`); `None` for other rules.
    pub families_sql: Option<String>,
}

/// One query per rule, in rule-set order, for the period the peer's `rsp` table is clipped to.
pub fn rule_queries(rules: &RuleSet, period: Period) -> Vec<RuleQuery> {
    rules
        .rules()
        .iter()
        .map(|r| rule_query(r, period))
        .collect()
}

/// The queries for one rule.
pub fn rule_query(rule: &Rule, period: Period) -> RuleQuery {
    let frame = Frame::new(period);
    match &rule.condition {
        Condition::Person(cond) => RuleQuery {
            rule_id: rule.id.clone(),
            persons_sql: person_rule(cond, rule.min_days, &frame),
            families_sql: None,
        },
        Condition::Family {
            members,
            distinct_members,
        } => {
            let (persons_sql, families_sql) =
                family_rule(members, *distinct_members, rule.min_days, &frame);
            RuleQuery {
                rule_id: rule.id.clone(),
                persons_sql,
                families_sql: Some(families_sql),
            }
        }
        Condition::Sequence(s) => RuleQuery {
            rule_id: rule.id.clone(),
            persons_sql: sequence_rule(
                &s.first,
                &s.then,
                s.within_days,
                s.age_min,
                s.age_max,
                &frame,
            ),
            families_sql: None,
        },
    }
}

/// The period's bounds as SQL literals.
struct Frame {
    from: NaiveDate,
    to: NaiveDate,
}

impl Frame {
    fn new(period: Period) -> Frame {
        Frame {
            from: period.from(),
            to: period.to(),
        }
    }

    fn to_lit(&self) -> String {
        date_lit(self.to)
    }

    fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// 1 January of every year after the first that starts inside the period.
    fn year_starts(&self) -> Vec<NaiveDate> {
        (self.from.year() + 1..=self.to.year())
            .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1))
            .collect()
    }
}

fn date_lit(d: NaiveDate) -> String {
    format!("DATE '{}'", d.format("%Y-%m-%d"))
}

fn str_lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn list_lit<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| str_lit(s.as_ref())).collect();
    format!("[{}]::VARCHAR[]", inner.join(", "))
}

/// A selector as a boolean SQL expression over `rsp` columns of the row aliased `t`.
fn selector_sql(sel: &Selector, t: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !sel.tags_any.is_empty() {
        parts.push(format!(
            "list_has_any({t}.tags, {})",
            list_lit(&sel.tags_any)
        ));
    }
    if !sel.tags_all.is_empty() {
        parts.push(format!(
            "list_has_all({t}.tags, {})",
            list_lit(&sel.tags_all)
        ));
    }
    if !sel.tags_none.is_empty() {
        parts.push(format!(
            "NOT list_has_any({t}.tags, {})",
            list_lit(&sel.tags_none)
        ));
    }
    let codes = |ds: &[tvaers_core::Department]| {
        ds.iter()
            .map(|d| str_lit(d.code()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !sel.departments.is_empty() {
        parts.push(format!("{t}.forvaltning IN ({})", codes(&sel.departments)));
    }
    if !sel.departments_none.is_empty() {
        parts.push(format!(
            "{t}.forvaltning NOT IN ({})",
            codes(&sel.departments_none)
        ));
    }
    if let Some(k) = sel.kind {
        let code = match k {
            ServiceKind::TransferIncome => "ydelse",
            ServiceKind::Intervention => "indsats",
        };
        parts.push(format!("{t}.art = {}", str_lit(code)));
    }
    if parts.is_empty() {
        "TRUE".to_string()
    } else {
        format!("({})", parts.join(" AND "))
    }
}

/// What a requirement counts, as an aggregate over the matching rows of `s` (flag `m{i}`).
fn count_sql(r: &Requirement, i: usize) -> String {
    match r.count {
        Count::Spells => format!("count(*) FILTER (WHERE s.m{i})"),
        Count::Services => format!("count(DISTINCT s.ydelse) FILTER (WHERE s.m{i})"),
        Count::Departments => format!("count(DISTINCT s.forvaltning) FILTER (WHERE s.m{i})"),
        // count() skips NULLs: spells without a contact person do not count.
        Count::Contacts => format!("count(DISTINCT s.kontaktperson) FILTER (WHERE s.m{i})"),
    }
}

fn bounds_sql(expr: &str, at_least: u32, at_most: Option<u32>) -> String {
    match at_most {
        Some(m) => format!("{expr} BETWEEN {at_least} AND {m}"),
        None => format!("{expr} >= {at_least}"),
    }
}

fn age_sql(expr: &str, age_min: Option<i32>, age_max: Option<i32>) -> Option<String> {
    match (age_min, age_max) {
        (None, None) => None,
        (Some(lo), None) => Some(format!("{expr} >= {lo}")),
        (None, Some(hi)) => Some(format!("{expr} <= {hi}")),
        (Some(lo), Some(hi)) => Some(format!("{expr} BETWEEN {lo} AND {hi}")),
    }
}

/// CTEs ending in `{p}_h(cpr, f, t)`: the elementary intervals `f ..= t` on which `cond`
/// holds for a citizen (age in the year and every requirement).
fn holding_ctes(cond: &PersonCondition, p: &str, frame: &Frame, out: &mut Vec<String>) {
    let sels: Vec<String> = cond
        .require
        .iter()
        .map(|r| selector_sql(&r.selector, "r"))
        .collect();
    let flags: Vec<String> = sels
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{s} AS m{i}"))
        .collect();
    // Spells no requirement looks at cannot change any count: leave them out.
    out.push(format!(
        "{p}_s AS (SELECT r.cpr, r.ydelse, r.a, r.b, r.forvaltning, r.kontaktperson, {} \
         FROM rsp r WHERE {})",
        flags.join(", "),
        sels.join(" OR ")
    ));

    // Candidates: enough matching spells over the whole period for every requirement that
    // asks for at least one, and an age within bounds in some year of the period.
    let mut having: Vec<String> = cond
        .require
        .iter()
        .enumerate()
        .filter(|(_, r)| r.at_least >= 1)
        .map(|(i, r)| format!("{} >= {}", count_sql(r, i), r.at_least))
        .collect();
    if having.is_empty() {
        having.push("TRUE".to_string());
    }
    let (y0, y1) = (frame.from.year(), frame.to.year());
    let age_join = match (cond.age_min, cond.age_max) {
        (None, None) => String::new(),
        (lo, hi) => {
            // Some year y in y0..=y1 with lo <= y - birth_year <= hi.
            let mut w = Vec::new();
            if let Some(hi) = hi {
                w.push(format!("pe.birth_year >= {}", y0 - hi));
            }
            if let Some(lo) = lo {
                w.push(format!("pe.birth_year <= {}", y1 - lo));
            }
            format!(" JOIN persons pe ON pe.cpr = s.cpr AND {}", w.join(" AND "))
        }
    };
    out.push(format!(
        "{p}_c AS (SELECT s.cpr FROM {p}_s s{age_join} GROUP BY s.cpr HAVING {})",
        having.join(" AND ")
    ));
    out.push(format!(
        "{p}_cs AS (SELECT * FROM {p}_s WHERE cpr IN (SELECT cpr FROM {p}_c))"
    ));

    // Change points, then elementary intervals [d, next d - 1].
    let mut pts = format!(
        "{p}_pt AS (SELECT cpr, a AS d FROM {p}_cs UNION SELECT cpr, b + 1 AS d FROM {p}_cs"
    );
    let ys = frame.year_starts();
    if !ys.is_empty() {
        let vals: Vec<String> = ys.iter().map(|d| format!("({})", date_lit(*d))).collect();
        let _ = write!(
            pts,
            " UNION SELECT c.cpr, v.d FROM {p}_c c CROSS JOIN (VALUES {}) v(d)",
            vals.join(", ")
        );
    }
    pts.push(')');
    out.push(pts);
    out.push(format!(
        "{p}_g AS (SELECT cpr, d AS f, lead(d) OVER (PARTITION BY cpr ORDER BY d) - 1 AS t \
         FROM {p}_pt)"
    ));

    // Counts per interval over the spells covering it (the active set is constant on it).
    let counts: Vec<String> = cond
        .require
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{} AS n{i}", count_sql(r, i)))
        .collect();
    out.push(format!(
        "{p}_n AS (SELECT g.cpr, g.f, g.t, {} FROM {p}_g g JOIN {p}_cs s \
         ON s.cpr = g.cpr AND s.a <= g.f AND g.f <= s.b WHERE g.t IS NOT NULL \
         GROUP BY g.cpr, g.f, g.t)",
        counts.join(", ")
    ));

    let mut conds: Vec<String> = cond
        .require
        .iter()
        .enumerate()
        .map(|(i, r)| bounds_sql(&format!("n.n{i}"), r.at_least, r.at_most))
        .collect();
    // An interval never crosses 1 January, so the age on it is that of its first day's year.
    let age = age_sql("year(n.f) - pe.birth_year", cond.age_min, cond.age_max);
    let join = if let Some(a) = age {
        conds.push(a);
        " JOIN persons pe ON pe.cpr = n.cpr"
    } else {
        ""
    };
    out.push(format!(
        "{p}_h AS (SELECT n.cpr, n.f, n.t FROM {p}_n n{join} WHERE {})",
        conds.join(" AND ")
    ));
}

fn with(ctes: &[String], body: &str) -> String {
    format!("WITH {}\n{body}", ctes.join(",\n"))
}

/// CTEs joining touching intervals `src(keys…, f, t)` (disjoint per key) into runs, and keeping
/// the keys with a run of at least `min_days` days: `{name}(keys…)`.
fn runs_ctes(src: &str, keys: &str, min_days: u32, name: &str, out: &mut Vec<String>) {
    out.push(format!(
        "{name}_b AS (SELECT {keys}, f, t, CASE WHEN lag(t) OVER (PARTITION BY {keys} ORDER BY f) \
         = f - 1 THEN 0 ELSE 1 END AS brk FROM {src})"
    ));
    out.push(format!(
        "{name}_i AS (SELECT {keys}, f, t, sum(brk) OVER (PARTITION BY {keys} ORDER BY f \
         ROWS UNBOUNDED PRECEDING) AS run FROM {name}_b)"
    ));
    out.push(format!(
        "{name} AS (SELECT DISTINCT {keys} FROM {name}_i GROUP BY {keys}, run \
         HAVING max(t) - min(f) + 1 >= {min_days})"
    ));
}

fn person_rule(cond: &PersonCondition, min_days: u32, frame: &Frame) -> String {
    let mut ctes = Vec::new();
    holding_ctes(cond, "p", frame, &mut ctes);
    if min_days <= 1 {
        with(&ctes, "SELECT DISTINCT cpr FROM p_h")
    } else {
        runs_ctes("p_h", "cpr", min_days, "ok", &mut ctes);
        with(&ctes, "SELECT cpr FROM ok")
    }
}

/// Persons and families: every role filled by a person of one family (distinct persons if
/// `distinct`), all roles holding together on at least `min_days` consecutive days.
fn family_rule(
    members: &[PersonCondition],
    distinct: bool,
    min_days: u32,
    frame: &Frame,
) -> (String, String) {
    let mut ctes = Vec::new();
    for (i, m) in members.iter().enumerate() {
        // Each role alone needs only one day: min_days applies to the common days.
        holding_ctes(m, &format!("m{i}"), frame, &mut ctes);
        ctes.push(format!(
            "m{i}_hf AS MATERIALIZED (SELECT h.cpr, h.f, h.t, pe.familie_id AS fam FROM m{i}_h h \
             JOIN persons pe ON pe.cpr = h.cpr)"
        ));
    }
    // Roles are joined one at a time, each stage on the family key and materialised, so that
    // the optimiser cannot pair two roles' intervals without the family key (its row estimates
    // for these CTEs are poor and otherwise lead it to nested-loop joins).
    let k = members.len();
    ctes.push("fa0 AS MATERIALIZED (SELECT h.fam, h.cpr AS c0, h.f, h.t FROM m0_hf h)".to_string());
    for j in 1..k {
        let prev: Vec<String> = (0..j).map(|i| format!("x.c{i}")).collect();
        let mut conds = vec!["greatest(x.f, h.f) <= least(x.t, h.t)".to_string()];
        if distinct {
            conds.extend((0..j).map(|i| format!("x.c{i} <> h.cpr")));
        }
        ctes.push(format!(
            "fa{j} AS MATERIALIZED (SELECT x.fam, {}, h.cpr AS c{j}, greatest(x.f, h.f) AS f, \
             least(x.t, h.t) AS t FROM fa{} x JOIN m{j}_hf h ON h.fam = x.fam WHERE {})",
            prev.join(", "),
            j - 1,
            conds.join(" AND ")
        ));
    }
    // One row per assignment of persons to roles and common piece of days.
    ctes.push(format!("fa AS (SELECT * FROM fa{})", k - 1));
    let keys: Vec<String> = (0..k).map(|i| format!("c{i}")).collect();
    let keys = format!("fam, {}", keys.join(", "));
    let ok = if min_days <= 1 {
        "fa".to_string()
    } else {
        runs_ctes("fa", &keys, min_days, "ok", &mut ctes);
        "ok".to_string()
    };
    let persons_body = (0..k)
        .map(|i| format!("SELECT c{i} AS cpr FROM {ok}"))
        .collect::<Vec<_>>()
        .join(" UNION ");
    (
        with(&ctes, &persons_body),
        with(
            &ctes,
            &format!("SELECT DISTINCT fam AS familie_id FROM {ok}"),
        ),
    )
}

/// A spell matching `first` ends inside the period (age in the year it ends within bounds),
/// and a spell matching `then` is active on some day of the `within_days` days after.
fn sequence_rule(
    first: &Selector,
    then: &Selector,
    within_days: u32,
    age_min: Option<i32>,
    age_max: Option<i32>,
    frame: &Frame,
) -> String {
    let to = frame.to_lit();
    // A window reaching past the period ends at the period's end; clamping keeps date
    // arithmetic in range for any within_days.
    let within = i64::from(within_days).min(frame.days());
    let mut conds = vec![
        selector_sql(first, "x"),
        // Clipped spells end at the period's end when they run on; one really ending on the
        // last day leaves no day after it in the period either. Either way nothing can follow.
        format!("x.b < {to}"),
        selector_sql(then, "y"),
        format!("y.a <= least(x.b + {within}, {to})"),
        "y.b >= x.b + 1".to_string(),
    ];
    let mut join = String::new();
    if let Some(a) = age_sql("year(x.b) - pe.birth_year", age_min, age_max) {
        conds.push(a);
        join = " JOIN persons pe ON pe.cpr = x.cpr".to_string();
    }
    format!(
        "SELECT DISTINCT x.cpr FROM rsp x{join} JOIN rsp y ON y.cpr = x.cpr WHERE {}",
        conds.join(" AND ")
    )
}

/// The frequent concurrent service combinations: sets of 2 ..= `max_size` distinct services
/// that at least `min_support` citizens have active on some common day of the period, counted
/// once per citizen. Returns rows `(services VARCHAR[] sorted by code, size, support, cost_ore)`
/// where `cost_ore` sums the members' allocated cost from the peer's `alloc` table.
///
/// Per citizen, the distinct service sets active on an elementary interval are the baskets;
/// then Apriori level by level: a `k`-set is only counted when its first `k - 1` services (in
/// code order) are a frequent set, which loses nothing since support can only fall as a set
/// grows. `period` only documents which period `rsp` was clipped to.
pub fn discovery_sql(_period: Period, min_support: usize, max_size: usize) -> String {
    let ms = min_support.max(1);
    let max_size = max_size.min(crate::MAX_COMBINATION_SIZE);
    if max_size < 2 {
        return "SELECT CAST([] AS VARCHAR[]) AS services, 0 AS size, 0 AS support, \
                CAST(0 AS HUGEINT) AS cost_ore WHERE FALSE"
            .to_string();
    }
    let mut ctes = vec![
        "c AS (SELECT cpr FROM rsp GROUP BY cpr HAVING count(DISTINCT ydelse) >= 2)".to_string(),
        "cs AS (SELECT cpr, ydelse, a, b FROM rsp WHERE cpr IN (SELECT cpr FROM c))".to_string(),
        "pt AS (SELECT cpr, a AS d FROM cs UNION SELECT cpr, b + 1 AS d FROM cs)".to_string(),
        "g AS (SELECT cpr, d AS f, lead(d) OVER (PARTITION BY cpr ORDER BY d) AS nx FROM pt)"
            .to_string(),
        "act AS (SELECT DISTINCT g.cpr, g.f, s.ydelse FROM g JOIN cs s ON s.cpr = g.cpr \
         AND s.a <= g.f AND g.f <= s.b WHERE g.nx IS NOT NULL)"
            .to_string(),
        // A citizen's distinct concurrent sets of two or more services.
        "bk AS (SELECT DISTINCT cpr, items FROM (SELECT cpr, list(ydelse ORDER BY ydelse) AS items \
         FROM act GROUP BY cpr, f HAVING count(*) >= 2))"
            .to_string(),
        "bid AS (SELECT row_number() OVER () AS id, cpr, items FROM bk)".to_string(),
        "it0 AS (SELECT id, cpr, unnest(items) AS y FROM bid)".to_string(),
        // A service in fewer than min_support citizens' sets is in no frequent set.
        format!(
            "it AS (SELECT * FROM it0 WHERE y IN \
             (SELECT y FROM it0 GROUP BY y HAVING count(DISTINCT cpr) >= {ms}))"
        ),
    ];
    let mut outputs = Vec::new();
    for k in 2..=max_size {
        let ys: Vec<String> = (1..=k).map(|i| format!("i{i}.y AS y{i}")).collect();
        let mut from = "it i1".to_string();
        for i in 2..=k {
            let _ = write!(
                from,
                " JOIN it i{i} ON i{i}.id = i1.id AND i{}.y < i{i}.y",
                i - 1
            );
            if i == k - 1 && k > 2 {
                // The first k-1 services must be a frequent (k-1)-set.
                let on: Vec<String> = (1..k)
                    .map(|j| format!("f{}.y{j} = i{j}.y", k - 1))
                    .collect();
                let _ = write!(from, " JOIN f{} ON {}", k - 1, on.join(" AND "));
            }
        }
        let ycols: Vec<String> = (1..=k).map(|i| format!("y{i}")).collect();
        let ycols = ycols.join(", ");
        ctes.push(format!(
            "p{k} AS (SELECT DISTINCT i1.cpr, {} FROM {from})",
            ys.join(", ")
        ));
        ctes.push(format!(
            "f{k} AS (SELECT {ycols}, count(*) AS support FROM p{k} GROUP BY {ycols} \
             HAVING count(*) >= {ms})"
        ));
        let on: Vec<String> = (1..=k).map(|i| format!("f.y{i} = p.y{i}")).collect();
        let list: Vec<String> = (1..=k).map(|i| format!("f.y{i}")).collect();
        outputs.push(format!(
            "SELECT [{}] AS services, {k} AS size, any_value(f.support) AS support, \
             CAST(sum(al.cost) AS HUGEINT) AS cost_ore FROM f{k} f JOIN p{k} p ON {} \
             JOIN alloc al ON al.cpr = p.cpr GROUP BY {}",
            list.join(", "),
            on.join(" AND "),
            list.join(", ")
        ));
    }
    with(&ctes, &outputs.join("\nUNION ALL\n"))
}

/// The input of `bench/duckdb_peer.py --rules-sql`: the period, one query per rule and the
/// discovery query with its parameters.
pub fn peer_input_json(
    rules: &RuleSet,
    period: Period,
    min_support: usize,
    max_size: usize,
) -> String {
    #[derive(Serialize)]
    struct PeriodJson {
        from: String,
        to: String,
    }
    #[derive(Serialize)]
    struct Input {
        period: PeriodJson,
        queries: Vec<RuleQuery>,
        discovery_sql: String,
        min_support: usize,
        max_size: usize,
    }
    let input = Input {
        period: PeriodJson {
            from: period.from().format("%Y-%m-%d").to_string(),
            to: period.to().format("%Y-%m-%d").to_string(),
        },
        queries: rule_queries(rules, period),
        discovery_sql: discovery_sql(period, min_support, max_size),
        min_support,
        max_size,
    };
    serde_json::to_string_pretty(&input).expect("plain strings and numbers serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_standard_rule_translates() {
        let rules = RuleSet::standard();
        let period = Period::year(2025);
        let qs = rule_queries(&rules, period);
        assert_eq!(qs.len(), rules.rules().len());
        for (q, r) in qs.iter().zip(rules.rules()) {
            assert_eq!(q.rule_id, r.id);
            assert!(q.persons_sql.contains("SELECT"), "{}", q.rule_id);
            let is_family = matches!(r.condition, Condition::Family { .. });
            assert_eq!(q.families_sql.is_some(), is_family, "{}", q.rule_id);
        }
    }

    #[test]
    fn selectors_quote_and_combine() {
        let sel = Selector {
            tags_any: vec!["mentor".into(), "o'brien".into()],
            kind: Some(ServiceKind::TransferIncome),
            departments_none: vec![tvaers_core::Department::ChildrenFamily],
            ..Selector::default()
        };
        let s = selector_sql(&sel, "r");
        assert!(s.contains("['mentor', 'o''brien']"), "{s}");
        assert!(s.contains("r.art = 'ydelse'"), "{s}");
        assert!(s.contains("r.forvaltning NOT IN ('boern_familie')"), "{s}");
        assert_eq!(selector_sql(&Selector::default(), "r"), "TRUE");
    }

    #[test]
    fn year_starts_only_inside_the_period() {
        let f = Frame::new(Period::new(d("2024-07-01"), d("2026-01-01")).unwrap());
        assert_eq!(f.year_starts(), vec![d("2025-01-01"), d("2026-01-01")]);
        assert!(Frame::new(Period::year(2025)).year_starts().is_empty());
    }

    #[test]
    fn peer_input_is_json_with_every_rule() {
        let rules = RuleSet::standard();
        let json = peer_input_json(&rules, Period::year(2025), 5, 3);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["queries"].as_array().unwrap().len(), rules.rules().len());
        assert_eq!(v["period"]["from"], "2025-01-01");
        assert_eq!(v["min_support"], 5);
        assert!(v["discovery_sql"].as_str().unwrap().contains("p3 AS"));
        assert!(!v["discovery_sql"].as_str().unwrap().contains("p4 AS"));
    }
}
