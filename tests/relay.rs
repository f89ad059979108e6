//! `Classifier::relay` (feature `http-body`): error bodies read with a cap and
//! classified once, successful streams handed on untouched and cut at their first
//! error event, bodies that break off mid-read reported as transport errors.
#![cfg(feature = "http-body")]

mod common;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use errnorm::{
    client::{ClientOptions, Dialect},
    relay::{Piece, Upstream, BODY_LIMIT},
    Action, Classifier, ErrorKind, Reason,
};
use http::Response;
use http_body::{Body, Frame};

/// A body that yields these frames in turn, each behind one `Pending` (as a socket
/// would), then ends.
struct Chunks {
    frames: VecDeque<Result<Frame<Bytes>, std::io::Error>>,
    ready: bool,
    /// It said it ended: polling it again is a bug (not every body allows it).
    ended: bool,
}

fn chunks(parts: &[&[u8]]) -> Chunks {
    Chunks {
        frames: parts
            .iter()
            .map(|p| Ok(Frame::data(Bytes::copy_from_slice(p))))
            .collect(),
        ready: false,
        ended: false,
    }
}

impl Chunks {
    fn then_err(mut self, kind: std::io::ErrorKind) -> Chunks {
        self.frames.push_back(Err(kind.into()));
        self
    }
    fn then_trailers(mut self) -> Chunks {
        self.frames
            .push_back(Ok(Frame::trailers(http::HeaderMap::new())));
        self
    }
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        assert!(!self.ended, "polled after its end");
        let f = self.frames.pop_front();
        self.ended = f.is_none();
        Poll::Ready(f)
    }
}

fn response(status: u16, content_type: &str, body: Chunks) -> Response<Chunks> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(body)
        .unwrap()
}

/// Everything a relay hands on, and its error.
async fn drain(u: Upstream<Chunks>) -> (Vec<u8>, Option<errnorm::stream::StreamError>) {
    let Upstream::Stream(mut r) = u else {
        panic!("not relayed: {u:?}")
    };
    let mut out = Vec::new();
    let mut err = None;
    while let Some(p) = r.next().await {
        match p {
            Piece::Data(b) => {
                assert!(err.is_none(), "data after the error");
                out.extend_from_slice(&b)
            }
            Piece::Error(e) => {
                assert!(err.is_none(), "two errors");
                err = Some(e)
            }
        }
    }
    (out, err)
}

/// The relay of an event stream of these chunks under 200.
async fn sse_stream(c: &Classifier, parts: &[&[u8]]) -> errnorm::relay::Relay<Chunks> {
    match c
        .relay(response(200, "text/event-stream", chunks(parts)))
        .await
    {
        Upstream::Stream(r) => r,
        u => panic!("not relayed: {u:?}"),
    }
}

/// Relays an event stream of these chunks under 200 and drains it.
async fn sse_relay(
    c: &Classifier,
    parts: &[&[u8]],
) -> (Vec<u8>, Option<errnorm::stream::StreamError>) {
    drain(
        c.relay(response(200, "text/event-stream", chunks(parts)))
            .await,
    )
    .await
}

const HI: &[u8] = b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n";
// MiniMax's rate limit mid-stream (its OpenAI-compatible endpoint sends base_resp in
// a data event).
const MINIMAX_1002: &[u8] =
    b"data: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit exceeded\"}}\n\n";

#[tokio::test]
async fn a_clean_stream_passes_through_byte_for_byte() {
    let body = [HI, HI, b"data: [DONE]\n\n"].concat();
    // Cut in awkward places: mid-line, mid-CRLF-free event, one byte.
    let parts: Vec<&[u8]> = vec![&body[..5], &body[5..60], &body[60..61], &body[61..]];
    let c = Classifier::new();
    let (out, err) = sse_relay(&c, &parts).await;
    assert_eq!(out, body);
    assert!(err.is_none());
}

