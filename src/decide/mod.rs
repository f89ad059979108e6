//! Deciding: which provider sent a response ([`detect`]), and the order of evidence
//! (the ladder), written down once for all providers. The ladder names fields, never
//! providers: it asks the tables which rows list a field's value, and prefers the
//! given or detected provider's row.

pub(crate) mod cues;
pub(crate) mod detect;
pub(crate) mod phash;
pub(crate) mod rules;
pub(crate) mod tables;

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

use crate::read::{self, generic, BodyForm, Fields, Text, Val};
use crate::schema::{Field, Step};
use crate::text::dfa::Dfa;
use crate::verdict::{Basis, Code, Rule, Verdict};
use crate::{ErrorKind, Provider, Reason};
use rules::Rules;
use tables::{CodeInfo, Owner};

/// Classifies a response, detecting the provider from the body's shape.
///
/// Returns `None` when the response is not an error: a status below 400 whose body does
/// not say it is an error (a MiniMax `base_resp` with code 0, an SSE stream of ordinary
/// chunks, any success body). Every other response gets a verdict; when the body cannot
/// be read (HTML, plain text, empty, truncated, too deeply nested) the status decides,
/// with [`Basis::HttpStatus`].
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
/// still apply, so a forwarded OpenAI or Anthropic error is still understood.
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

/// What decided: the reason, which evidence, the row, where, and the field whose value
/// is the provider's code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Decision<'r> {
    pub reason: Reason,
    pub basis: Basis,
    pub rule: Rule<'r>,
    pub path: &'static str,
    pub field: Option<Field>,
}

/// The evidence of one response, with every table lookup done at most once and shared
/// by detection and the ladder.
pub(crate) struct Evidence<'a, 'r> {
    pub fields: Option<&'a Fields<'a>>,
    pub headers: &'a HeaderMap,
    pub amzn: Option<&'a [u8]>,
    /// Whether `amzn` came from the header (else from a body's `__type`).
    pub amzn_header: bool,
    pub msg_code: Option<i64>,
    pub rules: Option<&'r Rules>,
    /// Presence bits of every probe the body answers (see `schema::Probe::bit`).
    pub present: u32,
    /// The lookups done so far: a body has few fields, so a short list beats a table.
    cache: [(Option<Field>, Hits<'r>); 4],
}

/// The rows that list one field's value: the runtime ones, then the built-in ones.
#[derive(Clone, Copy)]
pub(crate) struct Hits<'r> {
    runtime: &'r [CodeInfo],
    builtin: &'static [u16],
    /// A provider whose rows are left out (the leave-one-provider-out measurement).
    skip: Option<Owner>,
}

impl<'r> Hits<'r> {
    const NONE: Hits<'static> = Hits {
        runtime: &[],
        builtin: &[],
        skip: None,
    };

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'r CodeInfo> + '_ {
        let rows = tables::all_rows();
        let skip = self.skip;
        self.runtime
            .iter()
            .chain(
                self.builtin
                    .iter()
                    .filter_map(move |&i| rows.get(usize::from(i))),
            )
            .filter(move |r| skip != Some(r.owner))
    }

    /// The one owner of every row, if they share one (the built-in rows alone when no
    /// runtime row lists the value: the common case, without the chained iterator).
    pub(crate) fn sole_owner(&self) -> Option<Owner> {
        if self.runtime.is_empty() && self.skip.is_none() {
            let rows = tables::all_rows();
            let mut it = self
                .builtin
                .iter()
                .filter_map(|&i| rows.get(usize::from(i)));
            let first = it.next()?.owner;
            return it.all(|r| r.owner == first).then_some(first);
        }
        let first = self.iter().next()?.owner;
        self.iter().all(|r| r.owner == first).then_some(first)
    }

    pub(crate) fn is_empty(&self) -> bool {
        if self.skip.is_some() {
            return self.iter().next().is_none();
        }
        self.runtime.is_empty() && self.builtin.is_empty()
    }

    /// The row that answers: the preferred provider's, else the first (runtime rows
    /// first, then registry order).
    fn best(&self, prefer: Option<Owner>) -> Option<&'r CodeInfo> {
        if self.runtime.is_empty() && self.skip.is_none() {
            let rows = tables::all_rows();
            let row = |i: &u16| rows.get(usize::from(*i));
            if let Some(p) = prefer {
                if let Some(r) = self.builtin.iter().filter_map(row).find(|r| r.owner == p) {
                    return Some(r);
                }
            }
            return self.builtin.first().and_then(row);
        }
        if let Some(p) = prefer {
            if let Some(r) = self.iter().find(|r| r.owner == p) {
                return Some(r);
            }
        }
        self.iter().next()
    }
}

/// A number's decimal digits, on the stack.
struct Digits {
    buf: [u8; 20],
    len: usize,
}

