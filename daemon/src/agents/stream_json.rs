//! Typed view of one line of `claude -p --output-format stream-json --verbose` output.
//!
//! Key types: [`parse_line`] → [`ParsedLine`] (`Event` or `Text`), [`StreamEvent`] (tagged on
//! `type`), [`SystemEvent`] (tagged on `subtype`), [`AssistantEvent`], [`UserEvent`],
//! [`ResultEvent`], [`ContentBlock`] and [`Usage`].
//!
//! The shapes follow the real output of Claude Code 2.1.330 (`tests/fixtures/claude/`). Parsing
//! never fails on a JSON object: unknown `type`s and `subtype`s are kept as raw
//! [`serde_json::Value`], unknown fields are ignored, and a known field holding `null` or a value
//! of an unexpected type falls back to its default. The CLI changes its output between releases;
//! a field that changed shape must not make the daemon lose the authoritative `result` event.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;

mod content;
mod usage;

pub use content::{ContentBlock, UserContent};
pub use usage::Usage;

/// One line of agent output, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedLine {
    /// A JSON object: a stream-json event (possibly [`StreamEvent::Unknown`]).
    Event(Box<StreamEvent>),
    /// Anything that is not a JSON object (plain text, truncated JSON, a bare JSON scalar).
    /// The caller streams it as text; `claude-flow` and crashing CLIs print such lines.
    Text(String),
}

/// Classifies one output line (without its trailing newline; a trailing `\r` is tolerated).
pub fn parse_line(line: &str) -> ParsedLine {
    let trimmed = line.trim();
    // Cheap pre-check: most plain text lines never reach the JSON parser.
    if !trimmed.starts_with('{') {
        return ParsedLine::Text(line.to_owned());
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value @ Value::Object(_)) => ParsedLine::Event(Box::new(StreamEvent::from_value(value))),
        _ => ParsedLine::Text(line.to_owned()),
    }
}

/// One stream-json event, tagged on `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    System(SystemEvent),
    Assistant(AssistantEvent),
    User(UserEvent),
    Result(ResultEvent),
    /// `type: "control_request"`: the CLI asks its controller (with
    /// `--permission-prompt-tool stdio`, whether a tool may run) and waits for a
    /// `control_response` on stdin.
    ControlRequest(ControlRequestEvent),
    /// Any other `type` (e.g. `stream_event` with `--include-partial-messages`), or an object
    /// without `type`.
    Unknown(Value),
}

impl StreamEvent {
    /// Classifies an already parsed JSON value. Infallible: see the module doc.
    pub fn from_value(value: Value) -> StreamEvent {
        let kind = value.get("type").and_then(Value::as_str).map(str::to_owned);
        let parsed = match kind.as_deref() {
            Some("system") => Some(StreamEvent::System(SystemEvent::from_value(value.clone()))),
            Some("assistant") => lenient_struct(&value).map(StreamEvent::Assistant),
            Some("user") => lenient_struct(&value).map(StreamEvent::User),
            Some("result") => lenient_struct(&value).map(StreamEvent::Result),
            Some("control_request") => lenient_struct(&value).map(StreamEvent::ControlRequest),
            _ => None,
        };
        parsed.unwrap_or(StreamEvent::Unknown(value))
    }

    /// The Claude session id the event carries, if any.
    pub fn session_id(&self) -> Option<&str> {
        let id = match self {
            StreamEvent::System(SystemEvent::Init(e)) => &e.session_id,
            StreamEvent::System(SystemEvent::Informational(e)) => &e.session_id,
            StreamEvent::System(SystemEvent::HookStarted(e) | SystemEvent::HookResponse(e)) => {
                &e.session_id
            }
            StreamEvent::Assistant(e) => &e.session_id,
            StreamEvent::User(e) => &e.session_id,
            StreamEvent::Result(e) => &e.session_id,
            StreamEvent::System(SystemEvent::Other(v)) | StreamEvent::Unknown(v) => {
                return v.get("session_id").and_then(Value::as_str);
            }
            StreamEvent::ControlRequest(_) => return None,
        };
        (!id.is_empty()).then_some(id.as_str())
    }
}

