//! Turns a sequence of stream-json lines into [`AgentEvent`]s, one conversation turn at a time.
//!
//! Key type: [`TurnTracker`]. Feed it every stdout line of one agent process
//! ([`TurnTracker::push_line`]) and call [`TurnTracker::finish`] when the process has exited.
//!
//! Decisions:
//! - The `result` event is authoritative: `is_error: true` fails the turn whatever the exit code;
//!   its `usage` is the turn's usage.
//! - An `assistant` message with a top-level `error` is the CLI reporting an API failure in
//!   prose; its text is not streamed as model output. The following `result` carries the same
//!   text as the failure message; if no result follows, [`TurnTracker::finish`] uses it.
//! - A prompt refused by a `UserPromptSubmit` hook (`system/informational` with
//!   `prompt_submit_outcome.kind == "blocked_by_hook"`, then a non-error `result` with
//!   `num_turns: 0`) becomes [`AgentEvent::TurnBlocked`] with the hook's reason, so the
//!   daemon can fail the task with the charter's words instead of the CLI's long prose.
//! - Tool calls still pending when a turn ends get a synthetic failed `ToolCallResult`, so no
//!   client shows a tool running forever.
//! - Memory does not grow with the length of a turn: message usage is folded into a sum
//!   (`MessageUsage`) and at most [`MAX_PENDING_TOOLS`] tool calls are tracked.

use std::collections::VecDeque;
use std::time::Instant;

use serde_json::Value;

use super::events::AgentEvent;
use super::stream_json::{
    AssistantEvent, ContentBlock, ParsedLine, ResultEvent, StreamEvent, SystemEvent, UserContent,
    UserEvent, parse_line,
};
use crate::model::ChunkKind;
use message_usage::MessageUsage;

/// Failure text when an agent process ends a turn without a `result` event.
pub const NO_RESULT_ERROR: &str = "agent exited before reporting a result";
/// Content of the synthetic result of a tool call that never returned.
pub const TOOL_NEVER_RETURNED: &str = "the turn ended before the tool returned";
/// Content of the synthetic result of a tool call evicted by [`MAX_PENDING_TOOLS`].
pub const TOOL_NO_LONGER_TRACKED: &str =
    "too many tool calls were pending; the daemon stopped tracking this one";
/// Tool calls tracked at once in a turn. Claude Code runs a handful in parallel (subagents
/// included); past this the oldest is closed with a synthetic result, so a stream of calls
/// that never return cannot grow the daemon's memory.
pub const MAX_PENDING_TOOLS: usize = 1024;

/// A `control_request` as the event the session answers.
fn control_event(control: super::stream_json::ControlRequestEvent) -> AgentEvent {
    let request = control.request;
    if request.subtype == "can_use_tool" {
        AgentEvent::PermissionRequest {
            request_id: control.request_id,
            tool_name: request.tool_name,
            input: request.input,
            tool_use_id: request.tool_use_id,
            reason: request.decision_reason,
        }
    } else {
        AgentEvent::UnsupportedControl {
            request_id: control.request_id,
            subtype: request.subtype,
        }
    }
}

/// Maps one agent process's output to [`AgentEvent`]s. See the module doc for the rules.
#[derive(Debug, Default)]
pub struct TurnTracker {
    turn: Option<Turn>,
    agent_session_id: Option<String>,
}

#[derive(Debug, Default)]
struct Turn {
    next_chunk: u32,
    /// In start order, so synthetic results come out deterministically.
    pending_tools: VecDeque<PendingTool>,
    blocked_reason: Option<String>,
    api_error: Option<String>,
    /// The usage of the turn's assistant messages. Only used when no `result` arrives.
    usage: MessageUsage,
}

#[derive(Debug)]
struct PendingTool {
    id: String,
    name: String,
    started: Instant,
}

