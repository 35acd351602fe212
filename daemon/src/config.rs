//! [`DaemonConfig`]: every setting of the daemon, resolved once from four layers —
//! built-in defaults < config file (YAML) < environment < command-line flags — and validated
//! before anything starts. [`ConfigLayer`] is one layer; [`ConfigError`] names the setting,
//! where the bad value came from, and what to do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use crate::api::ws::settings::{AuthConfigError, AuthSettings, WebSocketSettings};
pub use crate::memory::settings::{MemoryLayer, MemorySettings};
pub use crate::notify::settings::{NotifyLayer, NotifySettings};
pub use crate::supervisor::stall::{StallAction, StallSettings};

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

/// The `websocket:` table of the config file. Authentication is not here: it comes from
/// upstream's `DAEMON_AUTH_*` environment variables, so secrets stay out of files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebSocketLayer {
    /// `maxFrameBytes`
    pub max_frame_bytes: Option<u64>,
    /// `sendQueue`, frames
    pub send_queue: Option<u64>,
    /// `pingInterval`, milliseconds
    pub ping_interval: Option<u64>,
    /// `pongTimeout`, milliseconds
    pub pong_timeout: Option<u64>,
    /// `maxConnections`
    pub max_connections: Option<u64>,
    /// `allowedOrigins`: extra browser origins, e.g. `https://neolith.example.com`
    pub allowed_origins: Option<Vec<String>>,
    /// `allowOtherUsers`: every local user may use the port, not only the daemon's owner
    pub allow_other_users: Option<bool>,
    /// `maxPendingConnections`: connections not (yet) upgraded
    pub max_pending_connections: Option<u64>,
    /// `handshakeTimeout`, milliseconds
    pub handshake_timeout: Option<u64>,
}

/// The `agents:` table: which program each session type runs.
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
            charter_max_bytes: crate::charter::DEFAULT_MAX_CHARTER_BYTES,
            hook_command: None,
            memory: MemorySettings::default(),
            notify: NotifySettings::default(),
        }
    }
}

/// Why the configuration was refused. Each message names the setting and where its value
/// came from; [`ConfigError::remedy`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid YAML or has a wrong field.
    #[error("invalid config file {}{}: {message}", path.display(), location(*line, *column))]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column of the problem, when known.
        column: Option<usize>,
        /// What is wrong, naming the field.
        message: String,
    },
    /// A setting has a value outside what it accepts.
    #[error("{field} = {value:?} (from {origin}) is invalid: {reason}")]
    Invalid {
        /// The setting's name as the config file spells it.
        field: &'static str,
        /// The offending value as given.
        value: String,
        /// Where it came from: a file, an environment variable, a flag.
        origin: String,
        /// The rule it breaks.
        reason: String,
    },
    /// The public port would be reachable from other machines without authentication.
    #[error(
        "host {host:?} (from {origin}) is not a loopback address; the WebSocket API has no \
         authentication configured, so the daemon only binds loopback"
    )]
    NonLoopbackHost {
        /// The refused host.
        host: String,
        /// Where it came from.
        origin: String,
    },
    /// A `DAEMON_AUTH_*` variable is invalid. The daemon never falls back to running
    /// without the authentication that was asked for.
    #[error("invalid WebSocket authentication setting (from the environment)")]
    Auth {
        /// Which variable and why.
        #[source]
        source: AuthConfigError,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
        (Some(line), None) => format!(" at line {line}"),
        _ => String::new(),
    }
}

impl ConfigError {
    /// What the user can do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::ReadFile { .. } => "check the path given to --config (or remove the flag)",
            Self::Yaml { .. } => {
                "fix the file; the keys are name, port, host, maxSessions, heartbeatInterval, \
                 shutdownTimeout, verbose, socket, logMaxBytes, logKeepFiles, \
                 transcriptMaxBytes, maxRestarts, idleTimeout, resultGrace, stallTimeout, \
                 stallAction, stallNudge, agents, websocket, \
                 charter, charterMaxBytes, hookCommand, memory, notify"
            }
            Self::Invalid { .. } => "correct the value where it came from",
            Self::NonLoopbackHost { .. } => {
                "use 127.0.0.1, ::1 or localhost (reach the daemon remotely through an SSH \
                 tunnel), or configure authentication with DAEMON_AUTH_JWT_SECRET"
            }
            Self::Auth { .. } => "fix or unset the DAEMON_AUTH_* variable named above",
        }
    }
}

