//! Deciding a hook call in the daemon: [`handle_hook`] reads what Claude Code sent, decides it
//! against the charter in force, turns an escalation into an approval request (announced as
//! `DaemonEvent::ApprovalRequired`, answered through [`answer_approval`]) and waits for the
//! answer (no answer before `approvalTimeoutSeconds` = deny), records the decision in the audit
//! table, and returns what the hook prints ([`HookOutcome`]).
//!
//! A decision is answered only once its audit record is committed. When the store cannot take
//! it, the action is denied (fail closed: nothing runs unrecorded) with the cause and remedy in
//! the reason, and a person's approval is reported back to them as not recorded. [`session_start_context`] is what
//! a session's first turn is given: the charter's identity, responsibilities and hard
//! constraints, then the session's memory context.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

pub use super::ask::answer_approval;
use super::ask::ask_person;
use crate::core::Core;
use crate::model::{ApprovalRequest, summarize};
use crate::model::{Session, WaitKind};
use crate::store::{AuditRecord, StoreError};
use orchestrator_charter::hook::{HookEvent, hook_response, session_start_response};
use orchestrator_charter::policy::{Action, Decision, Verdict};
use orchestrator_charter::schema::Charter;

/// The tool with which an agent asks the person a question.
pub const ASK_USER_QUESTION: &str = "AskUserQuestion";

/// How long a question to a person stays open: the charter's `approvalTimeoutSeconds`.
pub fn approval_timeout(charter: &Charter) -> Duration {
    Duration::from_secs(
        u64::try_from(charter.approval_timeout_seconds)
            .unwrap_or(300)
            .max(1),
    )
}

/// What the hook prints, and what was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct HookOutcome {
    /// Claude Code's hook protocol answer.
    pub output: Value,
    /// `allow`, `deny`, `ask`, `context`.
    pub decision: &'static str,
    /// The reason given.
    pub reason: String,
    /// `list: entry` of the matched rule, or empty.
    pub rule: String,
}

/// Why a hook call could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// Not one of the hooked events.
    #[error("unknown hook event {0:?}; expected PreToolUse, UserPromptSubmit or SessionStart")]
    UnknownEvent(String),
    /// The input is not the JSON Claude Code sends for this event.
    #[error("the hook input is not valid {event} JSON")]
    BadInput {
        /// The event.
        event: String,
        /// What was wrong.
        #[source]
        source: serde_json::Error,
    },
    /// Valid JSON without the fields this event needs.
    #[error("the {event} hook input lacks {missing}")]
    MissingField {
        /// The event.
        event: String,
        /// What is missing.
        missing: &'static str,
    },
}

impl HookError {
    /// The stable reason (see `orchestrator_api::error_codes`).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::UnknownEvent(_) => "HOOK_EVENT_UNKNOWN",
            Self::BadInput { .. } => "HOOK_INPUT_INVALID",
            Self::MissingField { .. } => "HOOK_INPUT_INCOMPLETE",
        }
    }
}

/// Decides one hook call (see the module docs).
pub async fn handle_hook(
    core: &Core,
    session_id: &str,
    event: &str,
    input_json: &str,
) -> Result<HookOutcome, HookError> {
    let hook_event =
        HookEvent::parse(event).ok_or_else(|| HookError::UnknownEvent(event.to_owned()))?;
    let input: Value = serde_json::from_str(input_json).map_err(|source| HookError::BadInput {
        event: event.to_owned(),
        source,
    })?;
    if hook_event == HookEvent::SessionStart {
        return Ok(start_context(core, session_id, event, &input).await);
    }
    let action = Action::from_hook_input(&input).ok_or(HookError::MissingField {
        event: event.to_owned(),
        missing: match hook_event {
            HookEvent::UserPromptSubmit => "prompt",
            _ => "tool_name",
        },
    })?;
    let call = HookCall {
        core,
        session_id,
        event,
        hook_event,
    };
    let decided = call.decide(&action).await;
    Ok(call.record(decided).await)
}

