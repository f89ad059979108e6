//! Reading: what form a body has, and the values of the fields that carry error
//! evidence, borrowed from the body and left undecoded until someone asks.
//!
//! Nothing here can fail: a body that cannot be read yields [`BodyForm::Unparsed`] or
//! [`BodyForm::Text`] and no fields, and the HTTP status decides.

pub(crate) mod delay;
pub(crate) mod evidence;
pub(crate) mod fields;
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

pub use fields::BodyForm;
pub(crate) use fields::{Fields, Text, Val};

/// Reads a body into its form and, where it has them, its fields: `f` starts empty and
/// the `bool` says whether it was filled. The fields are written in place, so that they
/// are never copied around. `buf` (empty, and left so by every common body) holds what
/// a few bodies are read from instead of their own bytes: a Python-printed dict turned
/// into JSON, an SSE payload joined from several lines.
pub(crate) fn read<'a>(
    body: &'a [u8],
    buf: &'a mut Vec<u8>,
    f: &mut Fields<'a>,
) -> (BodyForm, bool) {
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
                if quoted == Some(&b'\'') && python_body(rest, buf, f) {
                    return (BodyForm::Text, true);
                }
                *f = Fields::default();
                (BodyForm::Unparsed, false)
            }
        }
        _ if sse::is_sse(rest) => match sse::first_error(rest, buf) {
            Some(e) => {
                *f = e;
                (BodyForm::Sse, true)
            }
            None => (BodyForm::Sse, false),
        },
        _ => (BodyForm::Text, text_body(rest, buf, f)),
    }
}

