//! The fixture agent's `ask:<Tool> <words…>` script: what Claude Code does with
//! `--permission-prompt-tool stdio` when a tool call needs permission. It announces the call
//! (`assistant` `tool_use`), asks with a `control_request` (`can_use_tool`), waits for the
//! `control_response` on stdin, and reports the outcome as a `tool_result` and a success result
//! whose text says what it was told: `allowed: <input JSON>` or `denied: <message>`.
//!
//! The words after the tool make its input: `Bash` gets them as `command`, `Write` as
//! `file_path` (content `hi`), `Read` as `file_path`, `AskUserQuestion` as one question.

use std::io;

use serde_json::{Value, json};

use super::{Agent, emit, new_id, usage};

impl Agent {
    pub(super) fn ask(&mut self, words: &[&str]) -> io::Result<()> {
        let tool = words[0].trim_start_matches("ask:");
        let rest = words[1..].join(" ");
        let input = match tool {
            "Bash" => json!({"command": rest, "description": "fixture"}),
            "Write" => json!({"file_path": rest, "content": "hi"}),
            "Read" => json!({"file_path": rest}),
            "AskUserQuestion" => json!({"questions": [{"question": rest, "header": "Question",
                "options": [], "multiSelect": false}]}),
            _ => json!({"input": rest}),
        };
        self.init()?;
        let tool_use_id = format!("toolu_{}", new_id());
        emit(&self.assistant(
            json!([{"type": "tool_use", "id": tool_use_id, "name": tool, "input": input}]),
        ))?;
        let request_id = new_id();
        emit(
            &json!({"type": "control_request", "request_id": request_id, "request": {
            "subtype": "can_use_tool", "tool_name": tool, "display_name": tool, "input": input,
            "tool_use_id": tool_use_id}}),
        )?;
        let decision = self.control_response(&request_id)?;
        let (text, is_error) = match decision["behavior"].as_str() {
            Some("allow") => (format!("allowed: {}", decision["updatedInput"]), false),
            _ => (
                format!(
                    "denied: {}",
                    decision["message"].as_str().unwrap_or_default()
                ),
                true,
            ),
        };
        emit(
            &json!({"type": "user", "message": {"role": "user", "content": [{
            "type": "tool_result", "tool_use_id": tool_use_id, "content": text,
            "is_error": is_error}]}, "parent_tool_use_id": null,
            "session_id": self.session_id, "uuid": new_id()}),
        )?;
        self.success(&text, usage(10, 5, 2, 100))
    }

    /// The `response` of the `control_response` to `request_id`, read from stdin; other lines
    /// (a user turn sent meanwhile) are ignored, as the real CLI queues them.
    fn control_response(&mut self, request_id: &str) -> io::Result<Value> {
        for line in self.input.by_ref() {
            let Ok(value) = serde_json::from_str::<Value>(&line?) else {
                continue;
            };
            if value["type"] == "control_response" && value["response"]["request_id"] == request_id
            {
                return Ok(value["response"]["response"].clone());
            }
        }
        Err(io::Error::other(
            "stdin closed before the permission prompt was answered",
        ))
    }
}
