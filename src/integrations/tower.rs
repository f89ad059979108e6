//! A `tower::retry::Policy` driven by errnorm's advice (feature `tower`).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http::Response;

use crate::act::advice::Facts;
use crate::Classifier;

/// Retries a request on the same service when a [`Classifier`]'s advice is
/// [`Action::Retry`](crate::Action::Retry), after the delay
/// [`Classifier::next_delay`] gives: the classifier's rules, provider hint, advice
/// limits and retry policy, and nothing of its own but the retry count and the
/// jitter's seed. Quota, auth and validation errors, and waits longer than
/// [`AdviceOptions::max_wait`](crate::advice::AdviceOptions::max_wait), are not
/// retried: they are for a failover layer above, or for the client. Transport errors
/// are left alone.
///
/// The delay is a `tokio::time::sleep`, so the service must run on a tokio runtime.
///
/// ```
/// use errnorm::{advice::AdvicePolicy, Classifier};
/// use tower::retry::RetryLayer;
///
/// // Wrap any service whose responses are http::Response<B: AsRef<[u8]>>.
/// let layer = RetryLayer::new(AdvicePolicy::new(Classifier::new()));
/// # let _ = layer;
/// ```
pub struct AdvicePolicy {
    classifier: Classifier,
    on_retry: Option<OnRetry>,
    attempts: u32,
    rng: u64,
}

/// The hook [`AdvicePolicy::with_on_retry`] sets.
type OnRetry = std::sync::Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// What [`AdvicePolicy::with_on_retry`]'s hook is told before each retry.
///
/// ```
/// use errnorm::{advice::AdvicePolicy, Classifier};
/// let policy = AdvicePolicy::new(Classifier::new())
///     .with_on_retry(|e| eprintln!("retry {} in {:?} ({})", e.attempt, e.delay, e.rule));
/// # let _ = policy;
/// ```
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct RetryEvent {
    /// The retry's number, 0 for the first.
    pub attempt: u32,
    /// How long the policy waits before it.
    pub delay: Duration,
    /// The stable id of the rule that classified the failed response.
    pub rule: String,
}

/// Clones start from the same seed mixed with a clone counter: tower clones the policy
/// for every request, and retries of different requests must not fire in lockstep.
impl Clone for AdvicePolicy {
    fn clone(&self) -> AdvicePolicy {
        use std::sync::atomic::{AtomicU64, Ordering};
        static CLONES: AtomicU64 = AtomicU64::new(0);
        let n = CLONES.fetch_add(1, Ordering::Relaxed);
        // splitmix64 of the seed and the clone's number.
        let mut z = self.rng ^ n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        AdvicePolicy {
            classifier: self.classifier.clone(),
            on_retry: self.on_retry.clone(),
            attempts: self.attempts,
            rng: z | 1,
        }
    }
}

