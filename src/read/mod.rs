//! Reading: what form a body has, and the values of the fields that carry error
//! evidence, borrowed from the body and left undecoded until someone asks.
//!
//! Nothing here can fail: a body that cannot be read yields [`BodyForm::Unparsed`] or
//! [`BodyForm::Text`] and no fields, and the HTTP status decides.

pub(crate) mod delay;
pub(crate) mod generic;
pub(crate) mod headers;
#[cfg(any(test, fuzzing))]
pub(crate) mod reference;
pub(crate) mod scan;
pub(crate) mod sse;
/// The JSON generator of the property tests, shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/common/json.rs"]
pub(crate) mod test_json;
pub(crate) mod words;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::schema::Field;

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
/// escapes (not yet checked as UTF-8), or the decoded text when it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text<'a> {
    Raw(&'a [u8]),
    Decoded(String),
}

impl<'a> Text<'a> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Text::Raw(b) => b,
            Text::Decoded(s) => s.as_bytes(),
        }
    }

    /// The text, checked as UTF-8 now; `None` if it is not.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Text::Raw(b) => std::str::from_utf8(b).ok(),
            Text::Decoded(s) => Some(s),
        }
    }

    /// The text, borrowed from the body where it can be; bytes that are not UTF-8 are
    /// replaced.
    pub(crate) fn into_cow(self) -> Cow<'a, str> {
        match self {
            Text::Raw(b) => String::from_utf8_lossy(b),
            Text::Decoded(s) => Cow::Owned(s),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes().iter().all(u8::is_ascii_whitespace)
    }
}

/// A JSON scalar of interest: a string, an integer, or anything else (ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Where the message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageAt {
    ErrorMessage,
    Message,
    StatusMsg,
    ErrorText,
    ErrorMsg,
    Msg,
    Description,
    Body,
}

