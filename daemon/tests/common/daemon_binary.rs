//! The real `orchestrator-daemon` binary in tests: [`daemonize`] runs `--daemonize --port 0`
//! in a [`TestHome`], [`start`] / [`start_with`] assert it came up and return a
//! [`RunningDaemon`], which kills the daemon on drop so a failing test leaves no process
//! behind. [`wundr_binary`] is the real CLI beside it.

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
    start_with(home, &[], env)
}

/// [`start`] with extra command-line arguments.
pub fn start_with(home: &TestHome, extra: &[&str], env: &[(&str, &str)]) -> RunningDaemon {
    let out = daemonize(home, extra, env);
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

/// The `wundr` binary built beside the daemon, (re)built when it is missing or older than the
/// daemon binary: a test run of this crate alone does not build it, and a stale one would test
/// old code.
pub fn wundr_binary() -> std::path::PathBuf {
    let daemon = std::path::Path::new(DAEMON);
    let wundr = daemon.with_file_name("wundr");
    let modified = |path: &std::path::Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    if modified(&wundr) < modified(daemon) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "wundr"])
            .status()
            .expect("run cargo build -p wundr");
        assert!(status.success(), "cargo build -p wundr failed");
    }
    assert!(wundr.is_file(), "{} is missing", wundr.display());
    wundr
}
