//! The real `orchestrator-daemon` binary in tests: [`daemonize`] runs `--daemonize --port 0`
//! in a [`TestHome`], [`start`] / [`start_with`] / [`start_with_args`] assert it came up and
//! return a [`RunningDaemon`], which kills the daemon on drop so a failing test leaves no
//! process behind; [`write_config`] and [`public_port`] for tests that configure it by file and
//! talk to its public port; gRPC shortcuts for its sessions; [`wundr_binary`] is the real CLI
//! beside it.

use std::process::{Command, Output, Stdio};

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

    /// Stops the daemon with SIGTERM, as `wundr orchestrator stop` does, and fails the test if it
    /// still runs 30 s later.
    pub fn stop(&self) {
        self.signal(Signal::SIGTERM);
        let gone = super::wait_until(std::time::Duration::from_secs(30), || {
            (!alive(self.pid)).then_some(())
        });
        assert!(gone.is_some(), "the daemon still runs 30 s after SIGTERM");
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
    daemonize_with(home, extra, env, |_| {})
}

/// [`daemonize`], with `customize` applied to the command last (e.g. a `pre_exec`).
pub fn daemonize_with(
    home: &TestHome,
    extra: &[&str],
    env: &[(&str, &str)],
    customize: impl FnOnce(&mut Command),
) -> Output {
    let mut command = home.command(DAEMON);
    command
        .args(["--daemonize", "--port", "0"])
        .args(extra)
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    customize(&mut command);
    command.output().unwrap()
}

/// Starts a daemon and returns it once the launcher reported it ready.
pub fn start(home: &TestHome, env: &[(&str, &str)]) -> RunningDaemon {
    start_with(home, env, |_| {})
}

/// [`start`] with extra command-line arguments.
pub fn start_with_args(home: &TestHome, extra: &[&str], env: &[(&str, &str)]) -> RunningDaemon {
    started(daemonize(home, extra, env))
}

/// [`start`], with `customize` applied to the command last.
pub fn start_with(
    home: &TestHome,
    env: &[(&str, &str)],
    customize: impl FnOnce(&mut Command),
) -> RunningDaemon {
    started(daemonize_with(home, &[], env, customize))
}

/// The daemon a launcher reported ready, or the test fails with the launcher's words.
fn started(out: Output) -> RunningDaemon {
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

/// Writes `yaml` as the config file a daemon in `home` reads by default.
pub fn write_config(home: &TestHome, yaml: &str) {
    let file = home.paths().config_file;
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, yaml).unwrap();
}

/// The public port of the daemon in `home`, from its status.
pub async fn public_port(home: &TestHome) -> u16 {
    let status = super::client(&home.paths().socket)
        .await
        .get_status(orchestrator_api::v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    u16::try_from(status.endpoints.expect("endpoints").port).unwrap()
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

/// A gRPC `Charter` client of the daemon running in `home`.
pub async fn charter(
    home: &TestHome,
) -> orchestrator_api::v1::charter_client::CharterClient<tonic::transport::Channel> {
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    orchestrator_api::v1::charter_client::CharterClient::new(channel)
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
    wait_within(home, id, what, std::time::Duration::from_secs(30), done).await
}

/// [`wait_for`], failing the test after `timeout`.
pub async fn wait_within(
    home: &TestHome,
    id: &str,
    what: &str,
    timeout: std::time::Duration,
    done: impl Fn(&orchestrator_api::v1::Session) -> bool,
) -> orchestrator_api::v1::Session {
    let done = &done;
    let found = super::wait_until_async(timeout, move || async move {
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

/// The `wundr` binary beside the daemon's, (re)built when it is missing or older than any
/// source of the CLI (`cli/src/` and the crates it links): a test run of this crate alone does
/// not build it, and a stale one would test old code. A release daemon (the benches) gets a
/// release `wundr`.
pub fn wundr_binary() -> std::path::PathBuf {
    wundr_test_support::binaries::workspace_binary(
        "wundr",
        "wundr",
        &["cli/src", "proto", "charter/src", "config/src", "relay/src"],
    )
}
