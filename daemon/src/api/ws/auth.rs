//! Upstream-compatible authentication of WebSocket clients: [`Authenticator`] checks the
//! credentials of an upgrade (loopback bypass for the daemon's own user, `Authorization: Bearer` / `?token=` JWT,
//! `x-api-key` / `?apiKey=`, in upstream's order and with its reason codes), per-message
//! `auth` credentials, the per-client rate and connection limits; [`Identity`] is who a
//! connection is; [`permitted`] is the role table, which (unlike upstream) is enforced.

use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use subtle::ConstantTimeEq;

use super::jwt;
use super::message_type::MessageType;
use orchestrator_config::websocket::{AuthSettings, Role};

/// Who a connection is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// JWT `sub`, the API key's `clientId`, or `loopback`.
    pub client_id: String,
    /// What it may do.
    pub role: Role,
    /// JWT expiry (epoch seconds); checked on every message.
    pub expires_at: Option<u64>,
}

/// Whether `role` may send messages of `message_type`: admin everything, user what a user of
/// sessions needs, readonly only what reads ([`MessageType::least_role`]).
pub fn permitted(role: Role, message_type: MessageType) -> bool {
    let least = message_type.least_role();
    match role {
        Role::Admin => true,
        Role::User => matches!(least, Role::User | Role::Readonly),
        Role::Readonly => matches!(least, Role::Readonly),
    }
}

/// Checks credentials and applies the per-client limits.
#[derive(Debug)]
pub struct Authenticator {
    settings: AuthSettings,
    connections: Mutex<HashMap<String, u32>>,
    messages: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Credentials as presented at the upgrade.
#[derive(Debug, Default)]
pub struct Presented<'a> {
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `x-api-key` header.
    pub api_key_header: Option<&'a str>,
    /// The request's query string.
    pub query: Option<&'a str>,
    /// The connection is the daemon's own user's (its uid, or the owner token): only then
    /// may `DAEMON_AUTH_ALLOW_LOOPBACK` admit it without credentials.
    pub owner: bool,
}

impl Authenticator {
    /// An authenticator for `settings`.
    pub fn new(settings: AuthSettings) -> Self {
        Self {
            settings,
            connections: Mutex::new(HashMap::new()),
            messages: Mutex::new(HashMap::new()),
        }
    }

