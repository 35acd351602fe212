//! The agent's own permission prompt, answered by the daemon: Claude Code sessions run with
//! `--permission-prompt-tool stdio`, so whenever Claude Code would ask a user about a tool
//! call (its own rules say "ask", or a charter hook said "ask") it writes a `control_request`
//! (`can_use_tool`) and waits for the answer on its stdin. [`decide_permission`] answers it
//! ([`PermissionAnswer`]):
//!
//! - the charter decides first, as for hooks: `alwaysReject` and hard constraints deny,
//!   `autoApprove` allows;
//! - what it escalates, and what it leaves open (`defaultDecision: ask`, the default), goes to
//!   a person as an approval request ([`super::ask`]): same list, doors, audit and timeout as
//!   a hook's escalation; no answer in time is a deny;
//! - `AskUserQuestion` is the agent asking the person something: the person's text answer is
//!   handed back as the tool's `answers` (what Claude Code reads), a refusal is a deny.
//!
//! Every decision is audited (event `PermissionRequest`); one that cannot be recorded is a
//! deny, as for hooks.

use serde_json::{Map, Value, json};

use super::ask::ask_person;
use super::hooks::{ASK_USER_QUESTION, HookOutcome, approval_timeout, audit};
use crate::agents::control::PermissionAnswer;
use crate::core::Core;
use crate::model::ApprovalRequest;
use crate::model::WaitKind;
use orchestrator_charter::policy::{Action, Verdict};

/// The audit event of a permission prompt's decision.
pub const PERMISSION_EVENT: &str = "PermissionRequest";

/// A `can_use_tool` question from the agent.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionRequest {
    /// The tool.
    pub tool_name: String,
    /// What it would be called with.
    pub input: Value,
    /// Why Claude Code asks, when it says (e.g. a charter hook's reason).
    pub reason: Option<String>,
}

/// Decides one permission prompt of session `session_id` (see the module doc). Waits for a
/// person when it must; cancel-safe (a dropped call expires its approval request).
pub async fn decide_permission(
    core: &Core,
    session_id: &str,
    request: &PermissionRequest,
) -> PermissionAnswer {
    let active = core.charter();
    let action = Action::ToolUse {
        tool_name: request.tool_name.clone(),
        input: request.input.clone(),
    };
    let decision = active.policy.decide(&action);
    let mut rule = decision
        .rule
        .as_ref()
        .map(|r| format!("{}: {}", r.list.as_str(), r.entry))
        .unwrap_or_default();
    let question = request.tool_name == ASK_USER_QUESTION && decision.verdict != Verdict::Deny;
    let (answer, approved_by, receipt) = match decision.verdict {
        Verdict::Deny => (deny(decision.reason), String::new(), None),
        Verdict::Allow if !question => (allow(request.input.clone()), String::new(), None),
        _ => {
            if rule.is_empty() && !question {
                rule = orchestrator_charter::policy::DEFAULT_ASK_RULE.to_owned();
            }
            let reason = if question {
                "the agent asks you a question".to_owned()
            } else {
                request.reason.clone().unwrap_or(decision.reason)
            };
            let timeout = approval_timeout(&active.charter);
            let kind = if question {
                WaitKind::Question
            } else {
                WaitKind::Approval
            };
            let approval = ApprovalRequest::new(
                session_id,
                kind,
                &request.tool_name,
                request.input.clone(),
                rule.clone(),
                reason,
                timeout,
            );
            let waited = ask_person(core, approval, timeout).await;
            let answer = match (waited.verdict, waited.text) {
                (Verdict::Allow, Some(text)) if question => {
                    allow(with_answers(&request.input, &text))
                }
                (Verdict::Allow, _) => allow(request.input.clone()),
                _ => deny(waited.reason),
            };
            (answer, waited.by, waited.receipt)
        }
    };
    let outcome = HookOutcome {
        output: Value::Null,
        decision: match answer {
            PermissionAnswer::Allow { .. } => "allow",
            PermissionAnswer::Deny { .. } => "deny",
        },
        reason: match &answer {
            PermissionAnswer::Allow { .. } => String::new(),
            PermissionAnswer::Deny { message } => message.clone(),
        },
        rule,
    };
    let recorded = audit(
        core,
        session_id,
        PERMISSION_EVENT,
        &request.tool_name,
        &request.input,
        &outcome,
        &approved_by,
    )
    .await;
    let answer = match (&recorded, answer) {
        (Err(err), PermissionAnswer::Allow { .. }) => {
            // Fail closed: what cannot be recorded does not run.
            let message = format!(
                "charter: denied because the daemon cannot record this decision ({}); {}",
                crate::error_chain(err),
                err.remedy()
            );
            tracing::error!(session = session_id, tool = %request.tool_name, "{message}");
            deny(message)
        }
        (_, answer) => answer,
    };
    if let Some(receipt) = receipt {
        let _ = receipt.send(recorded);
    }
    answer
}

fn allow(updated_input: Value) -> PermissionAnswer {
    PermissionAnswer::Allow { updated_input }
}

fn deny(message: String) -> PermissionAnswer {
    PermissionAnswer::Deny { message }
}

/// `input` (an `AskUserQuestion` call) with `answers` naming `text` as the answer to each of
/// its questions, as Claude Code reads the person's answers.
pub fn with_answers(input: &Value, text: &str) -> Value {
    let mut updated = input.as_object().cloned().unwrap_or_default();
    let mut answers = Map::new();
    let questions = input
        .get("questions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for question in &questions {
        if let Some(asked) = question.get("question").and_then(Value::as_str) {
            answers.insert(asked.to_owned(), json!(text));
        }
    }
    updated.insert("answers".to_owned(), Value::Object(answers));
    Value::Object(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_gets_the_answer() {
        let input = json!({"questions": [
            {"question": "Which database?", "header": "DB", "options": [], "multiSelect": false},
            {"question": "Which port?", "header": "Port", "options": [], "multiSelect": false}
        ]});
        let updated = with_answers(&input, "Postgres on 5432");
        assert_eq!(updated["answers"]["Which database?"], "Postgres on 5432");
        assert_eq!(updated["answers"]["Which port?"], "Postgres on 5432");
        assert_eq!(
            updated["questions"], input["questions"],
            "the questions stay"
        );
    }
}
