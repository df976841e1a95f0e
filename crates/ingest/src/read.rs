//! `read_exports`: the six exports → a validated `Register<Identified>`.
//!
//! Two phases, each parallel: first persons and catalogue (everything else refers to them),
//! then relations, spells, postings and prices against their lookups. A row with an error is
//! reported and skipped, and reading goes on, so one run lists every problem; if there is any,
//! no register is returned. When a file that others refer to could not be read at all (missing,
//! missing column), references to it are not checked, so that one missing column does not
//! produce a million "unknown person" errors.

use crate::aliases::{self, Sign};
use crate::error::{Collector, ErrorKind, ImportErrors, Message};
use crate::fasthash::{CprIndex, FxHashMap, cpr_key};
use crate::profile::{AmountUnit, FileKind, Profile, fields};
use crate::source::{self, Table, Values};
use crate::values::{pad_cpr, parse_amount, parse_date, parse_ore, parse_year};
use chrono::NaiveDate;
use std::collections::hash_map::Entry;
use std::path::Path;
use tvaers_core::{
    AccountFunction, Catalogue, ContactIx, Cpr, Department, Identified, IdentifiedPerson, Ore,
    PersonIx, Posting, Quantity, Register, Relation, RelationKind, ServiceEntry, ServiceIx,
    ServiceKind, Spell, Unit, UnitPrice,
};
use tvaers_messages::Key;

/// Reads, validates and links the six exports in `input` as laid out by `profile`.
///
/// All-or-nothing: returns the register only if every row of every file is valid; otherwise
/// every error found (up to [`crate::ERRORS_PER_FILE`] listed per file), in file order.
pub fn read_exports(input: &Path, profile: &Profile) -> Result<Register<Identified>, ImportErrors> {
    let t0 = std::time::Instant::now();
    let (persons, catalogue) = std::thread::scope(|s| {
        let cat = s.spawn(|| read_catalogue(input, profile));
        let persons = read_persons(input, profile);
        (persons, join(cat))
    });
    tracing::debug!(elapsed = ?t0.elapsed(), "persons and catalogue read");

    let refs = Refs {
        persons: &persons,
        catalogue: &catalogue,
    };
    let (relations, spells, postings, prices) = std::thread::scope(|s| {
        let spells = s.spawn(|| read_spells(input, profile, &refs));
        let postings = s.spawn(|| read_postings(input, profile, &refs));
        let relations = read_relations(input, profile, &refs);
        let prices = read_prices(input, profile, &refs);
        (relations, join(spells), join(postings), prices)
    });
    tracing::debug!(elapsed = ?t0.elapsed(), "all exports read");

    let collectors = [
        &persons.errs,
        &relations.errs,
        &catalogue.errs,
        &spells.errs,
        &postings.errs,
        &prices.errs,
    ];
    if collectors.iter().any(|c| !c.is_empty()) {
        let mut all = ImportErrors {
            errors: Vec::new(),
            truncated: 0,
        };
        for c in collectors {
            all.errors.extend(c.errors.iter().cloned());
            all.truncated += c.overflow;
        }
        hint_files_found(&mut all, input);
        return Err(all);
    }
    let catalogue_entries = catalogue.entries;
    let catalogue =
        Catalogue::new(catalogue_entries).expect("duplicate service codes were reported");
    Ok(Register {
        persons: persons.persons,
        relations: relations.rows,
        catalogue,
        contacts: spells.contacts,
        spells: spells.rows,
        postings: postings.rows,
        prices: prices.rows,
    })
}

