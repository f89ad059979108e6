//! Any `http::Response<B: http_body::Body>` (feature `http-body`): error bodies read
//! with a cap and classified once, successful streams handed on as they arrive and
//! classified as they pass.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Response, StatusCode};
use http_body::{Body, Frame};

use crate::stream::{StreamClassifier, StreamError};
use crate::{ApiError, Classifier, Reason};

/// How much of a body is read before it is classified: 1 MiB. Error bodies are small;
/// a larger or endless body is cut there (and marked [`ClassifiedResponse::truncated`]),
/// so that a hostile upstream cannot make the gateway buffer without bound.
pub const BODY_LIMIT: usize = 1 << 20;

/// A response read to the end (at most [`BODY_LIMIT`]) and classified as no error;
/// the body is kept for the caller (an error is an [`UpstreamError`]). See
/// [`Upstream`] for an example.
///
/// Its `Debug` shows the status and the body's length, never the body or the headers:
/// they are the upstream's, and `Debug` output ends up in logs.
#[non_exhaustive]
#[derive(Clone)]
pub struct ClassifiedResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, up to [`BODY_LIMIT`].
    pub body: Bytes,
    /// Whether the body was longer than [`BODY_LIMIT`] and the rest was not read.
    pub truncated: bool,
}

impl std::fmt::Debug for ClassifiedResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = (self.status, &self.headers, &self.body, self.truncated);
        debug_response(f, "ClassifiedResponse", r, None)
    }
}

impl ClassifiedResponse {
    /// The answer to hand on to the gateway's own client: the upstream's status and
    /// body, and of its headers only `content-type` (the rest are the upstream's:
    /// cookies, request ids, rate-limit counters and hop-by-hop headers stay behind).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use errnorm::{Classifier, relay::Upstream};
    /// use http_body_util::Full;
    ///
    /// let res = http::Response::builder()
    ///     .header("content-type", "application/json")
    ///     .header("set-cookie", "session=upstream")
    ///     .body(Full::new(bytes::Bytes::from_static(br#"{"choices":[]}"#)))
    ///     .unwrap();
    /// let Upstream::Complete(r) = Classifier::new().relay(res).await else { panic!() };
    /// let out = r.into_response();
    /// assert_eq!(out.status(), 200);
    /// assert_eq!(out.headers().len(), 1);
    /// assert_eq!(out.headers()["content-type"], "application/json");
    /// assert_eq!(out.body().as_ref(), br#"{"choices":[]}"#);
    /// # });
    /// ```
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut out = http::Response::new(self.body);
        *out.status_mut() = self.status;
        if let Some(ct) = self.headers.get(http::header::CONTENT_TYPE) {
            out.headers_mut()
                .insert(http::header::CONTENT_TYPE, ct.clone());
        }
        out
    }
}

/// A read response for `Debug`: the status, the number of headers, the body's length,
/// whether it was cut, and the error if any; never the body or the headers themselves.
fn debug_response(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    (status, headers, body, truncated): (StatusCode, &HeaderMap, &Bytes, bool),
    error: Option<&ApiError>,
) -> std::fmt::Result {
    let mut d = f.debug_struct(name);
    d.field("status", &status)
        .field("headers", &headers.len())
        .field("body_len", &body.len())
        .field("truncated", &truncated);
    if let Some(e) = error {
        d.field("error", e);
    }
    d.finish()
}

/// An upstream error read to the end (at most [`BODY_LIMIT`]) and classified: what
/// [`Upstream::Error`] holds. The error is always there; the body is kept for the caller.
///
/// Its `Debug` shows the status, the body's length and the error, never the body or
/// the headers.
#[non_exhaustive]
#[derive(Clone)]
pub struct UpstreamError {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, up to [`BODY_LIMIT`].
    pub body: Bytes,
    /// Whether the body was longer than [`BODY_LIMIT`] and the rest was not read.
    pub truncated: bool,
    /// The error.
    pub error: ApiError,
}

