//! `logs --json` as JSON Lines: [`LogLineJson`] per daemon log line
//! (`docs/json/log-line.schema.json`) and [`SessionEventJson`] per event of
//! `logs --session ID --json` (`docs/json/session-event.schema.json`).

use orchestrator_api::v1::SessionEvent;
use orchestrator_api::v1::session_event::Kind;
use serde::Serialize;
use serde_json::Value;

use super::approval::ApprovalJson;
use super::session::SessionJson;
use super::{parsed, time};

/// One daemon log line. The daemon writes `TIME LEVEL TARGET: MESSAGE`; a line that does not
/// read that way (a continuation of a multi-line message, a line inside spans) keeps every
/// key, with `time`, `level` and `target` null and the whole line as `message`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLineJson {
    time: Option<String>,
    /// `error`, `warn`, `info`, `debug` or `trace`.
    level: Option<String>,
    /// The Rust module that logged it, e.g. `orchestrator_daemon::daemon`.
    target: Option<String>,
    message: String,
}

impl LogLineJson {
    /// `line` split into its parts, or kept whole.
    pub fn parse(line: &str) -> Self {
        Self::split(line).unwrap_or_else(|| Self {
            time: None,
            level: None,
            target: None,
            message: line.to_owned(),
        })
    }

    fn split(line: &str) -> Option<Self> {
        let (time, rest) = line.split_once(' ')?;
        humantime::parse_rfc3339(time).ok()?;
        let rest = rest.trim_start();
        let (level, rest) = rest.split_once(' ')?;
        if !["ERROR", "WARN", "INFO", "DEBUG", "TRACE"].contains(&level) {
            return None;
        }
        let (target, message) = rest.split_once(": ")?;
        let is_path = !target.is_empty()
            && target
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        is_path.then(|| Self {
            time: Some(time.to_owned()),
            level: Some(level.to_ascii_lowercase()),
            target: Some(target.to_owned()),
            message: message.to_owned(),
        })
    }
}

/// One event of a followed session: `type` (the WebSocket API's frame type where it has
/// one), `sessionId`, `time`, then the fields of that type.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEventJson {
    session_id: String,
    time: Option<String>,
    #[serde(flatten)]
    kind: EventKindJson,
}

/// The fields of each event type.
#[derive(Debug, Serialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum EventKindJson {
    /// The session's state changed (or its metrics did).
    Status {
        session: Box<SessionJson>,
    },
    StreamStart {},
    StreamChunk {
        content: String,
        /// `text` or `thinking`.
        chunk_type: String,
        index: u32,
    },
    StreamEnd {
        tokens: u64,
    },
    ToolCallStart {
        tool_use_id: String,
        tool_name: String,
        tool_input: Value,
    },
    ToolCallResult {
        tool_use_id: String,
        tool_name: String,
        is_error: bool,
        result: String,
        duration_ms: u64,
    },
    TaskExecuting {
        task_id: String,
    },
    TaskCompleted {
        result: String,
    },
    TaskFailed {
        error: String,
    },
    /// A line the agent printed (or of its transcript replayed); `stream` is where from.
    Output {
        stream: String,
        line: String,
    },
    /// The session waits for a person.
    Approval {
        approval: Box<ApprovalJson>,
    },
    /// An event of a kind this CLI does not know (a newer daemon).
    Unknown {},
}

impl From<&SessionEvent> for SessionEventJson {
    fn from(event: &SessionEvent) -> Self {
        let kind = match &event.kind {
            None => EventKindJson::Unknown {},
            Some(Kind::Status(s)) => EventKindJson::Status {
                session: Box::new(SessionJson::from(s)),
            },
            Some(Kind::StreamStart(_)) => EventKindJson::StreamStart {},
            Some(Kind::StreamChunk(c)) => EventKindJson::StreamChunk {
                content: c.text.clone(),
                chunk_type: c.kind.clone(),
                index: c.index,
            },
            Some(Kind::StreamEnd(e)) => EventKindJson::StreamEnd { tokens: e.tokens },
            Some(Kind::ToolCallStart(t)) => EventKindJson::ToolCallStart {
                tool_use_id: t.tool_use_id.clone(),
                tool_name: t.tool_name.clone(),
                tool_input: parsed(&t.input_json),
            },
            Some(Kind::ToolCallResult(r)) => EventKindJson::ToolCallResult {
                tool_use_id: r.tool_use_id.clone(),
                tool_name: r.tool_name.clone(),
                is_error: r.is_error,
                result: r.content.clone(),
                duration_ms: r.duration_ms,
            },
            Some(Kind::TaskExecuting(t)) => EventKindJson::TaskExecuting {
                task_id: t.task.clone(),
            },
            Some(Kind::TaskCompleted(t)) => EventKindJson::TaskCompleted {
                result: t.result.clone(),
            },
            Some(Kind::TaskFailed(t)) => EventKindJson::TaskFailed {
                error: t.error.clone(),
            },
            Some(Kind::Output(o)) => EventKindJson::Output {
                stream: o.stream.clone(),
                line: o.line.clone(),
            },
            Some(Kind::Approval(a)) => EventKindJson::Approval {
                approval: Box::new(ApprovalJson::from(a)),
            },
        };
        Self {
            session_id: event.session_id.clone(),
            time: time(event.unix_ms),
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daemon_line_splits_into_its_parts() {
        let line = "2026-12-06T10:36:24.679Z  INFO orchestrator_daemon::daemon: started pid=1";
        let value = serde_json::to_value(LogLineJson::parse(line)).unwrap();
        assert_eq!(value["time"], "2026-12-06T10:36:24.679Z");
        assert_eq!(value["level"], "info");
        assert_eq!(value["target"], "orchestrator_daemon::daemon");
        assert_eq!(value["message"], "started pid=1");
    }

    #[test]
    fn other_lines_stay_whole_with_null_parts() {
        for line in [
            "  continued: text",
            "2026-12-06T10:36:24.679Z  INFO span{a=1}: t: m",
        ] {
            let value = serde_json::to_value(LogLineJson::parse(line)).unwrap();
            assert!(
                value["time"].is_null() && value["level"].is_null(),
                "{value}"
            );
            assert_eq!(value["message"], line);
        }
    }

    #[test]
    fn an_event_is_flat_with_its_type_first_class() {
        let event = SessionEvent {
            session_id: "s1".into(),
            unix_ms: 1_796_554_515_123,
            kind: Some(Kind::StreamEnd(orchestrator_api::v1::StreamEnd {
                tokens: 7,
            })),
        };
        let value = serde_json::to_value(SessionEventJson::from(&event)).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"type": "stream_end", "sessionId": "s1",
                               "time": "2026-12-06T10:55:15.123Z", "tokens": 7})
        );
    }
}