/// The first "file not found" error says which files the folder has and how to name them: a
/// folder of another system's exports needs a profile, which `tvaers profile suggest` drafts.
fn hint_files_found(all: &mut ImportErrors, input: &Path) {
    let Some(first) = all
        .errors
        .iter_mut()
        .find(|e| e.problem.key == Key::import_file_not_found)
    else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(input)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    const LISTED: usize = 8;
    let expected = if names.is_empty() {
        Message::from(Key::import_expected_file_none)
    } else {
        let mut list = names
            .iter()
            .take(LISTED)
            .map(|n| crate::error::mask_cpr(n))
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > LISTED {
            list.push_str(&format!(", … (+{})", names.len() - LISTED));
        }
        Message::new(Key::import_expected_file_found, &[&list, &input.display()])
    };
    first.expected = Some(expected);
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Opens one export, reporting into a fresh collector.
fn open(input: &Path, profile: &Profile, kind: FileKind) -> (Collector, Option<Table>) {
    let fp = profile.get(kind);
    let mut errs = Collector::new(&fp.file);
    let table = source::open(input, kind, fp, &mut errs);
    (errs, table)
}

// ---------------------------------------------------------------------------------------------
// Persons

struct Persons {
    errs: Collector,
    /// Whether the file could be read (if not, references to persons are not checked).
    loaded: bool,
    file: String,
    persons: Vec<IdentifiedPerson>,
    by_cpr: CprIndex,
}

impl Persons {
    fn lookup(&self, cpr: &Cpr) -> Option<PersonIx> {
        self.by_cpr.get(cpr_key(cpr.digits())).map(PersonIx)
    }
}

/// Parses a CPR field, reporting a malformed one.
fn cpr_field(
    errs: &mut Collector,
    table_col: &str,
    native_int: bool,
    line: u64,
    value: &str,
) -> Option<Cpr> {
    let mut buf = [0u8; 10];
    let text = match native_int.then(|| pad_cpr(value, &mut buf)).flatten() {
        Some(n) => std::str::from_utf8(&buf[..n]).unwrap_or(value),
        None => value,
    };
    match Cpr::parse(text) {
        Ok(c) => Some(c),
        Err(_) => {
            errs.push(
                line,
                table_col,
                value,
                ErrorKind::Malformed,
                Key::import_not_cpr,
                Key::import_expected_cpr,
            );
            None
        }
    }
}

fn read_persons(input: &Path, profile: &Profile) -> Persons {
    use fields::persons::*;
    let (mut errs, table) = open(input, profile, FileKind::Persons);
    let mut out = Persons {
        file: errs.file.clone(),
        errs: Collector::new(""),
        loaded: table.is_some(),
        persons: Vec::new(),
        by_cpr: CprIndex::default(),
    };
    let Some(table) = table else {
        out.errs = errs;
        return out;
    };
    out.file = table.file.clone();
    let mut lines: Vec<u64> = Vec::new();
    let cols: Vec<String> = (0..4).map(|f| table.column(f).to_string()).collect();
    let cpr_native = table.native_int(CPR);
    let persons = &mut out.persons;
    let by_cpr = &mut out.by_cpr;
    table.for_each_row(&mut errs, |errs, line, v: &Values<'_>| {
        let Some(cpr) = cpr_field(errs, &cols[CPR], cpr_native, line, v[CPR]) else {
            return;
        };
        let encoded = cpr.birth_date().expect("a parsed CPR number has a date");
        match parse_date(v[BIRTH_DATE]) {
            None => {
                errs.push(
                    line,
                    &cols[BIRTH_DATE],
                    v[BIRTH_DATE],
                    ErrorKind::Malformed,
                    Key::import_not_date,
                    Key::import_expected_date,
                );
            }
            Some(d) if d != encoded => {
                errs.push(
                    line,
                    &cols[BIRTH_DATE],
                    v[BIRTH_DATE],
                    ErrorKind::Inconsistent,
                    Message::new(
                        Key::import_birth_date_not_cpr,
                        &[&format!("{:?}", cols[CPR])],
                    ),
                    Message::new(Key::import_expected_birth_date, &[&encoded]),
                );
            }
            Some(_) => {}
        }
        let sex = aliases::sex(v[SEX]);
        if sex.is_none() {
            errs.push(
                line,
                &cols[SEX],
                v[SEX],
                ErrorKind::Malformed,
                Key::import_not_sex,
                Key::import_expected_sex,
            );
        }
        if v[FAMILY].is_empty() {
            errs.push(
                line,
                &cols[FAMILY],
                v[FAMILY],
                ErrorKind::Malformed,
                Key::import_is_empty,
                Key::import_expected_family,
            );
        }
        if persons.len() > CprIndex::MAX_INDEX as usize {
            errs.whole(line, ErrorKind::Unreadable, Key::import_too_many_persons);
            return;
        }
        match by_cpr.insert(cpr_key(cpr.digits()), persons.len() as u32) {
            Some(first) => {
                let first = lines[first as usize];
                errs.push(
                    line,
                    &cols[CPR],
                    v[CPR],
                    ErrorKind::Duplicate,
                    Key::import_duplicate_cpr,
                    Message::new(Key::import_expected_person_once, &[&first]),
                );
            }
            None => {
                // A row with other errors is still registered, so that references to it are
                // not reported a second time as unknown persons.
                lines.push(line);
                persons.push(IdentifiedPerson {
                    birth_date: encoded,
                    sex: sex.unwrap_or_else(|| cpr.sex()),
                    family: v[FAMILY].to_string(),
                    cpr,
                });
            }
        }
    });
    out.errs = errs;
    out
}

