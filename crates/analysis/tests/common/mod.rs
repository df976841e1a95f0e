//! Shared helpers for the integration tests: the register builder and reading every byte the
//! report wrote (xlsx entries unzipped).

#![allow(
    dead_code,
    reason = "shared by several test binaries (`mod common;` in each); every binary uses only part of it, so `expect` would fail in some"
)]

#[path = "../../src/testkit.rs"]
pub mod testkit;

use std::io::Read;
use std::path::Path;

/// Every output file as (name, bytes); an xlsx contributes each of its zip entries, inflated.
pub fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            if name.ends_with(".xlsx") {
                let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                for i in 0..z.len() {
                    let mut f = z.by_index(i).unwrap();
                    let mut buf = Vec::new();
                    f.read_to_end(&mut buf).unwrap();
                    out.push((format!("{name}/{}", f.name().unwrap()), buf));
                }
            } else {
                out.push((name, bytes));
            }
        }
    }
    out.sort();
    out
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty() && hay.windows(n.len()).any(|w| w == n)
}

/// Looks up a JSON Pointer, panicking with the pointer when it does not resolve.
pub fn at<'a>(v: &'a serde_json::Value, ptr: &str) -> &'a serde_json::Value {
    v.pointer(ptr)
        .unwrap_or_else(|| panic!("no {ptr} in summary"))
}

/// A small municipality where the target groups, overlaps and combinations are worked out by
/// hand (see `tests/groups.rs`), with the rules file [`FIXTURE_RULES`].
///
/// - `m0..m9` ("long"): mentor 1–31 March and a support contact person 10 March–30 April
///   (22 common days); `m(10)..` ("short", `short` of them): the same mentor and a support
///   contact person 27 March–5 April (5 common days). `m0..m(genop-1)` also have rehabilitation
///   15–24 March. m4 is booked 2,000 kr on the support contact's function naming the service,
///   m6 5,000 kr on the mentor's function without a service, m5 8,000 kr of cash benefit.
///   Born 2000 (women) for i < 5, 1980 (women) for 5 ≤ i < 10, 1965 (men) after.
/// - Families F0..F4: an adult (1980) on cash benefit all year, a child (2015) with a preventive
///   measure 1–10 May, a sibling (2012) with nothing, except in F0 two days of rehabilitation.
/// - `h0..h3`: home help and rehabilitation in August (a target group of 4).
/// - `a0..a3`: activation and anxiety treatment in September (an overlap of 4).
/// - `q0..q18`: activation 1–10 October and home help 1–20 October; born 2000 (q0–q5), 1980
///   (q6–q9), 1950 (q10–q18); women q0–q11.
pub fn fixture(short: usize, genop: usize) -> tvaers_core::Register<tvaers_core::Pseudonymised> {
    let mut s = String::from(FIXTURE_CATALOGUE);
    for i in 0..10 + short {
        let (year, sex) = match i {
            0..5 => (2000, "K"),
            5..10 => (1980, "K"),
            _ => (1965, "M"),
        };
        s.push_str(&format!("person m{i} Fm{i} {year} {sex}\n"));
        s.push_str(&format!(
            "spell m{i} MENTOR 2024-03-01 2024-03-31 7 JC{i}\n"
        ));
        if i < 10 {
            s.push_str(&format!("spell m{i} SKP99 2024-03-10 2024-04-30 7 SO{i}\n"));
        } else {
            s.push_str(&format!("spell m{i} SKP99 2024-03-27 2024-04-05 7 SO{i}\n"));
        }
        if i < genop {
            s.push_str(&format!("spell m{i} GENOP 2024-03-15 2024-03-24 7 -\n"));
        }
    }
    s.push_str("posting 2024-06-01 5.38.53 2000.00 m4 SKP99\n");
    s.push_str("posting 2024-06-01 5.68.90 5000.00 m6 -\n");
    s.push_str("posting 2024-06-01 5.57.73 8000.00 m5 KTH\n");
    for j in 0..5 {
        s.push_str(&format!(
            "person fa{j} F{j} 1980 K\nspell fa{j} KTH 2024-01-01 2024-12-31 1 -\n\
             person fb{j} F{j} 2015 M\nspell fb{j} FOREB 2024-05-01 2024-05-10 1 -\n\
             person fc{j} F{j} 2012 K\n"
        ));
    }
    s.push_str(
        "spell fc0 GENOP 2024-02-01 2024-02-02 7 -\nspell fc0 AKT 2024-02-01 2024-02-02 7 -\n",
    );
    for i in 0..4 {
        s.push_str(&format!(
            "person h{i} H{i} 1950 K\nspell h{i} HJH 2024-08-01 2024-08-20 7 -\n\
             spell h{i} GENOP 2024-08-05 2024-08-14 7 -\n\
             person a{i} A{i} 1990 M\nspell a{i} AKT 2024-09-01 2024-09-30 7 -\n\
             spell a{i} ANGST 2024-09-01 2024-09-30 1 -\n"
        ));
    }
    for i in 0..19 {
        let year = match i {
            0..6 => 2000,
            6..10 => 1980,
            _ => 1950,
        };
        let sex = if i < 12 { "K" } else { "M" };
        s.push_str(&format!(
            "person q{i} Q{i} {year} {sex}\nspell q{i} AKT 2024-10-01 2024-10-10 7 -\n\
             spell q{i} HJH 2024-10-01 2024-10-20 7 -\n"
        ));
    }
    testkit::register(&s)
}

