//! Stage 2½: from raw allocation and metrics to the published [`Analysis`] — every figure in it
//! is a [`Cell`] that has passed [`crate::disclosure`]. Writers see only this.

use crate::allocation::{Allocation, CostCentre};
pub use crate::centres::CentreRow;
use crate::centres::centre_cells;
pub use crate::complexity::{ComplexityTable, GroupRow};
use crate::complexity::{bucket_label, complexity_table};
use crate::concentration::{Concentration, TOP_KS, top_count};
use crate::disclosure::{
    Cell, Dominance, MIN_PERSONS, Parts, derive, even_cuts, min_nonzero, publish, safe_cuts,
    withheld,
};
use crate::groups::{RuleAnalysis, summarise_rules_members};
use crate::json::JsonOut;
use crate::metrics::Metrics;
use crate::top::TopAnalysis;
use serde_json::{Map, Value, json};
use tvaers_core::{FamilyIx, Ore, Period, Pseudonymised, Register};
use tvaers_rules::RuleSet;

/// The most points a Lorenz curve gets (besides those of the top-k shares).
pub const LORENZ_POINTS: usize = 100;

/// Overall coverage: how much of the period's spending is put on persons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub cost_total: Ore,
    pub booked: Ore,
    pub activity: Ore,
    pub allocated: Ore,
    pub unallocated: Ore,
    /// Fractions of `cost_total`; `None` when it is zero.
    pub booked_share: Option<f64>,
    pub activity_share: Option<f64>,
    pub unallocated_share: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopShare {
    /// ⌈k·N/100⌉.
    pub units: u64,
    /// Σ of their cost.
    pub cost: Ore,
    /// Fraction of the population's cost; `None` when that is zero.
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LorenzPoint {
    pub population_share: f64,
    pub cost_share: f64,
}

/// Published concentration figures for one population (citizens or families).
#[derive(Debug, Clone)]
pub struct ConcentrationTable {
    /// Units in the population (N).
    pub population: Cell<u64>,
    /// For k in [`TOP_KS`].
    pub top: Vec<(u32, Cell<TopShare>)>,
    pub gini: Cell<Option<f64>>,
    /// Points in ascending population share, ending at (1, 1); (0, 0) is implied.
    pub lorenz: Vec<Cell<LorenzPoint>>,
}

#[derive(Debug, Clone)]
pub struct DataQuality {
    /// Days of spells in the period without any unit price (costed at 0).
    pub unpriced_spell_days: Cell<i64>,
    /// Spells not priced because the person's cost on that function is booked.
    pub skipped_spells: Cell<u64>,
    /// Families with more than [`MAX_PLAUSIBLE_FAMILY`] members — most likely a placeholder
    /// family key (such as "0") shared by unrelated persons in the export. A count of families,
    /// each of more than 20 persons, so safe to show; not in the report or `summary.json`, for
    /// the command line to warn (the analysis also logs a `tracing` warning).
    pub implausible_families: u64,
    /// Postings dated more than a year outside the period (before `from` − 1 year or after
    /// `to` + 1 year): a typo in a date, or a period that misses the data. For the command line
    /// to warn; counts of records, not published. See [`crate::allocation::far_outside`].
    pub postings_far_outside: u64,
    /// Spells lying wholly more than a year outside the period (ending before `from` − 1 year
    /// or starting after `to` + 1 year). Like `postings_far_outside`.
    pub spells_far_outside: u64,
}

/// More members than this make a family implausible ([`DataQuality::implausible_families`]).
pub const MAX_PLAUSIBLE_FAMILY: usize = 20;

/// Everything the reports may show, after disclosure control.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub period: Period,
    pub citizens: Cell<u64>,
    pub families: Cell<u64>,
    pub coverage: Cell<Coverage>,
    /// One row per [`CostCentre::ALL`].
    pub centres: Vec<(CostCentre, Cell<CentreRow>)>,
    pub concentration: ConcentrationTable,
    pub family_concentration: ConcentrationTable,
    pub complexity: ComplexityTable,
    pub family_complexity: ComplexityTable,
    pub data_quality: DataQuality,
    /// Target groups, overlaps and combinations; set by [`summarise_with_rules`].
    pub rules: Option<RuleAnalysis>,
    /// The profile of the top 1 % and 3 % of citizens and families ([`crate::top`]).
    pub top: TopAnalysis,
    /// The input's shape against reference ranges ([`crate::plausibility`]).
    pub plausibility: crate::plausibility::Plausibility,
    /// The dominance rule the figures were protected with (the report states it).
    pub dominance: Dominance,
}

