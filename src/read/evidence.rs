//! What reading hands to the decision: the fields read, the headers that matter, the
//! message's `(NNNN)` code, the AWS error type and the presence bits of every place,
//! made once per response; and, read only when the decision asks, the key of a field
//! to look up, what the texts may state (a delay, a window) and their words.

use std::cell::Cell;
use std::time::SystemTime;

use http::HeaderMap;

use super::headers::Seen;
use super::{generic, Fields, Val};
use crate::schema::{Field, TextAt};
use crate::text::dfa::Matcher;

/// One response as read: borrowed from the body and the header map.
pub(crate) struct Read<'a> {
    pub fields: Option<&'a Fields<'a>>,
    pub headers: &'a HeaderMap,
    /// The headers that matter, read in one pass.
    pub seen: &'a Seen<'a>,
    /// The AWS error type: the `x-amzn-errortype` header's, else a body's `__type`.
    pub amzn: Option<&'a [u8]>,
    /// Whether `amzn` came from the header (else from a body's `__type`).
    pub amzn_header: bool,
    /// The `(NNNN)` code at the end of the message.
    pub msg_code: Option<i64>,
    /// Presence bits of every place the response answers (see `schema::Probe::bit`).
    pub present: u32,
    /// Whether the body carries Google's quota or retry details, once looked for.
    details: Cell<Option<bool>>,
}

