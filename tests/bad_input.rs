//! Bad input never panics and still gets a verdict from the status code, marked as such.

mod common;

use std::time::{Duration, Instant};

use errnorm::{classify, classify_as, verdict::BodyForm, Basis, ErrorKind, Provider};
use http::{HeaderMap, StatusCode};

fn both(status: u16, body: &[u8]) -> Vec<Option<errnorm::Verdict<'_>>> {
    let s = StatusCode::from_u16(status).unwrap();
    let h = HeaderMap::new();
    let mut out = vec![classify(s, &h, body)];
    out.extend(Provider::iter().map(|p| classify_as(p, s, &h, body)));
    out
}

fn assert_status_decides(status: u16, body: &[u8], form: BodyForm, kind: ErrorKind) {
    for v in both(status, body) {
        let v = v.expect("an error status always gets a verdict");
        assert_eq!(v.basis(), Basis::HttpStatus);
        assert_eq!(v.body_form(), form);
        assert_eq!(v.kind(), kind);
    }
}

#[test]
fn invalid_truncated_html_empty_and_non_utf8() {
    use ErrorKind::*;
    assert_status_decides(500, b"{not json", BodyForm::Unparsed, Transient);
    assert_status_decides(
        429,
        br#"{"error":{"message":"rate"#,
        BodyForm::Unparsed,
        RateLimit,
    );
    assert_status_decides(
        502,
        b"<html><body>Bad Gateway</body></html>",
        BodyForm::Text,
        Transient,
    );
    assert_status_decides(401, b"", BodyForm::Empty, Auth);
    assert_status_decides(402, b"   \n", BodyForm::Empty, Quota);
    // A message that is not UTF-8 is read as bytes (strings are checked only when
    // asked for): nothing in it is known, so the status decides, and the verdict has no
    // message to give.
    let bad = b"{\"error\":{\"message\":\"\xc3\x28\"}}";
    assert_status_decides(400, bad, BodyForm::Json, Validation);
    let v = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), bad).unwrap();
    assert_eq!(v.message(), None);
    assert_status_decides(503, b"\xff\xfe\x00\x01", BodyForm::Text, Transient);
    // Under a success status the same bodies are no error at all.
    for body in [&b"{not json"[..], b"<html/>", b"", b"\xff\xfe"] {
        assert!(both(200, body).iter().all(Option::is_none));
    }
}

