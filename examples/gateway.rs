//! A streaming LLM gateway in axum + reqwest, driven by errnorm: it forwards
//! `POST /v1/chat/completions` to its upstreams in order, and for each failure follows
//! the advice: retry the same upstream after the policy's delay, fail over to the next
//! (cooling the key, the endpoint or the model down as the advice's scope says), or
//! answer the client at once with a client-safe error. Successful streams are relayed
//! as they arrive; an error before the first token still fails over, an error after it
//! ends the client's stream with the gateway's own error event.
//!
//! ```sh
//! cargo run --example gateway --features "axum reqwest" -- 127.0.0.1:8080 \
//!     minimax=http://127.0.0.1:8081/v1/chat/completions \
//!     novita=http://127.0.0.1:8082/v1/chat/completions
//! ```
//!
//! Each upstream is `name=url`; its key is read from `GATEWAY_KEY_<NAME>` (none if
//! unset). `tests/gateway.rs` runs this gateway against mock upstreams on 127.0.0.1.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use errnorm::{
    advice::Cooldowns,
    client::{ClientError, Lang},
    relay::Upstream as Read,
    Action, ApiError, Classifier, Reason,
};

/// How long a stream may take to send its first token before the gateway gives up on
/// the upstream (by default).
const FIRST_TOKEN: Duration = Duration::from_secs(30);

/// One upstream: a name for logs and cool-downs, its URL and its key.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The name cool-downs are kept under.
    pub name: String,
    /// The URL requests are posted to.
    pub url: String,
    /// The bearer key, if any.
    pub key: Option<String>,
}

/// The gateway's state, shared by every request.
pub struct Gateway {
    /// The upstreams, tried in order.
    pub upstreams: Vec<Upstream>,
    /// The one configured classifier (rules, limits, retry policy, client options).
    pub classifier: Classifier,
    /// The HTTP client.
    pub http: reqwest::Client,
    /// Which keys, endpoints and models rest.
    pub cooldowns: Mutex<Cooldowns>,
    /// How long a stream may take to send its first token.
    pub first_token: Duration,
}

impl Gateway {
    /// A gateway over `upstreams` whose keys are its own: an upstream's auth or quota
    /// failure is never reported to the client as the client's.
    pub fn new(upstreams: Vec<Upstream>, classifier: Classifier) -> Gateway {
        Gateway {
            upstreams,
            classifier,
            http: reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            cooldowns: Mutex::new(Cooldowns::new(1, Duration::from_secs(300), 10_000)),
            first_token: FIRST_TOKEN,
        }
    }

    /// The name a failure is recorded under: the advice's scope picks the key, the
    /// endpoint or the model at this upstream.
    /// What the cool-down tracker names for a request to `up` (its key's id, never the
    /// secret; one model here).
    fn target(up: &Upstream) -> (&str, &str, &str) {
        (
            &up.name,
            if up.key.is_some() { "key" } else { "none" },
            "any",
        )
    }

    fn resting(&self, up: &Upstream) -> bool {
        let c = self.cooldowns.lock().unwrap_or_else(|e| e.into_inner());
        c.is_resting_for(Gateway::target(up), Instant::now())
    }

    fn failed(&self, up: &Upstream, e: &ApiError) {
        let advice = self.classifier.advice(e);
        let mut c = self.cooldowns.lock().unwrap_or_else(|e| e.into_inner());
        c.record_for(Gateway::target(up), &advice, Instant::now());
    }

    fn succeeded(&self, up: &Upstream) {
        let mut c = self.cooldowns.lock().unwrap_or_else(|e| e.into_inner());
        c.success_for(Gateway::target(up));
    }
}

pub fn router(gw: Arc<Gateway>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(gw)
}

/// What one attempt at one upstream came to.
enum Outcome {
    /// The answer to hand the client.
    Answer(Response),
    /// A failure, classified once.
    Failed(ApiError),
}

async fn attempt(gw: &Arc<Gateway>, up: &Upstream, body: &Bytes) -> Outcome {
    let mut req = gw
        .http
        .post(&up.url)
        .header("content-type", "application/json")
        .body(body.clone());
    if let Some(key) = &up.key {
        req = req.bearer_auth(key);
    }
    let res = match req.send().await {
        Ok(res) => res,
        // Refused, reset, timed out: no response to read.
        Err(e) => return Outcome::Failed(gw.classifier.transport(&e)),
    };
    match gw.classifier.relay(http::Response::from(res)).await {
        Read::Complete(r) => {
            gw.succeeded(up);
            Outcome::Answer(r.into_response().map(Body::from))
        }
        Read::Error(r) => Outcome::Failed(r.error),
        Read::Stream(mut relay) => {
            // An error before the first token fails over; so does a first token that
            // never comes (the gateway's own timeout, advised like an upstream's).
            match tokio::time::timeout(gw.first_token, relay.first_output()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Outcome::Failed(e.into_error()),
                Err(_) => return Outcome::Failed(ApiError::own_timeout("first_token_timeout")),
            }
            gw.succeeded(up);
            let status = relay.status();
            let content_type = relay.headers().get("content-type").cloned();
            let (gw2, up2) = (gw.clone(), up.clone());
            // After the first token an error ends the stream with the gateway's own
            // event; the upstream is still told off for it.
            let body = relay.into_body(&gw.classifier, move |e| gw2.failed(&up2, e.error()));
            let mut res = Response::new(Body::new(body));
            *res.status_mut() = status;
            // An event stream, or a JSON answer too large to read first.
            if let Some(ct) = content_type {
                res.headers_mut().insert("content-type", ct);
            }
            Outcome::Answer(res)
        }
    }
}

async fn chat(State(gw): State<Arc<Gateway>>, body: Bytes) -> Response {
    let mut last: Option<ApiError> = None;
    for up in gw.upstreams.iter().filter(|u| !gw.resting(u)) {
        let mut retries = 0;
        loop {
            let e = match attempt(&gw, up, &body).await {
                Outcome::Answer(res) => return res,
                Outcome::Failed(e) => e,
            };
            gw.failed(up, &e);
            let action = gw.classifier.advice(&e).action;
            if action == Action::Respond {
                // The request itself is wrong: no upstream would take it.
                return gw.classifier.client_error(&e).into_response();
            }
            if action == Action::Retry {
                if let Some(d) = gw.classifier.next_delay(&e, retries) {
                    retries += 1;
                    tokio::time::sleep(d).await;
                    continue;
                }
            }
            last = Some(e);
            break; // fail over
        }
    }
    match last {
        Some(e) => gw.classifier.client_error(&e).into_response(),
        // Every upstream rests.
        None => ClientError::from_reason(Reason::Overloaded, Lang::En).into_response(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let upstreams = args
        .filter_map(|a| {
            let (name, url) = a.split_once('=')?;
            let key = std::env::var(format!("GATEWAY_KEY_{}", name.to_uppercase())).ok();
            Some(Upstream {
                name: name.into(),
                url: url.into(),
                key,
            })
        })
        .collect();
    let classifier = Classifier::new()
        .with_client(errnorm::client::ClientOptions::default().with_own_credentials());
    let gw = Arc::new(Gateway::new(upstreams, classifier));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("gateway on http://{listen}/v1/chat/completions");
    axum::serve(listener, router(gw)).await
}
