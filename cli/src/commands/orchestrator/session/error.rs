//! [`SessionCommandError`]: how a `wundr orchestrator session ...` command (or `logs
//! --session`) fails: the daemon is not running, the daemon refused the request (its own
//! message, shown as is, with a remedy that fits the call: [`refine`]), or the daemon stopped
//! while a session was being followed.

use std::path::PathBuf;

use crate::error::{CliError, EXIT_FAILURE, EXIT_NOT_RUNNING, RpcFailure, START_HINT};

/// Every way a session command fails beyond the transport failures of [`CliError`].
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

/// Codes with which the daemon refuses a request it understood; the rest (unavailable,
/// internal, ...) are transport or daemon failures and stay [`CliError::Rpc`].
fn is_refusal(code: tonic::Code) -> bool {
    use tonic::Code;
    matches!(
        code,
        Code::NotFound
            | Code::InvalidArgument
            | Code::FailedPrecondition
            | Code::AlreadyExists
            | Code::PermissionDenied
            | Code::ResourceExhausted
            | Code::OutOfRange
    )
}

/// The remedy for the daemon refusing `call` on session `id` with `code` and `message`.
fn remedy_for(call: &str, code: tonic::Code, message: &str, id: &str) -> Option<String> {
    match code {
        tonic::Code::NotFound => Some("list sessions with: wundr orchestrator session list".into()),
        tonic::Code::InvalidArgument
            if call == "Spawn" && message.contains("working directory") =>
        {
            Some("pass an existing directory with --workdir".into())
        }
        tonic::Code::InvalidArgument if call == "Spawn" => {
            Some("see the options: wundr orchestrator session spawn --help".into())
        }
        tonic::Code::FailedPrecondition if message.contains("already ended") => Some(format!(
            "see how it ended: wundr orchestrator session show {id}"
        )),
        tonic::Code::FailedPrecondition if message.contains("not running") => Some(format!(
            "see its status: wundr orchestrator session show {id}"
        )),
        _ => None,
    }
}

/// Turns the daemon's refusal of a Sessions call on session `id` into
/// [`SessionCommandError::Refused`]; every other error passes through unchanged.
pub fn refine(err: CliError, id: &str) -> CliError {
    match err {
        CliError::Rpc {
            call,
            source: RpcFailure(status),
        } if is_refusal(status.code()) => {
            let message = match status.message() {
                "" => RpcFailure(status.clone()).to_string(),
                text => text.to_owned(),
            };
            let daemon_remedy = RpcFailure(status.clone()).daemon_remedy();
            SessionCommandError::Refused {
                code: status.code(),
                remedy: daemon_remedy.or_else(|| remedy_for(call, status.code(), &message, id)),
                message,
            }
            .into()
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc(call: &'static str, status: tonic::Status) -> CliError {
        CliError::Rpc {
            call,
            source: RpcFailure(status),
        }
    }

    #[test]
    fn refusals_show_the_daemon_message_with_a_remedy() {
        let err = refine(
            rpc("Get", tonic::Status::not_found("Session not found: s1")),
            "s1",
        );
        assert_eq!(err.to_string(), "Session not found: s1");
        assert_eq!(err.exit_code(), 1);
        assert!(err.remedy().unwrap_or_default().contains("session list"));

        let err = refine(
            rpc(
                "Stop",
                tonic::Status::failed_precondition("session s1 already ended (completed)"),
            ),
            "s1",
        );
        assert_eq!(err.to_string(), "session s1 already ended (completed)");
        assert_eq!(
            err.remedy().as_deref(),
            Some("see how it ended: wundr orchestrator session show s1")
        );

        let err = refine(
            rpc(
                "Spawn",
                tonic::Status::invalid_argument("invalid task.description"),
            ),
            "",
        );
        assert!(err.remedy().unwrap_or_default().contains("spawn --help"));
    }

    #[test]
    fn transport_failures_stay_rpc_errors() {
        let err = refine(rpc("Get", tonic::Status::unavailable("gone")), "s1");
        assert!(matches!(err, CliError::Rpc { .. }));
        let err = refine(rpc("Get", tonic::Status::not_found("")), "s1");
        assert_eq!(err.to_string(), "the daemon reported an error");
    }

    #[test]
    fn not_running_exits_3() {
        let err = CliError::from(SessionCommandError::NotRunning {
            socket: PathBuf::from("/tmp/x.sock"),
        });
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains("/tmp/x.sock"));
        let err = CliError::from(SessionCommandError::DaemonStopped { id: "s1".into() });
        assert_eq!(err.exit_code(), 3);
        assert!(err.remedy().unwrap_or_default().contains("--session s1 -f"));
    }
}
