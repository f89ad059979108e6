//! Anthropic's error shape, as Anthropic sends it and gateways forward it
//! (`data/anthropic.tsv`).
//!
//! Shape: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`.
//! The low-credit error comes as `invalid_request_error` under a 400 with the message
//! "Your credit balance is too low ..."; the phrase table makes it quota.

use crate::body::Fields;

/// Whether the body is Anthropic's envelope: a top-level `"type":"error"` with an
/// `error` object.
pub(crate) fn looks_like(f: &Fields<'_>) -> bool {
    f.top_type.as_deref() == Some("error") && f.error.is_some()
}