/// The context a session starts with (the charter and its memories), given whatever happens
/// to its audit record: a session cannot be held at its start, and a failed record shows as
/// the store `degraded`.
async fn start_context(core: &Core, session_id: &str, event: &str, input: &Value) -> HookOutcome {
    let session = core.session(session_id);
    let context = session_start_context(&core.charter().charter, session.as_ref());
    let memories = session.as_ref().map_or(0, memories_given);
    let noun = if memories == 1 { "memory" } else { "memories" };
    let outcome = HookOutcome {
        output: session_start_response(&context),
        decision: "context",
        reason: format!(
            "{} characters of context, {memories} {noun}",
            context.chars().count()
        ),
        rule: String::new(),
    };
    if let Err(err) = audit(core, session_id, event, "", input, &outcome, "").await {
        tracing::error!(session = session_id, error = %crate::error_chain(&err), "SessionStart not audited");
    }
    outcome
}

/// One hook call about an agent action (a tool call or a prompt).
struct HookCall<'a> {
    core: &'a Core,
    session_id: &'a str,
    event: &'a str,
    hook_event: HookEvent,
}

/// What was decided about one action, and by whom.
struct Decided {
    /// The tool (`prompt` for a prompt) and what it was given, as the audit records them.
    tool: String,
    subject: Value,
    decision: Decision,
    /// `list: entry` of the charter entry that decided, or the default ask rule.
    rule: String,
    /// Who answered when a person decided (`cli`, `ws:<client>`, `timeout`).
    approved_by: String,
    /// Where to report whether the decision was recorded, when a person answered.
    receipt: Option<tokio::sync::oneshot::Sender<Result<(), StoreError>>>,
}

impl HookCall<'_> {
    /// The charter's decision, and a person's when the charter escalates (or leaves open, in
    /// a session that can ask only through its hooks).
    async fn decide(&self, action: &Action) -> Decided {
        let (core, session_id) = (self.core, self.session_id);
        let (tool, subject) = match action {
            Action::ToolUse { tool_name, input } => (tool_name.clone(), input.clone()),
            Action::Prompt { text } => ("prompt".to_owned(), json!({ "prompt": text })),
        };
        let active = core.charter();
        let mut decision = active.policy.decide(action);
        let mut rule = decision
            .rule
            .as_ref()
            .map(|r| format!("{}: {}", r.list.as_str(), r.entry))
            .unwrap_or_default();
        let pre_tool_use = self.hook_event == HookEvent::PreToolUse;
        // An agent with a permission prompt asks there (the daemon answers it on the agent's
        // stdin, see `permission`): the hook says "ask" at once instead of holding the tool.
        let prompts = pre_tool_use && core.asks_through_prompt(session_id);
        if prompts && tool == ASK_USER_QUESTION && decision.verdict != Verdict::Deny {
            decision.verdict = Verdict::Ask;
            decision.reason = "the agent's question goes to a person".to_owned();
        }
        // What the charter leaves to a person in a session that can ask only through its
        // hooks (Claude Flow's Claude Code) is an approval request, as an escalation is.
        let leaves_open = decision.verdict == Verdict::Ask
            && pre_tool_use
            && tool != ASK_USER_QUESTION
            && core.asks_through_hook(session_id);
        if leaves_open && rule.is_empty() {
            rule = orchestrator_charter::policy::DEFAULT_ASK_RULE.to_owned();
        }
        let mut decided = Decided {
            tool,
            subject,
            decision,
            rule,
            approved_by: String::new(),
            receipt: None,
        };
        if (decided.decision.verdict == Verdict::Escalate && !prompts) || leaves_open {
            let timeout = approval_timeout(&active.charter);
            let request = ApprovalRequest::new(
                session_id,
                WaitKind::Approval,
                &decided.tool,
                decided.subject.clone(),
                decided.rule.clone(),
                decided.decision.reason.clone(),
                timeout,
            );
            let waited = ask_person(core, request, timeout).await;
            decided.decision = Decision {
                verdict: waited.verdict,
                reason: waited.reason,
                rule: decided.decision.rule,
            };
            decided.approved_by = waited.by;
            decided.receipt = waited.receipt;
        }
        decided
    }

    /// Writes the audit record and returns what the hook prints. Fails closed: what cannot be
    /// recorded does not run. The person who answered hears whether it was recorded.
    async fn record(&self, decided: Decided) -> HookOutcome {
        let Decided {
            tool,
            subject,
            decision,
            rule,
            approved_by,
            receipt,
        } = decided;
        let (session_id, event) = (self.session_id, self.event);
        let mut outcome = outcome_of(self.hook_event, &decision, rule.clone());
        let recorded = audit(
            self.core,
            session_id,
            event,
            &tool,
            &subject,
            &outcome,
            &approved_by,
        )
        .await;
        if let Err(err) = &recorded
            && outcome.decision != "deny"
        {
            let reason = format!(
                "charter: denied because the daemon cannot record this decision ({}); {}",
                crate::error_chain(err),
                err.remedy()
            );
            tracing::error!(session = session_id, event, tool, "{reason}");
            outcome = outcome_of(
                self.hook_event,
                &Decision {
                    verdict: Verdict::Deny,
                    reason,
                    rule: decision.rule,
                },
                rule,
            );
        }
        if let Some(receipt) = receipt {
            let _ = receipt.send(recorded);
        }
        outcome
    }
}

