//! Every row of `data/redaction.tsv` removes its secret, and no generated secret
//! survives redaction or the client-safe rendering of an error.

use errnorm::{
    classify,
    client::ClientOptions,
    redact::{redact, redaction_rules},
    ApiError,
};
use http::{HeaderMap, StatusCode};
use proptest::prelude::*;

#[test]
fn every_rule_removes_the_secret_of_its_example() {
    let rules = redaction_rules();
    assert!(rules.len() >= 20);
    for r in rules {
        let out = redact(r.example);
        assert!(
            !out.contains(r.secret),
            "{}: {:?} -> {out:?}",
            r.rule,
            r.example
        );
        assert!(
            out.contains(r.replace),
            "{}: {:?} -> {out:?}",
            r.rule,
            r.example
        );
    }
}

fn bare(s: String) -> (String, String) {
    (s.clone(), s)
}

/// The end of a long output, for messages.
fn tail(s: &str) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(80)).collect()
}

/// Secrets of every kind the rules cover, each as (the text to plant, the secret in
/// it). Every generated secret has a digit or a capital, like real ones, so that none is
/// a plain English word that the `Bearer`/`Basic` rules leave alone.
fn secret() -> impl Strategy<Value = (String, String)> {
    let token = "[A-Za-z0-9]{5,20}[0-9][A-Z]";
    let number = "[1-9][0-9]{2,5}\\.[0-9]{2,6}";
    prop_oneof![
        // Keys and tokens that name themselves.
        "sk-[A-Za-z0-9]{20,40}[0-9]".prop_map(bare),
        "sk-proj-[A-Za-z0-9_-]{20,40}[0-9]".prop_map(bare),
        "sk-ant-api03-[A-Za-z0-9_-]{20,40}[0-9]".prop_map(bare),
        "sk_[A-Za-z0-9]{16,32}[0-9]".prop_map(bare),
        "(AKIA|ASIA)[A-Z0-9]{16}".prop_map(bare),
        "gh[pousr]_[A-Za-z0-9]{35}[0-9]".prop_map(bare),
        "github_pat_[0-9][A-Za-z0-9]{21}_[A-Za-z0-9]{59}".prop_map(bare),
        "xox[bpar]-[0-9]{10,12}-[0-9]{10,13}-[A-Za-z0-9]{12,24}".prop_map(bare),
        "xapp-[0-9]-[A-Z0-9]{11}-[0-9]{13}-[a-f0-9]{16,64}".prop_map(bare),
        "hf_[A-Za-z]{33}[0-9]".prop_map(bare),
        "gsk_[A-Za-z0-9]{51}[0-9]".prop_map(bare),
        "xai-[A-Za-z0-9]{30,80}[0-9]".prop_map(bare),
        "AIza[A-Za-z0-9_-]{34}[0-9]".prop_map(bare),
        "[0-9a-f]{30}[0-9][a-f]".prop_map(bare),
        "eyJ[A-Za-z0-9_-]{10,20}\\.eyJ[A-Za-z0-9_-]{10,20}\\.[A-Za-z0-9_-]{10,30}".prop_map(bare),
        // Addresses.
        "[a-z]{1,10}(\\.[a-z0-9]{1,10})?@[a-z]{2,10}\\.(com|io|cn|co\\.uk)".prop_map(bare),
        (0u8..=255, 0u8..=255, 0u8..=255, 0u8..=255)
            .prop_map(|(a, b, c, d)| bare(format!("{a}.{b}.{c}.{d}"))),
        "fd[0-9a-f]{2}:[0-9a-f]{1,4}::[0-9a-f]{1,4}".prop_map(bare),
        "2001:db8:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}".prop_map(bare),
        "[a-z]{3,8}-[0-9]\\.[a-z]{3,8}\\.(internal|svc\\.cluster\\.local|local|svc|corp|lan|intranet)".prop_map(bare),
        // Values after a header, a field or a word.
        (prop::sample::select(vec![
            "Bearer {}", "Bearer\t{}", "bearer  {}", "Authorization: Basic {}", "x-api-key: {}",
            "X-Api-Key:{}", "api-key: {}", "\"api_key\":\"{}\"", "\"api_key\": \"{}\"", "api_key：{}",
            "apikey={}", "key={}", "token={}", "password={}", "\"secret\": \"{}\"", "access_token={}",
            "key({})", "key ({})", "key（{}）", "https://user:{}@gw.example.com/v1",
            "redis://:{}@cache:6379",
        ]), token)
            .prop_map(|(f, v)| (f.replace("{}", &v), v)),
        (prop::sample::select(vec!["GroupId={}", "group_id: {}", "\"group_id\":\"{}\"", "GroupId：{}"]), "[0-9]{16,19}")
            .prop_map(|(f, v)| (f.replace("{}", &v), v)),
        // Amounts.
        (prop::sample::select(vec![
            "balance: {}", "balance: -{}", "balance=$-{}", "${}", "$-{}", "$ {}", "￥{}", "¥{}",
            "¥-{}", "＄{}", "€{}", "£{}", "余额：{}", "余额:{}", "余额为{}", "余额 {} 元",
            "额度: ＄{}", "剩余额度: ＄{}", "当前余额：{}元", "{}元", "{} USD", "remaining quota: {}",
        ]), number)
            .prop_map(|(f, v)| (f.replace("{}", &v), v)),
    ]
}

