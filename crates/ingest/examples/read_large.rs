//! Times the import path on a Copenhagen-sized input written by this example itself (the
//! generator crate is not used so that this measures ingest alone).
//!
//! `cargo run --release -p tvaers-ingest --example read_large -- [PERSONS] [DIR]`
//! (default 650,000 persons → ≈ 1.0 M spells and ≈ 2.0 M postings, in a temporary directory).
//! An input already in DIR (a `personer.csv` there) is reused, so the read can be timed again.

use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;
use tvaers_core::{Cpr, Sex};
use tvaers_ingest::dataset::{self, Manifest};
use tvaers_ingest::{Profile, PseudonymKey, pseudonymise, read_exports};

const SERVICES: [(&str, &str, &str, &str, &str); 8] = [
    ("KTH", "beskaeftigelse", "ydelse", "maaned", "5.57.73"),
    ("SDP", "beskaeftigelse", "ydelse", "maaned", "5.57.71"),
    ("MENTOR", "beskaeftigelse", "indsats", "time", "5.68.90"),
    ("SEL85", "social_voksne", "indsats", "time", "5.38.38"),
    ("SEL99", "social_voksne", "indsats", "time", "5.38.53"),
    ("HJEMPL", "aeldre", "indsats", "time", "5.30.26"),
    ("GENOPTR", "sundhed", "indsats", "time", "4.62.82"),
    ("ANBR", "boern_familie", "indsats", "dag", "5.28.22"),
];

