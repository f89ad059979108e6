//! A tiny HTTP server on 127.0.0.1 for the tests that need a real connection.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// A server on 127.0.0.1 that answers its n-th request with `responses[n]` (the last one
/// repeated), stops after `max` requests or 10 seconds, and counts what it served.
pub fn server(
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
                if request_complete(&req) {
                    break;
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

/// Whether `req` holds a whole request: its head and as much body as its
/// `Content-Length` says.
pub fn request_complete(req: &[u8]) -> bool {
    let Some(h) = req.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&req[..h]).to_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    req.len() >= h + 4 + len
}