impl<'a> Read<'a> {
    pub(crate) fn new(
        fields: Option<&'a Fields<'a>>,
        headers: &'a HeaderMap,
        seen: &'a Seen<'a>,
    ) -> Read<'a> {
        let msg_code = fields
            .and_then(Fields::message)
            .and_then(|(m, _)| super::code_in_text(m));
        let from_header = seen.amzn_type();
        let amzn_header = from_header.is_some();
        let amzn = from_header.or_else(|| {
            fields
                .and_then(|f| f.text(Field::AmznType))
                // An AWS error name is an identifier: read as the body has it.
                .map(|t| super::aws_name(t.raw()))
        });
        let mut present = fields.map_or(0, Fields::presence);
        if msg_code.is_some() {
            present |= crate::schema::field_bit(Field::MessageCode);
        }
        if amzn.is_some() {
            present |= crate::schema::field_bit(Field::AmznType);
        }
        Read {
            fields,
            headers,
            seen,
            amzn,
            amzn_header,
            msg_code,
            present,
            details: Cell::new(None),
        }
    }

    /// The value of a field as a table's key, if the response has one: its bytes, or
    /// (where `ints`) a number by value; without `ints` a number is written in decimal
    /// on the stack. Negative numbers key nothing.
    #[inline]
    pub(crate) fn with_key<T>(
        &self,
        field: Field,
        ints: bool,
        f: impl FnOnce(Key<'_>) -> T,
    ) -> Option<T> {
        match field {
            Field::MessageCode => by_number(self.msg_code?, ints, f),
            Field::AmznType => Some(f(Key::Bytes(self.amzn?))),
            Field::Message => None,
            _ => match self.fields?.get(field)? {
                Val::Str(t) => t.with(|b| {
                    let b = b.trim_ascii();
                    // The Anthropic envelope's `"type":"error"` names no error.
                    if field == Field::Type && b == b"error" {
                        return None;
                    }
                    (!b.is_empty()).then(|| f(Key::Bytes(b)))
                }),
                Val::Int(n) => by_number(*n, ints, f),
                Val::Other => None,
            },
        }
    }

    /// Whether the body carries Google's quota or retry details (`"quotaId"`,
    /// `"retryDelay"` in the error object's `details`), which name a window or a wait
    /// no fast path reads: one pass over the document, done at most once per response
    /// and only for a body whose error object has a `details` array.
    pub(crate) fn time_details(&self) -> bool {
        if let Some(d) = self.details.get() {
            return d;
        }
        // They are elements of the error object's `details` array: only a body with
        // one is searched.
        let d = self
            .fields
            .filter(|f| f.details)
            .and_then(|f| f.doc.as_ref())
            .is_some_and(|doc| time_details(doc.raw()));
        self.details.set(Some(d));
        d
    }

    /// The message and a wrapped upstream's body: the texts that state a delay or
    /// name a window.
    fn timed_texts(&self) -> impl Iterator<Item = &'a super::Text<'a>> {
        let f = self.fields;
        [
            f.and_then(Fields::message).map(|(m, _)| m),
            f.and_then(|f| f.at(TextAt::Raw)),
        ]
        .into_iter()
        .flatten()
    }

    /// Whether `test` holds on the first `limit` bytes of the message or of a wrapped
    /// upstream's body, or the body carries Google's details (which state a delay and
    /// name a window in fields of their own).
    fn timed_texts_or_details(&self, limit: usize, test: impl Fn(&[u8]) -> bool) -> bool {
        self.timed_texts()
            .any(|t| t.with(|m| test(m.get(..limit).unwrap_or(m))))
            || self.time_details()
    }

    /// Whether the message (or a wrapped upstream's, or Google's details) may state a
    /// delay: a number with a unit of time right after it (`2.4s`, `20 seconds`,
    /// `30秒`), or a date (`2026-01-01`). Keeps the words of the common error whose
    /// message states none unread.
    pub(crate) fn may_state_delay(&self) -> bool {
        self.timed_texts_or_details(crate::text::PHRASE_SCAN_LIMIT, |m| {
            super::delay::time_numbers(m).next().is_some()
        })
    }

    /// Whether the message (or a wrapped upstream's, or Google's details) may name a
    /// window ("per day", "daily", "hour", "month", "minute", "second", "duration",
    /// "rpm", "每日", "每分钟"): one pass of a small automaton, so that a throttle's
    /// words are read only where they may change its reason.
    pub(crate) fn may_name_window(&self) -> bool {
        self.timed_texts_or_details(crate::text::PHRASE_SCAN_LIMIT, |m| {
            window_words().is_some_and(|d| d.is_match(m))
        })
    }

    /// Whether the message (or a wrapped upstream's, or Google's quota details) may name
    /// a window of hours or more ("per day", "daily", "TPD", "hour", "month", "每日").
    /// Providers name the window with the limit, before the advice that follows it
    /// ("... on tokens per day (TPD): Limit ..."): the first 256 bytes say it.
    pub(crate) fn may_name_long_window(&self) -> bool {
        self.timed_texts_or_details(256, |m| long_window_words().is_some_and(|d| d.is_match(m)))
    }

    /// The first delay the message (or a wrapped upstream's) states, read as it came,
    /// around the numbers that may state one; a date relative to `now`.
    pub(crate) fn message_delay(&self, now: SystemTime) -> Option<std::time::Duration> {
        self.timed_texts().find_map(|t| {
            t.with(|m| {
                let m = std::str::from_utf8(m).ok()?;
                super::delay::first_delay(crate::text::head(m, super::words::WORDS_LIMIT), now)
            })
        })
    }

    /// The words of the response: where the shape is `known`, of its texts whose words
    /// are read (in the table of places' order) and of the identifier fields in
    /// `unlisted` (a bit each: the values no row lists); else, or where the body
    /// carries Google's details (which name a window and a wait no field holds), of the
    /// whole document by the generic reading.
    pub(crate) fn words(&self, known: bool, unlisted: u32) -> generic::Generic {
        let fields = self.fields;
        if let Some(doc) = fields.and_then(|f| f.doc.as_ref()) {
            if !known || self.time_details() {
                return generic::read(doc.raw());
            }
        }
        let mut g = generic::Generic::default();
        let Some(f) = fields else { return g };
        for t in TextAt::ALL
            .into_iter()
            .filter(|t| t.has_words())
            .filter_map(|t| f.at(t))
        {
            // Checked first (fast on ASCII), replaced only if not UTF-8.
            t.with(|b| match std::str::from_utf8(b) {
                Ok(s) => g.words.text(s),
                Err(_) => g.words.text(&String::from_utf8_lossy(b)),
            });
        }
        for t in crate::schema::fields_in(unlisted).filter_map(|x| f.text(x)) {
            t.with(|b| {
                if let Ok(t) = std::str::from_utf8(b) {
                    g.words.ident(t);
                }
            });
        }
        g
    }
}