#[test]
fn nesting_100_000_levels_deep() {
    // errnorm's own visitors go at most three levels down (`error`, `base_resp`); what
    // lies deeper is skipped by serde_json without recursion, so depth costs one byte of
    // scratch per level and never the stack.
    let depth = 100_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert_status_decides(500, arrays.as_bytes(), BodyForm::Json, ErrorKind::Transient);
    let objects = format!("{}1{}", r#"{"error":"#.repeat(depth), "}".repeat(depth));
    assert_status_decides(
        429,
        objects.as_bytes(),
        BodyForm::Json,
        ErrorKind::RateLimit,
    );
    // Deep nesting inside a value errnorm skips does not hide the evidence beside it.
    let skipped = format!(
        r#"{{"x":{}{},"base_resp":{{"status_code":1008}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    for v in both(200, skipped.as_bytes()) {
        let v = v.unwrap();
        assert_eq!(v.kind(), ErrorKind::Quota);
        assert_eq!(v.basis(), Basis::ProviderCode);
    }
    // Unclosed nesting is not JSON.
    assert_status_decides(
        503,
        "[".repeat(depth).as_bytes(),
        BodyForm::Unparsed,
        ErrorKind::Transient,
    );
    let unclosed = format!(r#"{{"error":{{"message":{}"#, "[".repeat(depth));
    assert_status_decides(
        500,
        unclosed.as_bytes(),
        BodyForm::Unparsed,
        ErrorKind::Transient,
    );
}

#[test]
fn a_10_mb_body_is_read_in_linear_time() {
    let big = "a".repeat(10 << 20);
    let message = format!(r#"{{"error":{{"message":"{big} insufficient balance","type":"x"}}}}"#);
    let start = Instant::now();
    let v = classify(
        StatusCode::BAD_REQUEST,
        &HeaderMap::new(),
        message.as_bytes(),
    )
    .unwrap();
    // The phrase lies beyond the phrase scan limit: the status decides.
    assert_eq!(v.basis(), Basis::HttpStatus);
    assert_eq!(v.kind(), ErrorKind::Validation);
    assert_eq!(v.body_form(), BodyForm::Json);

    let success_then_error = format!(
        r#"{{"choices":[{{"message":{{"content":"{big}"}}}}],"base_resp":{{"status_code":1002,"status_msg":"rate limit"}}}}"#
    );
    let v = classify(
        StatusCode::OK,
        &HeaderMap::new(),
        success_then_error.as_bytes(),
    )
    .unwrap();
    assert_eq!(v.kind(), ErrorKind::RateLimit);
    assert_eq!(v.basis(), Basis::ProviderCode);
    let html = format!("<html>{big}</html>");
    assert_status_decides(504, html.as_bytes(), BodyForm::Text, ErrorKind::Transient);
    // Generous: a debug build reads 30 MB in well under this; quadratic work would not.
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn every_fixture_truncated_at_every_byte_still_gets_a_verdict() {
    for fx in common::all() {
        let body = fx.body();
        for cut in 0..body.len() {
            let part = &body[..cut];
            for v in both(fx.status, part) {
                if fx.status >= 400 {
                    assert!(v.is_some(), "{} cut at {cut}", fx.file);
                }
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    // xorshift64*: deterministic, no dependency.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let alphabet = br#"{}[]":,0123456789 abcdeErorsatus_\u\n-.ebase_resp(1008)data: event:"#;
    for _ in 0..3000 {
        let len = (next() % 200) as usize;
        let body: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 4 == 0 {
                    (r >> 8) as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        let status = [200u16, 400, 429, 500, 503][(next() % 5) as usize];
        for v in both(status, &body) {
            if status >= 400 {
                assert!(v.is_some());
            }
        }
    }
}

/// The fastest of three runs.
fn timed(status: u16, body: &[u8]) -> (Duration, Option<ErrorKind>) {
    let s = StatusCode::from_u16(status).unwrap();
    let h = HeaderMap::new();
    let mut best = Duration::MAX;
    let mut kind = None;
    for _ in 0..3 {
        let t = Instant::now();
        kind = classify(s, &h, body).map(|v| v.kind());
        best = best.min(t.elapsed());
    }
    (best, kind)
}

#[test]
fn work_grows_linearly_to_64_mib_and_a_million_levels() {
    // A success-shaped body with the error object at the end: 1 MiB, then 64 times that.
    let body = |mib: usize| {
        let chunk = r#"{"message":{"role":"assistant","content":"the quick brown fox jumps over the lazy dog"}},"#;
        let n = (mib << 20) / chunk.len();
        format!(
            r#"{{"choices":[{}{{}}],"base_resp":{{"status_code":1008,"status_msg":"insufficient balance"}}}}"#,
            chunk.repeat(n)
        )
    };
    let (t1, k1) = timed(200, body(1).as_bytes());
    let (t64, k64) = timed(200, body(64).as_bytes());
    assert_eq!((k1, k64), (Some(ErrorKind::Quota), Some(ErrorKind::Quota)));
    // Linear is 64x; allow three times that for a noisy machine. Quadratic would be 4096x.
    assert!(t64 < t1 * 192, "1 MiB {t1:?}, 64 MiB {t64:?}");

    // Nesting: 15,625 levels, then 64 times that (1,000,000), under an error status.
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let (s1, k1) = timed(502, nested(15_625).as_bytes());
    let (s64, k64) = timed(502, nested(1_000_000).as_bytes());
    assert_eq!(
        (k1, k64),
        (Some(ErrorKind::Transient), Some(ErrorKind::Transient))
    );
    assert!(
        s64 < s1 * 192,
        "15,625 levels {s1:?}, 1,000,000 levels {s64:?}"
    );
}
