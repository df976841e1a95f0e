//! The analysis dataset: a directory of Parquet files holding a `Register<Pseudonymised>`
//! (docs/data-formats.md, "The analysis dataset").
//!
//! | file | columns |
//! |---|---|
//! | `persons.parquet` | `person_id` (32 hex), `family_id` (32 hex), `birth_year` int32, `sex` `M`/`K` |
//! | `relations.parquet` | `person_id`, `related_id`, `relation` (`forælder`/`barn`/`partner`) |
//! | `catalogue.parquet` | `code`, `name_da`, `name_en`, `department`, `kind`, `legal_basis`, `unit`, `function`, `tags` (`\|`-separated) |
//! | `spells.parquet` | `person_id`, `service`, `start` date, `end` date (null = open), `volume_milli` int64, `unit`, `contact_id` (null = none) |
//! | `postings.parquet` | `date` date, `function`, `amount_ore` int64, `person_id` (null = not booked to a person), `service` (nullable) |
//! | `prices.parquet` | `service`, `unit`, `price_ore` int64, `year` int32, `source` |
//! | `manifest.json` | [`Manifest`]: format version, when and from what, the key's fingerprint, row counts |
//!
//! Plain column types (strings, int32/int64, date32) so that any SQL engine reads it. The
//! dataset holds no CPR number, no family key, no employee id, no free text and no exact birth
//! date. Rows keep the register's order, so `read(write(r)) == r` table by table (contacts are
//! numbered in order of first appearance in the spells, which is how the importer numbers them).

use crate::fasthash::FxHashMap;
use crate::staged::{StagedDir, StagedError};
use arrow_array::builder::{Date32Builder, Int32Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tvaers_core::{
    AccountFunction, Catalogue, ContactIx, Department, PersonIx, Posting, Pseudonym, Pseudonymised,
    PseudonymisedPerson, Quantity, Register, Relation, RelationKind, ServiceEntry, ServiceIx,
    ServiceKind, Sex, Spell, Unit, UnitPrice,
};

/// The version of the layout above; `read` refuses other versions.
pub const FORMAT_VERSION: u32 = 1;

const MANIFEST: &str = "manifest.json";
/// Rows per record batch when writing; bounds the memory of the string columns.
const CHUNK: usize = 1 << 19;

/// What `manifest.json` says about a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    /// When the dataset was made (RFC 3339, UTC).
    pub created_at: String,
    /// The program that made it, e.g. `tvaers 0.1.0`.
    pub created_by: String,
    /// The input the dataset was made from (as given on the command line).
    pub source: String,
    /// The mapping profile used (`default` or the profile file).
    pub profile: String,
    /// [`crate::PseudonymKey::fingerprint`] of the key; never the key.
    pub key_fingerprint: String,
    pub counts: Counts,
}

/// Rows per table; checked when the dataset is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub persons: u64,
    pub relations: u64,
    pub services: u64,
    pub contacts: u64,
    pub spells: u64,
    pub postings: u64,
    pub prices: u64,
}

impl Counts {
    pub fn of(reg: &Register<Pseudonymised>) -> Counts {
        Counts {
            persons: reg.persons.len() as u64,
            relations: reg.relations.len() as u64,
            services: reg.catalogue.len() as u64,
            contacts: reg.contacts.len() as u64,
            spells: reg.spells.len() as u64,
            postings: reg.postings.len() as u64,
            prices: reg.prices.len() as u64,
        }
    }
}

impl Manifest {
    /// A manifest for `reg`, stamped now.
    pub fn new(
        reg: &Register<Pseudonymised>,
        source: &str,
        profile: &str,
        key_fingerprint: &str,
    ) -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            created_by: format!("tvaers {}", env!("CARGO_PKG_VERSION")),
            source: source.to_string(),
            profile: profile.to_string(),
            key_fingerprint: key_fingerprint.to_string(),
            counts: Counts::of(reg),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Parquet { file: String, message: String },
    #[error("{file}: column {column:?}: {message}")]
    Column {
        file: String,
        column: String,
        message: String,
    },
    #[error("{file}: row {row}: {message}")]
    Invalid {
        file: String,
        row: u64,
        message: String,
    },
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error(transparent)]
    Staging(#[from] StagedError),
}

