//! Delays and resets stated in a body's words: "Please try again in 2.4s", "retry in
//! 1m26.4s", "wait 20 seconds", "retry after 120ms", "请 30 秒后重试", "access resumes on
//! 2026-01-01", and Google's `RetryInfo.retryDelay` (`"34s"`). Read from the normalized
//! words (`words.rs`), so the work is bounded by their limit; every delay is clamped to
//! [`MAX_RETRY_AFTER`](super::headers::MAX_RETRY_AFTER), as a header's would be.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use super::headers::{decimal, parse_go_duration, parse_rfc3339, MAX_RETRY_AFTER};
use crate::text::dfa::Dfa;

/// What follows a trigger: a delay, a reset date, or a window's length.
#[derive(Clone, Copy, PartialEq)]
enum After {
    Delay,
    Date,
    Window,
    Status,
}

/// The words after which a delay, a reset or a window's length follows, all found in one
/// pass of one automaton.
const TRIGGERS: [(&str, After); 31] = [
    ("again in ", After::Delay),
    ("retry in ", After::Delay),
    ("retry after ", After::Delay),
    ("retrying in ", After::Delay),
    ("retry later in ", After::Delay),
    ("wait ", After::Delay),
    ("available in ", After::Delay),
    ("resets in ", After::Delay),
    ("reset in ", After::Delay),
    ("reset after ", After::Delay),
    ("try after ", After::Delay),
    ("again after ", After::Delay),
    ("resumes on ", After::Date),
    ("resumes at ", After::Date),
    ("resets on ", After::Date),
    ("resets at ", After::Date),
    ("reset at ", After::Date),
    ("until ", After::Date),
    ("duration s", After::Window),
    ("duration", After::Window),
    ("window", After::Window),
    ("period", After::Window),
    ("interval", After::Window),
    ("per ", After::Window),
    ("client error (", After::Status),
    ("server error (", After::Status),
    ("status code ", After::Status),
    ("status code: ", After::Status),
    ("status ", After::Status),
    ("error code: ", After::Status),
    ("http ", After::Status),
];

pub(crate) fn triggers() -> Option<&'static Dfa> {
    static DFA: OnceLock<Option<Dfa>> = OnceLock::new();
    DFA.get_or_init(|| {
        // Case-insensitive, so that a message can be read as it came, without its words.
        let pats: Vec<&str> = TRIGGERS.iter().map(|t| t.0).collect();
        Dfa::new(&pats, true)
    })
    .as_ref()
}

/// The most triggers read in one text (a bound on the work on hostile words).
const MAX_TRIGGERS: usize = 32;

/// Calls `f(start, rest, what)` for each trigger in `words`, leftmost-longest, whole
/// words only, with the text after it and what it announces; stops when `f` says so.
fn after(words: &str, mut f: impl FnMut(usize, &str, After) -> bool) {
    let Some(dfa) = triggers() else { return };
    let b = words.as_bytes();
    dfa.leftmost_longest::<MAX_TRIGGERS>(b, |p, start, end| {
        // Whole words: `per` is not the end of `upper`, nor `wait` of `await`.
        if start > 0 && b.get(start - 1).is_some_and(u8::is_ascii_alphanumeric) {
            return true;
        }
        match (TRIGGERS.get(p as usize), words.get(end..)) {
            (Some(&(_, what)), Some(rest)) => f(start, rest, what),
            _ => true,
        }
    });
}

/// What the words state, read in one pass: the first delay or reset (relative to
/// `now` for dates) and the length of a window stated in numbers ("per 10 seconds",
/// "window of 1 hour", `duration_s: 86400`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stated {
    pub delay: Option<Duration>,
    pub window: Option<Duration>,
    /// An upstream's HTTP error status quoted in the words ("Received client error
    /// (400) from model", "upstream returned status 429").
    pub status: Option<u16>,
}