/// Reads the first bytes of a body cut at a cap: as [`read`], but a JSON document that
/// ends early keeps the fields read before the cut (every string in them is whole), and
/// its form is [`BodyForm::Unparsed`]. The generic reading does not see a cut document.
#[cfg(feature = "http-body")]
pub(crate) fn read_prefix<'a>(
    prefix: &'a [u8],
    buf: &'a mut Vec<u8>,
    f: &mut Fields<'a>,
) -> (BodyForm, bool) {
    let (form, ok) = read(prefix, buf, f);
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
fn text_body<'a>(rest: &'a [u8], buf: &'a mut Vec<u8>, f: &mut Fields<'a>) -> bool {
    let head = rest.get(..EMBED_LIMIT).unwrap_or(rest);
    if let Some(at) = memchr::memchr(b'{', head) {
        let obj = rest.get(at..).unwrap_or_default();
        let after = obj.get(1..).unwrap_or_default();
        let next = after.iter().find(|b| !b.is_ascii_whitespace()).copied();
        if next == Some(b'"') {
            let mut g = Fields::default();
            if scan::scan(obj, &mut g)
                && (g.says_error() || g.at(crate::schema::TextAt::Message).is_some())
            {
                g.doc = Some(Text::Raw(obj));
                *f = g;
                return true;
            }
        } else if next == Some(b'\'') && obj.len() <= REPR_LIMIT {
            if let Some(json) = python_repr_to_json(obj) {
                *buf = json;
                let json: &'a Vec<u8> = buf;
                let mut g = Fields::default();
                if scan::scan(json, &mut g)
                    && (g.says_error() || g.at(crate::schema::TextAt::Message).is_some())
                {
                    g.doc = Some(Text::Raw(json));
                    *f = g;
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
    *f.slot(crate::schema::TextAt::Plain) = Some(Text::Raw(
        rest.get(..crate::text::PHRASE_SCAN_LIMIT).unwrap_or(rest),
    ));
    true
}

/// A whole body that is a Python-printed dict (as an SDK prints a response and a user
/// pastes it), read as the JSON it stands for. `true` if `f` was filled.
fn python_body<'a>(rest: &'a [u8], buf: &'a mut Vec<u8>, f: &mut Fields<'a>) -> bool {
    if rest.len() > REPR_LIMIT {
        return false;
    }
    let Some(json) = python_repr_to_json(rest) else {
        return false;
    };
    *buf = json;
    let json: &'a Vec<u8> = buf;
    let mut g = Fields::default();
    if !scan::scan(json, &mut g) {
        return false;
    }
    g.doc = Some(Text::Raw(json));
    *f = g;
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

/// Finds a numeric code written as a `(NNNN)` or `(NNNNN)` suffix of a message (as
/// MiniMax's compatible endpoints write it), looking back past up to three trailing
/// `(request id: ...)` groups that gateways append.
///
/// ```text
/// "insufficient balance (1008)"                          -> 1008
/// "usage limit exceeded (2056) (request id: 2024...)"    -> 2056
/// "Rate limit reached for gpt-4 (1234 tokens)"           -> None
/// ```
pub(crate) fn code_in_message(msg: &[u8]) -> Option<i64> {
    let mut rest = msg.trim_ascii_end();
    // Most messages end in a letter: no code suffix, nothing more to look at.
    if !matches!(rest.last(), Some(b')' | b'.' | 0x82)) {
        return None;
    }
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
        let inner = inner_end.get(open + 1..)?.trim_ascii_start();
        if let Some(n) = short_number(inner) {
            return Some(n);
        }
        if !starts_request_id(inner) {
            return None;
        }
        rest = inner_end.get(..open)?.trim_ascii_end();
    }
    None
}

/// `b` (white space after it aside) as a number of four or five digits.
#[inline]
fn short_number(b: &[u8]) -> Option<i64> {
    let b = b.trim_ascii_end();
    if !(4..=5).contains(&b.len()) {
        return None;
    }
    let mut n = 0i64;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(n)
}

/// Whether `b` starts with "request id", in any case: its first eight bytes compared
/// as one word, lower-cased (OR `0x20`) where "request " has a letter (exact for
/// letters; the space is compared as it is).
#[inline]
fn starts_request_id(b: &[u8]) -> bool {
    const LOWER: u64 = 0x0020_2020_2020_2020;
    let (Some(head), Some(tail)) = (b.get(..8), b.get(8..10)) else {
        return false;
    };
    let mut w = [0u8; 8];
    w.copy_from_slice(head);
    (u64::from_le_bytes(w) | LOWER) == u64::from_le_bytes(*b"request ")
        && tail.eq_ignore_ascii_case(b"id")
}

/// The message's code (as [`code_in_message`]) from a text as it came: an escaped
/// message is read as the body has it where its escapes are of characters the reading
/// ignores (CJK words, quotes: the common case), else decoded.
pub(crate) fn code_in_text(t: &Text<'_>) -> Option<i64> {
    match t {
        Text::Wide(raw) => code_in_message(raw),
        _ => t.with(code_in_message),
    }
}

/// An AWS JSON `__type` (`com.amazon.coral.service#ThrottlingException`) without its
/// namespace, up to any `:`.
pub(crate) fn aws_name(b: &[u8]) -> &[u8] {
    let b = match memchr::memrchr(b'#', b) {
        Some(i) => b.get(i + 1..).unwrap_or_default(),
        None => b,
    };
    b.split(|&c| c == b':').next().unwrap_or(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    fn read<'a>(b: &'a [u8], buf: &'a mut Vec<u8>) -> (BodyForm, Option<Fields<'a>>) {
        let mut f = Fields::default();
        let (form, ok) = super::read(b, buf, &mut f);
        (form, ok.then_some(f))
    }

    #[test]
    fn forms() {
        assert_eq!(read(b"", &mut Vec::new()).0, BodyForm::Empty);
        assert_eq!(read(b" \r\n\t", &mut Vec::new()).0, BodyForm::Empty);
        assert_eq!(read(b"<html>502</html>", &mut Vec::new()).0, BodyForm::Text);
        assert_eq!(read(b"{\"error\":", &mut Vec::new()).0, BodyForm::Unparsed);
        assert_eq!(read(b"\xEF\xBB\xBF{}", &mut Vec::new()).0, BodyForm::Json);
        assert_eq!(
            read(b"data: {\"x\":1}\n\n", &mut Vec::new()).0,
            BodyForm::Sse
        );
    }

    #[test]
    fn the_message_prefers_the_error_object() {
        let mut buf = Vec::new();
        let (_, f) = read(
            br#"{"message":"top","error":{"message":"inner"}}"#,
            &mut buf,
        );
        let f = f.unwrap();
        let (m, at) = f.message().unwrap();
        assert_eq!(&*m.bytes(), b"inner");
        assert_eq!(at, crate::schema::TextAt::ErrorMessage);
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
    use crate::schema::Field;

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
        let (mut buf1, mut buf2, mut buf3, mut buf4) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut f = Fields::default();
        let body = b"Error code: 400 - {'error': {'message': 'x', 'type': 'invalid_request_error', 'code': 'organization_restricted'}}";
        assert_eq!(read(body, &mut buf1, &mut f), (BodyForm::Text, true));
        assert_eq!(
            &*f.text(Field::ErrorCode).unwrap().bytes(),
            b"organization_restricted"
        );
        let mut f = Fields::default();
        let body = br#"unexpected status 429 Too Many Requests: {"error":{"code":"SetLimitExceeded","message":"m"}}"#;
        assert_eq!(read(body, &mut buf2, &mut f), (BodyForm::Text, true));
        assert_eq!(
            &*f.text(Field::ErrorCode).unwrap().bytes(),
            b"SetLimitExceeded"
        );
        // Plain text is kept for phrases; an HTML page is not.
        let mut f = Fields::default();
        assert_eq!(
            read(b"Key limit exceeded (daily limit).", &mut buf3, &mut f),
            (BodyForm::Text, true)
        );
        assert!(!f.says_error());
        assert_eq!(f.message().unwrap().1, crate::schema::TextAt::Plain);
        let mut f = Fields::default();
        assert_eq!(
            read(
                b"<html><body>502 Bad Gateway</body></html>",
                &mut buf4,
                &mut f
            ),
            (BodyForm::Text, false)
        );
    }
    /// The reading of a message's code before its "request id" check and number were
    /// read as words: the new one must agree with it.
    fn code_in_message_before(msg: &[u8]) -> Option<i64> {
        let mut rest = msg.trim_ascii_end();
        // Most messages end in a letter: no code suffix, nothing more to look at.
        if !matches!(rest.last(), Some(b')' | b'.' | 0x82)) {
            return None;
        }
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

    proptest::proptest! {
        #[test]
        fn the_code_is_read_as_it_was(
            head in "[a-z ]{0,6}",
            groups in proptest::collection::vec(
                proptest::prop_oneof![
                    "\\( ?[0-9]{3,6} ?\\)",
                    "\\((request|REQUEST|Request|requesT)[ \0]?(id|ID|iD)[: ]{0,2}[a-z0-9]{0,5}\\)",
                    "\\([a-z0-9 ]{0,8}\\)",
                    "[.。 \n]{0,2}",
                    "[()0-9a-z]{0,3}",
                ],
                0..5,
            ),
        ) {
            let m = format!("{head}{}", groups.concat());
            proptest::prop_assert_eq!(code_in_message(m.as_bytes()), code_in_message_before(m.as_bytes()), "{:?}", m);
        }
    }

    #[test]
    fn finds_the_suffix_code() {
        let c = |s: &str| code_in_message(s.as_bytes());
        assert_eq!(c("insufficient balance (1008)"), Some(1008));
        assert_eq!(c("insufficient balance (1008)."), Some(1008));
        assert_eq!(c("invalid samples (20132)"), Some(20132));
        assert_eq!(
            c("usage limit exceeded (2056) (request id: 20240615123456)"),
            Some(2056)
        );
        assert_eq!(c("x (2062) (request id: a) (request id: b)"), Some(2062));
    }
    #[test]
    fn an_escaped_message_is_read_as_it_came_only_where_no_escape_is_near() {
        let c = |raw: &'static [u8]| code_in_text(&Text::escaped(raw));
        assert_eq!(c(br"\u4f59\u989d\u4e0d\u8db3 (1008)"), Some(1008));
        assert_eq!(c(br"\u4f59 (request id: 2024061512345678901234567)"), None);
        // Escapes in the part that decides are decoded: `\u0029` is `)`.
        assert_eq!(c(br"balance (1008\u0029"), Some(1008));
        assert_eq!(c(br"balance (1008)\n"), Some(1008));
        assert_eq!(c(br"\u0028 1008)"), Some(1008));
    }

    #[test]
    fn ignores_what_is_not_a_code_suffix() {
        let c = |s: &str| code_in_message(s.as_bytes());
        assert_eq!(c("Rate limit reached (1234 tokens)"), None);
        assert_eq!(c("error (12)"), None);
        assert_eq!(c("error (123456)"), None);
        assert_eq!(c("(1008) at the start"), None);
        assert_eq!(c("unbalanced 1008)"), None);
        assert_eq!(c(""), None);
        assert_eq!(c("(request id: abc)"), None);
        assert_eq!(c("é (١٠٠٨)"), None);
    }
    #[test]
    fn aws_names_lose_their_namespace() {
        assert_eq!(
            aws_name(b"com.amazon.coral.service#ThrottlingException"),
            b"ThrottlingException"
        );
        assert_eq!(
            aws_name(b"ValidationException:http://x"),
            b"ValidationException"
        );
    }
}
