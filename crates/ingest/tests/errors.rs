//! One test per kind of validation error: each breaks one value of the valid fixture and checks
//! that the message names the file, the line, the column and the value.

mod common;

use common::*;
use tvaers_ingest::{ERRORS_PER_FILE, ErrorKind};

fn kind_of(errs: &tvaers_ingest::ImportErrors) -> ErrorKind {
    assert_eq!(errs.total(), 1, "exactly one error expected:\n{errs}");
    errs.errors[0].kind
}

// --- file level ------------------------------------------------------------------------------

#[test]
fn missing_file() {
    let dir = fixture(&[]);
    std::fs::remove_file(dir.path().join("enhedspriser.csv")).unwrap();
    let e = read_default(dir.path()).unwrap_err();
    assert_eq!(kind_of(&e), ErrorKind::Unreadable);
    assert!(
        e.to_string()
            .starts_with("enhedspriser.csv: file not found"),
        "{e}"
    );
}

#[test]
fn missing_column_names_file_and_column() {
    let e = errors_with(
        "posteringer.csv",
        "bogfoeringsdato;funktion;belob;cpr;ydelse;tekst\n01-02-2025;5.57.73;1,00;;;x\n",
    );
    assert_eq!(kind_of(&e), ErrorKind::MissingColumn);
    let m = e.to_string();
    assert!(
        m.starts_with("posteringer.csv:1: missing column \"beloeb\""),
        "{m}"
    );
    assert!(m.contains("belob"), "lists the columns found: {m}");
}

#[test]
fn missing_optional_column_is_not_an_error() {
    // No kontaktperson column: the spells simply have no contact.
    let spells = "cpr;ydelse;start;slut;omfang;enhed\n610380-1235;KTH;2024-01-01;;1;maaned\n";
    let dir = fixture(&[("forloeb.csv", spells)]);
    let reg = read_default(dir.path()).unwrap();
    assert_eq!(reg.spells[0].contact, None);
    assert!(reg.contacts.is_empty());
}

#[test]
fn row_with_wrong_number_of_fields() {
    let e = errors_with(
        "relationer.csv",
        "cpr,relateret_cpr,relation\n751014-4001,610380-1235\n",
    );
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert!(
        e.to_string()
            .starts_with("relationer.csv:2: row has 2 fields but the header has 3"),
        "{e}"
    );
}

#[test]
fn utf16_file_is_refused_with_advice() {
    let dir = fixture(&[]);
    let mut bytes = vec![0xFF, 0xFE];
    for u in "cpr,relateret_cpr,relation\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(dir.path().join("relationer.csv"), bytes).unwrap();
    let e = read_default(dir.path()).unwrap_err();
    assert_eq!(kind_of(&e), ErrorKind::Unreadable);
    assert!(e.to_string().contains("UTF-16"), "{e}");
}

#[test]
fn declared_utf8_that_is_not() {
    let dir = fixture(&[]);
    let mut profile = tvaers_ingest::Profile::default_profile();
    profile.postings.encoding = Some(tvaers_ingest::profile::TextEncoding::Utf8);
    // The fixture's postings are Windows-1252; line 2 has the first non-ASCII byte.
    let e = tvaers_ingest::read_exports(dir.path(), &profile).unwrap_err();
    assert_eq!(kind_of(&e), ErrorKind::Unreadable);
    assert!(
        e.to_string()
            .starts_with("posteringer.csv:2: is not valid UTF-8"),
        "{e}"
    );
}

// --- persons ---------------------------------------------------------------------------------

const PERSONS_HEAD: &str = "cpr,foedselsdato,koen,familie_id\n";

fn persons_with(extra: &str) -> tvaers_ingest::ImportErrors {
    errors_with("personer.csv", &format!("{PERSONS}{extra}"))
}

#[test]
fn malformed_cpr() {
    let e = persons_with("3201801235,1980-01-32,M,F9\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "personer.csv:6",
        "cpr",
        "3201801235",
        "is not a CPR number",
    );
    assert!(e.to_string().contains("DDMMYY-SSSS"));
}

#[test]
fn birth_date_not_matching_the_cpr() {
    let e = persons_with("010180-1235,1980-01-02,M,F9\n");
    assert_eq!(kind_of(&e), ErrorKind::Inconsistent);
    assert_reported(
        &e,
        "personer.csv:6",
        "foedselsdato",
        "1980-01-02",
        "does not match",
    );
    assert!(
        e.to_string().contains("1980-01-01"),
        "names the encoded date: {e}"
    );
}