#[tokio::test]
async fn a_mid_stream_error_event_is_cut_where_it_starts() {
    let body = [HI, MINIMAX_1002, HI].concat();
    // The error event arrives in two chunks; the first also holds the end of HI.
    let split = HI.len() + 20;
    let parts: Vec<&[u8]> = vec![&body[..10], &body[10..split], &body[split..]];
    let c = Classifier::new();
    let (out, err) = sse_relay(&c, &parts).await;
    // Only the ordinary event was handed on; nothing of the error event or after it.
    assert_eq!(out, HI);
    let e = err.expect("the error event");
    assert_eq!(e.offset(), HI.len() as u64);
    assert!(e.after_output());
    assert_eq!(e.error().reason(), Reason::RequestsPerTime);
    assert_eq!(e.error().rule_id(), "minimax:1002");
}

#[tokio::test]
async fn an_error_event_without_its_blank_line_at_the_end_is_still_found() {
    let ev = b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    let parts: Vec<&[u8]> = vec![HI, ev];
    let c = Classifier::new();
    let (out, err) = sse_relay(&c, &parts).await;
    assert_eq!(out, HI);
    assert_eq!(err.unwrap().error().reason(), Reason::Overloaded);
}

#[tokio::test]
async fn a_stream_that_breaks_off_is_a_transport_error_after_what_was_sent() {
    let parts: Vec<&[u8]> = vec![HI];
    let body = chunks(&parts).then_err(std::io::ErrorKind::ConnectionReset);
    let c = Classifier::new();
    let (out, err) = drain(c.relay(response(200, "text/event-stream", body)).await).await;
    assert_eq!(out, HI);
    let e = err.unwrap();
    assert_eq!(e.error().reason(), Reason::UpstreamUnavailable);
    assert_eq!(e.error().kind(), ErrorKind::Transient);
    assert_eq!(e.offset(), HI.len() as u64);
    assert!(e.after_output());
}

#[tokio::test]
async fn a_minimax_error_under_200_in_json_is_read_and_classified() {
    let body: &[u8] = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
    let c = Classifier::new();
    let Upstream::Error(r) = c
        .relay(response(
            200,
            "application/json",
            chunks(&[&body[..9], &body[9..]]),
        ))
        .await
    else {
        panic!("not an error")
    };
    assert_eq!(&r.body[..], body);
    let e = r.error;
    assert_eq!(e.reason(), Reason::InsufficientBalance);
    assert_eq!(e.advice().action, Action::Failover);
}

#[tokio::test]
async fn an_error_status_is_read_even_when_it_says_event_stream() {
    // nginx in front of an upstream: a 502 page whatever the content type says.
    let body: &[u8] = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let c = Classifier::new();
    let Upstream::Error(r) = c
        .relay(response(502, "text/event-stream", chunks(&[body])))
        .await
    else {
        panic!("not an error")
    };
    assert_eq!(r.error.reason(), Reason::UpstreamUnavailable);
}

#[tokio::test]
async fn a_json_answer_is_complete_and_trailers_are_skipped() {
    let body: &[u8] = br#"{"choices":[{"message":{"content":"hello"}}]}"#;
    let c = Classifier::new();
    let u = c
        .relay(response(
            200,
            "application/json",
            chunks(&[body]).then_trailers(),
        ))
        .await;
    let Upstream::Complete(r) = u else {
        panic!("{u:?}")
    };
    assert_eq!(&r.body[..], body);
    assert!(!r.truncated);
}

#[tokio::test]
async fn an_error_body_is_read_up_to_the_limit_only() {
    let big = vec![b' '; BODY_LIMIT + 10];
    let c = Classifier::new();
    let parts: Vec<&[u8]> = vec![b"{\"error\":{\"message\":\"x\"}}", &big, &big];
    let Upstream::Error(r) = c
        .relay(response(500, "application/json", chunks(&parts)))
        .await
    else {
        panic!("not an error")
    };
    assert!(r.truncated);
    assert_eq!(r.body.len(), BODY_LIMIT);
}

#[tokio::test]
async fn a_success_body_over_the_limit_is_handed_on_whole() {
    let big = vec![b'a'; BODY_LIMIT + 100];
    let parts: Vec<&[u8]> = vec![&big[..1000], &big[1000..], b"tail"];
    let c = Classifier::new();
    let (out, err) = drain(
        c.relay(response(200, "application/json", chunks(&parts)))
            .await,
    )
    .await;
    assert!(err.is_none());
    assert_eq!(out.len(), BODY_LIMIT + 104);
    assert!(out.ends_with(b"atail"));
}