impl Digits {
    fn new(n: i64) -> Option<Digits> {
        let mut n = u64::try_from(n).ok()?;
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        buf.copy_within(i.., 0);
        Some(Digits { buf, len: 20 - i })
    }

    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl<'a, 'r> Evidence<'a, 'r> {
    pub(crate) fn new(
        fields: Option<&'a Fields<'a>>,
        headers: &'a HeaderMap,
        seen: &read::headers::Seen<'a>,
        rules: Option<&'r Rules>,
    ) -> Evidence<'a, 'r> {
        let msg_code = fields
            .and_then(Fields::message)
            .and_then(|(m, _)| code_in_message(m.bytes()));
        let from_header = seen.amzn_type();
        let amzn_header = from_header.is_some();
        let amzn = from_header.or_else(|| {
            fields
                .and_then(|f| f.text(Field::AmznType))
                .map(|t| aws_name(t.bytes()))
        });
        let mut present = fields.map_or(0, Fields::presence);
        if msg_code.is_some() {
            present |= crate::schema::field_bit(Field::MessageCode);
        }
        if amzn.is_some() {
            present |= crate::schema::field_bit(Field::AmznType);
        }
        Evidence {
            fields,
            headers,
            amzn,
            amzn_header,
            present,
            msg_code,
            rules,
            cache: [(None, Hits::NONE); 4],
        }
    }

    /// The value of a field as bytes to look up, if the response has one.
    fn with_key<T>(&self, field: Field, f: impl FnOnce(&[u8]) -> T) -> Option<T> {
        match field {
            Field::MessageCode => Some(f(Digits::new(self.msg_code?)?.bytes())),
            Field::AmznType => Some(f(self.amzn?)),
            Field::Message => None,
            _ => match self.fields?.get(field)? {
                Val::Str(t) => {
                    let b = t.bytes().trim_ascii();
                    // The Anthropic envelope's `"type":"error"` names no error.
                    if field == Field::Type && b == b"error" {
                        return None;
                    }
                    (!b.is_empty()).then(|| f(b))
                }
                Val::Int(n) => Some(f(Digits::new(*n)?.bytes())),
                Val::Other => None,
            },
        }
    }

    /// The rows that list this field's value (looked up once).
    pub(crate) fn hits(&mut self, field: Field) -> Hits<'r> {
        if self.present & crate::schema::field_bit(field) == 0 {
            return Hits::NONE;
        }
        if let Some((_, h)) = self.cache.iter().find(|(f, _)| *f == Some(field)) {
            return *h;
        }
        let rules = self.rules;
        let h = self
            .with_key(field, |key| Hits {
                runtime: rules.map_or(&[][..], |r| r.lookup(field, key)),
                builtin: tables::lookup_indices(field, key),
                skip: held_out(),
            })
            .unwrap_or(Hits::NONE);
        if let Some(slot) = self.cache.iter_mut().find(|(f, _)| f.is_none()) {
            *slot = (Some(field), h);
        }
        h
    }

    /// The best phrase in the message: a runtime one first, then a built-in one.
    fn phrase(&self) -> Option<(&'r CodeInfo, &'static str)> {
        let (m, at) = self.fields?.message()?;
        let row = self
            .rules
            .and_then(|r| r.phrase(m.bytes()))
            .or_else(|| tables::phrase_in(m.bytes()))?;
        if let Some(skip) = held_out() {
            if row.owner == skip {
                // The held-out provider's phrase: the best phrase of the others.
                let row = tables::phrase_in_except(m.bytes(), skip)?;
                return Some((row, at.pointer()));
            }
        }
        Some((row, at.pointer()))
    }
}

#[cfg(feature = "holdout")]
thread_local! {
    static HELD_OUT: std::cell::Cell<Option<Provider>> = const { std::cell::Cell::new(None) };
}

/// The provider whose rows and markers are switched off on this thread, if any.
#[inline(always)]
pub(crate) fn held_out() -> Option<Owner> {
    #[cfg(feature = "holdout")]
    {
        HELD_OUT
            .try_with(std::cell::Cell::get)
            .ok()
            .flatten()
            .map(Owner::Builtin)
    }
    #[cfg(not(feature = "holdout"))]
    {
        None
    }
}

/// Runs `f` with one provider's own rows (codes, types, phrases) and detection markers
/// switched off on this thread, as if errnorm had no table for it: the
/// leave-one-provider-out measurement of how well the generic layer (shapes, words,
/// cues) serves a provider it does not know. For errnorm's own tests (feature
/// `holdout`); never needed by a consumer.
#[cfg(feature = "holdout")]
#[doc(hidden)]
pub fn hold_out<R>(provider: Provider, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Provider>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = HELD_OUT.try_with(|h| h.set(self.0));
        }
    }
    let _reset = Reset(
        HELD_OUT
            .try_with(|h| h.replace(Some(provider)))
            .ok()
            .flatten(),
    );
    f()
}

