//! The metrics (feature `metrics`): what a classification and a transport failure count,
//! with labels that are the crate's own ids, read with a hand-written recorder.
#![cfg(feature = "metrics")]

use std::sync::{Arc, Mutex};

use errnorm::{classify, Classifier, Rules};
use http::{HeaderMap, StatusCode};
use metrics::{
    Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

/// One increment or record: (name, labels, value).
type Entry = (String, Vec<(String, String)>, f64);
/// Every increment and record.
type Log = Arc<Mutex<Vec<Entry>>>;

struct Handle(Key, Log);

impl CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.log(value as f64);
    }
    fn absolute(&self, value: u64) {
        self.log(value as f64);
    }
}

impl HistogramFn for Handle {
    fn record(&self, value: f64) {
        self.log(value);
    }
}

impl Handle {
    fn log(&self, v: f64) {
        let labels = self
            .0
            .labels()
            .map(|l| (l.key().to_string(), l.value().to_string()))
            .collect();
        self.1
            .lock()
            .unwrap()
            .push((self.0.name().to_string(), labels, v));
    }
}

#[derive(Default)]
struct Rec(Log);

impl Recorder for Rec {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(Handle(key.clone(), self.0.clone())))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(Handle(key.clone(), self.0.clone())))
    }
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The recorder, installed once for the whole test binary: handles are registered at
/// their first use and kept, as an application installs its recorder at start-up.
fn recorder() -> &'static Log {
    static LOG: std::sync::OnceLock<Log> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let rec = Rec::default();
        let log = rec.0.clone();
        metrics::set_global_recorder(rec).unwrap();
        log
    })
}

/// What `f` logged.
fn during(f: impl FnOnce()) -> Vec<Entry> {
    static ONE: Mutex<()> = Mutex::new(());
    let _one = ONE.lock().unwrap();
    let log = recorder();
    let before = log.lock().unwrap().len();
    f();
    log.lock().unwrap()[before..].to_vec()
}

#[test]
fn a_classification_counts_by_kind_reason_provider_and_action_and_records_its_wait() {
    let log = during(|| {
        // A success counts nothing.
        assert!(classify(StatusCode::OK, &HeaderMap::new(), br#"{"choices":[]}"#).is_none());
        // MiniMax's 1008 (insufficient balance): fail over at once, no wait.
        let body = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
        classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
        // A 503 with Retry-After: 2 and no body: retry after 2 s.
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        classify(StatusCode::SERVICE_UNAVAILABLE, &h, b"").unwrap();
        errnorm::Classifier::shared()
            .transport(&std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
    });
    assert_eq!(
        log,
        vec![
            (
                "errnorm_classified_total".to_string(),
                labels(&[
                    ("kind", "quota"),
                    ("reason", "insufficient_balance"),
                    ("provider", "minimax"),
                    ("action", "failover")
                ]),
                1.0
            ),
            (
                "errnorm_classified_total".to_string(),
                labels(&[
                    ("kind", "transient"),
                    ("reason", "overloaded"),
                    ("provider", "unknown"),
                    ("action", "retry")
                ]),
                1.0
            ),
            (
                "errnorm_advised_delay_seconds".to_string(),
                labels(&[
                    ("kind", "transient"),
                    ("reason", "overloaded"),
                    ("provider", "unknown")
                ]),
                2.0
            ),
            (
                "errnorm_transport_total".to_string(),
                labels(&[("reason", "upstream_unavailable"), ("action", "failover")]),
                1.0
            ),
        ]
    );
}

#[test]
fn a_provider_only_runtime_rules_know_is_other_never_its_name() {
    let mut rules = Rules::new();
    rules
        .add(
            "acme.tsv",
            "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n\
             ACME_OUT_OF_CREDIT\terror.code\t-\tquota\tinsufficient_balance\texact\t-\tno credit\tAcme's error page\t-\n",
        )
        .unwrap();
    let c = Classifier::new().with_rules(rules);
    let log = during(|| {
        let body = br#"{"error":{"code":"ACME_OUT_OF_CREDIT","message":"no credit"}}"#;
        let v = c
            .classify(StatusCode::PAYMENT_REQUIRED, &HeaderMap::new(), body)
            .unwrap();
        assert_eq!(v.provider_name(), Some("acme"));
    });
    assert_eq!(log.len(), 1);
    assert!(
        log[0]
            .1
            .contains(&("provider".to_string(), "other".to_string())),
        "{log:?}"
    );
}
