//! Parsing of single values as municipal exports write them: dates in ISO and Danish forms,
//! amounts with decimal comma and thousands points. Allocation-free; called once per field.

use chrono::NaiveDate;
use tvaers_core::Ore;

/// ISO `yyyy-mm-dd`, or `dd-mm-yyyy`, `dd.mm.yyyy`, `dd/mm/yyyy` (day and month may have one
/// digit), or compact `yyyymmdd`, recognised per value. Any of them may carry a time of day
/// (`31-01-2025 00:00:00`, `2025-01-31T08:15`), as financial systems export booking dates; the
/// time must be a valid one and is dropped.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = without_time(text)?;
    let b = text.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let y = digits(&b[0..4])?;
        let m = digits(&b[4..6])?;
        let d = digits(&b[6..8])?;
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let y = digits(&b[0..4])?;
        let m = digits(&b[5..7])?;
        let d = digits(&b[8..10])?;
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    let sep = *b.iter().find(|c| matches!(c, b'-' | b'.' | b'/'))?;
    let mut parts = text.split(sep as char);
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&d.len()) || !(1..=2).contains(&m.len()) {
        return None;
    }
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(digits(y.as_bytes())?).ok()?,
        digits(m.as_bytes())?,
        digits(d.as_bytes())?,
    )
}

/// The date part of a date with a time of day (after a space or a `T`), or the text itself.
/// `None` if what follows is not a time `HH:MM` or `HH:MM:SS` (with optional fraction).
fn without_time(text: &str) -> Option<&str> {
    let Some(at) = text.find([' ', 'T']) else {
        return Some(text);
    };
    let time = text[at + 1..].trim();
    let valid = ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"]
        .iter()
        .any(|f| chrono::NaiveTime::parse_from_str(time, f).is_ok());
    valid.then(|| &text[..at])
}

/// Decimal digits only, as a `u32`; `None` if the value does not fit (never wrapped: a year of
/// `4294969296` is an error, not 2000).
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// An amount in kroner with at most two decimals. Thousands separators (the other of `.`/`,`)
/// must group exactly three digits, so that `12,50` read with decimal `.` is an error rather
/// than 1,250 kroner.
///
/// Also as financial systems print amounts: with a currency (`kr. 15.874,00`, `15.874,00 kr.`,
/// `DKK 100`) and with the minus sign trailing (`1.250,50-`).
pub(crate) fn parse_amount(text: &str, decimal: char) -> Option<Ore> {
    let (negative, text) = trailing_minus(without_currency(text));
    let amount = parse_plain_amount(text, decimal)?;
    Some(if negative { Ore(-amount.0) } else { amount })
}

