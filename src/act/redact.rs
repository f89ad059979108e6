//! Redaction: removes keys, tokens, credentials in URLs, e-mail addresses, IP
//! addresses, internal host names and money amounts from upstream text, by the rules
//! of `data/redaction.tsv`, in one pass.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::decide::tables::REDACTIONS;

/// One row of `data/redaction.tsv`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedactRule {
    /// A stable id.
    pub rule: &'static str,
    /// How the rule finds its secret.
    pub kind: RedactKind,
    /// The literal it looks for (empty for e-mail and IP rules).
    pub anchor: &'static str,
    /// What stands in place of the secret.
    pub replace: &'static str,
    /// A text containing a secret the rule removes.
    pub example: &'static str,
    /// The part of `example` that must not survive.
    pub secret: &'static str,
}

/// How a [`RedactRule`] finds its secret (see `data/redaction.tsv`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactKind {
    /// A token starting with the anchor (a key prefix such as `sk-`).
    Prefix,
    /// The value after the anchor (`Bearer `, `key=`, `balance:`).
    After,
    /// The text between the anchor and the next `)` (`key(a1b2c3)`).
    Enclosed,
    /// The number after a currency sign or a word such as `balance:`.
    Amount,
    /// An e-mail address.
    Email,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A host name ending in the anchor (an internal domain).
    Host,
}

/// Every redaction rule, in file order.
pub fn redaction_rules() -> &'static [RedactRule] {
    &REDACTIONS
}

/// How much upstream text [`redact`] reads; the rest is cut off (and marked so), so
/// that redacting hostile text is bounded work.
pub const REDACT_LIMIT: usize = 2048;

/// Characters a key or token is made of.
fn key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')
}

/// Characters that end a value after an anchor, or a token.
fn delimiter(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'&' | b'"'
                | b'\''
                | b','
                | b';'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'{'
                | b'}'
        )
}

fn anchors() -> Option<&'static (AhoCorasick, Vec<usize>)> {
    static AC: OnceLock<Option<(AhoCorasick, Vec<usize>)>> = OnceLock::new();
    AC.get_or_init(|| {
        let idx: Vec<usize> = (0..REDACTIONS.len())
            .filter(|&i| !REDACTIONS[i].anchor.is_empty())
            .collect();
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(idx.iter().map(|&i| REDACTIONS[i].anchor))
            .ok()
            .map(|ac| (ac, idx))
    })
    .as_ref()
}

