//! Keyed pseudonymisation: the only way from `Register<Identified>` to
//! `Register<Pseudonymised>`.
//!
//! A pseudonym is the first 128 bits of HMAC-SHA256 under a 32-byte secret key of a domain
//! prefix and the identifier: `person:` + the ten CPR digits, `family:` + the register's family
//! key, `contact:` + the employee id. The prefixes make the same string in two roles give
//! unrelated pseudonyms. Birth dates become birth years; CPR numbers, family keys and employee
//! ids do not survive.
//!
//! The key lives in a file outside the dataset (hex, mode 0600 on Unix, created on first use;
//! elsewhere the file gets the directory's default access rights). The
//! same key gives the same pseudonyms, so two imports can be compared; without it a pseudonym
//! can be neither reversed nor recomputed from a CPR number. The crate deliberately offers no
//! public "pseudonym of this CPR number" function: the statistics side must not be usable to
//! look a person up.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tvaers_core::{
    Identified, IdentifiedPerson, PersonRecord, Pseudonym, Pseudonymised, PseudonymisedPerson,
    Register,
};

type HmacSha256 = Hmac<Sha256>;

/// The secret key for pseudonyms. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct PseudonymKey([u8; 32]);

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key file {path} does not hold a key (expected 64 hex digits): {message}")]
    Malformed { path: PathBuf, message: String },
    #[error(
        "key file {path} can be read by others (mode {mode:03o}); run `chmod 600` on it, and \
         consider the key compromised if others may have read it"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error(
        "key file {key} would lie inside the dataset directory {dataset}; keep the key outside \
         the dataset, or the dataset can be re-identified by anyone who gets it"
    )]
    InsideDataset { key: PathBuf, dataset: PathBuf },
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PseudonymKey({})", self.fingerprint())
    }
}

impl PseudonymKey {
    /// A fresh random key that is never stored: pseudonyms made with it cannot be linked to any
    /// other dataset (used when raw exports are analysed directly).
    pub fn random() -> Result<PseudonymKey, KeyError> {
        random_bytes()
            .map(PseudonymKey)
            .map_err(|source| KeyError::Io {
                path: PathBuf::from("(the operating system's random source)"),
                source,
            })
    }

    pub fn from_bytes(bytes: [u8; 32]) -> PseudonymKey {
        PseudonymKey(bytes)
    }

    /// Loads the key at `path`, or creates a new random key there (mode 0600) if the file does
    /// not exist. Returns whether it was created. Refuses a key file that others can read and
    /// one placed in a dataset directory.
    pub fn load_or_create(path: &Path) -> Result<(PseudonymKey, bool), KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent()
            && crate::dataset::is_dataset(parent)
        {
            return Err(KeyError::InsideDataset {
                key: path.to_path_buf(),
                dataset: parent.to_path_buf(),
            });
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Readable by the owner only from the first byte on. Other platforms have no mode bits;
        // there the file inherits the directory's access rights (keep the key in a private
        // directory).
        #[cfg(unix)]
        options.mode(0o600);
        match options.open(path) {
            Ok(mut f) => {
                let key = PseudonymKey(random_bytes().map_err(io)?);
                f.write_all(format!("{}\n", hex::encode(key.0)).as_bytes())
                    .map_err(io)?;
                f.sync_all().map_err(io)?;
                if let Some(parent) = path.parent() {
                    let dir = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    std::fs::File::open(dir)
                        .and_then(|d| d.sync_all())
                        .map_err(io)?;
                }
                tracing::info!(path = %path.display(), fingerprint = %key.fingerprint(), "created a new pseudonym key");
                Ok((key, true))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Ok((PseudonymKey::load(path)?, false))
            }
            Err(e) => Err(io(e)),
        }
    }

