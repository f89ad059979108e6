//! The failover example (`examples/failover.rs`) against local servers on 127.0.0.1:
//! bounded in requests and time, no other network.

#[path = "../examples/failover.rs"]
#[allow(dead_code)]
mod failover;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use errnorm::{Action, ErrorKind};
use failover::{call, Outcome};

/// A server on 127.0.0.1 that answers its n-th request with `responses[n]` (the last one
/// repeated), stops after `max` requests or 10 seconds, and counts what it served.
fn server(
    responses: Vec<(u16, &'static str, &'static str)>,
    max: usize,
) -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    l.set_nonblocking(true).unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        while count.load(Ordering::SeqCst) < max && Instant::now() < deadline {
            let Ok((mut s, _)) = l.accept() else {
                thread::sleep(Duration::from_millis(2));
                continue;
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the body (Content-Length).
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
                if let Some(h) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&req[..h]).to_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if req.len() >= h + 4 + len {
                        break;
                    }
                }
            }
            let n = count.fetch_add(1, Ordering::SeqCst);
            let (status, headers, body) = responses[n.min(responses.len() - 1)];
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (addr, served)
}

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
