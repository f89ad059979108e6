//! What reading a body yields: its form, and the values of the fields that carry error
//! evidence ([`Fields`]), borrowed from the body; with the words that say a body is an
//! error or a success.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::schema::{Field, TextAt};

/// What the body was, as far as errnorm could tell.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyForm {
    /// Empty, or only white space.
    Empty,
    /// A JSON document that errnorm read.
    Json,
    /// A server-sent event stream (`data:` / `event:` lines).
    Sse,
    /// Something that is not JSON: an HTML proxy page, plain text.
    Text,
    /// It looked like JSON but was not: truncated, invalid, or with a broken escape in
    /// a field errnorm reads.
    Unparsed,
}

/// A string of the body: the raw bytes between the quotes when the JSON has no
/// escapes (not yet checked as UTF-8), or the raw bytes with their escapes, checked but
/// decoded only when read. Always a span of the bytes read (the body, or a buffer the
/// caller keeps: a Python-printed body turned into JSON, an SSE payload joined from
/// several lines), so that fields own nothing and cost nothing to drop.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Text<'a> {
    Raw(&'a [u8]),
    /// With escapes, checked, one of them of an ASCII character or of `。` (decoding
    /// could change what a code or an ASCII word reads like).
    Escaped(&'a [u8]),
    /// With escapes, checked, none of an ASCII character or of `。` (CJK text, `\"`):
    /// a code or an ASCII word reads alike decoded or not.
    Wide(&'a [u8]),
}

impl PartialEq for Text<'_> {
    /// Texts are equal when their decoded bytes are.
    fn eq(&self, other: &Text<'_>) -> bool {
        self.with(|a| other.with(|b| a == b))
    }
}

impl Eq for Text<'_> {}

impl<'a> Text<'a> {
    /// Runs `f` on the text's bytes, decoded (without allocating, after the first use
    /// on a thread) where the body escaped them.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Text::Raw(b) => f(b),
            Text::Escaped(raw) | Text::Wide(raw) => with_decoded(raw, f),
        }
    }

    /// The bytes as the body has them: escapes left in. For the whole document and
    /// for values that never carry escapes in practice (an AWS error name).
    pub(crate) fn raw(&self) -> &[u8] {
        match self {
            Text::Raw(b) | Text::Escaped(b) | Text::Wide(b) => b,
        }
    }

    /// The decoded bytes: borrowed, or decoded into a new buffer.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Text::Raw(b) => Cow::Borrowed(b),
            Text::Escaped(raw) | Text::Wide(raw) => Cow::Owned(decoded(raw).into_bytes()),
        }
    }

    /// The text, checked as UTF-8 now (decoded where escaped); `None` if it is not.
    pub(crate) fn as_str(&self) -> Option<Cow<'_, str>> {
        match self {
            Text::Raw(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
            Text::Escaped(raw) | Text::Wide(raw) => Some(Cow::Owned(decoded(raw))),
        }
    }

    /// The text, borrowed from the body where it can be; bytes that are not UTF-8 are
    /// replaced.
    pub(crate) fn into_cow(self) -> Cow<'a, str> {
        match self {
            Text::Raw(b) => String::from_utf8_lossy(b),
            Text::Escaped(raw) | Text::Wide(raw) => Cow::Owned(decoded(raw)),
        }
    }

    /// An escaped text as the scanner makes it (its escapes checked and told apart).
    #[cfg(test)]
    pub(crate) fn escaped(raw: &'a [u8]) -> Text<'a> {
        if escapes_ascii(raw) {
            Text::Escaped(raw)
        } else {
            Text::Wide(raw)
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.with(|b| b.iter().all(u8::is_ascii_whitespace))
    }
}

/// A checked escaped string, decoded into a new `String` (for a value that outlives the
/// thread's reused buffer).
fn decoded(raw: &[u8]) -> String {
    let mut s = String::with_capacity(raw.len());
    unescape_into(raw, Some(&mut s));
    s
}

/// Decodes the body of a JSON string that has escapes into `out`, or only checks it
/// when `out` is `None`. `false` where serde_json would refuse it: an unknown escape, a
/// bad or lone surrogate, invalid UTF-8.
pub(crate) fn unescape_into(raw: &[u8], mut out: Option<&mut String>) -> bool {
    fn go(raw: &[u8], out: &mut Option<&mut String>) -> Option<()> {
        let mut rest = raw;
        while let Some(i) = memchr::memchr(b'\\', rest) {
            let plain = std::str::from_utf8(rest.get(..i)?).ok()?;
            let esc = *rest.get(i + 1)?;
            rest = rest.get(i + 2..)?;
            let c = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = hex4(rest.get(..4)?)?;
                    rest = rest.get(4..)?;
                    match hi {
                        0xD800..=0xDBFF => {
                            let lo = rest.strip_prefix(b"\\u").and_then(|r| hex4(r.get(..4)?))?;
                            if !(0xDC00..=0xDFFF).contains(&lo) {
                                return None;
                            }
                            rest = rest.get(6..)?;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                        }
                        0xDC00..=0xDFFF => return None,
                        _ => char::from_u32(hi)?,
                    }
                }
                _ => return None,
            };
            if let Some(o) = out.as_deref_mut() {
                o.push_str(plain);
                o.push(c);
            }
        }
        let plain = std::str::from_utf8(rest).ok()?;
        if let Some(o) = out.as_deref_mut() {
            o.push_str(plain);
        }
        Some(())
    }
    go(raw, &mut out).is_some()
}

