//! Reading valid exports: the default layout, layout variations, another profile, Parquet.

mod common;

use common::*;
use std::path::Path;
use std::sync::Arc;
use tvaers_core::{
    Cpr, Department, NaiveDate, Ore, PersonIx, Quantity, RelationKind, ServiceKind, Sex, Unit,
};
use tvaers_ingest::{Profile, read_exports};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn reads_the_default_layout() {
    let dir = fixture(&[]);
    let reg = read_default(dir.path()).unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(reg.persons.len(), 4);
    let per = &reg.persons[0];
    assert_eq!(per.cpr, Cpr::parse("6103801235").unwrap());
    assert_eq!(per.birth_date, d(1980, 3, 1));
    assert_eq!(per.sex, Sex::Male);
    assert_eq!(per.family, "F000001");
    assert_eq!(reg.persons[1].sex, Sex::Female);

    // 751014-4001 (index 2) has parent 610380-1235 (index 0).
    assert_eq!(reg.relations.len(), 3);
    assert_eq!(reg.relations[0].person, PersonIx(2));
    assert_eq!(reg.relations[0].related, PersonIx(0));
    assert_eq!(reg.relations[0].kind, RelationKind::Parent);
    assert_eq!(reg.relations[2].kind, RelationKind::Partner);

    let cat = reg.catalogue.entries();
    assert_eq!(cat.len(), 4);
    assert_eq!(cat[0].code, "KTH");
    assert_eq!(cat[0].kind, ServiceKind::TransferIncome);
    assert_eq!(cat[0].unit, Unit::Month);
    assert_eq!(cat[0].tags, vec!["overfoersel", "kontanthjaelp"]);
    assert_eq!(cat[0].function.to_string(), "5.57.73");
    assert_eq!(cat[2].name_da, "Socialpædagogisk støtte");
    assert_eq!(cat[2].department, Department::AdultSocial);
    assert_eq!(
        cat[3].name_en, "Anbringelse i plejefamilie",
        "empty English name → Danish"
    );
    assert!(cat[3].tags.is_empty());

    assert_eq!(reg.spells.len(), 5);
    let mentor = &reg.spells[1];
    assert_eq!(
        mentor.volume,
        Quantity(3_500),
        "3,5 hours a week with decimal comma"
    );
    assert_eq!(mentor.end, Some(d(2025, 2, 28)));
    assert_eq!(reg.spells[0].end, None, "empty end = open");
    assert_eq!(reg.spells[3].contact, None);
    // Contacts are interned in order of first appearance.
    assert_eq!(reg.contacts, vec!["JC017", "JC102", "SO033"]);
    assert_eq!(reg.spells[4].contact, reg.spells[1].contact);

    // Postings: Windows-1252, decimal comma, thousands points, dd-mm-yyyy.
    assert_eq!(reg.postings.len(), 3);
    assert_eq!(reg.postings[0].date, d(2025, 2, 1));
    assert_eq!(reg.postings[0].amount, Ore(1_194_400));
    assert_eq!(reg.postings[0].person, Some(PersonIx(0)));
    assert_eq!(reg.postings[1].amount, Ore(120_431_117));
    assert_eq!(reg.postings[1].person, None);
    assert_eq!(reg.postings[1].service, None);
    assert_eq!(reg.postings[2].amount, Ore(-50_050));

    assert_eq!(reg.prices.len(), 3);
    assert_eq!(reg.prices[0].price, Ore(61_000));
    assert_eq!(reg.prices[0].year, 2025);
    assert_eq!(reg.prices[1].source, "Leverandørkontrakt");
    assert_eq!(reg.prices[2].price, Ore(1_194_400));
}

