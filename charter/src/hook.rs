//! Claude Code hook protocol answers: [`hook_response`], [`session_start_response`].
//!
//! Field names as documented by Claude Code's hooks reference: PreToolUse answers
//! `hookSpecificOutput.permissionDecision` (`allow` | `deny` | `ask`) with
//! `permissionDecisionReason`; UserPromptSubmit blocks with top-level
//! `{"decision":"block","reason":…}` (the recorded fixture shows this stops the turn before any
//! API call); SessionStart adds `hookSpecificOutput.additionalContext`. An empty object means
//! "no opinion" and lets the CLI proceed normally.

use serde_json::{Value, json};

use super::policy::{Decision, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    PreToolUse,
    UserPromptSubmit,
    SessionStart,
}

impl HookEvent {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "PreToolUse" => Some(Self::PreToolUse),
            "UserPromptSubmit" => Some(Self::UserPromptSubmit),
            "SessionStart" => Some(Self::SessionStart),
            _ => None,
        }
    }
}

/// The JSON to print on the hook's stdout. An `Escalate` reaching here is still pending
/// (the approval was not resolved): PreToolUse falls back to Claude Code's own prompt, a
/// prompt is blocked.
pub fn hook_response(event: HookEvent, decision: &Decision) -> Value {
    match event {
        HookEvent::PreToolUse => {
            let permission = match decision.verdict {
                Verdict::Allow => "allow",
                Verdict::Deny => "deny",
                Verdict::Ask | Verdict::Escalate => "ask",
            };
            json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": permission,
                "permissionDecisionReason": decision.reason,
            }})
        }
        HookEvent::UserPromptSubmit => match decision.verdict {
            Verdict::Deny | Verdict::Escalate => {
                json!({"decision": "block", "reason": decision.reason})
            }
            Verdict::Allow | Verdict::Ask => json!({}),
        },
        HookEvent::SessionStart => json!({}),
    }
}

/// SessionStart: inject `context` (relevant memories) into the conversation.
pub fn session_start_response(context: &str) -> Value {
    json!({"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": context}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Decision, Verdict};

    fn d(verdict: Verdict) -> Decision {
        Decision {
            verdict,
            rule: None,
            reason: "charter: alwaysReject matched \"rm -rf /\"".into(),
        }
    }

    #[test]
    fn shapes() {
        let deny = hook_response(HookEvent::PreToolUse, &d(Verdict::Deny));
        assert_eq!(deny["hookSpecificOutput"]["hookEventName"], "PreToolUse");
        assert_eq!(deny["hookSpecificOutput"]["permissionDecision"], "deny");
        assert_eq!(
            deny["hookSpecificOutput"]["permissionDecisionReason"],
            d(Verdict::Deny).reason
        );
        assert_eq!(
            hook_response(HookEvent::PreToolUse, &d(Verdict::Allow))["hookSpecificOutput"]["permissionDecision"],
            "allow"
        );
        assert_eq!(
            hook_response(HookEvent::PreToolUse, &d(Verdict::Escalate))["hookSpecificOutput"]["permissionDecision"],
            "ask"
        );
        // The exact block the recorded CLI run accepted.
        let fixture =
            include_str!("../../daemon/tests/fixtures/claude/prompt-blocked-by-hook.jsonl");
        let reason = fixture
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find_map(|v| {
                v["prompt_submit_outcome"]["reason"]
                    .as_str()
                    .map(str::to_string)
            });
        let block = hook_response(HookEvent::UserPromptSubmit, &d(Verdict::Deny));
        assert_eq!(block, json!({"decision": "block", "reason": reason}));
        assert_eq!(
            hook_response(HookEvent::UserPromptSubmit, &d(Verdict::Allow)),
            json!({})
        );
        assert_eq!(
            session_start_response("MEMORY: x"),
            json!({"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "MEMORY: x"}})
        );
    }
}
