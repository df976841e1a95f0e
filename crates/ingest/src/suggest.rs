//! `tvaers profile suggest`: a mapping profile guessed from a folder of exports.
//!
//! Reads the first bytes and rows of each CSV file in the folder and guesses, per file, the
//! encoding (UTF-8 or Windows-1252), the separator, the decimal separator and the date forms;
//! which export it is (persons, relations, catalogue, spells, postings, prices — by how many of
//! that export's fields its header names); and which column holds which field, by the similarity
//! of the header's names to the names such exports use. The result is a commented TOML profile
//! (docs/data-formats.md, "Mapping profiles") for the analyst to check and edit; what could not
//! be found is written as a comment that says so.

use crate::aliases;
use crate::profile::{FileKind, toml_str};
use crate::source::detect_delimiter;
use crate::values::parse_date;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use tvaers_messages::{Key, Lang, t, tn};

/// How much of each file is read (the rest is not needed to guess its layout).
pub const SAMPLE_BYTES: u64 = 1 << 20;
/// How many data rows of each file are looked at.
pub const SAMPLE_ROWS: usize = 500;

/// Why no profile could be suggested.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no CSV files in {0}")]
    NoFiles(PathBuf),
}

impl SuggestError {
    pub fn render(&self, lang: Lang) -> String {
        match self {
            SuggestError::Io { path, source } => {
                tn(lang, Key::profile_suggest_io, &[&path.display(), source])
            }
            SuggestError::NoFiles(dir) => {
                tn(lang, Key::profile_suggest_no_files, &[&dir.display()])
            }
        }
    }
}

