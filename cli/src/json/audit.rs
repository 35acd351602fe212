//! [`AuditEntryJson`]: one charter audit record as `audit --json` prints it. Schema:
//! `docs/json/audit.schema.json`.

use orchestrator_api::v1::AuditEntry;
use serde::Serialize;

use super::{text, time};

/// One audit record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryJson {
    time: Option<String>,
    session_id: Option<String>,
    event: String,
    tool: Option<String>,
    input_summary: Option<String>,
    decision: String,
    rule: Option<String>,
    reason: Option<String>,
    approved_by: Option<String>,
}

impl From<&AuditEntry> for AuditEntryJson {
    fn from(e: &AuditEntry) -> Self {
        Self {
            time: time(e.unix_ms),
            session_id: text(&e.session_id),
            event: e.event.clone(),
            tool: text(&e.tool),
            input_summary: text(&e.input_summary),
            decision: e.decision.clone(),
            rule: text(&e.rule),
            reason: text(&e.reason),
            approved_by: text(&e.approved_by),
        }
    }
}
