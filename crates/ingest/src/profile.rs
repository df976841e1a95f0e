//! Mapping profiles: which file and which column holds which field (docs/data-formats.md,
//! "Mapping profiles").
//!
//! A profile is a small TOML file with one table per export (`[persons]`, `[relations]`,
//! `[catalogue]`, `[spells]`, `[postings]`, `[prices]`), each with `file`, `delimiter`,
//! `encoding`, `decimal` and a `[<table>.columns]` map from *field* name to *column* name. Every
//! key is optional; what is left out falls back to [`Profile::default_profile`], which is exactly
//! what `tvaers generate` writes. Unknown tables, keys and field names are errors, so that a typo
//! in a profile is reported instead of silently falling back to the default.
//!
//! `delimiter` and `encoding` may be `"auto"` (the default): the separator is then detected from
//! the header line and the encoding from the bytes (UTF-8 if valid, else Windows-1252). The
//! decimal separator cannot be detected reliably (`1.234` is ambiguous), so every file has one.

use crate::error::Message;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Component, Path, PathBuf};
use toml::Spanned;
use tvaers_messages::{Key, Lang, tn};

/// One of the six exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Persons,
    Relations,
    Catalogue,
    Spells,
    Postings,
    Prices,
}

/// A field of an export: its name in profiles, its column in the default layout, and whether
/// the column must be present (columns whose values may be empty may also be absent).
///
/// A field whose default column is `""` is not read unless a profile names its column (the
/// postings' `sign`, `debit` and `credit`); named, it is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub default_column: &'static str,
    pub required: bool,
}

const fn req(name: &'static str, default_column: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        default_column,
        required: true,
    }
}

const fn opt(name: &'static str, default_column: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        default_column,
        required: false,
    }
}

/// Field positions, per file, into [`FileKind::fields`]. The readers index rows by these.
pub(crate) mod fields {
    pub mod persons {
        pub const CPR: usize = 0;
        pub const BIRTH_DATE: usize = 1;
        pub const SEX: usize = 2;
        pub const FAMILY: usize = 3;
    }
    pub mod relations {
        pub const CPR: usize = 0;
        pub const RELATED_CPR: usize = 1;
        pub const RELATION: usize = 2;
    }
    pub mod catalogue {
        pub const CODE: usize = 0;
        pub const NAME_DA: usize = 1;
        pub const NAME_EN: usize = 2;
        pub const DEPARTMENT: usize = 3;
        pub const KIND: usize = 4;
        pub const LEGAL_BASIS: usize = 5;
        pub const UNIT: usize = 6;
        pub const FUNCTION: usize = 7;
        pub const TAGS: usize = 8;
    }
    pub mod spells {
        pub const CPR: usize = 0;
        pub const SERVICE: usize = 1;
        pub const START: usize = 2;
        pub const END: usize = 3;
        pub const VOLUME: usize = 4;
        pub const UNIT: usize = 5;
        pub const CONTACT: usize = 6;
    }
    pub mod postings {
        pub const DATE: usize = 0;
        pub const FUNCTION: usize = 1;
        pub const AMOUNT: usize = 2;
        pub const CPR: usize = 3;
        pub const SERVICE: usize = 4;
        pub const SIGN: usize = 6;
        pub const DEBIT: usize = 7;
        pub const CREDIT: usize = 8;
    }
    pub mod prices {
        pub const SERVICE: usize = 0;
        pub const UNIT: usize = 1;
        pub const PRICE: usize = 2;
        pub const YEAR: usize = 3;
        pub const SOURCE: usize = 4;
    }
}

