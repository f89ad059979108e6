//! Delays the provider asks for, from response headers.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// The headers a classification reads, by name: each is looked for in one pass over
/// the map (see [`Seen::read`]), never hashed and looked up one by one.
const NAMES: [&str; 16] = [
    "retry-after",
    "retry-after-ms",
    "x-ratelimit-reset-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-tokens",
    "x-ratelimit-remaining-tokens",
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-tokens-reset",
    "anthropic-ratelimit-tokens-remaining",
    "anthropic-ratelimit-input-tokens-reset",
    "anthropic-ratelimit-input-tokens-remaining",
    "anthropic-ratelimit-output-tokens-reset",
    "anthropic-ratelimit-output-tokens-remaining",
    "x-amzn-errortype",
    "apim-request-id",
];
/// `NAMES[RETRY_AFTER]`, `NAMES[RETRY_AFTER_MS]`.
const RETRY_AFTER: usize = 0;
const RETRY_AFTER_MS: usize = 1;
/// OpenAI's (reset, remaining) pairs, as indices of [`NAMES`].
const OPENAI_RESETS: [(usize, usize); 2] = [(2, 3), (4, 5)];
/// Anthropic's (reset, remaining) pairs, as indices of [`NAMES`].
const ANTHROPIC_RESETS: [(usize, usize); 4] = [(6, 7), (8, 9), (10, 11), (12, 13)];
/// `NAMES[AMZN_ERRORTYPE]`.
const AMZN_ERRORTYPE: usize = 14;

/// The headers that matter to a classification, read in one pass over a header map:
/// the first value of each name of [`NAMES`], borrowed.
#[derive(Clone, Copy, Default)]
pub(crate) struct Seen<'h> {
    /// Each value as a reference (8 bytes, not a slice's 16: the struct is made on every
    /// call, headers or not).
    vals: [Option<&'h http::HeaderValue>; NAMES.len()],
    /// A bit per name of [`NAMES`] seen (`NAMES` has at most 16).
    mask: u16,
}

const _: () = assert!(NAMES.len() <= 16);
/// The bits of the delay headers (every name but `x-amzn-errortype`).
const DELAY_MASK: u16 = (1 << AMZN_ERRORTYPE) - 1;

impl<'h> Seen<'h> {
    /// One pass over the map: each name compared by its length, then its bytes; the
    /// values of the names that matter kept, every other header skipped.
    #[cfg(test)]
    pub(crate) fn read(headers: &'h HeaderMap) -> Seen<'h> {
        let mut seen = Seen::default();
        seen.fill(headers);
        seen
    }

    /// [`Seen::read`] into a value made in place (a return would copy it).
    #[inline]
    pub(crate) fn fill(&mut self, headers: &'h HeaderMap) {
        if !headers.is_empty() {
            self.read_all(headers);
        }
    }

    fn read_all(&mut self, headers: &'h HeaderMap) {
        for (name, value) in headers {
            let n = name.as_str();
            // Every name of NAMES is 11 to 43 bytes long and starts with r, x or a.
            if n.len() < 11 || !matches!(n.as_bytes().first(), Some(b'r' | b'x' | b'a')) {
                continue;
            }
            if let Some(i) = NAMES.iter().position(|k| k.len() == n.len() && *k == n) {
                if let Some(slot @ None) = self.vals.get_mut(i) {
                    *slot = Some(value);
                    self.mask |= 1 << i;
                }
            }
        }
    }

    fn text(&self, i: usize) -> Option<&'h str> {
        let v = (*self.vals.get(i)?)?.as_bytes();
        std::str::from_utf8(v).ok().map(str::trim)
    }

