//! The public port's accept loop ([`run`]): each accepted connection gets a pre-upgrade slot
//! ([`super::pending`], evicting the oldest at the cap), its peer's uid (one lookup per
//! connection, [`super::peer`]) and an HTTP/1.1 server whose header read timeout is
//! `websocket.handshakeTimeout`. A failing accept (out of file descriptors: `EMFILE`) pauses
//! the loop instead of spinning on the same error, and is logged once per burst.

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

use super::peer::{PeerLookup, PeerUid};
use super::{Hub, route};

/// How long the loop rests after a failed accept.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// The least time between two warnings about the same kind of trouble.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// A warning said at most once per [`WARN_EVERY`], with the count of what it stood for.
#[derive(Debug, Default)]
struct Quiet {
    last: Option<Instant>,
    since: u64,
}

impl Quiet {
    /// Counts one occurrence; `Some(count)` when it is time to warn.
    fn tick(&mut self) -> Option<u64> {
        self.since += 1;
        if self.last.is_some_and(|last| last.elapsed() < WARN_EVERY) {
            return None;
        }
        self.last = Some(Instant::now());
        Some(std::mem::take(&mut self.since))
    }
}

/// Accepts connections until the core starts closing; returns the connections' tracker.
pub async fn run(
    hub: &Arc<Hub>,
    listener: TcpListener,
    mut lookup: Option<PeerLookup>,
) -> TaskTracker {
    let connections = TaskTracker::new();
    let closing = hub.core.closing().clone();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(hub.settings.handshake_timeout);
    let (mut accept_failures, mut evictions) = (Quiet::default(), Quiet::default());
    loop {
        let (stream, peer) = tokio::select! {
            () = closing.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    if let Some(count) = accept_failures.tick() {
                        tracing::warn!(%err, count, "accept failed on the public port; pausing");
                    }
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
        };
        let (slot, evicted) = tokio::select! {
            () = closing.cancelled() => break,
            admitted = hub.pending.admit() => admitted,
        };
        if evicted && let Some(count) = evictions.tick() {
            tracing::warn!(
                cap = hub.settings.max_pending_connections,
                count,
                "too many connections waiting to upgrade (idle or slow clients?); closing the oldest"
            );
        }
        let uid = match (&mut lookup, stream.local_addr()) {
            (Some(lookup), Ok(local)) => lookup.uid(local, peer).await,
            _ => PeerUid::Unknown,
        };
        let route_hub = hub.clone();
        let service = service_fn(move |request| route(route_hub.clone(), peer, uid, request));
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let closing = closing.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                // Dropping the connection closes its socket.
                () = slot.evicted.cancelled() => return,
                () = closing.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            drop(slot);
            if let Err(err) = result {
                tracing::debug!(%err, %peer, "HTTP connection ended with an error");
            }
        });
    }
    connections
}
