//! Failures with no response to read: the connection was refused, timed out, was reset,
//! or the body broke off mid-read. They are the most common upstream failure, and a
//! gateway decides on them as on any other error.

use std::io;

use crate::{ApiError, Reason};

/// A transport failure (`std::io::Error`) as an error with advice (see
/// `crate::classify_transport`, which also emits its event).
pub(crate) fn io_error(err: &io::Error) -> ApiError {
    let (reason, code) = io_kind(err.kind());
    ApiError::transport(reason, code, err.to_string())
}

/// The reason and code of a `reqwest::Error`: a timeout, a refused connection, a body
/// cut off, else the I/O error underneath.
#[cfg(feature = "reqwest")]
pub(crate) fn reqwest_reason(err: &reqwest::Error) -> (Reason, &'static str) {
    if err.is_timeout() {
        (Reason::Timeout, "timeout")
    } else if err.is_connect() {
        (Reason::UpstreamUnavailable, "connection_refused")
    } else if err.is_body() || err.is_decode() {
        (Reason::UpstreamUnavailable, "body_cut_off")
    } else {
        // Look for the I/O error underneath (a reset, an unexpected end).
        std::error::Error::source(err)
            .and_then(io_in_chain)
            .unwrap_or((Reason::ServerError, "transport_error"))
    }
}

/// The reason and code of the first I/O error in `err`'s chain of sources, itself
/// included (an HTTP client's error wraps the socket's).
#[cfg_attr(not(feature = "http-body"), allow(dead_code))]
pub(crate) fn io_in_chain(
    err: &(dyn std::error::Error + 'static),
) -> Option<(Reason, &'static str)> {
    let mut source = Some(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            return Some(io_kind(io.kind()));
        }
        source = s.source();
    }
    None
}

/// The reason and stable code of an I/O error kind.
pub(crate) fn io_kind(kind: io::ErrorKind) -> (Reason, &'static str) {
    use io::ErrorKind::*;
    match kind {
        ConnectionRefused => (Reason::UpstreamUnavailable, "connection_refused"),
        NotConnected | AddrNotAvailable => (Reason::UpstreamUnavailable, "not_connected"),
        TimedOut | WouldBlock => (Reason::Timeout, "timeout"),
        ConnectionReset | ConnectionAborted | BrokenPipe => {
            (Reason::UpstreamUnavailable, "connection_reset")
        }
        UnexpectedEof => (Reason::UpstreamUnavailable, "body_cut_off"),
        _ => (Reason::ServerError, "transport_error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Basis, ErrorKind};

    #[test]
    fn every_io_kind_is_transient_and_has_advice() {
        use io::ErrorKind::*;
        for (kind, reason, action) in [
            (
                ConnectionRefused,
                Reason::UpstreamUnavailable,
                Action::Failover,
            ),
            (TimedOut, Reason::Timeout, Action::Retry),
            (
                ConnectionReset,
                Reason::UpstreamUnavailable,
                Action::Failover,
            ),
            (UnexpectedEof, Reason::UpstreamUnavailable, Action::Failover),
            (Other, Reason::ServerError, Action::Retry),
        ] {
            let e = io_error(&io::Error::new(kind, "x"));
            assert_eq!(e.kind(), ErrorKind::Transient);
            assert_eq!(e.reason(), reason, "{kind:?}");
            assert_eq!(e.basis(), Basis::Transport);
            assert_eq!(e.advice().action, action, "{kind:?}");
            assert!(e.rule_id().starts_with("transport:"));
        }
        let t = io_error(&io::Error::from(TimedOut));
        assert_eq!(t.status(), 504);
    }
}