const PERSONS: [FieldSpec; 4] = [
    req("cpr", "cpr"),
    req("birth_date", "foedselsdato"),
    req("sex", "koen"),
    req("family", "familie_id"),
];
const RELATIONS: [FieldSpec; 3] = [
    req("cpr", "cpr"),
    req("related_cpr", "relateret_cpr"),
    req("relation", "relation"),
];
const CATALOGUE: [FieldSpec; 9] = [
    req("code", "kode"),
    req("name_da", "navn_da"),
    opt("name_en", "navn_en"),
    req("department", "forvaltning"),
    req("kind", "art"),
    opt("legal_basis", "hjemmel"),
    req("unit", "enhed"),
    req("function", "funktion"),
    opt("tags", "kategorier"),
];
const SPELLS: [FieldSpec; 7] = [
    req("cpr", "cpr"),
    req("service", "ydelse"),
    req("start", "start"),
    req("end", "slut"),
    req("volume", "omfang"),
    req("unit", "enhed"),
    opt("contact", "kontaktperson"),
];
// `text` is listed so that a profile may name it, but it is never read: free text may name
// people and is not carried into the analysis dataset. `sign` (a debit/credit indicator column)
// and `debit`/`credit` (two amount columns instead of `amount`) are read only when named.
const POSTINGS: [FieldSpec; 9] = [
    req("date", "bogfoeringsdato"),
    req("function", "funktion"),
    req("amount", "beloeb"),
    opt("cpr", "cpr"),
    opt("service", "ydelse"),
    opt("text", "tekst"),
    req("sign", ""),
    req("debit", ""),
    req("credit", ""),
];
const PRICES: [FieldSpec; 5] = [
    req("service", "ydelse"),
    req("unit", "enhed"),
    req("price", "pris"),
    req("year", "aar"),
    opt("source", "kilde"),
];

/// The most fields any file has; rows are read into arrays of this length.
pub(crate) const MAX_FIELDS: usize = 9;

impl FileKind {
    pub const ALL: [FileKind; 6] = [
        FileKind::Persons,
        FileKind::Relations,
        FileKind::Catalogue,
        FileKind::Spells,
        FileKind::Postings,
        FileKind::Prices,
    ];

    /// The table name in profiles.
    pub fn key(self) -> &'static str {
        match self {
            FileKind::Persons => "persons",
            FileKind::Relations => "relations",
            FileKind::Catalogue => "catalogue",
            FileKind::Spells => "spells",
            FileKind::Postings => "postings",
            FileKind::Prices => "prices",
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            FileKind::Persons => &PERSONS,
            FileKind::Relations => &RELATIONS,
            FileKind::Catalogue => &CATALOGUE,
            FileKind::Spells => &SPELLS,
            FileKind::Postings => &POSTINGS,
            FileKind::Prices => &PRICES,
        }
    }

    fn default_file(self) -> &'static str {
        match self {
            FileKind::Persons => "personer.csv",
            FileKind::Relations => "relationer.csv",
            FileKind::Catalogue => "ydelseskatalog.csv",
            FileKind::Spells => "forloeb.csv",
            FileKind::Postings => "posteringer.csv",
            FileKind::Prices => "enhedspriser.csv",
        }
    }

    /// The decimal separator of the generator's layout: the case-system and financial exports
    /// use the Danish decimal comma, the others `.`.
    fn default_decimal(self) -> char {
        match self {
            FileKind::Spells | FileKind::Postings => ',',
            _ => '.',
        }
    }
}

/// Text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// Whether amounts (a posting's amount, a unit price) are written in kroner with decimals, or
/// in whole øre as some financial systems export them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmountUnit {
    #[default]
    Kroner,
    Ore,
}

impl AmountUnit {
    /// The value in profiles.
    pub fn label(self) -> &'static str {
        match self {
            AmountUnit::Kroner => "kroner",
            AmountUnit::Ore => "øre",
        }
    }
}

/// The fields whose values a profile may map (`[<table>.values.<field>]`): the coded ones.
const MAPPABLE: [(FileKind, &str); 8] = [
    (FileKind::Persons, "sex"),
    (FileKind::Relations, "relation"),
    (FileKind::Catalogue, "department"),
    (FileKind::Catalogue, "kind"),
    (FileKind::Catalogue, "unit"),
    (FileKind::Spells, "unit"),
    (FileKind::Prices, "unit"),
    (FileKind::Postings, "sign"),
];

