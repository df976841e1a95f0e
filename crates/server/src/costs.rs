//! A citizen's yearly cost by department, as the overview shows it: the activity-based cost of
//! each service the user may see (volume × the load's unit price, the analysis' one formula
//! [`tvaers_core::service::checked_activity_cost`], day by day within each calendar year) plus
//! the amounts booked to the citizen in the departments the user may see.
//!
//! A service-year without a unit price is not guessed: its cell is marked as incomplete.
//! An open-ended service counts up to `today`.

use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tvaers_core::service::checked_activity_cost;
use tvaers_core::{Department, Ore, Period, Quantity, Unit};
use tvaers_store::{BookedCost, ServiceRecord, UnitPriceRecord};

/// Cost per department and year, and the cells that lack a price for some service.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct YearlyCosts {
    pub cells: BTreeMap<Department, BTreeMap<i32, Ore>>,
    pub years: BTreeSet<i32>,
    /// (department, year) with at least one service-year without a unit price.
    pub incomplete: BTreeSet<(Department, i32)>,
}

impl YearlyCosts {
    pub fn cell(&self, d: Department, year: i32) -> Ore {
        self.cells
            .get(&d)
            .and_then(|y| y.get(&year))
            .copied()
            .unwrap_or(Ore(0))
    }

    pub fn year_total(&self, year: i32) -> Ore {
        Ore(self
            .cells
            .values()
            .filter_map(|y| y.get(&year))
            .map(|o| o.0)
            .sum())
    }
}

/// `services` and `booked` must already be limited to what the user may see; `visible` is the
/// set of departments whose services the rule opened (booked amounts of other departments are
/// left out here too, as a second guard).
pub fn yearly_costs(
    services: &[ServiceRecord],
    prices: &[UnitPriceRecord],
    booked: &[BookedCost],
    visible: &[Department],
    today: NaiveDate,
) -> YearlyCosts {
    let price: HashMap<(&str, &str, i32), Ore> = prices
        .iter()
        .map(|p| ((p.code.as_str(), p.unit.as_str(), p.year), p.price))
        .collect();
    let mut out = YearlyCosts::default();
    for s in services {
        let end = s.end.unwrap_or(today);
        let Ok(span) = Period::new(s.start, end) else {
            continue; // starts after today: no cost yet
        };
        let unit = Unit::from_code(&s.unit);
        for (year, seg) in span.year_segments() {
            out.years.insert(year);
            let cost = unit.and_then(|u| {
                let p = price.get(&(s.code.as_str(), s.unit.as_str(), year))?;
                checked_activity_cost(Quantity(s.volume_milli), *p, u, seg.days())
            });
            let cell = out
                .cells
                .entry(s.department)
                .or_default()
                .entry(year)
                .or_insert(Ore(0));
            match cost {
                Some(c) => cell.0 += c.0,
                None => {
                    out.incomplete.insert((s.department, year));
                }
            }
        }
    }
    for b in booked.iter().filter(|b| visible.contains(&b.department)) {
        out.years.insert(b.year);
        out.cells
            .entry(b.department)
            .or_default()
            .entry(b.year)
            .or_insert(Ore(0))
            .0 += b.amount.0;
    }
    // Years between the first and the last, so the table has no gaps.
    if let (Some(&first), Some(&last)) = (out.years.first(), out.years.last()) {
        out.years = (first..=last).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn service(
        dept: Department,
        code: &str,
        unit: &str,
        start: NaiveDate,
        end: Option<NaiveDate>,
        volume_milli: i64,
    ) -> ServiceRecord {
        ServiceRecord {
            code: code.into(),
            name_da: code.into(),
            department: dept,
            legal_basis: "x".into(),
            unit: unit.into(),
            start,
            end,
            volume_milli,
        }
    }

    fn price(code: &str, unit: &str, year: i32, kr: i64) -> UnitPriceRecord {
        UnitPriceRecord {
            code: code.into(),
            unit: unit.into(),
            year,
            price: Ore::from_kroner(kr),
        }
    }

    #[test]
    fn a_service_across_new_year_is_priced_by_each_years_price() {
        // 2 days a day at 1,000 kr in 2024 (30-31 Dec) and 3 days at 1,100 kr in 2025 (1-3 Jan).
        let s = service(
            Department::AdultSocial,
            "A",
            "dag",
            d(2024, 12, 30),
            Some(d(2025, 1, 3)),
            1000,
        );
        let p = [price("A", "dag", 2024, 1000), price("A", "dag", 2025, 1100)];
        let c = yearly_costs(&[s], &p, &[], &[Department::AdultSocial], d(2026, 1, 1));
        assert_eq!(
            c.cell(Department::AdultSocial, 2024),
            Ore::from_kroner(2000)
        );
        assert_eq!(
            c.cell(Department::AdultSocial, 2025),
            Ore::from_kroner(3300)
        );
        assert!(c.incomplete.is_empty());
        assert_eq!(c.years, BTreeSet::from([2024, 2025]));
    }

    #[test]
    fn a_missing_price_marks_the_cell_and_booked_amounts_add_up() {
        let s = service(Department::Health, "B", "time", d(2025, 1, 1), None, 7000);
        let booked = [
            BookedCost {
                department: Department::Employment,
                year: 2023,
                amount: Ore::from_kroner(500),
            },
            BookedCost {
                department: Department::Health,
                year: 2025,
                amount: Ore::from_kroner(40),
            },
            // Not visible to the user: never counted.
            BookedCost {
                department: Department::Psychiatry,
                year: 2025,
                amount: Ore::from_kroner(9),
            },
        ];
        let c = yearly_costs(
            &[s],
            &[],
            &booked,
            &[Department::Employment, Department::Health],
            d(2025, 1, 10),
        );
        assert!(c.incomplete.contains(&(Department::Health, 2025)));
        assert_eq!(c.cell(Department::Health, 2025), Ore::from_kroner(40));
        assert_eq!(c.cell(Department::Psychiatry, 2025), Ore(0));
        assert_eq!(c.year_total(2023), Ore::from_kroner(500));
        // 2024 has nothing but is a row of the table between 2023 and 2025.
        assert_eq!(c.years, BTreeSet::from([2023, 2024, 2025]));
    }

    #[test]
    fn an_hourly_service_is_priced_per_week_of_its_days() {
        // 7 hours a week at 100 kr for 14 days = 2 weeks × 7 h × 100 kr = 1,400 kr.
        let s = service(
            Department::AdultSocial,
            "C",
            "time",
            d(2025, 3, 1),
            Some(d(2025, 3, 14)),
            7000,
        );
        let c = yearly_costs(
            &[s],
            &[price("C", "time", 2025, 100)],
            &[],
            &[Department::AdultSocial],
            d(2026, 1, 1),
        );
        assert_eq!(
            c.cell(Department::AdultSocial, 2025),
            Ore::from_kroner(1400)
        );
    }
}
