//! A `tracing` subscriber that keeps every event, for counting errnorm's own
//! classification events.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every event, as its target and its fields (`name=value`, the message as `message`).
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<Captured>>>);

/// An event's target and fields.
pub type Captured = (String, Vec<(String, String)>);

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut f = Fields(Vec::new());
        event.record(&mut f);
        self.0
            .lock()
            .unwrap()
            .push((event.metadata().target().to_string(), f.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Captures this thread's events until the guard drops.
///
/// tracing caches per call site whether anyone listens, and a call site first hit by
/// another thread at the moment the process's first scoped subscriber is set can cache
/// "nobody" for good. So: every test of a binary that counts events calls this before
/// anything that classifies, and the cache is rebuilt once the subscriber is in.
pub fn install() -> (Capture, tracing::subscriber::DefaultGuard) {
    let cap = Capture::default();
    let guard = tracing::subscriber::set_default(cap.clone());
    tracing::callsite::rebuild_interest_cache();
    (cap, guard)
}

/// The events `f` makes on this thread (see [`install`]).
pub fn during(f: impl FnOnce()) -> Capture {
    let (cap, guard) = install();
    f();
    drop(guard);
    cap
}

impl Capture {
    /// How many of errnorm's events carry one of these messages.
    pub fn count(&self, messages: &[&str]) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(target, f)| {
                target == "errnorm" && field(f, "message").is_some_and(|m| messages.contains(&m))
            })
            .count()
    }
}
