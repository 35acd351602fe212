//! [`ConfigLayer`]: one layer of settings, every field optional. The config file
//! deserialises into it ([`ConfigLayer::from_file`]); the environment is read into one
//! ([`ConfigLayer::from_env`]); flags build one by hand.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{AgentsConfig, AuthSettings, ConfigError, MemoryLayer, NotifyLayer, RayLayer};

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
    /// `runner`: local or ray
    pub runner: Option<String>,
    /// `ray`
    pub ray: Option<RayLayer>,
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

pub(crate) fn strip_location(message: &str) -> String {
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