fn hex4(h: &[u8]) -> Option<u32> {
    h.iter().try_fold(0u32, |n, &c| {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        Some(n * 16 + u32::from(d))
    })
}

/// Whether the body of a JSON string with escapes is one serde_json accepts (as
/// [`unescape_into`] with no output, in one pass without calls per escape): valid
/// UTF-8, known escapes, surrogates in pairs; `None` if not, else whether an escape is
/// of an ASCII character or of `。` (see `escapes_ascii`), found in the same pass.
pub(crate) fn check_escaped(raw: &[u8]) -> Option<bool> {
    std::str::from_utf8(raw).ok()?;
    let mut ascii = false;
    let mut i = 0;
    while i < raw.len() {
        if raw.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        match raw.get(i + 1) {
            Some(b'"' | b'\\' | b'/') => i += 2,
            Some(b'b' | b'f' | b'n' | b'r' | b't') => {
                ascii = true;
                i += 2;
            }
            Some(b'u') => {
                let hi = raw.get(i + 2..i + 6).and_then(hex4)?;
                i += 6;
                match hi {
                    0xD800..=0xDBFF => {
                        let lo = raw
                            .get(i..i + 6)
                            .and_then(|r| r.strip_prefix(b"\\u"))
                            .and_then(hex4);
                        if !lo.is_some_and(|lo| (0xDC00..=0xDFFF).contains(&lo)) {
                            return None;
                        }
                        i += 6;
                    }
                    0xDC00..=0xDFFF => return None,
                    // `\u0029` is `)`; `\u3002` is `。`, which ends a sentence too.
                    0..=0xFF | 0x3002 => ascii = true,
                    _ => {}
                }
            }
            _ => return None,
        }
    }
    Some(ascii)
}

/// Whether decoding could change what the code-in-message reading sees: an escape of an
/// ASCII character (`\u0029` is `)`, `\n` is whitespace) or of `。`. Escapes of other
/// characters, `\"`, `\\` and `\/` leave it as it is. The definition
/// [`check_escaped`]'s flag keeps to, in a pass of its own.
#[cfg(test)]
pub(crate) fn escapes_ascii(raw: &[u8]) -> bool {
    let mut i = 0;
    while let Some(j) = raw.get(i..).and_then(|r| memchr::memchr(b'\\', r)) {
        let at = i + j;
        match raw.get(at + 1) {
            Some(b'"' | b'\\' | b'/') => i = at + 2,
            Some(b'u') => {
                let hex = raw.get(at + 2..at + 6).unwrap_or_default();
                if hex.starts_with(b"00") || hex == b"3002" {
                    return true;
                }
                i = at + 6;
            }
            _ => return true,
        }
    }
    false
}

