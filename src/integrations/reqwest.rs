//! Classifying a `reqwest::Response` (feature `reqwest`).

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::{ApiError, Provider};

/// A response read to the end and classified; the body is kept for the caller.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct ClassifiedResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// The error, when the response is one.
    pub error: Option<ApiError>,
}

/// Reads a `reqwest::Response` to the end and classifies it, detecting the provider.
/// The body stays available in [`ClassifiedResponse::body`].
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
    let body = res.bytes().await?;
    let error = crate::decide::run(None, provider, status, &headers, &body).map(ApiError::from);
    Ok(ClassifiedResponse {
        status,
        headers,
        body,
        error,
    })
}
