//! The generic reading of error shapes: wherever a provider, a proxy or a self-hosted
//! server puts an error, its messages and identifiers become [`Words`] and a delay it
//! states is kept. Read only when no exact table row decides, by a walk over the bytes
//! that builds nothing (strings are decoded only where read, in the reused buffer);
//! its work is bounded by [`GENERIC_LIMIT`] bytes of body, a depth, a count of values
//! visited and the words' own limit. Keys are read in the order the body has them.
//!
//! Shapes it reads (the key names are compared without case, `_` or `-`):
//! - messages under `message`, `msg`, `errorMessage`, `errMsg`, `error_description`,
//!   `description`, `detail` (a string, or FastAPI's list of `{loc, msg, type}`),
//!   `title`, `statusMessage`, an `error` string, a `reason` with spaces, at any depth
//!   (`errors: [...]`, `error.error`, `response.body.error`, ...);
//! - identifiers under `code`, `errorCode`, `type`, `errorType`, `status` (a name, not a
//!   success word), `reason`, `name`, `__type`, `quotaId`, `quotaMetric`,
//!   `finishReason`, `blockReason`;
//! - an upstream's JSON quoted inside a string (`"upstream error: {\"error\":...}"`),
//!   read once;
//! - delays: `retryDelay` (`"34s"`), `retry_after` / `retryAfter` in seconds, and any
//!   delay or reset the words state (`delay.rs`).
//!
//! What a request echoes back (`input`, `ctx`, `loc`, `messages`, `prompt`) and what a
//! success carries (`choices`, `candidates`, `usage`) is never read: a user's prompt is
//! not the provider's words.

use std::time::{Duration, SystemTime};

use serde::de::IgnoredAny;

use super::fields::Text;
use super::headers::MAX_RETRY_AFTER;
use super::words::Words;
use super::{delay, scan};

/// How much of a body the generic reading parses; a larger body is read by the fast
/// reader alone.
pub(crate) const GENERIC_LIMIT: usize = 64 << 10;
/// How deep the walk goes.
const DEPTH: usize = 8;
/// How many values the walk visits at most.
const BUDGET: usize = 512;

/// What the generic reading found.
#[derive(Debug, Default)]
pub(crate) struct Generic {
    /// Messages and identifiers, as words.
    pub words: Words,
    /// A delay the body states in a field (`retryDelay`, `retry_after`).
    pub delay: Option<Duration>,
}

impl Generic {
    /// What the body states: the delay (the longer of a field's and the one its words
    /// state: Gemini says `"retryDelay": "34s"` and "Please retry in 34.574123s.", and
    /// the longest binding header wins among headers too) and a window in numbers.
    pub(crate) fn stated(&self, now: SystemTime) -> delay::Stated {
        let mut s = delay::stated(self.words.as_str(), now);
        s.delay = match (self.delay, s.delay) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        s
    }
}

/// Reads a JSON document into words, walking its bytes (nothing is built). The
/// document is one the scanner accepted, so it is structurally whole; a value the
/// scanner skips leniently (a bad number, a bad escape) is read here as leniently, and
/// the walk stops early at anything broken.
pub(crate) fn read(doc: &[u8]) -> Generic {
    let mut g = Generic::default();
    if doc.len() > GENERIC_LIMIT {
        return g;
    }
    let start = scan::ws(doc, 0);
    let mut w = Walk {
        g: &mut g,
        budget: BUDGET,
        nested: 1,
    };
    let _ = w.value(doc, start, 0);
    g
}

/// Where the first JSON value of `b` starts, if it is well formed as serde_json reads
/// it (text after it is ignored, as a trailer): checked without building anything. For
/// an upstream body quoted in a string, which no scanner has checked.
fn first_value(b: &[u8]) -> Option<usize> {
    let mut it = serde_json::Deserializer::from_slice(b).into_iter::<IgnoredAny>();
    it.next()?.ok()?;
    Some(scan::ws(b, 0))
}

struct Walk<'g> {
    g: &'g mut Generic,
    budget: usize,
    /// How many quoted upstream bodies may still be read.
    nested: u8,
}

/// A key without case, `_` or `-`, into a small buffer (`None` if it is long).
fn norm(key: &[u8]) -> Option<([u8; 24], usize)> {
    let mut buf = [0u8; 24];
    let mut n = 0;
    for &b in key {
        if matches!(b, b'_' | b'-') {
            continue;
        }
        *buf.get_mut(n)? = b.to_ascii_lowercase();
        n += 1;
    }
    Some((buf, n))
}