impl<'de> Deserialize<'de> for StreamEvent {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        Value::deserialize(de).map(StreamEvent::from_value)
    }
}

/// `type: "system"`, tagged on `subtype`.
#[derive(Debug, Clone, PartialEq)]
pub enum SystemEvent {
    Init(InitEvent),
    Informational(InformationalEvent),
    HookStarted(HookEvent),
    HookResponse(HookEvent),
    /// Any other subtype, kept raw.
    Other(Value),
}

impl SystemEvent {
    fn from_value(value: Value) -> SystemEvent {
        let parsed = match value.get("subtype").and_then(Value::as_str) {
            Some("init") => lenient_struct(&value).map(SystemEvent::Init),
            Some("informational") => lenient_struct(&value).map(SystemEvent::Informational),
            Some("hook_started") => lenient_struct(&value).map(SystemEvent::HookStarted),
            Some("hook_response") => lenient_struct(&value).map(SystemEvent::HookResponse),
            _ => None,
        };
        parsed.unwrap_or(SystemEvent::Other(value))
    }
}

/// `system/init`: emitted at the start of every turn (once per user message with stream-json
/// input).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct InitEvent {
    #[serde(deserialize_with = "lenient")]
    pub session_id: String,
    #[serde(deserialize_with = "lenient")]
    pub model: String,
    #[serde(deserialize_with = "lenient")]
    pub cwd: String,
    #[serde(deserialize_with = "lenient")]
    pub tools: Vec<String>,
    /// `"none"` when no API key is used (subscription login or not logged in); decides the
    /// budget pool.
    #[serde(rename = "apiKeySource", deserialize_with = "lenient")]
    pub api_key_source: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub claude_code_version: Option<String>,
    #[serde(rename = "permissionMode", deserialize_with = "lenient")]
    pub permission_mode: Option<String>,
}

/// `system/informational`: a notice, e.g. a prompt blocked by a `UserPromptSubmit` hook.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct InformationalEvent {
    #[serde(deserialize_with = "lenient")]
    pub content: String,
    #[serde(deserialize_with = "lenient")]
    pub level: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub prompt_submit_outcome: Option<PromptSubmitOutcome>,
    #[serde(deserialize_with = "lenient")]
    pub session_id: String,
}

/// What happened to a submitted prompt; `kind: "blocked_by_hook"` carries the hook's reason.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PromptSubmitOutcome {
    #[serde(deserialize_with = "lenient")]
    pub kind: String,
    #[serde(deserialize_with = "lenient")]
    pub reason: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub prompt_kept: Option<bool>,
}

impl PromptSubmitOutcome {
    pub fn is_blocked_by_hook(&self) -> bool {
        self.kind == "blocked_by_hook"
    }
}

/// `system/hook_started` and `system/hook_response` (with `--include-hook-events`). The
/// response-only fields are `None` on `hook_started`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct HookEvent {
    #[serde(deserialize_with = "lenient")]
    pub hook_id: String,
    /// e.g. `"SessionStart:startup"`.
    #[serde(deserialize_with = "lenient")]
    pub hook_name: String,
    /// e.g. `"SessionStart"`.
    #[serde(deserialize_with = "lenient")]
    pub hook_event: String,
    #[serde(deserialize_with = "lenient")]
    pub output: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub stdout: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub stderr: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub exit_code: Option<i64>,
    /// e.g. `"success"`.
    #[serde(deserialize_with = "lenient")]
    pub outcome: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub session_id: String,
}

/// `type: "assistant"`: one model message (Claude Code emits one event per content block).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AssistantEvent {
    #[serde(deserialize_with = "lenient")]
    pub message: AssistantMessage,
    /// Set on synthetic messages that report an API failure, e.g. `"authentication_failed"`;
    /// their text is an error message, not model output.
    #[serde(deserialize_with = "lenient")]
    pub error: Option<String>,
    /// Set when the message comes from a sub-agent started by the `Task` tool.
    #[serde(deserialize_with = "lenient")]
    pub parent_tool_use_id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub session_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AssistantMessage {
    #[serde(deserialize_with = "lenient")]
    pub id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub model: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub content: Vec<ContentBlock>,
    #[serde(deserialize_with = "lenient")]
    pub usage: Option<Usage>,
    #[serde(deserialize_with = "lenient")]
    pub stop_reason: Option<String>,
}

