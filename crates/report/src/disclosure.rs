//! Disclosure control (docs/data-protection.md): the only way a statistic leaves this crate.
//!
//! Every figure a writer may print is a [`Cell`], and a `Cell` can only be made here:
//!
//! - [`publish`]`(persons, value)` — primary suppression: a value describing 1–4 persons is
//!   dropped. A value that describes no person at all (`persons == 0`, e.g. an empty row) is
//!   published; it tells nothing about anyone.
//! - [`derive()`]`(&[sources], persons, value)` — a value computed from other cells (a difference,
//!   a share) is suppressed when any of its sources is, so a hidden value cannot be rebuilt from a
//!   derived one.
//! - [`protect_margin`] — secondary suppression for a table whose total is published: if exactly
//!   one cell is hidden it could be recovered as *total − the others*, so the published cell with
//!   the fewest persons is hidden too.
//! - [`protect_margin_parts`] — secondary suppression for a table of amounts whose rows may
//!   share persons (a citizen in several departments): each cell comes with its [`Parts`] (who
//!   contributes how much, per column, kept only during protection and never output). Cells are
//!   hidden, fewest persons first, until the hidden remainder (total − the published cells) is
//!   made up by 0 or at least [`MIN_PERSONS`] *distinct* persons in every column (the union over
//!   the hidden cells) and no person contributes more than [`DOMINANCE_PERCENT`] of it.
//! - [`publish_parts`] — [`publish`] plus the dominance rule: an amount where one person
//!   contributes more than the [`Dominance`] share (default [`DOMINANCE_PERCENT`]) is hidden,
//!   marked as [`Suppression::Dominance`] (it may describe 5 or more).
//! - [`protect_interval`] — stronger secondary suppression for a table of counts: hides cells
//!   until no "<5" can be narrowed below 1–4 from the total and the markers (used by every
//!   count table under a published total: the complexity distribution and the rule tables of
//!   `tvaers_analysis::groups`).
//! - [`withheld`] — a cell hidden outright (e.g. a top-k share that would differ from another
//!   published one by fewer than 5 persons).
//! - [`safe_cuts`] / [`even_cuts`] — which points of a cumulative curve (Lorenz curve and top-k
//!   shares together) may be shown: any two of them differ by at least [`MIN_PERSONS`] persons.
//! - [`safe_tails`] — which cumulative rows ("2 or more", "3 or more") of a protected
//!   distribution may be shown without isolating a hidden bucket by subtraction.
//!
//! A suppressed cell no longer holds its value (it is dropped at construction), and its `Debug`
//! form prints nothing but the fact of suppression, so not even a careless `{:?}` can leak it.

use std::fmt;

/// The fewest persons a published figure may describe (docs/data-protection.md: Tværs uses 5).
pub const MIN_PERSONS: u64 = 5;

/// Why a cell is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// It describes fewer than [`MIN_PERSONS`] persons (shown as "<5").
    Primary,
    /// It is hidden so that a primary-suppressed cell cannot be recovered by subtraction, or
    /// because it is computed from a hidden cell (shown as "—").
    Secondary,
    /// An amount that one person contributes more than the [`Dominance`] share of: published,
    /// it would tell roughly what that person costs, however many others are behind it.
    Dominance,
}

/// A statistic that has passed disclosure control: either its value, or the fact that it is
/// suppressed. Construct with [`publish`] or [`derive()`].
#[derive(Clone, PartialEq)]
pub struct Cell<T> {
    value: Option<T>,
    /// Persons the value describes; kept only to choose secondary suppressions and never shown
    /// while the cell is suppressed.
    persons: u64,
    suppression: Option<Suppression>,
}

/// Anything that may be hidden; lets [`derive()`] take cells of different value types.
pub trait Disclosed {
    fn is_suppressed(&self) -> bool;
}

impl<T> Disclosed for Cell<T> {
    fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }
}

/// The smallest non-zero count (0 if all are zero): a value combining several groups of
/// persons (a row's persons, its booked and its activity persons) is only as safe as its
/// smallest group.
pub fn min_nonzero(xs: &[u64]) -> u64 {
    xs.iter().copied().filter(|&x| x > 0).min().unwrap_or(0)
}

