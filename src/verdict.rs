//! The verdict on one error response, borrowing from the body: what decided it
//! ([`Basis`], [`Rule`], [`Evidence`]), the provider's own code ([`Code`]) and the
//! form the body came in ([`BodyForm`]).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::decide::cues::CueSet;
use crate::decide::tables::{CodeInfo, RetryHint};
pub use crate::read::BodyForm;
use crate::read::Text;
use crate::{ErrorKind, Provider, Reason};

/// Which evidence decided a verdict. errnorm reads evidence in this order, from the
/// specific to the general, and the first that says something known decides:
///
/// 1. [`ProviderCode`](Basis::ProviderCode): a provider's own code in a structured field
///    (`base_resp.status_code`, Novita's `reason`, `error.code`).
/// 2. [`CodeInMessage`](Basis::CodeInMessage): a MiniMax code that survives only as a
///    `(NNNN)` suffix of the message.
/// 3. [`ErrorType`](Basis::ErrorType): the provider's `error.type`.
/// 4. [`MessagePhrase`](Basis::MessagePhrase): a known phrase in the message.
/// 5. [`Cue`](Basis::Cue): the words of the response (its messages, wherever they are,
///    and identifiers no table lists, read as words) weighed by the vocabulary of
///    failure against the answer of steps 6 and 7; see [`cues`](crate::rules::cues).
/// 6. Catch-all codes and types (`invalid_request_error`, `api_error`, ...): reported as
///    [`ProviderCode`](Basis::ProviderCode) or [`ErrorType`](Basis::ErrorType), but read
///    only after phrases and cues, since the message often says more.
/// 7. [`HttpStatus`](Basis::HttpStatus): the status code alone. This is also the basis
///    for every body errnorm could not read (see [`Verdict::body_form`]).
/// 8. [`Default`](Basis::Default): the body says it is an error under a status that is
///    not one (HTTP 200 with a non-zero `base_resp`, say) and nothing above is known:
///    `transient/server_error`.
///
/// Within each step the given or detected provider's table is read first.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A provider's own code in a structured field.
    ProviderCode,
    /// A provider code found inside the message text (MiniMax's `(1008)` suffix).
    CodeInMessage,
    /// The provider's error type (`error.type`).
    ErrorType,
    /// A phrase of the message, from `data/phrases.tsv`.
    MessagePhrase,
    /// The words of the response, weighed by the cues of `data/cues.tsv` against the
    /// status or a catch-all row ([`Rule::Cues`] names the cues that decided).
    Cue,
    /// The HTTP status code alone.
    HttpStatus,
    /// Nothing known: an error under a non-error status, classed `transient/server_error`.
    Default,
    /// No response at all: the connection failed, timed out or broke mid-body
    /// ([`Classifier::transport`](crate::Classifier::transport)).
    Transport,
}

crate::taxonomy::ids!(Basis {
    ProviderCode => "provider_code",
    CodeInMessage => "code_in_message",
    ErrorType => "error_type",
    MessagePhrase => "message_phrase",
    Cue => "cue",
    HttpStatus => "http_status",
    Default => "default",
    Transport => "transport",
});

/// A provider's own error code: a number (MiniMax) or a name (everyone else).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Code<'a> {
    /// A numeric code, such as MiniMax's `1008`.
    Number(i64),
    /// A named code, such as `NOT_ENOUGH_BALANCE` or `insufficient_user_quota`.
    Name(Cow<'a, str>),
}

impl Code<'_> {
    /// An owned copy that borrows nothing.
    pub fn into_owned(self) -> Code<'static> {
        match self {
            Code::Number(n) => Code::Number(n),
            Code::Name(s) => Code::Name(Cow::Owned(s.into_owned())),
        }
    }
}

impl fmt::Display for Code<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Number(n) => write!(f, "{n}"),
            Code::Name(s) => f.write_str(s),
        }
    }
}

