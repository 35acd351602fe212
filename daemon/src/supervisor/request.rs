//! What a door asks the supervisor for: [`SpawnRequest`] with its [`TaskInput`], and
//! [`validate_task`], which turns the input into a [`Task`] or says which field is wrong.

use std::path::PathBuf;
use std::time::SystemTime;

use super::error::SessionError;
use crate::model::session::{TASK_TYPES, new_task_id};
use crate::model::{SessionType, Task, TaskPriority, TaskStatus};

/// The longest task text accepted (characters).
pub const MAX_TASK_CHARS: usize = 100_000;

/// What a new session should do, as a door received it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInput {
    /// The prompt.
    pub description: String,
    /// One of `code|research|analysis|custom|general`; `None` = `general`.
    pub task_type: Option<String>,
    /// `None` = medium.
    pub priority: Option<TaskPriority>,
    /// Caller data, kept with the task.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

impl TaskInput {
    /// A task with just a description.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            task_type: None,
            priority: None,
            metadata: None,
        }
    }
}

/// A request for a new session.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnRequest {
    /// `None` = `default`.
    pub orchestrator_id: Option<String>,
    /// The task.
    pub task: TaskInput,
    /// What to run.
    pub session_type: SessionType,
    /// The agent's cwd; `None` = a new directory under the data dir.
    pub work_dir: Option<PathBuf>,
    /// Run in a new git worktree on branch `session/<id>`.
    pub worktree: bool,
    /// Where its agents run; `None` = the config's `runner`.
    pub runner: Option<orchestrator_config::RunnerKind>,
}

pub(super) fn validate_task(input: TaskInput) -> Result<Task, SessionError> {
    let description = input.description;
    if description.trim().is_empty() {
        return Err(SessionError::Invalid {
            field: "task.description",
            reason: "must not be empty: say what the agent should do".to_owned(),
        });
    }
    if description.chars().count() > MAX_TASK_CHARS {
        return Err(SessionError::Invalid {
            field: "task.description",
            reason: format!("is longer than {MAX_TASK_CHARS} characters"),
        });
    }
    let task_type = match input.task_type {
        Some(t) if TASK_TYPES.contains(&t.as_str()) => t,
        Some(t) => {
            return Err(SessionError::Invalid {
                field: "task.type",
                reason: format!("{t:?} is not one of {}", TASK_TYPES.join(", ")),
            });
        }
        None => "general".to_owned(),
    };
    let now = SystemTime::now();
    Ok(Task {
        id: new_task_id(),
        description,
        task_type,
        priority: input.priority.unwrap_or(TaskPriority::Medium),
        status: TaskStatus::Pending,
        metadata: input.metadata,
        created_at: now,
        updated_at: now,
    })
}
