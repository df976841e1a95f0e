//! The generated municipality's service catalogue and its unit prices.
//!
//! One table ([`SERVICES`]) drives everything: the catalogue file, the price file, which
//! services are paid to (booked to) the person and which are paid as monthly lumps per account
//! function. Legal bases and account functions follow docs/reference.md; where that file has no
//! figure the value is marked as inferred in `docs/calibration.md`.

use tvaers_core::{AccountFunction, Catalogue, Department, Ore, ServiceEntry, ServiceKind, Unit};

/// How the financial system pays for a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Booking {
    /// Paid per person and month, booked with CPR number (registrantbogført).
    Person,
    /// Paid as monthly supplier/payroll lumps per account function, without CPR; the case
    /// systems hold activity data for it.
    Lump,
    /// Paid as lumps, and no case system records who received it.
    NoActivity,
}

/// When a transfer income is paid at its second rate (`alt_rate_ore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AltRate {
    None,
    /// The recipient has children in the household (forsørger).
    Provider,
    /// The recipient lives with a partner (samlevende).
    Cohabiting,
}

#[derive(Debug)]
pub(crate) struct ServiceDef {
    pub code: &'static str,
    pub name_da: &'static str,
    pub name_en: &'static str,
    pub department: Department,
    pub kind: ServiceKind,
    pub legal_basis: &'static str,
    pub unit: Unit,
    pub function: &'static str,
    pub tags: &'static [&'static str],
    /// Price of one unit in `price_year`, in øre; other years are indexed by 3 % a year.
    pub price_ore: i64,
    pub price_year: i32,
    pub source: &'static str,
    pub booking: Booking,
    pub alt_rate_ore: i64,
    pub alt_rate: AltRate,
}

use Department::*;
use ServiceKind::{Intervention as Indsats, TransferIncome as Ydelse};

/// A service's code and its Danish and English names.
pub(crate) struct Names(&'static str, &'static str, &'static str);

/// The legal basis, the unit of activity and the account function it is booked on.
pub(crate) struct Terms(&'static str, Unit, &'static str);

/// The unit price in øre, the year it is from and where it comes from.
pub(crate) struct Price(i64, i32, &'static str);

// One row of the table; positional (tuple-struct) arguments keep the table readable as a table.
const fn def(
    names: Names,
    department: Department,
    kind: ServiceKind,
    terms: Terms,
    tags: &'static [&'static str],
    price: Price,
    booking: Booking,
) -> ServiceDef {
    let Names(code, name_da, name_en) = names;
    let Terms(legal_basis, unit, function) = terms;
    let Price(price_ore, price_year, source) = price;
    ServiceDef {
        code,
        name_da,
        name_en,
        department,
        kind,
        legal_basis,
        unit,
        function,
        tags,
        price_ore,
        price_year,
        source,
        booking,
        alt_rate_ore: 0,
        alt_rate: AltRate::None,
    }
}

const fn with_alt(mut d: ServiceDef, alt_ore: i64, when: AltRate) -> ServiceDef {
    d.alt_rate_ore = alt_ore;
    d.alt_rate = when;
    d
}

/// Declares the service enum `S` and the table `SERVICES` from one list, so the two cannot
/// drift apart.
macro_rules! services {
    ($($var:ident => $def:expr),* $(,)?) => {
        /// A service of the generated catalogue (dense index into [`SERVICES`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub(crate) enum S { $($var),* }

        pub(crate) static SERVICES: &[ServiceDef] = &[$($def),*];

        impl S {
            pub(crate) const ALL: &'static [S] = &[$(S::$var),*];
        }
    };
}

impl S {
    pub(crate) fn def(self) -> &'static ServiceDef {
        &SERVICES[self as usize]
    }
    pub(crate) fn ix(self) -> usize {
        self as usize
    }
}

const KR: i64 = 100;

