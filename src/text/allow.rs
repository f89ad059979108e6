//! Upstream text by allowlist: after the rules of `data/redaction.tsv` have replaced
//! the secrets they know, every token that is not known to be safe is replaced by a
//! marker that says what kind of thing was removed. A list of bad formats cannot be
//! finished (every provider adds one); a list of good ones can.
//!
//! Decoded first, so that no encoding hides a value: percent-encoding, `\uXXXX`,
//! `\xNN` and `\n` escapes, full-width forms. Then each token is judged:
//!
//! - kept: words of ordinary language in any script (non-ASCII text is kept as it is;
//!   an ASCII word is letters in one of the case shapes of words: `word`, `Word`,
//!   `WORD`, `CamelCaseWords`), short numbers (at most six digits) with their units
//!   (`2.4s`, `120ms`, `4096`), identifier and model-name shapes whose every part is a
//!   word, a number of at most eight digits or a short part of at most four characters
//!   (`gpt-4o-mini`, `claude-3-5-sonnet-20241022`, `invalid_request_error`,
//!   `RateLimitExceeded.EndpointRPMExceeded`), request ids after `request id` or with a
//!   public prefix (`req_`, `chatcmpl-`, `msg_`), the URLs of public documentation
//!   (query and fragment dropped), API paths (`/v1/chat/completions`), the crate's own
//!   markers;
//!
//! The hosts, domains, money words, id prefixes and zones are data: `data/allow.tsv`.
//!
//! - replaced: anything else, as `[email]`, `[ip]`, `[url]`, `[host]`, `[path]`,
//!   `[number]`, `[id]` (a UUID), `[amount]` (a number after a money word or sign) or
//!   `[token]` (keys without prefix, `id.secret` pairs, base64 and hex blobs, mixed
//!   letters and digits).

use std::borrow::Cow;

/// The generated `ALLOW_*` lists (`data/allow.tsv`).
mod generated {
    include!(concat!(env!("OUT_DIR"), "/allow.rs"));
}
use generated::{
    ALLOW_DOMAINS as PUBLIC_DOMAINS, ALLOW_HOSTS as PUBLIC_HOSTS, ALLOW_ID_PREFIXES as PUBLIC_IDS,
    ALLOW_MONEY as MONEY, ALLOW_TLDS as TLDS,
};

/// A public documentation host, or a host of a public model API's domain.
fn public_host(h: &str) -> bool {
    let h = h.split(':').next().unwrap_or(h);
    PUBLIC_HOSTS.contains(&h)
        || PUBLIC_DOMAINS
            .iter()
            .any(|d| h == *d || h.strip_suffix(d).is_some_and(|p| p.ends_with('.')))
}

