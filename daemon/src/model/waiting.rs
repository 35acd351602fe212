//! [`WaitingFor`]: what a session waits on a person for — an approval of a tool call, or the
//! answer to the agent's question ([`WaitKind`]) — shown on the session everywhere a person
//! looks (`session list` / `show`, `status`, the WebSocket session objects, notifications).

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// What kind of answer a waiting session needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitKind {
    /// Approve or deny a tool call.
    Approval,
    /// Answer the agent's question (`AskUserQuestion`) with text.
    Question,
}

impl WaitKind {
    /// The name used on every wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approval => "approval",
            Self::Question => "question",
        }
    }
}

/// The question a session waits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingFor {
    /// The approval request that answers it (`approval_…`).
    pub approval_id: String,
    /// Approval or question.
    pub kind: WaitKind,
    /// The tool asked about (`Write`, `Bash`, `AskUserQuestion`).
    pub tool: String,
    /// What it would do (the command, the path, the question), bounded.
    pub summary: String,
    /// Since when.
    pub since: SystemTime,
}
