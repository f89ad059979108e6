//! Properties over generated input: no panic on any bytes and status; detection and a
//! hint agree; a known code decides the same whatever noise surrounds it (extra fields,
//! white space, field order, `\uXXXX` escapes).

mod common;

use common::json::{render, J};
use errnorm::{classify, classify_as, Provider};
use http::{HeaderMap, StatusCode};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(500),
        ..ProptestConfig::default()
    }
}

fn status() -> impl Strategy<Value = StatusCode> {
    (100u16..600).prop_map(|s| StatusCode::from_u16(s).unwrap_or(StatusCode::OK))
}

/// Bodies near the shapes errnorm reads, and plain noise.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "\\PC{0,200}".prop_map(String::into_bytes),
        "[{}\\[\\]\":,0-9a-z_ \\\\]{0,200}".prop_map(String::into_bytes),
        (any::<u16>(), "\\PC{0,40}").prop_map(|(c, m)| {
            format!(r#"{{"base_resp":{{"status_code":{c},"status_msg":{m:?}}}}}"#).into_bytes()
        }),
        ("[a-z_]{0,20}", "\\PC{0,60}").prop_map(|(t, m)| {
            format!(r#"{{"type":"error","error":{{"type":"{t}","message":{m:?}}}}}"#).into_bytes()
        }),
        ("[A-Z_]{0,20}", any::<u16>()).prop_map(|(r, c)| {
            format!(r#"{{"code":{c},"reason":"{r}","message":"x"}}"#).into_bytes()
        }),
        "(data: [^\\n]{0,40}\\n){0,5}".prop_map(String::into_bytes),
    ]
}

/// A body with a known code, as (fields, the kind and reason it must give).
fn known() -> impl Strategy<Value = (Vec<(String, J)>, &'static str, &'static str)> {
    let s = |x: &str| J::Str(x.to_string());
    let o = |v: Vec<(&str, J)>| J::Obj(v.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    prop_oneof![
        Just((
            vec![(
                "base_resp".into(),
                o(vec![
                    ("status_code", J::Num("1008".into())),
                    ("status_msg", s("insufficient balance"))
                ])
            )],
            "quota",
            "insufficient_balance"
        )),
        Just((
            vec![
                ("code".into(), J::Num("400".into())),
                ("reason".into(), s("BANNED_USER")),
                ("message".into(), s("Account has been banned"))
            ],
            "auth",
            "account_suspended"
        )),
        Just((
            vec![(
                "error".into(),
                o(vec![
                    ("code", s("authentication_failed")),
                    ("message", s("Invalid API Key provided.")),
                    ("type", s("error"))
                ])
            )],
            "auth",
            "invalid_key"
        )),
        Just((
            vec![(
                "error".into(),
                o(vec![
                    ("message", s("quota")),
                    ("type", s("new_api_error")),
                    ("code", s("insufficient_user_quota"))
                ])
            )],
            "quota",
            "insufficient_balance"
        )),
        Just((
            vec![(
                "error".into(),
                o(vec![
                    ("message", s("too long")),
                    ("type", s("invalid_request_error")),
                    ("code", s("context_length_exceeded"))
                ])
            )],
            "validation",
            "context_length_exceeded"
        )),
        Just((
            vec![
                ("type".into(), s("error")),
                (
                    "error".into(),
                    o(vec![
                        ("type", s("overloaded_error")),
                        ("message", s("Overloaded"))
                    ])
                )
            ],
            "transient",
            "overloaded"
        )),
        Just((
            vec![
                ("type".into(), s("error")),
                (
                    "error".into(),
                    o(vec![
                        ("type", s("api_error")),
                        ("message", s("insufficient balance (1008)"))
                    ])
                )
            ],
            "quota",
            "insufficient_balance"
        )),
        Just((
            vec![(
                "error".into(),
                o(vec![
                    ("message", s("用户额度不足 (request id: 1)")),
                    ("type", s("new_api_error")),
                    ("code", s(""))
                ])
            )],
            "quota",
            "insufficient_balance"
        )),
        Just((
            vec![(
                "error".into(),
                o(vec![
                    ("message", s("当前分组上游负载已饱和，请稍后再试")),
                    ("type", s("one_api_error"))
                ])
            )],
            "rate_limit",
            "requests_per_time"
        )),
    ]
}

/// Values for extra fields, with keys errnorm does not read.
fn noise() -> impl Strategy<Value = Vec<(String, J)>> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i32>().prop_map(|n| J::Num(n.to_string())),
        "\\PC{0,20}".prop_map(J::Str),
    ];
    let value = leaf.prop_recursive(3, 20, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Arr),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4).prop_map(J::Obj),
        ]
    });
    prop::collection::vec(("x_[a-z]{1,8}", value), 0..5)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn nothing_panics_and_error_statuses_get_a_verdict(s in status(), b in body()) {
        let h = HeaderMap::new();
        let v = classify(s, &h, &b);
        prop_assert!(s.as_u16() < 400 || v.is_some());
        for p in Provider::iter() {
            let w = classify_as(p, s, &h, &b);
            prop_assert_eq!(w.is_some(), v.is_some());
        }
    }

    /// A hint only breaks ties between providers that list the same value; it never
    /// turns a documented code into something else. (The hint that equals the detected
    /// provider runs the same path as detection, so every provider is tried instead.)
    #[test]
    fn any_hint_keeps_the_kind_of_a_known_code(
        (fields, kind, _reason) in known(),
        s in prop::sample::select(vec![200u16, 400, 403, 429, 500, 503]),
    ) {
        let status = StatusCode::from_u16(s).unwrap();
        let h = HeaderMap::new();
        let body = render(&J::Obj(fields), 0);
        for p in Provider::iter() {
            let w = classify_as(p, status, &h, body.as_bytes()).unwrap();
            prop_assert_eq!(w.kind().as_str(), kind, "{} as {}", body, p);
        }
    }

    #[test]
    fn a_known_code_decides_whatever_surrounds_it(
        (fields, kind, reason) in known(),
        extra in noise(),
        order in any::<u64>(),
        seed in any::<u64>(),
        s in prop::sample::select(vec![200u16, 400, 403, 429, 500, 503]),
    ) {
        let status = StatusCode::from_u16(s).unwrap();
        let h = HeaderMap::new();
        let plain = render(&J::Obj(fields.clone()), 0);
        let base = classify(status, &h, plain.as_bytes()).unwrap();
        prop_assert_eq!(base.kind().as_str(), kind, "{}", plain);
        prop_assert_eq!(base.reason().as_str(), reason);
        // Extra fields, shuffled order, random white space and escapes.
        let mut all: Vec<(String, J)> = fields.into_iter().chain(extra).collect();
        let n = all.len();
        for i in (1..n).rev() {
            all.swap(i, (order.rotate_left(i as u32) % (i as u64 + 1)) as usize);
        }
        let noisy = render(&J::Obj(all), seed);
        let v = classify(status, &h, noisy.as_bytes()).unwrap();
        prop_assert_eq!(v.kind(), base.kind(), "{}", noisy);
        prop_assert_eq!(v.reason(), base.reason(), "{}", noisy);
        prop_assert_eq!(v.basis(), base.basis(), "{}", noisy);
    }
}