/// The text decoded, then every token judged (see the module docs).
pub(crate) fn sanitize(text: &str) -> Cow<'_, str> {
    let decoded = decode(text);
    let decoded = match (numbers_and_paths(&decoded), decoded) {
        (Some(s), _) => Cow::Owned(s),
        (None, d) => d,
    };
    let mut out = String::with_capacity(decoded.len());
    let mut prev: [&str; 2] = ["", ""];
    let mut rest = decoded.as_ref();
    let mut changed = !matches!(decoded, Cow::Borrowed(_));
    while let Some(c) = rest.chars().next() {
        if !c.is_ascii() && c.is_alphabetic() {
            // A word of another script: kept, and remembered (`余额` before a number).
            let end = rest
                .find(|c: char| c.is_ascii() || !c.is_alphabetic())
                .unwrap_or(rest.len());
            let (word, after) = rest.split_at(end);
            out.push_str(word);
            prev = [prev[1], word];
            rest = after;
            continue;
        }
        if !is_token_char(c) {
            out.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            continue;
        }
        let end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        // Punctuation that ends a sentence or a label, or leads a name (`@host`,
        // `:port`), stays outside the token.
        let lead_len = token.len() - token.trim_start_matches(['@', ':']).len();
        let (lead, token) = token.split_at(lead_len);
        out.push_str(lead);
        let core = token.trim_end_matches(['.', ':', ',', '=', '-', '/', '?', '&', '#']);
        let tail = token.get(core.len()..).unwrap_or_default();
        // A number right after a currency sign is an amount.
        let currency = out.ends_with(['$', '¥', '€', '£', '＄', '￥', '₩', '₹', '₽']);
        let verdict = if currency && number_like(core) {
            Some("[amount]")
        } else {
            judge(core, prev)
        };
        match verdict {
            None => out.push_str(core),
            Some(marker) => {
                out.push_str(marker);
                changed = true;
            }
        }
        out.push_str(tail);
        if !core.is_empty() {
            prev = [prev[1], core];
        }
        rest = after;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Phone numbers written with spaces, dashes or parentheses (`+1 (415) 867-2391`, `177
/// 6520 3981`) and Windows paths (`C:\Users\x\key.txt`), which the tokens below would
/// see in harmless pieces, replaced first; `None` when there are none.
fn numbers_and_paths(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        let at_start = i == 0 || !b.get(i - 1).is_some_and(u8::is_ascii_alphanumeric);
        // A Windows path: a drive letter, `:\`, then up to white space or a quote.
        if at_start && c.is_ascii_alphabetic() && b.get(i + 1..i + 3) == Some(b":\\") {
            let end = i + b
                .get(i..)
                .unwrap_or_default()
                .iter()
                .position(|&c| c.is_ascii_whitespace() || matches!(c, b'\'' | b'"' | b',' | b';'))
                .unwrap_or(b.len() - i);
            let o = out.get_or_insert_with(String::new);
            o.push_str(text.get(copied..i).unwrap_or_default());
            o.push_str("[path]");
            copied = end;
            i = end;
            continue;
        }
        // A phone number: `+` or a digit, then digits in groups.
        if at_start && (c == b'+' || c == b'(' || c.is_ascii_digit()) {
            let mut j = i;
            let mut digits = 0;
            let mut groups = 0;
            let mut in_group = false;
            while let Some(&d) = b.get(j) {
                if d.is_ascii_digit() {
                    digits += 1;
                    if !in_group {
                        groups += 1;
                        in_group = true;
                    }
                } else if matches!(d, b' ' | b'-' | b'(' | b')' | b'+')
                    && !(d == b' ' && b.get(j + 1) == Some(&b' '))
                {
                    in_group = false;
                } else {
                    break;
                }
                j += 1;
            }
            // Trailing separators belong to the text.
            while j > i && !b.get(j - 1).is_some_and(u8::is_ascii_digit) {
                j -= 1;
            }
            let decimal = b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit);
            let next_ok = !(b.get(j).is_some_and(u8::is_ascii_alphanumeric) || decimal);
            let first_digit = b
                .get(i..j)
                .unwrap_or_default()
                .iter()
                .find(|c| c.is_ascii_digit())
                .copied();
            let phone = next_ok
                && groups >= 2
                && ((c == b'+' && (9..=15).contains(&digits))
                    || (digits == 11 && first_digit == Some(b'1') && c != b'+')
                    || (c == b'(' && (10..=15).contains(&digits)));
            if phone {
                let o = out.get_or_insert_with(String::new);
                o.push_str(text.get(copied..i).unwrap_or_default());
                o.push_str("[phone]");
                copied = j;
                i = j;
                continue;
            }
        }
        i += 1;
        while i < b.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    let mut o = out?;
    o.push_str(text.get(copied..).unwrap_or_default());
    Some(o)
}

/// Whether a token is a public name the allowlist keeps: an identifier or model-name
/// shape with a word of four letters or more in it (`embed-english-v3.0`).
pub(crate) fn looks_public(t: &str) -> bool {
    shape(t)
        && t.split(['-', '_', '.', ':', '/'])
            .any(|p| p.len() >= 4 && word(p))
}

/// ASCII letters, digits and the characters inside identifiers, paths and numbers. A
/// URL's query ends its token (`?`, `&`, `=` and `#` are punctuation here), so that each
/// parameter's value is judged on its own.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@' | '+' | '%' | '~')
}

