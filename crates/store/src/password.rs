//! Passwords of local accounts: the rules of NIST SP 800-63B (rev. 4, § 3.1.1.2) and argon2id
//! hashing, shared by `tvaers user add` and the server.
//!
//! - At least [`MIN_CHARS`] characters (the minimum for a password used as a single factor),
//!   at most [`MAX_CHARS`] (the standard asks to allow at least 64). Characters are Unicode
//!   code points: spaces count, and every character is
//!   allowed.
//! - No composition rules (no "one digit, one capital").
//! - Refused: a password on a short list of the most common and breached ones, one made of a
//!   single repeated character, and one containing the username.
//!
//! Hashing is argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane — OWASP's
//! recommendation) and a random salt, as a PHC string. It takes tens of milliseconds: the
//! server calls it in `spawn_blocking`, and answers an unknown username by verifying against
//! [`dummy_hash`] so that the answer takes as long as for a known one.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

/// The shortest password accepted (NIST SP 800-63B rev. 4 for single-factor passwords).
pub const MIN_CHARS: usize = 15;
/// The longest password accepted (the standard asks for at least 64).
pub const MAX_CHARS: usize = 128;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("shorter than {MIN_CHARS} characters")]
    TooShort,
    #[error("longer than {MAX_CHARS} characters")]
    TooLong,
    #[error("one of the most common or breached passwords")]
    Common,
    #[error("contains the username")]
    ContainsUsername,
    #[error("one character repeated")]
    Repetitive,
}

/// Common and breached passwords of 15 characters or more (shorter ones fail on length).
/// Compared case-insensitively.
const COMMON: &[&str] = &[
    "123456789012345",
    "1234567890123456",
    "12345678901234567890",
    "qwertyuiopasdfgh",
    "qwertyuiopasdfghjkl",
    "qwertyuiop123456",
    "passwordpassword",
    "password1234567",
    "password12345678",
    "password123456789",
    "adgangskode12345",
    "adgangskode123456",
    "sommerferie2024!",
    "sommerferie2025!",
    "velkommen123456",
    "velkommen1234567",
    "iloveyouiloveyou",
    "letmeinletmein1",
    "abcdefghijklmnop",
    "abcdefghijklmnopqrstuvwxyz",
    "1q2w3e4r5t6y7u8i",
    "1qaz2wsx3edc4rfv",
    "zaq12wsxcde34rfv",
    "trustno1trustno1",
    "correcthorsebatterystaple",
    "kobenhavnkobenhavn",
    "tvaerstvaerstvaers",
];

/// Checks a new password against the rules.
pub fn check(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.iter().any(|c| *c == lower) {
        return Err(PasswordProblem::Common);
    }
    let user = username.trim().to_lowercase();
    if user.chars().count() >= 3 && lower.contains(&user) {
        return Err(PasswordProblem::ContainsUsername);
    }
    let mut cs = password.chars();
    let first = cs.next();
    if cs.all(|c| Some(c) == first) {
        return Err(PasswordProblem::Repetitive);
    }
    Ok(())
}

/// The argon2id PHC string of `password` with a fresh salt.
pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail on a 16-byte salt")
        .to_string()
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, to verify against when the username is unknown (so that the
/// answer takes as long as for a known user).
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&hex::encode(crate::random_secret())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_of_800_63b() {
        assert_eq!(check("short", "ann"), Err(PasswordProblem::TooShort));
        assert_eq!(
            check("fourteen chars", "ann"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check("a sentence that is long", "ann"), Ok(()));
        // No composition rules: all lowercase letters and spaces are fine; Unicode counts by
        // character, not byte.
        assert_eq!(check("æøå æøå æøå æøå", "ann"), Ok(()));
        assert_eq!(check("æøåæøåæøåæøå", "ann"), Err(PasswordProblem::TooShort));
        assert_eq!(check(&"ab".repeat(64), "ann"), Ok(()));
        assert_eq!(
            check(&"ab".repeat(65), "ann"),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(
            check("PasswordPassword", "ann"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check("my name is jensen, hello", "Jensen"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert_eq!(
            check("aaaaaaaaaaaaaaaaaa", "ann"),
            Err(PasswordProblem::Repetitive)
        );
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("a sentence that is long");
        let b = hash("a sentence that is long");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(verify("a sentence that is long", &a));
        assert!(!verify("a sentence that is lonG", &a));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify("anything", dummy_hash()));
    }
}