    fn load(path: &Path) -> Result<PseudonymKey, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        #[cfg(unix)]
        {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::TooOpen {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        // No mode bits to check elsewhere; the key must still be a file.
        #[cfg(not(unix))]
        if !meta.is_file() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file",
            )));
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let malformed = |message: String| KeyError::Malformed {
            path: path.to_path_buf(),
            message,
        };
        let bytes = hex::decode(text.trim()).map_err(|e| malformed(e.to_string()))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| malformed(format!("{} bytes instead of 32", b.len())))?;
        Ok(PseudonymKey(bytes))
    }

    /// A short public name for the key (16 hex digits of SHA-256 over a prefix and the key):
    /// written in the dataset's manifest so that datasets made with the same key can be
    /// recognised, without revealing the key.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"tvaers-key-fingerprint:");
        h.update(self.0);
        hex::encode(&h.finalize()[..8])
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

/// Refuses a key path inside (or equal to) the dataset directory `dataset`, comparing the
/// paths with symbolic links resolved as far as they exist.
pub fn check_key_outside(key: &Path, dataset: &Path) -> Result<(), KeyError> {
    let k = crate::staged::resolve(key);
    let d = crate::staged::resolve(dataset);
    if k.starts_with(&d) {
        return Err(KeyError::InsideDataset {
            key: key.to_path_buf(),
            dataset: dataset.to_path_buf(),
        });
    }
    Ok(())
}

/// 32 bytes from the operating system's random source (getrandom(2), BCryptGenRandom, …).
fn random_bytes() -> std::io::Result<[u8; 32]> {
    let mut out = [0u8; 32];
    getrandom::fill(&mut out).map_err(std::io::Error::other)?;
    Ok(out)
}

/// The domain prefixes; distinct so that one string in two roles gives unrelated pseudonyms.
const PERSON: &[u8] = b"person:";
const FAMILY: &[u8] = b"family:";
const CONTACT: &[u8] = b"contact:";

fn pseudonym(base: &HmacSha256, domain: &[u8], id: &[u8]) -> Pseudonym {
    // Cloning the keyed state skips re-deriving the HMAC pads for every identifier.
    let mut mac = base.clone();
    mac.update(domain);
    mac.update(id);
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&tag[..16]);
    Pseudonym(out)
}

fn person(base: &HmacSha256, p: &IdentifiedPerson) -> PseudonymisedPerson {
    PseudonymisedPerson {
        id: pseudonym(base, PERSON, p.cpr.digits()),
        birth_year: p.birth_year(),
        sex: p.sex,
        family: pseudonym(base, FAMILY, p.family.as_bytes()),
    }
}

