//! Novita AI: named codes in a top-level `reason` (`data/novita.tsv`).
//!
//! Shape: `{"code":403,"reason":"NOT_ENOUGH_BALANCE","message":"...","metadata":{}}`,
//! `metadata` sometimes absent. The HTTP status misleads (insufficient balance, a missing
//! key and a banned user are all 400), so the reason decides over it.

use crate::body::Fields;

/// Whether the body is Novita's: a top-level `reason` string, with no `error` object.
pub(crate) fn looks_like(f: &Fields<'_>) -> bool {
    f.reason.as_deref().is_some_and(|r| !r.is_empty()) && f.error.is_none()
}
