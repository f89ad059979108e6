//! A purpose-built pass over a JSON body that reads only the keys errnorm needs and
//! skips every other value with `memchr`, without building anything.
//!
//! It agrees with the serde_json reader in `body.rs` on every input serde_json accepts
//! (the same [`Fields`]); `fuzz/fuzz_targets/scanner.rs` and `tests/scanner.rs` check
//! that. On input serde_json rejects it is more lenient inside values it skips (it does
//! not check numbers, literals, escapes or control characters there), but it still
//! rejects what is structurally broken: an unterminated string, object or array, a
//! missing `:` or `,`, and invalid UTF-8 or escapes in a string it reads.
//!
//! It never recurses: nested values are skipped with a depth counter, so any depth
//! costs the same stack. Strings without escapes are borrowed from the body; a string
//! errnorm reads that has escapes is decoded by serde_json (the only allocation).

use std::borrow::Cow;

use memchr::memchr2;

use crate::body::{ErrorObj, Fields, Val};

/// Reads a JSON document (the body from its first non-space byte). `None` when it is
/// structurally broken. Bytes after the first complete value are ignored, as the serde
/// reader does.
pub(crate) fn scan(b: &[u8]) -> Option<Fields<'_>> {
    let text = if b.len() <= VALIDATE_WHOLE {
        std::str::from_utf8(b).ok()
    } else {
        None
    };
    let mut s = Scanner { b, text, pos: 0 };
    s.ws();
    match s.peek()? {
        b'{' => {
            let mut f = Fields::default();
            let mut detail = None;
            s.object(|s, key| {
                match key {
                    Key::Type => f.top_type = s.val()?.into_text(),
                    Key::Error => match s.peek()? {
                        b'{' => {
                            f.error = Some(s.error_obj()?);
                            f.error_text = None;
                        }
                        b'"' => {
                            f.error_text = Some(s.string()?);
                            f.error = None;
                        }
                        _ => s.skip()?,
                    },
                    Key::BaseResp => {
                        let (code, msg) = s.base_resp()?;
                        f.base_code = code;
                        f.base_msg = msg;
                    }
                    Key::Code => f.code = Some(s.val()?),
                    Key::Reason => f.reason = s.val()?.into_text(),
                    Key::Message => f.message = s.val()?.into_text(),
                    Key::Detail => detail = s.val()?.into_text(),
                    _ => s.skip()?,
                }
                Some(())
            })?;
            if f.message.is_none() {
                f.message = detail;
            }
            Some(f)
        }
        _ => {
            s.skip()?;
            Some(Fields::default())
        }
    }
}

/// The keys errnorm reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    Error,
    BaseResp,
    Code,
    Reason,
    Message,
    Detail,
    StatusCode,
    StatusMsg,
    Other,
}