impl std::fmt::Debug for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = (self.status, &self.headers, &self.body, self.truncated);
        debug_response(f, "UpstreamError", r, Some(&self.error))
    }
}

/// What [`Classifier::relay`] made of an upstream response.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use errnorm::{Classifier, Reason, relay::Upstream};
/// use http_body_util::Full;
///
/// // MiniMax's insufficient balance, under 200 and application/json.
/// let res = http::Response::new(Full::new(bytes::Bytes::from_static(
///     br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
/// )));
/// match Classifier::new().relay(res).await {
///     Upstream::Error(r) => assert_eq!(r.error.reason(), Reason::InsufficientBalance),
///     other => panic!("{other:?}"),
/// }
/// # });
/// ```
///
/// Complete by design (a response is an error, a whole answer or a stream), so a match
/// on it needs no wildcard arm.
pub enum Upstream<B> {
    /// An error: its body was read (at most [`BODY_LIMIT`]) and classified once. The
    /// body broke off mid-read under a success status: the transport error.
    Error(UpstreamError),
    /// A whole body that is not an error (a JSON answer), read and classified.
    Complete(ClassifiedResponse),
    /// A successful stream (`text/event-stream`), or a success body longer than
    /// [`BODY_LIMIT`], handed on as it arrives; a stream is classified as it passes.
    Stream(Relay<B>),
}

impl<B> std::fmt::Debug for Upstream<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upstream::Error(r) => f.debug_tuple("Error").field(r).finish(),
            Upstream::Complete(r) => f.debug_tuple("Complete").field(r).finish(),
            Upstream::Stream(r) => f.debug_tuple("Stream").field(r).finish(),
        }
    }
}

/// One piece of a relayed stream (see [`Classifier::relay`] for an example).
#[derive(Debug)]
pub enum Piece {
    /// Upstream bytes, unchanged, up to the end of the last complete event.
    Data(Bytes),
    /// The stream's first error event (or its body broke off): nothing of the event
    /// was handed on, and nothing comes after it.
    Error(StreamError),
}

/// A successful upstream stream, handed on untouched and classified as it passes: the
/// bytes of each complete event are handed on as they arrive; the first error event is
/// held back and reported instead (with [`StreamError::offset`] where it starts), and
/// ends the relay. A body that breaks off mid-read is reported as a transport error.
///
/// Read it piece by piece with [`Relay::next`], or turn it into a body for your own
/// client with [`Relay::into_body`], which ends the stream with your own error event.
/// [`Classifier::relay`] and [`Relay::first_output`] have examples; the gateway in the
/// repository's `examples/gateway.rs` uses all of it with axum.
pub struct Relay<B> {
    status: StatusCode,
    headers: HeaderMap,
    body: Pin<Box<B>>,
    /// `None` when the body is not an event stream: then nothing is held back.
    stream: Option<Box<StreamClassifier>>,
    /// Bytes read but not handed on: the event being read (`held_len` counts `small`
    /// too).
    held: VecDeque<Bytes>,
    held_len: usize,
    /// Small chunks read after `held`, gathered into one buffer: an event that arrives
    /// a byte at a time costs its bytes, not a `Bytes` and an allocation per byte.
    small: BytesMut,
    /// Where the held bytes started when an event over the limit was last judged.
    judged: Option<u64>,
    /// Bytes handed on so far (where `held` starts in the stream).
    sent: u64,
    /// Pieces read ahead by [`Relay::first_output`], handed on first.
    ready: VecDeque<Piece>,
    /// The upstream body has ended (it is not polled again).
    ended: bool,
    done: bool,
}

impl<B> std::fmt::Debug for Relay<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("status", &self.status)
            .field("event_stream", &self.stream.is_some())
            .field("sent", &self.sent)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// A chunk smaller than this is gathered with its neighbours.
const SMALL_CHUNK: usize = 4 << 10;
/// How many gathered bytes make one piece held.
const GATHERED: usize = 64 << 10;

