//! [`RelayCommandError`]: how `wundr orchestrator relay` (a remote session's job entrypoint)
//! fails — no secret in its environment, the relay itself failed (cannot reach the daemon,
//! refused, lost the daemon …), the agent could not start on this node, or the relay was told
//! to stop — each with a remedy; wrapped as `CliError::Relay`. All exit 1: the Ray job then
//! shows FAILED, and its log (the relay's stderr) says why.

use nix::sys::signal::Signal;
use orchestrator_relay::node::RelayError;
use orchestrator_relay::wire::{SECRET_ENV, StartFailure, StartFailureKind};

/// Every way the relay command fails.
#[derive(Debug, thiserror::Error)]
pub enum RelayCommandError {
    /// The secret comes only from the environment (arguments show in `ps` and in Ray's job
    /// list).
    #[error("the relay needs the session's secret in {SECRET_ENV}, and it is not set")]
    NoSecret,
    /// The relay failed; it says why.
    #[error(transparent)]
    Failed(RelayError),
    /// The agent could not be started on this node (the daemon was told).
    #[error("the agent could not be started: {}", .0.message)]
    StartFailed(StartFailure),
    /// A signal told the relay to stop; it ended the agent.
    #[error("the relay was told to stop ({signal}) and ended the agent{}", if *reported { "" } else { " (the daemon could not be told)" })]
    Stopped {
        /// The signal.
        signal: Signal,
        /// Whether the daemon heard how the agent ended.
        reported: bool,
    },
}

impl RelayCommandError {
    /// The stable reason (README, "Error codes").
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NoSecret => "RELAY_SECRET_MISSING",
            Self::Failed(err) => match err {
                RelayError::Connect { .. } | RelayError::ConnectTimeout { .. } => {
                    "RELAY_CONNECT_FAILED"
                }
                RelayError::Handshake { .. }
                | RelayError::HandshakeTimeout { .. }
                | RelayError::HandshakeClosed { .. }
                | RelayError::Unexpected { .. } => "RELAY_HANDSHAKE_FAILED",
                RelayError::Refused { .. } => "RELAY_REFUSED",
                RelayError::LostDaemon { .. } => "RELAY_LOST_DAEMON",
                RelayError::ParentGone { .. } => "RELAY_PARENT_GONE",
                RelayError::StoppedEarly { .. } => "RELAY_STOPPED",
                RelayError::Setup { .. } | RelayError::HookSocket { .. } => "RELAY_SETUP_FAILED",
            },
            Self::StartFailed(_) => "RELAY_AGENT_START_FAILED",
            Self::Stopped { .. } => "RELAY_STOPPED",
        }
    }

    /// The `hint:` line.
    pub fn remedy(&self) -> Option<String> {
        Some(match self {
            Self::NoSecret => format!(
                "the daemon's Ray runner passes it in the job's environment ({SECRET_ENV}), never \
                 as an argument; this command is run by the runner, not by people"
            ),
            Self::Failed(err) => return err.remedy().map(str::to_owned),
            Self::StartFailed(failure) => match failure.kind {
                StartFailureKind::NotFound => "install the agent program on this node, or put it \
                     on the PATH the node's `ray start` ran with"
                    .into(),
                StartFailureKind::CwdNotFound | StartFailureKind::CwdNotDirectory => {
                    "the session's working directory must exist on the node that runs it (a \
                     shared file system, or a path every node has)"
                        .into()
                }
                StartFailureKind::Spawn => {
                    "check the agent program's permissions and the node's resources".into()
                }
            },
            Self::Stopped { .. } => return None,
        })
    }
}