/// Reads what the words state (see [`Stated`]); every value clamped to
/// [`MAX_RETRY_AFTER`].
pub(crate) fn stated(words: &str, now: SystemTime) -> Stated {
    // Every delay, date and window this reads has a digit (looked for eight bytes at a
    // time: most words have none).
    if first_digit(words.as_bytes()).is_none() {
        return Stated::default();
    }
    let mut delay: Option<(usize, Duration)> = None;
    let mut window = None;
    let mut status = None;
    after(words, |i, rest, what| {
        match what {
            After::Status if status.is_none() => {
                let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                let after = rest.as_bytes().get(n);
                let code: Option<u16> = rest.get(..n).and_then(|t| t.parse().ok());
                if n == 3 && !after.is_some_and(u8::is_ascii_alphanumeric) {
                    status = code.filter(|c| (400..600).contains(c));
                }
            }
            After::Delay | After::Date if delay.is_none() => {
                let d = match what {
                    After::Delay => duration(rest),
                    _ => date(rest).map(|t| t.duration_since(now).unwrap_or(Duration::ZERO)),
                };
                delay = d.map(|d| (i, d));
            }
            After::Window if window.is_none() => {
                let per = words.get(i..).is_some_and(|w| w.starts_with("per "));
                window = window_length(rest, per);
            }
            _ => {}
        }
        !(delay.is_some() && window.is_some() && status.is_some())
    });
    if !words.is_ascii() {
        if let Some((i, d)) = chinese(words) {
            if delay.map_or(true, |(j, _)| i < j) {
                delay = Some((i, d));
            }
        }
    }
    Stated {
        delay: delay.map(|(_, d)| d.min(MAX_RETRY_AFTER)),
        window: window.map(|d| d.min(MAX_RETRY_AFTER)),
        status,
    }
}

/// The longest trigger, in bytes, and the whitespace allowed after it: how far before
/// a number a trigger is looked for.
const TRIGGER_REACH: usize = 40;

/// The first delay or reset `text` states, as [`stated`] reads it, but reading only
/// around the numbers that may be one: a number with a unit of time right after it
/// (`2.4s`, `120ms`, `20 seconds`, `1.5 hours`) or a date (`2026-`), with a trigger right
/// before it ("try again in "). A long message that states one wait costs a few dozen
/// bytes of the automaton, not all of them.
pub(crate) fn first_delay(text: &str, now: SystemTime) -> Option<Duration> {
    let mut found = time_numbers(text.as_bytes())
        .find_map(|start| delay_before(text, start, now).map(|d| (start, d)));
    if !text.is_ascii() {
        if let Some((i, d)) = chinese(text) {
            if found.map_or(true, |(j, _)| i < j) {
                found = Some((i, d));
            }
        }
    }
    found.map(|(_, d)| d.min(MAX_RETRY_AFTER))
}

/// The start of each number in `b` that may state a time: a number with a unit of time
/// right after it (`2.4s`, `120ms`, `20 seconds`, `1.5 hours`, `30秒`; days are read
/// with the words), or a four-digit year of a date (`2026-`). The one scan behind both
/// "may this message state a delay" and reading the first one it states.
pub(crate) fn time_numbers(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        let start = i + first_digit(b.get(i..)?)?;
        let mut j = start;
        while b.get(j).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            j += 1;
        }
        i = j.max(start + 1);
        let date = j - start == 4 && b.get(j) == Some(&b'-');
        while b.get(j) == Some(&b' ') {
            j += 1;
        }
        let rest = b.get(j..).unwrap_or_default();
        if date
            || matches!(rest.first(), Some(b's' | b'm' | b'h' | b'S' | b'M' | b'H'))
            // A Chinese unit only after a byte that starts a character beyond ASCII.
            || (rest.first().is_some_and(|&c| c >= 0x80)
                && ["秒", "分", "小时"]
                    .iter()
                    .any(|u| rest.starts_with(u.as_bytes())))
        {
            return Some(start);
        }
    })
}

/// The index of the first ASCII digit in `b`: eight bytes at a time (a byte is a digit
/// when, XORed with `0`, it is under 10; the lowest flagged byte is exact, as borrows
/// only reach upwards), the tail byte by byte.
fn first_digit(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    for chunk in b.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let y = u64::from_le_bytes(w) ^ (ONES * u64::from(b'0'));
        let hit = y.wrapping_sub(ONES * 10) & !y & HIGH;
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|j| i + j)
}

/// The delay a trigger right before `number` (only whitespace between) announces.
fn delay_before(text: &str, number: usize, now: SystemTime) -> Option<Duration> {
    let mut from = number.saturating_sub(TRIGGER_REACH);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let window = text.get(from..number)?;
    let b = text.as_bytes();
    let mut d = None;
    // A window of 40 bytes holds few triggers: a short list to sort.
    triggers()?.leftmost_longest::<8>(window.as_bytes(), |p, s, e| {
        let (s, e) = (from + s, from + e);
        // Whole words (as in the text, not the window), and nothing but whitespace
        // between the trigger and the number.
        if s > 0 && b.get(s - 1).is_some_and(u8::is_ascii_alphanumeric) {
            return true;
        }
        if !b
            .get(e..number)
            .is_some_and(|g| g.iter().all(u8::is_ascii_whitespace))
        {
            return true;
        }
        let Some(rest) = text.get(e..) else {
            return true;
        };
        d = match TRIGGERS.get(p as usize).map(|t| t.1) {
            Some(After::Delay) => duration(rest),
            Some(After::Date) => {
                date(rest).map(|t| t.duration_since(now).unwrap_or(Duration::ZERO))
            }
            _ => None,
        };
        d.is_none()
    });
    d
}

