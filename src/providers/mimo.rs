//! Xiaomi MiMo: string codes in an OpenAI-like `error` object (`data/mimo.tsv`).
//!
//! Shapes: the documented `{"error":{"code":"authentication_failed","message":"...",
//! "type":"error"}}`, and real bodies such as `{"error":{"code":"401","message":"Invalid
//! API Key","param":"...","type":"invalid_key"}}` (the code a numeric string or a number,
//! detail in `param`, types such as `invalid_key`, `limitation`, `illegal_access`).

use crate::body::Fields;
use crate::tables;
use crate::Provider;

/// Whether the body is MiMo's: an `error` object whose `type` is the literal `"error"`
/// with a code from MiMo's table, or whose `type` is one of MiMo's own types.
pub(crate) fn looks_like(f: &Fields<'_>) -> bool {
    let Some(e) = &f.error else { return false };
    let kind = e.kind.as_deref();
    let code = e.code.as_ref().and_then(|c| c.as_str());
    let mimo_code = code.is_some_and(|c| tables::identifier(Provider::Mimo, c).is_some());
    (kind == Some("error") && mimo_code && f.top_type.is_none())
        || kind.is_some_and(|t| {
            tables::identifier(Provider::Mimo, t).is_some_and(|r| r.place == "type")
        })
}
