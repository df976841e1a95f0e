//! The Tværs domain core: the data model and pure logic shared by every other crate.
//!
//! Invariants: no I/O, no async, no global state. Everything here can be called from a test
//! with values built in memory. Money is [`Ore`] (integer øre), quantities are [`Quantity`]
//! (fixed-point thousandths), dates are [`chrono::NaiveDate`] calendar dates.
//!
//! The legal line of docs/data-protection.md runs through [`register`]: a [`Register`] is
//! generic over its [`Identity`], so a function written for the statistics purpose takes
//! `Register<Pseudonymised>` and cannot be handed identified data by mistake.

#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod cpr;
pub mod department;
pub mod index;
pub mod money;
pub mod period;
pub mod person;
pub mod quantity;
pub mod register;
pub mod service;
pub mod text;

pub use account::AccountFunction;
pub use chrono::NaiveDate;
pub use cpr::Cpr;
pub use department::Department;
pub use index::{Families, FamilyIx, PersonSpells};
pub use money::{LimitError, Ore, check_amount, check_price};
pub use period::Period;
pub use person::{
    Identified, IdentifiedPerson, Identity, PersonRecord, Pseudonym, Pseudonymised,
    PseudonymisedPerson, Sex,
};
pub use quantity::{Quantity, check_volume};
pub use register::{
    ContactIx, PersonIx, Posting, Register, Relation, RelationKind, ServiceIx, Spell, UnitPrice,
};
pub use service::{Catalogue, ServiceEntry, ServiceKind, Unit};
pub use text::line_column;
