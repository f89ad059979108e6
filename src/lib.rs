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
//! # The rule for close kinds
//!
//! See [`ErrorKind`]: quota (never retry until billing changes) vs rate limit (retry
//! after the window) vs transient (retry with backoff or fail over), and auth (another
//! credential could succeed) vs validation (no credential could).
//!
//! # The order of evidence
//!
//! See [`Basis`]: provider code, code in message, error type, message phrase, catch-all
//! codes, HTTP status. The tables behind each step are the files in `data/`, compiled
//! into perfect-hash tables by `build.rs`.
//!
//! # Handing errors on
//!
//! [`ApiError::client_error`] renders the error a gateway answers its own client with
//! ([`ClientError`]: the status, the OpenAI and Anthropic envelopes) in the crate's own
//! words; upstream text goes out only on request and through [`redact`].
//! [`Verdict::evidence`] says which rule decided, where in the response, and the value.
//!
//! # Limits
//!
//! errnorm never panics on input and does work linear in the body: its own JSON
//! visitors go at most three levels down (`error`, `base_resp`) and everything else is
//! skipped by serde_json without recursion, so a body nested a million levels deep costs
//! no stack; a body that is not JSON is [`BodyForm::Text`] or [`BodyForm::Unparsed`] and
//! the status decides; only the first [`PHRASE_SCAN_LIMIT`] bytes of a message are
//! searched for phrases and at most [`REDACT_LIMIT`] bytes of upstream text redacted;
//! `Retry-After` is clamped to [`MAX_RETRY_AFTER`].
//!
//! # Features
//!
//! - `cli`: the `errnorm` command-line tool (`classify`, `explain`, `stats`). Off by
//!   default so the library stays lean.
//! - `http-response`: `classify_response` / `classify_response_as` for
//!   `http::Response<B>` where `B: AsRef<[u8]>`.
//! - `reqwest`: `classify_reqwest`, classifying a `reqwest::Response` and keeping its body.
//! - `tower`: `AdvicePolicy`, a `tower::retry::Policy` driven by the advice.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod advice;
mod body;
mod classify;
mod client;
mod error;
mod headers;
mod kind;
mod phash;
mod provider;
mod providers;
mod redact;
#[cfg(feature = "reqwest")]
mod reqwest_support;
#[cfg(feature = "http-response")]
mod response;
mod rules;
mod scan;
mod stream;
mod tables;
#[cfg(feature = "tower")]
mod tower_support;
mod verdict;

pub use advice::{Action, Advice, AdviceOptions, Credential, RetryPolicy};
#[doc(hidden)]
pub use body::scanner_agrees_with_serde;
pub use body::BodyForm;
pub use classify::{classify, classify_as};
pub use client::{own_message, ClientError, ClientOptions, Lang};
pub use error::ApiError;
pub use headers::{retry_after, retry_after_at, MAX_RETRY_AFTER};
pub use kind::{ErrorKind, Reason};
pub use provider::Provider;
pub use redact::{redact, redaction_rules, RedactKind, RedactRule, REDACT_LIMIT};
#[cfg(feature = "reqwest")]
pub use reqwest_support::{classify_reqwest, classify_reqwest_as, ClassifiedResponse};
#[cfg(feature = "http-response")]
pub use response::{classify_response, classify_response_as};
pub use rules::{Rules, RulesError};
pub use stream::{StreamClassifier, StreamError, STREAM_EVENT_LIMIT};
pub use tables::{
    codes, lookup_code, match_phrase, minimax_code, phrases, CodeInfo, PhraseInfo, RetryHint,
    PHRASE_SCAN_LIMIT,
};
#[cfg(feature = "tower")]
pub use tower_support::AdvicePolicy;
pub use verdict::{Basis, Code, Evidence, Rule, Verdict};

/// The README's examples, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
