//! [`error_text`] and [`memory_error_text`]: the one mapping from a [`SessionError`] or a
//! [`MemoryError`] to the text a WebSocket client sees
//! (in an `error` frame or a `task_failed.error`). Upstream's exact strings are kept where
//! upstream has one (`Session not found: <id>`, `Session <id> is not running (status: <s>)`);
//! the rest is the error's own message with its causes, so a client can show it as is.
//!
//! Every error frame (and `task_failed`) also carries `code`: the error's stable reason, the
//! same as gRPC's `ErrorInfo.reason` (`SessionError::reason`, …), or for a refusal of the
//! WebSocket protocol itself one of [`codes`]. Clients key on `code`, never on the text.

use crate::charter::approvals::ApprovalError;
use crate::supervisor::SessionError;
use orchestrator_memory::MemoryError;

/// Codes of the refusals only the WebSocket door makes (its upstream texts stay as they are).
pub mod codes {
    /// The frame is not JSON, has no known shape, or a payload field is wrong.
    pub const REQUEST_INVALID: &str = "REQUEST_INVALID";
    /// `type` is missing or not a known message type (`Unknown message type`).
    pub const MESSAGE_TYPE_UNKNOWN: &str = "MESSAGE_TYPE_UNKNOWN";
    /// The client sends faster than its rate limit (`rate_limit_exceeded`).
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The message's own credentials were refused (`invalid_token`, …).
    pub const AUTH_FAILED: &str = "AUTH_FAILED";
    /// The connection's token expired; the connection closes (`token_expired`).
    pub const TOKEN_EXPIRED: &str = "TOKEN_EXPIRED";
    /// The client's role may not send this message (`permission_denied`).
    pub const PERMISSION_DENIED: &str = "PERMISSION_DENIED";
}

/// The WebSocket text of a refused `approval_response`: its message, and for a decision that
/// could not be recorded, the cause and what to do.
pub fn approval_error_text(err: &ApprovalError) -> String {
    match err {
        ApprovalError::NotFound { .. } | ApprovalError::Abandoned { .. } => err.to_string(),
        ApprovalError::Ambiguous { .. } => format!("{err} (hint: {})", err.remedy()),
        ApprovalError::AnswerMissing { .. } => {
            format!("{err}: send payload.answer with the text")
        }
        ApprovalError::Unrecorded { .. } => {
            format!("{} (hint: {})", crate::error_chain(err), err.remedy())
        }
    }
}

/// The WebSocket text of a memory error: its message with its causes (memory messages are
/// additions, so there is no upstream text to keep).
pub fn memory_error_text(err: &MemoryError) -> String {
    match err {
        MemoryError::Storage { .. } => {
            format!("{} (hint: {})", crate::error_chain(err), err.remedy())
        }
        _ => crate::error_chain(err),
    }
}

/// The WebSocket text of a session error.
pub fn error_text(err: &SessionError) -> String {
    match err {
        // Upstream's texts, byte for byte; they have no cause to append.
        SessionError::NotFound { .. } | SessionError::NotRunning { .. } => err.to_string(),
        _ => match err.remedy() {
            Some(remedy) => format!("{} (hint: {remedy})", crate::error_chain(err)),
            None => crate::error_chain(err),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SessionStatus, SessionType};

    #[test]
    fn approval_errors_name_the_request() {
        assert_eq!(
            approval_error_text(&ApprovalError::NotFound {
                id: "approval_x".into()
            }),
            "no pending approval request approval_x (it may have been answered or expired)"
        );
    }

    #[test]
    fn every_error_has_its_text() {
        let cases = [
            (
                SessionError::NotFound {
                    id: "session_nope".into(),
                },
                "Session not found: session_nope",
            ),
            (
                SessionError::NotRunning {
                    id: "s".into(),
                    status: SessionStatus::Failed,
                },
                "Session s is not running (status: failed)",
            ),
            (
                SessionError::Invalid {
                    field: "task.description",
                    reason: "must not be empty".into(),
                },
                "invalid task.description: must not be empty",
            ),
            (
                SessionError::AlreadyEnded {
                    id: "s".into(),
                    status: SessionStatus::Completed,
                },
                "session s already ended (completed)",
            ),
            (
                SessionError::NoFollowUps {
                    session_type: SessionType::Ruflo,
                },
                "this ruflo session has no Claude Code conversation to continue (Claude Flow never \
                 started Claude Code in it); start a new session for another task",
            ),
            (SessionError::ShuttingDown, "the daemon is shutting down"),
            (SessionError::NotStarted, "the daemon is not started"),
            (
                SessionError::Io {
                    path: "/x".into(),
                    source: std::io::Error::other("disk full"),
                },
                "cannot prepare /x: disk full",
            ),
            (
                SessionError::Runner(crate::supervisor::RunnerError::Cluster {
                    address: "http://127.0.0.1:1".into(),
                    source: Box::new(std::io::Error::other("connection refused")),
                }),
                "cannot reach the Ray cluster at http://127.0.0.1:1: is it running, and is \
                 ray.address its dashboard's address?: connection refused",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(error_text(&err), text);
        }
    }
}
