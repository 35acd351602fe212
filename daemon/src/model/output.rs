//! [`SessionOutput`]: what a session's agent is doing, as the daemon announces it to the
//! session's followers — text chunks, tool calls, task outcomes, raw lines. These go on their
//! own broadcast channel (they are many and per session), apart from the lifecycle events of
//! [`super::DaemonEvent`].

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// Whether a chunk is answer text or the model's visible thinking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChunkKind {
    /// Answer text.
    Text,
    /// Thinking.
    Thinking,
}

impl ChunkKind {
    /// `text` or `thinking`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Thinking => "thinking",
        }
    }
}

/// Which output stream a raw line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineSource {
    /// stdout that was not stream-json.
    Stdout,
    /// stderr.
    Stderr,
}

/// One thing a session's agent did. Serialized only into the session's own history file
/// (`output.jsonl`), which this daemon alone reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum OutputKind {
    /// A turn started producing output.
    StreamStart,
    /// A piece of model output.
    StreamChunk {
        /// The text.
        text: String,
        /// Text or thinking.
        kind: ChunkKind,
        /// Index within the turn, from 0.
        index: u32,
    },
    /// The turn's output ended.
    StreamEnd {
        /// Tokens the turn used.
        tokens: u64,
        /// Why it stopped, when known.
        finish_reason: Option<String>,
    },
    /// The agent called a tool.
    ToolCallStart {
        /// The call's id.
        tool_use_id: String,
        /// The tool.
        name: String,
        /// Its input.
        input: serde_json::Value,
    },
    /// A tool returned.
    ToolCallResult {
        /// The call's id.
        tool_use_id: String,
        /// The tool, when its start was seen.
        name: Option<String>,
        /// Whether it failed.
        is_error: bool,
        /// What it returned.
        content: serde_json::Value,
        /// How long it took, when its start was seen.
        duration_ms: Option<u64>,
    },
    /// A turn was handed to the agent.
    TaskExecuting {
        /// The turn's text.
        task: String,
    },
    /// The turn succeeded.
    TaskCompleted {
        /// The turn's text.
        task: String,
        /// The agent's final answer.
        result: String,
    },
    /// The turn failed.
    TaskFailed {
        /// The turn's text.
        task: String,
        /// Why.
        error: String,
    },
    /// A question to a person about this session was asked, or answered, or expired (see its
    /// `state`).
    Approval(Box<super::approval::ApprovalRequest>),
    /// A raw line.
    Line {
        /// Where it came from.
        source: LineSource,
        /// The text.
        line: String,
    },
}

/// One output event of one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionOutput {
    /// The session.
    pub session_id: String,
    /// When it happened.
    pub at: SystemTime,
    /// What happened.
    pub kind: OutputKind,
}
