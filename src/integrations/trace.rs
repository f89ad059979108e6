//! `tracing` events (feature `tracing`), all on the `errnorm` target, with the stable
//! ids as fields and never upstream text: a code or message from a body is the
//! upstream's to choose, and stays out of logs unless the caller redacts it.
//!
//! | event | level | fields |
//! | --- | --- | --- |
//! | `classified` | debug | `rule`, `kind`, `reason`, `error.type`, `provider`, `basis`, `status` |
//! | `transport` | debug | `rule`, `kind`, `reason`, `error.type`, `status` |
//!
//! `error.type` is the reason id again, under the attribute name OpenTelemetry's
//! semantic conventions give a failure's type (the crate's reason ids are the
//! documented list of values they ask instrumentations for).
//! | `retry` | info | `rule`, `attempt`, `delay_ms` |

use std::fmt;
use std::time::Duration;

use crate::verdict::Rule;
use crate::{ApiError, Verdict};

/// A rule's id, formatted only when a subscriber records it.
struct RuleId<'a, 'r>(&'a Rule<'r>);

impl fmt::Display for RuleId<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Rule::Status(s) => write!(f, "status:{}", s.as_u16()),
            r => f.write_str(&r.id()),
        }
    }
}

/// One response (or stream event) classified.
pub(crate) fn classified(v: &Verdict<'_>) {
    tracing::debug!(
        target: "errnorm",
        rule = %RuleId(&v.rule()),
        kind = v.kind().as_str(),
        reason = v.reason().as_str(),
        "error.type" = v.reason().as_str(),
        provider = v.provider_name().unwrap_or("unknown"),
        basis = v.basis().as_str(),
        status = v.status().as_u16(),
        "classified"
    );
}

/// A failure with no response to read.
pub(crate) fn transport(e: &ApiError) {
    tracing::debug!(
        target: "errnorm",
        rule = e.rule_id(),
        kind = e.kind().as_str(),
        reason = e.reason().as_str(),
        "error.type" = e.reason().as_str(),
        status = e.status().as_u16(),
        "transport"
    );
}

/// A retry a policy is about to make.
#[cfg_attr(not(feature = "tower"), allow(dead_code))]
pub(crate) fn retry(rule: &str, attempt: u32, delay: Duration) {
    tracing::info!(
        target: "errnorm",
        rule,
        attempt,
        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        "retry"
    );
}
