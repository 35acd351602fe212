//! The core: the one owner of daemon state. [`Core`] holds the lifecycle state, the
//! subsystem health table, the counters and the event bus; every change goes through its
//! methods, and the gRPC and WebSocket adapters only read snapshots ([`DaemonStatus`]) and
//! subscribe to [`DaemonEvent`]s.

pub mod events;
pub mod status;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::config::DaemonConfig;
pub use events::DaemonEvent;
pub use status::{
    DaemonState, DaemonStatus, Endpoints, Metrics, SessionCounts, SubsystemHealth, SubsystemStatus,
};

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_BUFFER: usize = 1024;

/// The subsystems the daemon reports, in the order it reports them.
pub const SUBSYSTEMS: [&str; 4] = ["grpc", "websocket", "sessionManager", "logging"];

/// The daemon's state and event bus. Cheap to share: clone the `Arc`.
#[derive(Debug)]
pub struct Core {
    config: Arc<DaemonConfig>,
    inner: Mutex<Inner>,
    events: broadcast::Sender<DaemonEvent>,
    shutdown_requested: CancellationToken,
    closing: CancellationToken,
}

#[derive(Debug)]
struct Inner {
    state: DaemonState,
    started: Option<(SystemTime, Instant)>,
    endpoints: Option<Endpoints>,
    subsystems: Vec<SubsystemHealth>,
    metrics: Metrics,
    shutdown_reason: Option<String>,
}

impl Core {
    /// A core for `config`, in state [`DaemonState::Created`].
    pub fn new(config: Arc<DaemonConfig>) -> Arc<Self> {
        let now = SystemTime::now();
        let subsystems = SUBSYSTEMS
            .iter()
            .map(|name| SubsystemHealth {
                name,
                status: SubsystemStatus::Stopped,
                last_check: now,
                detail: None,
            })
            .collect();
        Arc::new(Self {
            config,
            inner: Mutex::new(Inner {
                state: DaemonState::Created,
                started: None,
                endpoints: None,
                subsystems,
                metrics: Metrics {
                    success_rate: 1.0,
                    ..Metrics::default()
                },
                shutdown_reason: None,
            }),
            events: broadcast::channel(EVENT_BUFFER).0,
            shutdown_requested: CancellationToken::new(),
            closing: CancellationToken::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave Inner half-updated in a way that
        // matters more than stopping the daemon would, so keep serving with the data as is.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The configuration the daemon runs with.
    pub fn config(&self) -> &DaemonConfig {
        &self.config
    }

    /// The current lifecycle state.
    pub fn state(&self) -> DaemonState {
        self.lock().state
    }

    /// Moves to `state`; entering `Running` starts the uptime clock.
    pub fn set_state(&self, state: DaemonState) {
        let mut inner = self.lock();
        inner.state = state;
        if state == DaemonState::Running {
            inner.started = Some((SystemTime::now(), Instant::now()));
        }
    }

    /// Records where the daemon listens, once bound.
    pub fn set_endpoints(&self, endpoints: Endpoints) {
        self.lock().endpoints = Some(endpoints);
    }

    /// Records what a check found about one subsystem.
    pub fn record_subsystem(&self, name: &str, status: SubsystemStatus, detail: Option<String>) {
        let mut inner = self.lock();
        if let Some(entry) = inner.subsystems.iter_mut().find(|s| s.name == name) {
            entry.status = status;
            entry.detail = detail;
            entry.last_check = SystemTime::now();
        }
    }

    /// A consistent snapshot of everything the daemon reports.
    pub fn status(&self) -> DaemonStatus {
        let inner = self.lock();
        DaemonStatus {
            name: self.config.name.clone(),
            version: orchestrator_api::VERSION,
            protocol_version: orchestrator_api::PROTOCOL_VERSION,
            pid: std::process::id(),
            state: inner.state,
            uptime: inner
                .started
                .map(|(_, at)| at.elapsed())
                .unwrap_or_default(),
            started_at: inner.started.map(|(at, _)| at),
            endpoints: inner.endpoints.clone(),
            sessions: SessionCounts {
                max_sessions: self.config.max_sessions,
                ..SessionCounts::default()
            },
            subsystems: inner.subsystems.clone(),
            metrics: inner.metrics,
        }
    }

    /// Sends `event` to every subscriber. Having none is normal.
    pub fn emit(&self, event: DaemonEvent) {
        tracing::debug!(event = event.name(), "event");
        let _no_subscribers_is_fine = self.events.send(event);
    }

    /// Every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<DaemonEvent> {
        self.events.subscribe()
    }

    /// Asks whoever runs the daemon (the binary's main loop, or an embedding program waiting
    /// on [`Core::shutdown_requested`]) to stop it. The first reason given is kept.
    pub fn request_shutdown(&self, reason: &str) {
        {
            let mut inner = self.lock();
            if inner.shutdown_reason.is_none() {
                inner.shutdown_reason = Some(reason.to_owned());
            }
        }
        self.shutdown_requested.cancel();
    }

    /// Resolves once a shutdown was requested; yields the reason.
    pub async fn shutdown_requested(&self) -> String {
        self.shutdown_requested.cancelled().await;
        self.shutdown_reason()
            .unwrap_or_else(|| "shutdown requested".to_owned())
    }

    /// The reason given by the first shutdown request, if any came.
    pub fn shutdown_reason(&self) -> Option<String> {
        self.lock().shutdown_reason.clone()
    }

    /// Cancelled when the daemon starts closing its doors: servers stop accepting, streams
    /// end, background tasks return.
    pub fn closing(&self) -> &CancellationToken {
        &self.closing
    }
}
