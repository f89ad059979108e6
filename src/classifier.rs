//! One configured value behind every entry point: runtime rules, a provider hint,
//! advice limits, the retry policy and client options.

use std::fmt;
use std::sync::Arc;

use http::{HeaderMap, StatusCode};

use crate::act::advice::{Advice, AdviceOptions, Facts, RetryPolicy};
use crate::act::client::{ClientError, ClientOptions};
use crate::stream::StreamClassifier;
use crate::{ApiError, Provider, Rules, Verdict};

#[derive(Clone, Default)]
struct Config {
    rules: Option<Arc<Rules>>,
    provider: Option<Provider>,
    advice: AdviceOptions,
    retry: RetryPolicy,
    client: ClientOptions,
}

/// A configured classifier: cheap to clone (one `Arc`), `Send + Sync`, and the same
/// configuration for every entry point a gateway uses (bodies, streams, transport
/// failures, advice, retries, client errors). The free functions
/// [`classify`](crate::classify) and [`classify_as`](crate::classify_as) are shortcuts
/// for [`Classifier::shared`].
///
/// Reloading rules means building a new `Classifier` and swapping it in (an
/// `ArcSwap`, a `RwLock`); the old one, its rules included, is freed when the last
/// clone is dropped.
///
/// ```
/// use errnorm::{Action, Classifier, Rules, client::ClientOptions};
/// use http::{HeaderMap, StatusCode};
///
/// let mut rules = Rules::new();
/// rules.add("minimax.tsv", "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n2064\tbase_resp.status_code\t-\ttransient\toverloaded\texact\t-\tcluster busy\tops runbook\t-\n").unwrap();
/// let c = Classifier::new()
///     .with_rules(rules)
///     .with_client(ClientOptions::default().with_own_credentials());
///
/// let body = br#"{"base_resp":{"status_code":2064,"status_msg":"busy"}}"#;
/// let v = c.classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
/// assert_eq!(v.rule().id(), "minimax:2064");
/// let e = v.into_error();
/// assert_eq!(c.advice(&e), e.advice());
/// assert_eq!(c.client_error(&e).status, 503);
/// ```
#[derive(Clone, Default)]
pub struct Classifier {
    config: Arc<Config>,
}

impl fmt::Debug for Classifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Classifier")
            .field("rules", &self.config.rules)
            .field("provider", &self.config.provider)
            .field("advice", &self.config.advice)
            .field("retry", &self.config.retry)
            .field("client", &self.config.client)
            .finish()
    }
}

impl Classifier {
    /// The built-in tables, no hint, default limits.
    pub fn new() -> Classifier {
        crate::decide::prepare();
        Classifier::default()
    }