fn outcome_of(hook_event: HookEvent, decision: &Decision, rule: String) -> HookOutcome {
    HookOutcome {
        output: hook_response(hook_event, decision),
        decision: match (hook_event, decision.verdict) {
            (_, Verdict::Deny) => "deny",
            (_, Verdict::Allow) => "allow",
            (HookEvent::UserPromptSubmit, Verdict::Ask) => "allow",
            _ => "ask",
        },
        reason: decision.reason.clone(),
        rule,
    }
}

/// Records one decision; resolves once it is committed.
pub(crate) async fn audit(
    core: &Core,
    session_id: &str,
    event: &str,
    tool: &str,
    subject: &Value,
    outcome: &HookOutcome,
    approved_by: &str,
) -> Result<(), StoreError> {
    tracing::debug!(session = session_id, event, tool, decision = outcome.decision, reason = %outcome.reason, "charter decision");
    let Some(store) = core.store() else {
        return Ok(());
    };
    store
        .record_decision(AuditRecord {
            at: SystemTime::now(),
            session_id: session_id.to_owned(),
            event: event.to_owned(),
            tool: tool.to_owned(),
            input_summary: summarize(subject),
            decision: outcome.decision.to_owned(),
            rule: outcome.rule.clone(),
            reason: outcome.reason.clone(),
            approved_by: approved_by.to_owned(),
        })
        .await
}

/// The context a session's agent gets at its start: the charter's identity, responsibilities
/// and hard constraints, then the session's memory context ([`memory_context_text`]).
pub fn session_start_context(charter: &Charter, session: Option<&Session>) -> String {
    let mut text = String::new();
    let id = &charter.identity;
    text.push_str(&format!(
        "You work under the charter \"{}\" (role {}, tier {}).\n",
        charter.name, charter.role, charter.tier
    ));
    if !id.name.is_empty() {
        text.push_str(&format!("Identity: {}", id.name));
        if !id.email.is_empty() {
            text.push_str(&format!(" <{}>", id.email));
        }
        text.push('\n');
    }
    if let Some(description) = id.description.as_deref().filter(|d| !d.is_empty()) {
        text.push_str(&format!("{description}\n"));
    }
    for (title, items) in [
        ("Responsibilities", &charter.responsibilities),
        (
            "Hard constraints (never break these)",
            &charter.hard_constraints,
        ),
    ] {
        if !items.is_empty() {
            text.push_str(&format!("{title}:\n"));
            for item in items {
                text.push_str(&format!("- {item}\n"));
            }
        }
    }
    if let Some(memory) = session.and_then(memory_context_text) {
        text.push_str("\nRelevant memory:\n");
        text.push_str(&memory);
        text.push('\n');
    }
    text
}

/// How many memory entries `session` was given at spawn.
fn memories_given(session: &Session) -> usize {
    ["episodic", "semantic"]
        .iter()
        .filter_map(|tier| session.memory_context.get(*tier)?.as_array())
        .map(Vec::len)
        .sum()
}

/// The memories the session was given at spawn, as rendered text, when there are any.
pub fn memory_context_text(session: &Session) -> Option<String> {
    let text = crate::memory::memory_context_text(session);
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests;