impl Walk<'_> {
    /// The value at `i`, read where it may hold words; returns the index after it (a
    /// `None`, at anything broken, ends the walk early).
    fn value(&mut self, b: &[u8], i: usize, depth: usize) -> Option<usize> {
        if self.budget == 0 || depth > DEPTH {
            return scan::skip(b, i);
        }
        self.budget -= 1;
        match *b.get(i)? {
            b'{' => scan::members(b, i, |raw, escaped, at| {
                let key = if escaped {
                    Text::Escaped(raw)
                } else {
                    Text::Raw(raw)
                };
                key.with(|k| self.field(b, k, at, depth))
            }),
            b'[' => scan::elements(b, i, |at| self.value(b, at, depth + 1)),
            b'"' => {
                let (t, end) = scan::string(b, i)?;
                t.with(|s| {
                    if let Ok(s) = std::str::from_utf8(s) {
                        self.quoted(s, depth);
                    }
                });
                Some(end)
            }
            _ => scan::skip(b, i),
        }
    }

    /// The value at `at` of the key `key`; returns the index after it.
    fn field(&mut self, b: &[u8], key: &[u8], at: usize, depth: usize) -> Option<usize> {
        let Some((buf, n)) = norm(key) else {
            return scan::skip(b, at);
        };
        let k = buf.get(..n).unwrap_or_default();
        let first = *b.get(at)?;
        // A string value's text, checked as UTF-8, for `f`.
        let text = |f: &mut dyn FnMut(&str)| -> Option<usize> {
            let (t, end) = scan::string(b, at)?;
            t.with(|s| {
                if let Ok(s) = std::str::from_utf8(s) {
                    f(s);
                }
            });
            Some(end)
        };
        match (k, first) {
            (
                b"input" | b"ctx" | b"loc" | b"messages" | b"prompt" | b"choices" | b"candidates"
                | b"usage" | b"url" | b"documentationurl" | b"help",
                _,
            ) => scan::skip(b, at),
            (b"retrydelay", b'"') => text(&mut |s| {
                self.g.delay = self.g.delay.or_else(|| delay::retry_delay(s));
            }),
            (b"retryafter" | b"retryafterseconds", b'-' | b'0'..=b'9') => {
                let end = scan::skip(b, at)?;
                let n = b
                    .get(at..end)
                    .and_then(|t| std::str::from_utf8(t).ok())
                    .and_then(|t| t.parse::<f64>().ok());
                if let Some(s) = n.filter(|s| s.is_finite() && *s >= 0.0) {
                    let d = Duration::try_from_secs_f64(s.min(1e9)).ok();
                    self.g.delay = self.g.delay.or(d.map(|d| d.min(MAX_RETRY_AFTER)));
                }
                Some(end)
            }
            (
                b"message" | b"msg" | b"errormessage" | b"errmsg" | b"errormsg"
                | b"errordescription" | b"description" | b"detail" | b"details" | b"title"
                | b"statusmessage" | b"statusmsg" | b"error" | b"errortext" | b"cause"
                | b"errorinfo" | b"hint",
                b'"',
            ) => text(&mut |s| {
                self.g.words.text(s);
                self.quoted(s, depth);
            }),
            (
                b"code" | b"errorcode" | b"errcode" | b"type" | b"errortype" | b"reason" | b"name"
                | b"quotaid" | b"quotametric" | b"finishreason" | b"blockreason" | b"errorname"
                | b"kind",
                b'"',
            ) => text(&mut |s| {
                if s.contains(' ') && k == b"reason" {
                    self.g.words.text(s);
                } else if !s.contains("://") {
                    self.g.words.ident(s);
                }
            }),
            (b"status" | b"state", b'"') => text(&mut |s| {
                if !super::fields::success_word(s.as_bytes()) {
                    self.g.words.ident(s);
                }
            }),
            (_, b'{' | b'[') => self.value(b, at, depth + 1),
            _ => scan::skip(b, at),
        }
    }

    /// An upstream body quoted inside a string: read once.
    fn quoted(&mut self, s: &str, depth: usize) {
        if self.nested == 0 {
            return;
        }
        // `{"` found by its first byte (a searcher for two bytes costs more to set up
        // than these short texts take to scan).
        let b = s.as_bytes();
        let Some(at) = memchr::memchr_iter(b'{', b).find(|&i| b.get(i + 1) == Some(&b'"')) else {
            return;
        };
        let Some(t) = s.get(at..) else { return };
        let Some(start) = first_value(t.as_bytes()) else {
            return;
        };
        self.nested -= 1;
        let _ = self.value(t.as_bytes(), start, depth + 1);
    }
}

