//! The relay hands on exactly the bytes before the stream's first error event (all of
//! them when there is none), never panics, and reports the error the stream classifier
//! finds in the whole body: the input is relayed in chunks its first two bytes size.

#![no_main]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use errnorm::relay::{Piece, Upstream};
use errnorm::Classifier;
use http::StatusCode;
use http_body::{Body, Frame};
use libfuzzer_sys::fuzz_target;

/// A body whose chunks are always ready.
struct Chunks(VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }
}

/// Runs a future whose every poll is ready (the body never waits).
fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [a, b, body @ ..] = data else { return };
    // Chunk sizes from 1 byte up, from the first two bytes.
    let size = (usize::from(*a) << 8 | usize::from(*b)).max(1);
    let chunks: VecDeque<Bytes> = body.chunks(size).map(Bytes::copy_from_slice).collect();
    let res = http::Response::builder()
        .header("content-type", "text/event-stream")
        .body(Chunks(chunks))
        .unwrap();
    let c = Classifier::new();
    let (out, err) = run(async {
        let Upstream::Stream(mut r) = c.relay(res).await else {
            panic!("an event stream under 200 is relayed")
        };
        let mut out = Vec::new();
        let mut err = None;
        while let Some(p) = r.next().await {
            match p {
                Piece::Data(d) => {
                    assert!(err.is_none(), "data after the error");
                    out.extend_from_slice(&d);
                }
                Piece::Error(e) => {
                    assert!(err.is_none(), "two errors");
                    err = Some((e.offset(), e.error().rule_id().to_string()));
                }
            }
        }
        (out, err)
    });
    let mut s = errnorm::Classifier::shared().stream(StatusCode::OK, http::HeaderMap::new());
    s.feed(body);
    let want = s
        .finish()
        .map(|e| (e.offset(), e.error().rule_id().to_string()));
    assert_eq!(err, want);
    let upto = want.map_or(body.len(), |(o, _)| o as usize);
    assert_eq!(&out[..], &body[..upto]);
});
