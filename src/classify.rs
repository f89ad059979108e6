//! The order of evidence, written down once for all providers (see [`Basis`]).

use http::{HeaderMap, StatusCode};

use crate::body::{self, Fields, Val};
use crate::providers::{self, minimax};
use crate::rules::Rules;
use crate::tables::{self, CodeInfo};
use crate::verdict::{Basis, Code, Rule, Verdict};
use crate::{Provider, Reason};

/// Classifies a response, detecting the provider from the body's shape.
///
/// Returns `None` when the response is not an error: a status below 400 whose body does
/// not say it is an error (a MiniMax `base_resp` with code 0, an SSE stream of ordinary
/// chunks, any success body). Every other response gets a verdict; when the body cannot
/// be read (HTML, plain text, empty, truncated, not UTF-8, too deeply nested) the status
/// decides, with [`Basis::HttpStatus`].
///
/// ```
/// use errnorm::{classify, Basis, ErrorKind, Provider};
/// use http::{HeaderMap, StatusCode};
///
/// let body = br#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#;
/// let v = classify(StatusCode::OK, &HeaderMap::new(), body).unwrap();
/// assert_eq!(v.kind(), ErrorKind::Quota);
/// assert_eq!(v.provider(), Some(Provider::Minimax));
/// assert_eq!(v.basis(), Basis::ProviderCode);
/// assert!(!v.is_retryable());
///
/// let ok = br#"{"base_resp":{"status_code":0,"status_msg":"success"}}"#;
/// assert!(classify(StatusCode::OK, &HeaderMap::new(), ok).is_none());
/// ```
pub fn classify<'a>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    run_with(None, None, status, headers, body)
}

/// Classifies a response from a known provider: its rules are read first, then the
/// others', so a forwarded OpenAI or Anthropic error is still understood.
///
/// ```
/// use errnorm::{classify_as, ErrorKind, Provider, Reason};
/// use http::{HeaderMap, StatusCode};
///
/// let body = br#"{"code":400,"reason":"BILLING_BALANCE_NOT_ENOUGH","message":"Insufficient balance"}"#;
/// let v = classify_as(Provider::Novita, StatusCode::BAD_REQUEST, &HeaderMap::new(), body).unwrap();
/// assert_eq!(v.kind(), ErrorKind::Quota); // the reason decides over the 400
/// assert_eq!(v.reason(), Reason::InsufficientBalance);
/// assert!(!v.provider_detected());
/// ```
pub fn classify_as<'a>(
    provider: Provider,
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    run_with(None, Some(provider), status, headers, body)
}

/// Classifies with optional runtime rules read before the built-in tables.
pub(crate) fn run_with<'a>(
    rules: Option<&Rules>,
    hint: Option<Provider>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    let mut read = Fields::default();
    let (form, has_fields) = body::read(body, &mut read);
    let fields = has_fields.then_some(&read);
    let says_error = fields.is_some_and(Fields::says_error);
    if status.as_u16() < 400 && !says_error {
        return None;
    }
    let msg_code = fields
        .and_then(Fields::message)
        .and_then(minimax::code_in_message);
    let (provider, detected) = match hint {
        Some(p) => (Some(p), false),
        None => {
            let p = fields.and_then(|f| providers::detect(f, msg_code));
            (p, p.is_some())
        }
    };
    let retry_after = crate::headers::retry_after(headers);
    let mut v = Verdict {
        reason: Reason::ServerError,
        provider,
        detected,
        code: None,
        message: None,
        error_type: None,
        basis: Basis::Default,
        rule: Rule::Default,
        path: "body",
        status,
        retry_after,
        body_form: form,
    };
    let decided = match fields {
        Some(f) if says_error => decide(f, provider, msg_code, rules, &mut v),
        _ => false,
    };
    if has_fields {
        fill_from_body(&mut read, msg_code, &mut v);
    }
    if !decided {
        if let Some(reason) = by_status(status) {
            v.reason = reason;
            v.basis = Basis::HttpStatus;
            v.rule = Rule::Status(status);
            v.path = "status";
        }
    }
    Some(v)
}

