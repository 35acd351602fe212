//! Resolution: [`DaemonConfig::resolve`] applies layers in order over the defaults, each
//! value checked against its setting's rules; [`DaemonConfig::validate`] checks a config built
//! in code by the same rules.

use std::time::Duration;

use crate::layer::WebSocketLayer;
use crate::{
    AuthConfigError, ConfigError, ConfigLayer, DaemonConfig, MemoryLayer, NotifyLayer,
    is_loopback_host,
};

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
