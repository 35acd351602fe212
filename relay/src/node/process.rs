//! The relay process itself: [`Node`] (set up once at start: parent-death signal, parent
//! check, non-dumpable, child subreaper; the environment the agent inherits; the host name)
//! and [`StopSignals`] (SIGTERM, SIGINT, SIGHUP: "stop now", from Ray or the parent's death).

use std::ffi::OsString;
use std::io;

use nix::sys::prctl;
use nix::sys::signal::Signal;
use nix::unistd::{Pid, getppid};
use tokio::signal::unix::{SignalKind, signal};

use super::error::RelayError;
use crate::sweep::SESSION_ID_VAR;
use crate::wire::SECRET_ENV;

/// The variable Ray gives every job's entrypoint with the job's whole configuration; the
/// agent has no use for it.
pub(super) const RAY_JOB_CONFIG_VAR: &str = "RAY_JOB_CONFIG_JSON_ENV_VAR";

/// Writes one progress line on stderr, which is the Ray job's log on the node.
pub(super) fn note(message: &str) {
    use std::io::Write;
    let line = format!("wundr relay[{}]: {message}\n", std::process::id());
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

/// What the relay learnt about its node at start.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) host: String,
    /// The environment the guard and the agent start from: the relay's own without the
    /// session's secret, Ray's job configuration, and any session marker (the agent gets its
    /// own; the guard must carry none, or a sweep would take it for the agent's).
    pub(super) env: Vec<(OsString, OsString)>,
}

impl Node {
    /// Sets the relay process up (see the module doc).
    pub(super) fn prepare() -> Result<Node, RelayError> {
        let env = std::env::vars_os()
            .filter(|(name, _)| {
                ![SECRET_ENV, RAY_JOB_CONFIG_VAR, SESSION_ID_VAR]
                    .iter()
                    .any(|hidden| name == hidden)
            })
            .collect();
        let parent = getppid();
        // The relay dies (gracefully: SIGTERM is handled) with Ray's job supervisor. The Ray
        // entrypoint should `exec` the relay, or its parent is a shell that outlives it.
        prctl::set_pdeathsig(Signal::SIGTERM).map_err(|errno| setup("PR_SET_PDEATHSIG", errno))?;
        // The parent may have died before the prctl: then no signal would ever come.
        if parent == Pid::from_raw(1) || getppid() != parent {
            return Err(RelayError::ParentGone {
                parent: parent.as_raw(),
            });
        }
        // The agent runs as the same user: without this it could read the secret in
        // /proc/<relay>/environ (removing it from our environment does not change that file)
        // or ptrace the relay. Children get a dumpable process image again at exec.
        prctl::set_dumpable(false).map_err(|errno| setup("PR_SET_DUMPABLE", errno))?;
        // Processes the agent orphans (double forks) re-parent to the relay rather than init:
        // they stay descendants of the Ray job, and the relay reaps them.
        prctl::set_child_subreaper(true).map_err(|errno| setup("PR_SET_CHILD_SUBREAPER", errno))?;
        let host = nix::unistd::gethostname()
            .ok()
            .and_then(|name| name.into_string().ok())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "this node".to_owned());
        Ok(Node { host, env })
    }
}

fn setup(what: &'static str, errno: nix::Error) -> RelayError {
    RelayError::Setup {
        what,
        source: io::Error::from(errno),
    }
}

/// The signals that tell the relay to end its agent and exit.
#[derive(Debug)]
pub(super) struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Starts listening (from then on these signals no longer kill the relay outright).
    pub(super) fn listen() -> Result<StopSignals, RelayError> {
        let listen = |kind| {
            signal(kind).map_err(|source| RelayError::Setup {
                what: "signal handlers",
                source,
            })
        };
        Ok(StopSignals {
            term: listen(SignalKind::terminate())?,
            int: listen(SignalKind::interrupt())?,
            hup: listen(SignalKind::hangup())?,
        })
    }

    /// The next stop signal. Cancel safe.
    pub(super) async fn recv(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::SIGTERM,
            _ = self.int.recv() => Signal::SIGINT,
            _ = self.hup.recv() => Signal::SIGHUP,
        }
    }
}