#[test]
fn accepts_the_variations_real_exports_have() {
    // BOM, `;` instead of `,`, CRLF, columns reordered with other case and spaces, an extra
    // column, quoted values, CPR without hyphen, Danish dates with `.` and `/`.
    let persons = "\u{feff}Koen ; CPR;Ekstra;FAMILIE_ID;foedselsdato\r\n\
                   M;6103801235;x;F000001;01.03.1980\r\n\
                   K;640582-1240;y;\"F000001\";04/05/1982\r\n\
                   M;751014-4001;;F000001;15-10-2014\r\n\
                   K;700955-2468;;F000002;1955-09-10\r\n";
    // The postings file as UTF-8 instead of Windows-1252, with a quoted text holding `;`.
    let postings = "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n\
                    01-02-2025;55773;11.944,00;610380-1235;KTH;\"Kontanthjælp; februar\"\n\
                    31-01-2025;5.38.38;1.204.311,17;;;leverandør\n\
                    15-03-2025;5.57.73;-500,5;6103801235;;Tilbagebetaling\n";
    let dir = fixture(&[("personer.csv", persons)]);
    std::fs::write(dir.path().join("posteringer.csv"), postings).unwrap();
    let varied = read_default(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let plain = read_default(fixture(&[]).path()).unwrap();
    assert_same(&varied, &plain);
}

/// The fixture in the layout of profiles/kmd-opus-eksempel.toml: other file names, upper-case
/// columns in another order, `;` everywhere, decimal comma, `dd.mm.yyyy` dates.
fn write_kmd_fixture(dir: &Path) {
    let files = [
        (
            "CPR_UDTRAEK.csv",
            "CPRNR;KOEN;HUSSTAND_ID;FOEDSELSDATO\n\
             610380-1235;M;F000001;01.03.1980\n\
             640582-1240;K;F000001;04.05.1982\n\
             751014-4001;M;F000001;15.10.2014\n\
             700955-2468;K;F000002;10.09.1955\n",
        ),
        (
            "CPR_RELATIONER.csv",
            "REL_TYPE;CPRNR;REL_CPRNR\n\
             forælder;751014-4001;610380-1235\n\
             barn;610380-1235;751014-4001\n\
             partner;610380-1235;640582-1240\n",
        ),
        (
            "YDELSESKATALOG.csv",
            "YDELSE_KODE;YDELSE_NAVN;YDELSE_NAVN_EN;FORVALTNING;YDELSE_ART;HJEMMEL;ENHED;KONTO_FUNKTION;KATEGORIER\n\
             KTH;Kontanthjælp;Social assistance;beskaeftigelse;ydelse;LAS § 25;maaned;5.57.73;overfoersel|kontanthjaelp\n\
             MENTOR;Mentor;Mentor;beskaeftigelse;indsats;LAB §§ 167-169;time;5.68.90;mentor|hverdagsstoette\n\
             SEL85;Socialpædagogisk støtte;Socio-educational support;social_voksne;indsats;SEL § 85;time;5.38.38;sel85|hverdagsstoette\n\
             ANBR;Anbringelse i plejefamilie;;boern_familie;indsats;Barnets lov § 43;dag;5.28.22;\n",
        ),
        (
            "FAGSYSTEM_AKTIVITET.csv",
            "SAGSBEHANDLER;CPRNR;YDELSE_KODE;START_DATO;SLUT_DATO;OMFANG;ENHED\n\
             JC017;610380-1235;KTH;01.01.2024;;1;maaned\n\
             JC102;610380-1235;MENTOR;01.03.2024;28.02.2025;3,5;time\n\
             SO033;610380-1235;SEL85;15.06.2024;;4;time\n\
             ;751014-4001;ANBR;01.05.2023;31.12.2024;1;dag\n\
             JC102;700955-2468;MENTOR;01.01.2024;30.06.2024;2;time\n",
        ),
        (
            "TAKSTER.csv",
            "YDELSE_KODE;ENHED;ENHEDSPRIS;AAR;KILDE\n\
             SEL85;time;610,00;2025;Egen takst\n\
             MENTOR;time;575,00;2025;Leverandørkontrakt\n\
             KTH;maaned;11.944,00;2025;Sats\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let postings = "POSTERINGSTEKST;BOGF_DATO;FUNKTION;BELOEB_DKK;CPRNR;YDELSE_KODE\n\
                    Kontanthjælp februar;01.02.2025;5.57.73;11.944,00;610380-1235;KTH\n\
                    Socialpædagogisk støtte;31.01.2025;5.38.38;1.204.311,17;;\n\
                    Tilbagebetaling;15.03.2025;5.57.73;-500,50;610380-1235;\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(postings).0.into_owned();
    std::fs::write(dir.join("OPUS_POSTERINGER.csv"), bytes).unwrap();
}

fn profile_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../profiles")
        .join(name)
}

#[test]
fn kmd_opus_example_profile_reads_its_layout() {
    let dir = tempfile::tempdir().unwrap();
    write_kmd_fixture(dir.path());
    let profile = Profile::load(&profile_path("kmd-opus-eksempel.toml")).unwrap();
    let reg = read_exports(dir.path(), &profile).unwrap_or_else(|e| panic!("{e}"));
    let plain = read_default(fixture(&[]).path()).unwrap();
    assert_same(&reg, &plain);
    // And the default profile does not read this layout: it names the missing files.
    let e = read_default(dir.path()).unwrap_err();
    assert!(
        e.to_string().contains("personer.csv: file not found"),
        "{e}"
    );
}

/// What an analyst checks first: persons, families, relations, services, spells, postings and
/// their sum in øre, unit prices and their sum.
fn figures(reg: &tvaers_core::Register<tvaers_core::Identified>) -> [i64; 8] {
    let families: std::collections::BTreeSet<&str> =
        reg.persons.iter().map(|p| p.family.as_str()).collect();
    [
        reg.persons.len() as i64,
        families.len() as i64,
        reg.relations.len() as i64,
        reg.catalogue.entries().len() as i64,
        reg.spells.len() as i64,
        reg.postings.len() as i64,
        reg.postings.iter().map(|p| p.amount.0).sum(),
        reg.prices.iter().map(|p| p.price.0).sum(),
    ]
}

#[test]
fn a_suggested_profile_reads_the_kmd_opus_example_without_edits() {
    let dir = tempfile::tempdir().unwrap();
    write_kmd_fixture(dir.path());
    let text = tvaers_ingest::suggest(dir.path(), tvaers_messages::Lang::En)
        .unwrap_or_else(|e| panic!("{e}"));
    // Written to a file and loaded as `tvaers import --profile` would.
    let elsewhere = tempfile::tempdir().unwrap();
    let path = elsewhere.path().join("forslag.toml");
    std::fs::write(&path, &text).unwrap();
    let suggested = Profile::load(&path).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reg = read_exports(dir.path(), &suggested).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let hand_made = Profile::load(&profile_path("kmd-opus-eksempel.toml")).unwrap();
    let expected = read_exports(dir.path(), &hand_made).unwrap();
    assert_eq!(figures(&reg), figures(&expected), "{text}");
    assert_eq!(figures(&reg)[6], 1_194_400 + 120_431_117 - 50_050);
    assert_same(&reg, &expected);
    // What it guessed, as the analyst reads it.
    assert!(text.contains("file = \"OPUS_POSTERINGER.csv\""), "{text}");
    assert!(text.contains("encoding = \"windows-1252\""), "{text}");
    assert!(text.contains("amount = \"BELOEB_DKK\""), "{text}");
    assert!(text.contains("dates as dd.mm.yyyy"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("# ")), "commented");
    // In Danish too, and the comments do not change the profile.
    let da = tvaers_ingest::suggest(dir.path(), tvaers_messages::Lang::Da).unwrap();
    assert!(da.contains("felter fundet ud fra kolonnenavnene"), "{da}");
    let da = Profile::from_toml(&da, Path::new("da.toml")).unwrap();
    let mut en = suggested;
    en.description = None;
    let mut da = da;
    da.description = None;
    assert_eq!(da, en);
}

#[test]
fn a_suggested_profile_reads_the_default_layout_and_says_what_it_misses() {
    let dir = fixture(&[]);
    let text = tvaers_ingest::suggest(dir.path(), tvaers_messages::Lang::En).unwrap();
    let p =
        Profile::from_toml(&text, Path::new("s.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reg = read_exports(dir.path(), &p).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let plain = read_default(dir.path()).unwrap();
    assert_same(&reg, &plain);
    // A folder without the prices and with a sex column of its own: said in comments.
    std::fs::remove_file(dir.path().join("enhedspriser.csv")).unwrap();
    std::fs::write(
        dir.path().join("personer.csv"),
        PERSONS.replace(",M,", ",1,").replace(",K,", ",2,"),
    )
    .unwrap();
    std::fs::write(dir.path().join("noter.csv"), "a;b\n1;2\n").unwrap();
    let text = tvaers_ingest::suggest(dir.path(), tvaers_messages::Lang::En).unwrap();
    assert!(
        text.contains("# [prices]: no file looks like this export"),
        "{text}"
    );
    assert!(
        text.contains("values in column koen that Tværs does not know"),
        "{text}"
    );
    assert!(text.contains("# \"1\" = \"?\""), "{text}");
    assert!(text.contains("# files not used: noter.csv"), "{text}");
    Profile::from_toml(&text, Path::new("s.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let empty = tempfile::tempdir().unwrap();
    let e = tvaers_ingest::suggest(empty.path(), tvaers_messages::Lang::En).unwrap_err();
    assert!(e.to_string().contains("no CSV files"), "{e}");
}

#[test]
fn shipped_default_profile_reads_the_default_layout() {
    let profile = Profile::load(&profile_path("default.toml")).unwrap();
    let dir = fixture(&[]);
    let reg = read_exports(dir.path(), &profile).unwrap();
    assert_eq!(reg.spells.len(), 5);
}

// ---------------------------------------------------------------------------------------------
// Parquet input

use arrow_array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;

fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect()).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn days(y: i32, m: u32, day: u32) -> i32 {
    (d(y, m, day) - d(1970, 1, 1)).num_days() as i32
}

fn strings(v: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

/// Spells, postings and persons as Parquet with native types (dates, decimals, floats, a CPR
/// number as an integer), in place of the CSV files.
fn write_parquet_fixture(dir: &Path) {
    std::fs::remove_file(dir.join("forloeb.csv")).unwrap();
    std::fs::remove_file(dir.join("posteringer.csv")).unwrap();
    std::fs::remove_file(dir.join("personer.csv")).unwrap();
    write_parquet(
        &dir.join("personer.parquet"),
        vec![
            // 0101… would lose its zero; none of these start with 0, but the type is integer.
            (
                "cpr",
                Arc::new(Int64Array::from(vec![
                    6103801235, 6405821240, 7510144001, 7009552468,
                ])),
            ),
            (
                "foedselsdato",
                Arc::new(Date32Array::from(vec![
                    days(1980, 3, 1),
                    days(1982, 5, 4),
                    days(2014, 10, 15),
                    days(1955, 9, 10),
                ])),
            ),
            (
                "koen",
                strings(&[Some("M"), Some("K"), Some("M"), Some("K")]),
            ),
            (
                "familie_id",
                strings(&[
                    Some("F000001"),
                    Some("F000001"),
                    Some("F000001"),
                    Some("F000002"),
                ]),
            ),
        ],
    );
    let c = "610380-1235";
    write_parquet(
        &dir.join("forloeb.parquet"),
        vec![
            (
                "cpr",
                strings(&[
                    Some(c),
                    Some(c),
                    Some(c),
                    Some("751014-4001"),
                    Some("700955-2468"),
                ]),
            ),
            (
                "ydelse",
                strings(&[
                    Some("KTH"),
                    Some("MENTOR"),
                    Some("SEL85"),
                    Some("ANBR"),
                    Some("MENTOR"),
                ]),
            ),
            (
                "start",
                Arc::new(Date32Array::from(vec![
                    days(2024, 1, 1),
                    days(2024, 3, 1),
                    days(2024, 6, 15),
                    days(2023, 5, 1),
                    days(2024, 1, 1),
                ])),
            ),
            (
                "slut",
                Arc::new(Date32Array::from(vec![
                    None,
                    Some(days(2025, 2, 28)),
                    None,
                    Some(days(2024, 12, 31)),
                    Some(days(2024, 6, 30)),
                ])),
            ),
            // Float volumes: written with `.` although the profile says decimal `,`.
            (
                "omfang",
                Arc::new(Float64Array::from(vec![1.0, 3.5, 4.0, 1.0, 2.0])),
            ),
            (
                "enhed",
                strings(&[
                    Some("maaned"),
                    Some("time"),
                    Some("time"),
                    Some("dag"),
                    Some("time"),
                ]),
            ),
            (
                "kontaktperson",
                strings(&[
                    Some("JC017"),
                    Some("JC102"),
                    Some("SO033"),
                    None,
                    Some("JC102"),
                ]),
            ),
        ],
    );
    write_parquet(
        &dir.join("posteringer.parquet"),
        vec![
            (
                "bogfoeringsdato",
                Arc::new(Date32Array::from(vec![
                    days(2025, 2, 1),
                    days(2025, 1, 31),
                    days(2025, 3, 15),
                ])),
            ),
            (
                "funktion",
                strings(&[Some("5.57.73"), Some("5.38.38"), Some("5.57.73")]),
            ),
            (
                "beloeb",
                Arc::new(
                    Decimal128Array::from(vec![1_194_400i128, 120_431_117, -50_050])
                        .with_precision_and_scale(18, 2)
                        .unwrap(),
                ),
            ),
            ("cpr", strings(&[Some(c), None, Some(c)])),
            ("ydelse", strings(&[Some("KTH"), None, None])),
            ("tekst", strings(&[Some("x"), Some("y"), Some("z")])),
        ],
    );
}

#[test]
fn parquet_input_with_native_types_reads_like_csv() {
    let dir = fixture(&[]);
    write_parquet_fixture(dir.path());
    let reg = read_default(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let plain = read_default(fixture(&[]).path()).unwrap();
    assert_same(&reg, &plain);
}

#[test]
fn parquet_input_is_validated_by_the_same_rules() {
    let dir = fixture(&[]);
    write_parquet_fixture(dir.path());
    // Replace the prices with a Parquet file whose third row has an unknown service and whose
    // year column is an integer type holding a year out of range in row 2.
    std::fs::remove_file(dir.path().join("enhedspriser.csv")).unwrap();
    write_parquet(
        &dir.path().join("enhedspriser.parquet"),
        vec![
            (
                "ydelse",
                strings(&[Some("SEL85"), Some("MENTOR"), Some("SEL58")]),
            ),
            (
                "enhed",
                strings(&[Some("time"), Some("time"), Some("time")]),
            ),
            (
                "pris",
                Arc::new(Float64Array::from(vec![610.0, 575.0, 1.0])),
            ),
            ("aar", Arc::new(Int32Array::from(vec![2025, 1850, 2025]))),
            ("kilde", strings(&[Some("a"), Some("b"), Some("c")])),
        ],
    );
    let e = read_default(dir.path()).unwrap_err();
    // Line = row number + 1: the second row is line 3, the third line 4.
    assert_reported(&e, "enhedspriser.parquet:3", "aar", "1850", "is not a year");
    assert_reported(
        &e,
        "enhedspriser.parquet:4",
        "ydelse",
        "SEL58",
        "is not a service in ydelseskatalog.csv",
    );
    assert_eq!(e.total(), 2, "{e}");
}

#[test]
fn the_profile_may_name_a_parquet_file_directly() {
    let dir = fixture(&[]);
    write_parquet_fixture(dir.path());
    std::fs::rename(
        dir.path().join("forloeb.parquet"),
        dir.path().join("aktivitet.pq"),
    )
    .unwrap();
    let mut profile = Profile::default_profile();
    profile.spells.file = "aktivitet.pq".into();
    let reg = read_exports(dir.path(), &profile).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reg.spells.len(), 5);
    assert_eq!(reg.spells[1].volume, Quantity(3_500));
}
