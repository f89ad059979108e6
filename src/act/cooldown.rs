//! A small cool-down tracker: how many failures a key, endpoint or model may have before
//! it is rested, and until when.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::act::advice::{Action, Advice, Credential, Scope};

/// Tracks failures per key, endpoint or model (any string a gateway names them by) and
/// rests one after `allowed_failures` failures in a row that the advice says to cool
/// down, for the advice's cool-down (capped at `max_cool_down`). A disable or a billing
/// alert rests it until [`Cooldowns::clear`]. A success resets the count.
///
/// The caller passes the time, so the tracker is deterministic under test and needs no
/// clock of its own; it holds at most `capacity` names (the oldest rest ends first
/// when full), so a hostile stream of names cannot grow it without bound.
///
/// ```
/// use std::time::{Duration, Instant};
/// use errnorm::{classify, advice::Cooldowns};
/// use http::{HeaderMap, StatusCode};
///
/// let mut c = Cooldowns::new(2, Duration::from_secs(300), 10_000);
/// let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
/// let advice = classify(StatusCode::from_u16(529).unwrap(), &HeaderMap::new(), body).unwrap().advice();
/// let now = Instant::now();
/// c.record("anthropic-us-east", &advice, now);
/// assert!(!c.is_resting("anthropic-us-east", now)); // one failure is allowed
/// c.record("anthropic-us-east", &advice, now);
/// assert!(c.is_resting("anthropic-us-east", now));
/// ```
#[derive(Debug, Clone)]
pub struct Cooldowns {
    allowed_failures: u32,
    max_cool_down: Duration,
    capacity: usize,
    entries: HashMap<String, Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    /// `None`: not resting; `Some(None)`: resting until cleared.
    until: Option<Option<Instant>>,
}

impl Cooldowns {
    /// A tracker that rests a name after `allowed_failures` failures (at least one),
    /// for at most `max_cool_down`, and holds at most `capacity` names.
    pub fn new(allowed_failures: u32, max_cool_down: Duration, capacity: usize) -> Cooldowns {
        Cooldowns {
            allowed_failures: allowed_failures.max(1),
            max_cool_down,
            capacity: capacity.max(1),
            entries: HashMap::new(),
        }
    }

    /// Records what the advice says about `name`'s failure at `now`.
    pub fn record(&mut self, name: &str, advice: &Advice, now: Instant) {
        if advice.action == Action::Retry && advice.credential == Credential::Keep {
            return; // a retry on the same upstream is not a strike against it
        }
        let until = match advice.credential {
            Credential::Keep => return,
            Credential::CoolDown => Some(
                now + advice
                    .cool_down
                    .unwrap_or(self.max_cool_down)
                    .min(self.max_cool_down),
            ),
            Credential::Disable | Credential::AlertBilling => None,
        };
        if !self.entries.contains_key(name) && self.entries.len() >= self.capacity {
            self.evict(now);
        }
        let e = self.entries.entry(name.to_string()).or_insert(Entry {
            failures: 0,
            until: None,
        });
        e.failures = e.failures.saturating_add(1);
        if e.failures >= self.allowed_failures || until.is_none() {
            e.until = Some(until);
        }
    }

    /// Records a failure of a request to `endpoint` with `key` for `model` under the
    /// name of the scope the advice cools down ([`Scope::name`]): a key's rate limit
    /// rests that key at that endpoint, an outage the endpoint, an unknown model that
    /// model there.
    pub fn record_for(
        &mut self,
        (endpoint, key, model): (&str, &str, &str),
        advice: &Advice,
        now: Instant,
    ) {
        self.record(&advice.scope.name(endpoint, key, model), advice, now);
    }

    /// Whether a request to `endpoint` with `key` for `model` should wait: its key, the
    /// endpoint or the model there is resting.
    pub fn is_resting_for(&self, (endpoint, key, model): (&str, &str, &str), now: Instant) -> bool {
        [Scope::Key, Scope::Endpoint, Scope::Model]
            .into_iter()
            .any(|s| self.is_resting(&s.name(endpoint, key, model), now))
    }