fn write_input(dir: &Path, n: usize) -> std::io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(2025);
    let file = |name: &str| -> std::io::Result<BufWriter<std::fs::File>> {
        Ok(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(dir.join(name))?,
        ))
    };
    let mut serial: HashMap<(NaiveDate, Sex), u32> = HashMap::new();
    let mut cprs = Vec::with_capacity(n);
    let mut w = file("personer.csv")?;
    writeln!(w, "cpr,foedselsdato,koen,familie_id")?;
    let mut family = 0;
    let mut left_in_family = 0;
    for _ in 0..n {
        if left_in_family == 0 {
            family += 1;
            left_in_family = rng.usize(1..=4);
        }
        left_in_family -= 1;
        let birth = NaiveDate::from_ymd_opt(rng.i32(1930..=2024), rng.u32(1..=12), rng.u32(1..=28))
            .expect("a date");
        let sex = if rng.bool() { Sex::Male } else { Sex::Female };
        let s = serial.entry((birth, sex)).or_insert(0);
        let cpr = Cpr::synthetic(birth, sex, *s).expect("serials suffice");
        *s += 1;
        writeln!(w, "{cpr},{birth},{},F{family:07}", sex.code())?;
        cprs.push(cpr);
    }
    w.flush()?;

    let mut w = file("relationer.csv")?;
    writeln!(w, "cpr,relateret_cpr,relation")?;
    for i in (1..n).step_by(3) {
        writeln!(w, "{},{},partner", cprs[i], cprs[i - 1])?;
    }
    w.flush()?;

    let mut w = file("ydelseskatalog.csv")?;
    writeln!(
        w,
        "kode,navn_da,navn_en,forvaltning,art,hjemmel,enhed,funktion,kategorier"
    )?;
    for (code, dep, kind, unit, function) in SERVICES {
        writeln!(
            w,
            "{code},Ydelse {code},Service {code},{dep},{kind},,{unit},{function},tag"
        )?;
    }
    w.flush()?;

    let mut w = file("forloeb.csv")?;
    writeln!(w, "cpr;ydelse;start;slut;omfang;enhed;kontaktperson")?;
    for _ in 0..(n * 16 / 10) {
        let (code, _, _, unit, _) = SERVICES[rng.usize(..SERVICES.len())];
        let start = NaiveDate::from_ymd_opt(rng.i32(2020..=2025), rng.u32(1..=12), rng.u32(1..=28))
            .expect("a date");
        let cpr = &cprs[rng.usize(..n)];
        let end = if rng.u8(..4) == 0 {
            String::new()
        } else {
            (start + chrono::Days::new(rng.u64(0..700))).to_string()
        };
        let volume = if unit == "time" {
            format!("{},{}", rng.u32(1..20), rng.u32(0..10))
        } else {
            "1".into()
        };
        writeln!(
            w,
            "{cpr};{code};{start};{end};{volume};{unit};K{:04}",
            rng.u32(0..3000)
        )?;
    }
    w.flush()?;

    let mut w = file("posteringer.csv")?;
    writeln!(w, "bogfoeringsdato;funktion;beloeb;cpr;ydelse;tekst")?;
    for i in 0..(n * 31 / 10) {
        let (code, _, _, _, function) = SERVICES[rng.usize(..SERVICES.len())];
        let date = NaiveDate::from_ymd_opt(2025, rng.u32(1..=12), rng.u32(1..=28)).expect("a date");
        let amount = tvaers_core::Ore(rng.i64(-10_000..200_000_000)).to_danish();
        let (cpr, service) = if i % 3 == 0 {
            (cprs[rng.usize(..n)].to_string(), code)
        } else {
            (String::new(), "")
        };
        // Windows-1252 `æ` (0xE6) makes the file non-UTF-8, as financial systems write it.
        w.write_all(
            format!(
                "{:02}-{:02}-{};{function};{amount};{cpr};{service};Udbetaling ",
                date.day(),
                date.month(),
                date.year()
            )
            .as_bytes(),
        )?;
        w.write_all(b"m\xe6rke\n")?;
    }
    w.flush()?;

    let mut w = file("enhedspriser.csv")?;
    writeln!(w, "ydelse,enhed,pris,aar,kilde")?;
    for (code, _, _, unit, _) in SERVICES {
        for year in 2020..=2025 {
            writeln!(
                w,
                "{code},{unit},{}.00,{year},Egen takst",
                400 + year - 2000
            )?;
        }
    }
    w.flush()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(650_000, |a| a.parse().expect("PERSONS is a number"));
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = args
        .next()
        .map_or_else(|| tmp.path().to_path_buf(), Into::into);
    std::fs::create_dir_all(&dir).expect("input directory");

    let t = Instant::now();
    if !dir.join("personer.csv").exists() {
        write_input(&dir, n).expect("writing the input");
    }
    let bytes: u64 = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    println!(
        "input: {n} persons, {:.0} MB in {:.2?}",
        bytes as f64 / 1e6,
        t.elapsed()
    );

    let t = Instant::now();
    let reg = match read_exports(&dir, &Profile::default_profile()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    println!(
        "read_exports: {:.2?} ({} persons, {} relations, {} spells, {} postings, {} contacts)",
        t.elapsed(),
        reg.persons.len(),
        reg.relations.len(),
        reg.spells.len(),
        reg.postings.len(),
        reg.contacts.len()
    );

    if std::env::var_os("READ_ONLY").is_some() {
        return;
    }
    let key = PseudonymKey::from_bytes([42; 32]);
    let t = Instant::now();
    let p = pseudonymise(reg, &key);
    println!("pseudonymise: {:.2?}", t.elapsed());

    let out = tmp.path().join("dataset");
    let t = Instant::now();
    let m = Manifest::new(
        &p,
        &dir.display().to_string(),
        "default",
        &key.fingerprint(),
    );
    dataset::write_staged(&p, &out, &m).expect("writing the dataset");
    let size: u64 = std::fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    println!(
        "dataset::write_staged: {:.2?} ({:.0} MB)",
        t.elapsed(),
        size as f64 / 1e6
    );

    let t = Instant::now();
    let back = dataset::read(&out).expect("reading the dataset");
    println!("dataset::read: {:.2?}", t.elapsed());
    assert_eq!(back.spells, p.spells);
    assert_eq!(back.postings.len(), p.postings.len());
}