// ---------------------------------------------------------------------------------------------
// Catalogue

struct CatalogueTable {
    errs: Collector,
    loaded: bool,
    file: String,
    entries: Vec<ServiceEntry>,
    /// The unit per entry; `None` when the unit did not parse (unit checks are then skipped).
    units: Vec<Option<Unit>>,
    by_code: FxHashMap<String, ServiceIx>,
}

impl CatalogueTable {
    fn lookup(&self, code: &str) -> Option<(ServiceIx, Option<Unit>)> {
        self.by_code
            .get(code)
            .map(|&ix| (ix, self.units[ix.0 as usize]))
    }
}

fn read_catalogue(input: &Path, profile: &Profile) -> CatalogueTable {
    use fields::catalogue::*;
    let (mut errs, table) = open(input, profile, FileKind::Catalogue);
    let mut out = CatalogueTable {
        file: errs.file.clone(),
        errs: Collector::new(""),
        loaded: table.is_some(),
        entries: Vec::new(),
        units: Vec::new(),
        by_code: FxHashMap::default(),
    };
    let Some(table) = table else {
        out.errs = errs;
        return out;
    };
    out.file = table.file.clone();
    let cols: Vec<String> = (0..9).map(|f| table.column(f).to_string()).collect();
    let mut lines: Vec<u64> = Vec::new();
    let (entries, units, by_code) = (&mut out.entries, &mut out.units, &mut out.by_code);
    table.for_each_row(&mut errs, |errs, line, v| {
        let code = v[CODE];
        if code.is_empty() {
            errs.push(
                line,
                &cols[CODE],
                code,
                ErrorKind::Malformed,
                Key::import_is_empty,
                Key::import_expected_service_code,
            );
            return;
        }
        if v[NAME_DA].is_empty() {
            errs.push(
                line,
                &cols[NAME_DA],
                v[NAME_DA],
                ErrorKind::Malformed,
                Key::import_is_empty,
                Key::import_expected_name_da,
            );
        }
        let department = aliases::department(v[DEPARTMENT]);
        if department.is_none() {
            errs.push(
                line,
                &cols[DEPARTMENT],
                v[DEPARTMENT],
                ErrorKind::Malformed,
                Key::import_not_department,
                Message::new(
                    Key::import_expected_department,
                    &[&Department::codes_list()],
                ),
            );
        }
        let kind = aliases::service_kind(v[KIND]);
        if kind.is_none() {
            errs.push(
                line,
                &cols[KIND],
                v[KIND],
                ErrorKind::Malformed,
                Key::import_not_service_kind,
                Key::import_expected_service_kind,
            );
        }
        let unit = aliases::unit(v[UNIT]);
        if unit.is_none() {
            errs.push(
                line,
                &cols[UNIT],
                v[UNIT],
                ErrorKind::Malformed,
                Key::import_not_unit,
                Message::new(
                    Key::import_expected_unit,
                    &[&Unit::codes_list(), &FileKind::Catalogue.key()],
                ),
            );
        }
        let function = AccountFunction::parse(v[FUNCTION]);
        if function.is_none() {
            errs.push(
                line,
                &cols[FUNCTION],
                v[FUNCTION],
                ErrorKind::Malformed,
                Key::import_not_function,
                Key::import_expected_function,
            );
        }
        if let Some(&first) = by_code.get(code) {
            let first_line = lines[first.0 as usize];
            errs.push(
                line,
                &cols[CODE],
                code,
                ErrorKind::Duplicate,
                Key::import_duplicate_code,
                Message::new(Key::import_expected_code_once, &[&first_line]),
            );
            return;
        }
        let name_da = v[NAME_DA].to_string();
        let name_en = if v[NAME_EN].is_empty() {
            name_da.clone()
        } else {
            v[NAME_EN].to_string()
        };
        by_code.insert(code.to_string(), ServiceIx(entries.len() as u32));
        lines.push(line);
        units.push(unit);
        // Placeholders stand in for invalid values; the register is not returned then.
        entries.push(ServiceEntry {
            code: code.to_string(),
            name_da,
            name_en,
            department: department.unwrap_or(Department::Employment),
            kind: kind.unwrap_or(ServiceKind::Intervention),
            legal_basis: v[LEGAL_BASIS].to_string(),
            unit: unit.unwrap_or(Unit::Hour),
            function: function.unwrap_or(AccountFunction {
                main_account: 0,
                main_function: 0,
                function: 0,
            }),
            tags: v[TAGS]
                .split('|')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        });
    });
    out.errs = errs;
    out
}

