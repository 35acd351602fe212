//! The public port: [`Door::prepare`] readies it (who may connect, connection caps fitted to
//! the open-file limit, the owner's token file) and [`Door::serve`] accepts HTTP/1.1
//! connections on `host:port` (`accept`) and routes them — every request first passes the
//! [`owner`] gate (only the daemon's user, by default), then `GET /health` ([`health`]),
//! `GET /metrics` ([`metrics`]) and WebSocket upgrades on any path ([`handshake`] checks and
//! answers them, [`connection`] runs each client). [`Hub`] is what every connection shares.
//! Connections that have not upgraded are bounded in number and time ([`pending`]);
//! connections are tracked so that a stop closes them with 1000 `Server shutting down` and
//! drains them within the shutdown timeout.

mod accept;
pub mod approvals;
pub mod auth;
pub mod connection;
pub mod errors;
pub mod handler;
pub mod handshake;
pub mod health;
mod http_request;
pub mod inbound;
pub mod jwt;
pub mod memory;
pub mod message_type;
pub mod metrics;
pub mod origin;
pub mod owner;
pub mod peer;
pub mod pending;
pub mod stream;
pub mod wire;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::core::Core;
use crate::supervisor::Supervisor;
use orchestrator_config::WebSocketSettings;
use owner::{OwnerGate, Policy};
use peer::{PeerLookup, PeerUid};

/// What every connection of the public port shares.
#[derive(Debug)]
pub struct Hub {
    core: Arc<Core>,
    supervisor: Arc<Supervisor>,
    /// The configured settings, with the connection caps fitted to the open-file limit.
    settings: WebSocketSettings,
    auth: Option<auth::Authenticator>,
    gate: OwnerGate,
    pending: Arc<pending::Pending>,
    metrics: Arc<metrics::WsMetrics>,
    open: AtomicUsize,
    clients: TaskTracker,
    /// Session output, encoded once for every connection ([`stream::encode_outputs`]).
    outputs: tokio::sync::broadcast::Sender<Arc<stream::EncodedOutput>>,
}

impl Hub {
    /// Whether a request's `Host` names this daemon (DNS rebinding: a foreign name that
    /// resolves to 127.0.0.1 arrives with its own `Host`).
    fn host_allowed<B>(&self, request: &Request<B>) -> bool {
        let config = self.core.config();
        // Bound to every interface with authentication (without the loopback bypass): the
        // credential, not the name, protects the port.
        let any_host = self
            .settings
            .auth
            .as_ref()
            .is_some_and(|a| !a.allow_loopback)
            && config
                .host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_unspecified());
        let host = request
            .headers()
            .get(hyper::header::HOST)
            .and_then(|v| v.to_str().ok());
        origin::host_allowed(host, &config.host, any_host)
    }
}

/// Encoded session outputs a slow connection may fall behind by before it misses some (as the
/// core's own output buffer).
const OUTPUT_BUFFER: usize = 8192;

/// The public port, ready to serve.
#[derive(Debug)]
pub struct Door {
    hub: Arc<Hub>,
    listener: TcpListener,
    lookup: Option<PeerLookup>,
}

impl Door {
    /// The notifier's counters, which `/metrics` serves.
    pub fn notify_counters(&self) -> metrics::NotifyCounters {
        self.hub.metrics.notifications.clone()
    }

