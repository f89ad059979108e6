//! Runtime rules: rows in the formats of data/ add and override codes and phrases, read
//! before the built-in tables; bad rows are refused with file and line.

use errnorm::{Basis, ErrorKind, Provider, Reason, Rules};
use http::{HeaderMap, StatusCode};

const MINIMAX: &str = "# extra MiniMax codes\ncode\tkind\treason\tretry\tmax_retries\tbackoff\tlog_level\tmessage_en\tsolution_en\tmessage_zh\tsolution_zh\tsource\tnote\n";
const IDS: &str = "id\twhere\tstatus\tkind\treason\tweight\tdescription\tsource\tnote\n";
const PHRASES: &str = "phrase\tlang\tkind\treason\tsource\tnote\n";

fn v(rules: &Rules, status: u16, body: &str) -> (ErrorKind, Reason, Basis, String) {
    let v = rules
        .classify(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
        )
        .unwrap();
    (v.kind(), v.reason(), v.basis(), v.rule().id().into_owned())
}

#[test]
fn rows_add_new_codes_and_override_built_in_ones() {
    let mut r = Rules::new();
    r.add(
        "ops/minimax.tsv",
        &format!("{MINIMAX}1002\tquota\tusage_window_exhausted\t-\t-\t-\t-\tplan limit\t-\t-\t-\tops\toverride\n2064\ttransient\toverloaded\tyes\t3\t2.0\tWARNING\tcluster busy\t-\t-\t-\tops\t-\n"),
    )
    .unwrap();
    let busy = r#"{"base_resp":{"status_code":2064,"status_msg":"busy"}}"#;
    assert_eq!(
        v(&r, 200, busy),
        (
            ErrorKind::Transient,
            Reason::Overloaded,
            Basis::ProviderCode,
            "minimax:2064".into()
        )
    );
    // Runtime rows over built-in ones.
    let rl = r#"{"base_resp":{"status_code":1002,"status_msg":"rate limit"}}"#;
    assert_eq!(v(&r, 200, rl).1, Reason::UsageWindowExhausted);
    let built_in = errnorm::classify(StatusCode::OK, &HeaderMap::new(), rl.as_bytes()).unwrap();
    assert_eq!(built_in.reason(), Reason::RequestsPerTime);
    // The code in a message reads the runtime rows too; retry hints come along.
    let s = r#"{"type":"error","error":{"type":"api_error","message":"busy (2064)"}}"#;
    assert_eq!(v(&r, 500, s).2, Basis::CodeInMessage);
    let h = r
        .classify(StatusCode::OK, &HeaderMap::new(), busy.as_bytes())
        .unwrap()
        .retry_hint()
        .unwrap();
    assert_eq!((h.max_retries, h.backoff), (Some(3), Some(2.0)));
}

#[test]
fn identifiers_take_their_provider_from_a_comment_or_the_file_name() {
    let mut r = Rules::new();
    r.add("extra.tsv", &format!("# provider: novita\n{IDS}GPU_QUOTA_EXCEEDED\tgpu\t400\tquota\tplan_limit\texact\tGPU quota\tops\t-\n")).unwrap();
    r.add("gateway.tsv", &format!("{IDS}channel:no_available_key\tcode\t-\trate_limit\tconcurrency\texact\tall keys busy\tops\t-\n")).unwrap();
    let nov = r#"{"code":400,"reason":"GPU_QUOTA_EXCEEDED","message":"x"}"#;
    assert_eq!(v(&r, 400, nov).1, Reason::PlanLimit);
    let gw =
        r#"{"error":{"message":"x","type":"new_api_error","code":"channel:no_available_key"}}"#;
    assert_eq!(v(&r, 503, gw).1, Reason::Concurrency);
    let as_gw = r
        .classify_as(
            Provider::Gateway,
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            gw.as_bytes(),
        )
        .unwrap();
    assert_eq!(as_gw.reason(), Reason::Concurrency);
}

#[test]
fn runtime_phrases_win_over_built_in_phrases() {
    let mut r = Rules::new();
    r.add(
        "phrases.tsv",
        &format!("{PHRASES}too many requests; please upgrade\ten\tquota\tplan_limit\tops\t-\n"),
    )
    .unwrap();
    let m = r#"{"error":{"message":"Too many requests; please upgrade your plan","type":"new_api_error"}}"#;
    assert_eq!(v(&r, 429, m).1, Reason::PlanLimit);
    let plain = r#"{"error":{"message":"Too many requests","type":"new_api_error"}}"#;
    assert_eq!(v(&r, 429, plain).1, Reason::RequestsPerTime);
}

#[test]
fn bad_rows_are_refused_with_file_and_line() {
    let cases = [
        ("m.tsv", format!("# provider: minimax\n{MINIMAX}x1\tquota\tinsufficient_balance\t-\t-\t-\t-\ta\t-\t-\t-\ts\t-\n"), 4, "code `x1` is not a number"),
        ("minimax.tsv", format!("{MINIMAX}1\tmoney\tinsufficient_balance\t-\t-\t-\t-\ta\t-\t-\t-\ts\t-\n"), 3, "unknown kind `money`"),
        ("minimax.tsv", format!("{MINIMAX}1\tauth\tinsufficient_balance\t-\t-\t-\t-\ta\t-\t-\t-\ts\t-\n"), 3, "does not belong to kind `auth`"),
        ("minimax.tsv", format!("{MINIMAX}1\tquota\tinsufficient_balance\tyes\t-\t-\t-\ta\t-\t-\t-\ts\t-\n"), 3, "retry `yes` contradicts kind `quota`"),
        ("novita.tsv", format!("{IDS}A\tllm\t999\tauth\tinvalid_key\texact\td\ts\t-\n"), 2, "status `999` is not an HTTP status"),
        ("novita.tsv", format!("{IDS}A\tllm\t400\tauth\tinvalid_key\n"), 2, "5 fields, expected 9"),
        ("extra.tsv", format!("{IDS}A\tllm\t400\tauth\tinvalid_key\texact\td\ts\t-\n"), 0, "say the provider"),
        ("phrases.tsv", format!("{PHRASES}Upper\ten\tauth\tinvalid_key\ts\t-\n"), 2, "must be lower case"),
        ("x.tsv", "a\tb\n".to_string(), 1, "the header is not"),
    ];
    for (file, text, line, want) in cases {
        let e = Rules::new().add(file, &text).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), (file, line), "{e}");
        assert!(e.message.contains(want), "{e}");
        assert!(e.to_string().starts_with(&format!("{file}:{line}: ")));
    }
}

#[test]
fn runtime_phrases_break_ties_as_built_in_ones_do() {
    // Equal length, both found: the earlier row wins, as in data/phrases.tsv.
    let mut r = Rules::new();
    r.add(
        "phrases.tsv",
        &format!(
            "{PHRASES}aaaa\ten\tquota\tplan_limit\tops\t-\nbbbb\ten\tauth\tinvalid_key\tops\t-\n"
        ),
    )
    .unwrap();
    let m = r#"{"error":{"message":"bbbb then aaaa","type":"new_api_error"}}"#;
    assert_eq!(v(&r, 500, m).1, Reason::PlanLimit);
}
