//! errnorm turns any LLM provider's error response into one canonical, actionable
//! error.
//!
//! A gateway forwards each request to one of many upstream providers. When one fails,
//! it must decide in microseconds: retry the same provider, fail over to another, or hand
//! the error to its own client. errnorm reads the status, headers and body of the failed
//! response and returns a [`Verdict`]: one of six [`ErrorKind`]s with a finer
//! [`Reason`], the [`Provider`] and its own code and message, whether and when to retry,
//! and which evidence ([`Basis`]) decided.
//!
//! ```
//! use errnorm::{classify, ErrorKind, Reason, Basis};
//! use http::{HeaderMap, StatusCode};
//!
//! // MiniMax's Anthropic-compatible endpoint: the code survives only in the message,
//! // under a misleading 500.
//! let body = br#"{"type":"error","error":{"type":"api_error","message":"insufficient balance (1008)"}}"#;
//! let v = classify(StatusCode::INTERNAL_SERVER_ERROR, &HeaderMap::new(), body).unwrap();
//! assert_eq!(v.kind(), ErrorKind::Quota);
//! assert_eq!(v.reason(), Reason::InsufficientBalance);
//! assert_eq!(v.basis(), Basis::CodeInMessage);
//! assert!(!v.is_retryable());
//! let owned: errnorm::ApiError = v.into(); // Send + Sync + 'static, for keeping
//! assert_eq!(owned.to_string(), "quota error (insufficient_balance) from minimax, code 1008, http 500");
//! ```
//!
//! # Where things are
//!
//! [`Classifier`] is the engine, with one method per job: [`Classifier::classify`] and
//! [`Classifier::classify_as`] (a body, with or without a provider hint),
//! [`Classifier::stream`] (SSE), [`Classifier::transport`] (no response),
//! `Classifier::relay` (any `http_body::Body`, feature `http-body`),
//! [`Classifier::advice`] and [`Classifier::next_delay`] (what now, never disagreeing),
//! [`Classifier::client_error`]. The free [`classify`] and [`classify_as`] are shortcuts
//! over [`Classifier::shared`]. The rest lives in a module per concept: [`advice`],
//! [`client`], [`stream`], `relay`, [`rules`], [`tables`], [`redact`], [`verdict`],
//! [`taxonomy`].
//!
//! # The rule for close kinds
//!
//! See [`ErrorKind`]: quota (never retry until billing changes) vs rate limit (retry
//! after the window) vs transient (retry with backoff or fail over), and auth (another
//! credential could succeed) vs validation (no credential could).
//!
//! # The order of evidence
//!
//! See [`Basis`]: a provider's code in a structured field, a code in the message, an
//! error type or status, a message phrase, the words of the response weighed by the
//! cues, catch-all codes and types, the HTTP status. The ladder names fields, never
//! providers; the tables in `data/` (compiled into perfect-hash tables by `build.rs`)
//! say which provider lists which value in which field, and the markers of
//! `data/detect.tsv` say which provider a shape names.
//!
//! # Errors no table lists
//!
//! Where no row decides (a proxy's own refusal, a self-hosted server, a provider that
//! changed its wording), errnorm reads the error in whatever shape it comes, reads
//! identifiers no row lists as words (`ModelNotAllowedForKey`: "model not allowed for
//! key"), and weighs the vocabulary of failure ([`cues`](rules::cues), from `data/cues.tsv`) against
//! the status: every cue found adds its weight to its kind, and the answer without
//! words (a catch-all row, else the status) adds [`PRIOR`](rules::PRIOR) to its own; the kind with the
//! highest total wins, the answer without words on a tie. Delays and windows the body
//! states ("Please try again in 2.4s", Google's `RetryInfo`, "per day") are read with the
//! caps of headers, and by the taxonomy's rule a throttle over a window of hours is a
//! usage window (quota).
//!
//! ```
//! use errnorm::{classify, Basis, ErrorKind};
//! use http::{HeaderMap, StatusCode};
//!
//! // A proxy's own refusal, under a 400 that would say "validation".
//! let body = br#"{"success":false,"errors":[{"code":"monthly_spend_limit_reached","message":"Team budget exceeded"}]}"#;
//! let v = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body).unwrap();
//! assert_eq!(v.kind(), ErrorKind::Quota);
//! assert_eq!(v.basis(), Basis::Cue);
//! ```
//!
//! # Handing errors on
//!
//! [`ApiError::client_error`] renders the error a gateway answers its own client with
//! ([`ClientError`](client::ClientError): the status, the OpenAI and Anthropic envelopes) in the crate's own
//! words; upstream text goes out only on request and through [`redact`](redact::redact).
//! [`Verdict::evidence`] says which rule decided, where in the response, and the value.
//!
//! # Limits
//!
//! errnorm never panics on input and does work linear in the body: its JSON scanner
//! reads a fixed set of keys at fixed depths and skips every other value with a depth
//! counter, without recursion, so a body nested a million levels deep costs no stack; a
//! body that is not JSON is [`BodyForm::Text`](verdict::BodyForm::Text) or [`BodyForm::Unparsed`](verdict::BodyForm::Unparsed) and the status
//! decides; only the first [`PHRASE_SCAN_LIMIT`](tables::PHRASE_SCAN_LIMIT) bytes of a message are searched for
//! phrases, and upstream text is redacted over its first [`REDACT_LIMIT`](redact::REDACT_LIMIT) bytes (read a
//! little past the cut, so that no secret is cut in half) with bounded output; `Retry-After`
//! is clamped to [`MAX_RETRY_AFTER`](advice::MAX_RETRY_AFTER).
//!
//! # Features
//!
//! - `cli`: the `errnorm` command-line tool (`classify`, `explain`, `stats`). Off by
//!   default so the library stays lean.
//! - `http-body`: [`Classifier::relay`] for any `http::Response<B: http_body::Body>`:
//!   error bodies read with a cap and classified once, successful streams handed on as
//!   they arrive and classified as they pass.
//! - `reqwest`: [`Classifier::transport`] names reqwest's timeout, connect and body
//!   errors; with `http-body` (which it turns on), [`Classifier::relay`] reads a
//!   `reqwest::Response` through `http::Response::from`.
//! - `axum`: `IntoResponse` for [`ClientError`](client::ClientError).
//! - `tower`: `advice::AdvicePolicy`, a `tower::retry::Policy` built from a
//!   [`Classifier`] and driven by its advice.
//! - `tracing`: events on the `errnorm` target for every classification, transport
//!   failure and retry, with the stable ids as fields and no upstream text.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod act;
mod classifier;
mod decide;
mod error;
mod integrations;
mod pipeline;
mod provider;
mod read;
mod schema;
pub mod stream;
pub mod taxonomy;
mod text;
pub mod verdict;