fn key_of(k: &[u8]) -> Key {
    match k {
        b"type" => Key::Type,
        b"error" => Key::Error,
        b"base_resp" => Key::BaseResp,
        b"code" => Key::Code,
        b"reason" => Key::Reason,
        b"message" => Key::Message,
        b"detail" => Key::Detail,
        b"status_code" => Key::StatusCode,
        b"status_msg" => Key::StatusMsg,
        _ => Key::Other,
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    /// The whole body as text, when it is small and valid UTF-8: then a string slice
    /// needs no validation of its own.
    text: Option<&'a str>,
    pos: usize,
}

/// Bodies up to this size are validated as UTF-8 once, rather than string by string.
const VALIDATE_WHOLE: usize = 4096;

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        // Compact JSON has no white space between tokens: one comparison decides.
        if self.b.get(self.pos).is_some_and(|&c| c > b' ') {
            return;
        }
        let rest = self.b.get(self.pos..).unwrap_or_default();
        self.pos += rest
            .iter()
            .position(|&c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
            .unwrap_or(rest.len());
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? == c {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// Skips a string's body after the opening quote; returns (start, end, escaped) with
    /// `end` the index of the closing quote.
    #[inline]
    fn raw_string(&mut self) -> Option<(usize, usize, bool)> {
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = self.b.get(self.pos..)?;
            let i = string_stop(rest)?;
            if rest.get(i) == Some(&b'"') {
                let end = self.pos + i;
                self.pos = end + 1;
                return Some((start, end, escaped));
            }
            escaped = true;
            self.pos += i + 2;
        }
    }

    /// A string value errnorm reads: borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let (start, end, escaped) = self.raw_string()?;
        if escaped {
            unescape(self.b.get(start..end)?).map(Cow::Owned)
        } else {
            match self.text {
                // Quotes are ASCII, so both ends are character boundaries.
                Some(t) => t.get(start..end).map(Cow::Borrowed),
                None => std::str::from_utf8(self.b.get(start..end)?)
                    .ok()
                    .map(Cow::Borrowed),
            }
        }
    }

    /// An object: calls `field` for each key, positioned at the value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, Key) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.eat(b'"')?;
            let (start, end, escaped) = self.raw_string()?;
            let key = if escaped {
                key_of(unescape(self.b.get(start..end)?)?.as_bytes())
            } else {
                key_of(self.b.get(start..end)?)
            };
            self.eat(b':')?;
            self.ws();
            field(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn error_obj(&mut self) -> Option<ErrorObj<'a>> {
        let mut o = ErrorObj::default();
        self.object(|s, key| {
            match key {
                Key::Code => o.code = Some(s.val()?),
                Key::Message => o.message = s.val()?.into_text(),
                Key::Type => o.kind = s.val()?.into_text(),
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(o)
    }

    #[allow(clippy::type_complexity)]
    fn base_resp(&mut self) -> Option<(Option<i64>, Option<Cow<'a, str>>)> {
        if self.peek()? != b'{' {
            self.skip()?;
            return Some((None, None));
        }
        let (mut code, mut msg) = (None, None);
        self.object(|s, key| {
            match key {
                Key::StatusCode => {
                    code = match s.val()? {
                        Val::Int(c) => Some(c),
                        Val::Str(t) => t.trim().parse().ok(),
                        Val::Other => None,
                    }
                }
                Key::StatusMsg => msg = s.val()?.into_text(),
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some((code, msg))
    }

    /// A value errnorm reads: a string, an integer (1008 and 1008.0 alike), or Other.
    fn val(&mut self) -> Option<Val<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Val::Str),
            b'-' | b'0'..=b'9' => {
                let start = self.pos;
                let rest = self.b.get(start..)?;
                let n = rest
                    .iter()
                    .position(|&c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .unwrap_or(rest.len());
                self.pos += n;
                Some(number(rest.get(..n)?))
            }
            _ => {
                self.skip()?;
                Some(Val::Other)
            }
        }
    }

    /// Skips one value of any kind, without recursion.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                self.raw_string().map(|_| ())
            }
            b'{' | b'[' => {
                self.pos += 1;
                let mut depth: usize = 1;
                loop {
                    // Jump to the next quote or bracket.
                    let rest = self.b.get(self.pos..)?;
                    let i = rest.iter().position(|&c| STRUCTURAL[usize::from(c)])?;
                    let c = *rest.get(i)?;
                    self.pos += i + 1;
                    match c {
                        b'"' => {
                            self.raw_string()?;
                        }
                        b'{' | b'[' => depth += 1,
                        _ => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                    }
                }
            }
            _ => {
                // A number or a literal: up to the next delimiter.
                let rest = self.b.get(self.pos..)?;
                let n = rest
                    .iter()
                    .position(|&c| DELIMITER[usize::from(c)])
                    .unwrap_or(rest.len());
                self.pos += n;
                (n > 0).then_some(())
            }
        }
    }
}

/// The index of the first quote or backslash: 8 bytes at a time (SWAR) for the first
/// 256 bytes, where `memchr`'s set-up would cost more than the scan; `memchr2` after.
#[inline]
fn string_stop(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTE: u64 = ONES * b'"' as u64;
    const BACKSLASH: u64 = ONES * b'\\' as u64;
    let mut i = 0;
    for chunk in rest.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        let (q, b) = (w ^ QUOTE, w ^ BACKSLASH);
        // The lowest set high bit marks the first quote or backslash (borrows only
        // reach upwards, so the first hit is exact).
        let hit = (q.wrapping_sub(ONES) & !q | b.wrapping_sub(ONES) & !b) & HIGH;
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
        if i == 256 {
            return memchr2(b'"', b'\\', rest.get(i..)?).map(|j| i + j);
        }
    }
    rest.get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|j| i + j)
}

/// Bytes the container skipper stops at: quotes and brackets.
static STRUCTURAL: [bool; 256] = class(b"\"{}[]");
/// Bytes that end a number or a literal.
static DELIMITER: [bool; 256] = class(b",}] \n\r\t:\"[{");

const fn class(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// Decodes the body of a JSON string that has escapes, in one allocation (the decoded
/// text is never longer than the raw). `None` where serde_json would refuse it: an
/// unknown escape, a bad or lone surrogate, invalid UTF-8.
fn unescape(raw: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = memchr::memchr(b'\\', rest) {
        out.push_str(std::str::from_utf8(rest.get(..i)?).ok()?);
        let esc = *rest.get(i + 1)?;
        rest = rest.get(i + 2..)?;
        let c = match esc {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(rest.get(..4)?)?;
                rest = rest.get(4..)?;
                match hi {
                    0xD800..=0xDBFF => {
                        let lo = rest.strip_prefix(b"\\u").and_then(|r| hex4(r.get(..4)?))?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        rest = rest.get(6..)?;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => char::from_u32(hi)?,
                }
            }
            _ => return None,
        };
        out.push(c);
    }
    out.push_str(std::str::from_utf8(rest).ok()?);
    Some(out)
}

fn hex4(h: &[u8]) -> Option<u32> {
    h.iter().try_fold(0u32, |n, &c| {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        Some(n * 16 + u32::from(d))
    })
}

/// A JSON number as the serde reader sees it: an integer that fits i64, or a float
/// with no fraction below 9e15 (1008.0), is an integer; anything else is Other.
fn number(t: &[u8]) -> Val<'static> {
    let plain = {
        let digits = t.strip_prefix(b"-").unwrap_or(t);
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    };
    let Ok(text) = std::str::from_utf8(t) else {
        return Val::Other;
    };
    if plain {
        return text.parse::<i64>().map_or(Val::Other, Val::Int);
    }
    // serde_json's own float parser, so that both readers round alike.
    match serde_json::from_str::<f64>(text) {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Val::Int(v as i64)
        }
        _ => Val::Other,
    }
}
