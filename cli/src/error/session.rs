//! [`SessionCommandError`]: how a `wundr orchestrator session ...` command (or `logs
//! --session`) fails: the daemon is not running, the daemon refused the request (its own
//! message, shown as is, with a remedy: see `commands::orchestrator::session::error::refine`),
//! or the daemon stopped while a session was being followed.

use std::path::PathBuf;

use super::exit::{EXIT_FAILURE, EXIT_NOT_RUNNING, START_HINT};

/// Every way a session command fails beyond the transport failures of [`super::CliError`].
#[derive(Debug, thiserror::Error)]
pub enum SessionCommandError {
    /// Nothing listens on the socket.
    #[error("the orchestrator daemon is not running (socket: {})", socket.display())]
    NotRunning {
        /// The socket tried.
        socket: PathBuf,
    },
    /// The daemon understood the request and said no; `message` is its own words (for
    /// example `Session not found: <id>`), which already say what is wrong.
    #[error("{message}")]
    Refused {
        /// The gRPC code, kept for tests and for scripts reading the code.
        code: tonic::Code,
        /// The daemon's stable reason (`google.rpc.ErrorInfo.reason`), which hints key on.
        reason: String,
        /// The daemon's message.
        message: String,
        /// What to do about it, when something fits.
        remedy: Option<String>,
    },
    /// A followed session's stream ended without a final status: the daemon went away.
    #[error("the orchestrator daemon stopped before session {id} ended")]
    DaemonStopped {
        /// The session being followed.
        id: String,
    },
}

impl SessionCommandError {
    /// 3 when the daemon is (now) not running, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::NotRunning { .. } | Self::DaemonStopped { .. } => EXIT_NOT_RUNNING,
            Self::Refused { .. } => EXIT_FAILURE,
        }
    }

    /// The stable reason (README, "Error codes").
    pub fn reason(&self) -> String {
        match self {
            Self::NotRunning { .. } => "DAEMON_NOT_RUNNING".to_owned(),
            Self::Refused { reason, .. } => reason.clone(),
            Self::DaemonStopped { .. } => "DAEMON_STOPPED".to_owned(),
        }
    }

    /// The `hint:` line.
    pub fn remedy(&self) -> Option<String> {
        match self {
            Self::NotRunning { .. } => Some(START_HINT.to_owned()),
            Self::Refused { remedy, .. } => remedy.clone(),
            Self::DaemonStopped { id } => Some(format!(
                "{START_HINT}, then follow it again: wundr orchestrator logs --session {id} -f"
            )),
        }
    }
}
