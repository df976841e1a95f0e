//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz), kept here so that the committed
//! corpora are replayed through exactly the same code by a plain `cargo test`
//! (`tests/fuzz_corpus.rs`), and so that the targets can reach the crate's private value parsers
//! without making them public. Not an API: hidden from the docs, used only by the fuzz targets
//! and that test.
//!
//! Each function takes arbitrary bytes, must never panic, and asserts cheap properties of what
//! it got back (see each function). A failed assertion is a finding, like a panic.

use crate::error::{mask_cpr, shown};
use crate::profile::{FileKind, Profile, TextEncoding};
use crate::values::{parse_amount, parse_date, parse_year};
use crate::{ImportErrors, read_exports};
use chrono::{Datelike, NaiveDate};
use std::io;
use std::path::{Path, PathBuf};
use tvaers_core::{Cpr, Identified, Ore, Quantity, Register};
use tvaers_messages::Lang;

/// A small valid municipality in the default layout (the tests' fixture, `tests/common`): the
/// five files that are not being fuzzed are these.
const FIXTURE: [(FileKind, &str); 6] = [
    (
        FileKind::Persons,
        "cpr,foedselsdato,koen,familie_id\n\
         610380-1235,1980-03-01,M,F000001\n\
         640582-1240,1982-05-04,K,F000001\n\
         751014-4001,2014-10-15,M,F000001\n\
         700955-2468,1955-09-10,K,F000002\n",
    ),
    (
        FileKind::Relations,
        "cpr,relateret_cpr,relation\n\
         751014-4001,610380-1235,forælder\n\
         610380-1235,751014-4001,barn\n\
         610380-1235,640582-1240,partner\n",
    ),
    (
        FileKind::Catalogue,
        "kode,navn_da,navn_en,forvaltning,art,hjemmel,enhed,funktion,kategorier\n\
         KTH,Kontanthjælp,Social assistance,beskaeftigelse,ydelse,LAS § 25,maaned,5.57.73,overfoersel|kontanthjaelp\n\
         MENTOR,Mentor,Mentor,beskaeftigelse,indsats,LAB §§ 167-169,time,5.68.90,mentor|hverdagsstoette\n\
         SEL85,Socialpædagogisk støtte,Socio-educational support,social_voksne,indsats,SEL § 85,time,5.38.38,sel85|hverdagsstoette\n\
         ANBR,Anbringelse i plejefamilie,,boern_familie,indsats,Barnets lov § 43,dag,5.28.22,\n",
    ),
    (
        FileKind::Spells,
        "cpr;ydelse;start;slut;omfang;enhed;kontaktperson\n\
         610380-1235;KTH;2024-01-01;;1;maaned;JC017\n\
         610380-1235;MENTOR;2024-03-01;2025-02-28;3,5;time;JC102\n\
         610380-1235;SEL85;2024-06-15;;4;time;SO033\n\
         751014-4001;ANBR;2023-05-01;2024-12-31;1;dag;\n\
         700955-2468;MENTOR;2024-01-01;2024-06-30;2;time;JC102\n",
    ),
    (
        FileKind::Postings,
        "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n\
         01-02-2025;5.57.73;11.944,00;610380-1235;KTH;Kontanthjælp februar\n\
         31-01-2025;5.38.38;1.204.311,17;;;Socialpædagogisk støtte, leverandør januar\n\
         15-03-2025;5.57.73;-500,50;610380-1235;;Tilbagebetaling\n",
    ),
    (
        FileKind::Prices,
        "ydelse,enhed,pris,aar,kilde\n\
         SEL85,time,610.00,2025,Egen takst\n\
         MENTOR,time,575.00,2025,Leverandørkontrakt\n\
         KTH,maaned,11944,2025,Sats\n",
    ),
];

