//! The service catalogue: what a municipality provides, under which law, priced in which unit.

use crate::account::AccountFunction;
use crate::department::Department;
use crate::money::Ore;
use crate::quantity::Quantity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Transfer income (ydelse, paid to the citizen) or intervention (indsats, help given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ServiceKind {
    TransferIncome,
    Intervention,
}

impl ServiceKind {
    pub fn code(self) -> &'static str {
        match self {
            ServiceKind::TransferIncome => "ydelse",
            ServiceKind::Intervention => "indsats",
        }
    }
    pub fn from_code(s: &str) -> Option<ServiceKind> {
        match s.trim().to_lowercase().as_str() {
            "ydelse" | "transfer_income" => Some(ServiceKind::TransferIncome),
            "indsats" | "intervention" => Some(ServiceKind::Intervention),
            _ => None,
        }
    }
}

/// The unit a service is measured and priced in.
///
/// A spell's volume is a *rate*: for [`Unit::Hour`] it is hours per week (how home help and
/// support are granted, "3 timer/uge"); for the other units it is the number of units per unit
/// of time (1 place per day, 1 benefit per month). See [`activity_cost`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Unit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    pub const ALL: [Unit; 5] = [Unit::Hour, Unit::Day, Unit::Week, Unit::Month, Unit::Year];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Hour => "time",
            Unit::Day => "dag",
            Unit::Week => "uge",
            Unit::Month => "maaned",
            Unit::Year => "aar",
        }
    }

    pub fn from_code(s: &str) -> Option<Unit> {
        match s.trim().to_lowercase().as_str() {
            "time" | "timer" | "hour" => Some(Unit::Hour),
            "dag" | "dage" | "døgn" | "doegn" | "day" => Some(Unit::Day),
            "uge" | "week" => Some(Unit::Week),
            "maaned" | "måned" | "md" | "month" => Some(Unit::Month),
            "aar" | "år" | "year" => Some(Unit::Year),
            _ => None,
        }
    }

    pub fn codes_list() -> String {
        Unit::ALL.map(|u| u.code()).join(", ")
    }

    /// `(num, den)` such that the cost of one day is `volume × price × num / den`.
    pub fn per_day_factor(self) -> (i64, i64) {
        match self {
            Unit::Hour => (1, 7),
            Unit::Day => (1, 1),
            Unit::Week => (1, 7),
            Unit::Month => (12, 365),
            Unit::Year => (1, 365),
        }
    }
}

/// Cost of `days` days of a spell with `volume` (a rate, see [`Unit`]) at `price` per unit:
/// `volume × price × days × num / den`, rounded to the nearest øre (halves up).
///
/// This is the one formula for activity-based cost; the SQL peer in the benchmark writes the
/// same expression, which is why it is integer arithmetic throughout.
///
/// Panics if the cost does not fit in `i64` øre — impossible for volumes and prices within
/// [`Quantity::MAX_VOLUME`] and [`Ore::MAX_PRICE`] and up to a year of days; see
/// [`checked_activity_cost`] for arbitrary inputs.
pub fn activity_cost(volume: Quantity, price: Ore, unit: Unit, days: i64) -> Ore {
    checked_activity_cost(volume, price, unit, days)
        .expect("activity cost beyond i64 øre: volume or price outside the documented limits")
}

/// [`activity_cost`], or `None` where the exact cost does not fit in `i64` øre.
pub fn checked_activity_cost(volume: Quantity, price: Ore, unit: Unit, days: i64) -> Option<Ore> {
    let (num, den) = unit.per_day_factor();
    let numer = (volume.0 as i128)
        .checked_mul(price.0 as i128)?
        .checked_mul(days as i128)?
        .checked_mul(num as i128)?;
    let denom = den as i128 * 1000;
    // Floor division of (numer + denom/2) — rounds halves up, also for negative prices.
    let v = numer
        .checked_mul(2)?
        .checked_add(denom)?
        .div_euclid(denom * 2);
    i64::try_from(v).ok().map(Ore)
}

/// The category tags a catalogue entry may carry and rules may name: the shared vocabulary of
/// the generator's catalogue and the rules engine. A rules file naming any other tag is
/// rejected, so that a typo cannot silently turn a rule off.
pub const CATEGORY_TAGS: &[&str] = &[
    "overfoersel",
    "kontanthjaelp",
    "sygedagpenge",
    "foertidspension",
    "ressourceforloeb",
    "uddannelseshjaelp",
    "mentor",
    "stoettekontakt",
    "sel85",
    "hverdagsstoette",
    "befordring",
    "aktivering",
    "fysisk_traening",
    "genoptraening",
    "hjemmesygepleje",
    "hjemmehjaelp",
    "misbrug",
    "behandling",
    "angst",
    "forebyggende",
    "anbringelse",
    "barn",
    "familiebehandling",
    "botilbud",
    "ung",
    "psykiatri",
];

