//! Labels shared by the parts of the publication.

use crate::allocation::CostCentre;
use tvaers_messages::{self as msg, Key, Lang};

/// The display name of a cost centre (a department, or "not mapped").
pub(super) fn centre_name(lang: Lang, c: CostCentre) -> &'static str {
    match c {
        CostCentre::Department(d) => msg::department(lang, d),
        CostCentre::Unmapped => msg::t(lang, Key::dept_unmapped),
    }
}
