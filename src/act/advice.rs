//! What a gateway does about a verdict: retry the same upstream, fail over, or answer
//! the client; and what happens to the upstream credential. Derived in one place, from
//! the kind, the reason and the headers, never stored beside table rows.

use std::time::Duration;

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::decide::tables::RetryHint;
use crate::{ErrorKind, Reason, Verdict};

/// What to do now.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send the same request to the same upstream again, after [`Advice::delay`].
    Retry,
    /// Send it to another key or another provider now.
    Failover,
    /// Hand the error to the client, with [`Advice::client_status`].
    Respond,
}

crate::taxonomy::ids!(Action {
    Retry => "retry",
    Failover => "failover",
    Respond => "respond",
});

/// What to do with the upstream credential (key, channel) that failed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// Nothing: the credential is fine.
    Keep,
    /// Do not use it for [`Advice::cool_down`]; it recovers by itself.
    CoolDown,
    /// Stop using it: it is invalid, suspended or not permitted.
    Disable,
    /// Stop using it and tell a person: billing or the account needs action.
    AlertBilling,
}

/// What a cool-down or a disable applies to.
///
/// ```
/// use errnorm::{classify, advice::Scope};
/// use http::{HeaderMap, StatusCode};
///
/// // Anthropic's 529: the endpoint is full, whatever key calls it.
/// let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
/// let v = classify(StatusCode::from_u16(529).unwrap(), &HeaderMap::new(), body).unwrap();
/// assert_eq!(v.advice().scope, Scope::Endpoint);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The credential (API key, account, channel): auth, quota and rate limits.
    Key,
    /// The upstream endpoint, whatever key calls it: it fails, times out or is full.
    Endpoint,
    /// The model at this upstream: it does not exist or is not served here.
    Model,
}

impl Scope {
    /// The name of what this scope cools down, for [`Cooldowns`](crate::advice::Cooldowns):
    /// `key:<endpoint>/<key>`, `endpoint:<endpoint>` or `model:<endpoint>/<model>`.
    /// `key` is the gateway's own name for the credential (an id, never the secret).
    ///
    /// ```
    /// use errnorm::advice::Scope;
    /// assert_eq!(Scope::Key.name("openai-eu", "team-a", "gpt-4o"), "key:openai-eu/team-a");
    /// assert_eq!(Scope::Endpoint.name("openai-eu", "team-a", "gpt-4o"), "endpoint:openai-eu");
    /// assert_eq!(Scope::Model.name("openai-eu", "team-a", "gpt-4o"), "model:openai-eu/gpt-4o");
    /// ```
    pub fn name(self, endpoint: &str, key: &str, model: &str) -> String {
        match self {
            Scope::Key => format!("key:{endpoint}/{key}"),
            Scope::Endpoint => format!("endpoint:{endpoint}"),
            Scope::Model => format!("model:{endpoint}/{model}"),
        }
    }
}

impl Scope {
    /// The scope of a reason.
    pub fn of(reason: Reason) -> Scope {
        match reason.kind() {
            ErrorKind::Transient => Scope::Endpoint,
            _ if reason == Reason::ModelNotFound => Scope::Model,
            _ => Scope::Key,
        }
    }
}

/// The advice for one verdict (see [`Verdict::advice`]).
///
/// ```
/// use errnorm::{classify, Action, advice::{Credential, Scope}};
/// use http::{HeaderMap, StatusCode};
/// use std::time::Duration;
///
/// // OpenAI's 429 with a short Retry-After: wait on the same key.
/// let mut h = HeaderMap::new();
/// h.insert("retry-after", "2".parse().unwrap());
/// let body = br#"{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}"#;
/// let a = classify(StatusCode::TOO_MANY_REQUESTS, &h, body).unwrap().advice();
/// assert_eq!((a.action, a.delay), (Action::Retry, Some(Duration::from_secs(2))));
/// assert_eq!((a.credential, a.scope), (Credential::Keep, Scope::Key));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    /// What to do now.
    pub action: Action,
    /// For [`Action::Retry`]: how long to wait first (the server's delay, or the first
    /// backoff step).
    #[serde(with = "opt_ms", rename = "delay_ms")]
    pub delay: Option<Duration>,
    /// The status to answer the client with, should the error reach it.
    #[serde(with = "status_u16")]
    pub client_status: StatusCode,
    /// What to do with the upstream credential.
    pub credential: Credential,
    /// For [`Credential::CoolDown`]: for how long.
    #[serde(with = "opt_ms", rename = "cool_down_ms")]
    pub cool_down: Option<Duration>,
    /// What the credential advice applies to: a 502 or 529 cools the endpoint down,
    /// not the key; an unknown model is the model's.
    pub scope: Scope,
}