// ---------------------------------------------------------------------------------------------
// References shared by the second phase

struct Refs<'a> {
    persons: &'a Persons,
    catalogue: &'a CatalogueTable,
}

impl Refs<'_> {
    /// A required CPR reference: malformed or unknown is an error.
    fn person(
        &self,
        errs: &mut Collector,
        column: &str,
        native_int: bool,
        line: u64,
        value: &str,
    ) -> Option<PersonIx> {
        let cpr = cpr_field(errs, column, native_int, line, value)?;
        if !self.persons.loaded {
            return Some(PersonIx(u32::MAX));
        }
        let found = self.persons.lookup(&cpr);
        if found.is_none() {
            errs.push_once(
                line,
                column,
                value,
                ErrorKind::UnknownReference,
                Message::new(Key::import_not_person_in, &[&self.persons.file]),
                Message::new(Key::import_expected_cpr_in, &[&self.persons.file]),
            );
        }
        found
    }

    /// A required service reference, with its catalogue unit if known.
    fn service(
        &self,
        errs: &mut Collector,
        column: &str,
        line: u64,
        value: &str,
    ) -> Option<(ServiceIx, Option<Unit>)> {
        if value.is_empty() {
            errs.push(
                line,
                column,
                value,
                ErrorKind::Malformed,
                Key::import_is_empty,
                Message::new(
                    Key::import_expected_service_code_from,
                    &[&self.catalogue.file],
                ),
            );
            return None;
        }
        if !self.catalogue.loaded {
            return Some((ServiceIx(u32::MAX), None));
        }
        let found = self.catalogue.lookup(value);
        if found.is_none() {
            errs.push(
                line,
                column,
                value,
                ErrorKind::UnknownReference,
                Message::new(Key::import_not_service_in, &[&self.catalogue.file]),
                Message::new(Key::import_expected_code_in, &[&self.catalogue.file]),
            );
        }
        found
    }

    /// A unit that must equal the service's catalogue unit; `table` is the profile's table of
    /// the file (for the hint where to map it).
    #[allow(clippy::too_many_arguments)]
    fn unit(
        &self,
        errs: &mut Collector,
        table: FileKind,
        column: &str,
        line: u64,
        value: &str,
        service: Option<(ServiceIx, Option<Unit>)>,
        service_code: &str,
    ) -> Option<Unit> {
        let Some(unit) = aliases::unit(value) else {
            errs.push(
                line,
                column,
                value,
                ErrorKind::Malformed,
                Key::import_not_unit,
                Message::new(
                    Key::import_expected_unit,
                    &[&Unit::codes_list(), &table.key()],
                ),
            );
            return None;
        };
        if let Some((_, Some(expected))) = service
            && expected != unit
        {
            errs.push(
                line,
                column,
                value,
                ErrorKind::Inconsistent,
                Message::new(
                    Key::import_unit_mismatch,
                    &[&service_code, &self.catalogue.file],
                ),
                Message::new(Key::import_verbatim, &[&expected.code()]),
            );
            return None;
        }
        Some(unit)
    }
}

/// An amount in the profile's unit.
fn amount_in(text: &str, decimal: char, unit: AmountUnit) -> Option<Ore> {
    match unit {
        AmountUnit::Kroner => parse_amount(text, decimal),
        AmountUnit::Ore => parse_ore(text, decimal),
    }
}

fn expected_amount(decimal: char, unit: AmountUnit) -> Message {
    match unit {
        AmountUnit::Kroner => Message::new(Key::import_expected_amount, &[&decimal]),
        AmountUnit::Ore => Message::new(Key::import_expected_amount_ore, &[]),
    }
}

/// A date of service data (a spell, a posting): outside the profile's `service_years` it is a
/// typo (31-12-2200), which would otherwise move the default period or stretch a run.
fn date_field(
    errs: &mut Collector,
    years: &std::ops::RangeInclusive<i32>,
    column: &str,
    line: u64,
    value: &str,
) -> Option<NaiveDate> {
    use chrono::Datelike;
    match parse_date(value) {
        None => {
            errs.push(
                line,
                column,
                value,
                ErrorKind::Malformed,
                Key::import_not_date,
                Key::import_expected_date,
            );
            None
        }
        Some(d) if !years.contains(&d.year()) => {
            errs.push(
                line,
                column,
                value,
                ErrorKind::Inconsistent,
                Key::import_implausible_value,
                Message::new(
                    Key::import_expected_date_window,
                    &[years.start(), years.end()],
                ),
            );
            None
        }
        Some(d) => Some(d),
    }
}

