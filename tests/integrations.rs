//! The ecosystem features: reqwest (against a local server on 127.0.0.1) and the tower
//! retry policy (with tokio's paused clock).

mod common;

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn reqwest_responses_go_through_the_relay_and_keep_their_body() {
    use errnorm::relay::Upstream;
    use errnorm::{Classifier, ErrorKind, Provider};
    let quota =
        r#"{"code":400,"reason":"BILLING_BALANCE_NOT_ENOUGH","message":"Insufficient balance"}"#;
    let ok = r#"{"choices":[]}"#;
    let (addr, served) =
        common::server::server(vec![(400, "Retry-After: 5\r\n", quota), (200, "", ok)], 2);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("http://{addr}/v1/chat/completions");
    let res = client.post(&url).body("{}").send().await.unwrap();
    let Upstream::Error(c) = Classifier::shared().relay(http::Response::from(res)).await else {
        panic!("an error");
    };
    assert_eq!(c.error.kind(), ErrorKind::Quota);
    assert_eq!(
        c.error.retry_after(),
        Some(std::time::Duration::from_secs(5))
    );
    assert_eq!(&c.body[..], quota.as_bytes());
    let res = client.post(&url).body("{}").send().await.unwrap();
    let openai = Classifier::new().with_provider(Provider::Openai);
    let Upstream::Complete(c) = openai.relay(http::Response::from(res)).await else {
        panic!("a complete answer");
    };
    assert_eq!(&c.body[..], ok.as_bytes());
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[cfg(feature = "tower")]
mod tower_policy {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use errnorm::advice::AdvicePolicy;
    use http::Response;
    use tower::retry::RetryLayer;
    use tower::{service_fn, Layer, ServiceExt};

    /// A service answering from `responses` in turn (the last one repeated).
    async fn run(responses: Vec<(u16, &'static str, &'static str)>) -> (u16, usize) {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let svc = service_fn(move |_req: ()| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            let (status, retry_after, body) = responses[n.min(responses.len() - 1)];
            let mut b = Response::builder().status(status);
            if !retry_after.is_empty() {
                b = b.header("retry-after", retry_after);
            }
            let res = b.body(body.as_bytes().to_vec()).unwrap();
            async move { Ok::<_, std::convert::Infallible>(res) }
        });
        let policy = AdvicePolicy::new(errnorm::Classifier::new()).with_seed(7);
        let svc = RetryLayer::new(policy).layer(svc);
        let res = svc.oneshot(()).await.unwrap();
        (res.status().as_u16(), calls.load(Ordering::SeqCst))
    }

    const OK: (u16, &str, &str) = (200, "", r#"{"choices":[]}"#);

    #[tokio::test(start_paused = true)]
    async fn a_short_rate_limit_is_retried_then_succeeds() {
        let limited = (
            429,
            "1",
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#,
        );
        let start = tokio::time::Instant::now();
        assert_eq!(run(vec![limited, OK]).await, (200, 2));
        // The server's delay is a floor: at least a second passed on the paused clock.
        assert!(start.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_retry_within_the_budget() {
        let down = (
            500,
            "",
            r#"{"type":"error","error":{"type":"api_error","message":"oops"}}"#,
        );
        // RetryPolicy::default allows 4 retries: 5 calls in all, then the error stands.
        assert_eq!(run(vec![down]).await, (500, 5));
        assert_eq!(run(vec![down, down, OK]).await, (200, 3));
    }

    #[tokio::test(start_paused = true)]
    async fn quota_and_validation_are_not_retried() {
        let quota = (
            429,
            "",
            r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
        );
        assert_eq!(run(vec![quota, OK]).await, (429, 1));
        let bad = (
            400,
            "",
            r#"{"error":{"message":"bad","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(run(vec![bad, OK]).await, (400, 1));
        // A rate limit longer than max_wait goes to a failover layer, not a retry here.
        let long = (
            429,
            "600",
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#,
        );
        assert_eq!(run(vec![long, OK]).await, (429, 1));
    }
}

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn reqwest_bodies_are_read_to_the_limit_and_its_failures_are_transport_errors() {
    use errnorm::relay::{Upstream, BODY_LIMIT};
    use errnorm::{Action, Classifier, Reason};
    let big: &'static str = Box::leak("x".repeat(3 * BODY_LIMIT).into_boxed_str());
    let (addr, _) = common::server::server(vec![(500, "", big)], 1);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = client.get(format!("http://{addr}/")).send().await.unwrap();
    let c = Classifier::shared();
    let Upstream::Error(r) = c.relay(http::Response::from(res)).await else {
        panic!("an error");
    };
    assert!(r.truncated);
    assert_eq!(r.body.len(), BODY_LIMIT);
    assert_eq!(r.error.reason(), Reason::ServerError);
    // A port nobody listens on: connection refused, fail over.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = client
        .get(format!("http://{closed}/"))
        .send()
        .await
        .unwrap_err();
    let e = c.transport(&err);
    assert_eq!(e.reason(), Reason::UpstreamUnavailable, "{err}");
    assert_eq!(e.advice().action, Action::Failover);
}

#[cfg(feature = "tower")]
#[test]
fn tower_policy_clones_draw_fresh_jitter_and_report_retries() {
    use errnorm::advice::AdvicePolicy;
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let policy = AdvicePolicy::new(errnorm::Classifier::new())
        .with_seed(7)
        .with_on_retry(move |e| s.lock().unwrap().push((e.attempt, e.delay, e.rule.clone())));
    let res = http::Response::builder()
        .status(500)
        .body(br#"{"type":"error","error":{"type":"api_error","message":"oops"}}"#.to_vec())
        .unwrap();
    // Two requests' clones of one policy: their first delays differ (fresh jitter).
    let (mut a, mut b) = (policy.clone(), policy.clone());
    let (da, db) = (a.delay_for(&res).unwrap(), b.delay_for(&res).unwrap());
    assert_ne!(
        da, db,
        "retries of different requests must not fire in lockstep"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0, 0);
    assert_eq!(seen[0].2, "anthropic:api_error");
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn an_axum_handler_returns_the_client_error_in_its_dialect() {
    use axum_core::response::IntoResponse;
    use errnorm::client::{ClientOptions, Dialect};
    use http_body_util::BodyExt;
    let body = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
    let e = errnorm::classify(http::StatusCode::OK, &http::HeaderMap::new(), body)
        .unwrap()
        .into_error();
    let opts = ClientOptions::default().with_dialect(Dialect::Anthropic);
    let res = e.client_error(&opts).into_response();
    // Quota is 402 to the client (not 429: clients must not retry it).
    assert_eq!(res.status(), 402);
    assert_eq!(res.headers()["content-type"], "application/json");
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["type"], "billing_error");
    // The gateway's own credentials: 503 with neutral text, OpenAI's envelope.
    let own = e
        .client_error(&ClientOptions::default().with_own_credentials())
        .into_response();
    assert_eq!(own.status(), 503);
    let bytes = own.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(v["error"]["message"].is_string());
    assert!(!String::from_utf8_lossy(&bytes).contains("balance"));
}
