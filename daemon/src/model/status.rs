//! What the daemon reports about itself: [`DaemonStatus`] (a snapshot), [`DaemonState`],
//! [`SubsystemHealth`], [`Endpoints`], [`SessionCounts`] and [`Metrics`]. These are the
//! library's own types; the gRPC and WebSocket adapters translate them to their wire shapes.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// The daemon's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaemonState {
    /// Built, never started (or failed to start).
    Created,
    /// `start()` is binding sockets and starting tasks.
    Starting,
    /// Serving.
    Running,
    /// `stop()` is stopping sessions and closing clients.
    Stopping,
    /// Stopped.
    Stopped,
}

impl DaemonState {
    /// The lowercase name used on every wire and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created | Self::Stopped => "stopped",
            Self::Starting => "initializing",
            Self::Running => "running",
            Self::Stopping => "stopping",
        }
    }
}

/// The health of one subsystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubsystemStatus {
    /// Working.
    Running,
    /// Working with a problem worth a look (see the detail).
    Degraded,
    /// Not running (before start, after stop).
    Stopped,
    /// Failed.
    Error,
}

impl SubsystemStatus {
    /// The lowercase name used on every wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Degraded => "degraded",
            Self::Stopped => "stopped",
            Self::Error => "error",
        }
    }
}

/// One subsystem as the last heartbeat saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsystemHealth {
    /// Stable name, e.g. `grpc`, `websocket`, `sessionManager`, `logging`.
    pub name: &'static str,
    /// Its status.
    pub status: SubsystemStatus,
    /// When it was last checked.
    pub last_check: SystemTime,
    /// Why it is not running, when it is not.
    pub detail: Option<String>,
}

/// Where the daemon listens and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The gRPC control socket.
    pub socket: PathBuf,
    /// The host the public port is bound on.
    pub host: String,
    /// The port actually bound.
    pub port: u16,
    /// The daemon log file.
    pub log_file: PathBuf,
    /// Logs and other disposable state.
    pub state_dir: PathBuf,
    /// Data that must survive restarts.
    pub data_dir: PathBuf,
    /// Where Ray nodes reach the relay listener, when a cluster is configured.
    pub relay_address: Option<String>,
}

impl Endpoints {
    fn authority(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `ws://host:port`, the WebSocket API.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.authority())
    }

    /// `http://host:port/health`.
    pub fn health_url(&self) -> String {
        format!("http://{}/health", self.authority())
    }
}

/// Live session counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionCounts {
    /// Sessions holding a slot (initializing, running, paused).
    pub active: u32,
    /// Sessions waiting for a slot.
    pub queued: u32,
    /// Active sessions waiting for a person (an approval or an answer).
    pub waiting: u32,
    /// Active sessions whose agent shows no progress (stalled).
    pub stalled: u32,
    /// Every session known, any status.
    pub total: u32,
    /// The cap on active sessions.
    pub max_sessions: u32,
}

/// Counters since the daemon started.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Sessions created.
    pub total_sessions_spawned: u64,
    /// Tasks (turns) that ended, successfully or not.
    pub total_tasks_processed: u64,
    /// Tokens reported by agents.
    pub total_tokens_used: u64,
    /// Mean duration of ended sessions.
    pub average_session_duration: Duration,
    /// Completed / (completed + failed); 1 when none ended yet.
    pub success_rate: f64,
}

/// A snapshot of the whole daemon.
#[derive(Debug, Clone, PartialEq)]
pub struct DaemonStatus {
    /// The configured name.
    pub name: String,
    /// The daemon's version.
    pub version: &'static str,
    /// The contract version it speaks.
    pub protocol_version: u32,
    /// Its process id.
    pub pid: u32,
    /// Lifecycle state.
    pub state: DaemonState,
    /// Time since it finished starting (zero before).
    pub uptime: Duration,
    /// When it finished starting.
    pub started_at: Option<SystemTime>,
    /// Where it listens; `None` before start.
    pub endpoints: Option<Endpoints>,
    /// Session counts.
    pub sessions: SessionCounts,
    /// Every subsystem, in a stable order.
    pub subsystems: Vec<SubsystemHealth>,
    /// Counters.
    pub metrics: Metrics,
}