    /// The first value of a header this pass reads (`Some(None)` when it is absent), or
    /// `None` for a name it does not read.
    pub(crate) fn get(&self, name: &str) -> Option<Option<&'h [u8]>> {
        let i = NAMES.iter().position(|k| *k == name)?;
        Some(
            self.vals
                .get(i)
                .copied()
                .flatten()
                .map(http::HeaderValue::as_bytes),
        )
    }

    /// Whether any delay header is there.
    fn any_delay(&self) -> bool {
        self.mask & DELAY_MASK != 0
    }

    /// An `x-amzn-errortype` header's error name (`ThrottlingException`, without what
    /// follows a `:`), if it is a plausible one.
    #[inline]
    pub(crate) fn amzn_type(&self) -> Option<&'h [u8]> {
        if self.mask & (1 << AMZN_ERRORTYPE) == 0 {
            return None;
        }
        let v = (*self.vals.get(AMZN_ERRORTYPE)?)?.as_bytes();
        let v = v.split(|&b| b == b':').next().unwrap_or(v).trim_ascii();
        (!v.is_empty() && v.len() <= 128).then_some(v)
    }

    /// The delay these headers ask for (see [`retry_after`]); `now` is read only to
    /// measure a date against.
    #[inline]
    pub(crate) fn delay(&self, now: impl Fn() -> SystemTime) -> Option<Duration> {
        if !self.any_delay() {
            return None;
        }
        self.delay_of(now)
    }

    fn delay_of(&self, now: impl Fn() -> SystemTime) -> Option<Duration> {
        // A remaining count binds when it is 0 or absent: compared as bytes.
        let binds = |remaining: usize| {
            self.vals
                .get(remaining)
                .copied()
                .flatten()
                .map_or(true, |r| r.as_bytes().trim_ascii() == b"0")
        };
        // The clock, read once and only for a date.
        let at = std::cell::OnceCell::new();
        let now = || *at.get_or_init(&now);
        let mut best: Option<Duration> = None;
        let mut take = |d: Option<Duration>| {
            if let Some(d) = d {
                best = Some(best.map_or(d, |b| b.max(d)));
            }
        };
        take(
            self.text(RETRY_AFTER)
                .and_then(|v| parse_retry_after(v, now)),
        );
        take(
            self.text(RETRY_AFTER_MS)
                .and_then(|v| parse_number(v, 1e-3)),
        );
        for (reset, remaining) in OPENAI_RESETS {
            if binds(remaining) {
                take(self.text(reset).and_then(parse_go_duration));
            }
        }
        for (reset, remaining) in ANTHROPIC_RESETS {
            if binds(remaining) {
                take(
                    self.text(reset)
                        .and_then(parse_rfc3339)
                        .map(|t| t.duration_since(now()).unwrap_or(Duration::ZERO)),
                );
            }
        }
        best.map(|d| d.min(MAX_RETRY_AFTER))
    }
}

/// The longest delay any header accepts: a day. Larger values are clamped to it, so a
/// hostile header cannot park a caller for years.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The delay the response asks for: the longest binding one of every header real
/// providers send, clamped to [`MAX_RETRY_AFTER`]. `None` when no header is present and
/// readable; a time in the past is a zero delay.
///
/// - `Retry-After`: delay-seconds or an HTTP-date;
/// - `retry-after-ms`;
/// - OpenAI's `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens`: Go durations
///   (`6m0s`, `1s`, `20ms`), binding when `x-ratelimit-remaining-*` is 0 or absent;
/// - Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset`:
///   RFC 3339 times, binding when the matching `-remaining` is 0 or absent.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let mut seen = Seen::default();
    seen.fill(headers);
    seen.delay(SystemTime::now)
}

/// [`retry_after`] relative to a given "now", for HTTP-dates and RFC 3339 times.
pub fn retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let mut seen = Seen::default();
    seen.fill(headers);
    seen.delay(|| now)
}

fn parse_retry_after(v: &str, now: impl Fn() -> SystemTime) -> Option<Duration> {
    if let Some(d) = parse_number(v, 1.0) {
        return Some(d);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now()).unwrap_or(Duration::ZERO))
}

/// A non-negative decimal number of `unit` seconds (`"5"`, `"1.5"`, `"20"`).
fn parse_number(v: &str, unit: f64) -> Option<Duration> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let n = decimal(v.as_bytes())?;
    let secs = n * unit;
    if !secs.is_finite() {
        return None;
    }
    Duration::try_from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())).ok()
}

/// A decimal number of digits with at most one `.` (`30`, `2.392`, `.5`, `1.`), as
/// `str::parse::<f64>` reads it: up to 15 digits exactly without the float parser (the
/// digits as an integer, divided by a power of ten: one rounding, as the parser's),
/// longer ones by the parser.
pub(crate) fn decimal(b: &[u8]) -> Option<f64> {
    let dot = b.iter().position(|&c| c == b'.');
    let (int, frac) = match dot {
        Some(i) => (b.get(..i)?, b.get(i + 1..)?),
        None => (b, &b[..0]),
    };
    let digits = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    if int.len() + frac.len() > 15 {
        return std::str::from_utf8(b).ok()?.parse().ok();
    }
    let m = int
        .iter()
        .chain(frac)
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    Some(m as f64 / POW10.get(frac.len()).copied()?)
}

/// A Go-style duration as OpenAI writes it: `6m0s`, `1s`, `20ms`, `1h2m3.5s`.
pub(crate) fn parse_go_duration(s: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut rest = s.as_bytes();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'.')
            .count();
        let num = decimal(rest.get(..n)?)?;
        rest = rest.get(n..)?;
        let u = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let unit = match rest.get(..u)? {
            b"h" => 3600.0,
            b"m" => 60.0,
            b"s" => 1.0,
            b"ms" => 1e-3,
            b"us" | b"\xc2\xb5s" => 1e-6,
            b"ns" => 1e-9,
            _ => return None,
        };
        rest = rest.get(u..)?;
        total += num * unit;
    }
    Duration::try_from_secs_f64(total.min(1e9)).ok()
}

