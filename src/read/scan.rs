//! A purpose-built pass over a JSON body that reads only the keys errnorm needs and
//! skips every other value, without building anything.
//!
//! It agrees with the reference reader (`reference.rs`, serde_json's `Value`, built
//! only for tests and fuzzing) on every input serde_json accepts. On input serde_json
//! rejects it is more lenient inside values it skips (it does not check numbers,
//! literals, escapes or control characters there) and in strings it reads (their bytes
//! are checked as UTF-8 only when someone asks for the text), but it still rejects
//! what is structurally broken: an unterminated string, object or array, a missing
//! `:` or `,`, a broken escape in a string it reads.
//!
//! It never recurses beyond the fixed depth of the keys it reads: other nested values
//! are skipped with a depth counter, so any depth costs the same stack. Strings
//! without escapes are borrowed from the body; a string errnorm reads that has escapes
//! is decoded in one allocation (the only one).
//!
//! The functions pass the position by value (`i`, the index of the next byte) and
//! return the position after what they read, so it stays in a register.

use memchr::memchr2;

use super::fields::{check_escaped, unescape_into, Fields, Text, Val};
use crate::schema::{Clears, Field, TextAt};

/// Reads a JSON document (the body from its first non-space byte) into `f`, which
/// starts empty. `false` when it is structurally broken. Bytes after the first complete
/// value are ignored, as the reference reader does.
pub(crate) fn scan<'a>(b: &'a [u8], f: &mut Fields<'a>) -> bool {
    let c = Cur { b };
    top(&c, ws(b, 0), f).is_some()
}

fn top<'a>(c: &Cur<'a>, i: usize, f: &mut Fields<'a>) -> Option<usize> {
    match *c.b.get(i)? {
        b'{' => {}
        // Some servers (Vertex AI's REST streaming) wrap the error in an array: the
        // first element is read.
        b'[' => {
            let mut first = true;
            return each(c, i, |i| {
                if std::mem::take(&mut first) {
                    top_object(c, i, f)
                } else {
                    skip(c.b, i)
                }
            });
        }
        _ => return skip(c.b, i),
    }
    top_object(c, i, f)
}

