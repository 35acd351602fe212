//! A [`Reply`] as the Messages API streams it (`text/event-stream`), in the order Claude Code
//! 2.1.330 reads: `message_start` (input and cache tokens, `output_tokens: 1`), `ping`, per
//! block `content_block_start` → `content_block_delta` → `content_block_stop`, then
//! `message_delta` (stop reason, output tokens) and `message_stop`.

use serde_json::{Value, json};

use crate::script::{Block, Reply};

/// The ids the server gives a reply: its message id and one per tool call without an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ids {
    pub message: String,
    pub next_tool_use: u64,
}

/// The event stream of `reply` for a request that asked for `model`. Tool calls without an id
/// get `toolu_…` from `ids`; the blocks as sent (ids filled in) are returned with the stream.
pub(crate) fn event_stream(reply: &Reply, model: &str, ids: &mut Ids) -> (String, Vec<Block>) {
    let mut out = String::new();
    let usage = reply.usage;
    event(
        &mut out,
        "message_start",
        json!({"type": "message_start", "message": {
            "id": ids.message, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {
                "input_tokens": usage.input_tokens,
                "cache_creation_input_tokens": usage.cache_creation_input_tokens,
                "cache_read_input_tokens": usage.cache_read_input_tokens,
                "output_tokens": 1,
            },
        }}),
    );
    event(&mut out, "ping", json!({"type": "ping"}));
    let mut sent = Vec::with_capacity(reply.content.len());
    for (index, block) in reply.content.iter().enumerate() {
        let block = with_id(block, ids);
        let (start, delta) = match &block {
            Block::Text { text } => (
                json!({"type": "text", "text": ""}),
                json!({"type": "text_delta", "text": text}),
            ),
            Block::ToolUse { id, name, input } => (
                json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                json!({"type": "input_json_delta", "partial_json": input.to_string()}),
            ),
        };
        event(
            &mut out,
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": start}),
        );
        event(
            &mut out,
            "content_block_delta",
            json!({"type": "content_block_delta", "index": index, "delta": delta}),
        );
        event(
            &mut out,
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        );
        sent.push(block);
    }
    event(
        &mut out,
        "message_delta",
        json!({"type": "message_delta",
            "delta": {"stop_reason": reply.effective_stop_reason(), "stop_sequence": null},
            "usage": {"output_tokens": usage.output_tokens}}),
    );
    event(&mut out, "message_stop", json!({"type": "message_stop"}));
    (out, sent)
}

fn with_id(block: &Block, ids: &mut Ids) -> Block {
    match block {
        Block::ToolUse {
            id: None,
            name,
            input,
        } => {
            ids.next_tool_use += 1;
            Block::ToolUse {
                id: Some(format!("toolu_{:024x}", ids.next_tool_use)),
                name: name.clone(),
                input: input.clone(),
            }
        }
        other => other.clone(),
    }
}

fn event(out: &mut String, name: &str, data: Value) {
    out.push_str("event: ");
    out.push_str(name);
    out.push_str("\ndata: ");
    out.push_str(&data.to_string());
    out.push_str("\n\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Usage;

    fn events(stream: &str) -> Vec<Value> {
        stream
            .split("\n\n")
            .filter(|e| !e.is_empty())
            .map(|e| serde_json::from_str(e.split_once("data: ").unwrap().1).unwrap())
            .collect()
    }

    #[test]
    fn a_tool_call_streams_in_the_order_claude_code_reads() {
        let reply = Reply::text("let me look")
            .with_tool_use("Bash", json!({"command": "ls"}))
            .with_usage(Usage {
                input_tokens: 5,
                output_tokens: 6,
                cache_creation_input_tokens: 7,
                cache_read_input_tokens: 8,
            });
        let mut ids = Ids {
            message: "msg_1".into(),
            next_tool_use: 0,
        };
        let (stream, sent) = event_stream(&reply, "claude-test", &mut ids);
        let events = events(&stream);
        let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "message_start",
                "ping",
                "content_block_start",
                "content_block_delta",
                "content_block_stop",
                "content_block_start",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop"
            ]
        );
        let start_usage = &events[0]["message"]["usage"];
        assert_eq!(start_usage["input_tokens"], 5);
        assert_eq!(start_usage["output_tokens"], 1);
        assert_eq!(start_usage["cache_read_input_tokens"], 8);
        assert_eq!(events[5]["content_block"]["input"], json!({}));
        assert_eq!(events[6]["delta"]["partial_json"], r#"{"command":"ls"}"#);
        assert_eq!(events[8]["delta"]["stop_reason"], "tool_use");
        assert_eq!(events[8]["usage"], json!({"output_tokens": 6}));
        let id = "toolu_000000000000000000000001";
        assert_eq!(events[5]["content_block"]["id"], id);
        assert!(matches!(&sent[1], Block::ToolUse { id: Some(sent_id), .. } if sent_id == id));
    }
}