    /// The identity of an upgrade from `peer` presenting `creds`, or upstream's reason code.
    pub fn authenticate(
        &self,
        peer: IpAddr,
        creds: &Presented<'_>,
    ) -> Result<Identity, &'static str> {
        if self.settings.allow_loopback && creds.owner && is_loopback_peer(peer) {
            return Ok(Identity {
                client_id: "loopback".to_owned(),
                role: Role::Admin,
                expires_at: None,
            });
        }
        let bearer = creds.authorization.and_then(|value| {
            let parts: Vec<&str> = value.split(' ').collect();
            match parts.as_slice() {
                [scheme, token] if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
                    Some((*token).to_owned())
                }
                _ => None,
            }
        });
        let token = bearer.or_else(|| query_param(creds.query, "token"));
        if let Some(token) = token.filter(|_| self.settings.mode.jwt()) {
            return self.verify_token(&token);
        }
        let key = creds
            .api_key_header
            .map(str::to_owned)
            .or_else(|| query_param(creds.query, "apiKey"));
        if let Some(key) = key.filter(|_| self.settings.mode.api_key()) {
            return self.verify_key(&key);
        }
        Err("credentials_missing")
    }

    /// Checks the optional per-message `auth` object (upstream 1.11.6): `Ok` when absent or
    /// valid; it never changes the connection's identity.
    pub fn check_message_auth(&self, auth: Option<&serde_json::Value>) -> Result<(), &'static str> {
        let field = |name: &str| {
            auth.and_then(|a| a.get(name))
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = field("token") {
            return self.verify_token(token).map(drop);
        }
        if let Some(key) = field("apiKey") {
            return self.verify_key(key).map(drop);
        }
        Ok(())
    }

    fn verify_token(&self, token: &str) -> Result<Identity, &'static str> {
        let s = &self.settings;
        let claims = jwt::verify(
            token,
            s.jwt_secret.as_bytes(),
            &s.issuer,
            &s.audience,
            now(),
        )?;
        Ok(Identity {
            client_id: claims.subject,
            role: Role::User,
            expires_at: Some(claims.expires_at),
        })
    }

    fn verify_key(&self, key: &str) -> Result<Identity, &'static str> {
        // Every key is compared, so timing does not reveal which one matched.
        let mut found = None;
        for candidate in &self.settings.api_keys {
            let same_len = candidate.key.len() == key.len();
            if same_len && bool::from(candidate.key.as_bytes().ct_eq(key.as_bytes())) {
                found = Some(candidate);
            }
        }
        found
            .map(|k| Identity {
                client_id: k.client_id.clone(),
                role: k.role,
                expires_at: None,
            })
            .ok_or("api_key_invalid")
    }

    /// Counts a new connection of `client`; `false` when it already holds the maximum.
    pub fn acquire_connection(&self, client: &str) -> bool {
        let mut map = self.connections.lock();
        let count = map.entry(client.to_owned()).or_insert(0);
        if *count >= self.settings.max_connections_per_client {
            return false;
        }
        *count += 1;
        true
    }

    /// Releases a connection counted by [`Self::acquire_connection`].
    pub fn release_connection(&self, client: &str) {
        let mut map = self.connections.lock();
        if let Some(count) = map.get_mut(client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(client);
            }
        }
    }

    /// Upstream's sliding-window message limit per client id: `false` = reject (rejected
    /// messages do not count).
    pub fn allow_message(&self, client: &str) -> bool {
        let now = Instant::now();
        let window = self.settings.rate_limit_window;
        let mut map = self.messages.lock();
        // Forget idle clients so the map cannot grow without bound.
        if map.len() > 1024 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let queue = map.entry(client.to_owned()).or_default();
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            queue.pop_front();
        }
        if queue.len() >= self.settings.rate_limit_max as usize {
            return false;
        }
        queue.push_back(now);
        true
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn is_loopback_peer(peer: IpAddr) -> bool {
    match peer {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The percent-decoded value of `name` in a query string.
pub(super) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name && !value.is_empty()).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator_config::websocket::ApiKey;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const KEY: &str = "k123456789abcdef0123456789abcdef";

    fn auth(allow_loopback: bool) -> Authenticator {
        let mut settings = AuthSettings::with_secret(SECRET);
        settings.allow_loopback = allow_loopback;
        settings.max_connections_per_client = 1;
        settings.rate_limit_max = 2;
        settings.api_keys = vec![ApiKey {
            key: KEY.to_owned(),
            client_id: "ci".to_owned(),
            role: Role::Readonly,
        }];
        Authenticator::new(settings)
    }

    fn token() -> String {
        let n = now();
        jwt::sign(
            &serde_json::json!({"sub":"neo","iss":"wundr-orchestrator","aud":"wundr-daemon",
                                "iat": n, "exp": n + 60}),
            SECRET.as_bytes(),
        )
    }

    #[test]
    fn credentials_are_checked_in_upstreams_order() {
        let a = auth(false);
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let bearer = format!("Bearer {}", token());
        let q = format!("token={}", token());
        let qk = format!("apiKey={KEY}");
        let ok = |p: Presented<'_>| a.authenticate(lo, &p).map(|i| i.client_id);
        assert_eq!(
            ok(Presented {
                authorization: Some(&bearer),
                ..Default::default()
            }),
            Ok("neo".into())
        );
        assert_eq!(
            ok(Presented {
                query: Some(&q),
                ..Default::default()
            }),
            Ok("neo".into())
        );
        assert_eq!(
            ok(Presented {
                api_key_header: Some(KEY),
                ..Default::default()
            }),
            Ok("ci".into())
        );
        assert_eq!(
            ok(Presented {
                query: Some(&qk),
                ..Default::default()
            }),
            Ok("ci".into())
        );
        // A token is final: no fallback to a valid key.
        assert_eq!(
            ok(Presented {
                authorization: Some("Bearer x.y"),
                api_key_header: Some(KEY),
                ..Default::default()
            }),
            Err("jwt_malformed")
        );
        assert_eq!(
            ok(Presented {
                authorization: Some("Basic abc"),
                ..Default::default()
            }),
            Err("credentials_missing")
        );
        assert_eq!(ok(Presented::default()), Err("credentials_missing"));
        assert_eq!(
            ok(Presented {
                api_key_header: Some("nope"),
                ..Default::default()
            }),
            Err("api_key_invalid")
        );
        let owner = Presented {
            owner: true,
            ..Default::default()
        };
        assert_eq!(
            auth(true).authenticate(lo, &owner).map(|i| i.role),
            Ok(Role::Admin)
        );
        // Another local user (or one that cannot be told) gets no bypass.
        assert_eq!(
            auth(true)
                .authenticate(lo, &Presented::default())
                .map(|i| i.role),
            Err("credentials_missing")
        );
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();
        assert!(auth(true).authenticate(mapped, &owner).is_ok());
        let remote: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(auth(true).authenticate(remote, &owner).is_err());
    }

    #[test]
    fn limits_and_roles() {
        let a = auth(false);
        assert!(a.acquire_connection("c") && !a.acquire_connection("c"));
        a.release_connection("c");
        assert!(a.acquire_connection("c"));
        assert!(a.allow_message("c") && a.allow_message("c") && !a.allow_message("c"));
        use MessageType as T;
        assert!(permitted(Role::Readonly, T::ListSessions));
        assert!(!permitted(Role::Readonly, T::SpawnSession));
        assert!(!permitted(Role::Readonly, T::StopSession));
        assert!(permitted(Role::User, T::ExecuteTask));
        assert!(MessageType::ALL.iter().all(|&t| permitted(Role::Admin, t)));
        assert!(MessageType::ALL.iter().all(|&t| permitted(Role::User, t)));
        assert_eq!(
            a.check_message_auth(Some(&serde_json::json!({"apiKey": "bad"}))),
            Err("api_key_invalid")
        );
        assert_eq!(
            a.check_message_auth(Some(&serde_json::json!({"token": ""}))),
            Ok(())
        );
        assert_eq!(percent_decode("a%2Bb+c%zz"), "a+b c%zz");
    }
}
