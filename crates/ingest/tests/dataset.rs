//! Pseudonymisation of a read register and the Parquet analysis dataset.

mod common;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;
use tvaers_core::{PersonRecord, Pseudonymised, Register};
use tvaers_ingest::dataset::{self, Manifest};
use tvaers_ingest::{PseudonymKey, pseudonymise};

fn pseudonymised() -> Register<Pseudonymised> {
    let dir = fixture(&[]);
    let reg = read_default(dir.path()).unwrap();
    pseudonymise(reg, &PseudonymKey::from_bytes([7; 32]))
}

fn assert_same_pseudonymised(a: &Register<Pseudonymised>, b: &Register<Pseudonymised>) {
    assert_eq!(a.persons, b.persons);
    assert_eq!(a.relations, b.relations);
    assert_eq!(a.catalogue.entries(), b.catalogue.entries());
    assert_eq!(a.contacts, b.contacts);
    assert_eq!(a.spells, b.spells);
    assert_eq!(a.postings, b.postings);
    assert_eq!(a.prices, b.prices);
}

#[test]
fn pseudonymisation_keeps_structure_and_families() {
    let dir = fixture(&[]);
    let ident = read_default(dir.path()).unwrap();
    let p = pseudonymise(ident.clone(), &PseudonymKey::from_bytes([7; 32]));
    assert_eq!(p.persons.len(), 4);
    // Same family key → same family pseudonym; different → different.
    assert_eq!(p.persons[0].family, p.persons[1].family);
    assert_eq!(p.persons[0].family, p.persons[2].family);
    assert_ne!(p.persons[0].family, p.persons[3].family);
    // Birth year and sex carried over.
    for (a, b) in ident.persons.iter().zip(&p.persons) {
        assert_eq!(a.birth_year(), b.birth_year);
        assert_eq!(a.sex, b.sex);
    }
    // Distinct persons, distinct pseudonyms; contacts likewise.
    let mut ids: Vec<_> = p.persons.iter().map(|x| x.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert_eq!(p.contacts.len(), 3);
    assert_ne!(p.contacts[0], p.contacts[1]);
    // Tables that carry no identity are unchanged.
    assert_eq!(p.spells, ident.spells);
    assert_eq!(p.postings, ident.postings);
    assert_eq!(p.relations, ident.relations);
}

#[test]
fn dataset_round_trips() {
    let reg = pseudonymised();
    let out = tempfile::tempdir().unwrap();
    let m = Manifest::new(&reg, "/data/export", "default", "0123456789abcdef");
    dataset::write(&reg, out.path(), &m).unwrap();
    assert!(dataset::is_dataset(out.path()));
    let back = dataset::read(out.path()).unwrap();
    assert_same_pseudonymised(&reg, &back);
    let m2 = dataset::read_manifest(out.path()).unwrap();
    assert_eq!(m2, m);
    assert_eq!(m2.counts.spells, 5);
    assert_eq!(m2.counts.postings, 3);
}

#[test]
fn empty_tables_round_trip() {
    let mut reg = pseudonymised();
    reg.relations.clear();
    reg.postings.clear();
    reg.prices.clear();
    let out = tempfile::tempdir().unwrap();
    let m = Manifest::new(&reg, "x", "default", "f");
    dataset::write(&reg, out.path(), &m).unwrap();
    let back = dataset::read(out.path()).unwrap();
    assert_same_pseudonymised(&reg, &back);
}

/// Every value of every column of every Parquet file in `dir`, as text.
fn all_values(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "parquet") {
            continue;
        }
        let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in r {
            let batch = batch.unwrap();
            for col in batch.columns() {
                let s = arrow_cast::cast(col, &arrow_schema::DataType::Utf8).unwrap();
                let s = s.as_string::<i32>();
                for i in 0..s.len() {
                    if !s.is_null(i) {
                        out.push(s.value(i).to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn dataset_holds_no_identifiers_no_text_and_no_birth_dates() {
    let reg = pseudonymised();
    let out = tempfile::tempdir().unwrap();
    dataset::write(&reg, out.path(), &Manifest::new(&reg, "in", "default", "f")).unwrap();
    let values = all_values(out.path());
    assert!(values.len() > 50, "the check reads the data");
    // From the fixture: CPR numbers (both forms), family keys, employee ids, posting texts,
    // birth dates.
    let forbidden = [
        "6103801235",
        "610380-1235",
        "6405821240",
        "7510144001",
        "F000001",
        "F000002",
        "JC017",
        "JC102",
        "SO033",
        "Kontanthjælp februar",
        "leverandør januar",
        "Tilbagebetaling",
        "1980-03-01",
        "2014-10-15",
    ];
    for v in &values {
        for f in forbidden {
            assert!(!v.contains(f), "dataset value {v:?} contains {f:?}");
        }
    }
    // Also not in the raw bytes of any file (including the manifest).
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for f in forbidden {
            assert!(!text.contains(f), "raw file contains {f:?}");
        }
    }
    // Pseudonyms are 32 hex digits.
    assert!(
        values
            .iter()
            .any(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
    );
}

#[test]
fn dataset_uses_the_documented_columns_and_types() {
    let reg = pseudonymised();
    let out = tempfile::tempdir().unwrap();
    dataset::write(&reg, out.path(), &Manifest::new(&reg, "in", "default", "f")).unwrap();
    let schema = |file: &str| {
        let b = ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(out.path().join(file)).unwrap(),
        )
        .unwrap();
        b.schema()
            .fields()
            .iter()
            .map(|f| format!("{}:{}", f.name(), f.data_type()))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        schema("persons.parquet"),
        "person_id:Utf8,family_id:Utf8,birth_year:Int32,sex:Utf8"
    );
    assert_eq!(
        schema("relations.parquet"),
        "person_id:Utf8,related_id:Utf8,relation:Utf8"
    );
    assert_eq!(
        schema("spells.parquet"),
        "person_id:Utf8,service:Utf8,start:Date32,end:Date32,volume_milli:Int64,unit:Utf8,contact_id:Utf8"
    );
    assert_eq!(
        schema("postings.parquet"),
        "date:Date32,function:Utf8,amount_ore:Int64,person_id:Utf8,service:Utf8"
    );
    assert_eq!(
        schema("prices.parquet"),
        "service:Utf8,unit:Utf8,price_ore:Int64,year:Int32,source:Utf8"
    );
    assert!(schema("catalogue.parquet").starts_with("code:Utf8,name_da:Utf8,name_en:Utf8"));
}

#[test]
fn a_tampered_or_foreign_dataset_is_refused() {
    let reg = pseudonymised();
    let out = tempfile::tempdir().unwrap();
    let mut m = Manifest::new(&reg, "in", "default", "f");
    m.counts.spells += 1;
    dataset::write(&reg, out.path(), &m).unwrap();
    let e = dataset::read(out.path()).unwrap_err();
    assert!(e.to_string().contains("row counts"), "{e}");

    let mut m = Manifest::new(&reg, "in", "default", "f");
    m.format_version = 99;
    dataset::write(&reg, out.path(), &m).unwrap();
    let e = dataset::read(out.path()).unwrap_err();
    assert!(e.to_string().contains("format version 99"), "{e}");

    let empty = tempfile::tempdir().unwrap();
    assert!(!dataset::is_dataset(empty.path()));
    assert!(dataset::read(empty.path()).is_err());
}

#[test]
fn write_staged_replaces_an_old_dataset() {
    let reg = pseudonymised();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dataset");
    let m = Manifest::new(&reg, "first", "default", "f");
    dataset::write_staged(&reg, &out, &m).unwrap();
    let mut smaller = reg.clone();
    smaller.postings.truncate(1);
    let m2 = Manifest::new(&smaller, "second", "default", "f");
    dataset::write_staged(&smaller, &out, &m2).unwrap();
    assert_eq!(dataset::read_manifest(&out).unwrap().source, "second");
    assert_eq!(dataset::read(&out).unwrap().postings.len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
