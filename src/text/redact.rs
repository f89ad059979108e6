//! Redaction: removes keys, tokens, credentials (in headers, fields, query strings and
//! URL user-info), e-mail addresses, IP addresses, internal host names and money
//! amounts from upstream text, by the rules of `data/redaction.tsv`.
//!
//! The text is read as gateways write it: English or Chinese, with URLs, JSON inside
//! messages and full-width punctuation. Every non-ASCII character (CJK text, `：`,
//! `，`, `（`, the ideographic space) ends a token, so `用户alice@corp.example.com已被封禁`
//! loses its address and `来自IP：203.0.113.7` its IP. The scanners:
//!
//! - the anchored rules (`prefix`, `awskey`, `after`, `field`, `enclosed`, `amount`,
//!   `unit`, `host`), all found by one Aho-Corasick automaton over the text;
//! - the character scanners (`email`, `ipv4`, `ipv6`, `userinfo`, `hex32`), each one
//!   pass over the bytes.
//!
//! Every scanner reports spans; overlapping spans are joined and each is replaced once.
//! Work is linear in the text read, which is at most [`REDACT_LIMIT`] bytes plus a
//! look-ahead, so that a secret cut in two by the limit is still recognised and removed
//! whole.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};

/// The generated `REDACTIONS` (`data/redaction.tsv`).
mod generated {
    use crate::text::redact::{RedactKind, RedactRule};
    include!(concat!(env!("OUT_DIR"), "/redact.rs"));
}
use generated::REDACTIONS;

/// One row of `data/redaction.tsv`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedactRule {
    /// A stable id.
    pub rule: &'static str,
    /// How the rule finds its secret.
    pub kind: RedactKind,
    /// The literal it looks for (empty for the e-mail, IP, user-info and hex rules).
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
    /// The value after the anchor (`Bearer `, `key=`).
    After,
    /// The text between the anchor and the next `)` (`key(a1b2c3)`, `key (a1b2c3)`).
    Enclosed,
    /// The number after a currency sign or a word such as `balance` or `余额`.
    Amount,
    /// An e-mail address.
    Email,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A host name ending in the anchor (an internal domain).
    Host,
    /// The value of a field named by the anchor, in any of the forms `name=value`,
    /// `name: value`, `"name":"value"`, `name：value` (`api_key`, `x-api-key`, `GroupId`).
    Field,
    /// The number before a currency word (`12.50元`, `5 USD`).
    Unit,
    /// A token of the anchor and exactly 16 capital letters and digits (AWS key ids).
    AwsKey,
    /// The user-info of a URL (`https://user:pass@host`).
    Userinfo,
    /// A token of exactly 32 hex digits, with letters and digits (Azure keys).
    Hex32,
}

/// Every redaction rule, in file order.
pub fn redaction_rules() -> &'static [RedactRule] {
    &REDACTIONS
}

/// How much upstream text [`redact`] returns; the rest is cut off (and marked so), so
/// that redacting hostile text is bounded work. Up to 1 KiB more is read
/// so that a secret the cut would split is recognised and removed whole.
pub const REDACT_LIMIT: usize = 2048;

/// How far past [`REDACT_LIMIT`] redaction reads to see the whole of a secret the cut
/// would split.
const LOOKAHEAD: usize = 1024;

/// The most bytes [`redact`] returns: replacements can be longer than what they replace
/// (`$1` becomes `$[amount]`), so a text of nothing but amounts grows; past this length
/// the result is cut, between spans, and ends in `…`.
const OUTPUT_LIMIT: usize = 4 * REDACT_LIMIT;

/// A part of the text to replace: start, end, replacement.
type Span = (usize, usize, &'static str);

/// Characters a key or token is made of.
fn key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')
}

/// Bytes that end a value or a token: ASCII white space, controls and punctuation that
/// keys do not contain, and every byte of a non-ASCII character (CJK text, full-width
/// punctuation and spaces).
fn delimiter(c: u8) -> bool {
    !c.is_ascii()
        || c.is_ascii_whitespace()
        || c.is_ascii_control()
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
                | b'|'
                | b'\\'
                | b'`'
        )
}

