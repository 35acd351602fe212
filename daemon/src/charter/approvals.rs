//! Escalations waiting for a person: [`Approvals`] holds each [`ApprovalRequest`] with the
//! channel its hook call waits on; [`Approvals::answer`] resolves one ([`ApprovalAnswer`]).
//! Expiry is the waiting side's business (`enforce`): it removes the request when its
//! timeout passes, so an answer that arrives later finds nothing ([`ApprovalError::NotFound`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use serde_json::Value;
use tokio::sync::oneshot;

/// One escalated agent action.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRequest {
    /// `approval_<uuid>`.
    pub id: String,
    /// The session whose agent asked.
    pub session_id: String,
    /// The tool (`Bash`, `Write`, …), or `prompt` for a user prompt.
    pub tool: String,
    /// The tool input (or `{"prompt": …}`).
    pub input: Value,
    /// The matched charter entry, `escalate: Production deployments`.
    pub rule: String,
    /// The decision's reason text.
    pub reason: String,
    /// When it was asked.
    pub created: SystemTime,
    /// When no answer becomes a deny.
    pub expires: SystemTime,
    /// Where it stands.
    pub state: ApprovalState,
}

/// Where an approval request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalState {
    /// Waiting.
    Pending,
    /// Approved by someone.
    Approved,
    /// Denied by someone.
    Denied,
    /// Nobody answered in time (a deny).
    Expired,
}

impl ApprovalState {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Expired => "expired",
        }
    }
}

/// A person's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalAnswer {
    /// Approve (`true`) or deny.
    pub approve: bool,
    /// Who answered (`cli`, `ws:<client>`), for the audit.
    pub by: String,
    /// Why, shown to the agent on a deny.
    pub reason: Option<String>,
}

/// Why an answer was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApprovalError {
    /// No pending request has this id (never existed, answered, or expired).
    #[error("no pending approval request {id} (it may have been answered or expired)")]
    NotFound {
        /// The id given.
        id: String,
    },
}

/// The pending requests.
#[derive(Debug, Default)]
pub struct Approvals {
    pending: Mutex<HashMap<String, (ApprovalRequest, oneshot::Sender<ApprovalAnswer>)>>,
}

impl Approvals {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        HashMap<String, (ApprovalRequest, oneshot::Sender<ApprovalAnswer>)>,
    > {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers `request`; the receiver yields the answer.
    pub fn open(&self, request: ApprovalRequest) -> oneshot::Receiver<ApprovalAnswer> {
        let (tx, rx) = oneshot::channel();
        self.lock().insert(request.id.clone(), (request, tx));
        rx
    }

    /// Answers a pending request; returns it with its new state.
    pub fn answer(
        &self,
        id: &str,
        answer: ApprovalAnswer,
    ) -> Result<ApprovalRequest, ApprovalError> {
        let (mut request, tx) = self
            .lock()
            .remove(id)
            .ok_or_else(|| ApprovalError::NotFound { id: id.to_owned() })?;
        request.state = if answer.approve {
            ApprovalState::Approved
        } else {
            ApprovalState::Denied
        };
        // The waiter may have just timed out; then the deny it reported stands.
        let _ = tx.send(answer);
        Ok(request)
    }

    /// Removes a request whose waiter gave up (timeout, or the hook went away).
    pub fn expire(&self, id: &str) -> Option<ApprovalRequest> {
        self.lock().remove(id).map(|(mut request, _)| {
            request.state = ApprovalState::Expired;
            request
        })
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
        };
        let answered = approvals.answer("a1", answer.clone()).unwrap();
        assert_eq!(answered.state, ApprovalState::Denied);
        assert_eq!(rx.await.unwrap(), answer);
        assert_eq!(
            approvals.answer("a1", answer),
            Err(ApprovalError::NotFound { id: "a1".into() })
        );
        let _rx = approvals.open(request("a2"));
        assert_eq!(
            approvals.expire("a2").unwrap().state,
            ApprovalState::Expired
        );
        assert!(approvals.list().is_empty());
    }
}
