//! What reading a body yields: its form, and the values of the fields that carry error
//! evidence ([`Fields`]), borrowed from the body; with the words that say a body is an
//! error or a success.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::schema::Field;

/// What the body was, as far as errnorm could tell.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyForm {
    /// Empty, or only white space.
    Empty,
    /// A JSON document that errnorm read.
    Json,
    /// A server-sent event stream (`data:` / `event:` lines).
    Sse,
    /// Something that is not JSON: an HTML proxy page, plain text.
    Text,
    /// It looked like JSON but was not: truncated, invalid, or with a broken escape in
    /// a field errnorm reads.
    Unparsed,
}

/// A string of the body: the raw bytes between the quotes when the JSON has no
/// escapes (not yet checked as UTF-8), or the decoded text when it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text<'a> {
    Raw(&'a [u8]),
    Decoded(String),
}

impl<'a> Text<'a> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Text::Raw(b) => b,
            Text::Decoded(s) => s.as_bytes(),
        }
    }

    /// The text, checked as UTF-8 now; `None` if it is not.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Text::Raw(b) => std::str::from_utf8(b).ok(),
            Text::Decoded(s) => Some(s),
        }
    }

    /// The text, borrowed from the body where it can be; bytes that are not UTF-8 are
    /// replaced.
    pub(crate) fn into_cow(self) -> Cow<'a, str> {
        match self {
            Text::Raw(b) => String::from_utf8_lossy(b),
            Text::Decoded(s) => Cow::Owned(s),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes().iter().all(u8::is_ascii_whitespace)
    }
}

/// A JSON scalar of interest: a string, an integer, or anything else (ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val<'a> {
    Str(Text<'a>),
    Int(i64),
    Other,
}

impl<'a> Val<'a> {
    pub(crate) fn into_text(self) -> Option<Text<'a>> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Where the message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageAt {
    ErrorMessage,
    Message,
    StatusMsg,
    ErrorText,
    ErrorMsg,
    Msg,
    Description,
    Body,
}

impl MessageAt {
    pub(crate) fn pointer(self) -> &'static str {
        match self {
            MessageAt::ErrorMessage => "/error/message",
            MessageAt::Message => "/message",
            MessageAt::StatusMsg => "/base_resp/status_msg",
            MessageAt::ErrorText => "/error",
            MessageAt::ErrorMsg => "/error_msg",
            MessageAt::Msg => "/msg",
            MessageAt::Description => "/description",
            MessageAt::Body => "body",
        }
    }
}

