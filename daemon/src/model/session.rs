//! The session model: [`Session`] (upstream's Session plus what a real supervisor knows:
//! pid, work dir, Claude conversation id, exit code, error, queue position), its [`Task`],
//! and the vocabularies [`SessionType`], [`SessionStatus`], [`TaskPriority`], [`TaskStatus`].
//! [`new_session_id`] and [`new_task_id`] make upstream-shaped ids.
//!
//! Sessions serialise (serde, camelCase) into the daemon's database; the wire adapters build
//! their own shapes from these fields.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use orchestrator_config::RunnerKind;
use serde::{Deserialize, Serialize};

/// What a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionType {
    /// The Claude Code CLI (`claude -p … --output-format stream-json`).
    ClaudeCode,
    /// The Claude Flow CLI.
    ClaudeFlow,
    /// Claude Flow under its newer name; runs the same agent as `ClaudeFlow`.
    Ruflo,
}

impl SessionType {
    /// The name used on every wire: `claude-code`, `claude-flow`, `ruflo`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code",
            Self::ClaudeFlow => "claude-flow",
            Self::Ruflo => "ruflo",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "claude-code" => Some(Self::ClaudeCode),
            "claude-flow" => Some(Self::ClaudeFlow),
            "ruflo" => Some(Self::Ruflo),
            _ => None,
        }
    }
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// Waiting for a slot.
    Queued,
    /// Its agent process is being started.
    Initializing,
    /// Its agent is working on a turn.
    Running,
    /// Its agent's process group is stopped (SIGSTOP).
    Paused,
    /// Its last turn succeeded; the conversation can be continued.
    Completed,
    /// Its last turn failed, or the agent could not run.
    Failed,
    /// It was stopped.
    Terminated,
}

impl SessionStatus {
    /// Every status, in life order.
    pub const ALL: [SessionStatus; 7] = [
        Self::Queued,
        Self::Initializing,
        Self::Running,
        Self::Paused,
        Self::Completed,
        Self::Failed,
        Self::Terminated,
    ];

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The name used on every wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Initializing => "initializing",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Terminated => "terminated",
        }
    }

    /// Holds a slot: initializing, running or paused.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Initializing | Self::Running | Self::Paused)
    }

    /// Ended: completed, failed or terminated.
    pub fn is_ended(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Terminated)
    }
}

/// Task priority; the queue serves higher first, FIFO within one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskPriority {
    /// low
    Low,
    /// medium (the default)
    Medium,
    /// high
    High,
    /// critical
    Critical,
}

impl TaskPriority {
    /// The name used on every wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// The task types upstream accepts.
pub const TASK_TYPES: [&str; 5] = ["code", "research", "analysis", "custom", "general"];

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Pending,
    /// Being worked on.
    InProgress,
    /// Done.
    Completed,
    /// Failed.
    Failed,
}

impl TaskStatus {
    /// The name used on every wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }
}

/// What a session was asked to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// `task_<ms>`.
    pub id: String,
    /// The prompt.
    pub description: String,
    /// One of [`TASK_TYPES`].
    #[serde(rename = "type")]
    pub task_type: String,
    /// Queue priority.
    pub priority: TaskPriority,
    /// Progress.
    pub status: TaskStatus,
    /// Caller-supplied data, kept as given.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Creation time.
    pub created_at: SystemTime,
    /// Last change.
    pub updated_at: SystemTime,
}

/// Per-session counters, upstream's shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionMetrics {
    /// Tokens the agent reported.
    pub tokens_used: u64,
    /// Milliseconds from start to end (or to now while running).
    pub duration: u64,
    /// Turns that succeeded.
    pub tasks_completed: u32,
    /// Turns that failed, crashes included.
    pub errors_encountered: u32,
    /// Mean time from sending a turn to its result, in ms.
    pub average_response_time: f64,
}

impl SessionMetrics {
    /// Folds one turn's response time into the mean.
    pub fn record_response(&mut self, millis: f64) {
        let turns = f64::from(self.tasks_completed + self.errors_encountered);
        self.average_response_time = if turns <= 1.0 {
            millis
        } else {
            self.average_response_time + (millis - self.average_response_time) / turns
        };
    }
}

