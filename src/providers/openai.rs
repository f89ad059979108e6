//! OpenAI's own error shape, as OpenAI sends it and gateways forward it
//! (`data/openai.tsv`).
//!
//! Shape: `{"error":{"message":"...","type":"invalid_request_error","param":"messages",
//! "code":"context_length_exceeded"}}`. `insufficient_quota` under a 429 is quota, not a
//! rate limit; the `type` of a rate-limit 429 (`requests`, `tokens`) says which limit.

use crate::body::Fields;

/// Whether the body has an `error` object and no more specific shape claimed it.
pub(crate) fn looks_like(f: &Fields<'_>) -> bool {
    f.error.is_some()
}
