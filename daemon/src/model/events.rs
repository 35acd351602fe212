//! [`DaemonEvent`]: everything the daemon announces on its event bus. Library users get them
//! from `OrchestratorDaemon::subscribe`, gRPC clients from `WatchEvents`; the names are
//! upstream's EventEmitter names.

use std::time::Duration;

use super::approval::ApprovalRequest;
use super::session::Session;
use super::status::DaemonStatus;

/// One daemon event.
#[derive(Debug, Clone, PartialEq)]
pub enum DaemonEvent {
    /// `started`: the daemon finished starting and serves both doors.
    Started {
        /// The daemon's pid.
        pid: u32,
    },
    /// `stopped`: the daemon is about to close its doors; the last event.
    Stopped {
        /// Why, e.g. `SIGTERM` or `shutdown requested over gRPC`.
        reason: String,
    },
    /// `healthCheck`: the heartbeat checked every subsystem.
    HealthCheck(Box<DaemonStatus>),
    /// `session:spawned`: a session was created (queued or starting).
    SessionSpawned(Box<Session>),
    /// `session:completed`: a session ended, whatever the outcome (see its status).
    SessionCompleted(Box<Session>),
    /// `session:updated`: any other lifecycle change of a session.
    SessionUpdated(Box<Session>),
    /// `session:stalled`: a running session has shown no progress for `idle_for` (emitted by
    /// the stall detector; the session keeps running).
    SessionStalled {
        /// The session, as it is now.
        session: Box<Session>,
        /// How long it has been silent.
        idle_for: Duration,
    },
    /// `approval:required`: an escalated agent action waits for an answer.
    ApprovalRequired(Box<ApprovalRequest>),
    /// `approval:resolved`: an approval request was approved, denied or expired.
    ApprovalResolved(Box<ApprovalRequest>),
    /// `budget:warning`: a token pool passed 80% of its share, or is spent.
    BudgetWarning {
        /// `subscription` or `api`.
        pool: &'static str,
        /// Tokens counted so far.
        used: u64,
        /// The pool's size.
        limit: u64,
    },
}

impl DaemonEvent {
    /// Upstream's event name: `started`, `stopped`, `healthCheck`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Started { .. } => "started",
            Self::Stopped { .. } => "stopped",
            Self::HealthCheck(_) => "healthCheck",
            Self::SessionSpawned(_) => "session:spawned",
            Self::SessionCompleted(_) => "session:completed",
            Self::SessionUpdated(_) => "session:updated",
            Self::SessionStalled { .. } => "session:stalled",
            Self::ApprovalRequired(_) => "approval:required",
            Self::ApprovalResolved(_) => "approval:resolved",
            Self::BudgetWarning { .. } => "budget:warning",
        }
    }
}