struct Rows<T> {
    errs: Collector,
    rows: Vec<T>,
}

fn columns_of(table: &Table, kind: FileKind) -> Vec<String> {
    (0..kind.fields().len())
        .map(|f| table.column(f).to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Relations

fn read_relations(input: &Path, profile: &Profile, refs: &Refs<'_>) -> Rows<Relation> {
    use fields::relations::*;
    let (mut errs, table) = open(input, profile, FileKind::Relations);
    let mut rows = Vec::new();
    let Some(table) = table else {
        return Rows { errs, rows };
    };
    let cols = columns_of(&table, FileKind::Relations);
    let (n1, n2) = (table.native_int(CPR), table.native_int(RELATED_CPR));
    let mut lines: Vec<(u64, String)> = Vec::new();
    table.for_each_row(&mut errs, |errs, line, v| {
        let person = refs.person(errs, &cols[CPR], n1, line, v[CPR]);
        let related = refs.person(errs, &cols[RELATED_CPR], n2, line, v[RELATED_CPR]);
        let kind = aliases::relation(v[RELATION]);
        if kind.is_none() {
            errs.push(
                line,
                &cols[RELATION],
                v[RELATION],
                ErrorKind::Malformed,
                Key::import_not_relation_kind,
                Key::import_expected_relation_kind,
            );
        }
        if let (Some(person), Some(related), Some(kind)) = (person, related, kind) {
            if person == related && refs.persons.loaded {
                errs.push(
                    line,
                    &cols[RELATED_CPR],
                    v[RELATED_CPR],
                    ErrorKind::Inconsistent,
                    Message::new(Key::import_relation_to_self, &[&format!("{:?}", cols[CPR])]),
                    Key::import_expected_two_persons,
                );
                return;
            }
            rows.push(Relation {
                person,
                related,
                kind,
            });
            lines.push((line, v[RELATION].to_string()));
        }
    });
    // Without the persons file the indices are placeholders; nothing to follow.
    let cycles = if refs.persons.loaded {
        relations_in_cycles(&rows)
    } else {
        Vec::new()
    };
    for i in cycles {
        let (line, code) = &lines[i];
        errs.push(
            *line,
            &cols[RELATION],
            code,
            ErrorKind::Inconsistent,
            Key::import_relation_cycle,
            Key::import_expected_no_cycle,
        );
    }
    Rows { errs, rows }
}

/// The relations that lie on a cycle of parenthood (someone their own ancestor). Edges run from
/// child to parent; nodes that no cycle passes through are peeled off from both ends (no
/// parent left, or no child left), in time linear in the relations.
fn relations_in_cycles(rows: &[Relation]) -> Vec<usize> {
    let edge = |r: &Relation| match r.kind {
        RelationKind::Parent => Some((r.person.0, r.related.0)),
        RelationKind::Child => Some((r.related.0, r.person.0)),
        RelationKind::Partner => None,
    };
    let edges: Vec<Option<(u32, u32)>> = rows.iter().map(edge).collect();
    let n = edges
        .iter()
        .flatten()
        .map(|&(a, b)| a.max(b) as usize + 1)
        .max()
        .unwrap_or(0);
    let (mut outs, mut ins) = (vec![0u32; n], vec![0u32; n]);
    let (mut by_from, mut by_to): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
        (vec![Vec::new(); n], vec![Vec::new(); n]);
    for (i, e) in edges.iter().enumerate() {
        if let Some((a, b)) = *e {
            outs[a as usize] += 1;
            ins[b as usize] += 1;
            by_from[a as usize].push(i);
            by_to[b as usize].push(i);
        }
    }
    let mut gone = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&v| outs[v] == 0 || ins[v] == 0).collect();
    while let Some(v) = stack.pop() {
        if gone[v] {
            continue;
        }
        gone[v] = true;
        // Removing v lowers its neighbours' degrees.
        for &i in &by_from[v] {
            let Some((_, b)) = edges[i] else { continue };
            ins[b as usize] -= 1;
            if ins[b as usize] == 0 && !gone[b as usize] {
                stack.push(b as usize);
            }
        }
        for &i in &by_to[v] {
            let Some((a, _)) = edges[i] else { continue };
            outs[a as usize] -= 1;
            if outs[a as usize] == 0 && !gone[a as usize] {
                stack.push(a as usize);
            }
        }
    }
    edges
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.filter(|&(a, b)| !gone[a as usize] && !gone[b as usize])
                .map(|_| i)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Spells

struct SpellRows {
    errs: Collector,
    rows: Vec<Spell>,
    contacts: Vec<String>,
}

fn read_spells(input: &Path, profile: &Profile, refs: &Refs<'_>) -> SpellRows {
    use fields::spells::*;
    let (mut errs, table) = open(input, profile, FileKind::Spells);
    let mut out = SpellRows {
        errs: Collector::new(""),
        rows: Vec::new(),
        contacts: Vec::new(),
    };
    let Some(table) = table else {
        out.errs = errs;
        return out;
    };
    let cols = columns_of(&table, FileKind::Spells);
    let decimal = table.decimal(VOLUME);
    let cpr_native = table.native_int(CPR);
    let mut contact_ix: FxHashMap<String, ContactIx> = FxHashMap::default();
    let (rows, contacts) = (&mut out.rows, &mut out.contacts);
    table.for_each_row(&mut errs, |errs, line, v| {
        let person = refs.person(errs, &cols[CPR], cpr_native, line, v[CPR]);
        let service = refs.service(errs, &cols[SERVICE], line, v[SERVICE]);
        let start = date_field(errs, &profile.service_years, &cols[START], line, v[START]);
        let end = if v[END].is_empty() {
            Some(None)
        } else {
            date_field(errs, &profile.service_years, &cols[END], line, v[END]).map(Some)
        };
        let mut consistent = true;
        if let (Some(start), Some(Some(end))) = (start, end)
            && end < start
        {
            consistent = false;
            errs.push(
                line,
                &cols[END],
                v[END],
                ErrorKind::Inconsistent,
                Message::new(Key::import_end_before_start, &[&start]),
                Key::import_expected_end,
            );
        }
        let volume = match Quantity::parse(v[VOLUME], decimal) {
            None => {
                errs.push(
                    line,
                    &cols[VOLUME],
                    v[VOLUME],
                    ErrorKind::Malformed,
                    Key::import_not_volume,
                    Message::new(Key::import_expected_volume, &[&decimal]),
                );
                None
            }
            Some(q) if tvaers_core::check_volume(q).is_err() => {
                errs.push(
                    line,
                    &cols[VOLUME],
                    v[VOLUME],
                    ErrorKind::Inconsistent,
                    Key::import_implausible_value,
                    Message::new(Key::import_expected_volume_limit, &[&Quantity::MAX_VOLUME]),
                );
                None
            }
            Some(q) => Some(q),
        };
        let unit = refs.unit(
            errs,
            FileKind::Spells,
            &cols[UNIT],
            line,
            v[UNIT],
            service,
            v[SERVICE],
        );
        let (
            Some(person),
            Some((service, _)),
            Some(start),
            Some(end),
            Some(volume),
            Some(_),
            true,
        ) = (person, service, start, end, volume, unit, consistent)
        else {
            return;
        };
        let contact = if v[CONTACT].is_empty() {
            None
        } else {
            Some(match contact_ix.get(v[CONTACT]) {
                Some(&c) => c,
                None => {
                    let c = ContactIx(contacts.len() as u32);
                    contacts.push(v[CONTACT].to_string());
                    contact_ix.insert(v[CONTACT].to_string(), c);
                    c
                }
            })
        };
        rows.push(Spell {
            person,
            service,
            start,
            end,
            volume,
            contact,
        });
    });
    out.errs = errs;
    out
}

// ---------------------------------------------------------------------------------------------
// Postings

fn read_postings(input: &Path, profile: &Profile, refs: &Refs<'_>) -> Rows<Posting> {
    use fields::postings::*;
    let (mut errs, table) = open(input, profile, FileKind::Postings);
    let mut rows = Vec::new();
    let Some(table) = table else {
        return Rows { errs, rows };
    };
    let cols = columns_of(&table, FileKind::Postings);
    let amounts = Amounts {
        convention: if table.has(DEBIT) {
            Convention::DebitCredit
        } else if table.has(SIGN) {
            Convention::Indicator
        } else {
            Convention::Signed
        },
        decimal: table.decimal(AMOUNT),
        unit: table.amount_unit(),
        cols: &cols,
    };
    let cpr_native = table.native_int(CPR);
    table.for_each_row(&mut errs, |errs, line, v| {
        let date = date_field(errs, &profile.service_years, &cols[DATE], line, v[DATE]);
        let function = AccountFunction::parse(v[FUNCTION]);
        if function.is_none() {
            errs.push(
                line,
                &cols[FUNCTION],
                v[FUNCTION],
                ErrorKind::Malformed,
                Key::import_not_function,
                Key::import_expected_function,
            );
        }
        let amount = posting_amount(errs, &amounts, line, v);
        let person = if v[CPR].is_empty() {
            Some(None)
        } else {
            refs.person(errs, &cols[CPR], cpr_native, line, v[CPR])
                .map(Some)
        };
        let service = if v[SERVICE].is_empty() {
            Some(None)
        } else {
            refs.service(errs, &cols[SERVICE], line, v[SERVICE])
                .map(|(s, _)| Some(s))
        };
        if let (Some(date), Some(function), Some(amount), Some(person), Some(service)) =
            (date, function, amount, person, service)
        {
            rows.push(Posting {
                date,
                function,
                amount,
                person,
                service,
            });
        }
    });
    Rows { errs, rows }
}

/// How a postings file gives the sign of an amount (docs/data-formats.md, "Sign conventions").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Convention {
    /// One amount column, with a minus sign in front or trailing for credits.
    Signed,
    /// One unsigned amount column and a debit/credit indicator column (`D`/`K`).
    Indicator,
    /// Two amount columns: amount = debit − credit.
    DebitCredit,
}

/// What reading a posting's amount needs to know about the file.
struct Amounts<'a> {
    convention: Convention,
    decimal: char,
    unit: AmountUnit,
    cols: &'a [String],
}

