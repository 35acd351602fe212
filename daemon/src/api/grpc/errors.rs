//! [`status_for`] and [`memory_status_for`]: the one mapping from a [`SessionError`] or a
//! [`MemoryError`] to a gRPC status code. The message is the error's own text (with its
//! causes), so the CLI can show it as is.

use tonic::{Code, Status};

use crate::charter::active::ActiveError;
use crate::charter::approvals::ApprovalError;
use crate::charter::enforce::HookError;
use crate::memory::MemoryError;
use crate::store::StorageFault;
use crate::supervisor::SessionError;

/// The gRPC status of a refused charter (reload): the file is wrong, not the request.
pub fn charter_status(err: &ActiveError) -> Status {
    Status::new(Code::FailedPrecondition, crate::error_chain(err))
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
    with_remedy(Status::new(code, crate::error_chain(err)), &err.remedy())
}

/// The gRPC status of a hook call that could not be decided.
pub fn hook_status(err: &HookError) -> Status {
    Status::new(Code::InvalidArgument, crate::error_chain(err))
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
    let status = Status::new(code, crate::error_chain(err));
    match err {
        MemoryError::Storage { .. }
        | MemoryError::Unavailable { .. }
        | MemoryError::Ambiguous { .. } => with_remedy(status, &err.remedy()),
        _ => status,
    }
}

/// The binary metadata key under which a status carries the daemon's remedy, for clients
/// that show one (the `wundr` CLI prints it as `hint:`).
pub const REMEDY_KEY: &str = "wundr-remedy-bin";

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
    };
    let status = Status::new(code, crate::error_chain(err));
    match err.remedy() {
        Some(remedy) => with_remedy(status, &remedy),
        None => status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{SessionStatus, SessionType};

    #[test]
    fn charter_and_hook_errors_have_their_codes() {
        let err = ActiveError::Invalid {
            file: "c.yaml".into(),
            findings: vec![
                crate::charter::Finding::error(
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
        let status = hook_status(&HookError::UnknownEvent("Stop".into()));
        assert_eq!(status.code(), Code::InvalidArgument);
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
                "claude-flow sessions take a single task; start a new session for another",
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
        }
    }
}