/// Builds the redaction matcher now rather than on first use.
pub(crate) fn prepare() {
    let _ = anchors();
}

fn anchors() -> Option<&'static (AhoCorasick, Vec<usize>)> {
    static AC: OnceLock<Option<(AhoCorasick, Vec<usize>)>> = OnceLock::new();
    AC.get_or_init(|| {
        let idx: Vec<usize> = (0..REDACTIONS.len())
            .filter(|&i| REDACTIONS.get(i).is_some_and(|r| !r.anchor.is_empty()))
            .collect();
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(
                idx.iter()
                    .filter_map(|&i| REDACTIONS.get(i))
                    .map(|r| r.anchor),
            )
            .ok()
            .map(|ac| (ac, idx))
    })
    .as_ref()
}

/// The replacement of the first rule of a kind, if the table has one.
fn replacement(kind: RedactKind) -> Option<&'static str> {
    REDACTIONS
        .iter()
        .find(|r| r.kind == kind)
        .map(|r| r.replace)
}

/// Removes secrets from `text` by the rules of `data/redaction.tsv`. Returns at most
/// [`REDACT_LIMIT`] bytes of the text; longer text is cut there and ends in `…`. A
/// secret across the cut is replaced whole, and a token the cut would split is dropped.
///
/// ```
/// let s = errnorm::redact::redact("Incorrect API key provided: sk-abcdefghijklmnop1234 from 10.0.3.17");
/// assert_eq!(s, "Incorrect API key provided: [redacted:key] from [ip]");
/// let s = errnorm::redact::redact("用户alice@corp.example.com已被封禁，剩余额度：＄0.002000");
/// assert_eq!(s, "用户[email]已被封禁，剩余额度：＄[amount]");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    let known = deny(text);
    match super::allow::sanitize(&known) {
        Cow::Borrowed(_) => known,
        // Markers can be longer than what they replace: the output stays bounded.
        Cow::Owned(s) if s.len() > OUTPUT_LIMIT => {
            let mut s = crate::text::head(&s, OUTPUT_LIMIT).to_string();
            s.push('…');
            Cow::Owned(s)
        }
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// The rules of `data/redaction.tsv`: the secrets whose formats are known.
fn deny(text: &str) -> Cow<'_, str> {
    let w = crate::text::head(text, REDACT_LIMIT + LOOKAHEAD);
    let cut = crate::text::head(text, REDACT_LIMIT).len();
    let is_cut = cut < text.len();
    let b = w.as_bytes();
    let mut spans: Vec<Span> = Vec::new();
    anchored_spans(w, &mut spans);
    let ats = userinfo_spans(b, &mut spans);
    email_spans(b, &ats, &mut spans);
    ipv4_spans(b, &mut spans);
    ipv6_spans(b, &mut spans);
    hex32_spans(b, &mut spans);
    if spans.is_empty() && !is_cut {
        return Cow::Borrowed(text);
    }
    let spans = joined(spans);
    let end = if is_cut {
        end_at_cut(b, cut, &spans)
    } else {
        w.len()
    };
    let mut out = String::with_capacity(end.min(OUTPUT_LIMIT) + 16);
    let mut at = 0;
    let mut full = false;
    for &(s, e, r) in &spans {
        if s >= end {
            break;
        }
        if !push_limited(&mut out, w.get(at..s).unwrap_or_default()) || !push_limited(&mut out, r) {
            full = true;
            break;
        }
        at = e;
    }
    if !full && at < end {
        full = !push_limited(&mut out, w.get(at..end).unwrap_or_default());
    }
    if is_cut || full {
        out.push('…');
    }
    Cow::Owned(out)
}

/// Appends `s` if the result stays within [`OUTPUT_LIMIT`]; otherwise appends as much
/// of `s` as fits (if `s` is text, not a replacement) and returns false.
fn push_limited(out: &mut String, s: &str) -> bool {
    if out.len() + s.len() <= OUTPUT_LIMIT {
        out.push_str(s);
        return true;
    }
    if !s.starts_with('[') {
        out.push_str(crate::text::head(s, OUTPUT_LIMIT.saturating_sub(out.len())));
    }
    false
}