/// Whether `value` is a code the reader accepts for `field` (so that a mapping to a typo is
/// reported at the profile's line, not once per row).
fn valid_code(kind: FileKind, field: &str, value: &str) -> bool {
    use crate::aliases;
    match (kind, field) {
        (FileKind::Persons, "sex") => aliases::sex(value).is_some(),
        (FileKind::Relations, "relation") => aliases::relation(value).is_some(),
        (FileKind::Catalogue, "department") => aliases::department(value).is_some(),
        (FileKind::Catalogue, "kind") => aliases::service_kind(value).is_some(),
        (FileKind::Postings, "sign") => aliases::sign(value).is_some(),
        (_, "unit") => aliases::unit(value).is_some(),
        _ => false,
    }
}

/// How one export is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProfile {
    /// File name relative to the input directory (`.csv` or `.parquet`).
    pub file: String,
    /// Field separator; `None` = detect from the header line.
    pub delimiter: Option<u8>,
    /// `None` = UTF-8 if the bytes are valid UTF-8, else Windows-1252.
    pub encoding: Option<TextEncoding>,
    /// `'.'` or `','`.
    pub decimal: char,
    /// Field name → column name, one entry for every field of the file that is read (the
    /// postings' `sign`, `debit` and `credit` only when the profile names them; `amount` not
    /// when `debit` and `credit` take its place).
    pub columns: BTreeMap<String, String>,
    /// Kroner or øre, for the amount fields (postings' `amount`, prices' `price`).
    pub amount_unit: AmountUnit,
    /// Field name → (value in the file → the code Tværs reads), for coded fields whose values
    /// the municipality writes its own way (`"Beskæftigelse" = "beskaeftigelse"`). A value
    /// with no entry is read as it is.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

impl FileProfile {
    fn default_for(kind: FileKind) -> FileProfile {
        FileProfile {
            file: kind.default_file().to_string(),
            delimiter: None,
            encoding: None,
            decimal: kind.default_decimal(),
            columns: kind
                .fields()
                .iter()
                .filter(|f| !f.default_column.is_empty())
                .map(|f| (f.name.to_string(), f.default_column.to_string()))
                .collect(),
            amount_unit: AmountUnit::Kroner,
            values: BTreeMap::new(),
        }
    }

    /// The column that holds `field` (a field name of this file's kind).
    pub fn column<'a>(&'a self, field: &'a str) -> &'a str {
        self.columns.get(field).map(String::as_str).unwrap_or(field)
    }

    /// Whether `field` is read (its column is named, by the profile or by default).
    pub fn reads(&self, field: &str) -> bool {
        self.columns.contains_key(field)
    }
}

/// A complete mapping profile: one [`FileProfile`] per export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Free text from the profile's `description` key.
    pub description: Option<String>,
    pub persons: FileProfile,
    pub relations: FileProfile,
    pub catalogue: FileProfile,
    pub spells: FileProfile,
    pub postings: FileProfile,
    pub prices: FileProfile,
    /// The years a date of service data (a spell, a posting) may fall in; a date outside is an
    /// error (a typo such as 31-12-2200 would otherwise move the default period). Key
    /// `service_years = [from, to]`; default [`DEFAULT_SERVICE_YEARS`].
    pub service_years: RangeInclusive<i32>,
}

/// The default window for dates of service data.
pub const DEFAULT_SERVICE_YEARS: RangeInclusive<i32> = 1900..=2100;

/// A profile that cannot be used. `Display` is the English text; [`ProfileError::render`] gives
/// it in a language.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `message` is the TOML parser's (English) description.
    #[error("profile {path} is not valid TOML for a mapping profile: {message}")]
    Syntax { path: PathBuf, message: String },
    /// `at` is `line:column` of the offending key or value.
    #[error("profile {path}:{at}: {message}")]
    Invalid {
        path: PathBuf,
        at: String,
        message: Message,
    },
}