/// A body 64 bytes over the cap whose first bytes decide (MiniMax's `base_resp`
/// first, a long `data` after it) gets the reason `classify` gives the whole body,
/// under an error status and under 200, where it is not handed on as a success.
#[tokio::test]
async fn a_capped_body_whose_first_bytes_decide_gets_the_reason_of_the_whole() {
    let head = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"},"data":""#;
    let fill = vec![b'a'; BODY_LIMIT + 64 - head.len() - 2];
    let whole = [&head[..], &fill, b"\"}"].concat();
    assert_eq!(whole.len(), BODY_LIMIT + 64);
    let c = Classifier::new();
    for status in [500u16, 200] {
        let s = http::StatusCode::from_u16(status).unwrap();
        let want = c
            .classify(s, &http::HeaderMap::new(), &whole)
            .unwrap()
            .reason();
        assert_eq!(want, Reason::InsufficientBalance);
        let parts: Vec<&[u8]> = whole.chunks(64 << 10).collect();
        let Upstream::Error(r) = c
            .relay(response(status, "application/json", chunks(&parts)))
            .await
        else {
            panic!("{status}: not an error")
        };
        assert!(r.truncated);
        assert_eq!(r.error.reason(), want, "{status}");
    }
    // A cut body with nothing in its first bytes: the status, as before.
    let blank = vec![b' '; BODY_LIMIT + 64];
    let parts: Vec<&[u8]> = vec![b"{\"x\":\"", &blank];
    let Upstream::Error(r) = c
        .relay(response(500, "application/json", chunks(&parts)))
        .await
    else {
        panic!("not an error")
    };
    assert_eq!(r.error.kind(), ErrorKind::Transient);
}

#[tokio::test]
async fn the_relay_body_ends_with_the_gateways_own_event() {
    let parts: Vec<&[u8]> = vec![HI, MINIMAX_1002, HI];
    let c = Classifier::new().with_client(
        ClientOptions::default()
            .with_own_credentials()
            .with_dialect(Dialect::Anthropic),
    );
    let r = sse_stream(&c, &parts).await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let body = r.into_body(&c, move |e| {
        s.lock().unwrap().push(e.error().rule_id().to_string())
    });
    use http_body_util::BodyExt;
    let out = body.collect().await.unwrap().to_bytes();
    let text = std::str::from_utf8(&out).unwrap();
    assert!(text.starts_with(std::str::from_utf8(HI).unwrap()), "{text}");
    let tail = &text[HI.len()..];
    assert!(tail.starts_with("event: error\ndata: {"), "{tail}");
    assert!(tail.ends_with("}\n\n"));
    // The upstream's words do not reach the client.
    assert!(!text.contains("rate limit exceeded"), "{text}");
    assert!(!text.contains("1002"), "{text}");
    assert_eq!(*seen.lock().unwrap(), ["minimax:1002"]);
}

#[tokio::test]
async fn an_error_before_the_first_output_can_still_fail_over() {
    // A comment and Anthropic's ping come first: not output.
    let parts: Vec<&[u8]> = vec![
        b": keep-alive\n\n",
        b"event: ping\ndata: \n\n",
        b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    ];
    let c = Classifier::new();
    let mut r = sse_stream(&c, &parts).await;
    let e = r.first_output().await.unwrap_err();
    assert_eq!(e.error().reason(), Reason::Overloaded);
    assert!(!e.after_output());
}

#[tokio::test]
async fn after_the_first_output_the_relay_hands_on_everything_it_read_ahead() {
    let body = [&b": keep-alive\n\n"[..], HI, MINIMAX_1002].concat();
    let parts: Vec<&[u8]> = vec![&body[..3], &body[3..40], &body[40..]];
    let c = Classifier::new();
    let mut r = sse_stream(&c, &parts).await;
    assert!(r.first_output().await.is_ok());
    let (out, err) = drain(Upstream::Stream(r)).await;
    assert_eq!(out, [&b": keep-alive\n\n"[..], HI].concat());
    let e = err.unwrap();
    assert!(e.after_output());
    assert_eq!(e.error().rule_id(), "minimax:1002");
}

/// A body of endless keep-alive comments, counting what was read of it.
struct Pings(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Body for Pings {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let chunk = Bytes::from(": ping\n\n".repeat(512));
        self.0
            .fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }
}

