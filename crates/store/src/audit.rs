//! The audit log's hash chain: how an entry is encoded and hashed, and how a [`Basis`] is kept
//! in three columns.
//!
//! `hash(n) = SHA-256(hash(n-1) ‖ canonical(n))`, with `hash(0)` = 32 zero bytes ([`GENESIS`]).
//! `canonical` is a versioned, length-prefixed encoding of every stored field *including the
//! seq*, so that editing a field, moving an entry to another seq, deleting or inserting one
//! changes a hash that [`crate::Store::verify_audit_chain`] recomputes. The chain head (last
//! seq and hash) is kept in its own row, so removing entries from the end is caught too.
//!
//! A hash chain shows tampering by anyone who cannot rewrite the whole chain and its head. A
//! database administrator could recompute everything; to catch that, publish the head hash
//! (`tvaers audit verify` prints it) somewhere they cannot write — a printed report, a mail to
//! the data protection officer — and compare later.

use crate::model::AuditAction;
use sha2::{Digest, Sha256};
use tvaers_core::Department;
use tvaers_core::access::{Basis, ConsentId, GrantId};

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// The stored fields of one entry, as the columns hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields<'a> {
    pub seq: i64,
    pub at_us: i64,
    pub user_id: Option<i64>,
    pub actor_role: Option<&'a str>,
    pub actor_department: Option<&'a str>,
    pub citizen_id: Option<i64>,
    pub category: Option<&'a str>,
    pub purpose: &'a str,
    pub action: &'a str,
    pub basis_kind: Option<&'a str>,
    pub basis_ref: Option<i64>,
    pub basis_text: Option<&'a str>,
    pub refusal: Option<&'a str>,
    pub detail: &'a str,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn put_opt_i64(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

impl Fields<'_> {
    /// The canonical encoding (version 1).
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.detail.len());
        out.extend_from_slice(b"tvaers-audit-v1\0");
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.at_us.to_be_bytes());
        put_opt_i64(&mut out, self.user_id);
        put_opt_str(&mut out, self.actor_role);
        put_opt_str(&mut out, self.actor_department);
        put_opt_i64(&mut out, self.citizen_id);
        put_opt_str(&mut out, self.category);
        put_str(&mut out, self.purpose);
        put_str(&mut out, self.action);
        put_opt_str(&mut out, self.basis_kind);
        put_opt_i64(&mut out, self.basis_ref);
        put_opt_str(&mut out, self.basis_text);
        put_opt_str(&mut out, self.refusal);
        put_str(&mut out, self.detail);
        out
    }

    /// `SHA-256(prev ‖ canonical)`.
    pub fn hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(prev);
        h.update(self.canonical());
        h.finalize().into()
    }
}

/// A basis as `(kind, ref, text)` columns.
pub fn basis_columns(b: &Basis) -> (&'static str, Option<i64>, Option<String>) {
    match b {
        Basis::Team => ("team", None, None),
        Basis::OwnDepartment {
            department,
            legal_basis,
        } => (
            "own_department",
            Some(department.index() as i64),
            Some(legal_basis.join("\n")),
        ),
        Basis::Consent { consent_id } => ("consent", Some(consent_id.0), None),
        Basis::LegalBasis { text } => ("legal_basis", None, Some(text.clone())),
        Basis::BreakTheGlass { grant_id, reason } => {
            ("break_the_glass", Some(grant_id.0), Some(reason.clone()))
        }
        Basis::Supervision => ("supervision", None, None),
    }
}

/// The inverse of [`basis_columns`]; `None` for an unknown kind.
pub fn basis_from_columns(kind: &str, r: Option<i64>, text: Option<&str>) -> Option<Basis> {
    let text = text.unwrap_or("");
    Some(match kind {
        "team" => Basis::Team,
        "own_department" => Basis::OwnDepartment {
            department: *Department::ALL.get(usize::try_from(r?).ok()?)?,
            legal_basis: if text.is_empty() {
                vec![]
            } else {
                text.split('\n').map(str::to_string).collect()
            },
        },
        "consent" => Basis::Consent {
            consent_id: ConsentId(r?),
        },
        "legal_basis" => Basis::LegalBasis {
            text: text.to_string(),
        },
        "break_the_glass" => Basis::BreakTheGlass {
            grant_id: GrantId(r?),
            reason: text.to_string(),
        },
        "supervision" => Basis::Supervision,
        _ => return None,
    })
}

/// Whether an action is an access the citizen's log shows.
pub fn is_access(action: AuditAction) -> bool {
    matches!(action, AuditAction::Read | AuditAction::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields<'static> {
        Fields {
            seq: 1,
            at_us: 1_700_000_000_000_000,
            user_id: Some(3),
            actor_role: Some("caseworker"),
            actor_department: Some("sundhed"),
            citizen_id: Some(9),
            category: Some("sundhed"),
            purpose: "case_processing",
            action: "read",
            basis_kind: Some("consent"),
            basis_ref: Some(4),
            basis_text: None,
            refusal: None,
            detail: "opened",
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = fields().hash(&GENESIS);
        let mut variants = vec![];
        let mut f = fields();
        f.seq = 2;
        variants.push(f);
        let mut f = fields();
        f.user_id = None;
        variants.push(f);
        let mut f = fields();
        f.detail = "opene";
        variants.push(f);
        // Moving text between adjacent fields must not give the same encoding.
        let mut f = fields();
        f.actor_role = Some("caseworkers");
        f.actor_department = Some("undhed");
        variants.push(f);
        let mut f = fields();
        f.basis_text = Some("");
        variants.push(f);
        for v in variants {
            assert_ne!(v.hash(&GENESIS), base, "{v:?}");
        }
        assert_ne!(fields().hash(&[1; 32]), base);
    }

    #[test]
    fn bases_round_trip_through_columns() {
        let bases = [
            Basis::Team,
            Basis::OwnDepartment {
                department: Department::Health,
                legal_basis: vec!["SUL § 138".into(), "SUL § 140".into()],
            },
            Basis::OwnDepartment {
                department: Department::Integration,
                legal_basis: vec![],
            },
            Basis::Consent {
                consent_id: ConsentId(7),
            },
            Basis::LegalBasis {
                text: "LAB § 30 b".into(),
            },
            Basis::BreakTheGlass {
                grant_id: GrantId(2),
                reason: "acute".into(),
            },
            Basis::Supervision,
        ];
        for b in bases {
            let (k, r, t) = basis_columns(&b);
            assert_eq!(basis_from_columns(k, r, t.as_deref()), Some(b));
        }
    }
}
