//! The ground floor's text helpers: the automaton the word passes walk
//! ([`dfa`]), redaction of upstream text ([`redact`], with the allowlist of [`allow`]),
//! escaping of control characters ([`escape`]) and cutting at a character boundary
//! ([`head`]). Nothing here imports a later stage.

pub(crate) mod allow;
pub(crate) mod dfa;
pub(crate) mod redact;

use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with every control character (newlines, escape sequences, bidi overrides
/// included) written as a `\u{..}` escape, so that upstream text cannot forge log
/// lines or drive a terminal.
pub fn escape(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How much of a message the phrase and cue passes read of one text: the first 4 KiB. Error messages that
/// say something are short; this bounds the work on hostile bodies.
pub const PHRASE_SCAN_LIMIT: usize = 4096;

/// The first `limit` bytes of `s`, cut back to a character boundary.
pub(crate) fn head(s: &str, limit: usize) -> &str {
    let mut end = s.len().min(limit);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\nb"), "a\\u{a}b");
        assert_eq!(escape("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape("用户\r"), "用户\\u{d}");
    }
}