#[tokio::test]
async fn reading_ahead_for_the_first_token_is_bounded() {
    let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let res = Response::builder()
        .header("content-type", "text/event-stream")
        .body(Pings(read.clone()))
        .unwrap();
    let c = Classifier::new();
    let Upstream::Stream(mut r) = c.relay(res).await else {
        panic!("not relayed")
    };
    assert!(r.first_output().await.is_ok());
    let n = read.load(std::sync::atomic::Ordering::SeqCst);
    assert!(n > errnorm::stream::STREAM_EVENT_LIMIT, "{n}");
    assert!(n < 2 * errnorm::stream::STREAM_EVENT_LIMIT, "{n}");
}

#[tokio::test]
async fn a_classified_responses_debug_shows_neither_body_nor_headers() {
    let body: &[u8] = br#"{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx","type":"invalid_request_error","code":"invalid_api_key"}}"#;
    let res = Response::builder()
        .status(401)
        .header("content-type", "application/json")
        .header("set-cookie", "session=s3cr3t-cookie")
        .body(chunks(&[body]))
        .unwrap();
    let Upstream::Error(r) = Classifier::new().relay(res).await else {
        panic!("not an error")
    };
    let d = format!("{r:?}");
    assert!(!d.contains("sk-proj") && !d.contains("s3cr3t"), "{d}");
    assert!(d.contains("401"), "{d}");
}

mod chunking {
    //! Whatever the chunking, the relay hands on exactly the bytes before the stream's
    //! first error event (all of them when there is none), and reports the error the
    //! stream classifier finds in the whole body.

    use super::*;
    use common::sse::{body, EVENTS};
    use proptest::prelude::*;