    /// The shared default classifier (the built-in tables, no hint, default limits),
    /// which the free [`classify`](crate::classify) and
    /// [`classify_as`](crate::classify_as) stand for: a verdict from it borrows only
    /// the body, never a temporary classifier.
    ///
    /// ```
    /// use errnorm::{Classifier, ErrorKind};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let v = Classifier::shared()
    ///     .classify(StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"")
    ///     .unwrap();
    /// assert_eq!(v.kind(), ErrorKind::Auth);
    /// ```
    pub fn shared() -> &'static Classifier {
        static SHARED: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
        SHARED.get_or_init(Classifier::new)
    }

    fn edit(mut self, f: impl FnOnce(&mut Config)) -> Classifier {
        f(Arc::make_mut(&mut self.config));
        self
    }

    /// Reads these runtime rules before the built-in tables. Their phrase matcher is
    /// built here, so that no request pays for it.
    pub fn with_rules(self, rules: Rules) -> Classifier {
        rules.prepare();
        self.edit(|c| c.rules = Some(Arc::new(rules)))
    }

    /// Every response comes from this provider (as [`classify_as`](crate::classify_as)).
    pub fn with_provider(self, provider: Provider) -> Classifier {
        self.edit(|c| c.provider = Some(provider))
    }

    /// Advice within these limits.
    pub fn with_advice(self, advice: AdviceOptions) -> Classifier {
        self.edit(|c| c.advice = advice)
    }

    /// Retry delays by this policy.
    pub fn with_retry(self, retry: RetryPolicy) -> Classifier {
        self.edit(|c| c.retry = retry)
    }

    /// Client errors rendered with these options.
    pub fn with_client(self, client: ClientOptions) -> Classifier {
        self.edit(|c| c.client = client)
    }

    /// Classifies a response (see [`classify`](crate::classify)); the verdict borrows
    /// the body and this classifier's rules.
    pub fn classify<'a>(
        &'a self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &'a [u8],
    ) -> Option<Verdict<'a>> {
        crate::pipeline::run(
            self.config.rules.as_deref(),
            self.config.provider,
            status,
            headers,
            body,
        )
    }

    /// Classifies a response from a known provider (see
    /// [`classify_as`](crate::classify_as)), whatever this classifier's own hint.
    ///
    /// ```
    /// use errnorm::{Classifier, Provider};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// // A new-api gateway's free text, as the gateway's table reads it.
    /// let body = r#"{"error":{"message":"当前分组上游负载已饱和，请稍后再试","type":"new_api_error"}}"#.as_bytes();
    /// let c = Classifier::new();
    /// let v = c
    ///     .classify_as(Provider::Gateway, StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), body)
    ///     .unwrap();
    /// assert_eq!(v.provider(), Some(Provider::Gateway));
    /// ```
    pub fn classify_as<'a>(
        &'a self,
        provider: Provider,
        status: StatusCode,
        headers: &HeaderMap,
        body: &'a [u8],
    ) -> Option<Verdict<'a>> {
        crate::pipeline::run(
            self.config.rules.as_deref(),
            Some(provider),
            status,
            headers,
            body,
        )
    }

    /// The error in the first bytes of a body cut at a cap (see
    /// `pipeline::run_prefix`), with this configuration.
    #[cfg(feature = "http-body")]
    pub(crate) fn classify_prefix_error(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        prefix: &[u8],
    ) -> Option<ApiError> {
        crate::pipeline::run_prefix(
            self.config.rules.as_deref(),
            self.config.provider,
            status,
            headers,
            prefix,
        )
        .map(ApiError::from)
    }

    /// A classifier for a stream that came with this status and these headers, with
    /// this configuration (rules, hint): feed it the bytes as they arrive; the delay
    /// headers reach the error.
    ///
    /// ```
    /// use errnorm::{Classifier, Provider};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let mut h = HeaderMap::new();
    /// h.insert("retry-after", "3".parse().unwrap());
    /// let c = Classifier::new().with_provider(Provider::Minimax);
    /// let mut s = c.stream(StatusCode::OK, h);
    /// let e = s.feed(b"data: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}\n\n").unwrap();
    /// assert_eq!(e.error().retry_after(), Some(std::time::Duration::from_secs(3)));
    /// ```
    pub fn stream(&self, status: StatusCode, headers: HeaderMap) -> StreamClassifier {
        StreamClassifier::new(
            status,
            headers,
            self.config.rules.clone(),
            self.config.provider,
        )
    }

    /// A failure with no response to read (a refused or reset connection, a timeout, a
    /// body broken off), as any HTTP client surfaces it: an `std::io::Error`, a
    /// `reqwest::Error` (feature `reqwest`), or any error whose chain of sources holds
    /// one, the chain walked once. A refused or unreachable connection fails over, a
    /// timeout retries after a backoff, a reset or a body cut off fails over (the
    /// endpoint, not the request, is at fault).
    ///
    /// ```
    /// use errnorm::{Action, Classifier, Reason};
    /// use std::io;
    ///
    /// let c = Classifier::shared();
    /// let e = c.transport(&io::Error::from(io::ErrorKind::ConnectionRefused));
    /// assert_eq!(e.reason(), Reason::UpstreamUnavailable);
    /// assert_eq!(e.advice().action, Action::Failover);
    /// let t = c.transport(&io::Error::from(io::ErrorKind::TimedOut));
    /// assert_eq!(t.reason(), Reason::Timeout);
    /// assert_eq!(t.advice().action, Action::Retry);
    /// ```
    pub fn transport(&self, err: &(dyn std::error::Error + 'static)) -> ApiError {
        let e = crate::act::transport::error(err);
        #[cfg(feature = "tracing")]
        crate::integrations::trace::transport(&e);
        #[cfg(feature = "metrics")]
        crate::integrations::metrics::transport(&e);
        e
    }

    /// The advice for an error (a [`Verdict`] or an [`ApiError`]), within this
    /// classifier's limits.
    pub fn advice(&self, e: impl Into<Facts>) -> Advice {
        crate::act::advice::advise(e.into(), &self.config.advice)
    }

    /// The delay before retry `attempt` (0 for the first) of an error (a [`Verdict`] or
    /// an [`ApiError`]) by this classifier's retry policy, with the crate's own random
    /// source for the jitter, or `None`: `Some` exactly when
    /// [`advice`](Classifier::advice) says [`Action::Retry`](crate::Action::Retry) and
    /// the budget is not spent, so the two never disagree. The server's delay is a
    /// floor; no delay passes the advice's `max_wait`.
    ///
    /// The random source is a splitmix64 sequence over a shared counter, seeded from
    /// the clock: enough to spread retries apart (not for anything secret), so that a
    /// gateway needs no random crate for it.
    pub fn next_delay(&self, e: impl Into<Facts>, attempt: u32) -> Option<std::time::Duration> {
        self.next_delay_with(e, attempt, &mut unit_random)
    }

    /// [`Classifier::next_delay`] with the caller's random source (numbers in [0, 1)),
    /// for a deterministic schedule.
    pub fn next_delay_with(
        &self,
        e: impl Into<Facts>,
        attempt: u32,
        random: &mut impl FnMut() -> f64,
    ) -> Option<std::time::Duration> {
        self.config
            .retry
            .delay(e.into(), attempt, random, &self.config.advice)
    }

    /// The error to hand the gateway's own client, with this classifier's options.
    pub fn client_error(&self, e: &ApiError) -> ClientError {
        e.client_error(&self.config.client)
    }

    /// The runtime rules, if any.
    pub fn rules(&self) -> Option<&Rules> {
        self.config.rules.as_deref()
    }
}

