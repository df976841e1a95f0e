//! What real exports do, through a mapping profile (docs/data-formats.md, "What real exports
//! do"): amounts in øre, trailing minus signs and a currency, the municipality's own names and
//! numbers for departments, units, sex and relations, date-times and compact dates, Excel's
//! `sep=;` first line, CRLF line ends — each read to the same register as the plain fixture.

mod common;

use common::*;
use std::path::Path;
use tvaers_ingest::{Profile, read_exports};

/// A profile for the export below, as an analyst would write it.
const PROFILE: &str = r#"
description = "Økonomisystem med beløb i øre og egne organisationskoder"

[persons]
file = "cpr.csv"
[persons.columns]
cpr = "PNR"
birth_date = "FOEDT"
sex = "KOEN_KODE"
family = "HUSSTAND"
[persons.values.sex]
"1" = "M"
"2" = "K"

[relations]
file = "rel.csv"
[relations.columns]
cpr = "PNR"
related_cpr = "REL_PNR"
relation = "REL_KODE"
[relations.values.relation]
"FA" = "forælder"
"BA" = "barn"
"AE" = "partner"

[catalogue]
file = "katalog.csv"
[catalogue.columns]
department = "ORG_ENHED"
unit = "ENHED"
[catalogue.values.department]
"4100" = "beskaeftigelse"
"Voksenområdet" = "social_voksne"
"Børn og Familie" = "boern_familie"
[catalogue.values.unit]
"t" = "time"
"md." = "maaned"
"døgn" = "dag"

[spells]
file = "aktivitet.csv"
[spells.values.unit]
"t" = "time"
"md." = "maaned"
"døgn" = "dag"

[postings]
file = "posteringer.csv"
amount_unit = "øre"

[prices]
file = "takster.csv"
decimal = ","
[prices.values.unit]
"t" = "time"
"md." = "maaned"
"#;

