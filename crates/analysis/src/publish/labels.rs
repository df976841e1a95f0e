//! Labels shared by the parts of the publication.

use crate::allocation::CostCentre;
use crate::complexity::BUCKETS;
use tvaers_messages::{self as msg, Key, Lang};

/// The display name of a cost centre (a department, or "not mapped").
pub(super) fn centre_name(lang: Lang, c: CostCentre) -> &'static str {
    match c {
        CostCentre::Department(d) => msg::department(lang, d),
        CostCentre::Unmapped => msg::t(lang, Key::dept_unmapped),
    }
}

/// "0", "1", … "4+" for the buckets of concurrent departments.
pub(super) fn bucket_label(i: usize) -> String {
    if i + 1 == BUCKETS {
        format!("{i}+")
    } else {
        i.to_string()
    }
}