/// Sorted spans with the overlapping ones joined: the replacement is the one of the
/// span that starts first, then of the longest, then the longest replacement (the more
/// specific `[redacted:key]` over `[redacted]`).
fn joined(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.len().cmp(&a.2.len()))
            .then(a.2.cmp(b.2))
    });
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for sp in spans {
        match out.last_mut() {
            Some(last) if sp.0 < last.1 => last.1 = last.1.max(sp.1),
            _ => out.push(sp),
        }
    }
    out
}

/// Where the output of a cut text ends: past the cut if a span covers it (its
/// replacement stands for the whole secret), else before the token the cut splits.
fn end_at_cut(b: &[u8], cut: usize, spans: &[Span]) -> usize {
    if let Some(&(_, e, _)) = spans.iter().find(|&&(s, e, _)| s < cut && cut < e) {
        return e;
    }
    let split = |i: usize| b.get(i).is_some_and(|&c| !delimiter(c));
    let mut end = cut;
    if end > 0 && split(end - 1) && split(end) {
        while end > 0 && split(end - 1) {
            end -= 1;
        }
    }
    end
}

/// For every position, where the value starting there ends (the next delimiter).
fn value_ends(b: &[u8]) -> Vec<usize> {
    let mut ends = vec![b.len(); b.len() + 1];
    for i in (0..b.len()).rev() {
        let next = ends.get(i + 1).copied().unwrap_or(b.len());
        if let Some(slot) = ends.get_mut(i) {
            *slot = if b.get(i).is_some_and(|&c| delimiter(c)) {
                i
            } else {
                next
            };
        }
    }
    ends
}

/// The anchored rules, one Aho-Corasick pass (overlapping matches, so that `余额` in
/// `剩余额度` does not hide `额度`).
fn anchored_spans(t: &str, spans: &mut Vec<Span>) {
    let Some((ac, idx)) = anchors() else {
        return;
    };
    let Ok(matches) = ac.try_find_overlapping_iter(Input::new(t)) else {
        return;
    };
    let b = t.as_bytes();
    let mut ends: Option<Vec<usize>> = None;
    for m in matches {
        let Some(rule) = idx
            .get(m.pattern().as_usize())
            .and_then(|&i| REDACTIONS.get(i))
        else {
            continue;
        };
        let (start, end) = (m.start(), m.end());
        // A word anchor (`balance`, `api_key`) starts a word.
        if rule
            .anchor
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && start > 0
            && b.get(start - 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            continue;
        }
        let span = match rule.kind {
            RedactKind::Prefix => prefix_span(b, start, end, rule.anchor),
            RedactKind::AwsKey => aws_span(b, start, end, rule.anchor),
            RedactKind::After | RedactKind::Field => {
                let ends = ends.get_or_insert_with(|| value_ends(b));
                value_span(b, ends, end, rule)
            }
            RedactKind::Enclosed => enclosed_span(b, start, end),
            RedactKind::Amount => amount_span(t, start, end, rule.anchor),
            RedactKind::Unit => unit_span(b, start, end, rule.anchor),
            RedactKind::Host => host_span(b, start, end),
            RedactKind::Email
            | RedactKind::Ipv4
            | RedactKind::Ipv6
            | RedactKind::Userinfo
            | RedactKind::Hex32 => None,
        };
        if let Some((s, e)) = span {
            spans.push((s, e, rule.replace));
        }
    }
}

/// A token that starts with `anchor` (case as written) at a token boundary, with at
/// least 8 more key characters that are not a lower-case identifier (`hf_hub_offline`).
fn prefix_span(b: &[u8], start: usize, end: usize, anchor: &str) -> Option<(usize, usize)> {
    if b.get(start..end)? != anchor.as_bytes() {
        return None;
    }
    if start > 0 && b.get(start - 1).is_some_and(|&c| key_char(c)) {
        return None;
    }
    let mut e = end + b.get(end..)?.iter().take_while(|&&c| key_char(c)).count();
    while e > end && b.get(e - 1) == Some(&b'.') {
        e -= 1;
    }
    let body = b.get(end..e)?;
    let identifier = body
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c == b'_' || c == b'-')
        && body.iter().any(|&c| c == b'_' || c == b'-');
    (body.len() >= 8 && !identifier).then_some((start, e))
}

