//! The reference reader: the same fields as the scanner, read from serde_json's
//! `Value` by a separate, obvious implementation. Built only for tests and fuzzing; the
//! scanner must agree with it on every input serde_json accepts.

use serde_json::Value;

use super::fields::{Fields, Text, Val};
use super::scan;
use crate::schema::{Field, TextAt};

fn val(v: &Value) -> Val<'_> {
    match v {
        Value::String(s) => Val::Str(Text::Raw(s.as_bytes())),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Val::Int(i),
            None => match n.as_f64() {
                Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 =>
                {
                    #[allow(clippy::cast_possible_truncation)]
                    Val::Int(f as i64)
                }
                _ => Val::Other,
            },
        },
        _ => Val::Other,
    }
}

fn text(v: &Value) -> Option<Text<'_>> {
    v.as_str().map(|s| Text::Raw(s.as_bytes()))
}

/// The string under `key` of the first element of an array that has one.
fn first_in<'v>(v: &'v Value, key: &str) -> Option<Val<'v>> {
    v.as_array()?
        .iter()
        .find_map(|e| e.get(key).filter(|x| x.is_string()).map(val))
}

/// Whether a wrapper object holds an error (see `scan::wrapper`).
fn wrapper_says_error(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    let error = ["error", "Error"].iter().any(|k| match o.get(*k) {
        Some(Value::String(s)) => !s.bytes().all(|b| b.is_ascii_whitespace()),
        Some(Value::Object(m)) => !m.is_empty(),
        _ => false,
    });
    let code = ["code", "Code"].iter().any(|k| {
        o.get(*k)
            .is_some_and(|c| super::fields::code_says_error(Some(&val(c))))
    });
    let message = ["message", "Message", "msg"]
        .iter()
        .any(|k| matches!(o.get(*k), Some(Value::String(s)) if !s.bytes().all(|b| b.is_ascii_whitespace())));
    error || (code && message)
}

/// The document the reference reader reads (an array's first element, as the scanner
/// reads it), or `None` when serde_json refuses the body.
pub(crate) fn parse(b: &[u8]) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_slice(b);
    let v: Value = serde::Deserialize::deserialize(&mut de).ok()?;
    Some(match v {
        Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
        v => v,
    })
}

