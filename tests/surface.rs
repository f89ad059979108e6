//! The crate root stays small: at most twenty public items besides modules (what a
//! first reader sees on the front page of the docs), everything else in a module named
//! for its concept. Read from `src/lib.rs`: the public items at its top level, outside
//! the bodies of its modules, every configuration counted.

/// The names of the public items at the top level of `lib` (modules excluded).
fn root_items(lib: &str) -> Vec<String> {
    let code: String = lib
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut stmt = String::new();
    for c in code.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 || !stmt.trim_start().starts_with("pub mod") {
            stmt.push(c);
        }
        // A statement ends at `;` at the top level, or when a block closes there.
        if depth == 0 && (c == ';' || c == '}') {
            let s = stmt.trim();
            let s = s.rsplit(']').next().unwrap_or(s).trim();
            if let Some(rest) = s.strip_prefix("pub use ") {
                let rest = rest.trim_end_matches(';');
                match rest.split_once('{') {
                    Some((_, group)) => names.extend(
                        group
                            .trim_end_matches('}')
                            .split(',')
                            .map(|n| n.trim().to_string())
                            .filter(|n| !n.is_empty()),
                    ),
                    None => names.push(rest.rsplit("::").next().unwrap_or(rest).to_string()),
                }
            } else if !s.starts_with("pub mod") {
                for kw in [
                    "pub fn ",
                    "pub struct ",
                    "pub enum ",
                    "pub const ",
                    "pub static ",
                    "pub trait ",
                    "pub type ",
                ] {
                    if let Some(rest) = s.strip_prefix(kw) {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.push(name);
                    }
                }
            }
            stmt.clear();
        }
    }
    names
}

#[test]
fn the_root_holds_at_most_twenty_items_besides_modules() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let items = root_items(&lib);
    // The classifier, its two shortcuts and the values a first reader meets.
    for must in [
        "classify",
        "classify_as",
        "Classifier",
        "Verdict",
        "ApiError",
        "Reason",
    ] {
        assert!(
            items.iter().any(|i| i == must),
            "{must} missing from {items:?}"
        );
    }
    assert!(items.len() <= 20, "{} root items: {items:?}", items.len());
}

#[test]
fn the_count_sees_groups_items_and_skips_module_bodies() {
    let lib = "mod a;\npub mod b;\npub use a::{X, Y};\n/// doc\n#[cfg(x)]\npub use a::z;\npub mod m {\n    pub use crate::a::{P, Q};\n    pub fn inner() {}\n}\npub fn f() -> u8 {\n    1\n}\npub struct S;\n";
    assert_eq!(root_items(lib), ["X", "Y", "z", "f", "S"]);
}
