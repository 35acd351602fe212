//! [`refine`]: the daemon's refusal of a Sessions call, as a `SessionCommandError::Refused`
//! with its own message, shown as is, and a remedy that fits the call and the daemon's stable
//! reason.

use crate::error::{CliError, RpcFailure, SessionCommandError};

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

/// The remedy for the daemon refusing `call` on session `id` for `reason` (its stable
/// code: the message's words may change, the reason does not).
fn remedy_for(call: &str, reason: &str, id: &str) -> Option<String> {
    match reason {
        "SESSION_NOT_FOUND" => Some("list sessions with: wundr orchestrator session list".into()),
        "WORKDIR_NOT_FOUND" => Some("pass an existing directory with --workdir".into()),
        "SESSION_REQUEST_INVALID" | "WORKDIR_NOT_A_GIT_REPOSITORY" if call == "Spawn" => {
            Some("see the options: wundr orchestrator session spawn --help".into())
        }
        "SESSION_ALREADY_ENDED" => Some(format!(
            "see how it ended: wundr orchestrator session show {id}"
        )),
        "SESSION_NOT_RUNNING" => Some(format!(
            "see its status: wundr orchestrator session show {id}"
        )),
        _ => None,
    }
}

/// The reason of a refusal without an ErrorInfo (a daemon older than the error codes).
pub const UNKNOWN_REFUSAL: &str = "REQUEST_REFUSED";

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
            let failure = RpcFailure(status.clone());
            let reason = failure
                .daemon_reason()
                .unwrap_or_else(|| UNKNOWN_REFUSAL.to_owned());
            SessionCommandError::Refused {
                code: status.code(),
                remedy: failure
                    .daemon_remedy()
                    .or_else(|| remedy_for(call, &reason, id)),
                reason,
                message,
            }
            .into()
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn rpc(call: &'static str, status: tonic::Status) -> CliError {
        CliError::Rpc {
            call,
            source: RpcFailure(status),
        }
    }

    /// A refusal as the daemon sends it: `code`, `message`, and an ErrorInfo with `reason`.
    fn refusal(code: tonic::Code, message: &str, reason: &str) -> tonic::Status {
        use tonic_types::{ErrorDetails, StatusExt};
        let details = ErrorDetails::with_error_info(
            reason,
            orchestrator_api::error_codes::ERROR_DOMAIN,
            std::collections::HashMap::new(),
        );
        tonic::Status::with_error_details(code, message, details)
    }

    #[test]
    fn hints_key_on_the_reason_not_the_words() {
        use tonic::Code;
        // Messages reworded so that no word of the old ones is left: the hint still fits.
        for (call, status, hint) in [
            (
                "Stop",
                refusal(
                    Code::FailedPrecondition,
                    "s1: finished earlier",
                    "SESSION_ALREADY_ENDED",
                ),
                "see how it ended: wundr orchestrator session show s1",
            ),
            (
                "Send",
                refusal(
                    Code::FailedPrecondition,
                    "s1 is idle",
                    "SESSION_NOT_RUNNING",
                ),
                "see its status: wundr orchestrator session show s1",
            ),
            (
                "Spawn",
                refusal(
                    Code::InvalidArgument,
                    "no such folder /x",
                    "WORKDIR_NOT_FOUND",
                ),
                "pass an existing directory with --workdir",
            ),
        ] {
            let err = refine(rpc(call, status), "s1");
            assert_eq!(err.remedy().as_deref(), Some(hint), "{call}");
        }
        // And the old words without the reason no longer pick a hint.
        let err = refine(
            rpc(
                "Stop",
                tonic::Status::failed_precondition("session s1 already ended (completed)"),
            ),
            "s1",
        );
        assert_eq!(err.remedy(), None);
        assert_eq!(err.reason(), UNKNOWN_REFUSAL);
    }

    #[test]
    fn refusals_show_the_daemon_message_with_a_remedy() {
        let err = refine(
            rpc(
                "Get",
                refusal(
                    tonic::Code::NotFound,
                    "Session not found: s1",
                    "SESSION_NOT_FOUND",
                ),
            ),
            "s1",
        );
        assert_eq!(err.to_string(), "Session not found: s1");
        assert_eq!(err.exit_code(), 1);
        assert!(err.remedy().unwrap_or_default().contains("session list"));
        assert_eq!(err.reason(), "SESSION_NOT_FOUND");

        let err = refine(
            rpc(
                "Stop",
                refusal(
                    tonic::Code::FailedPrecondition,
                    "session s1 already ended (completed)",
                    "SESSION_ALREADY_ENDED",
                ),
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
                refusal(
                    tonic::Code::InvalidArgument,
                    "invalid task.description",
                    "SESSION_REQUEST_INVALID",
                ),
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