impl TurnTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Claude's session id from the last event that carried one (tests check it is kept).
    #[cfg(test)]
    pub fn agent_session_id(&self) -> Option<&str> {
        self.agent_session_id.as_deref()
    }

    /// Whether a turn has started and not yet ended.
    #[cfg(test)]
    pub fn in_turn(&self) -> bool {
        self.turn.is_some()
    }

    /// How many assistant message ids the open turn holds (tests check it stays bounded).
    #[cfg(test)]
    fn held_message_ids(&self) -> usize {
        self.turn.as_ref().map_or(0, |turn| turn.usage.ids_held())
    }

    /// How many tool calls the open turn tracks.
    #[cfg(test)]
    fn held_tool_calls(&self) -> usize {
        self.turn
            .as_ref()
            .map_or(0, |turn| turn.pending_tools.len())
    }

    pub fn push_line(&mut self, line: &str) -> Vec<AgentEvent> {
        self.push(parse_line(line))
    }

    pub fn push(&mut self, parsed: ParsedLine) -> Vec<AgentEvent> {
        match parsed {
            ParsedLine::Event(event) => self.push_event(*event),
            ParsedLine::Text(line) => vec![AgentEvent::Text { line }],
        }
    }

    pub fn push_event(&mut self, event: StreamEvent) -> Vec<AgentEvent> {
        self.push_event_at(event, Instant::now())
    }

    /// Like [`push_event`](Self::push_event) with an explicit clock, for exact tool durations.
    pub fn push_event_at(&mut self, event: StreamEvent, now: Instant) -> Vec<AgentEvent> {
        if let Some(id) = event.session_id()
            && self.agent_session_id.as_deref() != Some(id)
        {
            self.agent_session_id = Some(id.to_owned());
        }
        let mut out = Vec::new();
        match event {
            StreamEvent::System(system) => self.on_system(system, &mut out),
            StreamEvent::Assistant(assistant) => self.on_assistant(assistant, now, &mut out),
            StreamEvent::User(user) => self.on_user(user, now, &mut out),
            StreamEvent::Result(result) => self.on_result(result, now, &mut out),
            StreamEvent::ControlRequest(control) => out.push(control_event(control)),
            StreamEvent::Unknown(value) => {
                tracing::trace!(event = %value, "ignoring unknown stream-json event");
            }
        }
        out
    }

    /// Ends an open turn after the agent's output ended (EOF or exit) without a `result`.
    /// `cause` (e.g. "exit code 1") is appended to the failure message. No-op between turns.
    pub fn finish(&mut self, cause: Option<&str>) -> Vec<AgentEvent> {
        let Some(mut turn) = self.turn.take() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        close_pending_tools(&mut turn, Instant::now(), &mut out);
        let usage = turn.usage.total();
        let details: Vec<&str> = turn.api_error.as_deref().into_iter().chain(cause).collect();
        let error = if details.is_empty() {
            NO_RESULT_ERROR.to_owned()
        } else {
            format!("{NO_RESULT_ERROR}: {}", details.join("; "))
        };
        out.push(AgentEvent::StreamEnd {
            usage,
            finish_reason: None,
        });
        out.push(AgentEvent::TurnFailed { error, usage });
        out
    }

    fn open_turn(&mut self, out: &mut Vec<AgentEvent>) -> &mut Turn {
        self.turn.get_or_insert_with(|| {
            out.push(AgentEvent::StreamStart);
            Turn::default()
        })
    }

    fn on_system(&mut self, event: SystemEvent, out: &mut Vec<AgentEvent>) {
        match event {
            SystemEvent::Init(init) => {
                out.push(AgentEvent::Init {
                    agent_session_id: init.session_id,
                    model: init.model,
                    api_key_source: init.api_key_source,
                });
                self.open_turn(out);
            }
            SystemEvent::Informational(info) => {
                match info.prompt_submit_outcome {
                    Some(outcome) if outcome.is_blocked_by_hook() => {
                        // The hook's own reason is short and exact; `content` wraps it in prose.
                        let reason = outcome
                            .reason
                            .filter(|r| !r.is_empty())
                            .unwrap_or(info.content);
                        self.open_turn(out).blocked_reason = Some(reason);
                    }
                    _ => out.push(AgentEvent::Notice {
                        level: info.level,
                        content: info.content,
                    }),
                }
            }
            SystemEvent::HookStarted(hook) | SystemEvent::HookResponse(hook) => {
                tracing::debug!(
                    hook = %hook.hook_name,
                    outcome = ?hook.outcome,
                    exit_code = ?hook.exit_code,
                    "agent hook event"
                );
            }
            SystemEvent::Other(value) => {
                tracing::trace!(event = %value, "ignoring system event");
            }
        }
    }

    fn on_assistant(&mut self, event: AssistantEvent, now: Instant, out: &mut Vec<AgentEvent>) {
        let turn = self.open_turn(out);
        let message = event.message;
        if let Some(usage) = message.usage {
            turn.usage.record(message.id.as_deref(), usage);
        }
        if let Some(code) = event.error {
            let text = message.content.iter().find_map(|block| match block {
                ContentBlock::Text { text } if !text.is_empty() => Some(text.clone()),
                _ => None,
            });
            turn.api_error = Some(text.unwrap_or(code));
            return;
        }
        for block in message.content {
            match block {
                ContentBlock::Text { text } => turn.chunk(text, ChunkKind::Text, out),
                ContentBlock::Thinking { thinking } => {
                    turn.chunk(thinking, ChunkKind::Thinking, out)
                }
                ContentBlock::ToolUse { id, name, input } => {
                    if turn.pending_tools.len() >= MAX_PENDING_TOOLS
                        && let Some(oldest) = turn.pending_tools.pop_front()
                    {
                        out.push(oldest.synthetic_result(now, TOOL_NO_LONGER_TRACKED));
                    }
                    turn.pending_tools.push_back(PendingTool {
                        id: id.clone(),
                        name: name.clone(),
                        started: now,
                    });
                    out.push(AgentEvent::ToolCallStart {
                        tool_use_id: id,
                        name,
                        input,
                    });
                }
                ContentBlock::ToolResult { .. } | ContentBlock::Other(_) => {}
            }
        }
    }

    fn on_user(&mut self, event: UserEvent, now: Instant, out: &mut Vec<AgentEvent>) {
        // A plain-string user message is the prompt echoed back (`--replay-user-messages`).
        let UserContent::Blocks(blocks) = event.message.content else {
            return;
        };
        for block in blocks {
            if let ContentBlock::ToolResult {
                tool_use_id,
                content,
                is_error,
            } = block
            {
                let turn = self.open_turn(out);
                let start = turn
                    .pending_tools
                    .iter()
                    .position(|t| t.id == tool_use_id)
                    .and_then(|i| turn.pending_tools.remove(i));
                out.push(AgentEvent::ToolCallResult {
                    tool_use_id,
                    name: start.as_ref().map(|t| t.name.clone()),
                    is_error,
                    content,
                    duration_ms: start.map(|t| millis(now, t.started)),
                });
            }
        }
    }

    fn on_result(&mut self, result: ResultEvent, now: Instant, out: &mut Vec<AgentEvent>) {
        self.open_turn(out);
        let Some(mut turn) = self.turn.take() else {
            return;
        };
        close_pending_tools(&mut turn, now, out);
        out.push(AgentEvent::StreamEnd {
            usage: result.usage,
            finish_reason: result.stop_reason.clone(),
        });
        let outcome = if result.is_failure() {
            AgentEvent::TurnFailed {
                error: failure_message(&result, turn.api_error.as_deref()),
                usage: result.usage,
            }
        } else if let Some(reason) = turn.blocked_reason {
            AgentEvent::TurnBlocked { reason }
        } else {
            AgentEvent::TurnCompleted {
                result_text: result.result.unwrap_or_default(),
                usage: result.usage,
                num_turns: result.num_turns,
                duration_ms: result.duration_ms,
            }
        };
        out.push(outcome);
    }
}

