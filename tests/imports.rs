//! The crate's imports follow its stages: the ground floor (taxonomy, provider ids, the
//! schema, text helpers and redaction) imports nothing above it, then read -> decide ->
//! act -> the top (the pipeline, the classifier, streams, integrations); no module
//! imports a later stage, and no two modules import each other, directly or through
//! others. Read from the source: every `crate::` and `super::` path outside comments
//! and test modules, with the crate root's re-exports resolved to where they are
//! defined.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's stage; a module may import only modules of its stage or earlier ones.
fn stage(unit: &str) -> usize {
    let top = unit.split("::").next().unwrap_or(unit);
    match top {
        "taxonomy" | "provider" | "schema" | "text" => 0,
        "read" => 1,
        "decide" | "verdict" | "error" => 2,
        "act" => 3,
        _ => 4,
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/decide/mod.rs` -> `decide`, `src/read/scan.rs` -> `read::scan`.
fn unit_of(src: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The source without `//` comments and without its test module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| match l.find(" // ") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path after `prefix` (`crate::` or `super::`): its segments, and the items of
/// a `{...}` group after it, each as a full path.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i;
        from = at + prefix.len();
        if code[..at].chars().next_back().is_some_and(ident) {
            continue;
        }
        let rest = &code[from..];
        let end = rest
            .find(|c: char| !(ident(c) || c == ':'))
            .unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches(':').to_string();
        if rest[end..].starts_with('{') && rest[..end].ends_with("::")
            || end == 0 && rest.starts_with('{')
        {
            let group = &rest[end + 1..];
            let close = group.find('}').unwrap_or(group.len());
            for item in group[..close].split(',') {
                let item = item.trim().split(" as ").next().unwrap_or("").trim();
                let item = item.split("::{").next().unwrap_or(item);
                if item.is_empty() || item == "self" {
                    out.push(path.clone());
                } else if path.is_empty() {
                    out.push(item.to_string());
                } else {
                    out.push(format!("{path}::{item}"));
                }
            }
        } else if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// The crate root's `pub use` re-exports: name -> the path it comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for stmt in lib.split(';') {
        let Some(i) = stmt.find("pub use ") else {
            continue;
        };
        let s = stmt[i + 8..].trim();
        if let Some((base, group)) = s.split_once("::{") {
            for item in group.trim_end_matches('}').split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    m.insert(item.to_string(), base.trim().to_string());
                }
            }
        } else if let Some((base, name)) = s.rsplit_once("::") {
            m.insert(name.trim().to_string(), base.trim().to_string());
        }
    }
    m
}

fn resolve(path: &str, units: &BTreeSet<String>, re: &BTreeMap<String, String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    for k in (1..=parts.len()).rev() {
        let cand = parts[..k].join("::");
        if units.contains(&cand) {
            return Some(cand);
        }
    }
    let first = parts.first()?;
    let base = re.get(*first)?;
    resolve(base, units, re)
}

/// Every module and the modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let units: BTreeSet<String> = all.iter().map(|p| unit_of(&src, p)).collect();
    let re = reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut g = BTreeMap::new();
    for p in &all {
        let unit = unit_of(&src, p);
        if unit == "lib" || unit == "main" {
            continue;
        }
        let c = code(&std::fs::read_to_string(p).unwrap());
        let parent = unit.rsplit_once("::").map_or("", |(a, _)| a).to_string();
        let mut to = BTreeSet::new();
        let mut add = |path: String| {
            if let Some(t) = resolve(&path, &units, &re) {
                if t != unit && t != "lib" {
                    to.insert(t);
                }
            }
        };
        for path in paths_after(&c, "crate::") {
            add(path);
        }
        for path in paths_after(&c, "super::") {
            add(if parent.is_empty() {
                path
            } else {
                format!("{parent}::{path}")
            });
        }
        g.insert(unit, to);
    }
    g
}

#[test]
fn no_module_imports_a_later_stage() {
    let g = graph();
    assert!(g.len() > 30, "only {} modules found", g.len());
    let mut breaches = Vec::new();
    for (from, tos) in &g {
        for to in tos {
            if stage(to) > stage(from) {
                breaches.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "imports against the flow: {breaches:?}"
    );
}

#[test]
fn no_two_modules_import_each_other_even_through_others() {
    let g = graph();
    // A module reaches itself through its imports: a circle.
    let mut circles = Vec::new();
    for start in g.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = g[start].iter().collect();
        while let Some(u) = todo.pop() {
            if u == start {
                circles.push(start.clone());
                break;
            }
            if seen.insert(u.clone()) {
                todo.extend(g.get(u).into_iter().flatten());
            }
        }
    }
    assert!(circles.is_empty(), "modules in a circle: {circles:?}");
}

#[test]
fn the_checker_sees_paths_groups_and_reexports() {
    let c = code("use crate::{read::Fields, Reason};\n// crate::act::x\nfn f() { super::g(); }");
    assert_eq!(paths_after(&c, "crate::"), ["read::Fields", "Reason"]);
    assert_eq!(paths_after(&c, "super::"), ["g"]);
    let re = reexports("pub use taxonomy::{ErrorKind, Reason};\npub use act::escape;");
    assert_eq!(re["Reason"], "taxonomy");
    assert_eq!(re["escape"], "act");
    let units: BTreeSet<String> = ["taxonomy".to_string(), "read".to_string()].into();
    assert_eq!(resolve("Reason", &units, &re).as_deref(), Some("taxonomy"));
    assert_eq!(
        resolve("read::Fields", &units, &re).as_deref(),
        Some("read")
    );
    assert_eq!(stage("act::advice"), 3);
    assert!(stage("read::scan") < stage("decide::detect"));
}