/// An AWS JSON `__type` (`com.amazon.coral.service#ThrottlingException`) without its
/// namespace, up to any `:`.
fn aws_name(b: &[u8]) -> &[u8] {
    let b = match memchr::memrchr(b'#', b) {
        Some(i) => b.get(i + 1..).unwrap_or_default(),
        None => b,
    };
    b.split(|&c| c == b':').next().unwrap_or(b)
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

/// A body read into fields by `reader`, then classified.
#[inline(always)]
fn read_and_run<'a>(
    reader: fn(&'a [u8], &mut Fields<'a>) -> (BodyForm, bool),
    (rules, hint): (Option<&'a Rules>, Option<Provider>),
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Option<Verdict<'a>> {
    let mut f = Fields::default();
    let (form, ok) = reader(body, &mut f);
    run_read(rules, hint, status, headers, form, ok.then_some(&mut f))
}

/// Classifies what was read from a body (or from one event of a stream).
pub(crate) fn run_read<'a>(
    rules: Option<&'a Rules>,
    hint: Option<Provider>,
    status: StatusCode,
    headers: &HeaderMap,
    form: BodyForm,
    fields: Option<&mut Fields<'a>>,
) -> Option<Verdict<'a>> {
    let (decision, provider, detected, msg_code, retry_after) = {
        let seen = read::headers::Seen::read(headers);
        let mut ev = Evidence::new(fields.as_deref(), headers, &seen, rules);
        let says_error =
            fields.as_deref().is_some_and(Fields::says_error) || content_refusal(&mut ev);
        if status.as_u16() < 400 && !says_error {
            // Not an error: nothing more is read (a gateway calls this on every response).
            return None;
        }
        let (owner, detected) = match hint {
            Some(p) => (Some(Owner::Builtin(p)), false),
            None => {
                let o = detect::detect(&mut ev);
                (o, o.is_some())
            }
        };
        let mut d = exact(&mut ev, owner).or_else(|| catch_all(&mut ev, owner));
        // An aggregator's wrapper ("Provider returned error") says less than the
        // upstream's own body, which it carries as a string: that decides if it can,
        // unless the wrapper has an exact code of its own.
        if !d.is_some_and(|d| d.is_exact_code()) {
            if let Some(raw) = ev.fields.and_then(|f| f.raw.as_ref()) {
                if let Some(n) = nested(raw.bytes(), headers, &seen, rules) {
                    d = Some(n);
                }
            }
        }
        // A row that listed anything means a shape the fast reader knows; otherwise the
        // generic reading looks for the error wherever it is.
        let known = d.is_some();
        let mut reading: Option<Reading> = None;
        // No exact row: the words of the response, weighed against the answer without
        // them (a catch-all row, else the status).
        if d.map_or(true, |d| d.is_catch_all()) {
            let r = reading.get_or_insert_with(|| Reading::new(&mut ev, known));
            // A wrapper's own failure status (a 2xx, a 424, a 5xx) says less than an
            // upstream's error status its words quote ("client error (400) from model").
            let quoted = r
                .stated()
                .status
                .filter(|_| !(400..500).contains(&status.as_u16()) || status.as_u16() == 424)
                .and_then(|q| StatusCode::from_u16(q).ok());
            let without = d.unwrap_or_else(|| match quoted {
                Some(q) => Decision {
                    path: "words",
                    ..fallback(q)
                },
                None => fallback(status),
            });
            let prior = (without.basis != Basis::Default).then_some(without.reason);
            d = match cues::vote(r.found(), prior) {
                Some((reason, set)) => Some(Decision {
                    reason,
                    basis: Basis::Cue,
                    rule: Rule::Cues(set),
                    path: "words",
                    field: None,
                }),
                None => d.or(quoted.map(|_| without)),
            };
        }
        let mut d = d.unwrap_or_else(|| fallback(status));
        let header_delay = seen.delay(SystemTime::now);
        // A throttle's window, from the words, numbers or wait the body states: a quota
        // decided by anything but an exact code row, a rate limit by anything (one code
        // such as `rate_limit_exceeded` covers per-minute and per-day limits alike).
        let throttle = match d.reason.kind() {
            ErrorKind::Quota => !d.is_exact_code(),
            ErrorKind::RateLimit => true,
            _ => false,
        };
        // Only where the words have been read, a header states a wait, or the message
        // (or a wrapped upstream's) may state a time: the common rate limit reads no more.
        let mut delayed: Option<bool> = None;
        let mut may_delay =
            |f: Option<&Fields<'_>>| *delayed.get_or_insert_with(|| may_state_time(f, false));
        let throttle = throttle
            && if d.is_exact_code() {
                // An exact code can only become a usage window: its words are read
                // when a header's wait is hours long or they may name such a window.
                reading.is_some()
                    || header_delay.is_some_and(|h| h >= HOURS)
                    || ev.fields.is_some_and(may_name_long_window)
            } else {
                reading.is_some()
                    || header_delay.is_some()
                    || may_delay(ev.fields)
                    || may_state_time(ev.fields, true)
            };
        if throttle {
            let r = reading.get_or_insert_with(|| Reading::new(&mut ev, known));
            d.reason = window(d.reason, r, header_delay, d.is_exact_code());
        }
        // A delay the body states, where no header states one: for what passes by itself
        // (a rate limit, a transient failure) or resets (a usage window); a balance or a
        // plan waits for no clock.
        let retry_after = header_delay.or_else(|| {
            let timed = matches!(d.reason.kind(), ErrorKind::RateLimit | ErrorKind::Transient)
                || d.reason == Reason::UsageWindowExhausted;
            if !timed {
                return None;
            }
            if let Some(r) = &reading {
                return r.delay();
            }
            if !may_delay(ev.fields) {
                return None;
            }
            let f = ev.fields?;
            if f.doc.as_ref().is_some_and(|doc| time_details(doc.bytes())) {
                // Google's RetryInfo: read the details.
                return reading
                    .get_or_insert_with(|| Reading::new(&mut ev, known))
                    .delay();
            }
            // A delay in the message (or a wrapped upstream's), read as it came.
            let now = SystemTime::now();
            [f.message().map(|(m, _)| m), f.raw.as_ref()]
                .into_iter()
                .flatten()
                .find_map(|t| {
                    let m = t.as_str()?;
                    read::delay::stated(crate::text::head(m, crate::read::words::WORDS_LIMIT), now)
                        .delay
                })
        });
        (d, owner, detected, ev.msg_code, retry_after)
    };
    let name = match provider {
        Some(Owner::Builtin(p)) => Some(p.as_str()),
        Some(Owner::Runtime(i)) => rules.and_then(|r| r.provider_name(i)),
        _ => None,
    };
    let provider = match provider {
        Some(Owner::Builtin(p)) => Some(p),
        _ => None,
    };
    let mut v = verdict(
        decision,
        (provider, detected),
        fields,
        msg_code,
        (status, retry_after, form),
    );
    v.provider_name = name;
    #[cfg(feature = "tracing")]
    crate::integrations::trace::classified(&v);
    Some(v)
}

