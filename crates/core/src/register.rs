//! The whole data model of one municipality's exports, held as dense tables.
//!
//! Persons, services and contact persons are addressed by dense indices ([`PersonIx`],
//! [`ServiceIx`], [`ContactIx`]) into the register's own tables, so that the hot loops of the
//! analysis work on integers and a spell or posting carries no identifier of its own.

use crate::account::AccountFunction;
use crate::money::Ore;
use crate::person::Identity;
use crate::quantity::Quantity;
use crate::service::{Catalogue, Unit};
use chrono::NaiveDate;

/// Index into [`Register::persons`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonIx(pub u32);

/// Index into the [`Catalogue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceIx(pub u32);

/// Index into [`Register::contacts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactIx(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationKind {
    /// `related` is a parent of `person`.
    Parent,
    /// `related` is a child of `person`.
    Child,
    /// `related` is the partner (spouse, cohabitant) of `person`.
    Partner,
}

impl RelationKind {
    pub fn code(self) -> &'static str {
        match self {
            RelationKind::Parent => "forælder",
            RelationKind::Child => "barn",
            RelationKind::Partner => "partner",
        }
    }
    pub fn from_code(s: &str) -> Option<RelationKind> {
        match s.trim().to_lowercase().as_str() {
            "forælder" | "foraelder" | "mor" | "far" | "parent" => Some(RelationKind::Parent),
            "barn" | "child" => Some(RelationKind::Child),
            "partner" | "ægtefælle" | "aegtefaelle" | "samlever" => Some(RelationKind::Partner),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub person: PersonIx,
    pub related: PersonIx,
    pub kind: RelationKind,
}

/// A service to a citizen over an interval: activity data from a case system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spell {
    pub person: PersonIx,
    pub service: ServiceIx,
    pub start: NaiveDate,
    /// Inclusive last day; `None` while the spell is still open.
    pub end: Option<NaiveDate>,
    /// A rate in the service's unit (see [`Unit`]).
    pub volume: Quantity,
    pub contact: Option<ContactIx>,
}

/// A line from the financial system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub date: NaiveDate,
    pub function: AccountFunction,
    pub amount: Ore,
    /// Set when the posting is booked to a person (registrantbogført).
    pub person: Option<PersonIx>,
    pub service: Option<ServiceIx>,
}

/// Average price of one unit of a service in a year (FLIS key figures or the municipality's own
/// rates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPrice {
    pub service: ServiceIx,
    pub unit: Unit,
    pub price: Ore,
    pub year: i32,
    pub source: String,
}

/// One municipality's data, carrying identities of kind `I`.
#[derive(Debug, Clone)]
pub struct Register<I: Identity> {
    pub persons: Vec<I::Person>,
    pub relations: Vec<Relation>,
    pub catalogue: Catalogue,
    pub contacts: Vec<I::Contact>,
    pub spells: Vec<Spell>,
    pub postings: Vec<Posting>,
    pub prices: Vec<UnitPrice>,
}

impl<I: Identity> Register<I> {
    pub fn person(&self, ix: PersonIx) -> &I::Person {
        &self.persons[ix.0 as usize]
    }

    /// Replaces the identities while keeping every table's structure; the only way to turn one
    /// kind of register into another, used by pseudonymisation.
    pub fn map_identity<J: Identity>(
        self,
        person: impl FnMut(I::Person) -> J::Person,
        contact: impl FnMut(I::Contact) -> J::Contact,
    ) -> Register<J> {
        Register {
            persons: self.persons.into_iter().map(person).collect(),
            relations: self.relations,
            catalogue: self.catalogue,
            contacts: self.contacts.into_iter().map(contact).collect(),
            spells: self.spells,
            postings: self.postings,
            prices: self.prices,
        }
    }
}
