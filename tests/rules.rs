//! Runtime rules: rows in the formats of data/ add codes, phrases, markers and whole
//! providers, read before the built-in tables; bad rows are refused with file and line
//! (the refusals the build shares are in tests/validator.rs).

use errnorm::{Basis, Classifier, ErrorKind, Provider, Reason, Rules};
use http::{HeaderMap, StatusCode};

const IDS: &str = "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n";
const HINTS: &str = "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\tretry\tmax_retries\tbackoff\tlog_level\tsolution_en\tmessage_zh\tsolution_zh\n";
const DETECT: &str = "provider\tmarker\tsource\n";

fn v(rules: &Classifier, status: u16, body: &str) -> (ErrorKind, Reason, Basis, String) {
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
        &format!("{HINTS}1002\tbase_resp.status_code+message.code\t-\tquota\tusage_window_exhausted\texact\t-\tplan limit\tops\toverride\t-\t-\t-\t-\t-\t-\t-\n2064\tbase_resp.status_code+message.code\t-\ttransient\toverloaded\texact\t-\tcluster busy\tops\t-\tyes\t3\t2.0\tWARNING\t-\t-\t-\n"),
    )
    .unwrap();
    let busy = r#"{"base_resp":{"status_code":2064,"status_msg":"busy"}}"#;
    let r = Classifier::new().with_rules(r);
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
    assert_eq!((h.max_retries(), h.backoff()), (Some(3), Some(2.0)));
}

#[test]
fn rows_take_their_provider_from_a_comment_or_the_file_name() {
    let mut r = Rules::new();
    r.add("extra.tsv", &format!("# provider: novita\n{IDS}GPU_QUOTA_EXCEEDED\treason\t400\tquota\tplan_limit\texact\t-\tGPU quota\tops\t-\n")).unwrap();
    r.add("gateway.tsv", &format!("{IDS}channel:no_available_key\terror.code\t-\trate_limit\tconcurrency\texact\t-\tall keys busy\tops\t-\n")).unwrap();
    let nov = r#"{"code":400,"reason":"GPU_QUOTA_EXCEEDED","message":"x"}"#;
    let r = Classifier::new().with_rules(r);
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
        &format!("{IDS}too many requests; please upgrade\tmessage\t-\tquota\tplan_limit\texact\ten\t-\tops\t-\n"),
    )
    .unwrap();
    let m = r#"{"error":{"message":"Too many requests; please upgrade your plan","type":"new_api_error"}}"#;
    let r = Classifier::new().with_rules(r);
    assert_eq!(v(&r, 429, m).1, Reason::PlanLimit);
    let plain = r#"{"error":{"message":"Too many requests","type":"new_api_error"}}"#;
    assert_eq!(v(&r, 429, plain).1, Reason::RequestsPerTime);
}

#[test]
fn runtime_phrases_break_ties_as_built_in_ones_do() {
    // Equal length, both found: the earlier row wins, as in data/phrases.tsv.
    let mut r = Rules::new();
    r.add(
        "phrases.tsv",
        &format!("{IDS}aaaa\tmessage\t-\tquota\tplan_limit\texact\ten\t-\tops\t-\nbbbb\tmessage\t-\tauth\tinvalid_key\texact\ten\t-\tops\t-\n"),
    )
    .unwrap();
    let m = r#"{"error":{"message":"bbbb then aaaa","type":"new_api_error"}}"#;
    let r = Classifier::new().with_rules(r);
    assert_eq!(v(&r, 500, m).1, Reason::PlanLimit);
}

/// The README's "Adding a provider", done at runtime: a table and a marker for a
/// provider errnorm has never heard of, and its bodies classify with no code change.
/// The bodies have Baidu Qianfan's documented shape (`error_code` / `error_msg`), with
/// codes and a phrase of our own (no built-in table lists them), under a provider name
/// of our own, so that the test does not depend on the built-in tables.
#[test]
fn a_provider_added_through_runtime_rules_alone() {
    let mut r = Rules::new();
    r.add(
        "acme_cloud.tsv",
        &format!(
            "{IDS}77017\terror_code\t-\tquota\tusage_window_exhausted\texact\t-\tOpen api daily request limit reached\tBaidu Qianfan error codes\t-\n\
             77018\terror_code\t-\trate_limit\trequests_per_time\texact\t-\tOpen api qps request limit reached\tBaidu Qianfan error codes\t-\n\
             77336\terror_code\t-\tvalidation\tinvalid_params\texact\t-\tparam invalid\tBaidu Qianfan error codes\t-\n\
             no permission to access the acme\tmessage\t-\tauth\tpermission_denied\texact\ten\t-\tBaidu Qianfan error codes\t-\n"
        ),
    )
    .unwrap();
    r.add(
        "detect.tsv",
        &format!(
            "{DETECT}acme_cloud\terror_code & error_msg~request limit\tBaidu Qianfan error codes\n"
        ),
    )
    .unwrap();
    let daily = br#"{"error_code":77017,"error_msg":"Open api daily request limit reached"}"#;
    let r = Classifier::new().with_rules(r);
    let got = r
        .classify(StatusCode::OK, &HeaderMap::new(), daily)
        .unwrap();
    assert_eq!(got.reason(), Reason::UsageWindowExhausted);
    assert_eq!(got.basis(), Basis::ProviderCode);
    assert_eq!(got.provider_name(), Some("acme_cloud"));
    assert!(got.provider_detected());
    assert_eq!(got.provider(), None, "not a built-in provider");
    assert_eq!(got.rule().id(), "acme_cloud:77017");
    assert_eq!(got.evidence().path, "/error_code");
    let qps = br#"{"error_code":77018,"error_msg":"Open api qps request limit reached"}"#;
    assert_eq!(
        r.classify(StatusCode::OK, &HeaderMap::new(), qps)
            .unwrap()
            .kind(),
        ErrorKind::RateLimit
    );
    // A code the table lacks falls through to the message phrase, not to the status.
    let perm = br#"{"error_code":77999,"error_msg":"No permission to access the Acme data"}"#;
    let got = r.classify(StatusCode::OK, &HeaderMap::new(), perm).unwrap();
    assert_eq!(
        (got.reason(), got.basis()),
        (Reason::PermissionDenied, Basis::MessagePhrase)
    );
    // Without the rules, no acme row decides (a built-in phrase may still read the text).
    let plain = errnorm::classify(StatusCode::OK, &HeaderMap::new(), daily).unwrap();
    assert_ne!(plain.rule().id(), "acme_cloud:77017");
    assert_ne!(plain.provider_name(), Some("acme_cloud"));
}

