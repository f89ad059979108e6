//! One validator for the tables of `data/`: `build.rs` (through `build/codegen.rs`)
//! and runtime `Rules` refuse the same bad rows with the same `line: message`, and
//! accept the tables as they are.

#[path = "../build/codegen.rs"]
#[allow(dead_code)]
mod codegen;
#[path = "../src/decide/phash.rs"]
#[allow(dead_code)]
mod phash;
#[path = "../src/schema.rs"]
#[allow(dead_code)]
mod schema;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A copy of `data/` with `file` edited by `edit`: what generating from it says, and
/// what runtime rules say of the edited file.
fn with_edit(
    file: &str,
    edit: impl Fn(String) -> String,
) -> (
    Result<String, String>,
    Result<(), errnorm::rules::RulesError>,
) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "errnorm-validator-{}-{}",
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
    std::fs::write(&path, &edited).unwrap();
    let built = codegen::generate(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let runtime = errnorm::Rules::new().add(file, &edited);
    (built, runtime)
}

/// The 1-based line number of the first line containing `needle`.
fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(data().join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_tables_as_they_are_generate_and_load_at_runtime() {
    let src = codegen::generate(&data()).unwrap();
    assert!(src.contains("pub(crate) static ROWS"));
    assert!(src.contains("pub(crate) static TABLES"));
    assert!(src.contains("pub enum Provider"));
    assert!(src.contains("pub(crate) static MARKERS"));
    // Every built-in table is also valid runtime rules.
    for e in std::fs::read_dir(data()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if ["providers.tsv", "redaction.tsv", "cues.tsv", "allow.tsv"].contains(&name.as_str())
            || !name.ends_with(".tsv")
        {
            continue;
        }
        let mut rules = errnorm::Rules::new();
        rules.load(&p).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// An edit of a table's text.
type Edit = Box<dyn Fn(String) -> String>;

#[test]
fn bad_rows_are_refused_alike_by_the_build_and_at_runtime() {
    let l = line_of("minimax.tsv", "1008\tbase_resp");
    let ins = line_of("openai.tsv", "insufficient_quota\t");
    let cases: Vec<(&str, Edit, String)> = vec![
        (
            "minimax.tsv",
            Box::new(|t| t.replace("1008\tbase_resp", "10x8\tbase_resp")),
            format!("{l}: `base_resp.status_code` holds numbers; `10x8` is not one"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| t.replace("1008\tbase_resp", "0\tbase_resp")),
            format!("{l}: code 0 means success"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| {
                t.replace(
                    "-\tquota\tinsufficient_balance",
                    "-\tmoney\tinsufficient_balance",
                )
            }),
            format!("{l}: unknown kind `money`"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| {
                t.replace("quota\tinsufficient_balance\texact\t-\tinsufficient balance\tMiniMax error codes, English and Chinese editions\tdecides over the HTTP status: 1008 under 429 or 500 is still quota\tno", "quota\tinsufficient_balance\texact\t-\tinsufficient balance\tMiniMax error codes, English and Chinese editions\tdecides over the HTTP status: 1008 under 429 or 500 is still quota\tyes")
            }),
            format!("{l}: retry `yes` contradicts kind `quota`"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| {
                t.replace("1008\tbase_resp", "1009\tbase_resp")
                    .replace("1004\tbase_resp", "1010\tbase_resp")
            }),
            format!("{l}: rows must be sorted by id"),
        ),
        (
            "minimax.tsv",
            Box::new(|t| {
                t.replacen(
                    "\tMiniMax error codes, English and Chinese editions\t",
                    "\t",
                    1,
                )
            }),
            format!(
                "{}: 16 fields, expected 17",
                line_of("minimax.tsv", "1000\t")
            ),
        ),
        (
            "novita.tsv",
            Box::new(|t| {
                t.replacen(
                    "BANNED_USER\treason\t400\tauth\taccount_suspended",
                    "BANNED_USER\treason\t400\tauth\tAccountSuspended",
                    1,
                )
            }),
            format!(
                "{}: unknown reason `AccountSuspended`",
                line_of("novita.tsv", "BANNED_USER")
            ),
        ),
        (
            "novita.tsv",
            Box::new(|t| {
                t.replacen(
                    "BANNED_USER\treason\t400\tauth\taccount_suspended",
                    "BANNED_USER\treason\t400\tauth\tinsufficient_balance",
                    1,
                )
            }),
            format!(
                "{}: reason `insufficient_balance` does not belong to kind `auth`",
                line_of("novita.tsv", "BANNED_USER")
            ),
        ),
        (
            "novita.tsv",
            Box::new(|t| {
                t.replacen("BANNED_USER\treason", "BANNED_USER\treason\n#\nBANNED_USER\treason", 1).replacen("BANNED_USER\treason\n#\nBANNED_USER\treason", "BANNED_USER\treason\t400\tauth\taccount_suspended\texact\t-\tx\ty\t-\nBANNED_USER\treason", 1)
            }),
            format!(
                "{}: `BANNED_USER` in `reason` is already listed at line {}",
                line_of("novita.tsv", "BANNED_USER") + 1,
                line_of("novita.tsv", "BANNED_USER")
            ),
        ),
        (
            "openai.tsv",
            Box::new(|t| {
                t.replace(
                    "\t429\tquota\tinsufficient_balance\texact",
                    "\t429\tquota\tinsufficient_balance\tstrong",
                )
            }),
            format!("{ins}: weight `strong` is not exact or generic"),
        ),
        (
            "openai.tsv",
            Box::new(|t| {
                t.replace(
                    "insufficient_quota\terror.code+error.type",
                    "insufficient_quota\terror.kode",
                )
            }),
            format!("{ins}: where `error.kode` is not a field"),
        ),
        (
            "anthropic.tsv",
            Box::new(|t| t.replace("\t529\t", "\t999\t")),
            format!(
                "{}: status `999` is not an HTTP status",
                line_of("anthropic.tsv", "overloaded_error")
            ),
        ),
        (
            "phrases.tsv",
            Box::new(|t| t.replace("account suspended\t", "Account Suspended\t")),
            format!(
                "{}: phrase `Account Suspended` must be lower case",
                line_of("phrases.tsv", "account suspended\t")
            ),
        ),
        (
            "phrases.tsv",
            Box::new(|t| {
                t.replace(
                    "account suspended\tmessage\t-\tauth\taccount_suspended\texact\ten",
                    "account suspended\tmessage\t-\tauth\taccount_suspended\texact\tfr",
                )
            }),
            format!(
                "{}: lang `fr` is not en or zh",
                line_of("phrases.tsv", "account suspended\t")
            ),
        ),
        (
            "phrases.tsv",
            Box::new(|t| {
                t.replace(
                    "account suspended\t",
                    &format!("account suspended{}\t", " a".repeat(120)),
                )
            }),
            format!(
                "{}: phrase is longer than 200 bytes",
                line_of("phrases.tsv", "account suspended\t")
            ),
        ),
        (
            "gateway.tsv",
            Box::new(|t| t.replace("id\twhere\tstatus", "code\twhere\tstatus")),
            format!(
                "{}: the header is not that of a provider table",
                line_of("gateway.tsv", "id\twhere\tstatus")
            ),
        ),
        (
            "detect.tsv",
            Box::new(|t| t.replace("novita\treason & !error", "novita\treason & !eror")),
            format!(
                "{}: `eror` is not something a marker can look at",
                line_of("detect.tsv", "novita\treason")
            ),
        ),
    ];
    for (file, edit, want) in cases {
        let (built, runtime) = with_edit(file, edit);
        let built = built.expect_err(&want);
        assert!(
            built.starts_with(&format!("data/{file}:{want}")),
            "build: got {built:?}, want {want:?}"
        );
        let runtime = runtime.expect_err(&want).to_string();
        assert!(
            runtime.starts_with(&format!("{file}:{want}")),
            "runtime: got {runtime:?}, want {want:?}"
        );
    }
}

#[test]
fn the_build_refuses_what_only_the_whole_data_folder_shows() {
    // A table for a provider the registry does not list would be silently ignored.
    let dir = std::env::temp_dir().join(format!("errnorm-validator-extra-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(data()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(dir.join("mimo.tsv"), dir.join("acme.tsv")).unwrap();
    let got = codegen::generate(&dir).unwrap_err();
    assert_eq!(
        got,
        "data/acme.tsv: no provider `acme` in data/providers.tsv"
    );
    std::fs::remove_file(dir.join("acme.tsv")).unwrap();
    // One phrase listed by two tables.
    let mut g = std::fs::read_to_string(dir.join("gateway.tsv")).unwrap();
    g.push_str("请求超时\tmessage\t-\ttransient\ttimeout\texact\tzh\t-\tx\t-\n");
    std::fs::write(dir.join("gateway.tsv"), g).unwrap();
    let got = codegen::generate(&dir).unwrap_err();
    assert!(
        got.contains("phrase `请求超时` is already listed in data/phrases.tsv"),
        "{got}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runtime_rules_read_bytes_as_a_file_would_be() {
    let mut rules = errnorm::Rules::new();
    let table = "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\nX1\terror.code\t-\tauth\tinvalid_key\texact\t-\t-\tops\t-\n";
    // A BOM is accepted.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(table.as_bytes());
    rules.add_bytes("acme.tsv", &bom).unwrap();
    // Bytes that are not UTF-8 are refused with their line.
    let mut bad = table.as_bytes().to_vec();
    bad.extend_from_slice(b"X2\terror.code\t-\tauth\tinvalid_key\texact\t-\t\xFF\tops\t-\n");
    let e = errnorm::Rules::new()
        .add_bytes("acme.tsv", &bad)
        .unwrap_err();
    assert_eq!((e.line(), e.message()), (3, "not UTF-8"));
    // A row already added is refused, not silently replaced.
    let e = rules.add("acme.tsv", table).unwrap_err();
    assert_eq!(e.line(), 2);
    assert!(e.message().contains("already listed"), "{e}");
}
