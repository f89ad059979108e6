//! The stream classifier never panics, and its answer does not depend on how the
//! stream is cut: the input is fed whole, in chunks the input's first byte sizes, and
//! byte by byte, and all three must agree (kind, reason, offset, after_output).

#![no_main]

use http::StatusCode;
use libfuzzer_sys::fuzz_target;

fn run(status: StatusCode, body: &[u8], chunk: usize) -> Option<(String, u64, bool)> {
    let mut s = errnorm::Classifier::shared().stream(status, http::HeaderMap::new());
    for c in body.chunks(chunk.max(1)) {
        if s.feed(c).is_some() {
            break;
        }
    }
    s.finish()
        .map(|e| (e.error().rule_id().to_string(), e.offset(), e.after_output()))
}

fuzz_target!(|data: &[u8]| {
    let [n, s, body @ ..] = data else { return };
    let status = if s & 1 == 0 {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let whole = run(status, body, body.len());
    assert_eq!(run(status, body, usize::from(*n) + 1), whole);
    assert_eq!(run(status, body, 1), whole);
});