/// Names that exports use for each field, normalised (see [`norm`]). An exact match scores
/// higher than a header that contains one of these as its words (`BELOEB_DKK` ⊃ `beloeb`).
const SYNONYMS: &[(FileKind, &str, &[&str])] = &[
    (
        FileKind::Persons,
        "cpr",
        &[
            "cpr",
            "cprnr",
            "cpr_nr",
            "cpr_nummer",
            "personnummer",
            "pnr",
        ],
    ),
    (
        FileKind::Persons,
        "birth_date",
        &[
            "foedselsdato",
            "fodselsdato",
            "foedt",
            "fodt",
            "f_dato",
            "birth_date",
            "birthdate",
        ],
    ),
    (
        FileKind::Persons,
        "sex",
        &["koen", "kon", "koen_kode", "kon_kode", "sex", "gender"],
    ),
    (
        FileKind::Persons,
        "family",
        &[
            "familie_id",
            "familie",
            "familienr",
            "husstand",
            "husstand_id",
            "husstands_id",
            "husstandsnr",
            "family",
            "family_id",
            "household",
        ],
    ),
    (
        FileKind::Relations,
        "cpr",
        &["cpr", "cprnr", "cpr_nr", "pnr", "personnummer"],
    ),
    (
        FileKind::Relations,
        "related_cpr",
        &[
            "relateret_cpr",
            "rel_cpr",
            "rel_cprnr",
            "rel_pnr",
            "relation_cpr",
            "related_cpr",
        ],
    ),
    (
        FileKind::Relations,
        "relation",
        &[
            "relation",
            "rel_type",
            "relationstype",
            "rel_kode",
            "relation_type",
            "relationskode",
        ],
    ),
    (
        FileKind::Catalogue,
        "code",
        &[
            "kode",
            "ydelse_kode",
            "ydelseskode",
            "ydelse",
            "code",
            "service_code",
        ],
    ),
    (
        FileKind::Catalogue,
        "name_da",
        &[
            "navn_da",
            "navn",
            "ydelse_navn",
            "ydelsesnavn",
            "betegnelse",
            "name",
            "name_da",
        ],
    ),
    (
        FileKind::Catalogue,
        "name_en",
        &["navn_en", "ydelse_navn_en", "ydelsesnavn_en", "name_en"],
    ),
    (
        FileKind::Catalogue,
        "department",
        &[
            "forvaltning",
            "forvaltningsomraade",
            "omraade",
            "org_enhed",
            "department",
        ],
    ),
    (
        FileKind::Catalogue,
        "kind",
        &["art", "ydelse_art", "ydelsesart", "ydelsestype", "kind"],
    ),
    (
        FileKind::Catalogue,
        "legal_basis",
        &["hjemmel", "lovhjemmel", "paragraf", "legal_basis"],
    ),
    (
        FileKind::Catalogue,
        "unit",
        &["enhed", "afregningsenhed", "unit"],
    ),
    (
        FileKind::Catalogue,
        "function",
        &["funktion", "konto_funktion", "kontofunktion", "function"],
    ),
    (
        FileKind::Catalogue,
        "tags",
        &["kategorier", "kategori", "tags"],
    ),
    (
        FileKind::Spells,
        "cpr",
        &["cpr", "cprnr", "cpr_nr", "pnr", "personnummer"],
    ),
    (
        FileKind::Spells,
        "service",
        &["ydelse", "ydelse_kode", "ydelseskode", "kode", "service"],
    ),
    (
        FileKind::Spells,
        "start",
        &[
            "start",
            "start_dato",
            "startdato",
            "fra",
            "fra_dato",
            "bevilget_fra",
            "start_date",
        ],
    ),
    (
        FileKind::Spells,
        "end",
        &[
            "slut",
            "slut_dato",
            "slutdato",
            "til",
            "til_dato",
            "bevilget_til",
            "end",
            "end_date",
        ],
    ),
    (
        FileKind::Spells,
        "volume",
        &["omfang", "antal", "maengde", "volume"],
    ),
    (FileKind::Spells, "unit", &["enhed", "unit"]),
    (
        FileKind::Spells,
        "contact",
        &[
            "kontaktperson",
            "sagsbehandler",
            "medarbejder",
            "initialer",
            "contact",
        ],
    ),
    (
        FileKind::Postings,
        "date",
        &[
            "bogfoeringsdato",
            "bogf_dato",
            "bogfdato",
            "posteringsdato",
            "dato",
            "date",
        ],
    ),
    (
        FileKind::Postings,
        "function",
        &["funktion", "konto_funktion", "kontofunktion", "function"],
    ),
    (
        FileKind::Postings,
        "amount",
        &["beloeb", "belob", "beloeb_dkk", "beloeb_kr", "amount"],
    ),
    (
        FileKind::Postings,
        "cpr",
        &["cpr", "cprnr", "cpr_nr", "pnr", "personnummer"],
    ),
    (
        FileKind::Postings,
        "service",
        &["ydelse", "ydelse_kode", "ydelseskode", "service"],
    ),
    (
        FileKind::Postings,
        "text",
        &["tekst", "posteringstekst", "text", "beskrivelse"],
    ),
    (
        FileKind::Postings,
        "sign",
        &["debet_kredit", "dk", "d_k", "fortegn", "dk_kode", "dc"],
    ),
    (FileKind::Postings, "debit", &["debet", "debit"]),
    (FileKind::Postings, "credit", &["kredit", "credit"]),
    (
        FileKind::Prices,
        "service",
        &["ydelse", "ydelse_kode", "ydelseskode", "kode", "service"],
    ),
    (FileKind::Prices, "unit", &["enhed", "unit"]),
    (
        FileKind::Prices,
        "price",
        &["pris", "enhedspris", "takst", "price"],
    ),
    (
        FileKind::Prices,
        "year",
        &["aar", "aarstal", "takstaar", "year"],
    ),
    (FileKind::Prices, "source", &["kilde", "source"]),
];

/// Words in file names that hint at an export (`OPUS_POSTERINGER.csv`).
const FILE_HINTS: &[(FileKind, &[&str])] = &[
    (FileKind::Persons, &["person", "borger", "cpr_udtraek"]),
    (FileKind::Relations, &["relation", "famil"]),
    (FileKind::Catalogue, &["katalog", "catalogue"]),
    (
        FileKind::Spells,
        &["forloeb", "aktivitet", "fagsystem", "bevilling", "spell"],
    ),
    (
        FileKind::Postings,
        &["postering", "oekonomi", "finans", "bogfoering", "posting"],
    ),
    (FileKind::Prices, &["pris", "takst", "price"]),
];

/// The coded fields whose values are checked against the built-in spellings.
const CODED: &[(FileKind, &str, &str)] = &[
    (FileKind::Persons, "sex", "persons.sex"),
    (FileKind::Relations, "relation", "relations.relation"),
    (FileKind::Catalogue, "department", "catalogue.department"),
    (FileKind::Catalogue, "kind", "catalogue.kind"),
    (FileKind::Catalogue, "unit", "*.unit"),
    (FileKind::Spells, "unit", "*.unit"),
    (FileKind::Prices, "unit", "*.unit"),
    (FileKind::Postings, "sign", "postings.sign"),
];

