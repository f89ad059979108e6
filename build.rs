//! Reads the tables in `data/`, validates every row (with `src/schema.rs`, the validator
//! runtime rules use too), and generates each piece beside its owner: the `Provider`
//! enum (`src/provider.rs`), the perfect-hash tables and detection markers
//! (`src/decide/tables.rs`), the cues (`src/decide/cues.rs`), the redaction rules and
//! the allowlist (`src/text/`). A bad row fails the
//! build with `file:line: message`.
//!
//! The generated source names enum variants (`Reason::InsufficientBalance`), so a
//! reason id that does not exist is a compile error. The work is in
//! `build/codegen.rs`, which `tests/build_rows.rs` tests.
//!
//! With the `bench` feature (benchmarks only), it also writes the same keys as phf
//! maps and `match`es, to measure the crate's own hash against.

use std::path::Path;
use std::{env, fs, process};

#[cfg(feature = "bench")]
#[path = "build/bench.rs"]
mod bench;
#[path = "build/codegen.rs"]
mod codegen;
#[path = "src/decide/phash.rs"]
#[allow(dead_code)]
mod phash;
#[path = "src/schema.rs"]
#[allow(dead_code)]
mod schema;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=src/decide/phash.rs");
    println!("cargo:rerun-if-changed=src/schema.rs");
    println!("cargo:rerun-if-changed=data");
    let out = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let write = |file: &str, src: Result<String, String>| {
        let src = src.unwrap_or_else(|e| {
            eprintln!("error: {e}");
            process::exit(1);
        });
        if let Err(e) = fs::write(Path::new(&out).join(file), src) {
            eprintln!("error: writing {file}: {e}");
            process::exit(1);
        }
    };
    match codegen::generate_parts(Path::new("data")) {
        Ok(parts) => {
            for (file, src) in parts {
                write(file, Ok(src));
            }
        }
        Err(e) => write("tables.rs", Err(e)),
    }
    #[cfg(feature = "bench")]
    write("bench_lookup.rs", bench::generate(Path::new("data")));
}
