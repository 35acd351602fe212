//! [`TranscriptPrinter`]: the raw stream-json lines of a session's transcript (replayed by
//! `logs --session ID --transcript`) in the same readable form as live events: assistant
//! text, `[tool] ...`, `[tool result] ...`, `[task] completed: ...`. Lines that are not JSON
//! are shown as `[transcript] <line>`; event types with nothing to say are skipped.

use std::collections::HashMap;

use serde_json::Value;

use super::list::one_line;

/// The tool's name, or its call id when the daemon did not learn the name.
pub fn tool_name<'a>(name: &'a str, tool_use_id: &'a str) -> &'a str {
    match (name, tool_use_id) {
        ("", "") => "tool",
        ("", id) => id,
        (name, _) => name,
    }
}

/// How much of a tool's input or error is shown.
const TOOL_TEXT_WIDTH: usize = 200;

/// Renders transcript lines; remembers tool names, which results refer to only by id.
#[derive(Debug, Default)]
pub struct TranscriptPrinter {
    tools: HashMap<String, String>,
    saw_result: bool,
}

impl TranscriptPrinter {
    /// True once a turn's `result` was rendered.
    pub fn saw_result(&self) -> bool {
        self.saw_result
    }

    /// The text for one transcript line: whole lines, or empty.
    pub fn render(&mut self, line: &str) -> String {
        if line.trim().is_empty() {
            return String::new();
        }
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            return format!("[transcript] {line}\n");
        };
        let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
        match text("/type") {
            Some("system") if text("/subtype") == Some("init") => format!(
                "[init] model {}, session {}\n",
                text("/model").unwrap_or("-"),
                text("/session_id").unwrap_or("-")
            ),
            Some("system") => text("/content")
                .map(|content| format!("[system] {content}\n"))
                .unwrap_or_default(),
            Some("assistant") => self.blocks(&event),
            Some("user") => self.blocks(&event),
            Some("result") => {
                self.saw_result = true;
                let result = text("/result").or_else(|| text("/subtype")).unwrap_or("");
                if event.get("is_error").and_then(Value::as_bool) == Some(true) {
                    format!("[task] failed: {result}\n")
                } else {
                    format!("[task] completed: {result}\n")
                }
            }
            _ => String::new(),
        }
    }

    /// The content blocks of an assistant or user message.
    fn blocks(&mut self, event: &Value) -> String {
        let Some(blocks) = event.pointer("/message/content").and_then(Value::as_array) else {
            return String::new();
        };
        let mut out = String::new();
        for block in blocks {
            let field = |name: &str| block.get(name).and_then(Value::as_str).unwrap_or("");
            match field("type") {
                "text" if !field("text").is_empty() => {
                    out.push_str(field("text"));
                    out.push('\n');
                }
                "thinking" if !field("thinking").is_empty() => {
                    out.push_str(&format!("[thinking] {}\n", field("thinking")));
                }
                "tool_use" => {
                    self.tools
                        .insert(field("id").to_owned(), field("name").to_owned());
                    let input = block.get("input").map(Value::to_string).unwrap_or_default();
                    out.push_str(&format!(
                        "[tool] {} {}\n",
                        tool_name(field("name"), field("id")),
                        one_line(&input, TOOL_TEXT_WIDTH)
                    ));
                }
                "tool_result" => {
                    let id = field("tool_use_id");
                    let name = self.tools.get(id).map_or("", String::as_str);
                    let failed = block.get("is_error").and_then(Value::as_bool) == Some(true);
                    out.push_str(&format!(
                        "[tool result] {} {}",
                        tool_name(name, id),
                        if failed { "error" } else { "ok" }
                    ));
                    if failed {
                        let content = match block.get("content") {
                            Some(Value::String(text)) => text.clone(),
                            Some(other) => other.to_string(),
                            None => String::new(),
                        };
                        out.push_str(&format!(": {}", one_line(&content, TOOL_TEXT_WIDTH)));
                    }
                    out.push('\n');
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_turn_reads_like_live_events() {
        let lines = [
            r#"{"type":"system","subtype":"init","model":"m","session_id":"u1"}"#,
            r#"{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"echo hi"}}]}}"#,
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"hi","is_error":false}]}}"#,
            r#"{"type":"assistant","message":{"content":[{"type":"text","text":"It printed hi."}]}}"#,
            r#"{"type":"result","is_error":false,"result":"It printed hi."}"#,
            r#"{"type":"rate_limit_event"}"#,
            "not json",
        ];
        let mut printer = TranscriptPrinter::default();
        let text: String = lines.iter().map(|l| printer.render(l)).collect();
        assert_eq!(
            text,
            "[init] model m, session u1\n\
             [tool] Bash {\"command\":\"echo hi\"}\n\
             [tool result] Bash ok\n\
             It printed hi.\n\
             [task] completed: It printed hi.\n\
             [transcript] not json\n"
        );
    }

    #[test]
    fn failures_say_why() {
        let mut printer = TranscriptPrinter::default();
        let text =
            printer.render(r#"{"type":"result","is_error":true,"result":"fixture failure"}"#);
        assert_eq!(text, "[task] failed: fixture failure\n");
        assert!(printer.saw_result());
        let text = printer.render(
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"x","content":[{"type":"text","text":"boom"}],"is_error":true}]}}"#,
        );
        assert!(text.starts_with("[tool result] x error: [{"), "{text}");
    }
}