fn top_object<'a>(c: &Cur<'a>, i: usize, f: &mut Fields<'a>) -> Option<usize> {
    if *c.b.get(i)? != b'{' {
        return skip(c.b, i);
    }
    let mut detail = None;
    let mut error_type = None;
    let end = object(c, i, |key, i| match key {
        Key::Type => c.val(i).map(|(v, i)| {
            f.set(Field::Type, v);
            i
        }),
        // TGI's `error_type` plays the part of a top-level `type` when there is none.
        Key::ErrorTypeTop => c.val(i).map(|(v, i)| {
            error_type = Some(v);
            i
        }),
        Key::Error => {
            // A later `error` replaces an earlier one whole, as in any JSON reader.
            clear_error(f);
            match *c.b.get(i)? {
                b'{' => {
                    f.error_obj = true;
                    error_obj(c, i, f)
                }
                b'"' => {
                    let (t, i) = c.string(i)?;
                    *f.slot(TextAt::ErrorText) = Some(t);
                    Some(i)
                }
                _ => skip(c.b, i),
            }
        }
        Key::BaseResp => {
            f.clear(Field::BaseRespStatusCode);
            f.clear_texts(Clears::BaseResp);
            base_resp(c, i, f)
        }
        Key::Code => field(c, i, f, Field::Code),
        Key::Reason => field(c, i, f, Field::Reason),
        Key::ErrorCode => field(c, i, f, Field::ErrorCodeTop),
        Key::AwsType => field(c, i, f, Field::AmznType),
        Key::Message => text(c, i, f.slot(TextAt::Message)),
        Key::Detail => text(c, i, &mut detail),
        Key::ErrorMsg => text(c, i, f.slot(TextAt::ErrorMsg)),
        Key::Object => text(c, i, f.slot(TextAt::Object)),
        Key::Choices => first_of(c, i, |k| k == Key::FinishReason, f, Field::FinishReason),
        Key::Candidates => first_of(
            c,
            i,
            |k| k == Key::FinishReasonCamel,
            f,
            Field::FinishReason,
        ),
        Key::PromptFeedback => nested(c, i, |k| k == Key::BlockReason, f, Field::BlockReason),
        Key::Msg => text(c, i, f.slot(TextAt::Msg)),
        Key::Description => text(c, i, f.slot(TextAt::Description)),
        Key::Status => c.val(i).map(|(v, i)| {
            f.status_top = Some(v);
            i
        }),
        Key::Success => {
            let rest = c.b.get(i..)?;
            if rest.starts_with(b"false") {
                f.shape |= super::fields::SUCCESS_FALSE;
            } else {
                f.shape &= !super::fields::SUCCESS_FALSE;
            }
            skip(c.b, i)
        }
        Key::Errors => {
            let end = skip(c.b, i)?;
            let inner = c.b.get(i + 1..end.saturating_sub(1)).unwrap_or_default();
            let opens = matches!(c.b.get(i), Some(b'[' | b'{'));
            if opens && !inner.iter().all(u8::is_ascii_whitespace) {
                f.shape |= super::fields::ERRORS;
            } else {
                f.shape &= !super::fields::ERRORS;
            }
            Some(end)
        }
        Key::Wrapper(n) => {
            let (end, says) = wrapper(c, i)?;
            let bit = super::fields::WRAPPER_FIRST << n;
            if says {
                f.shape |= bit;
            } else {
                f.shape &= !bit;
            }
            Some(end)
        }
        _ => skip(c.b, i),
    })?;
    if f.at(TextAt::Message).is_none() {
        *f.slot(TextAt::Message) = detail;
    }
    if let (None, Some(t)) = (f.get(Field::Type), error_type) {
        f.set(Field::Type, t);
    }
    Some(end)
}

/// A wrapper object (`Response`, `data`, `header`, ...) at `i`: whether it holds an
/// `error` / `Error` that is not empty, or a non-zero `code` / `Code` beside a message
/// (`message`, `Message` or `msg`). Each key's last value counts, as in any JSON reader.
fn wrapper(c: &Cur<'_>, i: usize) -> Option<(usize, bool)> {
    if *c.b.get(i)? != b'{' {
        return Some((skip(c.b, i)?, false));
    }
    let mut error = [false; 2];
    let mut code = [false; 2];
    let mut message = [false; 3];
    let end = object(c, i, |k, i| {
        let slot = match k {
            Key::Error => error.get_mut(0),
            Key::ErrorCap => error.get_mut(1),
            Key::Code | Key::CodeCap => {
                let (v, end) = c.val(i)?;
                if let Some(s) = code.get_mut(usize::from(k == Key::CodeCap)) {
                    *s = super::fields::code_says_error(Some(&v));
                }
                return Some(end);
            }
            Key::Message | Key::MessageCap | Key::Msg => {
                let (v, end) = c.val(i)?;
                let n = match k {
                    Key::Message => 0,
                    Key::MessageCap => 1,
                    _ => 2,
                };
                if let Some(s) = message.get_mut(n) {
                    *s = matches!(&v, Val::Str(t) if !t.is_empty());
                }
                return Some(end);
            }
            _ => return skip(c.b, i),
        };
        // An `error`: a string that is not blank, or an object with a key.
        let (says, end) = match *c.b.get(i)? {
            b'"' => {
                let (t, end) = c.string(i)?;
                (!t.is_empty(), end)
            }
            b'{' => {
                let end = skip(c.b, i)?;
                (c.b.get(i..end)?.contains(&b'"'), end)
            }
            _ => (false, skip(c.b, i)?),
        };
        if let Some(s) = slot {
            *s = says;
        }
        Some(end)
    })?;
    let says = error.contains(&true) || (code.contains(&true) && message.contains(&true));
    Some((end, says))
}