/// `AKIA`/`ASIA` and exactly 16 capital letters and digits, as a whole token.
fn aws_span(b: &[u8], start: usize, end: usize, anchor: &str) -> Option<(usize, usize)> {
    if b.get(start..end)? != anchor.as_bytes() {
        return None;
    }
    if start > 0 && b.get(start - 1).is_some_and(|&c| key_char(c)) {
        return None;
    }
    let n = b
        .get(end..)?
        .iter()
        .take_while(|&&c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .count();
    let next_ok = !b
        .get(end + n)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    (n == 16 && next_ok).then_some((start, end + n))
}

/// Skips spaces and tabs from `i`; returns the new position.
fn skip_blank(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| c == b' ' || c == b'\t') {
        i += 1;
    }
    i
}

/// Skips quotes and backslashes (`"`, `'`, `\"`, `「`, `」`, `“`, `”`) from `i`, at
/// most three.
fn skip_quotes(b: &[u8], mut i: usize) -> usize {
    const WIDE: [&str; 6] = ["「", "」", "『", "』", "“", "”"];
    for _ in 0..3 {
        if b.get(i).is_some_and(|&c| matches!(c, b'"' | b'\'' | b'\\')) {
            i += 1;
        } else if let Some(q) = WIDE
            .iter()
            .find(|q| b.get(i..i + q.len()) == Some(q.as_bytes()))
        {
            i += q.len();
        } else {
            break;
        }
    }
    i
}

/// A word that is likely English, not a token: letters only, lower case or
/// capitalised, at most 24 of them (`Bearer token`, `Basic auth`).
fn plain_word(v: &[u8]) -> bool {
    v.len() <= 24
        && v.iter().all(u8::is_ascii_alphabetic)
        && v.iter().skip(1).all(u8::is_ascii_lowercase)
}

/// The value of an `after` or `field` rule whose anchor ends at `end`.
fn value_span(b: &[u8], ends: &[usize], end: usize, rule: &RedactRule) -> Option<(usize, usize)> {
    let word = rule
        .anchor
        .as_bytes()
        .last()
        .is_some_and(u8::is_ascii_alphabetic);
    let s = match rule.kind {
        RedactKind::Field => {
            let mut p = skip_blank(b, skip_quotes(b, end));
            if b.get(p).is_some_and(|&c| c == b'=' || c == b':') {
                p += 1;
            } else if b
                .get(p..p + 3)
                .is_some_and(|s| s == "：".as_bytes() || s == "＝".as_bytes())
            {
                p += 3;
            } else {
                return None;
            }
            skip_quotes(b, skip_blank(b, skip_quotes(b, skip_blank(b, p))))
        }
        _ => {
            let s = skip_blank(b, end);
            // `Bearer` and `Basic` are followed by white space.
            if word && s == end {
                return None;
            }
            s
        }
    };
    let mut e = ends.get(s).copied().unwrap_or(s).max(s);
    // A sentence's full stop or comma is not part of the value.
    let mut trimmed = 0;
    while e > s && trimmed < 8 && matches!(b.get(e - 1), Some(b'.' | b',' | b':')) {
        e -= 1;
        trimmed += 1;
    }
    let v = b.get(s..e)?;
    if v.is_empty() || (rule.kind == RedactKind::After && word && plain_word(v)) {
        return None;
    }
    Some((s, e))
}

/// `key(a1b2c3)`, `key (a1b2c3)`, `key（a1b2c3）`: from the anchor to the closing
/// parenthesis, if what is between them is one token of at most 128 bytes.
fn enclosed_span(b: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let mut p = skip_blank(b, end);
    if b.get(p) == Some(&b'(') {
        p += 1;
    } else if b.get(p..p + 3) == Some("（".as_bytes()) {
        p += 3;
    } else {
        return None;
    }
    let open = p;
    // A model name in parentheses (`API key (embed-english-v3.0)`) is not a key suffix.
    let public = |close: usize| {
        b.get(open..close)
            .and_then(|t| std::str::from_utf8(t).ok())
            .is_some_and(super::allow::looks_public)
    };
    while p < b.len() && p - open <= 128 {
        if b.get(p) == Some(&b')') {
            return (p > open && !public(p)).then_some((start, p + 1));
        }
        if b.get(p..p + 3) == Some("）".as_bytes()) {
            return (p > open).then_some((start, p + 3));
        }
        if b.get(p).is_some_and(|&c| c.is_ascii_whitespace()) {
            return None;
        }
        p += 1;
    }
    None
}

