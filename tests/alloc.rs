//! `classify` and `classify_as` allocate nothing for bodies whose strings carry no JSON
//! escapes: counted by a global allocator that counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use errnorm::{classify, classify_as, Basis, Provider};
use http::{HeaderMap, StatusCode};

#[path = "../benches/bodies/canonical.rs"]
mod canonical;
mod common;

struct Counting;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
    /// Bytes allocated and not yet freed, on this thread.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The most `LIVE` has been since it was last reset.
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn live(delta: isize) {
    let _ = LIVE.try_with(|c| {
        c.set(c.get() + delta);
        let _ = PEAK.try_with(|p| p.set(p.get().max(c.get())));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        live(layout.size() as isize);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live(-(layout.size() as isize));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        live(new as isize - layout.size() as isize);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Builds what is built once (the phrase and cue matchers, this thread's buffer for the
/// words of a response) outside the counts.
fn warm_up() {
    errnorm::tables::prepare();
    // The thread's buffer for escaped strings, grown once.
    let _ = classify(
        StatusCode::FORBIDDEN,
        &HeaderMap::new(),
        format!(r#"{{"error":{{"message":"{}"}}}}"#, "\\u00e9".repeat(2000)).as_bytes(),
    );
    let _ = classify(
        StatusCode::TOO_MANY_REQUESTS,
        &HeaderMap::new(),
        br#"{"message":"slow down, retry in 2s"}"#,
    );
    let _ = classify(
        StatusCode::TOO_MANY_REQUESTS,
        &HeaderMap::new(),
        br#"{"error":{"code":"rate_limit_exceeded","message":"per day"}}"#,
    );
}

/// Allocations made by `f` on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = COUNT.with(Cell::get);
    let r = f();
    (COUNT.with(Cell::get) - before, r)
}

#[test]
fn canonical_bodies_classify_without_allocating() {
    // The matchers are built once, on first use: build them outside the count.
    warm_up();
    for (name, p, status, body) in canonical::bodies().into_iter().chain(canonical::more()) {
        let h = canonical::headers(name);
        // With the `metrics` feature, the first error of each reason, provider and
        // action registers its metric handle: once, outside the count.
        if cfg!(feature = "metrics") {
            let _ = classify(status, &h, body);
            let _ = classify_as(p, status, &h, body);
        }
        let (n, v) = allocations(|| classify(status, &h, body).map(|v| v.kind()));
        if status.is_success() && v.is_none() {
            // A success body (a completion, a stream chunk): no verdict, no allocation.
            assert_eq!(n, 0, "{name}: classify allocated {n} times");
            continue;
        }
        assert!(v.is_some());
        assert_eq!(n, 0, "{name}: classify allocated {n} times");
        let (n, v) = allocations(|| classify_as(p, status, &h, body).map(|v| v.kind()));
        assert!(v.is_some());
        assert_eq!(n, 0, "{name}: classify_as allocated {n} times");
    }
    // A shape no row knows, read by the generic reading.
    for (name, status, body) in canonical::untabled() {
        if cfg!(feature = "metrics") {
            let _ = classify(status, &HeaderMap::new(), body);
        }
        let (n, v) = allocations(|| classify(status, &HeaderMap::new(), body).map(|v| v.kind()));
        assert_eq!(v, Some(errnorm::ErrorKind::Auth), "{name}");
        assert_eq!(n, 0, "{name}: classify allocated {n} times");
    }
}

/// Every JSON fixture without escapes classifies without allocating, whether a table
/// row knows its shape (a row lists one of its identifiers or phrases) or the generic
/// reading walks it (a shape no row knows: its bytes are walked, nothing is built).
#[test]
fn every_fixture_without_escapes_classifies_without_allocating() {
    warm_up();
    let mut checked = 0;
    let mut generic = 0;
    let known = |v: &errnorm::Verdict<'_>| {
        matches!(
            v.basis(),
            Basis::ProviderCode | Basis::CodeInMessage | Basis::ErrorType | Basis::MessagePhrase
        )
    };
    for fx in common::all() {
        let body = fx.body();
        let json = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['));
        if body.contains(&b'\\') || !json {
            continue;
        }
        let h = fx.headers();
        let status = fx.status();
        let Some(first) = classify(status, &h, &body).map(|v| known(&v)) else {
            continue;
        };
        generic += usize::from(!first);
        let (n, _) = allocations(|| classify(status, &h, &body).map(|v| v.kind()));
        assert_eq!(n, 0, "{}: classify allocated {n} times", fx.file);
        for p in Provider::iter() {
            if classify_as(p, status, &h, &body).is_none() {
                continue;
            }
            let (n, _) = allocations(|| classify_as(p, status, &h, &body).map(|v| v.kind()));
            assert_eq!(n, 0, "{}: classify_as({p}) allocated {n} times", fx.file);
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} fixtures checked");
    assert!(
        generic > 5,
        "only {generic} fixtures read by the generic reading"
    );
}

#[test]
fn escaped_strings_are_decoded_in_a_reused_buffer() {
    warm_up();
    let h = HeaderMap::new();
    let body =
        br#"{"error":{"message":"\u7528\u6237\u989d\u5ea6\u4e0d\u8db3","type":"new_api_error"}}"#;
    // Decided by the phrase of an escaped message: read in the thread's buffer (a first
    // call registers the metric handle, with the `metrics` feature).
    if cfg!(feature = "metrics") {
        let _ = classify(StatusCode::FORBIDDEN, &h, body);
    }
    let (n, v) = allocations(|| classify(StatusCode::FORBIDDEN, &h, body).map(|v| v.kind()));
    assert_eq!(v, Some(errnorm::ErrorKind::Quota));
    assert_eq!(n, 0, "the escaped message was read without allocating");
    // The message, asked for, is decoded once into the verdict (its text, and the box
    // that keeps the verdict small until then), then copied out here.
    let (n, m) = allocations(|| {
        classify(StatusCode::FORBIDDEN, &h, body).and_then(|v| v.message().map(str::to_owned))
    });
    assert_eq!(m.as_deref(), Some("用户额度不足"));
    assert_eq!(n, 3, "one decoded message in its box, one copy");
}

/// A gateway that reloads its rules (on SIGHUP, every minute) builds a new Classifier
/// and drops the old one: memory stays flat over 10,000 reloads.
#[test]
fn reloading_rules_ten_thousand_times_keeps_memory_flat() {
    use errnorm::{Classifier, Rules};
    let table =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/gateway.tsv")).unwrap();
    let body =
        br#"{"error":{"message":"x","type":"new_api_error","code":"insufficient_user_quota"}}"#;
    let reload = || {
        let mut rules = Rules::new();
        rules.add("gateway.tsv", &table).unwrap();
        let c = Classifier::new().with_rules(rules);
        let v = c
            .classify(StatusCode::FORBIDDEN, &HeaderMap::new(), body)
            .unwrap();
        assert_eq!(v.rule().id(), "gateway:insufficient_user_quota");
    };
    // Warm the lazily built built-in matcher and thread-locals first.
    reload();
    let before = LIVE.with(Cell::get);
    for _ in 0..10_000 {
        reload();
    }
    let after = LIVE.with(Cell::get);
    assert_eq!(after - before, 0, "bytes still held after 10,000 reloads");
}

/// One 1 MiB event that arrives a byte at a time grows a relay by a small multiple of
/// the event, not by a `Bytes` and an allocation per byte (it grew by 33-64 MiB).
#[cfg(feature = "http-body")]
#[test]
fn a_relay_fed_one_byte_at_a_time_holds_a_small_multiple_of_the_event() {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use bytes::Bytes;
    use errnorm::{
        relay::{Piece, Upstream},
        Classifier,
    };
    use http_body::{Body, Frame};

    /// A body of `len` bytes (an SSE event of `a`s, then its blank line), one byte a
    /// frame, made as it is read.
    struct Drip {
        at: usize,
        len: usize,
    }
    impl Body for Drip {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            if self.at >= self.len {
                return Poll::Ready(None);
            }
            let b: &'static [u8] = match self.at {
                0..=5 => &b"data: "[self.at..=self.at],
                n if n + 2 >= self.len => b"\n",
                _ => b"a",
            };
            self.at += 1;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b)))))
        }
    }

    const EVENT: usize = 1 << 20;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = Classifier::new();
        let res = http::Response::builder()
            .header("content-type", "text/event-stream")
            .body(Drip { at: 0, len: EVENT })
            .unwrap();
        let Upstream::Stream(mut relay) = c.relay(res).await else {
            panic!("not relayed")
        };
        let base = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(base));
        let mut out = 0usize;
        while let Some(p) = relay.next().await {
            match p {
                Piece::Data(b) => out += b.len(),
                Piece::Error(e) => panic!("{:?}", e.error()),
            }
        }
        assert_eq!(out, EVENT);
        let grew = PEAK.with(Cell::get) - base;
        assert!(grew <= 4 << 20, "the relay grew by {grew} bytes");
    });
}