/// How much of a wrapped upstream body is read.
const NESTED_LIMIT: usize = 64 << 10;

/// The decision of an upstream body wrapped as a string (OpenRouter's
/// `error.metadata.raw`), found at `/error/metadata/raw`. Read once: a body wrapped in
/// the wrapped body is not unwrapped again.
fn nested<'r>(
    raw: &[u8],
    headers: &HeaderMap,
    seen: &read::headers::Seen<'_>,
    rules: Option<&'r Rules>,
) -> Option<Decision<'r>> {
    let raw = raw.get(..NESTED_LIMIT).unwrap_or(raw);
    let mut f = Fields::default();
    let (_, ok) = read::read(raw, &mut f);
    if !ok {
        return None;
    }
    f.raw = None;
    let mut ev = Evidence::new(Some(&f), headers, seen, rules);
    let owner = detect::detect(&mut ev);
    let d = ladder(&mut ev, owner)?;
    Some(Decision {
        path: "/error/metadata/raw",
        field: None,
        ..d
    })
}

/// A success-shaped body whose finish or block reason a table lists as a refusal.
fn content_refusal(ev: &mut Evidence<'_, '_>) -> bool {
    [Field::FinishReason, Field::BlockReason]
        .into_iter()
        .any(|f| ev.present & crate::schema::field_bit(f) != 0 && !ev.hits(f).is_empty())
}

/// The order of evidence (see [`Basis`]): exact rows of the code fields, a code in the
/// message, exact rows of the type fields, a message phrase, then the catch-all rows of
/// code and type fields. Within a field, the preferred provider's row answers. (The
/// cues, between the phrase and the catch-all rows, are weighed by `run_read`.)
pub(crate) fn ladder<'r>(ev: &mut Evidence<'_, 'r>, prefer: Option<Owner>) -> Option<Decision<'r>> {
    exact(ev, prefer).or_else(|| catch_all(ev, prefer))
}

/// The rows of one step of the ladder, exact or catch-all, in ladder order.
fn by_field<'r>(
    ev: &mut Evidence<'_, 'r>,
    prefer: Option<Owner>,
    step: Step,
    generic: bool,
) -> Option<Decision<'r>> {
    // Only the fields of this step that the body has, in ladder order.
    const MASKS: [u32; 4] = [
        crate::schema::step_mask(Step::Code),
        crate::schema::step_mask(Step::InMessage),
        crate::schema::step_mask(Step::Type),
        crate::schema::step_mask(Step::Phrase),
    ];
    let mut todo = ev.present & MASKS.get(step as usize).copied().unwrap_or(0);
    while todo != 0 {
        let i = todo.trailing_zeros();
        todo &= todo - 1;
        let Some(&f) = Field::ALL.get(i as usize) else {
            break;
        };
        let row = ev.hits(f).best(prefer);
        if let Some(row) = row.filter(|r| r.generic == generic && !foreign_number(r, prefer, f)) {
            return Some(row_decision(ev, row, f));
        }
    }
    None
}

