//! The generic layer on responses no table row describes, each written by hand from a
//! provider's or a server's documented or published response (the source is named at
//! each case), with the label from the taxonomy's rule, never from running errnorm:
//! shapes, words, success bodies that must stay successes, delays and windows stated
//! in the body.

use std::time::Duration;

use errnorm::{classify, Basis, ErrorKind, Reason};
use http::{HeaderMap, StatusCode};

fn v(status: u16, body: &str) -> Option<(ErrorKind, Reason, Basis, Option<Duration>)> {
    classify(
        StatusCode::from_u16(status).unwrap(),
        &HeaderMap::new(),
        body.as_bytes(),
    )
    .map(|v| (v.kind(), v.reason(), v.basis(), v.retry_after()))
}

fn kind(status: u16, body: &str) -> Option<ErrorKind> {
    v(status, body).map(|x| x.0)
}

#[test]
fn successes_stay_successes() {
    let ok = [
        // An ordinary chat completion (OpenAI API reference, "The chat completion object").
        r#"{"id":"chatcmpl-123","object":"chat.completion","created":1677652288,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"The rate limit and the billing quota were fine."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}"#,
        // A stream chunk with `"error": null` (vLLM and LiteLLM send the key empty).
        r#"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"error":null}"#,
        // A task result that succeeded (Replicate's prediction object).
        r#"{"id":"p1","status":"succeeded","output":["https://replicate.delivery/x.png"],"error":null}"#,
        // A task still running (an async job API).
        r#"{"task_id":"t1","status":"processing"}"#,
        // Cloudflare's API envelope on success: `success: true`, `errors: []`.
        r#"{"result":{"response":"Hello"},"success":true,"errors":[],"messages":[]}"#,
        // The `{"code":0,"msg":"success"}` envelope of many Chinese APIs.
        r#"{"code":0,"msg":"success","data":{"text":"你好"}}"#,
        r#"{"code":200,"message":"OK","data":{"text":"hello"}}"#,
        // Tencent Cloud API 3.0 on success: `Response` without `Error`.
        r#"{"Response":{"Choices":[{"Message":{"Content":"hi"}}],"RequestId":"r1"}}"#,
        // An OpenAI Responses API object that completed.
        r#"{"id":"resp_1","object":"response","status":"completed","output":[]}"#,
    ];
    for body in ok {
        assert_eq!(v(200, body), None, "{body}");
    }
}

#[test]
fn success_shaped_errors_under_200_say_so() {
    // Cloudflare's API envelope on failure (Cloudflare API docs, "API errors").
    let cf = r#"{"result":null,"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[]}"#;
    assert_eq!(kind(200, cf), Some(ErrorKind::Auth));
    // Tencent Cloud API 3.0: errors under 200 in `Response.Error` (its common error codes).
    let tc = r#"{"Response":{"Error":{"Code":"ResourceUnavailable.InArrears","Message":"The account is in arrears."},"RequestId":"r"}}"#;
    assert_eq!(kind(200, tc), Some(ErrorKind::Quota));
    // A failed task (Replicate's prediction object, `status: failed`).
    let failed = r#"{"id":"p","status":"failed","error":"CUDA out of memory"}"#;
    assert_eq!(kind(200, failed), Some(ErrorKind::Transient));
    // Black Forest Labs: a result moderated under 200 (`status: "Content Moderated"`).
    let bfl = r#"{"id":"x","status":"Content Moderated","result":null}"#;
    assert_eq!(kind(200, bfl), Some(ErrorKind::Content));
    // `{"code": N, "msg": ...}` with a non-zero code.
    let cn = r#"{"code":40301,"msg":"余额不足，请充值"}"#;
    assert_eq!(kind(200, cn), Some(ErrorKind::Quota));
}

