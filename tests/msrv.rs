//! The minimum Rust version the manifest declares is true for a default build: no crate
//! a consumer compiles with the default features (normal and build dependencies,
//! followed from errnorm) declares a newer `rust-version`. errnorm's own code is held to
//! it by clippy's `incompatible_msrv` lint (the CI's clippy gate). Reads the lock file's
//! resolution with `cargo metadata --offline`: no network. The resolution is filtered to
//! the host's platform: unfiltered, cargo needs every platform's crates on disk (a
//! fresh machine's build downloads only the host's, so the test failed there).

use std::process::Command;

/// `1.80` or `1.80.0` as (1, 80, 0).
fn version(v: &str) -> (u32, u32, u32) {
    let mut it = v.trim().split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
    )
}

#[test]
fn no_default_dependency_needs_a_newer_rust_than_declared() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let rustc = String::from_utf8_lossy(&rustc.stdout);
    let host = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc names its host");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", host])
        .current_dir(dir)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = m["packages"].as_array().unwrap();
    let root = m["resolve"]["root"].as_str().unwrap();
    let declared = packages
        .iter()
        .find(|p| p["id"] == root)
        .and_then(|p| p["rust_version"].as_str())
        .map(version)
        .expect("errnorm declares a rust-version");
    let nodes = m["resolve"]["nodes"].as_array().unwrap();
    // From errnorm, the dependencies of kind normal or build (not dev), transitively.
    let mut todo = vec![root.to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(node) = nodes.iter().find(|n| n["id"] == id.as_str()) else {
            continue;
        };
        for d in node["deps"].as_array().unwrap() {
            let kinds = d["dep_kinds"].as_array().unwrap();
            if kinds.iter().any(|k| k["kind"].as_str() != Some("dev")) {
                todo.push(d["pkg"].as_str().unwrap().to_string());
            }
        }
    }
    assert!(
        seen.len() > 10,
        "only {} crates in a default build",
        seen.len()
    );
    let mut newer = Vec::new();
    for p in packages
        .iter()
        .filter(|p| seen.contains(p["id"].as_str().unwrap()))
    {
        if let Some(v) = p["rust_version"].as_str() {
            if version(v) > declared {
                newer.push(format!("{} {} needs {v}", p["name"], p["version"]));
            }
        }
    }
    assert!(
        newer.is_empty(),
        "rust-version {declared:?} is not true: {newer:?}"
    );
}

#[test]
fn versions_compare_as_numbers() {
    assert!(version("1.80") < version("1.85.0"));
    assert!(version("1.100") > version("1.99.9"));
    assert_eq!(version("1.80"), version("1.80.0"));
}
