//! [`status_for`] and [`memory_status_for`]: the one mapping from a [`SessionError`] or a
//! [`MemoryError`] (and the charter's errors) to a gRPC status code. The message is the
//! error's own text (with its causes), so the CLI can show it as is.
//!
//! Every status also carries the error's stable reason as a `google.rpc.ErrorInfo` in
//! `grpc-status-details-bin` ([`refusal`]; domain [`ERROR_DOMAIN`], the remedy, when there
//! is one, under its `remedy` metadata key as well as in [`REMEDY_KEY`]), so that clients
//! key on the reason, never on the text.

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::charter::active::ActiveError;
use crate::charter::approvals::ApprovalError;
use crate::enforcement::hooks::HookError;
use crate::supervisor::{RunnerError, SessionError};
use orchestrator_api::error_codes::ERROR_DOMAIN;
use orchestrator_memory::MemoryError;
use orchestrator_sqlite::StorageFault;

/// The gRPC status of a refused charter (reload): the file is wrong, not the request.
pub fn charter_status(err: &ActiveError) -> Status {
    refusal(
        Code::FailedPrecondition,
        err.reason(),
        crate::error_chain(err),
        None,
    )
}

/// The gRPC status of a refused approval answer.
pub fn approval_status(err: &ApprovalError) -> Status {
    let code = match err {
        ApprovalError::NotFound { .. } | ApprovalError::Abandoned { .. } => Code::NotFound,
        ApprovalError::AnswerMissing { .. } | ApprovalError::Ambiguous { .. } => {
            Code::InvalidArgument
        }
        ApprovalError::Unrecorded { source, .. } => storage_code(source.fault()),
    };
    refusal(
        code,
        err.reason(),
        crate::error_chain(err),
        Some(&err.remedy()),
    )
}

/// The gRPC status of a hook call that could not be decided.
pub fn hook_status(err: &HookError) -> Status {
    refusal(
        Code::InvalidArgument,
        err.reason(),
        crate::error_chain(err),
        None,
    )
}

/// The gRPC status of a memory error.
pub fn memory_status_for(err: &MemoryError) -> Status {
    let code = match err {
        MemoryError::EmptyContent
        | MemoryError::ContentTooLarge { .. }
        | MemoryError::UnknownTier(_)
        | MemoryError::UnknownType(_)
        | MemoryError::Invalid { .. }
        | MemoryError::Ambiguous { .. }
        | MemoryError::InvalidImport(_)
        | MemoryError::Json { .. } => Code::InvalidArgument,
        MemoryError::NotFound { .. } => Code::NotFound,
        MemoryError::Unavailable { .. } | MemoryError::Closed | MemoryError::Locked { .. } => {
            Code::Unavailable
        }
        MemoryError::Corrupt { .. } => Code::DataLoss,
        MemoryError::TooNew { .. } => Code::FailedPrecondition,
        MemoryError::Storage { fault, .. } => storage_code(Some(*fault)),
        MemoryError::Open { .. }
        | MemoryError::Sqlite { .. }
        | MemoryError::Commit { .. }
        | MemoryError::Spawn(_) => Code::Internal,
    };
    let remedy = match err {
        MemoryError::Storage { .. }
        | MemoryError::Unavailable { .. }
        | MemoryError::Ambiguous { .. } => Some(err.remedy()),
        _ => None,
    };
    refusal(
        code,
        err.reason(),
        crate::error_chain(err),
        remedy.as_deref(),
    )
}

/// The binary metadata key under which a status carries the daemon's remedy, for clients
/// that show one (the `wundr` CLI prints it as `hint:`).
pub const REMEDY_KEY: &str = "wundr-remedy-bin";

/// Reasons of the refusals that have no error type of their own: a request field the door
/// itself checks, an answer the daemon cannot give, a failure of the daemon itself.
pub mod reasons {
    /// A field of the request is malformed (checked by the gRPC door).
    pub const REQUEST_INVALID: &str = "REQUEST_INVALID";
    /// `StreamLogs` of a daemon that writes no log file (embedded in a test or a program).
    pub const LOG_NOT_WRITTEN: &str = "LOG_NOT_WRITTEN";
    /// The daemon's log file could not be read.
    pub const LOG_UNREADABLE: &str = "LOG_UNREADABLE";
    /// A bug or a dead worker thread inside the daemon: see its log.
    pub const INTERNAL: &str = "INTERNAL";
}

