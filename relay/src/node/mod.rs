//! The node side of the relay: [`run_relay`] runs one session's agent on this node (as the
//! entrypoint of a Ray job) for a daemon elsewhere, over the one TCP connection it opens to
//! the daemon ([`crate::wire`]). Key types: [`RelayOptions`], [`RelayEnd`], [`RelayError`];
//! the guard process: [`run_guard`] ([`GUARD_SUBCOMMAND`]).
//!
//! The parts, in the order a session meets them:
//! - `process`: the relay process itself — parent-death signal, non-dumpable (its secret
//!   stays out of `/proc/<pid>/environ` for the agent, which runs as the same user), child
//!   subreaper, the environment the agent inherits (the node's, without the secret).
//! - `link`: connect, `Hello`/`Welcome`, then one reader task and one writer task.
//! - `agent`: the guard and the agent, both forked from the caller's thread.
//! - `guard`: a tiny process leading the agent's process group; when the relay dies, however
//!   it dies, it sweeps the session's processes and SIGKILLs the group.
//! - `group`: signals to the group, and reaping orphans re-parented to the relay.
//! - `output` and `hooks`: the agent's lines up, the charter hooks' questions up and back.
//! - `session`: the loop that ties them together, and the end (drain, kill, sweep, `Exited`).
//!
//! No reconnect: when the connection is lost the relay ends the agent and exits, and the
//! daemon ends the session when it loses its relay. A session is one connection.
//!
//! Call [`run_relay`] from the thread that will outlive the agent (the runtime's `block_on`
//! thread): Linux delivers a child's parent-death signal when the *thread* that forked it
//! exits, so the guard and the agent are forked from the caller's future, never from a
//! spawned task or `spawn_blocking`. Linux only (prctl, `/proc`).

mod agent;
mod end;
mod error;
mod group;
mod guard;
mod hooks;
mod link;
mod output;
mod process;
mod session;

use std::fmt;

pub use error::{LinkLoss, RelayError};
pub use guard::{GUARD_SUBCOMMAND, run_guard};
use nix::sys::signal::Signal;

use crate::wire::{Exit, StartFailure};

/// What [`run_relay`] needs: where the daemon listens, which session, and its secret.
#[derive(Clone)]
pub struct RelayOptions {
    /// The daemon's relay listener, `HOST:PORT`.
    pub daemon: String,
    pub session_id: String,
    /// The session's secret ([`crate::wire::SECRET_ENV`]); never passed on to the agent.
    pub secret: String,
}

impl fmt::Debug for RelayOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayOptions")
            .field("daemon", &self.daemon)
            .field("session_id", &self.session_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// How a relay that did its job ended. Every variant was reported to the daemon (for
/// [`RelayEnd::Stopped`], best effort: `reported` says whether it got through).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEnd {
    /// The agent ended — by itself, or as the daemon asked (`Stop`, `Signal`) — and everything
    /// it started was ended after it.
    Exited(Exit),
    /// The agent could not be started (no such program on this node, no working directory…).
    StartFailed(StartFailure),
    /// The relay was told to stop by a signal (Ray stopped the job, or the job's supervisor
    /// died and the parent-death signal came) and ended the agent.
    Stopped {
        signal: Signal,
        exit: Exit,
        /// Whether `Exited` reached the daemon.
        reported: bool,
    },
}

/// Runs the session's agent on this node until it ends (see the module doc). Prints a few
/// progress lines on stderr (the Ray job's log).
///
/// The running executable must answer [`GUARD_SUBCOMMAND`] by calling [`run_guard`] (the
/// guard is this same executable, re-executed); `wundr` does.
pub async fn run_relay(options: RelayOptions) -> Result<RelayEnd, RelayError> {
    // First of all: the environment the agent will get, without the secret.
    let node = process::Node::prepare()?;
    let mut signals = process::StopSignals::listen()?;
    let (link, spec) = tokio::select! {
        opened = link::open(&options, &node) => opened?,
        signal = signals.recv() => return Err(RelayError::StoppedEarly { signal }),
    };
    process::note(&format!(
        "connected to the daemon at {} for session {}",
        options.daemon, options.session_id
    ));
    session::run(&options, &node, link, *spec, signals).await
}
