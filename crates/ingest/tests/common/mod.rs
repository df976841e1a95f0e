//! A small valid municipality in the default layout (docs/data-formats.md examples, extended),
//! written to a temporary directory, and helpers to break one file at a time.
#![allow(
    dead_code,
    reason = "shared by several test binaries (`mod common;` in each); every binary uses only part of it, so `expect` would fail in some"
)]

use std::path::Path;
use tvaers_core::{Identified, Register};
use tvaers_ingest::{ImportErrors, Profile, read_exports};

pub const PERSONS: &str = "\
cpr,foedselsdato,koen,familie_id
610380-1235,1980-03-01,M,F000001
640582-1240,1982-05-04,K,F000001
751014-4001,2014-10-15,M,F000001
700955-2468,1955-09-10,K,F000002
";

pub const RELATIONS: &str = "\
cpr,relateret_cpr,relation
751014-4001,610380-1235,forælder
610380-1235,751014-4001,barn
610380-1235,640582-1240,partner
";

pub const CATALOGUE: &str = "\
kode,navn_da,navn_en,forvaltning,art,hjemmel,enhed,funktion,kategorier
KTH,Kontanthjælp,Social assistance,beskaeftigelse,ydelse,LAS § 25,maaned,5.57.73,overfoersel|kontanthjaelp
MENTOR,Mentor,Mentor,beskaeftigelse,indsats,LAB §§ 167-169,time,5.68.90,mentor|hverdagsstoette
SEL85,Socialpædagogisk støtte,Socio-educational support,social_voksne,indsats,SEL § 85,time,5.38.38,sel85|hverdagsstoette
ANBR,Anbringelse i plejefamilie,,boern_familie,indsats,Barnets lov § 43,dag,5.28.22,
";

pub const SPELLS: &str = "\
cpr;ydelse;start;slut;omfang;enhed;kontaktperson
610380-1235;KTH;2024-01-01;;1;maaned;JC017
610380-1235;MENTOR;2024-03-01;2025-02-28;3,5;time;JC102
610380-1235;SEL85;2024-06-15;;4;time;SO033
751014-4001;ANBR;2023-05-01;2024-12-31;1;dag;
700955-2468;MENTOR;2024-01-01;2024-06-30;2;time;JC102
";

/// Written as Windows-1252, as financial systems export it.
pub const POSTINGS: &str = "\
bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst
01-02-2025;5.57.73;11.944,00;610380-1235;KTH;Kontanthjælp februar
31-01-2025;5.38.38;1.204.311,17;;;Socialpædagogisk støtte, leverandør januar
15-03-2025;5.57.73;-500,50;610380-1235;;Tilbagebetaling
";

pub const PRICES: &str = "\
ydelse,enhed,pris,aar,kilde
SEL85,time,610.00,2025,Egen takst
MENTOR,time,575.00,2025,Leverandørkontrakt
KTH,maaned,11944,2025,Sats
";

pub const FILES: [(&str, &str); 6] = [
    ("personer.csv", PERSONS),
    ("relationer.csv", RELATIONS),
    ("ydelseskatalog.csv", CATALOGUE),
    ("forloeb.csv", SPELLS),
    ("posteringer.csv", POSTINGS),
    ("enhedspriser.csv", PRICES),
];

/// Writes `text` as the file `name` (Windows-1252 for the postings, UTF-8 otherwise).
pub fn write_file(dir: &Path, name: &str, text: &str) {
    let bytes: Vec<u8> = if name == "posteringer.csv" {
        let (b, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        assert!(!unmappable);
        b.into_owned()
    } else {
        text.as_bytes().to_vec()
    };
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The valid fixture with some files replaced.
pub fn fixture(replace: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in FILES {
        let text = replace
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(text, |(_, t)| *t);
        write_file(dir.path(), name, text);
    }
    dir
}

pub fn read_default(dir: &Path) -> Result<Register<Identified>, ImportErrors> {
    read_exports(dir, &Profile::default_profile())
}

/// Reads the fixture with `name` replaced by `text`; it must fail.
pub fn errors_with(name: &str, text: &str) -> ImportErrors {
    let dir = fixture(&[(name, text)]);
    match read_default(dir.path()) {
        Ok(_) => panic!("{name} should not be accepted"),
        Err(e) => e,
    }
}

/// Asserts that some error's message names the file and line, the column and the value, and
/// contains `phrase`.
pub fn assert_reported(
    errs: &ImportErrors,
    file_line: &str,
    column: &str,
    value: &str,
    phrase: &str,
) {
    // Messages show CPR numbers masked (`310380-****`): the value is looked for as shown.
    let value = tvaers_ingest::mask_cpr(value);
    let found = errs.errors.iter().any(|e| {
        let m = e.to_string();
        m.starts_with(&format!("{file_line}:"))
            && m.contains(&format!("column \"{column}\""))
            && m.contains(&format!("\"{value}\""))
            && m.contains(phrase)
    });
    assert!(
        found,
        "no error at {file_line}, column {column:?}, value {value:?}, saying {phrase:?}; got:\n{errs}"
    );
}

/// Compares two registers table by table.
pub fn assert_same(a: &Register<Identified>, b: &Register<Identified>) {
    assert_eq!(a.persons, b.persons);
    assert_eq!(a.relations, b.relations);
    assert_eq!(a.catalogue.entries(), b.catalogue.entries());
    assert_eq!(a.contacts, b.contacts);
    assert_eq!(a.spells, b.spells);
    assert_eq!(a.postings, b.postings);
    assert_eq!(a.prices, b.prices);
}