services! {
    // ---- Employment (jobcentre): transfer incomes, booked to the person ----
    Kth => with_alt(def(Names("KTH", "Kontanthjælp", "Social assistance"), Employment, Ydelse,
        Terms("LAS § 25", Unit::Month, "5.57.73"), &["overfoersel", "kontanthjaelp"],
        Price(11_944 * KR, 2023, "Sats 2023 (andre), indekseret 3 % årligt"), Booking::Person),
        15_874 * KR, AltRate::Provider),
    Uddh => def(Names("UDDH", "Uddannelseshjælp", "Education assistance"), Employment, Ydelse,
        Terms("LAS § 23", Unit::Month, "5.57.73"), &["overfoersel", "uddannelseshjaelp"],
        Price(6_500 * KR, 2024, "Skøn over gennemsnitlig sats"), Booking::Person),
    Sdp => def(Names("SDP", "Sygedagpenge", "Sickness benefit"), Employment, Ydelse,
        Terms("Sygedagpengeloven", Unit::Month, "5.57.71"), &["overfoersel", "sygedagpenge"],
        Price(21_000 * KR, 2024, "Maksimal sats ca. 4.855 kr. pr. uge, omregnet"), Booking::Person),
    Ftp => with_alt(def(Names("FTP", "Førtidspension", "Disability pension"), Employment, Ydelse,
        Terms("Lov om social pension § 16", Unit::Month, "5.48.68"),
        &["overfoersel", "foertidspension"],
        Price(20_370 * KR, 2024, "Sats 2024 (enlig)"), Booking::Person),
        17_315 * KR, AltRate::Cohabiting),
    Rfy => with_alt(def(Names("RFY", "Ressourceforløbsydelse", "Resource programme benefit"),
        Employment,
        Ydelse, Terms("LAS kap. 6 a", Unit::Month, "5.58.82"), &["overfoersel", "ressourceforloeb"],
        Price(11_944 * KR, 2023, "Kontanthjælpsniveau 2023, indekseret 3 % årligt"),
        Booking::Person),
        15_874 * KR, AltRate::Provider),
    Ledy => def(Names("LEDY", "Ledighedsydelse", "Flexjob waiting benefit"), Employment, Ydelse,
        Terms("LAS § 74", Unit::Month, "5.58.83"), &["overfoersel", "ledighedsydelse"],
        Price(19_000 * KR, 2024, "Skøn"), Booking::Person),
    // ---- Employment: interventions, paid as lumps ----
    Mentor => def(Names("MENTOR", "Mentor", "Mentor"), Employment, Indsats,
        Terms("LAB §§ 167-169", Unit::Hour, "5.68.90"), &["mentor", "hverdagsstoette"],
        Price(575 * KR, 2017, "Leverandørtakst 2017 (550-660 kr.), indekseret"), Booking::Lump),
    Vok => def(Names("VOK", "Vejledning og opkvalificering", "Guidance and upskilling"), Employment,
        Indsats, Terms("LAB kap. 12", Unit::Week, "5.68.90"), &["aktivering"],
        Price(2_000 * KR, 2024, "Skøn, kursuspris pr. uge"), Booking::Lump),
    Virkprak => def(Names("VIRKPRAK", "Virksomhedspraktik", "Work placement"), Employment, Indsats,
        Terms("LAB kap. 13", Unit::Week, "5.68.90"), &["aktivering"],
        Price(400 * KR, 2024, "Skøn, administration pr. uge"), Booking::Lump),
    Akttraen => def(Names("AKTTRAEN", "Træningsforløb i aktivering", "Physical training in activation"),
        Employment, Indsats, Terms("LAB kap. 12", Unit::Hour, "5.68.90"),
        &["aktivering", "fysisk_traening"],
        Price(450 * KR, 2024, "Skøn, leverandørtakst"), Booking::Lump),
    Beflab => def(Names("BEFLAB", "Befordringsgodtgørelse, beskæftigelse", "Transport allowance (employment)"),
        Employment, Indsats, Terms("LAB § 82", Unit::Month, "5.68.90"), &["befordring"],
        Price(900 * KR, 2024, "Skøn"), Booking::Lump),
    // ---- Adult social services ----
    Sel85 => def(Names("SEL85", "Socialpædagogisk støtte", "Socio-educational support"),
        AdultSocial,
        Indsats, Terms("SEL § 85", Unit::Hour, "5.38.38"), &["sel85", "hverdagsstoette"],
        Price(610 * KR, 2017, "Leverandørtakst 2017 (550-660 kr.), indekseret"), Booking::Lump),
    Sel99 => def(Names("SEL99", "Støttekontaktperson", "Support contact person"), AdultSocial,
        Indsats,
        Terms("SEL § 99", Unit::Hour, "5.38.53"), &["stoettekontakt", "hverdagsstoette"],
        Price(560 * KR, 2017, "Leverandørtakst 2017 (550-660 kr.), indekseret"), Booking::Lump),
    Bot110 => def(Names("BOT110", "Forsorgshjem", "Homeless shelter"), AdultSocial, Indsats,
        Terms("SEL § 110", Unit::Day, "5.38.42"), &["botilbud", "hjemloes"],
        Price(1_150 * KR, 2023, "Skøn, døgntakst"), Booking::Lump),
    MisbrugStof => def(Names("MISSTOF", "Ambulant stofmisbrugsbehandling", "Outpatient drug treatment"),
        AdultSocial, Indsats, Terms("SEL § 101", Unit::Month, "5.38.45"),
        &["misbrug", "behandling"],
        Price(7_500 * KR, 2024, "Skøn, månedstakst"), Booking::Lump),
    MisbrugDoegn => def(Names("MISDOEGN", "Døgnbehandling for stofmisbrug", "Residential drug treatment"),
        AdultSocial, Indsats, Terms("SEL § 101", Unit::Day, "5.38.45"), &["misbrug", "behandling"],
        Price(2_600 * KR, 2024, "Skøn, døgntakst"), Booking::Lump),
    Sel103 => def(Names("SEL103", "Beskyttet beskæftigelse", "Sheltered employment"), AdultSocial,
        Indsats, Terms("SEL § 103", Unit::Day, "5.38.58"), &["beskyttet_beskaeftigelse"],
        Price(600 * KR, 2024, "Skøn, dagstakst"), Booking::NoActivity),
    // ---- Children and families ----
    ForebKp => def(Names("FOREBKP", "Kontaktperson for barn eller ung", "Contact person for a child"),
        ChildrenFamily, Indsats, Terms("Barnets lov § 32", Unit::Hour, "5.28.21"),
        &["barn", "forebyggende"],
        Price(560 * KR, 2017, "Leverandørtakst 2017, indekseret"), Booking::Lump),
    Aflast => def(Names("AFLAST", "Aflastning", "Respite care"), ChildrenFamily, Indsats,
        Terms("Barnets lov § 32", Unit::Day, "5.28.21"), &["barn", "forebyggende"],
        Price(2_400 * KR, 2024, "Skøn, døgntakst"), Booking::Lump),
    Fambeh => def(Names("FAMBEH", "Familiebehandling", "Family treatment"), ChildrenFamily, Indsats,
        Terms("Barnets lov § 32", Unit::Hour, "5.28.21"),
        &["barn", "forebyggende", "familiebehandling"],
        Price(950 * KR, 2024, "Skøn, timetakst"), Booking::Lump),
    AnbPleje => def(Names("ANBPLEJE", "Anbringelse i plejefamilie", "Placement in foster family"),
        ChildrenFamily, Indsats, Terms("Barnets lov §§ 43, 46", Unit::Day, "5.28.22"),
        &["barn", "anbringelse"],
        Price(128_767, 2019, "470.000 kr. pr. barn pr. år (2019), indekseret"), Booking::Person),
    AnbDoegn => def(Names("ANBDOEGN", "Anbringelse på døgninstitution", "Placement in residential institution"),
        ChildrenFamily, Indsats, Terms("Barnets lov §§ 43, 47", Unit::Day, "5.28.23"),
        &["barn", "anbringelse"],
        Price(317_808, 2019, "1.160.000 kr. pr. barn pr. år (2019), indekseret"), Booking::Person),
    AnbOph => def(Names("ANBOPH", "Anbringelse på opholdssted", "Placement in residential home"),
        ChildrenFamily, Indsats, Terms("Barnets lov §§ 43, 46", Unit::Day, "5.28.20"),
        &["barn", "anbringelse"],
        Price(273_973, 2019, "Skøn, 1.000.000 kr. pr. år (2019), indekseret"), Booking::Person),
    Eftervaern => def(Names("EFTERV", "Efterværn og ungestøtte", "Aftercare and youth support"),
        ChildrenFamily, Indsats, Terms("Barnets lov §§ 108-123", Unit::Hour, "5.28.21"),
        &["ung", "eftervaern"],
        Price(560 * KR, 2017, "Leverandørtakst 2017, indekseret"), Booking::Lump),
    // ---- Health ----
    Genop => def(Names("GENOP", "Genoptræning efter udskrivning", "Rehabilitation after discharge"),
        Health,
        Indsats, Terms("Sundhedsloven § 140", Unit::Hour, "4.62.82"),
        &["genoptraening", "fysisk_traening"],
        Price(600 * KR, 2024, "Skøn, timetakst"), Booking::Lump),
    Hjsyg => def(Names("HJSYG", "Hjemmesygepleje", "Home nursing"), Health, Indsats,
        Terms("Sundhedsloven § 138", Unit::Hour, "5.32.32"), &["hjemmesygepleje"],
        Price(520 * KR, 2024, "Skøn, timetakst"), Booking::Lump),
    Befsul => def(Names("BEFSUL", "Befordring til genoptræning", "Transport to rehabilitation"),
        Health,
        Indsats, Terms("Sundhedsloven § 172", Unit::Month, "4.62.82"), &["befordring"],
        Price(1_200 * KR, 2024, "Skøn"), Booking::Lump),
    MisbrugAlk => def(Names("MISALK", "Alkoholbehandling", "Alcohol treatment"), Health, Indsats,
        Terms("Sundhedsloven § 141", Unit::Month, "5.38.44"), &["misbrug", "behandling"],
        Price(4_500 * KR, 2024, "Skøn, månedstakst"), Booking::Lump),
    // ---- Elderly care ----
    HjhPp => def(Names("HJHPP", "Personlig pleje", "Personal care"), Elderly, Indsats,
        Terms("SEL § 83", Unit::Hour, "5.30.26"), &["hjemmehjaelp"],
        Price(490 * KR, 2026, "Timepris personlig pleje 2026, tilbageregnet"), Booking::Lump),
    HjhPh => def(Names("HJHPH", "Praktisk hjælp", "Practical help"), Elderly, Indsats,
        Terms("SEL § 83", Unit::Hour, "5.30.26"), &["hjemmehjaelp"],
        Price(365 * KR, 2026, "Timepris praktisk hjælp 2026, tilbageregnet"), Booking::Lump),
    Rehab => def(Names("REHAB83A", "Rehabiliteringsforløb", "Reablement"), Elderly, Indsats,
        Terms("SEL § 83 a", Unit::Hour, "5.30.26"), &["fysisk_traening", "rehabilitering"],
        Price(490 * KR, 2026, "Som personlig pleje 2026, tilbageregnet"), Booking::Lump),
    Plejebolig => def(Names("PLEJEBOL", "Pleje og omsorg i plejebolig", "Care in nursing homes"),
        Elderly,
        Indsats, Terms("SEL § 83", Unit::Day, "5.30.27"), &["plejebolig"],
        Price(1_400 * KR, 2024, "Skøn, døgntakst"), Booking::NoActivity),
    // ---- Psychiatry ----
    Angst => def(Names("ANGST", "Angstbehandling", "Anxiety treatment"), Psychiatry, Indsats,
        Terms("SEL § 102", Unit::Hour, "5.38.38"), &["behandling", "angst", "psykiatri"],
        Price(900 * KR, 2024, "Skøn, timetakst psykolog"), Booking::Lump),
    PsykBost => def(Names("PSYKBOST", "Bostøtte i psykiatrien", "Housing support (mental health)"),
        Psychiatry, Indsats, Terms("SEL § 85", Unit::Hour, "5.38.38"),
        &["sel85", "hverdagsstoette", "psykiatri"],
        Price(610 * KR, 2017, "Leverandørtakst 2017 (550-660 kr.), indekseret"), Booking::Lump),
    Bot107 => def(Names("BOT107", "Midlertidigt botilbud", "Temporary residential care"),
        Psychiatry,
        Indsats, Terms("SEL § 107", Unit::Month, "5.38.52"), &["botilbud", "psykiatri"],
        Price(72_000 * KR, 2023, "Ca. 72.000 kr. pr. måned (2023), indekseret"), Booking::Lump),
    Sel104 => def(Names("SEL104", "Aktivitets- og samværstilbud", "Day activity centre"),
        Psychiatry,
        Indsats, Terms("SEL § 104", Unit::Day, "5.38.59"), &["samvaer", "psykiatri"],
        Price(500 * KR, 2024, "Skøn, dagstakst"), Booking::NoActivity),
    // ---- Disability ----
    Bot108 => def(Names("BOT108", "Længerevarende botilbud", "Long-term residential care"),
        Disability,
        Indsats, Terms("SEL § 108", Unit::Day, "5.38.50"), &["botilbud", "handicap"],
        Price(2_355 * KR, 2019, "Ca. 2.355 kr. pr. døgn (2019), indekseret"), Booking::Lump),
    HjhHandicap => def(Names("HJHHAND", "Personlig og praktisk hjælp, handicap",
        "Personal and practical help (disability)"), Disability, Indsats, Terms("SEL § 83",
        Unit::Hour, "5.38.37"), &["hjemmehjaelp", "handicap"],
        Price(490 * KR, 2026, "Timepris personlig pleje 2026, tilbageregnet"), Booking::Lump),
    Sel117 => def(Names("SEL117", "Individuel befordring", "Individual transport"), Disability,
        Indsats,
        Terms("SEL § 117", Unit::Month, "5.57.72"), &["befordring", "handicap"],
        Price(1_800 * KR, 2024, "Skøn"), Booking::Lump),
    // ---- Integration ----
    Shy => def(Names("SHY", "Selvforsørgelses- og hjemrejseydelse", "Self-support and repatriation benefit"),
        Integration, Ydelse, Terms("LAS § 22", Unit::Month, "5.57.73"),
        &["overfoersel", "integration"],
        Price(6_500 * KR, 2024, "Skøn over gennemsnitlig sats"), Booking::Person),
    Intprog => def(Names("INTPROG", "Selvforsørgelses- og hjemrejseprogram", "Self-support programme"),
        Integration, Indsats, Terms("Integrationsloven § 16", Unit::Week, "5.68.90"),
        &["integration", "aktivering"],
        Price(1_500 * KR, 2024, "Skøn, pr. uge"), Booking::Lump),
}