#[test]
fn identifiers_no_table_lists_are_read_as_words() {
    use ErrorKind::*;
    // Each identifier under a 400 whose own kind is validation: the words overrule it.
    let cases = [
        ("ACCOUNT_ARREARS", Quota),
        ("monthly_spend_limit_reached", Quota),
        ("PaymentRequired", Quota),
        ("ModelNotAllowedForKey", Auth),
        ("Throttling.Concurrency", RateLimit),
        ("DEADLINE_EXCEEDED", Transient),
        ("PERMISSION_DENIED", Auth),
        ("ContentPolicyViolation", Content),
        ("context-length-exceeded", Validation),
    ];
    for (code, want) in cases {
        let body = format!(r#"{{"errorCode":"{code}","requestId":"r"}}"#);
        assert_eq!(kind(400, &body), Some(want), "{code}");
        // The same identifier in a known shape whose only listed value is the
        // catch-all `invalid_request_error` (OpenAI's generic type): the message says
        // nothing, so the words of the code no table lists decide.
        let body = format!(
            r#"{{"error":{{"type":"invalid_request_error","code":"{code}","message":"Request failed."}}}}"#
        );
        assert_eq!(kind(400, &body), Some(want), "in error.code: {code}");
    }
}

#[test]
fn words_overrule_a_status_that_contradicts_them() {
    use ErrorKind::*;
    // A host at capacity under 429 is the host's, not the caller's window.
    let busy = r#"{"error":"This host is at capacity right now, please retry later"}"#;
    assert_eq!(
        v(429, busy).map(|x| (x.0, x.2)),
        Some((Transient, Basis::Cue))
    );
    // A context overflow under 500.
    let ctx = r#"{"detail":"This model's maximum context length is 8192 tokens"}"#;
    assert_eq!(kind(500, ctx), Some(Validation));
    // No credits under 401.
    assert_eq!(
        kind(401, r#"{"message":"No credits left on your account"}"#),
        Some(Quota)
    );
    // A feature combination not supported under 403.
    assert_eq!(
        kind(
            403,
            r#"{"error":{"message":"Streaming is not supported with this model"}}"#
        ),
        Some(Validation)
    );
    // Words the phrase table does not hold verbatim.
    for m in ["balance is not sufficient", "not enough credit left"] {
        let body = format!(r#"{{"message":"{m}"}}"#);
        assert_eq!(kind(400, &body), Some(Quota), "{m}");
    }
    // A guardrail's refusal sent as a 500, in Chinese.
    assert_eq!(kind(500, r#"{"msg":"输入内容包含敏感词"}"#), Some(Content));
}

#[test]
fn delays_stated_in_the_body() {
    let ms = Duration::from_millis;
    // OpenAI: "Please try again in 2.4s" in the message, no header.
    let oa = r#"{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000, Requested 1200. Please try again in 2.4s. Visit https://platform.openai.com/account/rate-limits to learn more.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#;
    let got = v(429, oa).unwrap();
    assert_eq!((got.0, got.3), (ErrorKind::RateLimit, Some(ms(2400))));
    // "in 120ms" and "in 1m26.4s".
    let short = r#"{"error":{"message":"Rate limit reached on requests per min (RPM). Please try again in 120ms.","type":"requests","code":"rate_limit_exceeded"}}"#;
    assert_eq!(v(429, short).unwrap().3, Some(ms(120)));
    let long = r#"{"error":{"message":"Rate limit reached on tokens per min (TPM). Please try again in 1m26.4s.","type":"tokens","code":"rate_limit_exceeded"}}"#;
    assert_eq!(v(429, long).unwrap().3, Some(ms(86_400)));
    // Gemini's free-tier per-minute 429: quota in words, a wait of seconds in
    // RetryInfo and in the message: a rate limit, not an empty balance.
    let gemini = r#"{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10\nPlease retry in 34.574123s.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaValue":"10"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34s"}]}}"#;
    let got = v(429, gemini).unwrap();
    assert_eq!(got.0, ErrorKind::RateLimit);
    assert_eq!(got.3, Some(Duration::from_nanos(34_574_123_000)));
    // "please wait N seconds", from a proxy with no table.
    let wait = r#"{"error":"Too many requests, please wait 20 seconds before retrying"}"#;
    assert_eq!(
        v(429, wait).map(|x| (x.0, x.3)),
        Some((ErrorKind::RateLimit, Some(Duration::from_secs(20))))
    );
    // A server cannot park a caller for years: capped as a header is.
    let huge = r#"{"error":"rate limited, retry after 99999999 seconds"}"#;
    assert_eq!(
        v(429, huge).unwrap().3,
        Some(errnorm::advice::MAX_RETRY_AFTER)
    );
}

#[test]
fn windows_of_hours_are_usage_windows() {
    use Reason::*;
    // Groq's per-day token limit: a window of a day, though the next tokens free up
    // in minutes.
    let tpd = r#"{"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_x` service tier `on_demand` on tokens per day (TPD): Limit 100000, Used 99000, Requested 2000. Please try again in 9m38.016s.","type":"tokens","code":"rate_limit_exceeded"}}"#;
    let got = v(429, tpd).unwrap();
    assert_eq!(got.1, UsageWindowExhausted);
    assert_eq!(got.3, Some(Duration::from_millis(578_016)));
    // A daily limit in words, under 429.
    let daily = r#"{"message":"Daily request limit reached for this key"}"#;
    assert_eq!(v(429, daily).unwrap().1, UsageWindowExhausted);
    // A window stated in numbers (SambaNova: `duration_s: 86400`).
    let sn = "429 Request would exceed rate limit Violated duration_s: 86400, current usage: 196279, limit: 200000";
    assert_eq!(v(429, sn).unwrap().1, UsageWindowExhausted);
    // Gemini's per-day free-tier quota, named by its quota id in `details`: a usage
    // window, though the message says only "quota" (the shape of the Gemini API's
    // documented 429, with a per-day quota id).
    let gd = r#"{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaValue":"50"}]}]}}"#;
    assert_eq!(v(429, gd).unwrap().1, UsageWindowExhausted);
    // A per-minute limit stays a rate limit.
    let rpm = r#"{"message":"Rate limit exceeded: 60 requests per minute"}"#;
    assert_eq!(v(429, rpm).unwrap().1, RequestsPerTime);
    // A quota named by the minute is a rate limit (Google's per-minute quotas).
    let gq = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'x.googleapis.com'.","status":"RESOURCE_EXHAUSTED"}}"#;
    assert_eq!(v(429, gq).unwrap().0, ErrorKind::RateLimit);
}

#[test]
fn the_verdict_names_the_cues_that_decided() {
    let body = r#"{"error":{"code":"monthly_spend_limit_reached","message":"Your team has reached its monthly spend limit"}}"#;
    let v = classify(
        StatusCode::TOO_MANY_REQUESTS,
        &HeaderMap::new(),
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(v.basis(), Basis::Cue);
    let e = v.evidence();
    assert_eq!(e.path, "words");
    assert!(e.rule.contains("cue:spend limit"), "{}", e.rule);
}

#[test]
fn a_raw_line_break_inside_a_string_does_not_hide_its_words() {
    // serde_json refuses a control character inside a string; servers that print their
    // messages wrapped (OpenRouter's moderation error as its documentation shows it,
    // re-printed by a Python client) send them anyway. The words are still the
    // provider's: a flagged input is content, whatever the 400 says.
    let body = "{\"detail\":{\"message\":\"Your input was flagged for\n       \\\"self-harm\\\" by the moderation of the upstream.\"}}";
    assert!(serde_json::from_str::<serde_json::Value>(body).is_err());
    assert_eq!(kind(400, body), Some(ErrorKind::Content));
}
