//! Stage 1: cost allocation — which of the period's spending can be put on a person.
//!
//! Booked postings (registrantbogført) are a person's cost as booked. Spells whose
//! (person, account function) pair has no booked posting in the period are priced with the unit
//! prices ([`tvaers_core::service::activity_cost`]); the pair rule is what prevents counting a benefit both as booked
//! and as activity. See the crate documentation for the exact rules.

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use std::collections::HashMap;
use tvaers_core::service::checked_activity_cost;
use tvaers_core::{
    AccountFunction, Catalogue, Department, LimitError, Ore, Period, PersonIx, PersonSpells,
    Posting, Pseudonymised, Register, ServiceIx, check_amount, check_price, check_volume,
};

/// Where a cost is reported: a department, or "unmapped" for postings whose function no
/// catalogue service uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CostCentre {
    Department(Department),
    Unmapped,
}

impl CostCentre {
    pub const COUNT: usize = 9;

    /// Every department in [`Department::ALL`] order, then "unmapped".
    pub const ALL: [CostCentre; 9] = [
        CostCentre::Department(Department::Employment),
        CostCentre::Department(Department::AdultSocial),
        CostCentre::Department(Department::ChildrenFamily),
        CostCentre::Department(Department::Health),
        CostCentre::Department(Department::Elderly),
        CostCentre::Department(Department::Psychiatry),
        CostCentre::Department(Department::Disability),
        CostCentre::Department(Department::Integration),
        CostCentre::Unmapped,
    ];

    /// Dense index 0..9 (departments by [`Department::index`], unmapped last).
    pub fn index(self) -> usize {
        match self {
            CostCentre::Department(d) => d.index(),
            CostCentre::Unmapped => 8,
        }
    }

    /// The code used in machine-readable output (`unmapped` for the last).
    pub fn code(self) -> &'static str {
        match self {
            CostCentre::Department(d) => d.code(),
            CostCentre::Unmapped => "unmapped",
        }
    }
}

/// O(1) account function → department lookup with the semantics of
/// [`Catalogue::department_of_function`] (the first catalogue service on the function).
#[derive(Clone)]
pub struct FunctionCentres {
    /// Indexed by `a·10000 + b·100 + c`; 255 = no service on that function.
    dense: Vec<u8>,
    /// Functions outside the dense range (not produced by the parser, but constructible).
    other: HashMap<AccountFunction, Department>,
}

const NO_DEPARTMENT: u8 = u8::MAX;

impl std::fmt::Debug for FunctionCentres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mapped = self.dense.iter().filter(|&&d| d != NO_DEPARTMENT).count();
        write!(
            f,
            "FunctionCentres({} functions mapped)",
            mapped + self.other.len()
        )
    }
}

impl FunctionCentres {
    pub fn build(catalogue: &Catalogue) -> FunctionCentres {
        let mut dense = vec![NO_DEPARTMENT; 100_000];
        let mut other = HashMap::new();
        for e in catalogue.entries() {
            match dense_slot(e.function) {
                Some(i) if dense[i] == NO_DEPARTMENT => dense[i] = e.department.index() as u8,
                Some(_) => {}
                None => {
                    other.entry(e.function).or_insert(e.department);
                }
            }
        }
        FunctionCentres { dense, other }
    }

    pub fn department_of_function(&self, f: AccountFunction) -> Option<Department> {
        match dense_slot(f) {
            Some(i) => match self.dense[i] {
                NO_DEPARTMENT => None,
                d => Some(Department::ALL[d as usize]),
            },
            None => self.other.get(&f).copied(),
        }
    }

    /// A posting's cost centre: the department of its service if set, else of its function.
    pub fn of_posting(&self, catalogue: &Catalogue, p: &Posting) -> CostCentre {
        match p.service {
            Some(s) => CostCentre::Department(catalogue.get(s).department),
            None => self
                .department_of_function(p.function)
                .map_or(CostCentre::Unmapped, CostCentre::Department),
        }
    }
}

