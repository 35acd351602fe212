//! The daemon as a process: [`send`] a signal to it, and [`wait_gone`] until it has exited,
//! judged by `kill(pid, 0)` and by the pid file's lock ([`PidWatch`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use orchestrator_api::pidfile::running_daemon_pid;
use tokio::time::Instant;

use crate::error::CliError;

const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The pid of the live daemon holding `pid_file`'s lock, if any.
pub fn locked_pid(pid_file: &Path) -> Result<Option<u32>, CliError> {
    running_daemon_pid(pid_file).map_err(|source| CliError::PidFile {
        path: pid_file.to_path_buf(),
        source,
    })
}

/// Converts a daemon pid for `kill(2)`, refusing values that would signal a process group
/// (0), init (1) or be negative as a `pid_t`.
fn daemon_pid(pid: u32) -> Result<Pid, CliError> {
    match i32::try_from(pid) {
        Ok(raw) if raw > 1 => Ok(Pid::from_raw(raw)),
        _ => Err(CliError::BadPid { pid }),
    }
}

/// Sends `signal` to the daemon. `Ok(false)` when the process is already gone.
pub fn send(pid: u32, signal: Signal) -> Result<bool, CliError> {
    match kill(daemon_pid(pid)?, signal) {
        Ok(()) => Ok(true),
        Err(Errno::ESRCH) => Ok(false),
        Err(source) => Err(CliError::Signal {
            pid,
            signal,
            source,
        }),
    }
}

/// What tells that one daemon process has exited.
#[derive(Debug, Clone)]
pub struct PidWatch {
    pid: u32,
    pid_file: PathBuf,
    // Only a lock this very pid held when we started watching says anything about it.
    lock_was_its: bool,
}

impl PidWatch {
    /// Watches `pid`; `locked_pid` is what the pid file's lock said before we acted.
    pub fn new(pid: u32, pid_file: &Path, locked_pid: Option<u32>) -> Self {
        Self {
            pid,
            pid_file: pid_file.to_path_buf(),
            lock_was_its: locked_pid == Some(pid),
        }
    }

    /// True once the process has exited. The lock is released when the process dies, even
    /// while it waits as a zombie for a parent to reap it, which `kill(pid, 0)` cannot see.
    pub fn is_gone(&self) -> bool {
        let Ok(pid) = daemon_pid(self.pid) else {
            return true;
        };
        if kill(pid, None) == Err(Errno::ESRCH) {
            return true;
        }
        self.lock_was_its
            && matches!(running_daemon_pid(&self.pid_file), Ok(holder) if holder != Some(self.pid))
    }
}

/// Polls until the watched process is gone or `within` has passed; true when it is gone.
pub async fn wait_gone(watch: &PidWatch, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if watch.is_gone() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_pids_that_are_not_a_single_daemon() {
        assert!(matches!(
            send(0, Signal::SIGTERM),
            Err(CliError::BadPid { pid: 0 })
        ));
        assert!(matches!(
            send(1, Signal::SIGTERM),
            Err(CliError::BadPid { pid: 1 })
        ));
        assert!(matches!(
            send(u32::MAX, Signal::SIGTERM),
            Err(CliError::BadPid { .. })
        ));
    }

    #[tokio::test]
    async fn a_reaped_child_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let watch = PidWatch::new(pid, &dir.path().join("none.pid"), None);
        assert!(wait_gone(&watch, Duration::from_secs(1)).await);
    }
}
