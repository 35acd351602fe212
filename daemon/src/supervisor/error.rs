//! [`SessionError`]: why a session request was refused. Each message names the problem; the
//! gRPC adapter maps variants to status codes and the WebSocket adapter to its error texts,
//! each in one tested function; [`SessionError::reason`] is each variant's stable code.

use std::path::PathBuf;

use crate::model::{SessionStatus, SessionType};

impl From<crate::core::SpentPool> for SessionError {
    fn from(spent: crate::core::SpentPool) -> Self {
        Self::BudgetExhausted {
            pool: spent.pool,
            used: spent.used,
            limit: spent.limit,
        }
    }
}

impl SessionError {
    /// The stable, machine-readable reason (`google.rpc.ErrorInfo.reason` on gRPC, `code` on
    /// WebSocket error frames): clients key on it, never on the text.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "SESSION_NOT_FOUND",
            Self::Ambiguous { .. } => "SESSION_AMBIGUOUS",
            Self::Invalid { .. } => "SESSION_REQUEST_INVALID",
            Self::WorkDirMissing { .. } => "WORKDIR_NOT_FOUND",
            Self::NotAGitRepository { .. } => "WORKDIR_NOT_A_GIT_REPOSITORY",
            Self::Worktree { .. } => "WORKTREE_FAILED",
            Self::AlreadyEnded { .. } => "SESSION_ALREADY_ENDED",
            Self::NotRunning { .. } => "SESSION_NOT_RUNNING",
            Self::NoFollowUps { .. } => "SESSION_NO_FOLLOW_UPS",
            Self::BudgetExhausted { .. } => "BUDGET_EXHAUSTED",
            Self::NotStarted => "DAEMON_NOT_STARTED",
            Self::ShuttingDown => "DAEMON_SHUTTING_DOWN",
            Self::Store(err) => err.reason(),
            Self::Io { .. } => "SESSION_PREPARE_FAILED",
            Self::Runner(_) => "RUNNER_UNAVAILABLE",
        }
    }

    /// What the user can do about it, when the error itself does not say.
    pub fn remedy(&self) -> Option<String> {
        match self {
            Self::Store(err) => Some(err.remedy()),
            Self::Ambiguous { .. } => Some("give more of the session id".to_owned()),
            _ => None,
        }
    }
}

/// Why a session request was refused. Nothing changed when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No session has this id (upstream's exact text).
    #[error("Session not found: {id}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// A prefix that names more than one session.
    #[error("{given} names more than one session: {}{}", candidates.join(", "), if *more { ", …" } else { "" })]
    Ambiguous {
        /// The prefix given.
        given: String,
        /// Some of the sessions it names.
        candidates: Vec<String>,
        /// Whether it names more than those.
        more: bool,
    },
    /// A field of the request is invalid.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as the request names it.
        field: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// The requested working directory does not exist.
    #[error("working directory {} does not exist or is not a directory", path.display())]
    WorkDirMissing {
        /// The directory.
        path: PathBuf,
    },
    /// A worktree was asked for outside a git repository.
    #[error("cannot make a git worktree: {} is not inside a git repository", path.display())]
    NotAGitRepository {
        /// The directory.
        path: PathBuf,
    },
    /// Creating the worktree failed.
    #[error("cannot make a git worktree of {}: {message}", repo.display())]
    Worktree {
        /// The repository.
        repo: PathBuf,
        /// What git said.
        message: String,
    },
    /// Stop of a session that already ended.
    #[error("session {id} already ended ({})", status.as_str())]
    AlreadyEnded {
        /// The session.
        id: String,
        /// How it ended.
        status: SessionStatus,
    },
    /// The operation needs a running session (upstream's text for `execute_task`).
    #[error("Session {id} is not running (status: {})", status.as_str())]
    NotRunning {
        /// The session.
        id: String,
        /// Its status.
        status: SessionStatus,
    },
    /// A follow-up turn for a Claude Flow session in which ruflo never started Claude Code.
    #[error(
        "this {} session has no Claude Code conversation to continue (Claude Flow never \
         started Claude Code in it); start a new session for another task",
        session_type.as_str()
    )]
    NoFollowUps {
        /// The session type.
        session_type: SessionType,
    },
    /// The charter's token pool this session would draw from is spent.
    #[error(
        "the {pool} token pool is spent ({used} of {limit} tokens used); the charter's \
         resourceLimits.tokenBudget refuses new sessions"
    )]
    BudgetExhausted {
        /// `subscription` or `api`.
        pool: &'static str,
        /// Tokens used.
        used: u64,
        /// The pool's size.
        limit: u64,
    },
    /// The daemon has not been started yet.
    #[error("the daemon is not started")]
    NotStarted,
    /// The daemon is stopping and starts nothing new.
    #[error("the daemon is shutting down")]
    ShuttingDown,
    /// The session (or its change) could not be committed to the database, so the request
    /// was refused: a session the daemon cannot remember is not started.
    #[error("cannot record the session")]
    Store(#[source] crate::store::StoreError),
    /// The runner the session asks for cannot start agents now (not configured, unreachable).
    #[error(transparent)]
    Runner(super::runner::RunnerError),
    /// A file or directory the session needs could not be created.
    #[error("cannot prepare {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_distinct_stable_reason() {
        let store = crate::store::StoreError::Closed { path: "/db".into() };
        let errors = [
            SessionError::NotFound { id: "s".into() },
            SessionError::Ambiguous {
                given: "s".into(),
                candidates: vec![],
                more: false,
            },
            SessionError::Invalid {
                field: "task",
                reason: String::new(),
            },
            SessionError::WorkDirMissing { path: "/x".into() },
            SessionError::NotAGitRepository { path: "/x".into() },
            SessionError::Worktree {
                repo: "/x".into(),
                message: String::new(),
            },
            SessionError::AlreadyEnded {
                id: "s".into(),
                status: SessionStatus::Completed,
            },
            SessionError::NotRunning {
                id: "s".into(),
                status: SessionStatus::Queued,
            },
            SessionError::NoFollowUps {
                session_type: SessionType::Ruflo,
            },
            SessionError::BudgetExhausted {
                pool: "api",
                used: 1,
                limit: 1,
            },
            SessionError::NotStarted,
            SessionError::ShuttingDown,
            SessionError::Store(store),
            SessionError::Io {
                path: "/x".into(),
                source: std::io::Error::other("x"),
            },
            SessionError::Runner(crate::supervisor::RunnerError::NotConfigured {
                runner: orchestrator_config::RunnerKind::Ray,
            }),
        ];
        let reasons: Vec<_> = errors.iter().map(SessionError::reason).collect();
        // The wire contract (README, "Error codes"): changing one breaks clients.
        assert_eq!(
            reasons,
            [
                "SESSION_NOT_FOUND",
                "SESSION_AMBIGUOUS",
                "SESSION_REQUEST_INVALID",
                "WORKDIR_NOT_FOUND",
                "WORKDIR_NOT_A_GIT_REPOSITORY",
                "WORKTREE_FAILED",
                "SESSION_ALREADY_ENDED",
                "SESSION_NOT_RUNNING",
                "SESSION_NO_FOLLOW_UPS",
                "BUDGET_EXHAUSTED",
                "DAEMON_NOT_STARTED",
                "DAEMON_SHUTTING_DOWN",
                "STORE_CLOSED",
                "SESSION_PREPARE_FAILED",
                "RUNNER_UNAVAILABLE",
            ]
        );
        orchestrator_api::error_codes::assert_distinct_codes(&reasons);
    }
}
