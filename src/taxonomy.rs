//! The taxonomy: six [`ErrorKind`]s and the finer [`Reason`]s under them.

use http::StatusCode;
use serde::{Deserialize, Serialize};

/// The snake_case ids of an enum of unit variants, written once: `ALL`, `COUNT`,
/// `as_str`, `iter`, `Display` and `FromStr` (no derive macro crate needed).
macro_rules! ids {
    ($ty:ident { $($v:ident => $id:literal),* $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),*];
            /// How many variants there are.
            pub const COUNT: usize = [$($id),*].len();
            /// The snake_case id, as used by serde, the CLI and the tables in `data/`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$v => $id,)*
                }
            }
            /// Every variant, in declaration order.
            pub fn iter() -> impl Iterator<Item = $ty> + Clone {
                Self::ALL.iter().copied()
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $ty {
            type Err = $crate::taxonomy::UnknownId;
            /// The variant of a snake_case id.
            fn from_str(s: &str) -> Result<$ty, $crate::taxonomy::UnknownId> {
                match s {
                    $($id => Ok($ty::$v),)*
                    _ => Err($crate::taxonomy::UnknownId),
                }
            }
        }
    };
}
pub(crate) use ids;

/// An id that names no variant (`"open_ai".parse::<Provider>()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown id")]
pub struct UnknownId;

/// What went wrong, in the six kinds a gateway acts on.
///
/// Every error response gets exactly one kind. The kind answers the question a gateway
/// must answer in microseconds: does this pass by itself, and what makes it pass?
///
/// # Choosing between close kinds
///
/// *Quota vs rate limit vs transient.* Ask what makes the error go away.
/// - Money, a plan change or freeing resources: [`Quota`](ErrorKind::Quota). Never
///   retry until billing changes; fail over to another key or provider.
/// - A short window (seconds to minutes) the provider counts per key or account:
///   [`RateLimit`](ErrorKind::RateLimit). Retry the same upstream after the window
///   (`Retry-After` when sent), or fail over now.
/// - Nothing the caller did; the provider is failing or busy:
///   [`Transient`](ErrorKind::Transient). Retry with backoff, or fail over.
///
/// A usage window of hours (MiniMax 2056, a daily entitlement) is quota: no request
/// can wait it out.
///
/// *Auth vs validation.* Ask whether another credential could make the same request
/// succeed. If yes (a bad, missing or banned key, a permission, an IP allow-list), it is
/// [`Auth`](ErrorKind::Auth). If the request itself is wrong for every caller
/// (parameters, an unknown model, a context too long), it is
/// [`Validation`](ErrorKind::Validation). A model that exists but this key may not use
/// is auth (`permission_denied`); a model that does not exist is validation
/// (`model_not_found`).
///
/// The enum will grow only if the data demands it, hence `#[non_exhaustive]`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The credential was refused: missing, invalid, banned, not permitted, or calling
    /// from the wrong place.
    ///
    /// Triggers: MiniMax 1004 / 2049, MiMo `authentication_failed`, Novita
    /// `MISSING_API_KEY` (under a 400), OpenAI `invalid_api_key`, Anthropic
    /// `authentication_error` / `permission_error`.
    /// Retry: never with the same credential; fail over to another key.
    /// HTTP mapping: 401 (403 for permissions).
    Auth,
    /// The account cannot pay for the request, or a plan cap is used up.
    ///
    /// Unlike [`RateLimit`](ErrorKind::RateLimit), waiting seconds does not help.
    /// Triggers: MiniMax 1008 (whatever the HTTP status), Novita `NOT_ENOUGH_BALANCE`,
    /// OpenAI `insufficient_quota` (under a 429), new-api `insufficient_user_quota`,
    /// Anthropic's "credit balance is too low" (under a 400).
    /// Retry: never until billing changes; fail over to another key or provider.
    /// HTTP mapping: 402.
    Quota,
    /// Too many requests, tokens or connections in a short window.
    ///
    /// Triggers: MiniMax 1002 / 1039 / 1041 / 2045, HTTP 429 without a quota code.
    /// Retry: the same upstream after the window (`Retry-After`), or fail over now.
    /// HTTP mapping: 429.
    RateLimit,
    /// The provider's safety system refused the input or withheld the output.
    ///
    /// Triggers: MiniMax 1026 / 1027, Novita `ILLEGAL_PROMPT`, OpenAI
    /// `content_policy_violation`.
    /// Retry: never with the same content; other providers may judge it differently.
    /// HTTP mapping: 400.
    Content,
    /// The request is wrong for every caller: parameters, model, size, state.
    ///
    /// Unlike [`Auth`](ErrorKind::Auth), another key would fail the same way.
    /// Triggers: MiniMax 2013, MiMo `invalid_request`, OpenAI
    /// `context_length_exceeded`, HTTP 400 / 404 / 422 with nothing more specific.
    /// Retry: never; hand the error to the client.
    /// HTTP mapping: 400 (404 for unknown models and resources, 409 for conflicts).
    Validation,
    /// The provider failed, timed out or is overloaded; nothing the caller did.
    ///
    /// Triggers: MiniMax 1000 / 1001 / 1024 / 1033, Anthropic `overloaded_error`, HTTP
    /// 5xx, HTML error pages from proxies.
    /// Retry: yes, with backoff, or fail over.
    /// HTTP mapping: 502 (503 when overloaded, 504 on timeouts).
    Transient,
}