impl MessageAt {
    pub(crate) fn pointer(self) -> &'static str {
        match self {
            MessageAt::ErrorMessage => "/error/message",
            MessageAt::Message => "/message",
            MessageAt::StatusMsg => "/base_resp/status_msg",
            MessageAt::ErrorText => "/error",
            MessageAt::ErrorMsg => "/error_msg",
            MessageAt::Msg => "/msg",
            MessageAt::Description => "/description",
            MessageAt::Body => "body",
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
    /// `error.message`.
    pub error_message: Option<Text<'a>>,
    /// A top-level `error` string.
    pub error_text: Option<Text<'a>>,
    /// A top-level `message`, or `detail` when there is no `message`.
    pub message: Option<Text<'a>>,
    /// MiniMax's `base_resp.status_msg`.
    pub status_msg: Option<Text<'a>>,
    /// A top-level `error_msg` (Baidu style).
    pub error_msg: Option<Text<'a>>,
    /// A top-level `object`.
    pub object: Option<Text<'a>>,
    /// OpenRouter's `error.metadata.raw`: the upstream's own body, as a string.
    pub raw: Option<Text<'a>>,
    /// A top-level `msg` (many Chinese APIs: `{"code": N, "msg": "..."}`).
    pub msg: Option<Text<'a>>,
    /// A top-level `description`.
    pub description: Option<Text<'a>>,
    /// A top-level `status`: a task's state or an error's code.
    pub status_top: Option<Val<'a>>,
    /// Shapes that say "error" without an `error` key (see [`Fields::says_error`]):
    /// [`SUCCESS_FALSE`], [`ERRORS`], a bit per wrapper from [`WRAPPER_FIRST`].
    pub shape: u8,
    /// A plain-text body (not HTML), read for phrases only.
    pub plain: Option<Text<'a>>,
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

    /// The presence bits of what the body has (see `schema::Probe::bit`).
    pub(crate) fn presence(&self) -> u32 {
        use crate::schema::Probe;
        let mut bits = self.bits;
        let mut set = |on: bool, p: Probe| {
            if on {
                bits |= p.bit().unwrap_or(0);
            }
        };
        set(self.error_obj, Probe::ErrorObject);
        set(self.error_text.is_some(), Probe::ErrorText);
        set(self.error_message.is_some(), Probe::ErrorMessage);
        set(self.message.is_some(), Probe::TopMessage);
        set(self.object.is_some(), Probe::Object);
        set(self.error_msg.is_some(), Probe::ErrorMsg);
        set(self.raw.is_some(), Probe::Raw);
        bits
    }

    /// Whether the body itself says it is an error, whatever the HTTP status.
    pub(crate) fn says_error(&self) -> bool {
        let nonzero = |f: Field| match self.get(f) {
            Some(Val::Int(n)) => *n != 0,
            Some(Val::Str(t)) => !t.is_empty() && t.bytes() != b"0",
            _ => false,
        };
        self.error_obj
            || self.error_text.as_ref().is_some_and(|t| !t.is_empty())
            || self
                .text(Field::Type)
                .is_some_and(|t| t.bytes() == b"error")
            || self.object.as_ref().is_some_and(|t| t.bytes() == b"error")
            || nonzero(Field::BaseRespStatusCode)
            || nonzero(Field::Reason)
            || nonzero(Field::ErrorCodeTop)
            || self.shape != 0
            || self.status_top.as_ref().is_some_and(status_says_error)
            || (code_says_error(self.get(Field::Code)) && self.says_something())
    }

    /// A message-like text at the top level that is not a success word.
    fn says_something(&self) -> bool {
        [&self.message, &self.msg, &self.description, &self.error_msg]
            .into_iter()
            .flatten()
            .any(|t| !t.is_empty() && !success_word(t.bytes()))
    }

    /// The message to read, and where it is: the error object's, else the top level's,
    /// else MiniMax's `status_msg`, else an `error` string, else `error_msg`.
    pub(crate) fn message(&self) -> Option<(&Text<'a>, MessageAt)> {
        None.or(self
            .error_message
            .as_ref()
            .map(|t| (t, MessageAt::ErrorMessage)))
            .or(self.message.as_ref().map(|t| (t, MessageAt::Message)))
            .or(self.status_msg.as_ref().map(|t| (t, MessageAt::StatusMsg)))
            .or(self.error_text.as_ref().map(|t| (t, MessageAt::ErrorText)))
            .or(self.error_msg.as_ref().map(|t| (t, MessageAt::ErrorMsg)))
            .or(self.msg.as_ref().map(|t| (t, MessageAt::Msg)))
            .or(self
                .description
                .as_ref()
                .map(|t| (t, MessageAt::Description)))
            .or(self.plain.as_ref().map(|t| (t, MessageAt::Body)))
    }

    /// A copy whose texts are owned, for fields read from a buffer that does not
    /// outlive them (an SSE payload joined from several lines).
    pub(crate) fn detach(self) -> Fields<'static> {
        fn t(t: Text<'_>) -> Text<'static> {
            Text::Decoded(t.into_cow().into_owned())
        }
        fn v(v: Val<'_>) -> Val<'static> {
            match v {
                Val::Str(s) => Val::Str(t(s)),
                Val::Int(n) => Val::Int(n),
                Val::Other => Val::Other,
            }
        }
        Fields {
            vals: self.vals.map(|x| x.map(v)),
            bits: self.bits,
            error_obj: self.error_obj,
            error_message: self.error_message.map(t),
            error_text: self.error_text.map(t),
            message: self.message.map(t),
            status_msg: self.status_msg.map(t),
            error_msg: self.error_msg.map(t),
            msg: self.msg.map(t),
            description: self.description.map(t),
            status_top: self.status_top.map(v),
            shape: self.shape,
            object: self.object.map(t),
            raw: self.raw.map(t),
            plain: self.plain.map(t),
            doc: self.doc.map(t),
        }
    }

    /// Takes the message out (for the verdict).
    pub(crate) fn take_message(&mut self) -> Option<Text<'a>> {
        self.error_message
            .take()
            .or_else(|| self.message.take())
            .or_else(|| self.status_msg.take())
            .or_else(|| self.error_text.take())
            .or_else(|| self.error_msg.take())
            .or_else(|| self.msg.take())
            .or_else(|| self.description.take())
            .or_else(|| self.plain.take())
    }
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
        Val::Str(t) => {
            let b = t.bytes();
            !success_word(b)
                && FAILURE
                    .iter()
                    .any(|w| b.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
        }
        Val::Other => false,
    }
}

/// Whether a code says error: not 0, not a 2xx, not a success word.
pub(crate) fn code_says_error(v: Option<&Val<'_>>) -> bool {
    match v {
        Some(Val::Int(n)) => *n != 0 && !(200..300).contains(n),
        Some(Val::Str(t)) => {
            let b = t.bytes().trim_ascii();
            let two_hundred = b.len() == 3 && b.first() == Some(&b'2');
            !(b.is_empty() || b == b"0" || two_hundred || success_word(b))
        }
        _ => false,
    }
}

/// Reads a body into its form and, where it has them, its fields: `f` starts empty and
/// the `bool` says whether it was filled. The fields are written in place, so that they
/// are never copied around.
pub(crate) fn read<'a>(body: &'a [u8], f: &mut Fields<'a>) -> (BodyForm, bool) {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let Some(start) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return (BodyForm::Empty, false);
    };
    let rest = body.get(start..).unwrap_or_default();
    match rest.first() {
        Some(b'{' | b'[') => {
            if scan::scan(rest, f) {
                f.doc = Some(Text::Raw(rest));
                (BodyForm::Json, true)
            } else {
                *f = Fields::default();
                // A Python-printed dict pasted as the body.
                let quoted = rest
                    .get(1..)
                    .and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace()));
                if quoted == Some(&b'\'') && python_body(rest, f) {
                    return (BodyForm::Text, true);
                }
                *f = Fields::default();
                (BodyForm::Unparsed, false)
            }
        }
        _ if sse::is_sse(rest) => match sse::first_error(rest) {
            Some(e) => {
                *f = e;
                (BodyForm::Sse, true)
            }
            None => (BodyForm::Sse, false),
        },
        _ => (BodyForm::Text, text_body(rest, f)),
    }
}

