//! Acting on a verdict: advice and retry policy, the error a gateway hands its own
//! client, cool-downs, and transport failures.

pub(crate) mod advice;
pub(crate) mod client;
pub(crate) mod cooldown;
pub(crate) mod transport;
