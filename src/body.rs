//! Reading a response body: what form it has, and the few fields that carry error
//! evidence, borrowed from the body where the JSON has no escapes.
//!
//! Nothing here can fail: a body that cannot be read yields [`BodyForm::Unparsed`] or
//! [`BodyForm::Text`] and no fields, and the HTTP status decides.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

use crate::scan::{key_of, Key};

/// What the body was, as far as errnorm could tell.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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
    /// It looked like JSON but was not: truncated, invalid, or not UTF-8 in a field
    /// errnorm reads.
    Unparsed,
}

/// A JSON scalar of interest: a string, an integer, or anything else (ignored).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Other,
}

impl<'a> Val<'a> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub(crate) fn into_text(self) -> Option<Cow<'a, str>> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The `error` object of the OpenAI, Anthropic, MiMo and gateway shapes.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ErrorObj<'a> {
    pub code: Option<Val<'a>>,
    pub message: Option<Cow<'a, str>>,
    pub kind: Option<Cow<'a, str>>,
}

/// The evidence-bearing fields of a body. Everything else is skipped unread.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Fields<'a> {
    /// Top-level `type` (`"error"` in Anthropic's shape).
    pub top_type: Option<Cow<'a, str>>,
    /// Top-level `error` as an object.
    pub error: Option<ErrorObj<'a>>,
    /// Top-level `error` as a string.
    pub error_text: Option<Cow<'a, str>>,
    /// MiniMax `base_resp.status_code`.
    pub base_code: Option<i64>,
    /// MiniMax `base_resp.status_msg`.
    pub base_msg: Option<Cow<'a, str>>,
    /// Top-level `code` (Novita: the HTTP status as a number).
    pub code: Option<Val<'a>>,
    /// Top-level `reason` (Novita's named code).
    pub reason: Option<Cow<'a, str>>,
    /// Top-level `message`, or `detail` when there is no `message`.
    pub message: Option<Cow<'a, str>>,
}

impl Fields<'_> {
    /// Whether the body itself says it is an error, whatever the HTTP status.
    pub(crate) fn says_error(&self) -> bool {
        self.error.is_some()
            || self
                .error_text
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty())
            || self.top_type.as_deref() == Some("error")
            || self.base_code.is_some_and(|c| c != 0)
            || self.reason.as_deref().is_some_and(|r| !r.is_empty())
    }

    /// Where [`Fields::message`] comes from, as a JSON pointer.
    pub(crate) fn message_path(&self) -> &'static str {
        if self.error.as_ref().is_some_and(|e| e.message.is_some()) {
            "/error/message"
        } else if self.message.is_some() {
            "/message"
        } else if self.base_msg.is_some() {
            "/base_resp/status_msg"
        } else {
            "/error"
        }
    }

    /// The message text to read: the error object's, else the top level's, else
    /// MiniMax's `status_msg`, else an `error` string.
    pub(crate) fn message(&self) -> Option<&str> {
        self.error
            .as_ref()
            .and_then(|e| e.message.as_deref())
            .or(self.message.as_deref())
            .or(self.base_msg.as_deref())
            .or(self.error_text.as_deref())
    }
}

/// Reads a body into its form and, where it has them, its fields: `f` starts empty and
/// the `bool` says whether it was filled. The fields are written in place, so a verdict
/// never copies them around.
pub(crate) fn read<'a>(body: &'a [u8], f: &mut Fields<'a>) -> (BodyForm, bool) {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let Some(start) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return (BodyForm::Empty, false);
    };
    let rest = body.get(start..).unwrap_or_default();
    match rest.first() {
        Some(b'{' | b'[') => {
            if crate::scan::scan(rest, f) {
                (BodyForm::Json, true)
            } else {
                *f = Fields::default();
                (BodyForm::Unparsed, false)
            }
        }
        _ if is_sse(rest) => match sse_error(rest) {
            Some(e) => {
                *f = e;
                (BodyForm::Sse, true)
            }
            None => (BodyForm::Sse, false),
        },
        _ => (BodyForm::Text, false),
    }
}

fn is_sse(b: &[u8]) -> bool {
    [&b"data:"[..], b"event:", b":", b"id:", b"retry:"]
        .iter()
        .any(|p| b.starts_with(p))
}

/// The reference reader: the same fields through serde_json's own parser. The hot path
/// uses `scan::scan`, which must agree with this on every input serde_json accepts;
/// tests and the fuzz target compare them. Trailing bytes after the first complete
/// value are tolerated (some proxies append a newline or a second copy).
pub(crate) fn reference(b: &[u8]) -> Option<Fields<'_>> {
    let mut de = serde_json::Deserializer::from_slice(b);
    Top::deserialize(&mut de).ok().map(|t| t.0)
}

