//! The tables of `data/` as the ladder reaches them: every identifier row answers a
//! minimal body that carries it in each field its `where` column names, and every
//! phrase answers in context. Whether a row's meaning is right is checked against
//! expectations written independently, by hand, in `tests/seed_codes.rs`.

use errnorm::{
    classify, classify_as,
    tables::{codes, phrases, CodeInfo},
    Basis, Provider,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

/// A minimal body that carries `id` in `place`, with the status it would come under, a
/// header if the place is one, and the evidence expected to decide.
/// A status, maybe a header (name, value), a body, and the basis expected.
type Carrier = (StatusCode, Option<(&'static str, String)>, String, Basis);

fn carrier(place: &str, id: &str) -> Option<Carrier> {
    let num = id.parse::<i64>().ok();
    let bad = StatusCode::BAD_REQUEST;
    Some(match place {
        "base_resp.status_code" => (StatusCode::OK, None, json!({"base_resp": {"status_code": num?, "status_msg": "x"}}).to_string(), Basis::ProviderCode),
        "reason" => (bad, None, json!({"code": 400, "reason": id, "message": "x"}).to_string(), Basis::ProviderCode),
        "error_code" => (StatusCode::OK, None, json!({"error_code": num?, "error_msg": "x"}).to_string(), Basis::ProviderCode),
        "code" => (bad, None, json!({"code": id, "message": "x"}).to_string(), Basis::ProviderCode),
        "error.code" => (bad, None, json!({"error": {"code": id, "message": "x"}}).to_string(), Basis::ProviderCode),
        "error.innererror.code" => (bad, None, json!({"error": {"message": "x", "innererror": {"code": id}}}).to_string(), Basis::ProviderCode),
        "error.details.reason" => (bad, None, json!({"error": {"message": "x", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": id}]}}).to_string(), Basis::ProviderCode),
        "x-amzn-errortype" => (bad, Some(("x-amzn-errortype", format!("{id}:http://internal.amazon.com/coral/com.amazon.bedrock/"))), json!({"message": "x"}).to_string(), Basis::ProviderCode),
        "message.code" => (StatusCode::INTERNAL_SERVER_ERROR, None, json!({"type": "error", "error": {"type": "x_error", "message": format!("x ({})", num?)}}).to_string(), Basis::CodeInMessage),
        "error.type" => (bad, None, json!({"error": {"message": "x", "type": id}}).to_string(), Basis::ErrorType),
        "error.status" => (bad, None, json!({"error": {"message": "x", "status": id}}).to_string(), Basis::ErrorType),
        "type" => (bad, None, json!({"object": "error", "message": "x", "type": id}).to_string(), Basis::ErrorType),
        "finish_reason" => (StatusCode::OK, None, json!({"choices": [{"index": 0, "finish_reason": id}]}).to_string(), Basis::ErrorType),
        "block_reason" => (StatusCode::OK, None, json!({"promptFeedback": {"blockReason": id}}).to_string(), Basis::ErrorType),
        _ => return None,
    })
}

fn reach(p: Provider, row: &CodeInfo, n: &mut usize) {
    for place in row.places() {
        let Some((status, header, body, basis)) = carrier(place, row.code()) else {
            assert_eq!(place, "message", "{}: no carrier for `{place}`", row.rule());
            continue;
        };
        let mut h = HeaderMap::new();
        if let Some((name, value)) = header {
            h.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        let at = format!("{} in {place}: {body} under {status}", row.rule());
        let v = classify_as(p, status, &h, body.as_bytes()).unwrap_or_else(|| panic!("{at}"));
        assert_eq!(v.rule().id(), row.rule(), "{at}");
        assert_eq!(v.reason(), row.reason(), "{at}");
        assert_eq!(v.basis(), basis, "{at}");
        // Without the hint, some provider's row answers (several may list one value);
        // a bare number in a field several providers use names no provider, so only the
        // detected provider's own number answers.
        let d = classify(status, &h, body.as_bytes()).unwrap_or_else(|| panic!("{at}"));
        let numeric = row.code().bytes().all(|b| b.is_ascii_digit());
        if numeric && d.provider() != Some(p) {
            let owner = d.provider().map_or("-".into(), |q| format!("{q}:"));
            assert!(
                !matches!(d.basis(), Basis::ProviderCode | Basis::CodeInMessage)
                    || d.rule().id().starts_with(&owner),
                "classify {at}: {}",
                d.rule().id()
            );
        } else {
            assert!(
                d.rule().id().ends_with(&format!(":{}", row.code())),
                "classify {at}: {}",
                d.rule().id()
            );
        }
        *n += 1;
    }
}

#[test]
fn every_row_answers_in_every_field_it_names() {
    let mut n = 0;
    for p in Provider::iter() {
        let rows: Vec<_> = codes(p).collect();
        assert!(!rows.is_empty(), "{p} has no rows");
        for row in rows {
            reach(p, row, &mut n);
        }
    }
    assert!(n > 200, "only {n} carriers checked");
}

#[test]
fn every_table_code_of_the_seeds_is_present() {
    let minimax: Vec<_> = codes(Provider::Minimax).map(|r| r.code()).collect();
    for c in [
        "1000", "1001", "1002", "1004", "1008", "1024", "1026", "1027", "1033", "1039", "1041",
        "1042", "1043", "1044", "2013", "20132", "2037", "2038", "2039", "2042", "2045", "2048",
        "2049", "2056",
    ] {
        assert!(minimax.contains(&c), "minimax {c}");
    }
    assert_eq!(minimax.len(), 24);
    // Novita: 24 media + 9 LLM + 58 GPU + 5 billing rows in "Novita AI error codes", 91
    // distinct names.
    let novita: Vec<_> = codes(Provider::Novita).map(|r| r.code()).collect();
    for name in [
        "INVALID_REQUEST_BODY",
        "IMAGE_FILE_EXCEEDS_MAX_SIZE",
        "INVALID_IMAGE_FORMAT",
        "IMAGE_EXCEEDS_MAX_RESOLUTION",
        "INVALID_IMAGE_SIZE",
        "API_NOT_FOUND",
        "IMAGE_NO_FACE_DETECTED",
        "INVALID_CUSTOM_OUTPUT_PATH",
        "ILLEGAL_PROMPT",
        "ILLEGAL_IMAGE_CONTENT",
        "INVALID_AUDIO_FILE",
        "BILLING_FAILED",
        "BILLING_AUTH_FAILED",
        "BILLING_BALANCE_NOT_ENOUGH",
        "MISSING_API_KEY",
        "INVALID_API_KEY",
        "FEATURE_NOT_ALLOWED",
        "API_NOT_ALLOWED",
        "RATE_LIMIT_EXCEEDED",
        "NEED_REAL_NAME_VERIFY",
        "CREATE_TASK_FAILED",
        "TASK_NOT_FOUND",
        "GET_RESULT_FAILED",
        "TASK_FAILED",
        "MODEL_NOT_FOUND",
        "FAILED_TO_AUTH",
        "NOT_ENOUGH_BALANCE",
        "TOKEN_LIMIT_EXCEEDED",
        "SERVICE_NOT_AVAILABLE",
        "ACCESS_DENY",
        "UNKNOWN",
        "GET_TOKEN_FAILED",
        "FORBIDDEN",
        "UNAUTHORIZED",
        "USER_ALREADY_EXISTS",
        "INVALID_USER_OR_PASSWORD",
        "INVALID_CODE",
        "USER_NOT_FOUND",
        "USER_PHONE_NOT_CONSIST",
        "SEND_CODE_TOO_FAST",
        "INVALID_PUBLIC_KEY",
        "USER_NOT_ACTIVATED",
        "USER_ALREADY_ACTIVATED",
        "INVALID_USER_TOKEN",
        "BANNED_USER",
        "RESOURCE_NOT_FOUND",
        "CONFLICT",
        "VALIDATOR_PARAM",
        "REQUEST",
        "OPERATION_LIMIT",
        "INSUFFICIENT_RESOURCE",
        "CLUSTER_STATUS",
        "NODE_STATUS",
        "DEPENDENT_RESOURCE_STATE",
        "PREPAID_INSTANCE_NOT_SUPPORT_RELEASE",
        "CREATING_INSTANCE_NOT_SUPPORT_RENEWAL",
        "INSTANCE_LOCAL_STORAGE_NOT_FOUND",
        "INVALID_COMMAND_PARAM",
        "GPU_SPEC_USED",
        "INCORRECT_USER_SYNCER_REQUIRE_PARAMS",
        "MIGRATE_INSUFFICIENT_RESOURCE",
        "WALLET_NOT_FOUND",
        "WALLET_UNSUPPORT_RECHARGE_METHOD",
        "BALANCE_NOT_ENOUGH",
        "UNSUPPORTED_BILLING_MODE",
        "EXPIRED_OR_BALANCE_NOT_ENOUGH",
        "ORDER_NOT_FOUND",
        "SAVING_PLAN_ALREADY_EXISTS",
        "CREATE_INSTANCE_LIMIT",
        "NETWORK_STORAGE_TOO_LARGE",
        "CUR_CLUSTER_NETWORK_STORAGE_NOT_SUPPORT",
        "NETWORK_STORAGE_IN_USE",
        "NETWORK_STORAGE_UNAVAILABLE",
        "NETWORK_STORAGE_NOT_FOUND",
        "IMAGE_NOT_FOUND",
        "IMAGE_AUTH_IN_USE",
        "NETWORK_NOT_FOUND",
        "NETWORK_IN_USE",
        "NETWORK_MAX_LIMIT",
        "SEND_MSG_ERROR",
        "JOB_NOT_FOUND",
        "SERVERLESS_ENDPOINT_NOT_FOUND",
        "SERVERLESS_WORKER_NOT_FOUND",
        "SERVERLESS_PRODUCT_NOT_FOUND",
        "SERVERLESS_APP_NAME_IS_EXIST",
        "TEMPLATE_IS_PRIVATE",
        "TEMPLATE_NOT_FOUND",
        "LIST_BILL_TOO_FAST",
        "INVALID_PRODUCT_CATEGORY",
        "INVALID_BILL_CYCLE",
        "LIST_BILL_ERROR",
    ] {
        assert!(novita.contains(&name), "novita {name}");
    }
    assert_eq!(novita.len(), 91);
    let inv = errnorm::tables::lookup_code(Provider::Novita, "INVALID_API_KEY").unwrap();
    let m = inv.meaning().unwrap();
    assert!(m.contains("[llm]") && m.contains("[media]"), "{m}");
    assert_eq!(
        codes(Provider::Mimo)
            .filter(|r| r.places().any(|p| p == "error.code"))
            .count(),
        7
    );
}

#[test]
fn seeds_that_disagree_are_decided_as_documented() {
    // MiniMax 1039: the English edition says retry later, the Chinese edition's table
    // says adjust max_tokens.
    let r = errnorm::tables::lookup_code(Provider::Minimax, "1039").unwrap();
    assert_eq!(r.reason(), errnorm::Reason::TokensPerTime);
    assert!(r.note().unwrap().contains("disagree"));
    let hint = r.retry_hint().unwrap();
    assert_eq!((hint.max_retries(), hint.backoff()), (Some(2), Some(1.0)));
    // The Chinese edition's per-code retry budgets.
    for (code, max, backoff) in [("1000", 3, 1.5), ("1001", 3, 2.0), ("1002", 5, 2.0)] {
        let h = errnorm::tables::lookup_code(Provider::Minimax, code)
            .unwrap()
            .retry_hint()
            .unwrap();
        assert_eq!(
            (h.max_retries(), h.backoff()),
            (Some(max), Some(backoff)),
            "{code}"
        );
    }
}

#[test]
fn every_phrase_row_matches_in_context_and_in_any_ascii_case() {
    for p in phrases() {
        for text in [
            format!("Error: {} (request id: 20240101)", p.code()),
            format!("{}!", p.code().to_ascii_uppercase()),
        ] {
            let body = json!({"error": {"message": text, "type": "new_api_error", "code": ""}})
                .to_string();
            for v in [
                classify(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &HeaderMap::new(),
                    body.as_bytes(),
                ),
                classify_as(
                    Provider::Gateway,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &HeaderMap::new(),
                    body.as_bytes(),
                ),
            ] {
                let v = v.unwrap();
                assert_eq!(v.reason(), p.reason(), "{text:?}");
                assert_eq!(v.basis(), Basis::MessagePhrase, "{text:?}");
                assert_eq!(v.rule().id(), p.rule(), "{text:?}");
            }
        }
    }
}