fn dense_slot(f: AccountFunction) -> Option<usize> {
    (f.main_account < 10 && f.main_function < 100 && f.function < 100).then(|| {
        f.main_account as usize * 10_000 + f.main_function as usize * 100 + f.function as usize
    })
}

/// What to do when a spell is to be priced for a year that has no unit price of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissingPrices {
    /// Refuse the analysis with an error naming the services and years (the default): a gap in
    /// the price file would otherwise price a year at another year's level, or at 0, silently.
    #[default]
    Refuse,
    /// Use the latest earlier year's price (`tvaers analyse --missing-prices previous-year`); a
    /// service without any earlier price stays unpriced: cost 0, its days counted in the data
    /// quality figures.
    PreviousYear,
}

/// Unit prices by service, with the fallback to the latest earlier year.
#[derive(Debug, Clone)]
pub struct PriceTable {
    /// Per service, `(year, price)` sorted by year; on duplicate years the last in input order
    /// sits last and wins.
    by_service: Vec<Vec<(i32, Ore)>>,
}

impl PriceTable {
    pub fn build(reg: &Register<Pseudonymised>) -> PriceTable {
        let mut by_service = vec![Vec::new(); reg.catalogue.len()];
        for p in &reg.prices {
            if let Some(v) = by_service.get_mut(p.service.0 as usize) {
                v.push((p.year, p.price));
            }
        }
        for v in &mut by_service {
            v.sort_by_key(|&(y, _)| y); // stable: keeps input order within a year
        }
        PriceTable { by_service }
    }

    /// The price for `year`, or of the latest earlier year that has one.
    pub fn price(&self, service: ServiceIx, year: i32) -> Option<Ore> {
        self.lookup(service, year).map(|(_, p)| p)
    }

    /// The price for `year`, or of the latest earlier year that has one, with that year.
    pub fn lookup(&self, service: ServiceIx, year: i32) -> Option<(i32, Ore)> {
        let v = self.by_service.get(service.0 as usize)?;
        let n = v.partition_point(|&(y, _)| y <= year);
        (n > 0).then(|| v[n - 1])
    }
}

/// Posting indices grouped by person (compressed rows), for booked postings inside the period.
#[derive(Debug, Clone)]
pub struct PersonPostings {
    offsets: Vec<u32>,
    order: Vec<u32>,
}

