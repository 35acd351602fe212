//! Asking a person: [`ask_person`] opens an approval request (a tool call to approve, or the
//! agent's question to answer), announces it everywhere a person looks — the event bus
//! (`approval_required`, notifications), the session's output (`logs --session -f`), the
//! session's `waitingFor` — and waits for the answer up to the timeout (none = deny).
//! [`answer_approval`] is how an answer arrives from either door: it resolves the request and
//! returns only once the decision the answer led to is recorded. [`Waited`] is the outcome.
//!
//! Both the charter's hooks (escalations) and the agent's permission prompt
//! (`control_request`) ask through here, so every question has the same list, doors, audit
//! and timeout.

use std::time::Duration;

use crate::charter::approvals::{Answered, ApprovalAnswer, ApprovalError};
use crate::core::Core;
use crate::model::{ApprovalRequest, ApprovalState};
use crate::store::StoreError;
use orchestrator_charter::policy::Verdict;

/// How long the person who answered waits to hear that the decision was recorded.
const RECORD_WAIT: Duration = Duration::from_secs(30);

/// What came of asking a person.
#[derive(Debug)]
pub struct Waited {
    /// Allow (approved, or answered) or deny (denied, or no answer in time).
    pub verdict: Verdict,
    /// Who decided: `cli`, `ws:<client>`, `timeout`.
    pub by: String,
    /// The reason given to the agent.
    pub reason: String,
    /// The text answering a question.
    pub text: Option<String>,
    /// Where to report whether the decision was recorded, when a person answered.
    pub receipt: Option<tokio::sync::oneshot::Sender<Result<(), StoreError>>>,
}

/// Opens `request`, announces it, marks its session waiting and waits up to `timeout`.
pub async fn ask_person(core: &Core, request: ApprovalRequest, timeout: Duration) -> Waited {
    let id = request.id.clone();
    let rule = request.rule.clone();
    let session = request.session_id.clone();
    let rx = core.approvals().open(request.clone());
    core.announce_approval(&request);
    tracing::info!(approval = %id, session = %session, %rule, tool = %request.tool, "waiting for a person");
    // If the caller goes away (the hook call, the agent) this future is dropped; the guard
    // expires the request and clears the session's mark.
    let guard = ExpireOnDrop {
        core,
        id: &id,
        session: &session,
    };
    let answer = tokio::time::timeout(timeout, rx).await;
    // Answered: already removed, the guard only clears the mark. Timed out: expired and
    // announced.
    drop(guard);
    let subject = if rule.is_empty() {
        format!("{} ({})", request.tool, request.reason)
    } else {
        rule.clone()
    };
    match answer {
        Ok(Ok(Answered {
            answer:
                ApprovalAnswer {
                    approve,
                    by,
                    reason,
                    text,
                },
            recorded,
        })) => {
            let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
            let (verdict, word) = if approve {
                (Verdict::Allow, "approved")
            } else {
                (Verdict::Deny, "denied")
            };
            Waited {
                verdict,
                reason: format!("charter: {subject} {word} by {by}{why}"),
                by,
                text,
                receipt: Some(recorded),
            }
        }
        _ => Waited {
            verdict: Verdict::Deny,
            by: "timeout".to_owned(),
            reason: format!(
                "charter: {subject} needs a person's answer and none came within {}s \
                 (approval {id})",
                timeout.as_secs()
            ),
            text: None,
            receipt: None,
        },
    }
}

struct ExpireOnDrop<'a> {
    core: &'a Core,
    id: &'a str,
    session: &'a str,
}

impl Drop for ExpireOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(expired) = self.core.approvals().expire(self.id) {
            self.core.announce_resolution(&expired);
        }
        self.core.clear_waiting(self.session, self.id);
    }
}

/// Answers a pending approval, waits until the decision it led to is recorded, and announces
/// it. An answer that could not be recorded was turned into a deny by the waiting side.
pub async fn answer_approval(
    core: &Core,
    id: &str,
    answer: ApprovalAnswer,
) -> Result<ApprovalRequest, ApprovalError> {
    let (mut resolved, receipt) = core.approvals().answer(id, answer)?;
    // `id` may have been a prefix; name the request by its whole id from here on.
    let id = resolved.id.clone();
    let id = id.as_str();
    let recorded = match tokio::time::timeout(RECORD_WAIT, receipt).await {
        Ok(Ok(recorded)) => recorded,
        // The waiting side went away between receiving the answer and recording it.
        Ok(Err(_)) | Err(_) => return Err(ApprovalError::Abandoned { id: id.to_owned() }),
    };
    if let Err(source) = recorded {
        resolved.state = ApprovalState::Denied;
        core.announce_resolution(&resolved);
        return Err(ApprovalError::Unrecorded {
            id: id.to_owned(),
            source,
        });
    }
    core.announce_resolution(&resolved);
    Ok(resolved)
}
