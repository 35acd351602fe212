//! The WebSocket door's settings: [`WebSocketSettings`] (limits, who may connect) and
//! [`AuthSettings`] (upstream's `DAEMON_AUTH_*`, with [`ApiKey`], [`AuthMode`], [`Role`]).
//! [`AuthSettings::from_env`] parses the environment **fail closed**: any invalid value is an
//! [`AuthConfigError`] and the daemon refuses to start, where upstream silently ran without
//! authentication.

use std::time::Duration;

/// Limits and policy of the public WebSocket port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketSettings {
    /// Largest accepted message (and frame); bigger ones close the connection with 1009.
    pub max_frame_bytes: usize,
    /// Frames that may wait for one client; a client that falls this far behind is dropped.
    pub send_queue: usize,
    /// How often the server sends a control-frame ping.
    pub ping_interval: Duration,
    /// A client that sends nothing at all (not even a pong) for this long after a ping is
    /// dropped. Silent clients that answer pings are never dropped.
    pub pong_timeout: Duration,
    /// The most WebSocket connections open at once.
    pub max_connections: usize,
    /// Browser origins allowed besides the loopback ones (exact, e.g. `https://app.example`).
    pub allowed_origins: Vec<String>,
    /// Every local user may use the port, not only the user the daemon runs as (see
    /// the WebSocket door's owner check). Irrelevant with authentication, where credentials decide.
    pub allow_other_users: bool,
    /// The most connections that have not (yet) upgraded; one more closes the oldest.
    pub max_pending_connections: usize,
    /// How long a client may take to send a request's headers (the upgrade's included); an
    /// idle kept-alive HTTP connection is closed after it too.
    pub handshake_timeout: Duration,
    /// Authentication; `None` = none (only allowed on a loopback host).
    pub auth: Option<AuthSettings>,
}

impl Default for WebSocketSettings {
    fn default() -> Self {
        Self {
            max_frame_bytes: 1024 * 1024,
            send_queue: 1024,
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(60),
            max_connections: 256,
            allowed_origins: Vec::new(),
            allow_other_users: false,
            max_pending_connections: 64,
            handshake_timeout: Duration::from_secs(10),
            auth: None,
        }
    }
}

/// Which credential types are accepted (`DAEMON_AUTH_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// JWTs only.
    Jwt,
    /// API keys only.
    ApiKey,
    /// Either (the default).
    Both,
}

impl AuthMode {
    /// Whether JWTs are accepted.
    pub fn jwt(self) -> bool {
        matches!(self, Self::Jwt | Self::Both)
    }

    /// Whether API keys are accepted.
    pub fn api_key(self) -> bool {
        matches!(self, Self::ApiKey | Self::Both)
    }
}

/// What an authenticated client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Admin,
    /// Everything a user of sessions needs.
    User,
    /// Read-only: status, lists, subscriptions.
    Readonly,
}

impl Role {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "user" => Some(Self::User),
            "readonly" => Some(Self::Readonly),
            _ => None,
        }
    }
}