/// Reads the first bytes of a body cut at a cap: as [`read`], but a JSON document that
/// ends early keeps the fields read before the cut (every string in them is whole), and
/// its form is [`BodyForm::Unparsed`]. The generic reading does not see a cut document.
#[cfg(feature = "http-body")]
pub(crate) fn read_prefix<'a>(prefix: &'a [u8], f: &mut Fields<'a>) -> (BodyForm, bool) {
    let (form, ok) = read(prefix, f);
    if ok || form != BodyForm::Unparsed {
        return (form, ok);
    }
    let body = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let Some(start) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return (form, ok);
    };
    let mut g = Fields::default();
    let _ = scan::scan(body.get(start..).unwrap_or_default(), &mut g);
    g.doc = None;
    let any = g.says_error() || g.message().is_some() || g.presence() != 0;
    if any {
        *f = g;
    }
    (BodyForm::Unparsed, any)
}

/// How much of a text body is searched for an embedded error object.
const EMBED_LIMIT: usize = 1024;
/// The longest text body read as an embedded Python-printed object (it is copied).
const REPR_LIMIT: usize = 64 << 10;

/// A body that is text, not JSON: what SDKs and clients print and users paste
/// (`Error code: 429 - {'error': {...}}`, `unexpected status 429: {"error":...}`), or a
/// plain message. An error object within the first KiB is read (a Python-printed one
/// is turned into JSON first); otherwise a text that is not an HTML page is kept for
/// phrases. `true` if `f` was filled.
fn text_body<'a>(rest: &'a [u8], f: &mut Fields<'a>) -> bool {
    let head = rest.get(..EMBED_LIMIT).unwrap_or(rest);
    if let Some(at) = memchr::memchr(b'{', head) {
        let obj = rest.get(at..).unwrap_or_default();
        let after = obj.get(1..).unwrap_or_default();
        let next = after.iter().find(|b| !b.is_ascii_whitespace()).copied();
        if next == Some(b'"') {
            let mut g = Fields::default();
            if scan::scan(obj, &mut g) && (g.says_error() || g.message.is_some()) {
                g.doc = Some(Text::Raw(obj));
                *f = g;
                return true;
            }
        } else if next == Some(b'\'') && obj.len() <= REPR_LIMIT {
            if let Some(json) = python_repr_to_json(obj) {
                let mut g = Fields::default();
                if scan::scan(&json, &mut g) && (g.says_error() || g.message.is_some()) {
                    g.doc = Some(Text::Raw(&json));
                    *f = g.detach();
                    return true;
                }
            }
        }
    }
    let html = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<');
    if html {
        return false;
    }
    f.plain = Some(Text::Raw(
        rest.get(..crate::PHRASE_SCAN_LIMIT).unwrap_or(rest),
    ));
    true
}

/// A whole body that is a Python-printed dict (as an SDK prints a response and a user
/// pastes it), read as the JSON it stands for. `true` if `f` was filled.
fn python_body<'a>(rest: &'a [u8], f: &mut Fields<'a>) -> bool {
    if rest.len() > REPR_LIMIT {
        return false;
    }
    let Some(json) = python_repr_to_json(rest) else {
        return false;
    };
    let mut g = Fields::default();
    if !scan::scan(&json, &mut g) {
        return false;
    }
    g.doc = Some(Text::Raw(&json));
    *f = g.detach();
    true
}