/// The status of a refusal: `code`, `message`, and a `google.rpc.ErrorInfo` with `reason` in
/// [`ERROR_DOMAIN`]; `remedy`, when given, goes in the ErrorInfo's `remedy` metadata and
/// under [`REMEDY_KEY`] (where the `wundr` CLI reads it).
pub fn refusal(code: Code, reason: &str, message: String, remedy: Option<&str>) -> Status {
    debug_assert!(orchestrator_api::error_codes::is_reason(reason), "{reason}");
    let metadata: HashMap<String, String> = remedy
        .map(|r| ("remedy".to_owned(), r.to_owned()))
        .into_iter()
        .collect();
    let details = ErrorDetails::with_error_info(reason, ERROR_DOMAIN, metadata);
    let status = Status::with_error_details(code, message, details);
    match remedy {
        Some(remedy) => with_remedy(status, remedy),
        None => status,
    }
}

/// The status of a failure inside the daemon (a worker thread died, …): its log says more.
pub fn internal(message: String) -> Status {
    refusal(Code::Internal, reasons::INTERNAL, message, None)
}

/// The status of a database error met outside a session request (reading the audit).
pub fn store_status(err: &crate::store::StoreError) -> Status {
    refusal(
        storage_code(err.fault()),
        err.reason(),
        crate::error_chain(err),
        Some(&err.remedy()),
    )
}

/// `status` with `remedy` attached under [`REMEDY_KEY`].
pub fn with_remedy(mut status: Status, remedy: &str) -> Status {
    status.metadata_mut().insert_bin(
        REMEDY_KEY,
        tonic::metadata::MetadataValue::from_bytes(remedy.as_bytes()),
    );
    status
}

/// The code for a storage fault: the disk or the file is the problem, not the request.
pub fn storage_code(fault: Option<StorageFault>) -> Code {
    match fault {
        Some(StorageFault::DiskFull) => Code::ResourceExhausted,
        Some(StorageFault::ReadOnly) => Code::FailedPrecondition,
        Some(StorageFault::Corrupt) => Code::DataLoss,
        Some(StorageFault::Locked) => Code::Unavailable,
        Some(StorageFault::Io | StorageFault::Other) | None => Code::Internal,
    }
}