/// Characters between an amount's anchor and its number: white space, `:`, `=`,
/// quotes, currency signs, and their full-width and Chinese forms (`：`, `为`, `是`).
fn bridge_char(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | ':'
            | '='
            | '"'
            | '\''
            | '$'
            | '\u{3000}'
            | '：'
            | '＝'
            | '为'
            | '是'
            | '＄'
            | '¥'
            | '￥'
            | '€'
            | '£'
    )
}

/// The number after an amount's anchor: an optional sign, then digits (ASCII or
/// full-width) with `.` and `,`. After an English word (`balance`, `quota`) the number
/// must follow a `:`, `=` or currency sign, and the word must not end an identifier
/// (`insufficient_user_quota 1008` is an error code).
fn amount_span(t: &str, start: usize, end: usize, anchor: &str) -> Option<(usize, usize)> {
    let b = t.as_bytes();
    let word = anchor
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic);
    if word && start > 0 && matches!(b.get(start - 1), Some(b'_' | b'-' | b'.')) {
        return None;
    }
    let rest = t.get(end..)?;
    let mut s = end;
    let mut marked = false;
    for c in rest.chars() {
        if s - end > 16 || !bridge_char(c) {
            break;
        }
        marked |= !c.is_whitespace();
        s += c.len_utf8();
    }
    if word && !marked {
        return None;
    }
    let mut e = s;
    let mut digits = false;
    for (i, c) in t.get(s..)?.chars().enumerate() {
        let digit = c.is_ascii_digit() || ('０'..='９').contains(&c);
        let sign = i == 0 && matches!(c, '-' | '+' | '−');
        if e - s > 64 || !(digit || sign || matches!(c, '.' | ',' | '．')) {
            break;
        }
        digits |= digit;
        e += c.len_utf8();
    }
    while e > s && matches!(b.get(e - 1), Some(b'.' | b',')) {
        e -= 1;
    }
    digits.then_some((s, e))
}

/// The number before a currency word (`12.50元`, `3 USD`).
fn unit_span(b: &[u8], start: usize, end: usize, anchor: &str) -> Option<(usize, usize)> {
    if anchor
        .as_bytes()
        .last()
        .is_some_and(u8::is_ascii_alphabetic)
        && b.get(end).is_some_and(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    let mut e = start;
    let mut n = 0;
    while e > 0 && n < 2 && b.get(e - 1) == Some(&b' ') {
        e -= 1;
        n += 1;
    }
    let mut s = e;
    while s > 0
        && e - s < 64
        && b.get(s - 1)
            .is_some_and(|&c| c.is_ascii_digit() || c == b'.' || c == b',')
    {
        s -= 1;
    }
    if s > 0 && b.get(s - 1) == Some(&b'-') {
        s -= 1;
    }
    let before_ok = s == 0
        || !b
            .get(s - 1)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.');
    let digits = b.get(s..e)?.iter().any(u8::is_ascii_digit);
    (digits && before_ok).then_some((s, e))
}

/// Characters of a host name.
fn host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'.'
}

/// A host name with the anchor (`.internal`) as its last label or before a dot: the
/// labels before it, up to 253 bytes, and the anchor.
fn host_span(b: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    // `.internalx` is not the anchor; `.internal.` is, whatever follows the dot (the
    // end of a sentence, or more labels of a name that is internal all the same).
    if b.get(end)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return None;
    }
    let mut s = start;
    while s > 0 && start - s < 253 && b.get(s - 1).is_some_and(|&c| host_char(c)) {
        s -= 1;
    }
    while s < start && matches!(b.get(s), Some(b'.' | b'-')) {
        s += 1;
    }
    (s < start).then_some((s, end))
}