/// The fields the reference reader finds in a document [`parse`] read: its strings
/// borrowed as decoded text.
pub(crate) fn reference(v: &Value) -> Fields<'_> {
    let mut f = Fields::default();
    let Value::Object(top) = v else {
        return f;
    };
    fn put<'v>(f: &mut Fields<'v>, at: Field, v: Option<Val<'v>>) {
        if let Some(v) = v {
            f.set(at, v);
        }
    }
    for (k, v) in top {
        match k.as_str() {
            "type" => put(&mut f, Field::Type, Some(val(v))),
            "code" => put(&mut f, Field::Code, Some(val(v))),
            "reason" => put(&mut f, Field::Reason, Some(val(v))),
            "error_code" => put(&mut f, Field::ErrorCodeTop, Some(val(v))),
            "__type" => put(&mut f, Field::AmznType, Some(val(v))),
            "message" => *f.slot(TextAt::Message) = text(v),
            "error_msg" => *f.slot(TextAt::ErrorMsg) = text(v),
            "msg" => *f.slot(TextAt::Msg) = text(v),
            "description" => *f.slot(TextAt::Description) = text(v),
            "status" => f.status_top = Some(val(v)),
            "success" if v == &Value::Bool(false) => f.shape |= super::fields::SUCCESS_FALSE,
            "errors" => {
                let full = match v {
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    _ => false,
                };
                if full {
                    f.shape |= super::fields::ERRORS;
                }
            }
            k if scan::WRAPPERS.contains(&k) => {
                let n = scan::WRAPPERS.iter().position(|w| *w == k).unwrap_or(0);
                if wrapper_says_error(v) {
                    f.shape |= super::fields::WRAPPER_FIRST << n;
                }
            }
            "object" => *f.slot(TextAt::Object) = text(v),
            "choices" => put(&mut f, Field::FinishReason, first_in(v, "finish_reason")),
            "promptFeedback" => put(
                &mut f,
                Field::BlockReason,
                v.get("blockReason").filter(|x| x.is_string()).map(val),
            ),
            "base_resp" => {
                if let Value::Object(o) = v {
                    if let Some(c) = o.get("status_code") {
                        put(&mut f, Field::BaseRespStatusCode, Some(val(c)));
                    }
                    *f.slot(TextAt::StatusMsg) = o.get("status_msg").and_then(text);
                }
            }
            "error" => match v {
                Value::String(s) => {
                    *f.slot(TextAt::ErrorText) = Some(Text::Raw(s.as_bytes()));
                }
                Value::Object(o) => {
                    f.error_obj = true;
                    for (k, v) in o {
                        match k.as_str() {
                            "code" => put(&mut f, Field::ErrorCode, Some(val(v))),
                            "type" => put(&mut f, Field::ErrorType, Some(val(v))),
                            "status" => put(&mut f, Field::ErrorStatus, Some(val(v))),
                            "message" => *f.slot(TextAt::ErrorMessage) = text(v),
                            "innererror" => put(
                                &mut f,
                                Field::InnerCode,
                                v.get("code").filter(|x| x.is_string()).map(val),
                            ),
                            "details" => {
                                f.details = v.is_array();
                                put(&mut f, Field::DetailReason, first_in(v, "reason"));
                            }
                            "metadata" => *f.slot(TextAt::Raw) = v.get("raw").and_then(text),
                            _ => {}
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    // `candidates` and `choices` fill the same field; a body has one or the other.
    if let Some(c) = top.get("candidates") {
        if !top.contains_key("choices") {
            put(&mut f, Field::FinishReason, first_in(c, "finishReason"));
        }
    }
    if f.at(TextAt::Message).is_none() {
        *f.slot(TextAt::Message) = top.get("detail").and_then(text);
    }
    // TGI's `error_type`, when there is no `type`.
    if !top.contains_key("type") {
        put(&mut f, Field::Type, top.get("error_type").map(val));
    }
    f
}

/// Whether the scanner reads what the reference reader reads (`Err` says how not).
pub fn scanner_agrees(b: &[u8]) -> Result<(), String> {
    let mut got = Fields::default();
    let ok = scan::scan(b, &mut got);
    let Some(doc) = parse(b) else {
        // serde_json refuses it; the scanner need only not panic.
        return Ok(());
    };
    let want = reference(&doc);
    if ok && got == want {
        Ok(())
    } else {
        Err(format!("reference {want:?}, scanner {ok} {got:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::scanner_agrees as agrees;
    use proptest::prelude::*;

    use crate::read::test_json::{render, J};

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
        "error_code",
        "error_msg",
        "object",
        "__type",
        "candidates",
        "finish_reason",
        "finishReason",
        "promptFeedback",
        "blockReason",
        "status",
        "details",
        "innererror",
        "raw",
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
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().and_then(|x| x.to_str()) != Some("jsonl") {
                continue;
            }
            for line in std::fs::read_to_string(&p)
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let Some(body) = v["body"].as_str() else {
                    continue;
                };
                let body = body.as_bytes();
                for cut in 0..=body.len() {
                    assert_eq!(agrees(&body[..cut]), Ok(()), "{} cut at {cut}", p.display());
                }
                n += 1;
            }
        }
        assert!(n > 50, "only {n} fixture bodies");
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
            // Found by fuzzing: `error_type` then `type`, and the other way round.
            r#"{"error_type":"a","type":"b"}"#,
            r#"{"type":"b","error_type":"a"}"#,
            r#"{"error_type":"a"}"#,
            r#"{"type":7,"error_type":"a"}"#,
            r#"{"error":{"message":"\x41"}}"#,
            r#"{"error":{"message":"\u12"}}"#,
            r#"{"error":{"message":"\uZZZZ"}}"#,
            r#"{"error":{"message":"é\u0041é"}}"#,
        ] {
            assert_eq!(agrees(body.as_bytes()), Ok(()), "{body}");
        }
    }
}