impl Turn {
    fn chunk(&mut self, text: String, kind: ChunkKind, out: &mut Vec<AgentEvent>) {
        if text.is_empty() {
            return;
        }
        out.push(AgentEvent::StreamChunk {
            text,
            kind,
            index: self.next_chunk,
        });
        self.next_chunk = self.next_chunk.saturating_add(1);
    }
}

impl PendingTool {
    /// A failed result saying why the daemon closed the call itself.
    fn synthetic_result(self, now: Instant, why: &str) -> AgentEvent {
        AgentEvent::ToolCallResult {
            duration_ms: Some(millis(now, self.started)),
            tool_use_id: self.id,
            name: Some(self.name),
            is_error: true,
            content: Value::String(why.to_owned()),
        }
    }
}

fn close_pending_tools(turn: &mut Turn, now: Instant, out: &mut Vec<AgentEvent>) {
    for tool in turn.pending_tools.drain(..) {
        out.push(tool.synthetic_result(now, TOOL_NEVER_RETURNED));
    }
}

/// The most specific text available: the result's own, then its `errors`, then the API error
/// the assistant reported, then the machine-readable reasons.
fn failure_message(result: &ResultEvent, api_error: Option<&str>) -> String {
    if let Some(text) = result.result.as_deref().filter(|t| !t.is_empty()) {
        return text.to_owned();
    }
    let errors: Vec<String> = result
        .errors
        .iter()
        .map(|e| match e {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    if !errors.is_empty() {
        return errors.join("; ");
    }
    api_error
        .or(result.terminal_reason.as_deref())
        .or(Some(result.subtype.as_str()).filter(|s| !s.is_empty()))
        .unwrap_or("agent reported an error")
        .to_owned()
}

fn millis(now: Instant, since: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(since).as_millis()).unwrap_or(u64::MAX)
}

mod message_usage;

#[cfg(test)]
mod tests;