/// Whether a row is a bare number, in a field several providers use, of a provider
/// other than the one given or detected. Numbers are every provider's own (`1001` is a
/// timeout at MiniMax and a missing key at Zhipu, both in `error.code`): without knowing
/// who sent one, it says nothing, and the words decide. A field only one provider uses
/// (`base_resp.status_code`) names its owner by itself.
fn foreign_number(row: &CodeInfo, prefer: Option<Owner>, f: Field) -> bool {
    prefer != Some(row.owner)
        && row.id.bytes().all(|b| b.is_ascii_digit())
        && tables::shared_field(f)
}

/// The exact steps: code fields, a code in the message, type fields, a phrase.
fn exact<'r>(ev: &mut Evidence<'_, 'r>, prefer: Option<Owner>) -> Option<Decision<'r>> {
    by_field(ev, prefer, Step::Code, false)
        .or_else(|| by_field(ev, prefer, Step::InMessage, false))
        .or_else(|| by_field(ev, prefer, Step::Type, false))
        .or_else(|| {
            ev.phrase().map(|(row, path)| Decision {
                reason: row.reason,
                basis: Basis::MessagePhrase,
                rule: Rule::Phrase(row),
                path,
                field: None,
            })
        })
}

/// The catch-all rows of code and type fields.
fn catch_all<'r>(ev: &mut Evidence<'_, 'r>, prefer: Option<Owner>) -> Option<Decision<'r>> {
    by_field(ev, prefer, Step::Code, true).or_else(|| by_field(ev, prefer, Step::Type, true))
}

impl Decision<'_> {
    /// Decided by an exact identifier row (not a catch-all, a phrase, cues or status).
    fn is_exact_code(&self) -> bool {
        matches!(self.rule, Rule::Code(r) if !r.generic)
    }

    /// Decided by a catch-all identifier row.
    fn is_catch_all(&self) -> bool {
        matches!(self.rule, Rule::Code(r) if r.generic)
    }
}

/// The words of a response and what they state, read at most once per classification
/// and only when no exact row decides (or a throttle's window is asked).
struct Reading {
    /// The cues found in the words, once matched.
    found: std::cell::OnceCell<cues::Found>,
    /// The words, for the delay and window they may state (read when asked).
    words: generic::Generic,
    /// The delay and window they state, once read.
    stated: std::cell::OnceCell<read::delay::Stated>,
}

impl Reading {
    /// Reads the words: of the fields the fast reader read where the shape is `known`
    /// (its messages, and the identifiers no row lists), else of the whole document by
    /// the generic reading.
    fn new(ev: &mut Evidence<'_, '_>, known: bool) -> Reading {
        let fields = ev.fields;
        let doc = fields.and_then(|f| f.doc.as_ref());
        // A known shape is read from its fields, unless its body carries Google's
        // quota and retry details, which name a window and a wait no field holds.
        let g = match doc {
            Some(doc) if !known || time_details(doc.bytes()) => generic::read(doc.bytes()),
            _ => {
                let mut g = generic::Generic::default();
                if let Some(f) = fields {
                    for t in [
                        &f.error_message,
                        &f.message,
                        &f.status_msg,
                        &f.error_text,
                        &f.error_msg,
                        &f.msg,
                        &f.description,
                        &f.raw,
                        &f.plain,
                    ]
                    .into_iter()
                    .flatten()
                    {
                        g.words.text(&String::from_utf8_lossy(t.bytes()));
                    }
                    for field in Field::ALL {
                        if matches!(field.step(), Step::Code | Step::Type)
                            && !matches!(field, Field::MessageCode)
                            && ev.hits(field).is_empty()
                        {
                            if let Some(t) = f.text(field).and_then(Text::as_str) {
                                g.words.ident(t);
                            }
                        }
                    }
                }
                g
            }
        };
        Reading {
            found: std::cell::OnceCell::new(),
            words: g,
            stated: std::cell::OnceCell::new(),
        }
    }

    /// The cues found in the words, matched once (a delay alone needs none).
    fn found(&self) -> &cues::Found {
        self.found
            .get_or_init(|| cues::find(self.words.words.as_str()))
    }

    /// A delay or reset the body states.
    fn delay(&self) -> Option<Duration> {
        self.stated().delay
    }

    /// The delay and the window the body states, read once.
    fn stated(&self) -> read::delay::Stated {
        *self
            .stated
            .get_or_init(|| self.words.stated(SystemTime::now()))
    }
}

/// Whether the message (or a wrapped upstream's, or Google's details) may state a delay
/// (`window` false) or name a window (`window` true).
fn may_state_time(f: Option<&Fields<'_>>, window: bool) -> bool {
    let Some(f) = f else { return false };
    let texts = [f.message().map(|(m, _)| m), f.raw.as_ref()];
    texts.into_iter().flatten().any(|t| {
        if window {
            may_name_window(t.bytes())
        } else {
            may_state_delay(t.bytes())
        }
    }) || f.doc.as_ref().is_some_and(|doc| time_details(doc.bytes()))
}

