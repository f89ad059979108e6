//! The `tracing` events (feature `tracing`): one per classification, transport failure
//! and retry, on the `errnorm` target, with stable ids as fields and no upstream text.
#![cfg(feature = "tracing")]

mod common;

use common::capture::{during, field, install};
use errnorm::{classify, Classifier};
use http::{HeaderMap, StatusCode};

#[test]
fn a_classification_is_one_event_with_stable_ids_and_no_upstream_text() {
    let events = during(|| {
        // A success is not an event.
        assert!(classify(StatusCode::OK, &HeaderMap::new(), br#"{"choices":[]}"#).is_none());
        let body = br#"{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx","type":"invalid_request_error","code":"invalid_api_key"}}"#;
        let v = classify(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body).unwrap();
        assert_eq!(v.rule().id(), "openai:invalid_api_key");
    });
    assert_eq!(events.len(), 1, "{events:?}");
    let (target, f) = &events[0];
    assert_eq!(target, "errnorm");
    assert_eq!(field(f, "message"), Some("classified"));
    assert_eq!(field(f, "rule"), Some("openai:invalid_api_key"));
    assert_eq!(field(f, "kind"), Some("auth"));
    assert_eq!(field(f, "reason"), Some("invalid_key"));
    // OpenTelemetry's attribute for a failure's type carries the same id.
    assert_eq!(field(f, "error.type"), Some("invalid_key"));
    assert_eq!(field(f, "provider"), Some("openai"));
    assert_eq!(field(f, "basis"), Some("provider_code"));
    assert_eq!(field(f, "status"), Some("401"));
    let all = format!("{events:?}");
    assert!(!all.contains("sk-proj"), "{all}");
    assert!(!all.contains("Incorrect"), "{all}");
}

#[test]
fn transport_failures_and_streams_are_events_too() {
    let events = during(|| {
        errnorm::Classifier::shared()
            .transport(&std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let c = Classifier::new();
        let mut s = c.stream(StatusCode::OK, HeaderMap::new());
        s.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n");
        s.feed(b"data: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}\n\n");
    });
    let names: Vec<_> = events
        .iter()
        .map(|(_, f)| {
            (
                field(f, "message").unwrap_or(""),
                field(f, "rule").unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("transport", "transport:connection_refused"),
            ("classified", "minimax:1002")
        ]
    );
}

#[cfg(feature = "tower")]
#[test]
fn a_retry_is_an_event_with_its_delay() {
    use errnorm::advice::AdvicePolicy;
    let events = during(|| {
        let mut p = AdvicePolicy::new(errnorm::Classifier::new()).with_seed(3);
        let res = http::Response::builder()
            .status(503)
            .header("retry-after", "2")
            .body(b"".to_vec())
            .unwrap();
        assert_eq!(p.delay_for(&res), Some(std::time::Duration::from_secs(2)));
    });
    let retry = events
        .iter()
        .find(|(_, f)| field(f, "message") == Some("retry"))
        .expect("a retry event");
    assert_eq!(field(&retry.1, "rule"), Some("status:503"));
    assert_eq!(field(&retry.1, "attempt"), Some("0"));
    assert_eq!(field(&retry.1, "delay_ms"), Some("2000"));
}

#[cfg(all(feature = "tower", feature = "http-body"))]
#[tokio::test(start_paused = true)]
async fn tower_retries_any_body_from_the_relays_one_classification() {
    use errnorm::{advice::AdvicePolicy, relay::Upstream, Classifier};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tower::{service_fn, ServiceBuilder, ServiceExt};

    let cap = install();
    // An upstream whose body type is not bytes: 503 twice, then an answer.
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let upstream = service_fn(move |_req: ()| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        let (status, body): (u16, &'static [u8]) = if i < 2 {
            (
                503,
                br#"{"type":"error","error":{"type":"api_error","message":"try again"}}"#,
            )
        } else {
            (200, br#"{"choices":[]}"#)
        };
        let res = http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from_static(body)))
            .unwrap();
        async move { Ok::<_, std::convert::Infallible>(res) }
    });
    let classifier = Classifier::new();
    let svc = ServiceBuilder::new()
        .retry(AdvicePolicy::new(errnorm::Classifier::new()).with_seed(9))
        .service(upstream.then(move |res| {
            let c = classifier.clone();
            async move { Ok::<_, std::convert::Infallible>(c.relay(res?).await) }
        }));
    let Upstream::Complete(r) = svc.oneshot(()).await.unwrap() else {
        panic!("not answered")
    };
    assert_eq!(r.status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // Two error responses, each classified once, each retried once.
    assert_eq!(cap.count(&["classified"]), 2);
    assert_eq!(cap.count(&["retry"]), 2);
}
