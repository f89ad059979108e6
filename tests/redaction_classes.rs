//! The redaction corpus by class: texts written by hand, each with one secret of a
//! named class (keys of providers errnorm does not know, keys without prefix, `id.secret`
//! pairs, blobs, encodings, secrets in JSON, in URLs, in Chinese text without spaces,
//! cut by `…`, e-mail addresses, phone numbers, addresses, internal hosts, file paths,
//! organisation and user ids, amounts, ...) and the words that must stay. No secret
//! survives `redact`; the test prints the count per class and fails on any leak or any
//! lost word, listing every one.
//!
//! One JSON object per line of `tests/redaction/classes.jsonl`:
//! `{"class": "...", "text": "...", "secret": "...", "keep": ["..."]}`.

use std::collections::BTreeMap;

use errnorm::redact::redact;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    class: String,
    text: String,
    secret: String,
    #[serde(default)]
    keep: Vec<String>,
}

#[test]
fn no_secret_of_any_class_survives_and_no_kept_word_is_lost() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/redaction/classes.jsonl");
    let text = std::fs::read_to_string(path).expect("the class corpus");
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let c: Case =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("classes.jsonl:{}: {e}", i + 1));
        n += 1;
        *per.entry(c.class.clone()).or_default() += 1;
        let out = redact(&c.text);
        if out.contains(&c.secret) {
            failures.push(format!(
                "{}: [{}] LEAK {:?}\n  out: {out:?}",
                i + 1,
                c.class,
                c.secret
            ));
        }
        for k in &c.keep {
            if !out.contains(k.as_str()) {
                failures.push(format!(
                    "{}: [{}] LOST {k:?}\n  out: {out:?}",
                    i + 1,
                    c.class
                ));
            }
        }
    }
    for (class, count) in &per {
        println!("{class}\t{count}");
    }
    assert!(per.len() >= 30, "only {} classes", per.len());
    assert!(n >= 300, "only {n} cases");
    assert!(
        failures.is_empty(),
        "{} failures in {n} texts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
