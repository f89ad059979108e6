//! The conformance corpus (`tests/corpus/`): real responses labelled by hand, read by
//! the corpus score and by the leave-one-provider-out measurement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

/// One case: a response and its hand-written label.
pub struct Case {
    /// `provider:line` (`untabled/provider:line` for providers with no table).
    pub id: String,
    pub provider: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub kind: String,
    pub reason: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The cases of the providers errnorm has tables for (`tests/corpus/*.jsonl`).
pub fn tabled() -> Vec<Case> {
    read_dir(&dir(), "")
}

/// The cases of providers, proxies and servers that have no table
/// (`tests/corpus/untabled/*.jsonl`).
pub fn untabled() -> Vec<Case> {
    read_dir(&dir().join("untabled"), "untabled/")
}

fn read_dir(dir: &Path, prefix: &str) -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let provider = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1));
            let mut headers = HeaderMap::new();
            if let Some(h) = v["headers"].as_object() {
                for (k, val) in h {
                    // AWS event-stream message headers (`:exception-type`) are not HTTP
                    // headers; a gateway never sees them as such.
                    let Ok(name) = HeaderName::from_bytes(k.as_bytes()) else {
                        continue;
                    };
                    headers.insert(name, HeaderValue::from_str(val.as_str().unwrap()).unwrap());
                }
            }
            for key in ["source", "kind", "reason", "why"] {
                assert!(
                    v[key].as_str().is_some_and(|s| !s.is_empty()),
                    "{prefix}{provider}:{}: no {key}",
                    n + 1
                );
            }
            out.push(Case {
                id: format!("{prefix}{provider}:{}", n + 1),
                provider: provider.clone(),
                status: StatusCode::from_u16(v["status"].as_u64().unwrap() as u16).unwrap(),
                headers,
                body: v["body"].as_str().unwrap().to_string(),
                kind: v["kind"].as_str().unwrap().to_string(),
                reason: v["reason"].as_str().unwrap().to_string(),
            });
        }
    }
    out
}

/// The misses listed in a file of `tests/corpus/` (`case expected got why`): case id ->
/// what errnorm answers.
pub fn listed(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir().join(file)).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(
                f.len() == 4 && f[3].len() > 10,
                "{file}: `{l}` needs case, expected, got and why"
            );
            (f[0].to_string(), f[2].to_string())
        })
        .collect()
}

/// Kind accuracy per provider: (right, cases), and the misses (id -> (want, got)).
pub type Score<'c> = (
    BTreeMap<&'c str, (usize, usize)>,
    BTreeMap<String, (String, String)>,
);

/// Scores `cases` with `classify_one` (the kind it answers, or "none").
pub fn score<'c>(cases: &'c [Case], mut classify_one: impl FnMut(&Case) -> String) -> Score<'c> {
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = BTreeMap::new();
    for c in cases {
        let got = classify_one(c);
        let e = per.entry(&c.provider).or_default();
        e.1 += 1;
        if got == c.kind {
            e.0 += 1;
        } else {
            misses.insert(c.id.clone(), (c.kind.clone(), got));
        }
    }
    (per, misses)
}

/// Prints a score as a Markdown table and returns the overall accuracy.
pub fn print(title: &str, per: &BTreeMap<&str, (usize, usize)>) -> f64 {
    let right: usize = per.values().map(|p| p.0).sum();
    let n: usize = per.values().map(|p| p.1).sum();
    println!("\n{title}\n\n| provider | cases | kind right |\n| --- | --- | --- |");
    for (p, (r, n)) in per {
        println!("| {p} | {n} | {:.1}% |", 100.0 * *r as f64 / *n as f64);
    }
    let acc = right as f64 / n.max(1) as f64;
    println!(
        "| all ({} providers) | {n} | {:.1}% |",
        per.len(),
        100.0 * acc
    );
    acc
}
