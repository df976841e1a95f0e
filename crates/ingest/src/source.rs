//! Turning one export file — CSV or Parquet — into rows of field values.
//!
//! Both formats end in the same callback: a line number and one `&str` per field of the file
//! (in [`FileKind::fields`] order; `""` for an absent optional column or a null). All
//! validation happens after this point, so CSV and Parquet input are checked by the same code.
//!
//! CSV: the whole file is read, decoded once (UTF-8, BOM stripped, else Windows-1252), the
//! separator detected from the header, and records parsed with `csv::ByteRecord` reused across
//! rows, so a row costs no allocation. Parquet: each needed column is cast to strings with
//! `arrow-cast` (dates become ISO dates; timestamps are cut to dates); numbers from native
//! numeric columns are written with `.` whatever the profile's decimal separator.

use crate::error::{Collector, ErrorKind, Message};
use crate::profile::{AmountUnit, FileKind, FileProfile, MAX_FIELDS, TextEncoding};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use tvaers_messages::Key;

/// The most lines one record may span (a quoted field may hold line breaks, but not a file's
/// worth of them).
pub const MAX_RECORD_LINES: u64 = 20;
/// The longest field accepted, in bytes.
pub const MAX_FIELD_BYTES: usize = 10_000;

/// The values of one row, indexed by field position.
pub(crate) type Values<'a> = [&'a str; MAX_FIELDS];

/// An opened export whose header has been checked.
pub(crate) struct Table {
    /// The name used in error messages (the profile's file name, or the `.parquet` sibling read
    /// instead).
    pub file: String,
    /// Column name per field, for error messages.
    columns: Vec<String>,
    decimal: [char; MAX_FIELDS],
    native_int: [bool; MAX_FIELDS],
    /// Kroner or øre, for the amount fields.
    amount_unit: AmountUnit,
    /// Per field: the profile's value mapping (value in the file → code read), if any.
    maps: Vec<Option<HashMap<String, String>>>,
    body: Body,
}

enum Body {
    Csv {
        text: String,
        /// Where the header starts (after a BOM and an Excel `sep=` line).
        start: usize,
        /// Lines before `start` (1 after a `sep=` line), so line numbers are the file's.
        lines_before: u64,
        delimiter: u8,
        col_ix: [Option<usize>; MAX_FIELDS],
        header_len: usize,
    },
    Parquet {
        builder: ParquetRecordBatchReaderBuilder<File>,
        /// Column name in the Parquet schema per field.
        col_names: Vec<Option<String>>,
    },
}

impl Table {
    /// The column name for field position `field`.
    pub fn column(&self, field: usize) -> &str {
        &self.columns[field]
    }

    /// The decimal separator of field position `field`.
    pub fn decimal(&self, field: usize) -> char {
        self.decimal[field]
    }

    /// Whether the field came from a native integer column (a CPR number there has lost its
    /// leading zero).
    pub fn native_int(&self, field: usize) -> bool {
        self.native_int[field]
    }

    /// Whether field position `field` has a column in the file (an absent optional column, or
    /// a field the profile does not read, has none).
    pub fn has(&self, field: usize) -> bool {
        match &self.body {
            Body::Csv { col_ix, .. } => col_ix[field].is_some(),
            Body::Parquet { col_names, .. } => col_names.get(field).is_some_and(Option::is_some),
        }
    }

    /// Whether amounts are in kroner or øre.
    pub fn amount_unit(&self) -> AmountUnit {
        self.amount_unit
    }

