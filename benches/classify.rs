//! classify and classify_as against the floor, serde_json merely validating the body
//! (`from_slice::<IgnoredAny>`), on the five canonical bodies in `benches/bodies/`.
//!
//! Run: `cargo bench --bench classify`. Smoke-run in CI by `cargo test --all-targets`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use errnorm::{classify, classify_as, Provider};
use http::{HeaderMap, StatusCode};
use serde::de::IgnoredAny;

/// (name, provider, status, body) for the five canonical bodies.
fn bodies() -> Vec<(&'static str, Provider, StatusCode, &'static [u8])> {
    vec![
        (
            "minimax_200",
            Provider::Minimax,
            StatusCode::OK,
            include_bytes!("bodies/minimax_200.json"),
        ),
        (
            "mimo_401",
            Provider::Mimo,
            StatusCode::UNAUTHORIZED,
            include_bytes!("bodies/mimo_401.json"),
        ),
        (
            "novita_403",
            Provider::Novita,
            StatusCode::FORBIDDEN,
            include_bytes!("bodies/novita_403.json"),
        ),
        (
            "gateway_403",
            Provider::Gateway,
            StatusCode::FORBIDDEN,
            include_bytes!("bodies/gateway_403.json"),
        ),
        (
            "openai_400",
            Provider::Openai,
            StatusCode::BAD_REQUEST,
            include_bytes!("bodies/openai_400.json"),
        ),
    ]
}

fn canonical(c: &mut Criterion) {
    let headers = HeaderMap::new();
    for (name, provider, status, body) in bodies() {
        assert!(classify(status, &headers, body).is_some(), "{name}");
        let mut g = c.benchmark_group(name);
        g.bench_function("ignored_any", |b| {
            b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(body)).is_ok())
        });
        g.bench_function("classify", |b| {
            b.iter(|| classify(black_box(status), &headers, black_box(body)).map(|v| v.kind()))
        });
        g.bench_function("classify_as", |b| {
            b.iter(|| {
                classify_as(provider, black_box(status), &headers, black_box(body))
                    .map(|v| v.kind())
            })
        });
        g.finish();
    }
}

criterion_group!(benches, canonical);
criterion_main!(benches);
