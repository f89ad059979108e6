//! The failover example (`examples/failover.rs`) against local servers on 127.0.0.1:
//! bounded in requests and time, no other network.

#[path = "../examples/failover.rs"]
#[allow(dead_code)]
mod failover;

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::server::server;

use errnorm::{Action, ErrorKind};
use failover::{call, Outcome};

const OK: (u16, &str, &str) = (200, "", r#"{"choices":[{"message":{"content":"hello"}}]}"#);
const MINIMAX_QUOTA: (u16, &str, &str) = (
    200,
    "",
    r#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
);

#[test]
fn quota_fails_over_to_the_next_upstream() {
    let (a, a_served) = server(vec![MINIMAX_QUOTA], 5);
    let (b, b_served) = server(vec![OK], 5);
    let (outcome, attempts) = call(&[a, b], b"{}", Duration::from_millis(50));
    assert!(
        matches!(outcome, Outcome::Success { upstream: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(attempts[0].action, Some(Action::Failover));
    assert_eq!(
        (
            a_served.load(Ordering::SeqCst),
            b_served.load(Ordering::SeqCst)
        ),
        (1, 1)
    );
}

#[test]
fn a_short_rate_limit_is_retried_on_the_same_upstream() {
    let limited = (
        429,
        "Retry-After: 0\r\n",
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
    );
    let (a, a_served) = server(vec![limited, OK], 5);
    let (b, b_served) = server(vec![OK], 5);
    let (outcome, attempts) = call(&[a, b], b"{}", Duration::from_millis(50));
    assert!(
        matches!(outcome, Outcome::Success { upstream: 0, .. }),
        "{outcome:?}"
    );
    assert_eq!(attempts[0].action, Some(Action::Retry));
    assert_eq!(
        (
            a_served.load(Ordering::SeqCst),
            b_served.load(Ordering::SeqCst)
        ),
        (2, 0)
    );
}

#[test]
fn a_wrong_request_goes_to_the_client_without_failover() {
    let bad = (
        400,
        "",
        r#"{"error":{"message":"maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
    );
    let (a, _) = server(vec![bad], 5);
    let (b, b_served) = server(vec![OK], 5);
    let (outcome, _) = call(&[a, b], b"{}", Duration::from_millis(50));
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_eq!(error.client_error(&Default::default()).status.as_u16(), 400);
    assert_eq!(b_served.load(Ordering::SeqCst), 0);
}

#[test]
fn when_every_upstream_fails_the_last_error_goes_to_the_client() {
    let (a, _) = server(vec![MINIMAX_QUOTA], 5);
    let (b, _) = server(vec![(502, "", "<html>502 Bad Gateway</html>")], 5);
    let (outcome, attempts) = call(&[a, b], b"{}", Duration::from_millis(50));
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.kind(), ErrorKind::Transient);
    assert_eq!(attempts.len(), 2);
}

#[test]
fn a_refused_connection_fails_over_as_a_transport_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let (b, b_served) = server(vec![OK], 5);
    let (outcome, _) = call(&[closed.clone(), b], b"{}", Duration::from_millis(50));
    assert!(
        matches!(outcome, Outcome::Success { upstream: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(b_served.load(Ordering::SeqCst), 1);
    // Nothing else to try: the transport error goes to the client.
    let (outcome, _) = call(&[closed], b"{}", Duration::from_millis(50));
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.reason(), errnorm::Reason::UpstreamUnavailable);
    assert_eq!(error.kind(), ErrorKind::Transient);
}