/// A number in [0, 1): splitmix64 over a counter every thread shares, seeded from the
/// clock at its first use.
pub(crate) fn unit_random() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.fetch_add(GOLDEN, Ordering::Relaxed);
    if x == 0 {
        // The first draw: a seed from the clock, so that processes do not retry in step.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(GOLDEN, |d| u64::from(d.subsec_nanos()) | 1);
        let _ = STATE.compare_exchange(
            GOLDEN,
            seed.wrapping_add(GOLDEN),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        x = seed;
    }
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_classifier_is_send_sync_and_one_pointer() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Classifier>();
        assert_eq!(
            std::mem::size_of::<Classifier>(),
            std::mem::size_of::<usize>()
        );
    }

    /// A classifier whose runtime rules add MiniMax's code 2064 (an operator's row).
    fn with_2064() -> Classifier {
        let mut rules = Rules::new();
        rules
            .add(
                "minimax.tsv",
                "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n2064\tbase_resp.status_code\t-\ttransient\toverloaded\texact\t-\tbusy\tops\t-\n",
            )
            .unwrap();
        Classifier::new().with_rules(rules)
    }

    #[test]
    fn the_rules_reach_a_hint_of_the_call() {
        let c = with_2064();
        let body = br#"{"base_resp":{"status_code":2064,"status_msg":"busy"}}"#.to_vec();
        assert_eq!(
            c.classify(StatusCode::OK, &HeaderMap::new(), &body)
                .unwrap()
                .rule()
                .id(),
            "minimax:2064"
        );
        let v = c
            .classify_as(Provider::Minimax, StatusCode::OK, &HeaderMap::new(), &body)
            .unwrap();
        assert_eq!(v.rule().id(), "minimax:2064");
        assert!(!v.provider_detected());
    }

    #[test]
    fn rules_given_to_a_classifier_are_ready_before_the_first_request() {
        let mut rules = Rules::new();
        rules
            .add(
                "phrases.tsv",
                "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\nour cluster is draining\tmessage\t-\ttransient\toverloaded\texact\ten\t-\tops runbook\t-\n",
            )
            .unwrap();
        assert!(!rules.is_prepared());
        let c = Classifier::new().with_rules(rules);
        assert!(c.rules().is_some_and(Rules::is_prepared));
    }

    #[test]
    fn the_hint_and_the_rules_reach_streams() {
        let c = with_2064();
        let mut s = c.stream(StatusCode::OK, HeaderMap::new());
        let e = s
            .feed(b"data: {\"base_resp\":{\"status_code\":2064,\"status_msg\":\"busy\"}}\n\n")
            .unwrap();
        assert_eq!(e.error().rule_id(), "minimax:2064");
        // Without the rules the code is unknown: its words decide ("busy").
        let mut plain = Classifier::new().stream(StatusCode::OK, HeaderMap::new());
        let e = plain
            .feed(b"data: {\"base_resp\":{\"status_code\":2064,\"status_msg\":\"busy\"}}\n\n")
            .unwrap();
        assert_eq!(e.error().rule_id(), "cue:busy");
        // Without rules and words, the default decides.
        let mut plain = Classifier::new().stream(StatusCode::OK, HeaderMap::new());
        let e = plain
            .feed(b"data: {\"base_resp\":{\"status_code\":2064,\"status_msg\":\"x\"}}\n\n")
            .unwrap();
        assert_eq!(e.error().rule_id(), "default");
    }

    #[test]
    fn the_crate_s_random_source_spreads_over_the_unit_interval_and_drives_next_delay() {
        let draws: Vec<f64> = (0..1000).map(|_| unit_random()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let low = draws.iter().filter(|x| **x < 0.5).count();
        assert!((350..650).contains(&low), "{low} of 1000 under 0.5");
        let c = Classifier::new();
        let busy = crate::classify(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            &http::HeaderMap::new(),
            b"",
        )
        .unwrap()
        .into_error();
        // A transient failure the advice retries gets a delay; a balance never does.
        let d = c.next_delay(&busy, 0);
        // The policy's first step (1 s) plus at most its jitter (1 s).
        assert!(
            d.is_some_and(|d| d >= std::time::Duration::from_secs(1)
                && d <= std::time::Duration::from_secs(2)),
            "{d:?}"
        );
        let broke = crate::classify(
            http::StatusCode::OK,
            &http::HeaderMap::new(),
            br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
        )
        .unwrap()
        .into_error();
        assert_eq!(c.next_delay(&broke, 0), None);
    }
}