/// The caller's limits on advice.
///
/// ```
/// use errnorm::{advice::AdviceOptions, classify, Action, Classifier, Reason};
/// use http::{HeaderMap, StatusCode};
/// use std::time::Duration;
///
/// let mut h = HeaderMap::new();
/// h.insert("retry-after", "30".parse().unwrap());
/// let v = classify(StatusCode::TOO_MANY_REQUESTS, &h, b"").unwrap();
/// // By default 30 s is too long to wait (max_wait is 10 s): fail over.
/// assert_eq!(v.advice().action, Action::Failover);
/// let patient = Classifier::new().with_advice(AdviceOptions::default().with_max_wait(Duration::from_secs(60)));
/// assert_eq!(patient.advice(&v).action, Action::Retry);
/// // A context-window fallback: send context_length_exceeded to a larger model.
/// let fallback = AdviceOptions::default().with_action(Reason::ContextLengthExceeded, Action::Failover);
/// # let _ = fallback;
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdviceOptions {
    /// Per-reason actions that replace the table's (see [`AdviceOptions::with_action`]
    /// and [`AdviceOptions::action_for`]); private, so that a new reason breaks no user.
    overrides: [Option<Action>; Reason::COUNT],
    /// The longest server delay worth waiting for on the same upstream; past it, fail
    /// over instead (and cool the credential down for the delay).
    pub max_wait: Duration,
    /// The cap on any delay taken from headers.
    pub max_delay: Duration,
    /// The first backoff step for transient errors, when the server gives no delay.
    pub base_backoff: Duration,
    /// How long to cool a rate-limited credential down when the server gives no delay.
    pub default_cool_down: Duration,
}

impl Default for AdviceOptions {
    fn default() -> AdviceOptions {
        AdviceOptions {
            overrides: [None; Reason::COUNT],
            max_wait: Duration::from_secs(10),
            max_delay: Duration::from_secs(24 * 60 * 60),
            base_backoff: Duration::from_secs(1),
            default_cool_down: Duration::from_secs(60),
        }
    }
}

impl AdviceOptions {
    /// The same options with another longest wait before a retry.
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = errnorm::advice::AdviceOptions::default().with_max_wait(Duration::from_secs(2));
    /// assert_eq!(o.max_wait, Duration::from_secs(2));
    /// ```
    pub fn with_max_wait(mut self, d: Duration) -> AdviceOptions {
        self.max_wait = d;
        self
    }

    /// The same options, with `action` for `reason` whatever the table says: a
    /// context-window or content-policy fallback (fail over `context_length_exceeded`
    /// to a model with a larger window, `input_flagged` to a provider that judges
    /// differently), or keeping an error from ever being retried.
    ///
    /// ```
    /// use errnorm::{Action, Reason, advice::AdviceOptions};
    /// let o = AdviceOptions::default().with_action(Reason::ContextLengthExceeded, Action::Failover);
    /// assert_eq!(o.action_for(Reason::ContextLengthExceeded), Some(Action::Failover));
    /// assert_eq!(o.action_for(Reason::InvalidKey), None);
    /// ```
    pub fn with_action(mut self, reason: Reason, action: Action) -> AdviceOptions {
        if let Some(slot) = self.overrides.get_mut(reason as usize) {
            *slot = Some(action);
        }
        self
    }

    /// The action given for `reason` with [`AdviceOptions::with_action`], if any.
    pub fn action_for(&self, reason: Reason) -> Option<Action> {
        self.overrides.get(reason as usize).copied().flatten()
    }

    /// The same options with another cap on any server delay.
    pub fn with_max_delay(mut self, d: Duration) -> AdviceOptions {
        self.max_delay = d;
        self
    }

    /// The same options with another first backoff.
    pub fn with_base_backoff(mut self, d: Duration) -> AdviceOptions {
        self.base_backoff = d;
        self
    }

    /// The same options with another cool-down when the server gives no delay.
    pub fn with_default_cool_down(mut self, d: Duration) -> AdviceOptions {
        self.default_cool_down = d;
        self
    }
}

/// What an error says about retrying it, and all that the advice and the retry delays
/// read: its reason, the server's delay and whether the provider's table documents
/// retrying its code. Both forms of an error give it (`From<&Verdict>`,
/// `From<&ApiError>`), so that [`Classifier::advice`](crate::Classifier::advice) and
/// [`Classifier::next_delay`](crate::Classifier::next_delay) take either and answer the
/// same for both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    reason: Reason,
    retry_after: Option<Duration>,
    hint: Option<RetryHint>,
}