/// Whether a body carries Google's quota or retry details (`quotaId`, `retryDelay`),
/// which name a window or a wait in fields no fast path reads.
fn time_details(doc: &[u8]) -> bool {
    let [quota, retry] = detail_finders();
    quota.find(doc).is_some() || retry.find(doc).is_some()
}

/// The searchers for `"quotaId"` and `"retryDelay"`, built once.
fn detail_finders() -> &'static [memchr::memmem::Finder<'static>; 2] {
    static F: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 2]> =
        std::sync::OnceLock::new();
    F.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"\"quotaId\""),
            memchr::memmem::Finder::new(b"\"retryDelay\""),
        ]
    })
}

/// Whether a message may state a delay: a number with a unit of time right after it
/// (`2.4s`, `20 seconds`, `30秒`), or a date (`2026-01-01`). Keeps the words of the
/// common error whose message states none unread.
fn may_state_delay(m: &[u8]) -> bool {
    let m = m.get(..crate::PHRASE_SCAN_LIMIT).unwrap_or(m);
    let mut i = 0;
    while let Some(at) = m
        .get(i..)
        .and_then(|r| r.iter().position(u8::is_ascii_digit))
    {
        let start = i + at;
        let mut j = start;
        while m.get(j).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            j += 1;
        }
        let date = j - start == 4 && m.get(j) == Some(&b'-');
        while m.get(j) == Some(&b' ') {
            j += 1;
        }
        let rest = m.get(j..).unwrap_or_default();
        if date
            || matches!(rest.first(), Some(b's' | b'm' | b'h' | b'S' | b'M' | b'H'))
            || ["秒", "分", "小时"]
                .iter()
                .any(|u| rest.starts_with(u.as_bytes()))
        {
            return true;
        }
        i = j.max(start + 1);
    }
    false
}

/// Whether a message may name a window ("per day", "daily", "hour", "month", "minute",
/// "second", "duration", "rpm", "每日", "每分钟"): one pass of a small automaton, so
/// that a throttle's words are read only where they may change its reason.
fn may_name_window(m: &[u8]) -> bool {
    let m = m.get(..crate::PHRASE_SCAN_LIMIT).unwrap_or(m);
    window_words().is_some_and(|d| d.is_match(m))
}

/// Whether the message (or a wrapped upstream's, or Google's quota details) may name a
/// window of hours or more ("per day", "daily", "TPD", "hour", "month", "每日").
fn may_name_long_window(f: &Fields<'_>) -> bool {
    let texts = [f.message().map(|(m, _)| m), f.raw.as_ref()];
    // Providers name the window with the limit, before the advice that follows it
    // ("... on tokens per day (TPD): Limit ..."): the first 256 bytes say it.
    texts.into_iter().flatten().any(|t| {
        let m = t.bytes();
        let m = m.get(..256).unwrap_or(m);
        long_window_words().is_some_and(|d| d.is_match(m))
    }) || f.doc.as_ref().is_some_and(|doc| time_details(doc.bytes()))
}

fn long_window_words() -> Option<&'static Dfa> {
    static DFA: std::sync::OnceLock<Option<Dfa>> = std::sync::OnceLock::new();
    DFA.get_or_init(|| {
        Dfa::new(
            &[
                "day", "daily", "hour", "month", "duration", "window", "rpd", "tpd", "日", "天",
                "月", "小时",
            ],
            true,
        )
    })
    .as_ref()
}

fn window_words() -> Option<&'static Dfa> {
    static DFA: std::sync::OnceLock<Option<Dfa>> = std::sync::OnceLock::new();
    DFA.get_or_init(|| {
        Dfa::new(
            &[
                "day", "hour", "month", "minute", "second", "duration", "window", "rpd", "tpd",
                "rpm", "tpm", "rps", "qps", "日", "天", "月", "小时", "分钟", "秒",
            ],
            true,
        )
    })
    .as_ref()
}

/// Builds what errnorm otherwise builds on first use (the phrase, cue and window
/// matchers, the table facts computed once), so that no request pays for it. A
/// [`Classifier`](crate::Classifier) calls it when it is made; call it at start-up when
/// you use the free functions.
///
/// ```
/// errnorm::prepare();
/// ```
pub fn prepare() {
    let _ = tables::matcher();
    let _ = cues::matcher();
    let _ = window_words();
    let _ = long_window_words();
    let _ = detail_finders();
    let _ = read::delay::triggers();
    let _ = tables::shared_field(Field::ErrorCode);
    crate::text::redact::prepare();
}

/// A wait of hours: the line between a rate limit and a usage window.
const HOURS: Duration = Duration::from_secs(3600);

