//! [`output_frame`]: a session's output events (stream, tool call, task outcome) as the
//! frames upstream declared (`stream_*`, `tool_call_*`, `task_*`), plus Neolith's additive
//! fields (top-level `content`/`chunkType`/`index` on `stream_chunk`, `requestId` and
//! `durationMs` inside `tool_call_*` data). Only the session's subscribers receive them.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::sync::CancellationToken;

use super::wire::{encode_value, iso};
use crate::model::{OutputKind, SessionOutput};

/// The frame for one session output event; `None` for raw lines (not part of the API) and for
/// questions to a person (every client hears those as `approval_required` /
/// `approval_resolved`).
pub fn output_frame(out: &SessionOutput) -> Option<Value> {
    let id = &out.session_id;
    let at = iso(out.at);
    Some(match &out.kind {
        OutputKind::StreamStart => {
            json!({"type": "stream_start", "sessionId": id, "metadata": {}})
        }
        OutputKind::StreamChunk { text, kind, index } => json!({
            "type": "stream_chunk", "sessionId": id, "content": text,
            "chunkType": kind.as_str(), "index": index,
            "data": {"sessionId": id, "chunk": text, "metadata": {"type": kind.as_str(), "index": index}},
        }),
        OutputKind::StreamEnd {
            tokens,
            finish_reason,
        } => json!({
            "type": "stream_end", "sessionId": id,
            "metadata": {"finishReason": finish_reason, "usage": {"totalTokens": tokens}},
        }),
        OutputKind::ToolCallStart {
            tool_use_id,
            name,
            input,
        } => json!({"type": "tool_call_start", "data": {
            "sessionId": id, "toolName": name, "toolInput": input, "status": "started",
            "timestamp": at, "requestId": tool_use_id}}),
        OutputKind::ToolCallResult {
            tool_use_id,
            name,
            is_error,
            content,
            duration_ms,
        } => {
            let mut data = json!({
                "sessionId": id, "toolName": name,
                "status": if *is_error { "failed" } else { "completed" },
                "result": content, "timestamp": at, "requestId": tool_use_id,
            });
            if *is_error {
                data["error"] = Value::String(match content {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                });
            }
            if let Some(ms) = duration_ms {
                data["durationMs"] = json!(ms);
            }
            json!({"type": "tool_call_result", "data": data})
        }
        OutputKind::TaskExecuting { task } => {
            json!({"type": "task_executing", "sessionId": id, "taskId": task})
        }
        OutputKind::TaskCompleted { task, result } => {
            json!({"type": "task_completed", "sessionId": id, "taskId": task, "result": result})
        }
        OutputKind::TaskFailed { task, error } => {
            json!({"type": "task_failed", "sessionId": id, "taskId": task, "error": error})
        }
        OutputKind::Line { .. } | OutputKind::Approval(_) => return None,
    })
}

/// One session output as every subscriber receives it: encoded once, shared by reference
/// (a fan-out to 100 subscribers serialises each event once, not 100 times).
#[derive(Debug)]
pub struct EncodedOutput {
    /// The session it belongs to.
    pub session_id: String,
    /// For `task_executing`, the task, so `execute_task`'s own announcement is not repeated.
    pub executing: Option<String>,
    /// The frame, or `None` for output that has no frame on this door.
    pub frame: Option<Utf8Bytes>,
}

impl EncodedOutput {
    /// Encodes `out`.
    pub fn new(out: &SessionOutput) -> Self {
        let executing = match &out.kind {
            OutputKind::TaskExecuting { task } => Some(task.clone()),
            _ => None,
        };
        Self {
            session_id: out.session_id.clone(),
            executing,
            frame: output_frame(out).map(|frame| encode_value(&frame, None).into()),
        }
    }
}

/// Encodes the core's session outputs for the door's connections until the daemon closes or
/// the core goes away. Holds no reference to the hub, so it keeps nothing alive.
pub async fn encode_outputs(
    mut outputs: broadcast::Receiver<SessionOutput>,
    encoded: broadcast::Sender<Arc<EncodedOutput>>,
    closing: CancellationToken,
) {
    loop {
        let output = tokio::select! {
            () = closing.cancelled() => return,
            output = outputs.recv() => output,
        };
        match output {
            // No connection listening is fine: the frame is simply not needed.
            Ok(output) => drop(encoded.send(Arc::new(EncodedOutput::new(&output)))),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the WebSocket door missed session output");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChunkKind;

    fn out(kind: OutputKind) -> SessionOutput {
        SessionOutput {
            session_id: "s1".into(),
            at: std::time::UNIX_EPOCH,
            kind,
        }
    }

    #[test]
    fn chunks_and_tool_results_carry_neoliths_fields() {
        let chunk = output_frame(&out(OutputKind::StreamChunk {
            text: "Hello".into(),
            kind: ChunkKind::Text,
            index: 0,
        }))
        .unwrap();
        assert_eq!(
            chunk,
            json!({"type": "stream_chunk", "sessionId": "s1", "content": "Hello",
                   "chunkType": "text", "index": 0,
                   "data": {"sessionId": "s1", "chunk": "Hello",
                            "metadata": {"type": "text", "index": 0}}})
        );
        let result = output_frame(&out(OutputKind::ToolCallResult {
            tool_use_id: "tc_7".into(),
            name: Some("Bash".into()),
            is_error: true,
            content: json!("boom"),
            duration_ms: Some(12),
        }))
        .unwrap();
        assert_eq!(result["data"]["status"], "failed");
        assert_eq!(result["data"]["error"], "boom");
        assert_eq!(result["data"]["requestId"], "tc_7");
        assert_eq!(result["data"]["durationMs"], 12);
        assert!(result.get("status").is_none(), "no top-level status");
        let line = out(OutputKind::Line {
            source: crate::model::LineSource::Stderr,
            line: "x".into(),
        });
        assert!(output_frame(&line).is_none());
    }
}