/// Whether `dir` holds a dataset (has a `manifest.json`).
pub fn is_dataset(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// Reads only the manifest of the dataset in `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, DatasetError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|source| DatasetError::Io {
        path: path.clone(),
        source,
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| DatasetError::Manifest {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if m.format_version != FORMAT_VERSION {
        return Err(DatasetError::Manifest {
            path,
            message: format!(
                "format version {} (this program reads version {FORMAT_VERSION})",
                m.format_version
            ),
        });
    }
    Ok(m)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes the dataset into the existing directory `dir` (normally a [`StagedDir`]; see
/// [`write_staged`]). The manifest is written last.
pub fn write(
    reg: &Register<Pseudonymised>,
    dir: &Path,
    manifest: &Manifest,
) -> Result<(), DatasetError> {
    // Two threads: spells and postings are the large tables.
    let (a, b) = std::thread::scope(|s| {
        let other = s.spawn(|| -> Result<(), DatasetError> {
            write_postings(reg, dir)?;
            write_catalogue(reg, dir)?;
            write_prices(reg, dir)
        });
        let mine = (|| -> Result<(), DatasetError> {
            write_spells(reg, dir)?;
            write_persons(reg, dir)?;
            write_relations(reg, dir)
        })();
        (
            mine,
            other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        )
    });
    a?;
    b?;
    let path = dir.join(MANIFEST);
    let json = serde_json::to_string_pretty(manifest).expect("a manifest serialises");
    std::fs::write(&path, json + "\n").map_err(|source| DatasetError::Io { path, source })
}

/// Writes the dataset all-or-nothing to `out`: into a staging directory beside it, swapped in
/// atomically on success; on any error `out` is untouched.
pub fn write_staged(
    reg: &Register<Pseudonymised>,
    out: &Path,
    manifest: &Manifest,
) -> Result<(), DatasetError> {
    let staged = StagedDir::begin(out)?;
    write(reg, staged.path(), manifest)?;
    staged.commit()?;
    Ok(())
}

fn field(name: &str, dt: DataType, nullable: bool) -> Field {
    Field::new(name, dt, nullable)
}

fn utf8(name: &str) -> Field {
    field(name, DataType::Utf8, false)
}

/// Writes `n` rows in chunks; `chunk(range)` builds the columns of those rows.
fn write_table(
    dir: &Path,
    file: &str,
    fields: Vec<Field>,
    n: usize,
    mut chunk: impl FnMut(std::ops::Range<usize>) -> Vec<ArrayRef>,
) -> Result<(), DatasetError> {
    let path = dir.join(file);
    let pq = |e: parquet::errors::ParquetError| DatasetError::Parquet {
        file: file.to_string(),
        message: e.to_string(),
    };
    let schema = Arc::new(Schema::new(fields));
    let f = std::fs::File::create(&path).map_err(|source| DatasetError::Io {
        path: path.clone(),
        source,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(f, schema.clone(), Some(props)).map_err(pq)?;
    let mut from = 0;
    loop {
        let to = (from + CHUNK).min(n);
        let batch = RecordBatch::try_new(schema.clone(), chunk(from..to))
            .expect("columns built to the schema");
        w.write(&batch).map_err(pq)?;
        from = to;
        if from >= n {
            break;
        }
    }
    w.close().map_err(pq)?;
    Ok(())
}

fn hex_builder(rows: usize) -> StringBuilder {
    StringBuilder::with_capacity(rows, rows * 32)
}

fn append_hex(b: &mut StringBuilder, p: &Pseudonym) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 32];
    for (i, byte) in p.0.iter().enumerate() {
        buf[2 * i] = DIGITS[(byte >> 4) as usize];
        buf[2 * i + 1] = DIGITS[(byte & 0xf) as usize];
    }
    b.append_value(std::str::from_utf8(&buf).expect("hex is ASCII"));
}

/// Nibble value of each byte; 0xff for bytes that are not hex digits.
const NIBBLE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// 32 hex digits → pseudonym; a table lookup per digit (millions of these per dataset read).
fn decode_pseudonym(s: &str) -> Option<Pseudonym> {
    let b = s.as_bytes();
    if b.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    let mut bad = 0u8;
    for (i, o) in out.iter_mut().enumerate() {
        let (hi, lo) = (NIBBLE[b[2 * i] as usize], NIBBLE[b[2 * i + 1] as usize]);
        bad |= hi | lo;
        *o = (hi << 4) | (lo & 0xf);
    }
    (bad & 0xf0 == 0).then_some(Pseudonym(out))
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");

fn days(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

fn write_persons(reg: &Register<Pseudonymised>, dir: &Path) -> Result<(), DatasetError> {
    let fields = vec![
        utf8("person_id"),
        utf8("family_id"),
        field("birth_year", DataType::Int32, false),
        utf8("sex"),
    ];
    write_table(dir, "persons.parquet", fields, reg.persons.len(), |r| {
        let rows = &reg.persons[r];
        let mut id = hex_builder(rows.len());
        let mut fam = hex_builder(rows.len());
        let mut year = Int32Builder::with_capacity(rows.len());
        let mut sex = StringBuilder::with_capacity(rows.len(), rows.len());
        for p in rows {
            append_hex(&mut id, &p.id);
            append_hex(&mut fam, &p.family);
            year.append_value(p.birth_year);
            sex.append_value(p.sex.code());
        }
        vec![
            Arc::new(id.finish()),
            Arc::new(fam.finish()),
            Arc::new(year.finish()),
            Arc::new(sex.finish()),
        ]
    })
}

fn write_relations(reg: &Register<Pseudonymised>, dir: &Path) -> Result<(), DatasetError> {
    let fields = vec![utf8("person_id"), utf8("related_id"), utf8("relation")];
    write_table(dir, "relations.parquet", fields, reg.relations.len(), |r| {
        let rows = &reg.relations[r];
        let mut a = hex_builder(rows.len());
        let mut b = hex_builder(rows.len());
        let mut k = StringBuilder::with_capacity(rows.len(), rows.len() * 8);
        for rel in rows {
            append_hex(&mut a, &reg.person(rel.person).id);
            append_hex(&mut b, &reg.person(rel.related).id);
            k.append_value(rel.kind.code());
        }
        vec![
            Arc::new(a.finish()),
            Arc::new(b.finish()),
            Arc::new(k.finish()),
        ]
    })
}

const CATALOGUE_COLUMNS: [&str; 9] = [
    "code",
    "name_da",
    "name_en",
    "department",
    "kind",
    "legal_basis",
    "unit",
    "function",
    "tags",
];

fn write_catalogue(reg: &Register<Pseudonymised>, dir: &Path) -> Result<(), DatasetError> {
    let fields = CATALOGUE_COLUMNS.iter().map(|c| utf8(c)).collect();
    let entries = reg.catalogue.entries();
    write_table(dir, "catalogue.parquet", fields, entries.len(), |r| {
        let mut cols: Vec<StringBuilder> = (0..9).map(|_| StringBuilder::new()).collect();
        for e in &entries[r] {
            let values = [
                e.code.clone(),
                e.name_da.clone(),
                e.name_en.clone(),
                e.department.code().to_string(),
                e.kind.code().to_string(),
                e.legal_basis.clone(),
                e.unit.code().to_string(),
                e.function.to_string(),
                e.tags.join("|"),
            ];
            for (b, v) in cols.iter_mut().zip(values) {
                b.append_value(v);
            }
        }
        cols.into_iter()
            .map(|mut b| Arc::new(b.finish()) as ArrayRef)
            .collect()
    })
}

fn write_spells(reg: &Register<Pseudonymised>, dir: &Path) -> Result<(), DatasetError> {
    let fields = vec![
        utf8("person_id"),
        utf8("service"),
        field("start", DataType::Date32, false),
        field("end", DataType::Date32, true),
        field("volume_milli", DataType::Int64, false),
        utf8("unit"),
        field("contact_id", DataType::Utf8, true),
    ];
    let cat = &reg.catalogue;
    write_table(dir, "spells.parquet", fields, reg.spells.len(), |r| {
        let rows = &reg.spells[r];
        let n = rows.len();
        let mut person = hex_builder(n);
        let mut service = StringBuilder::with_capacity(n, n * 8);
        let mut start = Date32Builder::with_capacity(n);
        let mut end = Date32Builder::with_capacity(n);
        let mut volume = Int64Builder::with_capacity(n);
        let mut unit = StringBuilder::with_capacity(n, n * 6);
        let mut contact = hex_builder(n);
        for s in rows {
            let entry = cat.get(s.service);
            append_hex(&mut person, &reg.person(s.person).id);
            service.append_value(&entry.code);
            start.append_value(days(s.start));
            end.append_option(s.end.map(days));
            volume.append_value(s.volume.thousandths());
            unit.append_value(entry.unit.code());
            match s.contact {
                Some(c) => append_hex(&mut contact, &reg.contacts[c.0 as usize]),
                None => contact.append_null(),
            }
        }
        vec![
            Arc::new(person.finish()),
            Arc::new(service.finish()),
            Arc::new(start.finish()),
            Arc::new(end.finish()),
            Arc::new(volume.finish()),
            Arc::new(unit.finish()),
            Arc::new(contact.finish()),
        ]
    })
}

fn write_postings(reg: &Register<Pseudonymised>, dir: &Path) -> Result<(), DatasetError> {
    let fields = vec![
        field("date", DataType::Date32, false),
        utf8("function"),
        field("amount_ore", DataType::Int64, false),
        field("person_id", DataType::Utf8, true),
        field("service", DataType::Utf8, true),
    ];
    write_table(dir, "postings.parquet", fields, reg.postings.len(), |r| {
        let rows = &reg.postings[r];
        let n = rows.len();
        let mut date = Date32Builder::with_capacity(n);
        let mut function = StringBuilder::with_capacity(n, n * 7);
        let mut amount = Int64Builder::with_capacity(n);
        let mut person = hex_builder(n);
        let mut service = StringBuilder::with_capacity(n, n * 4);
        for p in rows {
            date.append_value(days(p.date));
            function.append_value(p.function.to_string());
            amount.append_value(p.amount.0);
            match p.person {
                Some(ix) => append_hex(&mut person, &reg.person(ix).id),
                None => person.append_null(),
            }
            service.append_option(p.service.map(|s| reg.catalogue.get(s).code.as_str()));
        }
        vec![
            Arc::new(date.finish()),
            Arc::new(function.finish()),
            Arc::new(amount.finish()),
            Arc::new(person.finish()),
            Arc::new(service.finish()),
        ]
    })
}

fn write_prices(reg: &Register<Pseudonymised>, dir: &Path) -> Result<(), DatasetError> {
    let fields = vec![
        utf8("service"),
        utf8("unit"),
        field("price_ore", DataType::Int64, false),
        field("year", DataType::Int32, false),
        utf8("source"),
    ];
    write_table(dir, "prices.parquet", fields, reg.prices.len(), |r| {
        let rows = &reg.prices[r];
        let mut service = StringBuilder::new();
        let mut unit = StringBuilder::new();
        let mut price = Int64Builder::new();
        let mut year = Int32Builder::new();
        let mut source = StringBuilder::new();
        for p in rows {
            service.append_value(&reg.catalogue.get(p.service).code);
            unit.append_value(p.unit.code());
            price.append_value(p.price.0);
            year.append_value(p.year);
            source.append_value(&p.source);
        }
        vec![
            Arc::new(service.finish()),
            Arc::new(unit.finish()),
            Arc::new(price.finish()),
            Arc::new(year.finish()),
            Arc::new(source.finish()),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One record batch with typed column access and errors naming file and column.
struct Batch<'a> {
    file: &'a str,
    batch: RecordBatch,
    /// Rows before this batch, for row numbers in errors.
    offset: u64,
}

impl Batch<'_> {
    fn column(&self, name: &str, dt: &DataType) -> Result<ArrayRef, DatasetError> {
        let col = self
            .batch
            .column_by_name(name)
            .ok_or_else(|| DatasetError::Column {
                file: self.file.to_string(),
                column: name.to_string(),
                message: "is missing".into(),
            })?;
        if col.data_type() == dt {
            return Ok(col.clone());
        }
        arrow_cast::cast(col, dt).map_err(|e| DatasetError::Column {
            file: self.file.to_string(),
            column: name.to_string(),
            message: format!("cannot be read as {dt}: {e}"),
        })
    }

    fn strings(&self, name: &str) -> Result<ArrayRef, DatasetError> {
        self.column(name, &DataType::Utf8)
    }

    fn invalid(&self, row: usize, message: String) -> DatasetError {
        DatasetError::Invalid {
            file: self.file.to_string(),
            row: self.offset + row as u64 + 1,
            message,
        }
    }

    /// A required value: a null is an error.
    fn not_null(&self, a: &dyn Array, name: &str, row: usize) -> Result<(), DatasetError> {
        if a.is_null(row) {
            Err(self.invalid(row, format!("{name} is null")))
        } else {
            Ok(())
        }
    }

    fn pseudonym(&self, s: &str, name: &str, row: usize) -> Result<Pseudonym, DatasetError> {
        decode_pseudonym(s)
            .ok_or_else(|| self.invalid(row, format!("{name} {s:?} is not a pseudonym")))
    }
}

/// Calls `f` for each record batch of `dir/file`.
fn for_each_batch(
    dir: &Path,
    file: &str,
    mut f: impl FnMut(&Batch<'_>) -> Result<(), DatasetError>,
) -> Result<(), DatasetError> {
    let path = dir.join(file);
    let pq = |e: parquet::errors::ParquetError| DatasetError::Parquet {
        file: file.to_string(),
        message: e.to_string(),
    };
    let fh = std::fs::File::open(&path).map_err(|source| DatasetError::Io { path, source })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(fh)
        .map_err(pq)?
        .with_batch_size(65536)
        .build()
        .map_err(pq)?;
    let mut offset = 0;
    for batch in reader {
        let batch = batch.map_err(|e| DatasetError::Parquet {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let rows = batch.num_rows() as u64;
        f(&Batch {
            file,
            batch,
            offset,
        })?;
        offset += rows;
    }
    Ok(())
}

fn date_of(days: i32) -> NaiveDate {
    EPOCH + chrono::TimeDelta::days(days as i64)
}

/// Reads the dataset in `dir` back into a register, checking the manifest's version and
/// counts and every reference between the tables.
pub fn read(dir: &Path) -> Result<Register<Pseudonymised>, DatasetError> {
    let manifest = read_manifest(dir)?;

    let mut persons: Vec<PseudonymisedPerson> =
        Vec::with_capacity(manifest.counts.persons as usize);
    for_each_batch(dir, "persons.parquet", |b| {
        let id = b.strings("person_id")?;
        let fam = b.strings("family_id")?;
        let year = b.column("birth_year", &DataType::Int32)?;
        let sex = b.strings("sex")?;
        let (id, fam, sex) = (
            id.as_string::<i32>(),
            fam.as_string::<i32>(),
            sex.as_string::<i32>(),
        );
        let year = year.as_primitive::<Int32Type>();
        for r in 0..b.batch.num_rows() {
            for (a, n) in [
                (id as &dyn Array, "person_id"),
                (fam, "family_id"),
                (year, "birth_year"),
                (sex, "sex"),
            ] {
                b.not_null(a, n, r)?;
            }
            persons.push(PseudonymisedPerson {
                id: b.pseudonym(id.value(r), "person_id", r)?,
                family: b.pseudonym(fam.value(r), "family_id", r)?,
                birth_year: year.value(r),
                sex: Sex::from_code(sex.value(r))
                    .ok_or_else(|| b.invalid(r, format!("sex {:?} is not M or K", sex.value(r))))?,
            });
        }
        Ok(())
    })?;
    let mut by_id: FxHashMap<Pseudonym, PersonIx> =
        FxHashMap::with_capacity_and_hasher(persons.len(), Default::default());
    for (i, p) in persons.iter().enumerate() {
        if by_id.insert(p.id, PersonIx(i as u32)).is_some() {
            return Err(DatasetError::Invalid {
                file: "persons.parquet".into(),
                row: i as u64 + 1,
                message: "duplicate person_id".into(),
            });
        }
    }
    let person_of =
        |b: &Batch<'_>, s: &str, name: &str, r: usize| -> Result<PersonIx, DatasetError> {
            let p = b.pseudonym(s, name, r)?;
            by_id
                .get(&p)
                .copied()
                .ok_or_else(|| b.invalid(r, format!("{name} {s} is not in persons.parquet")))
        };

    let mut relations = Vec::with_capacity(manifest.counts.relations as usize);
    for_each_batch(dir, "relations.parquet", |b| {
        let (a, c, k) = (
            b.strings("person_id")?,
            b.strings("related_id")?,
            b.strings("relation")?,
        );
        let (a, c, k) = (
            a.as_string::<i32>(),
            c.as_string::<i32>(),
            k.as_string::<i32>(),
        );
        for r in 0..b.batch.num_rows() {
            for (arr, n) in [(a, "person_id"), (c, "related_id"), (k, "relation")] {
                b.not_null(arr, n, r)?;
            }
            relations.push(Relation {
                person: person_of(b, a.value(r), "person_id", r)?,
                related: person_of(b, c.value(r), "related_id", r)?,
                kind: RelationKind::from_code(k.value(r)).ok_or_else(|| {
                    b.invalid(
                        r,
                        format!("relation {:?} is not a relation kind", k.value(r)),
                    )
                })?,
            });
        }
        Ok(())
    })?;

    let mut entries = Vec::new();
    for_each_batch(dir, "catalogue.parquet", |b| {
        let cols = CATALOGUE_COLUMNS
            .iter()
            .map(|c| b.strings(c))
            .collect::<Result<Vec<_>, _>>()?;
        let s: Vec<_> = cols.iter().map(|c| c.as_string::<i32>()).collect();
        for r in 0..b.batch.num_rows() {
            for (arr, n) in s.iter().zip(CATALOGUE_COLUMNS) {
                b.not_null(*arr, n, r)?;
            }
            let bad = |what: &str, v: &str| b.invalid(r, format!("{what} {v:?} is not valid"));
            entries.push(ServiceEntry {
                code: s[0].value(r).to_string(),
                name_da: s[1].value(r).to_string(),
                name_en: s[2].value(r).to_string(),
                department: Department::from_code(s[3].value(r))
                    .ok_or_else(|| bad("department", s[3].value(r)))?,
                kind: ServiceKind::from_code(s[4].value(r))
                    .ok_or_else(|| bad("kind", s[4].value(r)))?,
                legal_basis: s[5].value(r).to_string(),
                unit: Unit::from_code(s[6].value(r)).ok_or_else(|| bad("unit", s[6].value(r)))?,
                function: AccountFunction::parse(s[7].value(r))
                    .ok_or_else(|| bad("function", s[7].value(r)))?,
                tags: s[8]
                    .value(r)
                    .split('|')
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
        Ok(())
    })?;
    let catalogue = Catalogue::new(entries).map_err(|i| DatasetError::Invalid {
        file: "catalogue.parquet".into(),
        row: i as u64 + 1,
        message: "duplicate service code".into(),
    })?;
    let service_of = |b: &Batch<'_>, code: &str, r: usize| -> Result<ServiceIx, DatasetError> {
        catalogue
            .lookup(code)
            .ok_or_else(|| b.invalid(r, format!("service {code:?} is not in catalogue.parquet")))
    };

    let mut contacts: Vec<Pseudonym> = Vec::new();
    let mut contact_ix: FxHashMap<Pseudonym, ContactIx> = FxHashMap::default();
    let mut spells = Vec::with_capacity(manifest.counts.spells as usize);
    for_each_batch(dir, "spells.parquet", |b| {
        let person = b.strings("person_id")?;
        let service = b.strings("service")?;
        let start = b.column("start", &DataType::Date32)?;
        let end = b.column("end", &DataType::Date32)?;
        let volume = b.column("volume_milli", &DataType::Int64)?;
        let contact = b.strings("contact_id")?;
        let (person, service, contact) = (
            person.as_string::<i32>(),
            service.as_string::<i32>(),
            contact.as_string::<i32>(),
        );
        let (start, end) = (
            start.as_primitive::<Date32Type>(),
            end.as_primitive::<Date32Type>(),
        );
        let volume = volume.as_primitive::<Int64Type>();
        for r in 0..b.batch.num_rows() {
            for (arr, n) in [
                (person as &dyn Array, "person_id"),
                (service, "service"),
                (start, "start"),
                (volume, "volume_milli"),
            ] {
                b.not_null(arr, n, r)?;
            }
            let contact = if contact.is_null(r) {
                None
            } else {
                let p = b.pseudonym(contact.value(r), "contact_id", r)?;
                let next = ContactIx(contacts.len() as u32);
                Some(*contact_ix.entry(p).or_insert_with(|| {
                    contacts.push(p);
                    next
                }))
            };
            spells.push(Spell {
                person: person_of(b, person.value(r), "person_id", r)?,
                service: service_of(b, service.value(r), r)?,
                start: date_of(start.value(r)),
                end: (!end.is_null(r)).then(|| date_of(end.value(r))),
                volume: Quantity::from_thousandths(volume.value(r)),
                contact,
            });
        }
        Ok(())
    })?;

    let mut postings = Vec::with_capacity(manifest.counts.postings as usize);
    for_each_batch(dir, "postings.parquet", |b| {
        let date = b.column("date", &DataType::Date32)?;
        let function = b.strings("function")?;
        let amount = b.column("amount_ore", &DataType::Int64)?;
        let person = b.strings("person_id")?;
        let service = b.strings("service")?;
        let (function, person, service) = (
            function.as_string::<i32>(),
            person.as_string::<i32>(),
            service.as_string::<i32>(),
        );
        let (date, amount) = (
            date.as_primitive::<Date32Type>(),
            amount.as_primitive::<Int64Type>(),
        );
        for r in 0..b.batch.num_rows() {
            for (arr, n) in [
                (date as &dyn Array, "date"),
                (function, "function"),
                (amount, "amount_ore"),
            ] {
                b.not_null(arr, n, r)?;
            }
            postings.push(Posting {
                date: date_of(date.value(r)),
                function: AccountFunction::parse(function.value(r)).ok_or_else(|| {
                    b.invalid(r, format!("function {:?} is not valid", function.value(r)))
                })?,
                amount: tvaers_core::Ore(amount.value(r)),
                person: if person.is_null(r) {
                    None
                } else {
                    Some(person_of(b, person.value(r), "person_id", r)?)
                },
                service: if service.is_null(r) {
                    None
                } else {
                    Some(service_of(b, service.value(r), r)?)
                },
            });
        }
        Ok(())
    })?;

    let mut prices = Vec::with_capacity(manifest.counts.prices as usize);
    for_each_batch(dir, "prices.parquet", |b| {
        let service = b.strings("service")?;
        let unit = b.strings("unit")?;
        let price = b.column("price_ore", &DataType::Int64)?;
        let year = b.column("year", &DataType::Int32)?;
        let source = b.strings("source")?;
        let (service, unit, source) = (
            service.as_string::<i32>(),
            unit.as_string::<i32>(),
            source.as_string::<i32>(),
        );
        let (price, year) = (
            price.as_primitive::<Int64Type>(),
            year.as_primitive::<Int32Type>(),
        );
        for r in 0..b.batch.num_rows() {
            for (arr, n) in [
                (service as &dyn Array, "service"),
                (unit, "unit"),
                (price, "price_ore"),
                (year, "year"),
                (source, "source"),
            ] {
                b.not_null(arr, n, r)?;
            }
            prices.push(UnitPrice {
                service: service_of(b, service.value(r), r)?,
                unit: Unit::from_code(unit.value(r)).ok_or_else(|| {
                    b.invalid(r, format!("unit {:?} is not valid", unit.value(r)))
                })?,
                price: tvaers_core::Ore(price.value(r)),
                year: year.value(r),
                source: source.value(r).to_string(),
            });
        }
        Ok(())
    })?;

    let reg = Register {
        persons,
        relations,
        catalogue,
        contacts,
        spells,
        postings,
        prices,
    };
    let found = Counts::of(&reg);
    if found != manifest.counts {
        return Err(DatasetError::Manifest {
            path: dir.join(MANIFEST),
            message: format!(
                "row counts {:?} do not match the files' {found:?}; the dataset is incomplete",
                manifest.counts
            ),
        });
    }
    Ok(reg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_non_hex() {
        let p = Pseudonym([
            0x00, 0x1f, 0xa0, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xbe, 0xef,
        ]);
        let mut b = StringBuilder::new();
        append_hex(&mut b, &p);
        let a = b.finish();
        assert_eq!(a.value(0), "001fa0ff0102030405060708090abeef");
        assert_eq!(a.value(0), p.to_hex(), "agrees with core's encoding");
        assert_eq!(decode_pseudonym(a.value(0)), Some(p));
        assert_eq!(
            decode_pseudonym("001FA0FF0102030405060708090ABEEF"),
            Some(p)
        );
        assert_eq!(decode_pseudonym("001fa0ff0102030405060708090abeeg"), None);
        assert_eq!(decode_pseudonym("001fa0ff0102030405060708090abee"), None);
        assert_eq!(decode_pseudonym("001fa0ff0102030405060708090abe-f"), None);
    }
}