/// The first delay the words state, relative to `now` for dates.
#[cfg(test)]
fn in_words(words: &str, now: SystemTime) -> Option<Duration> {
    stated(words, now).delay
}

/// The length of a window the words state in numbers.
#[cfg(test)]
fn window_in_words(words: &str) -> Option<Duration> {
    stated(words, SystemTime::UNIX_EPOCH).window
}

/// A window's length at the start of `rest`: a number, in seconds unless a unit
/// follows (`duration_s: 86400`); after "per", only with its unit ("per 10 seconds",
/// not "per 1000 tokens").
fn window_length(rest: &str, per: bool) -> Option<Duration> {
    let rest = rest.trim_start_matches([' ', ':', '=', '"', '\'']);
    let rest = rest.strip_prefix("of ").unwrap_or(rest);
    let n = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    if n == 0 {
        return None;
    }
    let num: f64 = rest.get(..n)?.parse().ok()?;
    match duration(rest) {
        Some(d) => Some(d),
        None if !per => Duration::try_from_secs_f64(num.min(1e9)).ok(),
        None => None,
    }
}

/// A protobuf `Duration` in JSON (`"34s"`, `"0.5s"`) or a Go duration, clamped.
pub(crate) fn retry_delay(s: &str) -> Option<Duration> {
    parse_go_duration(s.trim()).map(|d| d.min(MAX_RETRY_AFTER))
}

/// A duration at the start of `s`: a Go duration (`2.4s`, `1m26.4s`, `120ms`,
/// `1h2m3s`) or a number and a unit word (`20 seconds`, `2 minutes`, `1.5 hours`).
fn duration(s: &str) -> Option<Duration> {
    let s = s.trim_start();
    let token: &str = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | '(' | '!' | '?'))
        .next()?;
    let token = token.trim_end_matches('.');
    if token.is_empty() || !token.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    if let Some(d) = parse_go_duration(token) {
        return Some(d);
    }
    // A number, then a unit word.
    let n: f64 = decimal(token.as_bytes())
        .or_else(|| token.parse().ok())
        .filter(|n: &f64| n.is_finite())?;
    let rest = s.get(token.len()..)?.trim_start();
    let unit = rest
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default();
    const UNITS: [(&str, f64); 19] = [
        ("ms", 1e-3),
        ("millisecond", 1e-3),
        ("milliseconds", 1e-3),
        ("s", 1.0),
        ("sec", 1.0),
        ("secs", 1.0),
        ("second", 1.0),
        ("seconds", 1.0),
        ("m", 60.0),
        ("min", 60.0),
        ("mins", 60.0),
        ("minute", 60.0),
        ("minutes", 60.0),
        ("h", 3600.0),
        ("hr", 3600.0),
        ("hour", 3600.0),
        ("hours", 3600.0),
        ("day", 86400.0),
        ("days", 86400.0),
    ];
    let secs = UNITS
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(unit))
        .map(|(_, s)| *s)?;
    Duration::try_from_secs_f64((n * secs).min(1e9)).ok()
}

/// A reset time at the start of `s`: RFC 3339 (`2026-01-01T00:00:00Z`) or a date
/// (`2026-01-01`, midnight UTC).
fn date(s: &str) -> Option<SystemTime> {
    let s = s.trim_start();
    let token = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | '('))
        .next()?
        .trim_end_matches('.');
    // The words are lower-cased: RFC 3339's `t` and `z` are accepted in either case.
    let up = token.to_ascii_uppercase();
    if let Some(t) = parse_rfc3339(&up) {
        return Some(t);
    }
    let d = up.get(..10)?;
    if up.len() == 10 || !up.as_bytes().get(10)?.is_ascii_digit() {
        return parse_rfc3339(&format!("{d}T00:00:00Z"));
    }
    None
}