#[test]
fn birth_date_not_a_date() {
    let e = persons_with("010180-1235,1980-01-xx,M,F9\n");
    assert_reported(
        &e,
        "personer.csv:6",
        "foedselsdato",
        "1980-01-xx",
        "is not a date",
    );
}

#[test]
fn unknown_sex() {
    let e = persons_with("010180-1235,1980-01-01,X,F9\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(&e, "personer.csv:6", "koen", "X", "is not a sex");
}

#[test]
fn empty_family_key() {
    let e = persons_with("010180-1235,1980-01-01,M,\n");
    assert_reported(&e, "personer.csv:6", "familie_id", "", "is empty");
}

#[test]
fn duplicate_cpr() {
    // The same number with and without hyphen is the same person.
    let e = persons_with("6405821240,1982-05-04,K,F000001\n");
    assert_eq!(kind_of(&e), ErrorKind::Duplicate);
    assert_reported(
        &e,
        "personer.csv:6",
        "cpr",
        "6405821240",
        "duplicate CPR number",
    );
    assert!(e.to_string().contains("first on line 3"), "{e}");
}

// --- relations -------------------------------------------------------------------------------

#[test]
fn relation_to_unknown_person() {
    let e = errors_with(
        "relationer.csv",
        "cpr,relateret_cpr,relation\n610380-1235,010180-1235,partner\n",
    );
    assert_eq!(kind_of(&e), ErrorKind::UnknownReference);
    assert_reported(
        &e,
        "relationer.csv:2",
        "relateret_cpr",
        "010180-1235",
        "is not a person in personer.csv",
    );
}

#[test]
fn bad_relation_kind() {
    let e = errors_with(
        "relationer.csv",
        "cpr,relateret_cpr,relation\n610380-1235,640582-1240,nabo\n",
    );
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "relationer.csv:2",
        "relation",
        "nabo",
        "is not a relation kind",
    );
}

#[test]
fn relation_to_oneself() {
    let e = errors_with(
        "relationer.csv",
        "cpr,relateret_cpr,relation\n610380-1235,6103801235,partner\n",
    );
    assert_eq!(kind_of(&e), ErrorKind::Inconsistent);
    assert_reported(
        &e,
        "relationer.csv:2",
        "relateret_cpr",
        "6103801235",
        "itself",
    );
}

// --- catalogue -------------------------------------------------------------------------------

fn catalogue_with(extra: &str) -> tvaers_ingest::ImportErrors {
    errors_with("ydelseskatalog.csv", &format!("{CATALOGUE}{extra}"))
}

#[test]
fn duplicate_service_code() {
    let e = catalogue_with("SEL85,Andet,Other,social_voksne,indsats,SEL § 85,time,5.38.38,\n");
    assert_eq!(kind_of(&e), ErrorKind::Duplicate);
    assert_reported(
        &e,
        "ydelseskatalog.csv:6",
        "kode",
        "SEL85",
        "duplicate service code",
    );
    assert!(e.to_string().contains("first on line 4"), "{e}");
}

#[test]
fn unknown_department() {
    let e = catalogue_with("X1,X,X,oekonomi,indsats,,time,5.38.38,\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "ydelseskatalog.csv:6",
        "forvaltning",
        "oekonomi",
        "is not a department",
    );
    assert!(
        e.to_string().contains("social_voksne"),
        "lists the codes: {e}"
    );
}

#[test]
fn unknown_service_kind() {
    let e = catalogue_with("X1,X,X,sundhed,tilskud,,time,5.38.38,\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "ydelseskatalog.csv:6",
        "art",
        "tilskud",
        "is not a service kind",
    );
}

#[test]
fn unknown_unit_in_catalogue() {
    let e = catalogue_with("X1,X,X,sundhed,indsats,,kvartal,5.38.38,\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "ydelseskatalog.csv:6",
        "enhed",
        "kvartal",
        "is not a unit",
    );
}

#[test]
fn bad_account_function() {
    let e = catalogue_with("X1,X,X,sundhed,indsats,,time,5.3.38,\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "ydelseskatalog.csv:6",
        "funktion",
        "5.3.38",
        "is not an account function",
    );
}

#[test]
fn empty_service_name() {
    let e = catalogue_with("X1,,X,sundhed,indsats,,time,5.38.38,\n");
    assert_reported(&e, "ydelseskatalog.csv:6", "navn_da", "", "is empty");
}

