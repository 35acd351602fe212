//! [`Questions`]: the permission prompts one agent process is waiting on. Each is decided on a
//! task of its own (the charter, or a person through an approval request, see
//! `charter::permission`), so the pump keeps reading the agent's output meanwhile; the answers
//! come back here to be written to the agent's stdin. Dropping [`Questions`] (the process
//! ended, the session was stopped) aborts the undecided ones, which expires their approval
//! requests.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::{Id, JoinSet};

use crate::agents::control::PermissionAnswer;
use crate::core::Core;
use crate::enforcement::permission::{PermissionRequest, decide_permission};

/// The prompts of one agent process still waiting for an answer.
#[derive(Debug, Default)]
pub(crate) struct Questions {
    pending: JoinSet<PermissionAnswer>,
    /// Each decision task's `request_id`, so even a failed one gets its prompt answered.
    requests: HashMap<Id, String>,
}

impl Questions {
    /// Decides `request` (the agent's `control_request` `request_id`) in the background.
    pub(crate) fn ask(
        &mut self,
        core: Arc<Core>,
        session_id: String,
        request_id: String,
        request: PermissionRequest,
    ) {
        tracing::info!(session = %session_id, tool = %request.tool_name, "the agent asks whether a tool may run");
        let task = self
            .pending
            .spawn(async move { decide_permission(&core, &session_id, &request).await });
        self.requests.insert(task.id(), request_id);
    }

    /// Whether any prompt waits for an answer.
    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The next decided prompt: its `request_id` and answer. Pending forever when there is
    /// none (use in a `select!` guarded by [`Questions::is_empty`]).
    pub(crate) async fn next(&mut self) -> Option<(String, PermissionAnswer)> {
        let (id, answer) = match self.pending.join_next_with_id().await? {
            Ok(done) => done,
            Err(err) => {
                tracing::error!(%err, "a permission decision failed; denying the tool call");
                let answer = PermissionAnswer::Deny {
                    message: "the orchestrator daemon failed to decide; not run".to_owned(),
                };
                (err.id(), answer)
            }
        };
        let request_id = self.requests.remove(&id)?;
        Some((request_id, answer))
    }
}
