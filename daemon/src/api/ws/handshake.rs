//! The WebSocket upgrade, answered by hand on hyper so every refusal happens at the HTTP
//! level (a refused browser client must not see an accepted-then-closed socket, or Neolith
//! retries every 0.5 s): `http_request::is_upgrade` spots one, [`upgrade`] checks it — after the owner
//! gate of `super::route` (403 for another local user) — in order: handshake
//! headers (400/426), `Host` (403, DNS rebinding), `Origin` (403, cross-site pages),
//! connection cap (503), credentials (401 with upstream's `{"error":"<reason>"}`), per-client
//! limit (429) — then answers 101 and hands the upgraded socket to [`super::connection`].
//! `Slot` releases the reserved connection counts however the connection ends.

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
use super::auth::{Identity, Presented};
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
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let origin = header_str(&request, header::ORIGIN).map(str::to_owned);
    match accept(hub, peer, trust, request, origin.as_deref()) {
        Ok(response) => response,
        Err(refusal) => {
            tracing::warn!(%peer, origin = origin.as_deref().unwrap_or("-"), reason = %refusal.why, "refused a WebSocket upgrade");
            hub.metrics.refused.inc();
            refusal.response()
        }
    }
}

/// Why an upgrade is refused: the status and body of the answer, and the reason logged.
struct Refusal {
    status: StatusCode,
    body: String,
    why: String,
}

impl Refusal {
    fn new(status: StatusCode, body: &str, why: &str) -> Self {
        Self {
            status,
            body: body.to_owned(),
            why: why.to_owned(),
        }
    }

    fn response(&self) -> Response<Full<Bytes>> {
        let mut response = respond(self.status, &self.body);
        if self.status == StatusCode::UPGRADE_REQUIRED {
            response.headers_mut().insert(
                header::SEC_WEBSOCKET_VERSION,
                HeaderValue::from_static("13"),
            );
        }
        response
    }
}

/// The checks in order, then the connection's slot and its task; the 101 answer.
fn accept(
    hub: &Arc<Hub>,
    peer: SocketAddr,
    trust: Trust,
    mut request: Request<Incoming>,
    origin: Option<&str>,
) -> Result<Response<Full<Bytes>>, Refusal> {
    let key = handshake_key(hub, &request, origin)?;
    // A browser sends an `Origin`: Neolith's extra frames are on for it.
    let compat = origin.is_some();
    if hub.open.fetch_add(1, Ordering::AcqRel) >= hub.settings.max_connections {
        hub.open.fetch_sub(1, Ordering::AcqRel);
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"too_many_connections"}"#,
            "connection cap reached",
        ));
    }
    hub.metrics.connections.inc();
    let mut slot = Slot {
        hub: hub.clone(),
        client: None,
    };
    let identity = authenticate(hub, peer, trust, &request, &mut slot)?;
    let on_upgrade = hyper::upgrade::on(&mut request);
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
        let client = Client {
            peer,
            identity,
            compat,
        };
        connection::run(hub_for_task, ws, client).await;
    });
    Ok(switching_protocols(&derive_accept_key(key.as_bytes())))
}

/// The handshake's own checks, in order: a GET asking to upgrade with a key (400), version 13
/// (426), a `Host` of ours (403, DNS rebinding), an allowed `origin` (403, cross-site pages).
/// Returns the key.
fn handshake_key(
    hub: &Hub,
    request: &Request<Incoming>,
    origin: Option<&str>,
) -> Result<String, Refusal> {
    let connection_upgrade = header_str(request, header::CONNECTION).is_some_and(|c| {
        c.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
    });
    let key = header_str(request, header::SEC_WEBSOCKET_KEY).map(str::to_owned);
    let Some(key) = key.filter(|_| request.method() == hyper::Method::GET && connection_upgrade)
    else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "not a valid WebSocket handshake",
        ));
    };
    if header_str(request, header::SEC_WEBSOCKET_VERSION) != Some("13") {
        return Err(Refusal::new(
            StatusCode::UPGRADE_REQUIRED,
            "Upgrade Required",
            "unsupported WebSocket version",
        ));
    }
    if !hub.host_allowed(request) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "foreign Host header (DNS rebinding?)",
        ));
    }
    if let Some(origin) = origin
        && !origin_allowed(origin, &hub.settings.allowed_origins)
    {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Origin not allowed",
        ));
    }
    Ok(key)
}

/// In auth mode, the credentials (401) and the client's connection limit (429); the client
/// is held in `slot` until the connection ends. `None` without auth.
fn authenticate(
    hub: &Hub,
    peer: SocketAddr,
    trust: Trust,
    request: &Request<Incoming>,
    slot: &mut Slot,
) -> Result<Option<Identity>, Refusal> {
    let Some(auth) = &hub.auth else {
        return Ok(None);
    };
    let presented = Presented {
        authorization: header_str(request, header::AUTHORIZATION),
        api_key_header: header_str(request, "x-api-key"),
        query: request.uri().query(),
        // The loopback bypass is for the daemon's own user, not every local one.
        owner: trust == Trust::Owner,
    };
    let identity = auth.authenticate(peer.ip(), &presented).map_err(|reason| {
        let body = serde_json::json!({ "error": reason }).to_string();
        Refusal::new(StatusCode::UNAUTHORIZED, &body, reason)
    })?;
    if !auth.acquire_connection(&identity.client_id) {
        return Err(Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"error":"connection_limit_exceeded"}"#,
            "connection_limit_exceeded",
        ));
    }
    slot.client = Some(identity.client_id.clone());
    Ok(Some(identity))
}

/// The 101 answer that completes the handshake.
fn switching_protocols(accept: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(value) = HeaderValue::from_str(accept) {
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