thread_local! {
    /// The buffer escaped strings are decoded into when read, reused per thread.
    static DECODED: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Runs `f` on an escaped string's decoded bytes, in the thread's reused buffer (a
/// decoded text read while another is gets a buffer of its own).
#[cold]
#[inline(never)]
fn with_decoded<R>(raw: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = DECODED.try_with(std::cell::Cell::take).unwrap_or_default();
    buf.clear();
    // The decoded text is never longer than the raw: one allocation at most.
    buf.reserve(raw.len());
    unescape_into(raw, Some(&mut buf));
    let r = f(buf.as_bytes());
    // A hostile body must not leave a large buffer behind on the thread.
    if buf.capacity() <= 64 << 10 {
        let _ = DECODED.try_with(|c| c.set(buf));
    }
    r
}

/// A JSON scalar of interest: a string, an integer, or anything else (ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Val<'a> {
    Str(Text<'a>),
    Int(i64),
    Other,
}

impl<'a> Val<'a> {
    pub(crate) fn into_text(self) -> Option<Text<'a>> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The evidence of a body: the value of each field of the ladder, and the texts around
/// them. Everything else is skipped unread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fields<'a> {
    /// The value of each [`Field`] (by its index), as the body has it. `message.code`
    /// and `x-amzn-errortype` from a header are derived later, not read.
    pub vals: [Option<Val<'a>>; Field::COUNT],
    /// The presence bit of each field that holds a string or a number, kept as the
    /// fields are set (see `schema::Probe::bit`).
    pub bits: u32,
    /// A top-level `error` object was there.
    pub error_obj: bool,
    /// The error object has a `details` array (where Google's quota and retry
    /// details are).
    pub details: bool,
    /// Each text place of the table of places (by [`TextAt`]'s index): the messages
    /// and the texts around them.
    pub texts: [Option<Text<'a>>; TextAt::COUNT],
    /// A top-level `status`: a task's state or an error's code.
    pub status_top: Option<Val<'a>>,
    /// Shapes that say "error" without an `error` key (see [`Fields::says_error`]):
    /// [`SUCCESS_FALSE`], [`ERRORS`], a bit per wrapper from [`WRAPPER_FIRST`].
    pub shape: u8,
    /// The JSON document the fields were read from, for the generic reading of error
    /// shapes (`generic.rs`) when no exact row decides. Not read by the fast path.
    pub doc: Option<Text<'a>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, f: Field) -> Option<&Val<'a>> {
        self.vals.get(f as usize)?.as_ref()
    }

    pub(crate) fn set(&mut self, f: Field, v: Val<'a>) {
        let bit = crate::schema::field_bit(f);
        if matches!(v, Val::Other) {
            self.bits &= !bit;
        } else {
            self.bits |= bit;
        }
        if let Some(slot) = self.vals.get_mut(f as usize) {
            *slot = Some(v);
        }
    }

    pub(crate) fn clear(&mut self, f: Field) {
        self.bits &= !crate::schema::field_bit(f);
        if let Some(slot) = self.vals.get_mut(f as usize) {
            *slot = None;
        }
    }

    /// A field's value as text, if it is a string.
    pub(crate) fn text(&self, f: Field) -> Option<&Text<'a>> {
        match self.get(f)? {
            Val::Str(t) => Some(t),
            _ => None,
        }
    }

    /// The text at a place, if the body has one.
    #[inline]
    pub(crate) fn at(&self, t: TextAt) -> Option<&Text<'a>> {
        self.texts.get(t as usize)?.as_ref()
    }

    /// The slot of the text at a place, for the readers to fill.
    #[inline]
    pub(crate) fn slot(&mut self, t: TextAt) -> &mut Option<Text<'a>> {
        // Every place has a slot: the array is as long as the table.
        let i = (t as usize).min(TextAt::COUNT - 1);
        &mut self.texts[i]
    }

    /// Clears every text a later key `c` replaces.
    pub(crate) fn clear_texts(&mut self, c: crate::schema::Clears) {
        for t in TextAt::ALL {
            if t.clears() == c {
                *self.slot(t) = None;
            }
        }
    }

    /// The presence bits of what the body has (see `schema::Probe::bit`).
    pub(crate) fn presence(&self) -> u32 {
        let mut bits = self.bits | (u32::from(self.error_obj) << Field::COUNT);
        // A text's bit follows the `error` object's, in the table's order (as
        // `TextAt::bit` lays them out).
        for (i, t) in self.texts.iter().enumerate() {
            bits |= u32::from(t.is_some()) << (Field::COUNT + 1 + i);
        }
        bits
    }

    /// Whether the body itself says it is an error, whatever the HTTP status.
    pub(crate) fn says_error(&self) -> bool {
        let nonzero = |f: Field| match self.get(f) {
            Some(Val::Int(n)) => *n != 0,
            Some(Val::Str(t)) => !t.is_empty() && t.with(|b| b != b"0"),
            _ => false,
        };
        self.error_obj
            || self.at(TextAt::ErrorText).is_some_and(|t| !t.is_empty())
            || self
                .text(Field::Type)
                .is_some_and(|t| t.with(|b| b == b"error"))
            || self
                .at(TextAt::Object)
                .is_some_and(|t| t.with(|b| b == b"error"))
            || nonzero(Field::BaseRespStatusCode)
            || nonzero(Field::Reason)
            || nonzero(Field::ErrorCodeTop)
            || self.shape != 0
            || self.status_top.as_ref().is_some_and(status_says_error)
            || (code_says_error(self.get(Field::Code)) && self.says_something())
    }

    /// A message-like text at the top level that is not a success word.
    fn says_something(&self) -> bool {
        [
            TextAt::Message,
            TextAt::Msg,
            TextAt::Description,
            TextAt::ErrorMsg,
        ]
        .into_iter()
        .filter_map(|p| self.at(p))
        .any(|t| !t.is_empty() && !t.with(success_word))
    }

    /// The message to read, and where it is: the first message place of the table of
    /// places the body has (the error object's, the top level's, MiniMax's
    /// `status_msg`, an `error` string, `error_msg`, `msg`, `description`, a plain
    /// body).
    pub(crate) fn message(&self) -> Option<(&Text<'a>, TextAt)> {
        MESSAGES.iter().find_map(|&t| self.at(t).map(|x| (x, t)))
    }
}

/// The message places, in the table's order (its rows that can be the message).
const MESSAGES: [TextAt; message_count()] = {
    let mut out = [TextAt::ErrorMessage; message_count()];
    let (mut i, mut n) = (0, 0);
    while i < TextAt::COUNT {
        if TextAt::ALL[i].is_message() {
            out[n] = TextAt::ALL[i];
            n += 1;
        }
        i += 1;
    }
    out
};

const fn message_count() -> usize {
    let (mut i, mut n) = (0, 0);
    while i < TextAt::COUNT {
        if TextAt::ALL[i].is_message() {
            n += 1;
        }
        i += 1;
    }
    n
}

/// `"success": false` at the top level.
pub(crate) const SUCCESS_FALSE: u8 = 1;
/// A non-empty `errors` array or object at the top level.
pub(crate) const ERRORS: u8 = 2;
/// The first of five bits, one per wrapper object (`Response`, `response`, `data`,
/// `result`, `header`; see `scan::WRAPPERS`), set when it holds an `error` / `Error`
/// that is not empty, or a non-zero `code` / `Code` beside a message.
pub(crate) const WRAPPER_FIRST: u8 = 4;

/// Words a `status`, `code` or message holds on success or while work goes on.
pub(crate) fn success_word(s: &[u8]) -> bool {
    const OK: [&str; 20] = [
        "ok",
        "success",
        "succeeded",
        "successful",
        "completed",
        "complete",
        "done",
        "finished",
        "pending",
        "queued",
        "processing",
        "running",
        "in_progress",
        "starting",
        "created",
        "ready",
        "active",
        "healthy",
        "incomplete",
        "validating",
    ];
    let s = s.trim_ascii();
    OK.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(s))
}