impl ErrorKind {
    /// Whether an error of this kind may pass by itself: rate limits and transient
    /// failures do; auth, quota, content and validation errors never do.
    pub const fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::RateLimit | ErrorKind::Transient)
    }

    /// The HTTP status a gateway should answer its own client with, for this kind in
    /// general. [`Reason::client_status`] is finer.
    pub const fn client_status(self) -> StatusCode {
        match self {
            ErrorKind::Auth => StatusCode::UNAUTHORIZED,
            ErrorKind::Quota => StatusCode::PAYMENT_REQUIRED,
            ErrorKind::RateLimit => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Content | ErrorKind::Validation => StatusCode::BAD_REQUEST,
            ErrorKind::Transient => StatusCode::BAD_GATEWAY,
        }
    }
}

/// Why it went wrong, finer than the [`ErrorKind`]; each reason belongs to one kind.
///
/// The list was chosen from the provider tables in `data/`: every row maps to one of
/// these. Each variant says what it means, what typically triggers it, whether to retry,
/// and the HTTP status a gateway should answer its own client with ("HTTP mapping").
///
/// The snake_case ids ([`Reason::as_str`]) are the values to record as `error.type`
/// under OpenTelemetry's semantic conventions for generative AI: one documented list for
/// every provider, stable (a new reason is added, none is renamed), and what the
/// `tracing` events carry under that name.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // ----- auth -----
    /// The key or token was sent but is wrong, expired or revoked.
    ///
    /// Triggers: MiniMax 1004 / 2049, MiMo `authentication_failed`, OpenAI
    /// `invalid_api_key`, Anthropic `authentication_error`, HTTP 401.
    /// Retry: never with this key; fail over to another. HTTP mapping: 401.
    InvalidKey,
    /// No key or token was sent at all.
    ///
    /// Unlike [`InvalidKey`](Reason::InvalidKey), the fix is in the request, not the key.
    /// Triggers: Novita `MISSING_API_KEY` (a 400), new-api "no access token supplied".
    /// Retry: never. HTTP mapping: 401.
    MissingKey,
    /// The key is valid but may not use this resource, model or API.
    ///
    /// Triggers: MiMo `permission_denied`, Anthropic `permission_error`, Novita
    /// `API_NOT_ALLOWED`, new-api "not authorized to access the requested model", 403.
    /// Retry: never with this key; another key or provider may be allowed.
    /// HTTP mapping: 403.
    PermissionDenied,
    /// The account is suspended, banned or deactivated.
    ///
    /// Triggers: Novita `BANNED_USER` (a 400), new-api "Account suspended.", OpenAI
    /// `account_deactivated`. Retry: never; alert an operator. HTTP mapping: 403.
    AccountSuspended,
    /// The key may be used only from approved IP ranges, and this is not one.
    ///
    /// Triggers: new-api "allowed only from approved IP ranges".
    /// Retry: never from this network. HTTP mapping: 403.
    IpNotAllowed,
    /// The account must complete identity or enterprise verification first.
    ///
    /// Triggers: MiniMax 2038, Novita `NEED_REAL_NAME_VERIFY`, `USER_NOT_ACTIVATED`.
    /// Retry: never until verified. HTTP mapping: 403.
    VerificationRequired,

    // ----- quota -----
    /// The balance or credit cannot pay for the request.
    ///
    /// Triggers: MiniMax 1008, Novita `NOT_ENOUGH_BALANCE` / `BILLING_BALANCE_NOT_ENOUGH`,
    /// OpenAI `insufficient_quota`, new-api `insufficient_user_quota`, Anthropic
    /// "credit balance is too low", HTTP 402.
    /// Retry: never until billing changes; fail over. HTTP mapping: 402.
    InsufficientBalance,
    /// A plan's usage window (hours, a day) is used up; it resets by itself, later.
    ///
    /// Unlike [`RequestsPerTime`](Reason::RequestsPerTime), no request can wait it out.
    /// Triggers: MiniMax 2056 (5-hour window), new-api `entitlement_daily_limit_exceeded`.
    /// Retry: not before the window resets; fail over. HTTP mapping: 429.
    UsageWindowExhausted,
    /// A cap of the account's plan (instances, networks, a spending limit) is reached.
    ///
    /// Triggers: Novita `CREATE_INSTANCE_LIMIT` / `NETWORK_MAX_LIMIT`, OpenAI
    /// `billing_hard_limit_reached`.
    /// Retry: never until the plan changes or resources are freed. HTTP mapping: 402.
    PlanLimit,

    // ----- rate_limit -----
    /// Too many requests in the provider's window.
    ///
    /// Triggers: MiniMax 1002, MiMo `rate_limit_exceeded`, Anthropic `rate_limit_error`,
    /// HTTP 429. Retry: after `Retry-After`, or fail over. HTTP mapping: 429.
    RequestsPerTime,
    /// Too many tokens in the provider's window.
    ///
    /// Triggers: MiniMax 1039, Novita `TOKEN_LIMIT_EXCEEDED`, OpenAI "tokens per min".
    /// Retry: after the window, or fail over. HTTP mapping: 429.
    TokensPerTime,
    /// Too many requests in flight at once.
    ///
    /// Triggers: MiniMax 1041, new-api `token_concurrency_limit_reached`.
    /// Retry: when one of yours finishes, with backoff. HTTP mapping: 429.
    Concurrency,
    /// Traffic grew (or fell) too fast.
    ///
    /// Triggers: MiniMax 2045. Retry: with a smoother ramp; back off. HTTP mapping: 429.
    GrowthLimit,

    // ----- content -----
    /// The input (prompt, image) was refused by the safety system.
    ///
    /// Triggers: MiniMax 1026, Novita `ILLEGAL_PROMPT`, OpenAI `content_policy_violation`.
    /// Retry: never with the same input. HTTP mapping: 400.
    InputFlagged,
    /// The output was withheld by the safety system.
    ///
    /// Triggers: MiniMax 1027. Retry: not as is; a changed input may pass.
    /// HTTP mapping: 400.
    OutputFlagged,

    // ----- validation -----
    /// A parameter is missing, malformed or out of range.
    ///
    /// Triggers: MiniMax 2013, MiMo `invalid_request`, OpenAI `invalid_request_error`,
    /// new-api `prompt_missing`, HTTP 400 / 422. Retry: never. HTTP mapping: 400.
    InvalidParams,
    /// The prompt plus the requested output exceed the model's context window.
    ///
    /// Triggers: OpenAI `context_length_exceeded`, Anthropic "prompt is too long:".
    /// Retry: never as is; shorten, or fail over to a model with a larger window.
    /// HTTP mapping: 400.
    ContextLengthExceeded,
    /// The model does not exist here, or no channel serves it.
    ///
    /// Unlike [`PermissionDenied`](Reason::PermissionDenied), no key of this provider
    /// would help. Triggers: Novita `MODEL_NOT_FOUND`, OpenAI `model_not_found`,
    /// new-api "无可用渠道" / "Incorrect model ID".
    /// Retry: never here; another provider may serve the model. HTTP mapping: 404.
    ModelNotFound,
    /// The endpoint or resource (task, file, instance) does not exist.
    ///
    /// Triggers: MiMo `not_found`, Anthropic `not_found_error`, HTTP 404.
    /// Retry: never. HTTP mapping: 404.
    NotFound,
    /// A parameter or value is valid in general but not supported here.
    ///
    /// Triggers: OpenAI `unsupported_parameter`, new-api `size_not_supported`.
    /// Retry: never as is. HTTP mapping: 400.
    UnsupportedParameter,
    /// The request conflicts with the current state: a duplicate, a resource in use.
    ///
    /// Triggers: MiniMax 2039 (duplicate voice_id), Novita `CONFLICT` /
    /// `NETWORK_IN_USE`, HTTP 409. Retry: never as is. HTTP mapping: 409.
    Conflict,

    // ----- transient -----
    /// The provider (or a proxy in front of it) gave up waiting.
    ///
    /// Triggers: MiniMax 1001, Anthropic `timeout_error`, HTTP 408 / 504 / 524.
    /// Retry: yes, with backoff, or fail over. HTTP mapping: 504.
    Timeout,
    /// The provider failed internally.
    ///
    /// Triggers: MiniMax 1000 / 1024 / 1033, MiMo `internal_error`, Anthropic
    /// `api_error`, HTTP 500. Retry: yes, with backoff. HTTP mapping: 502.
    ServerError,
    /// The provider is at capacity and says so.
    ///
    /// Triggers: Anthropic `overloaded_error` (529), MiMo `service_unavailable`, HTTP
    /// 503. Retry: yes, with backoff, or fail over. HTTP mapping: 503.
    Overloaded,
    /// The provider, or the channel behind a gateway, cannot be reached or is off.
    ///
    /// Triggers: HTTP 502 / 520-523, "upstream connect error", new-api
    /// `channel:*` and `do_request_failed`. Retry: fail over; retry later.
    /// HTTP mapping: 502.
    UpstreamUnavailable,
}

