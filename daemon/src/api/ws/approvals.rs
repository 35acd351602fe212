//! Approvals on the WebSocket door: [`approval_frame`] (`approval_required` /
//! `approval_resolved`, sent to every client, with [`approval_object`], which notifications
//! carry too), [`approvals_list_frame`] (`approvals_list`, the reply to `list_approvals`) and
//! [`budget_frame`] (`budget_warning`); the inbound `approval_response` (`payload: {approvalId,
//! approved, reason?, answer?}`) is parsed in
//! `inbound` and answered in `handler`.

use serde_json::{Value, json};

use super::wire::iso;
use crate::model::ApprovalRequest;

/// `{"type": kind, "approval": {...}}` with ISO dates, as every WS frame has them.
pub fn approval_frame(kind: &str, r: &ApprovalRequest) -> Value {
    json!({"type": kind, "approval": approval_object(r)})
}

/// `approvals_list`: every pending request, oldest first.
pub fn approvals_list_frame(pending: &[ApprovalRequest]) -> Value {
    let approvals: Vec<Value> = pending.iter().map(approval_object).collect();
    json!({"type": "approvals_list", "approvals": approvals})
}

/// The `approval` object of the approval frames (also what notifications carry).
pub fn approval_object(r: &ApprovalRequest) -> Value {
    json!({
        "id": r.id,
        "sessionId": r.session_id,
        "kind": r.kind.as_str(),
        "tool": r.tool,
        "input": r.input,
        "rule": r.rule,
        "reason": r.reason,
        "createdAt": iso(r.created),
        "expiresAt": iso(r.expires),
        "state": r.state.as_str(),
        "answeredBy": r.answered_by,
        "summary": r.summary(),
    })
}

/// `budget_warning`: a token pool passed 80% or is spent.
pub fn budget_frame(pool: &str, used: u64, limit: u64) -> Value {
    json!({"type": "budget_warning", "pool": pool, "used": used, "limit": limit})
}
