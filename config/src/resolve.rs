//! Resolution: [`DaemonConfig::resolve`] applies layers in order over the defaults, each
//! value checked against its setting's rules; [`DaemonConfig::validate`] checks a config built
//! in code by the same rules.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::time::Duration;

use crate::layer::WebSocketLayer;
use crate::{
    AuthConfigError, ConfigError, ConfigLayer, DaemonConfig, MemoryLayer, NotifyLayer, RayLayer,
    RunnerKind, is_loopback_host,
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
        config.check_runner()?;
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

    /// `runner: ray` needs a cluster: checked once every layer is applied, since the runner
    /// and the `ray:` table may come from different layers.
    fn check_runner(&self) -> Result<(), ConfigError> {
        if self.runner == RunnerKind::Ray && self.ray.is_none() {
            return Err(ConfigError::Invalid {
                field: "runner",
                value: "ray".to_owned(),
                origin: "settings".to_owned(),
                reason: crate::ray::NEEDS_ADDRESS.to_owned(),
            });
        }
        Ok(())
    }

    fn apply(&mut self, layer: &ConfigLayer) -> Result<(), ConfigError> {
        let rules = Rules {
            origin: layer.origin.as_deref().unwrap_or("settings"),
        };
        self.apply_process(layer, &rules)?;
        self.apply_agents(layer, &rules)?;
        if let Some(ws) = &layer.websocket {
            self.apply_websocket(ws, rules.origin)?;
        }
        self.apply_charter(layer, &rules)?;
        self.apply_parts(layer, &rules)
    }

    /// The daemon process's own settings: name, listening, capacity, logs, timeouts.
    fn apply_process(&mut self, layer: &ConfigLayer, rules: &Rules) -> Result<(), ConfigError> {
        if let Some(name) = &layer.name {
            self.name = rules.not_blank("name", name)?;
        }
        if let Some(port) = layer.port {
            self.port = rules.whole(
                "port",
                port,
                0..=i64::from(u16::MAX),
                "must be 0–65535 (0 picks a free port)",
            )?;
        }
        if let Some(host) = &layer.host {
            self.host = host.trim().to_owned();
        }
        if let Some(max) = layer.max_sessions {
            let range = 1..=i64::from(u32::MAX);
            self.max_sessions = rules.whole("maxSessions", max, range, "must be at least 1")?;
        }
        if let Some(ms) = layer.heartbeat_interval {
            self.heartbeat_interval = rules.millis("heartbeatInterval", ms, 100)?;
        }
        if let Some(ms) = layer.shutdown_timeout {
            self.shutdown_timeout = rules.millis("shutdownTimeout", ms, 100)?;
        }
        if let Some(verbose) = layer.verbose {
            self.verbose = verbose;
        }
        if let Some(socket) = &layer.socket {
            if socket.as_os_str().is_empty() {
                return Err(rules.invalid("socket", &"", "must not be empty"));
            }
            self.socket = Some(socket.clone());
        }
        if let Some(bytes) = layer.log_max_bytes {
            let range = 64 * 1024..=i64::MAX;
            self.log_max_bytes =
                rules.whole("logMaxBytes", bytes, range, "must be at least 65536")?;
        }
        if let Some(keep) = layer.log_keep_files {
            self.log_keep_files = rules.whole("logKeepFiles", keep, 1..=100, "must be 1–100")?;
        }
        if let Some(bytes) = layer.transcript_max_bytes {
            let range = 64 * 1024..=i64::MAX;
            self.transcript_max_bytes =
                rules.whole("transcriptMaxBytes", bytes, range, "must be at least 65536")?;
        }
        if let Some(restarts) = layer.max_restarts {
            self.max_restarts = rules.whole("maxRestarts", restarts, 0..=100, "must be 0–100")?;
        }
        if let Some(ms) = layer.idle_timeout {
            self.idle_timeout = rules.millis("idleTimeout", ms, 1000)?;
        }
        if let Some(ms) = layer.result_grace {
            self.result_grace = rules.millis("resultGrace", ms, 100)?;
        }
        Ok(())
    }

    /// The `agents:` table: a command, when given, must name something.
    fn apply_agents(&mut self, layer: &ConfigLayer, rules: &Rules) -> Result<(), ConfigError> {
        let Some(agents) = &layer.agents else {
            return Ok(());
        };
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
                return Err(rules.invalid("agents", &name, "command must not be empty"));
            }
            match name {
                "claude-code" => self.agents.claude_code = Some(agent.clone()),
                _ => self.agents.claude_flow = Some(agent.clone()),
            }
        }
        Ok(())
    }

    /// The charter file, its size cap and the hook program.
    fn apply_charter(&mut self, layer: &ConfigLayer, rules: &Rules) -> Result<(), ConfigError> {
        if let Some(charter) = &layer.charter {
            if charter.as_os_str().is_empty() {
                return Err(rules.invalid("charter", &"", "must not be empty"));
            }
            self.charter = Some(charter.clone());
        }
        if let Some(bytes) = layer.charter_max_bytes {
            let range = 1024..=256 * 1024 * 1024;
            self.charter_max_bytes =
                rules.whole("charterMaxBytes", bytes, range, "must be 1 KiB–256 MiB")?;
        }
        if let Some(hook) = &layer.hook_command {
            if hook.trim().is_empty() {
                return Err(rules.invalid("hookCommand", &"", "must not be empty"));
            }
            self.hook_command = Some(hook.clone());
        }
        Ok(())
    }

    /// The tables each part of the daemon reads: stalls, memory, notifications, and the
    /// WebSocket door's credentials.
    fn apply_parts(&mut self, layer: &ConfigLayer, rules: &Rules) -> Result<(), ConfigError> {
        self.stall
            .apply(
                layer.stall_timeout,
                layer.stall_action.as_deref(),
                layer.stall_nudge.as_deref(),
            )
            .map_err(|(field, value, reason)| rules.invalid(field, &value, reason))?;
        if let Some(memory) = &layer.memory {
            // Applied to a copy so a refused layer leaves the settings as they were.
            let mut settings = self.memory.clone();
            memory
                .apply_to(&mut settings)
                .map_err(|(field, value, reason)| rules.invalid(field, &value, reason))?;
            self.memory = settings;
        }
        if let Some(runner) = &layer.runner {
            self.runner = RunnerKind::parse(runner)
                .ok_or_else(|| rules.invalid("runner", runner, "must be local or ray"))?;
        }
        if let Some(ray) = &layer.ray {
            ray.apply_to(&mut self.ray)
                .map_err(|(field, value, reason)| rules.invalid(field, &value, reason))?;
        }
        if let Some(notify) = &layer.notify {
            notify
                .apply_to(&mut self.notify)
                .map_err(|(field, value, reason)| rules.invalid(field, &value, &reason))?;
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
            runner: Some(self.runner.as_str().to_owned()),
            ray: self.ray.as_ref().map(RayLayer::from_settings),
            auth: self.websocket.auth.clone(),
            charter: self.charter.clone(),
            charter_max_bytes: Some(i64::try_from(self.charter_max_bytes).unwrap_or(i64::MAX)),
            hook_command: self.hook_command.clone(),
            origin: Some("DaemonConfig".to_owned()),
        };
        let mut check = Self::default();
        check.apply(&as_layer)?;
        check.check_runner()?;
        check.check_host("DaemonConfig")
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The rules every setting of one layer is checked by; a refusal names the setting, the value,
/// where the layer came from (`origin`) and why.
struct Rules<'a> {
    origin: &'a str,
}