/// An RFC 3339 time: `2024-06-15T12:30:45Z`, with optional fraction and offset.
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = b.get(r)?;
        t.iter()
            .all(u8::is_ascii_digit)
            .then(|| t.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = 0f64;
    if b.get(i) == Some(&b'.') {
        let n = b
            .get(i + 1..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        frac = std::str::from_utf8(b.get(i..i + 1 + n)?)
            .ok()?
            .parse()
            .ok()?;
        i += 1 + n;
    }
    let offset = match b.get(i..)? {
        b"Z" | b"z" => 0,
        o if o.len() == 6 && matches!(o.first(), Some(b'+' | b'-')) && o.get(3) == Some(&b':') => {
            let m = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if o.first() == Some(&b'+') {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    let secs = u64::try_from(secs).ok()?;
    Some(
        SystemTime::UNIX_EPOCH
            + Duration::from_secs(secs)
            + Duration::try_from_secs_f64(frac).ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    proptest::proptest! {
        #[test]
        fn decimals_read_as_the_float_parser_reads_them(s in "[0-9.]{0,20}") {
            proptest::prop_assert_eq!(decimal(s.as_bytes()), s.parse::<f64>().ok());
        }
    }

    #[test]
    fn decimals_at_the_edges() {
        for s in [
            "0",
            "30",
            "2.392",
            ".5",
            "1.",
            ".",
            "",
            "1.2.3",
            "999999999999999",
            "0.000000000000001",
            "1234567890.12345",
            "12345678901234567890",
            "00012",
            "0.1",
            "0.3",
        ] {
            assert_eq!(decimal(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
    }

    #[test]
    fn numbers_whole_and_fractional_alike() {
        let secs = |s: f64| Some(Duration::from_secs_f64(s));
        assert_eq!(parse_number("30", 1.0), secs(30.0));
        assert_eq!(parse_number("0", 1.0), secs(0.0));
        assert_eq!(parse_number("1.5", 1.0), secs(1.5));
        assert_eq!(parse_number("250", 1e-3), secs(0.25));
        assert_eq!(parse_number("999999999999999", 1.0), Some(MAX_RETRY_AFTER));
        assert_eq!(
            parse_number("99999999999999999999", 1.0),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_number("-1", 1.0), None);
        assert_eq!(parse_number("", 1.0), None);
        assert_eq!(parse_number("1e3", 1.0), None);
    }

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

    #[test]
    fn a_repeated_header_is_read_by_its_first_value_among_many_others() {
        // As `HeaderMap::get` would: the first of two `retry-after` values.
        let mut m = h(&[
            ("cf-ray", "933c4e1f9d2a7b1c-SJC"),
            ("retry-after", "7"),
            ("x-ratelimit-limit-requests", "500"),
        ]);
        m.append("retry-after", HeaderValue::from_static("300"));
        assert_eq!(retry_after(&m), Some(Duration::from_secs(7)));
        // A name that only begins like one read is not read.
        let m = h(&[("retry-after-seconds", "9"), ("x-ratelimit-reset", "9")]);
        assert_eq!(retry_after(&m), None);
    }

    #[test]
    fn rate_limit_reset_headers_bind_when_nothing_remains() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let openai = h(&[
            ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "6m0s"),
            ("x-ratelimit-remaining-tokens", "1200"),
            ("x-ratelimit-reset-tokens", "20m"),
        ]);
        assert_eq!(retry_after_at(&openai, now), Some(Duration::from_secs(360)));
        let tokens = h(&[("x-ratelimit-reset-tokens", "20ms")]);
        assert_eq!(
            retry_after_at(&tokens, now),
            Some(Duration::from_millis(20))
        );
        let anthropic = h(&[
            ("anthropic-ratelimit-tokens-remaining", "0"),
            ("anthropic-ratelimit-tokens-reset", "1994-11-06T08:50:07Z"),
            ("anthropic-ratelimit-requests-remaining", "10"),
            ("anthropic-ratelimit-requests-reset", "1994-11-06T09:49:37Z"),
        ]);
        assert_eq!(
            retry_after_at(&anthropic, now),
            Some(Duration::from_secs(30))
        );
        // The longest binding delay wins across forms.
        let both = h(&[
            ("retry-after", "1"),
            ("x-ratelimit-reset-requests", "1m30s"),
        ]);
        assert_eq!(retry_after_at(&both, now), Some(Duration::from_secs(90)));
    }

    #[test]
    fn go_durations_and_rfc3339_times() {
        assert_eq!(
            parse_go_duration("1h2m3.5s"),
            Some(Duration::from_secs_f64(3723.5))
        );
        assert_eq!(parse_go_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_go_duration("0s"), Some(Duration::ZERO));
        for bad in ["", "5", "5x", "1.5.5s", "s", "-1s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
        let t = |s| parse_rfc3339(s);
        let base = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t("1994-11-06T08:49:37Z"), Some(base));
        assert_eq!(t("1994-11-06T16:49:37+08:00"), Some(base));
        assert_eq!(
            t("1994-11-06T08:49:37.5Z"),
            Some(base + Duration::from_millis(500))
        );
        assert!(t("2024-02-29T00:00:00Z").is_some());
        for bad in [
            "",
            "1994-11-06",
            "1994-13-06T08:49:37Z",
            "1994-11-06T08:49:37",
            "x994-11-06T08:49:37Z",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }
}
