//! The gateway example (`examples/gateway.rs`, axum + reqwest) against mock upstreams on
//! 127.0.0.1: MiniMax's 1002 under 200, Novita's balance under 400, OpenAI's
//! `insufficient_quota`, Anthropic's 529, an nginx HTML 502, a refused connection, a
//! mid-stream SSE error before and after the first token. Each upstream response is
//! classified once: errnorm's own `tracing` events are counted.
#![cfg(all(feature = "axum", feature = "reqwest", feature = "tracing"))]

#[path = "../examples/gateway.rs"]
#[allow(dead_code)]
mod gateway;

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::capture::install;
use errnorm::{advice::RetryPolicy, client::ClientOptions, Classifier};
use gateway::{router, Gateway, Upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a mock upstream does with a request.
#[derive(Clone)]
enum Reply {
    /// Writes these pieces (a pause between them) and closes.
    Pieces(Vec<Vec<u8>>),
    /// Writes these bytes, then says nothing for this long, then closes.
    Stall(Vec<u8>, Duration),
}

fn json(status: u16, body: &str) -> Reply {
    Reply::Pieces(vec![format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()])
}

fn html(status: u16, body: &str) -> Reply {
    Reply::Pieces(vec![format!(
        "HTTP/1.1 {status} X\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()])
}

/// An event stream under 200, in these events (each its own write), ended by closing.
fn sse(events: &[&str]) -> Reply {
    let mut pieces = vec![
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n".to_vec(),
    ];
    pieces.extend(events.iter().map(|e| e.as_bytes().to_vec()));
    Reply::Pieces(pieces)
}

/// A mock upstream answering its n-th request with `replies[n]` (the last repeated);
/// returns its URL and how many requests it served.
async fn mock(replies: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/chat/completions", l.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            // Read the head and the body (Content-Length).
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
                if common::server::request_complete(&req) {
                    break;
                }
            }
            let n = count.fetch_add(1, Ordering::SeqCst);
            let pieces = match replies[n.min(replies.len() - 1)].clone() {
                Reply::Pieces(pieces) => pieces,
                Reply::Stall(head, pause) => {
                    // Held by a task of its own, so that the next request is served.
                    tokio::spawn(async move {
                        let _ = s.write_all(&head).await;
                        let _ = s.flush().await;
                        tokio::time::sleep(pause).await;
                    });
                    continue;
                }
            };
            for p in pieces {
                if s.write_all(&p).await.is_err() {
                    break;
                }
                let _ = s.flush().await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    (url, served)
}

/// A URL where nothing listens.
async fn refused() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}/v1/chat/completions")
}

/// Starts the gateway over these upstream URLs (named a, b, c, ...); fast retries.
async fn start(urls: Vec<String>) -> String {
    start_with(urls, Duration::from_secs(30)).await
}

/// [`start`], with this bound on a stream's first token.
async fn start_with(urls: Vec<String>, first_token: Duration) -> String {
    let upstreams = urls
        .into_iter()
        .enumerate()
        .map(|(i, url)| Upstream {
            name: ((b'a' + i as u8) as char).to_string(),
            url,
            key: Some("sk-gateway-own-key".into()),
        })
        .collect();
    let classifier = Classifier::new()
        .with_retry(
            RetryPolicy::default()
                .with_backoff(Duration::from_millis(5), 2.0, Duration::from_millis(40))
                .with_jitter(Duration::ZERO),
        )
        .with_client(ClientOptions::default().with_own_credentials());
    let mut gw = Gateway::new(upstreams, classifier);
    gw.first_token = first_token;
    let gw = Arc::new(gw);
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, router(gw)).await });
    format!("http://{addr}/v1/chat/completions")
}