/// A text a verdict keeps (the message, the error type): a span of the body, as
/// [`Text`] has it (escapes and all), or its own copy where it was read from a buffer
/// that does not outlive the classification (a Python-printed body turned into JSON,
/// an SSE payload joined from several lines). Flat, so that it is no larger than a
/// `Text` (a verdict is moved around).
#[derive(Debug, Clone)]
pub(crate) enum Said<'a> {
    /// A span of the body without escapes.
    Raw(&'a [u8]),
    /// A span of the body with escapes (as `Text::Escaped`).
    Escaped(&'a [u8]),
    /// A span of the body with escapes (as `Text::Wide`).
    Wide(&'a [u8]),
    /// A copy, decoded.
    Owned(Box<str>),
}

impl<'a> Said<'a> {
    /// `t` as a span of `body` where it lies within it; else a decoded copy (`None` if
    /// it is not UTF-8).
    #[inline]
    pub(crate) fn of(t: Text<'_>, body: &'a [u8]) -> Option<Said<'a>> {
        let raw = t.raw();
        let within = (raw.as_ptr() as usize)
            .checked_sub(body.as_ptr() as usize)
            .and_then(|at| body.get(at..at.checked_add(raw.len())?));
        Some(match (within, t) {
            (Some(b), Text::Raw(_)) => Said::Raw(b),
            (Some(b), Text::Escaped(_)) => Said::Escaped(b),
            (Some(b), Text::Wide(_)) => Said::Wide(b),
            (None, t) => Said::Owned(t.as_str()?.into()),
        })
    }

    /// The span of the body, as the reading has it; `None` for a copy.
    pub(crate) fn text(&self) -> Option<Text<'a>> {
        match *self {
            Said::Raw(b) => Some(Text::Raw(b)),
            Said::Escaped(b) => Some(Text::Escaped(b)),
            Said::Wide(b) => Some(Text::Wide(b)),
            Said::Owned(_) => None,
        }
    }

    /// The text decoded, as an owned string (bytes that are not UTF-8 replaced).
    pub(crate) fn into_string(self) -> String {
        match self {
            Said::Owned(s) => s.into_string(),
            t => t
                .text()
                .map(|t| t.into_cow().into_owned())
                .unwrap_or_default(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Said::Owned(s) => f(s.as_bytes()),
            t => t.text().unwrap_or(Text::Raw(b"")).with(f),
        }
    }
}

impl PartialEq for Said<'_> {
    /// Texts are equal when their decoded bytes are.
    fn eq(&self, other: &Said<'_>) -> bool {
        self.with(|a| other.with(|b| a == b))
    }
}

/// The table row, phrase or status that decided a verdict. A row is a built-in one of
/// `data/` or one of the runtime [`Rules`](crate::Rules) the verdict borrows.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule<'r> {
    /// An identifier row of a provider table.
    Code(&'r CodeInfo),
    /// A message phrase row.
    Phrase(&'r CodeInfo),
    /// The cues of the winning kind, heaviest first.
    Cues(CueSet),
    /// The HTTP status alone.
    Status(StatusCode),
    /// Nothing known (see [`Basis::Default`]).
    Default,
}

impl<'r> Rule<'r> {
    /// A stable id: `provider:code`, `phrase:<phrase>`, `status:<code>` or `default`.
    pub fn id(&self) -> Cow<'r, str> {
        match *self {
            Rule::Code(c) => Cow::Borrowed(c.rule()),
            Rule::Phrase(p) => Cow::Borrowed(p.rule()),
            Rule::Cues(c) => Cow::Owned(c.id()),
            Rule::Status(s) => Cow::Owned(format!("status:{}", s.as_u16())),
            Rule::Default => Cow::Borrowed("default"),
        }
    }
}

/// What decided a verdict (see [`Verdict::evidence`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence<'v> {
    /// Which kind of evidence.
    pub basis: Basis,
    /// The stable id of the rule that matched (`minimax:1008`, `phrase:account suspended`,
    /// `status:502`, `default`).
    pub rule: Cow<'v, str>,
    /// Where: a JSON pointer into the body (`/base_resp/status_code`, `/error/type`,
    /// `/error/message`, ...), `status`, `words`, or `body` for the default.
    pub path: Cow<'v, str>,
    /// The value found there: the code, the type, the matched phrase, the status.
    pub value: Cow<'v, str>,
}