/// The valid fixture file of `kind`, as the fuzz target's input for it: the selector byte
/// (`kind` with automatic separator and encoding, the default decimal) followed by the file.
/// The seeds of the `csv_import` corpus are made this way.
pub fn csv_import_seed(kind: FileKind) -> Vec<u8> {
    let ix = FileKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
    let mut out = vec![ix as u8];
    out.extend_from_slice(fixture_bytes(kind).as_slice());
    out
}

fn fixture_bytes(kind: FileKind) -> Vec<u8> {
    let text = FIXTURE
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, t)| t);
    if kind == FileKind::Postings {
        // As financial systems export it.
        encoding_rs::WINDOWS_1252.encode(text).0.into_owned()
    } else {
        text.as_bytes().to_vec()
    }
}

/// The CSV import with a mapping profile, as `tvaers import` runs it: one of the six exports
/// is the fuzz input, the other five are the valid fixture, all read from files by
/// [`read_exports`].
pub struct CsvImport {
    /// One folder per file kind, holding the five fixed files; the sixth is written per input.
    dirs: Vec<PathBuf>,
}

impl CsvImport {
    /// Lays out the fixture under `dir` (an existing, preferably empty folder).
    pub fn new(dir: &Path) -> io::Result<CsvImport> {
        let mut dirs = Vec::new();
        for (i, kind) in FileKind::ALL.iter().enumerate() {
            let d = dir.join(format!("{i}-{}", kind.key()));
            std::fs::create_dir_all(&d)?;
            let profile = Profile::default_profile();
            for other in FileKind::ALL {
                if other != *kind {
                    std::fs::write(d.join(&profile.get(other).file), fixture_bytes(other))?;
                }
            }
            dirs.push(d);
        }
        Ok(CsvImport { dirs })
    }

    /// Runs one input. Byte 0 chooses the file (its value mod 6, in [`FileKind::ALL`] order) and
    /// that file's profile entry: separator (auto, `;`, `,`, tab), encoding (auto, UTF-8,
    /// Windows-1252) and whether the decimal separator is swapped; the rest is the file.
    ///
    /// Asserts: an import that succeeds returned one row per data line of a file without quotes
    /// (no row is lost silently); an import that fails shows no whole CPR number in any message,
    /// in English or Danish, and names only lines that the file has.
    pub fn run(&self, data: &[u8]) {
        let Some((&selector, file)) = data.split_first() else {
            return;
        };
        let ix = usize::from(selector) % FileKind::ALL.len();
        let kind = FileKind::ALL[ix];
        let flags = usize::from(selector) / FileKind::ALL.len();
        let mut profile = Profile::default_profile();
        let name = {
            let fp = match kind {
                FileKind::Persons => &mut profile.persons,
                FileKind::Relations => &mut profile.relations,
                FileKind::Catalogue => &mut profile.catalogue,
                FileKind::Spells => &mut profile.spells,
                FileKind::Postings => &mut profile.postings,
                FileKind::Prices => &mut profile.prices,
            };
            fp.delimiter = [None, Some(b';'), Some(b','), Some(b'\t')][flags % 4];
            fp.encoding = [
                None,
                Some(TextEncoding::Utf8),
                Some(TextEncoding::Windows1252),
            ][(flags / 4) % 3];
            if (flags / 12) % 2 == 1 {
                fp.decimal = if fp.decimal == ',' { '.' } else { ',' };
            }
            fp.file.clone()
        };
        let dir = &self.dirs[ix];
        std::fs::write(dir.join(&name), file).expect("the fuzz folder is writable");
        match read_exports(dir, &profile) {
            Ok(reg) => check_rows(kind, file, &reg),
            Err(errs) => check_errors(&name, file, &errs),
        }
    }
}

/// Rows of `kind` in the register.
fn rows(kind: FileKind, reg: &Register<Identified>) -> usize {
    match kind {
        FileKind::Persons => reg.persons.len(),
        FileKind::Relations => reg.relations.len(),
        FileKind::Catalogue => reg.catalogue.entries().len(),
        FileKind::Spells => reg.spells.len(),
        FileKind::Postings => reg.postings.len(),
        FileKind::Prices => reg.prices.len(),
    }
}