impl Rules<'_> {
    fn invalid(&self, field: &'static str, value: &dyn Display, reason: &str) -> ConfigError {
        ConfigError::Invalid {
            field,
            value: value.to_string(),
            origin: self.origin.to_owned(),
            reason: reason.to_owned(),
        }
    }

    /// A whole number within `range` that fits a `T`, or `says` as the refusal.
    fn whole<T: TryFrom<i64>>(
        &self,
        field: &'static str,
        value: i64,
        range: RangeInclusive<i64>,
        says: &str,
    ) -> Result<T, ConfigError> {
        Some(value)
            .filter(|v| range.contains(v))
            .and_then(|v| T::try_from(v).ok())
            .ok_or_else(|| self.invalid(field, &value, says))
    }

    /// Milliseconds, at least `min`.
    fn millis(&self, field: &'static str, ms: i64, min: u64) -> Result<Duration, ConfigError> {
        u64::try_from(ms)
            .ok()
            .filter(|ms| *ms >= min)
            .map(Duration::from_millis)
            .ok_or_else(|| self.invalid(field, &ms, &format!("must be at least {min} ms")))
    }

    /// Text that is not blank.
    fn not_blank(&self, field: &'static str, text: &str) -> Result<String, ConfigError> {
        if text.trim().is_empty() {
            return Err(self.invalid(field, &text, "must not be empty"));
        }
        Ok(text.to_owned())
    }
}