impl Evidence<'_> {
    /// A copy that borrows nothing.
    pub fn into_owned(self) -> Evidence<'static> {
        Evidence {
            basis: self.basis,
            rule: Cow::Owned(self.rule.into_owned()),
            path: Cow::Owned(self.path.into_owned()),
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

/// The verdict on one error response: what went wrong, from whom, what to do, and which
/// evidence decided. Borrows the code and message from the body where it can; convert it
/// with [`Verdict::into_error`] (or `ApiError::from`) to keep it.
///
/// Its `Debug` leaves the upstream message out (it may carry secrets);
/// [`Verdict::message`] has it.
///
/// ```
/// use errnorm::{classify, Basis, ErrorKind, Reason};
/// use http::{HeaderMap, StatusCode};
///
/// // Novita's documented NOT_ENOUGH_BALANCE, under a 400 that says nothing of money.
/// let body = br#"{"code":400,"reason":"NOT_ENOUGH_BALANCE","message":"not enough balance","metadata":{}}"#;
/// let v = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body).unwrap();
/// assert_eq!((v.kind(), v.reason()), (ErrorKind::Quota, Reason::InsufficientBalance));
/// assert_eq!(v.basis(), Basis::ProviderCode);
/// assert_eq!(v.rule().id(), "novita:NOT_ENOUGH_BALANCE");
/// assert_eq!(v.advice().client_status, 402);
/// ```
#[derive(Clone, PartialEq)]
pub struct Verdict<'a> {
    pub(crate) reason: Reason,
    pub(crate) provider: Option<Provider>,
    pub(crate) provider_name: Option<&'a str>,
    pub(crate) detected: bool,
    pub(crate) code: Option<Code<'a>>,
    /// Kept as the body has it; checked as UTF-8 (and decoded, where the body escaped
    /// it) only when asked for.
    pub(crate) message: Option<Said<'a>>,
    pub(crate) error_type: Option<Said<'a>>,
    /// The message and error type decoded, once either is asked for, where the body
    /// escaped them (boxed: a verdict is moved around more often than it is decoded).
    pub(crate) decoded: std::cell::OnceCell<Box<[Option<String>; 2]>>,
    pub(crate) basis: Basis,
    pub(crate) rule: Rule<'a>,
    pub(crate) path: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body_form: BodyForm,
}

impl<'a> Verdict<'a> {
    /// One of the six kinds.
    pub fn kind(&self) -> ErrorKind {
        self.reason.kind()
    }

    /// The finer reason under the kind.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The provider: the one given to [`classify_as`](crate::classify_as), or the one
    /// detected from the body's shape (`None` when the body has no shape errnorm knows).
    pub fn provider(&self) -> Option<Provider> {
        self.provider
    }

    /// The provider's id: a built-in provider's (`minimax`), or the name of a provider
    /// that only runtime [`Rules`](crate::Rules) know (their table's file name).
    pub fn provider_name(&self) -> Option<&str> {
        self.provider_name
    }

    /// Whether [`Verdict::provider`] was detected from the body rather than given
    /// (`false` when there is no provider).
    pub fn provider_detected(&self) -> bool {
        self.detected
    }