impl Facts {
    /// The error's reason.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The server's delay, capped (see [`Verdict::retry_after`]).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl From<&Verdict<'_>> for Facts {
    fn from(v: &Verdict<'_>) -> Facts {
        Facts {
            reason: v.reason(),
            retry_after: v.retry_after(),
            hint: v.retry_hint(),
        }
    }
}

impl From<&crate::ApiError> for Facts {
    fn from(e: &crate::ApiError) -> Facts {
        Facts {
            reason: e.reason(),
            retry_after: e.retry_after(),
            hint: e.retry_hint(),
        }
    }
}

impl Verdict<'_> {
    /// What a gateway should do about this error, with [`AdviceOptions::default`] (a
    /// [`Classifier`](crate::Classifier) advises within its own limits). The server's
    /// delay is [`Verdict::retry_after`]: the longest binding one of every delay
    /// header (see [`retry_after`](crate::advice::retry_after)), capped at
    /// [`AdviceOptions::max_delay`].
    pub fn advice(&self) -> Advice {
        advise(Facts::from(self), &AdviceOptions::default())
    }
}

/// The advice on an error's facts: the decision table, then one rule for every wait.
pub(crate) fn advise(f: Facts, opts: &AdviceOptions) -> Advice {
    let reason = f.reason;
    let documented_retry = f.hint.is_some_and(|h| h.retry());
    let delay = f.retry_after.map(|d| d.min(opts.max_delay));
    let mut a = decide(reason, delay, opts);
    // The caller's per-reason action replaces the table's.
    if let Some(action) = opts.overrides.get(reason as usize).copied().flatten() {
        a.action = action;
        a.delay = match action {
            Action::Retry => Some(delay.unwrap_or(opts.base_backoff)),
            _ => None,
        };
    }
    // A rate limit with no delay that the provider's own table says to retry (MiniMax's
    // per-code retry hints): retry after the base backoff instead of failing over.
    if documented_retry
        && a.action == Action::Failover
        && delay.is_none()
        && reason.kind() == ErrorKind::RateLimit
    {
        a = Advice {
            action: Action::Retry,
            delay: Some(opts.base_backoff),
            credential: Credential::Keep,
            cool_down: None,
            ..a
        };
    }
    // One rule for every wait: nothing waits longer than `max_wait`. A longer delay,
    // whoever asks for it, means fail over and cool this upstream down for that long.
    if a.action == Action::Retry && a.delay.is_some_and(|d| d > opts.max_wait) {
        a = Advice {
            action: Action::Failover,
            delay: None,
            credential: Credential::CoolDown,
            cool_down: a.delay,
            ..a
        };
    }
    a
}

/// The decision table (README "Advice"), from the reason and the server's delay.
pub(crate) fn decide(reason: Reason, delay: Option<Duration>, opts: &AdviceOptions) -> Advice {
    use Reason::*;
    let client_status = reason.client_status();
    let advice = |action, delay, credential, cool_down| Advice {
        action,
        delay,
        client_status,
        credential,
        cool_down,
        scope: Scope::of(reason),
    };
    match reason {
        // Another credential may succeed; this one will not.
        InvalidKey | MissingKey => advice(Action::Failover, None, Credential::Disable, None),
        AccountSuspended => advice(Action::Failover, None, Credential::AlertBilling, None),
        PermissionDenied | IpNotAllowed | VerificationRequired => {
            advice(Action::Failover, None, Credential::Disable, None)
        }
        // Money or a plan: never retry until billing changes.
        InsufficientBalance | PlanLimit => {
            advice(Action::Failover, None, Credential::AlertBilling, None)
        }
        // A long window: it ends by itself, later.
        UsageWindowExhausted => advice(
            Action::Failover,
            None,
            Credential::CoolDown,
            Some(delay.unwrap_or(opts.default_cool_down)),
        ),
        // A short window: wait for it if it is short enough, else go elsewhere.
        RequestsPerTime | TokensPerTime | Concurrency | GrowthLimit => match delay {
            Some(d) if d <= opts.max_wait => advice(Action::Retry, Some(d), Credential::Keep, None),
            Some(d) => advice(Action::Failover, None, Credential::CoolDown, Some(d)),
            None => advice(
                Action::Failover,
                None,
                Credential::CoolDown,
                Some(opts.default_cool_down),
            ),
        },
        // The request itself is wrong, for everyone.
        InputFlagged
        | OutputFlagged
        | InvalidParams
        | ContextLengthExceeded
        | NotFound
        | UnsupportedParameter
        | Conflict => advice(Action::Respond, None, Credential::Keep, None),
        // Another provider may serve the model.
        ModelNotFound => advice(Action::Failover, None, Credential::Keep, None),
        // The provider failed: back off and retry, or go elsewhere when it says it is
        // full or cannot be reached.
        Timeout | ServerError => advice(
            Action::Retry,
            Some(delay.unwrap_or(opts.base_backoff)),
            Credential::Keep,
            None,
        ),
        Overloaded | UpstreamUnavailable => match delay {
            Some(d) if d <= opts.max_wait => advice(Action::Retry, Some(d), Credential::Keep, None),
            _ => advice(
                Action::Failover,
                None,
                Credential::CoolDown,
                Some(delay.unwrap_or(opts.base_backoff)),
            ),
        },
    }
}