/// Whether the headers say the body is a server-sent event stream.
fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .get(..17)
                .is_some_and(|t| t.eq_ignore_ascii_case("text/event-stream"))
        })
}

/// A body that broke off mid-read, as a transport error: named by its chain of
/// sources, and a body cut off where nothing in the chain names it better.
fn body_error(err: Box<dyn std::error::Error + Send + Sync>) -> ApiError {
    let (reason, code) = match crate::act::transport::reason_of(err.as_ref()) {
        // A failure with no better name still broke the body off.
        (Reason::ServerError, _) => (Reason::UpstreamUnavailable, "body_cut_off"),
        found => found,
    };
    let e = ApiError::transport(reason, code, err.to_string());
    #[cfg(feature = "tracing")]
    crate::integrations::trace::transport(&e);
    #[cfg(feature = "metrics")]
    crate::integrations::metrics::transport(&e);
    e
}

/// Polls the next data chunk of a body, skipping trailers.
fn poll_data<B>(body: Pin<&mut B>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, B::Error>>>
where
    B: Body,
    B::Data: Into<Bytes>,
{
    let mut body = body;
    loop {
        return match body.as_mut().poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(d) => Poll::Ready(Some(Ok(d.into()))),
                // A trailers frame: nothing to hand on; read on.
                Err(_) => continue,
            },
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        };
    }
}

/// What [`read_capped`] read.
pub(crate) struct Capped<E> {
    /// The body up to [`BODY_LIMIT`].
    pub(crate) buf: Vec<u8>,
    /// The rest of the chunk that crossed the limit (empty unless `truncated`).
    pub(crate) rest: Bytes,
    pub(crate) truncated: bool,
    /// The error the body broke off with, if it did.
    pub(crate) broke: Option<E>,
}

/// Reads a body up to [`BODY_LIMIT`], stopping at the chunk that crosses it.
pub(crate) async fn read_capped<B>(mut body: Pin<&mut B>) -> Capped<B::Error>
where
    B: Body,
    B::Data: Into<Bytes>,
{
    let mut c = Capped {
        buf: Vec::new(),
        rest: Bytes::new(),
        truncated: false,
        broke: None,
    };
    while let Some(chunk) = poll_fn(|cx| poll_data(body.as_mut(), cx)).await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                c.broke = Some(e);
                break;
            }
        };
        let room = BODY_LIMIT.saturating_sub(c.buf.len());
        if chunk.len() > room {
            c.buf
                .extend_from_slice(chunk.get(..room).unwrap_or_default());
            c.rest = chunk.slice(room..);
            c.truncated = true;
            break;
        }
        c.buf.extend_from_slice(&chunk);
    }
    c
}

impl<B> Relay<B> {
    /// A relay of `body`, with `held` read already; `stream` classifies an event stream.
    fn new(
        (status, headers): (StatusCode, HeaderMap),
        body: Pin<Box<B>>,
        stream: Option<StreamClassifier>,
        held: VecDeque<Bytes>,
    ) -> Relay<B> {
        Relay {
            status,
            headers,
            body,
            stream: stream.map(Box::new),
            held_len: held.iter().map(Bytes::len).sum(),
            held,
            small: BytesMut::new(),
            judged: None,
            sent: 0,
            ready: VecDeque::new(),
            ended: false,
            done: false,
        }
    }
}

