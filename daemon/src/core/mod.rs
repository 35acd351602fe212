//! The core: the one owner of daemon state. [`Core`] holds the lifecycle state, the
//! subsystem health table, the session [`Registry`], the counters and the two buses
//! (lifecycle [`DaemonEvent`]s, per-session [`SessionOutput`]); every change goes through its
//! methods, which persist sessions to the [`Store`] and announce what changed; the charter in
//! force, approvals and token pools are in `charter` (also `impl Core`). The gRPC and
//! WebSocket adapters only read snapshots and subscribe.

pub mod backlog;
mod charter;
pub mod memory;
pub mod registry;
mod sessions;

use parking_lot::{Mutex, MutexGuard};
use std::sync::{Arc, Weak};
use std::time::{Instant, SystemTime};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::charter::active::CharterHolder;
use crate::charter::approvals::Approvals;
use crate::memory::DaemonMemory;
use crate::model::{
    DaemonEvent, DaemonState, DaemonStatus, Endpoints, Metrics, Session, SessionOutput,
    SessionStatus, SubsystemHealth, SubsystemStatus,
};
use crate::store::Store;
pub use backlog::{FollowStart, OutputBacklog, OutputSink};
pub use charter::SpentPool;
use orchestrator_charter::budget::TokenPools;
use orchestrator_config::DaemonConfig;
use orchestrator_memory::{MemoryError, MemoryStore};
pub use registry::Registry;
pub use sessions::{SessionPage, SessionQuery};

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_BUFFER: usize = 1024;
/// The same for session output, which comes in bursts of small chunks.
const OUTPUT_BUFFER: usize = 8192;

/// The subsystems the daemon reports, in the order it reports them. `store` is the database of
/// sessions and the audit; `memory` its memory tables.
pub const SUBSYSTEMS: [&str; 6] = [
    "grpc",
    "websocket",
    "sessionManager",
    "logging",
    "store",
    "memory",
];

/// The daemon's state and event bus. Cheap to share: clone the `Arc`.
#[derive(Debug)]
pub struct Core {
    /// The `Arc` this core lives in, for callbacks that outlive a borrow (store commits).
    this: Weak<Core>,
    config: Arc<DaemonConfig>,
    inner: Mutex<Inner>,
    events: broadcast::Sender<DaemonEvent>,
    outputs: OutputBacklog,
    store: std::sync::OnceLock<Store>,
    charter: std::sync::OnceLock<CharterHolder>,
    approvals: Approvals,
    budget: Mutex<TokenPools>,
    memory: std::sync::OnceLock<DaemonMemory>,
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
    ended: EndedTally,
    registry: Registry,
    shutdown_reason: Option<String>,
    /// The shortest grace a shutdown request asked for (`wundr orchestrator stop -t N`).
    shutdown_grace: Option<std::time::Duration>,
}

/// Sessions that ended since the daemon started, for the success rate and mean duration.
#[derive(Debug, Default)]
struct EndedTally {
    completed: u64,
    failed: u64,
    count: u64,
    total_duration_ms: u64,
}

impl EndedTally {
    fn record(&mut self, session: &Session) {
        self.count += 1;
        self.total_duration_ms += session.metrics.duration;
        match session.status {
            SessionStatus::Completed => self.completed += 1,
            SessionStatus::Failed => self.failed += 1,
            _ => {}
        }
    }

