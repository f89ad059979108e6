//! The pipeline: a response read once (`read/`), decided once (`decide/`), and its
//! verdict built once; the upstream body an aggregator wraps goes through the same
//! reading and deciding. The one place a classification's `tracing` event fires.

use std::time::SystemTime;

use http::{HeaderMap, StatusCode};

use crate::decide::rules::Rules;
use crate::decide::tables::Owner;
use crate::decide::{self, Decision, Evidence};
use crate::read::headers::Seen;
use crate::read::{self, BodyForm, Fields, Text, Val};
use crate::schema::{Field, Step, TextAt};
use crate::verdict::{Code, Rule, Said, Verdict};
use crate::Provider;

/// Classifies a response, detecting the provider from the body's shape: a shortcut
/// for [`Classifier::shared`](crate::Classifier::shared)`().classify(..)`.
///
/// Returns `None` when the response is not an error: a status below 400 whose body does
/// not say it is an error (a MiniMax `base_resp` with code 0, an SSE stream of ordinary
/// chunks, any success body). Every other response gets a verdict; when the body cannot
/// be read (HTML, plain text, empty, truncated, too deeply nested) the status decides,
/// with [`Basis::HttpStatus`](crate::Basis::HttpStatus).
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
    run(None, None, status, headers, body)
}

/// Classifies a response from a known provider: its rows are preferred where several
/// providers list the same value, and detection is skipped; every other provider's rows
/// still apply, so a forwarded OpenAI or Anthropic error is still understood. A shortcut
/// for [`Classifier::shared`](crate::Classifier::shared)`().classify_as(..)`.
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
    run(None, Some(provider), status, headers, body)
}

/// Classifies with optional runtime rules read before the built-in tables.
pub(crate) fn run<'a>(
    rules: Option<&'a Rules>,
    hint: Option<Provider>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    read_and_run(read::read, (rules, hint), status, headers, body)
}

/// Classifies the first bytes of a body that was cut at a cap (a relay's
/// `BODY_LIMIT`): the fields read before the cut decide, as they would have in the whole
/// body (MiniMax's `base_resp` comes first); the cut document itself is no evidence.
#[cfg(feature = "http-body")]
pub(crate) fn run_prefix<'a>(
    rules: Option<&'a Rules>,
    hint: Option<Provider>,
    status: StatusCode,
    headers: &HeaderMap,
    prefix: &'a [u8],
) -> Option<Verdict<'a>> {
    read_and_run(read::read_prefix, (rules, hint), status, headers, prefix)
}

/// A body's reader: its bytes, a buffer for what a few bodies are read from instead
/// (see `read::read`), the fields to fill.
type Reader = for<'s> fn(&'s [u8], &'s mut Vec<u8>, &mut Fields<'s>) -> (BodyForm, bool);

/// A body read into fields by `reader`, then classified.
#[inline(always)]
fn read_and_run<'a>(
    reader: Reader,
    (rules, hint): (Option<&'a Rules>, Option<Provider>),
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    // What a few bodies are read from instead of their own bytes (see `read::read`);
    // it allocates nothing unless one of them needs it.
    let mut buf = Vec::new();
    let mut f = Fields::default();
    let (form, ok) = reader(body, &mut buf, &mut f);
    run_read(rules, hint, status, headers, form, ok.then_some(&f), body)
}

