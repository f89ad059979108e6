//! Every row of `data/redaction.tsv` removes its secret, and no generated secret
//! survives redaction or the client-safe rendering of an error.

use errnorm::{classify, redact, redaction_rules, ApiError, ClientOptions};
use http::{HeaderMap, StatusCode};
use proptest::prelude::*;

#[test]
fn every_rule_removes_the_secret_of_its_example() {
    let rules = redaction_rules();
    assert!(rules.len() >= 20);
    for r in rules {
        let out = redact(r.example);
        assert!(
            !out.contains(r.secret),
            "{}: {:?} -> {out:?}",
            r.rule,
            r.example
        );
        assert!(
            out.contains(r.replace),
            "{}: {:?} -> {out:?}",
            r.rule,
            r.example
        );
    }
}

/// Secrets of every kind the rules cover.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "sk-[A-Za-z0-9]{20,40}",
        "sk-proj-[A-Za-z0-9_-]{20,40}",
        "sk-ant-api03-[A-Za-z0-9_-]{20,40}",
        "AIza[A-Za-z0-9_-]{30,35}",
        "eyJ[A-Za-z0-9_-]{10,20}\\.eyJ[A-Za-z0-9_-]{10,20}\\.[A-Za-z0-9_-]{10,30}",
        "[a-z]{1,10}\\.[a-z]{1,10}@[a-z]{2,10}\\.(com|io|cn)",
        (0u8..=255, 0u8..=255, 0u8..=255, 0u8..=255)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        "fd[0-9a-f]{2}:[0-9a-f]{1,4}::[0-9a-f]{1,4}",
        "[a-z]{3,8}\\.[a-z]{3,8}\\.(internal|svc\\.cluster\\.local|local)",
    ]
}

/// How a secret is set into text.
fn wrapped(s: String) -> impl Strategy<Value = (String, String)> {
    let s2 = s.clone();
    prop_oneof![
        Just((format!("error: {s} was rejected"), s.clone())),
        Just((format!("Authorization: Bearer {s}"), s.clone())),
        Just((format!("GET /v1/x?key={s}&y=1 failed"), s.clone())),
        Just((format!("upstream ({s}) said no."), s.clone())),
        Just((format!("\"{s}\","), s2)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_generated_secret_survives((text, secret) in secret().prop_flat_map(wrapped), pre in "[a-z ]{0,20}", post in "[a-z .]{0,20}") {
        let text = format!("{pre} {text} {post}");
        let out = redact(&text);
        prop_assert!(!out.contains(&secret), "{:?} -> {:?}", text, out);
    }

    #[test]
    fn no_generated_secret_survives_rendering((text, secret) in secret().prop_flat_map(wrapped), st in prop::sample::select(vec![400u16, 401, 403, 429, 500])) {
        // The secret in the upstream message and in the code; rendered every way.
        let body = serde_json::json!({"error": {"message": text, "type": "invalid_request_error", "code": secret}}).to_string();
        let e: ApiError = classify(StatusCode::from_u16(st).unwrap(), &HeaderMap::new(), body.as_bytes()).unwrap().into();
        for opts in [ClientOptions::default(), ClientOptions::default().with_upstream_message()] {
            let c = e.client_error(&opts);
            prop_assert!(!c.openai_body().to_string().contains(&secret), "{:?}", c);
            prop_assert!(!c.anthropic_body().to_string().contains(&secret), "{:?}", c);
        }
        prop_assert!(!e.to_string().contains(&secret));
        let debug = format!("{:?}", e);
        prop_assert!(!debug.contains(&secret));
    }

    #[test]
    fn redaction_never_panics_and_is_bounded(text in "\\PC{0,300}") {
        let out = redact(&text);
        prop_assert!(out.chars().count() <= errnorm::REDACT_LIMIT + 1);
    }
}

#[test]
fn amounts_in_quota_messages() {
    assert_eq!(
        redact("Your balance is $3.17, requested $5.00."),
        "Your balance is $[amount], requested $[amount]."
    );
    assert_eq!(
        redact("余额不足，当前余额 ¥12.50"),
        "余额不足，当前余额 ¥[amount]"
    );
    assert_eq!(redact("您的余额 0.35 元不足"), "您的余额 [amount] 元不足");
}

#[test]
fn display_debug_and_serialize_carry_no_raw_upstream_text() {
    use http::{HeaderMap, StatusCode};
    let body = br#"{"error":{"code":"bad\u001b[2J\nFAKE LOG LINE sk-abcdefghijklmnop1234","message":"key sk-abcdefghijklmnop1234 from 10.0.3.17 failed","type":"x"}}"#;
    let v = errnorm::classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body).unwrap();
    let debug_v = format!("{v:?}");
    let e: errnorm::ApiError = v.into();
    for text in [
        e.to_string(),
        format!("{e:?}"),
        debug_v,
        serde_json::to_string(&e).unwrap(),
    ] {
        assert!(!text.contains("sk-abcdefghijklmnop1234"), "{text}");
        assert!(!text.contains("10.0.3.17"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\n'), "{text}");
    }
    // The raw message stays available on purpose.
    assert!(e.message().unwrap().contains("sk-abcdefghijklmnop1234"));
}