impl Reason {
    /// The kind this reason belongs to.
    pub const fn kind(self) -> ErrorKind {
        use Reason::*;
        match self {
            InvalidKey | MissingKey | PermissionDenied | AccountSuspended | IpNotAllowed
            | VerificationRequired => ErrorKind::Auth,
            InsufficientBalance | UsageWindowExhausted | PlanLimit => ErrorKind::Quota,
            RequestsPerTime | TokensPerTime | Concurrency | GrowthLimit => ErrorKind::RateLimit,
            InputFlagged | OutputFlagged => ErrorKind::Content,
            InvalidParams
            | ContextLengthExceeded
            | ModelNotFound
            | NotFound
            | UnsupportedParameter
            | Conflict => ErrorKind::Validation,
            Timeout | ServerError | Overloaded | UpstreamUnavailable => ErrorKind::Transient,
        }
    }

    /// The HTTP status a gateway should answer its own client with (the variant's
    /// "HTTP mapping").
    pub const fn client_status(self) -> StatusCode {
        use Reason::*;
        match self {
            PermissionDenied | AccountSuspended | IpNotAllowed | VerificationRequired => {
                StatusCode::FORBIDDEN
            }
            UsageWindowExhausted => StatusCode::TOO_MANY_REQUESTS,
            ModelNotFound | NotFound => StatusCode::NOT_FOUND,
            Conflict => StatusCode::CONFLICT,
            Timeout => StatusCode::GATEWAY_TIMEOUT,
            Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            _ => self.kind().client_status(),
        }
    }
}

