//! Message content: [`ContentBlock`] (tagged on `type`) and [`UserContent`].

use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::{Map, Value};

/// A user message's `content`: a plain string or a list of blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum UserContent {
    Text(String),
    Blocks(Vec<ContentBlock>),
}

impl Default for UserContent {
    fn default() -> Self {
        UserContent::Blocks(Vec::new())
    }
}

impl<'de> Deserialize<'de> for UserContent {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(de)? {
            Value::String(s) => UserContent::Text(s),
            Value::Array(items) => {
                UserContent::Blocks(items.into_iter().map(ContentBlock::from_value).collect())
            }
            _ => UserContent::default(),
        })
    }
}

/// One block of a message's `content`, tagged on `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentBlock {
    Text {
        text: String,
    },
    Thinking {
        thinking: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    /// `content` is a string or a list of blocks (e.g. `[{"type":"text","text":…}]`); kept raw.
    ToolResult {
        tool_use_id: String,
        content: Value,
        is_error: bool,
    },
    /// Any other block type (`redacted_thinking`, `image`, `server_tool_use`, …), kept raw.
    Other(Value),
}

impl ContentBlock {
    fn from_value(value: Value) -> ContentBlock {
        let Value::Object(mut map) = value else {
            return ContentBlock::Other(value);
        };
        match map.get("type").and_then(Value::as_str) {
            Some("text") => ContentBlock::Text {
                text: take_string(&mut map, "text"),
            },
            Some("thinking") => ContentBlock::Thinking {
                thinking: take_string(&mut map, "thinking"),
            },
            Some("tool_use") => ContentBlock::ToolUse {
                id: take_string(&mut map, "id"),
                name: take_string(&mut map, "name"),
                input: map.remove("input").unwrap_or(Value::Null),
            },
            Some("tool_result") => ContentBlock::ToolResult {
                tool_use_id: take_string(&mut map, "tool_use_id"),
                is_error: map
                    .get("is_error")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                content: map.remove("content").unwrap_or(Value::Null),
            },
            _ => ContentBlock::Other(Value::Object(map)),
        }
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        Value::deserialize(de).map(ContentBlock::from_value)
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str) -> String {
    match map.remove(key) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    }
}
