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
    let mut s = Scanner { b, pos: 0 };
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
    Param,
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
        b"param" => Key::Param,
        _ => Key::Other,
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.pos) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.pos += 1;
        }
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
            let i = memchr2(b'"', b'\\', rest)?;
            if rest[i] == b'"' {
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
            // The quoted slice, decoded by serde_json: the one place that allocates.
            let quoted = self.b.get(start.checked_sub(1)?..=end)?;
            serde_json::from_slice::<String>(quoted)
                .ok()
                .map(Cow::Owned)
        } else {
            std::str::from_utf8(self.b.get(start..end)?)
                .ok()
                .map(Cow::Borrowed)
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
                let quoted = self.b.get(start.checked_sub(1)?..=end)?;
                let k = serde_json::from_slice::<String>(quoted).ok()?;
                key_of(k.as_bytes())
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
                Key::Param => o.param = s.val()?.into_text(),
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
                while let Some(c) = self.peek() {
                    if !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                        break;
                    }
                    self.pos += 1;
                }
                Some(number(self.b.get(start..self.pos)?))
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
                    let c = *self.b.get(self.pos)?;
                    self.pos += 1;
                    match c {
                        b'"' => {
                            self.raw_string()?;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {
                // A number or a literal: up to the next delimiter.
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if matches!(
                        c,
                        b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b':' | b'"'
                    ) {
                        break;
                    }
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }
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