ids!(ErrorKind {
    Auth => "auth",
    Quota => "quota",
    RateLimit => "rate_limit",
    Content => "content",
    Validation => "validation",
    Transient => "transient",
});

ids!(Reason {
    InvalidKey => "invalid_key",
    MissingKey => "missing_key",
    PermissionDenied => "permission_denied",
    AccountSuspended => "account_suspended",
    IpNotAllowed => "ip_not_allowed",
    VerificationRequired => "verification_required",
    InsufficientBalance => "insufficient_balance",
    UsageWindowExhausted => "usage_window_exhausted",
    PlanLimit => "plan_limit",
    RequestsPerTime => "requests_per_time",
    TokensPerTime => "tokens_per_time",
    Concurrency => "concurrency",
    GrowthLimit => "growth_limit",
    InputFlagged => "input_flagged",
    OutputFlagged => "output_flagged",
    InvalidParams => "invalid_params",
    ContextLengthExceeded => "context_length_exceeded",
    ModelNotFound => "model_not_found",
    NotFound => "not_found",
    UnsupportedParameter => "unsupported_parameter",
    Conflict => "conflict",
    Timeout => "timeout",
    ServerError => "server_error",
    Overloaded => "overloaded",
    UpstreamUnavailable => "upstream_unavailable",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_agree_across_display_serde_from_str_and_as_str() {
        for k in ErrorKind::iter() {
            assert_eq!(k.to_string(), k.as_str());
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert_eq!(k.as_str().parse::<ErrorKind>().unwrap(), k);
        }
        for r in Reason::iter() {
            assert_eq!(r.to_string(), r.as_str());
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
            assert_eq!(r.as_str().parse::<Reason>().unwrap(), r);
        }
        for b in crate::Basis::iter() {
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                format!("\"{}\"", b.as_str())
            );
            assert_eq!(b.as_str().parse::<crate::Basis>().unwrap(), b);
        }
        assert_eq!(Reason::iter().count(), Reason::COUNT);
        assert_eq!("InvalidKey".parse::<Reason>(), Err(UnknownId));
        assert_eq!("".parse::<ErrorKind>(), Err(UnknownId));
    }

    #[test]
    fn exactly_six_kinds_and_every_kind_has_a_reason() {
        assert_eq!(ErrorKind::COUNT, 6);
        let ids: Vec<_> = ErrorKind::iter().map(ErrorKind::as_str).collect();
        assert_eq!(
            ids,
            [
                "auth",
                "quota",
                "rate_limit",
                "content",
                "validation",
                "transient"
            ]
        );
        for k in ErrorKind::iter() {
            assert!(Reason::iter().any(|r| r.kind() == k), "{k} has no reason");
        }
    }

    #[test]
    fn client_status_is_a_client_or_server_error() {
        for r in Reason::iter() {
            let s = r.client_status().as_u16();
            assert!((400..600).contains(&s), "{r}: {s}");
            // A retryable kind never maps to a status that tells clients "do not retry".
            if r.kind().is_retryable() {
                assert!(s == 429 || s >= 500, "{r}: {s}");
            }
        }
        assert_eq!(Reason::InsufficientBalance.client_status(), 402);
        assert_eq!(Reason::ModelNotFound.client_status(), 404);
        assert_eq!(Reason::Overloaded.client_status(), 503);
        assert_eq!(ErrorKind::Transient.client_status(), 502);
    }
}