    fn relay(b: &[u8], cuts: &[usize]) -> (Vec<u8>, Option<(u64, Reason)>) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (b.len() + 1)).collect();
        cuts.sort_unstable();
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut at = 0;
        for c in cuts.into_iter().chain([b.len()]) {
            parts.push(&b[at..c.max(at)]);
            at = c.max(at);
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let c = Classifier::new();
            let (out, err) = sse_relay(&c, &parts).await;
            (out, err.map(|e| (e.offset(), e.error().reason())))
        })
    }

    fn whole(b: &[u8]) -> Option<(u64, Reason)> {
        let mut s =
            errnorm::Classifier::shared().stream(http::StatusCode::OK, http::HeaderMap::new());
        s.feed(b);
        s.finish().map(|e| (e.offset(), e.error().reason()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn the_relay_hands_on_exactly_the_bytes_before_the_error(
            events in prop::collection::vec(0..EVENTS.len(), 1..6),
            ends in prop::collection::vec(any::<u8>(), 1..4),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
        ) {
            let b = body(&events, &ends, None);
            let want = whole(&b);
            let (out, err) = relay(&b, &cuts);
            prop_assert_eq!(err, want);
            let upto = want.map_or(b.len(), |(o, _)| o as usize);
            prop_assert_eq!(&out[..], &b[..upto]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

        #[test]
        fn so_it_does_past_a_line_over_the_limit(
            events in prop::collection::vec(0..EVENTS.len(), 1..4),
            at in 0usize..4,
            cuts in prop::collection::vec(any::<usize>(), 1..6),
        ) {
            let b = body(&events, &[0], Some(at % events.len()));
            let want = whole(&b);
            let (out, err) = relay(&b, &cuts);
            prop_assert_eq!(err, want);
            let upto = want.map_or(b.len(), |(o, _)| o as usize);
            prop_assert_eq!(&out[..], &b[..upto]);
        }
    }
}

mod oversize {
    //! Events over the event limit, cut in chunks of any size from one byte up: an
    //! error event's text never reaches the client, an ordinary one passes whole.

    use super::*;
    use proptest::prelude::*;

    /// The client's stream (the relay as a body, the gateway's own event at an error).
    fn client_bytes(parts: &[&[u8]]) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let c = Classifier::new();
            let r = sse_stream(&c, parts).await;
            let body = r.into_body(&c, |_| {});
            http_body_util::BodyExt::collect(body)
                .await
                .unwrap()
                .to_bytes()
                .to_vec()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn no_oversize_error_event_reaches_the_client(
            chunk in prop_oneof![Just(1usize), 2usize..64, 64usize..(256 << 10)],
            extra in 1usize..(64 << 10),
            error in any::<bool>(),
            anthropic in any::<bool>(),
        ) {
            let secret = "Kq7Wm2Zp9Xv4Rt8Ls3Nd6Hb";
            let pad = "y".repeat(errnorm::stream::STREAM_EVENT_LIMIT + extra);
            let event = match (error, anthropic) {
                (true, true) => format!("event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"overloaded_error\",\"message\":\"at 10.9.8.7 key {secret} {pad}\"}}}}\n\n"),
                (true, false) => format!("data: {{\"error\":{{\"message\":\"key {secret} {pad}\",\"type\":\"server_error\"}}}}\n\n"),
                (false, _) => format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{secret} {pad}\"}}}}]}}\n\n"),
            };
            let mut parts: Vec<&[u8]> = vec![HI];
            parts.extend(event.as_bytes().chunks(chunk));
            parts.push(HI);
            let out = client_bytes(&parts);
            prop_assert!(out.starts_with(HI));
            if error {
                prop_assert!(!out.windows(secret.len()).any(|w| w == secret.as_bytes()));
                prop_assert!(out.len() < 64 << 10, "{} bytes reached the client", out.len());
            } else {
                prop_assert!(out == [HI, event.as_bytes(), HI].concat(), "{} bytes", out.len());
            }
        }
    }
}

#[tokio::test]
async fn a_chunk_of_whole_events_is_handed_on_without_a_copy() {
    let frame = Bytes::from([HI, HI].concat());
    let body = Chunks {
        frames: VecDeque::from([Ok(Frame::data(frame.clone()))]),
        ready: false,
        ended: false,
    };
    let c = Classifier::new();
    let Upstream::Stream(mut r) = c.relay(response(200, "text/event-stream", body)).await else {
        panic!("not relayed")
    };
    let Some(Piece::Data(out)) = r.next().await else {
        panic!("no data")
    };
    assert_eq!(out, frame);
    assert_eq!(out.as_ptr(), frame.as_ptr());
    assert!(r.next().await.is_none());
}

/// An error event over the event limit never reaches the client as it is: what came
/// before it is handed on, then the relay ends with the error its first bytes say (the
/// client gets the gateway's own event, without the upstream's address or key). An
/// ordinary event over the limit is handed on whole.
#[tokio::test]
async fn an_error_event_over_the_limit_is_judged_by_its_first_bytes() {
    let pad = "x".repeat(errnorm::stream::STREAM_EVENT_LIMIT + 100);
    let error = format!(
        "event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"rate_limit_error\",\"message\":\"from 10.1.2.3 with key sk-ant-api03-SECRETSECRETSECRET {pad}\"}}}}\n\n"
    );
    let c = Classifier::new();
    for cut in [1usize << 10, 64 << 10, 1 << 20] {
        let e = error.as_bytes();
        let mut parts: Vec<&[u8]> = vec![HI];
        parts.extend(e.chunks(cut));
        let (out, err) = sse_relay(&c, &parts).await;
        assert!(
            out == HI,
            "only what came before the error event is handed on ({} bytes)",
            out.len()
        );
        let err = err.expect("the oversize event is the error");
        assert_eq!(err.error().reason(), Reason::RequestsPerTime);
        assert_eq!(err.offset(), HI.len() as u64);
        // The client's stream: the upstream's text is nowhere in it.
        let r = sse_stream(&c, &parts).await;
        let body = r.into_body(&c, |_| {});
        let bytes = http_body_util::BodyExt::collect(body)
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("10.1.2.3") && !text.contains("SECRET"),
            "{}",
            &text[..200.min(text.len())]
        );
    }
    // An ordinary event over the limit (a large partial image, say) passes whole.
    let big = format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{pad}\"}}}}]}}\n\n");
    let parts: Vec<&[u8]> = vec![HI, big.as_bytes(), HI];
    let (out, err) = sse_relay(&c, &parts).await;
    assert!(err.is_none());
    assert!(
        out == [HI, big.as_bytes(), HI].concat(),
        "{} bytes",
        out.len()
    );
}
