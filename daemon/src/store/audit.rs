//! The decision audit in the store: [`AuditRecord`] (one charter decision: time, session,
//! event, tool, input summary, decision, rule, who approved), written by the store's writer
//! thread like sessions, read by [`super::Store::audit`] on the read connection (WAL lets it
//! read while the writer writes).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use super::StoreError;

/// The table, created by migration 2.
pub(super) const MIGRATION: &str = "CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        event TEXT NOT NULL,
        tool TEXT NOT NULL,
        input_summary TEXT NOT NULL,
        decision TEXT NOT NULL,
        rule TEXT NOT NULL,
        reason TEXT NOT NULL,
        approved_by TEXT NOT NULL
    );
    CREATE INDEX audit_by_session ON audit(session_id, id);";

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When it was decided.
    pub at: SystemTime,
    /// The session (empty when the hook ran outside a session).
    pub session_id: String,
    /// `PreToolUse`, `UserPromptSubmit`, `SessionStart`.
    pub event: String,
    /// The tool, `prompt`, or empty.
    pub tool: String,
    /// A bounded summary of the input (the command, the path, the prompt).
    pub input_summary: String,
    /// `allow`, `deny`, `ask`, `context`.
    pub decision: String,
    /// The matched entry, `alwaysReject: rm -rf /`, or empty.
    pub rule: String,
    /// The reason given to the agent.
    pub reason: String,
    /// Who answered an escalation (`cli`, `ws`, `timeout`), else empty.
    pub approved_by: String,
}

fn to_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(super) fn insert(tx: &rusqlite::Transaction<'_>, r: &AuditRecord) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at_ms, session_id, event, tool, input_summary, decision, rule,
                            reason, approved_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        to_ms(r.at),
        r.session_id,
        r.event,
        r.tool,
        r.input_summary,
        r.decision,
        r.rule,
        r.reason,
        r.approved_by
    ])?;
    Ok(())
}

/// The newest `limit` records (of `session` when given), oldest first.
pub(super) fn list(
    conn: &Connection,
    path: &Path,
    session: Option<&str>,
    limit: u32,
) -> Result<Vec<AuditRecord>, StoreError> {
    let sqlite = StoreError::reading(path);
    let mut statement = conn
        .prepare_cached(
            "SELECT at_ms, session_id, event, tool, input_summary, decision, rule, reason,
                    approved_by
             FROM audit WHERE (?1 IS NULL OR session_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .map_err(&sqlite)?;
    let rows = statement
        .query_map(params![session, limit], |row| {
            let ms: i64 = row.get(0)?;
            Ok(AuditRecord {
                at: UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
                session_id: row.get(1)?,
                event: row.get(2)?,
                tool: row.get(3)?,
                input_summary: row.get(4)?,
                decision: row.get(5)?,
                rule: row.get(6)?,
                reason: row.get(7)?,
                approved_by: row.get(8)?,
            })
        })
        .map_err(&sqlite)?;
    let mut records = rows.collect::<Result<Vec<_>, _>>().map_err(&sqlite)?;
    records.reverse();
    Ok(records)
}