/// An entry of the municipality's service catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEntry {
    /// The municipality's code for the service, e.g. `KTH` or `SEL85`.
    pub code: String,
    pub name_da: String,
    pub name_en: String,
    pub department: Department,
    pub kind: ServiceKind,
    /// Legal basis as written in law, e.g. `SEL § 85`.
    pub legal_basis: String,
    pub unit: Unit,
    /// The account function the service is booked on.
    pub function: AccountFunction,
    /// Category tags that rules refer to (`mentor`, `stoettekontakt`, `misbrug`, …).
    pub tags: Vec<String>,
}

impl ServiceEntry {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// The catalogue with its lookup by code. Services are addressed by dense [`crate::ServiceIx`].
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<ServiceEntry>,
    by_code: HashMap<String, u32>,
}

impl Catalogue {
    /// Builds the catalogue; returns the index of the first duplicate code as the error.
    pub fn new(entries: Vec<ServiceEntry>) -> Result<Catalogue, usize> {
        let mut by_code = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            if by_code.insert(e.code.clone(), i as u32).is_some() {
                return Err(i);
            }
        }
        Ok(Catalogue { entries, by_code })
    }

    pub fn entries(&self) -> &[ServiceEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, ix: crate::ServiceIx) -> &ServiceEntry {
        &self.entries[ix.0 as usize]
    }

    pub fn lookup(&self, code: &str) -> Option<crate::ServiceIx> {
        self.by_code.get(code.trim()).map(|&i| crate::ServiceIx(i))
    }

    /// The department a posting on `function` belongs to when it names no service: the
    /// department of the catalogue's first service on that function.
    pub fn department_of_function(&self, function: AccountFunction) -> Option<Department> {
        self.entries
            .iter()
            .find(|e| e.function == function)
            .map(|e| e.department)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_volumes_do_not_wrap() {
        // 9·10^15 hours a week at 500 kr for a year: beyond i64 øre, reported, not wrapped.
        let vol = Quantity(9_000_000_000_000_000);
        assert_eq!(
            checked_activity_cost(vol, Ore::from_kroner(500), Unit::Hour, 365),
            None
        );
        assert!(
            std::panic::catch_unwind(|| activity_cost(vol, Ore::from_kroner(500), Unit::Hour, 365))
                .is_err()
        );
        assert!(crate::check_volume(vol).is_err());
        assert!(crate::check_volume(Quantity(-1)).is_err());
        // At the limits, a year of a daily unit still fits, with room to spare.
        let c = activity_cost(Quantity::MAX_VOLUME, Ore::MAX_PRICE, Unit::Day, 366);
        assert_eq!(c, Ore(100_000 * 10_000_000_000 * 366));
        assert!(c.0 < i64::MAX / 20);
    }

    #[test]
    fn activity_cost_is_integer_and_rounds_halves_up() {
        // 3 hours a week at 550 kr an hour for one year (365 days) = 3*550*365/7 kr.
        let c = activity_cost(Quantity(3000), Ore::from_kroner(550), Unit::Hour, 365);
        assert_eq!(c, Ore(8_603_571)); // 86,035.714… kr
        // One place for 31 days at 2,355 kr a day.
        assert_eq!(
            activity_cost(Quantity::ONE, Ore::from_kroner(2355), Unit::Day, 31),
            Ore::from_kroner(73_005)
        );
        // One benefit a month for a year is twelve months.
        assert_eq!(
            activity_cost(Quantity::ONE, Ore::from_kroner(11_944), Unit::Month, 365),
            Ore::from_kroner(143_328)
        );
        // Half an øre rounds up.
        assert_eq!(activity_cost(Quantity(500), Ore(1), Unit::Day, 1), Ore(1));
        assert_eq!(activity_cost(Quantity(499), Ore(1), Unit::Day, 1), Ore(0));
    }

    #[test]
    fn units_parse_danish_codes() {
        for u in Unit::ALL {
            assert_eq!(Unit::from_code(u.code()), Some(u));
        }
        assert_eq!(Unit::from_code("Døgn"), Some(Unit::Day));
        assert_eq!(
            ServiceKind::from_code("Indsats"),
            Some(ServiceKind::Intervention)
        );
    }
}
