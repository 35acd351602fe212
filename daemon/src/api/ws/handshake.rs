//! The WebSocket upgrade, answered by hand on hyper so every refusal happens at the HTTP
//! level (a refused browser client must not see an accepted-then-closed socket, or Neolith
//! retries every 0.5 s): [`is_upgrade`] spots one, [`upgrade`] checks it — after the owner
//! gate of `super::route` (403 for another local user) — in order: handshake
//! headers (400/426), `Host` (403, DNS rebinding), `Origin` (403, cross-site pages),
//! connection cap (503), credentials (401 with upstream's `{"error":"<reason>"}`), per-client
//! limit (429) — then answers 101 and hands the upgraded socket to [`super::connection`].
//! [`Slot`] releases the reserved connection counts however the connection ends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::Hub;
use super::auth::Presented;
use super::connection::{self, Client};
use super::http_request::header_str;
use super::origin::origin_allowed;
use super::owner::Trust;

/// Each connection's read buffer. tungstenite zeroes the buffer's free space (up to this
/// size) before every read, so its 128 KiB default cost more than the rest of a `ping`
/// (42% of the door's CPU under pipelined load). Requests are small; a bigger frame still
/// fits, as the buffer grows to a frame's announced length (within `maxFrameBytes`).
const READ_BUFFER: usize = 8 * 1024;

/// A reserved connection: the global count and the client's count, released on drop.
#[derive(Debug)]
struct Slot {
    hub: Arc<Hub>,
    client: Option<String>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.hub.open.fetch_sub(1, Ordering::AcqRel);
        self.hub.metrics.connections.dec();
        if let (Some(auth), Some(client)) = (&self.hub.auth, &self.client) {
            auth.release_connection(client);
        }
    }
}

/// Checks an upgrade request (whose sender the owner gate already admitted as `trust`) and
/// answers it: 101 and a running connection, or a refusal.
pub fn upgrade(
    hub: &Arc<Hub>,
    peer: SocketAddr,
    trust: Trust,
    mut request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let origin = header_str(&request, header::ORIGIN).map(str::to_owned);
    let refuse = |status: StatusCode, body: &str, why: &str| {
        tracing::warn!(%peer, origin = origin.as_deref().unwrap_or("-"), reason = why, "refused a WebSocket upgrade");
        hub.metrics.refused.inc();
        respond(status, body)
    };
    let connection_upgrade = header_str(&request, header::CONNECTION).is_some_and(|c| {
        c.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
    });
    let key = header_str(&request, header::SEC_WEBSOCKET_KEY).map(str::to_owned);
    if request.method() != hyper::Method::GET || !connection_upgrade || key.is_none() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "not a valid WebSocket handshake",
        );
    }
    if header_str(&request, header::SEC_WEBSOCKET_VERSION) != Some("13") {
        let mut response = refuse(
            StatusCode::UPGRADE_REQUIRED,
            "Upgrade Required",
            "unsupported WebSocket version",
        );
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return response;
    }
    if !hub.host_allowed(&request) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "foreign Host header (DNS rebinding?)",
        );
    }
    if let Some(origin) = &origin
        && !origin_allowed(origin, &hub.settings.allowed_origins)
    {
        return refuse(StatusCode::FORBIDDEN, "Forbidden", "Origin not allowed");
    }
    if hub.open.fetch_add(1, Ordering::AcqRel) >= hub.settings.max_connections {
        hub.open.fetch_sub(1, Ordering::AcqRel);
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"too_many_connections"}"#,
            "connection cap reached",
        );
    }
    hub.metrics.connections.inc();
    let mut slot = Slot {
        hub: hub.clone(),
        client: None,
    };
    let identity = match &hub.auth {
        None => None,
        Some(auth) => {
            let presented = Presented {
                authorization: header_str(&request, header::AUTHORIZATION),
                api_key_header: header_str(&request, "x-api-key"),
                query: request.uri().query(),
                // The loopback bypass is for the daemon's own user, not every local one.
                owner: trust == Trust::Owner,
            };
            let identity = match auth.authenticate(peer.ip(), &presented) {
                Ok(identity) => identity,
                Err(reason) => {
                    let body = serde_json::json!({ "error": reason }).to_string();
                    return refuse(StatusCode::UNAUTHORIZED, &body, reason);
                }
            };
            if !auth.acquire_connection(&identity.client_id) {
                return refuse(
                    StatusCode::TOO_MANY_REQUESTS,
                    r#"{"error":"connection_limit_exceeded"}"#,
                    "connection_limit_exceeded",
                );
            }
            slot.client = Some(identity.client_id.clone());
            Some(identity)
        }
    };
    let accept = derive_accept_key(key.unwrap_or_default().as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut request);
    let compat = origin.is_some();
    let hub_for_task = hub.clone();
    hub.clients.spawn(async move {
        let _slot = slot;
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(err) => {
                tracing::debug!(%err, %peer, "WebSocket upgrade did not complete");
                return;
            }
        };
        let limit = hub_for_task.settings.max_frame_bytes;
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .max_message_size(Some(limit))
            .max_frame_size(Some(limit));
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(ws_config))
                .await;
        connection::run(
            hub_for_task,
            ws,
            Client {
                peer,
                identity,
                compat,
            },
        )
        .await;
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(value) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, value);
    }
    response
}

/// A plain HTTP answer that closes the connection (JSON when `body` is).
pub(super) fn respond(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if body.starts_with('{') {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