    /// Calls `row` for each data row with its line number (header = line 1) and values.
    /// Returns the number of rows read.
    pub fn for_each_row(
        self,
        errs: &mut Collector,
        mut row: impl FnMut(&mut Collector, u64, &Values<'_>),
    ) -> u64 {
        let maps = &self.maps;
        match self.body {
            Body::Csv {
                text,
                start,
                lines_before,
                delimiter,
                col_ix,
                header_len,
            } => {
                let mut rdr = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .has_headers(true)
                    .flexible(true)
                    .from_reader(&text.as_bytes()[start..]);
                let mut rec = csv::ByteRecord::new();
                let mut n = 0;
                // Line numbers are counted from byte offsets: the csv crate's own count is one
                // too low in files with CRLF line ends. `seen` is the line of byte `seen_at`.
                let bytes = &text.as_bytes()[start..];
                let (mut seen_at, mut seen) = (0usize, lines_before + 1);
                let mut line_at = |at: usize| -> u64 {
                    // After a CRLF the csv crate places the next record at the `\n`.
                    let at = if bytes.get(at) == Some(&b'\n') {
                        at + 1
                    } else {
                        at
                    };
                    let at = at.min(bytes.len());
                    if at >= seen_at {
                        seen += newlines(&bytes[seen_at..at]);
                    } else {
                        seen -= newlines(&bytes[at..seen_at]);
                    }
                    seen_at = at;
                    seen
                };
                loop {
                    match rdr.read_byte_record(&mut rec) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            let line = e.position().map_or(0, |p| line_at(p.byte() as usize));
                            errs.whole(
                                line,
                                ErrorKind::Malformed,
                                Message::new(Key::import_not_csv, &[&e]),
                            );
                            break;
                        }
                    }
                    n += 1;
                    let line = rec.position().map_or(0, |p| line_at(p.byte() as usize));
                    // A quote opened and never closed swallows the rest of the file into one
                    // field; the row count then silently drops. Refuse a record that spans
                    // implausibly many lines or holds an implausibly long field.
                    let span = line_at(rdr.position().byte() as usize).saturating_sub(line);
                    let longest = rec.iter().map(<[u8]>::len).max().unwrap_or(0);
                    if span > MAX_RECORD_LINES || longest > MAX_FIELD_BYTES {
                        errs.whole(
                            line,
                            ErrorKind::Malformed,
                            Message::new(Key::import_runaway_record, &[&span, &longest]),
                        );
                        continue;
                    }
                    if rec.len() != header_len {
                        errs.whole(
                            line,
                            ErrorKind::Malformed,
                            Message::new(Key::import_field_count, &[&rec.len(), &header_len]),
                        );
                        continue;
                    }
                    let mut values: Values<'_> = [""; MAX_FIELDS];
                    for (v, ix) in values.iter_mut().zip(col_ix.iter()) {
                        if let Some(raw) = ix.and_then(|i| rec.get(i)) {
                            // The text is valid UTF-8 and fields split at ASCII bytes, so
                            // this cannot fail.
                            *v = std::str::from_utf8(raw).unwrap_or("").trim();
                        }
                    }
                    map_values(maps, &mut values);
                    row(errs, line, &values);
                }
                n
            }
            Body::Parquet { builder, col_names } => {
                let reader = match builder.with_batch_size(8192).build() {
                    Ok(r) => r,
                    Err(e) => {
                        errs.whole(
                            0,
                            ErrorKind::Unreadable,
                            Message::new(Key::import_cannot_read_parquet, &[&e]),
                        );
                        return 0;
                    }
                };
                let mut n: u64 = 0;
                for batch in reader {
                    let batch = match batch {
                        Ok(b) => b,
                        Err(e) => {
                            errs.whole(
                                n + 2,
                                ErrorKind::Unreadable,
                                Message::new(Key::import_cannot_read_parquet, &[&e]),
                            );
                            return n;
                        }
                    };
                    let mut strings: Vec<Option<ArrayRef>> = Vec::with_capacity(col_names.len());
                    for name in &col_names {
                        let Some(name) = name else {
                            strings.push(None);
                            continue;
                        };
                        let Some(col) = batch.column_by_name(name) else {
                            strings.push(None);
                            continue;
                        };
                        match to_strings(col) {
                            Ok(s) => strings.push(Some(s)),
                            Err(e) => {
                                errs.push_bare(
                                    1,
                                    name,
                                    "",
                                    ErrorKind::Unreadable,
                                    Message::new(Key::import_not_text, &[&e]),
                                );
                                return n;
                            }
                        }
                    }
                    let arrays: Vec<Option<&arrow_array::StringArray>> = strings
                        .iter()
                        .map(|a| a.as_ref().map(|a| a.as_string::<i32>()))
                        .collect();
                    for r in 0..batch.num_rows() {
                        n += 1;
                        let mut values: Values<'_> = [""; MAX_FIELDS];
                        for (v, a) in values.iter_mut().zip(arrays.iter()) {
                            if let Some(a) = a
                                && !a.is_null(r)
                            {
                                *v = a.value(r).trim();
                            }
                        }
                        map_values(maps, &mut values);
                        // Line = row number + 1, as if the header were line 1.
                        row(errs, n + 1, &values);
                    }
                }
                n
            }
        }
    }
}

