//! The memory tables and their migrations, plus how every memory connection is opened.
//!
//! The memory tables share `orchestrator.db` with the sessions table, whose migrations
//! (`store.rs`) own `PRAGMA user_version`. Sharing that counter would make each side see the
//! other's version as "too new", so memory tracks its own version in a one-row table,
//! `memory_schema`, and every memory table is prefixed `memory_`.
//!
//! `memory_entries.seq` is the FTS5 rowid: `memory_fts` is an external-content index over
//! `content`, so the text is stored once. Deletes and content updates reach the index by
//! triggers; inserts do not: the writer indexes each job's new rows with one statement
//! (`rows::insert_all` says why).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use serde_json::{Map, Value};

use super::error::MemoryError;
use super::types::Entry;

/// Entry `n` moves the memory tables from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE memory_entries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tier TEXT NOT NULL CHECK (tier IN ('episodic', 'semantic')),
        kind TEXT NOT NULL
            CHECK (kind IN ('interaction', 'observation', 'decision', 'knowledge')),
        content TEXT NOT NULL,
        hash TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        session_id TEXT,
        UNIQUE (tier, hash)
    );
    CREATE INDEX memory_entries_by_time ON memory_entries(tier, timestamp);
    CREATE VIRTUAL TABLE memory_fts USING fts5(
        content, content = 'memory_entries', content_rowid = 'seq',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER memory_entries_ad AFTER DELETE ON memory_entries BEGIN
        INSERT INTO memory_fts(memory_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    END;
    CREATE TRIGGER memory_entries_au AFTER UPDATE OF content ON memory_entries BEGIN
        INSERT INTO memory_fts(memory_fts, rowid, content) VALUES ('delete', old.seq, old.content);
        INSERT INTO memory_fts(rowid, content) VALUES (new.seq, new.content);
    END;
    CREATE TABLE memory_scratchpad (
        session_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, key)
    ) WITHOUT ROWID;
"];

/// Page cache of the writer, in KiB (negative = KiB for SQLite). SQLite's 2 MiB default makes
/// the random-order index inserts (content hash) read pages back from the OS at
/// 100k entries and halves insert throughput; the cache is only allocated as it fills.
const WRITER_CACHE_KIB: i64 = -64 * 1024;
/// WAL pages after which the memory writer's commits checkpoint (see `connect`).
const WRITER_AUTOCHECKPOINT_PAGES: i64 = 10_000;
/// Page cache of each reader, in KiB (negative = KiB for SQLite).
const READER_CACHE_KIB: i64 = -16 * 1024;

/// The newest memory schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens a connection with the settings every memory connection needs. Touches the file
/// (reads the schema) so a corrupt or locked file fails here with a classified error rather
/// than later inside a query.
pub(crate) fn connect(path: &Path, read_only: bool) -> Result<Connection, MemoryError> {
    let fail = |source| MemoryError::opening(path, source);
    // Each connection is owned by one thread at a time, so SQLite's own mutex is not needed.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(fail)?;
    // Same timeout as the sessions store: the two writers share the file.
    conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
    if read_only {
        // Readers are opened read-write (WAL readers need the -shm file) but refuse writes,
        // so every write really goes through the one writer thread.
        conn.pragma_update(None, "query_only", true).map_err(fail)?;
        conn.pragma_update(None, "cache_size", READER_CACHE_KIB)
            .map_err(fail)?;
    } else {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)
            .map_err(fail)?;
        // Statement journals (every INSERT with unique keys inside a transaction has one) in
        // memory instead of a temp file: they were a pwrite per page per statement.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(fail)?;
        // Checkpoint after ~40 MB of WAL instead of SQLite's ~4 MB: a bulk add checkpoints ten
        // times less often (batched inserts +8% at 30k entries, +10-17% at 100k, in
        // alternating runs). The WAL file can grow to that size; the sessions writer keeps
        // the default and still checkpoints its own commits.
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)
            .map_err(fail)?;
    }
    // WAL + NORMAL: a crash may lose the last commits, never corrupts; no fsync per commit.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(fail)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(fail)?;
    Ok(conn)
}

/// Creates or upgrades the memory tables; idempotent.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), MemoryError> {
    let fail = |source| MemoryError::opening(path, source);
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(fail)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS memory_schema (version INTEGER NOT NULL)")
        .map_err(fail)?;
    let found: i64 = tx
        .query_row("SELECT version FROM memory_schema", [], |row| row.get(0))
        .optional()
        .map_err(fail)?
        .unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(MemoryError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    let start = usize::try_from(found).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(start) {
        tracing::info!(version = index + 1, "migrating memory tables");
        tx.execute_batch(migration).map_err(fail)?;
    }
    tx.execute("DELETE FROM memory_schema", []).map_err(fail)?;
    tx.execute(
        "INSERT INTO memory_schema (version) VALUES (?1)",
        [SCHEMA_VERSION],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The columns [`entry_from_row`] reads, in order, from `memory_entries e`.
pub(crate) const ENTRY_COLUMNS: &str =
    "e.id, e.tier, e.kind, e.content, e.hash, e.timestamp, e.metadata, e.session_id";

/// Decodes a row selected with [`ENTRY_COLUMNS`] first.
pub(crate) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let convert = |index: usize, err: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, err)
    };
    let tier: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let metadata: String = row.get(6)?;
    Ok(Entry {
        id: row.get(0)?,
        tier: tier.parse().map_err(|e| convert(1, Box::new(e)))?,
        entry_type: kind.parse().map_err(|e| convert(2, Box::new(e)))?,
        content: row.get(3)?,
        content_hash: row.get(4)?,
        timestamp: row.get(5)?,
        metadata: serde_json::from_str::<Map<String, Value>>(&metadata)
            .map_err(|e| convert(6, Box::new(e)))?,
        session_id: row.get(7)?,
    })
}