impl std::fmt::Debug for AdvicePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvicePolicy")
            .field("classifier", &self.classifier)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl AdvicePolicy {
    /// A policy with this classifier's settings, its jitter seeded from the crate's
    /// random source.
    pub fn new(classifier: Classifier) -> AdvicePolicy {
        let seed = (crate::classifier::unit_random() * (1u64 << 53) as f64) as u64;
        AdvicePolicy {
            classifier,
            on_retry: None,
            attempts: 0,
            rng: seed | 1,
        }
    }

    /// The same policy with the jitter's seed fixed (xorshift), for a deterministic
    /// schedule in tests.
    pub fn with_seed(mut self, seed: u64) -> AdvicePolicy {
        self.rng = seed | 1;
        self
    }

    /// Calls `hook` before every retry (for logs and metrics), with the attempt, the
    /// delay and the rule that decided.
    pub fn with_on_retry(
        mut self,
        hook: impl Fn(&RetryEvent) + Send + Sync + 'static,
    ) -> AdvicePolicy {
        self.on_retry = Some(std::sync::Arc::new(hook));
        self
    }

    /// The next number in [0, 1) of the xorshift sequence in `rng`.
    fn random(rng: &mut u64) -> f64 {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        (*rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The delay before retrying `res`, or `None` not to retry.
    pub fn delay_for<B: AsRef<[u8]>>(&mut self, res: &Response<B>) -> Option<Duration> {
        let classifier = self.classifier.clone();
        let v = classifier.classify(res.status(), res.headers(), res.body().as_ref())?;
        self.decide(Facts::from(&v), &v.rule().id())
    }

    /// The classifier's delay for an error with these facts, counted and reported.
    fn decide(&mut self, f: Facts, rule: &str) -> Option<Duration> {
        let rng = &mut self.rng;
        let d = self
            .classifier
            .next_delay_with(f, self.attempts, &mut || Self::random(rng))?;
        self.retrying(rule, d);
        Some(d)
    }

    /// Counts a retry and tells the hook and the `tracing` subscriber.
    fn retrying(&mut self, rule: &str, delay: Duration) {
        let attempt = self.attempts;
        self.attempts += 1;
        #[cfg(feature = "tracing")]
        crate::integrations::trace::retry(rule, attempt, delay);
        if let Some(hook) = &self.on_retry {
            hook(&RetryEvent {
                attempt,
                delay,
                rule: rule.to_owned(),
            });
        }
    }

    /// The delay before retrying after `e` (an error classified already, by
    /// [`Classifier::relay`](crate::Classifier::relay) say), or `None` not to retry.
    pub fn delay_for_error(&mut self, e: &crate::ApiError) -> Option<Duration> {
        self.decide(Facts::from(e), e.rule_id())
    }
}

/// For a service whose responses went through
/// [`Classifier::relay`](crate::Classifier::relay) (feature `http-body` too): any
/// `http_body::Body`, its error read with a cap and classified once, its streams
/// untouched. A retry is decided on the error already classified.
///
/// ```
/// use errnorm::{advice::AdvicePolicy, Classifier};
/// use tower::{service_fn, ServiceBuilder, ServiceExt};
///
/// let classifier = Classifier::new();
/// let upstream = service_fn(|_req: ()| async {
///     // Your HTTP client here (hyper, reqwest through http::Response::from, ...).
///     Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(bytes::Bytes::new())))
/// });
/// let svc = ServiceBuilder::new()
///     .retry(AdvicePolicy::new(classifier.clone()))
///     .service(upstream.then(move |res| {
///         let c = classifier.clone();
///         async move { Ok::<_, std::convert::Infallible>(c.relay(res?).await) }
///     }));
/// # let _ = svc;
/// ```
#[cfg(feature = "http-body")]
#[cfg_attr(docsrs, doc(cfg(feature = "http-body")))]
impl<Req: Clone, B, E> tower::retry::Policy<Req, crate::integrations::body::Upstream<B>, E>
    for AdvicePolicy
{
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(
        &mut self,
        _req: &mut Req,
        result: &mut Result<crate::integrations::body::Upstream<B>, E>,
    ) -> Option<Self::Future> {
        let crate::integrations::body::Upstream::Error(r) = result.as_ref().ok()? else {
            return None;
        };
        let d = self.delay_for_error(&r.error)?;
        Some(Box::pin(tokio::time::sleep(d)))
    }

    fn clone_request(&mut self, req: &Req) -> Option<Req> {
        Some(req.clone())
    }
}

impl<Req: Clone, B: AsRef<[u8]>, E> tower::retry::Policy<Req, Response<B>, E> for AdvicePolicy {
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(
        &mut self,
        _req: &mut Req,
        result: &mut Result<Response<B>, E>,
    ) -> Option<Self::Future> {
        let d = self.delay_for(result.as_ref().ok()?)?;
        Some(Box::pin(tokio::time::sleep(d)))
    }

    fn clone_request(&mut self, req: &Req) -> Option<Req> {
        Some(req.clone())
    }
}