    /// A request to `endpoint` with `key` for `model` succeeded: the failures of all
    /// three are forgotten.
    pub fn success_for(&mut self, (endpoint, key, model): (&str, &str, &str)) {
        for s in [Scope::Key, Scope::Endpoint, Scope::Model] {
            self.success(&s.name(endpoint, key, model));
        }
    }

    /// Whether `name` is resting at `now`.
    pub fn is_resting(&self, name: &str, now: Instant) -> bool {
        match self.entries.get(name).and_then(|e| e.until) {
            Some(None) => true,
            Some(Some(t)) => now < t,
            None => false,
        }
    }

    /// A success: `name`'s failures are forgotten.
    pub fn success(&mut self, name: &str) {
        self.entries.remove(name);
    }

    /// Ends a rest that only a person can end (a disabled key replaced, a bill paid).
    pub fn clear(&mut self, name: &str) {
        self.entries.remove(name);
    }

    /// Makes room: drops the names whose rest is over, else the one whose rest ends
    /// first.
    fn evict(&mut self, now: Instant) {
        self.entries.retain(|_, e| {
            matches!(e.until, Some(None)) || e.until.flatten().is_some_and(|t| t > now)
        });
        if self.entries.len() >= self.capacity {
            let first = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.until.flatten())
                .map(|(k, _)| k.clone());
            if let Some(k) = first {
                self.entries.remove(&k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::advice::Scope;
    use crate::Reason;
    use http::StatusCode;

    fn advice(credential: Credential, cool_down: Option<Duration>) -> Advice {
        Advice {
            action: Action::Failover,
            delay: None,
            client_status: StatusCode::BAD_GATEWAY,
            credential,
            cool_down,
            scope: Scope::of(Reason::Overloaded),
        }
    }

    #[test]
    fn rests_after_the_allowed_failures_for_the_cool_down_capped() {
        let mut c = Cooldowns::new(2, Duration::from_secs(60), 10);
        let t0 = Instant::now();
        let a = advice(Credential::CoolDown, Some(Duration::from_secs(3600)));
        c.record("k", &a, t0);
        assert!(!c.is_resting("k", t0));
        c.record("k", &a, t0);
        assert!(c.is_resting("k", t0 + Duration::from_secs(59)));
        assert!(
            !c.is_resting("k", t0 + Duration::from_secs(61)),
            "capped at 60 s"
        );
        c.success("k");
        assert!(!c.is_resting("k", t0));
    }

    #[test]
    fn a_disable_rests_until_cleared_and_capacity_holds() {
        let mut c = Cooldowns::new(3, Duration::from_secs(60), 2);
        let t0 = Instant::now();
        c.record("bad", &advice(Credential::Disable, None), t0);
        assert!(c.is_resting("bad", t0 + Duration::from_secs(86_400)));
        c.clear("bad");
        assert!(!c.is_resting("bad", t0));
        for i in 0..1000 {
            c.record(&format!("k{i}"), &advice(Credential::CoolDown, None), t0);
        }
        assert!(c.entries.len() <= 2);
    }

    #[test]
    fn a_request_rests_by_the_scope_its_advice_names_and_a_success_clears_all_three() {
        let now = Instant::now();
        let mut c = Cooldowns::new(1, Duration::from_secs(300), 100);
        let a = ("openai-eu", "team-a", "gpt-4o");
        // A key's rate limit rests that key at that endpoint, not another key there.
        let key_limit = Advice {
            scope: Scope::Key,
            ..advice(Credential::CoolDown, Some(Duration::from_secs(30)))
        };
        c.record_for(a, &key_limit, now);
        assert!(c.is_resting_for(a, now));
        assert!(!c.is_resting_for(("openai-eu", "team-b", "gpt-4o"), now));
        assert!(c.is_resting("key:openai-eu/team-a", now));
        // An outage rests the endpoint whatever the key or the model.
        let down = Advice {
            scope: Scope::Endpoint,
            ..advice(Credential::CoolDown, Some(Duration::from_secs(30)))
        };
        c.record_for(("openai-us", "team-a", "gpt-4o"), &down, now);
        assert!(c.is_resting_for(("openai-us", "team-z", "o3"), now));
        // A success forgets the failures of the key, the endpoint and the model.
        c.success_for(a);
        assert!(!c.is_resting_for(a, now));
    }
}
