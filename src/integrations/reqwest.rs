//! Classifying a `reqwest::Response` (feature `reqwest`).

use bytes::Bytes;

use super::body::ClassifiedResponse;
use crate::{ApiError, Provider};

/// Classifies a `reqwest::Error`: a failure with no response to read (connect,
/// timeout, a body broken off mid-read) becomes a transient error with advice, as
/// [`classify_transport`](crate::classify_transport) does for `std::io::Error`.
pub fn classify_reqwest_error(err: &reqwest::Error) -> ApiError {
    let (reason, code) = crate::act::transport::reqwest_reason(err);
    let e = ApiError::transport(reason, code, err.to_string());
    #[cfg(feature = "tracing")]
    crate::integrations::trace::transport(&e);
    #[cfg(feature = "metrics")]
    crate::integrations::metrics::transport(&e);
    e
}

/// Reads a `reqwest::Response` (at most [`BODY_LIMIT`](crate::BODY_LIMIT) of it) and classifies it,
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
    let (parts, body) = http::Response::<reqwest::Body>::from(res).into_parts();
    let mut body = std::pin::pin!(body);
    let c = super::body::read_capped(body.as_mut()).await;
    if let Some(e) = c.broke {
        return Err(e);
    }
    let body = Bytes::from(c.buf);
    let error = crate::pipeline::run(None, provider, parts.status, &parts.headers, &body)
        .map(ApiError::from);
    Ok(ClassifiedResponse {
        status: parts.status,
        headers: parts.headers,
        body,
        truncated: c.truncated,
        error,
    })
}
