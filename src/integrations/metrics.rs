//! Metrics (feature `metrics`) on the `metrics` crate's facade, for whatever exporter
//! the application installs. Every label is one of the crate's own ids (a kind, a
//! reason, a provider id, an action), so their number is bounded by the crate, never by
//! upstream text; a provider only runtime rules know is `other`, none is `unknown`.
//!
//! | name | type | labels | when |
//! | --- | --- | --- | --- |
//! | `errnorm_classified_total` | counter | `kind`, `reason`, `provider`, `action` | a response (or stream event) classified as an error |
//! | `errnorm_advised_delay_seconds` | histogram | `kind`, `reason`, `provider` | the same, when its advice waits |
//! | `errnorm_transport_total` | counter | `reason`, `action` | a failure with no response |
//!
//! The action and the delay are the default advice's ([`AdviceOptions::default`]):
//! what the response asks for, before a caller's limits. Each handle is registered
//! with the recorder once, at its first use, and kept: a classification allocates
//! nothing for its metrics. Install the recorder before the first classification.
//!
//! [`AdviceOptions::default`]: crate::AdviceOptions

use std::sync::OnceLock;

use metrics::{Counter, Histogram};

use crate::{Action, ApiError, Provider, Reason, Verdict};

/// Provider label slots: every built-in provider, then `other`, then `unknown`.
const PROVIDERS: usize = Provider::COUNT + 2;
const REASONS: usize = Reason::COUNT;
const ACTIONS: usize = Action::COUNT;

static CLASSIFIED: [[[OnceLock<Counter>; ACTIONS]; PROVIDERS]; REASONS] =
    [const { [const { [const { OnceLock::new() }; ACTIONS] }; PROVIDERS] }; REASONS];
static DELAY: [[OnceLock<Histogram>; PROVIDERS]; REASONS] =
    [const { [const { OnceLock::new() }; PROVIDERS] }; REASONS];
static TRANSPORT: [[OnceLock<Counter>; ACTIONS]; REASONS] =
    [const { [const { OnceLock::new() }; ACTIONS] }; REASONS];

/// A verdict's provider label and its slot.
fn provider(v: &Verdict<'_>) -> (&'static str, usize) {
    match (v.provider(), v.provider_name()) {
        (Some(p), _) => (
            p.as_str(),
            Provider::ALL
                .iter()
                .position(|q| *q == p)
                .unwrap_or(PROVIDERS - 1),
        ),
        (None, Some(_)) => ("other", PROVIDERS - 2),
        (None, None) => ("unknown", PROVIDERS - 1),
    }
}

fn slot<T>(table: &[T], i: usize) -> Option<&T> {
    table.get(i)
}

/// One response (or stream event) classified as an error.
pub(crate) fn classified(v: &Verdict<'_>) {
    let advice = v.advice();
    let (p, pi) = provider(v);
    let (r, a) = (v.reason(), advice.action);
    let (kind, reason) = (r.kind().as_str(), r.as_str());
    let ai = Action::ALL.iter().position(|x| *x == a).unwrap_or(0);
    if let Some(c) = slot(&CLASSIFIED, r as usize)
        .and_then(|t| slot(t, pi))
        .and_then(|t| slot(t, ai))
    {
        c.get_or_init(|| {
            metrics::counter!(
                "errnorm_classified_total",
                "kind" => kind,
                "reason" => reason,
                "provider" => p,
                "action" => a.as_str()
            )
        })
        .increment(1);
    }
    if let Some(d) = advice.delay {
        if let Some(h) = slot(&DELAY, r as usize).and_then(|t| slot(t, pi)) {
            h.get_or_init(|| {
                metrics::histogram!(
                    "errnorm_advised_delay_seconds",
                    "kind" => kind,
                    "reason" => reason,
                    "provider" => p
                )
            })
            .record(d.as_secs_f64());
        }
    }
}

/// A failure with no response to read.
pub(crate) fn transport(e: &ApiError) {
    let (r, a) = (e.reason(), e.advice().action);
    let ai = Action::ALL.iter().position(|x| *x == a).unwrap_or(0);
    if let Some(c) = slot(&TRANSPORT, r as usize).and_then(|t| slot(t, ai)) {
        c.get_or_init(|| {
            metrics::counter!(
                "errnorm_transport_total",
                "reason" => r.as_str(),
                "action" => a.as_str()
            )
        })
        .increment(1);
    }
}
