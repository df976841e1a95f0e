//! Writing the six export files of `docs/data-formats.md` in their default layouts.
//!
//! Written by hand into a line buffer: the files are large at 650,000 citizens and every field
//! is simple. Fields that could hold the separator or a quote are quoted.

use crate::SynthError;
use crate::catalogue::{self, SERVICES, function_name};
use crate::finance::{Ledger, NO_PERSON, Text};
use crate::population::Population;
use crate::segments::SpellRec;
use chrono::{Datelike, NaiveDate};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tvaers_core::{Cpr, Department, RelationKind, ServiceKind};

const FLUSH_AT: usize = 1 << 20;

/// A CSV file being written: lines collect in a `String`, flushed as UTF-8 or as
/// Windows-1252.
struct Out {
    path: PathBuf,
    file: BufWriter<File>,
    buf: String,
    windows_1252: bool,
    rows: u64,
}

impl Out {
    fn create(dir: &Path, name: &str, windows_1252: bool) -> Result<Out, SynthError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|source| SynthError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Out {
            path,
            file: BufWriter::with_capacity(1 << 16, file),
            buf: String::with_capacity(FLUSH_AT + 4096),
            windows_1252,
            rows: 0,
        })
    }

    /// Ends a line; flushes when the buffer is full.
    fn end_row(&mut self) -> Result<(), SynthError> {
        self.buf.push('\n');
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SynthError> {
        let r = if self.windows_1252 {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&self.buf);
            debug_assert!(!unmappable, "posting text outside Windows-1252");
            self.file.write_all(&bytes)
        } else {
            self.file.write_all(self.buf.as_bytes())
        };
        self.buf.clear();
        r.map_err(|source| SynthError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Writes the rest and closes; returns the number of data rows (the header not counted).
    fn finish(mut self) -> Result<u64, SynthError> {
        self.flush()?;
        self.file.flush().map_err(|source| SynthError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.rows - 1)
    }
}

/// Appends `s`, quoted when it contains the separator, a quote or a line break.
pub(crate) fn push_field(buf: &mut String, s: &str, sep: char) {
    if s.contains([sep, '"', '\n', '\r']) {
        buf.push('"');
        for c in s.chars() {
            if c == '"' {
                buf.push('"');
            }
            buf.push(c);
        }
        buf.push('"');
    } else {
        buf.push_str(s);
    }
}

/// Appends `n` with at least `width` digits.
fn push_num(buf: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in (digits.len() - i)..width {
        buf.push('0');
    }
    buf.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
}

/// `yyyy-mm-dd`.
pub(crate) fn push_iso(buf: &mut String, d: NaiveDate) {
    push_num(buf, d.year() as u64, 4);
    buf.push('-');
    push_num(buf, d.month() as u64, 2);
    buf.push('-');
    push_num(buf, d.day() as u64, 2);
}

/// `dd-mm-yyyy`, as the financial system exports dates.
pub(crate) fn push_dmy(buf: &mut String, d: NaiveDate) {
    push_num(buf, d.day() as u64, 2);
    buf.push('-');
    push_num(buf, d.month() as u64, 2);
    buf.push('-');
    push_num(buf, d.year() as u64, 4);
}

/// Øre as Danish kroner: `.` between thousands, `,` before the øre (`-1.234,50`).
pub(crate) fn push_amount_da(buf: &mut String, ore: i64) {
    if ore < 0 {
        buf.push('-');
    }
    let abs = ore.unsigned_abs();
    let kroner = abs / 100;
    let mut groups = [0u64; 7];
    let mut n = 0;
    let mut k = kroner;
    loop {
        groups[n] = k % 1000;
        n += 1;
        k /= 1000;
        if k == 0 {
            break;
        }
    }
    push_num(buf, groups[n - 1], 1);
    for g in groups[..n - 1].iter().rev() {
        buf.push('.');
        push_num(buf, *g, 3);
    }
    buf.push(',');
    push_num(buf, abs % 100, 2);
}

/// Thousandths as a decimal with up to three decimals and no trailing zeros (`3,5`, `1`).
pub(crate) fn push_quantity(buf: &mut String, thousandths: i64, decimal: char) {
    let whole = thousandths / 1000;
    let mut frac = thousandths % 1000;
    push_num(buf, whole as u64, 1);
    if frac != 0 {
        buf.push(decimal);
        let mut width = 3;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        push_num(buf, frac as u64, width);
    }
}

fn push_cpr(buf: &mut String, cpr: &Cpr) {
    let d = cpr.digits();
    buf.push_str(std::str::from_utf8(&d[..6]).expect("ASCII digits"));
    buf.push('-');
    buf.push_str(std::str::from_utf8(&d[6..]).expect("ASCII digits"));
}

fn push_family(buf: &mut String, household: u32) {
    buf.push('F');
    push_num(buf, household as u64 + 1, 7);
}

/// Prefix of a department's contact person ids (`JC017`).
fn contact_prefix(d: Department) -> &'static str {
    match d {
        Department::Employment => "JC",
        Department::AdultSocial => "SO",
        Department::ChildrenFamily => "BF",
        Department::Health => "SU",
        Department::Elderly => "AE",
        Department::Psychiatry => "PS",
        Department::Disability => "HA",
        Department::Integration => "IN",
    }
}

