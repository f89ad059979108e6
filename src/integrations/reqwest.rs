//! Classifying a `reqwest::Response` (feature `reqwest`).

use bytes::Bytes;

pub use super::body::{ClassifiedResponse, BODY_LIMIT};
use crate::{ApiError, Provider};

/// Classifies a `reqwest::Error`: a failure with no response to read (connect,
/// timeout, a body broken off mid-read) becomes a transient error with advice, as
/// [`classify_transport`](crate::classify_transport) does for `std::io::Error`.
pub fn classify_reqwest_error(err: &reqwest::Error) -> ApiError {
    use crate::Reason;
    let (reason, code) = if err.is_timeout() {
        (Reason::Timeout, "timeout")
    } else if err.is_connect() {
        (Reason::UpstreamUnavailable, "connection_refused")
    } else if err.is_body() || err.is_decode() {
        (Reason::UpstreamUnavailable, "body_cut_off")
    } else {
        // Look for the I/O error underneath (a reset, an unexpected end).
        let mut source = std::error::Error::source(err);
        let mut found = None;
        while let Some(s) = source {
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                found = Some(crate::act::transport::io_kind(io.kind()));
                break;
            }
            source = s.source();
        }
        found.unwrap_or((Reason::ServerError, "transport_error"))
    };
    ApiError::transport(reason, code, err.to_string())
}

/// Reads a `reqwest::Response` (at most [`BODY_LIMIT`] of it) and classifies it,
/// detecting the provider. The body stays available in [`ClassifiedResponse::body`].
///
/// ```no_run
/// # async fn f() -> reqwest::Result<()> {
/// let res = reqwest::Client::new().post("http://127.0.0.1:8080/v1/chat/completions").send().await?;
/// let c = errnorm::classify_reqwest(res).await?;
/// match c.error {
///     Some(e) => eprintln!("{e}; advice: {:?}", e.client_status()),
///     None => println!("{} bytes", c.body.len()),
/// }
/// # Ok(()) }
/// ```
pub async fn classify_reqwest(res: reqwest::Response) -> reqwest::Result<ClassifiedResponse> {
    read(None, res).await
}

/// [`classify_reqwest`] for a known provider.
pub async fn classify_reqwest_as(
    provider: Provider,
    res: reqwest::Response,
) -> reqwest::Result<ClassifiedResponse> {
    read(Some(provider), res).await
}

async fn read(
    provider: Option<Provider>,
    res: reqwest::Response,
) -> reqwest::Result<ClassifiedResponse> {
    let status = res.status();
    let headers = res.headers().clone();
    let mut res = res;
    let mut buf = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = res.chunk().await? {
        let room = BODY_LIMIT.saturating_sub(buf.len());
        if chunk.len() > room {
            buf.extend_from_slice(chunk.get(..room).unwrap_or_default());
            truncated = true;
            break;
        }
        buf.extend_from_slice(&chunk);
    }
    let body = Bytes::from(buf);
    let error = crate::decide::run(None, provider, status, &headers, &body).map(ApiError::from);
    Ok(ClassifiedResponse {
        status,
        headers,
        body,
        truncated,
        error,
    })
}
