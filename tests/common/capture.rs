//! A `tracing` subscriber that keeps every event, for counting errnorm's own
//! classification events.
//!
//! It is the process's global subscriber, and each test reads the events of its own
//! thread. A scoped subscriber per test (`set_default`) is not reliable when tests run
//! in parallel: tracing caches per call site whether anyone listens, computed from the
//! thread that first hits it when only one subscriber is registered, so a test thread
//! without a subscriber can make a call site silent for the test that has one.

#![allow(dead_code)]

use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// An event's target and fields (`name=value`, the message as `message`).
pub type Captured = (String, Vec<(String, String)>);

/// Every event of the process, with the thread it came from.
#[derive(Clone, Default)]
struct Global(Arc<Mutex<Vec<(ThreadId, Captured)>>>);

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

impl Subscriber for Global {
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
        let e = (event.metadata().target().to_string(), f.0);
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((std::thread::current().id(), e));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

static GLOBAL: OnceLock<Global> = OnceLock::new();

/// This thread's events from the moment [`install`] was called.
pub struct Capture {
    thread: ThreadId,
    from: usize,
}

/// Starts capturing this thread's events (installing the global subscriber on first
/// use). Call it before anything that classifies.
pub fn install() -> Capture {
    let g = GLOBAL.get_or_init(|| {
        let g = Global::default();
        tracing::subscriber::set_global_default(g.clone())
            .expect("no other global subscriber in the tests");
        g
    });
    let from = g.0.lock().unwrap_or_else(|p| p.into_inner()).len();
    Capture {
        thread: std::thread::current().id(),
        from,
    }
}

/// The events `f` makes on this thread.
pub fn during(f: impl FnOnce()) -> Vec<Captured> {
    let cap = install();
    f();
    cap.events()
}

impl Capture {
    /// This thread's events so far.
    pub fn events(&self) -> Vec<Captured> {
        let g = GLOBAL.get().expect("installed");
        let all = g.0.lock().unwrap_or_else(|p| p.into_inner());
        all.iter()
            .skip(self.from)
            .filter(|(t, _)| *t == self.thread)
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// How many of errnorm's events carry one of these messages.
    pub fn count(&self, messages: &[&str]) -> usize {
        self.events()
            .iter()
            .filter(|(target, f)| {
                target == "errnorm" && field(f, "message").is_some_and(|m| messages.contains(&m))
            })
            .count()
    }
}

/// A field's value.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
