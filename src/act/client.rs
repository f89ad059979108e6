//! The error a gateway hands to its own client: the crate's own words for the reason,
//! in the OpenAI or Anthropic envelope, with the status to answer with. Nothing of the
//! upstream's text goes out unless the caller opts in, and then only redacted.

use http::StatusCode;
use serde_json::{json, Value};

use crate::text::redact::redact;
use crate::{ApiError, ErrorKind, Reason};

/// The language of the crate's own client messages.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese.
    Zh,
}

/// How [`ApiError::client_error`] renders.
///
/// ```
/// use errnorm::{client::{ClientOptions, Dialect, Lang}};
/// let o = ClientOptions::default()
///     .with_lang(Lang::Zh)
///     .with_dialect(Dialect::Anthropic)
///     .with_own_credentials();
/// assert!(o.own_credentials && !o.upstream_message);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientOptions {
    /// The language of the crate's own message.
    pub lang: Lang,
    /// Use the upstream's message, redacted (see [`redact`]), instead of the crate's
    /// own text. Off by default: upstream text can name hosts, keys and balances the
    /// redaction rules do not know.
    pub upstream_message: bool,
    /// The upstream credentials are the gateway's own, not the caller's: an auth or
    /// quota error is then the gateway's problem, and the client is answered 502
    /// (auth) or 503 (quota) with neutral text, never 401/402 about a key it never sent.
    pub own_credentials: bool,
    /// The envelope the gateway's clients speak: what [`ClientError::dialect`] is set
    /// to, and what a response built from the error without naming a dialect uses.
    pub dialect: Dialect,
}

impl ClientOptions {
    /// The same options, with the crate's own text in `lang`.
    pub fn with_lang(mut self, lang: Lang) -> ClientOptions {
        self.lang = lang;
        self
    }

    /// The same options, for a gateway whose upstream credentials are its own (see
    /// [`ClientOptions::own_credentials`]).
    ///
    /// ```
    /// use errnorm::{classify, client::ClientOptions};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let body = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
    /// let e = classify(StatusCode::OK, &HeaderMap::new(), body).unwrap().into_error();
    /// assert_eq!(e.client_error(&ClientOptions::default()).status, 402);
    /// let own = e.client_error(&ClientOptions::default().with_own_credentials());
    /// assert_eq!(own.status, 503);
    /// assert!(!own.message.to_lowercase().contains("balance"));
    /// ```
    pub fn with_own_credentials(mut self) -> ClientOptions {
        self.own_credentials = true;
        self
    }

    /// The same options, for clients that speak `dialect`.
    ///
    /// ```
    /// use errnorm::{client::{ClientOptions, Dialect}};
    /// let o = ClientOptions::default().with_dialect(Dialect::Anthropic);
    /// assert_eq!(o.dialect, Dialect::Anthropic);
    /// ```
    pub fn with_dialect(mut self, dialect: Dialect) -> ClientOptions {
        self.dialect = dialect;
        self
    }

    /// The upstream's message, redacted, where there is one.
    pub fn with_upstream_message(mut self) -> ClientOptions {
        self.upstream_message = true;
        self
    }
}

/// A client-safe error: what a gateway answers its own client with. It serialises as
/// its fields (`status` as a number); [`ClientError::openai_body`] and
/// [`ClientError::anthropic_body`] give the envelopes, [`ClientError::http_response`]
/// a whole response, [`ClientError::sse_event`] the event that ends a stream.
///
/// ```
/// use errnorm::{classify, client::ClientOptions};
/// use http::{HeaderMap, StatusCode};
///
/// let body = br#"{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx","type":"invalid_request_error","code":"invalid_api_key"}}"#;
/// let e = classify(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body).unwrap().into_error();
/// let c = e.client_error(&ClientOptions::default());
/// assert_eq!(c.status, 401);
/// assert!(!c.message.contains("sk-proj")); // the crate's own words
/// let json = serde_json::to_value(&c).unwrap();
/// assert_eq!(json["code"], "invalid_key");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientError {
    /// The HTTP status to answer with ([`Reason::client_status`]): quota is 402, so
    /// that clients do not retry it as they would a 429.
    #[serde(serialize_with = "status_u16")]
    pub status: StatusCode,
    /// The message: the crate's own text for the reason, or the redacted upstream one.
    pub message: String,
    /// The reason id, as the OpenAI envelope's `code`.
    pub code: &'static str,
    /// The error type in the OpenAI envelope.
    pub openai_type: &'static str,
    /// The error type in the Anthropic envelope.
    pub anthropic_type: &'static str,
    /// The envelope the client speaks ([`ClientOptions::dialect`]; OpenAI's for
    /// [`ClientError::from_reason`]): the one [`ClientError::response`] and the axum
    /// `IntoResponse` use. Not serialised.
    #[serde(skip)]
    pub dialect: Dialect,
}