impl Classifier {
    /// Reads an upstream response the way a relaying gateway needs it: an error status,
    /// or a body that is not an event stream (MiniMax reports errors under 200), is
    /// read up to [`BODY_LIMIT`] and classified once; a successful `text/event-stream`
    /// is handed back untouched as a [`Relay`] that classifies it as it passes. A
    /// success body longer than the limit is handed back as a relay too (the bytes read
    /// come first), so a large answer is never cut.
    ///
    /// Any `http_body::Body` will do; a `reqwest::Response` becomes one with
    /// `http::Response::from(res)` (feature `reqwest`, reqwest 0.13), and a failed
    /// `send()` is a [`Classifier::transport`] error:
    ///
    /// ```no_run
    /// # #[cfg(feature = "reqwest")]
    /// # async fn f(c: errnorm::Classifier) -> Result<(), errnorm::ApiError> {
    /// use errnorm::relay::Upstream;
    ///
    /// let sent = reqwest::Client::new().post("http://127.0.0.1:8080/v1/chat/completions").send().await;
    /// let res = sent.map_err(|e| c.transport(&e))?;
    /// match c.relay(http::Response::from(res)).await {
    ///     Upstream::Complete(answer) => { /* hand answer.into_response() on */ }
    ///     Upstream::Error(failed) => return Err(failed.error),
    ///     Upstream::Stream(relay) => { /* relay.first_output(), then relay.into_body(..) */ }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// ```
    /// # tokio_test_block_on(async {
    /// use errnorm::{Classifier, relay::{Piece, Upstream}};
    /// use http_body_util::Full;
    ///
    /// let c = Classifier::new();
    /// let res = http::Response::builder()
    ///     .header("content-type", "text/event-stream")
    ///     .body(Full::new(bytes::Bytes::from_static(
    ///         b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n\
    ///           data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n",
    ///     )))
    ///     .unwrap();
    /// let Upstream::Stream(mut relay) = c.relay(res).await else { unreachable!() };
    /// let Some(Piece::Data(first)) = relay.next().await else { unreachable!() };
    /// assert!(first.starts_with(b"data: {\"choices\""));
    /// let Some(Piece::Error(e)) = relay.next().await else { unreachable!() };
    /// assert_eq!(e.offset(), first.len() as u64);
    /// assert!(e.after_output());
    /// assert!(relay.next().await.is_none());
    /// # });
    /// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "http-body")))]
    pub async fn relay<B>(&self, res: Response<B>) -> Upstream<B>
    where
        B: Body,
        B::Data: Into<Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = res.into_parts();
        let (status, headers) = (parts.status, parts.headers);
        let mut body = Box::pin(body);
        if status.as_u16() < 400 && is_event_stream(&headers) {
            let stream = self.stream(status, headers.clone());
            return Upstream::Stream(Relay::new(
                (status, headers),
                body,
                Some(stream),
                VecDeque::new(),
            ));
        }
        let Capped {
            buf,
            rest,
            truncated,
            broke,
        } = read_capped(body.as_mut()).await;
        // A body over the cap is judged by the evidence in its first bytes, as the whole
        // body would have been (MiniMax's `base_resp` comes first, under any status).
        if truncated && status.as_u16() < 400 {
            match self.classify_prefix_error(status, &headers, &buf) {
                // A large answer, not an error body: hand it on whole.
                None => {
                    let held = VecDeque::from([Bytes::from(buf), rest]);
                    return Upstream::Stream(Relay::new((status, headers), body, None, held));
                }
                Some(error) => {
                    return Upstream::Error(UpstreamError {
                        status,
                        headers,
                        body: Bytes::from(buf),
                        truncated,
                        error,
                    })
                }
            }
        }
        let broke = broke.map(|e| body_error(e.into()));
        let body = Bytes::from(buf);
        let mut error = if truncated {
            self.classify_prefix_error(status, &headers, &body)
        } else {
            self.classify(status, &headers, &body).map(ApiError::from)
        };
        if error.is_none() {
            // Under a success status a body that broke off is the error.
            error = broke;
        }
        match error {
            Some(error) => Upstream::Error(UpstreamError {
                status,
                headers,
                body,
                truncated,
                error,
            }),
            None => Upstream::Complete(ClassifiedResponse {
                status,
                headers,
                body,
                truncated,
            }),
        }
    }
}

