//! Default locations of everything the daemon and CLI share: [`DaemonPaths`] and the
//! functions that derive it from the environment ([`DaemonPaths::from_env`]).
//!
//! Paths come from the `directories` crate, which honours `HOME` and the `XDG_*` variables, so
//! tests (and users) relocate everything by setting them:
//!
//! | what | default (Linux) |
//! |---|---|
//! | socket | `$XDG_RUNTIME_DIR/wundr/orchestrator.sock`, else `$TMPDIR/wundr-<uid>/orchestrator.sock` |
//! | pid file (the lock) | beside the socket, `orchestrator.pid` |
//! | state (log) | `$XDG_STATE_HOME/wundr/orchestrator` (`~/.local/state/...`) |
//! | data | `$XDG_DATA_HOME/wundr/orchestrator` (`~/.local/share/...`) |
//! | config file | `$XDG_CONFIG_HOME/wundr/orchestrator.yaml` |
//!
//! `WUNDR_ORCHESTRATOR_SOCKET` overrides the socket on both sides.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the socket path for the daemon and the CLI.
pub const SOCKET_ENV: &str = "WUNDR_ORCHESTRATOR_SOCKET";

/// The longest socket path the kernel accepts (`sun_path` minus its terminating NUL).
#[cfg(target_os = "linux")]
pub const MAX_SOCKET_PATH_BYTES: usize = 107;
/// The longest socket path the kernel accepts (`sun_path` minus its terminating NUL).
#[cfg(not(target_os = "linux"))]
pub const MAX_SOCKET_PATH_BYTES: usize = 103;

/// Why a default path could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// Neither `HOME` nor the password database names a home directory.
    #[error("cannot find your home directory: set HOME")]
    NoHome,
}

/// Every location the daemon uses, resolved once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonPaths {
    /// The gRPC Unix socket.
    pub socket: PathBuf,
    /// The pid file beside the socket; the daemon holds an exclusive `flock` on it while it
    /// runs, which is what makes it the one daemon of that socket.
    pub pid_file: PathBuf,
    /// Logs and other state that may be lost.
    pub state_dir: PathBuf,
    /// The daemon log file (rotated by size to `daemon.log.1`, ...).
    pub log_file: PathBuf,
    /// Data that must survive: the database, session transcripts.
    pub data_dir: PathBuf,
    /// The default configuration file, read when it exists.
    pub config_file: PathBuf,
}

impl DaemonPaths {
    /// The defaults for this user, with `socket` (a `--socket` flag) or else
    /// `WUNDR_ORCHESTRATOR_SOCKET` taking the socket's place.
    pub fn from_env(socket: Option<&Path>) -> Result<Self, PathError> {
        let base = directories::BaseDirs::new().ok_or(PathError::NoHome)?;
        let socket = match socket {
            Some(path) => path.to_path_buf(),
            None => default_socket_path(&base),
        };
        let state_dir = base
            .state_dir()
            .unwrap_or_else(|| base.data_local_dir())
            .join("wundr")
            .join("orchestrator");
        Ok(Self {
            pid_file: pid_file_for(&socket),
            log_file: state_dir.join("daemon.log"),
            state_dir,
            data_dir: base.data_dir().join("wundr").join("orchestrator"),
            config_file: base.config_dir().join("wundr").join("orchestrator.yaml"),
            socket,
        })
    }
}

fn default_socket_path(base: &directories::BaseDirs) -> PathBuf {
    if let Some(path) = std::env::var_os(SOCKET_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(path);
    }
    match base.runtime_dir() {
        Some(runtime) => runtime.join("wundr").join("orchestrator.sock"),
        // No per-user runtime dir (macOS, some containers): a directory named after our uid in
        // the temp dir. The daemon creates it 0700 and refuses it if another user owns it.
        None => std::env::temp_dir()
            .join(format!("wundr-{}", nix::unistd::geteuid()))
            .join("orchestrator.sock"),
    }
}

/// The pid file that belongs to a socket: same directory, same stem, extension `pid`.
pub fn pid_file_for(socket: &Path) -> PathBuf {
    socket.with_extension("pid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_file_sits_beside_the_socket() {
        assert_eq!(
            pid_file_for(Path::new("/run/user/1000/wundr/orchestrator.sock")),
            PathBuf::from("/run/user/1000/wundr/orchestrator.pid")
        );
        assert_eq!(
            pid_file_for(Path::new("/tmp/x/custom")),
            PathBuf::from("/tmp/x/custom.pid")
        );
    }

    #[test]
    fn explicit_socket_wins() {
        let paths = DaemonPaths::from_env(Some(Path::new("/tmp/given.sock"))).unwrap();
        assert_eq!(paths.socket, PathBuf::from("/tmp/given.sock"));
        assert_eq!(paths.pid_file, PathBuf::from("/tmp/given.pid"));
        assert!(paths.log_file.ends_with("wundr/orchestrator/daemon.log"));
    }
}