/// Parses one amount field, reporting a malformed one.
fn amount_field(
    errs: &mut Collector,
    a: &Amounts<'_>,
    field: usize,
    line: u64,
    value: &str,
) -> Option<Ore> {
    let parsed = amount_in(value, a.decimal, a.unit);
    if parsed.is_none() {
        errs.push(
            line,
            &a.cols[field],
            value,
            ErrorKind::Malformed,
            Key::import_not_amount,
            expected_amount(a.decimal, a.unit),
        );
    }
    parsed
}

/// A posting's amount under the file's sign convention, within the documented limit.
fn posting_amount(errs: &mut Collector, a: &Amounts<'_>, line: u64, v: &Values<'_>) -> Option<Ore> {
    use fields::postings::*;
    let (amount, field) = match a.convention {
        Convention::Signed => (amount_field(errs, a, AMOUNT, line, v[AMOUNT])?, AMOUNT),
        Convention::Indicator => {
            let sign = aliases::sign(v[SIGN]);
            if sign.is_none() {
                errs.push(
                    line,
                    &a.cols[SIGN],
                    v[SIGN],
                    ErrorKind::Malformed,
                    Key::import_not_sign,
                    Message::new(
                        Key::import_expected_sign,
                        &[&aliases::spellings("postings.sign")],
                    ),
                );
            }
            let amount = amount_field(errs, a, AMOUNT, line, v[AMOUNT])?;
            if amount.0 < 0 {
                // A sign in the amount and one in the indicator: which one is meant is a guess.
                errs.push(
                    line,
                    &a.cols[AMOUNT],
                    v[AMOUNT],
                    ErrorKind::Inconsistent,
                    Message::new(
                        Key::import_signed_with_indicator,
                        &[&format!("{:?}", a.cols[SIGN])],
                    ),
                    Key::import_expected_unsigned_amount,
                );
                return None;
            }
            match sign? {
                Sign::Debit => (amount, AMOUNT),
                Sign::Credit => (Ore(-amount.0), AMOUNT),
            }
        }
        Convention::DebitCredit => {
            let (debit_col, credit_col) = (
                format!("{:?}", a.cols[DEBIT]),
                format!("{:?}", a.cols[CREDIT]),
            );
            if v[DEBIT].is_empty() && v[CREDIT].is_empty() {
                errs.push(
                    line,
                    &a.cols[DEBIT],
                    v[DEBIT],
                    ErrorKind::Malformed,
                    Message::new(Key::import_debit_credit_both_empty, &[&credit_col]),
                    Message::new(
                        Key::import_expected_debit_or_credit,
                        &[&debit_col, &credit_col],
                    ),
                );
                return None;
            }
            let debit = if v[DEBIT].is_empty() {
                Some(Ore(0))
            } else {
                amount_field(errs, a, DEBIT, line, v[DEBIT])
            };
            let credit = if v[CREDIT].is_empty() {
                Some(Ore(0))
            } else {
                amount_field(errs, a, CREDIT, line, v[CREDIT])
            };
            let (debit, credit) = (debit?, credit?);
            if debit.0 != 0 && credit.0 != 0 {
                // One line of a ledger is on one side; two amounts are two postings run together.
                errs.push(
                    line,
                    &a.cols[CREDIT],
                    v[CREDIT],
                    ErrorKind::Inconsistent,
                    Message::new(
                        Key::import_debit_credit_both_filled,
                        &[&debit_col, &v[DEBIT]],
                    ),
                    Message::new(
                        Key::import_expected_debit_or_credit,
                        &[&debit_col, &credit_col],
                    ),
                );
                return None;
            }
            let field = if credit.0 != 0 { CREDIT } else { DEBIT };
            // Beyond i64 is beyond the limit below too.
            let amount = debit.0.checked_sub(credit.0).map_or(Ore(i64::MAX), Ore);
            (amount, field)
        }
    };
    // Beyond the documented limit sums could wrap; no real posting is that large.
    if tvaers_core::check_amount(amount).is_err() {
        errs.push(
            line,
            &a.cols[field],
            v[field],
            ErrorKind::Inconsistent,
            Key::import_implausible_value,
            Message::new(
                Key::import_expected_amount_limit,
                &[&(Ore::MAX_POSTING.0 / 100)],
            ),
        );
        return None;
    }
    Some(amount)
}