/// Classifies what was read from a body (or from one event of a stream): the evidence
/// built once, decided, and the verdict built once from it. The verdict borrows its
/// texts from `body` where the fields are spans of it, and copies the others.
pub(crate) fn run_read<'a>(
    rules: Option<&'a Rules>,
    hint: Option<Provider>,
    status: StatusCode,
    headers: &HeaderMap,
    form: BodyForm,
    fields: Option<&Fields<'_>>,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    let look = decide::first_look(status, fields, rules);
    if look == decide::Look::NoError {
        // Not an error: no evidence built, nothing more read.
        return None;
    }
    let (decision, owner, detected, msg_code, retry_after) = {
        let mut seen = Seen::default();
        seen.fill(headers);
        let mut ev = Evidence::new(fields, headers, &seen, rules);
        let screen = decide::screen(&mut ev, status, hint, look, |ev| {
            let raw = ev.fields?.at(TextAt::Raw)?;
            raw.with(|raw| nested(raw, headers, &seen, rules))
        })?;
        let d = screen.decision;
        let header_delay = seen.delay(SystemTime::now);
        let (d, retry_after) = decide::finish(&mut ev, status, d, header_delay);
        (d, screen.owner, screen.detected, ev.msg_code, retry_after)
    };
    let name = match owner {
        Some(Owner::Builtin(p)) => Some(p.as_str()),
        Some(Owner::Runtime(i)) => rules.and_then(|r| r.provider_name(i)),
        _ => None,
    };
    let provider = match owner {
        Some(Owner::Builtin(p)) => Some(p),
        _ => None,
    };
    let v = verdict(
        decision,
        (provider, name, detected),
        fields.map(|f| (f, body)),
        msg_code,
        (status, retry_after, form),
    );
    #[cfg(feature = "tracing")]
    if let Some(v) = &v {
        crate::integrations::trace::classified(v);
    }
    #[cfg(feature = "metrics")]
    if let Some(v) = &v {
        crate::integrations::metrics::classified(v);
    }
    v
}

/// How much of a wrapped upstream body is read.
const NESTED_LIMIT: usize = 64 << 10;

/// The decision of an upstream body wrapped as a string (OpenRouter's
/// `error.metadata.raw`): read like any body, then decided from its own evidence. Read
/// once: a body wrapped in the wrapped body is not unwrapped again.
fn nested<'r>(
    raw: &[u8],
    headers: &HeaderMap,
    seen: &Seen<'_>,
    rules: Option<&'r Rules>,
) -> Option<Decision<'r>> {
    let raw = raw.get(..NESTED_LIMIT).unwrap_or(raw);
    let mut buf = Vec::new();
    let mut f = Fields::default();
    let (_, ok) = read::read(raw, &mut buf, &mut f);
    if !ok {
        return None;
    }
    *f.slot(TextAt::Raw) = None;
    let mut ev = Evidence::new(Some(&f), headers, seen, rules);
    decide::nested(&mut ev)
}

/// The verdict, built once from the decision and the body's own code, message and type.
/// `msg_code` is the message's `(NNNN)` code, as the evidence read it (not read again).
#[inline(always)]
fn verdict<'a>(
    d: Decision<'a>,
    (provider, provider_name, detected): (Option<Provider>, Option<&'a str>, bool),
    fields: Option<(&Fields<'_>, &'a [u8])>,
    msg_code: Option<i64>,
    (status, retry_after, body_form): (StatusCode, Option<std::time::Duration>, BodyForm),
) -> Option<Verdict<'a>> {
    // The body's own code, type and message (none without fields), then the verdict
    // built in one expression, so that it is written once where it is returned.
    let (code, error_type, message) = match fields {
        Some((f, body)) => own_texts(&d, f, body, msg_code),
        None => (None, None, None),
    };
    Some(Verdict {
        reason: d.reason,
        provider,
        provider_name,
        detected,
        code,
        message,
        error_type,
        decoded: Default::default(),
        basis: d.basis,
        rule: d.rule,
        path: d.path,
        status,
        retry_after,
        body_form,
    })
}