/// Replaces each value the profile maps by the code it maps to.
fn map_values<'a>(maps: &'a [Option<HashMap<String, String>>], values: &mut Values<'a>) {
    for (v, map) in values.iter_mut().zip(maps) {
        if let Some(to) = map.as_ref().and_then(|m| m.get(*v)) {
            *v = to;
        }
    }
}

/// Per field of `kind`, the profile's value mapping.
fn value_maps(kind: FileKind, fp: &FileProfile) -> Vec<Option<HashMap<String, String>>> {
    let mut maps = vec![None; MAX_FIELDS];
    for (f, spec) in kind.fields().iter().enumerate() {
        if let Some(m) = fp.values.get(spec.name) {
            maps[f] = Some(m.iter().map(|(a, b)| (a.clone(), b.clone())).collect());
        }
    }
    maps
}

fn newlines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

fn to_strings(col: &ArrayRef) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let col = match col.data_type() {
        DataType::Timestamp(..) | DataType::Date64 => arrow_cast::cast(col, &DataType::Date32)?,
        _ => col.clone(),
    };
    arrow_cast::cast(&col, &DataType::Utf8)
}

/// Resolves the file for `fp` in `input` (falling back to `x.parquet` when `x.csv` is absent),
/// reads its header and maps fields to columns. Problems go to `errs`; `None` means the file
/// cannot be read at all.
pub(crate) fn open(
    input: &Path,
    kind: FileKind,
    fp: &FileProfile,
    errs: &mut Collector,
) -> Option<Table> {
    let mut file = fp.file.clone();
    let mut path = input.join(&file);
    if !path.exists()
        && let Some(stem) = fp.file.strip_suffix(".csv")
    {
        let alt = format!("{stem}.parquet");
        if input.join(&alt).exists() {
            path = input.join(&alt);
            file = alt;
            errs.file = file.clone();
        }
    }
    if !path.is_file() {
        errs.whole(
            0,
            ErrorKind::Unreadable,
            Message::new(Key::import_file_not_found, &[&input.display()]),
        );
        return None;
    }
    if is_parquet(&path) {
        open_parquet(path, file, kind, fp, errs)
    } else {
        open_csv(&path, file, kind, fp, errs)
    }
}

fn is_parquet(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"PAR1"
}

fn io_error(errs: &mut Collector, e: std::io::Error) {
    errs.whole(
        0,
        ErrorKind::Unreadable,
        Message::new(Key::import_cannot_read, &[&e]),
    );
}

/// Line number (1-based) of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// The bytes as text in the declared encoding, or detected. A file declared UTF-8 that is not,
/// or declared Windows-1252 that is UTF-8 (`Ã¸` for `ø`), is refused with the encoding to
/// declare in the profile's `[table]` instead.
fn decode(
    bytes: Vec<u8>,
    declared: Option<TextEncoding>,
    table: &str,
    errs: &mut Collector,
) -> Option<String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        errs.push(
            0,
            "",
            "",
            ErrorKind::Unreadable,
            Key::import_utf16,
            Key::import_expected_utf8,
        );
        return None;
    }
    let has_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let windows_1252 = |bytes: &[u8]| {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    };
    match declared {
        Some(TextEncoding::Windows1252) => {
            if let Ok(text) = std::str::from_utf8(&bytes)
                && let Some((at, c)) = text.char_indices().find(|(_, c)| !c.is_ascii())
            {
                // Valid UTF-8 with letters beyond ASCII is UTF-8: read as Windows-1252 every
                // `ø` would become `Ã¸`.
                let garbled = windows_1252(&bytes[at..at + c.len_utf8()]);
                errs.push(
                    line_of(&bytes, at),
                    "",
                    "",
                    ErrorKind::Unreadable,
                    Message::new(
                        Key::import_utf8_read_as_windows_1252,
                        &[&format!("{garbled:?}"), &format!("{:?}", c.to_string())],
                    ),
                    Message::new(Key::import_expected_encoding_utf8, &[&table]),
                );
                return None;
            }
            Some(windows_1252(&bytes))
        }
        Some(TextEncoding::Utf8) => match String::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(e) => {
                let bytes = e.as_bytes();
                let at = e.utf8_error().valid_up_to();
                let line = line_of(bytes, at);
                // The word around the first bad byte, read as Windows-1252, shows the guess.
                let stop = |b: &u8| b" \t\r\n;,|\"".contains(b);
                let from = bytes[..at].iter().rposition(stop).map_or(0, |i| i + 1);
                let to = bytes[at..]
                    .iter()
                    .position(stop)
                    .map_or(bytes.len(), |i| at + i);
                let word = windows_1252(&bytes[from..to]);
                errs.push(
                    line,
                    "",
                    "",
                    ErrorKind::Unreadable,
                    Key::import_not_declared_utf8,
                    Message::new(
                        Key::import_expected_encoding_windows_1252,
                        &[&table, &format!("{word:?}")],
                    ),
                );
                None
            }
        },
        None => match String::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(e) if has_bom => {
                let at = e.utf8_error().valid_up_to();
                let line = line_of(e.as_bytes(), at);
                errs.whole(line, ErrorKind::Unreadable, Key::import_bom_not_utf8);
                None
            }
            Err(e) => {
                tracing::debug!(file = %errs.file, "not UTF-8; reading as Windows-1252");
                Some(windows_1252(e.as_bytes()))
            }
        },
    }
}

