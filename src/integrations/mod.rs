//! Integrations with other crates, each behind its cargo feature.

#[cfg(feature = "http-body")]
pub(crate) mod body;
#[cfg(feature = "metrics")]
pub(crate) mod metrics;
#[cfg(feature = "tower")]
pub(crate) mod tower;
#[cfg(feature = "tracing")]
pub(crate) mod trace;