/// Without quotes every non-empty line is one record (CSV ends a record at `\n`, `\r` or
/// `\r\n`); all but the header must be in the register. A file with quotes may join lines into
/// one record, up to the reader's limit per record.
fn check_rows(kind: FileKind, file: &[u8], reg: &Register<Identified>) {
    if file.starts_with(b"PAR1") {
        return;
    }
    let lines = file
        .split(|&b| b == b'\n' || b == b'\r')
        .filter(|l| !l.is_empty())
        .count();
    let data_lines = lines.saturating_sub(1);
    let got = rows(kind, reg);
    if file.contains(&b'"') {
        let most_lines = (crate::source::MAX_RECORD_LINES + 1) as usize;
        assert!(
            got.saturating_mul(most_lines) >= data_lines,
            "{kind:?}: {got} rows from {data_lines} data lines (quoted)"
        );
    } else {
        assert_eq!(
            got, data_lines,
            "{kind:?}: rows in the register vs data lines"
        );
    }
}

fn check_errors(name: &str, file: &[u8], errs: &ImportErrors) {
    assert!(errs.total() > 0, "a failed import reports why");
    let last_line = file.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for e in &errs.errors {
        if e.file == name && !file.starts_with(b"PAR1") {
            assert!(
                e.line <= last_line,
                "error at line {} of a file of {last_line} lines: {e}",
                e.line
            );
        }
    }
    for lang in [Lang::En, Lang::Da] {
        let text = errs.render(lang);
        if let Some(cpr) = whole_cpr(&text) {
            panic!("a whole CPR number {cpr:?} in an error message:\n{text}");
        }
    }
}

/// The first CPR-shaped run in `text` that is not masked: six digits, an optional `-`, four
/// digits, not inside a longer run of digits. Written independently of [`mask_cpr`].
fn whole_cpr(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let digit = |j: isize| j >= 0 && chars.get(j as usize).is_some_and(char::is_ascii_digit);
    for start in 0..chars.len() as isize {
        if digit(start - 1) || !(start..start + 6).all(digit) {
            continue;
        }
        for serial in [start + 6, start + 7] {
            if serial == start + 7 && chars.get(start as usize + 6) != Some(&'-') {
                continue;
            }
            if (serial..serial + 4).all(digit) && !digit(serial + 4) {
                return Some(chars[start as usize..serial as usize + 4].iter().collect());
            }
        }
    }
    None
}

/// The value parsers of the import: dates, amounts in kroner, volumes, years, CPR numbers,
/// and the masking of values in messages. The input is read as UTF-8 (lossily).
///
/// Asserts: a parsed date written in each accepted form reads back as the same date; a parsed
/// amount agrees with its digits and reads back from its Danish, English and plain renderings;
/// a parsed volume reads back from its rendering; a year is in 1900–2100; a parsed CPR number
/// reads back and is masked; no shown value holds a whole CPR number.
pub fn values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    if let Some(d) = parse_date(text) {
        check_date(text, d);
    }
    for decimal in [',', '.'] {
        if let Some(amount) = parse_amount(text, decimal) {
            check_amount(text, decimal, amount);
        }
        if let Some(q) = Quantity::parse(text, decimal) {
            assert!(q.0 >= 0, "{text:?}: negative volume {q:?}");
            let back = Quantity::parse(&q.to_string(), '.');
            assert_eq!(back, Some(q), "{text:?}: volume {q} does not read back");
        }
    }
    if let Some(y) = parse_year(text) {
        assert!((1900..=2100).contains(&y), "{text:?}: year {y}");
        assert_eq!(parse_year(&y.to_string()), Some(y));
    }
    if let Ok(cpr) = Cpr::parse(text) {
        let shown_cpr = cpr.to_string();
        assert_eq!(Cpr::parse(&shown_cpr).ok(), Some(cpr.clone()));
        assert!(cpr.birth_date().is_some(), "{text:?}: CPR without a date");
        let masked = mask_cpr(&shown_cpr);
        assert!(
            whole_cpr(&masked).is_none(),
            "{shown_cpr} masked as {masked}"
        );
    }
    let s = shown(text);
    if let Some(cpr) = whole_cpr(&s) {
        panic!("{text:?} is shown as {s:?}, with the whole CPR number {cpr:?}");
    }
    assert!(
        s.chars().count() <= crate::SHOWN_CHARS + 30,
        "{text:?} is shown with {} characters",
        s.chars().count()
    );
}