/// `;`, `,`, tab or `|`, whichever occurs most often outside quotes in the header line; `,` if
/// none does.
pub(crate) fn detect_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in header.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for i in 1..4 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// Finds each field's column in `header`; reports missing required columns.
fn map_columns(
    kind: FileKind,
    fp: &FileProfile,
    header: &[String],
    errs: &mut Collector,
) -> Option<(Vec<String>, [Option<usize>; MAX_FIELDS])> {
    let lower: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut ix = [None; MAX_FIELDS];
    let mut names = Vec::with_capacity(kind.fields().len());
    let mut ok = true;
    for (f, spec) in kind.fields().iter().enumerate() {
        // A field the profile does not read (a sign column not named) has no column.
        let Some(want) = fp.columns.get(spec.name).map(String::as_str) else {
            names.push(String::new());
            continue;
        };
        let want_lower = want.trim().to_lowercase();
        match lower.iter().position(|h| *h == want_lower) {
            Some(i) => {
                ix[f] = Some(i);
                names.push(header[i].trim().to_string());
                // Two columns of one name: which one holds the data is a guess, so refuse.
                if let Some(j) = lower[i + 1..].iter().position(|h| *h == want_lower) {
                    ok = false;
                    errs.push_bare(
                        1,
                        want,
                        "",
                        ErrorKind::Duplicate,
                        Message::new(Key::import_column_twice, &[&(i + 1), &(i + j + 2)]),
                    );
                }
            }
            None => {
                names.push(want.to_string());
                if spec.required {
                    ok = false;
                    let found: Vec<&str> = header.iter().map(|h| h.trim()).collect();
                    errs.push_bare(
                        1,
                        want,
                        "",
                        ErrorKind::MissingColumn,
                        Message::new(
                            Key::import_missing_column_detail,
                            &[&kind.key(), &spec.name, &found.join(", ")],
                        ),
                    );
                } else {
                    tracing::debug!(file = %errs.file, column = want, "optional column absent");
                }
            }
        }
    }
    ok.then_some((names, ix))
}

