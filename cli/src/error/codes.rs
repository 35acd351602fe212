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
            Self::Relay(err) => err.reason(),
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

/// The error as `--json` commands report it on stderr (README, "Errors as JSON";
/// `docs/json/error.schema.json`): the same parts as the text lines, with `code` the stable
/// reason, in the README's key order.
#[derive(Debug, serde::Serialize)]
pub struct ErrorReportJson {
    pub error: ErrorJson,
}

/// The body of an [`ErrorReportJson`].
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorJson {
    pub code: String,
    pub message: String,
    /// The `caused by:` lines, outermost first.
    pub causes: Vec<String>,
    /// The `hint:` line, or `null`.
    pub remedy: Option<String>,
    pub exit_code: u8,
}

/// `err` as its `--json` report.
pub fn error_json(err: &CliError) -> ErrorReportJson {
    let mut causes = Vec::new();
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        causes.push(inner.to_string());
        cause = inner.source();
    }
    ErrorReportJson {
        error: ErrorJson {
            code: err.reason(),
            message: err.to_string(),
            causes,
            remedy: err.remedy(),
            exit_code: err.exit_code(),
        },
    }
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
            serde_json::to_value(error_json(&err)).unwrap(),
            serde_json::json!({"error": {
                "code": "RESTART_REFUSED",
                "message": err.to_string(),
                "causes": ["the charter c.yaml is invalid (2 errors)"],
                "remedy": "fix the findings listed above (file:line:column), then validate again",
                "exitCode": 1,
            }})
        );
        // The README's key order, and null for a missing remedy.
        let none = serde_json::to_string(&error_json(&CliError::BadPid { pid: 1 })).unwrap();
        assert!(
            none.starts_with(r#"{"error":{"code":"PID_INVALID","message":"#),
            "{none}"
        );
        assert!(
            none.ends_with(r#""causes":[],"remedy":null,"exitCode":1}}"#),
            "{none}"
        );
    }
}
