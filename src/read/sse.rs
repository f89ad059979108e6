//! Server-sent events: lines, events, and the error an event carries. Used for whole
//! bodies here and, event by event, by the stream classifier.

use super::fields::{Fields, Text, Val};
use super::scan;
use crate::schema::TextAt;

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
            f.doc = Some(Text::Raw(data));
            if f.says_error() || has_content_field(&f) {
                return Some(f);
            }
            if is_error_event {
                // `event: error` with data that is not an error envelope: the payload
                // itself is the error object (`{"message":"..."}`, `{"code":...}`), so
                // its fields are read as the error object's.
                use crate::schema::Field;
                for (from, to) in [
                    (Field::Code, Field::ErrorCode),
                    (Field::Type, Field::ErrorType),
                ] {
                    if f.get(to).is_none() {
                        if let Some(v) = f.get(from).cloned() {
                            f.clear(from);
                            f.set(to, v);
                        }
                    }
                }
                if f.at(TextAt::ErrorMessage).is_none() {
                    *f.slot(TextAt::ErrorMessage) = f.slot(TextAt::Message).take();
                }
                f.error_obj = true;
                return Some(f);
            }
            return None;
        }
    }
    if is_error_event {
        let text = if data.is_empty() { &b"error"[..] } else { data };
        let mut f = Fields::default();
        *f.slot(TextAt::ErrorText) = Some(Text::Raw(text));
        return Some(f);
    }
    None
}

fn has_content_field(f: &Fields<'_>) -> bool {
    use crate::schema::Field;
    matches!(f.get(Field::FinishReason), Some(Val::Str(_)))
        || matches!(f.get(Field::BlockReason), Some(Val::Str(_)))
}

/// The longest line, and the longest event payload, that errnorm reads in an SSE
/// stream; an event with a longer one is skipped (counted as output), so memory stays
/// bounded and the answer does not depend on how the stream is cut.
pub const STREAM_EVENT_LIMIT: usize = 1 << 20;

/// Finds the first event of an SSE body that carries an error. A payload split over
/// several `data:` lines is joined (with `\n`, as the specification says) and then read
/// as one; the fields of a joined payload borrow it from `out`. The rules are those of
/// [`Events`], which reads a stream in chunks.
pub(crate) fn first_error<'a>(b: &'a [u8], out: &'a mut Vec<u8>) -> Option<Fields<'a>> {
    let mut is_error = false;
    let mut skip = false;
    let mut first: Option<&[u8]> = None;
    let mut joined: Option<Vec<u8>> = None;
    let mut len = 0usize;
    for l in lines(b) {
        if l.len() > STREAM_EVENT_LIMIT {
            skip = true;
            continue;
        }
        match line(l) {
            Line::End => {
                let (f, j) = (first.take(), joined.take());
                if !skip {
                    match j {
                        Some(j) => {
                            // Read twice when it holds an error (a rare payload): the
                            // fields returned must borrow `out`, which can be handed
                            // over only once, so the payload that holds none is told
                            // apart first.
                            if event_error(is_error, &j).is_some() {
                                return joined_error(is_error, j, out);
                            }
                        }
                        None => {
                            if let Some(f) = single_error(is_error, f) {
                                return Some(f);
                            }
                        }
                    }
                }
                is_error = false;
                skip = false;
                len = 0;
            }
            Line::Event(e) => is_error = e,
            Line::Data(d) => {
                len += d.len() + usize::from(first.is_some());
                if len > STREAM_EVENT_LIMIT {
                    skip = true;
                    continue;
                }
                match (&mut joined, first) {
                    (Some(buf), _) => {
                        buf.push(b'\n');
                        buf.extend_from_slice(d);
                    }
                    (None, Some(prev)) => {
                        let mut buf = Vec::with_capacity(prev.len() + d.len() + 1);
                        buf.extend_from_slice(prev);
                        buf.push(b'\n');
                        buf.extend_from_slice(d);
                        joined = Some(buf);
                    }
                    (None, None) => first = Some(d),
                }
            }
            Line::Other => {}
        }
    }
    if skip {
        return None;
    }
    match joined {
        Some(j) => joined_error(is_error, j, out),
        None => single_error(is_error, first),
    }
}

/// The fields of an event read from its one data line (or from none, for an
/// `event: error` without data), if it carries an error.
fn single_error(is_error: bool, data: Option<&[u8]>) -> Option<Fields<'_>> {
    match data {
        Some(d) => event_error(is_error, d),
        None if is_error => event_error(true, b""),
        None => None,
    }
}

/// The fields of a payload joined from several data lines, if it carries an error:
/// the payload is kept in `out`, which they borrow.
fn joined_error<'a>(is_error: bool, joined: Vec<u8>, out: &'a mut Vec<u8>) -> Option<Fields<'a>> {
    *out = joined;
    let data: &'a Vec<u8> = out;
    event_error(is_error, data)
}

/// A complete event that may carry an error.
pub(crate) struct Event {
    /// It was an `event: error`.
    pub is_error: bool,
    /// Its data lines, joined with `\n`.
    pub data: Vec<u8>,
    /// Where it starts in the stream, in bytes.
    pub start: u64,
}

/// An SSE stream read in chunks of any size, by the same rules as [`first_error`]:
/// lines end in `\r\n`, `\n` or `\r` (also when a chunk ends between the two), an
/// event ends at an empty line, a line or payload over [`STREAM_EVENT_LIMIT`] skips its
/// event.
#[derive(Debug, Default)]
pub(crate) struct Events {
    line: Vec<u8>,
    line_over: bool,
    after_cr: bool,
    data: Vec<u8>,
    has_data: bool,
    is_error: bool,
    skip: bool,
    /// Ordinary output (a data event that is not an error) was seen.
    pub output: bool,
    pos: u64,
    start: u64,
}