impl<B> Relay<B>
where
    B: Body,
    B::Data: Into<Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    /// The upstream's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The upstream's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The next piece: upstream bytes, or the error that ends the stream; `None` at the
    /// end.
    pub async fn next(&mut self) -> Option<Piece> {
        poll_fn(|cx| self.poll_piece(cx)).await
    }

    /// The error an event over the limit would be, judged by its first bytes (at most
    /// 64 KiB) before any of it is handed on (the held bytes start where it starts):
    /// an `event: error`, or a payload whose first bytes say error (classified as a body
    /// cut at a cap would be). `None` for an ordinary large event, which is then handed
    /// on.
    fn oversize_error(&mut self) -> Option<StreamError> {
        const HEAD: usize = 64 << 10;
        let s = self.stream.as_ref()?;
        // Once for the bytes held from where they start (an event's start, unless an
        // event over the limit was handed on before).
        if self.held_len <= crate::stream::STREAM_EVENT_LIMIT || self.judged == Some(self.sent) {
            return None;
        }
        self.judged = Some(self.sent);
        let mut head = Vec::with_capacity(HEAD);
        for b in self
            .held
            .iter()
            .chain(std::iter::once(&self.small.clone().freeze()))
        {
            let room = HEAD - head.len();
            head.extend_from_slice(b.get(..room.min(b.len())).unwrap_or_default());
            if head.len() >= HEAD {
                break;
            }
        }
        let mut is_error = false;
        let mut data: Option<&[u8]> = None;
        for line in head.split(|&c| c == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(v) = line.strip_prefix(b"event:") {
                is_error |= v.trim_ascii() == b"error";
            } else if let Some(v) = line.strip_prefix(b"data:") {
                data.get_or_insert(v.trim_ascii_start());
            }
        }
        let judged = data.and_then(|d| {
            crate::pipeline::run_prefix(None, None, self.status, &self.headers, d)
                .map(ApiError::from)
        });
        let error = match (judged, is_error) {
            (Some(e), _) => e,
            // An error event whose payload says nothing readable.
            (None, true) => crate::pipeline::run(
                None,
                None,
                self.status,
                &self.headers,
                b"event: error\ndata: error\n\n",
            )
            .map(ApiError::from)?,
            (None, false) => return None,
        };
        Some(StreamError {
            error,
            after_output: s.output_sent(),
            offset: self.sent,
        })
    }

    /// Holds a chunk read. A small one that continues what is already held (an event
    /// arriving in pieces) is gathered with the small ones before it; a chunk that
    /// starts afresh (whole events, the common case) is held as it is, so that it is
    /// handed on without a copy.
    fn hold(&mut self, chunk: Bytes) {
        let continues = self.held_len > 0;
        self.held_len += chunk.len();
        if continues && chunk.len() < SMALL_CHUNK {
            self.small.extend_from_slice(&chunk);
            if self.small.len() >= GATHERED {
                self.flush_small();
            }
        } else {
            self.flush_small();
            self.held.push_back(chunk);
        }
    }

    /// Moves the gathered small chunks to `held` (no copy).
    fn flush_small(&mut self) {
        if !self.small.is_empty() {
            let b = self.small.split().freeze();
            self.held.push_back(b);
        }
    }

    /// Bytes held back, up to `upto` bytes of the stream (all if `None`).
    fn release(&mut self, upto: Option<u64>) -> Option<Bytes> {
        let n = match upto {
            Some(at) => usize::try_from(at.saturating_sub(self.sent))
                .unwrap_or(usize::MAX)
                .min(self.held_len),
            None => self.held_len,
        };
        if n == 0 {
            return None;
        }
        if n > self.held_len - self.small.len() {
            self.flush_small();
        }
        self.held_len -= n;
        self.sent += n as u64;
        // Usually the bytes to hand on are one chunk, or its start: no copy.
        if let Some(front) = self.held.front_mut() {
            if front.len() >= n {
                let out = front.split_to(n);
                if front.is_empty() {
                    self.held.pop_front();
                }
                return Some(out);
            }
        }
        let mut out = Vec::with_capacity(n);
        let mut need = n;
        while need > 0 {
            let Some(front) = self.held.front_mut() else {
                break;
            };
            if front.len() <= need {
                need -= front.len();
                out.extend_from_slice(front);
                self.held.pop_front();
            } else {
                out.extend_from_slice(front.get(..need).unwrap_or_default());
                *front = front.slice(need..);
                need = 0;
            }
        }
        Some(Bytes::from(out))
    }

    /// Reads ahead to the stream's first output (an ordinary event) and returns the
    /// error that comes before it, if one does: nothing has reached the client then, so
    /// the request can still go to another upstream. What was read stays in the relay,
    /// handed on first. A body that is not an event stream has its output at once.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use errnorm::{Classifier, Reason, relay::Upstream};
    /// use http_body_util::Full;
    ///
    /// let res = http::Response::builder()
    ///     .header("content-type", "text/event-stream")
    ///     .body(Full::new(bytes::Bytes::from_static(
    ///         b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    ///     )))
    ///     .unwrap();
    /// let Upstream::Stream(mut relay) = Classifier::new().relay(res).await else { unreachable!() };
    /// // Overloaded before the first token: fail over, the client saw nothing.
    /// assert_eq!(relay.first_output().await.unwrap_err().error().reason(), Reason::Overloaded);
    /// # });
    /// ```
    ///
    /// It reads ahead at most [`STREAM_EVENT_LIMIT`](crate::stream::STREAM_EVENT_LIMIT) bytes (an
    /// upstream that sends only keep-alive comments is then taken as answering); how
    /// long to wait for the first token is the caller's timeout.
    pub async fn first_output(&mut self) -> Result<(), StreamError> {
        let mut read = 0usize;
        loop {
            if self.stream.as_ref().map_or(true, |s| s.output_sent())
                || read > crate::stream::STREAM_EVENT_LIMIT
            {
                return Ok(());
            }
            match poll_fn(|cx| self.poll_read(cx)).await {
                Some(Piece::Error(e)) if !e.after_output() => return Err(e),
                Some(p) => {
                    if let Piece::Data(b) = &p {
                        read = read.saturating_add(b.len());
                    }
                    self.ready.push_back(p);
                }
                None => return Ok(()),
            }
        }
    }

    fn poll_piece(&mut self, cx: &mut Context<'_>) -> Poll<Option<Piece>> {
        match self.ready.pop_front() {
            Some(p) => Poll::Ready(Some(p)),
            None => self.poll_read(cx),
        }
    }

    /// What comes before `found` (not handed on yet), else `found`, which ends the relay.
    fn before(&mut self, found: StreamError) -> Piece {
        match self.release(Some(found.offset)) {
            Some(b) => Piece::Data(b),
            None => {
                self.done = true;
                Piece::Error(found)
            }
        }
    }

    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<Option<Piece>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            if let Some(found) = self.stream.as_ref().and_then(|s| s.error()).cloned() {
                // Hand on what came before the error event, then the error.
                return Poll::Ready(Some(self.before(found)));
            }
            if self.ended {
                // The last event may lack its blank line.
                if let Some(found) = self.stream.as_mut().and_then(|s| s.finish()).cloned() {
                    return Poll::Ready(Some(self.before(found)));
                }
                if let Some(b) = self.release(None) {
                    return Poll::Ready(Some(Piece::Data(b)));
                }
                self.done = true;
                return Poll::Ready(None);
            }
            // An event that grew past the limit is judged by its first bytes before any
            // of it is handed on: an error event never reaches the client as it is.
            if let Some(found) = self.oversize_error() {
                return Poll::Ready(Some(self.before(found)));
            }
            // Hand on the complete events and hold the event being read, unless it grew
            // past the limit (then it is handed on as it comes: not an error); a body
            // that is not an event stream, as it comes.
            let upto = match &self.stream {
                Some(s) if self.held_len <= crate::stream::STREAM_EVENT_LIMIT => Some(s.boundary()),
                _ => None,
            };
            if let Some(b) = self.release(upto) {
                return Poll::Ready(Some(Piece::Data(b)));
            }
            match poll_data(self.body.as_mut(), cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Some(s) = self.stream.as_mut() {
                        s.feed(&chunk);
                    }
                    self.hold(chunk);
                }
                Poll::Ready(Some(Err(e))) => {
                    self.done = true;
                    let after_output = self
                        .stream
                        .as_ref()
                        .map_or(self.sent > 0, |s| s.output_sent());
                    return Poll::Ready(Some(Piece::Error(StreamError {
                        error: body_error(e.into()),
                        after_output,
                        offset: self.sent,
                    })));
                }
                Poll::Ready(None) => self.ended = true,
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// This relay as a body for the gateway's own client: the upstream's bytes, and in
    /// place of an upstream error event the gateway's own, rendered by `classifier`'s
    /// client options in their dialect (see
    /// [`ClientError::sse_event`](crate::client::ClientError::sse_event)). `on_error` is told the
    /// error once, for cool-downs and metrics.
    pub fn into_body(
        self,
        classifier: &Classifier,
        on_error: impl FnOnce(&StreamError) + Send + 'static,
    ) -> RelayBody<B> {
        RelayBody {
            relay: self,
            classifier: classifier.clone(),
            on_error: Some(Box::new(on_error)),
        }
    }
}

