//! A `tower::retry::Policy` driven by errnorm's advice (feature `tower`).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http::Response;

use crate::{Action, AdviceOptions, Provider, RetryPolicy};

/// Retries a request on the same service when errnorm's advice is
/// [`Action::Retry`], after the delay [`RetryPolicy`] computes (the server's delay as a
/// floor, the provider's per-code budget). Quota, auth and validation errors, and rate
/// limits longer than [`AdviceOptions::max_wait`], are not retried: they are for a
/// failover layer above, or for the client. Transport errors are left alone.
///
/// The delay is a `tokio::time::sleep`, so the service must run on a tokio runtime.
///
/// ```
/// use errnorm::{AdvicePolicy, RetryPolicy};
/// use tower::retry::RetryLayer;
///
/// // Wrap any service whose responses are http::Response<B: AsRef<[u8]>>.
/// let layer = RetryLayer::new(AdvicePolicy::new(RetryPolicy::default(), 42));
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct AdvicePolicy {
    retry: RetryPolicy,
    advice: AdviceOptions,
    provider: Option<Provider>,
    attempts: u32,
    rng: u64,
}

impl AdvicePolicy {
    /// A policy with the given retry schedule; `seed` drives the jitter
    /// (xorshift), so that tests can fix it.
    pub fn new(retry: RetryPolicy, seed: u64) -> AdvicePolicy {
        AdvicePolicy {
            retry,
            advice: AdviceOptions::default(),
            provider: None,
            attempts: 0,
            rng: seed | 1,
        }
    }

    /// The upstream's provider, for [`classify_as`](crate::classify_as).
    pub fn with_provider(mut self, provider: Provider) -> AdvicePolicy {
        self.provider = Some(provider);
        self
    }

    /// Limits on the advice (the longest delay worth waiting for, ...).
    pub fn with_advice(mut self, advice: AdviceOptions) -> AdvicePolicy {
        self.advice = advice;
        self
    }

    fn random(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The delay before retrying `res`, or `None` not to retry.
    pub fn delay_for<B: AsRef<[u8]>>(&mut self, res: &Response<B>) -> Option<Duration> {
        let v = crate::decide::run(
            None,
            self.provider,
            res.status(),
            res.headers(),
            res.body().as_ref(),
        )?;
        if v.advice_with(&self.advice).action != Action::Retry {
            return None;
        }
        let attempt = self.attempts;
        let retry = self.retry;
        let mut rng = || self.random();
        let d = retry.next_delay(&v, attempt, &mut rng)?;
        self.attempts += 1;
        Some(d)
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