    fn mean_duration(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.total_duration_ms / self.count.max(1))
    }

    fn success_rate(&self) -> f64 {
        let decided = self.completed + self.failed;
        if decided == 0 {
            1.0
        } else {
            self.completed as f64 / decided as f64
        }
    }
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
        Arc::new_cyclic(|this| Self {
            this: this.clone(),
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
                ended: EndedTally::default(),
                registry: Registry::default(),
                shutdown_reason: None,
                shutdown_grace: None,
            }),
            events: broadcast::channel(EVENT_BUFFER).0,
            outputs: OutputBacklog::new(OUTPUT_BUFFER),
            store: std::sync::OnceLock::new(),
            charter: std::sync::OnceLock::new(),
            approvals: Approvals::default(),
            budget: Mutex::new(TokenPools::default()),
            memory: std::sync::OnceLock::new(),
            shutdown_requested: CancellationToken::new(),
            closing: CancellationToken::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave Inner half-updated in a way that
        // matters more than stopping the daemon would, so keep serving with the data as is.
        self.inner.lock()
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

    /// A consistent snapshot of everything the daemon reports. The store's and memory's
    /// write faults show at once, not at the next heartbeat.
    pub fn status(&self) -> DaemonStatus {
        self.refresh_storage_health();
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
            sessions: inner.registry.counts(self.max_sessions()),
            subsystems: inner.subsystems.clone(),
            metrics: inner.metrics,
        }
    }

    /// The database, once attached.
    pub fn store(&self) -> Option<&Store> {
        self.store.get()
    }

    /// Records the store's and memory's current write faults as their subsystems' health.
    pub fn refresh_storage_health(&self) {
        if let Some(store) = self.store() {
            match store.health() {
                Some(fault) => {
                    self.record_subsystem("store", SubsystemStatus::Degraded, Some(fault))
                }
                None => self.record_subsystem("store", SubsystemStatus::Running, None),
            }
        }
        if let Some(memory) = self.daemon_memory() {
            let (status, detail) = memory.health();
            self.record_subsystem("memory", status, detail);
        }
    }

    /// Gives the core its memory (working or degraded); the first one given stays.
    pub fn attach_memory(&self, memory: DaemonMemory) {
        let (status, detail) = memory.health();
        let _ = self.memory.set(memory);
        self.record_subsystem("memory", status, detail);
    }

    /// The daemon's memory, once attached.
    pub fn daemon_memory(&self) -> Option<&DaemonMemory> {
        self.memory.get()
    }

    /// The memory store, or why there is none (degraded, or the daemon has not started).
    pub fn memory(&self) -> Result<&std::sync::Arc<MemoryStore>, MemoryError> {
        match self.memory.get() {
            Some(memory) => memory.store(),
            None => Err(MemoryError::Unavailable {
                reason: "the daemon has not opened its database yet".to_owned(),
                remedy: "start the daemon".to_owned(),
            }),
        }
    }

    /// Announces what a session's agent did to the session's followers.
    pub fn emit_output(&self, output: SessionOutput) {
        self.outputs.emit(output);
    }

    /// Every session output event from now on.
    pub fn subscribe_output(&self) -> broadcast::Receiver<SessionOutput> {
        self.outputs.subscribe()
    }

    /// Hands every session output event to `sink` too, from now on (set once).
    pub fn keep_output_in(&self, sink: Arc<dyn OutputSink>) {
        self.outputs.keep_in(sink);
    }

    /// One session's recent output so far, and every output event after it.
    pub fn follow_output(&self, session_id: &str) -> FollowStart {
        self.outputs.follow(session_id)
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

    /// As [`Core::request_shutdown`], asking that the stop take at most `grace` (when shorter
    /// than `shutdownTimeout`): a caller that forces the daemon after its own timeout wants the
    /// daemon to finish before that.
    pub fn request_shutdown_within(&self, reason: &str, grace: std::time::Duration) {
        {
            let mut inner = self.lock();
            inner.shutdown_grace = Some(inner.shutdown_grace.map_or(grace, |g| g.min(grace)));
        }
        self.request_shutdown(reason);
    }

    /// How long the stop may take: `shutdownTimeout`, or less when a request asked for less.
    pub fn shutdown_grace(&self) -> std::time::Duration {
        let configured = self.config.shutdown_timeout;
        self.lock()
            .shutdown_grace
            .map_or(configured, |asked| asked.min(configured))
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
