//! Deciding: which provider sent a response ([`detect`]), and the order of evidence
//! (the ladder), written down once for all providers. The ladder names fields, never
//! providers: it asks the tables which rows list a field's value, and prefers the
//! given or detected provider's row.

pub(crate) mod cues;
pub(crate) mod detect;
pub(crate) mod evidence;
pub(crate) mod phash;
pub(crate) mod rules;
pub(crate) mod tables;

#[cfg(feature = "holdout")]
pub use evidence::hold_out;
pub(crate) use evidence::Evidence;

use std::time::{Duration, SystemTime};

use http::StatusCode;

use crate::read::{self, generic, Fields};
use crate::schema::{Field, Step};
use crate::verdict::{Basis, Rule};
use crate::{ErrorKind, Provider, Reason};
use tables::{CodeInfo, Owner};

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

/// The first look at a response: `None` when it is not an error (a status below 400
/// whose body does not say it is one); else the provider (hinted or detected) and what
/// the ladder's rows decide, if anything.
pub(crate) fn screen<'r>(
    ev: &mut Evidence<'_, 'r>,
    status: StatusCode,
    hint: Option<Provider>,
    first_look: Look,
    nested: impl FnOnce(&Evidence<'_, 'r>) -> Option<Decision<'r>>,
) -> Option<Screen<'r>> {
    if first_look == Look::Ask
        && status.as_u16() < 400
        && !(ev.fields.is_some_and(Fields::says_error) || content_refusal(ev))
    {
        // Not an error: nothing more is read (a gateway calls this on every response).
        return None;
    }
    let (owner, detected) = match hint {
        Some(p) => (Some(Owner::Builtin(p)), false),
        None => {
            let o = detect::detect(ev);
            (o, o.is_some())
        }
    };
    // An aggregator's wrapped upstream body (OpenRouter's `error.metadata.raw`) says
    // more than the wrapper ("Provider returned error"), unless the wrapper has an exact
    // row of its own: it is read after the exact rows, before the wrapper's phrase.
    let d = exact_rows(ev, owner)
        .or_else(|| nested(ev))
        .or_else(|| phrase(ev))
        .or_else(|| catch_all(ev, owner));
    Some(Screen {
        owner,
        detected,
        decision: d,
    })
}

/// What [`screen`] found.
pub(crate) struct Screen<'r> {
    /// The provider, hinted or detected.
    pub owner: Option<Owner>,
    /// Whether `owner` was detected (not hinted).
    pub detected: bool,
    /// What the rows decide, if anything.
    pub decision: Option<Decision<'r>>,
}

/// The decision of an upstream body wrapped as a string, from its own evidence: its
/// provider detected, then the ladder's rows; found at `/error/metadata/raw`.
pub(crate) fn nested<'r>(ev: &mut Evidence<'_, 'r>) -> Option<Decision<'r>> {
    let owner = detect::detect(ev);
    let d = ladder(ev, owner)?;
    Some(Decision {
        path: "/error/metadata/raw",
        field: None,
        ..d
    })
}

/// The rest of the decision, where no exact row decided: the words weighed against
/// the answer without them, a throttle's window, and the delay the body states where no
/// header does. `d` is what the rows (or a wrapped body) decided; `header_delay` the
/// headers' delay. Returns the decision and the delay to advise.
pub(crate) fn finish<'r>(
    ev: &mut Evidence<'_, 'r>,
    status: StatusCode,
    d: Option<Decision<'r>>,
    header_delay: Option<Duration>,
) -> (Decision<'r>, Option<Duration>) {
    let mut d = d;
    // A row that listed anything means a shape the fast reader knows; otherwise the
    // generic reading looks for the error wherever it is.
    let known = d.is_some();
    let mut reading: Option<Reading> = None;
    // No exact row: the words of the response, weighed against the answer without
    // them (a catch-all row, else the status).
    if d.map_or(true, |d| d.is_catch_all()) {
        let r = reading.get_or_insert_with(|| Reading::new(ev, known));
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
        |ev: &Evidence<'_, '_>| *delayed.get_or_insert_with(|| ev.may_state_delay());
    let throttle = throttle
        && if d.is_exact_code() {
            // An exact code can only become a usage window: its words are read
            // when a header's wait is hours long or they may name such a window.
            reading.is_some()
                || header_delay.is_some_and(|h| h >= HOURS)
                || ev.may_name_long_window()
        } else {
            reading.is_some() || header_delay.is_some() || may_delay(ev) || ev.may_name_window()
        };
    if throttle {
        let r = reading.get_or_insert_with(|| Reading::new(ev, known));
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
        // Where the message was already found to state no time, nothing is read again.
        if delayed == Some(false) {
            return None;
        }
        if ev.time_details() {
            // Google's RetryInfo: read the details.
            return reading
                .get_or_insert_with(|| Reading::new(ev, known))
                .delay();
        }
        ev.message_delay(SystemTime::now())
    });
    (d, retry_after)
}

