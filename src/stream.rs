//! Errors that arrive mid-stream: an incremental classifier fed the bytes of an SSE
//! response in chunks of any size.

use http::{HeaderMap, StatusCode};

use crate::{classify, classify_as, ApiError, Provider};

/// The first error event of a stream, and whether ordinary output came before it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct StreamError {
    /// The error.
    pub error: ApiError,
    /// Whether an ordinary `data:` chunk came before the error: once tokens reached the
    /// client, retrying the request would repeat them, so a gateway should end the
    /// stream with the error rather than retry silently. Conservative: any ordinary
    /// chunk counts, metadata such as Anthropic's `message_start` included.
    pub after_output: bool,
}

/// Classifies an SSE response incrementally: feed it the bytes as they arrive, in
/// chunks of any size (a chunk may end in the middle of a line or of a UTF-8
/// character); it reports the first error event.
///
/// ```
/// use errnorm::{ErrorKind, StreamClassifier};
/// use http::StatusCode;
///
/// let mut s = StreamClassifier::new(StatusCode::OK);
/// assert!(s.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\nevent: err").is_none());
/// let e = s.feed(b"or\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n").unwrap();
/// assert_eq!(e.error.kind(), ErrorKind::Transient);
/// assert!(e.after_output);
/// ```
#[derive(Debug)]
pub struct StreamClassifier {
    status: StatusCode,
    headers: HeaderMap,
    provider: Option<Provider>,
    /// The event being read: its lines so far, and the partial line at the end.
    event: Vec<u8>,
    line_start: usize,
    event_is_error: bool,
    output_sent: bool,
    found: Option<StreamError>,
    overflow: bool,
}

/// The longest event the classifier keeps; longer events are skipped (bounded memory).
pub const STREAM_EVENT_LIMIT: usize = 1 << 20;

impl StreamClassifier {
    /// A classifier for a stream that came with `status` (usually 200).
    pub fn new(status: StatusCode) -> StreamClassifier {
        StreamClassifier {
            status,
            headers: HeaderMap::new(),
            provider: None,
            event: Vec::new(),
            line_start: 0,
            event_is_error: false,
            output_sent: false,
            found: None,
            overflow: false,
        }
    }

    /// The same, with the response headers (for delays) and a provider hint.
    pub fn with(
        status: StatusCode,
        headers: HeaderMap,
        provider: Option<Provider>,
    ) -> StreamClassifier {
        StreamClassifier {
            headers,
            provider,
            ..StreamClassifier::new(status)
        }
    }

    /// Whether an ordinary output chunk has been seen so far.
    pub fn output_sent(&self) -> bool {
        self.output_sent
    }

    /// The first error event, once found.
    pub fn error(&self) -> Option<&StreamError> {
        self.found.as_ref()
    }

    /// Feeds the next bytes; returns the first error event once it is complete (and
    /// every time after).
    pub fn feed(&mut self, chunk: &[u8]) -> Option<&StreamError> {
        if self.found.is_some() {
            return self.found.as_ref();
        }
        let mut rest = chunk;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            let (line, tail) = rest.split_at(nl + 1);
            rest = tail;
            self.push(line);
            self.end_line();
            if self.found.is_some() {
                return self.found.as_ref();
            }
        }
        self.push(rest);
        None
    }

    /// The stream ended: reads a last event that had no blank line after it.
    pub fn finish(&mut self) -> Option<&StreamError> {
        if self.found.is_none() && self.line_start < self.event.len() {
            self.event.push(b'\n');
            self.end_line();
        }
        if self.found.is_none() && !self.event.is_empty() {
            self.end_event();
        }
        self.found.as_ref()
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.event.len() + bytes.len() > STREAM_EVENT_LIMIT {
            self.overflow = true;
            return;
        }
        self.event.extend_from_slice(bytes);
    }

    /// A line has ended (its `\n` is in the buffer).
    fn end_line(&mut self) {
        let line = self.event.get(self.line_start..).unwrap_or_default();
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            self.end_event();
            return;
        }
        if let Some(name) = line.strip_prefix(b"event:") {
            self.event_is_error = name.trim_ascii() == b"error";
        } else if let Some(data) = line.strip_prefix(b"data:") {
            let data = data.trim_ascii();
            let suspicious = self.event_is_error
                || memchr::memmem::find(data, b"error").is_some()
                || memchr::memmem::find(data, b"base_resp").is_some();
            if !suspicious && !data.is_empty() && data != b"[DONE]" {
                // Ordinary output: nothing to keep.
                self.output_sent = true;
                self.event.truncate(self.line_start);
                return;
            }
        }
        self.line_start = self.event.len();
    }

    /// A blank line ended an event: classify what it kept.
    fn end_event(&mut self) {
        if !self.overflow && !self.event.is_empty() {
            let v = match self.provider {
                Some(p) => classify_as(p, self.status, &self.headers, &self.event),
                None => classify(self.status, &self.headers, &self.event),
            };
            if let Some(v) = v {
                self.found = Some(StreamError {
                    error: v.into_error(),
                    after_output: self.output_sent,
                });
            } else if memchr::memmem::find(&self.event, b"data:").is_some() {
                // A data chunk that merely mentioned "error" was output after all.
                self.output_sent = true;
            }
        }
        self.event.clear();
        self.line_start = 0;
        self.event_is_error = false;
        self.overflow = false;
    }
}