impl Events {
    /// Reads `chunk` up to the end of the next event that may carry an error; returns
    /// how many bytes it read, and that event. Call again with the rest.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> (usize, Option<Event>) {
        let mut i = 0;
        if self.after_cr && chunk.first() == Some(&b'\n') {
            // The `\n` of a `\r\n` split between two chunks: it belongs to the line
            // before, so an event that starts after that line starts after it too.
            i = 1;
            if self.start == self.pos {
                self.start += 1;
            }
            self.pos += 1;
        }
        if !chunk.is_empty() {
            self.after_cr = false;
        }
        while let Some(rest) = chunk.get(i..).filter(|r| !r.is_empty()) {
            let Some(at) = memchr::memchr2(b'\n', b'\r', rest) else {
                self.push(rest);
                i = chunk.len();
                break;
            };
            self.push(rest.get(..at).unwrap_or_default());
            let cr = rest.get(at) == Some(&b'\r');
            let mut end = at + 1;
            if cr {
                match rest.get(at + 1) {
                    Some(b'\n') => end += 1,
                    None => self.after_cr = true,
                    _ => {}
                }
            }
            i += end;
            // push counted the line; this is its end.
            self.pos += (end - at) as u64;
            if let Some(e) = self.end_line() {
                return (i, Some(e));
            }
        }
        (i, None)
    }

    /// Whether anything but white space has been read.
    pub(crate) fn seen(&self) -> bool {
        self.pos > 0
    }

    /// How many bytes have been read.
    pub(crate) fn position(&self) -> u64 {
        self.pos
    }

    /// Where the event being read starts: every byte before it belongs to a complete
    /// event (or to a line or event skipped for its size).
    #[cfg_attr(not(feature = "http-body"), allow(dead_code))]
    pub(crate) fn boundary(&self) -> u64 {
        self.start
    }

    /// Ends the stream: a last line and event without their ends are read too.
    pub(crate) fn finish(&mut self) -> Option<Event> {
        if !self.line.is_empty() || self.line_over {
            if let Some(e) = self.end_line() {
                return Some(e);
            }
        }
        self.end_event()
    }

    fn push(&mut self, bytes: &[u8]) {
        self.pos += bytes.len() as u64;
        if self.line.len() + bytes.len() > STREAM_EVENT_LIMIT {
            self.line_over = true;
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn end_line(&mut self) -> Option<Event> {
        let over = std::mem::take(&mut self.line_over);
        let l = std::mem::take(&mut self.line);
        if over {
            self.skip = true;
            self.has_data = true;
            return None;
        }
        let ev = match line(&l) {
            Line::End => self.end_event(),
            Line::Event(e) => {
                self.is_error = e;
                None
            }
            Line::Data(d) => {
                if self.data.len() + d.len() + usize::from(self.has_data) > STREAM_EVENT_LIMIT {
                    self.skip = true;
                } else {
                    if self.has_data {
                        self.data.push(b'\n');
                    }
                    self.data.extend_from_slice(d);
                }
                self.has_data = true;
                None
            }
            Line::Other => None,
        };
        // Keep the line's buffer for the next line.
        self.line = l;
        self.line.clear();
        ev
    }

    fn end_event(&mut self) -> Option<Event> {
        let start = std::mem::replace(&mut self.start, self.pos);
        let is_error = std::mem::take(&mut self.is_error);
        let has_data = std::mem::take(&mut self.has_data);
        let skip = std::mem::take(&mut self.skip);
        let data = std::mem::take(&mut self.data);
        if skip {
            self.output |= has_data;
            return None;
        }
        if is_error || (has_data && suspicious(&data)) {
            return Some(Event {
                is_error,
                data,
                start,
            });
        }
        let d = data.trim_ascii();
        if has_data && !d.is_empty() && d != b"[DONE]" {
            self.output = true;
        }
        None
    }
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
        let mut buf = Vec::new();
        let f = first_error(
            b"event: error\ndata: {\"message\":\"overloaded\"}\n\n",
            &mut buf,
        )
        .unwrap();
        assert_eq!(&*f.message().unwrap().0.bytes(), b"overloaded");
        let mut buf = Vec::new();
        let f = first_error(b"event: error\ndata: upstream closed\n\n", &mut buf).unwrap();
        assert_eq!(
            &*f.at(TextAt::ErrorText).unwrap().bytes(),
            b"upstream closed"
        );
        assert!(first_error(b"data: {\"choices\":[]}\n\n", &mut Vec::new()).is_none());
    }

    #[test]
    fn a_payload_over_several_data_lines_is_read_as_one() {
        let body = b"event: error\ndata: {\"type\":\"error\",\ndata: \"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        let mut buf = Vec::new();
        let f = first_error(body, &mut buf).unwrap();
        assert!(f.error_obj);
        assert_eq!(
            &*f.text(crate::schema::Field::ErrorType).unwrap().bytes(),
            b"overloaded_error"
        );
    }

    #[test]
    fn carriage_returns_alone_end_lines() {
        let body = b"data: {\"x\":1}\r\revent: error\rdata: {\"error\":{\"message\":\"boom\"}}\r\r";
        let mut buf = Vec::new();
        let f = first_error(body, &mut buf).unwrap();
        assert_eq!(&*f.message().unwrap().0.bytes(), b"boom");
    }
}