fn share(part: Ore, total: Ore) -> Option<f64> {
    (total.0 != 0).then(|| part.0 as f64 / total.0 as f64)
}

fn concentration_table(costs: &[Ore], limit: Dominance) -> ConcentrationTable {
    let c = Concentration::new(costs);
    let n = c.n;
    let tops: Vec<usize> = TOP_KS.iter().map(|&k| top_count(k, n)).collect();
    // Top-k cuts first (they matter most), then an even grid for the curve.
    let mut candidates: Vec<usize> = tops.iter().map(|&m| n - m).collect();
    candidates.extend(even_cuts(n, LORENZ_POINTS));
    let mut ok = safe_cuts(n, &candidates);
    drop_dominated_cuts(&c.ascending, &candidates, &mut ok, limit);
    let top = TOP_KS
        .iter()
        .zip(&tops)
        .zip(&ok)
        .map(|((&k, &m), &fine)| {
            let cell = if fine {
                let cost = c.top_sum(k);
                publish(
                    m as u64,
                    TopShare {
                        units: m as u64,
                        cost,
                        share: share(cost, c.total),
                    },
                )
            } else {
                withheld(m as u64)
            };
            (k, cell)
        })
        .collect();
    let mut cuts: Vec<usize> = candidates
        .iter()
        .zip(&ok)
        .filter(|(cut, fine)| **fine && **cut > 0)
        .map(|(&cut, _)| cut)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut prev = 0usize;
    let lorenz = c
        .lorenz(&cuts)
        .into_iter()
        .zip(&cuts)
        .map(|((x, y), &cut)| {
            let step = (cut - prev) as u64;
            prev = cut;
            publish(
                step,
                LorenzPoint {
                    population_share: x,
                    cost_share: y,
                },
            )
        })
        .collect();
    ConcentrationTable {
        population: publish(n as u64, n as u64),
        top,
        gini: publish(n as u64, c.gini()),
        lorenz,
    }
}

/// Two published cuts of the cumulative curve publish the sum of the units between them: such a
/// step must not be dominated by one unit either (typically the top 1 % of a small population,
/// where the most expensive citizen is most of it). A dominated step loses a cut at one of its
/// ends — the inner one, so the top share goes before the curve — until none is dominated.
fn drop_dominated_cuts(ascending: &[i64], candidates: &[usize], ok: &mut [bool], limit: Dominance) {
    let n = ascending.len();
    loop {
        let mut cuts: Vec<usize> = candidates
            .iter()
            .zip(ok.iter())
            .filter(|&(&c, &fine)| fine && c > 0 && c < n)
            .map(|(&c, _)| c)
            .collect();
        cuts.extend([0, n]);
        cuts.sort_unstable();
        cuts.dedup();
        let dominated = cuts.windows(2).find(|w| {
            let step: Vec<(u32, i64)> = (w[0]..w[1]).map(|i| (i as u32, ascending[i])).collect();
            Parts::new(vec![step]).dominated(limit)
        });
        let Some(w) = dominated else { return };
        // Only the whole population left: it is the published total, not a step.
        if w[0] == 0 && w[1] == n {
            return;
        }
        let drop = if w[1] < n { w[1] } else { w[0] };
        for (c, fine) in candidates.iter().zip(ok.iter_mut()) {
            if *c == drop {
                *fine = false;
            }
        }
    }
}

