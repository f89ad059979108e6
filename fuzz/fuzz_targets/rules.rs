//! Runtime rules never panic on any file, and a file they accept classifies without
//! panicking.

#![no_main]

use errnorm::Rules;
use http::{HeaderMap, StatusCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [which, rest @ ..] = data else { return };
    let name = [
        "minimax.tsv",
        "phrases.tsv",
        "detect.tsv",
        "acme.tsv",
        "x.tsv",
    ][usize::from(*which) % 5];
    let mut rules = Rules::new();
    if rules.add_bytes(name, rest).is_ok() {
        let body = br#"{"error":{"code":"x","message":"rate limit (1008)","type":"t"}}"#;
        let c = errnorm::Classifier::new().with_rules(rules);
        let _ = c.classify(StatusCode::OK, &HeaderMap::new(), body);
        let _ = c.classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), rest);
    }
});