impl ProfileError {
    pub fn render(&self, lang: Lang) -> String {
        match self {
            ProfileError::Io { path, source } => {
                tn(lang, Key::import_profile_io, &[&path.display(), source])
            }
            ProfileError::Syntax { path, message } => tn(
                lang,
                Key::import_profile_syntax,
                &[&path.display(), message],
            ),
            ProfileError::Invalid { path, at, message } => tn(
                lang,
                Key::import_profile_invalid,
                &[&path.display(), at, &message.render(lang)],
            ),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    description: Option<String>,
    service_years: Option<Spanned<Vec<i64>>>,
    persons: Option<RawFile>,
    relations: Option<RawFile>,
    catalogue: Option<RawFile>,
    spells: Option<RawFile>,
    postings: Option<RawFile>,
    prices: Option<RawFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    file: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    amount_unit: Option<Spanned<String>>,
    columns: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    values: Option<BTreeMap<Spanned<String>, RawValueMap>>,
}

/// A `[<table>.values.<field>]` table: value in the file → code.
type RawValueMap = BTreeMap<Spanned<String>, Spanned<String>>;

impl Profile {
    /// The layout `tvaers generate` writes (docs/data-formats.md), with separator and encoding
    /// detected.
    pub fn default_profile() -> Profile {
        Profile {
            description: None,
            persons: FileProfile::default_for(FileKind::Persons),
            relations: FileProfile::default_for(FileKind::Relations),
            catalogue: FileProfile::default_for(FileKind::Catalogue),
            spells: FileProfile::default_for(FileKind::Spells),
            postings: FileProfile::default_for(FileKind::Postings),
            prices: FileProfile::default_for(FileKind::Prices),
            service_years: DEFAULT_SERVICE_YEARS,
        }
    }

    pub fn get(&self, kind: FileKind) -> &FileProfile {
        match kind {
            FileKind::Persons => &self.persons,
            FileKind::Relations => &self.relations,
            FileKind::Catalogue => &self.catalogue,
            FileKind::Spells => &self.spells,
            FileKind::Postings => &self.postings,
            FileKind::Prices => &self.prices,
        }
    }

    fn get_mut(&mut self, kind: FileKind) -> &mut FileProfile {
        match kind {
            FileKind::Persons => &mut self.persons,
            FileKind::Relations => &mut self.relations,
            FileKind::Catalogue => &mut self.catalogue,
            FileKind::Spells => &mut self.spells,
            FileKind::Postings => &mut self.postings,
            FileKind::Prices => &mut self.prices,
        }
    }

    /// Reads a profile file; keys left out take the default profile's values.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Profile::from_toml(&text, path)
    }

    /// Parses the text of a profile file; `path` is how errors name it. What [`Profile::load`]
    /// does after reading the file (public for the fuzz target `fuzz/fuzz_targets/profile.rs`).
    pub fn from_toml(text: &str, path: &Path) -> Result<Profile, ProfileError> {
        Profile::parse(text).map_err(|e| match e {
            ParseError::Syntax(message) => ProfileError::Syntax {
                path: path.to_path_buf(),
                message,
            },
            ParseError::Invalid(message, at) => ProfileError::Invalid {
                path: path.to_path_buf(),
                at,
                message,
            },
        })
    }

    fn parse(text: &str) -> Result<Profile, ParseError> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| {
            // Where, as line:column, so that the user can find it in an editor.
            let at = e.span().map_or(String::new(), |span| {
                format!("{}: ", line_column(text, span))
            });
            ParseError::Syntax(format!("{at}{}", e.message()))
        })?;
        let invalid = |(message, span): (Message, Range<usize>)| {
            ParseError::Invalid(message, line_column(text, span))
        };
        let mut profile = Profile::default_profile();
        profile.description = raw.description;
        if let Some(years) = raw.service_years {
            profile.service_years = service_years(&years).map_err(invalid)?;
        }
        let tables = [
            (FileKind::Persons, raw.persons),
            (FileKind::Relations, raw.relations),
            (FileKind::Catalogue, raw.catalogue),
            (FileKind::Spells, raw.spells),
            (FileKind::Postings, raw.postings),
            (FileKind::Prices, raw.prices),
        ];
        for (kind, raw_file) in tables {
            if let Some(raw_file) = raw_file {
                apply(kind, profile.get_mut(kind), raw_file).map_err(invalid)?;
            }
        }
        Ok(profile)
    }
}