/// How a gateway retries: exponential backoff with jitter, capped, honouring the
/// server's delay, with MiniMax's per-code budgets where its tables have them.
///
/// ```
/// use errnorm::{advice::RetryPolicy, Classifier};
/// use std::time::Duration;
///
/// let p = RetryPolicy::default()
///     .with_backoff(Duration::from_millis(100), 2.0, Duration::from_secs(5))
///     .with_jitter(Duration::ZERO)
///     .with_max_retries(2);
/// let c = Classifier::new().with_retry(p);
/// let timeout = c.transport(&std::io::Error::from(std::io::ErrorKind::TimedOut));
/// let mut rng = || 0.0;
/// assert_eq!(c.next_delay_with(&timeout, 0, &mut rng), Some(Duration::from_millis(100)));
/// assert_eq!(c.next_delay_with(&timeout, 1, &mut rng), Some(Duration::from_millis(200)));
/// assert_eq!(c.next_delay_with(&timeout, 2, &mut rng), None); // budget spent
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries at most (the first attempt not counted), unless the provider's table
    /// gives a budget for the code.
    pub max_retries: u32,
    /// The delay before the first retry.
    pub base: Duration,
    /// The growth factor per retry, unless the provider's table gives one.
    pub factor: f64,
    /// The cap on any one delay (MiMo documents `min(2^attempt + jitter, 60 s)`).
    pub cap: Duration,
    /// Random jitter added to each delay, up to this much.
    pub jitter: Duration,
}

impl Default for RetryPolicy {
    /// MiMo's documented policy: 2^attempt seconds plus up to a second of jitter, at
    /// most 60 s, 5 tries.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 4,
            base: Duration::from_secs(1),
            factor: 2.0,
            cap: Duration::from_secs(60),
            jitter: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// The same policy with another retry budget.
    pub fn with_max_retries(mut self, n: u32) -> RetryPolicy {
        self.max_retries = n;
        self
    }

    /// The same policy with another first delay, growth factor and cap.
    pub fn with_backoff(mut self, base: Duration, factor: f64, cap: Duration) -> RetryPolicy {
        self.base = base;
        self.factor = factor;
        self.cap = cap;
        self
    }

    /// The same policy with another jitter bound.
    pub fn with_jitter(mut self, jitter: Duration) -> RetryPolicy {
        self.jitter = jitter;
        self
    }

    /// The delay before retry number `attempt` (0 for the first) of an error with
    /// these facts, under these advice limits: `Some` exactly when the advice under the
    /// same limits says [`Action::Retry`] and the budget (the provider's per-code one
    /// where its table gives it) is not spent, so that the advice and the delay never
    /// disagree. The policy's backoff with its jitter, at most its cap and the advice's
    /// `max_wait`; the server's delay is a floor.
    pub(crate) fn delay(
        &self,
        f: Facts,
        attempt: u32,
        random: &mut impl FnMut() -> f64,
        opts: &AdviceOptions,
    ) -> Option<Duration> {
        let advice = advise(f, opts);
        if advice.action != Action::Retry {
            return None;
        }
        let budget = f
            .hint
            .and_then(|h| h.max_retries)
            .map_or(self.max_retries, u32::from);
        if attempt >= budget {
            return None;
        }
        let factor = f
            .hint
            .and_then(|h| h.backoff)
            .map_or(self.factor, f64::from);
        let backoff =
            self.base.as_secs_f64() * factor.powi(i32::try_from(attempt).unwrap_or(i32::MAX));
        let jitter = self.jitter.as_secs_f64() * random().clamp(0.0, 1.0);
        // The policy's own wait, no longer than its cap nor than the advice's limit.
        let own = Duration::try_from_secs_f64(
            (backoff + jitter)
                .min(self.cap.as_secs_f64())
                .min(opts.max_wait.as_secs_f64()),
        )
        .ok()?;
        // The server's delay is a floor (the advice retries only within `max_wait`).
        let server = f
            .retry_after
            .map(|d| d.min(opts.max_delay).min(opts.max_wait));
        Some(server.map_or(own, |d| d.max(own)))
    }
}

