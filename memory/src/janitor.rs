//! Retention: TTL expiry of episodic entries and compaction of episodic memory past its
//! budget into semantic summaries ([`JanitorReport`] says what a run did).
//!
//! Compaction, when `episodic_count > episodic_budget`: the oldest episodic entries are taken
//! until the count is back to 90% of the budget (the 10% slack stops every later insert from
//! compacting again), grouped by session, and each group becomes ONE semantic `knowledge`
//! entry whose content previews the originals (so it stays findable by the same words) and
//! whose metadata keeps `{"compactedFrom": [ids], "sessionId", "period": {"start", "end"},
//! "archived": n}`. The originals are deleted. Semantic entries never expire.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::error::MemoryError;
use super::rows::{WriterState, insert_all};
use super::schema::{ENTRY_COLUMNS, entry_from_row};
use super::types::{Entry, EntryType, JanitorReport, Tier};

/// Bytes of each original's text kept in a summary.
const PREVIEW_BYTES: usize = 160;
/// Upper bound of a summary's content, below `max_content_bytes` when that is larger.
const SUMMARY_BYTES: usize = 8 * 1024;

/// Deletes episodic entries stamped before `now - episodic_ttl`; returns how many.
pub(crate) fn expire(
    conn: &Connection,
    state: &mut WriterState,
    now: i64,
) -> Result<u64, MemoryError> {
    let ttl = i64::try_from(state.config.episodic_ttl.as_millis()).unwrap_or(i64::MAX);
    let cutoff = now.saturating_sub(ttl);
    let deleted = conn
        .execute(
            "DELETE FROM memory_entries WHERE tier = 'episodic' AND timestamp < ?1",
            [cutoff],
        )
        .map_err(MemoryError::sql("expire"))?;
    state.episodic_count -= deleted as i64;
    Ok(deleted as u64)
}

/// Folds the oldest episodic entries into per-session semantic summaries if over budget.
pub(crate) fn compact_in(
    conn: &Connection,
    state: &mut WriterState,
) -> Result<JanitorReport, MemoryError> {
    let budget = i64::try_from(state.config.episodic_budget).unwrap_or(i64::MAX);
    if state.episodic_count <= budget {
        return Ok(JanitorReport::default());
    }
    let low_water = budget - budget / 10;
    let excess = state.episodic_count - low_water;
    let sql = MemoryError::sql("compact");
    let oldest = {
        let mut statement = conn
            .prepare(&format!(
                "SELECT {ENTRY_COLUMNS} FROM memory_entries e WHERE e.tier = 'episodic'
                 ORDER BY e.timestamp, e.seq LIMIT ?1"
            ))
            .map_err(&sql)?;
        let rows = statement
            .query_map([excess], entry_from_row)
            .map_err(&sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&sql)?
    };
    let mut by_session: BTreeMap<Option<String>, Vec<Entry>> = BTreeMap::new();
    for entry in oldest {
        by_session
            .entry(entry.session_id.clone())
            .or_default()
            .push(entry);
    }
    let mut report = JanitorReport::default();
    let limit = state.config.max_content_bytes.min(SUMMARY_BYTES);
    for (session_id, group) in by_session {
        let summary = summarise(session_id, &group, limit);
        insert_all(conn, state, [summary])?;
        let mut delete = conn
            .prepare_cached("DELETE FROM memory_entries WHERE id = ?1")
            .map_err(&sql)?;
        for entry in &group {
            state.episodic_count -= delete.execute(params![entry.id]).map_err(&sql)? as i64;
        }
        report.compacted += group.len() as u64;
        report.summaries += 1;
    }
    Ok(report)
}

/// The semantic entry standing for `group` (oldest first, non-empty).
fn summarise(session_id: Option<String>, group: &[Entry], limit: usize) -> Entry {
    let start = group.first().map_or(0, |e| e.timestamp);
    let end = group.last().map_or(0, |e| e.timestamp);
    let from = session_id
        .as_deref()
        .map_or_else(String::new, |id| format!(" of session {id}"));
    let mut content = format!(
        "Summary of {} episodic memories{from} from {} to {}: ",
        group.len(),
        iso_date(start),
        iso_date(end)
    );
    for (index, entry) in group.iter().enumerate() {
        let preview = truncate(entry.content.trim(), PREVIEW_BYTES);
        let separator = if index == 0 { "" } else { "; " };
        if content.len() + separator.len() + preview.len() > limit {
            content = truncate(&content, limit.saturating_sub(3)).to_owned();
            content.push_str("...");
            break;
        }
        content.push_str(separator);
        content.push_str(preview);
    }
    let mut metadata = Map::new();
    let ids: Vec<Value> = group.iter().map(|e| Value::String(e.id.clone())).collect();
    metadata.insert("compactedFrom".to_owned(), Value::Array(ids));
    metadata.insert("sessionId".to_owned(), json!(session_id));
    metadata.insert("period".to_owned(), json!({"start": start, "end": end}));
    metadata.insert("archived".to_owned(), json!(group.len()));
    Entry {
        id: super::new_id(end),
        tier: Tier::Semantic,
        content_hash: super::content_hash(&content),
        content,
        entry_type: EntryType::Knowledge,
        // Stamped with its newest original so it ranks as recent as what it stands for.
        timestamp: end,
        metadata,
        session_id,
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `YYYY-MM-DD` (UTC) of a millisecond timestamp, without a date crate.
pub(crate) fn iso_date(ms: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