/// One configured API key. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The secret (≥ 32 characters).
    pub key: String,
    /// Who it identifies (rate and connection limits are per client id).
    pub client_id: String,
    /// Its role; `user` when not given.
    pub role: Role,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("client_id", &self.client_id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Upstream's authentication settings. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// HMAC-SHA256 secret (≥ 32 characters).
    pub jwt_secret: String,
    /// Accepted credential types.
    pub mode: AuthMode,
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud`.
    pub audience: String,
    /// Accepted API keys.
    pub api_keys: Vec<ApiKey>,
    /// Loopback peers are admitted as `admin` without credentials.
    pub allow_loopback: bool,
    /// Messages per window per client id.
    pub rate_limit_max: u32,
    /// The sliding window.
    pub rate_limit_window: Duration,
    /// Concurrent connections per client id.
    pub max_connections_per_client: u32,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("mode", &self.mode)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("api_keys", &self.api_keys)
            .field("allow_loopback", &self.allow_loopback)
            .finish_non_exhaustive()
    }
}

impl AuthSettings {
    /// Settings with `secret` and upstream's defaults for everything else.
    pub fn with_secret(secret: impl Into<String>) -> Self {
        Self {
            jwt_secret: secret.into(),
            mode: AuthMode::Both,
            issuer: "wundr-orchestrator".to_owned(),
            audience: "wundr-daemon".to_owned(),
            api_keys: Vec::new(),
            allow_loopback: false,
            rate_limit_max: 100,
            rate_limit_window: Duration::from_millis(60_000),
            max_connections_per_client: 10,
        }
    }

    /// Reads upstream's `DAEMON_AUTH_*` variables through `var`. `Ok(None)` when none is set.
    /// Unlike upstream, every invalid value is an error (never "run without auth"), and auth
    /// variables without `DAEMON_AUTH_JWT_SECRET` are an error too, since the user evidently
    /// meant to turn authentication on.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, AuthConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.is_empty());
        let Some(secret) = get("DAEMON_AUTH_JWT_SECRET") else {
            if let Some(name) = AUTH_VARS.iter().find(|n| get(n).is_some()) {
                return Err(AuthConfigError::new(
                    name,
                    "is set but DAEMON_AUTH_JWT_SECRET is not; authentication is only enabled \
                     by DAEMON_AUTH_JWT_SECRET",
                ));
            }
            return Ok(None);
        };
        if secret.chars().count() < 32 {
            return Err(AuthConfigError::new(
                "DAEMON_AUTH_JWT_SECRET",
                "must be at least 32 characters",
            ));
        }
        let mut settings = Self::with_secret(secret);
        if let Some(mode) = get("DAEMON_AUTH_MODE") {
            settings.mode = match mode.as_str() {
                "jwt" => AuthMode::Jwt,
                "api-key" => AuthMode::ApiKey,
                "both" => AuthMode::Both,
                _ => {
                    return Err(AuthConfigError::new(
                        "DAEMON_AUTH_MODE",
                        "must be jwt, api-key or both",
                    ));
                }
            };
        }
        if let Some(issuer) = get("DAEMON_AUTH_JWT_ISSUER") {
            settings.issuer = issuer;
        }
        if let Some(audience) = get("DAEMON_AUTH_JWT_AUDIENCE") {
            settings.audience = audience;
        }
        if let Some(keys) = get("DAEMON_AUTH_API_KEYS") {
            settings.api_keys = parse_api_keys(&keys)?;
        }
        if let Some(flag) = get("DAEMON_AUTH_ALLOW_LOOPBACK") {
            settings.allow_loopback = match flag.as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(AuthConfigError::new(
                        "DAEMON_AUTH_ALLOW_LOOPBACK",
                        "must be true or false",
                    ));
                }
            };
        }
        let positive = |name: &'static str| -> Result<Option<u32>, AuthConfigError> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            AuthConfigError::new(name, "must be a positive whole number")
                        })
                })
                .transpose()
        };
        if let Some(max) = positive("DAEMON_AUTH_RATE_LIMIT_MAX")? {
            settings.rate_limit_max = max;
        }
        if let Some(ms) = positive("DAEMON_AUTH_RATE_LIMIT_WINDOW_MS")? {
            settings.rate_limit_window = Duration::from_millis(u64::from(ms));
        }
        if let Some(max) = positive("DAEMON_AUTH_MAX_CONNECTIONS")? {
            settings.max_connections_per_client = max;
        }
        // Parsed for compatibility; no endpoint issues tokens.
        positive("DAEMON_AUTH_JWT_EXPIRES_SEC")?;
        Ok(Some(settings))
    }
}

const AUTH_VARS: [&str; 9] = [
    "DAEMON_AUTH_MODE",
    "DAEMON_AUTH_JWT_ISSUER",
    "DAEMON_AUTH_JWT_AUDIENCE",
    "DAEMON_AUTH_JWT_EXPIRES_SEC",
    "DAEMON_AUTH_API_KEYS",
    "DAEMON_AUTH_ALLOW_LOOPBACK",
    "DAEMON_AUTH_RATE_LIMIT_MAX",
    "DAEMON_AUTH_RATE_LIMIT_WINDOW_MS",
    "DAEMON_AUTH_MAX_CONNECTIONS",
];

fn parse_api_keys(text: &str) -> Result<Vec<ApiKey>, AuthConfigError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        key: String,
        client_id: String,
        #[allow(dead_code)] // reason: accepted for upstream compatibility; scopes are not checked
        scopes: Option<Vec<String>>,
        role: Option<String>,
    }
    const VAR: &str = "DAEMON_AUTH_API_KEYS";
    let entries: Vec<Entry> = serde_json::from_str(text).map_err(|err| {
        AuthConfigError::new(
            VAR,
            &format!("must be a JSON array of {{key, clientId, scopes?, role?}}: {err}"),
        )
    })?;
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            if entry.key.chars().count() < 32 {
                return Err(AuthConfigError::new(
                    VAR,
                    &format!("entry {i}: key must be at least 32 characters"),
                ));
            }
            if entry.client_id.is_empty() {
                return Err(AuthConfigError::new(
                    VAR,
                    &format!("entry {i}: clientId must not be empty"),
                ));
            }
            let role = match entry.role.as_deref() {
                None => Role::User,
                Some(text) => Role::parse(text).ok_or_else(|| {
                    AuthConfigError::new(
                        VAR,
                        &format!("entry {i}: role must be admin, user or readonly"),
                    )
                })?,
            };
            Ok(ApiKey {
                key: entry.key,
                client_id: entry.client_id,
                role,
            })
        })
        .collect()
}

/// An invalid authentication setting; the daemon refuses to start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} {reason}")]
pub struct AuthConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl AuthConfigError {
    fn new(variable: &'static str, reason: &str) -> Self {
        Self {
            variable,
            reason: reason.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
