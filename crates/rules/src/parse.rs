//! Reading a rules file: TOML into raw tables carrying their source spans, then validation into
//! the [`crate::model`] types. Every error names the line and column of the offending value.

use crate::model::*;
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;
use tvaers_core::{Department, ServiceKind};

/// A rules file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {message}")]
pub struct RulesError {
    pub source_name: String,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    format: Option<Spanned<i64>>,
    #[serde(default)]
    target_group: Vec<Spanned<RawRule>>,
    #[serde(default)]
    overlap: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    name_da: Spanned<String>,
    name_en: Spanned<String>,
    #[serde(default)]
    severity: Option<Spanned<String>>,
    explanation_da: Spanned<String>,
    explanation_en: Spanned<String>,
    #[serde(default)]
    min_days: Option<Spanned<i64>>,
    #[serde(default)]
    age_min: Option<Spanned<i64>>,
    #[serde(default)]
    age_max: Option<Spanned<i64>>,
    #[serde(default)]
    require: Option<Spanned<Vec<Spanned<RawRequirement>>>>,
    #[serde(default)]
    member: Option<Spanned<Vec<Spanned<RawMember>>>>,
    #[serde(default)]
    distinct_members: Option<Spanned<bool>>,
    #[serde(default)]
    sequence: Option<Spanned<RawSequence>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelector {
    #[serde(default)]
    tags_any: Vec<Spanned<String>>,
    #[serde(default)]
    tags_all: Vec<Spanned<String>>,
    #[serde(default)]
    tags_none: Vec<Spanned<String>>,
    #[serde(default)]
    departments: Vec<Spanned<String>>,
    #[serde(default)]
    departments_none: Vec<Spanned<String>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    #[serde(default)]
    tags_any: Vec<Spanned<String>>,
    #[serde(default)]
    tags_all: Vec<Spanned<String>>,
    #[serde(default)]
    tags_none: Vec<Spanned<String>>,
    #[serde(default)]
    departments: Vec<Spanned<String>>,
    #[serde(default)]
    departments_none: Vec<Spanned<String>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    count: Option<Spanned<String>>,
    #[serde(default)]
    at_least: Option<Spanned<i64>>,
    #[serde(default)]
    at_most: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    age_min: Option<Spanned<i64>>,
    #[serde(default)]
    age_max: Option<Spanned<i64>>,
    #[serde(default)]
    require: Option<Spanned<Vec<Spanned<RawRequirement>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSequence {
    within_days: Spanned<i64>,
    first: Spanned<RawSelector>,
    then: Spanned<RawSelector>,
}

/// The selector fields of a `[[…require]]` table or a `first`/`then` table, borrowed.
struct SelectorFields<'a> {
    tags_any: &'a [Spanned<String>],
    tags_all: &'a [Spanned<String>],
    tags_none: &'a [Spanned<String>],
    departments: &'a [Spanned<String>],
    departments_none: &'a [Spanned<String>],
    kind: &'a Option<Spanned<String>>,
}

impl<'a> From<&'a RawSelector> for SelectorFields<'a> {
    fn from(r: &'a RawSelector) -> Self {
        SelectorFields {
            tags_any: &r.tags_any,
            tags_all: &r.tags_all,
            tags_none: &r.tags_none,
            departments: &r.departments,
            departments_none: &r.departments_none,
            kind: &r.kind,
        }
    }
}

impl<'a> From<&'a RawRequirement> for SelectorFields<'a> {
    fn from(r: &'a RawRequirement) -> Self {
        SelectorFields {
            tags_any: &r.tags_any,
            tags_all: &r.tags_all,
            tags_none: &r.tags_none,
            departments: &r.departments,
            departments_none: &r.departments_none,
            kind: &r.kind,
        }
    }
}