/// The user-info of every URL (`scheme://user:pass@host`); returns the positions of
/// their `@`, which the e-mail scanner leaves alone.
fn userinfo_spans(b: &[u8], spans: &mut Vec<Span>) -> Vec<usize> {
    let mut ats = Vec::new();
    let Some(r) = replacement(RedactKind::Userinfo) else {
        return ats;
    };
    for pos in memchr::memmem::find_iter(b, b"://") {
        let p = pos + 3;
        let len = b
            .get(p..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| !delimiter(c) && !matches!(c, b'/' | b'?' | b'#'))
            .count();
        let authority = b.get(p..p + len).unwrap_or_default();
        if let Some(at) = authority.iter().rposition(|&c| c == b'@') {
            if at > 0 {
                spans.push((p, p + at, r));
                ats.push(p + at);
            }
        }
    }
    ats
}

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// E-mail addresses, found from their `@`.
fn email_spans(b: &[u8], skip: &[usize], spans: &mut Vec<Span>) {
    let Some(r) = replacement(RedactKind::Email) else {
        return;
    };
    for at in memchr::memchr_iter(b'@', b) {
        if skip.contains(&at) {
            continue;
        }
        let mut s = at;
        while s > 0 && at - s < 64 && b.get(s - 1).is_some_and(|&c| local_char(c)) {
            s -= 1;
        }
        while s < at && b.get(s) == Some(&b'.') {
            s += 1;
        }
        let mut e = at + 1;
        while b.get(e).is_some_and(|&c| host_char(c)) {
            e += 1;
        }
        while e > at + 1 && matches!(b.get(e - 1), Some(b'.' | b'-')) {
            e -= 1;
        }
        let domain = b.get(at + 1..e).unwrap_or_default();
        // `a@corp.com.5`: a last label that is no top-level domain is not part of it.
        let last_dot = domain.iter().rposition(|&c| c == b'.').unwrap_or(0);
        for d in [domain, domain.get(..last_dot).unwrap_or_default()] {
            if s < at && is_domain(d) {
                spans.push((s, at + 1 + d.len(), r));
                break;
            }
        }
    }
}

/// Labels separated by single dots, at least two, the last of letters only.
fn is_domain(d: &[u8]) -> bool {
    let tld = d.rsplit(|&c| c == b'.').next().unwrap_or_default();
    d.contains(&b'.')
        && !d.starts_with(b".")
        && !d.starts_with(b"-")
        && !d.windows(2).any(|w| w == b"..")
        && !tld.is_empty()
        && tld.iter().all(u8::is_ascii_alphabetic)
}

/// The maximal runs of bytes in `class`, as (start, end).
fn runs<F>(b: &[u8], class: F) -> impl Iterator<Item = (usize, usize)> + '_
where
    F: Fn(u8) -> bool + 'static,
{
    let mut i = 0;
    std::iter::from_fn(move || {
        while b.get(i).is_some_and(|&c| !class(c)) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let s = i;
        while b.get(i).is_some_and(|&c| class(c)) {
            i += 1;
        }
        Some((s, i))
    })
}

/// Whether the bytes around a run let it stand alone (no letter or digit touching it;
/// `ip_10.1.1.1` is an address).
fn apart(b: &[u8], s: usize, e: usize) -> bool {
    let word = |c: &u8| c.is_ascii_alphanumeric();
    let before = s > 0 && b.get(s - 1).is_some_and(word);
    !before && !b.get(e).is_some_and(word)
}

/// IPv4 addresses: four dot-separated numbers of 0-255, anywhere a run of digits and
/// dots stands apart (`host=10.1.2.3`, `10.0.3.17/32`, `IP：203.0.113.7`).
fn ipv4_spans(b: &[u8], spans: &mut Vec<Span>) {
    let Some(r) = replacement(RedactKind::Ipv4) else {
        return;
    };
    for (s0, e0) in runs(b, |c| c.is_ascii_digit() || c == b'.') {
        let (mut s, mut e) = (s0, e0);
        while s < e && b.get(s) == Some(&b'.') {
            s += 1;
        }
        while e > s && b.get(e - 1) == Some(&b'.') {
            e -= 1;
        }
        if apart(b, s, e) && is_ipv4(b.get(s..e).unwrap_or_default()) {
            spans.push((s, e, r));
        }
    }
}