/// Publishes `value`, which describes `persons` persons; suppressed when 0 < persons < 5.
pub fn publish<T>(persons: u64, value: T) -> Cell<T> {
    if persons > 0 && persons < MIN_PERSONS {
        Cell {
            value: None,
            persons,
            suppression: Some(Suppression::Primary),
        }
    } else {
        Cell {
            value: Some(value),
            persons,
            suppression: None,
        }
    }
}

/// Publishes a value computed from `sources`: primary rule on `persons` as [`publish`], and
/// suppressed (secondary) when any source is suppressed.
pub fn derive<T>(sources: &[&dyn Disclosed], persons: u64, value: T) -> Cell<T> {
    let cell = publish(persons, value);
    if cell.is_suppressed() || !sources.iter().any(|s| s.is_suppressed()) {
        cell
    } else {
        Cell {
            value: None,
            persons,
            suppression: Some(Suppression::Secondary),
        }
    }
}

impl<T> Cell<T> {
    /// The value, or `None` when suppressed.
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }

    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }

    pub fn suppression(&self) -> Option<Suppression> {
        self.suppression
    }

    /// Persons the value describes, when published.
    pub fn persons(&self) -> Option<u64> {
        self.value.as_ref().map(|_| self.persons)
    }

    /// Transforms the published value; a suppressed cell stays suppressed for the same reason.
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Cell<U> {
        Cell {
            value: self.value.as_ref().map(f),
            persons: self.persons,
            suppression: self.suppression,
        }
    }

    fn suppress_secondary(&mut self) {
        self.value = None;
        self.suppression = Some(Suppression::Secondary);
    }
}

impl<T: fmt::Debug> fmt::Debug for Cell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.value, self.suppression) {
            (Some(v), _) => write!(f, "Cell({v:?})"),
            (None, s) => write!(f, "Cell(suppressed {s:?})"),
        }
    }
}

/// Secondary suppression for the cells of one table whose total is published.
///
/// If exactly one cell is suppressed, the published cell with the fewest persons (at least one;
/// the first such on ties) is suppressed too. Returns `false` when that was needed but no cell
/// could be chosen: then the caller must not publish the total either.
pub fn protect_margin<T>(cells: &mut [Cell<T>]) -> bool {
    let hidden = cells.iter().filter(|c| c.is_suppressed()).count();
    if hidden != 1 {
        return true;
    }
    // Cells describing nobody are no protection: an empty row is guessed to be zero.
    let candidate = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_suppressed() && c.persons > 0)
        .min_by_key(|(i, c)| (c.persons, *i))
        .map(|(i, _)| i);
    match candidate {
        Some(i) => {
            cells[i].suppress_secondary();
            true
        }
        None => false,
    }
}

/// The largest share, in percent, one person may contribute to a published amount: a cost cell
/// where one person's contribution (absolute value) is more than this share of the sum of all
/// contributions (absolute values) is hidden ([`publish_parts`]), and so is any remainder a
/// reader could compute from a published total ([`protect_margin_parts`]).
pub const DOMINANCE_PERCENT: u8 = 50;

/// The dominance rule's threshold: an amount is hidden when one person contributes more than
/// this share (in percent) of it. Configurable (`tvaers analyse --dominance`); 100 switches
/// the rule off, since no one can contribute more than the whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dominance(u8);

impl Dominance {
    /// `percent` in 1..=100; `None` otherwise.
    pub fn percent(percent: u8) -> Option<Dominance> {
        (1..=100).contains(&percent).then_some(Dominance(percent))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for Dominance {
    fn default() -> Dominance {
        Dominance(DOMINANCE_PERCENT)
    }
}

/// Who is behind an amount cell, for protection only: per column that adds up to a published
/// total (e.g. booked and activity cost), each contributing person (an index, whatever the
/// caller counts in) and the amount (øre) the person puts into the column. A `Parts` is never
/// part of a [`Cell`] and nothing in it is published; it is consumed by [`publish_parts`] and
/// [`protect_margin_parts`], and its `Debug` form shows only sizes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Parts {
    /// Per column: (person, amount), ascending by person, each person once, amount ≠ 0.
    columns: Vec<Vec<(u32, i64)>>,
}

impl fmt::Debug for Parts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<usize> = self.columns.iter().map(Vec::len).collect();
        write!(f, "Parts(persons per column {sizes:?})")
    }
}

