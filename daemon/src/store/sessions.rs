//! Session rows: [`Loaded`] (what a daemon needs at start — the sessions still live, how many
//! sessions there are by status, the highest sequence number), point reads and pages of ended
//! sessions ([`StoredSession`]), and the upsert the writer runs.
//!
//! Ended sessions are read from here on demand instead of being kept in memory, so a daemon
//! that has run ten thousand sessions holds only the live ones. Rows are ordered by `seq`,
//! which the core assigns at creation and never changes.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, Params, Statement, Transaction, params};

use super::StoreError;
use crate::model::session::{Session, SessionStatus};

/// The index that makes "the live sessions" and status-filtered pages cheap in a big table.
pub(super) const STATUS_INDEX_MIGRATION: &str =
    "CREATE INDEX sessions_by_status ON sessions(status, seq);";

/// One stored session with its creation sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    /// Creation order, unique.
    pub seq: u64,
    /// Its last committed state.
    pub session: Session,
    /// When that state was committed.
    pub saved_at: SystemTime,
}

/// What a starting daemon reads from the sessions table.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Sessions not ended (queued, initializing, running, paused), oldest first.
    pub live: Vec<StoredSession>,
    /// How many sessions there are of each status, live ones included.
    pub counts: Vec<(SessionStatus, u64)>,
    /// The highest `seq` in use (0 when empty).
    pub max_seq: u64,
}

fn decode(path: &Path, id: String, data: &str) -> Result<Session, StoreError> {
    serde_json::from_str(data).map_err(|source| StoreError::Decode {
        path: path.to_path_buf(),
        id,
        source,
    })
}

fn to_seq(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

const LIVE: &str = "('queued', 'initializing', 'running', 'paused')";

/// The sessions a `SELECT seq, id, data, updated_at …` statement finds, in its order.
fn stored_rows(
    statement: &mut Statement<'_>,
    params: impl Params,
    path: &Path,
) -> Result<Vec<StoredSession>, StoreError> {
    let read = StoreError::reading(path);
    let rows = statement
        .query_map(params, |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })
        .map_err(&read)?;
    let mut stored = Vec::new();
    for row in rows {
        let (seq, id, data, saved) = row.map_err(&read)?;
        stored.push(StoredSession {
            seq: to_seq(seq),
            session: decode(path, id, &data)?,
            saved_at: from_ms(saved),
        });
    }
    Ok(stored)
}

/// Reads what a starting daemon needs.
pub(super) fn load(conn: &Connection, path: &Path) -> Result<Loaded, StoreError> {
    let read = StoreError::reading(path);
    let max_seq: i64 = conn
        .query_row("SELECT COALESCE(MAX(seq), 0) FROM sessions", [], |row| {
            row.get(0)
        })
        .map_err(&read)?;
    let mut counts = Vec::new();
    let mut statement = conn
        .prepare("SELECT status, COUNT(*) FROM sessions GROUP BY status")
        .map_err(&read)?;
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })
        .map_err(&read)?;
    for row in rows {
        let (status, count) = row.map_err(&read)?;
        if let Some(status) = SessionStatus::parse(&status) {
            counts.push((status, to_seq(count)));
        }
    }
    let mut statement = conn
        .prepare(&format!(
            "SELECT seq, id, data, updated_at FROM sessions WHERE status IN {LIVE} ORDER BY seq"
        ))
        .map_err(&read)?;
    let live = stored_rows(&mut statement, [], path)?;
    Ok(Loaded {
        live,
        counts,
        max_seq: to_seq(max_seq),
    })
}

/// The stored session `id`, if there is one.
pub(super) fn get(
    conn: &Connection,
    path: &Path,
    id: &str,
) -> Result<Option<StoredSession>, StoreError> {
    let mut statement = conn
        .prepare_cached("SELECT seq, id, data, updated_at FROM sessions WHERE id = ?1")
        .map_err(StoreError::reading(path))?;
    Ok(stored_rows(&mut statement, [id], path)?.pop())
}

/// The ids of up to `limit` stored sessions that start with `prefix`, in id order. A range
/// on the id, so the primary key's index answers it.
pub(super) fn ids_with_prefix(
    conn: &Connection,
    path: &Path,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let read = StoreError::reading(path);
    // Every id that starts with `prefix` sorts below `prefix` followed by the last code point.
    let upper = format!("{prefix}\u{10FFFF}");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut statement = conn
        .prepare_cached("SELECT id FROM sessions WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3")
        .map_err(&read)?;
    let ids = statement
        .query_map(params![prefix, upper, limit], |row| row.get::<_, String>(0))
        .map_err(&read)?;
    ids.collect::<Result<_, _>>().map_err(&read)
}

/// Up to `limit` stored sessions with `seq < before` (all when `None`) whose stored status is
/// one of `statuses` (any when empty), newest first.
pub(super) fn page(
    conn: &Connection,
    path: &Path,
    before: Option<u64>,
    statuses: &[SessionStatus],
    limit: usize,
) -> Result<Vec<StoredSession>, StoreError> {
    let before = i64::try_from(before.unwrap_or(u64::MAX)).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // The status list is made of our own fixed words, never of user text.
    let filter = if statuses.is_empty() {
        String::new()
    } else {
        let words: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("AND status IN ({})", words.join(", "))
    };
    let sql = format!(
        "SELECT seq, id, data, updated_at FROM sessions WHERE seq < ?1 {filter}
         ORDER BY seq DESC LIMIT ?2"
    );
    let mut statement = conn
        .prepare_cached(&sql)
        .map_err(StoreError::reading(path))?;
    stored_rows(&mut statement, params![before, limit], path)
}

/// Writes one session's state (insert or replace), inside the writer's transaction.
pub(super) fn upsert(tx: &Transaction<'_>, seq: u64, session: &Session) -> rusqlite::Result<()> {
    let data = serde_json::to_string(session)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    tx.prepare_cached(
        "INSERT INTO sessions (id, seq, status, data, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET
            status = excluded.status, data = excluded.data, updated_at = excluded.updated_at",
    )?
    .execute(params![
        session.id,
        i64::try_from(seq).unwrap_or(i64::MAX),
        session.status.as_str(),
        data,
        now
    ])?;
    Ok(())
}