fn clear_error(f: &mut Fields<'_>) {
    f.error_obj = false;
    f.details = false;
    f.clear_texts(Clears::Error);
    // The fields whose place is under `/error/` (by the table of places).
    for k in crate::schema::fields_in(crate::schema::UNDER_ERROR) {
        f.clear(k);
    }
}

fn error_obj<'a>(c: &Cur<'a>, i: usize, f: &mut Fields<'a>) -> Option<usize> {
    object(c, i, |key, i| match key {
        Key::Code => field(c, i, f, Field::ErrorCode),
        Key::Message => text(c, i, f.slot(TextAt::ErrorMessage)),
        Key::Type => field(c, i, f, Field::ErrorType),
        Key::Status => field(c, i, f, Field::ErrorStatus),
        Key::InnerError => nested(c, i, |k| k == Key::Code, f, Field::InnerCode),
        Key::Details => {
            f.details = *c.b.get(i)? == b'[';
            first_of(c, i, |k| k == Key::Reason, f, Field::DetailReason)
        }
        Key::Metadata => {
            *f.slot(TextAt::Raw) = None;
            if *c.b.get(i)? != b'{' {
                return skip(c.b, i);
            }
            object(c, i, |k, i| match k {
                Key::Raw => text(c, i, f.slot(TextAt::Raw)),
                _ => skip(c.b, i),
            })
        }
        _ => skip(c.b, i),
    })
}

fn base_resp<'a>(c: &Cur<'a>, i: usize, f: &mut Fields<'a>) -> Option<usize> {
    if *c.b.get(i)? != b'{' {
        return skip(c.b, i);
    }
    object(c, i, |key, i| match key {
        Key::StatusCode => field(c, i, f, Field::BaseRespStatusCode),
        Key::StatusMsg => text(c, i, f.slot(TextAt::StatusMsg)),
        _ => skip(c.b, i),
    })
}

/// A value into a field of the ladder.
#[inline]
fn field<'a>(c: &Cur<'a>, i: usize, f: &mut Fields<'a>, at: Field) -> Option<usize> {
    let (v, i) = c.val(i)?;
    f.set(at, v);
    Some(i)
}

/// A string value into `slot` (anything else clears it).
#[inline]
fn text<'a>(c: &Cur<'a>, i: usize, slot: &mut Option<Text<'a>>) -> Option<usize> {
    let (v, i) = c.val(i)?;
    *slot = v.into_text();
    Some(i)
}

/// In an object at `i`, the string value of the key `want` accepts goes into field
/// `at` (the last such key of the object decides, as in any JSON reader).
fn obj_field<'a>(
    c: &Cur<'a>,
    i: usize,
    want: impl Fn(Key) -> bool,
    f: &mut Fields<'a>,
    at: Field,
) -> Option<usize> {
    if *c.b.get(i)? != b'{' {
        return skip(c.b, i);
    }
    let mut last = None;
    let end = object(c, i, |k, i| {
        if want(k) {
            let (v, i) = c.val(i)?;
            last = Some(v);
            Some(i)
        } else {
            skip(c.b, i)
        }
    })?;
    if let Some(v @ Val::Str(_)) = last {
        f.set(at, v);
    }
    Some(end)
}

/// The first element of an array at `i` that gives field `at` a string decides; a
/// later array under the same key replaces an earlier one.
fn first_of<'a>(
    c: &Cur<'a>,
    i: usize,
    want: impl Fn(Key) -> bool + Copy,
    f: &mut Fields<'a>,
    at: Field,
) -> Option<usize> {
    f.clear(at);
    each(c, i, |i| {
        if f.get(at).is_some() {
            // An earlier element gave it: the rest are skipped whole.
            return skip(c.b, i);
        }
        obj_field(c, i, want, f, at)
    })
}

/// A single nested object at `i` whose key `want` gives field `at`.
fn nested<'a>(
    c: &Cur<'a>,
    i: usize,
    want: impl Fn(Key) -> bool,
    f: &mut Fields<'a>,
    at: Field,
) -> Option<usize> {
    f.clear(at);
    obj_field(c, i, want, f, at)
}