/// Sorts by person, adds up each person's amounts and drops the zero ones.
fn merged(mut v: Vec<(u32, i64)>) -> Vec<(u32, i64)> {
    v.sort_unstable_by_key(|&(p, _)| p);
    let mut out: Vec<(u32, i64)> = Vec::with_capacity(v.len());
    for (p, a) in v {
        match out.last_mut() {
            Some(last) if last.0 == p => last.1 += a,
            _ => out.push((p, a)),
        }
    }
    out.retain(|&(_, a)| a != 0);
    out
}

/// Whether one person's amount is more than the `limit` share of Σ |amount|.
fn dominated(column: &[(u32, i64)], limit: Dominance) -> bool {
    let sum: u128 = column.iter().map(|&(_, a)| a.unsigned_abs() as u128).sum();
    let max = column
        .iter()
        .map(|&(_, a)| a.unsigned_abs() as u128)
        .max()
        .unwrap_or(0);
    max * 100 > sum * limit.0 as u128
}

impl Parts {
    /// One list of (person, amount) per column, in any order; a person may occur several times
    /// in a column (the amounts are added).
    pub fn new(columns: Vec<Vec<(u32, i64)>>) -> Parts {
        Parts {
            columns: columns.into_iter().map(merged).collect(),
        }
    }

    /// Whether one person contributes more than the `limit` share of some column.
    pub fn dominated(&self, limit: Dominance) -> bool {
        self.columns.iter().any(|c| dominated(c, limit))
    }

    /// The persons with a non-zero amount in some column.
    pub fn persons(&self) -> u64 {
        let mut all: Vec<u32> = self.columns.iter().flatten().map(|&(p, _)| p).collect();
        all.sort_unstable();
        all.dedup();
        all.len() as u64
    }
}

/// [`publish`] for an amount cell whose contributions are `parts`: also suppressed when one
/// person contributes more than the `limit` share of a column (the dominance rule). Such a
/// cell may describe 5 or more persons, so it is marked [`Suppression::Dominance`], not "<5";
/// for [`protect_margin_parts`] it is hidden like any other.
pub fn publish_parts<T>(persons: u64, value: T, parts: &Parts, limit: Dominance) -> Cell<T> {
    let mut cell = publish(persons, value);
    if !cell.is_suppressed() && persons > 0 && parts.dominated(limit) {
        cell.value = None;
        cell.suppression = Some(Suppression::Dominance);
    }
    cell
}

/// [`derive()`] plus the dominance rule of [`publish_parts`]: for an amount computed from
/// published cells (a group's cost beside its published size).
pub fn derive_parts<T>(
    sources: &[&dyn Disclosed],
    persons: u64,
    value: T,
    parts: &Parts,
    limit: Dominance,
) -> Cell<T> {
    let mut cell = derive(sources, persons, value);
    if !cell.is_suppressed() && persons > 0 && parts.dominated(limit) {
        cell.value = None;
        cell.suppression = Some(Suppression::Dominance);
    }
    cell
}

/// Whether the hidden cells of a table under a published total may stand: a reader knows, per
/// column, Σ hidden = total − the published cells. That remainder must not be a single cell,
/// must describe 0 or at least [`MIN_PERSONS`] distinct persons (the union over the hidden
/// cells — one person may be behind several), and no person may contribute more than
/// the `limit` share of it.
fn margin_safe<T>(cells: &[Cell<T>], parts: &[Parts], limit: Dominance) -> bool {
    let hidden: Vec<usize> = (0..cells.len())
        .filter(|&i| cells[i].is_suppressed())
        .collect();
    match hidden.len() {
        0 => return true,
        1 => return false,
        _ => {}
    }
    let columns = parts.iter().map(|p| p.columns.len()).max().unwrap_or(0);
    (0..columns).all(|j| {
        let remainder = merged(
            hidden
                .iter()
                .filter_map(|&i| parts[i].columns.get(j))
                .flatten()
                .copied()
                .collect(),
        );
        // Distinct persons with a share in the hidden cells (even if it nets out to zero).
        let mut persons: Vec<u32> = hidden
            .iter()
            .filter_map(|&i| parts[i].columns.get(j))
            .flatten()
            .map(|&(p, _)| p)
            .collect();
        persons.sort_unstable();
        persons.dedup();
        let n = persons.len() as u64;
        (n == 0 || n >= MIN_PERSONS) && !dominated(&remainder, limit)
    })
}

