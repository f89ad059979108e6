//! The incremental SSE classifier gives the same verdict as `classify` on the whole
//! body, however the stream is cut: every SSE fixture split at every byte offset, and
//! fed one byte at a time.

mod common;

use errnorm::{classify, stream::StreamClassifier, Classifier, ErrorKind};
use http::{HeaderMap, StatusCode};

/// A stream classifier for a stream under this status, from the shared classifier.
fn stream_under(status: StatusCode) -> StreamClassifier {
    Classifier::shared().stream(status, HeaderMap::new())
}

fn sse_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = common::all()
        .into_iter()
        .filter(|f| f.status == 200)
        .map(|f| (f.file.clone(), f.body()))
        .filter(|(_, b)| b.starts_with(b"data:") || b.starts_with(b"event:"))
        .collect();
    // Chinese text split inside a character, CRLF line ends, a last event with no blank
    // line after it.
    out.push((
        "zh".into(),
        "data: {\"choices\":[{\"delta\":{\"content\":\"你好\"}}]}\r\n\r\nevent: error\r\ndata: {\"error\":{\"message\":\"当前分组上游负载已饱和，请稍后再试\",\"type\":\"new_api_error\"}}".as_bytes().to_vec(),
    ));
    assert!(out.len() >= 4, "SSE fixtures went missing");
    out
}

fn expected(body: &[u8]) -> Option<(ErrorKind, errnorm::Reason)> {
    classify(StatusCode::OK, &HeaderMap::new(), body).map(|v| (v.kind(), v.reason()))
}

fn run(chunks: &[&[u8]]) -> (Option<(ErrorKind, errnorm::Reason)>, Option<bool>) {
    let mut s = stream_under(StatusCode::OK);
    for c in chunks {
        s.feed(c);
    }
    let e = s.finish();
    (
        e.map(|e| (e.error().kind(), e.error().reason())),
        e.map(|e| e.after_output()),
    )
}

#[test]
fn every_split_of_every_sse_fixture_gives_the_whole_body_verdict() {
    for (name, body) in sse_fixtures() {
        let want = expected(&body);
        let (whole, after) = run(&[&body]);
        assert_eq!(whole, want, "{name}");
        for cut in 0..=body.len() {
            let (a, b) = body.split_at(cut);
            assert_eq!(run(&[a, b]), (whole, after), "{name} cut at {cut}");
        }
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(run(&bytes), (whole, after), "{name} byte by byte");
    }
}

#[test]
fn output_before_the_error_is_reported() {
    let body = b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}\n\n";
    let (v, after) = run(&[body]);
    assert_eq!(v.map(|v| v.0), Some(ErrorKind::RateLimit));
    assert_eq!(after, Some(true));
    let first = b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    assert_eq!(run(&[first]).1, Some(false));
    // A chunk that only mentions the word error is output, not an error.
    let benign =
        b"data: {\"choices\":[{\"delta\":{\"content\":\"no error here\"}}]}\n\ndata: [DONE]\n\n";
    assert_eq!(run(&[benign]), (None, None));
}

#[test]
fn an_endless_line_does_not_grow_memory_without_bound() {
    let mut s = stream_under(StatusCode::OK);
    let junk = vec![b'e'; 64 << 10];
    s.feed(b"event: error\ndata: ");
    for _ in 0..64 {
        assert!(s.feed(&junk).is_none());
    }
    // Past the limit the event is skipped; the stream goes on being read.
    s.feed(b"\n\n");
    let e = s.feed(
        b"data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}\n\n",
    );
    assert_eq!(e.map(|e| e.error().kind()), Some(ErrorKind::RateLimit));
}

mod chunking {
    //! Whatever the chunking and the line ends, the stream classifier gives the answer
    //! `classify` gives on the whole body.

    use super::*;
    use proptest::prelude::*;

    use common::sse::{body, EVENTS};

    fn stream(
        status: StatusCode,
        body: &[u8],
        cuts: &[usize],
    ) -> (
        Option<(ErrorKind, errnorm::Reason)>,
        Option<bool>,
        Option<u64>,
    ) {
        let mut s = stream_under(status);
        let mut at = 0;
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        for c in cuts.into_iter().chain([body.len()]) {
            s.feed(&body[at..c.max(at)]);
            at = c.max(at);
        }
        let e = s.finish();
        (
            e.map(|e| (e.error().kind(), e.error().reason())),
            e.map(|e| e.after_output()),
            e.map(|e| e.offset()),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn any_chunking_gives_the_whole_body_answer(
            events in prop::collection::vec(0..EVENTS.len(), 1..6),
            ends in prop::collection::vec(any::<u8>(), 1..4),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            status in prop::sample::select(vec![200u16, 500, 429]),
        ) {
            let b = body(&events, &ends, None);
            let status = StatusCode::from_u16(status).unwrap();
            let want = classify(status, &HeaderMap::new(), &b).map(|v| (v.kind(), v.reason()));
            let whole = stream(status, &b, &[]);
            prop_assert_eq!(whole.0, want, "{}", String::from_utf8_lossy(&b));
            prop_assert_eq!(stream(status, &b, &cuts), whole);
            let bytes: Vec<usize> = (0..b.len()).collect();
            prop_assert_eq!(stream(status, &b, &bytes), whole);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn a_line_over_the_limit_gives_the_same_answer_in_any_chunks(
            events in prop::collection::vec(0..EVENTS.len(), 1..4),
            at in 0usize..4,
            cuts in prop::collection::vec(any::<usize>(), 1..6),
        ) {
            let b = body(&events, &[0], Some(at % events.len()));
            let want = classify(StatusCode::OK, &HeaderMap::new(), &b).map(|v| (v.kind(), v.reason()));
            let whole = stream(StatusCode::OK, &b, &[]);
            prop_assert_eq!(whole.0, want);
            prop_assert_eq!(stream(StatusCode::OK, &b, &cuts), whole);
            let seven: Vec<usize> = (0..b.len()).step_by(7 << 10).collect();
            prop_assert_eq!(stream(StatusCode::OK, &b, &seven), whole);
        }
    }

    #[test]
    fn the_offset_is_where_the_error_event_starts() {
        let first = b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n";
        let err = b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        let b = [&first[..], &err[..]].concat();
        for cut in 0..=b.len() {
            let mut s = stream_under(StatusCode::OK);
            s.feed(&b[..cut]);
            s.feed(&b[cut..]);
            let e = s.finish().unwrap();
            assert_eq!(e.offset(), first.len() as u64, "cut at {cut}");
            assert!(b[e.offset() as usize..].starts_with(b"event: error"));
        }
    }

    #[test]
    fn an_empty_stream_under_an_error_status_gets_the_status_verdict() {
        for (status, kind) in [(500, ErrorKind::Transient), (429, ErrorKind::RateLimit)] {
            let status = StatusCode::from_u16(status).unwrap();
            let mut s = stream_under(status);
            assert_eq!(s.finish().map(|e| e.error().kind()), Some(kind));
            assert_eq!(
                classify(status, &HeaderMap::new(), b"").map(|v| v.kind()),
                Some(kind)
            );
        }
        let mut ok = stream_under(StatusCode::OK);
        assert!(ok.finish().is_none());
    }
}