#[cfg(test)]
mod by_value {
    //! The generic reading as it was written over a `serde_json::Value`: what the walk
    //! over bytes must read (in key order rather than the body's).
    use std::time::Duration;

    use serde_json::Value;

    use super::super::headers::MAX_RETRY_AFTER;
    use super::{delay, Generic, BUDGET, DEPTH, GENERIC_LIMIT};

    /// Reads a JSON document (or `None`: nothing) into words.
    pub(super) fn read(doc: &[u8]) -> Generic {
        let mut g = Generic::default();
        if doc.len() > GENERIC_LIMIT {
            return g;
        }
        let Some(v) = first_value(doc) else {
            return g;
        };
        let mut w = Walk {
            g: &mut g,
            budget: BUDGET,
            nested: 1,
        };
        w.value(&v, 0);
        g
    }

    /// The first JSON value of `b` (text after it is ignored, as a trailer).
    fn first_value(b: &[u8]) -> Option<Value> {
        let mut it = serde_json::Deserializer::from_slice(b).into_iter::<Value>();
        it.next()?.ok()
    }

    struct Walk<'g> {
        g: &'g mut Generic,
        budget: usize,
        /// How many quoted upstream bodies may still be read.
        nested: u8,
    }

    /// A key without case, `_` or `-`, into a small buffer (`None` if it is long).
    fn norm(key: &str) -> Option<([u8; 24], usize)> {
        let mut buf = [0u8; 24];
        let mut n = 0;
        for b in key.bytes() {
            if matches!(b, b'_' | b'-') {
                continue;
            }
            *buf.get_mut(n)? = b.to_ascii_lowercase();
            n += 1;
        }
        Some((buf, n))
    }

    impl Walk<'_> {
        fn value(&mut self, v: &Value, depth: usize) {
            if self.budget == 0 || depth > DEPTH {
                return;
            }
            self.budget -= 1;
            match v {
                Value::Object(o) => {
                    for (k, v) in o {
                        self.field(k, v, depth);
                    }
                }
                Value::Array(a) => {
                    for v in a {
                        self.value(v, depth + 1);
                    }
                }
                Value::String(s) => self.quoted(s, depth),
                _ => {}
            }
        }

        fn field(&mut self, key: &str, v: &Value, depth: usize) {
            let Some((buf, n)) = norm(key) else { return };
            let k = buf.get(..n).unwrap_or_default();
            match (k, v) {
                (
                    b"input" | b"ctx" | b"loc" | b"messages" | b"prompt" | b"choices"
                    | b"candidates" | b"usage" | b"url" | b"documentationurl" | b"help",
                    _,
                ) => {}
                (b"retrydelay", Value::String(s)) => {
                    self.g.delay = self.g.delay.or_else(|| delay::retry_delay(s));
                }
                (b"retryafter" | b"retryafterseconds", Value::Number(n)) => {
                    if let Some(s) = n.as_f64().filter(|s| s.is_finite() && *s >= 0.0) {
                        let d = Duration::try_from_secs_f64(s.min(1e9)).ok();
                        self.g.delay = self.g.delay.or(d.map(|d| d.min(MAX_RETRY_AFTER)));
                    }
                }
                (
                    b"message" | b"msg" | b"errormessage" | b"errmsg" | b"errormsg"
                    | b"errordescription" | b"description" | b"detail" | b"details" | b"title"
                    | b"statusmessage" | b"statusmsg" | b"error" | b"errortext" | b"cause"
                    | b"errorinfo" | b"hint",
                    Value::String(s),
                ) => {
                    self.g.words.text(s);
                    self.quoted(s, depth);
                }
                (
                    b"code" | b"errorcode" | b"errcode" | b"type" | b"errortype" | b"reason"
                    | b"name" | b"quotaid" | b"quotametric" | b"finishreason" | b"blockreason"
                    | b"errorname" | b"kind",
                    Value::String(s),
                ) => {
                    if s.contains(' ') && k == b"reason" {
                        self.g.words.text(s);
                    } else if !s.contains("://") {
                        self.g.words.ident(s);
                    }
                }
                (b"status" | b"state", Value::String(s))
                    if !super::super::fields::success_word(s.as_bytes()) =>
                {
                    self.g.words.ident(s);
                }
                (_, Value::Object(_) | Value::Array(_)) => self.value(v, depth + 1),
                _ => {}
            }
        }

        /// An upstream body quoted inside a string: read once.
        fn quoted(&mut self, s: &str, depth: usize) {
            if self.nested == 0 {
                return;
            }
            let Some(at) = s.find("{\"") else { return };
            let Some(v) = s.get(at..).and_then(|t| first_value(t.as_bytes())) else {
                return;
            };
            self.nested -= 1;
            self.value(&v, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::test_json::{render, J};
    use proptest::prelude::*;

    /// The pieces of words (each ends a line), sorted: the walk over bytes reads keys in
    /// the body's order, the reading over a `Value` in the map's.
    fn pieces(g: &Generic) -> Vec<String> {
        let mut v: Vec<String> = g.words.as_str().lines().map(str::to_string).collect();
        v.sort_unstable();
        v
    }

    fn value() -> impl Strategy<Value = J> {
        const KEYS: &[&str] = &[
            "message",
            "msg",
            "errorMessage",
            "error_description",
            "detail",
            "details",
            "title",
            "error",
            "code",
            "errorCode",
            "type",
            "reason",
            "name",
            "status",
            "state",
            "quotaId",
            "input",
            "prompt",
            "choices",
            "usage",
            "x",
            "data",
            "errors",
        ];
        let text = prop_oneof![
            "[a-zA-Z_ ]{0,16}",
            Just("Rate limit exceeded".to_string()),
            Just("RESOURCE_EXHAUSTED".to_string()),
            Just("succeeded".to_string()),
            Just("quota exhausted, retry in 2s".to_string()),
            Just("see https://example.com/x".to_string()),
            Just("用户额度不足 é".to_string()),
            Just("quote \" backslash \\ tab \t nl \n".to_string()),
        ];
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            (0u32..3000).prop_map(|n| J::Num(n.to_string())),
            text.prop_map(J::Str),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(J::Arr),
                // Keys unique within an object: a map keeps one value per key.
                prop::collection::btree_map(prop::sample::select(KEYS), inner, 0..5)
                    .prop_map(|m| J::Obj(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest! {
        /// On every well-formed body (keys unique in each object, no quoted upstream
        /// body), the walk over bytes reads the words the reading over a `Value` read.
        #[test]
        fn the_walk_reads_what_the_value_reading_read(j in value(), seed in any::<u64>()) {
            let doc = render(&j, seed);
            prop_assert_eq!(pieces(&read(doc.as_bytes())), pieces(&by_value::read(doc.as_bytes())), "{}", doc);
        }
    }

    fn words(body: &str) -> String {
        read(body.as_bytes()).words.as_str().to_string()
    }

    #[test]
    fn shapes_no_table_lists() {
        // An `errors` array beside `"success": false` (Cloudflare's API shape).
        let w = words(
            r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#,
        );
        assert!(w.contains("authentication error"), "{w}");
        // FastAPI's 422 list.
        let w = words(
            r#"{"detail":[{"loc":["body","model"],"msg":"Field required","type":"missing","input":{"prompt":"rate limit me"}}]}"#,
        );
        assert!(w.contains("field required") && w.contains("missing"), "{w}");
        assert!(
            !w.contains("rate limit"),
            "the echoed input is not read: {w}"
        );
        // A message under an unusual key, a status holding an error code.
        let w = words(r#"{"errorMessage":"Quota exhausted","status":"RESOURCE_EXHAUSTED"}"#);
        assert!(w.contains("quota exhausted") && w.contains("resource exhausted"));
        // An upstream's JSON quoted in a wrapper's message.
        let w = words(
            r#"{"error":{"message":"upstream error: status 429, body: {\"error\":{\"message\":\"Insufficient credits\",\"code\":\"PaymentRequired\"}}"}}"#,
        );
        assert!(
            w.contains("insufficient credits") && w.contains("payment required"),
            "{w}"
        );
        // The quoted body after a brace that starts none.
        let w = words(
            r#"{"error":{"message":"upstream {x} said: {\"error\":{\"message\":\"Insufficient credits\"}}"}}"#,
        );
        assert!(w.contains("insufficient credits"), "{w}");
        // A success status is not read as words.
        assert_eq!(words(r#"{"status":"succeeded","output":"x"}"#), "");
    }

    #[test]
    fn delays_in_fields() {
        let g = read(
            br#"{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34s"}]}}"#,
        );
        assert_eq!(g.delay, Some(Duration::from_secs(34)));
        let g = read(br#"{"error":"slow down","retry_after":1e30}"#);
        assert_eq!(g.delay, Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn bounded_on_any_input() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(words(&deep), "");
        let wide = format!(
            "[{}]",
            vec![r#"{"message":"rate limit"}"#; 10_000].join(",")
        );
        assert!(read(wide.as_bytes()).words.as_str().len() <= super::super::words::WORDS_LIMIT);
        assert_eq!(words("{\"message\":"), "");
        assert_eq!(words(&"x".repeat(GENERIC_LIMIT + 1)), "");
    }
}
