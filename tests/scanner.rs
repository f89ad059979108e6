//! The hot-path scanner reads the same fields as serde_json on every body serde_json
//! accepts: generated JSON with the keys errnorm reads, escapes, odd numbers, nesting
//! and white space; mutations of it; and every fixture.

mod common;

use common::json::{render, J};

use errnorm::scanner_agrees_with_serde as agrees;
use proptest::prelude::*;

const KEYS: &[&str] = &[
    "type",
    "error",
    "base_resp",
    "code",
    "reason",
    "message",
    "detail",
    "status_code",
    "status_msg",
    "param",
    "metadata",
    "choices",
    "x",
];

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0u32..30000).prop_map(|n| n.to_string()),
        (0u32..30000).prop_map(|n| format!("{n}.0")),
        (0u32..30000).prop_map(|n| format!("{n}.5")),
        (0u32..3000, 0u8..4).prop_map(|(n, e)| format!("{n}e{e}")),
        (0u32..3000, 0u8..4).prop_map(|(n, e)| format!("-{n}.00E+{e}")),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("123456789012345678901234567890".to_string()),
        Just("1.0e400".to_string()),
        Just("4.99999999999999999999".to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_ ]{0,12}",
        "\\PC{0,12}",
        // Long enough to cross the scanner's 8-byte SWAR words and its 64-byte switch to memchr.
        "[a-z\"\\\\ é]{0,150}",
        Just("insufficient balance (1008)".to_string()),
        Just("用户额度不足".to_string()),
        Just("quote \" backslash \\ slash / tab \t nl \n".to_string()),
        Just("emoji 😀 and \u{7f}".to_string()),
    ]
}

fn value() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        number().prop_map(J::Num),
        text().prop_map(J::Str),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(J::Arr),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(str::to_string),
                        "[a-z]{1,6}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(J::Obj),
        ]
    })
}

proptest! {
    // 1500 cases in CI; PROPTEST_CASES raises it for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500),
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_json_reads_the_same(j in value(), seed in any::<u64>()) {
        let text = render(&j, seed);
        prop_assert_eq!(agrees(text.as_bytes()), Ok(()), "{}", text);
    }

    #[test]
    fn error_shaped_json_reads_the_same(
        code in number(), msg in text(), kind in text(), seed in any::<u64>(), extra in value()
    ) {
        let j = J::Obj(vec![
            ("x".into(), extra.clone()),
            ("base_resp".into(), J::Obj(vec![("status_code".into(), J::Num(code.clone())), ("status_msg".into(), J::Str(msg.clone()))])),
            ("error".into(), J::Obj(vec![("code".into(), J::Num(code)), ("message".into(), J::Str(msg)), ("type".into(), J::Str(kind)), ("y".into(), extra)])),
        ]);
        let text = render(&j, seed);
        prop_assert_eq!(agrees(text.as_bytes()), Ok(()), "{}", text);
    }

    #[test]
    fn mutated_json_never_disagrees_where_serde_accepts(j in value(), seed in any::<u64>(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut b = render(&j, seed).into_bytes();
        if !b.is_empty() {
            let i = cut.index(b.len());
            b[i] = byte;
            prop_assert_eq!(agrees(&b), Ok(()));
            b.truncate(i);
            prop_assert_eq!(agrees(&b), Ok(()));
        }
    }
}

#[test]
fn every_fixture_body_and_every_prefix_reads_the_same() {
    for fx in common::all() {
        let body = fx.body();
        for cut in 0..=body.len() {
            assert_eq!(agrees(&body[..cut]), Ok(()), "{} cut at {cut}", fx.file);
        }
    }
}

#[test]
fn escaped_keys_and_duplicate_keys() {
    for body in [
        r#"{"err\u006fr":{"c\u006fde":"x","message":"\u7528\u6237"}}"#,
        r#"{"error":{"code":1},"error":"text"}"#,
        r#"{"error":"text","error":{"code":1}}"#,
        r#"{"error":{"code":1},"error":7}"#,
        r#"{"base_resp":{"status_code":1008},"base_resp":[1]}"#,
        r#"{"message":"a","message":1,"detail":"d"}"#,
        r#"{"base_resp":{"status_code":" 1008 ","status_msg":"x"}}"#,
        r#"{"base_resp":{"status_code":1008.0}}"#,
        r#"{"base_resp":{"status_code":1e3}}"#,
        r#"{"code":-0,"reason":null}"#,
        r#"{"code":-9223372036854775808}"#,
        r#"{"code":-9223372036854775809}"#,
        r#"{"code":9223372036854775807}"#,
        r#"{"code":9223372036854775808}"#,
        r#"{"code":-}"#,
        r#"{"code":00012}"#,
        r#"[{"error":"x"}] trailing"#,
        r#""just a string""#,
        r#"{"error":{"message":"\ud83d\ude00"}}"#,
        r#"{"error":{"message":"\ud83d"}}"#,
        r#"{"error":{"message":"\udc00"}}"#,
        r#"{"error":{"message":"\ud800\u0041"}}"#,
        r#"{"error":{"message":"\ud800\udBFF"}}"#,
        r#"{"error":{"message":"\u00E9\/\b\f\n\r\t\"\\"}}"#,
        r#"{"error":{"message":"\x41"}}"#,
        r#"{"error":{"message":"\u12"}}"#,
        r#"{"error":{"message":"\uZZZZ"}}"#,
        r#"{"error":{"message":"é\u0041é"}}"#,
    ] {
        assert_eq!(agrees(body.as_bytes()), Ok(()), "{body}");
    }
}
