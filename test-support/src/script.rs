//! What the scripted model answers: a [`Script`] is an ordered list of [`Reply`]s, each made of
//! content [`Block`]s, a stop reason and the [`Usage`] the server reports for it.
//!
//! The same types are the JSON format of `scripted-model SCRIPT.json` (blocks in the Messages
//! API's own shape; everything but `content` may be left out):
//!
//! ```json
//! {
//!   "replies": [
//!     {"content": [{"type": "tool_use", "name": "Bash", "input": {"command": "echo hi > out.txt"}}]},
//!     {"content": [{"type": "text", "text": "Wrote out.txt."}],
//!      "usage": {"input_tokens": 120, "output_tokens": 8}}
//!   ],
//!   "default": {"content": [{"type": "text", "text": "done"}]}
//! }
//! ```
//!
//! A reply's `stop_reason` defaults to `tool_use` when it holds a `tool_use` block, else
//! `end_turn`; its `usage` defaults to [`Usage::DEFAULT`] (a `usage` given counts its missing
//! fields as 0); a `tool_use` without `id` gets `toolu_…` from the server. `"error": {"status":
//! 529, "type": "overloaded_error", "message": "Overloaded"}` instead of `content` makes the call
//! fail with that status; `"delay_ms": 60000` answers (or fails) only after that long. When the replies are used up, every further call gets `default` (a
//! final text "done" unless set), so a run never hangs on the script. Unknown fields are refused
//! with their name.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The replies in the order calls take them, and the one for calls beyond them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub replies: VecDeque<Reply>,
    #[serde(default = "Reply::done")]
    pub default: Reply,
}

/// Why a script file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read the script {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the script {path} is not a valid script: {source} (expected {{\"replies\": [{{\"content\": [{{\"type\": \"text\", \"text\": \"…\"}}]}}]}})"
    )]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl Script {
    /// These replies, then "done" for every further call.
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Self {
            replies: replies.into_iter().collect(),
            default: Reply::done(),
        }
    }

    /// What calls get once the replies are used up.
    pub fn then_always(mut self, reply: Reply) -> Self {
        self.default = reply;
        self
    }

    /// Reads the JSON format described in the module doc.
    pub fn from_json_file(path: &Path) -> Result<Self, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ScriptError::Parse {
            path: path.to_owned(),
            source,
        })
    }

    /// The next call's reply.
    pub(crate) fn take(&mut self) -> Reply {
        self.replies
            .pop_front()
            .unwrap_or_else(|| self.default.clone())
    }
}

/// One model answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    #[serde(default)]
    pub content: Vec<Block>,
    /// `end_turn`, `tool_use`, `max_tokens`…; `None` = derived from the blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    #[serde(default = "Usage::default_reply")]
    pub usage: Usage,
    /// Fail the call with this HTTP status and message instead of answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<HttpError>,
    /// Wait this many milliseconds before answering: a slow or stuck model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

/// A content block in the Messages API's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    Text {
        text: String,
    },
    ToolUse {
        /// Filled by the server (`toolu_…`, unique per server) when left out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        name: String,
        input: Value,
    },
}

/// A failed call: the status and an Anthropic-shaped error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpError {
    pub status: u16,
    /// The error's `type`, e.g. `overloaded_error`, `authentication_error`.
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
}

/// Token counts of one call, as the server reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
}

impl Usage {
    /// Every reply's usage unless it sets its own. Each field has its own order of magnitude,
    /// so a sum shows at a glance which field went where, and how many calls were counted.
    pub const DEFAULT: Usage = Usage {
        input_tokens: 100,
        output_tokens: 10,
        cache_creation_input_tokens: 1_000,
        cache_read_input_tokens: 10_000,
    };

    fn default_reply() -> Self {
        Self::DEFAULT
    }

