//! The relay's hook socket: a Unix socket on the node, in a directory only the relay's user
//! can enter, named to the agent by [`RELAY_SOCKET_ENV`]. `wundr orchestrator hook` writes one
//! [`HookQuery`] line and reads one [`HookReply`] line; the relay carries the query to the
//! daemon over its connection. The session is the relay's own: a hook cannot name another.

use serde::{Deserialize, Serialize};

/// The variable that tells a hook on a node where its relay listens.
pub const RELAY_SOCKET_ENV: &str = "WUNDR_RELAY_SOCKET";

/// `message` as one line of the socket: compact JSON, which never holds a raw newline, then
/// `\n`. Both ends write their one line with it.
pub fn line_of(message: &impl Serialize) -> Vec<u8> {
    let mut line = serde_json::to_vec(message).expect("hook socket messages are plain data");
    line.push(b'\n');
    line
}

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
