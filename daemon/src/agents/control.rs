//! What the daemon writes to a Claude Code agent's stdin (stream-json input): the user's
//! turns ([`user_turn`]), answers to its permission prompts ([`permission_response`] of a
//! [`PermissionAnswer`]), interrupts ([`interrupt_request`]) and refusals of requests it does
//! not handle ([`control_error`]). The shapes are those the real CLI 2.1.330 accepts.

use serde_json::Value;

/// What the agent is told when it asks to use a tool.
#[derive(Debug, Clone, PartialEq)]
pub enum PermissionAnswer {
    /// Run the tool with this input (the original, or with a question's `answers` added).
    Allow {
        /// The input to run with.
        updated_input: Value,
    },
    /// Do not run it; the model is told `message`.
    Deny {
        /// Why.
        message: String,
    },
}

/// The first (or a follow-up) user turn as Claude Code's stream-json input expects it.
pub fn user_turn(text: &str) -> String {
    serde_json::json!({"type": "user", "message": {"role": "user", "content": text}}).to_string()
}

/// The answer to a `can_use_tool` `control_request`, as one stdin line (the shape the real
/// CLI accepts: `fixtures/claude/tool-loop/README.md`).
pub fn permission_response(request_id: &str, answer: &PermissionAnswer) -> String {
    let decision = match answer {
        PermissionAnswer::Allow { updated_input } => {
            serde_json::json!({"behavior": "allow", "updatedInput": updated_input})
        }
        PermissionAnswer::Deny { message } => {
            serde_json::json!({"behavior": "deny", "message": message})
        }
    };
    serde_json::json!({"type": "control_response", "response": {
        "subtype": "success", "request_id": request_id, "response": decision,
    }})
    .to_string()
}

/// A `control_request` that interrupts the agent's turn (as Esc does in the terminal): the CLI
/// answers with a `control_response`, aborts the model call or the running tool, and ends the
/// turn with an error `result` (`terminal_reason` `aborted_streaming` or `aborted_tools`).
pub fn interrupt_request(request_id: &str) -> String {
    serde_json::json!({"type": "control_request", "request_id": request_id,
                       "request": {"subtype": "interrupt"}})
    .to_string()
}

/// The answer to a `control_request` the daemon does not handle, so the agent does not wait.
pub fn control_error(request_id: &str, message: &str) -> String {
    serde_json::json!({"type": "control_response", "response": {
        "subtype": "error", "request_id": request_id, "error": message,
    }})
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_turns_are_stream_json_lines() {
        let line = user_turn("say \"hi\"\nplease");
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["message"]["content"], "say \"hi\"\nplease");
        assert_eq!(value["type"], "user");
    }
}
