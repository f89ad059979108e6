//! `build.rs` refuses bad rows with `file:line: message` (through `build/codegen.rs`,
//! the code build.rs runs), and accepts the tables as they are.

#[path = "../build/codegen.rs"]
#[allow(dead_code)]
mod codegen;
#[path = "../src/phash.rs"]
#[allow(dead_code)]
mod phash;
#[path = "../build/rows.rs"]
#[allow(dead_code)]
mod rows;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A copy of `data/` with `file` edited by `edit`, and what generating from it says.
fn with_edit(file: &str, edit: impl Fn(String) -> String) -> Result<(String, String), String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "errnorm-build-rows-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(data()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&path, edited).unwrap();
    let out = codegen::generate(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

/// The 1-based line number of the first line containing `needle`.
fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(data().join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_tables_as_they_are_generate() {
    let (src, bench) = codegen::generate(&data()).unwrap();
    assert!(src.contains("pub(crate) static MINIMAX"));
    assert!(bench.contains("pub static NOVITA_PHF"));
    assert!(src.contains("pub(crate) static PHRASES"));
}

/// An edit of a table's text.
type Edit = Box<dyn Fn(String) -> String>;

#[test]
fn bad_rows_name_file_and_line() {
    let l = line_of("minimax.tsv", "1008\tquota");
    let cases: Vec<(&str, Edit, String)> = vec![
        (
            "minimax.tsv",
            Box::new(|t| t.replace("1008\tquota", "10x8\tquota")),
            format!("data/minimax.tsv:{l}: code `10x8` is not a number"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| t.replace("1008\tquota", "1008\tmoney")),
            format!("data/minimax.tsv:{l}: unknown kind `money`"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| t.replace("1008\tquota\tinsufficient_balance\tno", "1008\tquota\tinsufficient_balance\tyes")),
            format!("data/minimax.tsv:{l}: retry `yes` contradicts kind `quota`"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| t.replace("1008\tquota", "1009\tquota").replace("1004\tauth", "1010\tauth")),
            format!("data/minimax.tsv:{l}: rows must be sorted by code"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| t.replacen("\tseed000+seed001\t", "\t", 1)),
            format!("data/minimax.tsv:{}: 12 fields, expected 13", line_of("minimax.tsv", "1000\t")),
        ),
        (
            "novita.tsv",
            Box::new(|t| t.replacen("BANNED_USER\tgpu\t400\tauth\taccount_suspended", "BANNED_USER\tgpu\t400\tauth\tAccountSuspended", 1)),
            format!("data/novita.tsv:{}: reason `AccountSuspended` is not a snake_case id", line_of("novita.tsv", "BANNED_USER")),
        ),
        (
            "novita.tsv",
            Box::new(|t| t.replacen("RATE_LIMIT_EXCEEDED\tgpu\t429\trate_limit\trequests_per_time", "RATE_LIMIT_EXCEEDED\tgpu\t429\trate_limit\ttokens_per_time", 1)),
            format!(
                "data/novita.tsv:{}: `RATE_LIMIT_EXCEEDED` has reason `requests_per_time` here but `tokens_per_time` at line {}",
                line_of("novita.tsv", "RATE_LIMIT_EXCEEDED\tllm"),
                line_of("novita.tsv", "RATE_LIMIT_EXCEEDED\tgpu")
            ),
        ),
        (
            "openai.tsv",
            Box::new(|t| t.replace("\t429\tquota\tinsufficient_balance\texact", "\t429\tquota\tinsufficient_balance\tstrong")),
            format!("data/openai.tsv:{}: weight `strong` is not exact or generic", line_of("openai.tsv", "insufficient_quota\t")),
        ),
        (
            "anthropic.tsv",
            Box::new(|t| t.replace("\t529\t", "\t999\t")),
            format!("data/anthropic.tsv:{}: status `999` is not an HTTP status", line_of("anthropic.tsv", "overloaded_error")),
        ),
        (
            "phrases.tsv",
            Box::new(|t| t.replace("account suspended\t", "Account Suspended\t")),
            format!("data/phrases.tsv:{}: phrase `Account Suspended` must be lower case", line_of("phrases.tsv", "account suspended\t")),
        ),
        (
            "phrases.tsv",
            Box::new(|t| t.replace("account suspended\ten", "account suspended\tfr")),
            format!("data/phrases.tsv:{}: lang `fr` is not en or zh", line_of("phrases.tsv", "account suspended\t")),
        ),
        (
            "gateway.tsv",
            Box::new(|t| t.replace("id\twhere\tstatus", "code\twhere\tstatus")),
            format!("data/gateway.tsv:{}: header must be", line_of("gateway.tsv", "id\twhere\tstatus")),
        ),
    ];
    for (file, edit, want) in cases {
        let got = with_edit(file, edit).expect_err(&want);
        assert!(got.starts_with(&want), "got {got:?}, want {want:?}");
    }
}

#[test]
fn a_reason_under_the_wrong_kind_becomes_a_compile_error_naming_the_row() {
    // The kind/reason pair cannot be checked without the crate's enums, so the generated
    // source carries a const assertion with the row's place in it.
    let l = line_of("minimax.tsv", "1008\tquota");
    let (src, _) = with_edit("minimax.tsv", |t| t.replace("1008\tquota", "1008\tauth")).unwrap();
    assert!(src.contains(&format!(
        "\"data/minimax.tsv:{l}: reason `insufficient_balance` does not belong to kind `auth`\""
    )));
}
