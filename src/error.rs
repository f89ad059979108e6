//! The owned error a gateway keeps, logs, serialises and hands on.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::read::BodyForm;
use crate::verdict::{Basis, Code, Said, Verdict};
use crate::{ErrorKind, Provider, Reason};

/// One canonical error from any provider: owned, `Send + Sync + 'static`, one pointer
/// wide.
///
/// Made from a [`Verdict`] (`ApiError::from(verdict)`). Its `Display` names the kind,
/// reason, provider, code and status, never the upstream message, which may carry
/// secrets; [`ApiError::message`] has it for logs that may see it.
///
/// It serialises as a flat object with the same fields as the CLI's output lines:
/// `kind`, `reason`, `provider`, `provider_detected`, `code`, `message`, `error_type`,
/// `basis`, `rule`, `status`, `retry_after_ms`, `body_form`. The upstream's code,
/// message and type are serialised through [`redact`](crate::redact), so that handing
/// the error to a client or a log leaks no key, host or balance; the raw message is
/// only in [`ApiError::message`].
///
/// ```
/// use errnorm::{Action, ApiError, Classifier, ErrorKind};
/// use http::{HeaderMap, StatusCode};
///
/// // From a stream: Anthropic's overloaded_error mid-stream (its errors documentation).
/// let mut s = Classifier::shared().stream(StatusCode::OK, HeaderMap::new());
/// let e: &ApiError = s
///     .feed(b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
///     .unwrap()
///     .error();
/// assert_eq!(e.kind(), ErrorKind::Transient);
/// assert_eq!(e.advice().action, Action::Failover); // no delay given: go elsewhere
/// assert_eq!(e.error_type(), Some("overloaded_error")); // Anthropic's type; it sends no code
/// ```
#[derive(Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(transparent)]
#[error("{inner}")]
pub struct ApiError {
    inner: Box<Inner>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Repr", into = "Repr")]
struct Inner {
    reason: Reason,
    provider: Option<Provider>,
    /// A provider only runtime rules know, by its name.
    provider_name: Option<String>,
    provider_detected: bool,
    code: Option<Code<'static>>,
    message: Option<String>,
    error_type: Option<String>,
    basis: Basis,
    rule: String,
    status: u16,
    retry_after: Option<Duration>,
    body_form: BodyForm,
    /// The provider's documented retry hints for the code that decided.
    retry_hint: Option<crate::decide::tables::RetryHint>,
    /// Where the deciding evidence was, and its value (see [`Verdict::evidence`]).
    path: String,
    value: String,
}

/// The serialised form: `kind` is written out, and checked against `reason` on the way in.
#[derive(Serialize, Deserialize)]
struct Repr {
    kind: ErrorKind,
    reason: Reason,
    provider: Option<Provider>,
    /// A provider only runtime rules know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_name: Option<String>,
    #[serde(default)]
    provider_detected: bool,
    code: Option<Code<'static>>,
    message: Option<String>,
    error_type: Option<String>,
    basis: Basis,
    rule: String,
    status: u16,
    retry_after_ms: Option<u64>,
    body_form: BodyForm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_hint: Option<crate::decide::tables::RetryHint>,
    /// Where the deciding evidence was (`/base_resp/status_code`, `status`, ...).
    #[serde(default)]
    path: String,
    /// Its value, redacted like any upstream text.
    #[serde(default)]
    value: String,
}

impl From<Inner> for Repr {
    fn from(i: Inner) -> Repr {
        Repr {
            kind: i.reason.kind(),
            reason: i.reason,
            provider: i.provider,
            provider_name: i.provider_name,
            provider_detected: i.provider_detected,
            // What is serialised may reach a client (`Json(err)`) or a log: upstream text
            // goes out redacted; the raw message is only in `ApiError::message`.
            code: i.code.map(|c| match c {
                Code::Name(n) => Code::Name(std::borrow::Cow::Owned(
                    crate::text::redact::redact(&n).into_owned(),
                )),
                n => n,
            }),
            message: i
                .message
                .map(|m| crate::text::redact::redact(&m).into_owned()),
            error_type: i
                .error_type
                .map(|t| crate::text::redact::redact(&t).into_owned()),
            basis: i.basis,
            rule: i.rule,
            status: i.status,
            retry_after_ms: i
                .retry_after
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            body_form: i.body_form,
            retry_hint: i.retry_hint,
            path: i.path,
            value: crate::text::redact::redact(&i.value).into_owned(),
        }
    }
}

impl TryFrom<Repr> for Inner {
    type Error = String;
    fn try_from(r: Repr) -> Result<Inner, String> {
        if r.reason.kind() != r.kind {
            return Err(format!(
                "reason `{}` belongs to kind `{}`, not `{}`",
                r.reason,
                r.reason.kind(),
                r.kind
            ));
        }
        Ok(Inner {
            reason: r.reason,
            provider: r.provider,
            provider_name: r.provider_name,
            provider_detected: r.provider_detected,
            code: r.code,
            message: r.message,
            error_type: r.error_type,
            basis: r.basis,
            rule: r.rule,
            status: r.status,
            retry_after: r.retry_after_ms.map(Duration::from_millis),
            body_form: r.body_form,
            retry_hint: r.retry_hint,
            path: r.path,
            value: r.value,
        })
    }
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error ({})", self.reason.kind(), self.reason)?;
        if let Some(p) = self.provider {
            write!(f, " from {p}")?;
        } else if let Some(p) = &self.provider_name {
            // An operator's name for it, from their rules file: escaped all the same.
            write!(f, " from {}", crate::text::escape(p))?;
        }
        if let Some(c) = &self.code {
            // A hostile body can put anything in its code: redacted like any upstream
            // text, and control characters escaped so that it cannot forge a log line.
            write!(
                f,
                ", code {}",
                crate::text::escape(&crate::text::redact::redact(&c.to_string()))
            )?;
        }
        write!(f, ", http {}", self.status)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The upstream message is left out: Debug output ends up in logs and panics.
        f.debug_struct("ApiError")
            .field("kind", &self.kind())
            .field("reason", &self.inner.reason)
            .field("provider", &self.inner.provider)
            .field(
                "code",
                &self.inner.code.as_ref().map(|c| {
                    crate::text::escape(&crate::text::redact::redact(&c.to_string())).into_owned()
                }),
            )
            .field("basis", &self.inner.basis)
            .field("status", &self.inner.status)
            .field("retry_after", &self.inner.retry_after)
            .finish_non_exhaustive()
    }
}

