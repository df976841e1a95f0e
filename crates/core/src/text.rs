//! Positions in a source text (rules files, mapping profiles, scenario files), for messages
//! that name `line:column`.

/// The 1-based line and column (in characters) of byte offset `at` in `text`. An offset past
/// the end or inside a character counts from the character it falls in.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn lines_and_columns_count_characters() {
        let t = "ab\næøå = 1\n";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 3), (2, 1));
        assert_eq!(line_column(t, 9), (2, 4), "after three two-byte letters");
        assert_eq!(line_column(t, 4), (2, 1), "inside æ: the start of æ");
        assert_eq!(line_column(t, 99), (3, 1), "past the end");
    }
}