/// Each element of an array at `i` (anything else is skipped).
fn each(c: &Cur<'_>, i: usize, elem: impl FnMut(usize) -> Option<usize>) -> Option<usize> {
    if *c.b.get(i)? != b'[' {
        return skip(c.b, i);
    }
    elements(c.b, i, elem)
}

/// The elements of the array at `i` (its `[`): calls `elem(i)` at each, which returns
/// the index after it. Returns the index after the `]`.
#[inline]
pub(crate) fn elements(
    b: &[u8],
    i: usize,
    mut elem: impl FnMut(usize) -> Option<usize>,
) -> Option<usize> {
    let mut i = ws(b, i + 1);
    if *b.get(i)? == b']' {
        return Some(i + 1);
    }
    loop {
        i = ws(b, elem(i)?);
        match *b.get(i)? {
            b',' => i = ws(b, i + 1),
            b']' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The keys errnorm reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Key {
    Type,
    Error,
    BaseResp,
    Code,
    Reason,
    Message,
    Detail,
    StatusCode,
    StatusMsg,
    ErrorCode,
    ErrorMsg,
    ErrorTypeTop,
    Object,
    AwsType,
    Choices,
    Candidates,
    PromptFeedback,
    FinishReason,
    FinishReasonCamel,
    BlockReason,
    Status,
    Details,
    InnerError,
    Metadata,
    Raw,
    Msg,
    Description,
    Success,
    Errors,
    /// A wrapper object, by its place in [`WRAPPERS`].
    Wrapper(u8),
    ErrorCap,
    CodeCap,
    MessageCap,
    Other,
}

/// The top-level keys of wrapper objects that may hold an error, in `Key::Wrapper` order
/// (for the reference reader).
#[cfg(any(test, fuzzing))]
pub(crate) const WRAPPERS: [&str; 5] = ["Response", "response", "data", "result", "header"];

/// Which key errnorm reads `k` is, if any.
#[inline]
pub(crate) fn key_of(k: &[u8]) -> Key {
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
        b"error_code" => Key::ErrorCode,
        b"error_msg" => Key::ErrorMsg,
        b"error_type" => Key::ErrorTypeTop,
        b"object" => Key::Object,
        b"__type" => Key::AwsType,
        b"choices" => Key::Choices,
        b"candidates" => Key::Candidates,
        b"promptFeedback" => Key::PromptFeedback,
        b"finish_reason" => Key::FinishReason,
        b"finishReason" => Key::FinishReasonCamel,
        b"blockReason" => Key::BlockReason,
        b"status" => Key::Status,
        b"details" => Key::Details,
        b"innererror" => Key::InnerError,
        b"metadata" => Key::Metadata,
        b"raw" => Key::Raw,
        b"msg" => Key::Msg,
        b"description" => Key::Description,
        b"success" => Key::Success,
        b"errors" => Key::Errors,
        b"Response" => Key::Wrapper(0),
        b"response" => Key::Wrapper(1),
        b"data" => Key::Wrapper(2),
        b"result" => Key::Wrapper(3),
        b"header" => Key::Wrapper(4),
        b"Error" => Key::ErrorCap,
        b"Code" => Key::CodeCap,
        b"Message" => Key::MessageCap,
        _ => Key::Other,
    }
}

/// The string at `i` (its opening quote) and the index after it: borrowed and
/// unchecked without escapes, checked (and decoded only when read) with them; `None`
/// when unterminated or its escapes are broken.
pub(crate) fn string(b: &[u8], i: usize) -> Option<(Text<'_>, usize)> {
    Cur { b }.string(i)
}

/// The body being read.
struct Cur<'a> {
    b: &'a [u8],
}

impl<'a> Cur<'a> {
    /// The text of the string whose body runs from `start` to the quote at `end`:
    /// borrowed and unchecked without escapes, decoded (and so checked) with them.
    #[inline(always)]
    fn text(&self, start: usize, end: usize, escaped: bool) -> Option<Text<'a>> {
        let raw = self.b.get(start..end)?;
        if escaped {
            // Checked now (as serde_json would refuse it), decoded only when read.
            check_escaped(raw).map(|ascii| {
                if ascii {
                    Text::Escaped(raw)
                } else {
                    Text::Wide(raw)
                }
            })
        } else {
            Some(Text::Raw(raw))
        }
    }

    /// A string value at `i` (its opening quote).
    #[inline(always)]
    fn string(&self, i: usize) -> Option<(Text<'a>, usize)> {
        let (end, escaped) = string_end(self.b, i + 1)?;
        Some((self.text(i + 1, end, escaped)?, end + 1))
    }

    /// A value errnorm reads: a string, an integer (1008 and 1008.0 alike), or Other.
    #[inline(always)]
    fn val(&self, i: usize) -> Option<(Val<'a>, usize)> {
        match *self.b.get(i)? {
            b'"' => self.string(i).map(|(t, i)| (Val::Str(t), i)),
            b'-' | b'0'..=b'9' => {
                let rest = self.b.get(i..)?;
                let n = rest
                    .iter()
                    .position(|&c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .unwrap_or(rest.len());
                Some((number(rest.get(..n)?), i + n))
            }
            _ => skip(self.b, i).map(|i| (Val::Other, i)),
        }
    }
}

/// The index of the first byte at or after `i` that is not JSON white space.
#[inline(always)]
pub(crate) fn ws(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        // Compact JSON has no white space between tokens: one comparison decides.
        Some(&c) if c > b' ' => i,
        None => i,
        Some(_) => {
            let rest = b.get(i..).unwrap_or_default();
            i + ws_run(rest)
        }
    }
}