/// `N 秒后` / `N 分钟后` / `N 小时后` (Chinese "after N seconds/minutes/hours").
fn chinese(words: &str) -> Option<(usize, Duration)> {
    let at = words.find("后")?;
    let before = words.get(..at)?.trim_end();
    let (unit, secs) = [("秒", 1.0), ("分钟", 60.0), ("小时", 3600.0)]
        .into_iter()
        .find(|(u, _)| before.ends_with(u))?;
    let num = before.get(..before.len() - unit.len())?.trim_end();
    let start = num
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let n: f64 = num.get(start..)?.parse().ok()?;
    Some((
        start,
        Duration::try_from_secs_f64((n * secs).min(1e9)).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn the_first_digit_is_found_as_byte_by_byte(b in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            proptest::prop_assert_eq!(super::first_digit(&b), b.iter().position(u8::is_ascii_digit));
        }
    }

    #[test]
    fn the_first_digit_on_every_byte_at_every_place() {
        for place in 0..20 {
            for c in 0..=255u8 {
                let mut b = vec![b'x'; 20];
                b[place] = c;
                let want = b.iter().position(u8::is_ascii_digit);
                assert_eq!(super::first_digit(&b), want, "{c} at {place}");
                // Digits and their neighbours in the ASCII table after it.
                b.extend_from_slice(b"/:0");
                let want = b.iter().position(u8::is_ascii_digit);
                assert_eq!(super::first_digit(&b), want, "{c} at {place}, then more");
            }
        }
    }

    use super::*;

    fn d(s: &str) -> Option<Duration> {
        in_words(s, SystemTime::UNIX_EPOCH)
    }

    #[test]
    fn delays_in_words() {
        // OpenAI: "Please try again in 2.4s." / "in 120ms" / "in 1m26.4s".
        assert_eq!(
            d("rate limit reached ... please try again in 2.4s. visit"),
            Some(Duration::from_millis(2400))
        );
        assert_eq!(d("try again in 120ms."), Some(Duration::from_millis(120)));
        assert_eq!(
            d("please try again in 1m26.4s"),
            Some(Duration::from_millis(86_400))
        );
        assert_eq!(d("retry in 1h2m3s"), Some(Duration::from_secs(3723)));
        // Gemini: "Please retry in 34.574123s."
        assert_eq!(
            d("please retry in 34.5s."),
            Some(Duration::from_millis(34_500))
        );
        assert_eq!(
            d("please wait 20 seconds before"),
            Some(Duration::from_secs(20))
        );
        assert_eq!(d("retry after 2 minutes"), Some(Duration::from_secs(120)));
        assert_eq!(d("请30秒后重试"), Some(Duration::from_secs(30)));
        assert_eq!(d("请在 5 分钟后重试"), Some(Duration::from_secs(300)));
        assert_eq!(d("no delay here"), None);
        assert_eq!(d("try again in a moment"), None);
    }

    #[test]
    fn statuses_quoted_in_words() {
        let s = |w: &str| stated(w, SystemTime::UNIX_EPOCH).status;
        assert_eq!(
            s("received client error (400) from model with message"),
            Some(400)
        );
        assert_eq!(s("upstream returned status 429, body: x"), Some(429));
        assert_eq!(s("status 200 ok"), None);
        assert_eq!(s("status 4290 x"), None);
        assert_eq!(s("no status here 400"), None);
        // Three digits, then no letter or digit: not a size, a longer number or a code.
        assert_eq!(s("status 429ms"), None);
        assert_eq!(s("status 0429 x"), None);
        // The first status quoted is the upstream's; a later one is the wrapper's.
        assert_eq!(
            s("client error (429) from upstream, status 500 here"),
            Some(429)
        );
    }

    #[test]
    fn the_first_of_each_is_read_and_all_three_are_read() {
        let now = SystemTime::UNIX_EPOCH;
        let st = stated("try again in 5s; limit per 60 seconds; status 429", now);
        assert_eq!(st.delay, Some(Duration::from_secs(5)));
        assert_eq!(st.window, Some(Duration::from_secs(60)));
        assert_eq!(st.status, Some(429));
        let st = stated("limit per 60 seconds, and a window of 3600 after", now);
        assert_eq!(st.window, Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_window_that_starts_inside_a_character_starts_at_its_first_byte() {
        let now = SystemTime::UNIX_EPOCH;
        // The number is 41 and 42 bytes in: 40 bytes before it falls inside `余`.
        for pad in [24, 25] {
            let t = format!("余retry later in{}5s", " ".repeat(pad));
            assert_eq!(first_delay(&t, now), Some(Duration::from_secs(5)), "{t:?}");
        }
    }

    #[test]
    fn a_wait_starts_with_a_digit_and_a_date_is_a_whole_token() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(in_words("retry in .5s", now), None);
        assert_eq!(
            in_words("retry in 0.5s", now),
            Some(Duration::from_millis(500))
        );
        // Half a day before 2030-01-01T00:00:00Z (1,893,456,000 s after the epoch).
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000 - 43_200);
        let at = |w: &str| stated(w, now).delay.map(|d| d.as_secs());
        assert_eq!(
            at("quota resets at 2030-01-01T06:30:00Z today"),
            Some(66_600)
        );
        // A date alone, or before what is not a digit, is its midnight; a longer
        // number is no date.
        assert_eq!(at("access resumes on 2030-01-01, sorry"), Some(43_200));
        assert_eq!(at("access resumes on 2030-01-01t9"), Some(43_200));
        assert_eq!(at("access resumes on 2030-01-015"), None);
    }

    #[test]
    fn the_earlier_of_an_english_and_a_chinese_wait_is_read() {
        let now = SystemTime::UNIX_EPOCH;
        for (t, secs) in [
            ("请 30 秒后重试, or try again in 5s", 30),
            ("try again in 5s, 或 30 秒后重试", 5),
        ] {
            assert_eq!(stated(t, now).delay, Some(Duration::from_secs(secs)), "{t}");
            assert_eq!(first_delay(t, now), Some(Duration::from_secs(secs)), "{t}");
        }
    }

    #[test]
    fn windows_in_words() {
        let w = window_in_words;
        assert_eq!(
            w("violated duration s: 86400, current usage: 196279"),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(
            w("100 requests per 10 seconds"),
            Some(Duration::from_secs(10))
        );
        assert_eq!(w("a window of 1 hour"), Some(Duration::from_secs(3600)));
        assert_eq!(w("limit 1000 per 1000 tokens"), None);
        assert_eq!(w("no window here"), None);
    }

    #[test]
    fn resets_and_caps() {
        let jan2 = SystemTime::UNIX_EPOCH + Duration::from_secs(86400);
        assert_eq!(
            in_words("access resumes on 1970-01-02.", SystemTime::UNIX_EPOCH),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(
            in_words("resets at 1970-01-02t00:00:00z", jan2),
            Some(Duration::ZERO)
        );
        // A server cannot park a caller for years.
        assert_eq!(d("retry in 999999h"), Some(MAX_RETRY_AFTER));
        assert_eq!(d("wait 1e300 seconds"), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_delay("34s"), Some(Duration::from_secs(34)));
        assert_eq!(retry_delay("0.5s"), Some(Duration::from_millis(500)));
        assert_eq!(retry_delay("soon"), None);
    }

    #[test]
    fn numbers_with_a_unit_of_time_are_found_in_english_and_chinese() {
        let starts = |t: &str| super::time_numbers(t.as_bytes()).collect::<Vec<_>>();
        assert_eq!(starts("请 30 秒后重试"), vec![4]);
        assert_eq!(starts("5分钟后"), vec![0]);
        assert_eq!(starts("约2小时"), vec![3]);
        assert_eq!(starts("30 个请求, 2 次"), Vec::<usize>::new());
        assert_eq!(starts("wait 2s or 3 items, 2026-01-01"), vec![5, 20]);
    }

    #[test]
    fn the_first_delay_read_around_numbers_is_the_one_the_whole_text_states() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let texts = [
            "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29996, Requested 1200. Please try again in 2.392s. Visit https://platform.openai.com/account/rate-limits to learn more.",
            "try again in 120ms.",
            "Please retry in 1m26.4s",
            "wait 20 seconds before 3 more",
            "retry after 2 minutes or wait 5s",
            "access resumes on 2026-01-01, try again in 5s",
            "quota resets at 2030-01-01T00:00:00Z",
            "await 5s then retry in 7s",
            "status code 429, retry after 12s",
            "请 30 秒后重试",
            "per 60 seconds; try again in     4s",
            "no delay here (1008)",
            "2024-06-15 error, retry in 2h",
            "retry in 2x",
            "",
        ];
        for t in texts {
            assert_eq!(first_delay(t, now), stated(t, now).delay, "{t}");
        }
        assert_eq!(
            first_delay(texts[0], now),
            Some(Duration::from_millis(2392))
        );
        // Days are read with the words, not from a message as it came.
        assert_eq!(first_delay("retry in 3 days", now), None);
    }
}