/// Reads the evidence in order; `true` if something decided.
fn decide<'a>(
    f: &Fields<'a>,
    provider: Option<Provider>,
    msg_code: Option<i64>,
    rules: Option<&Rules>,
    v: &mut Verdict<'a>,
) -> bool {
    // Runtime rows first, then the built-in tables.
    let minimax = |c: i64| {
        rules
            .and_then(|r| r.minimax(c))
            .or_else(|| tables::minimax(c))
    };
    let ident = |p: Provider, id: &str| {
        rules
            .and_then(|r| r.identifier(p, id))
            .or_else(|| tables::identifier(p, id))
    };
    let phrase = |m: &str| {
        rules
            .and_then(|r| r.phrase(m))
            .or_else(|| tables::match_phrase(m))
    };
    // The first table in `order` that has an identifier owns it, whatever its weight:
    // OpenAI's catch-all `rate_limit_exceeded` is not MiMo's exact one.
    let order = providers::order(provider);
    let error_code = f.error.as_ref().and_then(|e| e.code.as_ref());
    let error_type = f.error.as_ref().and_then(|e| e.kind.as_deref());

    // 1. Structured provider codes.
    type Hit<'a> = (&'static CodeInfo, Code<'a>, &'static str);
    let structured = |generic: bool| -> Option<Hit<'a>> {
        if let Some(c) = f.base_code.filter(|&c| c != 0) {
            if let Some(r) = minimax(c).filter(|r| r.generic == generic) {
                return Some((r, Code::Number(c), "/base_resp/status_code"));
            }
        }
        if let Some(name) = f.reason.as_ref().filter(|_| f.error.is_none()) {
            if let Some(r) = ident(Provider::Novita, name).filter(|r| r.generic == generic) {
                return Some((r, Code::Name(name.clone()), "/reason"));
            }
        }
        if let Some(c) = minimax::error_code(f) {
            if let Some(r) = minimax(c).filter(|r| r.generic == generic) {
                return Some((r, Code::Number(c), "/error/code"));
            }
        }
        let Some(Val::Str(name)) = error_code else {
            return None;
        };
        order
            .iter()
            .filter(|p| matches!(p, Provider::Mimo | Provider::Gateway | Provider::Openai))
            .find_map(|&p| ident(p, name))
            .filter(|r| r.generic == generic)
            .map(|r| (r, Code::Name(name.clone()), "/error/code"))
    };
    let typed = |generic: bool| -> Option<&'static CodeInfo> {
        let t = error_type?;
        order
            .iter()
            .filter(|&&p| p != Provider::Minimax && p != Provider::Novita)
            .find_map(|&p| ident(p, t))
            .filter(|r| r.generic == generic)
    };

    if let Some((row, code, path)) = structured(false) {
        set(v, row.reason, Basis::ProviderCode, Rule::Code(row), path);
        v.code = Some(code);
        return true;
    }
    // 2. A MiniMax code in the message.
    if let Some(row) = msg_code.and_then(minimax) {
        set(
            v,
            row.reason,
            Basis::CodeInMessage,
            Rule::Code(row),
            f.message_path(),
        );
        return true;
    }
    // 3. The error type.
    if let Some(row) = typed(false) {
        set(
            v,
            row.reason,
            Basis::ErrorType,
            Rule::Code(row),
            "/error/type",
        );
        return true;
    }
    // 4. A phrase of the message.
    if let Some(p) = f.message().and_then(phrase) {
        set(
            v,
            p.reason,
            Basis::MessagePhrase,
            Rule::Phrase(p),
            f.message_path(),
        );
        return true;
    }
    // 5. Catch-all codes and types.
    if let Some((row, code, path)) = structured(true) {
        set(v, row.reason, Basis::ProviderCode, Rule::Code(row), path);
        v.code = Some(code);
        return true;
    }
    if let Some(row) = typed(true) {
        set(
            v,
            row.reason,
            Basis::ErrorType,
            Rule::Code(row),
            "/error/type",
        );
        return true;
    }
    false
}

fn set(v: &mut Verdict<'_>, reason: Reason, basis: Basis, rule: Rule, path: &'static str) {
    v.reason = reason;
    v.basis = basis;
    v.rule = rule;
    v.path = path;
}

/// Copies the provider's own code, message and type into the verdict. The code that
/// decided (set by [`decide`]) wins; otherwise the most specific code in the body.
fn fill_from_body<'a>(f: &mut Fields<'a>, msg_code: Option<i64>, v: &mut Verdict<'a>) {
    let (e_code, e_msg, e_type) = match f.error.as_mut() {
        Some(e) => (e.code.take(), e.message.take(), e.kind.take()),
        None => (None, None, None),
    };
    if v.code.is_none() {
        v.code = f
            .base_code
            .filter(|&c| c != 0)
            .map(Code::Number)
            .or(msg_code.map(Code::Number))
            .or(f.reason.take().map(Code::Name))
            .or(match e_code {
                Some(Val::Str(s)) if !s.is_empty() => Some(Code::Name(s)),
                Some(Val::Int(n)) => Some(Code::Number(n)),
                _ => None,
            });
    }
    v.message = e_msg
        .or(f.message.take())
        .or(f.base_msg.take())
        .or(f.error_text.take());
    v.error_type = e_type.or(f.top_type.take().filter(|t| t != "error"));
}

/// The status alone. `None` below 400: no error status to go by.
fn by_status(status: StatusCode) -> Option<Reason> {
    use Reason::*;
    let s = status.as_u16();
    Some(match s {
        0..=399 => return None,
        401 => InvalidKey,
        402 => InsufficientBalance,
        403 => PermissionDenied,
        404 | 410 => NotFound,
        408 | 499 => Timeout,
        409 => Conflict,
        429 => RequestsPerTime,
        451 => InputFlagged,
        400..=499 => InvalidParams,
        502 | 520..=523 | 530 => UpstreamUnavailable,
        503 | 529 => Overloaded,
        504 | 524 => Timeout,
        _ => ServerError,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_class_maps_to_its_kind() {
        use crate::ErrorKind::*;
        assert_eq!(by_status(StatusCode::OK), None);
        assert_eq!(by_status(StatusCode::FOUND), None);
        for s in 400..600u16 {
            let r = by_status(StatusCode::from_u16(s).unwrap()).unwrap();
            if s >= 500 {
                assert_eq!(r.kind(), Transient, "{s}");
            }
        }
        let k = |s: u16| by_status(StatusCode::from_u16(s).unwrap()).unwrap().kind();
        assert_eq!(k(401), Auth);
        assert_eq!(k(402), Quota);
        assert_eq!(k(429), RateLimit);
        assert_eq!(k(400), Validation);
        assert_eq!(k(451), Content);
    }
}