/// Concentration, complexity and coverage, under disclosure control.
pub fn summarise(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    metrics: &Metrics,
    limit: Dominance,
) -> Analysis {
    let n = reg.persons.len() as u64;
    let f = metrics.family_index.len() as u64;

    let (centres, centres_margin_ok) = centre_cells(reg, alloc, limit);

    let fi = &metrics.family_index;
    let implausible_families = (0..fi.len())
        .filter(|&i| fi.members(FamilyIx(i as u32)).len() > MAX_PLAUSIBLE_FAMILY)
        .count() as u64;
    if implausible_families > 0 {
        tracing::warn!(
            implausible_families,
            max_members = MAX_PLAUSIBLE_FAMILY,
            "families with implausibly many members: is the family key a placeholder?"
        );
    }
    let far = crate::allocation::far_outside(reg, alloc.period);
    if far.postings > 0 || far.spells > 0 {
        tracing::warn!(
            postings = far.postings,
            spells = far.spells,
            period = %alloc.period,
            "postings or spells more than a year outside the period"
        );
    }

    let (complexity, citizens_margin_ok) = complexity_table(&metrics.citizens, limit);
    let (family_complexity, families_margin_ok) = complexity_table(&metrics.families, limit);

    let cost_total = alloc.cost_total;
    let allocated = alloc.cost_allocated();
    let coverage_value = Coverage {
        cost_total,
        booked: alloc.booked_total,
        activity: alloc.activity_total,
        allocated,
        unallocated: alloc.unallocated(),
        booked_share: share(alloc.booked_total, cost_total),
        activity_share: share(alloc.activity_total, cost_total),
        unallocated_share: share(alloc.unallocated(), cost_total),
    };
    let coverage_persons = min_nonzero(&[alloc.booked_persons, alloc.activity_persons]);
    let coverage = if centres_margin_ok && citizens_margin_ok && families_margin_ok {
        publish(coverage_persons, coverage_value)
    } else {
        withheld(coverage_persons)
    };
    let citizens = if citizens_margin_ok {
        publish(n, n)
    } else {
        withheld(n)
    };
    let families = if families_margin_ok {
        derive(&[&citizens], n, f)
    } else {
        withheld(n)
    };

    let plausibility =
        crate::plausibility::plausibility(reg, alloc, &citizens, &coverage, &centres, limit);
    let concentration = concentration_table(&metrics.citizens.cost, limit);
    let family_concentration = concentration_table(&metrics.families.cost, limit);
    let top_published = |c: &ConcentrationTable| {
        crate::top::PROFILE_KS.map(|k| {
            c.top
                .iter()
                .any(|(kk, cell)| *kk == k && !cell.is_suppressed())
        })
    };
    let top = crate::top::top_analysis(
        &crate::top::Context {
            reg,
            metrics,
            period: alloc.period,
            limit,
            centre_shown: centres.iter().map(|c| !c.is_suppressed()).collect(),
        },
        top_published(&concentration),
        top_published(&family_concentration),
        &complexity,
        &family_complexity,
    );

    Analysis {
        period: alloc.period,
        citizens,
        families,
        coverage,
        centres: CostCentre::ALL.into_iter().zip(centres).collect(),
        concentration,
        family_concentration,
        top,
        plausibility,
        complexity,
        family_complexity,
        data_quality: DataQuality {
            unpriced_spell_days: publish(alloc.unpriced_persons, alloc.unpriced_spell_days),
            skipped_spells: publish(alloc.skipped_persons, alloc.skipped_spells),
            implausible_families,
            postings_far_outside: far.postings,
            spells_far_outside: far.spells,
        },
        rules: None,
        dominance: limit,
    }
}

/// [`summarise`], plus the target groups, overlaps/conflicts and discovered combinations of
/// `rules` over the allocation's period ([`crate::groups::summarise_rules`]).
pub fn summarise_with_rules(
    reg: &Register<Pseudonymised>,
    alloc: &Allocation,
    metrics: &Metrics,
    rules: &RuleSet,
    limit: Dominance,
) -> Analysis {
    let (mut a, (r, members)) = rayon::join(
        || summarise(reg, alloc, metrics, limit),
        || summarise_rules_members(reg, alloc, metrics, rules, alloc.period, limit),
    );
    crate::top::add_target_groups(&mut a.top, &metrics.citizens.cost, &members);
    a.rules = Some(r);
    a
}