/// The gRPC status of a session error.
pub fn status_for(err: &SessionError) -> Status {
    let code = match err {
        SessionError::NotFound { .. } => Code::NotFound,
        SessionError::Invalid { .. }
        | SessionError::Ambiguous { .. }
        | SessionError::WorkDirMissing { .. }
        | SessionError::NotAGitRepository { .. } => Code::InvalidArgument,
        SessionError::AlreadyEnded { .. }
        | SessionError::NotRunning { .. }
        | SessionError::NoFollowUps { .. }
        | SessionError::Worktree { .. } => Code::FailedPrecondition,
        SessionError::ShuttingDown | SessionError::NotStarted => Code::Unavailable,
        SessionError::BudgetExhausted { .. } => Code::ResourceExhausted,
        SessionError::Io { .. } => Code::Internal,
        SessionError::Store(store) => storage_code(store.fault()),
        SessionError::Runner(RunnerError::NotConfigured { .. }) => Code::FailedPrecondition,
        SessionError::Runner(_) => Code::Unavailable,
    };
    refusal(
        code,
        err.reason(),
        crate::error_chain(err),
        err.remedy().as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SessionStatus, SessionType};

    /// The reason of the status's ErrorInfo, after the trip through the wire's trailers.
    fn reason_of(status: &Status) -> String {
        let mut header = tonic::codegen::http::HeaderMap::new();
        status
            .add_header(&mut header)
            .expect("the status has headers");
        let status = Status::from_header_map(&header).expect("and reads back");
        let info = status.get_details_error_info().expect("an ErrorInfo");
        assert_eq!(info.domain, ERROR_DOMAIN);
        info.reason
    }

    #[test]
    fn the_remedy_rides_in_error_info_and_in_its_own_key() {
        let status = status_for(&SessionError::Ambiguous {
            given: "s".into(),
            candidates: vec!["s1".into(), "s2".into()],
            more: false,
        });
        let info = status.get_details_error_info().expect("an ErrorInfo");
        assert_eq!(info.reason, "SESSION_AMBIGUOUS");
        assert_eq!(
            info.metadata.get("remedy").map(String::as_str),
            Some("give more of the session id")
        );
        assert!(status.metadata().get_bin(REMEDY_KEY).is_some());
    }

    #[test]
    fn charter_and_hook_errors_have_their_codes() {
        let err = ActiveError::Invalid {
            file: "c.yaml".into(),
            findings: vec![
                orchestrator_charter::Finding::error(
                    "CHARTER_INVALID_TIER",
                    "tier must be 1, 2, or 3 (got 9).".into(),
                    Some("tier".into()),
                )
                .at_line(Some(2)),
            ],
        };
        let status = charter_status(&err);
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_eq!(
            status.message(),
            "invalid charter c.yaml: c.yaml:2: CHARTER_INVALID_TIER: tier must be 1, 2, or 3 (got 9). (field tier)"
        );
        let status = approval_status(&ApprovalError::NotFound {
            id: "approval_x".into(),
        });
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(reason_of(&status), "APPROVAL_NOT_FOUND");
        let status = hook_status(&HookError::UnknownEvent("Stop".into()));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(reason_of(&status), "HOOK_EVENT_UNKNOWN");
        assert!(status.message().contains("\"Stop\""));
    }

    #[test]
    fn every_error_has_its_code_and_text() {
        let cases = [
            (
                SessionError::NotFound { id: "s".into() },
                Code::NotFound,
                "Session not found: s",
            ),
            (
                SessionError::Invalid {
                    field: "task.description",
                    reason: "must not be empty".into(),
                },
                Code::InvalidArgument,
                "invalid task.description: must not be empty",
            ),
            (
                SessionError::WorkDirMissing {
                    path: "/nope".into(),
                },
                Code::InvalidArgument,
                "working directory /nope does not exist or is not a directory",
            ),
            (
                SessionError::AlreadyEnded {
                    id: "s".into(),
                    status: SessionStatus::Completed,
                },
                Code::FailedPrecondition,
                "session s already ended (completed)",
            ),
            (
                SessionError::NotRunning {
                    id: "s".into(),
                    status: SessionStatus::Queued,
                },
                Code::FailedPrecondition,
                "Session s is not running (status: queued)",
            ),
            (
                SessionError::NoFollowUps {
                    session_type: SessionType::ClaudeFlow,
                },
                Code::FailedPrecondition,
                "this claude-flow session has no Claude Code conversation to continue (Claude Flow never \
                 started Claude Code in it); start a new session for another task",
            ),
            (
                SessionError::BudgetExhausted {
                    pool: "api",
                    used: 10,
                    limit: 10,
                },
                Code::ResourceExhausted,
                "the api token pool is spent (10 of 10 tokens used); the charter's \
                 resourceLimits.tokenBudget refuses new sessions",
            ),
            (
                SessionError::ShuttingDown,
                Code::Unavailable,
                "the daemon is shutting down",
            ),
            (
                SessionError::Io {
                    path: "/x".into(),
                    source: std::io::Error::other("disk full"),
                },
                Code::Internal,
                "cannot prepare /x: disk full",
            ),
        ];
        for (err, code, text) in cases {
            let status = status_for(&err);
            assert_eq!((status.code(), status.message()), (code, text));
            assert_eq!(reason_of(&status), err.reason());
        }
    }

    #[test]
    fn memory_errors_have_their_codes() {
        let cases = [
            (
                MemoryError::EmptyContent,
                Code::InvalidArgument,
                "memory content is empty",
            ),
            (
                MemoryError::UnknownTier("x".into()),
                Code::InvalidArgument,
                "unknown memory tier \"x\" (expected \"episodic\" or \"semantic\"; the scratchpad is separate)",
            ),
            (
                MemoryError::NotFound {
                    id: "mem_1_a".into(),
                },
                Code::NotFound,
                "no memory entry with id mem_1_a",
            ),
            (
                MemoryError::Unavailable {
                    reason: "the memory database /d is corrupt".into(),
                    remedy: String::new(),
                },
                Code::Unavailable,
                "memory is unavailable (degraded): the memory database /d is corrupt",
            ),
        ];
        for (err, code, text) in cases {
            let status = memory_status_for(&err);
            assert_eq!((status.code(), status.message()), (code, text));
            assert_eq!(reason_of(&status), err.reason());
        }
    }
}
