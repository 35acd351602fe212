//! [`AgentGroup`]: the agent's process group G (led by the guard, see `guard`) and how the
//! daemon's signals reach it; [`reap_orphans`]: waits for the relay's adopted children.
//!
//! Signals go to the whole group, as the daemon sends them to a local agent's group (Claude
//! Code runs its tools as grandchildren, and Ctrl-C semantics reach them all). The guard
//! ignores them while the relay lives; a pause stops it too, so the relay continues the
//! guard alone right after, keeping the dead man's switch awake.

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use crate::wire::WireSignal;

/// The agent's process group: the guard leads it, the agent is in it.
#[derive(Debug, Clone, Copy)]
pub(super) struct AgentGroup {
    /// The group id: the guard's pid.
    pub(super) group: Pid,
    pub(super) agent: Pid,
}

impl AgentGroup {
    /// Delivers one of the daemon's signals.
    pub(super) fn signal(&self, signal: WireSignal) {
        let sent = match signal {
            WireSignal::Interrupt => Signal::SIGINT,
            WireSignal::Terminate => Signal::SIGTERM,
            WireSignal::Kill => Signal::SIGKILL,
            WireSignal::Pause => Signal::SIGSTOP,
            WireSignal::Resume => Signal::SIGCONT,
        };
        self.send(sent);
        if sent == Signal::SIGSTOP {
            // The guard must keep watching the relay while the agent is paused.
            let _ = kill(self.group, Signal::SIGCONT);
        }
    }

    /// Asks the whole group to end: SIGTERM, and SIGCONT in case it is paused (a stopped
    /// process cannot act on SIGTERM).
    pub(super) fn terminate(&self) {
        self.send(Signal::SIGTERM);
        self.send(Signal::SIGCONT);
    }

    /// SIGKILLs the whole group, the guard included.
    pub(super) fn kill(&self) {
        self.send(Signal::SIGKILL);
    }

    fn send(&self, signal: Signal) {
        // The group id cannot be reused while the guard (or any member) lives; once all are
        // gone this is a harmless ESRCH.
        match killpg(self.group, signal) {
            Ok(()) | Err(Errno::ESRCH) => {}
            Err(err) => {
                tracing::warn!(group = self.group.as_raw(), %signal, %err, "cannot signal the agent's group");
            }
        }
    }
}

/// Reaps the relay's exited children other than `ours` (which tokio waits for): processes
/// the agent orphaned re-parent to the relay, a child subreaper. Never `waitpid(-1)`, which
/// would take the agent's own exit status from tokio.
pub(super) fn reap_orphans(ours: &[Pid]) {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let pid = Pid::from_raw(pid);
        if ours.contains(&pid) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the command name (which may hold anything): state, ppid, …
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace())
            .into_iter()
            .flatten();
        let (Some(state), Some(parent)) = (fields.next(), fields.next()) else {
            continue;
        };
        if state == "Z" && parent.parse::<u32>() == Ok(me) {
            let _ = waitpid(pid, Some(WaitPidFlag::WNOHANG));
        }
    }
}
