//! Redaction of arbitrary text: never panics, and returns at most the documented
//! length (4 × REDACT_LIMIT bytes and `…`), and for text under the limit at most about
//! 5 times its length (the longest replacement of the shortest secret, `$1` →
//! `$[amount]`).

#![no_main]

use libfuzzer_sys::fuzz_target;

/// `redact`'s bound: 4 × REDACT_LIMIT bytes, then `…`.
const MAX_OUT: usize = 4 * errnorm::redact::REDACT_LIMIT + '…'.len_utf8();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = errnorm::redact::redact(&text);
    assert!(out.len() <= MAX_OUT, "{} bytes out", out.len());
    if text.len() <= errnorm::redact::REDACT_LIMIT {
        // Short text is not cut: the output ends as it would without a cut.
        assert!(
            out.len() <= 5 * text.len() + 16,
            "{} -> {} bytes",
            text.len(),
            out.len()
        );
    }
});
