//! The redaction corpus: hand-written texts in the shapes gateways write (English and
//! Chinese messages, URLs, JSON inside text, new-api and one-api errors, Go net errors,
//! Python tracebacks), each with the secrets that must not survive `redact` and the
//! words that must (model names, error codes, plain English), so that redaction
//! neither leaks nor eats the message. Every failure is listed, not only the first.
//!
//! One JSON object per line of `tests/redaction/corpus.jsonl`:
//! `{"text": "...", "secrets": ["..."], "keep": ["..."]}` (`keep` optional).

use errnorm::redact::redact;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    text: String,
    secrets: Vec<String>,
    #[serde(default)]
    keep: Vec<String>,
}

fn corpus() -> Vec<(usize, Case)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/redaction/corpus.jsonl");
    let text = std::fs::read_to_string(path).expect("the corpus file");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let case: Case =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("corpus.jsonl:{}: {e}", i + 1));
            (i + 1, case)
        })
        .collect()
}

#[test]
fn no_secret_of_the_corpus_survives_and_no_kept_word_is_lost() {
    let cases = corpus();
    assert!(cases.len() >= 300, "{} texts", cases.len());
    let mut failures = Vec::new();
    for (line, case) in &cases {
        for s in &case.secrets {
            assert!(
                case.text.contains(s.as_str()),
                "corpus.jsonl:{line}: secret {s:?} is not in the text"
            );
        }
        let out = redact(&case.text);
        for s in case.secrets.iter().filter(|s| out.contains(s.as_str())) {
            failures.push(format!(
                "corpus.jsonl:{line}: LEAK {s:?}\n    in:  {:?}\n    out: {out:?}",
                case.text
            ));
        }
        for k in case.keep.iter().filter(|k| !out.contains(k.as_str())) {
            failures.push(format!(
                "corpus.jsonl:{line}: LOST {k:?}\n    in:  {:?}\n    out: {out:?}",
                case.text
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in {} texts:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_language_and_shape() {
    let cases = corpus();
    let count = |f: &dyn Fn(&str) -> bool| cases.iter().filter(|(_, c)| f(&c.text)).count();
    let cjk = count(&|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    let urls = count(&|t| t.contains("://"));
    let json = count(&|t| t.contains("{\"") || t.contains("{'"));
    let go = count(&|t| t.contains("dial tcp") || t.contains("read tcp"));
    let py =
        count(&|t| t.contains("Error:") && (t.contains("Traceback") || t.contains("exceptions")));
    let clean = cases.iter().filter(|(_, c)| c.secrets.is_empty()).count();
    assert!(cjk >= 60, "{cjk} Chinese texts");
    assert!(urls >= 40, "{urls} texts with URLs");
    assert!(json >= 15, "{json} texts with JSON");
    assert!(go >= 10, "{go} Go net errors");
    assert!(py >= 4, "{py} Python tracebacks");
    assert!(clean >= 40, "{clean} texts without secrets (over-reach)");
}