/// IPv6 addresses: runs of hex digits and colons that stand apart.
fn ipv6_spans(b: &[u8], spans: &mut Vec<Span>) {
    let Some(r) = replacement(RedactKind::Ipv6) else {
        return;
    };
    for (s, e) in runs(b, |c| c.is_ascii_hexdigit() || c == b':') {
        if !apart(b, s, e) {
            continue;
        }
        let t = b.get(s..e).unwrap_or_default();
        // `fd00::17:` before `connection refused`: the last colon is punctuation.
        let t2 = t.strip_suffix(b":").unwrap_or(t);
        for t in [t, t2] {
            if is_ipv6(t) {
                spans.push((s, s + t.len(), r));
                break;
            }
        }
    }
}

/// Tokens of exactly 32 hex digits with letters and digits (Azure keys), standing
/// apart: not part of `req_…` ids or longer hashes.
fn hex32_spans(b: &[u8], spans: &mut Vec<Span>) {
    let Some(r) = replacement(RedactKind::Hex32) else {
        return;
    };
    for (s, e) in runs(b, |c| c.is_ascii_alphanumeric()) {
        let t = b.get(s..e).unwrap_or_default();
        let joined = (s > 0 && matches!(b.get(s - 1), Some(b'_' | b'-')))
            || matches!(b.get(e), Some(b'_' | b'-'));
        if t.len() == 32
            && !joined
            && t.iter().all(u8::is_ascii_hexdigit)
            && t.iter().any(u8::is_ascii_digit)
            && t.iter().any(u8::is_ascii_alphabetic)
        {
            spans.push((s, e, r));
        }
    }
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

/// Hex groups and colons, with one `::` or all eight groups: so that a time of day
/// (`12:30:45`) or a MAC address is not taken for an address.
fn is_ipv6(t: &[u8]) -> bool {
    let colons = t.iter().filter(|&&c| c == b':').count();
    let compressed = t.windows(2).filter(|w| *w == b"::").count();
    ((compressed == 1 && colons >= 2) || (compressed == 0 && colons == 7))
        && !t.windows(3).any(|w| w == b":::")
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
        let t = "word ".repeat(REDACT_LIMIT);
        let r = redact(&t);
        assert!(r.ends_with('…'));
        assert!(r.len() <= REDACT_LIMIT + '…'.len_utf8());
        assert!(r.len() >= REDACT_LIMIT - 8);
    }

    #[test]
    fn a_token_split_by_the_cut_is_dropped() {
        let t = format!(
            "{}unknownsecretformat0123456789",
            "a ".repeat(REDACT_LIMIT / 2 - 5)
        );
        let r = redact(&t);
        assert!(!r.contains("unknown"), "{r}");
        assert!(r.ends_with(" …"));
    }

    #[test]
    fn short_or_embedded_prefixes_are_not_keys() {
        assert_eq!(redact("task-1234 failed"), "task-1234 failed");
        assert_eq!(redact("use sk-short"), "use sk-short");
        assert_eq!(
            redact("risk-assessment-document-v2"),
            "risk-assessment-document-v2"
        );
        assert_eq!(redact("set hf_hub_offline_mode"), "set hf_hub_offline_mode");
    }

    #[test]
    fn ports_stay_and_times_are_not_addresses() {
        assert_eq!(redact("10.0.0.1:8080"), "[ip]:8080");
        assert_eq!(redact("at 12:30:45 today"), "at 12:30:45 today");
        assert_eq!(redact("version 1.2.3"), "version 1.2.3");
        assert_eq!(redact("999.1.1.1"), "999.1.1.1");
        assert_eq!(redact("mac 00:1a:2b:3c:4d:5e"), "mac 00:1a:2b:3c:4d:5e");
    }

    #[test]
    fn output_is_bounded_when_replacements_grow() {
        let t = "$1 ".repeat(REDACT_LIMIT);
        assert!(redact(&t).len() <= OUTPUT_LIMIT + 3);
    }
}
