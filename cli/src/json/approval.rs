//! [`ApprovalJson`]: one waiting action or question as `approval list --json` prints it —
//! the WebSocket API's `approval` object (same keys and meanings). Schema:
//! `docs/json/approval-list.schema.json`.

use orchestrator_api::v1::Approval;
use serde::Serialize;
use serde_json::Value;

use super::{parsed, text, time};

/// One approval.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalJson {
    id: String,
    session_id: String,
    /// `approval` or `question`.
    kind: String,
    tool: String,
    input: Value,
    rule: String,
    reason: String,
    created_at: Option<String>,
    expires_at: Option<String>,
    /// `pending`, `approved`, `denied` or `expired`.
    state: String,
    answered_by: Option<String>,
    summary: String,
}

impl From<&Approval> for ApprovalJson {
    fn from(a: &Approval) -> Self {
        Self {
            id: a.id.clone(),
            session_id: a.session_id.clone(),
            kind: a.kind.clone(),
            tool: a.tool.clone(),
            input: parsed(&a.input_json),
            rule: a.rule.clone(),
            reason: a.reason.clone(),
            created_at: time(a.created_unix_ms),
            expires_at: time(a.expires_unix_ms),
            state: a.state.clone(),
            answered_by: text(&a.answered_by),
            summary: a.summary.clone(),
        }
    }
}