/// Replaces every identity in `reg` by its keyed pseudonym: CPR numbers, family keys and
/// contact persons. Birth dates are cut to birth years. Every other table is kept as it is.
pub fn pseudonymise(reg: Register<Identified>, key: &PseudonymKey) -> Register<Pseudonymised> {
    let base = key.mac();
    // Two threads: HMAC is the whole cost here and the machines this runs on have few cores.
    let half = reg.persons.len() / 2;
    let (a, b) = reg.persons.split_at(half);
    let persons: Vec<PseudonymisedPerson> = std::thread::scope(|s| {
        let second = s.spawn(|| b.iter().map(|p| person(&base, p)).collect::<Vec<_>>());
        let mut first: Vec<_> = a.iter().map(|p| person(&base, p)).collect();
        first.extend(
            second
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        );
        first
    });
    let mut persons = persons.into_iter();
    reg.map_identity(
        |_| persons.next().expect("one pseudonymised row per person"),
        |c: String| pseudonym(&base, CONTACT, c.as_bytes()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tvaers_core::{Catalogue, Cpr, NaiveDate, Sex};

    fn key(b: u8) -> PseudonymKey {
        PseudonymKey::from_bytes([b; 32])
    }

    fn register(family: &str, contact: &str) -> Register<Identified> {
        let cpr = Cpr::parse("610380-1235").unwrap();
        Register {
            persons: vec![IdentifiedPerson {
                birth_date: NaiveDate::from_ymd_opt(1980, 3, 1).unwrap(),
                sex: Sex::Male,
                family: family.into(),
                cpr,
            }],
            relations: vec![],
            catalogue: Catalogue::default(),
            contacts: vec![contact.into()],
            spells: vec![],
            postings: vec![],
            prices: vec![],
        }
    }

    #[test]
    fn matches_an_independent_hmac_implementation() {
        // Expected values computed with Python's hmac module, e.g.
        //   hmac.new(bytes(range(32)), b"person:6103801235", sha256).hexdigest()[:32]
        // and likewise for b"family:F000001" and b"contact:JC017".
        let k = PseudonymKey::from_bytes(std::array::from_fn(|i| i as u8));
        let p = pseudonymise(register("F000001", "JC017"), &k);
        assert_eq!(p.persons[0].id.to_hex(), PY_PERSON);
        assert_eq!(p.persons[0].family.to_hex(), PY_FAMILY);
        assert_eq!(p.contacts[0].to_hex(), PY_CONTACT);
        assert_eq!(p.persons[0].birth_year, 1980);
        assert_eq!(p.persons[0].sex, Sex::Male);
    }

    const PY_PERSON: &str = "f9370a9388285df8161edffa8916f702";
    const PY_FAMILY: &str = "63aec5da7b4b0be06a6921685858abee";
    const PY_CONTACT: &str = "cca53dbdaf7f29ae17cc69f0cb567de5";

    #[test]
    fn domains_separate_roles_and_keys_separate_datasets() {
        // The same string as family key and as contact gives different pseudonyms, and neither
        // equals the person's although all three are "6103801235".
        let a = pseudonymise(register("6103801235", "6103801235"), &key(1));
        assert_ne!(a.persons[0].id, a.persons[0].family);
        assert_ne!(a.persons[0].family, a.contacts[0]);
        assert_ne!(a.persons[0].id, a.contacts[0]);
        let again = pseudonymise(register("6103801235", "6103801235"), &key(1));
        assert_eq!(a.persons[0], again.persons[0], "same key, same pseudonyms");
        let other = pseudonymise(register("6103801235", "6103801235"), &key(2));
        assert_ne!(
            a.persons[0].id, other.persons[0].id,
            "new key breaks the link"
        );
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tvaers.key");
        let (k1, created) = PseudonymKey::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        let (k2, created) = PseudonymKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(k1, k2);
        // The fingerprint names the key without revealing it.
        assert_eq!(k1.fingerprint().len(), 16);
        assert!(!text.contains(&k1.fingerprint()));
        assert!(!format!("{k1:?}").contains(&text.trim()[..16]));
        // Two fresh keys differ (randomness is read, not a constant).
        let (k3, _) = PseudonymKey::load_or_create(&dir.path().join("other.key")).unwrap();
        assert_ne!(k1, k3);
    }

    #[test]
    fn key_file_problems_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("open.key");
        std::fs::write(&open, "00".repeat(32)).unwrap();
        #[cfg(unix)]
        {
            std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                PseudonymKey::load_or_create(&open),
                Err(KeyError::TooOpen { mode: 0o644, .. })
            ));
        }
        let short = dir.path().join("short.key");
        std::fs::write(&short, "abcd").unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = PseudonymKey::load_or_create(&short).unwrap_err();
        assert!(matches!(e, KeyError::Malformed { .. }), "{e}");
        let ds = dir.path().join("dataset");
        std::fs::create_dir(&ds).unwrap();
        std::fs::write(ds.join("manifest.json"), "{}").unwrap();
        assert!(matches!(
            PseudonymKey::load_or_create(&ds.join("k.key")),
            Err(KeyError::InsideDataset { .. })
        ));
        assert!(!ds.join("k.key").exists());
    }

    #[test]
    fn key_must_lie_outside_the_dataset() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        assert!(check_key_outside(&out.join("key"), &out).is_err());
        assert!(check_key_outside(&out.join("sub/../key"), &out).is_err());
        assert!(check_key_outside(&out.join("../key"), &out).is_ok());
        assert!(check_key_outside(&dir.path().join("key"), &out).is_ok());
        assert!(check_key_outside(&dir.path().join("out2/key"), &out).is_ok());
    }
}