fn open_csv(
    path: &Path,
    file: String,
    kind: FileKind,
    fp: &FileProfile,
    errs: &mut Collector,
) -> Option<Table> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            io_error(errs, e);
            return None;
        }
    };
    let text = decode(bytes, fp.encoding, kind.key(), errs)?;
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // Excel writes `sep=;` as the first line to name the separator; it names it for us too
    // (unless the profile sets one).
    let mut lines_before = 0;
    let mut declared = None;
    {
        let first = text[start..].split('\n').next().unwrap_or("");
        let first_trimmed = first.trim_end_matches('\r');
        if let Some(sep) = first_trimmed.strip_prefix("sep=")
            && sep.len() == 1
        {
            declared = Some(sep.as_bytes()[0]);
            start += first.len() + 1;
            lines_before = 1;
        }
    }
    let start = start.min(text.len());
    let body = &text[start..];
    let header_line = body.split('\n').next().unwrap_or("");
    if header_line.trim().is_empty() {
        errs.whole(
            lines_before + 1,
            ErrorKind::Unreadable,
            Key::import_no_header,
        );
        return None;
    }
    let delimiter = fp
        .delimiter
        .or(declared)
        .unwrap_or_else(|| detect_delimiter(header_line));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let header: Vec<String> = match rdr.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect(),
        Err(e) => {
            errs.whole(
                1,
                ErrorKind::Unreadable,
                Message::new(Key::import_header_not_csv, &[&e]),
            );
            return None;
        }
    };
    if let [only] = header.as_slice()
        && let Some(&other) = [b';', b',', b'\t', b'|']
            .iter()
            .find(|&&c| c != delimiter && only.as_bytes().contains(&c))
    {
        // The separator is another one than the profile says: every column would be missing.
        let other = (other as char).to_string();
        let quoted = format!("{other:?}");
        errs.push(
            lines_before + 1,
            "",
            "",
            ErrorKind::Malformed,
            Message::new(
                Key::import_header_one_field,
                &[&format!("{:?}", only.trim()), &quoted],
            ),
            Message::new(
                Key::import_expected_delimiter,
                &[&quoted, &quoted, &kind.key()],
            ),
        );
        return None;
    }
    let (columns, col_ix) = map_columns(kind, fp, &header, errs)?;
    Some(Table {
        file,
        columns,
        decimal: [fp.decimal; MAX_FIELDS],
        native_int: [false; MAX_FIELDS],
        amount_unit: fp.amount_unit,
        maps: value_maps(kind, fp),
        body: Body::Csv {
            header_len: header.len(),
            text,
            start,
            lines_before,
            delimiter,
            col_ix,
        },
    })
}

fn open_parquet(
    path: PathBuf,
    file: String,
    kind: FileKind,
    fp: &FileProfile,
    errs: &mut Collector,
) -> Option<Table> {
    let f = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            io_error(errs, e);
            return None;
        }
    };
    let builder = match ParquetRecordBatchReaderBuilder::try_new(f) {
        Ok(b) => b,
        Err(e) => {
            errs.whole(
                0,
                ErrorKind::Unreadable,
                Message::new(Key::import_not_parquet, &[&e]),
            );
            return None;
        }
    };
    let schema = builder.schema().clone();
    let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let (columns, col_ix) = map_columns(kind, fp, &header, errs)?;
    let mut decimal = [fp.decimal; MAX_FIELDS];
    let mut native_int = [false; MAX_FIELDS];
    let mut col_names = Vec::with_capacity(kind.fields().len());
    let mut roots = Vec::new();
    for (f, ix) in col_ix.iter().enumerate().take(kind.fields().len()) {
        match ix {
            Some(i) => {
                let field = schema.field(*i);
                let dt = field.data_type();
                if dt.is_integer() {
                    native_int[f] = true;
                    decimal[f] = '.';
                } else if dt.is_floating()
                    || matches!(dt, DataType::Decimal128(..) | DataType::Decimal256(..))
                {
                    decimal[f] = '.';
                }
                col_names.push(Some(field.name().clone()));
                roots.push(*i);
            }
            None => col_names.push(None),
        }
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    Some(Table {
        file,
        columns,
        decimal,
        native_int,
        amount_unit: fp.amount_unit,
        maps: value_maps(kind, fp),
        body: Body::Parquet {
            builder: builder.with_projection(mask),
            col_names,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_separator_from_the_header() {
        assert_eq!(detect_delimiter("cpr;ydelse;start"), b';');
        assert_eq!(detect_delimiter("cpr,foedselsdato,koen"), b',');
        assert_eq!(
            detect_delimiter("\"a;b\",c,d"),
            b',',
            "quoted separators do not count"
        );
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("cpr"), b',');
    }

    #[test]
    fn decodes_windows_1252_when_not_utf8() {
        let mut errs = Collector::new("x.csv");
        let bytes = encoding_rs::WINDOWS_1252
            .encode("beløb;tekst\n1;Kontanthjælp\n")
            .0;
        let text = decode(bytes.into_owned(), None, "postings", &mut errs).unwrap();
        assert!(text.contains("Kontanthjælp"));
        assert!(errs.is_empty());
        let bytes = encoding_rs::WINDOWS_1252.encode("beløb\n").0.into_owned();
        assert!(decode(bytes, Some(TextEncoding::Utf8), "postings", &mut errs).is_none());
        assert_eq!(errs.errors.len(), 1);
    }
}
