//! The public port: [`serve`] accepts HTTP/1.1 connections on `host:port` and routes them —
//! `GET /health` ([`health`]), `GET /metrics` ([`metrics`]) and WebSocket upgrades on any path
//! ([`handshake`] checks and answers them, [`connection`] runs each client). [`Hub`] is what
//! every connection shares. Connections are tracked so that a stop closes them with 1000
//! `Server shutting down` and drains them within the shutdown timeout.

pub mod approvals;
pub mod auth;
pub mod connection;
pub mod errors;
pub mod handler;
pub mod handshake;
pub mod health;
pub mod inbound;
pub mod jwt;
pub mod memory;
pub mod metrics;
pub mod origin;
pub mod settings;
pub mod stream;
pub mod wire;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::core::Core;
use crate::supervisor::Supervisor;
pub use settings::{AuthConfigError, AuthSettings, WebSocketSettings};

/// What every connection of the public port shares.
#[derive(Debug)]
pub struct Hub {
    core: Arc<Core>,
    supervisor: Arc<Supervisor>,
    settings: WebSocketSettings,
    auth: Option<auth::Authenticator>,
    metrics: metrics::WsMetrics,
    open: AtomicUsize,
    clients: TaskTracker,
    /// Session output, encoded once for every connection ([`stream::encode_outputs`]).
    outputs: tokio::sync::broadcast::Sender<Arc<stream::EncodedOutput>>,
}

impl Hub {
    fn new(core: Arc<Core>, supervisor: Arc<Supervisor>) -> Arc<Self> {
        let settings = core.config().websocket.clone();
        Arc::new(Self {
            auth: settings.auth.clone().map(auth::Authenticator::new),
            settings,
            core,
            supervisor,
            metrics: metrics::WsMetrics::default(),
            open: AtomicUsize::new(0),
            clients: TaskTracker::new(),
            outputs: tokio::sync::broadcast::channel(OUTPUT_BUFFER).0,
        })
    }
}

/// Encoded session outputs a slow connection may fall behind by before it misses some (as the
/// core's own output buffer).
const OUTPUT_BUFFER: usize = 8192;

/// Serves the public port until the core starts closing, then gives open connections up to
/// `drain` to finish.
pub async fn serve(
    core: Arc<Core>,
    supervisor: Arc<Supervisor>,
    listener: TcpListener,
    drain: Duration,
) {
    let hub = Hub::new(core, supervisor);
    let connections = TaskTracker::new();
    let closing = hub.core.closing().clone();
    tokio::spawn(stream::encode_outputs(
        hub.core.subscribe_output(),
        hub.outputs.clone(),
        closing.clone(),
    ));
    loop {
        let (stream, peer) = tokio::select! {
            () = closing.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Usually EMFILE: back off instead of spinning on the same error.
                    tracing::warn!(%err, "accept failed on the public port");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let route_hub = hub.clone();
        let service = service_fn(move |request| route(route_hub.clone(), peer, request));
        let connection = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let closing = closing.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = closing.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::debug!(%err, %peer, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.close();
    hub.clients.close();
    let all = async {
        connections.wait().await;
        hub.clients.wait().await;
    };
    if tokio::time::timeout(drain, all).await.is_err() {
        tracing::warn!("some public-port connections did not close in time");
    }
}

async fn route(
    hub: Arc<Hub>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if handshake::is_upgrade(&request) {
        return Ok(handshake::upgrade(&hub, peer, request));
    }
    if let Some(response) = health::respond(&request) {
        return Ok(response);
    }
    if request.uri().path() == "/metrics" && request.method() == hyper::Method::GET {
        let mut response = Response::new(Full::new(Bytes::from(hub.metrics.render(&hub.core))));
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static(
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
        );
        return Ok(response);
    }
    Ok(not_found())
}

/// Upstream's answer to every other path: 404 with the body `Not Found`.
fn not_found() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"Not Found")));
    *response.status_mut() = hyper::StatusCode::NOT_FOUND;
    response
}
