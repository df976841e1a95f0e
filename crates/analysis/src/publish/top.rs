//! The publication's top 1 % / 3 % profile: one table (citizens and families, every
//! breakdown) and its page section, built from the published [`TopAnalysis`] only.

use super::labels::centre_name;
use crate::groups::AGE_BANDS;
use crate::top::{Count, FamilyType, TopAnalysis, TopProfile};
use tvaers_core::{Department, Ore};
use tvaers_messages::{self as msg, Key, Lang};
use tvaers_report::{Block, Cell, Section, Table, TableId, Value as V, cells};

fn family_label(f: FamilyType) -> Key {
    match f {
        FamilyType::Single => Key::family_single,
        FamilyType::Couple => Key::family_couple,
        FamilyType::CoupleWithChildren => Key::family_couple_children,
        FamilyType::SingleParent => Key::family_single_parent,
        FamilyType::Other => Key::family_other,
    }
}

fn band_text(b: usize) -> String {
    match AGE_BANDS[b] {
        (from, Some(to)) => format!("{from}–{to}"),
        (from, None) => format!("{from}+"),
    }
}

/// Units and share of one cell (the cost column empty).
fn count_cells(c: &Cell<Count>) -> Vec<V> {
    let mut v = cells(c, 2, |x| {
        vec![V::Int(x.units as i64), V::Share(Some(x.share))]
    });
    v.push(V::Empty);
    v
}

const EMPTY3: [V; 3] = [V::Empty, V::Empty, V::Empty];

/// The rows of one population (`profiles` in [`crate::top::PROFILE_KS`] order).
fn rows(lang: Lang, pop: &str, profiles: &[TopProfile]) -> Vec<Vec<V>> {
    let t = |k| msg::t(lang, k).to_string();
    let mut out = Vec::new();
    let mut row = |dim: Key, cat: String, per_k: Vec<Vec<V>>| {
        let mut r = vec![V::Text(pop.to_string()), V::Text(t(dim)), V::Text(cat)];
        for v in per_k {
            r.extend(v);
        }
        out.push(r);
    };
    row(
        Key::dim_total,
        t(Key::dim_total_row),
        profiles
            .iter()
            .map(|p| {
                cells(&p.figures, 3, |f| {
                    vec![
                        V::Int(f.units as i64),
                        V::Share(f.cost_share),
                        V::Money(f.cost),
                    ]
                })
            })
            .collect(),
    );
    for (i, (centre, _)) in profiles[0].by_centre.iter().enumerate() {
        let empty = profiles.iter().all(|p| {
            p.by_centre[i]
                .1
                .value()
                .is_some_and(|c| c.persons == 0 && c.cost == Ore::ZERO)
        });
        if empty {
            continue;
        }
        row(
            Key::dim_departments,
            centre_name(lang, *centre).to_string(),
            profiles
                .iter()
                .map(|p| {
                    let units = p.figures.value().map_or(0, |f| f.units);
                    cells(&p.by_centre[i].1, 3, |c| {
                        let share = (units > 0).then(|| c.persons as f64 / units as f64);
                        vec![V::Int(c.persons as i64), V::Share(share), V::Money(c.cost)]
                    })
                })
                .collect(),
        );
    }
    for b in 0..profiles[0].age_bands.len() {
        row(
            Key::dim_age,
            band_text(b),
            profiles
                .iter()
                .map(|p| count_cells(&p.age_bands[b]))
                .collect(),
        );
    }
    for (s, key) in [Key::sex_women, Key::sex_men]
        .into_iter()
        .enumerate()
        .take(profiles[0].sexes.len())
    {
        row(
            Key::dim_sex,
            t(key),
            profiles.iter().map(|p| count_cells(&p.sexes[s])).collect(),
        );
    }
    for (f, ft) in FamilyType::ALL.into_iter().enumerate() {
        row(
            Key::dim_family_type,
            t(family_label(ft)),
            profiles
                .iter()
                .map(|p| count_cells(&p.family_types[f]))
                .collect(),
        );
    }
    row(
        Key::dim_3plus,
        t(Key::dim_3plus),
        profiles
            .iter()
            .map(|p| count_cells(&p.departments_3plus))
            .collect(),
    );
    let groups = profiles
        .iter()
        .map(|p| p.target_groups.len())
        .max()
        .unwrap_or(0);
    for g in 0..groups {
        let Some(first) = profiles.iter().find_map(|p| p.target_groups.get(g)) else {
            continue;
        };
        let name = match lang {
            Lang::Da => first.name_da.clone(),
            Lang::En => first.name_en.clone(),
        };
        row(
            Key::dim_target_groups,
            name,
            profiles
                .iter()
                .map(|p| match p.target_groups.get(g) {
                    Some(x) => count_cells(&x.members),
                    None => EMPTY3.to_vec(),
                })
                .collect(),
        );
    }
    // Combinations: the union of the listed ones, in the order of the larger population's list.
    let mut sets: Vec<Vec<Department>> = Vec::new();
    for p in profiles.iter().rev() {
        for c in &p.combinations {
            if !sets.contains(&c.departments) {
                sets.push(c.departments.clone());
            }
        }
    }
    for set in sets {
        let label = set
            .iter()
            .map(|&d| msg::department(lang, d))
            .collect::<Vec<_>>()
            .join(" + ");
        row(
            Key::dim_combinations,
            label,
            profiles
                .iter()
                .map(
                    |p| match p.combinations.iter().find(|c| c.departments == set) {
                        Some(c) => count_cells(&c.units),
                        None => EMPTY3.to_vec(),
                    },
                )
                .collect(),
        );
    }
    out
}

/// The profile table (citizens, then families).
pub(super) fn table(top: &TopAnalysis, lang: Lang) -> Table {
    let t = |k| msg::t(lang, k).to_string();
    let mut headers = vec![
        t(Key::col_population),
        t(Key::col_dimension),
        t(Key::col_category),
    ];
    for p in &top.citizens {
        let k = p.k.to_string();
        headers.push(msg::t1(lang, Key::col_top_units, &k));
        headers.push(msg::t1(lang, Key::col_top_share, &k));
        headers.push(msg::t1(lang, Key::col_top_cost, &k));
    }
    let mut all = rows(lang, &t(Key::pop_citizens), &top.citizens);
    all.extend(rows(lang, &t(Key::pop_families), &top.families));
    Table {
        id: TableId::TopProfile,
        title: t(Key::table_top_profile),
        headers,
        rows: all,
        money_unit: false,
    }
}

/// The page section: the table split by population, with the explanation.
pub(super) fn section(table: &Table, lang: Lang) -> Section {
    let t = |k| msg::t(lang, k).to_string();
    let part = |pop: Key, title: Key| {
        let name = V::Text(t(pop));
        let mut p = table.clone();
        p.rows.retain(|r| r.first() == Some(&name));
        p.title = t(title);
        p
    };
    Section {
        heading: t(Key::section_top),
        blocks: vec![
            Block::Paragraph(t(Key::intro_top)),
            Block::Table(part(Key::pop_citizens, Key::table_top_citizens)),
            Block::Table(part(Key::pop_families, Key::table_top_families)),
            Block::Note(t(Key::note_top_share)),
            Block::Note(t(Key::method_top)),
        ],
    }
}