pub use act::advice::{Action, Advice};
pub use classifier::Classifier;
pub use decide::rules::Rules;
pub use error::ApiError;
pub use pipeline::{classify, classify_as};
pub use provider::Provider;
pub use taxonomy::{ErrorKind, Reason};
pub use verdict::{Basis, Verdict};

/// What to do about an error: the advice (retry, fail over, or answer the client at
/// once; the delay, the status for the gateway's client, what to do with the credential
/// and what to cool down), its limits, the retry policy, the facts both forms of an
/// error give it, the cool-down tracker, and `Retry-After`.
pub mod advice {
    pub use crate::act::advice::{
        Action, Advice, AdviceOptions, Credential, Facts, RetryPolicy, Scope,
    };
    pub use crate::act::cooldown::Cooldowns;
    #[cfg(feature = "tower")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
    pub use crate::integrations::tower::{AdvicePolicy, RetryEvent};
    pub use crate::read::headers::{retry_after, retry_after_at, MAX_RETRY_AFTER};
}

/// The error a gateway hands its own client: a status and the OpenAI and Anthropic
/// envelopes, in the crate's own words unless upstream text is asked for (redacted).
pub mod client {
    pub use crate::act::client::{own_message, ClientError, ClientOptions, Dialect, Lang};
}

/// Rules loaded at runtime (an operator's own rows, in the format of the built-in
/// tables) and the cues that weigh the words of a response no row lists.
pub mod rules {
    pub use crate::decide::cues::{cues, Cue, CueSet, PRIOR};
    pub use crate::decide::rules::{Rules, RulesError};
}

/// The built-in tables: each provider's codes with their reason and source, the shared
/// message phrases.
pub mod tables {
    pub use crate::decide::prepare;
    pub use crate::decide::tables::{
        codes, lookup_code, match_phrase, phrases, CodeInfo, LogLevel, RetryHint,
    };
    pub use crate::text::PHRASE_SCAN_LIMIT;
}

/// Redaction of upstream text before it reaches a client or a log line: the rules,
/// the bound on the work, and escaping for a log line.
pub mod redact {
    pub use crate::text::escape;
    pub use crate::text::redact::{redact, redaction_rules, RedactKind, RedactRule, REDACT_LIMIT};
}

/// Relaying an upstream response (feature `http-body`): an error body read with a cap
/// and classified once, a successful stream handed on and classified as it passes.
#[cfg(feature = "http-body")]
#[cfg_attr(docsrs, doc(cfg(feature = "http-body")))]
pub mod relay {
    pub use crate::integrations::body::{
        ClassifiedResponse, Piece, Relay, RelayBody, Upstream, UpstreamError, BODY_LIMIT,
    };
}

#[cfg(feature = "holdout")]
#[doc(hidden)]
pub use decide::hold_out;

/// For the fuzz targets only: the scanner checked against the reference reader.
#[cfg(fuzzing)]
#[doc(hidden)]
pub use read::reference::scanner_agrees;

/// For the lookup benchmarks only (feature `bench`): a field's index by its `where`
/// name.
#[cfg(feature = "bench")]
#[doc(hidden)]
pub fn bench_field(name: &str) -> Option<usize> {
    schema::Field::from_name(name).map(|f| f as usize)
}

/// For the lookup benchmarks only (feature `bench`): whether the built-in table of a
/// field lists `key`, through the hot path's perfect hash.
#[cfg(feature = "bench")]
#[doc(hidden)]
pub fn bench_lookup(field: usize, key: &[u8]) -> bool {
    schema::Field::ALL
        .get(field)
        .is_some_and(|&f| !decide::tables::lookup_indices(f, key).is_empty())
}

/// The README's examples, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