/// The taxonomy's rule for throttles, where no exact code row decided: the window
/// decides, named by words ("per day", "daily": hours or more; "per minute": seconds or
/// minutes), else by its length in numbers (`duration_s: 86400`), else by the wait the
/// body (or, for a usage window, a header) states. A
/// throttle of a window of hours or more is a usage window (quota), and so is a quota
/// words call a balance; a quota of a window of seconds or minutes is a rate limit,
/// unless money words named it and no wait was stated.
fn window(reason: Reason, r: &Reading, header: Option<Duration>, exact: bool) -> Reason {
    let throttle = if r.found().names(Reason::TokensPerTime) {
        Reason::TokensPerTime
    } else {
        Reason::RequestsPerTime
    };
    // What the body states is read only when the words name no window, or a quota may
    // turn on a stated wait.
    let words = r.found().window();
    let stated = match (words, reason.kind()) {
        (cues::Window::None, _) | (_, ErrorKind::Quota) => r.delay(),
        _ => None,
    };
    let wait = match reason {
        Reason::InsufficientBalance | Reason::PlanLimit => stated,
        _ => stated.or(header),
    };
    let long = match words {
        cues::Window::Long => Some(true),
        cues::Window::Short => Some(false),
        cues::Window::None => r.stated().window.or(wait).map(|d| d >= HOURS),
    };
    match (reason.kind(), long) {
        (ErrorKind::RateLimit, Some(true)) => Reason::UsageWindowExhausted,
        // "You exceeded your current quota" over a window of a day is that window, not
        // an empty balance.
        (ErrorKind::Quota, Some(true)) if !exact && reason == Reason::InsufficientBalance => {
            Reason::UsageWindowExhausted
        }
        (ErrorKind::Quota, Some(false))
            if !exact && (reason == Reason::UsageWindowExhausted || stated.is_some()) =>
        {
            throttle
        }
        _ => reason,
    }
}

fn row_decision<'r>(ev: &Evidence<'_, 'r>, row: &'r CodeInfo, f: Field) -> Decision<'r> {
    let path = match f {
        Field::MessageCode => ev
            .fields
            .and_then(Fields::message)
            .map_or(f.pointer(), |(_, at)| at.pointer()),
        Field::AmznType if !ev.amzn_header => "/__type",
        _ => f.pointer(),
    };
    Decision {
        reason: row.reason,
        basis: match f.step() {
            Step::Code => Basis::ProviderCode,
            Step::InMessage => Basis::CodeInMessage,
            Step::Type | Step::Phrase => Basis::ErrorType,
        },
        rule: Rule::Code(row),
        path,
        field: Some(f),
    }
}

/// The status alone, or the default for an error body under a non-error status.
fn fallback<'r>(status: StatusCode) -> Decision<'r> {
    match by_status(status) {
        Some(reason) => Decision {
            reason,
            basis: Basis::HttpStatus,
            rule: Rule::Status(status),
            path: "status",
            field: None,
        },
        None => Decision {
            reason: Reason::ServerError,
            basis: Basis::Default,
            rule: Rule::Default,
            path: "body",
            field: None,
        },
    }
}

/// The verdict, built once from the decision and the body's own code, message and type.
/// `msg_code` is the message's `(NNNN)` code, as the evidence read it (not read again).
fn verdict<'a>(
    d: Decision<'a>,
    (provider, detected): (Option<Provider>, bool),
    fields: Option<&mut Fields<'a>>,
    msg_code: Option<i64>,
    (status, retry_after, body_form): (StatusCode, Option<std::time::Duration>, BodyForm),
) -> Verdict<'a> {
    let mut v = Verdict {
        reason: d.reason,
        provider,
        provider_name: None,
        detected,
        code: None,
        message: None,
        error_type: None,
        basis: d.basis,
        rule: d.rule,
        path: d.path,
        status,
        retry_after,
        body_form,
    };
    let Some(f) = fields else { return v };
    // The code that decided, else the most specific code in the body.
    let code_of = |f: &Fields<'a>, field: Field| -> Option<Code<'a>> {
        match field {
            Field::MessageCode => msg_code.map(Code::Number),
            _ => match f.get(field)? {
                Val::Int(n) => Some(Code::Number(*n)),
                Val::Str(t) if !t.is_empty() => to_cow(t).map(Code::Name),
                _ => None,
            },
        }
    };
    v.code = match d.field.filter(|f| f.step() != Step::Type) {
        Some(field) => code_of(f, field),
        None => None,
    }
    .or_else(|| {
        [
            Field::BaseRespStatusCode,
            Field::MessageCode,
            Field::Reason,
            Field::ErrorCodeTop,
            Field::ErrorCode,
            Field::InnerCode,
            Field::DetailReason,
            Field::Code,
        ]
        .into_iter()
        .find_map(|field| match (field, f.get(field)) {
            (Field::BaseRespStatusCode | Field::ErrorCodeTop, Some(Val::Int(0))) => None,
            (Field::Code, Some(Val::Int(_))) => None, // Novita and others: the HTTP status
            _ => code_of(f, field),
        })
    });
    v.error_type = [Field::ErrorType, Field::ErrorStatus, Field::Type]
        .into_iter()
        .find_map(|field| {
            let t = f.text(field)?;
            (field != Field::Type || t.bytes() != b"error").then(|| t.clone())
        });
    v.message = f.take_message();
    v
}