mod opt_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}

mod status_u16 {
    use http::StatusCode;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(c: &StatusCode, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(c.as_u16())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<StatusCode, D::Error> {
        StatusCode::from_u16(u16::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// Advice on an owned error: the same answer as the verdict it came from.
impl crate::ApiError {
    /// What a gateway should do about this error, with the default limits; the same
    /// answer as [`Verdict::advice`] gives for the response it came from.
    ///
    /// ```
    /// use errnorm::{classify, Action};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let mut h = HeaderMap::new();
    /// h.insert("retry-after", "86400".parse().unwrap());
    /// let e = classify(StatusCode::INTERNAL_SERVER_ERROR, &h, b"").unwrap().into_error();
    /// // No advice waits a day: beyond max_wait, fail over and cool the upstream down.
    /// assert_eq!(e.advice().action, Action::Failover);
    /// ```
    pub fn advice(&self) -> Advice {
        advise(Facts::from(self), &AdviceOptions::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's decision table, row by row: (reason, delay, action, credential).
    #[test]
    fn every_row_of_the_decision_table() {
        use Action::*;
        use Credential::*;
        use Reason::*;
        let o = AdviceOptions::default();
        let short = Some(Duration::from_secs(2));
        let long = Some(Duration::from_secs(600));
        let rows: &[(Reason, Option<Duration>, Action, Credential)] = &[
            (InvalidKey, None, Failover, Disable),
            (MissingKey, None, Failover, Disable),
            (PermissionDenied, None, Failover, Disable),
            (IpNotAllowed, None, Failover, Disable),
            (VerificationRequired, None, Failover, Disable),
            (AccountSuspended, None, Failover, AlertBilling),
            (InsufficientBalance, None, Failover, AlertBilling),
            (PlanLimit, None, Failover, AlertBilling),
            (UsageWindowExhausted, None, Failover, CoolDown),
            (RequestsPerTime, short, Retry, Keep),
            (RequestsPerTime, long, Failover, CoolDown),
            (RequestsPerTime, None, Failover, CoolDown),
            (TokensPerTime, short, Retry, Keep),
            (Concurrency, None, Failover, CoolDown),
            (GrowthLimit, long, Failover, CoolDown),
            (InputFlagged, None, Respond, Keep),
            (OutputFlagged, None, Respond, Keep),
            (InvalidParams, None, Respond, Keep),
            (ContextLengthExceeded, None, Respond, Keep),
            (NotFound, None, Respond, Keep),
            (UnsupportedParameter, None, Respond, Keep),
            (Conflict, None, Respond, Keep),
            (ModelNotFound, None, Failover, Keep),
            (Timeout, None, Retry, Keep),
            (ServerError, short, Retry, Keep),
            (Overloaded, short, Retry, Keep),
            (Overloaded, None, Failover, CoolDown),
            (UpstreamUnavailable, long, Failover, CoolDown),
        ];
        for &(r, d, action, cred) in rows {
            let a = decide(r, d, &o);
            assert_eq!((a.action, a.credential), (action, cred), "{r} {d:?}");
            assert_eq!(a.client_status.as_u16(), r.client_status(), "{r}");
            assert_eq!(
                a.delay.is_some(),
                action == Retry,
                "{r}: a delay only to retry"
            );
            assert_eq!(a.cool_down.is_some(), cred == CoolDown, "{r}");
        }
        // Every reason has a row.
        for r in Reason::iter() {
            assert!(rows.iter().any(|row| row.0 == r), "{r} has no row");
        }
        // A server's delay is the retry delay, and the cool-down when too long to wait.
        assert_eq!(decide(RequestsPerTime, short, &o).delay, short);
        assert_eq!(decide(RequestsPerTime, long, &o).cool_down, long);
        assert_eq!(decide(Timeout, None, &o).delay, Some(o.base_backoff));
    }

    #[test]
    fn advice_is_never_retry_for_kinds_that_do_not_pass() {
        for r in Reason::iter() {
            for d in [None, Some(Duration::from_millis(1))] {
                let a = decide(r, d, &AdviceOptions::default());
                if !r.kind().is_retryable() {
                    assert_ne!(a.action, Action::Retry, "{r}");
                }
            }
        }
    }
}
