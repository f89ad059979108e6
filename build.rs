//! Reads the tables in `data/`, validates every row, and generates the perfect-hash maps
//! that `src/tables.rs` includes. A bad row fails the build with `file:line: message`.
//!
//! The generated source names enum variants (`Reason::InsufficientBalance`), so a reason
//! id that does not exist is a compile error, and a const assertion per row turns a
//! reason filed under the wrong kind into a compile error that names the row. The work
//! is in `build/codegen.rs`, which `tests/build_rows.rs` tests.

use std::path::Path;
use std::{env, fs, process};

#[path = "build/codegen.rs"]
mod codegen;
#[path = "src/phash.rs"]
mod phash;
#[path = "build/rows.rs"]
#[allow(dead_code)]
mod rows;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/codegen.rs");
    println!("cargo:rerun-if-changed=build/rows.rs");
    println!("cargo:rerun-if-changed=src/phash.rs");
    println!("cargo:rerun-if-changed=data");
    let (tables, bench) = match codegen::generate(Path::new("data")) {
        Ok(src) => src,
        Err(e) => {
            eprintln!("error: {e}");
            process::exit(1);
        }
    };
    let out = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    for (file, src) in [("tables.rs", tables), ("bench_lookup.rs", bench)] {
        if let Err(e) = fs::write(Path::new(&out).join(file), src) {
            eprintln!("error: writing {file}: {e}");
            process::exit(1);
        }
    }
}