impl PersonPostings {
    fn build(postings: &[Posting], persons: usize, period: Period) -> PersonPostings {
        let mut offsets = vec![0u32; persons + 1];
        for p in postings {
            if let (Some(who), true) = (p.person, period.contains(p.date)) {
                offsets[who.0 as usize + 1] += 1;
            }
        }
        for i in 0..persons {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut order = vec![0u32; offsets[persons] as usize];
        for (i, p) in postings.iter().enumerate() {
            if let (Some(who), true) = (p.person, period.contains(p.date)) {
                let slot = &mut next[who.0 as usize];
                order[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        PersonPostings { offsets, order }
    }

    /// Indices into the register's `postings` of this person's booked postings in the period.
    pub fn of(&self, p: PersonIx) -> &[u32] {
        let i = p.0 as usize;
        &self.order[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// What a cost centre spent and how much of it was put on persons (raw, before disclosure
/// control).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CentreCosts {
    /// Σ of all postings in the period attributed to the centre.
    pub total: Ore,
    /// Σ of booked postings attributed to the centre.
    pub booked: Ore,
    /// Activity cost of spells of the centre's services.
    pub activity: Ore,
    /// Persons with a booked posting attributed to the centre, or a spell of one of its services
    /// intersecting the period.
    pub persons: u64,
    /// Persons with at least one booked posting attributed to the centre.
    pub booked_persons: u64,
    /// Persons with at least one priced (non-skipped) spell segment of the centre's services.
    pub activity_persons: u64,
}

impl CentreCosts {
    /// total − booked − activity (may be negative).
    pub fn unallocated(&self) -> Ore {
        self.total - self.booked - self.activity
    }
}

/// The result of [`allocate`]. Per-person vectors are indexed by [`PersonIx`].
#[derive(Debug, Clone)]
pub struct Allocation {
    pub period: Period,
    /// Σ amount of all postings dated in the period.
    pub cost_total: Ore,
    /// Σ of booked postings in the period.
    pub booked_total: Ore,
    /// Σ of activity cost.
    pub activity_total: Ore,
    /// Per person: Σ of their booked postings in the period.
    pub booked: Vec<Ore>,
    /// Per person: Σ of their activity cost.
    pub activity: Vec<Ore>,
    /// Per spell (index into the register's `spells`): its activity cost in the period; zero
    /// when skipped, outside the period or unpriced.
    pub spell_cost: Vec<Ore>,
    /// Spells intersecting the period that were not priced because their (person, function)
    /// pair is booked.
    pub skipped_spells: u64,
    /// Persons with at least one such spell.
    pub skipped_persons: u64,
    /// Days of non-skipped spells in the period for which no price exists (cost 0).
    pub unpriced_spell_days: i64,
    /// Persons with at least one unpriced day.
    pub unpriced_persons: u64,
    /// Persons with at least one booked posting in the period.
    pub booked_persons: u64,
    /// Persons with at least one priced spell segment.
    pub activity_persons: u64,
    /// By [`CostCentre::index`].
    pub by_centre: [CentreCosts; CostCentre::COUNT],
    /// The booked postings in the period, by person.
    pub booked_postings: PersonPostings,
    /// Spells by person (built once here, reused by the metrics).
    pub person_spells: PersonSpells,
    pub centres: FunctionCentres,
}

impl Allocation {
    /// booked + activity for one person.
    pub fn allocated(&self, p: PersonIx) -> Ore {
        self.booked[p.0 as usize] + self.activity[p.0 as usize]
    }

    /// Σ over persons of booked + activity.
    pub fn cost_allocated(&self) -> Ore {
        self.booked_total + self.activity_total
    }

    /// cost_total − cost_allocated; negative when more is allocated than was spent.
    pub fn unallocated(&self) -> Ore {
        self.cost_total - self.cost_allocated()
    }

    pub fn persons(&self) -> usize {
        self.booked.len()
    }
}

/// Persons per parallel chunk: large enough to amortise, small enough to balance.
const CHUNK: usize = 16_384;

pub(crate) fn chunk_bounds(n: usize) -> Vec<(usize, usize)> {
    (0..n.div_ceil(CHUNK))
        .map(|i| (i * CHUNK, ((i + 1) * CHUNK).min(n)))
        .collect()
}

struct PersonPass<'a> {
    reg: &'a Register<Pseudonymised>,
    period: Period,
    prices: &'a PriceTable,
    missing_prices: MissingPrices,
    centres: &'a FunctionCentres,
    booked_postings: &'a PersonPostings,
    person_spells: &'a PersonSpells,
}

/// What one chunk of persons contributes.
#[derive(Default)]
struct PersonPart {
    booked: Vec<Ore>,
    activity: Vec<Ore>,
    /// (spell index, cost) for spells with a non-zero cost.
    spell_costs: Vec<(u32, Ore)>,
    skipped_spells: u64,
    skipped_persons: u64,
    unpriced_spell_days: i64,
    unpriced_persons: u64,
    booked_persons: u64,
    activity_persons: u64,
    /// Only the person counts are filled here; posting totals come from the single pass over
    /// all postings.
    by_centre: [CentreCosts; CostCentre::COUNT],
    /// Activity cost by centre, exact.
    centre_activity: [i128; CostCentre::COUNT],
    /// Σ of the magnitudes of the chunk's spell costs, exact.
    activity_abs: i128,
    /// Some value did not fit in `i64` øre (its slot holds a placeholder).
    overflow: bool,
    /// (service, year) without a price of its own, under [`MissingPrices::Refuse`].
    missing: Vec<(ServiceIx, i32)>,
}

impl PersonPass<'_> {
    fn run(&self, lo: usize, hi: usize) -> PersonPart {
        let reg = self.reg;
        let mut out = PersonPart {
            booked: Vec::with_capacity(hi - lo),
            activity: Vec::with_capacity(hi - lo),
            ..PersonPart::default()
        };
        let mut functions: Vec<AccountFunction> = Vec::new();
        for pi in lo..hi {
            let who = PersonIx(pi as u32);
            // Bit c set: the person counts towards centre c (any / booked / activity).
            let (mut any_mask, mut booked_mask, mut activity_mask) = (0u16, 0u16, 0u16);
            functions.clear();
            let mine = self.booked_postings.of(who);
            let mut booked = Ore::ZERO;
            for &ix in mine {
                let p = &reg.postings[ix as usize];
                booked += p.amount;
                functions.push(p.function);
                let c = self.centres.of_posting(&reg.catalogue, p).index();
                any_mask |= 1 << c;
                booked_mask |= 1 << c;
            }
            out.booked_persons += !mine.is_empty() as u64;
            functions.sort_unstable();
            functions.dedup();

            let (mut skipped_any, mut unpriced_any) = (false, false);
            let mut activity: i128 = 0;
            for &si in self.person_spells.of(who) {
                let s = &reg.spells[si as usize];
                let Some(clip) = self.period.intersect(s.start, s.end) else {
                    continue;
                };
                let entry = reg.catalogue.get(s.service);
                let c = CostCentre::Department(entry.department).index();
                any_mask |= 1 << c;
                if functions.binary_search(&entry.function).is_ok() {
                    out.skipped_spells += 1;
                    skipped_any = true;
                    continue;
                }
                let mut cost: i128 = 0;
                for (year, seg) in clip.year_segments() {
                    let found = self.prices.lookup(s.service, year);
                    if self.missing_prices == MissingPrices::Refuse
                        && found.is_none_or(|(y, _)| y != year)
                    {
                        out.missing.push((s.service, year));
                        continue;
                    }
                    match found.map(|(_, p)| p) {
                        Some(price) => {
                            // Within the limits `check_limits` enforced a year's cost fits in
                            // i64; the sums are exact in i128 and narrowed at the end.
                            let seg_cost =
                                checked_activity_cost(s.volume, price, entry.unit, seg.days());
                            out.overflow |= seg_cost.is_none();
                            cost += seg_cost.map_or(0, |c| c.0 as i128);
                            activity_mask |= 1 << c;
                        }
                        None => {
                            out.unpriced_spell_days += seg.days();
                            unpriced_any = true;
                        }
                    }
                }
                if cost != 0 {
                    out.spell_costs.push((si, narrow(cost, &mut out.overflow)));
                }
                activity += cost;
                out.activity_abs += cost.abs();
                out.centre_activity[c] += cost;
            }
            out.booked.push(booked);
            out.activity.push(narrow(activity, &mut out.overflow));
            out.skipped_persons += skipped_any as u64;
            out.unpriced_persons += unpriced_any as u64;
            out.activity_persons += (activity_mask != 0) as u64;
            if any_mask != 0 {
                for (c, cc) in out.by_centre.iter_mut().enumerate() {
                    cc.persons += (any_mask >> c & 1) as u64;
                    cc.booked_persons += (booked_mask >> c & 1) as u64;
                    cc.activity_persons += (activity_mask >> c & 1) as u64;
                }
            }
        }
        out
    }
}

/// `v` as øre, or zero with `overflow` set when it does not fit in `i64`.
fn narrow(v: i128, overflow: &mut bool) -> Ore {
    match i64::try_from(v) {
        Ok(v) => Ore(v),
        Err(_) => {
            *overflow = true;
            Ore::ZERO
        }
    }
}

/// Which record of the register is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Posting,
    Price,
    Spell,
}

/// Why the analysis refuses a register.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// A record is outside the documented limits of `tvaers_core` (`Ore::MAX_POSTING`,
    /// `Ore::MAX_PRICE`, `Quantity::MAX_VOLUME`): the importer should have rejected it.
    #[error("{record:?} {index} (0-based): {error}")]
    OutOfRange {
        record: Record,
        /// Index into the register's table of that record.
        index: usize,
        error: LimitError,
    },
    /// The period's postings and activity add up (in absolute value) beyond `i64` øre
    /// (9.2 · 10^16 kr): no figure could be computed exactly.
    #[error("the period's amounts add up to more than 9.2·10^16 kr; the figures cannot be exact")]
    TooLarge,
    /// Spells to be priced for years without a unit price of their own, under
    /// [`MissingPrices::Refuse`]: the first few (service code, year), and how many in all.
    #[error(
        "no unit price for {} (service, year) in the price file{}; add them, or run with \
         --missing-prices previous-year to use the latest earlier year's price",
        missing_list(missing),
        more(*count, missing.len())
    )]
    MissingPrices {
        missing: Vec<(String, i32)>,
        count: usize,
    },
}