/// The marker that replaces a token, or `None` to keep it.
fn judge(t: &str, prev: [&str; 2]) -> Option<&'static str> {
    // An approximate number (`~12903`, `~5s`) is judged as the number.
    let t = t
        .strip_prefix('~')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(t);
    if t.is_empty() || duration(t) {
        return None;
    }
    let lower_prev = |i: usize| {
        prev.get(i)
            .map(|p| p.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let after_money = prev
        .iter()
        .any(|p| MONEY.iter().any(|m| p.eq_ignore_ascii_case(m)));
    let after_id = {
        let (a, b) = (lower_prev(0), lower_prev(1));
        b == "request_id"
            || b == "requestid"
            || b == "request-id"
            || b == "x-request-id"
            || b == "trace_id"
            || (b == "id" && (a == "request" || a == "trace"))
    };
    if t.contains("://") {
        return url(t);
    }
    if let Some((local, domain)) = t.split_once('@') {
        if !local.is_empty() && domain.contains('.') {
            return Some("[email]");
        }
    }
    if after_money && t.bytes().any(|b| b.is_ascii_digit()) {
        return number_like(t).then_some("[amount]").or(Some("[token]"));
    }
    if PUBLIC_IDS.iter().any(|p| t.starts_with(p)) || (after_id && t.len() <= 64) {
        return id_chars(t).not_then("[token]");
    }
    if ipv4(t) || ipv6(t) {
        return Some("[ip]");
    }
    if uuid(t) {
        return Some("[id]");
    }
    if t.starts_with('/') || t.starts_with("~/") || t.contains('\\') {
        return path(t);
    }
    if t.starts_with('+') && t.len() > 6 {
        return Some("[number]");
    }
    if let Some(n) = digits_only(t) {
        return (n > 9 && !date(t)).then_some("[number]");
    }
    if host(t) {
        return Some("[host]");
    }
    if shape(t) {
        return None;
    }
    Some("[token]")
}

/// A duration as providers write it: `50.597142857s`, `1m26.4s`, `120ms`.
fn duration(t: &str) -> bool {
    t.len() <= 24
        && t.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && t.bytes()
            .last()
            .is_some_and(|b| matches!(b, b's' | b'm' | b'h'))
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'h' | b'm' | b's' | b'u' | b'n'))
}

