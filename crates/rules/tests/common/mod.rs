//! Small in-memory registers for the rules tests.
//!
//! The test catalogue tags its services the way the generator's catalogue does (one entry per
//! kind of help, transfer incomes tagged `overfoersel` plus their own tag).

#![allow(
    dead_code,
    reason = "shared by several test binaries (`mod common;` in each); every binary uses only part of it, so `expect` would fail in some"
)]

use tvaers_core::{
    AccountFunction, Catalogue, ContactIx, Department, NaiveDate, Period, PersonIx, Pseudonym,
    Pseudonymised, PseudonymisedPerson, Quantity, Register, ServiceEntry, ServiceIx, ServiceKind,
    Sex, Spell, Unit,
};

/// (code, department, kind, tags)
pub const SERVICES: &[(&str, &str, &str, &[&str])] = &[
    (
        "KTH",
        "beskaeftigelse",
        "ydelse",
        &["overfoersel", "kontanthjaelp"],
    ),
    (
        "SDP",
        "beskaeftigelse",
        "ydelse",
        &["overfoersel", "sygedagpenge"],
    ),
    (
        "FP",
        "beskaeftigelse",
        "ydelse",
        &["overfoersel", "foertidspension"],
    ),
    (
        "UDH",
        "beskaeftigelse",
        "ydelse",
        &["overfoersel", "uddannelseshjaelp"],
    ),
    (
        "RFY",
        "beskaeftigelse",
        "ydelse",
        &["overfoersel", "ressourceforloeb"],
    ),
    (
        "MENTOR",
        "beskaeftigelse",
        "indsats",
        &["mentor", "hverdagsstoette"],
    ),
    (
        "SEL85",
        "social_voksne",
        "indsats",
        &["sel85", "hverdagsstoette"],
    ),
    (
        "SKP99",
        "social_voksne",
        "indsats",
        &["stoettekontakt", "hverdagsstoette"],
    ),
    ("BEF_SUND", "sundhed", "indsats", &["befordring"]),
    ("BEF_HAND", "handicap", "indsats", &["befordring"]),
    ("AKT", "beskaeftigelse", "indsats", &["aktivering"]),
    (
        "AKT_FYS",
        "beskaeftigelse",
        "indsats",
        &["aktivering", "fysisk_traening"],
    ),
    (
        "GENOP",
        "sundhed",
        "indsats",
        &["genoptraening", "fysisk_traening"],
    ),
    ("HJSP", "sundhed", "indsats", &["hjemmesygepleje"]),
    ("HJH", "aeldre", "indsats", &["hjemmehjaelp"]),
    (
        "MISBRUG",
        "social_voksne",
        "indsats",
        &["misbrug", "behandling"],
    ),
    (
        "ANGST",
        "psykiatri",
        "indsats",
        &["angst", "behandling", "psykiatri"],
    ),
    ("PSYK", "psykiatri", "indsats", &["psykiatri", "behandling"]),
    (
        "FOREB",
        "boern_familie",
        "indsats",
        &["forebyggende", "barn"],
    ),
    ("ANBR", "boern_familie", "indsats", &["anbringelse", "barn"]),
    ("FAMBEH", "boern_familie", "indsats", &["familiebehandling"]),
    ("UNGSTOETTE", "boern_familie", "indsats", &["ung"]),
    ("BOTILBUD", "social_voksne", "indsats", &["botilbud"]),
    ("BESK104", "handicap", "indsats", &["hverdagsstoette"]),
    ("LEDSAG", "handicap", "indsats", &[]),
    ("INTEGR", "integration", "indsats", &[]),
];

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {s}"))
}

pub fn year(y: i32) -> Period {
    Period::year(y)
}

pub fn catalogue() -> Catalogue {
    let entries = SERVICES
        .iter()
        .map(|(code, dept, kind, tags)| ServiceEntry {
            code: code.to_string(),
            name_da: code.to_string(),
            name_en: code.to_string(),
            department: Department::from_code(dept).expect("test department"),
            kind: ServiceKind::from_code(kind).expect("test kind"),
            legal_basis: String::new(),
            unit: if *kind == "ydelse" {
                Unit::Month
            } else {
                Unit::Hour
            },
            function: AccountFunction::parse("5.57.72").expect("function"),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        })
        .collect();
    Catalogue::new(entries).expect("distinct codes")
}

fn pseudo(domain: u8, n: u32) -> Pseudonym {
    let mut b = [0u8; 16];
    b[0] = domain;
    b[12..].copy_from_slice(&n.to_be_bytes());
    Pseudonym(b)
}

/// Builds a `Register<Pseudonymised>` person by person.
pub struct Builder {
    reg: Register<Pseudonymised>,
    next_family: u32,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            reg: Register {
                persons: Vec::new(),
                relations: Vec::new(),
                catalogue: catalogue(),
                contacts: Vec::new(),
                spells: Vec::new(),
                postings: Vec::new(),
                prices: Vec::new(),
            },
            next_family: 0,
        }
    }

    pub fn service(&self, code: &str) -> ServiceIx {
        self.reg
            .catalogue
            .lookup(code)
            .unwrap_or_else(|| panic!("no test service {code}"))
    }

    /// A new family key.
    pub fn family(&mut self) -> u32 {
        self.next_family += 1;
        self.next_family
    }

    /// A person in `family`.
    pub fn member(&mut self, birth_year: i32, family: u32) -> PersonIx {
        let ix = PersonIx(self.reg.persons.len() as u32);
        self.reg.persons.push(PseudonymisedPerson {
            id: pseudo(1, ix.0),
            birth_year,
            sex: if ix.0.is_multiple_of(2) {
                Sex::Female
            } else {
                Sex::Male
            },
            family: pseudo(2, family),
        });
        ix
    }

    /// A person living alone.
    pub fn person(&mut self, birth_year: i32) -> PersonIx {
        let f = self.family();
        self.member(birth_year, f)
    }

    fn contact(&mut self, n: u32) -> ContactIx {
        while self.reg.contacts.len() <= n as usize {
            let k = self.reg.contacts.len() as u32;
            self.reg.contacts.push(pseudo(3, k));
        }
        ContactIx(n)
    }

    /// A spell from `start` to `end` (inclusive; `None` = open), contact person 0.
    pub fn spell(&mut self, p: PersonIx, code: &str, start: &str, end: Option<&str>) -> &mut Self {
        self.spell_with_contact(p, code, start, end, Some(0))
    }

    pub fn spell_with_contact(
        &mut self,
        p: PersonIx,
        code: &str,
        start: &str,
        end: Option<&str>,
        contact: Option<u32>,
    ) -> &mut Self {
        let service = self.service(code);
        let contact = contact.map(|c| self.contact(c));
        self.reg.spells.push(Spell {
            person: p,
            service,
            start: d(start),
            end: end.map(d),
            volume: Quantity::ONE,
            contact,
        });
        self
    }

    pub fn register(&self) -> &Register<Pseudonymised> {
        &self.reg
    }

    pub fn build(self) -> Register<Pseudonymised> {
        self.reg
    }
}
