//! Escalations waiting for a person: [`Approvals`] holds each [`ApprovalRequest`] with the
//! channel its hook call waits on; [`Approvals::answer`] resolves one ([`ApprovalAnswer`]).
//! Expiry is the waiting side's business (`enforce`): it removes the request when its
//! timeout passes, so an answer that arrives later finds nothing ([`ApprovalError::NotFound`]).
//!
//! An answer reaches the waiter as an [`Answered`], with a channel on which the waiter reports
//! whether the decision it made of the answer was recorded: the person who answered is told
//! "done" only once it is on disk ([`ApprovalError::Unrecorded`] otherwise).

use parking_lot::Mutex;
use std::collections::HashMap;

use tokio::sync::oneshot;

use crate::model::{APPROVAL_ID_PREFIX, ApprovalRequest, ApprovalState, WaitKind};
use crate::store::StoreError;

/// A person's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalAnswer {
    /// Approve (`true`) or deny.
    pub approve: bool,
    /// Who answered (`cli`, `ws:<client>`), for the audit.
    pub by: String,
    /// Why, shown to the agent on a deny.
    pub reason: Option<String>,
    /// The answer to a question ([`WaitKind::Question`]); a question approved without one is
    /// refused ([`ApprovalError::AnswerMissing`]).
    pub text: Option<String>,
}

/// Why an answer was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// No pending request has this id (never existed, answered, or expired).
    #[error("no pending approval request {id} (it may have been answered or expired)")]
    NotFound {
        /// The id given.
        id: String,
    },
    /// The answer arrived, but the decision could not be recorded, so the action was denied.
    #[error("the answer to {id} could not be recorded, so the action was denied")]
    Unrecorded {
        /// The request.
        id: String,
        /// Why the audit record was not committed.
        #[source]
        source: StoreError,
    },
    /// A prefix that names more than one pending request.
    #[error("{given} names more than one pending approval request: {}", candidates.join(", "))]
    Ambiguous {
        /// The prefix given.
        given: String,
        /// The requests it names.
        candidates: Vec<String>,
    },
    /// A question was "approved" without the text that answers it.
    #[error("{id} is a question from the agent: answer it with text")]
    AnswerMissing {
        /// The request.
        id: String,
    },
    /// The agent stopped waiting (it ended or timed out) as the answer arrived.
    #[error("the agent stopped waiting for {id} as the answer arrived; nothing was done")]
    Abandoned {
        /// The request.
        id: String,
    },
}

impl ApprovalError {
    /// The stable reason (see `orchestrator_api::error_codes`).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "APPROVAL_NOT_FOUND",
            Self::Unrecorded { .. } => "APPROVAL_UNRECORDED",
            Self::Ambiguous { .. } => "APPROVAL_AMBIGUOUS",
            Self::AnswerMissing { .. } => "APPROVAL_ANSWER_MISSING",
            Self::Abandoned { .. } => "APPROVAL_ABANDONED",
        }
    }

    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::NotFound { .. } | Self::Abandoned { .. } => {
                "list what waits with: wundr orchestrator approval list".to_owned()
            }
            Self::Ambiguous { .. } => "give more of the approval id".to_owned(),
            Self::AnswerMissing { id } => {
                format!("answer it with: wundr orchestrator approval answer {id} \"TEXT\"")
            }
            Self::Unrecorded { source, .. } => source.remedy(),
        }
    }
}

/// An answer as the waiting hook call receives it.
#[derive(Debug)]
pub struct Answered {
    /// What the person said.
    pub answer: ApprovalAnswer,
    /// Where the waiter reports whether its decision was recorded.
    pub recorded: oneshot::Sender<Result<(), StoreError>>,
}

type Pending = HashMap<String, (ApprovalRequest, oneshot::Sender<Answered>)>;

/// The one pending request `given` names: its id, or a prefix of it no other pending
/// request shares (the `approval_` part optional), as git and docker take ids.
fn resolve(pending: &Pending, given: &str) -> Result<String, ApprovalError> {
    if pending.contains_key(given) {
        return Ok(given.to_owned());
    }
    let prefix = if given.starts_with(APPROVAL_ID_PREFIX) {
        given.to_owned()
    } else {
        format!("{APPROVAL_ID_PREFIX}{given}")
    };
    let mut named: Vec<_> = pending
        .keys()
        .filter(|id| !given.is_empty() && id.starts_with(&prefix))
        .cloned()
        .collect();
    named.sort();
    match named.len() {
        0 => Err(ApprovalError::NotFound {
            id: given.to_owned(),
        }),
        1 => Ok(named.remove(0)),
        _ => Err(ApprovalError::Ambiguous {
            given: given.to_owned(),
            candidates: named,
        }),
    }
}