/// `Some(marker)` when false, `None` when true.
trait NotThen {
    fn not_then(self, marker: &'static str) -> Option<&'static str>;
}

impl NotThen for bool {
    fn not_then(self, marker: &'static str) -> Option<&'static str> {
        (!self).then_some(marker)
    }
}

fn id_chars(t: &str) -> bool {
    t.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// A number: digits with at most one `.` or `,` group separators.
fn number_like(t: &str) -> bool {
    let t = t.trim_start_matches(['$', '+', '-']);
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b','))
}

/// How many digits a token of digits (and `.`, `,`, `-`) has, if it is only that.
fn digits_only(t: &str) -> Option<usize> {
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-'))
    {
        return None;
    }
    Some(t.bytes().filter(u8::is_ascii_digit).count())
}

fn ipv4(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

/// An IPv6 address: hex groups with a `::`, or eight groups.
fn ipv6(t: &str) -> bool {
    let hexish = t.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    let groups = t.split(':').count();
    hexish && groups >= 3 && (t.contains("::") || groups == 8)
}

/// A date, `2024-11-23`.
fn date(t: &str) -> bool {
    let p: Vec<&str> = t.split('-').collect();
    p.len() == 3
        && p.iter().zip([4, 2, 2]).all(|(x, n)| x.len() == n)
        && p.first()
            .is_some_and(|y| y.starts_with("19") || y.starts_with("20"))
}

fn uuid(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A host name that is not a public one: labels of letters, digits and `-`, the last a
/// top-level domain of letters; a dotted run of plain words only with a known one
/// (`api.acme.corp`, not `config.yaml`).
fn host(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    if public_host(&l) {
        return false;
    }
    let labels: Vec<&str> = l.split('.').collect();
    let label_ok =
        |x: &&str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return false;
    }
    let Some(last) = labels.last() else {
        return false;
    };
    if !(2..=24).contains(&last.len()) || !last.bytes().all(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    if labels
        .iter()
        .all(|x| x.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return TLDS.contains(last);
    }
    true
}

/// A URL: kept (without query and fragment) when its host is public and its path is
/// made of safe parts.
fn url(t: &str) -> Option<&'static str> {
    let (_, rest) = t.split_once("://")?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !public_host(&host.to_ascii_lowercase()) {
        return Some("[url]");
    }
    let ok = path.split('/').filter(|p| !p.is_empty()).all(shape);
    if ok && !t.contains(['?', '#', '@']) {
        None
    } else {
        Some("[url]")
    }
}

/// A path: an API path (`/v1/chat/completions`) is kept, a file path is not.
fn path(t: &str) -> Option<&'static str> {
    const API: [&str; 8] = [
        "v1",
        "v1beta",
        "v2",
        "v3",
        "api",
        "openai",
        "chat",
        "anthropic",
    ];
    let first = t
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let ok = !t.contains('\\')
        && API.contains(&first)
        && t.split('/').filter(|p| !p.is_empty()).all(shape);
    (!ok).then_some("[path]")
}

/// A word: letters in a case shape of words.
fn word(t: &str) -> bool {
    let b = t.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let upper = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    let first_upper = b.first().is_some_and(u8::is_ascii_uppercase);
    if upper == 0 {
        return b.len() <= 24;
    }
    if upper == b.len() {
        return b.len() <= 24;
    }
    if upper == 1 && first_upper {
        return b.len() <= 24;
    }
    // CamelCase: split where a word starts (`RateLimit`, `RPMExceeded` before `E`);
    // each part is a capital and at least two lower-case letters, an acronym of up to
    // four capitals, or (first) two lower-case letters or more.
    if b.len() > 48 {
        return false;
    }
    let mut start = 0;
    for i in 1..=b.len() {
        let boundary = match (b.get(i - 1), b.get(i)) {
            (Some(p), Some(c)) => {
                let next_lower = b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                c.is_ascii_uppercase() && (p.is_ascii_lowercase() || next_lower)
            }
            _ => true,
        };
        if boundary {
            let part = b.get(start..i).unwrap_or_default();
            let lower = part.iter().filter(|c| c.is_ascii_lowercase()).count();
            let ok = match part.first() {
                // A two-letter part (`Id`) only last, after a longer one (`requestId`).
                Some(f) if f.is_ascii_uppercase() => {
                    (lower + 1 == part.len()
                        && (lower >= 2 || (part.len() == 2 && i == b.len() && start >= 3)))
                        || (lower == 0 && part.len() <= 6)
                }
                Some(_) => start == 0 && lower == part.len() && lower >= 2,
                None => false,
            };
            if !ok {
                return false;
            }
            start = i;
        }
    }
    true
}

/// An identifier or model-name shape: parts separated by `-`, `_`, `.`, `:`, `/`, each
/// a word, a number of at most eight digits, or a short part of at most four
/// characters.
fn shape(t: &str) -> bool {
    if t.len() > 96 {
        return false;
    }
    let parts: Vec<&str> = t.split(['-', '_', '.', ':', '/', '+']).collect();
    if parts.len() > 12 {
        return false;
    }
    parts.iter().all(|p| {
        p.is_empty()
            || !p.bytes().any(|b| b.is_ascii_alphanumeric())
            || word(p)
            || (p.len() <= 8 && p.bytes().all(|b| b.is_ascii_digit()))
            || (p.len() <= 5 && p.bytes().all(|b| b.is_ascii_alphanumeric()))
            || versioned(p)
    })
}

/// A lower-case name with one short version number in it (`v1beta`, `abab6`, `llama3`,
/// `qwen2`): letters, one to three digits, letters, at most twelve in all.
fn versioned(p: &str) -> bool {
    let b = p.as_bytes();
    if b.len() > 12 || !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let b = b.get(1..).unwrap_or_default();
    let runs = b
        .windows(2)
        .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
        .count();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    // `llama3`, `v1beta`, `qwen2p5`: at most three digits, at most four changes between
    // letters and digits.
    b.iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && runs <= 4
        && (1..=3).contains(&digits)
}

/// Percent-encoding, `\uXXXX` / `\xNN` / `\n` escapes and full-width forms decoded, so
/// that an encoding cannot hide a value.
fn decode(text: &str) -> Cow<'_, str> {
    let needs = text.contains(['%', '\\']) || text.chars().any(full_width_alnum);
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |s: usize, n: usize| -> Option<u32> {
            let h = std::str::from_utf8(b.get(s..s + n)?).ok()?;
            u32::from_str_radix(h, 16).ok()
        };
        match c {
            b'%' => match hex(i + 1, 2) {
                Some(v) => {
                    bytes.push(v as u8);
                    i += 3;
                }
                None => {
                    bytes.push(c);
                    i += 1;
                }
            },
            b'\\' => match b.get(i + 1) {
                Some(b'u') => match hex(i + 2, 4).and_then(char::from_u32) {
                    Some(ch) => {
                        let mut buf = [0u8; 4];
                        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        i += 6;
                    }
                    None => {
                        bytes.push(c);
                        i += 1;
                    }
                },
                Some(b'x') => match hex(i + 2, 2) {
                    Some(v) if v < 0x80 => {
                        bytes.push(v as u8);
                        i += 4;
                    }
                    _ => {
                        bytes.push(c);
                        i += 1;
                    }
                },
                Some(b'n' | b't' | b'r') => {
                    bytes.push(b' ');
                    i += 2;
                }
                _ => {
                    bytes.push(c);
                    i += 1;
                }
            },
            _ => {
                bytes.push(c);
                i += 1;
            }
        }
    }
    let s = String::from_utf8_lossy(&bytes).into_owned();
    // Full-width letters and digits as their ASCII twins (full-width punctuation, the
    // comma and stop of Chinese text, stays as written).
    let s: String = s
        .chars()
        .map(|c| {
            if full_width_alnum(c) {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    Cow::Owned(s)
}

/// A full-width letter or digit (`Ａ`, `ｚ`, `１`).
fn full_width_alnum(c: char) -> bool {
    matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn ordinary_words_stay() {
        for s in [
            "Rate limit reached for gpt-4o-mini in organization on tokens per min (TPM): Limit 30000, Used 29000, Requested 1200. Please try again in 2.4s.",
            "The model `claude-3-5-sonnet-20241022` does not exist or you do not have access to it.",
            "invalid_request_error: RateLimitExceeded.EndpointRPMExceeded",
            "See https://platform.openai.com/docs/guides/error-codes for details.",
            "余额不足，请充值后重试。",
            "POST /v1/chat/completions failed",
            "Request id: req_8f2a9c1d7e",
        ] {
            assert_eq!(sanitize(s), s, "{s}");
        }
    }

    #[test]
    fn what_is_not_known_to_be_safe_goes() {
        let cases = [
            (
                "key AbCdEf1234567890GhIjKl failed",
                "AbCdEf1234567890GhIjKl",
            ),
            (
                "token 4f9a2b7c.9d8e7f6a5b4c3d2e1f00 rejected",
                "9d8e7f6a5b4c3d2e1f00",
            ),
            ("from 10.20.30.40 denied", "10.20.30.40"),
            ("mail ops@acme-internal.io now", "ops@acme-internal.io"),
            ("see http://grafana.acme.corp/d/x?token=abc", "grafana"),
            ("file /home/alice/.ssh/id_rsa missing", "alice"),
            (
                "org 123e4567-e89b-12d3-a456-426614174000 blocked",
                "123e4567",
            ),
            ("key=sk%2Dlive%2D9f8e7d6c5b4a3f2e1d0c", "9f8e7d6c"),
            ("调用方密钥ＡＢＣＤ１２３４ＥＦＧＨ５６７８无效", "ABCD1234"),
            ("balance: 12.50 left", "12.50"),
            ("call +14155550100 now", "4155550100"),
            ("host db-7.prod.svc.cluster.local timed out", "cluster"),
        ];
        for (text, secret) in cases {
            let out = sanitize(text);
            assert!(!out.contains(secret), "{text} -> {out}");
        }
    }
}