/// The evidence of a body: the value of each field of the ladder, and the texts around
/// them. Everything else is skipped unread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fields<'a> {
    /// The value of each [`Field`] (by its index), as the body has it. `message.code`
    /// and `x-amzn-errortype` from a header are derived later, not read.
    pub vals: [Option<Val<'a>>; Field::COUNT],
    /// The presence bit of each field that holds a string or a number, kept as the
    /// fields are set (see `schema::Probe::bit`).
    pub bits: u32,
    /// A top-level `error` object was there.
    pub error_obj: bool,
    /// `error.message`.
    pub error_message: Option<Text<'a>>,
    /// A top-level `error` string.
    pub error_text: Option<Text<'a>>,
    /// A top-level `message`, or `detail` when there is no `message`.
    pub message: Option<Text<'a>>,
    /// MiniMax's `base_resp.status_msg`.
    pub status_msg: Option<Text<'a>>,
    /// A top-level `error_msg` (Baidu style).
    pub error_msg: Option<Text<'a>>,
    /// A top-level `object`.
    pub object: Option<Text<'a>>,
    /// OpenRouter's `error.metadata.raw`: the upstream's own body, as a string.
    pub raw: Option<Text<'a>>,
    /// A top-level `msg` (many Chinese APIs: `{"code": N, "msg": "..."}`).
    pub msg: Option<Text<'a>>,
    /// A top-level `description`.
    pub description: Option<Text<'a>>,
    /// A top-level `status`: a task's state or an error's code.
    pub status_top: Option<Val<'a>>,
    /// Shapes that say "error" without an `error` key (see [`Fields::says_error`]):
    /// [`SUCCESS_FALSE`], [`ERRORS`], a bit per wrapper from [`WRAPPER_FIRST`].
    pub shape: u8,
    /// A plain-text body (not HTML), read for phrases only.
    pub plain: Option<Text<'a>>,
    /// The JSON document the fields were read from, for the generic reading of error
    /// shapes (`generic.rs`) when no exact row decides. Not read by the fast path.
    pub doc: Option<Text<'a>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, f: Field) -> Option<&Val<'a>> {
        self.vals.get(f as usize)?.as_ref()
    }

    pub(crate) fn set(&mut self, f: Field, v: Val<'a>) {
        let bit = crate::schema::field_bit(f);
        if matches!(v, Val::Other) {
            self.bits &= !bit;
        } else {
            self.bits |= bit;
        }
        if let Some(slot) = self.vals.get_mut(f as usize) {
            *slot = Some(v);
        }
    }

    pub(crate) fn clear(&mut self, f: Field) {
        self.bits &= !crate::schema::field_bit(f);
        if let Some(slot) = self.vals.get_mut(f as usize) {
            *slot = None;
        }
    }

    /// A field's value as text, if it is a string.
    pub(crate) fn text(&self, f: Field) -> Option<&Text<'a>> {
        match self.get(f)? {
            Val::Str(t) => Some(t),
            _ => None,
        }
    }

    /// The presence bits of what the body has (see `schema::Probe::bit`).
    pub(crate) fn presence(&self) -> u32 {
        use crate::schema::Probe;
        let mut bits = self.bits;
        let mut set = |on: bool, p: Probe| {
            if on {
                bits |= p.bit().unwrap_or(0);
            }
        };
        set(self.error_obj, Probe::ErrorObject);
        set(self.error_text.is_some(), Probe::ErrorText);
        set(self.error_message.is_some(), Probe::ErrorMessage);
        set(self.message.is_some(), Probe::TopMessage);
        set(self.object.is_some(), Probe::Object);
        set(self.error_msg.is_some(), Probe::ErrorMsg);
        set(self.raw.is_some(), Probe::Raw);
        bits
    }

    /// Whether the body itself says it is an error, whatever the HTTP status.
    pub(crate) fn says_error(&self) -> bool {
        let nonzero = |f: Field| match self.get(f) {
            Some(Val::Int(n)) => *n != 0,
            Some(Val::Str(t)) => !t.is_empty() && t.bytes() != b"0",
            _ => false,
        };
        self.error_obj
            || self.error_text.as_ref().is_some_and(|t| !t.is_empty())
            || self
                .text(Field::Type)
                .is_some_and(|t| t.bytes() == b"error")
            || self.object.as_ref().is_some_and(|t| t.bytes() == b"error")
            || nonzero(Field::BaseRespStatusCode)
            || nonzero(Field::Reason)
            || nonzero(Field::ErrorCodeTop)
            || self.shape != 0
            || self.status_top.as_ref().is_some_and(status_says_error)
            || (code_says_error(self.get(Field::Code)) && self.says_something())
    }

    /// A message-like text at the top level that is not a success word.
    fn says_something(&self) -> bool {
        [&self.message, &self.msg, &self.description, &self.error_msg]
            .into_iter()
            .flatten()
            .any(|t| !t.is_empty() && !success_word(t.bytes()))
    }

    /// The message to read, and where it is: the error object's, else the top level's,
    /// else MiniMax's `status_msg`, else an `error` string, else `error_msg`.
    pub(crate) fn message(&self) -> Option<(&Text<'a>, MessageAt)> {
        None.or(self
            .error_message
            .as_ref()
            .map(|t| (t, MessageAt::ErrorMessage)))
            .or(self.message.as_ref().map(|t| (t, MessageAt::Message)))
            .or(self.status_msg.as_ref().map(|t| (t, MessageAt::StatusMsg)))
            .or(self.error_text.as_ref().map(|t| (t, MessageAt::ErrorText)))
            .or(self.error_msg.as_ref().map(|t| (t, MessageAt::ErrorMsg)))
            .or(self.msg.as_ref().map(|t| (t, MessageAt::Msg)))
            .or(self
                .description
                .as_ref()
                .map(|t| (t, MessageAt::Description)))
            .or(self.plain.as_ref().map(|t| (t, MessageAt::Body)))
    }

    /// A copy whose texts are owned, for fields read from a buffer that does not
    /// outlive them (an SSE payload joined from several lines).
    pub(crate) fn detach(self) -> Fields<'static> {
        fn t(t: Text<'_>) -> Text<'static> {
            Text::Decoded(t.into_cow().into_owned())
        }
        fn v(v: Val<'_>) -> Val<'static> {
            match v {
                Val::Str(s) => Val::Str(t(s)),
                Val::Int(n) => Val::Int(n),
                Val::Other => Val::Other,
            }
        }
        Fields {
            vals: self.vals.map(|x| x.map(v)),
            bits: self.bits,
            error_obj: self.error_obj,
            error_message: self.error_message.map(t),
            error_text: self.error_text.map(t),
            message: self.message.map(t),
            status_msg: self.status_msg.map(t),
            error_msg: self.error_msg.map(t),
            msg: self.msg.map(t),
            description: self.description.map(t),
            status_top: self.status_top.map(v),
            shape: self.shape,
            object: self.object.map(t),
            raw: self.raw.map(t),
            plain: self.plain.map(t),
            doc: self.doc.map(t),
        }
    }

    /// Takes the message out (for the verdict).
    pub(crate) fn take_message(&mut self) -> Option<Text<'a>> {
        self.error_message
            .take()
            .or_else(|| self.message.take())
            .or_else(|| self.status_msg.take())
            .or_else(|| self.error_text.take())
            .or_else(|| self.error_msg.take())
            .or_else(|| self.msg.take())
            .or_else(|| self.description.take())
            .or_else(|| self.plain.take())
    }
}

