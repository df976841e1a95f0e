//! Function codes of the municipal chart of accounts, written `X.XX.XX` (docs/reference.md).

use serde::{Deserialize, Serialize};
use std::fmt;

/// hovedkonto.hovedfunktion.funktion, e.g. `5.57.72`. Stored as three numbers so it sorts and
/// compares like the chart of accounts does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AccountFunction {
    pub main_account: u8,
    pub main_function: u8,
    pub function: u8,
}

impl AccountFunction {
    /// Accepts `5.57.72` and the undotted `55772` some financial systems export.
    pub fn parse(text: &str) -> Option<AccountFunction> {
        let t = text.trim();
        let parts: Vec<&str> = t.split('.').collect();
        let (a, b, c) = match parts.as_slice() {
            [a, b, c] if a.len() == 1 && b.len() == 2 && c.len() == 2 => (*a, *b, *c),
            [one] if one.len() == 5 => (&one[0..1], &one[1..3], &one[3..5]),
            _ => return None,
        };
        Some(AccountFunction {
            main_account: parse_digits(a)?,
            main_function: parse_digits(b)?,
            function: parse_digits(c)?,
        })
    }
}

fn parse_digits(s: &str) -> Option<u8> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

impl fmt::Display for AccountFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:02}.{:02}",
            self.main_account, self.main_function, self.function
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotted_and_undotted() {
        let f = AccountFunction::parse("5.57.72").unwrap();
        assert_eq!(f.to_string(), "5.57.72");
        assert_eq!(AccountFunction::parse("55772"), Some(f));
        assert_eq!(AccountFunction::parse("4.62.82").unwrap().main_function, 62);
        assert_eq!(AccountFunction::parse("5.5.72"), None);
        assert_eq!(AccountFunction::parse("5.57.7x"), None);
        assert_eq!(AccountFunction::parse(""), None);
    }
}
