//! classify and classify_as never panic on any status, headers and body, always give
//! an error status a verdict, and never ask for a wait past `MAX_RETRY_AFTER`, whatever
//! a header or the body's words state.

#![no_main]

use errnorm::{classify, classify_as, Provider};
use http::{HeaderMap, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First two bytes: the status; next byte: a header value length; then the value
    // (as Retry-After) and the body.
    let [a, b, n, rest @ ..] = data else { return };
    let status = StatusCode::from_u16(100 + u16::from_be_bytes([*a, *b]) % 500)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let split = usize::from(*n).min(rest.len());
    let (value, body) = rest.split_at(split);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_bytes(value) {
        headers.insert(http::header::RETRY_AFTER, v.clone());
        headers.insert("retry-after-ms", v);
    }
    let v = classify(status, &headers, body);
    if status.as_u16() >= 400 {
        assert!(v.is_some());
    }
    if let Some(d) = v.as_ref().and_then(|v| v.retry_after()) {
        assert!(d <= errnorm::advice::MAX_RETRY_AFTER);
    }
    for p in Provider::iter() {
        let w = classify_as(p, status, &headers, body);
        assert_eq!(w.is_some(), v.is_some());
    }
});
