//! The daemon as a process: [`send`] a signal to it, and [`wait_gone`] until it has exited
//! ([`PidWatch`]), judged by the process itself: `kill(pid, 0)`, and on Linux its state in
//! `/proc` (an exited process its parent has not reaped yet is gone too).
//!
//! Not by the pid file's lock: the daemon releases it (and removes its socket) in its stop
//! sequence, before the process has ended — it may still be closing its database then.

use std::path::Path;
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

/// Tells when one daemon process has exited.
#[derive(Debug, Clone)]
pub struct PidWatch {
    pid: u32,
}

impl PidWatch {
    /// Watches `pid`.
    pub fn new(pid: u32) -> Self {
        Self { pid }
    }

    /// True once the process has exited: it no longer exists, or it is a zombie waiting for
    /// its parent to reap it (which `kill(pid, 0)` cannot tell from a live process).
    pub fn is_gone(&self) -> bool {
        let Ok(pid) = daemon_pid(self.pid) else {
            return true;
        };
        kill(pid, None) == Err(Errno::ESRCH) || has_exited(self.pid)
    }
}

/// Whether `pid` is a process that has ended but not been reaped.
#[cfg(target_os = "linux")]
fn has_exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold any byte.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => true,
    }
}

/// Elsewhere there is no `/proc`: a zombie counts as running until it is reaped. A daemon's
/// parent (launchd, init, a shell) reaps it at once.
#[cfg(not(target_os = "linux"))]
fn has_exited(_pid: u32) -> bool {
    false
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
        assert!(wait_gone(&PidWatch::new(pid), Duration::from_secs(1)).await);
    }

    /// A child killed and reaped on drop, so a failing test leaves no process behind.
    struct Sleeper(std::process::Child);

    impl Drop for Sleeper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[tokio::test]
    async fn a_live_process_is_not_gone_and_an_unreaped_one_is() {
        // The daemon's pid file lock is gone before its process is: only the process counts.
        let mut sleeper = Sleeper(
            std::process::Command::new("sleep")
                .arg("30")
                .spawn()
                .unwrap(),
        );
        let watch = PidWatch::new(sleeper.0.id());
        assert!(!wait_gone(&watch, Duration::from_millis(300)).await);
        sleeper.0.kill().unwrap();
        // Not reaped yet: a zombie, which has exited all the same.
        assert!(wait_gone(&watch, Duration::from_secs(5)).await);
        sleeper.0.wait().unwrap();
        assert!(watch.is_gone());
    }
}