enum ParseError {
    Syntax(String),
    /// The message and where, as `line:column`.
    Invalid(Message, String),
}

/// `line:column` (1-based, columns in characters) of the start of `span` in `text`.
fn line_column(text: &str, span: Range<usize>) -> String {
    let (line, column) = tvaers_core::line_column(text, span.start);
    format!("{line}:{column}")
}

/// The years a service date may fall in, from `[from, to]`: dates are read from year 1 to
/// 9999, and the window must not be empty.
fn service_years(raw: &Spanned<Vec<i64>>) -> Result<RangeInclusive<i32>, (Message, Range<usize>)> {
    let fits = |y: i64| (1..=9999).contains(&y);
    match raw.get_ref().as_slice() {
        &[from, to] if fits(from) && fits(to) && from <= to => Ok(from as i32..=to as i32),
        _ => Err((
            Message::new(Key::import_profile_service_years, &[]),
            raw.span(),
        )),
    }
}

fn apply(
    kind: FileKind,
    fp: &mut FileProfile,
    raw: RawFile,
) -> Result<(), (Message, Range<usize>)> {
    let table = kind.key();
    if let Some(file) = raw.file {
        let span = file.span();
        let file = file.into_inner();
        let err = |m: Message| (m, span.clone());
        if file.trim().is_empty() {
            return Err(err(Message::new(Key::import_profile_file_empty, &[&table])));
        }
        // A file of the input folder, nothing else: no absolute path, no way up and out.
        let path = Path::new(file.trim());
        let inside = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            return Err(err(Message::new(
                Key::import_profile_file_outside,
                &[&table, &file.trim()],
            )));
        }
        fp.file = file.trim().to_string();
    }
    if let Some(d) = raw.delimiter {
        let span = d.span();
        let d = d.into_inner();
        fp.delimiter = match d.as_str() {
            "auto" => None,
            "," => Some(b','),
            ";" => Some(b';'),
            "\t" => Some(b'\t'),
            "|" => Some(b'|'),
            _ => {
                let d = format!("{d:?}");
                return Err((
                    Message::new(Key::import_profile_delimiter, &[&table, &d]),
                    span,
                ));
            }
        };
    }
    if let Some(e) = raw.encoding {
        let span = e.span();
        let e = e.into_inner();
        fp.encoding = match e.trim().to_lowercase().as_str() {
            "auto" => None,
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => {
                Some(TextEncoding::Windows1252)
            }
            _ => {
                let e = format!("{e:?}");
                return Err((
                    Message::new(Key::import_profile_encoding, &[&table, &e]),
                    span,
                ));
            }
        };
    }
    if let Some(d) = raw.decimal {
        let span = d.span();
        let d = d.into_inner();
        fp.decimal = match d.as_str() {
            "." => '.',
            "," => ',',
            _ => {
                let d = format!("{d:?}");
                return Err((
                    Message::new(Key::import_profile_decimal, &[&table, &d]),
                    span,
                ));
            }
        };
    }
    if let Some(u) = raw.amount_unit {
        let span = u.span();
        let u = u.into_inner();
        if !matches!(kind, FileKind::Postings | FileKind::Prices) {
            return Err((
                Message::new(Key::import_profile_amount_unit_where, &[&table]),
                span,
            ));
        }
        fp.amount_unit = match u.trim().to_lowercase().as_str() {
            "kroner" | "kr" => AmountUnit::Kroner,
            "øre" | "oere" => AmountUnit::Ore,
            _ => {
                let u = format!("{u:?}");
                return Err((
                    Message::new(Key::import_profile_amount_unit, &[&table, &u]),
                    span,
                ));
            }
        };
    }
    // Where the profile names a column or a value mapping, for the checks across keys below.
    let mut named: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut mapped: BTreeMap<String, Range<usize>> = BTreeMap::new();
    if let Some(values) = raw.values {
        for (field, map) in values {
            let field_span = field.span();
            let field = field.into_inner();
            mapped.insert(field.clone(), field_span.clone());
            if !MAPPABLE.contains(&(kind, field.as_str())) {
                let known: Vec<&str> = MAPPABLE
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, f)| *f)
                    .collect();
                let known = if known.is_empty() {
                    "-".to_string()
                } else {
                    known.join(", ")
                };
                let field = format!("{field:?}");
                return Err((
                    Message::new(Key::import_profile_values_field, &[&table, &field, &known]),
                    field_span,
                ));
            }
            let entry = fp.values.entry(field.clone()).or_default();
            for (from, to) in map {
                let to_span = to.span();
                let (from, to) = (from.into_inner(), to.into_inner());
                if !valid_code(kind, &field, to.trim()) {
                    let to = format!("{to:?}");
                    return Err((
                        Message::new(Key::import_profile_values_code, &[&table, &field, &to]),
                        to_span,
                    ));
                }
                entry.insert(from.trim().to_string(), to.trim().to_string());
            }
        }
    }
    if let Some(columns) = raw.columns {
        for (field, column) in columns {
            let (field_span, column_span) = (field.span(), column.span());
            let (field, column) = (field.into_inner(), column.into_inner());
            if !kind.fields().iter().any(|f| f.name == field) {
                let known: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
                let field = format!("{field:?}");
                return Err((
                    Message::new(
                        Key::import_profile_no_field,
                        &[&table, &field, &known.join(", ")],
                    ),
                    field_span,
                ));
            }
            if column.trim().is_empty() {
                return Err((
                    Message::new(Key::import_profile_empty_column, &[&table, &field]),
                    column_span,
                ));
            }
            named.insert(field.clone(), field_span);
            fp.columns.insert(field, column.trim().to_string());
        }
    }
    if kind == FileKind::Postings {
        sign_columns(fp, &named, &mapped)?;
    }
    Ok(())
}

