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

/// Whether the body is a gateway's: a fork's own `error.type`, a `(request id: ...)`
/// suffix, or an `error.code` from the gateway table.
pub(crate) fn looks_like(f: &Fields<'_>) -> bool {
    let Some(e) = &f.error else { return false };
    if e.kind.as_deref().is_some_and(|t| GATEWAY_TYPES.contains(&t)) {
        return true;
    }
    if e.message.as_deref().is_some_and(|m| m.contains("(request id:")) {
        return true;
    }
    e.code
        .as_ref()
        .and_then(|c| c.as_str())
        .is_some_and(|c| tables::identifier(Provider::Gateway, c).is_some())
}
