//! `wundr orchestrator relay --daemon HOST:PORT --session ID`: the entrypoint of a remote
//! session's Ray job. It runs the session's agent on this node and carries its stdin, stdout,
//! stderr and charter hooks to the daemon over one TCP connection
//! ([`orchestrator_relay::node::run_relay`]). The runner starts it, not people. The session's
//! secret comes only from `WUNDR_RELAY_SECRET`: arguments are visible in `ps` and in the Ray
//! dashboard's job list.
//!
//! `wundr orchestrator relay-guard` (hidden) is the relay's guard process, answered by `main`
//! before any runtime is built ([`guard`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use orchestrator_relay::node::{RelayEnd, RelayOptions, run_guard, run_relay};
use orchestrator_relay::wire::SECRET_ENV;

use crate::error::{CliError, Outcome, RelayCommandError};

/// Arguments of `wundr orchestrator relay`.
#[derive(Debug, Args)]
pub struct RelayArgs {
    /// The daemon's relay listener, as the node reaches it
    #[arg(long, value_name = "HOST:PORT")]
    pub daemon: String,
    /// The session whose agent this job runs
    #[arg(long, value_name = "ID")]
    pub session: String,
}

/// Arguments of the hidden `wundr orchestrator relay-guard`.
#[derive(Debug, Args)]
pub struct RelayGuardArgs {
    /// The session whose processes the guard ends when the relay dies
    #[arg(long, value_name = "ID")]
    pub session: String,
    /// The relay's pid: the guard's parent while the relay lives
    #[arg(long, value_name = "PID")]
    pub relay_pid: u32,
    /// The relay's hook socket, removed (with its directory) when the relay dies
    #[arg(long, value_name = "PATH")]
    pub hook_socket: Option<PathBuf>,
}

/// Runs the relay until the agent has ended. Exit 0 once the agent's end reached the daemon
/// (whatever the agent's own exit code: the daemon has it); 1 otherwise.
pub async fn run(args: &RelayArgs) -> Result<Outcome, CliError> {
    let secret = std::env::var(SECRET_ENV)
        .ok()
        .filter(|secret| !secret.is_empty())
        .ok_or(RelayCommandError::NoSecret)?;
    let options = RelayOptions {
        daemon: args.daemon.clone(),
        session_id: args.session.clone(),
        secret,
    };
    match run_relay(options)
        .await
        .map_err(RelayCommandError::Failed)?
    {
        RelayEnd::Exited(_) => Ok(Outcome::Success),
        RelayEnd::StartFailed(failure) => Err(RelayCommandError::StartFailed(failure).into()),
        RelayEnd::Stopped {
            signal, reported, ..
        } => Err(RelayCommandError::Stopped { signal, reported }.into()),
    }
}

/// The guard process; see `orchestrator_relay::node` (module `guard`).
pub fn guard(args: &RelayGuardArgs) -> ExitCode {
    run_guard(&args.session, args.relay_pid, args.hook_socket.as_deref())
}