impl Analysis {
    /// The machine-readable summary (`summary.json`): money in øre as integers, shares as
    /// fractions 0–1, suppressed values `null` and listed (as JSON Pointers) under
    /// `"suppressed"`; suppressed rows also carry `"suppressed": true`. Shares whose
    /// denominator is zero are `null` without being listed. It is the same in every language.
    ///
    /// Keys: `period {from, to}`, `min_persons`, `dominance_percent`, `citizens`, `families`, `cost_total_ore`,
    /// `cost_allocated_ore`, `cost_booked_ore`, `cost_activity_ore`, `cost_unallocated_ore`,
    /// `coverage {booked_share, activity_share, unallocated_share}`,
    /// `coverage_by_department [{department, persons, total_ore, booked_ore, activity_ore,
    /// unallocated_ore}]` (department codes as in data files, plus `unmapped`),
    /// `concentration {citizens|families: {top1, top3, top5, top10, gini}}`,
    /// `top_shares {citizens|families: [{k, units, cost_ore, share}]}`,
    /// `lorenz {citizens|families: [[population_share, cost_share], …]}` (ending at [1, 1]),
    /// `complexity` and `complexity_families {departments_2plus, departments_3plus,
    /// departments_4plus, services_7plus: {citizens|families, cost_ore, mean_services,
    /// mean_contacts}}`, `complexity_distribution {citizens|families: [{departments: "0".."4+",
    /// …}]}`, `data_quality {unpriced_spell_days, skipped_spells}`, `rules` (`null` without a
    /// rule set; see [`crate::groups`] for its keys), `top_profile` (the top 1 % and 3 % of
    /// citizens and families; see [`crate::top`]), `plausibility` (see
    /// [`crate::plausibility`]), `provenance` (`null` here; `{tool, version, period,
    /// input_sha256, input_fingerprint, run_date}` when published with one, see
    /// [`crate::publish_full`]), `suppressed [pointer, …]`.
    pub fn summary_json(&self) -> Value {
        let mut o = JsonOut {
            suppressed: Vec::new(),
        };
        let cov = &self.coverage;
        let money = |o: &mut JsonOut, key: &str, f: fn(&Coverage) -> Ore| {
            o.scalar(&format!("/{key}"), cov, |c| json!(f(c).0))
        };
        let cost_total = money(&mut o, "cost_total_ore", |c| c.cost_total);
        let cost_allocated = money(&mut o, "cost_allocated_ore", |c| c.allocated);
        let cost_booked = money(&mut o, "cost_booked_ore", |c| c.booked);
        let cost_activity = money(&mut o, "cost_activity_ore", |c| c.activity);
        let cost_unallocated = money(&mut o, "cost_unallocated_ore", |c| c.unallocated);
        let coverage = o.row(
            "/coverage",
            cov,
            &[],
            &["booked_share", "activity_share", "unallocated_share"],
            |c| {
                vec![
                    json!(c.booked_share),
                    json!(c.activity_share),
                    json!(c.unallocated_share),
                ]
            },
        );
        let citizens = o.scalar("/citizens", &self.citizens, |n| json!(n));
        let families = o.scalar("/families", &self.families, |n| json!(n));
        let by_department: Vec<Value> = self
            .centres
            .iter()
            .enumerate()
            .map(|(i, (centre, cell))| {
                o.row(
                    &format!("/coverage_by_department/{i}"),
                    cell,
                    &[("department", json!(centre.code()))],
                    &[
                        "persons",
                        "total_ore",
                        "booked_ore",
                        "activity_ore",
                        "unallocated_ore",
                    ],
                    |r| {
                        vec![
                            json!(r.persons),
                            json!(r.total.0),
                            json!(r.booked.0),
                            json!(r.activity.0),
                            json!(r.unallocated.0),
                        ]
                    },
                )
            })
            .collect();
        let concentration = json!({
            "citizens": o.concentration("/concentration/citizens", &self.concentration),
            "families": o.concentration("/concentration/families", &self.family_concentration),
        });
        let top_shares = json!({
            "citizens": o.top_shares("/top_shares/citizens", &self.concentration),
            "families": o.top_shares("/top_shares/families", &self.family_concentration),
        });
        let lorenz = json!({
            "citizens": o.lorenz(&self.concentration),
            "families": o.lorenz(&self.family_concentration),
        });
        let complexity = o.complexity("/complexity", "citizens", &self.complexity);
        let complexity_families =
            o.complexity("/complexity_families", "families", &self.family_complexity);
        let distribution = json!({
            "citizens": o.distribution("/complexity_distribution/citizens", "citizens", &self.complexity),
            "families": o.distribution("/complexity_distribution/families", "families", &self.family_complexity),
        });
        let data_quality = json!({
            "unpriced_spell_days": o.scalar("/data_quality/unpriced_spell_days", &self.data_quality.unpriced_spell_days, |d| json!(d)),
            "skipped_spells": o.scalar("/data_quality/skipped_spells", &self.data_quality.skipped_spells, |d| json!(d)),
        });
        let rules = match &self.rules {
            Some(r) => o.rules(r),
            None => Value::Null,
        };
        let top_profile = o.top_profile(&self.top);
        let plausibility = o.plausibility(&self.plausibility);
        json!({
            "format": "tvaers-analysis-summary",
            "version": 1,
            "period": {
                "from": self.period.from().to_string(),
                "to": self.period.to().to_string(),
            },
            "min_persons": MIN_PERSONS,
            "dominance_percent": self.dominance.get(),
            "citizens": citizens,
            "families": families,
            "cost_total_ore": cost_total,
            "cost_allocated_ore": cost_allocated,
            "cost_booked_ore": cost_booked,
            "cost_activity_ore": cost_activity,
            "cost_unallocated_ore": cost_unallocated,
            "coverage": coverage,
            "coverage_by_department": by_department,
            "concentration": concentration,
            "top_shares": top_shares,
            "lorenz": lorenz,
            "complexity": complexity,
            "complexity_families": complexity_families,
            "complexity_distribution": distribution,
            "data_quality": data_quality,
            "rules": rules,
            "top_profile": top_profile,
            "plausibility": plausibility,
            "provenance": Value::Null,
            "suppressed": o.suppressed,
        })
    }
}

