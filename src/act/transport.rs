//! Failures with no response to read: the connection was refused, timed out, was reset,
//! or the body broke off mid-read. They are the most common upstream failure, and a
//! gateway decides on them as on any other error.

use std::io;

use crate::{ApiError, Reason};

/// How many links of an error's chain of sources are read: a chain is a few links
/// long; the cap bounds the work on one built by hand.
const CHAIN_LIMIT: usize = 32;

/// A failure with no response (an I/O error, an HTTP client's error, any error whose
/// chain holds one) as an error with advice.
pub(crate) fn error(err: &(dyn std::error::Error + 'static)) -> ApiError {
    let (reason, code) = reason_of(err);
    ApiError::transport(reason, code, err.to_string())
}

/// The reason and stable code of a failure with no response, from its chain of sources
/// walked once: the first link that names one decides (reqwest's timeout, connect and
/// body errors; an I/O error's kind, looking inside an I/O error that only wraps
/// another); else a transport error.
pub(crate) fn reason_of(err: &(dyn std::error::Error + 'static)) -> (Reason, &'static str) {
    let mut link = Some(err);
    for _ in 0..CHAIN_LIMIT {
        let Some(e) = link else { break };
        #[cfg(feature = "reqwest")]
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            if r.is_timeout() {
                return (Reason::Timeout, "timeout");
            } else if r.is_connect() {
                return (Reason::UpstreamUnavailable, "connection_refused");
            } else if r.is_body() || r.is_decode() {
                return (Reason::UpstreamUnavailable, "body_cut_off");
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            let found = io_kind(io.kind());
            if found.1 != "transport_error" {
                return found;
            }
            // `io::Error::other(inner)`: its source is the inner error's source, so
            // the inner error itself is read next.
            if let Some(inner) = io.get_ref() {
                link = Some(inner);
                continue;
            }
        }
        link = e.source();
    }
    (Reason::ServerError, "transport_error")
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
            let e = error(&io::Error::new(kind, "x"));
            assert_eq!(e.kind(), ErrorKind::Transient);
            assert_eq!(e.reason(), reason, "{kind:?}");
            assert_eq!(e.basis(), Basis::Transport);
            assert_eq!(e.advice().action, action, "{kind:?}");
            assert!(e.rule_id().starts_with("transport:"));
        }
        let t = error(&io::Error::from(TimedOut));
        assert_eq!(t.status(), 504);
    }

    /// A client's error that wraps the socket's, as HTTP clients do.
    #[derive(Debug)]
    struct Wrapper(Option<io::Error>);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("request failed")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            match &self.0 {
                Some(e) => Some(e),
                // A chain that never ends (built by hand): it must still stop.
                None => Some(self),
            }
        }
    }

    #[test]
    fn the_chain_is_walked_to_the_link_that_names_the_failure() {
        let refused = Wrapper(Some(io::Error::from(io::ErrorKind::ConnectionRefused)));
        assert_eq!(
            reason_of(&refused),
            (Reason::UpstreamUnavailable, "connection_refused")
        );
        // An I/O error that only wraps another: the one inside decides.
        let wrapped = io::Error::other(Wrapper(Some(io::Error::from(io::ErrorKind::TimedOut))));
        assert_eq!(reason_of(&wrapped), (Reason::Timeout, "timeout"));
        // Nothing in the chain names a failure: a transport error, retried.
        let plain = io::Error::other("tls handshake");
        assert_eq!(reason_of(&plain), (Reason::ServerError, "transport_error"));
        // A chain that loops on itself is read a bounded number of links.
        assert_eq!(
            reason_of(&Wrapper(None)),
            (Reason::ServerError, "transport_error")
        );
        assert_eq!(error(&refused).message(), Some("request failed"));
    }

    /// An HTTP client's error names the URL it failed on; a key in its query does not
    /// reach the error's message.
    #[test]
    fn a_key_in_a_failed_url_is_redacted() {
        #[derive(Debug)]
        struct Failed;
        impl std::fmt::Display for Failed {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request for url (https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key=AIzaSyA1234567890abcdefGHIJklmnopqrstu)")
            }
        }
        impl std::error::Error for Failed {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                None
            }
        }
        let m = error(&Failed).message().unwrap_or_default().to_string();
        assert!(!m.contains("AIzaSy"), "{m}");
        assert!(m.contains("generativelanguage.googleapis.com"), "{m}");
    }
}
