//! MiniMax: numeric codes (`data/minimax.tsv`).
//!
//! Shapes, all handled:
//! - native: `{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}`,
//!   often under HTTP 200; a zero code is success;
//! - Anthropic-compatible: `{"type":"error","error":{"type":"...","message":"... (1008)"}}`;
//! - OpenAI-compatible: `{"error":{"message":"... (1008)","type":"...","code":"..."}}`;
//! - an `error.code` that is the number itself.
//!
//! In the compatible shapes the code survives only as a `(NNNN)` suffix of the message,
//! possibly followed by gateway `(request id: ...)` suffixes; [`code_in_message`] finds it.

use crate::body::{Fields, Val};

/// Whether the body is MiniMax's: a `base_resp` object, or a message ending in a
/// `(NNNN)` code (`msg_code`, from [`code_in_message`]).
pub(crate) fn looks_like(f: &Fields<'_>, msg_code: Option<i64>) -> bool {
    f.base_code.is_some() || msg_code.is_some()
}

/// A numeric `error.code` (MiniMax sometimes puts the code itself there).
pub(crate) fn error_code(f: &Fields<'_>) -> Option<i64> {
    match f.error.as_ref()?.code.as_ref()? {
        Val::Int(c) => Some(*c),
        _ => None,
    }
}

/// Finds a MiniMax code written as a `(NNNN)` or `(NNNNN)` suffix of a message, looking
/// back past up to three trailing `(request id: ...)` groups that gateways append.
///
/// ```text
/// "insufficient balance (1008)"                          -> 1008
/// "usage limit exceeded (2056) (request id: 2024...)"    -> 2056
/// "Rate limit reached for gpt-4 (1234 tokens)"           -> None
/// ```
pub(crate) fn code_in_message(msg: &str) -> Option<i64> {
    // Bytes, not chars: this runs on every message and must not allocate.
    let mut rest = msg.as_bytes().trim_ascii_end();
    loop {
        rest = if let Some(r) = rest.strip_suffix(b".") {
            r
        } else if let Some(r) = rest.strip_suffix("。".as_bytes()) {
            r
        } else {
            break;
        };
    }
    rest = rest.trim_ascii_end();
    for _ in 0..4 {
        let inner_end = rest.strip_suffix(b")")?;
        let open = memchr::memrchr(b'(', inner_end)?;
        let inner = inner_end.get(open + 1..)?.trim_ascii();
        if (4..=5).contains(&inner.len()) && inner.iter().all(u8::is_ascii_digit) {
            return Some(inner.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')));
        }
        if !inner
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"request id"))
        {
            return None;
        }
        rest = inner_end.get(..open)?.trim_ascii_end();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_suffix_code() {
        assert_eq!(code_in_message("insufficient balance (1008)"), Some(1008));
        assert_eq!(code_in_message("insufficient balance (1008)."), Some(1008));
        assert_eq!(code_in_message("invalid samples (20132)"), Some(20132));
        assert_eq!(
            code_in_message("usage limit exceeded (2056) (request id: 20240615123456)"),
            Some(2056)
        );
        assert_eq!(
            code_in_message("x (2062) (request id: a) (request id: b)"),
            Some(2062)
        );
    }

    #[test]
    fn ignores_what_is_not_a_code_suffix() {
        assert_eq!(code_in_message("Rate limit reached (1234 tokens)"), None);
        assert_eq!(code_in_message("error (12)"), None);
        assert_eq!(code_in_message("error (123456)"), None);
        assert_eq!(code_in_message("(1008) at the start"), None);
        assert_eq!(code_in_message("unbalanced 1008)"), None);
        assert_eq!(code_in_message(""), None);
        assert_eq!(code_in_message("(request id: abc)"), None);
        assert_eq!(code_in_message("é (١٠٠٨)"), None);
    }
}
