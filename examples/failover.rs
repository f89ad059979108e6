//! A failover loop across upstreams, driven by errnorm's advice: retry the same upstream
//! after the delay it asks for, fail over to the next on quota, auth or a long rate
//! limit, and hand validation errors straight to the client.
//!
//! ```sh
//! cargo run --example failover -- 127.0.0.1:8081 127.0.0.1:8082
//! ```
//!
//! Each argument is an upstream (host:port) that answers `POST /v1/chat/completions`.
//! The HTTP client is a few lines over `TcpStream` so that the example needs nothing
//! beyond the crate; `tests/failover.rs` runs it against local servers.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use errnorm::{classify, Action, ApiError};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// What the loop did with one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Which upstream (index into the list).
    pub upstream: usize,
    /// The upstream's status.
    pub status: u16,
    /// The advice, if the response was an error.
    pub action: Option<Action>,
}

/// How the call ended.
#[derive(Debug)]
pub enum Outcome {
    /// An upstream answered: its status and body go to the client.
    Success { upstream: usize, body: Vec<u8> },
    /// The error to hand to the client (every upstream failed, or the request is wrong).
    Failed { error: Box<ApiError> },
    /// There were no upstreams to try.
    Unreachable,
}

/// Sends `request` to the upstreams in order, following errnorm's advice; `max_wait`
/// caps any one retry delay (a demo should not sleep for minutes).
pub fn call(upstreams: &[String], request: &[u8], max_wait: Duration) -> (Outcome, Vec<Attempt>) {
    let mut attempts = Vec::new();
    let mut last: Option<ApiError> = None;
    let mut i = 0;
    let mut retries = 0;
    while i < upstreams.len() {
        let (status, headers, body) = match post(&upstreams[i], request) {
            Ok(r) => r,
            Err(e) => {
                // Refused, reset, timed out: the endpoint, not the request, failed.
                last = Some(errnorm::Classifier::shared().transport(&e));
                retries = 0;
                i += 1;
                continue;
            }
        };
        let Some(v) = classify(status, &headers, &body) else {
            attempts.push(Attempt {
                upstream: i,
                status: status.as_u16(),
                action: None,
            });
            return (Outcome::Success { upstream: i, body }, attempts);
        };
        let advice = v.advice();
        attempts.push(Attempt {
            upstream: i,
            status: status.as_u16(),
            action: Some(advice.action),
        });
        match advice.action {
            Action::Retry if retries < 3 => {
                retries += 1;
                std::thread::sleep(advice.delay.unwrap_or_default().min(max_wait));
            }
            Action::Respond => {
                return (
                    Outcome::Failed {
                        error: Box::new(v.into_error()),
                    },
                    attempts,
                );
            }
            _ => {
                last = Some(v.into_error());
                retries = 0;
                i += 1;
            }
        }
    }
    match last {
        Some(e) => (Outcome::Failed { error: Box::new(e) }, attempts),
        None => (Outcome::Unreachable, attempts),
    }
}

/// A minimal HTTP/1.1 POST with `Connection: close`: status, headers, body.
pub fn post(addr: &str, body: &[u8]) -> io::Result<(StatusCode, HeaderMap, Vec<u8>)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    // An upstream decides how much it sends: read at most 1 MiB of it.
    let mut raw = Vec::new();
    s.take(1 << 20).read_to_end(&mut raw)?;
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "not an HTTP response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| bad())?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(bad)?;
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.trim().as_bytes()),
                HeaderValue::from_str(v.trim()),
            ) {
                headers.append(k, v);
            }
        }
    }
    Ok((status, headers, raw[split + 4..].to_vec()))
}

#[allow(dead_code)]
fn main() {
    let upstreams: Vec<String> = std::env::args().skip(1).collect();
    if upstreams.is_empty() {
        eprintln!("usage: failover HOST:PORT [HOST:PORT ...]");
        std::process::exit(2);
    }
    let request = br#"{"model":"any","messages":[{"role":"user","content":"hi"}]}"#;
    let (outcome, attempts) = call(&upstreams, request, Duration::from_secs(5));
    for a in &attempts {
        println!(
            "upstream {} answered {}: {:?}",
            a.upstream, a.status, a.action
        );
    }
    match outcome {
        Outcome::Success { upstream, body } => {
            println!(
                "success from upstream {upstream}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Outcome::Failed { error } => {
            let c = error.client_error(&Default::default());
            println!("answer the client {}: {}", c.status, c.openai_body());
        }
        Outcome::Unreachable => println!("no upstreams to try"),
    }
}
