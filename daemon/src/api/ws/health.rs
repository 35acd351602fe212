//! `GET /health` exactly as upstream serves it: any method on the exact path `/health`
//! answers 200 with `{"status":"healthy","timestamp":"<ISO-8601 ms>"}`, without credentials
//! (it reveals nothing), once the owner gate and the `Host` check passed (`super::route`).
//! `/health/` or `/health?x` are other paths.

use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response};

/// The health response when `request` asks for it, else `None`.
pub fn respond<B>(request: &Request<B>) -> Option<Response<Full<Bytes>>> {
    let uri = request.uri();
    if uri.path() != "/health" || uri.query().is_some() {
        return None;
    }
    let body = serde_json::json!({
        "status": "healthy",
        "timestamp": humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
    });
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_path_is_health() {
        for (uri, is_health) in [
            ("/health", true),
            ("/health/", false),
            ("/health?x=1", false),
            ("/", false),
            ("/metrics", false),
        ] {
            let request = Request::builder().uri(uri).body(()).unwrap();
            assert_eq!(respond(&request).is_some(), is_health, "{uri}");
        }
    }
}