/// `type: "user"`: a user message; inside a turn these carry tool results.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct UserEvent {
    #[serde(deserialize_with = "lenient")]
    pub message: UserMessage,
    #[serde(deserialize_with = "lenient")]
    pub parent_tool_use_id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub session_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct UserMessage {
    pub content: UserContent,
}

/// `type: "control_request"`, e.g. (from the real CLI)
/// `{"type":"control_request","request_id":"…","request":{"subtype":"can_use_tool",
/// "tool_name":"Write","input":{…},"tool_use_id":"toolu_…","decision_reason":"…",…}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ControlRequestEvent {
    /// Echoed in the `control_response`.
    #[serde(deserialize_with = "lenient")]
    pub request_id: String,
    #[serde(deserialize_with = "lenient")]
    pub request: ControlRequestBody,
}

/// What a `control_request` asks.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ControlRequestBody {
    /// `can_use_tool` for permission prompts.
    #[serde(deserialize_with = "lenient")]
    pub subtype: String,
    #[serde(deserialize_with = "lenient")]
    pub tool_name: String,
    #[serde(deserialize_with = "lenient")]
    pub input: Value,
    #[serde(deserialize_with = "lenient")]
    pub tool_use_id: Option<String>,
    /// Why it asks, e.g. a PreToolUse hook's reason (then `decision_reason_type` is `hook`).
    #[serde(deserialize_with = "lenient")]
    pub decision_reason: Option<String>,
}

/// `type: "result"`: the authoritative end of a turn.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ResultEvent {
    /// `"success"` even for some failures (see the not-logged-in fixture): trust `is_error`.
    #[serde(deserialize_with = "lenient")]
    pub subtype: String,
    #[serde(deserialize_with = "lenient")]
    pub is_error: bool,
    #[serde(deserialize_with = "lenient")]
    pub result: Option<String>,
    /// Error details some CLI versions attach to `error_*` subtypes instead of `result`.
    #[serde(deserialize_with = "lenient")]
    pub errors: Vec<Value>,
    #[serde(deserialize_with = "lenient")]
    pub num_turns: u64,
    #[serde(deserialize_with = "lenient")]
    pub duration_ms: u64,
    #[serde(deserialize_with = "lenient")]
    pub duration_api_ms: u64,
    #[serde(deserialize_with = "lenient")]
    pub usage: Usage,
    #[serde(deserialize_with = "lenient")]
    pub total_cost_usd: Option<f64>,
    #[serde(deserialize_with = "lenient")]
    pub session_id: String,
    #[serde(deserialize_with = "lenient")]
    pub stop_reason: Option<String>,
    /// e.g. `"api_error"`.
    #[serde(deserialize_with = "lenient")]
    pub terminal_reason: Option<String>,
}

impl ResultEvent {
    /// `is_error` is authoritative; an `error_*` subtype (`error_max_turns`,
    /// `error_during_execution`) is treated as a failure too, in case a CLI version leaves
    /// `is_error` false on it.
    pub fn is_failure(&self) -> bool {
        self.is_error || self.subtype.starts_with("error")
    }
}

/// Field deserializer: a value of an unexpected type (including `null`) becomes the default
/// instead of failing the whole event.
fn lenient<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = Value::deserialize(de)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// Deserializes a struct whose fields are all lenient; only a non-object can fail.
fn lenient_struct<T: DeserializeOwned>(value: &Value) -> Option<T> {
    match T::deserialize(value) {
        Ok(parsed) => Some(parsed),
        Err(err) => {
            tracing::debug!(%err, "stream-json event of a known type has an unexpected shape");
            None
        }
    }
}

#[cfg(test)]
mod tests;