/// One agent session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// `session_<ms>_<base36>`.
    pub id: String,
    /// Who asked for it (`default` when nobody said).
    pub orchestrator_id: String,
    /// The task.
    pub task: Task,
    /// What it runs.
    #[serde(rename = "type")]
    pub session_type: SessionType,
    /// Where it is.
    pub status: SessionStatus,
    /// When it was created.
    pub started_at: SystemTime,
    /// When it ended.
    pub ended_at: Option<SystemTime>,
    /// Counters.
    pub metrics: SessionMetrics,
    /// The agent's process group leader, while one runs.
    pub pid: Option<u32>,
    /// The agent's working directory.
    pub work_dir: PathBuf,
    /// The Claude Code conversation id.
    pub agent_session_id: String,
    /// The agent's last exit code.
    pub exit_code: Option<i32>,
    /// Why it failed or was stopped.
    pub error: Option<String>,
    /// 1-based position while queued.
    pub queue_position: Option<u32>,
    /// The model the agent reported.
    pub model: Option<String>,
    /// The agent's credential source (`none`, `ANTHROPIC_API_KEY`, …).
    pub api_key_source: Option<String>,
    /// Crash restarts so far.
    pub restarts: u32,
    /// The git worktree branch, when it runs in one.
    pub worktree_branch: Option<String>,
    /// The repository a worktree was made from.
    pub worktree_repo: Option<PathBuf>,
    /// What memory the session was given (upstream's `memoryContext`).
    pub memory_context: serde_json::Value,
    /// Why lines of the session's transcript or stderr.log were lost (the latest streak of
    /// failed writes, e.g. a full disk); `None` when every line was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_error: Option<String>,
    /// The person's answer it waits for, while it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<super::waiting::WaitingFor>,
    /// When its agent last showed progress, while the session counts as stalled (see
    /// `supervisor::stall`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled_since: Option<SystemTime>,
    /// Where its agents run.
    #[serde(default)]
    pub runner: RunnerKind,
    /// The cluster job its agent runs (or last ran) as, for remote runners: follow-ups go to
    /// the same node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteJob>,
}

/// A session's agent as a job of a cluster (the Ray runner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteJob {
    /// `ray`.
    pub runner: String,
    /// The cluster's job id.
    pub job_id: String,
    /// The node that runs it (and holds its conversation).
    pub node_id: String,
    /// That node's address, for people.
    pub node_ip: String,
}

impl Session {
    /// Marks the session ended now with `status`, fixing its duration.
    pub fn end(&mut self, status: SessionStatus, error: Option<String>) {
        let now = SystemTime::now();
        self.status = status;
        self.ended_at = Some(now);
        self.pid = None;
        self.queue_position = None;
        self.waiting_for = None;
        self.stalled_since = None;
        if error.is_some() {
            self.error = error;
        }
        self.metrics.duration = millis_between(self.started_at, now);
        self.task.updated_at = now;
    }
}

/// Milliseconds from `from` to `to` (0 if `to` is earlier).
pub fn millis_between(from: SystemTime, to: SystemTime) -> u64 {
    to.duration_since(from)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn now_ms() -> u64 {
    millis_between(UNIX_EPOCH, SystemTime::now())
}

fn base36(mut value: u128, digits: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; digits];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value % 36) as usize];
        value /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// What every session id starts with.
pub const SESSION_ID_PREFIX: &str = "session_";

/// `session_<ms>_<9 random base36 chars>`, upstream's format.
pub fn new_session_id() -> String {
    format!(
        "{SESSION_ID_PREFIX}{}_{}",
        now_ms(),
        base36(uuid::Uuid::new_v4().as_u128(), 9)
    )
}

/// `task_<ms>`, upstream's format, made unique within this process: two tasks created in the
/// same millisecond get consecutive numbers instead of the same id.
pub fn new_task_id() -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = now_ms();
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return format!("task_{next}"),
            Err(seen) => last = seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_upstream_shapes_and_do_not_collide() {
        let id = new_session_id();
        let (ms, suffix) = id
            .strip_prefix("session_")
            .unwrap()
            .split_once('_')
            .unwrap();
        assert_eq!(ms.len(), 13);
        assert!(ms.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(suffix.len(), 9);
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        let tasks: std::collections::HashSet<_> = (0..1000).map(|_| new_task_id()).collect();
        assert_eq!(tasks.len(), 1000);
        assert!(
            tasks
                .iter()
                .all(|t| t.strip_prefix("task_").unwrap().parse::<u64>().is_ok())
        );
    }

    #[test]
    fn vocabularies_round_trip() {
        for t in [
            SessionType::ClaudeCode,
            SessionType::ClaudeFlow,
            SessionType::Ruflo,
        ] {
            assert_eq!(SessionType::parse(t.as_str()), Some(t));
        }
        for p in [
            TaskPriority::Low,
            TaskPriority::Medium,
            TaskPriority::High,
            TaskPriority::Critical,
        ] {
            assert_eq!(TaskPriority::parse(p.as_str()), Some(p));
        }
        assert!(TaskPriority::Critical > TaskPriority::High);
        assert!(SessionStatus::Paused.is_active() && !SessionStatus::Queued.is_active());
        assert!(SessionStatus::Terminated.is_ended());
    }

    #[test]
    fn mean_response_time_is_a_running_mean() {
        let mut metrics = SessionMetrics {
            tasks_completed: 1,
            ..SessionMetrics::default()
        };
        metrics.record_response(100.0);
        metrics.tasks_completed = 2;
        metrics.record_response(300.0);
        metrics.errors_encountered = 1;
        metrics.record_response(200.0);
        assert!((metrics.average_response_time - 200.0).abs() < 1e-9);
    }
}