// --- spells ----------------------------------------------------------------------------------

fn spells_with(extra: &str) -> tvaers_ingest::ImportErrors {
    errors_with("forloeb.csv", &format!("{SPELLS}{extra}"))
}

#[test]
fn spell_of_unknown_person() {
    let e = spells_with("010180-1235;KTH;2024-01-01;;1;maaned;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::UnknownReference);
    assert_reported(
        &e,
        "forloeb.csv:7",
        "cpr",
        "010180-1235",
        "is not a person in personer.csv",
    );
}

#[test]
fn spell_with_malformed_cpr() {
    let e = spells_with("61038-1235;KTH;2024-01-01;;1;maaned;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "forloeb.csv:7",
        "cpr",
        "61038-1235",
        "is not a CPR number",
    );
}

#[test]
fn spell_of_unknown_service() {
    let e = spells_with("610380-1235;SEL58;2024-01-01;;1;time;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::UnknownReference);
    assert_reported(
        &e,
        "forloeb.csv:7",
        "ydelse",
        "SEL58",
        "is not a service in ydelseskatalog.csv",
    );
}

#[test]
fn spell_with_bad_start_date() {
    let e = spells_with("610380-1235;KTH;2024-02-30;;1;maaned;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(&e, "forloeb.csv:7", "start", "2024-02-30", "is not a date");
}

#[test]
fn spell_with_bad_end_date() {
    let e = spells_with("610380-1235;KTH;2024-02-01;31-13-2024;1;maaned;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(&e, "forloeb.csv:7", "slut", "31-13-2024", "is not a date");
}

#[test]
fn spell_ending_before_it_starts() {
    let e = spells_with("610380-1235;KTH;2024-02-01;2024-01-31;1;maaned;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::Inconsistent);
    assert_reported(
        &e,
        "forloeb.csv:7",
        "slut",
        "2024-01-31",
        "is before start 2024-02-01",
    );
}

#[test]
fn spell_ending_on_its_start_day_is_fine() {
    let dir = fixture(&[(
        "forloeb.csv",
        &format!("{SPELLS}610380-1235;KTH;2024-02-01;2024-02-01;1;maaned;JC017\n"),
    )]);
    assert_eq!(read_default(dir.path()).unwrap().spells.len(), 6);
}

#[test]
fn spell_with_bad_volume() {
    let e = spells_with(
        "610380-1235;SEL85;2024-01-01;;-1;time;JC017\n\
         610380-1235;SEL85;2024-01-01;;1,2345;time;JC017\n\
         610380-1235;SEL85;2024-01-01;;3.5;time;JC017\n",
    );
    assert_eq!(e.total(), 3, "{e}");
    assert!(e.errors.iter().all(|x| x.kind == ErrorKind::Malformed));
    assert_reported(&e, "forloeb.csv:7", "omfang", "-1", "is not a volume");
    assert_reported(
        &e,
        "forloeb.csv:8",
        "omfang",
        "1,2345",
        "at most three decimals",
    );
    assert_reported(&e, "forloeb.csv:9", "omfang", "3.5", "decimal \",\"");
}

#[test]
fn spell_unit_not_matching_the_catalogue() {
    let e = spells_with("610380-1235;SEL85;2024-01-01;;1;dag;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::Inconsistent);
    assert_reported(
        &e,
        "forloeb.csv:7",
        "enhed",
        "dag",
        "does not match the unit of service SEL85",
    );
    assert!(e.to_string().contains("expected time"), "{e}");
}

#[test]
fn spell_with_unknown_unit() {
    let e = spells_with("610380-1235;SEL85;2024-01-01;;1;minut;JC017\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(&e, "forloeb.csv:7", "enhed", "minut", "is not a unit");
}

// --- postings --------------------------------------------------------------------------------

fn postings_with(extra: &str) -> tvaers_ingest::ImportErrors {
    errors_with("posteringer.csv", &format!("{POSTINGS}{extra}"))
}

#[test]
fn posting_with_bad_date() {
    let e = postings_with("2025-31-01;5.57.73;1,00;;;x\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "posteringer.csv:5",
        "bogfoeringsdato",
        "2025-31-01",
        "is not a date",
    );
}

#[test]
fn posting_with_bad_function() {
    let e = postings_with("01-02-2025;5.57;1,00;;;x\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "posteringer.csv:5",
        "funktion",
        "5.57",
        "is not an account function",
    );
}

#[test]
fn posting_with_bad_amount() {
    let e = postings_with("01-02-2025;5.57.73;12.3x;;;x\n01-02-2025;5.57.73;1,234;;;x\n");
    assert_eq!(e.total(), 2, "{e}");
    assert_reported(
        &e,
        "posteringer.csv:5",
        "beloeb",
        "12.3x",
        "is not an amount",
    );
    assert_reported(
        &e,
        "posteringer.csv:6",
        "beloeb",
        "1,234",
        "at most two decimals",
    );
}

#[test]
fn posting_to_unknown_person() {
    let e = postings_with("01-02-2025;5.57.73;1,00;010180-1235;;x\n");
    assert_eq!(kind_of(&e), ErrorKind::UnknownReference);
    assert_reported(
        &e,
        "posteringer.csv:5",
        "cpr",
        "010180-1235",
        "is not a person",
    );
}

#[test]
fn posting_of_unknown_service() {
    let e = postings_with("01-02-2025;5.57.73;1,00;;KTHX;x\n");
    assert_eq!(kind_of(&e), ErrorKind::UnknownReference);
    assert_reported(
        &e,
        "posteringer.csv:5",
        "ydelse",
        "KTHX",
        "is not a service",
    );
}

// --- prices ----------------------------------------------------------------------------------

fn prices_with(extra: &str) -> tvaers_ingest::ImportErrors {
    errors_with("enhedspriser.csv", &format!("{PRICES}{extra}"))
}

#[test]
fn price_of_unknown_service() {
    let e = prices_with("SEL58,time,610.00,2025,x\n");
    assert_eq!(kind_of(&e), ErrorKind::UnknownReference);
    assert_reported(
        &e,
        "enhedspriser.csv:5",
        "ydelse",
        "SEL58",
        "is not a service",
    );
}

#[test]
fn price_unit_not_matching_the_catalogue() {
    let e = prices_with("SEL85,dag,610.00,2024,x\n");
    assert_eq!(kind_of(&e), ErrorKind::Inconsistent);
    assert_reported(
        &e,
        "enhedspriser.csv:5",
        "enhed",
        "dag",
        "does not match the unit",
    );
}

#[test]
fn negative_price() {
    let e = prices_with("SEL85,time,-610.00,2024,x\n");
    assert_eq!(kind_of(&e), ErrorKind::Inconsistent);
    assert_reported(&e, "enhedspriser.csv:5", "pris", "-610.00", "is negative");
}

#[test]
fn malformed_price() {
    let e = prices_with("SEL85,time,610;00,2024,x\n");
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    assert_reported(
        &e,
        "enhedspriser.csv:5",
        "pris",
        "610;00",
        "is not an amount",
    );
}

#[test]
fn bad_year() {
    let e = prices_with("SEL85,time,610.00,24,x\nSEL85,time,610.00,2201,x\n");
    assert_eq!(e.total(), 2, "{e}");
    assert_reported(&e, "enhedspriser.csv:5", "aar", "24", "is not a year");
    assert_reported(&e, "enhedspriser.csv:6", "aar", "2201", "1900–2100");
}

#[test]
fn duplicate_price_for_service_and_year() {
    let e = prices_with("SEL85,time,620.00,2025,Ny takst\n");
    assert_eq!(kind_of(&e), ErrorKind::Duplicate);
    assert_reported(
        &e,
        "enhedspriser.csv:5",
        "aar",
        "2025",
        "second price for service SEL85",
    );
    assert!(e.to_string().contains("first on line 2"), "{e}");
}

// --- many at once ----------------------------------------------------------------------------

#[test]
fn reports_every_error_in_every_file_at_once() {
    let dir = fixture(&[
        (
            "personer.csv",
            &format!("{PERSONS}3201801235,1980-01-01,M,F1\n"),
        ),
        (
            "forloeb.csv",
            &format!("{SPELLS}610380-1235;SEL58;2024-13-01;;x;time;\n"),
        ),
        (
            "posteringer.csv",
            &format!("{POSTINGS}01-02-2025;5.57.73;12.3x;;;x\n"),
        ),
        (
            "enhedspriser.csv",
            &format!("{PRICES}SEL85,time,-1,1800,x\n"),
        ),
    ]);
    let e = read_default(dir.path()).unwrap_err();
    // persons 1; spells: service, start, volume (unit not checked against an unknown service)
    // = 3; postings 1; prices: negative, year = 2.
    assert_eq!(e.total(), 7, "{e}");
    assert_eq!(e.truncated, 0);
    assert_eq!(e.to_string().lines().count(), 7);
    // In file order: persons first, prices last.
    assert!(e.errors[0].file == "personer.csv");
    assert!(e.errors[6].file == "enhedspriser.csv");
    assert_reported(&e, "forloeb.csv:7", "ydelse", "SEL58", "is not a service");
    assert_reported(&e, "forloeb.csv:7", "start", "2024-13-01", "is not a date");
    assert_reported(&e, "forloeb.csv:7", "omfang", "x", "is not a volume");
}

#[test]
fn lists_a_hundred_errors_per_file_and_counts_the_rest() {
    let mut spells = SPELLS.to_string();
    for _ in 0..250 {
        spells.push_str("610380-1235;KTH;2024-01-01;;1;maaned;JC017\n");
        spells.push_str("610380-1235;KTH;2024-01-01;;1;uge;JC017\n");
    }
    let e = errors_with("forloeb.csv", &spells);
    assert_eq!(e.errors.len(), ERRORS_PER_FILE);
    assert_eq!(e.total(), 250);
    assert_eq!(e.truncated, 150);
    assert!(
        e.to_string()
            .ends_with("… and 150 more errors not listed (at most 100 are listed per file)")
    );
    // The first listed is the first bad row: line 7 + 1 (valid rows alternate).
    assert_reported(&e, "forloeb.csv:8", "enhed", "uge", "does not match");
}

#[test]
fn an_unreadable_persons_file_does_not_flood_references() {
    // Without a cpr column in personer.csv, spells are not checked against persons.
    let dir = fixture(&[(
        "personer.csv",
        &format!(
            "{}\n010180-1235,1980-01-01,M,F1\n",
            PERSONS_HEAD.replace("cpr,", "personnr,").trim()
        ),
    )]);
    let e = read_default(dir.path()).unwrap_err();
    assert_eq!(kind_of(&e), ErrorKind::MissingColumn);
    assert!(
        e.to_string()
            .starts_with("personer.csv:1: missing column \"cpr\""),
        "{e}"
    );
}

#[test]
fn implausibly_large_amounts_prices_and_volumes_are_refused_naming_the_row() {
    // Two such postings used to wrap the total to a negative number and exit 0.
    let e = errors_with(
        "posteringer.csv",
        "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n\
         01-02-2025;5.57.73;50.000.000.000.000.000,00;;;x\n\
         02-02-2025;5.57.73;-1.000.000.000.000,01;;;y\n\
         03-02-2025;5.57.73;1.000.000.000.000,00;;;at the limit\n",
    );
    assert_eq!(e.total(), 2, "{e}");
    assert_reported(
        &e,
        "posteringer.csv:2",
        "beloeb",
        "50.000.000.000.000.000,00",
        "beyond the limits",
    );
    assert_reported(
        &e,
        "posteringer.csv:3",
        "beloeb",
        "-1.000.000.000.000,01",
        "at most ±1000000000000 kr.",
    );
    let e = errors_with(
        "forloeb.csv",
        "cpr;ydelse;start;slut;omfang;enhed;kontaktperson\n\
         610380-1235;MENTOR;2024-03-01;2025-02-28;9000000000000000;time;JC102\n",
    );
    assert_reported(&e, "forloeb.csv:2", "omfang", "9000000000000000", "beyond");
    let e = errors_with(
        "enhedspriser.csv",
        "ydelse,enhed,pris,aar,kilde\nSEL85,time,100000000.01,2025,x\n",
    );
    assert_reported(&e, "enhedspriser.csv:2", "pris", "100000000.01", "beyond");
}

#[test]
fn an_unterminated_quote_refuses_the_file_instead_of_losing_rows() {
    let mut postings = String::from("bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n");
    postings.push_str("01-02-2025;5.57.73;1,00;;;ok\n");
    postings.push_str("02-02-2025;5.57.73;2,00;;;\"opened and never closed\n");
    for i in 0..40 {
        postings.push_str(&format!("03-02-2025;5.57.73;{i},00;;;row {i}\n"));
    }
    let e = errors_with("posteringer.csv", &postings);
    assert_eq!(kind_of(&e), ErrorKind::Malformed);
    let m = e.to_string();
    assert!(m.starts_with("posteringer.csv:3:"), "{m}");
    assert!(m.contains("never closed"), "{m}");

    // A quoted text with a line break or two is legitimate: every row comes through.
    let mut postings = String::from("bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n");
    postings.push_str("01-02-2025;5.57.73;1,00;;;\"two\nlines\"\n");
    for i in 0..40 {
        postings.push_str(&format!("03-02-2025;5.57.73;{i},00;;;row {i}\n"));
    }
    let dir = fixture(&[("posteringer.csv", &postings)]);
    let reg = read_default(dir.path()).unwrap();
    assert_eq!(reg.postings.len(), 41, "rows in = rows out");
}

#[test]
fn a_header_that_names_a_column_twice_is_refused() {
    let e = errors_with(
        "posteringer.csv",
        "bogfoeringsdato;funktion;beloeb;cpr;ydelse;beloeb;tekst\n01-02-2025;5.57.73;1,00;;;2,00;x\n",
    );
    assert_eq!(kind_of(&e), ErrorKind::Duplicate);
    let m = e.to_string();
    assert!(m.starts_with("posteringer.csv:1:"), "{m}");
    assert!(
        m.contains("named twice") && m.contains("fields 3 and 6"),
        "{m}"
    );
}

#[test]
fn cyclic_parent_relations_are_refused() {
    // 751014-4001 is 610380-1235's child (lines 2 and 3), and line 5 makes it the parent too.
    let e = errors_with(
        "relationer.csv",
        &format!("{RELATIONS}751014-4001,610380-1235,barn\n"),
    );
    assert!(
        e.errors.iter().all(|x| x.kind == ErrorKind::Inconsistent),
        "{e}"
    );
    let lines: Vec<u64> = e.errors.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 3, 5], "{e}");
    assert!(e.to_string().contains("own ancestor"), "{e}");
    // Partners in both directions are no cycle of parenthood.
    let dir = fixture(&[(
        "relationer.csv",
        &format!("{RELATIONS}640582-1240,610380-1235,partner\n"),
    )]);
    assert!(read_default(dir.path()).is_ok());
}

#[test]
fn service_dates_outside_1900_to_2100_are_refused() {
    let e = errors_with(
        "posteringer.csv",
        "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n\
         31-12-2200;5.57.73;1,00;;;typo\n\
         01-01-1800;5.57.73;1,00;;;typo\n\
         01-01-2100;5.57.73;1,00;;;last year accepted\n",
    );
    assert_eq!(e.total(), 2, "{e}");
    assert_reported(
        &e,
        "posteringer.csv:2",
        "bogfoeringsdato",
        "31-12-2200",
        "1900–2100",
    );
    assert_reported(
        &e,
        "posteringer.csv:3",
        "bogfoeringsdato",
        "01-01-1800",
        "1900–2100",
    );
}

#[test]
fn the_service_date_window_follows_the_profile() {
    let postings = "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n\
         31-12-1985;5.57.73;1,00;;;old\n\
         01-01-2031;5.57.73;1,00;;;planned\n";
    let dir = fixture(&[("posteringer.csv", postings)]);
    // The default window takes both.
    assert!(read_default(dir.path()).is_ok());
    let mut profile = tvaers_ingest::profile::Profile::default_profile();
    profile.service_years = 1990..=2030;
    let e = tvaers_ingest::read_exports(dir.path(), &profile).unwrap_err();
    assert_eq!(e.total(), 2, "{e}");
    assert_reported(
        &e,
        "posteringer.csv:2",
        "bogfoeringsdato",
        "31-12-1985",
        "1990–2030",
    );
    assert_reported(
        &e,
        "posteringer.csv:3",
        "bogfoeringsdato",
        "01-01-2031",
        "1990–2030",
    );
}

#[test]
fn follow_on_errors_of_one_unknown_person_collapse_into_one_line() {
    let mut spells = String::from("cpr;ydelse;start;slut;omfang;enhed;kontaktperson\n");
    for _ in 0..5 {
        spells.push_str("010101-0001;MENTOR;2024-01-01;2024-06-30;2;time;JC102\n");
    }
    spells.push_str("020202-0002;MENTOR;2024-01-01;2024-06-30;2;time;JC102\n");
    let e = errors_with("forloeb.csv", &spells);
    assert_eq!(e.errors.len(), 2, "one line per unknown person:\n{e}");
    assert_eq!(e.errors[0].line, 2);
    assert_eq!(e.errors[0].repeats, 4);
    assert_eq!(e.errors[1].repeats, 0);
    let m = e.to_string();
    assert!(
        m.contains("(and on 4 later lines with the same value)"),
        "{m}"
    );
    assert!(m.contains("010101-****") && !m.contains("0001"), "{m}");
}