    /// All four fields added up.
    pub fn total(&self) -> u64 {
        self.input_tokens
            + self.output_tokens
            + self.cache_creation_input_tokens
            + self.cache_read_input_tokens
    }
}

impl std::ops::Add for Usage {
    type Output = Usage;
    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens + other.input_tokens,
            output_tokens: self.output_tokens + other.output_tokens,
            cache_creation_input_tokens: self.cache_creation_input_tokens
                + other.cache_creation_input_tokens,
            cache_read_input_tokens: self.cache_read_input_tokens + other.cache_read_input_tokens,
        }
    }
}

impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Usage>>(iter: I) -> Usage {
        iter.fold(Usage::default(), |a, b| a + b)
    }
}

impl Reply {
    fn empty() -> Self {
        Self {
            content: Vec::new(),
            stop_reason: None,
            usage: Usage::DEFAULT,
            error: None,
            delay_ms: None,
        }
    }

    /// A final answer: one text block, `end_turn`.
    pub fn text(text: impl Into<String>) -> Self {
        Self::empty().with_text(text)
    }

    /// A request to run one tool: `tool_use`.
    pub fn tool_use(name: impl Into<String>, input: Value) -> Self {
        Self::empty().with_tool_use(name, input)
    }

    /// The default once a script is used up: "done".
    pub fn done() -> Self {
        Self::text("done")
    }

    /// The call fails with `status` and an error body of `kind` (e.g. 529,
    /// `overloaded_error`).
    pub fn http_error(status: u16, kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: Some(HttpError {
                status,
                kind: kind.into(),
                message: message.into(),
            }),
            ..Self::empty()
        }
    }

    /// Adds a text block after the ones already there.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.content.push(Block::Text { text: text.into() });
        self
    }

    /// Adds a tool call after the blocks already there.
    pub fn with_tool_use(mut self, name: impl Into<String>, input: Value) -> Self {
        self.content.push(Block::ToolUse {
            id: None,
            name: name.into(),
            input,
        });
        self
    }

    /// Reports these tokens for this call instead of [`Usage::DEFAULT`].
    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    /// Answers only after `delay` (a model that is slow, or stuck, to answer).
    pub fn with_delay(mut self, delay: std::time::Duration) -> Self {
        self.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Overrides the derived stop reason.
    pub fn with_stop_reason(mut self, stop_reason: impl Into<String>) -> Self {
        self.stop_reason = Some(stop_reason.into());
        self
    }

    /// The stop reason sent: the one set, else `tool_use` when a block calls a tool, else
    /// `end_turn`.
    pub fn effective_stop_reason(&self) -> &str {
        match &self.stop_reason {
            Some(reason) => reason,
            None if self
                .content
                .iter()
                .any(|block| matches!(block, Block::ToolUse { .. })) =>
            {
                "tool_use"
            }
            None => "end_turn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_format_fills_in_defaults() {
        let script: Script = serde_json::from_str(
            r#"{"replies": [
                {"content": [{"type": "tool_use", "name": "Bash", "input": {"command": "ls"}}]},
                {"content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 7}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(
            script,
            Script::new([
                Reply::tool_use("Bash", serde_json::json!({"command": "ls"})),
                Reply::text("ok").with_usage(Usage {
                    input_tokens: 7,
                    ..Usage::default()
                }),
            ])
        );
        assert_eq!(script.replies[0].effective_stop_reason(), "tool_use");
        assert_eq!(script.replies[1].effective_stop_reason(), "end_turn");
    }

    #[test]
    fn a_used_up_script_answers_with_its_default() {
        let mut script = Script::new([Reply::text("one")]).then_always(Reply::text("again"));
        assert_eq!(script.take(), Reply::text("one"));
        assert_eq!(script.take(), Reply::text("again"));
        assert_eq!(script.take(), Reply::text("again"));
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_name() {
        let error = serde_json::from_str::<Script>(r#"{"replies": [{"text": "hi"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `text`"), "{error}");
    }
}
