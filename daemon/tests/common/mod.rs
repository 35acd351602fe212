//! Shared helpers for the daemon's integration tests: [`TestHome`] (a private HOME/XDG tree
//! in a temp dir), [`wait_until`] (bounded polling instead of sleeps) and tiny HTTP and gRPC
//! clients.

pub mod charter_gen;
pub mod claude;
pub mod daemon_binary;
pub mod faults;
pub mod scripted;
pub mod sessions;
pub mod webhook;
pub mod ws;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::daemon_client::DaemonClient;
use tonic::transport::Channel;

/// A temp directory laid out as a user's HOME with every XDG directory inside it.
pub struct TestHome {
    pub dir: tempfile::TempDir,
}

impl TestHome {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("wundr-t")
            .tempdir()
            .unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The paths a daemon with this HOME uses by default.
    pub fn paths(&self) -> DaemonPaths {
        let state = self.path().join("state/wundr/orchestrator");
        let socket = self.path().join("run/wundr/orchestrator.sock");
        DaemonPaths {
            pid_file: orchestrator_api::paths::pid_file_for(&socket),
            socket,
            log_file: state.join("daemon.log"),
            state_dir: state,
            data_dir: self.path().join("data/wundr/orchestrator"),
            config_file: self.path().join("config/wundr/orchestrator.yaml"),
        }
    }

    /// A command with HOME and XDG_* pointing into this home, and nothing inherited that
    /// would change the daemon's settings.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env("HOME", self.path())
            .env("XDG_RUNTIME_DIR", self.path().join("run"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env_remove("WUNDR_ORCHESTRATOR_SOCKET")
            .env_remove("ORCHESTRATOR_DAEMON_PORT")
            .env_remove("ORCHESTRATOR_DAEMON_HOST")
            .env_remove("ORCHESTRATOR_MAX_SESSIONS")
            .env_remove("ORCHESTRATOR_VERBOSE")
            .env_remove("DAEMON_PORT")
            .env_remove("DAEMON_HOST")
            .env_remove("RUST_LOG");
        command
    }
}

/// Polls `check` until it returns `Some` or `timeout` passes.
pub fn wait_until<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Async twin of [`wait_until`].
pub async fn wait_until_async<T, F, Fut>(timeout: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A gRPC client of the daemon on `socket`.
pub async fn client(socket: &Path) -> DaemonClient<Channel> {
    DaemonClient::new(orchestrator_api::connect(socket).await.unwrap())
}

/// One HTTP/1.1 request; returns (status code, body).
pub fn http(port: u16, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A loopback port that was free a moment ago (bound, then released): for a daemon to listen
/// on, or for a peer nothing listens on.
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// True while a process with `pid` exists (and is not a zombie we could reap).
pub fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
    match stat {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// No process anywhere still carries `session_id` in its environment (`WUNDR_SESSION_ID`, which
/// every agent and the tools it starts inherit).
pub fn no_process_of(session_id: &str) -> bool {
    let marker = format!("WUNDR_SESSION_ID={session_id}");
    std::fs::read_dir("/proc").unwrap().flatten().all(|entry| {
        std::fs::read(entry.path().join("environ"))
            .map(|env| !env.split(|b| *b == 0).any(|e| e == marker.as_bytes()))
            .unwrap_or(true)
    })
}

pub fn log_text(paths: &DaemonPaths) -> String {
    std::fs::read_to_string(&paths.log_file).unwrap_or_default()
}
