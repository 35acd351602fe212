//! The relay's hook socket: a Unix socket on the node, in a directory only the relay's user
//! can enter, named to the agent by [`RELAY_SOCKET_ENV`]. `wundr orchestrator hook` writes one
//! [`HookQuery`] line and reads one [`HookReply`] line; the relay carries the query to the
//! daemon over its connection. The session is the relay's own: a hook cannot name another.

use serde::{Deserialize, Serialize};

/// The variable that tells a hook on a node where its relay listens.
pub const RELAY_SOCKET_ENV: &str = "WUNDR_RELAY_SOCKET";

/// One hook call, as a JSON line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookQuery {
    /// `PreToolUse`, `UserPromptSubmit` or `SessionStart`.
    pub event: String,
    /// What Claude Code gave the hook on stdin.
    pub input_json: String,
}

/// The answer to a [`HookQuery`], as a JSON line: the hook's output in Claude Code's hook
/// protocol, or why the daemon could not decide (the hook then fails closed on its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookReply {
    Output(String),
    Error(String),
}
