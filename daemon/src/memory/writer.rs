//! [`Writer`]: the one thread that writes memory. It owns the write connection; callers send
//! it jobs and block on their reply. Whatever is queued when the thread wakes is run in ONE
//! short transaction (one commit for many callers is what makes 8 concurrent writers fast and
//! free of `database is locked`), each job inside its own savepoint so one failing job does
//! not undo its neighbours. Replies are sent only after the commit, so a caller that got
//! `Ok` can read its write from any connection.
//!
//! At the end of each batch the writer checks the episodic budget and, when it is exceeded,
//! compacts (see `janitor`) in a savepoint of the same transaction.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::error::MemoryError;
use super::facts::{self, EntryFacts, SharedFacts};
use super::janitor;
use super::types::{Entry, MemoryConfig};

/// Most jobs folded into one transaction; bounds how long a batch holds the write lock.
const MAX_BATCH: usize = 512;

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
    fn refresh_facts(&mut self, conn: &Connection, committed: bool) {
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

/// A unit of work run on the writer thread; erased so one channel carries every result type.
trait Job: Send {
    fn execute(&mut self, conn: &Connection, state: &mut WriterState);
    fn finish(self: Box<Self>, commit: Result<(), Arc<rusqlite::Error>>);
}

type Work<T> = Box<dyn FnOnce(&Connection, &mut WriterState) -> Result<T, MemoryError> + Send>;

struct Request<T> {
    work: Option<Work<T>>,
    result: Option<Result<T, MemoryError>>,
    reply: SyncSender<Result<T, MemoryError>>,
}

impl<T: Send> Job for Request<T> {
    fn execute(&mut self, conn: &Connection, state: &mut WriterState) {
        if let Some(work) = self.work.take() {
            self.result = Some(in_savepoint(conn, |conn| work(conn, state)));
        }
    }

    fn finish(self: Box<Self>, commit: Result<(), Arc<rusqlite::Error>>) {
        let result = match commit {
            Err(source) => Err(MemoryError::Commit { source }),
            Ok(()) => self.result.unwrap_or(Err(MemoryError::Closed)),
        };
        // A detached job (`Writer::submit`) has no caller to tell: log its failure instead.
        if let Err(std::sync::mpsc::SendError(Err(err))) = self.reply.send(result) {
            tracing::warn!(error = %crate::error_chain(&err), "a background memory write failed");
        }
    }
}

fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, MemoryError>,
) -> Result<T, MemoryError> {
    conn.execute_batch("SAVEPOINT job")
        .map_err(MemoryError::sql("write"))?;
    match work(conn) {
        Ok(value) => {
            conn.execute_batch("RELEASE job")
                .map_err(MemoryError::sql("write"))?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = conn.execute_batch("ROLLBACK TO job; RELEASE job") {
                tracing::error!(%rollback, "cannot roll back a failed memory write");
            }
            Err(err)
        }
    }
}

/// Handle to the writer thread.
#[derive(Debug)]
pub(crate) struct Writer {
    tx: Mutex<Option<Sender<Box<dyn Job>>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for dyn Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl Writer {
    /// Starts the thread; it owns `conn` from now on.
    pub fn start(conn: Connection, state: WriterState, path: PathBuf) -> Result<Self, MemoryError> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("memory-writer".to_owned())
            .spawn(move || write_loop(conn, state, rx, &path))
            .map_err(MemoryError::Spawn)?;
        Ok(Self {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Runs `work` on the writer thread inside the next batch and waits for it to commit.
    pub fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection, &mut WriterState) -> Result<T, MemoryError> + Send + 'static,
    ) -> Result<T, MemoryError> {
        let (reply, result) = mpsc::sync_channel(1);
        let job: Box<dyn Job> = Box::new(Request {
            work: Some(Box::new(work)),
            result: None,
            reply,
        });
        {
            let guard = self.tx.lock().unwrap_or_else(|p| p.into_inner());
            let sender = guard.as_ref().ok_or(MemoryError::Closed)?;
            sender.send(job).map_err(|_| MemoryError::Closed)?;
        }
        result.recv().map_err(|_| MemoryError::Closed)?
    }

    /// Queues `work` for the next batch without waiting for it; a failure is logged. Used
    /// where a caller must not block (an async task recording a session's end).
    pub fn submit(
        &self,
        work: impl FnOnce(&Connection, &mut WriterState) -> Result<(), MemoryError> + Send + 'static,
    ) -> Result<(), MemoryError> {
        // The receiver is dropped at once, so `finish` sees the send fail and logs errors.
        let (reply, _) = mpsc::sync_channel(1);
        let job: Box<dyn Job> = Box::new(Request {
            work: Some(Box::new(work)),
            result: None,
            reply,
        });
        let guard = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        let sender = guard.as_ref().ok_or(MemoryError::Closed)?;
        sender.send(job).map_err(|_| MemoryError::Closed)
    }

    /// Finishes what is queued and stops the thread.
    pub fn close(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = thread.join();
        }
    }
}

fn write_loop(
    mut conn: Connection,
    mut state: WriterState,
    rx: Receiver<Box<dyn Job>>,
    path: &std::path::Path,
) {
    // First, before any write: searches wait for it (`SharedFacts::wait_loaded`).
    let facts = EntryFacts::load(&conn).unwrap_or_else(|err| {
        // Ranking still works without them, with FTS5's lengths and every entry as new.
        tracing::error!(db = %path.display(), %err, "cannot load memory ranking facts");
        EntryFacts::default()
    });
    state.facts.finish_loading(facts);
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter().take(MAX_BATCH - 1));
        run_batch(&mut conn, &mut state, batch, path);
    }
}

fn run_batch(
    conn: &mut Connection,
    state: &mut WriterState,
    mut batch: Vec<Box<dyn Job>>,
    path: &std::path::Path,
) {
    let commit = (|| {
        // IMMEDIATE: the sessions writer and the memory writer share this file; a deferred
        // transaction that read first cannot upgrade past the other's commit (SQLITE_BUSY_SNAPSHOT,
        // which busy_timeout does not retry), so take the write lock up front and wait for it.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for job in &mut batch {
            job.execute(&tx, state);
        }
        // Compacting before the commit (in its own savepoint) means a caller whose add pushed
        // memory over budget sees the compacted state once its add returns. It is rare: the
        // janitor folds 10% of the budget at a time.
        let budget = i64::try_from(state.config.episodic_budget).unwrap_or(i64::MAX);
        if state.episodic_count > budget {
            let before = state.episodic_count;
            match in_savepoint(&tx, |conn| janitor::compact_in(conn, state)) {
                Ok(report) => {
                    tracing::info!(db = %path.display(), ?report, "compacted episodic memory")
                }
                Err(err) => {
                    state.episodic_count = before;
                    tracing::error!(db = %path.display(), %err, "cannot compact episodic memory");
                }
            }
        }
        tx.commit()
    })();
    let commit = commit.map_err(Arc::new);
    state.refresh_facts(conn, commit.is_ok());
    if commit.is_err() {
        // The per-job counts are void; re-read the truth.
        if let Ok(count) = count_episodic(conn) {
            state.episodic_count = count;
        }
    }
    for job in batch {
        job.finish(commit.clone());
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
