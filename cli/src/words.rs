//! The words of the proto enums, as the command line, the tables and `--json` all spell them:
//! the enum name without its prefix, lower-case, `-` for `_` (`SESSION_TYPE_CLAUDE_CODE` ->
//! `claude-code`, the WebSocket API's spelling). An unknown value (from a newer daemon) reads as
//! `unspecified` rather than failing.

use orchestrator_api::v1::{
    DaemonState, GetStatusResponse, SessionStatus, SessionType, SubsystemStatus, TaskPriority,
};

fn enum_word(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix)
        .unwrap_or(name)
        .to_ascii_lowercase()
        .replace('_', "-")
}

/// `claude-code`, `claude-flow`, `ruflo`.
pub fn type_word(value: i32) -> String {
    let kind = SessionType::try_from(value).unwrap_or(SessionType::Unspecified);
    enum_word(kind.as_str_name(), "SESSION_TYPE_")
}

/// `queued`, `running`, `completed`, ...
pub fn status_word(value: i32) -> String {
    let status = SessionStatus::try_from(value).unwrap_or(SessionStatus::Unspecified);
    enum_word(status.as_str_name(), "SESSION_STATUS_")
}

/// `low`, `medium`, `high`, `critical`.
pub fn priority_word(value: i32) -> String {
    let priority = TaskPriority::try_from(value).unwrap_or(TaskPriority::Unspecified);
    enum_word(priority.as_str_name(), "TASK_PRIORITY_")
}

/// `starting`, `running`, `stopping`, `stopped`.
pub fn state_word(status: &GetStatusResponse) -> String {
    let state = DaemonState::try_from(status.state).unwrap_or(DaemonState::Unspecified);
    enum_word(state.as_str_name(), "DAEMON_STATE_")
}

/// `running`, `degraded`, `stopped`, `error`.
pub fn subsystem_word(status: i32) -> String {
    let status = SubsystemStatus::try_from(status).unwrap_or(SubsystemStatus::Unspecified);
    enum_word(status.as_str_name(), "SUBSYSTEM_STATUS_")
}