/// Finds the first error event in an SSE body: an `event: error`, or a `data:` payload
/// that is an error object (including a MiniMax `base_resp` with a non-zero code).
/// Ordinary chunks are skipped without being parsed unless they mention `error` or
/// `base_resp`.
fn sse_error(b: &[u8]) -> Option<Fields<'_>> {
    let mut event_is_error = false;
    for raw in b.split(|&c| c == b'\n') {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            event_is_error = false;
            continue;
        }
        if let Some(name) = line.strip_prefix(b"event:") {
            event_is_error = name.trim_ascii() == b"error";
            continue;
        }
        let Some(data) = line.strip_prefix(b"data:") else {
            continue;
        };
        let data = data.trim_ascii();
        let mentions = memchr::memmem::find(data, b"error").is_some()
            || memchr::memmem::find(data, b"base_resp").is_some();
        if data.first() == Some(&b'{') && (mentions || event_is_error) {
            let mut f = Fields::default();
            if crate::scan::scan(data, &mut f) {
                if event_is_error || f.says_error() {
                    return Some(f);
                }
                continue;
            }
        }
        if event_is_error {
            // An error event whose data is plain text.
            let text = String::from_utf8_lossy(data);
            return Some(Fields {
                error_text: Some(if text.is_empty() {
                    Cow::Borrowed("error")
                } else {
                    text
                }),
                ..Fields::default()
            });
        }
    }
    None
}

// ----- serde visitors: read only the keys that matter, skip the rest -----

struct Top<'a>(Fields<'a>);

