//! The canonical bodies: five of the first providers and five of the later ones (taken
//! from `tests/corpus/`), shared by `benches/classify.rs`, `examples/instructions.rs`
//! and `tests/alloc.rs` (each includes this file by path).

use errnorm::Provider;
use http::StatusCode;

/// The headers a canonical body comes with (Bedrock's error type is only there).
pub fn headers(name: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
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
pub fn bodies() -> [(&'static str, Provider, StatusCode, &'static [u8]); 10] {
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
    ]
}
