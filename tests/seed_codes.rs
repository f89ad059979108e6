//! Every code of the provider documents errnorm is built from, checked against an
//! expectation written independently, by hand, from those documents alone
//! (`tests/expect/seed_codes.tsv`, made without looking at `data/`): a wrong mapping in
//! a table fails here. Where the crate decides otherwise on purpose, the decision and
//! its reason are listed in `tests/expect/seed_decisions.tsv`.

use std::collections::BTreeMap;

use errnorm::{classify, classify_as, Provider};
use http::{HeaderMap, StatusCode};
use serde_json::json;

struct Row {
    provider: String,
    code: String,
    status: Option<u16>,
    kind: String,
    reason: String,
}

fn read(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/expect/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn rows() -> Vec<Row> {
    read("seed_codes.tsv")
        .into_iter()
        .map(|f| Row {
            provider: f[0].clone(),
            code: f[1].clone(),
            status: f[2].parse().ok(),
            kind: f[3].clone(),
            reason: f[4].clone(),
        })
        .collect()
}

/// The body each document shows for a code.
fn body(r: &Row) -> (StatusCode, String) {
    let st = |d: u16| StatusCode::from_u16(r.status.unwrap_or(d)).unwrap();
    match r.provider.as_str() {
        "minimax" => (
            StatusCode::OK,
            json!({"base_resp": {"status_code": r.code.parse::<i64>().unwrap(), "status_msg": "x"}})
                .to_string(),
        ),
        "mimo" => (
            st(400),
            json!({"error": {"code": r.code, "message": "x", "type": "error"}}).to_string(),
        ),
        "novita" => (
            st(400),
            json!({"code": r.status.unwrap_or(400), "reason": r.code, "message": "x", "metadata": {}})
                .to_string(),
        ),
        "gateway" if !r.code.contains(' ') => (
            st(400),
            json!({"error": {"message": "x (request id: 2024061512345678)", "type": "new_api_error", "param": "", "code": r.code}})
                .to_string(),
        ),
        "gateway" => (
            st(400),
            json!({"error": {"message": format!("{} (request id: 2024061512345678)", r.code), "type": "new_api_error", "param": "", "code": ""}})
                .to_string(),
        ),
        p => panic!("no document shape for {p}"),
    }
}

#[test]
fn every_seed_code_classifies_as_the_documents_say() {
    let decisions: BTreeMap<(String, String), (String, String)> = read("seed_decisions.tsv")
        .into_iter()
        .map(|f| {
            assert!(
                f.len() == 5 && f[4].len() > 20,
                "seed_decisions.tsv: {f:?} needs a reason"
            );
            ((f[0].clone(), f[1].clone()), (f[2].clone(), f[3].clone()))
        })
        .collect();
    let rows = rows();
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut used = 0;
    for r in &rows {
        *per.entry(&r.provider).or_default() += 1;
        let (status, body) = body(r);
        let h = HeaderMap::new();
        let p: Provider = r.provider.parse().unwrap();
        let got = classify_as(p, status, &h, body.as_bytes()).unwrap();
        let detected = classify(status, &h, body.as_bytes()).unwrap();
        let got = (
            got.kind().as_str().to_string(),
            got.reason().as_str().to_string(),
        );
        let det = (
            detected.kind().as_str().to_string(),
            detected.reason().as_str().to_string(),
        );
        let want = match decisions.get(&(r.provider.clone(), r.code.clone())) {
            Some(d) => {
                used += 1;
                d.clone()
            }
            None => (r.kind.clone(), r.reason.clone()),
        };
        if got != want || det != want {
            wrong.push(format!(
                "{}\t{}\twant {:?}, as {} {:?}, detected {:?}",
                r.provider, r.code, want, r.provider, got, det
            ));
        }
    }
    assert_eq!(
        used,
        decisions.len(),
        "a listed decision names no seed code"
    );
    assert_eq!(per.get("minimax"), Some(&24));
    assert_eq!(per.get("novita"), Some(&91));
    assert!(
        wrong.is_empty(),
        "{} codes disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