fn date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).expect("generated dates are valid")
}

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

pub(crate) fn persons(dir: &Path, pop: &Population) -> Result<u64, SynthError> {
    let mut o = Out::create(dir, "personer.csv", false)?;
    o.buf.push_str("cpr,foedselsdato,koen,familie_id");
    o.end_row()?;
    for p in &pop.persons {
        push_cpr(&mut o.buf, &p.cpr);
        o.buf.push(',');
        push_iso(&mut o.buf, p.birth);
        o.buf.push(',');
        o.buf.push_str(p.sex.code());
        o.buf.push(',');
        push_family(&mut o.buf, p.household);
        o.end_row()?;
    }
    o.finish()
}

pub(crate) fn relations(dir: &Path, pop: &Population) -> Result<u64, SynthError> {
    let mut o = Out::create(dir, "relationer.csv", false)?;
    o.buf.push_str("cpr,relateret_cpr,relation");
    o.end_row()?;
    let row = |o: &mut Out, a: u32, b: u32, kind: RelationKind| -> Result<(), SynthError> {
        push_cpr(&mut o.buf, &pop.persons[a as usize].cpr);
        o.buf.push(',');
        push_cpr(&mut o.buf, &pop.persons[b as usize].cpr);
        o.buf.push(',');
        o.buf.push_str(kind.code());
        o.end_row()
    };
    for h in &pop.households {
        if h.adults == 2 {
            row(&mut o, h.first, h.first + 1, RelationKind::Partner)?;
            row(&mut o, h.first + 1, h.first, RelationKind::Partner)?;
        }
        for c in h.children() {
            for a in h.adults() {
                row(&mut o, c, a, RelationKind::Parent)?;
                row(&mut o, a, c, RelationKind::Child)?;
            }
        }
    }
    o.finish()
}

pub(crate) fn catalogue(dir: &Path) -> Result<u64, SynthError> {
    let mut o = Out::create(dir, "ydelseskatalog.csv", false)?;
    o.buf
        .push_str("kode,navn_da,navn_en,forvaltning,art,hjemmel,enhed,funktion,kategorier");
    o.end_row()?;
    for d in SERVICES {
        let b = &mut o.buf;
        push_field(b, d.code, ',');
        b.push(',');
        push_field(b, d.name_da, ',');
        b.push(',');
        push_field(b, d.name_en, ',');
        b.push(',');
        b.push_str(d.department.code());
        b.push(',');
        b.push_str(match d.kind {
            ServiceKind::TransferIncome => "ydelse",
            ServiceKind::Intervention => "indsats",
        });
        b.push(',');
        push_field(b, d.legal_basis, ',');
        b.push(',');
        b.push_str(d.unit.code());
        b.push(',');
        b.push_str(d.function);
        b.push(',');
        push_field(b, &d.tags.join("|"), ',');
        o.end_row()?;
    }
    o.finish()
}

pub(crate) fn spells(
    dir: &Path,
    pop: &Population,
    spells: &[SpellRec],
    window_end: i32,
) -> Result<u64, SynthError> {
    let mut o = Out::create(dir, "forloeb.csv", false)?;
    o.buf
        .push_str("cpr;ydelse;start;slut;omfang;enhed;kontaktperson");
    o.end_row()?;
    for s in spells {
        let d = s.service.def();
        let b = &mut o.buf;
        push_cpr(b, &pop.persons[s.person as usize].cpr);
        b.push(';');
        b.push_str(d.code);
        b.push(';');
        push_iso(b, date(s.start));
        b.push(';');
        // What has not ended by the extract date is open.
        if s.end <= window_end {
            push_iso(b, date(s.end));
        }
        b.push(';');
        push_quantity(b, s.volume, ',');
        b.push(';');
        b.push_str(d.unit.code());
        b.push(';');
        b.push_str(contact_prefix(d.department));
        push_num(b, s.contact as u64 + 1, 3);
        o.end_row()?;
    }
    o.finish()
}