/// What a first look at a response's fields says, before any evidence is built (a
/// gateway calls classify on every response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// No error: a status below 400, a body that does not say it is one, and no finish
    /// or block reason a table lists as a refusal.
    NoError,
    /// An error: an error status, or a body that says it is one.
    Error,
    /// Only the evidence can tell (a numeric finish reason, a held-out provider):
    /// [`screen`] decides.
    Ask,
}

/// The first look (see [`Look`]).
pub(crate) fn first_look(
    status: StatusCode,
    fields: Option<&Fields<'_>>,
    rules: Option<&rules::Rules>,
) -> Look {
    if status.as_u16() >= 400 {
        return Look::Error;
    }
    let Some(f) = fields else {
        return Look::NoError;
    };
    if f.says_error() {
        return Look::Error;
    }
    if evidence::held_out().is_some() {
        return Look::Ask;
    }
    let mut look = Look::NoError;
    for field in [Field::FinishReason, Field::BlockReason] {
        match f.get(field) {
            Some(read::Val::Str(t)) => {
                let refusal = t.with(|b| {
                    let b = b.trim_ascii();
                    !b.is_empty()
                        && (!tables::lookup_indices(field, b).is_empty()
                            || rules.is_some_and(|r| !r.lookup(field, b).is_empty()))
                });
                if refusal {
                    return Look::Error;
                }
            }
            // A number where a reason is expected: the exact path decides.
            Some(read::Val::Int(_)) => look = Look::Ask,
            _ => {}
        }
    }
    look
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
    for f in crate::schema::fields_in(ev.present & MASKS.get(step as usize).copied().unwrap_or(0)) {
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
    exact_rows(ev, prefer).or_else(|| phrase(ev))
}

/// The exact rows: code fields, a code in the message, type fields.
fn exact_rows<'r>(ev: &mut Evidence<'_, 'r>, prefer: Option<Owner>) -> Option<Decision<'r>> {
    by_field(ev, prefer, Step::Code, false)
        .or_else(|| by_field(ev, prefer, Step::InMessage, false))
        .or_else(|| by_field(ev, prefer, Step::Type, false))
}

/// The best phrase in the message.
fn phrase<'r>(ev: &mut Evidence<'_, 'r>) -> Option<Decision<'r>> {
    ev.phrase().map(|(row, path)| Decision {
        reason: row.reason,
        basis: Basis::MessagePhrase,
        rule: Rule::Phrase(row),
        path,
        field: None,
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
    /// The words of the response (see `read::Read::words`): where the shape is
    /// `known`, of its texts and of the identifiers no row lists.
    fn new(ev: &mut Evidence<'_, '_>, known: bool) -> Reading {
        // The identifier fields the body has that no row lists (a bit each): their
        // words are read with the texts'.
        const IDS: u32 = (crate::schema::step_mask(Step::Code)
            | crate::schema::step_mask(Step::Type))
            & !crate::schema::field_bit(Field::MessageCode);
        let mut unlisted = 0;
        for field in crate::schema::fields_in(ev.present & IDS) {
            if ev.hits(field).is_empty() {
                unlisted |= crate::schema::field_bit(field);
            }
        }
        Reading {
            found: std::cell::OnceCell::new(),
            words: ev.read.words(known, unlisted),
            stated: std::cell::OnceCell::new(),
        }
    }

    /// The cues found in the words, matched once (a delay alone needs none).
    fn found(&self) -> &cues::Found {
        self.found
            .get_or_init(|| cues::find(self.words.words.as_bytes()))
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

/// Builds what errnorm otherwise builds on first use (the phrase, cue and window
/// matchers, the table facts computed once), so that no request pays for it. A
/// [`Classifier`](crate::Classifier) calls it when it is made; call it at start-up when
/// you use the free functions.
///
/// ```
/// errnorm::tables::prepare();
/// ```
pub fn prepare() {
    let _ = tables::matcher();
    let _ = cues::matcher();
    read::evidence::prepare();
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