/// The fields that hold amounts or quantities (evidence for the decimal separator).
const NUMERIC: &[(FileKind, &str)] = &[
    (FileKind::Spells, "volume"),
    (FileKind::Postings, "amount"),
    (FileKind::Postings, "debit"),
    (FileKind::Postings, "credit"),
    (FileKind::Prices, "price"),
];

/// The date fields (their forms go into a comment).
const DATES: &[(FileKind, &str)] = &[
    (FileKind::Persons, "birth_date"),
    (FileKind::Spells, "start"),
    (FileKind::Spells, "end"),
    (FileKind::Postings, "date"),
];

/// Lower case, `æ ø å` as `ae oe aa`, every run of other characters one `_`.
fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'æ' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'é' => out.push('e'),
            _ => {
                if !out.ends_with('_') && !out.is_empty() {
                    out.push('_');
                }
            }
        }
    }
    out.trim_end_matches('_').to_string()
}

/// How well header `h` (normalised) names a field with these synonyms: 3 exact, 2 when its
/// words contain a synonym's words, else 0.
fn similarity(h: &str, synonyms: &[&str]) -> u32 {
    if synonyms.contains(&h) {
        return 3;
    }
    let words: Vec<&str> = h.split('_').collect();
    let contains = |s: &&str| s.split('_').all(|w| words.contains(&w));
    if synonyms.iter().any(contains) { 2 } else { 0 }
}

fn synonyms(kind: FileKind, field: &str) -> &'static [&'static str] {
    SYNONYMS
        .iter()
        .find(|(k, f, _)| *k == kind && *f == field)
        .map_or(&[], |(_, _, s)| s)
}

