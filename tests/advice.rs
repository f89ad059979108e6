//! Advice on real bodies and headers, and the retry policy with a fixed random source.

use std::time::Duration;

use errnorm::{
    advice::{AdviceOptions, Credential, RetryPolicy},
    classify, Action, Classifier,
};
use http::{HeaderMap, HeaderValue, StatusCode};

/// A classifier with this retry policy that waits up to a minute (the default
/// `max_wait` is 10 s): the schedules the providers document, unclipped.
fn patient(p: RetryPolicy) -> Classifier {
    Classifier::new()
        .with_retry(p)
        .with_advice(AdviceOptions::default().with_max_wait(Duration::from_secs(60)))
}

fn verdict<'a>(
    status: u16,
    headers: &[(&'static str, &str)],
    body: &'a str,
) -> errnorm::Verdict<'a> {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    classify(StatusCode::from_u16(status).unwrap(), &h, body.as_bytes()).unwrap()
}

const MINIMAX_1002: &str = r#"{"base_resp":{"status_code":1002,"status_msg":"rate limit"}}"#;

#[test]
fn advice_on_real_responses() {
    let quota = verdict(
        429,
        &[],
        r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
    );
    let a = quota.advice();
    assert_eq!(
        (a.action, a.credential),
        (Action::Failover, Credential::AlertBilling)
    );
    assert_eq!(a.client_status, StatusCode::PAYMENT_REQUIRED);

    let rl = verdict(
        429,
        &[("retry-after", "3")],
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
    );
    let a = rl.advice();
    assert_eq!(
        (a.action, a.delay),
        (Action::Retry, Some(Duration::from_secs(3)))
    );

    let rl = verdict(
        429,
        &[
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ],
        r#"{"error":{"message":"Rate limit reached on tokens per min (TPM)","type":"tokens","code":"rate_limit_exceeded"}}"#,
    );
    let a = rl.advice();
    assert_eq!(
        (a.action, a.credential),
        (Action::Failover, Credential::CoolDown)
    );
    assert_eq!(a.cool_down, Some(Duration::from_secs(360)));

    let bad = verdict(
        400,
        &[],
        r#"{"error":{"message":"maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
    );
    assert_eq!(bad.advice().action, Action::Respond);

    let html = verdict(502, &[], "<html>502 Bad Gateway</html>");
    assert_eq!(html.advice().action, Action::Failover);
}

#[test]
fn retry_policy_follows_minimax_budgets_and_mimo_defaults() {
    let half = &mut || 0.5;
    let p = patient(RetryPolicy::default());
    // MiniMax 1002: 5 retries, factor 2.0 ("MiniMax error codes, Chinese edition").
    let v = verdict(200, &[], MINIMAX_1002);
    let delays: Vec<_> = (0..6).map(|a| p.next_delay_with(&v, a, half)).collect();
    let secs = |s: f64| Some(Duration::from_secs_f64(s));
    assert_eq!(
        delays,
        [secs(1.5), secs(2.5), secs(4.5), secs(8.5), secs(16.5), None]
    );
    // MiniMax 1000: 3 retries, factor 1.5; 1039: 2 retries, factor 1.0.
    let v = verdict(
        200,
        &[],
        r#"{"base_resp":{"status_code":1000,"status_msg":"unknown error"}}"#,
    );
    let d: Vec<_> = (0..4).map(|a| p.next_delay_with(&v, a, half)).collect();
    assert_eq!(d, [secs(1.5), secs(2.0), secs(2.75), None]);
    let v = verdict(
        200,
        &[],
        r#"{"base_resp":{"status_code":1039,"status_msg":"token limit"}}"#,
    );
    let d: Vec<_> = (0..3).map(|a| p.next_delay_with(&v, a, half)).collect();
    assert_eq!(d, [secs(1.5), secs(1.5), None]);
    // MiMo's documented policy elsewhere: 2^attempt + jitter, at most 60 s, 4 retries,
    // on an error the advice retries (its internal error; its 503 "service_unavailable"
    // with no delay is advised as a failover, and so gets no delay).
    let v = verdict(
        500,
        &[],
        r#"{"error":{"code":"internal_error","message":"Server internal error","type":"error"}}"#,
    );
    let busy = verdict(
        503,
        &[],
        r#"{"error":{"code":"service_unavailable","message":"busy","type":"error"}}"#,
    );
    assert_eq!(p.advice(&busy).action, Action::Failover);
    assert_eq!(p.next_delay_with(&busy, 0, &mut || 0.0), None);
    let zero = &mut || 0.0;
    let d: Vec<_> = (0..5).map(|a| p.next_delay_with(&v, a, zero)).collect();
    assert_eq!(d, [secs(1.0), secs(2.0), secs(4.0), secs(8.0), None]);
    let wide = patient(RetryPolicy::default().with_max_retries(10));
    assert_eq!(wide.next_delay_with(&v, 9, zero), secs(60.0));
}