fn status_u16<S: serde::Serializer>(s: &StatusCode, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_u16(s.as_u16())
}

/// The wire dialect of a client error.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// OpenAI's `{"error":{...}}`, and `data: {...}` in a stream.
    #[default]
    Openai,
    /// Anthropic's `{"type":"error","error":{...}}`, and `event: error` in a stream.
    Anthropic,
}

impl ClientError {
    /// The crate's own error for a reason, in `lang`: for errors a gateway makes
    /// itself (no upstream answered, its own limits).
    ///
    /// ```
    /// use errnorm::{Reason, client::{ClientError, Lang}};
    /// let e = ClientError::from_reason(Reason::Timeout, Lang::En);
    /// assert_eq!(e.status, 504);
    /// assert_eq!(e.openai_body()["error"]["code"], "timeout");
    /// ```
    pub fn from_reason(reason: Reason, lang: Lang) -> ClientError {
        let (openai_type, anthropic_type) = envelope_types(reason);
        ClientError {
            status: reason.client_status(),
            message: own_message(reason, lang).to_owned(),
            code: reason.as_str(),
            openai_type,
            anthropic_type,
            dialect: Dialect::Openai,
        }
    }

    /// The same error, rendered in `dialect` by [`ClientError::response`].
    pub fn with_dialect(mut self, dialect: Dialect) -> ClientError {
        self.dialect = dialect;
        self
    }

    /// [`ClientError::http_response`] in the error's own [`ClientError::dialect`].
    ///
    /// ```
    /// use errnorm::{Reason, client::{ClientError, Dialect, Lang}};
    /// let e = ClientError::from_reason(Reason::Overloaded, Lang::En).with_dialect(Dialect::Anthropic);
    /// let res = e.response();
    /// assert_eq!(res.status(), 503);
    /// assert!(res.body().contains(r#""type":"overloaded_error""#));
    /// ```
    pub fn response(&self) -> http::Response<String> {
        self.http_response(self.dialect)
    }

    /// The envelope of `dialect`.
    pub fn body(&self, dialect: Dialect) -> Value {
        match dialect {
            Dialect::Openai => self.openai_body(),
            Dialect::Anthropic => self.anthropic_body(),
        }
    }

    /// A whole `http::Response`: the status, `content-type: application/json`, the
    /// envelope of `dialect`.
    ///
    /// ```
    /// use errnorm::{Reason, client::{ClientError, Dialect, Lang}};
    /// let res = ClientError::from_reason(Reason::Overloaded, Lang::En).http_response(Dialect::Anthropic);
    /// assert_eq!(res.status(), 503);
    /// assert!(res.body().contains("overloaded_error"));
    /// ```
    pub fn http_response(&self, dialect: Dialect) -> http::Response<String> {
        let mut res = http::Response::new(self.body(dialect).to_string());
        *res.status_mut() = self.status;
        res.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        res
    }

    /// The SSE event that ends a stream with this error: OpenAI's `data: {...}` or
    /// Anthropic's `event: error` with its data, each ending in a blank line.
    ///
    /// ```
    /// use errnorm::{Reason, client::{ClientError, Dialect, Lang}};
    /// let e = ClientError::from_reason(Reason::Overloaded, Lang::En);
    /// assert!(e.sse_event(Dialect::Anthropic).starts_with("event: error\ndata: {"));
    /// assert!(e.sse_event(Dialect::Openai).ends_with("}\n\n"));
    /// ```
    pub fn sse_event(&self, dialect: Dialect) -> String {
        let data = self.body(dialect).to_string();
        match dialect {
            Dialect::Openai => format!("data: {data}\n\n"),
            Dialect::Anthropic => format!("event: error\ndata: {data}\n\n"),
        }
    }

