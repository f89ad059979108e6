//! Reading the fixture files shared by the integration tests.

#![allow(dead_code)]

pub mod capture;
pub mod corpus;
pub mod json;
pub mod server;
pub mod sse;

use std::path::Path;

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Deserialize;

/// One line of `tests/fixtures/*.jsonl`.
#[derive(Debug, Deserialize)]
pub struct Fixture {
    pub name: String,
    pub status: u16,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub body_base64: Option<String>,
    pub expect: Expect,
    #[serde(skip)]
    pub file: String,
}

/// What the fixture must classify as.
#[derive(Debug, Deserialize)]
pub struct Expect {
    pub kind: Option<String>,
    pub reason: Option<String>,
    pub basis: Option<String>,
    pub provider: Option<String>,
    pub code: Option<serde_json::Value>,
    pub retry_after_ms: Option<u64>,
}

impl Fixture {
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap()
    }
    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in &self.headers {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }
    pub fn body(&self) -> Vec<u8> {
        match (&self.body, &self.body_base64) {
            (Some(b), _) => b.clone().into_bytes(),
            (None, Some(b)) => base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
            (None, None) => Vec::new(),
        }
    }
}

/// Every fixture of every file in `tests/fixtures/`.
pub fn all() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (i, line) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
            let mut f: Fixture =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
            f.file = format!("{file}:{}", i + 1);
            out.push(f);
        }
    }
    assert!(out.len() > 50, "fixtures went missing");
    out
}