/// The code that decided (else the most specific code in the body), the error type
/// and the message, as the verdict keeps them.
#[inline(always)]
fn own_texts<'a>(
    d: &Decision<'a>,
    f: &Fields<'_>,
    body: &'a [u8],
    msg_code: Option<i64>,
) -> (Option<Code<'a>>, Option<Said<'a>>, Option<Said<'a>>) {
    let code_of = |f: &Fields<'_>, field: Field| -> Option<Code<'a>> {
        match field {
            Field::MessageCode => msg_code.map(Code::Number),
            _ => match f.get(field)? {
                Val::Int(n) => Some(Code::Number(*n)),
                Val::Str(t) if !t.is_empty() => to_cow(t, body).map(Code::Name),
                _ => None,
            },
        }
    };
    let code = match d.field.filter(|f| f.step() != Step::Type) {
        // The deciding code, as the body wrote it, is the row's own id: borrowed from
        // the table, not checked as UTF-8 again.
        Some(field) => match (d.rule, f.get(field)) {
            (Rule::Code(row), Some(Val::Str(Text::Raw(b)))) if *b == row.id.as_bytes() => {
                Some(Code::Name(std::borrow::Cow::Borrowed(row.id.as_ref())))
            }
            _ => code_of(f, field),
        },
        None => None,
    }
    .or_else(|| {
        crate::schema::REPORTED_CODES
            .into_iter()
            .find_map(|field| match (field, f.get(field)) {
                (Field::BaseRespStatusCode | Field::ErrorCodeTop, Some(Val::Int(0))) => None,
                (Field::Code, Some(Val::Int(_))) => None, // Novita and others: the HTTP status
                _ => code_of(f, field),
            })
    });
    let error_type = crate::schema::REPORTED_TYPES.into_iter().find_map(|field| {
        let t = f.text(field)?;
        if field == Field::Type && t.with(|b| b == b"error") {
            return None;
        }
        Said::of(*t, body)
    });
    let message = f.message().and_then(|(t, _)| Said::of(*t, body));
    (code, error_type, message)
}

/// The text, borrowed from the body where it is a span of it and has no escapes;
/// `None` if it is not UTF-8.
fn to_cow<'a>(t: &Text<'_>, body: &'a [u8]) -> Option<std::borrow::Cow<'a, str>> {
    match Said::of(*t, body)? {
        Said::Raw(b) => std::str::from_utf8(b).ok().map(std::borrow::Cow::Borrowed),
        Said::Owned(s) => Some(std::borrow::Cow::Owned(s.into_string())),
        t => t
            .text()?
            .as_str()
            .map(|s| std::borrow::Cow::Owned(s.into_owned())),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use http::{HeaderMap, StatusCode};

    use super::classify;
    use crate::verdict::Code;

    #[test]
    fn texts_of_the_body_are_borrowed_and_texts_read_elsewhere_are_copied() {
        let h = HeaderMap::new();
        // A JSON body: the code and message are spans of it.
        let body = br#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
        let v = classify(StatusCode::TOO_MANY_REQUESTS, &h, body).unwrap();
        assert!(matches!(
            v.code(),
            Some(Code::Name(Cow::Borrowed("rate_limit_exceeded")))
        ));
        let m = v.message().unwrap();
        assert_eq!(m, "Rate limit reached");
        let in_body = body.as_ptr_range();
        assert!(in_body.contains(&m.as_ptr()));
        // A Python-printed dict (as an SDK prints a response and a user pastes it) is
        // read from the JSON it stands for, a buffer gone when classify returns: the
        // verdict keeps copies.
        let body = br#"{'error': {'message': "It's too many", 'type': 'requests', 'code': 'rate_limit_exceeded'}}"#;
        let v = classify(StatusCode::TOO_MANY_REQUESTS, &h, body).unwrap();
        assert_eq!(v.message(), Some("It's too many"));
        assert_eq!(v.error_type(), Some("requests"));
        assert!(matches!(v.code(), Some(Code::Name(c)) if c == "rate_limit_exceeded"));
        // The same printed inside a line of text.
        let body = br#"Error code: 429 - {'error': {'message': 'Slow down', 'type': 'requests', 'code': None}}"#;
        let v = classify(StatusCode::TOO_MANY_REQUESTS, &h, body).unwrap();
        assert_eq!(v.message(), Some("Slow down"));
        assert_eq!(v.error_type(), Some("requests"));
        // An SSE payload over two data lines is read joined: its texts are copies too,
        // decoded where escaped.
        let body = b"event: error\ndata: {\"type\":\"error\",\ndata: \"error\":{\"type\":\"overloaded_error\",\"message\":\"Over\\u006coaded \\\"now\\\"\"}}\n\n";
        let v = classify(StatusCode::OK, &h, body).unwrap();
        assert_eq!(v.message(), Some("Overloaded \"now\""));
        assert_eq!(v.error_type(), Some("overloaded_error"));
        let owned = crate::ApiError::from(v);
        assert_eq!(owned.message(), Some("Overloaded \"now\""));
    }
}
