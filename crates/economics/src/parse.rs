//! Reading a scenario file: TOML into raw tables carrying their source spans, then validation
//! into the [`crate::model`] types. Every error names the line and column of the offending value
//! (the same scheme as the rules file, `tvaers_rules::RulesError`).

use crate::model::*;
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;
use tvaers_core::{Department, Ore, ServiceKind};

/// A scenario file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {message}")]
pub struct ScenarioError {
    pub source_name: String,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    pub message: String,
}

/// An amount in the file: whole kroner as an integer, or a string in Danish form with a decimal
/// comma ("655,50"). Anything else, a TOML float included (it cannot hold every øre exactly),
/// is refused.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawMoney {
    Int(i64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

/// A percentage: an integer, a float or a string with at most two decimals ("12,5").
#[derive(Deserialize)]
#[serde(untagged)]
enum RawPercent {
    Int(i64),
    Float(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: Option<Spanned<i64>>,
    id: Option<Spanned<String>>,
    name_da: Option<Spanned<String>>,
    name_en: Option<Spanned<String>>,
    target_group: Option<Spanned<String>>,
    persons: Option<Spanned<i64>>,
    horizon_years: Option<Spanned<i64>>,
    discount_rate_percent: Option<Spanned<RawPercent>>,
    #[serde(default)]
    service: Vec<Spanned<RawService>>,
    #[serde(default)]
    change: Vec<Spanned<RawChange>>,
    effect: Option<Spanned<RawEffect>>,
    #[serde(default)]
    cost: Vec<Spanned<RawCost>>,
    budget: Option<Spanned<RawBudget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    code: Spanned<String>,
    name_da: Option<Spanned<String>>,
    name_en: Option<Spanned<String>>,
    department: Spanned<String>,
    kind: Spanned<String>,
    kr_per_year: Option<Spanned<RawMoney>>,
    quantity: Option<Spanned<i64>>,
    unit_price_kr: Option<Spanned<RawMoney>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    action: Spanned<String>,
    services: Spanned<Vec<Spanned<String>>>,
    with: Option<Spanned<RawService>>,
    percent: Option<Spanned<RawPercent>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffect {
    step_share_percent: Spanned<RawPercent>,
    saving_per_step_kr: Spanned<RawMoney>,
    department: Option<Spanned<String>>,
    first_year: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCost {
    text_da: Spanned<String>,
    text_en: Spanned<String>,
    department: Spanned<String>,
    kind: Spanned<String>,
    kr: Spanned<RawMoney>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    harvest: Option<Spanned<String>>,
    package_at_most_old: Option<Spanned<bool>>,
    approval_above_percent: Option<Spanned<RawPercent>>,
}

/// Turns byte spans into line/column errors for one source text.
struct Ctx<'a> {
    text: &'a str,
    source_name: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let (line, column) = tvaers_core::line_column(self.text, span.start);
        ScenarioError {
            source_name: self.source_name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    fn required<'r, T>(
        &self,
        v: &'r Option<Spanned<T>>,
        key: &str,
    ) -> Result<&'r Spanned<T>, ScenarioError> {
        v.as_ref()
            .ok_or_else(|| self.err(0..0, format!("the file has no {key} = …")))
    }

    fn text(&self, s: &Spanned<String>, what: &str) -> Result<String, ScenarioError> {
        let v = s.get_ref().trim();
        if v.is_empty() {
            return Err(self.err(s.span(), format!("{what} must not be empty")));
        }
        Ok(v.to_string())
    }

    fn department(&self, d: &Spanned<String>) -> Result<Department, ScenarioError> {
        Department::from_code(d.get_ref().trim()).ok_or_else(|| {
            self.err(
                d.span(),
                format!(
                    "unknown department \"{}\" (expected one of: {})",
                    d.get_ref(),
                    Department::codes_list()
                ),
            )
        })
    }

    fn kind(&self, k: &Spanned<String>) -> Result<ServiceKind, ScenarioError> {
        match k.get_ref().trim() {
            "ydelse" => Ok(ServiceKind::TransferIncome),
            "indsats" => Ok(ServiceKind::Intervention),
            other => Err(self.err(
                k.span(),
                format!("unknown kind \"{other}\" (expected ydelse or indsats)"),
            )),
        }
    }

    /// An amount from 0 to [`Ore::MAX_PRICE`] (10^8 kr).
    fn money(&self, m: &Spanned<RawMoney>, what: &str) -> Result<Ore, ScenarioError> {
        let v = match m.get_ref() {
            RawMoney::Int(kr) => kr.checked_mul(100).map(Ore),
            RawMoney::Text(t) => Ore::parse_kroner(t, ','),
            RawMoney::Other(_) => {
                return Err(self.err(
                    m.span(),
                    format!(
                        "{what}: write whole kroner as an integer (655) or øre as a string with a \
                         decimal comma (\"655,50\"), not as a decimal number"
                    ),
                ));
            }
        };
        match v {
            Some(o) if o >= Ore::ZERO && o <= Ore::MAX_PRICE => Ok(o),
            _ => Err(self.err(
                m.span(),
                format!("{what} must be an amount from 0 to 100.000.000 kr"),
            )),
        }
    }

    /// A percentage with at most two decimals, as basis points, within `0..=max`.
    fn percent(
        &self,
        p: &Spanned<RawPercent>,
        what: &str,
        max: BasisPoints,
    ) -> Result<BasisPoints, ScenarioError> {
        let bp: Option<i64> = match p.get_ref() {
            RawPercent::Int(n) => n.checked_mul(100),
            RawPercent::Float(f) => {
                let scaled = f * 100.0;
                // A share may be written as a TOML float; only two decimals are meaningful.
                if scaled.is_finite() && (scaled - scaled.round()).abs() < 1e-6 {
                    Some(scaled.round() as i64)
                } else {
                    None
                }
            }
            RawPercent::Text(t) => parse_percent(t),
        };
        match bp {
            Some(v) if (0..=i64::from(max)).contains(&v) => Ok(v as BasisPoints),
            _ => Err(self.err(
                p.span(),
                format!(
                    "{what} must be a percentage from 0 to {} with at most two decimals",
                    max / 100
                ),
            )),
        }
    }

    fn service(&self, s: &Spanned<RawService>) -> Result<ServiceLine, ScenarioError> {
        let raw = s.get_ref();
        let code = self.text(&raw.code, "code")?;
        let name_da = match &raw.name_da {
            Some(n) => self.text(n, "name_da")?,
            None => code.clone(),
        };
        let name_en = match &raw.name_en {
            Some(n) => self.text(n, "name_en")?,
            None => name_da.clone(),
        };
        let yearly = match (&raw.kr_per_year, &raw.quantity, &raw.unit_price_kr) {
            (Some(k), None, None) => self.money(k, "kr_per_year")?,
            (None, Some(q), Some(p)) => {
                let quantity = *q.get_ref();
                if !(0..=1_000_000).contains(&quantity) {
                    return Err(self.err(
                        q.span(),
                        "quantity must be a whole number from 0 to 1.000.000 a year",
                    ));
                }
                let price = self.money(p, "unit_price_kr")?;
                Ore(price.0 * quantity)
            }
            _ => {
                return Err(self.err(
                    s.span(),
                    format!(
                        "service \"{code}\" needs either kr_per_year, or quantity and \
                         unit_price_kr (not both)"
                    ),
                ));
            }
        };
        Ok(ServiceLine {
            code,
            name_da,
            name_en,
            department: self.department(&raw.department)?,
            kind: self.kind(&raw.kind)?,
            yearly,
        })
    }

    fn count(
        &self,
        v: &Spanned<i64>,
        what: &str,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, ScenarioError> {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(self.err(
                v.span(),
                format!(
                    "{what} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    fn change(
        &self,
        c: &Spanned<RawChange>,
        codes_now: &mut Vec<String>,
    ) -> Result<Change, ScenarioError> {
        let raw = c.get_ref();
        if raw.services.get_ref().is_empty() {
            return Err(self.err(
                raw.services.span(),
                "services must name at least one service",
            ));
        }
        let mut codes = Vec::new();
        for s in raw.services.get_ref() {
            let code = s.get_ref().trim().to_string();
            if !codes_now.contains(&code) {
                return Err(self.err(
                    s.span(),
                    format!(
                        "service \"{code}\" is not in the package at this point (it has: {})",
                        codes_now.join(", ")
                    ),
                ));
            }
            if codes.contains(&code) {
                return Err(self.err(s.span(), format!("service \"{code}\" is named twice")));
            }
            codes.push(code);
        }
        let action = raw.action.get_ref().trim();
        let misplaced = |field: &str, span: Range<usize>| {
            self.err(
                span,
                format!("{field} does not apply to action \"{action}\""),
            )
        };
        match action {
            "remove" | "replace" => {
                if let Some(p) = &raw.percent {
                    return Err(misplaced("percent", p.span()));
                }
                codes_now.retain(|c| !codes.contains(c));
                if action == "remove" {
                    if let Some(w) = &raw.with {
                        return Err(misplaced("with", w.span()));
                    }
                    return Ok(Change::Remove { codes });
                }
                let Some(w) = &raw.with else {
                    return Err(self.err(
                        c.span(),
                        "action \"replace\" needs a with = { … } service that takes their place",
                    ));
                };
                let with = self.service(w)?;
                if codes_now.contains(&with.code) {
                    return Err(self.err(
                        w.get_ref().code.span(),
                        format!("service \"{}\" is already in the package", with.code),
                    ));
                }
                codes_now.push(with.code.clone());
                Ok(Change::Replace { codes, with })
            }
            "resize" => {
                if let Some(w) = &raw.with {
                    return Err(misplaced("with", w.span()));
                }
                let Some(p) = &raw.percent else {
                    return Err(self.err(
                        c.span(),
                        "action \"resize\" needs percent = … (the new size, 100 = unchanged)",
                    ));
                };
                let factor = self.percent(p, "percent", MAX_FACTOR)?;
                Ok(Change::Resize { codes, factor })
            }
            other => Err(self.err(
                raw.action.span(),
                format!("unknown action \"{other}\" (expected remove, replace or resize)"),
            )),
        }
    }
}

/// "12", "12,5", "12.25" → basis points; at most two decimals.
fn parse_percent(t: &str) -> Option<i64> {
    let t = t.trim();
    let (whole, frac) = match t.find([',', '.']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    if whole.is_empty()
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        f *= 10;
    }
    w.checked_mul(100)?.checked_add(f)
}

impl Scenario {
    /// Parses and validates a scenario file. `source_name` is how errors name the file.
    pub fn parse(text: &str, source_name: &str) -> Result<Scenario, ScenarioError> {
        let ctx = Ctx { text, source_name };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ctx.err(span, e.message().trim().to_string())
        })?;
        let format = ctx.required(&raw.format, "format")?;
        if *format.get_ref() != 1 {
            return Err(ctx.err(
                format.span(),
                format!(
                    "unsupported format {} (this version reads format 1)",
                    format.get_ref()
                ),
            ));
        }
        let id = ctx.text(ctx.required(&raw.id, "id")?, "id")?;
        let name_da = ctx.text(ctx.required(&raw.name_da, "name_da")?, "name_da")?;
        let name_en = ctx.text(ctx.required(&raw.name_en, "name_en")?, "name_en")?;
        let target_group = match &raw.target_group {
            Some(t) => Some(ctx.text(t, "target_group")?),
            None => None,
        };
        let persons = match &raw.persons {
            Some(p) => ctx.count(p, "persons", 1..=MAX_PERSONS)?,
            None => 1,
        };
        let horizon_years = ctx.count(
            ctx.required(&raw.horizon_years, "horizon_years")?,
            "horizon_years",
            1..=MAX_HORIZON,
        )?;
        let discount_rate = ctx.percent(
            ctx.required(&raw.discount_rate_percent, "discount_rate_percent")?,
            "discount_rate_percent",
            MAX_DISCOUNT_RATE,
        )?;

        if raw.service.is_empty() {
            return Err(ctx.err(
                0..0,
                "the file has no [[service]] tables (today's package for one person)",
            ));
        }
        let mut package = Vec::with_capacity(raw.service.len());
        let mut seen = HashSet::new();
        for s in &raw.service {
            let line = ctx.service(s)?;
            if !seen.insert(line.code.clone()) {
                return Err(ctx.err(
                    s.get_ref().code.span(),
                    format!("service \"{}\" appears twice in the package", line.code),
                ));
            }
            package.push(line);
        }
        let mut codes_now: Vec<String> = package.iter().map(|l| l.code.clone()).collect();
        let changes = raw
            .change
            .iter()
            .map(|c| ctx.change(c, &mut codes_now))
            .collect::<Result<Vec<_>, _>>()?;

        let effect = match &raw.effect {
            None => None,
            Some(e) => {
                let r = e.get_ref();
                Some(Effect {
                    step_share: ctx.percent(&r.step_share_percent, "step_share_percent", 10_000)?,
                    saving_per_step: ctx.money(&r.saving_per_step_kr, "saving_per_step_kr")?,
                    department: match &r.department {
                        Some(d) => ctx.department(d)?,
                        None => Department::Employment,
                    },
                    first_year: match &r.first_year {
                        Some(y) => ctx.count(y, "first_year", 1..=horizon_years)?,
                        None => 1,
                    },
                })
            }
        };

        let costs = raw
            .cost
            .iter()
            .map(|c| {
                let r = c.get_ref();
                let one_off = match r.kind.get_ref().trim() {
                    "engang" | "one_off" => true,
                    "loebende" | "running" => false,
                    other => {
                        return Err(ctx.err(
                            r.kind.span(),
                            format!("unknown cost kind \"{other}\" (expected engang or loebende)"),
                        ));
                    }
                };
                Ok(RedesignCost {
                    text_da: ctx.text(&r.text_da, "text_da")?,
                    text_en: ctx.text(&r.text_en, "text_en")?,
                    department: ctx.department(&r.department)?,
                    one_off,
                    amount: ctx.money(&r.kr, "kr")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let (harvest, guards) = match &raw.budget {
            None => (
                Harvest::UpFront,
                Guards {
                    package_at_most_old: true,
                    approval_above: None,
                },
            ),
            Some(b) => {
                let b = b.get_ref();
                let harvest = match &b.harvest {
                    None => Harvest::UpFront,
                    Some(h) => match h.get_ref().trim() {
                        "forlods" | "up_front" => Harvest::UpFront,
                        "loebende" | "along_the_way" => Harvest::AlongTheWay,
                        other => {
                            return Err(ctx.err(
                                h.span(),
                                format!(
                                    "unknown harvest \"{other}\" (expected forlods or loebende)"
                                ),
                            ));
                        }
                    },
                };
                let approval_above = match &b.approval_above_percent {
                    Some(p) => Some(ctx.percent(p, "approval_above_percent", 100_000)?),
                    None => None,
                };
                (
                    harvest,
                    Guards {
                        package_at_most_old: b
                            .package_at_most_old
                            .as_ref()
                            .is_none_or(|v| *v.get_ref()),
                        approval_above,
                    },
                )
            }
        };

        Ok(Scenario {
            id,
            name_da,
            name_en,
            target_group,
            persons,
            horizon_years,
            discount_rate,
            package,
            changes,
            effect,
            costs,
            guards,
            harvest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_percent;

    #[test]
    fn percent_strings_are_basis_points() {
        assert_eq!(parse_percent("12"), Some(1200));
        assert_eq!(parse_percent("12,5"), Some(1250));
        assert_eq!(parse_percent("0.25"), Some(25));
        assert_eq!(parse_percent("1,234"), None);
        assert_eq!(parse_percent("-1"), None);
        assert_eq!(parse_percent(",5"), None);
    }
}