/// The length of the run of JSON white space that starts `b`: eight bytes at a time
/// (pretty-printed bodies indent by runs of that size), the tail byte by byte.
#[inline]
fn ws_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of each byte of `v` that is zero, exactly (no carry crosses bytes).
    let zero = |v: u64| !(((v & LOW) + LOW) | v | LOW);
    let mut i = 0;
    for chunk in b.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        let ws = zero(w ^ (ONES * u64::from(b' ')))
            | zero(w ^ (ONES * u64::from(b'\n')))
            | zero(w ^ (ONES * u64::from(b'\r')))
            | zero(w ^ (ONES * u64::from(b'\t')));
        let other = !ws & !LOW;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = b.get(i..).unwrap_or_default();
    i + rest
        .iter()
        .position(|&c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
        .unwrap_or(rest.len())
}

/// An object at `i` (its `{`): calls `field(key, i)` with `i` at each value, which
/// returns the index after the value. Returns the index after the `}`.
#[inline]
fn object(
    c: &Cur<'_>,
    i: usize,
    mut field: impl FnMut(Key, usize) -> Option<usize>,
) -> Option<usize> {
    members(c.b, i, |raw, escaped, i| {
        let key = if escaped {
            let mut k = String::new();
            if !unescape_into(raw, Some(&mut k)) {
                return None;
            }
            key_of(k.as_bytes())
        } else {
            key_of(raw)
        };
        field(key, i)
    })
}

/// The members of the object at `i` (its `{`): calls `member(key, escaped, i)` with the
/// key's raw bytes, whether they hold escapes, and `i` at its value; `member` returns
/// the index after the value. Returns the index after the `}`. The one walk over an
/// object, for the scanner and the generic reading alike.
#[inline]
pub(crate) fn members<'b>(
    b: &'b [u8],
    i: usize,
    mut member: impl FnMut(&'b [u8], bool, usize) -> Option<usize>,
) -> Option<usize> {
    let mut i = ws(b, i + 1);
    if *b.get(i)? == b'}' {
        return Some(i + 1);
    }
    loop {
        if *b.get(i)? != b'"' {
            return None;
        }
        let (end, escaped) = string_end(b, i + 1)?;
        let raw = b.get(i + 1..end)?;
        i = ws(b, end + 1);
        if *b.get(i)? != b':' {
            return None;
        }
        i = ws(b, i + 1);
        i = ws(b, member(raw, escaped, i)?);
        match *b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The closing quote of the string whose body starts at `i`, and whether it has
/// escapes.
#[inline(always)]
pub(crate) fn string_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        let at = i + string_stop(b.get(i..)?)?;
        if *b.get(at)? == b'"' {
            return Some((at, escaped));
        }
        escaped = true;
        i = at + 2;
    }
}