impl<'de> Deserialize<'de> for Top<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut f = Fields::default();
        let mut detail = None;
        while let Some(key) = map.next_key::<KeyOf>()?.map(|k| k.0) {
            match key {
                Key::Type => f.top_type = map.next_value::<Val>()?.into_text(),
                Key::Error => match map.next_value::<ErrorField>()? {
                    ErrorField::Obj(o) => {
                        f.error = Some(o);
                        f.error_text = None;
                    }
                    ErrorField::Text(t) => {
                        f.error_text = Some(t);
                        f.error = None;
                    }
                    ErrorField::Other => {}
                },
                Key::BaseResp => {
                    let b = map.next_value::<BaseResp>()?;
                    f.base_code = b.code;
                    f.base_msg = b.msg;
                }
                Key::Code => f.code = Some(map.next_value::<Val>()?),
                Key::Reason => f.reason = map.next_value::<Val>()?.into_text(),
                Key::Message => f.message = map.next_value::<Val>()?.into_text(),
                Key::Detail => detail = map.next_value::<Val>()?.into_text(),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if f.message.is_none() {
            f.message = detail;
        }
        Ok(Top(f))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top(Fields::default()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top<'de>, E> {
        Ok(Top(Fields::default()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top<'de>, E> {
        Ok(Top(Fields::default()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top<'de>, E> {
        Ok(Top(Fields::default()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top<'de>, E> {
        Ok(Top(Fields::default()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top<'de>, E> {
        Ok(Top(Fields::default()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top<'de>, E> {
        Ok(Top(Fields::default()))
    }
}

/// A key, recognised without allocating by the scanner's own `key_of`, so that both
/// readers know the same keys.
struct KeyOf(Key);

impl<'de> Deserialize<'de> for KeyOf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyOf;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyOf, E> {
                Ok(KeyOf(key_of(s.as_bytes())))
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(s)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val<'de>, E> {
        Ok(Val::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val<'de>, E> {
        Ok(i64::try_from(v).map_or(Val::Other, Val::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val<'de>, E> {
        // 1008.0 is still code 1008; anything fractional or out of range is not a code.
        let ok = v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15;
        #[allow(clippy::cast_possible_truncation)]
        Ok(if ok { Val::Int(v as i64) } else { Val::Other })
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_none<E: de::Error>(self) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Val::Other)
    }
}

enum ErrorField<'a> {
    Obj(ErrorObj<'a>),
    Text(Cow<'a, str>),
    Other,
}

impl<'de> Deserialize<'de> for ErrorField<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ErrorField<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an error object or message")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut o = ErrorObj::default();
                while let Some(key) = map.next_key::<KeyOf>()?.map(|k| k.0) {
                    match key {
                        Key::Code => o.code = Some(map.next_value::<Val>()?),
                        Key::Message => o.message = map.next_value::<Val>()?.into_text(),
                        Key::Type => o.kind = map.next_value::<Val>()?.into_text(),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ErrorField::Obj(o))
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(ErrorField::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(ErrorField::Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(ErrorField::Text(Cow::Owned(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ErrorField::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(ErrorField::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(ErrorField::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(ErrorField::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(ErrorField::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ErrorField::Other)
            }
        }
        d.deserialize_any(V)
    }
}

struct BaseResp<'a> {
    code: Option<i64>,
    msg: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for BaseResp<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BaseResp<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a base_resp object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut b = BaseResp {
                    code: None,
                    msg: None,
                };
                while let Some(key) = map.next_key::<KeyOf>()?.map(|k| k.0) {
                    match key {
                        Key::StatusCode => {
                            b.code = match map.next_value::<Val>()? {
                                Val::Int(c) => Some(c),
                                Val::Str(s) => s.trim().parse().ok(),
                                Val::Other => None,
                            }
                        }
                        Key::StatusMsg => b.msg = map.next_value::<Val>()?.into_text(),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(b)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(BaseResp {
                    code: None,
                    msg: None,
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BaseResp {
                    code: None,
                    msg: None,
                })
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                self.visit_unit()
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                self.visit_unit()
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                self.visit_unit()
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                self.visit_unit()
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                self.visit_unit()
            }
        }
        d.deserialize_any(V)
    }
}

/// Checks that the scanner and the serde_json reference read the same fields from `b`
/// wherever serde_json accepts it. For the fuzz target and tests; not part of the API.
#[doc(hidden)]
pub fn scanner_agrees_with_serde(b: &[u8]) -> Result<(), String> {
    let Some(want) = reference(b) else {
        // serde_json rejects it; the scanner need only not panic.
        let _ = crate::scan::scan(b, &mut Fields::default());
        return Ok(());
    };
    let mut got = Fields::default();
    let ok = crate::scan::scan(b, &mut got);
    if ok && got == want {
        Ok(())
    } else {
        Err(format!(
            "serde_json read {want:?}, the scanner {ok} {got:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(b: &[u8]) -> (BodyForm, Option<Fields<'_>>) {
        let mut f = Fields::default();
        let (form, has) = super::read(b, &mut f);
        (form, has.then_some(f))
    }

    #[test]
    fn forms() {
        assert_eq!(read(b"").0, BodyForm::Empty);
        assert_eq!(read(b" \r\n\t").0, BodyForm::Empty);
        assert_eq!(read(b"<html>502</html>").0, BodyForm::Text);
        assert_eq!(read(b"{\"error\":").0, BodyForm::Unparsed);
        assert_eq!(read(b"{\"error\":\"\xff\"}").0, BodyForm::Unparsed);
        // Bytes in values errnorm skips are not checked, as serde_json does not check them.
        assert_eq!(read(b"{\"a\":\"\xff\"}").0, BodyForm::Json);
        assert_eq!(read(b"\xEF\xBB\xBF{}").0, BodyForm::Json);
        assert_eq!(read(b"data: {\"x\":1}\n\n").0, BodyForm::Sse);
    }

    #[test]
    fn borrows_unescaped_strings_and_owns_escaped_ones() {
        let (_, f) = read(br#"{"error":{"message":"plain","type":"t\u0065"}}"#);
        let e = f.unwrap().error.unwrap();
        assert!(matches!(e.message, Some(Cow::Borrowed("plain"))));
        assert!(matches!(e.kind, Some(Cow::Owned(ref s)) if s == "te"));
    }

    #[test]
    fn odd_field_types_do_not_lose_the_rest() {
        let (form, f) = read(
            br#"{"error":{"message":{"nested":[1,2]},"code":12.0,"type":null},"base_resp":{"status_code":"1008","status_msg":7}}"#,
        );
        assert_eq!(form, BodyForm::Json);
        let f = f.unwrap();
        let e = f.error.as_ref().unwrap();
        assert_eq!(e.message, None);
        assert_eq!(e.code, Some(Val::Int(12)));
        assert_eq!(f.base_code, Some(1008));
        assert!(f.says_error());
    }

    #[test]
    fn sse_finds_the_error_event_and_skips_ordinary_chunks() {
        let ok = b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n";
        assert_eq!(read(ok), (BodyForm::Sse, None));
        let minimax = b"data: {\"choices\":[]}\n\ndata: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}\n\n";
        assert_eq!(read(minimax).1.unwrap().base_code, Some(1002));
        let ev = b"event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: error\r\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\r\n\r\n";
        let f = read(ev).1.unwrap();
        assert_eq!(f.error.unwrap().kind.as_deref(), Some("overloaded_error"));
        let text = b"event: error\ndata: upstream went away\n\n";
        assert_eq!(
            read(text).1.unwrap().error_text.as_deref(),
            Some("upstream went away")
        );
        // A success chunk that merely mentions the word error is not an error.
        let benign = b"data: {\"choices\":[{\"delta\":{\"content\":\"no error here\"}}]}\n\n";
        assert_eq!(read(benign).1, None);
    }
}