async fn ask(gateway: &str) -> (u16, String) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = client
        .post(gateway)
        .header("content-type", "application/json")
        .body(r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn served(counters: &[&Arc<AtomicUsize>]) -> Vec<usize> {
    counters.iter().map(|c| c.load(Ordering::SeqCst)).collect()
}

const OK: &str = r#"{"choices":[{"message":{"role":"assistant","content":"hello"}}]}"#;
const HI: &str = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n";

#[tokio::test]
async fn quota_under_misleading_statuses_fails_over_until_an_upstream_answers() {
    let cap = install();
    let (a, a_n) = mock(vec![json(
        200,
        r#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
    )])
    .await;
    let (b, b_n) = mock(vec![json(
        400,
        r#"{"code":400,"reason":"NOT_ENOUGH_BALANCE","message":"not enough balance","metadata":{}}"#,
    )])
    .await;
    let (c, c_n) = mock(vec![json(
        429,
        r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
    )])
    .await;
    let (d, d_n) = mock(vec![json(200, OK)]).await;
    let gw = start(vec![a, b, c, d]).await;
    let (status, body) = ask(&gw).await;
    assert_eq!((status, body.as_str()), (200, OK));
    assert_eq!(served(&[&a_n, &b_n, &c_n, &d_n]), [1, 1, 1, 1]);
    // Three error responses, each classified once; the answer not at all.
    assert_eq!(cap.count(&["classified", "transport"]), 3);
    // The keys' balances are gone: the next request goes straight to d.
    let (status, _) = ask(&gw).await;
    assert_eq!(status, 200);
    assert_eq!(served(&[&a_n, &b_n, &c_n, &d_n]), [1, 1, 1, 2]);
}

#[tokio::test]
async fn a_rate_limit_under_200_is_retried_on_the_same_upstream() {
    let cap = install();
    let (a, a_n) = mock(vec![
        json(
            200,
            r#"{"base_resp":{"status_code":1002,"status_msg":"rate limit exceeded"}}"#,
        ),
        json(200, OK),
    ])
    .await;
    let (b, b_n) = mock(vec![json(200, OK)]).await;
    let gw = start(vec![a, b]).await;
    let (status, body) = ask(&gw).await;
    assert_eq!((status, body.as_str()), (200, OK));
    assert_eq!(served(&[&a_n, &b_n]), [2, 0]);
    assert_eq!(cap.count(&["classified", "transport"]), 1);
}

#[tokio::test]
async fn overload_a_proxy_page_and_a_refused_connection_fail_over_and_rest_the_endpoints() {
    let cap = install();
    let (a, a_n) = mock(vec![json(
        529,
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    )])
    .await;
    let (b, b_n) = mock(vec![html(
        502,
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    )])
    .await;
    let c = refused().await;
    let (d, d_n) = mock(vec![json(200, OK)]).await;
    let gw = start(vec![a, b, c, d]).await;
    let (status, _) = ask(&gw).await;
    assert_eq!(status, 200);
    assert_eq!(served(&[&a_n, &b_n, &d_n]), [1, 1, 1]);
    // Two responses classified, one connection that failed.
    assert_eq!(cap.count(&["classified"]), 2);
    assert_eq!(cap.count(&["transport"]), 1);
    // The endpoints rest: the next request is not sent to a, b or c.
    let (status, _) = ask(&gw).await;
    assert_eq!(status, 200);
    assert_eq!(served(&[&a_n, &b_n, &d_n]), [1, 1, 2]);
    assert_eq!(cap.count(&["classified", "transport"]), 3);
}

#[tokio::test]
async fn a_wrong_request_is_answered_at_once_in_the_gateways_words() {
    let cap = install();
    let (a, a_n) = mock(vec![json(
        400,
        r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
    )])
    .await;
    let (b, b_n) = mock(vec![json(200, OK)]).await;
    let gw = start(vec![a, b]).await;
    let (status, body) = ask(&gw).await;
    assert_eq!(status, 400);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "context_length_exceeded");
    assert!(!body.contains("8192"), "{body}");
    assert_eq!(served(&[&a_n, &b_n]), [1, 0]);
    assert_eq!(cap.count(&["classified", "transport"]), 1);
}

#[tokio::test]
async fn the_gateways_own_keys_failing_are_not_the_clients_problem() {
    let _cap = install();
    let (a, _) = mock(vec![json(
        401,
        r#"{"error":{"message":"Incorrect API key provided: sk-gatew***-key.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
    )])
    .await;
    let (b, _) = mock(vec![json(
        200,
        r#"{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
    )])
    .await;
    let gw = start(vec![a, b]).await;
    let (status, body) = ask(&gw).await;
    // Never 401 or 402 about a key the client did not send.
    assert_eq!(status, 503, "{body}");
    assert!(!body.contains("sk-"), "{body}");
    assert!(!body.to_lowercase().contains("balance"), "{body}");
}

