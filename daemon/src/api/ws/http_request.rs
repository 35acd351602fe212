//! The headers of an incoming HTTP request on the public port, as the door reads them:
//! [`is_upgrade`] (does it ask for a WebSocket) and [`header_str`] (one header as text).

use hyper::Request;
use hyper::header;

/// Whether the request asks for a WebSocket (`Upgrade: websocket`).
pub fn is_upgrade<B>(request: &Request<B>) -> bool {
    header_str(request, header::UPGRADE).is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
}

pub(super) fn header_str<B>(request: &Request<B>, name: impl header::AsHeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}
