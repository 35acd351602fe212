//! Who may use the public port at all: by default only the user the daemon runs as, like the
//! control socket. [`OwnerGate::check`] decides every request on the port (`/health`,
//! `/metrics`, the upgrade, any other path) from the connection's [`PeerUid`] and, where that
//! is unknown, the [`OwnerToken`]: a random secret in a 0600 file beside the control socket
//! (in its 0700 directory), presented in the [`TOKEN_HEADER`] header or, on the upgrade, the
//! [`TOKEN_QUERY`] query parameter. [`Policy`] opens the port to every local user
//! (`websocket.allowOtherUsers`) or leaves the decision to the credentials of
//! `DAEMON_AUTH_*`. A refusal is a [`Refusal`], answered as HTTP 403.

use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use hyper::Request;
use subtle::ConstantTimeEq;

use super::peer::PeerUid;

/// The header carrying the owner's token.
pub const TOKEN_HEADER: &str = "x-wundr-token";
/// The query parameter carrying the owner's token on a WebSocket upgrade (for clients that
/// cannot set headers).
pub const TOKEN_QUERY: &str = "wundrToken";

/// The token file of the daemon whose control socket is `socket`: `orchestrator.token`
/// beside `orchestrator.sock`.
pub fn token_path(socket: &Path) -> PathBuf {
    socket.with_extension("token")
}

/// Who the port serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// The owner only (the default).
    OwnerOnly,
    /// Every local user (`websocket.allowOtherUsers: true`).
    Everyone,
    /// Authentication is configured: its credentials decide at the upgrade.
    Credentials,
}

/// What a request that may proceed is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The owner: its uid, or the token.
    Owner,
    /// Someone else, or not known; admitted by the policy.
    Unverified,
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Another local user.
    OtherUser(u32),
    /// The user could not be told and no valid token came with the request.
    Unverified,
}

impl Refusal {
    /// The 403 body: upstream's `{"error": code}` plus what to do.
    pub fn body(self, token_file: &Path) -> String {
        let (code, message) = match self {
            Self::OtherUser(_) => (
                "other_user",
                "this daemon serves only the user it runs as; another user needs DAEMON_AUTH_* \
                 credentials, or its owner sets websocket.allowOtherUsers"
                    .to_owned(),
            ),
            Self::Unverified => (
                "owner_unverified",
                format!(
                    "cannot tell which user opened this connection; send the token from {} \
                     in the X-Wundr-Token header (or ?{TOKEN_QUERY}= on the upgrade)",
                    token_file.display()
                ),
            ),
        };
        serde_json::json!({ "error": code, "message": message }).to_string()
    }
}

/// Decides who may use the port.
#[derive(Debug)]
pub struct OwnerGate {
    policy: Policy,
    own_uid: u32,
    token: Option<OwnerToken>,
    token_path: PathBuf,
}

impl OwnerGate {
    /// A gate for the daemon running as `own_uid`, with its token at `token_path`. The token
    /// file is written now; when it cannot be, only the uid admits (and the log says why).
    pub fn new(policy: Policy, own_uid: u32, token_path: PathBuf) -> Self {
        let token = match OwnerToken::create(&token_path) {
            Ok(token) => Some(token),
            Err(err) => {
                tracing::warn!(path = %token_path.display(), %err, "cannot write the WebSocket owner token; clients whose user cannot be told will be refused");
                None
            }
        };
        Self {
            policy,
            own_uid,
            token,
            token_path,
        }
    }

    /// Whether the policy needs to know the peer's uid.
    pub fn needs_uid(&self, loopback_bypass: bool) -> bool {
        match self.policy {
            Policy::OwnerOnly => true,
            Policy::Everyone => false,
            // The loopback bypass of authentication admits the owner only.
            Policy::Credentials => loopback_bypass,
        }
    }

    /// The token file.
    pub fn token_path(&self) -> &Path {
        &self.token_path
    }

    /// Whether `request`, on a connection from `uid`, may proceed.
    pub fn check<B>(&self, uid: PeerUid, request: &Request<B>) -> Result<Trust, Refusal> {
        let owner = match uid {
            PeerUid::Known(uid) if uid == self.own_uid => true,
            _ => self.token_presented(request),
        };
        match (owner, self.policy, uid) {
            (true, _, _) => Ok(Trust::Owner),
            (false, Policy::Everyone | Policy::Credentials, _) => Ok(Trust::Unverified),
            (false, Policy::OwnerOnly, PeerUid::Known(other)) => Err(Refusal::OtherUser(other)),
            (false, Policy::OwnerOnly, PeerUid::Unknown) => Err(Refusal::Unverified),
        }
    }