/// One layer of settings: every field optional. The config file deserialises into it; the
/// environment and flags build it by hand.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigLayer {
    /// `name`
    pub name: Option<String>,
    /// `port` (wider than u16 so that 70000 is reported as out of range, not as a type error)
    pub port: Option<i64>,
    /// `host`
    pub host: Option<String>,
    /// `maxSessions`
    pub max_sessions: Option<i64>,
    /// `heartbeatInterval`, milliseconds
    pub heartbeat_interval: Option<i64>,
    /// `shutdownTimeout`, milliseconds
    pub shutdown_timeout: Option<i64>,
    /// `verbose`
    pub verbose: Option<bool>,
    /// `socket`
    pub socket: Option<PathBuf>,
    /// `logMaxBytes`
    pub log_max_bytes: Option<i64>,
    /// `logKeepFiles`
    pub log_keep_files: Option<i64>,
    /// `transcriptMaxBytes`
    pub transcript_max_bytes: Option<i64>,
    /// `maxRestarts`
    pub max_restarts: Option<i64>,
    /// `idleTimeout`, milliseconds
    pub idle_timeout: Option<i64>,
    /// `resultGrace`, milliseconds
    pub result_grace: Option<i64>,
    /// `stallTimeout`, milliseconds (0 = never)
    pub stall_timeout: Option<i64>,
    /// `stallAction`: none, interrupt or stop
    pub stall_action: Option<String>,
    /// `stallNudge`: the turn sent after a stall's interrupt
    pub stall_nudge: Option<String>,
    /// `agents`
    pub agents: Option<AgentsConfig>,
    /// `websocket`
    pub websocket: Option<WebSocketLayer>,
    /// `charter`: the charter file (also `ORCHESTRATOR_CHARTER`, `--charter`)
    pub charter: Option<PathBuf>,
    /// `charterMaxBytes`: the largest charter file read
    pub charter_max_bytes: Option<i64>,
    /// `hookCommand`: the `wundr` program hooks run
    pub hook_command: Option<String>,
    /// `memory`
    pub memory: Option<MemoryLayer>,
    /// `notify`
    pub notify: Option<NotifyLayer>,
    /// WebSocket authentication, from the `DAEMON_AUTH_*` environment variables only.
    #[serde(skip)]
    pub auth: Option<AuthSettings>,
    /// Where this layer came from, for error messages ("config file x", "environment").
    #[serde(skip)]
    pub origin: Option<String>,
}

impl ConfigLayer {
    /// Reads a YAML config file. An empty file is an empty layer.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        let mut layer: ConfigLayer = if text.trim().is_empty() {
            ConfigLayer::default()
        } else {
            serde_yaml::from_str(&text).map_err(|err| {
                let loc = err.location();
                ConfigError::Yaml {
                    path: path.to_path_buf(),
                    line: loc.as_ref().map(|l| l.line()),
                    column: loc.as_ref().map(|l| l.column()),
                    message: strip_location(&err.to_string()),
                }
            })?
        };
        layer.origin = Some(format!("config file {}", path.display()));
        Ok(layer)
    }

    /// The settings named by environment variables, read through `var` so tests can inject
    /// them. `ORCHESTRATOR_DAEMON_*` win over upstream's `DAEMON_PORT`/`DAEMON_HOST`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let pick = |primary: &'static str, legacy: &'static str| {
            get(primary)
                .map(|v| (primary, v))
                .or_else(|| get(legacy).map(|v| (legacy, v)))
        };
        let mut layer = ConfigLayer {
            origin: Some("environment".to_owned()),
            ..ConfigLayer::default()
        };
        if let Some((name, value)) = pick("ORCHESTRATOR_DAEMON_PORT", "DAEMON_PORT") {
            layer.port = Some(parse_int("port", name, &value)?);
        }
        if let Some((_, value)) = pick("ORCHESTRATOR_DAEMON_HOST", "DAEMON_HOST") {
            layer.host = Some(value);
        }
        if let Some(value) = get("ORCHESTRATOR_MAX_SESSIONS") {
            layer.max_sessions = Some(parse_int(
                "maxSessions",
                "ORCHESTRATOR_MAX_SESSIONS",
                &value,
            )?);
        }
        if let Some(value) = get("ORCHESTRATOR_CHARTER") {
            layer.charter = Some(PathBuf::from(value));
        }
        if let Some(value) = get("ORCHESTRATOR_VERBOSE") {
            layer.verbose = Some(parse_bool("verbose", "ORCHESTRATOR_VERBOSE", &value)?);
        }
        layer.auth = AuthSettings::from_env(&var).map_err(|source| ConfigError::Auth { source })?;
        Ok(layer)
    }
}

fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

fn parse_int(field: &'static str, var: &str, value: &str) -> Result<i64, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        field,
        value: value.to_owned(),
        origin: format!("environment variable {var}"),
        reason: "not a whole number".to_owned(),
    })
}

fn parse_bool(field: &'static str, var: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid {
            field,
            value: value.to_owned(),
            origin: format!("environment variable {var}"),
            reason: "expected true or false".to_owned(),
        }),
    }
}

impl DaemonConfig {
    /// Applies `layers` in order over the defaults (later layers win), validating every value
    /// against the rules of its setting and naming the layer it came from when it is refused.
    pub fn resolve<'a>(
        layers: impl IntoIterator<Item = &'a ConfigLayer>,
    ) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let mut host_origin = None;
        for layer in layers {
            config.apply(layer)?;
            if layer.host.is_some() {
                host_origin = layer.origin.clone();
            }
        }
        config.check_host(host_origin.as_deref().unwrap_or("settings"))?;
        Ok(config)
    }

    /// The public port is reachable from other machines only with authentication: checked
    /// once every layer is applied, since the host and the auth settings come from different
    /// layers.
    fn check_host(&self, origin: &str) -> Result<(), ConfigError> {
        if is_loopback_host(&self.host) || self.websocket.auth.is_some() {
            return Ok(());
        }
        Err(ConfigError::NonLoopbackHost {
            host: self.host.clone(),
            origin: origin.to_owned(),
        })
    }

    fn apply(&mut self, layer: &ConfigLayer) -> Result<(), ConfigError> {
        let origin = layer.origin.as_deref().unwrap_or("settings");
        let invalid = |field: &'static str, value: &dyn std::fmt::Display, reason: &str| {
            ConfigError::Invalid {
                field,
                value: value.to_string(),
                origin: origin.to_owned(),
                reason: reason.to_owned(),
            }
        };
        if let Some(name) = &layer.name {
            if name.trim().is_empty() {
                return Err(invalid("name", name, "must not be empty"));
            }
            self.name = name.clone();
        }
        if let Some(port) = layer.port {
            self.port = u16::try_from(port)
                .map_err(|_| invalid("port", &port, "must be 0–65535 (0 picks a free port)"))?;
        }
        if let Some(host) = &layer.host {
            self.host = host.trim().to_owned();
        }
        if let Some(max) = layer.max_sessions {
            self.max_sessions = u32::try_from(max)
                .ok()
                .filter(|max| *max >= 1)
                .ok_or_else(|| invalid("maxSessions", &max, "must be at least 1"))?;
        }
        if let Some(ms) = layer.heartbeat_interval {
            self.heartbeat_interval = millis(ms, 100)
                .ok_or_else(|| invalid("heartbeatInterval", &ms, "must be at least 100 ms"))?;
        }
        if let Some(ms) = layer.shutdown_timeout {
            self.shutdown_timeout = millis(ms, 100)
                .ok_or_else(|| invalid("shutdownTimeout", &ms, "must be at least 100 ms"))?;
        }
        if let Some(verbose) = layer.verbose {
            self.verbose = verbose;
        }
        if let Some(socket) = &layer.socket {
            if socket.as_os_str().is_empty() {
                return Err(invalid("socket", &"", "must not be empty"));
            }
            self.socket = Some(socket.clone());
        }
        if let Some(bytes) = layer.log_max_bytes {
            self.log_max_bytes = u64::try_from(bytes)
                .ok()
                .filter(|b| *b >= 64 * 1024)
                .ok_or_else(|| invalid("logMaxBytes", &bytes, "must be at least 65536"))?;
        }
        if let Some(bytes) = layer.transcript_max_bytes {
            self.transcript_max_bytes = u64::try_from(bytes)
                .ok()
                .filter(|b| *b >= 64 * 1024)
                .ok_or_else(|| invalid("transcriptMaxBytes", &bytes, "must be at least 65536"))?;
        }
        if let Some(restarts) = layer.max_restarts {
            self.max_restarts = u32::try_from(restarts)
                .ok()
                .filter(|r| *r <= 100)
                .ok_or_else(|| invalid("maxRestarts", &restarts, "must be 0–100"))?;
        }
        if let Some(ms) = layer.idle_timeout {
            self.idle_timeout = millis(ms, 1000)
                .ok_or_else(|| invalid("idleTimeout", &ms, "must be at least 1000 ms"))?;
        }
        if let Some(ms) = layer.result_grace {
            self.result_grace = millis(ms, 100)
                .ok_or_else(|| invalid("resultGrace", &ms, "must be at least 100 ms"))?;
        }
        self.stall
            .apply(
                layer.stall_timeout,
                layer.stall_action.as_deref(),
                layer.stall_nudge.as_deref(),
            )
            .map_err(|(field, value, reason)| invalid(field, &value, reason))?;
        if let Some(agents) = &layer.agents {
            for (name, agent) in [
                ("claude-code", &agents.claude_code),
                ("claude-flow", &agents.claude_flow),
            ] {
                let Some(agent) = agent else { continue };
                if agent
                    .command
                    .as_deref()
                    .is_some_and(|c| c.trim().is_empty())
                {
                    return Err(invalid("agents", &name, "command must not be empty"));
                }
                match name {
                    "claude-code" => self.agents.claude_code = Some(agent.clone()),
                    _ => self.agents.claude_flow = Some(agent.clone()),
                }
            }
        }
        if let Some(ws) = &layer.websocket {
            self.apply_websocket(ws, origin)?;
        }
        if let Some(charter) = &layer.charter {
            if charter.as_os_str().is_empty() {
                return Err(invalid("charter", &"", "must not be empty"));
            }
            self.charter = Some(charter.clone());
        }
        if let Some(bytes) = layer.charter_max_bytes {
            self.charter_max_bytes = u64::try_from(bytes)
                .ok()
                .filter(|b| (1024..=256 * 1024 * 1024).contains(b))
                .ok_or_else(|| invalid("charterMaxBytes", &bytes, "must be 1 KiB–256 MiB"))?;
        }
        if let Some(hook) = &layer.hook_command {
            if hook.trim().is_empty() {
                return Err(invalid("hookCommand", &"", "must not be empty"));
            }
            self.hook_command = Some(hook.clone());
        }
        if let Some(memory) = &layer.memory {
            // Applied to a copy so a refused layer leaves the settings as they were.
            let mut settings = self.memory.clone();
            memory
                .apply_to(&mut settings)
                .map_err(|(field, value, reason)| invalid(field, &value, reason))?;
            self.memory = settings;
        }
        if let Some(notify) = &layer.notify {
            notify
                .apply_to(&mut self.notify)
                .map_err(|(field, value, reason)| invalid(field, &value, &reason))?;
        }
        if let Some(auth) = &layer.auth {
            // Settings built in code get the rules the environment parser applies.
            let weak = |variable: &'static str| ConfigError::Auth {
                source: AuthConfigError {
                    variable,
                    reason: "must be at least 32 characters".to_owned(),
                },
            };
            if auth.jwt_secret.chars().count() < 32 {
                return Err(weak("DAEMON_AUTH_JWT_SECRET"));
            }
            if auth.api_keys.iter().any(|k| k.key.chars().count() < 32) {
                return Err(weak("DAEMON_AUTH_API_KEYS"));
            }
            self.websocket.auth = Some(auth.clone());
        }
        if let Some(keep) = layer.log_keep_files {
            self.log_keep_files = u32::try_from(keep)
                .ok()
                .filter(|k| (1..=100).contains(k))
                .ok_or_else(|| invalid("logKeepFiles", &keep, "must be 1–100"))?;
        }
        Ok(())
    }

    fn apply_websocket(&mut self, ws: &WebSocketLayer, origin: &str) -> Result<(), ConfigError> {
        let invalid = |field: &'static str, value: u64, reason: &str| ConfigError::Invalid {
            field,
            value: value.to_string(),
            origin: origin.to_owned(),
            reason: reason.to_owned(),
        };
        let target = &mut self.websocket;
        if let Some(bytes) = ws.max_frame_bytes {
            target.max_frame_bytes = usize::try_from(bytes)
                .ok()
                .filter(|b| (1024..=256 * 1024 * 1024).contains(b))
                .ok_or_else(|| {
                    invalid("websocket.maxFrameBytes", bytes, "must be 1 KiB–256 MiB")
                })?;
        }
        if let Some(frames) = ws.send_queue {
            target.send_queue = usize::try_from(frames)
                .ok()
                .filter(|f| (1..=1_000_000).contains(f))
                .ok_or_else(|| invalid("websocket.sendQueue", frames, "must be 1–1000000"))?;
        }
        if let Some(ms) = ws.ping_interval {
            target.ping_interval = Some(ms)
                .filter(|ms| *ms >= 100)
                .map(Duration::from_millis)
                .ok_or_else(|| invalid("websocket.pingInterval", ms, "must be at least 100 ms"))?;
        }
        if let Some(ms) = ws.pong_timeout {
            target.pong_timeout = Some(ms)
                .filter(|ms| *ms >= 100)
                .map(Duration::from_millis)
                .ok_or_else(|| invalid("websocket.pongTimeout", ms, "must be at least 100 ms"))?;
        }
        if let Some(max) = ws.max_connections {
            target.max_connections = usize::try_from(max)
                .ok()
                .filter(|m| *m >= 1)
                .ok_or_else(|| invalid("websocket.maxConnections", max, "must be at least 1"))?;
        }
        if let Some(origins) = &ws.allowed_origins {
            target.allowed_origins = origins.clone();
        }
        if let Some(allow) = ws.allow_other_users {
            target.allow_other_users = allow;
        }
        if let Some(max) = ws.max_pending_connections {
            target.max_pending_connections = usize::try_from(max)
                .ok()
                .filter(|m| (1..=65_536).contains(m))
                .ok_or_else(|| {
                    invalid("websocket.maxPendingConnections", max, "must be 1–65536")
                })?;
        }
        if let Some(ms) = ws.handshake_timeout {
            target.handshake_timeout = Some(ms)
                .filter(|ms| (100..=300_000).contains(ms))
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    invalid("websocket.handshakeTimeout", ms, "must be 100–300000 ms")
                })?;
        }
        Ok(())
    }

    /// Checks a configuration built in code (the library API) by the same rules as the layers.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let as_layer = ConfigLayer {
            name: Some(self.name.clone()),
            port: Some(i64::from(self.port)),
            host: Some(self.host.clone()),
            max_sessions: Some(i64::from(self.max_sessions)),
            heartbeat_interval: Some(duration_ms(self.heartbeat_interval)),
            shutdown_timeout: Some(duration_ms(self.shutdown_timeout)),
            verbose: Some(self.verbose),
            socket: self.socket.clone(),
            log_max_bytes: Some(i64::try_from(self.log_max_bytes).unwrap_or(i64::MAX)),
            log_keep_files: Some(i64::from(self.log_keep_files)),
            transcript_max_bytes: Some(
                i64::try_from(self.transcript_max_bytes).unwrap_or(i64::MAX),
            ),
            max_restarts: Some(i64::from(self.max_restarts)),
            idle_timeout: Some(duration_ms(self.idle_timeout)),
            result_grace: Some(duration_ms(self.result_grace)),
            stall_timeout: Some(self.stall.timeout_ms()),
            stall_action: Some(self.stall.action.as_str().to_owned()),
            stall_nudge: Some(self.stall.nudge.clone()),
            agents: Some(self.agents.clone()),
            websocket: Some(WebSocketLayer {
                max_frame_bytes: u64::try_from(self.websocket.max_frame_bytes).ok(),
                send_queue: u64::try_from(self.websocket.send_queue).ok(),
                ping_interval: u64::try_from(self.websocket.ping_interval.as_millis()).ok(),
                pong_timeout: u64::try_from(self.websocket.pong_timeout.as_millis()).ok(),
                max_connections: u64::try_from(self.websocket.max_connections).ok(),
                allowed_origins: Some(self.websocket.allowed_origins.clone()),
                allow_other_users: Some(self.websocket.allow_other_users),
                max_pending_connections: u64::try_from(self.websocket.max_pending_connections).ok(),
                handshake_timeout: u64::try_from(self.websocket.handshake_timeout.as_millis()).ok(),
            }),
            memory: Some(MemoryLayer::from_settings(&self.memory)),
            notify: Some(NotifyLayer::from_settings(&self.notify)),
            auth: self.websocket.auth.clone(),
            charter: self.charter.clone(),
            charter_max_bytes: Some(i64::try_from(self.charter_max_bytes).unwrap_or(i64::MAX)),
            hook_command: self.hook_command.clone(),
            origin: Some("DaemonConfig".to_owned()),
        };
        let mut check = Self::default();
        check.apply(&as_layer)?;
        check.check_host("DaemonConfig")
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn millis(ms: i64, min: u64) -> Option<Duration> {
    u64::try_from(ms)
        .ok()
        .filter(|ms| *ms >= min)
        .map(Duration::from_millis)
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
#[path = "config_tests.rs"]
mod tests;
