//! OpenAI-style gateways, the new-api / one-api family (`data/gateway.tsv`, and the
//! free-text phrases of `data/phrases.tsv`).
//!
//! Shape: `{"error":{"message":"... (request id: ...)","type":"new_api_error","param":"",
//! "code":"insufficient_user_quota"}}`. The `type` varies by fork; the message is free
//! text in English or Chinese with variable parts (model names, the last 6 characters of a
//! key, one or two `(request id: ...)` suffixes); `code` is sometimes an identifier.
//! These gateways also forward plain OpenAI and Anthropic errors, which are read with
//! those providers' tables.

use crate::body::Fields;
use crate::tables;
use crate::Provider;

/// `error.type` values that only gateways of this family write.
pub(crate) const GATEWAY_TYPES: [&str; 9] = [
    "new_api_error",
    "one_api_error",
    "shell_api_error",
    "openai_error",
    "claude_error",
    "gemini_error",
    "midjourney_error",
    "rerank_error",
    "upstream_error",
];

/// Whether the body carries a gateway fork's mark: its own `error.type`, or a
/// `(request id: ...)` group near the end of the message.
pub(crate) fn has_marker(f: &Fields<'_>) -> bool {
    let Some(e) = &f.error else { return false };
    e.kind
        .as_deref()
        .is_some_and(|t| GATEWAY_TYPES.contains(&t))
        || e.message.as_deref().is_some_and(has_request_id)
}

/// Whether a message carries a `(request id: ...)` group; gateways append it last, so
/// only the last three `(` are looked at.
fn has_request_id(m: &str) -> bool {
    let b = m.as_bytes();
    memchr::memrchr_iter(b'(', b)
        .take(3)
        .any(|p| b.get(p..).is_some_and(|t| t.starts_with(b"(request id:")))
}

/// Whether `error.code` is an identifier only the gateway table has (read after MiMo's
/// shape, which shares `invalid_request`; one OpenAI also sends, such as
/// `model_not_found`, says nothing about who sent it).
pub(crate) fn has_code(f: &Fields<'_>) -> bool {
    f.error
        .as_ref()
        .and_then(|e| e.code.as_ref())
        .and_then(|c| c.as_str())
        .is_some_and(|c| {
            tables::identifier(Provider::Gateway, c).is_some()
                && tables::identifier(Provider::Openai, c).is_none()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_groups_near_the_end() {
        assert!(has_request_id("Account suspended. (request id: 2024)"));
        assert!(has_request_id("x (request id: a) (request id: b)"));
        assert!(has_request_id("x (request id: a) (1) (2)"));
        assert!(!has_request_id("x (request id: a) (1) (2) (3)"));
        assert!(!has_request_id("no group here"));
        assert!(!has_request_id("(request id"));
    }
}
