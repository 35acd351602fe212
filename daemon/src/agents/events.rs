//! Agent-neutral events the daemon broadcasts, produced from agent output by
//! [`TurnTracker`](super::TurnTracker).
//!
//! Key type: [`AgentEvent`] (its chunks are `model::ChunkKind`s).
//!
//! Every turn yields, in order: `Init` (when the agent announces itself), `StreamStart`, any
//! number of `StreamChunk` / `ToolCallStart` / `ToolCallResult` / `Notice`, `StreamEnd`, then
//! exactly one of `TurnCompleted`, `TurnFailed` or `TurnBlocked`. `Text` may appear anywhere.

use serde::Serialize;
use serde_json::Value;

use super::stream_json::Usage;
use crate::model::ChunkKind;

/// One agent-neutral event.
///
/// Token accounting: every turn has exactly one `StreamEnd`, and its `usage` equals the usage
/// carried by the turn's `TurnCompleted`/`TurnFailed`. Count one of them, not both; counting
/// `StreamEnd` also covers blocked turns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AgentEvent {
    /// The agent started a turn in this conversation (`system/init`).
    Init {
        /// Claude's own session id (what `--resume` takes).
        agent_session_id: String,
        model: String,
        /// `"none"` for subscription logins; anything else means an API key pays.
        api_key_source: Option<String>,
    },
    /// A turn started producing output.
    StreamStart,
    /// Model output. `index` counts chunks within the turn, from 0.
    StreamChunk {
        text: String,
        kind: ChunkKind,
        index: u32,
    },
    ToolCallStart {
        tool_use_id: String,
        name: String,
        input: Value,
    },
    ToolCallResult {
        tool_use_id: String,
        /// From the matching `ToolCallStart`; `None` if it was never seen.
        name: Option<String>,
        is_error: bool,
        /// Raw tool output: a string or a list of content blocks.
        content: Value,
        /// Time since the matching `ToolCallStart` was seen; `None` if it was never seen.
        duration_ms: Option<u64>,
    },
    /// A `system/informational` notice that is not a blocked prompt.
    Notice {
        level: Option<String>,
        content: String,
    },
    /// The turn's output is over.
    StreamEnd {
        usage: Usage,
        /// The result's `stop_reason`, e.g. `"end_turn"`; `None` when unknown.
        finish_reason: Option<String>,
    },
    TurnCompleted {
        result_text: String,
        usage: Usage,
        num_turns: u64,
        duration_ms: u64,
    },
    /// The turn failed: the result said `is_error`, or the agent ended without a result.
    TurnFailed { error: String, usage: Usage },
    /// A `UserPromptSubmit` hook refused the prompt before any model call; `reason` is the
    /// hook's. The session should treat this as a failed task whose error is the reason.
    TurnBlocked { reason: String },
    /// The agent asks whether a tool may run (`control_request` `can_use_tool`) and waits for
    /// the answer on its stdin, quoting `request_id`.
    PermissionRequest {
        request_id: String,
        tool_name: String,
        input: Value,
        tool_use_id: Option<String>,
        /// Why it asks, when it says.
        reason: Option<String>,
    },
    /// A `control_request` the daemon does not handle; it must still be answered (with an
    /// error), or the agent waits forever.
    UnsupportedControl { request_id: String, subtype: String },
    /// A line of output that is not a stream-json event.
    Text { line: String },
}
