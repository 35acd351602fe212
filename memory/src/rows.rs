//! The rows of memory as the writer writes them: [`WriterState`] (what the writer thread
//! keeps between batches: the episodic count, the readers' ranking facts, what this batch
//! inserted or merged) and [`insert_all`] (insert or merge entries and index the new ones for
//! search in one statement). The writer thread itself is `writer`; expiry and compaction,
//! which also write rows, are `janitor`.

use std::sync::Arc;

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::error::MemoryError;
use super::facts::{self, SharedFacts};
use super::types::{Entry, MemoryConfig};

/// What the writer thread keeps between batches.
#[derive(Debug)]
pub(crate) struct WriterState {
    /// Limits (budget, TTL) the writer enforces.
    pub config: MemoryConfig,
    /// Episodic rows, kept here so the budget check after every batch costs nothing.
    pub episodic_count: i64,
    /// The ranking facts readers score with; refreshed after each commit.
    pub facts: Arc<SharedFacts>,
    /// The smallest `seq` inserted in the current batch, if any.
    pub inserted_from: Option<i64>,
    /// Rows merged in the current batch (their time changed).
    pub merged: Vec<i64>,
}

impl WriterState {
    /// The state for a writer starting on `conn`.
    pub fn new(
        conn: &Connection,
        config: MemoryConfig,
        facts: Arc<SharedFacts>,
    ) -> rusqlite::Result<Self> {
        Ok(Self {
            config,
            episodic_count: count_episodic(conn)?,
            facts,
            inserted_from: None,
            merged: Vec::new(),
        })
    }

    /// After a commit: re-reads the committed facts of the batch's new and merged rows (a
    /// row a failed job left out is simply not found) and hands them to the readers.
    pub(super) fn refresh_facts(&mut self, conn: &Connection, committed: bool) {
        let from = self.inserted_from.take();
        let merged = std::mem::take(&mut self.merged);
        if !committed {
            return;
        }
        // Read before locking: readers look facts up for every row they score.
        let read = || -> rusqlite::Result<_> {
            let mut facts = match from {
                Some(from) => facts::read_since(conn, from)?,
                None => Vec::new(),
            };
            facts.extend(facts::read_seqs(conn, &merged)?);
            Ok(facts)
        };
        match read() {
            Ok(facts) => self.facts.write().apply(facts),
            // Ranking still works: unknown rows are scored as new, with FTS5's length.
            Err(err) => tracing::warn!(%err, "cannot re-read ranking facts of new memories"),
        }
    }
}

/// Episodic rows in the database.
pub(crate) fn count_episodic(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM memory_entries WHERE tier = 'episodic'",
        [],
        |row| row.get(0),
    )
}

/// Inserts or merges `entries` (see [`insert_or_merge`]) and indexes the new rows for search
/// with ONE statement at the end, in the writer's transaction.
///
/// Why not a trigger per row: an INSERT that can abort half-way (unique keys, triggers)
/// runs in a statement savepoint, and FTS5 writes its pending terms to disk at every
/// savepoint. A per-row trigger therefore made every entry its own FTS5 segment, and the
/// merging of those segments was most of the insert cost (~40% of the writer's time, with
/// statement-journal writes another 20%). Inserting the rows first and indexing them with one
/// `INSERT … SELECT` lets FTS5 buffer the whole batch and write it once.
pub(crate) fn insert_all(
    conn: &Connection,
    state: &mut WriterState,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<Vec<(Entry, bool)>, MemoryError> {
    let sql = MemoryError::sql("add");
    // Rows added from here on get larger `seq`s (rowids only grow while the writer holds
    // the write lock), so `seq >= first` is exactly this call's new rows.
    let first: i64 = conn
        .query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM memory_entries",
            [],
            |r| r.get(0),
        )
        .map_err(&sql)?;
    let stored = entries
        .into_iter()
        .map(|entry| insert_or_merge(conn, state, entry))
        .collect::<Result<Vec<_>, _>>()?;
    if stored.iter().any(|(_, new)| *new) {
        state.inserted_from = Some(state.inserted_from.map_or(first, |from| from.min(first)));
        conn.prepare_cached(
            "INSERT INTO memory_fts (rowid, content)
             SELECT seq, content FROM memory_entries WHERE seq >= ?1",
        )
        .and_then(|mut s| s.execute([first]))
        .map_err(&sql)?;
    }
    Ok(stored)
}

/// Inserts `entry`, or merges it into the row with the same tier and content hash: that row
/// keeps its id and content, takes the newer timestamp, the union of metadata (new keys win)
/// and the new session id if one is given. Returns the stored entry and whether it is new.
/// A new row is NOT yet searchable: callers go through [`insert_all`], which indexes it.
fn insert_or_merge(
    conn: &Connection,
    state: &mut WriterState,
    entry: Entry,
) -> Result<(Entry, bool), MemoryError> {
    let sql = MemoryError::sql("add");
    // Insert first and look for the twin only when the insert was skipped: new content (the
    // common case, and all of a bulk load) then costs one index probe instead of two.
    let inserted = conn
        .prepare_cached(
            "INSERT INTO memory_entries
             (id, tier, kind, content, hash, timestamp, metadata, session_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (tier, hash) DO NOTHING",
        )
        .map_err(&sql)?
        .execute(params![
            entry.id,
            entry.tier.as_str(),
            entry.entry_type.as_str(),
            entry.content,
            entry.content_hash,
            entry.timestamp,
            metadata_json(&entry.metadata)?,
            entry.session_id,
        ])
        .map_err(&sql)?;
    if inserted == 1 {
        if entry.tier == super::types::Tier::Episodic {
            state.episodic_count += 1;
        }
        return Ok((entry, true));
    }
    let (seq, id, old_time, old_meta, old_session) = conn
        .prepare_cached(
            "SELECT seq, id, timestamp, metadata, session_id FROM memory_entries
             WHERE tier = ?1 AND hash = ?2",
        )
        .map_err(&sql)?
        .query_row(params![entry.tier.as_str(), entry.content_hash], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })
        .map_err(&sql)?;
    let mut metadata: Map<String, Value> =
        serde_json::from_str(&old_meta).map_err(|source| MemoryError::Json {
            what: "stored metadata",
            source,
        })?;
    metadata.extend(entry.metadata);
    let merged = Entry {
        id,
        timestamp: entry.timestamp.max(old_time),
        metadata,
        session_id: entry.session_id.or(old_session),
        ..entry
    };
    conn.prepare_cached(
        "UPDATE memory_entries SET timestamp = ?1, metadata = ?2, session_id = ?3 WHERE seq = ?4",
    )
    .map_err(&sql)?
    .execute(params![
        merged.timestamp,
        metadata_json(&merged.metadata)?,
        merged.session_id,
        seq
    ])
    .map_err(&sql)?;
    state.merged.push(seq);
    Ok((merged, false))
}

/// Metadata as stored.
pub(crate) fn metadata_json(metadata: &Map<String, Value>) -> Result<String, MemoryError> {
    serde_json::to_string(metadata).map_err(|source| MemoryError::Json {
        what: "metadata",
        source,
    })
}
