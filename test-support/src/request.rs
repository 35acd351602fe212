//! [`ModelRequest`]: one recorded `POST /v1/messages` body, with readers for what a test asks
//! of it — the last [`ToolResult`], the user's texts, the tools offered.

use serde_json::Value;

/// The parsed JSON body of one model call, in arrival order.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    pub body: Value,
}

/// A `tool_result` block the CLI sent back, its content flattened to text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    pub tool_use_id: String,
    pub content: String,
    pub is_error: bool,
}

impl ModelRequest {
    /// The `messages` array (empty when absent).
    pub fn messages(&self) -> &[Value] {
        self.body["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Every `tool_result` block of every user message, oldest first.
    pub fn tool_results(&self) -> Vec<ToolResult> {
        self.messages()
            .iter()
            .filter(|m| m["role"] == "user")
            .flat_map(blocks)
            .filter(|b| b["type"] == "tool_result")
            .map(|b| ToolResult {
                tool_use_id: b["tool_use_id"].as_str().unwrap_or_default().to_owned(),
                content: text_of(&b["content"]),
                is_error: b["is_error"].as_bool().unwrap_or(false),
            })
            .collect()
    }

    /// The newest `tool_result`, the answer to the call the previous reply made.
    pub fn last_tool_result(&self) -> Option<ToolResult> {
        self.tool_results().pop()
    }

    /// The text blocks (or string contents) of the user messages, oldest first: the prompts
    /// and whatever else the CLI adds as user text (reminders, earlier turns after `--resume`).
    pub fn user_texts(&self) -> Vec<String> {
        self.messages()
            .iter()
            .filter(|m| m["role"] == "user")
            .flat_map(|m| match &m["content"] {
                Value::String(text) => vec![text.clone()],
                _ => blocks(m)
                    .filter(|b| b["type"] == "text")
                    .map(|b| b["text"].as_str().unwrap_or_default().to_owned())
                    .collect(),
            })
            .collect()
    }

    /// The text blocks of the assistant messages, oldest first: what the model said before.
    pub fn assistant_texts(&self) -> Vec<String> {
        self.messages()
            .iter()
            .filter(|m| m["role"] == "assistant")
            .flat_map(blocks)
            .filter(|b| b["type"] == "text")
            .map(|b| b["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The names of the tools the CLI offered the model.
    pub fn tool_names(&self) -> Vec<String> {
        self.body["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect()
    }
}

/// The content blocks of a message whose content is an array.
fn blocks(message: &Value) -> impl Iterator<Item = &Value> {
    message["content"].as_array().into_iter().flatten()
}

/// A tool result's content as text: a string as is, text blocks joined by newlines.
fn text_of(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_results_and_texts_are_read_from_either_content_shape() {
        let request = ModelRequest {
            body: json!({"messages": [
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": [{"type": "text", "text": "said"},
                    {"type": "tool_use", "id": "t1", "name": "Bash", "input": {}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "is_error": true,
                     "content": [{"type": "text", "text": "no"}, {"type": "text", "text": "way"}]},
                    {"type": "text", "text": "second"}]}
            ], "tools": [{"name": "Bash"}]}),
        };
        assert_eq!(
            request.last_tool_result(),
            Some(ToolResult {
                tool_use_id: "t1".into(),
                content: "no\nway".into(),
                is_error: true
            })
        );
        assert_eq!(request.user_texts(), ["first", "second"]);
        assert_eq!(request.assistant_texts(), ["said"]);
        assert_eq!(request.tool_names(), ["Bash"]);
    }
}