fn check_date(text: &str, d: NaiveDate) {
    assert!(
        (0..=9999).contains(&d.year()),
        "{text:?}: year {}",
        d.year()
    );
    for form in ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%-d.%-m.%Y"] {
        let written = d.format(form).to_string();
        assert_eq!(
            parse_date(&written),
            Some(d),
            "{text:?} read as {d}, written {written:?} in {form}"
        );
    }
}

fn check_amount(text: &str, decimal: char, amount: Ore) {
    // The digits alone give the value: the integer part's digits, then at most two decimals;
    // a currency word before or after and a leading or trailing minus are allowed.
    let mut t = text.trim();
    let lower = t.to_ascii_lowercase();
    for cur in ["kr.", "kr", "dkk"] {
        if lower.starts_with(cur) && t.is_char_boundary(cur.len()) {
            t = t[cur.len()..].trim();
            break;
        }
        if lower.ends_with(cur) && t.is_char_boundary(t.len() - cur.len()) {
            t = t[..t.len() - cur.len()].trim();
            break;
        }
    }
    let negative = t.starts_with('-') || t.ends_with('-');
    let (int_part, frac) = match t.rfind(decimal) {
        Some(i) => (&t[..i], &t[i + decimal.len_utf8()..]),
        None => (t, ""),
    };
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let (int_digits, frac_digits) = (digits(int_part), digits(frac));
    assert!(frac_digits.len() <= 2, "{text:?}: {amount:?}");
    let expected = format!("{int_digits}{frac_digits:0<2}")
        .parse::<i128>()
        .expect("digits");
    let expected = if negative { -expected } else { expected };
    assert_eq!(
        i128::from(amount.0),
        expected,
        "{text:?} with decimal {decimal:?}"
    );
    assert_eq!(parse_amount(&amount.to_danish(), ','), Some(amount));
    assert_eq!(parse_amount(&amount.to_english(), '.'), Some(amount));
    assert_eq!(parse_amount(&amount.to_string(), '.'), Some(amount));
}

/// A mapping profile's text, as [`Profile::load`] reads it after reading the file (which must
/// be UTF-8; other bytes are an I/O error there and skipped here).
///
/// Asserts: a profile that parses is written back ([`Profile`]'s `Display`) to a text that
/// parses to the same profile, names only files inside the input folder, and has a decimal
/// separator of `.` or `,`; an error renders in English and Danish.
pub fn profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.toml");
    match Profile::from_toml(text, path) {
        Ok(p) => {
            for kind in FileKind::ALL {
                let fp = p.get(kind);
                assert!(!fp.file.is_empty(), "{kind:?}: empty file name");
                assert!(
                    Path::new(&fp.file).components().all(|c| matches!(
                        c,
                        std::path::Component::Normal(_) | std::path::Component::CurDir
                    )),
                    "{kind:?}: file {:?} outside the input folder",
                    fp.file
                );
                assert!(matches!(fp.decimal, '.' | ','));
            }
            let written = p.to_string();
            match Profile::from_toml(&written, path) {
                Ok(back) => assert_eq!(back, p, "written as:\n{written}"),
                Err(e) => panic!("{e}\nwritten as:\n{written}"),
            }
        }
        Err(e) => {
            let _ = e.render(Lang::En);
            let _ = e.render(Lang::Da);
        }
    }
}