/// Whether a top-level `status` names an error: an HTTP error status, or a word of
/// failure (`failed`, `error`, `Content Moderated`, `RESOURCE_EXHAUSTED`).
fn status_says_error(v: &Val<'_>) -> bool {
    const FAILURE: [&[u8]; 12] = [
        b"fail",
        b"error",
        b"moderat",
        b"reject",
        b"block",
        b"denied",
        b"forbidden",
        b"unauthori",
        b"exceed",
        b"exhaust",
        b"invalid",
        b"timeout",
    ];
    match v {
        Val::Int(n) => (400..600).contains(n),
        Val::Str(t) => t.with(|b| {
            !success_word(b)
                && FAILURE
                    .iter()
                    .any(|w| b.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
        }),
        Val::Other => false,
    }
}

/// Whether a code says error: not 0, not a 2xx, not a success word.
pub(crate) fn code_says_error(v: Option<&Val<'_>>) -> bool {
    match v {
        Some(Val::Int(n)) => *n != 0 && !(200..300).contains(n),
        Some(Val::Str(t)) => t.with(|b| {
            let b = b.trim_ascii();
            let two_hundred = b.len() == 3 && b.first() == Some(&b'2');
            !(b.is_empty() || b == b"0" || two_hundred || success_word(b))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{unescape_into, Fields, Text};
    use crate::schema::{Clears, TextAt};

    /// Every text place filled with its own name.
    fn all_texts() -> Fields<'static> {
        let mut f = Fields::default();
        for t in TextAt::ALL {
            *f.slot(t) = Some(Text::Raw(t.name().as_bytes()));
        }
        f
    }

    #[test]
    fn the_message_is_the_first_message_place_in_the_documented_order() {
        // The order of the documented precedence: the error object's message, the
        // top level's (or `detail`), MiniMax's `status_msg`, an `error` string,
        // `error_msg`, `msg`, `description`, a plain body; never `error.metadata.raw`
        // (an upstream's body) nor `object`.
        let want = [
            "/error/message",
            "/message",
            "/base_resp/status_msg",
            "/error",
            "/error_msg",
            "/msg",
            "/description",
            "body",
        ];
        let mut f = all_texts();
        for w in want {
            let (text, at) = f.message().unwrap();
            assert_eq!(at.pointer(), w);
            assert_eq!(text, &Text::Raw(at.name().as_bytes()));
            *f.slot(at) = None;
        }
        assert!(f.message().is_none());
        assert!(f.at(TextAt::Raw).is_some() && f.at(TextAt::Object).is_some());
    }

    #[test]
    fn a_later_error_clears_the_texts_under_it_and_only_them() {
        let mut f = all_texts();
        f.clear_texts(Clears::Error);
        let left: Vec<_> = TextAt::ALL
            .into_iter()
            .filter(|t| f.at(*t).is_some())
            .map(TextAt::name)
            .collect();
        assert_eq!(
            left,
            [
                "message",
                "base_resp.status_msg",
                "error_msg",
                "msg",
                "description",
                "body",
                "object"
            ]
        );
        f.clear_texts(Clears::BaseResp);
        assert!(f.at(TextAt::StatusMsg).is_none() && f.at(TextAt::Msg).is_some());
    }

    #[test]
    fn each_text_has_its_own_presence_bit() {
        let mut seen = 0u32;
        for t in TextAt::ALL {
            let mut f = Fields::default();
            *f.slot(t) = Some(Text::Raw(b"x"));
            let bits = f.presence();
            assert_eq!(bits, t.bit(), "{t:?}");
            assert_eq!(seen & bits, 0);
            seen |= bits;
        }
    }

    #[test]
    fn escaped_texts_are_checked_now_and_decoded_when_read() {
        // serde_json refuses these; so does the check.
        for bad in [&br"\x"[..], br"\u12", br"\ud800", br"\udc00x", b"\xff"] {
            assert!(!unescape_into(bad, None), "{bad:?}");
        }
        let t = Text::escaped(br#"say \"hi\"\n\u00e9\ud83d\ude00"#);
        assert!(unescape_into(t.raw(), None));
        t.with(|b| assert_eq!(b, "say \"hi\"\né😀".as_bytes()));
        assert_eq!(t, Text::Raw("say \"hi\"\né😀".as_bytes()));
        assert_ne!(t, Text::Raw(br#"say \"hi\"\n\u00e9\ud83d\ude00"#));
        // Whitespace written as escapes is whitespace.
        assert!(Text::escaped(br"\n\t ").is_empty());
        // A text read while another is being read gets a buffer of its own.
        let u = Text::escaped(br"\u4f59\u989d");
        t.with(|a| u.with(|b| assert!(a.starts_with(b"say") && b == "余额".as_bytes())));
        assert_eq!(u.as_str().as_deref(), Some("余额"));
    }
}

#[cfg(test)]
mod check_tests {
    use super::{check_escaped, escapes_ascii, hex4, unescape_into};

    #[test]
    fn four_hex_digits_are_read_as_from_str_radix_reads_them() {
        // Every byte in every place, among digits of both cases.
        for place in 0..4 {
            for c in 0..=255u8 {
                let mut h = *b"0aF9";
                h[place] = c;
                let want = std::str::from_utf8(&h)
                    .ok()
                    .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|s| u32::from_str_radix(s, 16).ok());
                assert_eq!(hex4(&h), want, "{h:?}");
            }
        }
        assert_eq!(hex4(b"ffff"), Some(0xFFFF));
    }

    proptest::proptest! {
        /// The check and the decoder agree on every string of escapes and their parts.
        #[test]
        fn the_check_agrees_with_decoding(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                &br"\\"[..], br"\u", br"\ud83d", br"\ude00", br"\u0029", br"\u3002", br"\u4f59",
                br"\n", br"\x", b"d8", b"0", b"g", b"a", b" ", b"\\", b"\xc3", b"\xa9", "余".as_bytes(),
            ]), 0..12),
        ) {
            let s: Vec<u8> = parts.concat();
            proptest::prop_assert_eq!(check_escaped(&s).is_some(), unescape_into(&s, None));
            if let Some(ascii) = check_escaped(&s) {
                proptest::prop_assert_eq!(ascii, escapes_ascii(&s));
            }
        }
    }

    #[test]
    fn the_one_pass_check_refuses_what_decoding_refuses() {
        for s in [
            &br"plain"[..],
            br#"a\"b\\c\/d\n\t\r\b\f"#,
            br"\u4f59\u989D",
            br"\ud83d\ude00",
            br"\x",
            br"\u12",
            br"\u12g4",
            br"\ud800",
            br"\ud800\u0041",
            br"\udc00",
            br"\",
            b"\xff",
            b"caf\xc3\xa9 \\u00e9",
            b"\xc3\\n\xa9",
        ] {
            assert_eq!(check_escaped(s).is_some(), unescape_into(s, None), "{s:?}");
            if let Some(ascii) = check_escaped(s) {
                assert_eq!(ascii, escapes_ascii(s), "{s:?}");
            }
        }
    }

    #[test]
    fn escapes_of_ascii_are_told_apart() {
        for (s, ascii) in [
            (&br#"\u4f59\u989d \"x\" \\ \/ (1008)"#[..], false),
            (br"balance (1008\u0029", true),
            (br"balance (1008)\n", true),
            (br"\u3002", true),
            (br"\u00e9", true),
            (br"\u0100", false),
            (br"\\u0029", false),
            (br"\ud83d\ude00", false),
        ] {
            assert_eq!(escapes_ascii(s), ascii, "{s:?}");
            assert_eq!(check_escaped(s), Some(ascii), "{s:?}");
        }
    }
}