/// Removes secrets from `text` by the rules of `data/redaction.tsv`. Reads at most
/// [`REDACT_LIMIT`] bytes; longer text is cut there and ends in `…`.
///
/// ```
/// let s = errnorm::redact("Incorrect API key provided: sk-abcdefghijklmnop1234 from 10.0.3.17");
/// assert_eq!(s, "Incorrect API key provided: [redacted:key] from [ip]");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    let t = crate::decide::tables::head(text, REDACT_LIMIT);
    let cut = t.len() < text.len();
    let b = t.as_bytes();
    // (start, end, replacement), in order, not overlapping.
    let mut spans: Vec<(usize, usize, &'static str)> = Vec::new();
    if let Some((ac, idx)) = anchors() {
        for m in ac.find_iter(t) {
            let Some(rule) = idx
                .get(m.pattern().as_usize())
                .and_then(|&i| REDACTIONS.get(i))
            else {
                continue;
            };
            if spans.last().is_some_and(|s| s.1 > m.start()) {
                continue;
            }
            if let Some((s, e)) = anchored_span(b, m.start(), m.end(), rule) {
                spans.push((s, e, rule.replace));
            }
        }
    }
    token_spans(b, &mut spans);
    if spans.is_empty() && !cut {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable_by_key(|s| s.0);
    let mut out = String::with_capacity(t.len() + 16);
    let mut at = 0;
    for (s, e, r) in spans {
        if s < at {
            continue;
        }
        out.push_str(t.get(at..s).unwrap_or_default());
        out.push_str(r);
        at = e;
    }
    out.push_str(t.get(at..).unwrap_or_default());
    if cut {
        out.push('…');
    }
    Cow::Owned(out)
}

/// The span an anchored rule removes, given where its anchor matched.
fn anchored_span(b: &[u8], start: usize, end: usize, rule: &RedactRule) -> Option<(usize, usize)> {
    match rule.kind {
        RedactKind::Prefix => {
            // Case as written, at a token boundary.
            if b.get(start..end)? != rule.anchor.as_bytes() {
                return None;
            }
            if start > 0 && b.get(start - 1).is_some_and(|&c| key_char(c)) {
                return None;
            }
            let mut e = end + b.get(end..)?.iter().take_while(|&&c| key_char(c)).count();
            while e > end && b.get(e - 1) == Some(&b'.') {
                e -= 1;
            }
            (e - end >= 8).then_some((start, e))
        }
        RedactKind::After | RedactKind::Amount => {
            let s = end + b.get(end..)?.iter().take_while(|&&c| c == b' ').count();
            let value = |c: u8| {
                if rule.kind == RedactKind::Amount {
                    c.is_ascii_digit() || c == b'.' || c == b','
                } else {
                    !delimiter(c)
                }
            };
            let mut e = s + b.get(s..)?.iter().take_while(|&&c| value(c)).count();
            // A sentence's full stop or comma is not part of the value.
            while e > s && matches!(b.get(e - 1), Some(b'.' | b',')) {
                e -= 1;
            }
            let ok = e > s
                && (rule.kind != RedactKind::Amount || b.get(s..e)?.iter().any(u8::is_ascii_digit));
            ok.then_some((s, e))
        }
        RedactKind::Enclosed => {
            let close = b.get(end..)?.iter().take(128).position(|&c| c == b')')?;
            (close > 0).then_some((start, end + close + 1))
        }
        RedactKind::Email | RedactKind::Ipv4 | RedactKind::Ipv6 | RedactKind::Host => None,
    }
}

/// The token rules: e-mail, IP and internal host names, on tokens outside `spans`.
fn token_spans(b: &[u8], spans: &mut Vec<(usize, usize, &'static str)>) {
    let taken: Vec<(usize, usize)> = spans.iter().map(|s| (s.0, s.1)).collect();
    let mut i = 0;
    while i < b.len() {
        if b.get(i).is_some_and(|&c| delimiter(c)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !b.get(i).is_some_and(|&c| delimiter(c)) {
            i += 1;
        }
        if taken.iter().any(|&(s, e)| s < i && start < e) {
            continue;
        }
        if let Some((s, e, r)) = classify_token(b, start, i) {
            spans.push((s, e, r));
        }
    }
}

/// Which token rule a token falls under, and the part of it to replace.
fn classify_token(b: &[u8], start: usize, end: usize) -> Option<(usize, usize, &'static str)> {
    let tok = b.get(start..end)?;
    // Trailing sentence punctuation is not part of an address.
    let trimmed = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|&&c| matches!(c, b'.' | b':' | b'!' | b'?'))
            .count();
    let tok = tok.get(..trimmed)?;
    let end = start + trimmed;
    let rule = |k: RedactKind| REDACTIONS.iter().find(|r| r.kind == k);
    if is_email(tok) {
        return rule(RedactKind::Email).map(|r| (start, end, r.replace));
    }
    if is_ipv6(tok) {
        return rule(RedactKind::Ipv6).map(|r| (start, end, r.replace));
    }
    // host[:port] and a.b.c.d[:port]: the port stays.
    let host_end = tok.iter().position(|&c| c == b':').unwrap_or(tok.len());
    let host = tok.get(..host_end)?;
    if is_ipv4(host) {
        return rule(RedactKind::Ipv4).map(|r| (start, start + host_end, r.replace));
    }
    REDACTIONS
        .iter()
        .filter(|r| r.kind == RedactKind::Host)
        .find(|r| {
            let a = r.anchor.as_bytes();
            host.len() > a.len()
                && host
                    .get(host.len() - a.len()..)
                    .is_some_and(|s| s.eq_ignore_ascii_case(a))
        })
        .map(|r| (start, start + host_end, r.replace))
}

fn is_email(t: &[u8]) -> bool {
    let Some(at) = t.iter().position(|&c| c == b'@') else {
        return false;
    };
    let (local, domain) = (&t[..at], &t[at + 1..]);
    !local.is_empty()
        && local.iter().all(|&c| key_char(c) || c == b'+')
        && domain.contains(&b'.')
        && !domain.starts_with(b".")
        && !domain.ends_with(b".")
        && domain
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
}

fn is_ipv4(t: &[u8]) -> bool {
    let mut parts = 0;
    for p in t.split(|&c| c == b'.') {
        parts += 1;
        if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let n = p.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        if n > 255 {
            return false;
        }
    }
    parts == 4
}

/// Hex groups and colons, with `::` or all eight groups: so that a time of day
/// (`12:30:45`) is not taken for an address.
fn is_ipv6(t: &[u8]) -> bool {
    let colons = t.iter().filter(|&&c| c == b':').count();
    let compressed = t.windows(2).any(|w| w == b"::");
    (compressed && colons >= 2 || colons == 7)
        && t.iter().any(u8::is_ascii_hexdigit)
        && t.iter().all(|&c| c.is_ascii_hexdigit() || c == b':')
        && t.split(|&c| c == b':').all(|g| g.len() <= 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_secrets_is_borrowed_unchanged() {
        let t = "Rate limit reached for gpt-4o, please slow down at 12:30:45 (request id: 2024)";
        assert!(matches!(redact(t), Cow::Borrowed(s) if s == t));
    }

    #[test]
    fn long_text_is_cut_at_the_limit() {
        let t = "a".repeat(REDACT_LIMIT + 10);
        let r = redact(&t);
        assert!(r.ends_with('…'));
        assert_eq!(r.chars().count(), REDACT_LIMIT + 1);
    }

    #[test]
    fn short_or_embedded_prefixes_are_not_keys() {
        assert_eq!(redact("task-1234 failed"), "task-1234 failed");
        assert_eq!(redact("use sk-short"), "use sk-short");
        assert_eq!(
            redact("risk-assessment-document-v2"),
            "risk-assessment-document-v2"
        );
    }

    #[test]
    fn ports_stay_and_times_are_not_addresses() {
        assert_eq!(redact("10.0.0.1:8080"), "[ip]:8080");
        assert_eq!(redact("at 12:30:45 today"), "at 12:30:45 today");
        assert_eq!(redact("version 1.2.3"), "version 1.2.3");
        assert_eq!(redact("999.1.1.1"), "999.1.1.1");
    }
}