    fn token_presented<B>(&self, request: &Request<B>) -> bool {
        let Some(token) = &self.token else {
            return false;
        };
        let header = request
            .headers()
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let presented = header.or_else(|| {
            super::http_request::is_upgrade(request)
                .then(|| super::auth::query_param(request.uri().query(), TOKEN_QUERY))
                .flatten()
        });
        presented.is_some_and(|p| token.matches(p.trim()))
    }

    /// Removes the token file (the daemon is stopping).
    pub fn remove_token_file(&self) {
        if self.token.is_some()
            && let Err(err) = std::fs::remove_file(&self.token_path)
            && err.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.token_path.display(), %err, "cannot remove the WebSocket owner token");
        }
    }
}

/// The owner's secret: 32 random bytes, hex, new at every start.
#[derive(Clone)]
pub struct OwnerToken {
    value: String,
}

impl std::fmt::Debug for OwnerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnerToken(…)")
    }
}

impl OwnerToken {
    /// A fresh token, written to `path` (mode 0600, replacing the previous run's file
    /// atomically, so no reader ever sees a partial token).
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut random = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut random)?;
        let value: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let partial = path.with_extension(format!("token.{}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)
            .and_then(|mut file| {
                file.write_all(value.as_bytes())?;
                file.write_all(b"\n")?;
                file.sync_all()
            })
            .and_then(|()| std::fs::rename(&partial, path));
        if let Err(err) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
        Ok(Self { value })
    }

    /// Whether `presented` is this token (in constant time).
    pub fn matches(&self, presented: &str) -> bool {
        presented.len() == self.value.len()
            && bool::from(presented.as_bytes().ct_eq(self.value.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(policy: Policy, dir: &Path) -> OwnerGate {
        OwnerGate::new(policy, 1000, dir.join("orchestrator.token"))
    }

    fn request(headers: &[(&str, &str)], uri: &str) -> Request<()> {
        let mut builder = Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn the_owner_by_uid_or_token_and_nobody_else() {
        let dir = tempfile::tempdir().unwrap();
        let gate = gate(Policy::OwnerOnly, dir.path());
        let file = std::fs::read_to_string(gate.token_path()).unwrap();
        let token = file.trim();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(gate.token_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let plain = request(&[], "/health");
        assert_eq!(gate.check(PeerUid::Known(1000), &plain), Ok(Trust::Owner));
        assert_eq!(
            gate.check(PeerUid::Known(1001), &plain),
            Err(Refusal::OtherUser(1001))
        );
        assert_eq!(
            gate.check(PeerUid::Unknown, &plain),
            Err(Refusal::Unverified)
        );
        let with_header = request(&[(TOKEN_HEADER, token)], "/health");
        assert_eq!(gate.check(PeerUid::Unknown, &with_header), Ok(Trust::Owner));
        let wrong = request(&[(TOKEN_HEADER, "0000")], "/health");
        assert_eq!(
            gate.check(PeerUid::Unknown, &wrong),
            Err(Refusal::Unverified)
        );
        // The query parameter counts on upgrades only (`/health?…` is another path anyway).
        let query = format!("/?{TOKEN_QUERY}={token}");
        let upgrade = request(&[("upgrade", "websocket")], &query);
        assert_eq!(gate.check(PeerUid::Unknown, &upgrade), Ok(Trust::Owner));
        assert_eq!(
            gate.check(PeerUid::Unknown, &request(&[], &query)),
            Err(Refusal::Unverified)
        );
        gate.remove_token_file();
        assert!(!gate.token_path().exists());
    }

    #[test]
    fn other_policies_admit_everyone_but_still_tell_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        for policy in [Policy::Everyone, Policy::Credentials] {
            let gate = gate(policy, dir.path());
            let plain = request(&[], "/");
            assert_eq!(gate.check(PeerUid::Known(7), &plain), Ok(Trust::Unverified));
            assert_eq!(gate.check(PeerUid::Known(1000), &plain), Ok(Trust::Owner));
        }
    }

    #[test]
    fn each_start_gets_a_new_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.token");
        let first = OwnerToken::create(&path).unwrap();
        let second = OwnerToken::create(&path).unwrap();
        assert!(!first.matches(&second.value));
        assert!(second.matches(std::fs::read_to_string(&path).unwrap().trim()));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no partial file left"
        );
    }
}