    /// The provider's own code, if the body has one (even one errnorm does not know).
    pub fn code(&self) -> Option<&Code<'a>> {
        self.code.as_ref()
    }

    /// The provider's own message, if the body has one and it is UTF-8. It may carry
    /// secrets; do not hand it to your clients as is (see
    /// [`ApiError::client_error`](crate::ApiError::client_error)).
    pub fn message(&self) -> Option<&str> {
        self.text(0)
    }

    /// The provider's `error.type`, if any.
    pub fn error_type(&self) -> Option<&str> {
        self.text(1)
    }

    /// The message (0) or error type (1): borrowed from the body, or decoded once.
    fn text(&self, i: usize) -> Option<&str> {
        let t = [&self.message, &self.error_type]
            .get(i)
            .copied()?
            .as_ref()?;
        match t {
            Said::Raw(b) => std::str::from_utf8(b).ok(),
            Said::Owned(s) => Some(s),
            Said::Escaped(_) | Said::Wide(_) => {
                let decode = |t: &Option<Said<'_>>| match t {
                    Some(t @ (Said::Escaped(_) | Said::Wide(_))) => t
                        .text()
                        .and_then(|t| t.as_str().map(std::borrow::Cow::into_owned)),
                    _ => None,
                };
                self.decoded
                    .get_or_init(|| Box::new([decode(&self.message), decode(&self.error_type)]))
                    .get(i)?
                    .as_deref()
            }
        }
    }

    /// Which evidence decided.
    pub fn basis(&self) -> Basis {
        self.basis
    }

    /// The table row, phrase or status that decided.
    pub fn rule(&self) -> Rule<'a> {
        self.rule
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What the body was; anything but [`BodyForm::Json`] and [`BodyForm::Sse`] means
    /// the status decided.
    pub fn body_form(&self) -> BodyForm {
        self.body_form
    }

    /// Whether the error may pass by itself (rate limits and transient failures).
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// The delay the response asks for, whatever the kind: the longest binding one of
    /// `Retry-After` (seconds or HTTP-date), `retry-after-ms` and the rate-limit reset
    /// headers of OpenAI and Anthropic (see [`retry_after`](crate::advice::retry_after)).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The provider's documented retry hints for the code that decided, if any
    /// (MiniMax's per-code max retries, backoff factor and log level).
    pub fn retry_hint(&self) -> Option<RetryHint> {
        match self.rule {
            Rule::Code(c) => c.retry_hint(),
            _ => None,
        }
    }

    /// The HTTP status a gateway should answer its own client with.
    pub fn client_status(&self) -> StatusCode {
        self.reason.client_status()
    }

    /// What decided, and where it was found: the rule, the place (a JSON pointer into
    /// the body such as `/base_resp/status_code`, or `status`), and the value there.
    ///
    /// ```
    /// use errnorm::classify;
    /// use http::{HeaderMap, StatusCode};
    /// let body = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
    /// let v = classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
    /// let e = v.evidence();
    /// assert_eq!((e.rule.as_ref(), e.path.as_ref(), e.value.as_ref()), ("minimax:1008", "/base_resp/status_code", "1008"));
    /// // The owned error keeps it.
    /// assert_eq!(v.clone().into_error().evidence(), e.clone());
    /// ```
    pub fn evidence(&self) -> Evidence<'_> {
        let value: Cow<'_, str> = match self.rule {
            Rule::Phrase(p) => Cow::Borrowed(p.code()),
            Rule::Cues(c) => Cow::Owned(c.iter().map(|c| c.cue()).collect::<Vec<_>>().join("+")),
            Rule::Status(s) => Cow::Owned(s.as_u16().to_string()),
            Rule::Code(r) => match (self.basis, &self.code) {
                (Basis::ErrorType, _) => Cow::Borrowed(self.error_type().unwrap_or(r.code())),
                (Basis::ProviderCode, Some(c)) if self.path.starts_with('/') => {
                    Cow::Owned(c.to_string())
                }
                _ => Cow::Borrowed(r.code()),
            },
            Rule::Default => Cow::Borrowed(""),
        };
        Evidence {
            basis: self.basis,
            rule: self.rule.id(),
            path: Cow::Borrowed(self.path),
            value,
        }
    }
}

impl fmt::Debug for Verdict<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The upstream message is left out: Debug output ends up in logs and panics.
        f.debug_struct("Verdict")
            .field("kind", &self.kind())
            .field("reason", &self.reason)
            .field("provider", &self.provider)
            .field(
                "code",
                &self.code.as_ref().map(|c| {
                    crate::text::escape(&crate::text::redact::redact(&c.to_string())).into_owned()
                }),
            )
            .field("basis", &self.basis)
            .field("rule", &self.rule.id())
            .field("path", &self.path)
            .field("status", &self.status)
            .field("retry_after", &self.retry_after)
            .field("body_form", &self.body_form)
            .finish_non_exhaustive()
    }
}