/// The postings' sign convention: one `amount` column (signed, or with a `sign` indicator
/// column), or `debit` and `credit` columns instead of `amount`. `named` and `mapped` are the
/// fields the profile names in `[postings.columns]` and `[postings.values]`, with where.
fn sign_columns(
    fp: &mut FileProfile,
    named: &BTreeMap<String, Range<usize>>,
    mapped: &BTreeMap<String, Range<usize>>,
) -> Result<(), (Message, Range<usize>)> {
    let (debit, credit) = (named.get("debit"), named.get("credit"));
    if let Some(span) = debit.or(credit) {
        let this = if debit.is_some() { "debit" } else { "credit" };
        if let Some(amount) = named.get("amount") {
            // At whichever of the two comes later, where the contradiction becomes visible.
            let at = if amount.start > span.start {
                amount
            } else {
                span
            };
            return Err((
                Message::new(Key::import_profile_amount_and_debit_credit, &[&this]),
                at.clone(),
            ));
        }
        if debit.is_none() || credit.is_none() {
            let other = if debit.is_some() { "credit" } else { "debit" };
            return Err((
                Message::new(Key::import_profile_debit_credit_pair, &[&this, &other]),
                span.clone(),
            ));
        }
        if let Some(sign) = named.get("sign") {
            return Err((
                Message::from(Key::import_profile_sign_with_debit_credit),
                sign.clone(),
            ));
        }
        fp.columns.remove("amount");
    }
    if let Some(span) = mapped.get("sign")
        && !fp.columns.contains_key("sign")
    {
        return Err((
            Message::from(Key::import_profile_sign_values_without_column),
            span.clone(),
        ));
    }
    Ok(())
}