#[test]
fn retry_policy_honours_the_server_and_never_retries_what_does_not_pass() {
    let p = patient(RetryPolicy::default());
    let v = verdict(429, &[("retry-after", "30")], MINIMAX_1002);
    assert_eq!(
        p.next_delay_with(&v, 0, &mut || 0.0),
        Some(Duration::from_secs(30))
    );
    let quota = verdict(
        200,
        &[],
        r#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
    );
    assert_eq!(p.next_delay_with(&quota, 0, &mut || 0.0), None);
    // The random source is clamped to [0, 1].
    let v = verdict(500, &[], "");
    assert_eq!(
        p.next_delay_with(&v, 0, &mut || 7.0),
        Some(Duration::from_secs(2))
    );
}

#[test]
fn no_advice_and_no_policy_waits_longer_than_max_wait() {
    use errnorm::ApiError;
    let p = RetryPolicy::default();
    let bodies = [
        (500, ""),
        (504, ""),
        (503, ""),
        (429, ""),
        (
            200,
            r#"{"base_resp":{"status_code":1000,"status_msg":"unknown error"}}"#,
        ),
        (200, MINIMAX_1002),
        (
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        ),
    ];
    for (status, body) in bodies {
        for wait in ["86400", "11", "3600", "Wed, 21 Oct 2099 07:28:00 GMT"] {
            let v = verdict(status, &[("retry-after", wait)], body);
            let e: ApiError = v.clone().into();
            for opts in [
                AdviceOptions::default(),
                AdviceOptions::default().with_max_wait(Duration::from_secs(2)),
            ] {
                let c = Classifier::new().with_advice(opts);
                let a = c.advice(&v);
                assert_eq!(a, c.advice(&e), "{status} {body}: owned and borrowed agree");
                if let Some(d) = a.delay {
                    assert!(d <= opts.max_wait, "{status} {wait}: waits {d:?}");
                }
                if v.retry_after().is_some_and(|d| d > opts.max_wait) {
                    assert_eq!(a.action, Action::Failover, "{status} {body} {wait}");
                    assert!(a.cool_down.is_some());
                }
                for attempt in 0..4 {
                    let d = c.next_delay_with(&v, attempt, &mut || 0.5);
                    if let Some(d) = d {
                        assert!(d <= p.cap, "{status} {wait}: the policy waits {d:?}");
                        assert!(d <= opts.max_wait, "{status} {wait}: waits {d:?}");
                    }
                    assert_eq!(d, c.next_delay_with(&e, attempt, &mut || 0.5));
                    // A delay is offered exactly where the advice says to retry.
                    if attempt == 0 {
                        assert_eq!(d.is_some(), a.action == Action::Retry, "{status} {wait}");
                    }
                }
            }
        }
    }
}