/// The secrets that name themselves (a key, an address), not a value after a header.
fn bare_secret() -> impl Strategy<Value = String> {
    secret()
        .prop_filter("a secret that names itself", |(p, s)| p == s)
        .prop_map(|(_, s)| s)
}

/// What may stand right before and after a planted secret: white space, ASCII and
/// full-width punctuation, CJK text.
fn left() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        "\t",
        "\n",
        "：",
        "，",
        "（",
        "「",
        "【",
        "用户",
        "来自IP：",
        "密钥",
        "\"",
        "'",
        "=",
        "(",
        "[",
        "<",
        ": ",
        "。",
    ])
}

fn right() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        "\n",
        "。",
        "，",
        "）",
        "」",
        "】",
        "已被封禁",
        "不足",
        "\"",
        "'",
        ".",
        ",",
        ";",
        ")",
        "]",
        ">",
        "&x=1",
        "！",
    ])
}

/// Text around a secret: English words, CJK characters and full-width punctuation,
/// no digits (so that a digit of the output is not taken for a part of the secret).
fn filler() -> impl Strategy<Value = String> {
    "[a-z \u{4e00}-\u{4e3f}，。：（）「」！]{0,40}"
}

/// How a secret is set into text.
fn wrapped(s: String) -> impl Strategy<Value = (String, String)> {
    let s2 = s.clone();
    prop_oneof![
        Just((format!("error: {s} was rejected"), s.clone())),
        Just((format!("Authorization: Bearer {s}"), s.clone())),
        Just((format!("GET /v1/x?key={s}&y=1 failed"), s.clone())),
        Just((format!("upstream ({s}) said no."), s.clone())),
        Just((format!("\"{s}\","), s2)),
    ]
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(500),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_generated_secret_survives((text, secret) in bare_secret().prop_flat_map(wrapped), pre in "[a-z ]{0,20}", post in "[a-z .]{0,20}") {
        let text = format!("{pre} {text} {post}");
        let out = redact(&text);
        prop_assert!(!out.contains(&secret), "{:?} -> {:?}", text, out);
    }

    #[test]
    fn no_generated_secret_survives_rendering((text, secret) in bare_secret().prop_flat_map(wrapped), st in prop::sample::select(vec![400u16, 401, 403, 429, 500])) {
        // The secret in the upstream message and in the code; rendered every way.
        let body = serde_json::json!({"error": {"message": text, "type": "invalid_request_error", "code": secret}}).to_string();
        let e: ApiError = classify(StatusCode::from_u16(st).unwrap(), &HeaderMap::new(), body.as_bytes()).unwrap().into();
        for opts in [ClientOptions::default(), ClientOptions::default().with_upstream_message()] {
            let c = e.client_error(&opts);
            prop_assert!(!c.openai_body().to_string().contains(&secret), "{:?}", c);
            prop_assert!(!c.anthropic_body().to_string().contains(&secret), "{:?}", c);
        }
        prop_assert!(!e.to_string().contains(&secret));
        let debug = format!("{:?}", e);
        prop_assert!(!debug.contains(&secret));
    }

    /// Every category, at a random place in English and Chinese text, right next to
    /// CJK characters and full-width punctuation.
    #[test]
    fn no_planted_secret_survives_in_any_position(
        (planted, secret) in secret(),
        l in left(),
        r in right(),
        pre in filler(),
        post in filler(),
        more in prop::collection::vec((secret(), left()), 0..3),
    ) {
        let mut text = format!("{pre}{l}{planted}{r}{post}");
        let mut secrets = vec![secret];
        for ((p, s), l2) in more {
            text.push_str(l2);
            text.push_str(&p);
            text.push(' ');
            secrets.push(s);
        }
        let out = redact(&text);
        for s in &secrets {
            prop_assert!(!out.contains(s.as_str()), "{:?} survives: {:?} -> {:?}", s, text, out);
        }
    }

    /// A secret across the REDACT_LIMIT cut: neither it nor its first half (four or
    /// more characters of it) is in the output.
    #[test]
    fn no_secret_survives_the_cut(
        (planted, secret) in secret(),
        l in left(),
        before in 1usize..64,
        post in filler(),
    ) {
        let head = format!("{l}{planted}");
        // Put the cut `before` bytes into the planted text (at a char boundary).
        let mut into = before.min(head.len());
        while !head.is_char_boundary(into) {
            into -= 1;
        }
        let pad_len = errnorm::redact::REDACT_LIMIT.saturating_sub(into);
        let mut pad = "ab ".repeat(pad_len / 3);
        while pad.len() < pad_len {
            pad.push(' ');
        }
        let text = format!("{pad}{head} {post}");
        let out = redact(&text);
        prop_assert!(!out.contains(secret.as_str()), "{:?} survives the cut: {:?}", secret, tail(&out));
        let at = planted.find(secret.as_str()).unwrap_or(0);
        let secret_start = pad.len() + l.len() + at;
        let cut = errnorm::redact::REDACT_LIMIT;
        if secret_start < cut && cut < secret_start + secret.len() {
            let mut k = cut - secret_start;
            while !secret.is_char_boundary(k) {
                k -= 1;
            }
            let first = &secret[..k];
            if first.chars().count() >= 4 {
                prop_assert!(!out.contains(first), "first half {:?} of {:?} survives the cut: {:?}", first, secret, tail(&out));
            }
        }
    }

    #[test]
    fn redaction_never_panics_and_is_bounded(text in "\\PC{0,300}") {
        let out = redact(&text);
        prop_assert!(out.chars().count() <= errnorm::redact::REDACT_LIMIT + 1);
    }
}