/// Names of the account functions the generated postings use, for posting texts.
pub(crate) fn function_name(function: &str) -> &'static str {
    match function {
        "4.62.82" => "Genoptræning og vedligeholdelsestræning",
        "5.28.20" => "Opholdssteder for børn og unge",
        "5.28.21" => "Forebyggende foranstaltninger for børn og unge",
        "5.28.22" => "Plejefamilier",
        "5.28.23" => "Døgninstitutioner for børn og unge",
        "5.30.26" => "Personlig og praktisk hjælp, ældre",
        "5.30.27" => "Pleje og omsorg i plejeboliger",
        "5.32.32" => "Hjemmesygepleje",
        "5.38.37" => "Personlig og praktisk hjælp, handicap",
        "5.38.38" => "Personlig støtte og pasning",
        "5.38.42" => "Botilbud for personer med særlige sociale problemer",
        "5.38.44" => "Alkoholbehandling",
        "5.38.45" => "Behandling af stofmisbrugere",
        "5.38.50" => "Botilbud til længerevarende ophold",
        "5.38.52" => "Botilbud til midlertidigt ophold",
        "5.38.53" => "Kontaktperson- og ledsageordninger",
        "5.38.58" => "Beskyttet beskæftigelse",
        "5.38.59" => "Aktivitets- og samværstilbud",
        "5.48.68" => "Førtidspension",
        "5.57.71" => "Sygedagpenge",
        "5.57.72" => "Sociale formål",
        "5.57.73" => "Kontant- og uddannelseshjælp",
        "5.58.82" => "Ressourceforløb og jobafklaringsforløb",
        "5.58.83" => "Ledighedsydelse",
        "5.68.90" => "Beskæftigelsesindsats, driftsudgifter",
        _ => "Diverse",
    }
}