pub(crate) fn postings(dir: &Path, pop: &Population, ledger: &Ledger) -> Result<u64, SynthError> {
    let mut o = Out::create(dir, "posteringer.csv", true)?;
    o.buf
        .push_str("bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst");
    o.end_row()?;
    let mut text = String::with_capacity(128);
    for p in &ledger.postings {
        let function = ledger.functions[p.function as usize];
        let month = MONTHS[p.month as usize - 1];
        text.clear();
        let name = p.service.map_or("", |s| s.def().name_da);
        let fname = function_name(function);
        match p.text {
            Text::Payment => {
                text.push_str(name);
                text.push(' ');
                text.push_str(month);
            }
            Text::Adjustment => {
                text.push_str(name);
                text.push_str(", efterregulering ");
                text.push_str(month);
            }
            Text::Repayment => {
                text.push_str("Tilbagebetaling, ");
                text.push_str(name);
            }
            Text::Supplier => {
                text.push_str(fname);
                text.push_str(", leverandør ");
                text.push_str(month);
            }
            Text::Payroll => {
                text.push_str(fname);
                text.push_str(", løn ");
                text.push_str(month);
            }
            Text::CreditNote => {
                text.push_str("Kreditnota, ");
                text.push_str(fname);
            }
        }
        let b = &mut o.buf;
        push_dmy(b, date(p.date));
        b.push(';');
        b.push_str(function);
        b.push(';');
        push_amount_da(b, p.amount);
        b.push(';');
        if p.person != NO_PERSON {
            push_cpr(b, &pop.persons[p.person as usize].cpr);
        }
        b.push(';');
        if let Some(s) = p.service {
            b.push_str(s.def().code);
        }
        b.push(';');
        push_field(b, &text, ';');
        o.end_row()?;
    }
    o.finish()
}

pub(crate) fn prices(dir: &Path, first_year: i32, last_year: i32) -> Result<u64, SynthError> {
    let mut o = Out::create(dir, "enhedspriser.csv", false)?;
    o.buf.push_str("ydelse,enhed,pris,aar,kilde");
    o.end_row()?;
    for &s in catalogue::S::ALL {
        let d = s.def();
        for year in first_year..=last_year {
            let b = &mut o.buf;
            b.push_str(d.code);
            b.push(',');
            b.push_str(d.unit.code());
            b.push(',');
            // Plain decimal point, no thousands separator.
            b.push_str(&catalogue::price(s, year).to_string());
            b.push(',');
            push_num(b, year as u64, 4);
            b.push(',');
            push_field(b, d.source, ',');
            o.end_row()?;
        }
    }
    o.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(ore: i64) -> String {
        let mut s = String::new();
        push_amount_da(&mut s, ore);
        s
    }

    #[test]
    fn danish_amounts_group_thousands() {
        assert_eq!(amount(123_450), "1.234,50");
        assert_eq!(amount(120_431_117), "1.204.311,17");
        assert_eq!(amount(-5), "-0,05");
        assert_eq!(amount(0), "0,00");
        assert_eq!(amount(99_999), "999,99");
        assert_eq!(amount(100_000), "1.000,00");
        assert_eq!(amount(-10_000_000_000), "-100.000.000,00");
    }

    #[test]
    fn quantities_drop_trailing_zeros() {
        let q = |t: i64| {
            let mut s = String::new();
            push_quantity(&mut s, t, ',');
            s
        };
        assert_eq!(q(3_500), "3,5");
        assert_eq!(q(1_000), "1");
        assert_eq!(q(150), "0,15");
        assert_eq!(q(1_005), "1,005");
        assert_eq!(q(12_050), "12,05");
    }

    #[test]
    fn dates_in_both_forms() {
        let d = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
        let mut s = String::new();
        push_iso(&mut s, d);
        s.push(' ');
        push_dmy(&mut s, d);
        assert_eq!(s, "2025-02-01 01-02-2025");
    }

    #[test]
    fn fields_with_separator_or_quote_are_quoted() {
        let mut s = String::new();
        push_field(&mut s, "Pleje, omsorg", ',');
        s.push('|');
        push_field(&mut s, "Pleje, omsorg", ';');
        s.push('|');
        push_field(&mut s, "a \"b\"", ';');
        assert_eq!(s, "\"Pleje, omsorg\"|Pleje, omsorg|\"a \"\"b\"\"\"");
    }
}
