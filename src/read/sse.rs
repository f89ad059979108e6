//! Server-sent events: lines, events, and the error an event carries. Used for whole
//! bodies here and, event by event, by the stream classifier.

use super::{scan, Fields, Text, Val};

/// Whether a body starts like an SSE stream.
pub(crate) fn is_sse(b: &[u8]) -> bool {
    [&b"data:"[..], b"event:", b":", b"id:", b"retry:"]
        .iter()
        .any(|p| b.starts_with(p))
}

/// The lines of `b`, ended by `\r\n`, `\n` or `\r` (the SSE specification allows
/// all three); a last line without an end is included.
pub(crate) fn lines(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(b);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr2(b'\n', b'\r', r) {
            Some(i) => {
                let skip = if r.get(i) == Some(&b'\r') && r.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                rest = r.get(i + skip..);
                r.get(..i)
            }
            None => {
                rest = None;
                (!r.is_empty()).then_some(r)
            }
        }
    })
}

/// What a line of an event says.
pub(crate) enum Line<'a> {
    /// An empty line: the event ends.
    End,
    /// `event: <name>`; `true` for `error`.
    Event(bool),
    /// `data: <payload>`.
    Data(&'a [u8]),
    /// A comment, `id:`, `retry:` or an unknown field.
    Other,
}

/// Parses one line (without its end).
pub(crate) fn line(l: &[u8]) -> Line<'_> {
    if l.is_empty() {
        return Line::End;
    }
    let (name, value) = match memchr::memchr(b':', l) {
        Some(i) => (
            l.get(..i).unwrap_or_default(),
            l.get(i + 1..).unwrap_or_default(),
        ),
        None => (l, &b""[..]),
    };
    let value = value.strip_prefix(b" ").unwrap_or(value);
    match name {
        b"event" => Line::Event(value.trim_ascii() == b"error"),
        b"data" => Line::Data(value),
        _ => Line::Other,
    }
}

/// Whether a data payload could carry an error: it mentions `error` or `base_resp`,
/// or a finish reason a table may name (`content_filter`, `SAFETY`, ...).
pub(crate) fn suspicious(data: &[u8]) -> bool {
    memchr::memmem::find(data, b"error").is_some()
        || memchr::memmem::find(data, b"base_resp").is_some()
        || memchr::memmem::find(data, b"inish").is_some()
        || memchr::memmem::find(data, b"blockReason").is_some()
}

/// The error an event carries, if any: an `event: error` is the error whatever its
/// data says (JSON in any wrapper, plain text, nothing); any other event is one when
/// its JSON says so.
pub(crate) fn event_error(is_error_event: bool, data: &[u8]) -> Option<Fields<'_>> {
    let data = data.trim_ascii();
    if data.first() == Some(&b'{') && (is_error_event || suspicious(data)) {
        let mut f = Fields::default();
        if scan::scan(data, &mut f) {
            if f.says_error() || has_content_field(&f) {
                return Some(f);
            }
            if is_error_event {
                // `event: error` with data that is not an error envelope: the payload
                // itself is the error (`{"message":"..."}`, `{"code":...}`).
                f.error_obj = true;
                return Some(f);
            }
            return None;
        }
    }
    if is_error_event {
        let text = if data.is_empty() { &b"error"[..] } else { data };
        return Some(Fields {
            error_text: Some(Text::Raw(text)),
            ..Fields::default()
        });
    }
    None
}

fn has_content_field(f: &Fields<'_>) -> bool {
    use crate::schema::Field;
    matches!(f.get(Field::FinishReason), Some(Val::Str(_)))
        || matches!(f.get(Field::BlockReason), Some(Val::Str(_)))
}

/// Finds the first event of an SSE body that carries an error. A payload split over
/// several `data:` lines is joined (with `\n`, as the specification says) and then read
/// as one; its texts are copied out of the joined buffer.
pub(crate) fn first_error(b: &[u8]) -> Option<Fields<'_>> {
    fn finish<'a>(
        is_error: bool,
        first: Option<&'a [u8]>,
        joined: Option<Vec<u8>>,
    ) -> Option<Fields<'a>> {
        if let Some(buf) = joined {
            return event_error(is_error, &buf).map(Fields::detach);
        }
        match first {
            Some(d) => event_error(is_error, d),
            None if is_error => event_error(true, b""),
            None => None,
        }
    }
    let mut is_error = false;
    let mut first: Option<&[u8]> = None;
    let mut joined: Option<Vec<u8>> = None;
    for l in lines(b) {
        match line(l) {
            Line::End => {
                if let Some(f) = finish(is_error, first.take(), joined.take()) {
                    return Some(f);
                }
                is_error = false;
            }
            Line::Event(e) => is_error = e,
            Line::Data(d) => match (&mut joined, first) {
                (Some(buf), _) => {
                    if buf.len() + d.len() <= crate::stream::STREAM_EVENT_LIMIT {
                        buf.push(b'\n');
                        buf.extend_from_slice(d);
                    }
                }
                (None, Some(prev)) => {
                    let mut buf = Vec::with_capacity(prev.len() + d.len() + 1);
                    buf.extend_from_slice(prev);
                    buf.push(b'\n');
                    buf.extend_from_slice(d);
                    joined = Some(buf);
                }
                (None, None) => first = Some(d),
            },
            Line::Other => {}
        }
    }
    finish(is_error, first, joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_in_any_of_the_three_ways() {
        let got: Vec<&[u8]> = lines(b"a\r\nb\nc\rd").collect();
        assert_eq!(got, [&b"a"[..], b"b", b"c", b"d"]);
        let got: Vec<&[u8]> = lines(b"a\n\nb\n").collect();
        assert_eq!(got, [&b"a"[..], b"", b"b"]);
    }

    #[test]
    fn an_error_event_is_the_error_whatever_its_wrapper() {
        let f = first_error(b"event: error\ndata: {\"message\":\"overloaded\"}\n\n").unwrap();
        assert_eq!(f.message().unwrap().0.bytes(), b"overloaded");
        let f = first_error(b"event: error\ndata: upstream closed\n\n").unwrap();
        assert_eq!(f.error_text.unwrap().bytes(), b"upstream closed");
        assert!(first_error(b"data: {\"choices\":[]}\n\n").is_none());
    }

    #[test]
    fn a_payload_over_several_data_lines_is_read_as_one() {
        let body = b"event: error\ndata: {\"type\":\"error\",\ndata: \"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        let f = first_error(body).unwrap();
        assert!(f.error_obj);
        assert_eq!(
            f.text(crate::schema::Field::ErrorType).unwrap().bytes(),
            b"overloaded_error"
        );
    }

    #[test]
    fn carriage_returns_alone_end_lines() {
        let body = b"data: {\"x\":1}\r\revent: error\rdata: {\"error\":{\"message\":\"boom\"}}\r\r";
        let f = first_error(body).unwrap();
        assert_eq!(f.message().unwrap().0.bytes(), b"boom");
    }
}
