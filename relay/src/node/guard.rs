//! The guard: the dead man's switch of the agent's process tree. Key items: [`run_guard`] (the
//! guard process), [`GUARD_SUBCOMMAND`] (how the relay starts it), `command` (the relay's side).
//!
//! Why a process: whatever kills the relay — `kill -9`, the OOM killer, Ray's SIGKILL after
//! its stop wait — the agent's tree must die too, and a dead relay cleans nothing up. The
//! guard is re-executed from the relay's own binary (`/proc/self/exe`, so an upgraded or
//! deleted file still works) as `wundr orchestrator relay-guard --session ID --relay-pid PID
//! --hook-socket PATH`,
//! which the CLI answers before it builds any async runtime: the guard is one thread that
//! sleeps in `sigwait`.
//!
//! - It leads a new process group G, and the relay starts the agent *into* G: G holds the
//!   agent, its tools and the guard (escapees that call `setsid` are found by the session
//!   marker instead).
//! - Before exec (in the forked child, async-signal-safe calls only) it blocks the signals it
//!   waits for — the mask survives exec, so none is lost during start-up — sets
//!   `PR_SET_PDEATHSIG(SIGTERM)` and checks that its parent is still the relay (else the
//!   spawn fails: the relay died in between).
//! - It then waits for signals. After each it checks whether its parent is still the relay:
//!   if not (the parent-death signal, or any later wake-up), it sweeps the session's marked
//!   processes, removes the dead relay's hook socket and its directory, and SIGKILLs G,
//!   itself included. While the relay lives, signals are ignored:
//!   the relay sends Interrupt/Terminate to all of G (as the daemon does to a local agent's
//!   group), and Ray's stop SIGTERMs every descendant of the job; the guard acting on those
//!   would SIGKILL the agent before its grace. Graceful ends are the living relay's job.
//! - A pause (SIGSTOP to G) stops the guard too; the relay continues the guard alone at once.
//!
//! Not guarded against: an agent that kills the guard on purpose (it runs as the same user).

use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::process::{ExitCode, Stdio};

use nix::errno::Errno;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, killpg, sigprocmask};
use nix::unistd::{Pid, getpgrp, getpid, getppid};
use tokio::process::Command;

use crate::sweep::{SweepTarget, sweep};

/// The subcommand (after the program name) the relay's executable must answer by calling
/// [`run_guard`], followed by `--session ID --relay-pid PID --hook-socket PATH`.
pub const GUARD_SUBCOMMAND: [&str; 2] = ["orchestrator", "relay-guard"];

/// The signals the guard waits for (blocked, so they wake `sigwait` instead of killing it):
/// every catchable signal whose default would end or stop it, so a signal sent to the whole
/// group never kills the guard without its sweep.
const WATCHED: [Signal; 11] = [
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGTERM,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGPIPE,
    Signal::SIGALRM,
    Signal::SIGTSTP,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
];

fn watched() -> SigSet {
    let mut set = SigSet::empty();
    for signal in WATCHED {
        set.add(signal);
    }
    set
}

/// The guard's command, to be spawned from the relay's main thread (see the module doc).
pub(super) fn command(
    session_id: &str,
    env: &[(OsString, OsString)],
    hook_socket: &Path,
) -> Command {
    let relay = Pid::this();
    let mask = watched();
    let mut command = Command::new("/proc/self/exe");
    command
        .arg0("wundr")
        .args(GUARD_SUBCOMMAND)
        .args(["--session", session_id, "--relay-pid"])
        .arg(relay.as_raw().to_string())
        .arg("--hook-socket")
        .arg(hook_socket)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // The relay's stderr, the job's log: the guard says there what it did.
        .stderr(Stdio::inherit())
        .kill_on_drop(false)
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // calls are allowed: `sigprocmask`, `prctl` and `getppid` through nix wrappers that
    // neither allocate nor lock, and `io::Error`s built from raw OS codes. It captures only a
    // `Pid` and a `SigSet` (plain `Copy` data) and touches no state shared with the parent.
    unsafe {
        command.pre_exec(move || {
            sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None).map_err(io::Error::from)?;
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).map_err(io::Error::from)?;
            if getppid() != relay {
                return Err(io::Error::from(Errno::ESRCH));
            }
            Ok(())
        });
    }
    command
}

/// The guard process (see the module doc): returns only when it was not started by a relay
/// (exit 2); otherwise it ends by killing its own process group. `hook_socket`: the relay's
/// hook socket, removed with its directory once the relay is dead.
pub fn run_guard(session_id: &str, relay_pid: u32, hook_socket: Option<&Path>) -> ExitCode {
    // Not eprintln!: it panics when stderr is gone, and a panic here would skip the kill.
    let say = |message: &str| {
        let line = format!("wundr relay-guard[{}]: {message}\n", std::process::id());
        let _ = io::Write::write_all(&mut io::stderr().lock(), line.as_bytes());
    };
    if getpgrp() != getpid() {
        say("refusing to run: the guard must lead its own process group (the relay starts it)");
        return ExitCode::from(2);
    }
    let mask = watched();
    // Blocked since before exec when the relay started us; again here in case it did not.
    let _ = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None);
    let relay_alive = || i64::from(getppid().as_raw()) == i64::from(relay_pid);
    while relay_alive() {
        // Any watched signal, or an error (EINTR), is only a reason to look again.
        let _ = mask.wait();
    }
    let group = getpgrp();
    let killed = sweep(&[SweepTarget {
        session_id,
        group: Some(group.as_raw()),
    }]);
    say(&format!(
        "the relay (pid {relay_pid}) is gone: killed {killed} processes of session {session_id} \
         and now the agent's process group {group}"
    ));
    if let Some(socket) = hook_socket {
        // Only the relay's own names: the socket, then its directory if that is empty.
        let _ = std::fs::remove_file(socket);
        if let Some(dir) = socket.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    // Ends the guard too.
    let _ = killpg(group, Signal::SIGKILL);
    ExitCode::FAILURE
}