impl From<Verdict<'_>> for ApiError {
    fn from(v: Verdict<'_>) -> ApiError {
        let hint = v.retry_hint();
        let evidence = v.evidence();
        let (path, value) = (evidence.path.into_owned(), evidence.value.into_owned());
        ApiError {
            inner: Box::new(Inner {
                reason: v.reason,
                provider: v.provider,
                provider_name: match v.provider {
                    Some(_) => None,
                    None => v.provider_name.map(str::to_string),
                },
                provider_detected: v.detected,
                code: v.code.map(Code::into_owned),
                message: v.message.map(Said::into_string),
                error_type: v.error_type.map(Said::into_string),
                basis: v.basis,
                rule: v.rule.id().into_owned(),
                status: v.status.as_u16(),
                retry_after: v.retry_after,
                body_form: v.body_form,
                retry_hint: hint,
                path,
                value,
            }),
        }
    }
}

impl ApiError {
    /// An error for a failure with no response to read: the connection, not the
    /// provider, answered. `code` is a stable id (`connection_refused`), `status` the
    /// status a proxy would answer with (504 for a timeout, else 502).
    pub(crate) fn transport(reason: Reason, code: &'static str, detail: String) -> ApiError {
        let status = if reason == Reason::Timeout { 504 } else { 502 };
        ApiError {
            inner: Box::new(Inner {
                reason,
                provider: None,
                provider_name: None,
                provider_detected: false,
                code: Some(Code::Name(std::borrow::Cow::Borrowed(code))),
                // A client's error names the URL it failed on, and a URL may carry a
                // key in its query (`?key=`): redacted like upstream text.
                message: Some(crate::text::redact::redact(&detail).into_owned()),
                error_type: None,
                basis: Basis::Transport,
                rule: format!("transport:{code}"),
                status,
                retry_after: None,
                body_form: BodyForm::Empty,
                retry_hint: None,
                path: "transport".to_string(),
                value: code.to_string(),
            }),
        }
    }

    /// The gateway's own timeout as an error (a first token that never came, a deadline
    /// passed): a transient `timeout` like a transport failure's, whose code is the
    /// gateway's stable id for it, so that it is advised, counted and answered like an
    /// upstream's.
    ///
    /// ```
    /// use errnorm::{Action, ApiError, Basis, Reason};
    /// let e = ApiError::own_timeout("first_token_timeout");
    /// assert_eq!(e.reason(), Reason::Timeout);
    /// assert_eq!(e.basis(), Basis::Transport);
    /// assert_eq!(e.rule_id(), "transport:first_token_timeout");
    /// assert_eq!(e.status(), 504);
    /// assert_eq!(e.advice().action, Action::Retry);
    /// ```
    pub fn own_timeout(code: &'static str) -> ApiError {
        ApiError::transport(Reason::Timeout, code, format!("the gateway's own {code}"))
    }

