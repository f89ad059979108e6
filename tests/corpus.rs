//! The conformance corpus: real error responses from the providers a gateway routes to,
//! bodies verbatim from public sources (provider documents, SDK test fixtures, public
//! issue threads), each labelled by hand from the provider's documentation, never from
//! running errnorm. See `tests/corpus/README.md`.
//!
//! Every case goes through `classify` without a provider hint, as a gateway that does
//! not know the upstream would call it. The test prints the kind accuracy per provider,
//! fails below the floor, and fails when the set of misses differs from the one listed,
//! with reasons, in `tests/corpus/misses.tsv`: a new miss must be fixed or explained,
//! and a fixed one must leave the list.

use std::collections::{BTreeMap, BTreeSet};

use errnorm::classify;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

/// The least kind accuracy the whole corpus may have.
const FLOOR: f64 = 0.97;

struct Case {
    id: String,
    provider: String,
    status: u16,
    headers: HeaderMap,
    body: String,
    kind: String,
}

fn cases() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
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
            for key in ["source", "kind", "why"] {
                assert!(
                    v[key].as_str().is_some_and(|s| !s.is_empty()),
                    "{provider}:{}: no {key}",
                    n + 1
                );
            }
            out.push(Case {
                id: format!("{provider}:{}", n + 1),
                provider: provider.clone(),
                status: v["status"].as_u64().unwrap() as u16,
                headers,
                body: v["body"].as_str().unwrap().to_string(),
                kind: v["kind"].as_str().unwrap().to_string(),
            });
        }
    }
    out
}

/// The listed misses: `case id` -> what errnorm answers, with why it is left.
fn listed() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/misses.tsv"
    ))
    .unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(
                f.len() == 4 && f[3].len() > 10,
                "misses.tsv: `{l}` needs case, expected, got and why"
            );
            (f[0].to_string(), f[2].to_string())
        })
        .collect()
}

#[test]
fn the_corpus_scores_above_the_floor_and_every_miss_is_explained() {
    let cases = cases();
    assert!(cases.len() >= 250, "only {} cases", cases.len());
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = BTreeMap::new();
    for c in &cases {
        let status = StatusCode::from_u16(c.status).unwrap();
        let got = classify(status, &c.headers, c.body.as_bytes())
            .map_or("none".to_string(), |v| v.kind().as_str().to_string());
        let e = per.entry(&c.provider).or_default();
        e.1 += 1;
        if got == c.kind {
            e.0 += 1;
        } else {
            misses.insert(c.id.clone(), (c.kind.clone(), got));
        }
    }
    let right: usize = per.values().map(|p| p.0).sum();
    println!("| provider | cases | kind right |");
    println!("| --- | --- | --- |");
    for (p, (r, n)) in &per {
        println!("| {p} | {n} | {:.1}% |", 100.0 * *r as f64 / *n as f64);
    }
    let acc = right as f64 / cases.len() as f64;
    println!("| all | {} | {:.1}% |", cases.len(), 100.0 * acc);
    for (id, (want, got)) in &misses {
        println!("{id}\t{want}\t{got}");
    }
    let listed = listed();
    let now: BTreeSet<&String> = misses.keys().collect();
    let was: BTreeSet<&String> = listed.keys().collect();
    let new: Vec<_> = now.difference(&was).collect();
    let fixed: Vec<_> = was.difference(&now).collect();
    assert!(
        new.is_empty(),
        "misses not in tests/corpus/misses.tsv: {new:?}"
    );
    assert!(
        fixed.is_empty(),
        "listed misses that now pass (remove them): {fixed:?}"
    );
    for (id, (_, got)) in &misses {
        assert_eq!(&listed[id], got, "{id}: misses.tsv says another answer");
    }
    assert!(
        acc >= FLOOR,
        "kind accuracy {:.1}% is below {:.0}%",
        100.0 * acc,
        100.0 * FLOOR
    );
}
