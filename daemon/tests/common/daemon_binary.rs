//! The real `orchestrator-daemon` binary in tests: [`daemonize`] runs `--daemonize --port 0`
//! in a [`TestHome`], [`start`] asserts it came up and returns a [`RunningDaemon`], which kills
//! the daemon on drop so a failing test leaves no process behind.

use std::process::{Output, Stdio};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::{TestHome, alive};

/// The daemon binary under test.
pub const DAEMON: &str = env!("CARGO_BIN_EXE_orchestrator-daemon");

/// A daemon started by a test; SIGKILLed on drop if still alive.
#[derive(Debug)]
pub struct RunningDaemon {
    /// Its pid.
    pub pid: u32,
}

impl RunningDaemon {
    /// Sends `signal` to the daemon.
    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.pid as i32), signal).unwrap();
    }
}

impl Drop for RunningDaemon {
    fn drop(&mut self) {
        if alive(self.pid) {
            let _ = kill(Pid::from_raw(self.pid as i32), Signal::SIGKILL);
        }
    }
}

/// Runs `orchestrator-daemon --daemonize --port 0 <extra>` with `env` added.
pub fn daemonize(home: &TestHome, extra: &[&str], env: &[(&str, &str)]) -> Output {
    home.command(DAEMON)
        .args(["--daemonize", "--port", "0"])
        .args(extra)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Starts a daemon and returns it once the launcher reported it ready.
pub fn start(home: &TestHome, env: &[(&str, &str)]) -> RunningDaemon {
    let out = daemonize(home, &[], env);
    assert!(
        out.status.success(),
        "start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    RunningDaemon {
        pid: String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    }
}

/// A gRPC `Sessions` client of the daemon running in `home`.
pub async fn sessions(
    home: &TestHome,
) -> orchestrator_api::v1::sessions_client::SessionsClient<tonic::transport::Channel> {
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    orchestrator_api::v1::sessions_client::SessionsClient::new(channel)
}

/// Spawns a claude-code session for `description` through gRPC.
pub async fn spawn(home: &TestHome, description: &str) -> orchestrator_api::v1::Session {
    use orchestrator_api::v1;
    sessions(home)
        .await
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: description.to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// Session `id` as the daemon reports it.
pub async fn session(home: &TestHome, id: &str) -> orchestrator_api::v1::Session {
    sessions(home)
        .await
        .get(orchestrator_api::v1::SessionRef {
            session_id: id.to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
}

/// Polls session `id` until `done` holds, failing the test after 30 s.
pub async fn wait_for(
    home: &TestHome,
    id: &str,
    what: &str,
    done: impl Fn(&orchestrator_api::v1::Session) -> bool,
) -> orchestrator_api::v1::Session {
    let done = &done;
    let found = super::wait_until_async(std::time::Duration::from_secs(30), move || async move {
        Some(session(home, id).await).filter(|s| done(s))
    })
    .await;
    match found {
        Some(session) => session,
        None => panic!(
            "timed out waiting for {what}; session is {:#?}",
            session(home, id).await
        ),
    }
}

/// The session's transcript file in `home`'s data dir.
pub fn transcript(home: &TestHome, id: &str) -> std::path::PathBuf {
    home.paths()
        .data_dir
        .join("sessions")
        .join(id)
        .join("transcript.jsonl")
}