/// Secondary suppression for a table of amounts whose total is published and whose cells may
/// share persons (a citizen in several departments): `parts[i]` says who is behind `cells[i]`.
/// Stronger than [`protect_margin`]: published cells are hidden, fewest persons first, until the
/// hidden remainder (total − the published cells) is not a single cell, is made up by 0 or at
/// least [`MIN_PERSONS`] distinct persons in every column, and is not dominated by one person.
/// Returns `false` when no more cells can be hidden and the table is still not safe: the total
/// must not be published then.
pub fn protect_margin_parts<T>(cells: &mut [Cell<T>], parts: &[Parts], limit: Dominance) -> bool {
    assert_eq!(cells.len(), parts.len(), "one Parts per cell");
    widen_until(cells, |cells| margin_safe(cells, parts, limit))
}

/// Hides published cells, fewest persons first (cells describing nobody are no protection),
/// until `safe` holds; `false` when it cannot be reached.
fn widen_until<T>(cells: &mut [Cell<T>], safe: impl Fn(&[Cell<T>]) -> bool) -> bool {
    while !safe(cells) {
        let candidate = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_suppressed() && c.persons > 0)
            .min_by_key(|(i, c)| (c.persons, *i))
            .map(|(i, _)| i);
        match candidate {
            Some(i) => cells[i].suppress_secondary(),
            None => return false,
        }
    }
    true
}

/// Whether the hidden cells of a count table under a published total leave every primary
/// cell its whole range 1–4. A reader knows Σ hidden (= total − published), that a primary
/// cell ("<5") holds 1–4 and a secondary one ("—") at least 5; a primary cell can then be at most
/// Σ hidden − (other primaries) − 5·(secondaries), and at least 1 only if some secondary cell
/// is unbounded above. Without primaries, no secondary cell may stand alone.
fn interval_safe<T>(cells: &[Cell<T>]) -> bool {
    let (mut prim, mut sec, mut sum) = (0u64, 0u64, 0u64);
    for c in cells.iter().filter(|c| c.is_suppressed()) {
        sum += c.persons;
        match c.suppression {
            Some(Suppression::Primary) => prim += 1,
            _ => sec += 1,
        }
    }
    match (prim, sec) {
        (0, 0) => true,
        (0, s) => s >= 2,
        (p, s) => s >= 1 && sum.saturating_sub(p - 1 + MIN_PERSONS * s) >= MIN_PERSONS - 1,
    }
}

/// Secondary suppression for a table of **counts** whose total is published, stronger than
/// [`protect_margin`]: published cells are hidden, fewest persons first, until no primary cell
/// can be narrowed below 1–4 from the total and the markers (e.g. a hidden 1 beside a hidden 5
/// under a known sum of 6 would be recovered). Returns `false` when no more cells can be
/// hidden and the table is still not safe: the total must not be published then.
pub fn protect_interval<T>(cells: &mut [Cell<T>]) -> bool {
    widen_until(cells, interval_safe)
}

/// A cell that is withheld without being published first: primary when it describes 1–4
/// persons, otherwise secondary (it would let a hidden value be recovered).
pub fn withheld<T>(persons: u64) -> Cell<T> {
    let primary = persons > 0 && persons < MIN_PERSONS;
    Cell {
        value: None,
        persons,
        suppression: Some(if primary {
            Suppression::Primary
        } else {
            Suppression::Secondary
        }),
    }
}