#[test]
fn amounts_in_quota_messages() {
    assert_eq!(
        redact("Your balance is $3.17, requested $5.00."),
        "Your balance is $[amount], requested $[amount]."
    );
    assert_eq!(
        redact("余额不足，当前余额 ¥12.50"),
        "余额不足，当前余额 ¥[amount]"
    );
    assert_eq!(redact("您的余额 0.35 元不足"), "您的余额 [amount] 元不足");
}

#[test]
fn display_debug_and_serialize_carry_no_raw_upstream_text() {
    use http::{HeaderMap, StatusCode};
    let body = br#"{"error":{"code":"bad\u001b[2J\nFAKE LOG LINE sk-abcdefghijklmnop1234","message":"key sk-abcdefghijklmnop1234 from 10.0.3.17 failed","type":"x"}}"#;
    let v = errnorm::classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body).unwrap();
    let debug_v = format!("{v:?}");
    let e: errnorm::ApiError = v.into();
    for text in [
        e.to_string(),
        format!("{e:?}"),
        debug_v,
        serde_json::to_string(&e).unwrap(),
    ] {
        assert!(!text.contains("sk-abcdefghijklmnop1234"), "{text}");
        assert!(!text.contains("10.0.3.17"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\n'), "{text}");
    }
    // The raw message stays available on purpose.
    assert!(e.message().unwrap().contains("sk-abcdefghijklmnop1234"));
}

/// A generated token: letters and digits of a random alphabet, 12 to 80 long, with a
/// letter and a digit (a run of lower-case letters alone is a word, and kept).
fn planted() -> impl Strategy<Value = String> {
    ("[A-Za-z0-9]{10,78}", "[A-Za-z]", "[0-9]").prop_map(|(body, l, d)| format!("{l}{body}{d}"))
}

/// How a token is written into a message: as it is, percent-encoded, as `\u` escapes,
/// or in full-width forms.
fn encoded(token: &str, how: u8) -> String {
    match how % 4 {
        0 => token.to_string(),
        1 => token.bytes().map(|b| format!("%{b:02X}")).collect(),
        2 => token
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect(),
        _ => token
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A token planted in a real provider message, after any separator and in any
    /// encoding, survives in no channel: `redact`, and the owned error's Display, Debug
    /// and Serialize (its `message()` accessor is the upstream's text as sent, and says
    /// so).
    #[test]
    fn no_planted_token_survives_in_any_channel(
        token in planted(),
        how in 0u8..4,
        sep in prop::sample::select(vec![" ", "=", ": ", "/", "-", "_", "：", "，", "\"", "'", "(", "…"]),
        at in 0usize..4,
    ) {
        let messages = [
            "Incorrect API key provided{SEP}{T}. You can find your API key at https://platform.openai.com/account/api-keys.",
            "Rate limit reached for gpt-4o in organization{SEP}{T} on tokens per min (TPM): Limit 30000, Used 29000, Requested 1200.",
            "该令牌额度已用尽{SEP}{T}，请联系管理员",
            "upstream error: do request failed: Post https://api.example-llm.com/v1/chat/completions?key{SEP}{T}",
        ];
        let text = messages[at]
            .replace("{SEP}", sep)
            .replace("{T}", &encoded(&token, how));
        let out = redact(&text);
        prop_assert!(!out.contains(&token), "{text:?} -> {out:?}");
        let body = serde_json::json!({"error": {"message": text, "type": "x", "code": token}}).to_string();
        let v = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body.as_bytes()).unwrap();
        let e: ApiError = v.into();
        for channel in [
            e.to_string(),
            format!("{e:?}"),
            serde_json::to_string(&e).unwrap(),
        ] {
            prop_assert!(!channel.contains(&token), "{channel}");
        }
    }
}

/// A check of a redacted text.
type Check = Box<dyn Fn(&str) -> bool>;

/// Every row of `data/allow.tsv` does what its kind says: a public host's and a public
/// API domain's URLs stay, a number after a money word is an amount, an id with a
/// public prefix stays, and a dotted run of words ending in a listed zone is a host.
#[test]
fn every_allowlist_row_does_what_its_kind_says() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/allow.tsv")).unwrap();
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("kind\t") && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (kind, v) = (f[0], f[1]);
        let (input, check): (String, Check) = match kind {
            "host" => {
                let url = format!("https://{v}/docs/errors");
                (
                    format!("see {url} for details"),
                    Box::new(move |o: &str| o.contains(&url)),
                )
            }
            "domain" => {
                let url = format!("https://api.{v}/v1/chat/completions");
                (
                    format!("Post {url} failed"),
                    Box::new(move |o: &str| o.contains(&url)),
                )
            }
            "money" => (
                format!("your {v} 1234.50 is not enough"),
                Box::new(|o: &str| o.contains("[amount]") && !o.contains("1234.50")),
            ),
            "id_prefix" => {
                let id = format!("{v}a1B2c3D4e5F6g7H8");
                (
                    format!("failed for {id} again"),
                    Box::new(move |o: &str| o.contains(&id)),
                )
            }
            "tld" => {
                let host = format!("db.acme.{v}");
                (
                    format!("host {host} is down"),
                    Box::new(move |o: &str| !o.contains(&host) && o.contains("[")),
                )
            }
            k => panic!("unknown kind {k}"),
        };
        let out = redact(&input);
        assert!(check(&out), "{kind} {v}: {input:?} -> {out:?}");
        n += 1;
    }
    assert!(n >= 50, "{n} rows");
}