fn write_real_export(dir: &Path) {
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let files = [
        (
            "cpr.csv",
            "sep=;\n\
             PNR;FOEDT;KOEN_KODE;HUSSTAND\n\
             610380-1235;01-03-1980 00:00:00;1;F000001\n\
             640582-1240;19820504;2;F000001\n\
             751014-4001;2014-10-15T00:00:00;1;F000001\n\
             700955-2468;10.09.1955;2;F000002\n",
        ),
        (
            "rel.csv",
            "PNR,REL_PNR,REL_KODE\n\
             751014-4001,610380-1235,FA\n\
             610380-1235,751014-4001,BA\n\
             610380-1235,640582-1240,AE\n",
        ),
        (
            "katalog.csv",
            "kode,navn_da,navn_en,ORG_ENHED,art,hjemmel,ENHED,funktion,kategorier\n\
             KTH,Kontanthjælp,Social assistance,4100,ydelse,LAS § 25,md.,5.57.73,overfoersel|kontanthjaelp\n\
             MENTOR,Mentor,Mentor,4100,indsats,LAB §§ 167-169,t,5.68.90,mentor|hverdagsstoette\n\
             SEL85,Socialpædagogisk støtte,Socio-educational support,Voksenområdet,indsats,SEL § 85,t,5.38.38,sel85|hverdagsstoette\n\
             ANBR,Anbringelse i plejefamilie,,Børn og Familie,indsats,Barnets lov § 43,døgn,5.28.22,\n",
        ),
        (
            "aktivitet.csv",
            "cpr;ydelse;start;slut;omfang;enhed;kontaktperson\n\
             610380-1235;KTH;20240101;;1;md.;JC017\n\
             610380-1235;MENTOR;01-03-2024 00:00:00;28-02-2025 00:00:00;3,5;t;JC102\n\
             610380-1235;SEL85;2024-06-15;;4;t;SO033\n\
             751014-4001;ANBR;2023-05-01;2024-12-31;1;døgn;\n\
             700955-2468;MENTOR;2024-01-01;2024-06-30;2;t;JC102\n",
        ),
        (
            "takster.csv",
            "ydelse;enhed;pris;aar;kilde\n\
             SEL85;t;kr. 610,00;2025;Egen takst\n\
             MENTOR;t;575,00 kr.;2025;Leverandørkontrakt\n\
             KTH;md.;kr. 11.944,00;2025;Sats\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), crlf(text)).unwrap();
    }
    // Amounts in whole øre, one with the minus trailing; Windows-1252.
    let postings = "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\n\
                    01-02-2025 00:00:00;5.57.73;1194400;610380-1235;KTH;Kontanthjælp februar\n\
                    20250131;5.38.38;120.431.117;;;Socialpædagogisk støtte\n\
                    15-03-2025;5.57.73;50050-;610380-1235;;Tilbagebetaling\n";
    let bytes = encoding_rs::WINDOWS_1252
        .encode(&crlf(postings))
        .0
        .into_owned();
    std::fs::write(dir.join("posteringer.csv"), bytes).unwrap();
}

fn profile() -> Profile {
    Profile::from_toml(PROFILE, Path::new("real.toml")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn real_export_reads_to_the_same_register_as_the_plain_fixture() {
    let dir = tempfile::tempdir().unwrap();
    write_real_export(dir.path());
    let reg = read_exports(dir.path(), &profile()).unwrap_or_else(|e| panic!("{e}"));
    let plain = read_default(fixture(&[]).path()).unwrap();
    assert_same(&reg, &plain);
}

#[test]
fn amounts_in_ore_read_as_kroner_are_refused_not_100_times_off() {
    // The same export without `amount_unit = "øre"`: 1194400 would be 1.194.400 kr, 100× too
    // much. Whole numbers are valid kroner, so the reader cannot tell — the plausibility of the
    // totals is the analyst's check — but with the unit stated the value is exact.
    let dir = tempfile::tempdir().unwrap();
    write_real_export(dir.path());
    let mut p = profile();
    p.postings.amount_unit = tvaers_ingest::AmountUnit::Kroner;
    let kroner = read_exports(dir.path(), &p).unwrap_or_else(|e| panic!("{e}"));
    let ore = read_exports(dir.path(), &profile()).unwrap();
    assert_eq!(kroner.postings[0].amount.0, 100 * ore.postings[0].amount.0);
    // And a decimal amount in an øre column is an error naming the expectation.
    let text = "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst\r\n\
                01-02-2025;5.57.73;11.944,00;610380-1235;KTH;x\r\n";
    std::fs::write(dir.path().join("posteringer.csv"), text).unwrap();
    let e = read_exports(dir.path(), &profile()).unwrap_err();
    assert_reported(&e, "posteringer.csv:2", "beloeb", "11.944,00", "whole øre");
}

#[test]
fn crlf_files_name_the_right_line() {
    // Line 4 of a CRLF file holds the bad date (the csv crate's own count says 3).
    let spells = "cpr;ydelse;start;slut;omfang;enhed;kontaktperson\r\n\
                  610380-1235;KTH;2024-01-01;;1;maaned;JC017\r\n\
                  610380-1235;MENTOR;2024-03-01;2025-02-28;3,5;time;JC102\r\n\
                  610380-1235;SEL85;2024-99-15;;4;time;SO033\r\n\
                  751014-4001;ANBR;2023-05-01;2024-12-31;1;dag;\r\n";
    let e = errors_with("forloeb.csv", spells);
    assert_reported(&e, "forloeb.csv:4", "start", "2024-99-15", "date");
}

#[test]
fn sep_line_counts_as_a_line() {
    let persons = "sep=,\n\
                   cpr,foedselsdato,koen,familie_id\n\
                   610380-1235,1980-03-01,M,F000001\n\
                   640582-1240,1982-05-04,X,F000001\n";
    let e = errors_with("personer.csv", persons);
    assert_reported(&e, "personer.csv:4", "koen", "X", "sex");
}

#[test]
fn an_unmapped_code_is_reported_with_the_value_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write_real_export(dir.path());
    let text = std::fs::read_to_string(dir.path().join("katalog.csv"))
        .unwrap()
        .replace("Voksenområdet", "Voksen-handicap");
    std::fs::write(dir.path().join("katalog.csv"), text).unwrap();
    let e = read_exports(dir.path(), &profile()).unwrap_err();
    assert_reported(
        &e,
        "katalog.csv:4",
        "ORG_ENHED",
        "Voksen-handicap",
        "department",
    );
}

#[test]
fn profile_value_mappings_are_checked_where_written() {
    let bad = "[catalogue.values.department]\n\"4100\" = \"beskaftigelse\"\n";
    let e = Profile::from_toml(bad, Path::new("p.toml")).unwrap_err();
    assert!(e.to_string().contains("p.toml:2:10"), "{e}");
    assert!(e.to_string().contains("not a code"), "{e}");
    let bad = "[spells.values.cpr]\n\"x\" = \"y\"\n";
    let e = Profile::from_toml(bad, Path::new("p.toml")).unwrap_err();
    assert!(e.to_string().contains("p.toml:1:16"), "{e}");
    assert!(e.to_string().contains("these can: unit"), "{e}");
    let bad = "[persons]\namount_unit = \"øre\"\n";
    let e = Profile::from_toml(bad, Path::new("p.toml")).unwrap_err();
    assert!(e.to_string().contains("p.toml:2:15"), "{e}");
    let bad = "[postings]\namount_unit = \"cents\"\n";
    let e = Profile::from_toml(bad, Path::new("p.toml")).unwrap_err();
    assert!(e.to_string().contains("\"cents\""), "{e}");
}

#[test]
fn a_profile_with_mappings_writes_back_to_itself() {
    let p = profile();
    let again = Profile::from_toml(&p.to_string(), Path::new("again.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{p}"));
    assert_eq!(again, p);
}

// ---------------------------------------------------------------------------------------------
// Sign conventions: a debit/credit indicator column, or separate debit and credit columns.

/// The fixture's postings (11.944,00; 1.204.311,17; −500,50), in øre.
const FIXTURE_AMOUNTS: [i64; 3] = [1_194_400, 120_431_117, -50_050];

fn amounts(reg: &tvaers_core::Register<tvaers_core::Identified>) -> Vec<i64> {
    reg.postings.iter().map(|p| p.amount.0).collect()
}

/// The fixture with `postings` (written as Windows-1252) read through `profile`.
fn read_postings_with(
    postings: &str,
    profile: &str,
) -> Result<tvaers_core::Register<tvaers_core::Identified>, tvaers_ingest::ImportErrors> {
    let dir = fixture(&[("posteringer.csv", postings)]);
    let p = Profile::from_toml(profile, Path::new("p.toml")).unwrap_or_else(|e| panic!("{e}"));
    read_exports(dir.path(), &p)
}

const INDICATOR_PROFILE: &str = r#"
[postings]
delimiter = ";"
encoding = "windows-1252"
[postings.columns]
date = "BOGF_DATO"
function = "FUNKTION"
amount = "BELØB"
sign = "D/K"
cpr = "CPRNR"
service = "YDELSE"
text = "TEKST"
"#;

#[test]
fn a_debit_credit_indicator_column_gives_the_sign() {
    let postings = "BOGF_DATO;FUNKTION;BELØB;D/K;CPRNR;YDELSE;TEKST\r\n\
                    01-02-2025;5.57.73;11.944,00;D;610380-1235;KTH;Kontanthjælp februar\r\n\
                    31-01-2025;5.38.38;1.204.311,17;Debet;;;Socialpædagogisk støtte\r\n\
                    15-03-2025;5.57.73;500,50;k;610380-1235;;Tilbagebetaling\r\n";
    let reg = read_postings_with(postings, INDICATOR_PROFILE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(amounts(&reg), FIXTURE_AMOUNTS);
    let plain = read_default(fixture(&[]).path()).unwrap();
    assert_same(&reg, &plain);
}

#[test]
fn an_indicator_of_its_own_spelling_is_mapped_in_the_profile() {
    let postings = "BOGF_DATO;FUNKTION;BELØB;D/K;CPRNR;YDELSE;TEKST\r\n\
                    01-02-2025;5.57.73;kr. 11.944,00;1;610380-1235;KTH;Kontanthjælp februar\r\n\
                    31-01-2025;5.38.38;1.204.311,17;1;;;Socialpædagogisk støtte\r\n\
                    15-03-2025;5.57.73;500,50;2;610380-1235;;Tilbagebetaling\r\n";
    let profile = format!(
        "{INDICATOR_PROFILE}[postings.values.sign]\n\"1\" = \"debet\"\n\"2\" = \"kredit\"\n"
    );
    let reg = read_postings_with(postings, &profile).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(amounts(&reg), FIXTURE_AMOUNTS);
    // Without the mapping, "1" is no indicator: named with file, line, column and the choices.
    let e = read_postings_with(postings, INDICATOR_PROFILE).unwrap_err();
    assert_reported(
        &e,
        "posteringer.csv:2",
        "D/K",
        "1",
        "is not a debit/credit indicator",
    );
    assert_reported(
        &e,
        "posteringer.csv:4",
        "D/K",
        "2",
        "expected one of debet, kredit, D",
    );
    assert!(e.to_string().contains("[postings.values.sign]"), "{e}");
}

#[test]
fn bad_indicator_rows_name_line_column_and_value() {
    let postings = "BOGF_DATO;FUNKTION;BELØB;D/K;CPRNR;YDELSE;TEKST\r\n\
                    01-02-2025;5.57.73;11.944,00;X;610380-1235;KTH;a\r\n\
                    31-01-2025;5.38.38;1.204.311,17;;;;b\r\n\
                    15-03-2025;5.57.73;-500,50;K;610380-1235;;c\r\n\
                    16-03-2025;5.57.73;500,50-;D;610380-1235;;d\r\n";
    let e = read_postings_with(postings, INDICATOR_PROFILE).unwrap_err();
    assert_reported(
        &e,
        "posteringer.csv:2",
        "D/K",
        "X",
        "not a debit/credit indicator",
    );
    assert_reported(
        &e,
        "posteringer.csv:3",
        "D/K",
        "",
        "not a debit/credit indicator",
    );
    assert_reported(
        &e,
        "posteringer.csv:4",
        "BELØB",
        "-500,50",
        "sign of its own",
    );
    assert_reported(
        &e,
        "posteringer.csv:5",
        "BELØB",
        "500,50-",
        "expected an amount without a sign",
    );
    assert_eq!(e.total(), 4, "{e}");
    let da = e.render(tvaers_messages::Lang::Da);
    assert!(da.contains("er ikke en debet/kredit-markering"), "{da}");
}

const DEBIT_CREDIT_PROFILE: &str = r#"
[postings]
file = "OPUS.csv"
[postings.columns]
date = "Bogføringsdato"
function = "Funktion"
debit = "Debet"
credit = "Kredit"
cpr = "CPR"
service = "Ydelse"
text = "Tekst"
"#;

fn read_debit_credit(
    postings: &str,
) -> Result<tvaers_core::Register<tvaers_core::Identified>, tvaers_ingest::ImportErrors> {
    let dir = fixture(&[]);
    let bytes = encoding_rs::WINDOWS_1252.encode(postings).0.into_owned();
    std::fs::write(dir.path().join("OPUS.csv"), bytes).unwrap();
    let p = Profile::from_toml(DEBIT_CREDIT_PROFILE, Path::new("p.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    read_exports(dir.path(), &p)
}

#[test]
fn separate_debit_and_credit_columns_give_debit_minus_credit() {
    let postings = "sep=;\r\n\
                    Bogføringsdato;Funktion;Debet;Kredit;CPR;Ydelse;Tekst\r\n\
                    01-02-2025;5.57.73;11.944,00;;610380-1235;KTH;Kontanthjælp februar\r\n\
                    31-01-2025;5.38.38;1.204.311,17;0,00;;;Socialpædagogisk støtte\r\n\
                    15-03-2025;5.57.73;;500,50;610380-1235;;Tilbagebetaling\r\n";
    let reg = read_debit_credit(postings).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(amounts(&reg), FIXTURE_AMOUNTS);
    let plain = read_default(fixture(&[]).path()).unwrap();
    assert_same(&reg, &plain);
}

#[test]
fn debit_and_credit_both_empty_or_both_filled_are_errors() {
    let postings = "Bogføringsdato;Funktion;Debet;Kredit;CPR;Ydelse;Tekst\r\n\
                    01-02-2025;5.57.73;;;610380-1235;KTH;a\r\n\
                    31-01-2025;5.38.38;1.204.311,17;12,00;;;b\r\n\
                    15-03-2025;5.57.73;;5x0,50;610380-1235;;c\r\n";
    let e = read_debit_credit(postings).unwrap_err();
    assert_reported(&e, "OPUS.csv:2", "Debet", "", "and so is column \"Kredit\"");
    assert_reported(
        &e,
        "OPUS.csv:3",
        "Kredit",
        "12,00",
        "and so does column \"Debet\" (1.204.311,17)",
    );
    assert_reported(
        &e,
        "OPUS.csv:3",
        "Kredit",
        "12,00",
        "expected an amount in column \"Debet\" or in column \"Kredit\"",
    );
    assert_reported(&e, "OPUS.csv:4", "Kredit", "5x0,50", "is not an amount");
    assert_eq!(e.total(), 3, "{e}");
}

#[test]
fn sign_convention_mistakes_in_the_profile_name_line_and_column() {
    let check = |text: &str, at: &str, phrase: &str| {
        let e = Profile::from_toml(text, Path::new("p.toml")).unwrap_err();
        let m = e.to_string();
        assert!(m.contains(&format!("p.toml:{at}: ")), "{at}: {m}");
        assert!(m.contains(phrase), "{phrase}: {m}");
    };
    check(
        "[postings.columns]\namount = \"BELOEB\"\ndebit = \"DEBET\"\ncredit = \"KREDIT\"\n",
        "3:1",
        "both debit and amount",
    );
    check(
        "[postings.columns]\ncredit = \"KREDIT\"\n",
        "2:1",
        "credit needs debit as well",
    );
    check(
        "[postings.columns]\ndebit = \"D\"\ncredit = \"K\"\nsign = \"DK\"\n",
        "4:1",
        "not with debit and credit",
    );
    check(
        "[postings.values.sign]\n\"1\" = \"debet\"\n",
        "1:18",
        "names none",
    );
    check(
        "[postings.columns]\nsign = \"DK\"\n[postings.values.sign]\n\"1\" = \"plus\"\n",
        "4:7",
        "not a code",
    );
    // And a sound one writes back to itself, amount gone.
    let p = Profile::from_toml(DEBIT_CREDIT_PROFILE, Path::new("p.toml")).unwrap();
    assert!(!p.postings.reads("amount"));
    let again = Profile::from_toml(&p.to_string(), Path::new("again.toml")).unwrap();
    assert_eq!(again, p);
}

// ---------------------------------------------------------------------------------------------
// Units Tværs does not compute in: a visit, a kilometre, a payment — mapped to the period the
// volume is counted per.

#[test]
fn visits_kilometres_and_payments_are_mapped_to_the_period_counted_per() {
    let dir = fixture(&[
        (
            "ydelseskatalog.csv",
            "kode;navn_da;forvaltning;art;enhed;funktion\r\n\
             KTH;Kontanthjælp;beskaeftigelse;ydelse;ydelse;5.57.73\r\n\
             MENTOR;Mentor;beskaeftigelse;indsats;besøg;5.68.90\r\n\
             SEL85;Socialpædagogisk støtte;social_voksne;indsats;time;5.38.38\r\n\
             ANBR;Kørsel til aflastning;boern_familie;indsats;km;5.28.22\r\n",
        ),
        (
            "forloeb.csv",
            "cpr;ydelse;start;slut;omfang;enhed;kontaktperson\r\n\
             610380-1235;KTH;2024-01-01;;1;ydelse;JC017\r\n\
             610380-1235;MENTOR;2024-03-01;2025-02-28;3,5;Besøg;JC102\r\n\
             610380-1235;SEL85;2024-06-15;;4;timer;SO033\r\n\
             751014-4001;ANBR;2023-05-01;2024-12-31;120;km;\r\n\
             700955-2468;MENTOR;2024-01-01;2024-06-30;2;besøg;JC102\r\n",
        ),
        (
            "enhedspriser.csv",
            "ydelse;enhed;pris;aar;kilde\r\n\
             SEL85;time;610,00;2025;Egen takst\r\n\
             MENTOR;besøg;575,00;2025;Leverandørkontrakt\r\n\
             KTH;ydelse;11.944,00;2025;Sats\r\n\
             ANBR;km;3,79;2025;Statens takst\r\n",
        ),
    ]);
    let units =
        "\"besøg\" = \"uge\"\n\"Besøg\" = \"uge\"\n\"km\" = \"uge\"\n\"ydelse\" = \"maaned\"\n";
    let profile = format!(
        "[prices]\ndecimal = \",\"\n[catalogue.values.unit]\n{units}\
         [spells.values.unit]\n{units}[prices.values.unit]\n{units}"
    );
    let p = Profile::from_toml(&profile, Path::new("p.toml")).unwrap_or_else(|e| panic!("{e}"));
    let reg = read_exports(dir.path(), &p).unwrap_or_else(|e| panic!("{e}"));
    let unit_of = |code: &str| {
        reg.catalogue
            .entries()
            .iter()
            .find(|e| e.code == code)
            .unwrap()
            .unit
    };
    use tvaers_core::Unit;
    assert_eq!(unit_of("MENTOR"), Unit::Week);
    assert_eq!(unit_of("ANBR"), Unit::Week);
    assert_eq!(unit_of("KTH"), Unit::Month);
    assert_eq!(unit_of("SEL85"), Unit::Hour);
    let km = reg
        .prices
        .iter()
        .find(|p| p.price.0 == 379)
        .expect("3,79 kr per km");
    assert_eq!(km.unit, Unit::Week);
    // 120 km a week at 3,79 kr: a week of the spell costs 454,80 kr, to the øre.
    let week = tvaers_core::service::activity_cost(reg.spells[3].volume, km.price, km.unit, 7);
    assert_eq!(week.0, 45_480);
    // Without the mapping, each is reported with where to map it.
    let e = read_exports(
        dir.path(),
        &Profile::from_toml("[prices]\ndecimal = \",\"\n", Path::new("p.toml")).unwrap(),
    )
    .unwrap_err();
    assert_reported(
        &e,
        "ydelseskatalog.csv:3",
        "enhed",
        "besøg",
        "[catalogue.values.unit]",
    );
    assert_reported(
        &e,
        "forloeb.csv:3",
        "enhed",
        "Besøg",
        "[spells.values.unit]",
    );
    assert_reported(
        &e,
        "enhedspriser.csv:5",
        "enhed",
        "km",
        "[prices.values.unit]",
    );
}

// ---------------------------------------------------------------------------------------------
// Messages that point at the fix.

#[test]
fn missing_files_say_which_were_found_and_how_to_map_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("OPUS_POSTERINGER.csv"), "BOGF_DATO\n").unwrap();
    std::fs::write(dir.path().join("CPR_UDTRAEK.csv"), "CPRNR;KOEN\n").unwrap();
    let e = read_default(dir.path()).unwrap_err();
    let first = e.errors[0].to_string();
    assert!(
        first.starts_with("personer.csv: file not found in"),
        "{first}"
    );
    assert!(
        first.contains("expected one of the files there (CPR_UDTRAEK.csv, OPUS_POSTERINGER.csv)"),
        "{first}"
    );
    assert!(first.contains("--profile FILE"), "{first}");
    assert!(
        first.contains(&format!(
            "`tvaers profile suggest --input {}` writes one",
            dir.path().display()
        )),
        "{first}"
    );
    // Said once, not for each of the six files.
    let hints = e
        .errors
        .iter()
        .filter(|e| e.to_string().contains("profile suggest"));
    assert_eq!(hints.count(), 1, "{e}");
    assert_eq!(e.errors.len(), 6, "{e}");
    let da = e.errors[0].render(tvaers_messages::Lang::Da);
    assert!(da.contains("forventet en af filerne dér"), "{da}");
    let empty = tempfile::tempdir().unwrap();
    let e = read_default(empty.path()).unwrap_err();
    assert!(e.errors[0].to_string().contains("it holds no files"), "{e}");
}

#[test]
fn a_header_that_is_one_field_suggests_the_separator() {
    let dir = fixture(&[]);
    let p = Profile::from_toml("[spells]\ndelimiter = \",\"\n", Path::new("p.toml")).unwrap();
    let e = read_exports(dir.path(), &p).unwrap_err();
    assert_eq!(e.total(), 1, "{e}");
    let m = e.errors[0].to_string();
    assert!(
        m.starts_with("forloeb.csv:1: the header is one field, \"cpr;ydelse;start;slut"),
        "{m}"
    );
    assert!(m.contains("which contains \";\""), "{m}");
    assert!(
        m.contains("expected fields separated by \";\": set delimiter = \";\" (or \"auto\") in the profile's [spells]"),
        "{m}"
    );
    // After Excel's sep= line too, on the header's own line.
    let dir = fixture(&[("personer.csv", &format!("sep=;\n{PERSONS}"))]);
    let e = read_default(dir.path()).unwrap_err();
    let m = e.errors[0].to_string();
    assert!(
        m.starts_with("personer.csv:2: the header is one field"),
        "{m}"
    );
    assert!(m.contains("set delimiter = \",\""), "{m}");
}

#[test]
fn the_wrong_encoding_in_the_profile_is_named_with_the_right_one() {
    // The relations file is UTF-8 ("forælder"): declared Windows-1252, "æ" would read "Ã¦".
    let dir = fixture(&[]);
    let p = Profile::from_toml(
        "[relations]\nencoding = \"windows-1252\"\n",
        Path::new("p.toml"),
    )
    .unwrap();
    let e = read_exports(dir.path(), &p).unwrap_err();
    assert_eq!(
        e.errors[0].to_string(),
        "relationer.csv:2: looks like UTF-8 read as Windows-1252 (\"Ã¦\" for \"æ\"); \
         expected encoding = \"utf-8\" (or \"auto\") in the profile's [relations]"
    );
    // The postings are Windows-1252: declared UTF-8, the message shows the word read right.
    let p = Profile::from_toml("[postings]\nencoding = \"utf-8\"\n", Path::new("p.toml")).unwrap();
    let e = read_exports(dir.path(), &p).unwrap_err();
    assert_eq!(
        e.errors[0].to_string(),
        "posteringer.csv:2: is not valid UTF-8, which the profile declares; expected \
         encoding = \"windows-1252\" (or \"auto\") in the profile's [postings]: read so, it \
         says \"Kontanthjælp\""
    );
    let da = e.errors[0].render(tvaers_messages::Lang::Da);
    assert!(da.contains("sådan læst står der \"Kontanthjælp\""), "{da}");
}

#[test]
fn a_suggested_profile_finds_the_sign_convention() {
    // Debit and credit columns, after Excel's sep= line, Windows-1252.
    let dir = fixture(&[]);
    std::fs::remove_file(dir.path().join("posteringer.csv")).unwrap();
    let postings = "sep=;\r\n\
                    Bogføringsdato;Funktion;Debet;Kredit;CPR;Ydelse;Tekst\r\n\
                    01-02-2025;5.57.73;11.944,00;;610380-1235;KTH;Kontanthjælp februar\r\n\
                    31-01-2025;5.38.38;1.204.311,17;0,00;;;Socialpædagogisk støtte\r\n\
                    15-03-2025;5.57.73;;500,50;610380-1235;;Tilbagebetaling\r\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(postings).0.into_owned();
    std::fs::write(dir.path().join("OPUS.csv"), bytes).unwrap();
    let text = tvaers_ingest::suggest(dir.path(), tvaers_messages::Lang::En).unwrap();
    assert!(
        text.contains("debit = \"Debet\"\ncredit = \"Kredit\"\n"),
        "{text}"
    );
    let p =
        Profile::from_toml(&text, Path::new("s.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reg = read_exports(dir.path(), &p).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(amounts(&reg), FIXTURE_AMOUNTS);
    // An indicator column next to an unsigned amount.
    std::fs::remove_file(dir.path().join("OPUS.csv")).unwrap();
    let postings = "BOGF_DATO;FUNKTION;BELØB;D/K;CPRNR;YDELSE;TEKST\r\n\
                    01-02-2025;5.57.73;11.944,00;D;610380-1235;KTH;Kontanthjælp februar\r\n\
                    31-01-2025;5.38.38;1.204.311,17;D;;;Socialpædagogisk støtte\r\n\
                    15-03-2025;5.57.73;500,50;K;610380-1235;;Tilbagebetaling\r\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(postings).0.into_owned();
    std::fs::write(dir.path().join("posteringer.csv"), bytes).unwrap();
    let text = tvaers_ingest::suggest(dir.path(), tvaers_messages::Lang::En).unwrap();
    assert!(text.contains("sign = \"D/K\""), "{text}");
    let p =
        Profile::from_toml(&text, Path::new("s.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reg = read_exports(dir.path(), &p).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(amounts(&reg), FIXTURE_AMOUNTS);
}