/// The pending requests.
#[derive(Debug, Default)]
pub struct Approvals {
    pending: Mutex<Pending>,
}

impl Approvals {
    fn lock(&self) -> parking_lot::MutexGuard<'_, Pending> {
        self.pending.lock()
    }

    /// Registers `request`; the receiver yields the answer.
    pub fn open(&self, request: ApprovalRequest) -> oneshot::Receiver<Answered> {
        let (tx, rx) = oneshot::channel();
        self.lock().insert(request.id.clone(), (request, tx));
        rx
    }

    /// Answers a pending request; returns it with its new state, and the channel on which the
    /// waiter reports whether its decision was recorded.
    #[allow(clippy::type_complexity)] // reason: the request and its one receipt
    pub fn answer(
        &self,
        id: &str,
        answer: ApprovalAnswer,
    ) -> Result<(ApprovalRequest, oneshot::Receiver<Result<(), StoreError>>), ApprovalError> {
        let (mut request, tx) = {
            let mut pending = self.lock();
            let id = &*resolve(&pending, id)?;
            let needs_text = pending.get(id).is_some_and(|(r, _)| {
                r.kind == WaitKind::Question
                    && answer.approve
                    && answer.text.as_deref().is_none_or(|t| t.trim().is_empty())
            });
            if needs_text {
                return Err(ApprovalError::AnswerMissing { id: id.to_owned() });
            }
            pending
                .remove(id)
                .ok_or_else(|| ApprovalError::NotFound { id: id.to_owned() })?
        };
        let id = request.id.as_str();
        request.state = if answer.approve {
            ApprovalState::Approved
        } else {
            ApprovalState::Denied
        };
        request.answered_by = Some(answer.by.clone());
        let (recorded, receipt) = oneshot::channel();
        // The waiter may have just timed out; then its receipt never comes.
        if tx.send(Answered { answer, recorded }).is_err() {
            return Err(ApprovalError::Abandoned { id: id.to_owned() });
        }
        Ok((request, receipt))
    }

    /// Removes a request whose waiter gave up (timeout, or the hook went away).
    pub fn expire(&self, id: &str) -> Option<ApprovalRequest> {
        self.lock().remove(id).map(|(mut request, _)| {
            request.state = ApprovalState::Expired;
            request
        })
    }

    /// Whether request `id` still waits for an answer.
    pub fn is_pending(&self, id: &str) -> bool {
        self.lock().contains_key(id)
    }

    /// Whether a request of session `session_id` is pending.
    pub fn has_pending_for(&self, session_id: &str) -> bool {
        self.lock()
            .values()
            .any(|(r, _)| r.session_id == session_id)
    }

    /// Every pending request, oldest first.
    pub fn list(&self) -> Vec<ApprovalRequest> {
        let mut all: Vec<_> = self.lock().values().map(|(r, _)| r.clone()).collect();
        all.sort_by_key(|r| r.created);
        all
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    fn request(id: &str) -> ApprovalRequest {
        ApprovalRequest {
            id: id.into(),
            session_id: "s".into(),
            tool: "Bash".into(),
            input: serde_json::json!({"command": "terraform apply"}),
            rule: "escalate: Production deployments".into(),
            reason: "r".into(),
            created: SystemTime::now(),
            expires: SystemTime::now(),
            state: ApprovalState::Pending,
            kind: WaitKind::Approval,
            answered_by: None,
        }
    }

    #[tokio::test]
    async fn answer_reaches_the_waiter_once() {
        let approvals = Approvals::default();
        let rx = approvals.open(request("a1"));
        assert_eq!(approvals.list().len(), 1);
        let answer = ApprovalAnswer {
            approve: false,
            by: "cli".into(),
            reason: Some("not today".into()),
            text: None,
        };
        let (answered, receipt) = approvals.answer("a1", answer.clone()).unwrap();
        assert_eq!(answered.state, ApprovalState::Denied);
        let delivered = rx.await.unwrap();
        assert_eq!(delivered.answer, answer);
        delivered.recorded.send(Ok(())).unwrap();
        assert!(receipt.await.unwrap().is_ok());
        assert!(matches!(
            approvals.answer("a1", answer.clone()),
            Err(ApprovalError::NotFound { id }) if id == "a1"
        ));
        // A waiter that already gave up: the answer is refused, not silently dropped.
        drop(approvals.open(request("gone")));
        assert!(matches!(
            approvals.answer("gone", answer),
            Err(ApprovalError::Abandoned { .. })
        ));
        let _rx = approvals.open(request("a2"));
        assert_eq!(
            approvals.expire("a2").unwrap().state,
            ApprovalState::Expired
        );
        assert!(approvals.list().is_empty());
    }
}
