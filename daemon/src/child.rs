//! [`die_with_daemon`]: every program the daemon starts (agents, notification commands) is
//! SIGKILLed by the kernel when the daemon dies, even by `kill -9`, so a dead daemon leaves
//! no child running unsupervised. [`GroupGuard`]: a short-lived helper program that leads its
//! own process group leaves nothing of that group behind.

use std::io;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::{Pid, getppid};
use tokio::process::Command;

/// Arranges for `command`'s child to get SIGKILL when the daemon's thread that forked it
/// exits (`PR_SET_PDEATHSIG`); the spawn fails with ESRCH if the daemon is already gone.
///
/// Spawn such commands from a tokio runtime thread (any `async` context), never from
/// `spawn_blocking`: Linux delivers the signal when the *thread* that forked the child exits,
/// and blocking-pool threads exit when idle.
pub(crate) fn die_with_daemon(command: &mut Command) {
    let daemon = Pid::this();
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // operations are allowed. It makes two raw syscalls (`prctl`, `getppid`) through nix
    // wrappers that neither allocate nor lock, reads errno, and builds `io::Error`s from raw
    // OS codes (no allocation). It captures only a `Pid` (`Copy`) and touches no state
    // shared with the parent.
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from)?;
            // The daemon may have died between fork and prctl; then no signal would come.
            if getppid() != daemon {
                return Err(io::Error::from(Errno::ESRCH));
            }
            Ok(())
        });
    }
}

/// SIGKILLs the process group a child leads (spawned with `process_group(0)`) once: when told
/// to, or when dropped first (its task was cancelled or timed out). Killing a group whose
/// members are all gone is a harmless ESRCH.
#[derive(Debug)]
pub(crate) struct GroupGuard(Option<Pid>);

impl GroupGuard {
    /// The guard of the group `child` leads.
    pub(crate) fn of(child: &tokio::process::Child) -> Self {
        Self(
            child
                .id()
                .and_then(|pid| i32::try_from(pid).ok())
                .map(Pid::from_raw),
        )
    }

    pub(crate) fn kill(&mut self) {
        if let Some(group) = self.0.take() {
            match killpg(group, Signal::SIGKILL) {
                Ok(()) | Err(Errno::ESRCH) => {}
                Err(err) => tracing::warn!(%err, "cannot kill a child's process group"),
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}