// ---------------------------------------------------------------------------------------------
// Prices

fn read_prices(input: &Path, profile: &Profile, refs: &Refs<'_>) -> Rows<UnitPrice> {
    use fields::prices::*;
    let (mut errs, table) = open(input, profile, FileKind::Prices);
    let mut rows = Vec::new();
    let Some(table) = table else {
        return Rows { errs, rows };
    };
    let cols = columns_of(&table, FileKind::Prices);
    let decimal = table.decimal(PRICE);
    let amount_unit = table.amount_unit();
    let mut seen: FxHashMap<(u32, i32), u64> = FxHashMap::default();
    table.for_each_row(&mut errs, |errs, line, v| {
        let service = refs.service(errs, &cols[SERVICE], line, v[SERVICE]);
        let unit = refs.unit(
            errs,
            FileKind::Prices,
            &cols[UNIT],
            line,
            v[UNIT],
            service,
            v[SERVICE],
        );
        let price = match amount_in(v[PRICE], decimal, amount_unit) {
            None => {
                errs.push(
                    line,
                    &cols[PRICE],
                    v[PRICE],
                    ErrorKind::Malformed,
                    Key::import_not_amount,
                    expected_amount(decimal, amount_unit),
                );
                None
            }
            Some(p) if p.0 < 0 => {
                errs.push(
                    line,
                    &cols[PRICE],
                    v[PRICE],
                    ErrorKind::Inconsistent,
                    Key::import_is_negative,
                    Key::import_expected_price,
                );
                None
            }
            Some(p) if tvaers_core::check_price(p).is_err() => {
                errs.push(
                    line,
                    &cols[PRICE],
                    v[PRICE],
                    ErrorKind::Inconsistent,
                    Key::import_implausible_value,
                    Message::new(
                        Key::import_expected_price_limit,
                        &[&(Ore::MAX_PRICE.0 / 100)],
                    ),
                );
                None
            }
            Some(p) => Some(p),
        };
        let year = parse_year(v[YEAR]);
        if year.is_none() {
            errs.push(
                line,
                &cols[YEAR],
                v[YEAR],
                ErrorKind::Malformed,
                Key::import_not_year,
                Key::import_expected_year,
            );
        }
        if let (Some((service, _)), Some(year)) = (service, year)
            && refs.catalogue.loaded
        {
            match seen.entry((service.0, year)) {
                Entry::Occupied(first) => {
                    errs.push(
                        line,
                        &cols[YEAR],
                        v[YEAR],
                        ErrorKind::Duplicate,
                        Message::new(Key::import_second_price, &[&v[SERVICE]]),
                        Message::new(Key::import_expected_price_once, &[first.get()]),
                    );
                    return;
                }
                Entry::Vacant(e) => {
                    e.insert(line);
                }
            }
        }
        if let (Some((service, _)), Some(unit), Some(price), Some(year)) =
            (service, unit, price, year)
        {
            rows.push(UnitPrice {
                service,
                unit,
                price,
                year,
                source: v[SOURCE].to_string(),
            });
        }
    });
    Rows { errs, rows }
}
