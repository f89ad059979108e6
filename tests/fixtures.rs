//! Golden fixtures per provider (`tests/fixtures/*.jsonl`): each classifies to its
//! expected kind, reason, basis, provider and code, with detection and with a hint.

mod common;

use errnorm::{classify, classify_as, Basis, ErrorKind, Provider, Verdict};

fn check(fx: &common::Fixture, v: &Option<Verdict<'_>>, how: &str) {
    let at = format!("{} ({}) via {how}", fx.file, fx.name);
    let e = &fx.expect;
    match (v, &e.kind) {
        (None, None) => {}
        (None, Some(k)) => panic!("{at}: no verdict, expected {k}"),
        (Some(v), None) => panic!("{at}: expected no error, got {v:?}"),
        (Some(v), Some(k)) => {
            assert_eq!(v.kind().as_str(), k, "{at}: kind; {v:?}");
            if let Some(r) = &e.reason {
                assert_eq!(v.reason().as_str(), r, "{at}: reason; {v:?}");
            }
            if let Some(ms) = e.retry_after_ms {
                assert_eq!(
                    v.retry_after().map(|d| d.as_millis() as u64),
                    Some(ms),
                    "{at}: retry_after"
                );
            }
        }
    }
}

#[test]
fn detection_gets_kind_reason_basis_provider_and_code() {
    for fx in common::all() {
        let body = fx.body();
        let v = classify(fx.status(), &fx.headers(), &body);
        check(&fx, &v, "classify");
        let Some(v) = v else { continue };
        let at = format!("{} ({})", fx.file, fx.name);
        if let Some(b) = &fx.expect.basis {
            assert_eq!(v.basis().as_str(), b, "{at}: basis; {v:?}");
        }
        if let Some(p) = &fx.expect.provider {
            assert_eq!(
                v.provider().map(|p| p.as_str()),
                Some(p.as_str()),
                "{at}: provider"
            );
            assert!(v.provider_detected(), "{at}");
        }
        if let Some(c) = &fx.expect.code {
            let got = serde_json::to_value(v.code()).unwrap();
            assert_eq!(&got, c, "{at}: code");
        }
    }
}

#[test]
fn a_hint_gives_the_same_verdict() {
    for fx in common::all() {
        let body = fx.body();
        let providers: Vec<Provider> = match &fx.expect.provider {
            Some(p) => vec![p.parse().unwrap()],
            // Shapes no provider owns: every hint must agree, since the status decides.
            None => Provider::iter().collect(),
        };
        for p in providers {
            let v = classify_as(p, fx.status(), &fx.headers(), &body);
            check(&fx, &v, &format!("classify_as({p})"));
            if let Some(v) = v {
                assert_eq!(v.provider(), Some(p));
                assert!(!v.provider_detected());
            }
        }
    }
}

#[test]
fn bodies_errnorm_cannot_read_are_marked_and_decided_by_status() {
    for fx in common::all()
        .into_iter()
        .filter(|f| f.file.starts_with("not_json"))
    {
        let body = fx.body();
        if let Some(v) = classify(fx.status(), &fx.headers(), &body) {
            // Plain text is read for phrases; everything else here leaves it to the status.
            if v.basis() != errnorm::Basis::MessagePhrase {
                assert_eq!(v.basis(), errnorm::Basis::HttpStatus, "{}", fx.name);
            }
            // A JSON body whose message is not UTF-8 still has a shape to detect.
            if v.body_form() != errnorm::verdict::BodyForm::Json {
                assert!(v.provider().is_none(), "{}", fx.name);
            }
        }
    }
}

#[test]
fn every_kind_is_covered_by_some_fixture() {
    let all = common::all();
    for k in ErrorKind::iter() {
        assert!(
            all.iter()
                .any(|f| f.expect.kind.as_deref() == Some(k.as_str())),
            "no fixture for {k}"
        );
    }
}

#[test]
fn evidence_names_where_the_deciding_value_is() {
    for fx in common::all() {
        let body = fx.body();
        let Some(v) = classify(fx.status(), &fx.headers(), &body) else {
            continue;
        };
        let e = v.evidence();
        let at = format!("{} ({}): {e:?}", fx.file, fx.name);
        assert_eq!(e.basis, v.basis(), "{at}");
        assert_eq!(e.rule, v.rule().id(), "{at}");
        let text = String::from_utf8_lossy(&body).to_lowercase();
        match e.basis {
            Basis::ProviderCode => {
                assert!(
                    ["/base_resp/status_code", "/reason", "/error/code"].contains(&e.path.as_ref()),
                    "{at}"
                );
                assert!(text.contains(&e.value.to_lowercase()), "{at}");
            }
            Basis::CodeInMessage => {
                assert!(
                    e.path.ends_with("message") || e.path.ends_with("status_msg"),
                    "{at}"
                );
                assert!(text.contains(&format!("({})", e.value)), "{at}");
            }
            Basis::ErrorType => {
                assert_eq!(e.path, "/error/type", "{at}");
                assert!(text.contains(&e.value.to_lowercase()), "{at}");
            }
            Basis::MessagePhrase => {
                // A JSON pointer to the message, or `body` for a plain-text body.
                assert!(e.path.starts_with('/') || e.path == "body", "{at}");
                // The phrase is in the message, as written or behind \u escapes.
                let decoded = v.message().unwrap_or_default().to_lowercase();
                assert!(decoded.contains(e.value.as_ref()), "{at}");
            }
            Basis::HttpStatus => {
                assert_eq!(e.path, "status", "{at}");
                assert_eq!(e.value, fx.status.to_string(), "{at}");
            }
            Basis::Cue => {
                // The words of the response; the rule names each cue that decided.
                assert_eq!(e.path, "words", "{at}");
                assert!(e.rule.starts_with("cue:"), "{at}");
                let words = text.to_lowercase();
                for cue in e.value.split('+') {
                    let head = cue.split(" * ").next().unwrap_or(cue).trim_end_matches('*');
                    assert!(words.contains(head), "{at}: `{head}` is not in the body");
                }
            }
            _ => assert_eq!(e.path, "body", "{at}"),
        }
    }
}