/// A classifier's delays keep to its `max_wait` whatever the backoff would reach, with
/// or without a header, at any attempt and any random draw.
#[test]
fn a_classifiers_delays_never_exceed_its_max_wait() {
    for max_wait in [Duration::from_secs(10), Duration::from_millis(300)] {
        let c = Classifier::new()
            .with_advice(AdviceOptions::default().with_max_wait(max_wait))
            .with_retry(RetryPolicy::default().with_max_retries(12));
        for (status, wait) in [
            (500, None),
            (503, None),
            (429, None),
            (429, Some("5")),
            (500, Some("1")),
        ] {
            let h: Vec<(&str, &str)> = wait.map(|w| ("retry-after", w)).into_iter().collect();
            let e = verdict(status, &h, "").into_error();
            for attempt in 0..12 {
                for r in [0.0, 0.5, 1.0] {
                    if let Some(d) = c.next_delay_with(&e, attempt, &mut || r) {
                        assert!(
                            d <= max_wait,
                            "{status} {wait:?} #{attempt}: {d:?} > {max_wait:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn advice_and_policy_agree_on_a_documented_retry() {
    // MiniMax 1002 under 200, no delay: its table documents 5 retries, so the advice is
    // to retry, and the policy gives the delay.
    let v = verdict(200, &[], MINIMAX_1002);
    assert_eq!(v.advice().action, Action::Retry);
    assert!(Classifier::new()
        .next_delay_with(&v, 0, &mut || 0.0)
        .is_some());
    // A rate limit the advice fails over from is not retried by the policy.
    let plain = verdict(
        429,
        &[],
        r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#,
    );
    assert_eq!(plain.advice().action, Action::Failover);
    assert_eq!(
        Classifier::new().next_delay_with(&plain, 0, &mut || 0.0),
        None
    );
    // A fast policy (a cap below the default one-second step) still retries 1002, after
    // its own first step: 5 ms x 2.0^0, no jitter.
    let fast = RetryPolicy::default()
        .with_backoff(
            std::time::Duration::from_millis(5),
            2.0,
            std::time::Duration::from_millis(40),
        )
        .with_jitter(std::time::Duration::ZERO);
    assert_eq!(
        Classifier::new()
            .with_retry(fast)
            .next_delay_with(&v, 0, &mut || 0.0),
        Some(std::time::Duration::from_millis(5))
    );
}

#[test]
fn advice_names_what_a_cool_down_applies_to_and_takes_overrides() {
    use errnorm::{advice::Scope, Reason};
    // Anthropic 529: the endpoint is full, not the key.
    let v = verdict(
        529,
        &[],
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    );
    assert_eq!(v.advice().scope, Scope::Endpoint);
    // A bad key is the key's; an unknown model is the model's.
    let v = verdict(
        401,
        &[],
        r#"{"error":{"message":"bad","type":"invalid_request_error","code":"invalid_api_key"}}"#,
    );
    assert_eq!(v.advice().scope, Scope::Key);
    let m = verdict(
        404,
        &[],
        r#"{"error":{"message":"no such model","type":"invalid_request_error","code":"model_not_found"}}"#,
    );
    assert_eq!(m.advice().scope, Scope::Model);
    // A context-window fallback, as LiteLLM users configure it.
    let long = verdict(
        400,
        &[],
        r#"{"error":{"message":"too long","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
    );
    assert_eq!(long.advice().action, Action::Respond);
    let o = AdviceOptions::default().with_action(Reason::ContextLengthExceeded, Action::Failover);
    assert_eq!(
        Classifier::new().with_advice(o).advice(&long).action,
        Action::Failover
    );
    // An override to retry still obeys max_wait.
    let o = AdviceOptions::default().with_action(Reason::RequestsPerTime, Action::Retry);
    let slow = verdict(
        429,
        &[("retry-after", "3600")],
        r#"{"error":{"message":"slow","type":"requests"}}"#,
    );
    assert_eq!(
        Classifier::new().with_advice(o).advice(&slow).action,
        Action::Failover
    );
}

#[test]
fn a_classifiers_advice_and_delays_are_one_rule() {
    // Anthropic's 429 asking for 30 s (its rate-limit documentation: retry-after).
    let mut h = http::HeaderMap::new();
    h.insert("retry-after", "30".parse().unwrap());
    let body = br#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#;
    let c = Classifier::new();
    let e = c
        .classify(http::StatusCode::TOO_MANY_REQUESTS, &h, body)
        .unwrap()
        .into_error();
    // 30 s is over the default 10 s wait: fail over, and no delay is offered either,
    // although the policy's own cap (60 s) would allow it.
    assert_eq!(c.advice(&e).action, Action::Failover);
    assert_eq!(c.next_delay_with(&e, 0, &mut || 0.0), None);
    // A patient classifier waits, and its policy says for how long (the server's delay).
    let patient = Classifier::new()
        .with_advice(AdviceOptions::default().with_max_wait(Duration::from_secs(60)));
    assert_eq!(patient.advice(&e).action, Action::Retry);
    assert_eq!(
        patient.next_delay_with(&e, 0, &mut || 0.0),
        Some(Duration::from_secs(30))
    );
    // An override to fail over a reason stops the policy too.
    let strict = Classifier::new().with_advice(
        AdviceOptions::default()
            .with_max_wait(Duration::from_secs(60))
            .with_action(e.reason(), Action::Failover),
    );
    assert_eq!(strict.next_delay_with(&e, 0, &mut || 0.0), None);
}
