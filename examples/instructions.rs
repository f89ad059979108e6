//! Instruction counts of `classify` against `serde_json::from_slice::<IgnoredAny>` on the
//! five canonical bodies, stable on a noisy machine. Run under callgrind:
//!
//! ```sh
//! cargo build --release --example instructions
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     --toggle-collect='instructions::measure_*' target/release/examples/instructions
//! callgrind_annotate /tmp/cg.out | grep measure_
//! ```
//!
//! `benches/instructions.sh` does this and prints a table. Each `measure_*` function
//! runs its work `ITERS` times on one body, so the counts divide by `ITERS`.

use std::hint::black_box;

use errnorm::{classify, classify_as, Provider};
use http::{HeaderMap, StatusCode};
use serde::de::IgnoredAny;

#[path = "../benches/bodies/canonical.rs"]
mod canonical;

/// Repetitions per body and function.
const ITERS: usize = 1000;

#[inline(never)]
fn measure_ignored_any(body: &[u8]) -> usize {
    (0..ITERS)
        .filter(|_| serde_json::from_slice::<IgnoredAny>(black_box(body)).is_ok())
        .count()
}

#[inline(never)]
fn measure_classify(status: StatusCode, h: &HeaderMap, body: &[u8]) -> usize {
    (0..ITERS)
        .filter(|_| classify(black_box(status), h, black_box(body)).is_some())
        .count()
}

#[inline(never)]
fn measure_classify_as(p: Provider, status: StatusCode, h: &HeaderMap, body: &[u8]) -> usize {
    (0..ITERS)
        .filter(|_| classify_as(p, black_box(status), h, black_box(body)).is_some())
        .count()
}

fn main() {
    let bodies = canonical::bodies();
    // Warm what is built once (the phrase and cue matchers, the thread's buffer for a
    // response's words) outside the measured functions.
    errnorm::tables::prepare();
    let _ = errnorm::classify(
        StatusCode::TOO_MANY_REQUESTS,
        &http::HeaderMap::new(),
        br#"{"message":"per day limit, retry in 2s"}"#,
    );
    let _ = errnorm::classify(
        StatusCode::TOO_MANY_REQUESTS,
        &http::HeaderMap::new(),
        br#"{"error":{"code":"rate_limit_exceeded","message":"per day"}}"#,
    );
    let only = std::env::args().nth(1);
    for (name, p, status, body) in bodies.into_iter().chain(canonical::more()) {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let a = measure_ignored_any(body);
        let h = canonical::headers(name);
        let b = measure_classify(status, &h, body);
        let c = measure_classify_as(p, status, &h, body);
        println!("{name}: {a} {b} {c}");
    }
    // A shape no row knows: `classify` only (no provider to name).
    for (name, status, body) in canonical::untabled() {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let a = measure_ignored_any(body);
        let b = measure_classify(status, &HeaderMap::new(), body);
        println!("{name}: {a} {b}");
    }
}
