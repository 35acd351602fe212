//! [`die_with_daemon`]: every program the daemon starts (agents, notification commands) is
//! SIGKILLed by the kernel when the daemon dies, even by `kill -9`, so a dead daemon leaves
//! no child running unsupervised.

use std::io;

use nix::errno::Errno;
use nix::sys::signal::Signal;
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