/// The overview's tables as JSON (the rule sections add theirs in `groups`).
impl JsonOut {
    fn concentration(&mut self, path: &str, t: &ConcentrationTable) -> Value {
        let mut m = Map::new();
        for (k, cell) in &t.top {
            let key = format!("top{k}");
            let v = self.scalar(&format!("{path}/{key}"), cell, |s| json!(s.share));
            m.insert(key, v);
        }
        m.insert(
            "gini".into(),
            self.scalar(&format!("{path}/gini"), &t.gini, |g| json!(g)),
        );
        Value::Object(m)
    }

    fn top_shares(&mut self, path: &str, t: &ConcentrationTable) -> Value {
        Value::Array(
            t.top
                .iter()
                .enumerate()
                .map(|(i, (k, cell))| {
                    self.row(
                        &format!("{path}/{i}"),
                        cell,
                        &[("k", json!(k))],
                        &["units", "cost_ore", "share"],
                        |s| vec![json!(s.units), json!(s.cost.0), json!(s.share)],
                    )
                })
                .collect(),
        )
    }

    fn lorenz(&mut self, t: &ConcentrationTable) -> Value {
        Value::Array(
            t.lorenz
                .iter()
                .filter_map(|c| c.value())
                .map(|p| json!([p.population_share, p.cost_share]))
                .collect(),
        )
    }

    fn group(
        &mut self,
        path: &str,
        unit_key: &str,
        c: &Cell<GroupRow>,
        fixed: &[(&str, Value)],
    ) -> Value {
        // A shown row may still hide its cost (dominance, or the cost column's margin).
        let cost_hidden = c.value().is_some_and(|g| g.cost.is_suppressed());
        if cost_hidden {
            self.suppressed.push(format!("{path}/cost_ore"));
        }
        self.row(
            path,
            c,
            fixed,
            &[unit_key, "cost_ore", "mean_services", "mean_contacts"],
            |g| {
                vec![
                    json!(g.units),
                    g.cost.value().map_or(Value::Null, |v| json!(v.0)),
                    json!(g.mean_services),
                    json!(g.mean_contacts),
                ]
            },
        )
    }

    fn complexity(&mut self, path: &str, unit_key: &str, t: &ComplexityTable) -> Value {
        let mut m = Map::new();
        for (thr, cell) in &t.departments_at_least {
            let key = format!("departments_{thr}plus");
            let v = self.group(&format!("{path}/{key}"), unit_key, cell, &[]);
            m.insert(key, v);
        }
        let v = self.group(
            &format!("{path}/services_7plus"),
            unit_key,
            &t.services_7plus,
            &[],
        );
        m.insert("services_7plus".into(), v);
        Value::Object(m)
    }

    fn distribution(&mut self, path: &str, unit_key: &str, t: &ComplexityTable) -> Value {
        Value::Array(
            t.distribution
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let label = bucket_label(i);
                    self.group(
                        &format!("{path}/{i}"),
                        unit_key,
                        cell,
                        &[("departments", json!(label))],
                    )
                })
                .collect(),
        )
    }
}
