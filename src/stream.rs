//! Errors that arrive mid-stream: an incremental classifier fed the bytes of an SSE
//! response in chunks of any size, made by
//! [`Classifier::stream`](crate::Classifier::stream).

use http::{HeaderMap, StatusCode};

use crate::pipeline::run_read;
use crate::read::sse::{event_error, Event, Events};
use crate::read::BodyForm;
use crate::{ApiError, Provider};

/// The first error event of a stream, and whether ordinary output came before it.
///
/// ```
/// use errnorm::Classifier;
/// use http::{HeaderMap, StatusCode};
///
/// let hi = b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n";
/// let mut s = Classifier::shared().stream(StatusCode::OK, HeaderMap::new());
/// s.feed(hi);
/// let e = s.feed(b"data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n").unwrap();
/// assert!(e.after_output()); // tokens went out: end the stream, do not retry silently
/// assert_eq!(e.offset(), hi.len() as u64); // cut the upstream's event here
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct StreamError {
    pub(crate) error: ApiError,
    pub(crate) after_output: bool,
    pub(crate) offset: u64,
}

impl StreamError {
    /// The error.
    pub fn error(&self) -> &ApiError {
        &self.error
    }

    /// The error, owned.
    pub fn into_error(self) -> ApiError {
        self.error
    }

    /// Whether an ordinary `data:` chunk came before the error: once tokens reached the
    /// client, retrying the request would repeat them, so a gateway should end the
    /// stream with the error rather than retry silently. Conservative: any ordinary
    /// chunk counts, metadata such as Anthropic's `message_start` included.
    pub fn after_output(&self) -> bool {
        self.after_output
    }

    /// Where the error event starts in the stream, in bytes from its first byte: a
    /// gateway that relays the stream can cut the upstream's event there and send its
    /// own error event instead.
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

/// Classifies an SSE response incrementally: feed it the bytes as they arrive, in
/// chunks of any size (a chunk may end in the middle of a line or of a UTF-8
/// character); it reports the first error event.
///
/// ```
/// use errnorm::{Classifier, ErrorKind};
/// use http::{HeaderMap, StatusCode};
///
/// let mut s = Classifier::shared().stream(StatusCode::OK, HeaderMap::new());
/// assert!(s.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\nevent: err").is_none());
/// let e = s.feed(b"or\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n").unwrap();
/// assert_eq!(e.error().kind(), ErrorKind::Transient);
/// assert!(e.after_output());
/// ```
#[derive(Debug)]
pub struct StreamClassifier {
    status: StatusCode,
    headers: HeaderMap,
    provider: Option<Provider>,
    rules: Option<std::sync::Arc<crate::decide::rules::Rules>>,
    events: Events,
    found: Option<StreamError>,
    finished: bool,
}

pub use crate::read::sse::STREAM_EVENT_LIMIT;

impl StreamClassifier {
    /// A classifier for a stream that came with this status and these headers (their
    /// delay headers reach the error), with a classifier's runtime rules and provider
    /// hint: built by [`Classifier::stream`](crate::Classifier::stream) only, so that a
    /// stream holds no settings of its own.
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        rules: Option<std::sync::Arc<crate::decide::rules::Rules>>,
        provider: Option<Provider>,
    ) -> StreamClassifier {
        StreamClassifier {
            status,
            headers,
            provider,
            rules,
            events: Events::default(),
            found: None,
            finished: false,
        }
    }

    /// Where the event being read starts, in bytes from the stream's first: the bytes
    /// before it form complete events, which a relay can hand on.
    #[cfg_attr(not(feature = "http-body"), allow(dead_code))]
    pub(crate) fn boundary(&self) -> u64 {
        self.events.boundary()
    }

    /// Whether ordinary output has been seen so far.
    pub fn output_sent(&self) -> bool {
        self.events.output
    }

    /// The error found so far, if any.
    pub fn error(&self) -> Option<&StreamError> {
        self.found.as_ref()
    }

    /// Feeds the next chunk; returns the first error event once it is complete. After
    /// that, further chunks are ignored.
    pub fn feed(&mut self, chunk: &[u8]) -> Option<&StreamError> {
        let mut rest = chunk;
        while self.found.is_none() && !rest.is_empty() {
            let (n, ev) = self.events.feed(rest);
            rest = rest.get(n..).unwrap_or_default();
            if let Some(ev) = ev {
                self.classify_event(ev);
            }
        }
        self.found.as_ref()
    }

    /// Ends the stream: an event cut off without its blank line is read too, and a
    /// stream under an error status that carried no error event gets the status's
    /// verdict, as [`classify`](crate::classify) gives it for the whole body.
    ///
    /// ```
    /// use errnorm::{Classifier, ErrorKind};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let c = Classifier::shared();
    /// let mut s = c.stream(StatusCode::OK, HeaderMap::new());
    /// s.feed(b"data: {\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}");
    /// assert_eq!(s.finish().map(|e| e.error().kind()), Some(ErrorKind::RateLimit));
    ///
    /// let mut empty = c.stream(StatusCode::INTERNAL_SERVER_ERROR, HeaderMap::new());
    /// assert_eq!(empty.finish().map(|e| e.error().kind()), Some(ErrorKind::Transient));
    /// ```
    pub fn finish(&mut self) -> Option<&StreamError> {
        if self.found.is_none() && !self.finished {
            self.finished = true;
            if let Some(ev) = self.events.finish() {
                self.classify_event(ev);
            }
            if self.found.is_none() && self.status.as_u16() >= 400 {
                let form = if self.events.output || self.events.seen() {
                    BodyForm::Sse
                } else {
                    BodyForm::Empty
                };
                if let Some(v) = run_read(
                    self.rules.as_deref(),
                    self.provider,
                    self.status,
                    &self.headers,
                    form,
                    None,
                    &[],
                ) {
                    self.found = Some(StreamError {
                        error: v.into_error(),
                        after_output: self.events.output,
                        offset: self.events.position(),
                    });
                }
            }
        }
        self.found.as_ref()
    }

    fn classify_event(&mut self, ev: Event) {
        let fields = event_error(ev.is_error, &ev.data);
        if fields.is_none() {
            // A data event that merely mentioned "error" was output after all.
            if !ev.data.trim_ascii().is_empty() {
                self.events.output = true;
            }
            return;
        }
        let v = run_read(
            self.rules.as_deref(),
            self.provider,
            self.status,
            &self.headers,
            BodyForm::Sse,
            fields.as_ref(),
            &ev.data,
        );
        if let Some(v) = v {
            self.found = Some(StreamError {
                error: v.into_error(),
                after_output: self.events.output,
                offset: ev.start,
            });
        } else if !ev.data.trim_ascii().is_empty() {
            self.events.output = true;
        }
    }
}