/// Which cut points of a cumulative curve over `n` sorted units may be shown.
///
/// A cut `c` (0 ≤ c ≤ n) publishes the sum of the `c` lowest units (and so, with the total, of
/// the `n − c` highest). Two published cuts give the sum of the units between them, so every
/// gap between accepted cuts, 0 and `n` must be 0 or at least [`MIN_PERSONS`]. Candidates are
/// taken greedily in the order given (put the ones that matter most first); the result says
/// for each whether it was accepted. Nothing is accepted when `n < MIN_PERSONS`.
pub fn safe_cuts(n: usize, candidates: &[usize]) -> Vec<bool> {
    let min = MIN_PERSONS as usize;
    let mut accepted: Vec<usize> = vec![0, n];
    candidates
        .iter()
        .map(|&c| {
            let ok = n >= min && c <= n && accepted.iter().all(|&a| a == c || a.abs_diff(c) >= min);
            if ok {
                accepted.push(c);
            }
            ok
        })
        .collect()
}

/// Evenly spaced candidate cuts `⌊j·n/g⌋`, j = 1..=g, with g = min(max_points, n / 5), so that
/// the steps are at least [`MIN_PERSONS`] apart.
pub fn even_cuts(n: usize, max_points: usize) -> Vec<usize> {
    let groups = max_points.min(n / MIN_PERSONS as usize);
    (1..=groups)
        .map(|j| (j as u128 * n as u128 / groups as u128) as usize)
        .collect()
}