/// The hook [`Relay::into_body`] calls with the stream's error.
type OnError = Box<dyn FnOnce(&StreamError) + Send>;

/// A [`Relay`] as an `http_body::Body` (see [`Relay::into_body`]).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use errnorm::{Classifier, relay::Upstream};
/// use http_body_util::{BodyExt, Full};
///
/// let c = Classifier::new();
/// let res = http::Response::builder()
///     .header("content-type", "text/event-stream")
///     .body(Full::new(bytes::Bytes::from_static(
///         b"data: {\"choices\":[]}\n\ndata: {\"error\":{\"message\":\"internal error at 10.0.0.7\",\"type\":\"server_error\"}}\n\n",
///     )))
///     .unwrap();
/// let Upstream::Stream(relay) = c.relay(res).await else { unreachable!() };
/// let out = relay.into_body(&c, |_| {}).collect().await.unwrap().to_bytes();
/// let text = String::from_utf8_lossy(&out);
/// assert!(text.starts_with("data: {\"choices\":[]}\n\ndata: {\"error\":"));
/// assert!(!text.contains("10.0.0.7")); // the gateway's words, not the upstream's
/// # });
/// ```
pub struct RelayBody<B> {
    relay: Relay<B>,
    classifier: Classifier,
    on_error: Option<OnError>,
}