/// `"success": false` at the top level.
pub(crate) const SUCCESS_FALSE: u8 = 1;
/// A non-empty `errors` array or object at the top level.
pub(crate) const ERRORS: u8 = 2;
/// The first of five bits, one per wrapper object (`Response`, `response`, `data`,
/// `result`, `header`; see `scan::WRAPPERS`), set when it holds an `error` / `Error`
/// that is not empty, or a non-zero `code` / `Code` beside a message.
pub(crate) const WRAPPER_FIRST: u8 = 4;

/// Words a `status`, `code` or message holds on success or while work goes on.
pub(crate) fn success_word(s: &[u8]) -> bool {
    const OK: [&str; 20] = [
        "ok",
        "success",
        "succeeded",
        "successful",
        "completed",
        "complete",
        "done",
        "finished",
        "pending",
        "queued",
        "processing",
        "running",
        "in_progress",
        "starting",
        "created",
        "ready",
        "active",
        "healthy",
        "incomplete",
        "validating",
    ];
    let s = s.trim_ascii();
    OK.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(s))
}

/// Whether a top-level `status` names an error: an HTTP error status, or a word of
/// failure (`failed`, `error`, `Content Moderated`, `RESOURCE_EXHAUSTED`).
fn status_says_error(v: &Val<'_>) -> bool {
    const FAILURE: [&[u8]; 12] = [
        b"fail",
        b"error",
        b"moderat",
        b"reject",
        b"block",
        b"denied",
        b"forbidden",
        b"unauthori",
        b"exceed",
        b"exhaust",
        b"invalid",
        b"timeout",
    ];
    match v {
        Val::Int(n) => (400..600).contains(n),
        Val::Str(t) => {
            let b = t.bytes();
            !success_word(b)
                && FAILURE
                    .iter()
                    .any(|w| b.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
        }
        Val::Other => false,
    }
}

/// Whether a code says error: not 0, not a 2xx, not a success word.
pub(crate) fn code_says_error(v: Option<&Val<'_>>) -> bool {
    match v {
        Some(Val::Int(n)) => *n != 0 && !(200..300).contains(n),
        Some(Val::Str(t)) => {
            let b = t.bytes().trim_ascii();
            let two_hundred = b.len() == 3 && b.first() == Some(&b'2');
            !(b.is_empty() || b == b"0" || two_hundred || success_word(b))
        }
        _ => false,
    }
}