/// Whether a body carries Google's quota or retry details (`"quotaId"`, `"retryDelay"`),
/// which name a window or a wait in fields no fast path reads. One pass for the rare
/// bytes `q` and `D`, each checked in place.
pub(crate) fn time_details(doc: &[u8]) -> bool {
    memchr::memchr2_iter(b'q', b'D', doc).any(|i| {
        if doc.get(i) == Some(&b'q') {
            i > 0
                && doc.get(i - 1) == Some(&b'"')
                && doc.get(i..).is_some_and(|r| r.starts_with(b"quotaId\""))
        } else {
            i >= 6
                && doc
                    .get(i - 6..)
                    .is_some_and(|r| r.starts_with(b"\"retryDelay\""))
        }
    })
}

fn long_window_words() -> Option<&'static Matcher> {
    static DFA: std::sync::OnceLock<Option<Matcher>> = std::sync::OnceLock::new();
    DFA.get_or_init(|| {
        Matcher::new(
            &[
                "day", "daily", "hour", "month", "duration", "window", "rpd", "tpd", "日", "天",
                "月", "小时",
            ],
            true,
        )
    })
    .as_ref()
}

fn window_words() -> Option<&'static Matcher> {
    static DFA: std::sync::OnceLock<Option<Matcher>> = std::sync::OnceLock::new();
    DFA.get_or_init(|| {
        Matcher::new(
            &[
                "day", "hour", "month", "minute", "second", "duration", "window", "rpd", "tpd",
                "rpm", "tpm", "rps", "qps", "日", "天", "月", "小时", "分钟", "秒",
            ],
            true,
        )
    })
    .as_ref()
}

/// Builds the window automata now, so that no request pays for them.
pub(crate) fn prepare() {
    let _ = window_words();
    let _ = long_window_words();
}

/// A table key: the bytes of a value, or a number by value.
pub(crate) enum Key<'k> {
    Bytes(&'k [u8]),
    Int(i64),
}

/// A number as a key: by value where `ints`, else its decimal digits.
#[inline]
fn by_number<T>(n: i64, ints: bool, f: impl FnOnce(Key<'_>) -> T) -> Option<T> {
    if n < 0 {
        return None;
    }
    if ints {
        return Some(f(Key::Int(n)));
    }
    Some(f(Key::Bytes(Digits::new(n)?.bytes())))
}

/// A number's decimal digits, on the stack.
struct Digits {
    buf: [u8; 20],
    len: usize,
}

impl Digits {
    fn new(n: i64) -> Option<Digits> {
        let mut n = u64::try_from(n).ok()?;
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        buf.copy_within(i.., 0);
        Some(Digits { buf, len: 20 - i })
    }

    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::{time_details, Digits};

    #[test]
    fn digits_on_the_stack() {
        assert_eq!(Digits::new(0).unwrap().bytes(), b"0");
        assert_eq!(Digits::new(1008).unwrap().bytes(), b"1008");
        assert_eq!(
            Digits::new(i64::MAX).unwrap().bytes(),
            i64::MAX.to_string().as_bytes()
        );
        assert!(Digits::new(-1).is_none());
    }

    #[test]
    fn google_details_are_looked_for_only_under_the_error_objects_details() {
        use super::Read;
        use crate::read::{headers::Seen, Fields};
        let h = http::HeaderMap::new();
        let seen = Seen::default();
        let found = |body: &[u8]| {
            let mut f = Fields::default();
            let mut buf = Vec::new();
            let (_, ok) = crate::read::read(body, &mut buf, &mut f);
            assert!(ok);
            Read::new(Some(&f), &h, &seen).time_details()
        };
        // Google's QuotaFailure, as the Gemini API sends it.
        assert!(found(
            br#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}}"#
        ));
        // The same key anywhere else is not Google's details.
        assert!(!found(
            br#"{"error":{"code":429,"message":"slow down","meta":{"quotaId":"x"}}}"#
        ));
        // A later error object replaces the earlier one with its details.
        assert!(!found(
            br#"{"error":{"details":[{"retryDelay":"3s"}]},"error":{"message":"x"}}"#
        ));
    }

    #[test]
    fn google_details_are_found_by_their_keys_only() {
        assert!(time_details(br#"{"violations":[{"quotaId":"PerDay"}]}"#));
        assert!(time_details(
            br#"[{"@type":"x.RetryInfo","retryDelay":"34s"}]"#
        ));
        assert!(!time_details(
            br#"{"message":"quotaId and retryDelay in words"}"#
        ));
        assert!(!time_details(br#"{"q":"D","Delay":1,"quota":"x"}"#));
        assert!(!time_details(b"D"));
        assert!(!time_details(b""));
    }
}