/// `base` øre in `from_year` indexed by 3 % a year to `year` (deflated for earlier years),
/// rounded to the øre at each step the way a price table is rolled forward.
pub(crate) fn index_price(base: i64, from_year: i32, year: i32) -> i64 {
    let mut p = base;
    if year >= from_year {
        for _ in from_year..year {
            p = (p * 103 + 50) / 100;
        }
    } else {
        for _ in year..from_year {
            p = (p * 100 + 51) / 103;
        }
    }
    p
}

/// The unit price of `s` in `year`.
pub(crate) fn price(s: S, year: i32) -> Ore {
    let d = s.def();
    Ore(index_price(d.price_ore, d.price_year, year))
}

/// The second rate of a transfer income in `year` (see [`AltRate`]).
pub(crate) fn alt_price(s: S, year: i32) -> Ore {
    let d = s.def();
    Ore(index_price(d.alt_rate_ore, d.price_year, year))
}

/// The generated municipality's service catalogue as the core type.
pub fn catalogue() -> Catalogue {
    let entries = SERVICES
        .iter()
        .map(|d| ServiceEntry {
            code: d.code.to_string(),
            name_da: d.name_da.to_string(),
            name_en: d.name_en.to_string(),
            department: d.department,
            kind: d.kind,
            legal_basis: d.legal_basis.to_string(),
            unit: d.unit,
            function: AccountFunction::parse(d.function).expect("catalogue functions are valid"),
            tags: d.tags.iter().map(|t| t.to_string()).collect(),
        })
        .collect();
    Catalogue::new(entries).expect("catalogue codes are unique")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_enum_agree_and_codes_are_unique() {
        assert_eq!(S::ALL.len(), SERVICES.len());
        for (i, s) in S::ALL.iter().enumerate() {
            assert_eq!(s.ix(), i);
        }
        let cat = catalogue();
        assert_eq!(cat.len(), SERVICES.len());
        assert!((30..=45).contains(&cat.len()));
        assert_eq!(S::Kth.def().code, "KTH");
        assert_eq!(
            cat.lookup("SEL85").map(|ix| ix.0 as usize),
            Some(S::Sel85.ix())
        );
    }

    #[test]
    fn every_department_has_a_service_and_functions_are_named() {
        for d in Department::ALL {
            assert!(
                SERVICES.iter().any(|s| s.department == d),
                "{d} has no service"
            );
        }
        for s in SERVICES {
            assert_ne!(function_name(s.function), "Diverse", "{}", s.function);
            assert!(AccountFunction::parse(s.function).is_some());
        }
    }

    #[test]
    fn person_booked_and_lump_services_never_share_a_function() {
        // The "no double counting" rule drops a spell's activity cost when the person has a
        // booked posting on the same function; sharing would hide real activity.
        for a in SERVICES.iter().filter(|s| s.booking == Booking::Person) {
            for b in SERVICES.iter().filter(|s| s.booking != Booking::Person) {
                assert_ne!(a.function, b.function, "{} and {}", a.code, b.code);
            }
        }
    }

    #[test]
    fn transfers_are_tagged_and_booked() {
        for s in SERVICES {
            if s.kind == ServiceKind::TransferIncome {
                assert!(s.tags.contains(&"overfoersel"), "{}", s.code);
                assert_eq!(s.booking, Booking::Person);
                assert_eq!(s.unit, Unit::Month);
            }
        }
    }

    #[test]
    fn prices_index_three_percent_a_year() {
        // 11,944 kr × 1.03 = 12,302.32 kr exactly.
        assert_eq!(index_price(1_194_400, 2023, 2024), 1_230_232);
        // Two years: 12,302.32 × 1.03 = 12,671.3896 → 12,671.39.
        assert_eq!(index_price(1_194_400, 2023, 2025), 1_267_139);
        assert_eq!(index_price(1_194_400, 2023, 2023), 1_194_400);
        // 490 kr in 2026 is 490/1.03² ≈ 461.87 kr in 2024.
        let p = index_price(49_000, 2026, 2024);
        assert!((46_185..=46_189).contains(&p), "{p}");
    }
}