/// Skips the value at `i`, without recursion; returns the index after it.
pub(crate) fn skip(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i + 1).map(|(end, _)| end + 1),
        b'{' | b'[' => {
            let mut i = i + 1;
            let mut depth: usize = 1;
            loop {
                // Jump to the next quote or bracket.
                let rest = b.get(i..)?;
                let at = i + rest.iter().position(|&c| STRUCTURAL[usize::from(c)])?;
                i = at + 1;
                match *b.get(at)? {
                    b'"' => i = string_end(b, i)?.0 + 1,
                    b'{' | b'[' => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                }
            }
        }
        _ => {
            // A number or a literal: up to the next delimiter.
            let rest = b.get(i..)?;
            let n = rest
                .iter()
                .position(|&c| DELIMITER[usize::from(c)])
                .unwrap_or(rest.len());
            (n > 0).then_some(i + n)
        }
    }
}

/// The index of the first quote or backslash: 8 bytes at a time (SWAR) for the first
/// 64 bytes, where `memchr`'s set-up would cost more than the scan; `memchr2` after
/// (measured: at 256 a 250-byte message cost 350 instructions more, at 32 the short
/// strings paid the set-up).
#[inline(always)]
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
        if i == 64 {
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

/// A JSON number as the serde reader sees it: an integer that fits i64, or a float
/// with no fraction below 9e15 (1008.0), is an integer; anything else is Other.
fn number(t: &[u8]) -> Val<'static> {
    let (neg, digits) = match t.split_first() {
        Some((b'-', d)) => (true, d),
        _ => (false, t),
    };
    // Up to 18 digits cannot overflow an i64: one pass, no checks.
    if !digits.is_empty() && digits.len() <= 18 {
        let mut n: i64 = 0;
        let mut plain = true;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                plain = false;
                break;
            }
            n = n * 10 + i64::from(d);
        }
        if plain {
            return Val::Int(if neg { -n } else { n });
        }
    } else if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        // 19 digits and more: accumulate negatively so that i64::MIN fits.
        let n = digits.iter().try_fold(0i64, |n, d| {
            n.checked_mul(10)?.checked_sub(i64::from(d - b'0'))
        });
        return match n {
            Some(n) if neg => Val::Int(n),
            Some(n) => n.checked_neg().map_or(Val::Other, Val::Int),
            None => Val::Other,
        };
    }
    let Ok(text) = std::str::from_utf8(t) else {
        return Val::Other;
    };
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

#[cfg(test)]
mod tests {
    fn by_bytes(b: &[u8]) -> usize {
        b.iter()
            .position(|&c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
            .unwrap_or(b.len())
    }

    proptest::proptest! {
        #[test]
        fn a_white_space_run_is_measured_as_byte_by_byte(
            b in proptest::collection::vec(
                proptest::sample::select(vec![b' ', b'\n', b'\r', b'\t', b'x', 0u8, 0x8A, 0xA0, 0x89, b'"']),
                0..40,
            )
        ) {
            proptest::prop_assert_eq!(super::ws_run(&b), by_bytes(&b));
        }
    }

    #[test]
    fn a_white_space_run_before_every_byte_value() {
        for c in 0..=255u8 {
            for run in 0..20 {
                let mut b = vec![b' '; run];
                b.push(c);
                b.extend_from_slice(b"  x");
                assert_eq!(super::ws_run(&b), by_bytes(&b), "{c} after {run}");
            }
        }
    }
}