/// Service indices: KTH 0, MENTOR 1, SKP99 2, FOREB 3, GENOP 4, HJH 5, AKT 6, ANGST 7.
/// Hour-priced services at 7 hours a week cost their hourly price per day.
pub const FIXTURE_CATALOGUE: &str = "
service KTH beskaeftigelse maaned 5.57.73 overfoersel,kontanthjaelp
service MENTOR beskaeftigelse time 5.68.90 mentor
service SKP99 social_voksne time 5.38.53 stoettekontakt
service FOREB boern_familie uge 5.28.21 forebyggende,barn
service GENOP sundhed time 4.62.82 genoptraening,fysisk_traening
service HJH aeldre time 5.30.26 hjemmehjaelp
service AKT beskaeftigelse time 5.68.92 aktivering
service ANGST psykiatri uge 5.38.42 behandling,angst
price KTH 2024 365.00
price MENTOR 2024 100.00
price SKP99 2024 200.00
price FOREB 2024 700.00
price GENOP 2024 150.00
price HJH 2024 263.17
price AKT 2024 91.37
price ANGST 2024 1234.59
";

/// Three target groups (mentor + support contact; a family rule; home help + rehabilitation)
/// and two overlaps (mentor + support contact for 14 days; activation during anxiety
/// treatment).
pub const FIXTURE_RULES: &str = r#"
[[target_group]]
id = "mentor_og_stoette"
name_da = "Mentor og støttekontaktperson"
name_en = "Mentor and support contact person"
explanation_da = "Mentor og støttekontaktperson samme dag."
explanation_en = "Mentor and support contact person on the same day."
  [[target_group.require]]
  tags_any = ["mentor"]
  [[target_group.require]]
  tags_any = ["stoettekontakt"]

[[target_group]]
id = "familier"
name_da = "Familier med barn i forebyggelse"
name_en = "Families with a child in prevention"
explanation_da = "Et barn med forebyggende foranstaltning og en voksen på overførsel."
explanation_en = "A child with a preventive measure and an adult on a transfer income."
  [[target_group.member]]
  role = "barn"
  age_max = 17
    [[target_group.member.require]]
    tags_any = ["forebyggende"]
  [[target_group.member]]
  role = "voksen"
  age_min = 18
    [[target_group.member.require]]
    tags_any = ["overfoersel"]

[[target_group]]
id = "pleje_og_genoptraening"
name_da = "Hjemmehjælp og genoptræning"
name_en = "Home help and rehabilitation"
explanation_da = "Hjemmehjælp og genoptræning samme dag."
explanation_en = "Home help and rehabilitation on the same day."
  [[target_group.require]]
  tags_any = ["hjemmehjaelp"]
  [[target_group.require]]
  tags_any = ["genoptraening"]

[[overlap]]
id = "parallel_hjaelp"
name_da = "Mentor og støttekontaktperson i mindst 14 dage"
name_en = "Mentor and support contact person for at least 14 days"
severity = "advarsel"
min_days = 14
explanation_da = "Parallel hjælp."
explanation_en = "Parallel help."
  [[overlap.require]]
  tags_any = ["mentor"]
  [[overlap.require]]
  tags_any = ["stoettekontakt"]

[[overlap]]
id = "aktivering_under_angst"
name_da = "Aktivering under angstbehandling"
name_en = "Activation during anxiety treatment"
severity = "kritisk"
explanation_da = "Aktivering kan modarbejde behandlingen."
explanation_en = "Activation can work against the treatment."
  [[overlap.require]]
  tags_any = ["aktivering"]
  [[overlap.require]]
  tags_any = ["angst"]
"#;