/// An amount in whole øre (`amount_unit = "øre"`): an integer, with the same currency, sign and
/// thousands forms as [`parse_amount`] but no decimals.
pub(crate) fn parse_ore(text: &str, decimal: char) -> Option<Ore> {
    let (negative, text) = trailing_minus(without_currency(text));
    let (sign, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (-1i64, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    if negative && sign < 0 {
        return None;
    }
    let thousands = if decimal == ',' { '.' } else { ',' };
    if unsigned.contains(decimal) {
        return None;
    }
    let mut groups = unsigned.split(thousands);
    let first = groups.next()?;
    let grouped = unsigned.contains(thousands);
    if first.is_empty() || (grouped && (first.len() > 3 || groups.any(|g| g.len() != 3))) {
        return None;
    }
    let mut n: i64 = 0;
    for c in unsigned.bytes().filter(|&c| c != thousands as u8) {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    let n = if negative { -n } else { sign * n };
    Some(Ore(n))
}

/// The text without a currency before or after the number (`kr.`, `kr`, `DKK`, any case).
fn without_currency(text: &str) -> &str {
    let t = text.trim();
    for cur in ["kr.", "kr", "dkk"] {
        if t.len() > cur.len() && t.is_char_boundary(cur.len()) {
            let (head, rest) = t.split_at(cur.len());
            if head.eq_ignore_ascii_case(cur) {
                return rest.trim_start();
            }
        }
        if t.len() > cur.len() && t.is_char_boundary(t.len() - cur.len()) {
            let (rest, tail) = t.split_at(t.len() - cur.len());
            if tail.eq_ignore_ascii_case(cur) {
                return rest.trim_end();
            }
        }
    }
    t
}

/// `(true, "1.250,50")` for `1.250,50-`; a value that also starts with a sign is left whole
/// (and then fails to parse).
fn trailing_minus(text: &str) -> (bool, &str) {
    match text.strip_suffix('-') {
        Some(rest) if !rest.is_empty() && !rest.starts_with(['-', '+']) => (true, rest.trim_end()),
        _ => (false, text),
    }
}

fn parse_plain_amount(text: &str, decimal: char) -> Option<Ore> {
    let thousands = if decimal == ',' { '.' } else { ',' };
    if text.contains(thousands) {
        let unsigned = text.trim_start_matches(['-', '+']);
        let int_part = match unsigned.rfind(decimal) {
            Some(i) => &unsigned[..i],
            None => unsigned,
        };
        let mut groups = int_part.split(thousands);
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return None;
        }
    }
    Ore::parse_kroner(text, decimal)
}

/// A year 1900–2100.
pub(crate) fn parse_year(text: &str) -> Option<i32> {
    let y = digits(text.as_bytes())?;
    let y = i32::try_from(y).ok()?;
    (1900..=2100).contains(&y).then_some(y)
}

/// A CPR value from a column read as a native integer lost its leading zero (`0101801235` →
/// `101801235`); restores it. Other text is returned unchanged.
pub(crate) fn pad_cpr(text: &str, buf: &mut [u8; 10]) -> Option<usize> {
    let b = text.as_bytes();
    if b.len() == 9 && b.iter().all(u8::is_ascii_digit) {
        buf[0] = b'0';
        buf[1..].copy_from_slice(b);
        Some(10)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_all_documented_forms() {
        assert_eq!(parse_date("2024-03-01"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("01-03-2024"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("01.03.2024"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("01/03/2024"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("1.3.2024"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("29-02-2024"), Some(d(2024, 2, 29)));
        assert_eq!(parse_date("29-02-2023"), None, "not a leap year");
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(
            parse_date("01-03-24"),
            None,
            "two-digit years are ambiguous"
        );
        assert_eq!(parse_date("01-03/2024"), None, "mixed separators");
        assert_eq!(parse_date("2024/03/01"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("i går"), None);
    }

    #[test]
    fn amounts_require_proper_thousands_groups() {
        assert_eq!(parse_amount("1.204.311,17", ','), Some(Ore(120_431_117)));
        assert_eq!(parse_amount("-11.944,00", ','), Some(Ore(-1_194_400)));
        assert_eq!(parse_amount("610.00", '.'), Some(Ore(61_000)));
        assert_eq!(parse_amount("1,234.5", '.'), Some(Ore(123_450)));
        assert_eq!(
            parse_amount("12,50", '.'),
            None,
            "a decimal comma read with decimal ."
        );
        assert_eq!(parse_amount("1.23,00", ','), None);
        assert_eq!(parse_amount("12.3x", ','), None);
        assert_eq!(parse_amount("12,345", ','), None);
    }

    #[test]
    fn dates_with_a_time_of_day_or_compact() {
        assert_eq!(parse_date("31-01-2025 00:00:00"), Some(d(2025, 1, 31)));
        assert_eq!(parse_date("2025-01-31 13:45"), Some(d(2025, 1, 31)));
        assert_eq!(parse_date("2025-01-31T08:15:00.000"), Some(d(2025, 1, 31)));
        assert_eq!(parse_date("20250131"), Some(d(2025, 1, 31)));
        assert_eq!(parse_date("20250231"), None, "no 31 February");
        assert_eq!(parse_date("31012025"), None, "compact is yyyymmdd only");
        assert_eq!(parse_date("31-01-2025 25:00:00"), None, "no hour 25");
        assert_eq!(parse_date("31-01-2025 kl. 8"), None);
        assert_eq!(parse_date("31-01-2025 "), None);
    }

    #[test]
    fn amounts_with_currency_and_trailing_minus() {
        assert_eq!(parse_amount("kr. 15.874,00", ','), Some(Ore(1_587_400)));
        assert_eq!(parse_amount("15.874,00 kr.", ','), Some(Ore(1_587_400)));
        assert_eq!(parse_amount("DKK 100", '.'), Some(Ore(10_000)));
        assert_eq!(parse_amount("1.250,50-", ','), Some(Ore(-125_050)));
        assert_eq!(parse_amount("kr. 1.250,50-", ','), Some(Ore(-125_050)));
        assert_eq!(parse_amount("-1.250,50-", ','), None, "two signs");
        assert_eq!(parse_amount("-", ','), None);
        assert_eq!(parse_amount("kr.", ','), None);
        assert_eq!(parse_amount("euro 12", ','), None);
    }

    #[test]
    fn amounts_in_ore_are_whole_numbers() {
        assert_eq!(parse_ore("1587400", ','), Some(Ore(1_587_400)));
        assert_eq!(parse_ore("1.587.400", ','), Some(Ore(1_587_400)));
        assert_eq!(parse_ore("-125050", ','), Some(Ore(-125_050)));
        assert_eq!(parse_ore("125050-", ','), Some(Ore(-125_050)));
        assert_eq!(parse_ore("kr. 100", ','), Some(Ore(100)));
        assert_eq!(parse_ore("15874,00", ','), None, "øre have no decimals");
        assert_eq!(parse_ore("1.58.400", ','), None);
        assert_eq!(parse_ore("9223372036854775808", ','), None, "beyond i64");
        assert_eq!(parse_ore("", ','), None);
        assert_eq!(parse_ore("-125050-", ','), None);
    }

    #[test]
    fn years_are_bounded() {
        assert_eq!(parse_year("2025"), Some(2025));
        assert_eq!(parse_year("1899"), None);
        assert_eq!(parse_year("2101"), None);
        assert_eq!(parse_year("20x5"), None);
    }

    #[test]
    fn year_that_overflows_u32_is_refused() {
        // 4294969296 = 2^32 + 2000: wrapping arithmetic read it as 2000.
        assert_eq!(parse_year("4294969296"), None);
        assert_eq!(parse_year("4294967296"), None, "2^32 would wrap to 0");
        assert_eq!(parse_year("4294967295"), None, "u32::MAX is no year either");
        assert_eq!(parse_year("99999999999999999999"), None);
        assert_eq!(
            parse_year("00002025"),
            Some(2025),
            "leading zeros still read"
        );
    }

    #[test]
    fn digit_runs_beyond_u32_are_refused_not_wrapped() {
        assert_eq!(digits(b"4294967295"), Some(u32::MAX));
        assert_eq!(digits(b"4294967296"), None);
        assert_eq!(digits(b"4294969296"), None);
        assert_eq!(digits(b"18446744073709551616"), None);
        assert_eq!(digits(b""), None);
    }

    #[test]
    fn date_parts_beyond_u32_are_refused() {
        // Every date part has a maximum width (4, 2, 2), so the shape checks refuse these before
        // any arithmetic; a guard should those checks ever be relaxed.
        assert_eq!(parse_date("01-03-2024"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("4294967297-03-2024"), None);
        assert_eq!(parse_date("01.4294967299.2024"), None);
    }

    #[test]
    fn amounts_beyond_i64_ore_are_refused() {
        // i64::MAX øre = 92.233.720.368.547.758,07 kr.
        assert_eq!(
            parse_amount("92233720368547758,07", ','),
            Some(Ore(i64::MAX))
        );
        assert_eq!(
            parse_amount("-92233720368547758,07", ','),
            Some(Ore(-i64::MAX))
        );
        assert_eq!(parse_amount("92233720368547758,08", ','), None);
        assert_eq!(parse_amount("92.233.720.368.547.758,08", ','), None);
        assert_eq!(parse_amount("92233720368547759", ','), None);
        assert_eq!(parse_amount("-92233720368547759,00", ','), None);
        assert_eq!(parse_amount("99999999999999999999999", '.'), None);
        assert_eq!(parse_amount("184467440737095516,16", ','), None);
    }

    #[test]
    fn native_integer_cpr_gets_its_leading_zero_back() {
        let mut buf = [0u8; 10];
        assert_eq!(pad_cpr("101801235", &mut buf), Some(10));
        assert_eq!(&buf, b"0101801235");
        assert_eq!(pad_cpr("1101801235", &mut buf), None);
    }
}
