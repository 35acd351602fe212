//! What a notification says: [`Notification`], built from a [`DaemonEvent`] by
//! [`Notification::from_event`] — one human sentence (`text`, Slack's field) and the
//! structured event in the WebSocket API's shapes (`approval`, `session`).

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::api::ws::approvals::approval_object;
use crate::api::ws::wire::{WireSession, iso};
use crate::core::Core;
use crate::model::ApprovalRequest;
use crate::model::{DaemonEvent, Session, SessionStatus, WaitKind};
use orchestrator_config::notify::NotifyEvent;

/// The longest task description quoted in a sentence, in characters.
const TASK_CHARS: usize = 80;
/// The longest tool input quoted in a sentence, in characters.
const INPUT_CHARS: usize = 160;

/// One event to send, encoded once for every channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Which event.
    pub event: NotifyEvent,
    /// The session it is about.
    pub session_id: String,
    /// The approval request, for `approval_required`.
    pub approval_id: Option<String>,
    /// One sentence for a person.
    pub text: String,
    /// The webhook body: `text` plus the structured event.
    pub json: String,
}

impl Notification {
    /// The notification for `event`, when it is one of `wanted`. `core` supplies the session
    /// an approval request belongs to.
    pub fn from_event(core: &Core, event: &DaemonEvent, wanted: &[NotifyEvent]) -> Option<Self> {
        let kind = kind_of(event)?;
        if !wanted.contains(&kind) {
            return None;
        }
        Some(match event {
            DaemonEvent::ApprovalRequired(request) => {
                let session = core.session(&request.session_id);
                approval_required(request, session.as_ref())
            }
            DaemonEvent::SessionCompleted(session) => session_ended(kind, session),
            DaemonEvent::SessionStalled { session, idle_for } => stalled(session, *idle_for),
            _ => return None,
        })
    }
}

/// The notify event an event is, if any: an ended session is `session_completed` when it
/// completed, else (failed, or terminated: stopped, timed out, over its memory) `session_failed`.
fn kind_of(event: &DaemonEvent) -> Option<NotifyEvent> {
    match event {
        DaemonEvent::ApprovalRequired(_) => Some(NotifyEvent::ApprovalRequired),
        DaemonEvent::SessionCompleted(s) if s.status == SessionStatus::Completed => {
            Some(NotifyEvent::SessionCompleted)
        }
        DaemonEvent::SessionCompleted(s) if s.status.is_ended() => Some(NotifyEvent::SessionFailed),
        DaemonEvent::SessionStalled { .. } => Some(NotifyEvent::SessionStalled),
        _ => None,
    }
}

fn approval_required(request: &ApprovalRequest, session: Option<&Session>) -> Notification {
    let text = if request.kind == WaitKind::Question {
        format!(
            "Session {}{} asks: {} — answer with `wundr orchestrator approval answer {} \"TEXT\"`",
            request.session_id,
            session.map(task_clause).unwrap_or_default(),
            one_line(&request.summary(), INPUT_CHARS),
            request.id,
        )
    } else {
        format!(
            "Session {}{} needs approval: {} `{}` (rule {}) — approve with `wundr orchestrator \
             approval approve {}` or deny with `wundr orchestrator approval deny {}`",
            request.session_id,
            session.map(task_clause).unwrap_or_default(),
            request.tool,
            input_summary(&request.input),
            request.rule,
            request.id,
            request.id,
        )
    };
    let mut body = json!({
        "text": text,
        "event": NotifyEvent::ApprovalRequired.as_str(),
        "sessionId": request.session_id,
        "approvalId": request.id,
        "timestamp": iso(SystemTime::now()),
        "approval": approval_object(request),
    });
    if let Some(session) = session {
        body["session"] = session_value(session);
    }
    Notification {
        event: NotifyEvent::ApprovalRequired,
        session_id: request.session_id.clone(),
        approval_id: Some(request.id.clone()),
        text,
        json: body.to_string(),
    }
}

fn session_ended(kind: NotifyEvent, session: &Session) -> Notification {
    let took = Duration::from_secs(session.metrics.duration / 1000);
    let outcome = match (session.status, session.error.as_deref()) {
        (SessionStatus::Completed, _) => {
            format!("completed in {}", humantime::format_duration(took))
        }
        (SessionStatus::Terminated, Some(error)) => {
            format!("was terminated: {}", one_line(error, 200))
        }
        (SessionStatus::Terminated, None) => "was terminated".to_owned(),
        (_, Some(error)) => format!("failed: {}", one_line(error, 200)),
        (_, None) => "failed".to_owned(),
    };
    let text = format!(
        "Session {}{} {outcome} — see `wundr orchestrator logs --session {}`",
        session.id,
        task_clause(session),
        session.id
    );
    notification(kind, session, text, None)
}

fn stalled(session: &Session, idle_for: Duration) -> Notification {
    let idle = Duration::from_secs(idle_for.as_secs());
    let text = format!(
        "Session {}{} has shown no progress for {} — see `wundr orchestrator logs --session {} -f`",
        session.id,
        task_clause(session),
        humantime::format_duration(idle),
        session.id
    );
    let idle_ms = u64::try_from(idle_for.as_millis()).unwrap_or(u64::MAX);
    notification(NotifyEvent::SessionStalled, session, text, Some(idle_ms))
}

fn notification(
    kind: NotifyEvent,
    session: &Session,
    text: String,
    idle_for_ms: Option<u64>,
) -> Notification {
    let mut body = json!({
        "text": text,
        "event": kind.as_str(),
        "sessionId": session.id,
        "timestamp": iso(SystemTime::now()),
        "session": session_value(session),
    });
    if let Some(ms) = idle_for_ms {
        body["idleForMs"] = json!(ms);
    }
    Notification {
        event: kind,
        session_id: session.id.clone(),
        approval_id: None,
        text,
        json: body.to_string(),
    }
}

fn session_value(session: &Session) -> Value {
    // A derived Serialize of plain strings and numbers cannot fail.
    serde_json::to_value(WireSession::new(session)).unwrap_or(Value::Null)
}

/// ` (task “Fix the login test”)`.
fn task_clause(session: &Session) -> String {
    format!(
        " (task “{}”)",
        one_line(&session.task.description, TASK_CHARS)
    )
}

/// What the tool was asked to do, in one line: a Bash command, a file path, a prompt, or
/// the input as JSON.
fn input_summary(input: &Value) -> String {
    let text = [
        "command",
        "file_path",
        "notebook_path",
        "path",
        "url",
        "prompt",
    ]
    .iter()
    .find_map(|key| input.get(*key)?.as_str().map(str::to_owned))
    .unwrap_or_else(|| input.to_string());
    // A backtick would end the code span the sentence puts it in.
    one_line(&text, INPUT_CHARS).replace('`', "'")
}

/// `text` on one line, cut to `max` characters with an ellipsis.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_stay_on_one_bounded_line() {
        assert_eq!(
            input_summary(&json!({"command": "kubectl apply\n -f `x`"})),
            "kubectl apply -f 'x'"
        );
        assert_eq!(
            input_summary(&json!({"file_path": "/etc/hosts"})),
            "/etc/hosts"
        );
        assert_eq!(input_summary(&json!({"a": 1})), r#"{"a":1}"#);
        let long = one_line(&"x".repeat(500), 10);
        assert_eq!(long.chars().count(), 10);
        assert!(long.ends_with('…'));
    }
}
