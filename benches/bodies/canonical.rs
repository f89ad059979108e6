//! The canonical bodies: five of the first providers and five of the later ones (taken
//! from `tests/corpus/`), and OpenAI's and Anthropic's 429s with their real header sets, shared by `benches/classify.rs`, `examples/instructions.rs`
//! and `tests/alloc.rs` (each includes this file by path).

use errnorm::Provider;
use http::StatusCode;

/// OpenAI's 429 headers as a client sees them: the fifteen of a real 429 shown in the
/// openai-node issue #1477 (values it redacted filled in with made-up ones) and the six
/// rate-limit headers of the open-webui issue #3743.
const OPENAI_429: [(&str, &str); 21] = [
    ("alt-svc", "h3=\":443\"; ma=86400"),
    ("cf-cache-status", "DYNAMIC"),
    ("cf-ray", "933c4e1f9d2a7b1c-SJC"),
    ("connection", "keep-alive"),
    ("content-length", "354"),
    ("content-type", "application/json"),
    ("date", "Mon, 21 Apr 2025 19:13:46 GMT"),
    ("openai-organization", "acme-research"),
    ("openai-processing-ms", "5977"),
    ("openai-version", "2020-10-01"),
    ("server", "cloudflare"),
    (
        "set-cookie",
        "__cf_bm=made-up-value; path=/; HttpOnly; Secure; SameSite=None",
    ),
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains; preload",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-request-id", "req_1a2b3c4d5e6f7a8b9c0d"),
    ("x-ratelimit-limit-requests", "500"),
    ("x-ratelimit-limit-tokens", "30000"),
    ("x-ratelimit-remaining-requests", "499"),
    ("x-ratelimit-remaining-tokens", "29996"),
    ("x-ratelimit-reset-requests", "120ms"),
    ("x-ratelimit-reset-tokens", "8ms"),
];

/// Anthropic's 429 headers as the anthropic-sdk-typescript issue #357 shows them.
const ANTHROPIC_429: [(&str, &str); 18] = [
    ("anthropic-ratelimit-requests-limit", "5"),
    ("anthropic-ratelimit-requests-remaining", "0"),
    ("anthropic-ratelimit-requests-reset", "2024-03-26T20:00:00Z"),
    ("anthropic-ratelimit-tokens-limit", "25000"),
    ("anthropic-ratelimit-tokens-remaining", "16000"),
    ("anthropic-ratelimit-tokens-reset", "2024-03-26T20:00:00Z"),
    ("cf-cache-status", "DYNAMIC"),
    ("cf-ray", "86a9b96cdac90359-MIA"),
    ("connection", "keep-alive"),
    ("content-length", "305"),
    ("content-type", "application/json"),
    ("date", "Tue, 26 Mar 2024 19:59:59 GMT"),
    ("request-id", "req_01T5fCVnYdf9X5ZW6KayReBK"),
    ("server", "cloudflare"),
    ("via", "1.1 google"),
    ("x-cloud-trace-context", "ae6af598607da922ea75fbb21d9c3bd6"),
    ("x-should-retry", "true"),
    ("retry-after", "1"),
];

/// The headers a canonical body comes with (Bedrock's error type is only there; the two
/// `_headers` bodies come with a provider's real header set).
pub fn headers(name: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    let set: &[(&str, &str)] = match name {
        "openai_429_headers" => &OPENAI_429,
        "anthropic_429_headers" => &ANTHROPIC_429,
        _ => &[],
    };
    for (k, v) in set {
        h.append(
            http::HeaderName::from_static(k),
            http::HeaderValue::from_static(v),
        );
    }
    if name == "bedrock_429" {
        h.insert(
            "x-amzn-errortype",
            http::HeaderValue::from_static(
                "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            ),
        );
    }
    h
}

/// (name, provider, status, body) for the canonical bodies.
pub fn bodies() -> [(&'static str, Provider, StatusCode, &'static [u8]); 12] {
    [
        (
            "minimax_200",
            Provider::Minimax,
            StatusCode::OK,
            include_bytes!("minimax_200.json"),
        ),
        (
            "mimo_401",
            Provider::Mimo,
            StatusCode::UNAUTHORIZED,
            include_bytes!("mimo_401.json"),
        ),
        (
            "novita_403",
            Provider::Novita,
            StatusCode::FORBIDDEN,
            include_bytes!("novita_403.json"),
        ),
        (
            "gateway_403",
            Provider::Gateway,
            StatusCode::FORBIDDEN,
            include_bytes!("gateway_403.json"),
        ),
        (
            "openai_400",
            Provider::Openai,
            StatusCode::BAD_REQUEST,
            include_bytes!("openai_400.json"),
        ),
        (
            "gemini_400",
            Provider::Gemini,
            StatusCode::BAD_REQUEST,
            include_bytes!("gemini_400.json"),
        ),
        (
            "bedrock_429",
            Provider::Bedrock,
            StatusCode::TOO_MANY_REQUESTS,
            include_bytes!("bedrock_429.json"),
        ),
        (
            "zhipu_429",
            Provider::Zhipu,
            StatusCode::TOO_MANY_REQUESTS,
            include_bytes!("zhipu_429.json"),
        ),
        (
            "dashscope_401",
            Provider::Dashscope,
            StatusCode::UNAUTHORIZED,
            include_bytes!("dashscope_401.json"),
        ),
        (
            "openrouter_429",
            Provider::Openrouter,
            StatusCode::TOO_MANY_REQUESTS,
            include_bytes!("openrouter_429.json"),
        ),
        (
            "openai_429_headers",
            Provider::Openai,
            StatusCode::TOO_MANY_REQUESTS,
            include_bytes!("openai_429_headers.json"),
        ),
        (
            "anthropic_429_headers",
            Provider::Anthropic,
            StatusCode::TOO_MANY_REQUESTS,
            include_bytes!("anthropic_429_headers.json"),
        ),
    ]
}

/// Bodies measured beside the canonical ones (not in [`bodies`]: they allocate, or are
/// no error): a new-api message full of `\u` escapes, an ordinary chat completion and a
/// stream chunk (a gateway calls classify on every response). Only the instruction
/// counts use them.
#[allow(dead_code)]
pub fn more() -> [(&'static str, Provider, StatusCode, &'static [u8]); 3] {
    [
        (
            "escaped_403",
            Provider::Gateway,
            StatusCode::FORBIDDEN,
            include_bytes!("escaped_403.json"),
        ),
        (
            "completion_200",
            Provider::Openai,
            StatusCode::OK,
            include_bytes!("completion_200.json"),
        ),
        (
            "chunk_200",
            Provider::Openai,
            StatusCode::OK,
            include_bytes!("chunk_200.json"),
        ),
    ]
}

/// A body of a provider errnorm has no table for, read by the generic reading (a shape
/// no row knows): ElevenLabs' 401 as the SillyTavern issue #4483 quotes it.
pub fn untabled() -> [(&'static str, StatusCode, &'static [u8]); 1] {
    [(
        "elevenlabs_401",
        StatusCode::UNAUTHORIZED,
        include_bytes!("elevenlabs_401.json"),
    )]
}