    /// Readies the port bound by `listener` for the daemon whose control socket is `socket`:
    /// decides who may connect (and how a peer's user is told), writes the owner's token file
    /// beside the socket, and fits the connection caps into the open-file limit. Everything
    /// it decides is logged.
    pub fn prepare(
        core: Arc<Core>,
        supervisor: Arc<Supervisor>,
        listener: TcpListener,
        socket: &Path,
    ) -> Self {
        let mut settings = core.config().websocket.clone();
        if let Some(limit) = crate::fd_limit::soft_limit()
            && let Some((pending, open)) = pending::fit_to_fd_limit(
                settings.max_pending_connections,
                settings.max_connections,
                limit,
            )
        {
            tracing::warn!(
                fd_limit = limit,
                max_pending_connections = pending,
                max_connections = open,
                "the open-file limit is too small for websocket.maxPendingConnections and \
                 websocket.maxConnections; both scaled down to leave half the limit to the \
                 control socket, the database and the agents (raise the hard limit, e.g. \
                 LimitNOFILE= in the service unit)"
            );
            settings.max_pending_connections = pending;
            settings.max_connections = open;
        }
        let policy = if settings.auth.is_some() {
            Policy::Credentials
        } else if settings.allow_other_users {
            tracing::warn!(
                "websocket.allowOtherUsers is on: EVERY local user of this machine can use this \
                 daemon through the WebSocket port: read its memories and sessions, and spawn \
                 agents that run as this user. Configure DAEMON_AUTH_* credentials instead"
            );
            Policy::Everyone
        } else {
            Policy::OwnerOnly
        };
        let own_uid = nix::unistd::geteuid().as_raw();
        let gate = OwnerGate::new(policy, own_uid, owner::token_path(socket));
        let lookup = gate
            .needs_uid(settings.auth.as_ref().is_some_and(|a| a.allow_loopback))
            .then(|| probe_lookup(&listener, own_uid, gate.token_path()));
        let metrics = Arc::new(metrics::WsMetrics::default());
        let hub = Arc::new(Hub {
            auth: settings.auth.clone().map(auth::Authenticator::new),
            pending: pending::Pending::new(settings.max_pending_connections, metrics.clone()),
            settings,
            gate,
            core,
            supervisor,
            metrics,
            open: AtomicUsize::new(0),
            clients: TaskTracker::new(),
            outputs: tokio::sync::broadcast::channel(OUTPUT_BUFFER).0,
        });
        Self {
            hub,
            listener,
            lookup,
        }
    }

    /// Serves the port until the core starts closing, then gives open connections up to
    /// `drain` to finish.
    pub async fn serve(self, drain: Duration) {
        let Self {
            hub,
            listener,
            lookup,
        } = self;
        tokio::spawn(stream::encode_outputs(
            hub.core.subscribe_output(),
            hub.outputs.clone(),
            hub.core.closing().clone(),
        ));
        let connections = accept::run(&hub, listener, lookup).await;
        connections.close();
        hub.clients.close();
        let all = async {
            connections.wait().await;
            hub.clients.wait().await;
        };
        if tokio::time::timeout(drain, all).await.is_err() {
            tracing::warn!("some public-port connections did not close in time");
        }
        hub.gate.remove_token_file();
    }
}

/// The peer lookup that works here, logged; where none does, clients must bring the token.
fn probe_lookup(listener: &TcpListener, own_uid: u32, token: &Path) -> PeerLookup {
    let Ok(local) = listener.local_addr() else {
        return PeerLookup::unavailable();
    };
    let (lookup, method) = PeerLookup::probe(local, own_uid);
    match method {
        Ok(method) => {
            tracing::info!(
                method,
                "the public port tells local users apart by {method}"
            );
        }
        Err(why) => tracing::warn!(
            token = %token.display(),
            reason = %why,
            "cannot tell which local user opens a connection to the public port; only clients \
             presenting the token from the token file (X-Wundr-Token header) are admitted"
        ),
    }
    lookup
}

async fn route(
    hub: Arc<Hub>,
    peer: SocketAddr,
    uid: PeerUid,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let trust = match hub.gate.check(uid, &request) {
        Ok(trust) => trust,
        Err(refusal) => {
            tracing::warn!(%peer, ?uid, path = request.uri().path(), ?refusal, "refused a public-port request: not the daemon's user");
            hub.metrics.refused.inc();
            let body = refusal.body(hub.gate.token_path());
            return Ok(handshake::respond(StatusCode::FORBIDDEN, &body));
        }
    };
    if http_request::is_upgrade(&request) {
        return Ok(handshake::upgrade(&hub, peer, trust, request));
    }
    if !hub.host_allowed(&request) {
        tracing::warn!(%peer, path = request.uri().path(), "refused a public-port request: foreign Host header (DNS rebinding?)");
        hub.metrics.refused.inc();
        return Ok(handshake::respond(StatusCode::FORBIDDEN, "Forbidden"));
    }
    if let Some(response) = health::respond(&request) {
        return Ok(response);
    }
    if request.uri().path() == "/metrics" && request.method() == hyper::Method::GET {
        let mut response = Response::new(Full::new(Bytes::from(hub.metrics.render(&hub.core))));
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        );
        return Ok(response);
    }
    Ok(not_found())
}

/// Upstream's answer to every other path: 404 with the body `Not Found`.
fn not_found() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"Not Found")));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