impl<B> std::fmt::Debug for RelayBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayBody")
            .field("relay", &self.relay)
            .finish_non_exhaustive()
    }
}

impl<B> Body for RelayBody<B>
where
    B: Body,
    B::Data: Into<Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        // Every field is Unpin (the upstream body is boxed).
        let this = self.get_mut();
        match this.relay.poll_piece(cx) {
            Poll::Ready(Some(Piece::Data(b))) => Poll::Ready(Some(Ok(Frame::data(b)))),
            Poll::Ready(Some(Piece::Error(e))) => {
                if let Some(hook) = this.on_error.take() {
                    hook(&e);
                }
                let answer = this.classifier.client_error(&e.error);
                let event = answer.sse_event(answer.dialect);
                Poll::Ready(Some(Ok(Frame::data(Bytes::from(event)))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_future_is_send() {
        fn is_send<T: Send>(_: &T) {}
        let c = Classifier::new();
        let f = c.relay(Response::new(http_body_util::Full::new(Bytes::new())));
        is_send(&f);
    }

    #[test]
    fn only_an_event_stream_content_type_is_relayed_unread() {
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(v),
            );
            m
        };
        assert!(is_event_stream(&h("text/event-stream")));
        assert!(is_event_stream(&h("Text/Event-Stream; charset=utf-8")));
        assert!(!is_event_stream(&h("application/json")));
        assert!(!is_event_stream(&h("text/event")));
        assert!(!is_event_stream(&HeaderMap::new()));
    }
}