    /// The provider's documented retry hints for the code that decided, if any.
    pub fn retry_hint(&self) -> Option<crate::decide::tables::RetryHint> {
        self.inner.retry_hint
    }

    /// One of the six kinds.
    pub fn kind(&self) -> ErrorKind {
        self.inner.reason.kind()
    }
    /// The finer reason.
    pub fn reason(&self) -> Reason {
        self.inner.reason
    }
    /// The provider, given or detected.
    pub fn provider(&self) -> Option<Provider> {
        self.inner.provider
    }
    /// The provider's id: a built-in provider's, or the name of one only runtime rules
    /// know (which [`ApiError::provider`] cannot name), as [`Verdict::provider_name`].
    pub fn provider_name(&self) -> Option<&str> {
        match self.inner.provider {
            Some(p) => Some(p.as_str()),
            None => self.inner.provider_name.as_deref(),
        }
    }
    /// Which evidence decided, where, and its value: what [`Verdict::evidence`] said.
    pub fn evidence(&self) -> crate::verdict::Evidence<'_> {
        crate::verdict::Evidence {
            basis: self.inner.basis,
            rule: std::borrow::Cow::Borrowed(&self.inner.rule),
            path: std::borrow::Cow::Borrowed(&self.inner.path),
            value: std::borrow::Cow::Borrowed(&self.inner.value),
        }
    }
    /// Whether the provider was detected from the body rather than given.
    pub fn provider_detected(&self) -> bool {
        self.inner.provider_detected
    }
    /// The provider's own code, as sent: upstream text, which may carry anything (a
    /// key pasted into a code field); Display, Debug and Serialize show it redacted.
    pub fn code(&self) -> Option<&Code<'static>> {
        self.inner.code.as_ref()
    }
    /// The provider's own message, as sent (may carry secrets); Display, Debug and
    /// Serialize show it redacted, and a client gets the crate's own words.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
    /// The provider's `error.type`.
    pub fn error_type(&self) -> Option<&str> {
        self.inner.error_type.as_deref()
    }
    /// Which evidence decided.
    pub fn basis(&self) -> Basis {
        self.inner.basis
    }
    /// The id of the rule that decided (see [`Rule::id`](crate::verdict::Rule::id)).
    pub fn rule_id(&self) -> &str {
        &self.inner.rule
    }
    /// The upstream's HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.inner.status).unwrap_or(StatusCode::BAD_GATEWAY)
    }
    /// What the body was.
    pub fn body_form(&self) -> BodyForm {
        self.inner.body_form
    }
    /// Whether the error may pass by itself.
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }
    /// The delay the response asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// The HTTP status a gateway should answer its own client with.
    pub fn client_status(&self) -> StatusCode {
        self.inner.reason.client_status()
    }
}

/// The owned form of a verdict.
impl Verdict<'_> {
    /// An owned [`ApiError`] that borrows nothing.
    pub fn into_error(self) -> ApiError {
        ApiError::from(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    fn err(body: &str, status: u16) -> ApiError {
        crate::classify(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
        )
        .unwrap()
        .into()
    }

    #[test]
    fn is_one_pointer_wide_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync + 'static + std::error::Error>() {}
        assert_send_sync::<ApiError>();
        assert_eq!(
            std::mem::size_of::<ApiError>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn display_and_debug_leave_the_upstream_message_out() {
        let e = err(
            r#"{"error":{"message":"Incorrect API key provided: sk-abc123SECRET","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            401,
        );
        let shown = e.to_string();
        assert_eq!(
            shown,
            "auth error (invalid_key) from openai, code invalid_api_key, http 401"
        );
        assert!(!format!("{e:?}").contains("SECRET"));
        assert_eq!(
            e.message(),
            Some("Incorrect API key provided: sk-abc123SECRET")
        );
    }

    #[test]
    fn a_secret_in_the_code_is_redacted_in_display_and_debug() {
        let e = err(
            r#"{"error":{"message":"x","type":"invalid_request_error","code":"sk-abcdefghijklmnop1234"}}"#,
            401,
        );
        assert!(!e.to_string().contains("sk-abc"), "{e}");
        assert!(!format!("{e:?}").contains("sk-abc"), "{e:?}");
        assert!(e.to_string().contains("[redacted:key]"));
    }

    #[test]
    fn serde_round_trip_and_kind_checked() {
        let e = err(
            r#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
            200,
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "quota");
        assert_eq!(json["reason"], "insufficient_balance");
        assert_eq!(json["code"], 1008);
        assert_eq!(json["rule"], "minimax:1008");
        let back: ApiError = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, e);
        let mut bad = json;
        bad["kind"] = "auth".into();
        assert!(serde_json::from_value::<ApiError>(bad).is_err());
    }
}
