//! Delays the provider asks for, from response headers.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

static RETRY_AFTER_MS: http::HeaderName = http::HeaderName::from_static("retry-after-ms");

/// The longest delay any header accepts: a day. Larger values are clamped to it, so a
/// hostile header cannot park a caller for years.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The delay the response asks for: the longer of `Retry-After` (delay-seconds or an
/// HTTP-date) and `retry-after-ms`, clamped to [`MAX_RETRY_AFTER`]. `None` when neither
/// header is present and readable. A date in the past is a zero delay.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if headers.is_empty() {
        return None;
    }
    retry_after_at(headers, SystemTime::now())
}

/// [`retry_after`] relative to a given "now", for HTTP-dates.
pub fn retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if headers.is_empty() {
        return None;
    }
    let secs = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v.trim(), now));
    let ms = headers
        .get(&RETRY_AFTER_MS)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_number(v.trim(), 1e-3));
    match (secs, ms) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
    .map(|d| d.min(MAX_RETRY_AFTER))
}

fn parse_retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    if let Some(d) = parse_number(v, 1.0) {
        return Some(d);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A non-negative decimal number of `unit` seconds (`"5"`, `"1.5"`, `"20"`).
fn parse_number(v: &str, unit: f64) -> Option<Duration> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let n: f64 = v.parse().ok()?;
    let secs = n * unit;
    if !secs.is_finite() {
        return None;
    }
    Duration::try_from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn seconds_milliseconds_and_dates() {
        assert_eq!(
            retry_after(&h(&[("retry-after", "5")])),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after", " 1.5 ")])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after-ms", "250")])),
            Some(Duration::from_millis(250))
        );
        // Both: the longer one binds.
        assert_eq!(
            retry_after(&h(&[("retry-after", "1"), ("retry-after-ms", "2500")])),
            Some(Duration::from_millis(2500))
        );
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let hm = h(&[("retry-after", "Sun, 06 Nov 1994 08:50:07 GMT")]);
        assert_eq!(retry_after_at(&hm, now), Some(Duration::from_secs(30)));
        let past = h(&[("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]);
        assert_eq!(retry_after_at(&past, now), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_and_huge_values() {
        assert_eq!(retry_after(&HeaderMap::new()), None);
        assert_eq!(retry_after(&h(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&h(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&h(&[("retry-after", "1e3")])), None);
        assert_eq!(retry_after(&h(&[("retry-after", "")])), None);
        assert_eq!(retry_after(&h(&[("retry-after", "1.2.3")])), None);
        assert_eq!(
            retry_after(&h(&[("retry-after", "99999999999999999999999")])),
            Some(MAX_RETRY_AFTER)
        );
        let mut m = HeaderMap::new();
        m.insert("retry-after", HeaderValue::from_bytes(b"\xff5").unwrap());
        assert_eq!(retry_after(&m), None);
    }
}