#[test]
fn bad_files_are_refused_with_file_and_line() {
    let cases = [
        (
            "Extra Rules.tsv",
            format!("{IDS}A\treason\t400\tauth\tinvalid_key\texact\t-\td\ts\t-\n"),
            0,
            "name the provider",
        ),
        (
            "phrases.tsv",
            format!("{IDS}A\treason\t400\tauth\tinvalid_key\texact\t-\td\ts\t-\n"),
            2,
            "phrases (`message`) only",
        ),
        (
            "detect.tsv",
            format!("{DETECT}nobody\terror\tx\n"),
            2,
            "unknown provider `nobody`",
        ),
        ("x.tsv", "a\tb\n".to_string(), 1, "the header is not"),
    ];
    for (file, text, line, want) in cases {
        let e = Rules::new().add(file, &text).unwrap_err();
        assert_eq!((e.file(), e.line()), (file, line), "{e}");
        assert!(e.message().contains(want), "{e}");
        assert!(e.to_string().starts_with(&format!("{file}:{line}: ")));
    }
}

#[test]
fn many_small_adds_build_the_phrase_matcher_once() {
    // 2,000 single-row adds, then one classification: linear, not 2,000 rebuilds.
    let mut r = Rules::new();
    let t = std::time::Instant::now();
    for i in 0..2000 {
        r.add(
            "phrases.tsv",
            &format!(
                "{IDS}phrase number {i:05}\tmessage\t-\tauth\tinvalid_key\texact\ten\t-\tops\t-\n"
            ),
        )
        .unwrap();
    }
    let m = r#"{"error":{"message":"x phrase number 01999 y"}}"#;
    let r = Classifier::new().with_rules(r);
    assert_eq!(v(&r, 500, m).1, Reason::InvalidKey);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        t.elapsed()
    );
}

/// An error from a provider only runtime rules know keeps its name and its evidence in
/// the owned form, through serde and back, and says where it came from.
#[test]
fn the_owned_error_keeps_a_runtime_provider_s_name_and_the_evidence() {
    let mut r = Rules::new();
    r.add(
        "acme.tsv",
        "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n\
         ACME_OUT_OF_CREDIT\terror.code\t-\tquota\tinsufficient_balance\texact\t-\tno credit\tAcme's error page\t-\n",
    )
    .unwrap();
    let body = br#"{"error":{"code":"ACME_OUT_OF_CREDIT","message":"no credit"}}"#;
    let r = Classifier::new().with_rules(r);
    let v = r
        .classify(StatusCode::PAYMENT_REQUIRED, &HeaderMap::new(), body)
        .unwrap();
    assert_eq!(v.provider(), None);
    assert_eq!(v.provider_name(), Some("acme"));
    let e = v.clone().into_error();
    assert_eq!(e.provider(), None);
    assert_eq!(e.provider_name(), Some("acme"));
    assert_eq!(e.evidence(), v.evidence());
    assert_eq!(e.evidence().path, "/error/code");
    assert_eq!(e.evidence().value, "ACME_OUT_OF_CREDIT");
    assert!(e.to_string().contains("from acme"), "{e}");
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["provider"], serde_json::Value::Null);
    assert_eq!(json["provider_name"], "acme");
    assert_eq!(json["path"], "/error/code");
    let back: errnorm::ApiError = serde_json::from_value(json).unwrap();
    assert_eq!(back.provider_name(), Some("acme"));
    assert_eq!(back.evidence().path, "/error/code");
    // A built-in provider's id is its name too, and is not written twice.
    let m = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
    let e = errnorm::classify(StatusCode::OK, &HeaderMap::new(), m)
        .unwrap()
        .into_error();
    assert_eq!(e.provider_name(), Some("minimax"));
    assert!(serde_json::to_value(&e)
        .unwrap()
        .get("provider_name")
        .is_none());
}

/// A success-shaped body whose finish reason only runtime rules list as a refusal is an
/// error; the same body without the rules is not (a gateway's first look at a 200 must
/// ask the runtime rules too).
#[test]
fn a_finish_reason_only_runtime_rules_list_makes_a_200_an_error() {
    let body = br#"{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"acme_blocked"}]}"#;
    assert!(errnorm::classify(StatusCode::OK, &HeaderMap::new(), body).is_none());
    let mut r = Rules::new();
    r.add(
        "acme.tsv",
        "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n\
         acme_blocked\tfinish_reason\t200\tcontent\toutput_flagged\texact\t-\tblocked\tAcme's docs\t-\n",
    )
    .unwrap();
    let r = Classifier::new().with_rules(r);
    let v = r.classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
    assert_eq!(v.reason(), Reason::OutputFlagged);
    // Azure's documented content_filter finish reason, with no rules at all.
    let azure = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"content_filter"}]}"#;
    let v = errnorm::classify(StatusCode::OK, &HeaderMap::new(), azure).unwrap();
    assert_eq!(v.kind(), ErrorKind::Content);
}