/// What was read of one file.
struct Sample {
    name: String,
    /// `None`: only ASCII seen (either encoding reads it).
    encoding: Option<&'static str>,
    delimiter: u8,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sample {
    /// The values of column `c` in the rows read (trimmed, empty ones left out).
    fn values(&self, c: usize) -> impl Iterator<Item = &str> {
        self.rows
            .iter()
            .filter_map(move |r| r.get(c))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn read_sample(path: &Path, name: String) -> Result<Sample, SuggestError> {
    let io = |source| SuggestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(SAMPLE_BYTES).read_to_end(&mut bytes))
        .map_err(io)?;
    let cut = bytes.len() as u64 == SAMPLE_BYTES;
    if cut && let Some(end) = bytes.iter().rposition(|&b| b == b'\n') {
        bytes.truncate(end + 1);
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = if bom { &bytes[3..] } else { &bytes[..] };
    let (text, encoding) = match std::str::from_utf8(body) {
        Ok(s) if s.is_ascii() && !bom => (s.to_string(), None),
        Ok(s) => (s.to_string(), Some("utf-8")),
        Err(_) => {
            let text = encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(body)
                .0
                .into_owned();
            (text, Some("windows-1252"))
        }
    };
    let mut rest = text.as_str();
    let mut declared = None;
    if let Some(first) = rest.split('\n').next()
        && let Some(sep) = first.trim_end_matches('\r').strip_prefix("sep=")
        && sep.len() == 1
    {
        declared = Some(sep.as_bytes()[0]);
        rest = &rest[(first.len() + 1).min(rest.len())..];
    }
    let header_line = rest.split('\n').next().unwrap_or("");
    let delimiter = declared.unwrap_or_else(|| detect_delimiter(header_line));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(rest.as_bytes());
    let mut records = rdr.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|f| f.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    let rows = records
        .take(SAMPLE_ROWS)
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    Ok(Sample {
        name,
        encoding,
        delimiter,
        header,
        rows,
    })
}

/// Which column holds which field of `kind` (per field in [`FileKind::fields`] order), and how
/// well the header fits the export: the sum of the matches.
fn assign(kind: FileKind, header: &[String]) -> (Vec<Option<usize>>, u32) {
    let names: Vec<String> = header.iter().map(|h| norm(h)).collect();
    let fields = kind.fields();
    let mut candidates = Vec::new();
    for (f, spec) in fields.iter().enumerate() {
        for (c, h) in names.iter().enumerate() {
            let s = similarity(h, synonyms(kind, spec.name));
            if s > 0 {
                candidates.push((s, f, c));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut by_field: Vec<Option<(usize, u32)>> = vec![None; fields.len()];
    let mut used = vec![false; names.len()];
    for (s, f, c) in candidates {
        if by_field[f].is_none() && !used[c] {
            by_field[f] = Some((c, s));
            used[c] = true;
        }
    }
    if kind == FileKind::Postings {
        use crate::profile::fields::postings::*;
        if by_field[DEBIT].is_some() && by_field[CREDIT].is_some() {
            by_field[AMOUNT] = None;
            by_field[SIGN] = None;
        } else {
            by_field[DEBIT] = None;
            by_field[CREDIT] = None;
            if by_field[AMOUNT].is_none() {
                by_field[SIGN] = None;
            }
        }
    }
    let score = by_field.iter().flatten().map(|(_, s)| s).sum();
    (by_field.iter().map(|o| o.map(|(c, _)| c)).collect(), score)
}

/// Whether enough of an export's required fields are found for the file to be that export.
fn plausible(kind: FileKind, cols: &[Option<usize>]) -> bool {
    let required: Vec<usize> = kind
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.required && !f.default_column.is_empty())
        .map(|(i, _)| i)
        .collect();
    let found = required.iter().filter(|&&i| cols[i].is_some()).count();
    let debit_credit =
        kind == FileKind::Postings && cols[crate::profile::fields::postings::DEBIT].is_some();
    found + usize::from(debit_credit) >= required.len().div_ceil(2).max(2)
}

/// `'.'` or `','` from the values of the numeric fields; `None` without evidence either way.
fn guess_decimal<'a>(values: impl Iterator<Item = &'a str>) -> Option<char> {
    let (mut comma, mut point) = (0, 0);
    for v in values {
        let v = v.trim_matches(|c: char| !c.is_ascii_digit());
        let (c, p) = (v.rfind(','), v.rfind('.'));
        let decimals = |at: usize| v.len() - at - 1;
        match (c, p) {
            (Some(c), Some(p)) if c > p => comma += 1,
            (Some(_), Some(_)) => point += 1,
            // One separator and not three digits after it: a decimal, not thousands.
            (Some(c), None) if decimals(c) != 3 => comma += 1,
            (None, Some(p)) if decimals(p) != 3 => point += 1,
            _ => {}
        }
    }
    match comma.cmp(&point) {
        std::cmp::Ordering::Greater => Some(','),
        std::cmp::Ordering::Less => Some('.'),
        std::cmp::Ordering::Equal => None,
    }
}

/// The form of one date value, for the comment (`dd.mm.yyyy`, `yyyymmdd + time`).
fn date_form(v: &str) -> Option<String> {
    parse_date(v)?;
    let (date, time) = match v.find([' ', 'T']) {
        Some(at) => (&v[..at], true),
        None => (v, false),
    };
    let form = if date.len() == 8 && !date.contains(['-', '.', '/']) {
        "yyyymmdd".to_string()
    } else if date.as_bytes().get(4) == Some(&b'-') {
        "yyyy-mm-dd".to_string()
    } else {
        let sep = date.chars().find(|c| matches!(c, '-' | '.' | '/'))?;
        format!("dd{sep}mm{sep}yyyy")
    };
    Some(if time { format!("{form} hh:mm") } else { form })
}

/// One file read as one export.
struct Chosen<'a> {
    sample: &'a Sample,
    cols: Vec<Option<usize>>,
}

/// The suggested profile for the exports in `input`, as commented TOML, comments in `lang`.
pub fn suggest(input: &Path, lang: Lang) -> Result<String, SuggestError> {
    let io = |source| SuggestError::Io {
        path: input.to_path_buf(),
        source,
    };
    let mut names: Vec<String> = std::fs::read_dir(input)
        .map_err(io)?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| {
            let l = n.to_lowercase();
            l.ends_with(".csv") || l.ends_with(".txt")
        })
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(SuggestError::NoFiles(input.to_path_buf()));
    }
    let samples = names
        .into_iter()
        .map(|n| read_sample(&input.join(&n), n))
        .collect::<Result<Vec<_>, _>>()?;

    // Every (file, export) pair that fits, best first; each file and export taken once.
    let mut pairs = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let stem = norm(s.name.rsplit_once('.').map_or(&s.name[..], |(a, _)| a));
        for kind in FileKind::ALL {
            let (cols, mut score) = assign(kind, &s.header);
            if !plausible(kind, &cols) {
                continue;
            }
            let hinted = FILE_HINTS
                .iter()
                .any(|(k, words)| *k == kind && words.iter().any(|w| stem.contains(w)));
            if hinted {
                score += 2;
            }
            pairs.push((score, i, kind, cols));
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<(FileKind, Chosen<'_>)> = Vec::new();
    let mut used = vec![false; samples.len()];
    for (_, i, kind, cols) in pairs {
        if used[i] || chosen.iter().any(|(k, _)| *k == kind) {
            continue;
        }
        used[i] = true;
        chosen.push((
            kind,
            Chosen {
                sample: &samples[i],
                cols,
            },
        ));
    }

    let mut out = String::new();
    let line = |out: &mut String, s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    let comment = |out: &mut String, s: &str| {
        out.push_str("# ");
        out.push_str(s);
        out.push('\n');
    };
    comment(
        &mut out,
        &tn(
            lang,
            Key::profile_suggest_header,
            &[&SAMPLE_ROWS, &input.display()],
        ),
    );
    comment(&mut out, t(lang, Key::profile_suggest_check));
    line(
        &mut out,
        &format!(
            "description = {}",
            toml_str(&tn(
                lang,
                Key::profile_suggest_description,
                &[&input.display()]
            ))
        ),
    );
    for kind in FileKind::ALL {
        out.push('\n');
        let Some((_, c)) = chosen.iter().find(|(k, _)| *k == kind) else {
            comment(
                &mut out,
                &tn(lang, Key::profile_suggest_no_file, &[&kind.key()]),
            );
            continue;
        };
        write_table(&mut out, kind, c, lang);
    }
    let unused: Vec<&str> = samples
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(_, s)| s.name.as_str())
        .collect();
    if !unused.is_empty() {
        out.push('\n');
        comment(
            &mut out,
            &tn(
                lang,
                Key::profile_suggest_unused_files,
                &[&unused.join(", ")],
            ),
        );
    }
    Ok(out)
}

fn write_table(out: &mut String, kind: FileKind, c: &Chosen<'_>, lang: Lang) {
    let s = c.sample;
    let table = kind.key();
    let fields = kind.fields();
    let col_of = |field: &str| {
        fields
            .iter()
            .position(|f| f.name == field)
            .and_then(|f| c.cols[f])
    };
    let found = c.cols.iter().flatten().count();
    let wanted = fields
        .iter()
        .enumerate()
        .filter(|(i, f)| !f.default_column.is_empty() || c.cols[*i].is_some())
        .count();
    let mut dates = BTreeSet::new();
    for (k, field) in DATES {
        if *k == kind
            && let Some(col) = col_of(field)
        {
            dates.extend(s.values(col).filter_map(date_form));
        }
    }
    let dates = if dates.is_empty() {
        "-".to_string()
    } else {
        dates.into_iter().collect::<Vec<_>>().join(", ")
    };
    let numeric: Vec<&str> = NUMERIC
        .iter()
        .filter(|(k, _)| *k == kind)
        .filter_map(|(_, f)| col_of(f))
        .flat_map(|col| s.values(col))
        .collect();
    let decimal = guess_decimal(numeric.iter().copied());
    let delimiter = (s.delimiter as char).to_string();
    let encoding = s.encoding.unwrap_or("auto");
    out.push_str(&format!("[{table}]\n"));
    out.push_str(&format!(
        "# {}\n",
        tn(
            lang,
            Key::profile_suggest_table,
            &[&s.name, &found, &wanted, &s.rows.len()]
        )
    ));
    out.push_str(&format!(
        "# {}\n",
        tn(
            lang,
            Key::profile_suggest_detected,
            &[&format!("{delimiter:?}"), &encoding, &dates]
        )
    ));
    out.push_str(&format!("file = {}\n", toml_str(&s.name)));
    out.push_str(&format!("delimiter = {}\n", toml_str(&delimiter)));
    out.push_str(&format!("encoding = {}\n", toml_str(encoding)));
    let has_numbers = NUMERIC.iter().any(|(k, _)| *k == kind);
    match decimal {
        Some(d) => out.push_str(&format!("decimal = {}\n", toml_str(&d.to_string()))),
        None if !has_numbers => {}
        None => out.push_str(&format!(
            "# decimal = \",\"   # {}\n",
            t(lang, Key::profile_suggest_no_decimal)
        )),
    }
    let amounts_whole = !numeric.is_empty()
        && matches!(kind, FileKind::Postings | FileKind::Prices)
        && numeric.iter().all(|v| !v.contains([',', '.']));
    if amounts_whole {
        out.push_str(&format!(
            "# amount_unit = \"øre\"   # {}\n",
            t(lang, Key::profile_suggest_amount_unit)
        ));
    }
    out.push_str(&format!("[{table}.columns]\n"));
    for (i, spec) in fields.iter().enumerate() {
        match c.cols[i] {
            Some(col) => out.push_str(&format!("{} = {}\n", spec.name, toml_str(&s.header[col]))),
            // Sign and debit/credit columns are written only when found.
            None if spec.default_column.is_empty() => {}
            None if kind == FileKind::Postings
                && spec.name == "amount"
                && col_of("debit").is_some() => {}
            None if spec.required => out.push_str(&format!(
                "# {} = \"?\"   # {}\n",
                spec.name,
                t(lang, Key::profile_suggest_required_missing)
            )),
            None => out.push_str(&format!(
                "# {} = \"?\"   # {}\n",
                spec.name,
                t(lang, Key::profile_suggest_optional_absent)
            )),
        }
    }
    let rest: Vec<&str> = s
        .header
        .iter()
        .enumerate()
        .filter(|(i, _)| !c.cols.contains(&Some(*i)))
        .map(|(_, h)| h.as_str())
        .collect();
    if !rest.is_empty() {
        out.push_str(&format!(
            "# {}\n",
            tn(
                lang,
                Key::profile_suggest_unused_columns,
                &[&rest.join(", ")]
            )
        ));
    }
    for (k, field, table_field) in CODED {
        if *k != kind {
            continue;
        }
        let Some(col) = col_of(field) else { continue };
        let unknown: BTreeSet<&str> = s
            .values(col)
            .filter(|v| !aliases::known(table_field, v))
            .take(20)
            .collect();
        if unknown.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "# {}\n",
            tn(
                lang,
                Key::profile_suggest_unknown_values,
                &[&s.header[col], &aliases::codes(table_field)]
            )
        ));
        out.push_str(&format!("# [{table}.values.{field}]\n"));
        for v in unknown {
            out.push_str(&format!("# {} = \"?\"\n", toml_str(v)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_compared_by_words() {
        assert_eq!(norm("BELØB_DKK"), "beloeb_dkk");
        assert_eq!(norm(" Fødselsdato "), "foedselsdato");
        assert_eq!(norm("Bogf. dato"), "bogf_dato");
        assert_eq!(
            similarity("beloeb_dkk", synonyms(FileKind::Postings, "amount")),
            3
        );
        assert_eq!(
            similarity("beloeb_i_kr", synonyms(FileKind::Postings, "amount")),
            2
        );
        assert_eq!(
            similarity("tekst", synonyms(FileKind::Postings, "amount")),
            0
        );
    }

    #[test]
    fn decimal_separator_from_values() {
        assert_eq!(guess_decimal(["11.944,00", "3,5"].into_iter()), Some(','));
        assert_eq!(guess_decimal(["610.00", "1,234.50"].into_iter()), Some('.'));
        assert_eq!(
            guess_decimal(["1.234", "12"].into_iter()),
            None,
            "ambiguous"
        );
        assert_eq!(guess_decimal(["kr. 500,50-"].into_iter()), Some(','));
    }

    #[test]
    fn date_forms_are_named() {
        assert_eq!(date_form("01.03.2024").as_deref(), Some("dd.mm.yyyy"));
        assert_eq!(date_form("2024-03-01").as_deref(), Some("yyyy-mm-dd"));
        assert_eq!(date_form("20240301").as_deref(), Some("yyyymmdd"));
        assert_eq!(
            date_form("01-03-2024 00:00:00").as_deref(),
            Some("dd-mm-yyyy hh:mm")
        );
        assert_eq!(date_form("i går"), None);
    }

    #[test]
    fn debit_and_credit_columns_replace_the_amount() {
        let header: Vec<String> = ["Dato", "Funktion", "Debet", "Kredit", "CPR"]
            .map(String::from)
            .to_vec();
        let (cols, _) = assign(FileKind::Postings, &header);
        use crate::profile::fields::postings::*;
        assert_eq!(cols[DEBIT], Some(2));
        assert_eq!(cols[CREDIT], Some(3));
        assert_eq!(cols[AMOUNT], None);
        let header: Vec<String> = ["Dato", "Funktion", "Beløb", "D/K"]
            .map(String::from)
            .to_vec();
        let (cols, _) = assign(FileKind::Postings, &header);
        assert_eq!((cols[AMOUNT], cols[SIGN]), (Some(2), Some(3)));
    }
}
