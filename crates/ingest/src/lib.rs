//! Reading a municipality's exports, validating them, pseudonymising them and writing the
//! analysis dataset.
//!
//! The path of the data through this crate:
//!
//! 1. [`read_exports`] reads the six exports (persons, relations, service catalogue, spells,
//!    postings, unit prices) as a [`Profile`] lays them out — CSV in UTF-8 or Windows-1252 with
//!    `;` or `,`, decimal comma or point, ISO or Danish dates, or Parquet with the same columns —
//!    and returns a `Register<Identified>` only if **every** row of every file is valid. It
//!    reports all errors at once, each naming file, line, column, value and what was expected
//!    ([`ImportError`]).
//! 2. [`pseudonymise`] is the only function that turns a `Register<Identified>` into a
//!    `Register<Pseudonymised>`: CPR numbers, family keys and contact persons become keyed
//!    HMAC-SHA256 pseudonyms under a [`PseudonymKey`] kept outside the dataset; birth dates
//!    become birth years.
//! 3. [`dataset::write`] stores the pseudonymised register as Parquet files plus a manifest,
//!    inside a [`StagedDir`] that replaces the output directory atomically on commit
//!    ([`dataset::write_staged`] does both); [`dataset::read`] reads it back for analysis.
//!
//! Invariants: nothing is written unless the whole input is valid; the dataset holds no CPR
//! number, family key, employee id, free text or exact birth date; the key never lies inside
//! the dataset directory.
//!
//! Scale: a Copenhagen-sized input (650,000 citizens, a million spells, two million postings) is
//! read in two parallel phases (persons and catalogue; then relations, spells, postings and
//! prices), one reused CSV record per file, CPR numbers resolved through a compact
//! open-addressing index (one cache miss per lookup), services and contact persons through
//! tables with a fast non-cryptographic hash, contact persons interned.

#![forbid(unsafe_code)]

pub mod aliases;
pub mod dataset;
mod error;
mod fasthash;
// The fuzz targets' bodies (`fuzz/`), public so that the targets and the corpus replay test can
// call them; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod profile;
mod pseudonym;
mod read;
mod source;
mod staged;
pub mod suggest;
mod values;

pub use error::{
    ERRORS_PER_FILE, ErrorKind, ImportError, ImportErrors, Message, SHOWN_CHARS, mask_cpr, shown,
};
pub use profile::{AmountUnit, FileKind, Profile, ProfileError};
pub use pseudonym::{KeyError, PseudonymKey, check_key_outside, pseudonymise};
pub use read::read_exports;
pub use staged::{MARKER, StagedDir, StagedError, check_apart};
pub use suggest::{SuggestError, suggest};
pub use values::parse_date;