/// Turns byte spans into line/column errors for one source text.
struct Ctx<'a> {
    text: &'a str,
    source_name: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> RulesError {
        let (line, column) = tvaers_core::line_column(self.text, span.start);
        RulesError {
            source_name: self.source_name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    fn text(&self, s: &Spanned<String>, what: &str) -> Result<String, RulesError> {
        let v = s.get_ref().trim();
        if v.is_empty() {
            return Err(self.err(s.span(), format!("{what} must not be empty")));
        }
        Ok(v.to_string())
    }

    fn tags(&self, raw: &[Spanned<String>]) -> Result<Vec<String>, RulesError> {
        raw.iter()
            .map(|t| {
                let v = t.get_ref().trim();
                if KNOWN_TAGS.contains(&v) {
                    Ok(v.to_string())
                } else {
                    Err(self.err(
                        t.span(),
                        format!(
                            "unknown tag \"{v}\" (expected one of: {})",
                            KNOWN_TAGS.join(", ")
                        ),
                    ))
                }
            })
            .collect()
    }

    fn departments(&self, raw: &[Spanned<String>]) -> Result<Vec<Department>, RulesError> {
        raw.iter()
            .map(|d| {
                Department::from_code(d.get_ref()).ok_or_else(|| {
                    self.err(
                        d.span(),
                        format!(
                            "unknown department \"{}\" (expected one of: {})",
                            d.get_ref(),
                            Department::codes_list()
                        ),
                    )
                })
            })
            .collect()
    }

    fn kind(&self, raw: &Option<Spanned<String>>) -> Result<Option<ServiceKind>, RulesError> {
        match raw {
            None => Ok(None),
            Some(k) => match k.get_ref().trim() {
                "ydelse" => Ok(Some(ServiceKind::TransferIncome)),
                "indsats" => Ok(Some(ServiceKind::Intervention)),
                other => Err(self.err(
                    k.span(),
                    format!("unknown kind \"{other}\" (expected ydelse or indsats)"),
                )),
            },
        }
    }

    fn selector(&self, raw: SelectorFields<'_>) -> Result<Selector, RulesError> {
        Ok(Selector {
            tags_any: self.tags(raw.tags_any)?,
            tags_all: self.tags(raw.tags_all)?,
            tags_none: self.tags(raw.tags_none)?,
            departments: self.departments(raw.departments)?,
            departments_none: self.departments(raw.departments_none)?,
            kind: self.kind(raw.kind)?,
        })
    }

    fn count_value(&self, v: &Option<Spanned<i64>>, what: &str) -> Result<Option<u32>, RulesError> {
        match v {
            None => Ok(None),
            Some(n) => u32::try_from(*n.get_ref())
                .map(Some)
                .map_err(|_| self.err(n.span(), format!("{what} must be a whole number ≥ 0"))),
        }
    }

    fn age(&self, v: &Option<Spanned<i64>>, what: &str) -> Result<Option<i32>, RulesError> {
        match v {
            None => Ok(None),
            Some(n) if (0..=130).contains(n.get_ref()) => Ok(Some(*n.get_ref() as i32)),
            Some(n) => Err(self.err(n.span(), format!("{what} must be an age from 0 to 130"))),
        }
    }

    fn ages(
        &self,
        min: &Option<Spanned<i64>>,
        max: &Option<Spanned<i64>>,
    ) -> Result<(Option<i32>, Option<i32>), RulesError> {
        let lo = self.age(min, "age_min")?;
        let hi = self.age(max, "age_max")?;
        if let (Some(l), Some(h), Some(m)) = (lo, hi, max)
            && h < l
        {
            return Err(self.err(m.span(), format!("age_max ({h}) is below age_min ({l})")));
        }
        Ok((lo, hi))
    }

    fn requirement(&self, r: &Spanned<RawRequirement>) -> Result<Requirement, RulesError> {
        let raw = r.get_ref();
        let selector = self.selector(raw.into())?;
        let count = match &raw.count {
            None => Count::Spells,
            Some(c) => Count::from_code(c.get_ref()).ok_or_else(|| {
                self.err(
                    c.span(),
                    format!(
                        "unknown count \"{}\" (expected spells, services, departments or contacts)",
                        c.get_ref()
                    ),
                )
            })?,
        };
        let at_least = self.count_value(&raw.at_least, "at_least")?.unwrap_or(1);
        let at_most = self.count_value(&raw.at_most, "at_most")?;
        if let (Some(m), Some(span)) = (at_most, &raw.at_most)
            && m < at_least
        {
            return Err(self.err(
                span.span(),
                format!("at_most ({m}) is below at_least ({at_least})"),
            ));
        }
        Ok(Requirement {
            selector,
            count,
            at_least,
            at_most,
        })
    }

    /// A list of requirements that can hold only when some service is active: a condition made
    /// only of absences would select every citizen without services.
    fn requirements(
        &self,
        raw: &Option<Spanned<Vec<Spanned<RawRequirement>>>>,
        table_span: Range<usize>,
    ) -> Result<Vec<Requirement>, RulesError> {
        let Some(list) = raw else {
            return Err(self.err(table_span, "condition has no [[…require]] tables"));
        };
        let reqs = list
            .get_ref()
            .iter()
            .map(|r| self.requirement(r))
            .collect::<Result<Vec<_>, _>>()?;
        if !reqs.iter().any(|r| r.at_least >= 1) {
            return Err(self.err(
                list.span(),
                "empty condition: at least one requirement must ask for at_least ≥ 1 service",
            ));
        }
        Ok(reqs)
    }

    fn rule(&self, raw: &Spanned<RawRule>, kind: AlertKind) -> Result<Rule, RulesError> {
        let span = raw.span();
        let r = raw.get_ref();
        let id = r.id.get_ref().trim().to_string();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(self.err(
                r.id.span(),
                format!("id \"{id}\" must be non-empty and use only a-z, 0-9 and _"),
            ));
        }
        let severity = match (&r.severity, kind) {
            (Some(s), _) => Severity::from_code(s.get_ref()).ok_or_else(|| {
                self.err(
                    s.span(),
                    format!(
                        "bad severity \"{}\" (expected info, advarsel or kritisk)",
                        s.get_ref()
                    ),
                )
            })?,
            (None, AlertKind::TargetGroup) => Severity::Info,
            (None, AlertKind::Overlap) => {
                return Err(self.err(
                    span,
                    format!("overlap rule \"{id}\" needs a severity (info, advarsel or kritisk)"),
                ));
            }
        };
        let min_days = match &r.min_days {
            None => 1,
            Some(n) => match u32::try_from(*n.get_ref()) {
                Ok(v) if v >= 1 => v,
                _ => return Err(self.err(n.span(), "min_days must be a whole number ≥ 1")),
            },
        };
        let shapes = [
            r.require.is_some(),
            r.member.is_some(),
            r.sequence.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        let shape_error = || {
            self.err(
                span.clone(),
                format!(
                    "rule \"{id}\" must have exactly one of [[…require]] (one citizen), \
                     [[…member]] (a family) or [….sequence] (one service after another); it has {shapes}"
                ),
            )
        };
        if shapes != 1 {
            return Err(shape_error());
        }
        if let Some(d) = &r.distinct_members
            && r.member.is_none()
        {
            return Err(self.err(d.span(), "distinct_members applies only to family rules"));
        }
        let condition = if r.require.is_some() {
            let (age_min, age_max) = self.ages(&r.age_min, &r.age_max)?;
            Condition::Person(PersonCondition {
                role: None,
                age_min,
                age_max,
                require: self.requirements(&r.require, span.clone())?,
            })
        } else if let Some(members) = &r.member {
            if let Some(a) = r.age_min.as_ref().or(r.age_max.as_ref()) {
                return Err(self.err(
                    a.span(),
                    "in a family rule, set age_min/age_max on each [[…member]]",
                ));
            }
            if members.get_ref().is_empty() {
                return Err(self.err(members.span(), "empty condition: no members"));
            }
            let members = members
                .get_ref()
                .iter()
                .map(|m| {
                    let raw = m.get_ref();
                    let (age_min, age_max) = self.ages(&raw.age_min, &raw.age_max)?;
                    Ok(PersonCondition {
                        role: raw.role.clone(),
                        age_min,
                        age_max,
                        require: self.requirements(&raw.require, m.span())?,
                    })
                })
                .collect::<Result<Vec<_>, RulesError>>()?;
            Condition::Family {
                members,
                distinct_members: r.distinct_members.as_ref().is_none_or(|d| *d.get_ref()),
            }
        } else if let Some(s) = &r.sequence {
            let s = s.get_ref();
            if let Some(m) = &r.min_days {
                return Err(self.err(m.span(), "min_days does not apply to a sequence rule"));
            }
            let (age_min, age_max) = self.ages(&r.age_min, &r.age_max)?;
            let within_days = match u32::try_from(*s.within_days.get_ref()) {
                Ok(v) if v >= 1 => v,
                _ => {
                    return Err(self.err(
                        s.within_days.span(),
                        "within_days must be a whole number ≥ 1",
                    ));
                }
            };
            Condition::Sequence(Box::new(Sequence {
                age_min,
                age_max,
                first: self.selector(s.first.get_ref().into())?,
                then: self.selector(s.then.get_ref().into())?,
                within_days,
            }))
        } else {
            return Err(shape_error());
        };
        Ok(Rule {
            id,
            kind,
            name_da: self.text(&r.name_da, "name_da")?,
            name_en: self.text(&r.name_en, "name_en")?,
            severity,
            explanation_da: self.text(&r.explanation_da, "explanation_da")?,
            explanation_en: self.text(&r.explanation_en, "explanation_en")?,
            min_days,
            condition,
        })
    }
}

impl RuleSet {
    /// Parses and validates a rules file. `source_name` is how errors name the file.
    pub fn parse(text: &str, source_name: &str) -> Result<RuleSet, RulesError> {
        let ctx = Ctx { text, source_name };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ctx.err(span, e.message().trim().to_string())
        })?;
        if let Some(f) = &raw.format
            && *f.get_ref() != 1
        {
            return Err(ctx.err(
                f.span(),
                format!(
                    "unsupported format {} (this version reads format 1)",
                    f.get_ref()
                ),
            ));
        }
        let mut rules = Vec::with_capacity(raw.target_group.len() + raw.overlap.len());
        let mut seen = HashSet::new();
        let all = raw
            .target_group
            .iter()
            .map(|r| (r, AlertKind::TargetGroup))
            .chain(raw.overlap.iter().map(|r| (r, AlertKind::Overlap)));
        for (r, kind) in all {
            let rule = ctx.rule(r, kind)?;
            if !seen.insert(rule.id.clone()) {
                return Err(ctx.err(
                    r.get_ref().id.span(),
                    format!("duplicate rule id \"{}\"", rule.id),
                ));
            }
            rules.push(rule);
        }
        if rules.is_empty() {
            return Err(ctx.err(
                0..0,
                "the file has no [[target_group]] or [[overlap]] rules",
            ));
        }
        Ok(RuleSet {
            source_name: source_name.to_string(),
            rules,
        })
    }
}