    /// `{"error":{"message","type","code","param":null}}`.
    pub fn openai_body(&self) -> Value {
        json!({"error": {"message": self.message, "type": self.openai_type, "code": self.code, "param": null}})
    }

    /// `{"type":"error","error":{"type","message"}}`.
    pub fn anthropic_body(&self) -> Value {
        json!({"type": "error", "error": {"type": self.anthropic_type, "message": self.message}})
    }
}

impl ApiError {
    /// The error to hand to the gateway's own client.
    ///
    /// ```
    /// use errnorm::{classify, ApiError, client::{ClientOptions, Lang}};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let body = br#"{"error":{"message":"Incorrect API key provided: sk-abcdefghijklmnop1234","type":"invalid_request_error","code":"invalid_api_key"}}"#;
    /// let e: ApiError = classify(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body).unwrap().into();
    /// let c = e.client_error(&ClientOptions::default());
    /// assert_eq!(c.status, StatusCode::UNAUTHORIZED);
    /// assert_eq!(c.openai_body()["error"]["code"], "invalid_key");
    /// assert!(!c.message.contains("sk-"));
    /// let c = e.client_error(&ClientOptions::default().with_upstream_message());
    /// assert_eq!(c.message, "Incorrect API key provided: [redacted:key]");
    /// assert_eq!(e.client_error(&ClientOptions::default().with_lang(Lang::Zh)).message, "上游服务的 API 密钥无效");
    /// ```
    pub fn client_error(&self, opts: &ClientOptions) -> ClientError {
        render(self.reason(), self.client_status(), self.message(), opts)
    }
}

impl crate::Verdict<'_> {
    /// The error to hand to the gateway's own client: the same as
    /// [`ApiError::client_error`] gives for the owned error.
    ///
    /// ```
    /// use errnorm::{classify, client::ClientOptions};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let body = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
    /// let v = classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
    /// let opts = ClientOptions::default().with_upstream_message();
    /// assert_eq!(v.client_error(&opts), v.clone().into_error().client_error(&opts));
    /// assert_eq!(v.client_error(&opts).status, StatusCode::PAYMENT_REQUIRED);
    /// ```
    pub fn client_error(&self, opts: &ClientOptions) -> ClientError {
        render(self.reason(), self.client_status(), self.message(), opts)
    }
}

/// The client's error for a reason, its client status and the upstream's message.
fn render(
    reason: Reason,
    status: StatusCode,
    upstream: Option<&str>,
    opts: &ClientOptions,
) -> ClientError {
    if opts.own_credentials {
        // The gateway's own key or balance failed: not the client's to fix, and
        // not to be told which.
        let neutral = match reason.kind() {
            ErrorKind::Auth => Some(Reason::UpstreamUnavailable),
            ErrorKind::Quota => Some(Reason::Overloaded),
            _ => None,
        };
        if let Some(n) = neutral {
            return ClientError::from_reason(n, opts.lang).with_dialect(opts.dialect);
        }
    }
    let message = match (opts.upstream_message, upstream) {
        (true, Some(m)) if !m.trim().is_empty() => redact(m).into_owned(),
        _ => own_message(reason, opts.lang).to_owned(),
    };
    ClientError {
        status,
        message,
        code: reason.as_str(),
        openai_type: envelope_types(reason).0,
        anthropic_type: envelope_types(reason).1,
        dialect: opts.dialect,
    }
}

