//! The stable reasons of the CLI's errors ([`CliError::reason`]) and the error as `--json`
//! commands print it ([`error_json`]); README, "Error codes", lists them.

use super::{CliError, ConnectError};

impl CliError {
    /// The stable reason (README, "Error codes"): for a call the daemon refused, the reason
    /// of its `google.rpc.ErrorInfo`; else the CLI's own code for this variant.
    pub fn reason(&self) -> String {
        let code = match self {
            Self::Rpc { source, .. } => return source.reason(),
            Self::Session(err) => return err.reason(),
            Self::Service(err) => err.reason(),
            Self::RestartRefused(_) => "RESTART_REFUSED",
            Self::Paths(_) => "PATHS_UNKNOWN",
            Self::Absolute { .. } => "PATH_UNRESOLVABLE",
            Self::CurrentDir { .. } => "CURRENT_DIR_UNREADABLE",
            Self::SocketPathTooLong { .. } => "SOCKET_PATH_TOO_LONG",
            Self::Connect(ConnectError::PermissionDenied { .. }) => "SOCKET_PERMISSION_DENIED",
            Self::Connect(_) => "DAEMON_UNREACHABLE",
            Self::Timeout { .. } => "DAEMON_TIMEOUT",
            Self::Unresponsive { .. } => "DAEMON_UNRESPONSIVE",
            Self::PidFile { .. } => "PID_FILE_UNREADABLE",
            Self::DaemonBinaryNotFound { .. } => "DAEMON_BINARY_NOT_FOUND",
            Self::Launch { .. } => "DAEMON_LAUNCH_FAILED",
            Self::LaunchTimeout { .. } => "DAEMON_START_TIMEOUT",
            Self::StartFailed { .. } => "DAEMON_START_FAILED",
            Self::StartedButSilent { .. } => "DAEMON_SILENT_AFTER_START",
            Self::BadPid { .. } => "PID_INVALID",
            Self::Signal { .. } => "SIGNAL_FAILED",
            Self::WontDie { .. } => "DAEMON_WONT_DIE",
            Self::NoLogFile { .. } => "LOG_FILE_NOT_FOUND",
            Self::CannotFollow { .. } => "DAEMON_NOT_RUNNING",
            Self::ReadLog { .. } => "LOG_FILE_UNREADABLE",
            Self::Runtime(_) => "RUNTIME_FAILED",
            Self::Stdout(_) => "STDOUT_FAILED",
            Self::CharterInvalid { .. } => "CHARTER_INVALID",
            Self::Stdin(_) => "STDIN_UNREADABLE",
            Self::MemoryFile { .. } => "MEMORY_FILE_FAILED",
            Self::ConfigInvalid(_) => "CONFIG_INVALID",
            Self::DoctorFailed { .. } => "DOCTOR_CHECKS_FAILED",
        };
        code.to_owned()
    }
}

/// The error as `--json` commands report it on stderr (README, "Errors as JSON"):
/// `{"error": {"code", "message", "causes", "remedy", "exitCode"}}`, the same parts as the
/// text lines, with `code` the stable reason.
pub fn error_json(err: &CliError) -> serde_json::Value {
    let mut causes = Vec::new();
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        causes.push(inner.to_string());
        cause = inner.source();
    }
    serde_json::json!({"error": {
        "code": err.reason(),
        "message": err.to_string(),
        "causes": causes,
        "remedy": err.remedy(),
        "exitCode": err.exit_code(),
    }})
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::error::RpcFailure;

    #[test]
    fn the_reason_comes_from_error_info_else_from_the_code() {
        use tonic_types::{ErrorDetails, StatusExt};
        let status = tonic::Status::with_error_details(
            tonic::Code::ResourceExhausted,
            "words that may change",
            ErrorDetails::with_error_info(
                "STORE_DISK_FULL",
                "wundr.orchestrator",
                std::collections::HashMap::new(),
            ),
        );
        let err = CliError::Rpc {
            call: "Spawn",
            source: RpcFailure(status),
        };
        assert_eq!(err.reason(), "STORE_DISK_FULL");
        // Another domain's reason is not ours to interpret.
        let foreign = tonic::Status::with_error_details(
            tonic::Code::Unavailable,
            "x",
            ErrorDetails::with_error_info("X", "other.example", std::collections::HashMap::new()),
        );
        assert_eq!(RpcFailure(foreign).reason(), "DAEMON_UNAVAILABLE");
        assert_eq!(
            RpcFailure(tonic::Status::unimplemented("")).reason(),
            "DAEMON_VERSION_MISMATCH"
        );
        assert_eq!(
            CliError::NoLogFile {
                path: PathBuf::from("/l")
            }
            .reason(),
            "LOG_FILE_NOT_FOUND"
        );
    }

    #[test]
    fn json_errors_carry_the_same_parts_as_the_text() {
        let err = CliError::RestartRefused(Box::new(CliError::CharterInvalid {
            file: "c.yaml".into(),
            errors: 2,
        }));
        assert_eq!(
            error_json(&err),
            serde_json::json!({"error": {
                "code": "RESTART_REFUSED",
                "message": err.to_string(),
                "causes": ["the charter c.yaml is invalid (2 errors)"],
                "remedy": "fix the findings listed above (file:line:column), then validate again",
                "exitCode": 1,
            }})
        );
        let none = error_json(&CliError::BadPid { pid: 1 });
        assert_eq!(none["error"]["remedy"], serde_json::Value::Null);
    }
}