/// For a table of `cells` whose total is published (after [`protect_margin`] or
/// [`protect_interval`]), which tail sums `Σ_{j ≥ k} cells[j]` may also be published, for each
/// `k` in `tails` (taken greedily in order). The published tails cut the cells into runs whose
/// sums become known; a tail is refused when a run would then not be safe on its own as a
/// count table under [`protect_interval`]'s rule (in particular when it holds exactly one
/// hidden cell, or a "<5" that its run's sum would narrow).
pub fn safe_tails<T>(cells: &[Cell<T>], tails: &[usize]) -> Vec<bool> {
    let mut cuts: Vec<usize> = vec![0, cells.len()];
    tails
        .iter()
        .map(|&k| {
            let mut trial = cuts.clone();
            trial.push(k.min(cells.len()));
            trial.sort_unstable();
            trial.dedup();
            let ok = trial.windows(2).all(|w| interval_safe(&cells[w[0]..w[1]]));
            if ok {
                cuts = trial;
            }
            ok
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishes_only_zero_or_at_least_five_persons() {
        for persons in 1..5 {
            let c = publish(persons, 42i64);
            assert_eq!(c.value(), None, "{persons} persons must be hidden");
            assert_eq!(c.suppression(), Some(Suppression::Primary));
            assert_eq!(c.persons(), None);
        }
        assert_eq!(publish(5, 42i64).value(), Some(&42));
        assert_eq!(publish(0, 7i64).value(), Some(&7));
    }

    #[test]
    fn debug_of_a_suppressed_cell_shows_no_value() {
        let c = publish(2, 123_456_789i64);
        let s = format!("{c:?}");
        assert!(!s.contains("123456789") && !s.contains('2'), "{s}");
    }

    #[test]
    fn derived_cells_inherit_suppression() {
        let hidden = publish(3, 10i64);
        let shown = publish(50, 20i64);
        let d = derive(&[&hidden, &shown], 60, 30i64);
        assert_eq!(d.suppression(), Some(Suppression::Secondary));
        assert_eq!(derive(&[&shown], 60, 30i64).value(), Some(&30));
        assert_eq!(
            derive(&[&shown], 2, 30i64).suppression(),
            Some(Suppression::Primary)
        );
        assert!(shown.map(|v| v * 2).value() == Some(&40));
        assert!(hidden.map(|v| v * 2).is_suppressed());
    }

    #[test]
    fn one_hidden_cell_drags_the_next_smallest_with_it() {
        let mut t = vec![
            publish(100, 1000i64),
            publish(2, 10),
            publish(7, 70),
            publish(0, 0),
            publish(9, 90),
        ];
        assert!(protect_margin(&mut t));
        let hidden: Vec<usize> = (0..t.len()).filter(|&i| t[i].is_suppressed()).collect();
        assert_eq!(
            hidden,
            vec![1, 2],
            "the 7-person cell is the next smallest non-empty one"
        );
        assert_eq!(t[2].suppression(), Some(Suppression::Secondary));
        // The published cells no longer add up to the total minus a single unknown.
        let published: i64 = t.iter().filter_map(|c| c.value()).sum();
        assert_eq!(1170 - published, 80);
    }

    #[test]
    fn two_hidden_cells_need_nothing_more_and_a_lone_cell_hides_the_total() {
        let mut t = vec![publish(2, 1i64), publish(3, 2), publish(50, 3)];
        assert!(protect_margin(&mut t));
        assert!(!t[2].is_suppressed());
        let mut lone = vec![publish(2, 1i64), publish(0, 0)];
        assert!(!protect_margin(&mut lone), "no partner: the total must go");
    }

    #[test]
    fn interval_protection_leaves_hidden_counts_their_whole_range() {
        // 1 (primary) beside 5: protect_margin hides the 5, but the hidden sum 6 minus at
        // least 5 for "—" leaves exactly 1 for "<5". The next cell (7) goes too: hidden sum
        // 13, so "<5" may be anything up to 13 − 10 = 3 … still narrowed; then 20 as well.
        let mut t = vec![
            publish(1, 1i64),
            publish(5, 5),
            publish(7, 7),
            publish(20, 20),
        ];
        let mut weak = t.clone();
        assert!(protect_margin(&mut weak));
        assert_eq!(weak.iter().filter(|c| c.is_suppressed()).count(), 2);
        assert!(protect_interval(&mut t));
        assert!(t.iter().all(|c| c.is_suppressed()), "{t:?}");
        // Two 1s and nothing else hidden: each would be 1 from their sum of 2.
        let mut two = vec![
            publish(1, 0i64),
            publish(1, 0),
            publish(9, 0),
            publish(40, 0),
        ];
        assert!(protect_interval(&mut two));
        let hidden: Vec<usize> = (0..4).filter(|&i| two[i].is_suppressed()).collect();
        // 1 + 1 + 9 = 11: a "<5" can be at most 11 − 1 − 5 = 5 ≥ 4 — full range.
        assert_eq!(hidden, vec![0, 1, 2]);
        // A primary cell beside a large one is safe with that one alone.
        let mut big = vec![publish(3, 0i64), publish(12, 0), publish(30, 0)];
        assert!(protect_interval(&mut big));
        assert_eq!(
            (0..3)
                .filter(|&i| big[i].is_suppressed())
                .collect::<Vec<_>>(),
            vec![0, 1]
        );
        // Nothing to hide with: the total must go.
        let mut lone = vec![publish(2, 0i64), publish(0, 0)];
        assert!(!protect_interval(&mut lone));
        let mut clean = vec![publish(0, 0i64), publish(8, 0)];
        assert!(protect_interval(&mut clean));
        assert!(!clean[1].is_suppressed());
    }

    #[test]
    fn withheld_cells_say_why() {
        assert_eq!(withheld::<i64>(3).suppression(), Some(Suppression::Primary));
        assert_eq!(
            withheld::<i64>(30).suppression(),
            Some(Suppression::Secondary)
        );
        assert_eq!(withheld::<i64>(30).value(), None);
    }

    #[test]
    fn curve_cuts_never_isolate_fewer_than_five() {
        assert_eq!(safe_cuts(4, &[2, 4]), vec![false, false]);
        // n = 101: top 1 % (2 units, cut 99) and top 3 % (4 units, cut 97) are refused; top 5 %
        // (6 units, cut 95) and top 10 % (11 units, cut 90) are kept; then an even grid point
        // at 93 would isolate 93..95 and is refused, 85 is fine.
        assert_eq!(
            safe_cuts(101, &[99, 97, 95, 90, 93, 85, 101]),
            vec![false, false, true, true, false, true, true]
        );
        for n in [5usize, 9, 10, 11, 99, 501, 650_000] {
            let b = even_cuts(n, 100);
            assert_eq!(*b.last().unwrap(), n);
            assert!(b.len() <= 100);
            let ok = safe_cuts(n, &b);
            assert!(ok.iter().all(|&x| x), "n={n}: even cuts are all safe");
        }
        assert!(even_cuts(4, 100).is_empty());
    }

    #[test]
    fn tails_may_not_split_off_a_single_hidden_cell() {
        // Buckets 0..5; bucket 4 (3 persons) hidden, bucket 3 hidden as its partner.
        let mut t = vec![
            publish(100, 0i64),
            publish(50, 0),
            publish(20, 0),
            publish(8, 0),
            publish(3, 0),
        ];
        assert!(protect_margin(&mut t));
        assert!(t[3].is_suppressed() && t[4].is_suppressed());
        // Σ_{≥2} keeps both hidden buckets together: fine. Σ_{≥3} is the sum of the two hidden
        // ones, already known as total − the rest: fine. Σ_{≥4} isolates bucket 4: refused.
        assert_eq!(safe_tails(&t, &[2, 3, 4]), vec![true, true, false]);
        // With bucket 2 hidden instead of 3, Σ_{≥3} would split them: refused, and Σ_{≥4} too.
        let t2 = vec![
            publish(100, 0i64),
            publish(50, 0),
            withheld(20),
            publish(8, 0),
            publish(3, 0),
        ];
        assert_eq!(safe_tails(&t2, &[2, 3, 4]), vec![true, false, false]);
        // Two hidden cells in a run are not enough when its sum narrows the "<5": Σ_{≥3} = 5 + 1
        // = 6 with bucket 3 a "—" (≥ 5) leaves exactly 1 for bucket 4 (the old rule, "not
        // exactly one hidden", let it through). Without any tail the total alone is fine.
        let t3 = vec![
            publish(100, 0i64),
            publish(50, 0),
            publish(20, 0),
            withheld(5),
            publish(1, 0),
            withheld(30),
        ];
        assert!(interval_safe(&t3));
        assert_eq!(safe_tails(&t3[..5], &[3]), vec![false]);
        assert_eq!(safe_tails(&t3, &[3]), vec![true], "with the 30 in the run");
    }

    /// One column: person i contributes amounts[i].
    fn parts(persons: &[u32], amount: i64) -> Parts {
        Parts::new(vec![persons.iter().map(|&p| (p, amount)).collect()])
    }

    #[test]
    fn hidden_cells_sharing_one_person_are_not_enough() {
        // Departments 0 and 1 hold only person 7 (1 person each): the old rule is content with
        // two hidden cells, but total − the rest is person 7's cost. Department 2 (persons
        // 1–6) is the next smallest and goes too.
        let sets = [
            parts(&[7], 100),
            parts(&[7], 200),
            parts(&[1, 2, 3, 4, 5, 6], 100),
            parts(&(10..40).collect::<Vec<_>>(), 10),
        ];
        let mut t: Vec<Cell<i64>> = vec![
            publish(1, 100),
            publish(1, 200),
            publish(6, 600),
            publish(30, 300),
        ];
        let mut weak = t.clone();
        assert!(protect_margin(&mut weak));
        assert_eq!(weak.iter().filter(|c| c.is_suppressed()).count(), 2);
        assert!(protect_margin_parts(&mut t, &sets, Dominance::default()));
        let hidden: Vec<usize> = (0..4).filter(|&i| t[i].is_suppressed()).collect();
        // Person 7's 300 of the hidden 900 is no more than half.
        assert_eq!(hidden, vec![0, 1, 2]);
    }

    #[test]
    fn a_remainder_one_person_dominates_is_widened() {
        // Hidden: person 7 alone (1 person, 1,000) and persons 1–4 (4 persons, 10 each): five
        // distinct persons, but 7 is 1,000 of 1,040. The 20-person cell is hidden too.
        let sets = [
            parts(&[7], 1000),
            parts(&[1, 2, 3, 4], 10),
            parts(&(10..30).collect::<Vec<_>>(), 100),
        ];
        let mut t: Vec<Cell<i64>> = vec![publish(1, 1000), publish(4, 40), publish(20, 2000)];
        assert!(protect_margin_parts(&mut t, &sets, Dominance::default()));
        assert!(t.iter().all(|c| c.is_suppressed()), "{t:?}");
        // The total itself is dominated by no one (1,000 of 3,040): fine. With a smaller third
        // cell it would be, and the total must go.
        let sets = [
            parts(&[7], 1000),
            parts(&[1, 2, 3, 4], 10),
            parts(&(10..30).collect::<Vec<_>>(), 1),
        ];
        let mut t: Vec<Cell<i64>> = vec![publish(1, 1000), publish(4, 40), publish(20, 20)];
        assert!(!protect_margin_parts(&mut t, &sets, Dominance::default()));
    }

    #[test]
    fn each_column_needs_five_persons_of_its_own() {
        // Two hidden cells: activity by 8 persons, but booked by one person only.
        let col = |ps: std::ops::Range<u32>, a: i64| ps.map(|p| (p, a)).collect::<Vec<_>>();
        let sets = [
            Parts::new(vec![vec![(1, 500)], col(0..4, 10)]),
            Parts::new(vec![vec![], col(4..8, 10)]),
            Parts::new(vec![col(20..40, 50), col(20..40, 10)]),
            Parts::new(vec![col(40..70, 50), col(40..70, 10)]),
        ];
        let mut t: Vec<Cell<i64>> =
            vec![publish(4, 0), publish(4, 0), publish(20, 0), publish(30, 0)];
        assert!(protect_margin_parts(&mut t, &sets, Dominance::default()));
        let hidden: Vec<usize> = (0..4).filter(|&i| t[i].is_suppressed()).collect();
        assert_eq!(hidden, vec![0, 1, 2]);
    }

    #[test]
    fn a_cost_one_person_dominates_is_hidden() {
        let mut v: Vec<(u32, i64)> = (0..9).map(|p| (p, 100)).collect();
        v.push((9, 901));
        let big = Parts::new(vec![v.clone()]);
        let d = Dominance::default();
        let c = publish_parts(10, 1801i64, &big, d);
        assert_eq!(c.suppression(), Some(Suppression::Dominance));
        assert_eq!(c.value(), None);
        // Exactly half is allowed; negative amounts count by their size; a person's several
        // amounts are added first.
        v[9].1 = 900;
        assert!(!publish_parts(10, 0i64, &Parts::new(vec![v.clone()]), d).is_suppressed());
        v[9].1 = -901;
        assert!(publish_parts(10, 0i64, &Parts::new(vec![v.clone()]), d).is_suppressed());
        v[9] = (0, 801); // person 0 now has 100 + 801 = 901 of 1,701
        assert!(publish_parts(9, 0i64, &Parts::new(vec![v]), d).is_suppressed());
        // Primary suppression is still primary; an empty cell is published.
        assert_eq!(
            publish_parts(2, 0i64, &parts(&[1, 2], 5), d).suppression(),
            Some(Suppression::Primary)
        );
        assert!(!publish_parts(0, 0i64, &Parts::default(), d).is_suppressed());
        // Who is behind a cell never shows in a Debug form.
        let s = format!("{big:?}");
        assert!(!s.contains("901") && !s.contains("100"), "{s}");
    }

    #[test]
    fn the_dominance_threshold_is_configurable() {
        // One person has 60 of 100.
        let mut v: Vec<(u32, i64)> = (0..8).map(|p| (p, 5)).collect();
        v.push((8, 60));
        let p = Parts::new(vec![v]);
        let at = |pct| publish_parts(9, 100i64, &p, Dominance::percent(pct).unwrap());
        assert!(at(50).is_suppressed());
        assert!(!at(60).is_suppressed(), "exactly the threshold is allowed");
        assert!(!at(100).is_suppressed(), "100 % switches the rule off");
        assert!(at(59).is_suppressed());
        assert_eq!(Dominance::percent(0), None);
        assert_eq!(Dominance::percent(101), None);
        assert_eq!(Dominance::default().get(), 50);
    }
}