/// How many missing (service, year) pairs an error names.
pub const MISSING_PRICES_SHOWN: usize = 10;

/// `SEL85 2024, KTH 2025`.
pub fn missing_list(missing: &[(String, i32)]) -> String {
    missing
        .iter()
        .map(|(s, y)| format!("{s} {y}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn more(count: usize, shown: usize) -> String {
    if count > shown {
        format!(" and {} more", count - shown)
    } else {
        String::new()
    }
}

/// Every posting amount, unit price and spell volume within the limits of `tvaers_core`; the
/// first one that is not, as an error.
pub fn check_limits(reg: &Register<Pseudonymised>) -> Result<(), AnalysisError> {
    let out = |record, index, error| AnalysisError::OutOfRange {
        record,
        index,
        error,
    };
    for (i, p) in reg.postings.iter().enumerate() {
        check_amount(p.amount).map_err(|e| out(Record::Posting, i, e))?;
    }
    for (i, p) in reg.prices.iter().enumerate() {
        check_price(p.price).map_err(|e| out(Record::Price, i, e))?;
    }
    for (i, s) in reg.spells.iter().enumerate() {
        check_volume(s.volume).map_err(|e| out(Record::Spell, i, e))?;
    }
    Ok(())
}

/// [`allocate_with`] under the default [`MissingPrices::Refuse`].
pub fn allocate(
    reg: &Register<Pseudonymised>,
    period: Period,
) -> Result<Allocation, AnalysisError> {
    allocate_with(reg, period, MissingPrices::default())
}

/// Stage 1. Puts the period's postings and priced activity on persons.
///
/// Refuses a register with a record outside the limits ([`check_limits`]), and one whose
/// period adds up (Σ |posting| + Σ activity) beyond `i64` øre: then every sum the analysis
/// makes — per person, family, centre, group, top-k — is a part of that and fits, so no figure
/// can wrap.
///
/// A spell to be priced for a year without a price of its own is handled by `missing_prices`.
pub fn allocate_with(
    reg: &Register<Pseudonymised>,
    period: Period,
    missing_prices: MissingPrices,
) -> Result<Allocation, AnalysisError> {
    check_limits(reg)?;
    let n = reg.persons.len();
    let centres = FunctionCentres::build(&reg.catalogue);
    let prices = PriceTable::build(reg);
    // The posting totals and the two groupings are independent: build them side by side.
    let ((cost_total, totals, posted_abs), (booked_postings, person_spells)) = rayon::join(
        || {
            // (total, booked) by centre, exact; and Σ |amount|.
            let mut totals = [(0i128, 0i128); CostCentre::COUNT];
            let (mut cost_total, mut abs) = (0i128, 0i128);
            for p in &reg.postings {
                if period.contains(p.date) {
                    let a = p.amount.0 as i128;
                    cost_total += a;
                    abs += a.abs();
                    let c = centres.of_posting(&reg.catalogue, p).index();
                    totals[c].0 += a;
                    if p.person.is_some() {
                        totals[c].1 += a;
                    }
                }
            }
            (cost_total, totals, abs)
        },
        || {
            rayon::join(
                || PersonPostings::build(&reg.postings, n, period),
                || PersonSpells::build(&reg.spells, n),
            )
        },
    );
    // Every posting sum below is a part of Σ |amount|: if that fits, they all do.
    if posted_abs > i64::MAX as i128 {
        return Err(AnalysisError::TooLarge);
    }
    let mut by_centre = [CentreCosts::default(); CostCentre::COUNT];
    for (cc, &(total, booked)) in by_centre.iter_mut().zip(&totals) {
        cc.total = Ore(total as i64);
        cc.booked = Ore(booked as i64);
    }
    let cost_total = Ore(cost_total as i64);
    let ctx = PersonPass {
        reg,
        period,
        prices: &prices,
        missing_prices,
        centres: &centres,
        booked_postings: &booked_postings,
        person_spells: &person_spells,
    };
    // Chunks of persons in parallel, merged in order: the result does not depend on threads.
    let parts: Vec<PersonPart> = chunk_bounds(n)
        .into_par_iter()
        .map(|(lo, hi)| ctx.run(lo, hi))
        .collect();
    let mut booked = Vec::with_capacity(n);
    let mut activity = Vec::with_capacity(n);
    let mut spell_cost = vec![Ore::ZERO; reg.spells.len()];
    let (mut skipped_spells, mut skipped_persons) = (0u64, 0u64);
    let (mut unpriced_spell_days, mut unpriced_persons) = (0i64, 0u64);
    let (mut booked_persons, mut activity_persons) = (0u64, 0u64);
    let (mut activity_abs, mut overflow) = (0i128, false);
    let mut centre_activity = [0i128; CostCentre::COUNT];
    let mut missing: Vec<(ServiceIx, i32)> = parts
        .iter()
        .flat_map(|p| p.missing.iter().copied())
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        missing.dedup();
        let count = missing.len();
        missing.truncate(MISSING_PRICES_SHOWN);
        return Err(AnalysisError::MissingPrices {
            missing: missing
                .into_iter()
                .map(|(s, y)| (reg.catalogue.get(s).code.clone(), y))
                .collect(),
            count,
        });
    }
    for part in parts {
        activity_abs += part.activity_abs;
        overflow |= part.overflow;
        for (acc, c) in centre_activity.iter_mut().zip(part.centre_activity) {
            *acc += c;
        }
        booked.extend(part.booked);
        activity.extend(part.activity);
        for (si, c) in part.spell_costs {
            spell_cost[si as usize] = c;
        }
        skipped_spells += part.skipped_spells;
        skipped_persons += part.skipped_persons;
        unpriced_spell_days += part.unpriced_spell_days;
        unpriced_persons += part.unpriced_persons;
        booked_persons += part.booked_persons;
        activity_persons += part.activity_persons;
        for (acc, c) in by_centre.iter_mut().zip(part.by_centre) {
            acc.booked_persons += c.booked_persons;
            acc.activity_persons += c.activity_persons;
            acc.persons += c.persons;
        }
    }
    // Every sum of allocated cost is a part of Σ |posting| + Σ |spell cost|.
    if overflow || posted_abs + activity_abs > i64::MAX as i128 {
        return Err(AnalysisError::TooLarge);
    }
    for (cc, a) in by_centre.iter_mut().zip(centre_activity) {
        cc.activity = Ore(a as i64);
    }

    let booked_total: Ore = booked.iter().copied().sum();
    let activity_total: Ore = activity.iter().copied().sum();
    tracing::debug!(
        %period,
        cost_total = cost_total.0,
        booked_total = booked_total.0,
        activity_total = activity_total.0,
        skipped_spells,
        unpriced_spell_days,
        "allocation done"
    );
    Ok(Allocation {
        period,
        cost_total,
        booked_total,
        activity_total,
        booked,
        activity,
        spell_cost,
        skipped_spells,
        skipped_persons,
        unpriced_spell_days,
        unpriced_persons,
        booked_persons,
        activity_persons,
        by_centre,
        booked_postings,
        person_spells,
        centres,
    })
}

/// A year holds part of "the bulk of the data" when at least 1/`BULK_SHARE` of the dated
/// records fall in it (1 %).
pub const BULK_SHARE: usize = 100;

/// The latest of `dates` that is not stray: a date is stray when it lies after the end of the
/// year following the latest year that holds at least 1/[`BULK_SHARE`] of the dates. A few
/// mistyped dates far in the future cannot make a year of their own, while the first days of
/// the next year (too few to be bulk) still count as usual.
fn latest_in_bulk(dates: &[NaiveDate]) -> Option<NaiveDate> {
    let mut by_year: std::collections::BTreeMap<i32, usize> = Default::default();
    for d in dates {
        *by_year.entry(d.year()).or_insert(0) += 1;
    }
    let bulk = by_year
        .iter()
        .rev()
        .find(|&(_, &n)| n * BULK_SHARE >= dates.len())
        .map(|(&y, _)| y)?;
    dates.iter().copied().filter(|d| d.year() <= bulk + 1).max()
}

/// The last calendar year fully covered by postings: the year of the latest posting if that is
/// dated 31 December, else the year before — where "latest" ignores stray dates (after the end
/// of the year following the latest year that holds at least 1 % of the postings,
/// [`BULK_SHARE`]), so that one posting mistyped as 31-12-2200 does not move the period.
/// Without postings, the year of the latest spell start (stray starts ignored the same way);
/// without either, the current calendar year. [`far_outside`] counts the records far from the
/// chosen period, for a warning.
pub fn default_period(reg: &Register<Pseudonymised>) -> Period {
    let posted: Vec<NaiveDate> = reg.postings.iter().map(|p| p.date).collect();
    if let Some(last) = latest_in_bulk(&posted) {
        let year = if last.month() == 12 && last.day() == 31 {
            last.year()
        } else {
            last.year() - 1
        };
        return Period::year(year);
    }
    let starts: Vec<NaiveDate> = reg.spells.iter().map(|s| s.start).collect();
    let year = latest_in_bulk(&starts).map_or_else(
        || chrono::Local::now().date_naive().year(),
        |d: NaiveDate| d.year(),
    );
    Period::year(year)
}

/// Records far from the period ([`far_outside`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FarOutside {
    /// Postings dated before `from` − 1 year or after `to` + 1 year.
    pub postings: u64,
    /// Spells ending before `from` − 1 year or starting after `to` + 1 year.
    pub spells: u64,
}

/// How many postings and spells lie more than a year outside `period` — likely typos in a date
/// (or a period that misses the data), for a warning.
pub fn far_outside(reg: &Register<Pseudonymised>, period: Period) -> FarOutside {
    let lo = period
        .from()
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    let hi = period
        .to()
        .checked_add_months(chrono::Months::new(12))
        .unwrap_or(NaiveDate::MAX);
    FarOutside {
        postings: reg
            .postings
            .iter()
            .filter(|p| p.date < lo || p.date > hi)
            .count() as u64,
        spells: reg
            .spells
            .iter()
            .filter(|s| s.start > hi || s.end.is_some_and(|e| e < lo))
            .count() as u64,
    }
}
