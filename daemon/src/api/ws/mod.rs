//! The public port: [`serve`] accepts HTTP/1.1 connections on `host:port` and routes them —
//! `GET /health` today ([`health`]), WebSocket upgrades on any path with the next issue.
//! Connections are tracked so that a stop drains them within the shutdown timeout.

pub mod health;

use std::convert::Infallible;
use std::sync::Arc;
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

/// Serves the public port until the core starts closing, then gives open connections up to
/// `drain` to finish.
pub async fn serve(
    core: Arc<Core>,
    _supervisor: Arc<Supervisor>,
    listener: TcpListener,
    drain: Duration,
) {
    let connections = TaskTracker::new();
    let closing = core.closing().clone();
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
        let connection = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service_fn(route))
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
    if tokio::time::timeout(drain, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("some public-port connections did not close in time");
    }
}

async fn route(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(health::respond(&request).unwrap_or_else(not_found))
}

/// Upstream's answer to every other path: 404 with the body `Not Found`.
fn not_found() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"Not Found")));
    *response.status_mut() = hyper::StatusCode::NOT_FOUND;
    response
}