impl fmt::Display for Profile {
    /// The profile as TOML, every key written out (what `profiles/default.toml` holds for the
    /// default profile).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.description {
            writeln!(f, "description = {}", toml_str(d))?;
        }
        let years = &self.service_years;
        writeln!(f, "service_years = [{}, {}]", years.start(), years.end())?;
        for kind in FileKind::ALL {
            let fp = self.get(kind);
            writeln!(f, "\n[{}]", kind.key())?;
            writeln!(f, "file = {}", toml_str(&fp.file))?;
            let delimiter = match fp.delimiter {
                None => "auto".to_string(),
                Some(b) => (b as char).to_string(),
            };
            writeln!(f, "delimiter = {}", toml_str(&delimiter))?;
            let encoding = fp.encoding.map_or("auto", TextEncoding::label);
            writeln!(f, "encoding = {}", toml_str(encoding))?;
            writeln!(f, "decimal = {}", toml_str(&fp.decimal.to_string()))?;
            if matches!(kind, FileKind::Postings | FileKind::Prices) {
                writeln!(f, "amount_unit = {}", toml_str(fp.amount_unit.label()))?;
            }
            writeln!(f, "[{}.columns]", kind.key())?;
            for spec in kind.fields() {
                if let Some(column) = fp.columns.get(spec.name) {
                    writeln!(f, "{} = {}", spec.name, toml_str(column))?;
                }
            }
            for (field, map) in &fp.values {
                writeln!(f, "[{}.values.{}]", kind.key(), field)?;
                for (from, to) in map {
                    writeln!(f, "{} = {}", toml_str(from), toml_str(to))?;
                }
            }
        }
        Ok(())
    }
}

