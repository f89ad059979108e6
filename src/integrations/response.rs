//! Helpers for `http::Response<B>` where the body is bytes (feature `http-response`).

use http::Response;

use crate::{classify, classify_as, Provider, Verdict};

/// Classifies an `http::Response` whose body is bytes, detecting the provider.
///
/// ```
/// let res = http::Response::builder()
///     .status(429)
///     .header("retry-after", "2")
///     .body(br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#.to_vec())
///     .unwrap();
/// let v = errnorm::classify_response(&res).unwrap();
/// assert_eq!(v.kind(), errnorm::ErrorKind::RateLimit);
/// assert_eq!(v.retry_after(), Some(std::time::Duration::from_secs(2)));
/// ```
pub fn classify_response<B: AsRef<[u8]>>(res: &Response<B>) -> Option<Verdict<'_>> {
    classify(res.status(), res.headers(), res.body().as_ref())
}

/// Classifies an `http::Response` whose body is bytes, from a known provider.
pub fn classify_response_as<B: AsRef<[u8]>>(
    provider: Provider,
    res: &Response<B>,
) -> Option<Verdict<'_>> {
    classify_as(provider, res.status(), res.headers(), res.body().as_ref())
}