/// A Python-printed dict (`{'error': {'message': "it's", 'code': None}}`) as JSON: single-
/// quoted strings become double-quoted, `None`/`True`/`False` become `null`/`true`/
/// `false`. One pass; `None` when a string is left open.
fn python_repr_to_json(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len() + 16);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\'' | b'"' => {
                let quote = c;
                out.push(b'"');
                i += 1;
                loop {
                    let &d = b.get(i)?;
                    i += 1;
                    match d {
                        b'\\' => {
                            let &e = b.get(i)?;
                            i += 1;
                            if e == b'\'' {
                                out.push(b'\'');
                            } else {
                                out.extend_from_slice(&[b'\\', e]);
                            }
                        }
                        d if d == quote => break,
                        b'"' => out.extend_from_slice(b"\\\""),
                        d => out.push(d),
                    }
                }
                out.push(b'"');
            }
            _ => {
                let rest = b.get(i..).unwrap_or_default();
                let word = [
                    (&b"None"[..], &b"null"[..]),
                    (b"True", b"true"),
                    (b"False", b"false"),
                ]
                .into_iter()
                .find(|(w, _)| rest.starts_with(w));
                match word {
                    Some((w, j)) => {
                        out.extend_from_slice(j);
                        i += w.len();
                    }
                    None => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    fn read(b: &[u8]) -> (BodyForm, Option<Fields<'_>>) {
        let mut f = Fields::default();
        let (form, ok) = super::read(b, &mut f);
        (form, ok.then_some(f))
    }

    #[test]
    fn forms() {
        assert_eq!(read(b"").0, BodyForm::Empty);
        assert_eq!(read(b" \r\n\t").0, BodyForm::Empty);
        assert_eq!(read(b"<html>502</html>").0, BodyForm::Text);
        assert_eq!(read(b"{\"error\":").0, BodyForm::Unparsed);
        assert_eq!(read(b"\xEF\xBB\xBF{}").0, BodyForm::Json);
        assert_eq!(read(b"data: {\"x\":1}\n\n").0, BodyForm::Sse);
    }

    #[test]
    fn the_message_prefers_the_error_object() {
        let (_, f) = read(br#"{"message":"top","error":{"message":"inner"}}"#);
        let f = f.unwrap();
        let (m, at) = f.message().unwrap();
        assert_eq!(m.bytes(), b"inner");
        assert_eq!(at, MessageAt::ErrorMessage);
    }

    #[test]
    fn the_aws_type_stops_at_the_colon() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-amzn-errortype",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
                .parse()
                .unwrap(),
        );
        fn amzn_type(h: &HeaderMap) -> Option<&[u8]> {
            headers::Seen::read(h).amzn_type()
        }
        assert_eq!(amzn_type(&h), Some(&b"ThrottlingException"[..]));
        assert_eq!(amzn_type(&HeaderMap::new()), None);
        // The name of an uppercase header in the map is its lowercase form.
        let mut h = HeaderMap::new();
        h.insert("X-Amzn-ErrorType", "ValidationException".parse().unwrap());
        assert_eq!(amzn_type(&h), Some(&b"ValidationException"[..]));
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn python_printed_dicts_become_json() {
        let j =
            python_repr_to_json(b"{'error': {'message': \"it's gone\", 'code': None, 'ok': True}}")
                .unwrap();
        assert_eq!(
            String::from_utf8(j).unwrap(),
            r#"{"error": {"message": "it's gone", "code": null, "ok": true}}"#
        );
        let j = python_repr_to_json(br#"{'m': 'say "hi"', 'e': 'a\'b'}"#).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&j).unwrap();
        assert_eq!(v["m"], "say \"hi\"");
        assert_eq!(v["e"], "a'b");
        assert!(python_repr_to_json(b"{'open").is_none());
    }

    #[test]
    fn errors_printed_inside_text_are_read() {
        let mut f = Fields::default();
        let body = b"Error code: 400 - {'error': {'message': 'x', 'type': 'invalid_request_error', 'code': 'organization_restricted'}}";
        assert_eq!(read(body, &mut f), (BodyForm::Text, true));
        assert_eq!(
            f.text(Field::ErrorCode).unwrap().bytes(),
            b"organization_restricted"
        );
        let mut f = Fields::default();
        let body = br#"unexpected status 429 Too Many Requests: {"error":{"code":"SetLimitExceeded","message":"m"}}"#;
        assert_eq!(read(body, &mut f), (BodyForm::Text, true));
        assert_eq!(
            f.text(Field::ErrorCode).unwrap().bytes(),
            b"SetLimitExceeded"
        );
        // Plain text is kept for phrases; an HTML page is not.
        let mut f = Fields::default();
        assert_eq!(
            read(b"Key limit exceeded (daily limit).", &mut f),
            (BodyForm::Text, true)
        );
        assert!(!f.says_error());
        assert_eq!(f.message().unwrap().1, MessageAt::Body);
        let mut f = Fields::default();
        assert_eq!(
            read(b"<html><body>502 Bad Gateway</body></html>", &mut f),
            (BodyForm::Text, false)
        );
    }
}