pub(crate) fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles")
    }

    #[test]
    fn shipped_default_profile_is_exactly_the_default() {
        let p = Profile::load(&profiles_dir().join("default.toml")).unwrap();
        assert_eq!(p.description.as_deref().map(|d| !d.is_empty()), Some(true));
        let mut p = p;
        p.description = None;
        assert_eq!(p, Profile::default_profile());
    }

    #[test]
    fn default_profile_matches_the_documented_layout() {
        // Spot checks against docs/data-formats.md, written from the doc, not from the code.
        let p = Profile::default_profile();
        assert_eq!(p.postings.file, "posteringer.csv");
        assert_eq!(p.postings.column("amount"), "beloeb");
        assert_eq!(p.postings.column("date"), "bogfoeringsdato");
        assert_eq!(p.postings.decimal, ',');
        assert_eq!(p.spells.decimal, ',');
        assert_eq!(p.prices.decimal, '.');
        assert_eq!(p.persons.column("birth_date"), "foedselsdato");
        assert_eq!(p.catalogue.column("tags"), "kategorier");
        assert_eq!(p.relations.column("related_cpr"), "relateret_cpr");
    }

    #[test]
    fn missing_keys_fall_back_to_the_default() {
        let p = Profile::parse(
            "[postings]\nfile = \"fin.csv\"\ndelimiter = \";\"\nencoding = \"windows-1252\"\n\
             [postings.columns]\namount = \"BELOEB_DKK\"\n",
        )
        .ok()
        .unwrap();
        assert_eq!(p.postings.file, "fin.csv");
        assert_eq!(p.postings.delimiter, Some(b';'));
        assert_eq!(p.postings.encoding, Some(TextEncoding::Windows1252));
        assert_eq!(p.postings.column("amount"), "BELOEB_DKK");
        assert_eq!(p.postings.column("date"), "bogfoeringsdato");
        assert_eq!(p.postings.decimal, ',');
        assert_eq!(p.persons, Profile::default_profile().persons);
    }

    #[test]
    fn typos_are_errors_not_silent_defaults() {
        let bad_field = Profile::parse("[spells.columns]\nvolumen = \"x\"\n");
        assert!(
            matches!(bad_field, Err(ParseError::Invalid(m, at)) if m.to_string().contains("volumen") && at == "2:1")
        );
        let bad_table = Profile::parse("[spels]\nfile = \"x.csv\"\n");
        assert!(matches!(bad_table, Err(ParseError::Syntax(m)) if m.contains("spels")));
        let bad_decimal = Profile::parse("[prices]\ndecimal = \"'\"\n");
        assert!(
            matches!(bad_decimal, Err(ParseError::Invalid(m, at)) if m.to_string().contains("decimal") && at == "2:11")
        );
        let bad_encoding = Profile::parse("[prices]\nencoding = \"utf-16\"\n");
        assert!(
            matches!(bad_encoding, Err(ParseError::Invalid(m, _)) if m.to_string().contains("utf-16"))
        );
    }

    #[test]
    fn profile_errors_name_line_and_column_of_the_value() {
        let text = "description = \"x\"\n\n[postings]\nfile = \"fin.csv\"\n[postings.columns]\namount = \"  \"\n";
        let Err(ParseError::Invalid(_, at)) = Profile::parse(text) else {
            panic!("an empty column name is refused");
        };
        assert_eq!(at, "6:10");
        let Err(ParseError::Invalid(_, at)) = Profile::parse("[spells]\nfile = \"../x.csv\"\n")
        else {
            panic!("a file outside is refused");
        };
        assert_eq!(at, "2:8");
        // Through `load`, the path and position lead the message, as a compiler's do.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.toml");
        std::fs::write(&p, "\n[prices]\ndelimiter = \"#\"\n").unwrap();
        let e = Profile::load(&p).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("profile {}:3:13: ", p.display())),
            "{e}"
        );
    }

    #[test]
    fn the_service_date_window_is_configurable() {
        assert_eq!(Profile::default_profile().service_years, 1900..=2100);
        let p = Profile::parse("service_years = [1990, 2040]\n")
            .ok()
            .unwrap();
        assert_eq!(p.service_years, 1990..=2040);
        for bad in [
            "[2040, 1990]",
            "[1990]",
            "[0, 2000]",
            "[1990, 10000]",
            "[1, 2, 3]",
        ] {
            let Err(ParseError::Invalid(m, at)) =
                Profile::parse(&format!("service_years = {bad}\n"))
            else {
                panic!("{bad} is refused");
            };
            assert!(m.to_string().contains("service_years"), "{m}");
            assert_eq!(at, "1:17");
        }
    }

    #[test]
    fn profile_errors_in_english_and_danish() {
        let Err(ParseError::Invalid(message, at)) = Profile::parse("[prices]\ndecimal = \"'\"\n")
        else {
            panic!("a bad decimal is refused");
        };
        let e = ProfileError::Invalid {
            path: "p.toml".into(),
            at,
            message,
        };
        assert_eq!(
            e.to_string(),
            "profile p.toml:2:11: [prices] decimal \"'\" is not \".\" or \",\""
        );
        assert_eq!(e.render(Lang::En), e.to_string());
        assert_eq!(
            e.render(Lang::Da),
            "profilen p.toml:2:11: [prices] decimal \"'\" er hverken \".\" eller \",\""
        );
    }

    #[test]
    fn display_round_trips() {
        let mut p = Profile::default_profile();
        p.description = Some("a \"quoted\" text".into());
        p.spells.delimiter = Some(b'\t');
        p.postings.encoding = Some(TextEncoding::Windows1252);
        p.service_years = 1950..=2050;
        let back = Profile::parse(&p.to_string()).ok().unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn load_reports_missing_file_with_its_path() {
        let e = Profile::load(Path::new("/nonexistent/profile.toml")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/profile.toml"), "{e}");
    }

    #[test]
    fn a_profile_may_name_only_files_inside_the_input_folder() {
        let dir = tempfile::tempdir().unwrap();
        let load = |text: &str| {
            let p = dir.path().join("p.toml");
            std::fs::write(&p, text).unwrap();
            Profile::load(&p)
        };
        for bad in ["../x.csv", "/etc/passwd", "a/../../b.csv"] {
            let e = load(&format!("[postings]\nfile = \"{bad}\"\n")).unwrap_err();
            let m = e.render(Lang::En);
            assert!(m.contains("inside the input folder"), "{bad}: {m}");
            assert!(!m.contains("root:"), "never echoes the file named: {m}");
        }
        let ok = load("[postings]\nfile = \"sub/fin.csv\"\n").unwrap();
        assert_eq!(ok.postings.file, "sub/fin.csv");
    }

    #[test]
    fn profile_syntax_errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.toml");
        std::fs::write(&p, "[postings]\ndecimal = \",\"\ndelimiter = ;\n").unwrap();
        let m = Profile::load(&p).unwrap_err().to_string();
        assert!(m.contains(": 3:13: "), "{m}");
    }
}
