//! The five canonical bodies of the performance issue, shared by `benches/classify.rs`,
//! `examples/instructions.rs` and `tests/alloc.rs` (each includes this file by path).

use errnorm::Provider;
use http::StatusCode;

/// (name, provider, status, body) for the five canonical bodies.
pub fn bodies() -> [(&'static str, Provider, StatusCode, &'static [u8]); 5] {
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
    ]
}
