//! `orchestrator-config`: every setting of the daemon, resolved once from four layers —
//! built-in defaults < config file (YAML) < environment < command-line flags — and validated
//! before anything starts. [`DaemonConfig`] is the result; [`ConfigLayer`] is one layer
//! ([`layer`]: the file and the environment read into one); [`ConfigError`] names the setting,
//! where the bad value came from, and what to do ([`error`]); [`resolve`] applies layers in
//! order with each setting's rules; [`load`] picks the file and layers it exactly as the
//! daemon binary does. The settings of each part are in their own modules ([`websocket`],
//! [`notify`], [`memory`], [`stall`], [`ray`]).
//!
//! The daemon runs with it; the CLI links it to predict the daemon (`config validate`,
//! `restart`, `doctor`) without linking the daemon.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub mod agents;
pub mod error;
pub mod layer;
pub mod load;
pub mod memory;
pub mod notify;
pub mod ray;
pub mod resolve;
pub mod stall;
pub mod websocket;

pub use error::ConfigError;
pub use layer::{ConfigLayer, WebSocketLayer};
pub use memory::{MemoryLayer, MemorySettings};
pub use notify::{NotifyLayer, NotifySettings};
pub use ray::{RayLayer, RaySettings, RunnerKind};
pub use stall::{StallAction, StallSettings};
pub use websocket::{AuthConfigError, AuthSettings, WebSocketSettings};

/// The resolved configuration of one daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonConfig {
    /// Shown in status output and logs.
    pub name: String,
    /// The public WebSocket/HTTP port; 0 lets the OS pick a free one.
    pub port: u16,
    /// The address the public port binds; loopback only unless WebSocket authentication is
    /// configured (see [`ConfigError::NonLoopbackHost`]).
    pub host: String,
    /// The most sessions that may hold a slot at once.
    pub max_sessions: u32,
    /// How often the heartbeat checks the subsystems and emits `healthCheck`.
    pub heartbeat_interval: Duration,
    /// How long a graceful stop may take before processes are killed.
    pub shutdown_timeout: Duration,
    /// Debug-level logging.
    pub verbose: bool,
    /// The gRPC socket; `None` means the default from `orchestrator_api::paths`.
    pub socket: Option<PathBuf>,
    /// The daemon log is rotated when it grows past this many bytes.
    pub log_max_bytes: u64,
    /// How many rotated log files (`daemon.log.1` …) are kept.
    pub log_keep_files: u32,
    /// A session's `transcript.jsonl` (and `stderr.log`), with its one rotated predecessor,
    /// stays within this many bytes.
    pub transcript_max_bytes: u64,
    /// How often a session's agent is restarted after crashing before it answered.
    pub max_restarts: u32,
    /// A working agent that prints nothing for this long is stopped.
    pub idle_timeout: Duration,
    /// An agent still alive this long after its last result (and its stdin closed) is stopped.
    pub result_grace: Duration,
    /// When a session counts as stalled, and what is done about it.
    pub stall: StallSettings,
    /// Which programs the session types run.
    pub agents: AgentsConfig,
    /// The WebSocket door: limits, allowed origins, authentication.
    pub websocket: WebSocketSettings,
    /// The charter file; `None` = `~/orchestrator-daemon/orchestrator-charter.yaml` (the
    /// README's path), where a missing file means built-in defaults.
    pub charter: Option<PathBuf>,
    /// The largest charter file read, in bytes; a bigger one is refused unread.
    pub charter_max_bytes: u64,
    /// The `wundr` program Claude Code hooks run; `None` = the `wundr` next to the daemon's
    /// executable, else `wundr` on `PATH`.
    pub hook_command: Option<String>,
    /// Memory retention and how much of it a new session is given.
    pub memory: MemorySettings,
    /// Where events that need a person (or that a person waits for) are sent.
    pub notify: NotifySettings,
    /// Where sessions run unless their spawn names a runner.
    pub runner: RunnerKind,
    /// The Ray cluster, when one is configured (the relay listener opens only then).
    pub ray: Option<RaySettings>,
}

/// The charter file's default path, under `home`.
pub fn default_charter_path(home: &Path) -> PathBuf {
    home.join("orchestrator-daemon/orchestrator-charter.yaml")
}

impl DaemonConfig {
    /// The charter file to load and whether the user named it (a named file must exist).
    pub fn charter_path(&self) -> (PathBuf, bool) {
        match &self.charter {
            Some(path) => (path.clone(), true),
            None => {
                let home = std::env::var_os("HOME").map_or_else(PathBuf::new, PathBuf::from);
                (default_charter_path(&home), false)
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentsConfig {
    /// `claude-code`: the Claude Code CLI.
    #[serde(rename = "claude-code")]
    pub claude_code: Option<AgentCommand>,
    /// `claude-flow` (and `ruflo`): the Claude Flow CLI.
    #[serde(rename = "claude-flow")]
    pub claude_flow: Option<AgentCommand>,
}

/// One agent's program.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentCommand {
    /// The program: a path, or a name looked up on `PATH`.
    pub command: Option<String>,
    /// For claude-code: extra arguments after the stream-json protocol flags. For claude-flow:
    /// the whole argument list, where `{task}`, `{session_id}` and `{work_dir}` are replaced.
    pub args: Option<Vec<String>>,
    /// Extra environment variables for the agent.
    pub env: Option<BTreeMap<String, String>>,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            name: "orchestrator-daemon".to_owned(),
            port: 8787,
            host: "127.0.0.1".to_owned(),
            max_sessions: 100,
            heartbeat_interval: Duration::from_millis(30_000),
            shutdown_timeout: Duration::from_millis(10_000),
            verbose: false,
            socket: None,
            log_max_bytes: 10 * 1024 * 1024,
            log_keep_files: 5,
            transcript_max_bytes: 64 * 1024 * 1024,
            max_restarts: 2,
            idle_timeout: Duration::from_secs(30 * 60),
            result_grace: Duration::from_secs(10),
            stall: StallSettings::default(),
            agents: AgentsConfig::default(),
            websocket: WebSocketSettings::default(),
            charter: None,
            charter_max_bytes: orchestrator_charter::DEFAULT_MAX_CHARTER_BYTES,
            hook_command: None,
            memory: MemorySettings::default(),
            notify: NotifySettings::default(),
            runner: RunnerKind::Local,
            ray: None,
        }
    }
}

/// Loopback literals and `localhost`: the only hosts the public port may bind while it has
/// no authentication.
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
