//! [`status_for`] and [`memory_status_for`]: the one mapping from a [`SessionError`] or a
//! [`MemoryError`] to a gRPC status code. The message is the error's own text (with its
//! causes), so the CLI can show it as is.

use tonic::{Code, Status};

use crate::memory::MemoryError;
use crate::supervisor::SessionError;

/// The gRPC status of a memory error.
pub fn memory_status_for(err: &MemoryError) -> Status {
    let code = match err {
        MemoryError::EmptyContent
        | MemoryError::ContentTooLarge { .. }
        | MemoryError::UnknownTier(_)
        | MemoryError::UnknownType(_)
        | MemoryError::Invalid { .. }
        | MemoryError::InvalidImport(_)
        | MemoryError::Json { .. } => Code::InvalidArgument,
        MemoryError::NotFound { .. } => Code::NotFound,
        MemoryError::Unavailable { .. } | MemoryError::Closed | MemoryError::Locked { .. } => {
            Code::Unavailable
        }
        MemoryError::Corrupt { .. } => Code::DataLoss,
        MemoryError::TooNew { .. } => Code::FailedPrecondition,
        MemoryError::Open { .. }
        | MemoryError::Sqlite { .. }
        | MemoryError::Commit { .. }
        | MemoryError::Spawn(_) => Code::Internal,
    };
    Status::new(code, crate::error_chain(err))
}

/// The gRPC status of a session error.
pub fn status_for(err: &SessionError) -> Status {
    let code = match err {
        SessionError::NotFound { .. } => Code::NotFound,
        SessionError::Invalid { .. }
        | SessionError::WorkDirMissing { .. }
        | SessionError::NotAGitRepository { .. } => Code::InvalidArgument,
        SessionError::AlreadyEnded { .. }
        | SessionError::NotRunning { .. }
        | SessionError::NoFollowUps { .. }
        | SessionError::Worktree { .. } => Code::FailedPrecondition,
        SessionError::ShuttingDown | SessionError::NotStarted => Code::Unavailable,
        SessionError::Io { .. } => Code::Internal,
    };
    Status::new(code, crate::error_chain(err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{SessionStatus, SessionType};

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