/// The error types of the OpenAI and the Anthropic envelope for a reason.
fn envelope_types(r: Reason) -> (&'static str, &'static str) {
    use Reason::*;
    match r {
        PermissionDenied | AccountSuspended | IpNotAllowed | VerificationRequired => {
            ("permission_error", "permission_error")
        }
        ModelNotFound | NotFound => ("not_found_error", "not_found_error"),
        Overloaded => ("server_error", "overloaded_error"),
        Timeout => ("server_error", "timeout_error"),
        _ => match r.kind() {
            ErrorKind::Auth => ("authentication_error", "authentication_error"),
            ErrorKind::Quota => ("insufficient_quota", "billing_error"),
            ErrorKind::RateLimit => ("rate_limit_error", "rate_limit_error"),
            ErrorKind::Content | ErrorKind::Validation => {
                ("invalid_request_error", "invalid_request_error")
            }
            ErrorKind::Transient => ("server_error", "api_error"),
        },
    }
}

/// The crate's own words for a reason.
pub fn own_message(r: Reason, lang: Lang) -> &'static str {
    use Reason::*;
    let (en, zh) = match r {
        InvalidKey => ("The upstream API key is invalid", "上游服务的 API 密钥无效"),
        MissingKey => (
            "No API key was sent to the upstream",
            "未向上游服务提供 API 密钥",
        ),
        PermissionDenied => (
            "The key is not permitted to use this resource",
            "该密钥无权使用此资源",
        ),
        AccountSuspended => ("The upstream account is suspended", "上游账户已被停用"),
        IpNotAllowed => (
            "The key may not be used from this network",
            "该密钥不允许从当前网络使用",
        ),
        VerificationRequired => (
            "The upstream account must complete verification first",
            "上游账户需先完成身份认证",
        ),
        InsufficientBalance => (
            "The upstream account balance is insufficient",
            "上游账户余额不足",
        ),
        UsageWindowExhausted => (
            "The usage limit for the current period is used up",
            "当前周期的用量额度已用完",
        ),
        PlanLimit => (
            "A limit of the upstream plan is reached",
            "已达到上游套餐的限制",
        ),
        RequestsPerTime => (
            "Too many requests; retry after a short wait",
            "请求过于频繁，请稍后重试",
        ),
        TokensPerTime => (
            "Too many tokens in a short time; retry after a short wait",
            "短时间内令牌用量过多，请稍后重试",
        ),
        Concurrency => ("Too many concurrent requests", "并发请求过多"),
        GrowthLimit => (
            "Request volume grew too fast; ramp up more slowly",
            "请求量增长过快，请平稳增加",
        ),
        InputFlagged => (
            "The input was rejected by the content policy",
            "输入内容未通过内容安全审核",
        ),
        OutputFlagged => (
            "The output was withheld by the content policy",
            "输出内容未通过内容安全审核",
        ),
        InvalidParams => ("The request parameters are invalid", "请求参数无效"),
        ContextLengthExceeded => (
            "The input exceeds the model's context length",
            "输入超出模型的上下文长度",
        ),
        ModelNotFound => ("The requested model is not available", "请求的模型不可用"),
        NotFound => ("The requested resource was not found", "请求的资源不存在"),
        UnsupportedParameter => (
            "A parameter or value is not supported",
            "不支持的参数或取值",
        ),
        Conflict => (
            "The request conflicts with the current state",
            "请求与当前状态冲突",
        ),
        Timeout => ("The upstream timed out", "上游服务超时"),
        ServerError => ("The upstream failed", "上游服务出错"),
        Overloaded => (
            "The upstream is overloaded; retry later",
            "上游服务负载过高，请稍后重试",
        ),
        UpstreamUnavailable => ("The upstream is unavailable", "上游服务不可用"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// An axum handler can return a [`ClientError`] (feature `axum`): the response of
/// [`ClientError::response`], in the error's dialect.
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl axum_core::response::IntoResponse for ClientError {
    fn into_response(self) -> axum_core::response::Response {
        self.response().map(axum_core::body::Body::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_both_texts_and_envelope_types() {
        for r in Reason::iter() {
            assert!(!own_message(r, Lang::En).is_empty());
            assert!(!own_message(r, Lang::Zh).is_empty());
            assert!(!own_message(r, Lang::Zh).is_ascii(), "{r}");
            let (o, a) = envelope_types(r);
            assert!(o.ends_with("error") || o == "insufficient_quota", "{r}");
            assert!(a.ends_with("_error"), "{r}");
        }
    }
}