#[tokio::test]
async fn a_stream_error_before_the_first_token_fails_over_and_after_it_ends_the_stream() {
    let cap = install();
    let (a, a_n) = mock(vec![sse(&[
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    ])])
    .await;
    let (b, b_n) = mock(vec![sse(&[
        HI,
        HI,
        "data: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit exceeded\"}}\n\n",
        HI,
    ])])
    .await;
    let gw = start(vec![a, b]).await;
    let (status, body) = ask(&gw).await;
    assert_eq!(status, 200);
    assert_eq!(served(&[&a_n, &b_n]), [1, 1]);
    // The client got b's tokens, then the gateway's own error event, nothing after.
    let (tokens, tail) = body.split_at(2 * HI.len());
    assert_eq!(tokens, HI.repeat(2));
    assert!(tail.starts_with("data: {\"error\":"), "{tail}");
    assert!(tail.ends_with("}\n\n"), "{tail}");
    assert!(!tail.contains("rate limit exceeded"), "{tail}");
    assert_eq!(tail.matches("data:").count(), 1, "{tail}");
    // One error event from each upstream, each classified once.
    assert_eq!(cap.count(&["classified", "transport"]), 2);
}

#[tokio::test]
async fn a_large_answer_is_relayed_whole_with_its_content_type() {
    let _cap = install();
    // Embeddings of many inputs: over the 1 MiB the gateway reads before deciding.
    let big: &'static str = Box::leak(
        format!(
            r#"{{"data":[{}],"object":"list"}}"#,
            vec!["0.0123456789"; 120_000].join(",")
        )
        .into_boxed_str(),
    );
    assert!(big.len() > errnorm::relay::BODY_LIMIT);
    let (a, _) = mock(vec![json(200, big)]).await;
    let gw = start(vec![a]).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = client.post(&gw).body("{}").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.text().await.unwrap(), big);
}

#[tokio::test]
async fn an_error_event_split_across_writes_never_reaches_the_client_in_part() {
    // CRLF line ends, and the error event (OpenAI-shaped, as gateways forward it) cut in
    // the middle of its JSON and between its \r and \n.
    let err = "data: {\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\r\n\r\n";
    let hi = HI.replace('\n', "\r\n");
    let (a, _) = mock(vec![sse(&[
        &hi,
        &err[..30],
        &err[30..err.len() - 1],
        &err[err.len() - 1..],
    ])])
    .await;
    let gw = start(vec![a]).await;
    let (status, body) = ask(&gw).await;
    assert_eq!(status, 200);
    assert!(body.starts_with(&hi), "{body}");
    let tail = &body[hi.len()..];
    assert!(tail.starts_with("data: {\"error\":"), "{tail}");
    assert!(!tail.contains("Rate limit reached"), "{tail}");
    assert_eq!(tail.matches("data:").count(), 1, "{tail}");
}

/// A stream whose first token never comes: the gateway's own timeout (not an upstream's
/// answer) fails the upstream over, and the next one answers.
#[tokio::test]
async fn a_first_token_that_never_comes_fails_over() {
    let head =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n".to_vec();
    let (a, a_n) = mock(vec![Reply::Stall(head, Duration::from_secs(5))]).await;
    let (b, b_n) = mock(vec![json(200, OK)]).await;
    let gw = start_with(vec![a, b], Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let (status, body) = ask(&gw).await;
    assert_eq!((status, body.as_str()), (200, OK));
    // The timeout is retried on the same upstream within the policy's budget (it is a
    // timeout: advised as a retry), then the next upstream answers; long before the
    // stalled upstream would have closed.
    let [tried_a, tried_b] = served(&[&a_n, &b_n])[..] else {
        unreachable!()
    };
    assert!(tried_a >= 1 && tried_b == 1, "{tried_a} {tried_b}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}
