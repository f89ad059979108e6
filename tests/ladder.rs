//! The general cases of the order of evidence, each written from a provider document's
//! words: a catch-all never outranks a decisive phrase, an unknown code falls through to
//! the message, a decisive phrase outranks a misleading status, an `event: error` is the
//! error whatever its wrapper, and a shape is not taken for another provider's.

use errnorm::{classify, Basis, ErrorKind, Provider};
use http::{HeaderMap, StatusCode};

fn kind(status: u16, body: &str) -> (ErrorKind, Basis, Option<Provider>) {
    let v = classify(
        StatusCode::from_u16(status).unwrap(),
        &HeaderMap::new(),
        body.as_bytes(),
    )
    .unwrap();
    (v.kind(), v.basis(), v.provider())
}

#[test]
fn a_catch_all_type_never_outranks_a_decisive_phrase() {
    // OpenAI: a disabled organization comes as an invalid_request_error.
    let b = r#"{"error":{"message":"Your organization has been disabled.","type":"invalid_request_error"}}"#;
    assert_eq!(kind(400, b).0, ErrorKind::Auth);
    // new-api's own type over a quota message.
    let b = r#"{"error":{"message":"quota exhausted, please recharge (request id: 1)","type":"new_api_error"}}"#;
    assert_eq!(kind(403, b).0, ErrorKind::Quota);
}

#[test]
fn an_unknown_code_falls_through_to_the_message() {
    let b = r#"{"error":{"code":"brand_new_code_2031","message":"You exceeded your current quota, please check your plan and billing details."}}"#;
    assert_eq!(
        kind(400, b),
        (
            ErrorKind::Quota,
            Basis::MessagePhrase,
            Some(Provider::Openai)
        )
    );
    let b = r#"{"code":99999,"message":"Insufficient balance"}"#;
    assert_eq!(kind(400, b).0, ErrorKind::Quota);
}

#[test]
fn a_decisive_phrase_outranks_a_misleading_status() {
    // OpenRouter documents 402 for credits, but gateways relay it as 403 or 429.
    let b = r#"{"error":{"message":"Insufficient credits. Add more using https://openrouter.ai/credits","code":402}}"#;
    assert_eq!(kind(403, b).0, ErrorKind::Quota);
    assert_eq!(kind(429, b).0, ErrorKind::Quota);
}

#[test]
fn an_error_event_is_the_error_whatever_its_wrapper() {
    let b = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\nevent: error\ndata: {\"message\":\"Overloaded\"}\n\n";
    assert_eq!(kind(200, b).0, ErrorKind::Transient);
    let b = "event: error\ndata: {\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\"}\n\n";
    assert_eq!(kind(200, b).0, ErrorKind::RateLimit);
}

#[test]
fn a_number_in_error_status_is_not_google_s_canonical_status() {
    // Azure OpenAI's content filter error carries "status": 400 beside innererror.
    let b = r#"{"error":{"message":"The response was filtered","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}}"#;
    let (k, _, p) = kind(400, b);
    assert_eq!((k, p), (ErrorKind::Content, Some(Provider::Azure)));
    // Google's own canonical status still names Gemini.
    let g = r#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#;
    assert_eq!(
        kind(400, g),
        (ErrorKind::Auth, Basis::ProviderCode, Some(Provider::Gemini))
    );
}