/// The text, borrowed from the body where it can be; `None` if it is not UTF-8.
fn to_cow<'a>(t: &Text<'a>) -> Option<std::borrow::Cow<'a, str>> {
    match t {
        Text::Raw(b) => std::str::from_utf8(b).ok().map(std::borrow::Cow::Borrowed),
        Text::Decoded(s) => Some(std::borrow::Cow::Owned(s.clone())),
    }
}

/// The status alone. `None` below 400: no error status to go by.
pub(crate) fn by_status(status: StatusCode) -> Option<Reason> {
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
        413 => InvalidParams,
        429 => RequestsPerTime,
        451 => InputFlagged,
        // RFC 4918 Failed Dependency: the action depended on another that failed (TGI
        // and TEI answer an inference backend's failure so): not the caller's doing.
        424 => ServerError,
        400..=499 => InvalidParams,
        502 | 520..=523 | 530 => UpstreamUnavailable,
        503 | 529 => Overloaded,
        504 | 524 => Timeout,
        _ => ServerError,
    })
}

/// Finds a numeric code written as a `(NNNN)` or `(NNNNN)` suffix of a message (as
/// MiniMax's compatible endpoints write it), looking back past up to three trailing
/// `(request id: ...)` groups that gateways append.
///
/// ```text
/// "insufficient balance (1008)"                          -> 1008
/// "usage limit exceeded (2056) (request id: 2024...)"    -> 2056
/// "Rate limit reached for gpt-4 (1234 tokens)"           -> None
/// ```
pub(crate) fn code_in_message(msg: &[u8]) -> Option<i64> {
    let mut rest = msg.trim_ascii_end();
    // Most messages end in a letter: no code suffix, nothing more to look at.
    if !matches!(rest.last(), Some(b')' | b'.' | 0x82)) {
        return None;
    }
    loop {
        rest = if let Some(r) = rest.strip_suffix(b".") {
            r
        } else if let Some(r) = rest.strip_suffix("。".as_bytes()) {
            r
        } else {
            break;
        };
    }
    rest = rest.trim_ascii_end();
    for _ in 0..4 {
        let inner_end = rest.strip_suffix(b")")?;
        let open = memchr::memrchr(b'(', inner_end)?;
        let inner = inner_end.get(open + 1..)?.trim_ascii();
        if (4..=5).contains(&inner.len()) && inner.iter().all(u8::is_ascii_digit) {
            return Some(inner.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')));
        }
        if !inner
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"request id"))
        {
            return None;
        }
        rest = inner_end.get(..open)?.trim_ascii_end();
    }
    None
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

    #[test]
    fn finds_the_suffix_code() {
        let c = |s: &str| code_in_message(s.as_bytes());
        assert_eq!(c("insufficient balance (1008)"), Some(1008));
        assert_eq!(c("insufficient balance (1008)."), Some(1008));
        assert_eq!(c("invalid samples (20132)"), Some(20132));
        assert_eq!(
            c("usage limit exceeded (2056) (request id: 20240615123456)"),
            Some(2056)
        );
        assert_eq!(c("x (2062) (request id: a) (request id: b)"), Some(2062));
    }

    #[test]
    fn ignores_what_is_not_a_code_suffix() {
        let c = |s: &str| code_in_message(s.as_bytes());
        assert_eq!(c("Rate limit reached (1234 tokens)"), None);
        assert_eq!(c("error (12)"), None);
        assert_eq!(c("error (123456)"), None);
        assert_eq!(c("(1008) at the start"), None);
        assert_eq!(c("unbalanced 1008)"), None);
        assert_eq!(c(""), None);
        assert_eq!(c("(request id: abc)"), None);
        assert_eq!(c("é (١٠٠٨)"), None);
    }

    #[test]
    fn digits_on_the_stack() {
        assert_eq!(Digits::new(0).unwrap().bytes(), b"0");
        assert_eq!(Digits::new(1008).unwrap().bytes(), b"1008");
        assert_eq!(
            Digits::new(i64::MAX).unwrap().bytes(),
            i64::MAX.to_string().as_bytes()
        );
        assert!(Digits::new(-1).is_none());
    }

    #[test]
    fn aws_names_lose_their_namespace() {
        assert_eq!(
            aws_name(b"com.amazon.coral.service#ThrottlingException"),
            b"ThrottlingException"
        );
        assert_eq!(
            aws_name(b"ValidationException:http://x"),
            b"ValidationException"
        );
    }
}
