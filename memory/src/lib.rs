//! Persistent tiered memory: [`MemoryStore`] keeps a per-session scratchpad and searchable
//! episodic and semantic [`Entry`]s in SQLite (FTS5) in the daemon's `orchestrator.db`.
//!
//! `orchestrator-memory`. Key types: [`MemoryStore`] (the API), [`MemoryConfig`] (the daemon
//! builds it from its `memory:` settings), [`NewEntry`] / [`Entry`],
//! [`Tier`], [`EntryType`], [`Scored`], [`MemoryStats`], [`MemoryContext`], [`Clock`]
//! ([`SystemClock`], [`ManualClock`] for tests) and [`MemoryError`].
//!
//! * Writes go to one writer thread (`writer`) that batches them into short transactions;
//!   reads use a small pool of their own connections (WAL lets them run beside the writer).
//! * Adding content that is already in the tier (same SHA-256) merges into the existing row.
//! * Episodic entries expire after `episodic_ttl` and are compacted into semantic summaries
//!   past `episodic_budget` (`janitor`); semantic entries never expire.
//!
//! # Ranking
//!
//! `retrieve` matches the query's meaningful words with FTS5 (see [`search::match_expression`]:
//! English function words such as "the" are dropped, so two texts never match on them alone)
//! and scores EVERY match (`rank`, an FTS5 auxiliary function, so the top hits are exact):
//!
//! ```text
//! score     = relevance × recency
//! relevance = Σ over the query words the entry has: idf × (½ + ½ × min(1, tf weight))
//!             / query mass                                                   in [0, 1]
//! idf       = ln(1 + (N - n + 0.5) / (n + 0.5))     n of the N entries have the word
//! tf weight = BM25's (k1 1.2, b 0.75): 1 for one occurrence in an entry of average length
//! query mass = Σ idf over the query's words, an unseen one at most as much as the rarest
//!             seen one; past 4 words their mean × 4, so a long task is not diluted
//!             below every floor
//! recency   = F + (1 - F) × 0.5^(age / half_life)    F = RECENCY_FLOOR = 0.25
//! half_life = 3 days (episodic), 30 days (semantic)  (MemoryConfig)
//! ```
//!
//! Relevance is absolute (comparable across queries and stores; the top hit is not 1 unless
//! it matches the whole query), and a match whose relevance is below
//! [`MemoryConfig::min_relevance`] (the daemon's `memory.minRelevance`, default 0.35) is never
//! returned, so an unrelated query finds nothing and a new session is given nothing
//! unrelated ([`MemoryStore::context_for_task`]). Of two equally relevant hits the newer wins;
//! age can cost at most 4× (a much better match still beats a merely recent one). A query
//! with no word at all returns the newest entries, scored by recency alone; one of only
//! function words returns nothing.
//!
//! In a store of more than a few thousand entries, words found in over 5% of them (judged
//! among the newest 20,000) are left out of the match (`search::selective_terms` says why),
//! like function words; when every word is that common, the latest-added matches are the
//! candidates and recency ranks them.

mod error;
mod facts;
mod health;
pub mod janitor;
mod keys;
mod lookup;
mod rank;
pub mod requests;
mod rows;
mod schema;
pub mod search;
mod stopwords;
mod transfer;
mod types;
mod writer;

use parking_lot::Mutex;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

pub use error::MemoryError;
use facts::SharedFacts;
pub(crate) use keys::{content_hash, new_id};
use orchestrator_sqlite::FaultCell;
use rank::Ranker;
pub use rank::recency;
use rows::WriterState;
pub use schema::SCHEMA_VERSION;
pub use types::{
    Clock, DEFAULT_MIN_RELEVANCE, Entry, EntryType, JanitorReport, ManualClock, MemoryConfig,
    MemoryContext, MemoryStats, NewEntry, Scored, SystemClock, Tier,
};
use writer::Writer;

/// Idle read connections kept for reuse; more are opened on demand under load.
const MAX_IDLE_READERS: usize = 4;

/// The memory database handle. `Sync`: share it behind an `Arc`.
#[derive(Debug)]
pub struct MemoryStore {
    path: PathBuf,
    /// The last storage fault of reads and of writes, until one succeeds again: `status`
    /// shows memory `degraded` meanwhile.
    read_fault: FaultCell,
    write_fault: FaultCell,
    config: MemoryConfig,
    clock: Arc<dyn Clock>,
    writer: Writer,
    /// What `rank` scores with besides the words; the writer keeps it current.
    facts: Arc<SharedFacts>,
    readers: Mutex<Vec<Reader>>,
}

/// A read connection and its registration of `wundr_rank`.
#[derive(Debug)]
struct Reader {
    conn: Connection,
    ranker: Arc<Ranker>,
}

impl MemoryStore {
    /// Opens (creating and migrating) the memory tables in the database file at `path`.
    /// A file that is not a database, or is locked, fails here with [`MemoryError::Corrupt`]
    /// / [`MemoryError::Locked`]. `path` must be a real file: readers use their own
    /// connections.
    pub fn open(
        path: impl AsRef<Path>,
        config: MemoryConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, MemoryError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = schema::connect(&path, false)?;
        schema::migrate(&mut conn, &path)?;
        let opening = |e| MemoryError::opening(&path, e);
        let facts = Arc::new(SharedFacts::default());
        let state = WriterState::new(&conn, config.clone(), Arc::clone(&facts)).map_err(opening)?;
        let writer = Writer::start(conn, state, path.clone())?;
        let store = Self {
            path,
            read_fault: FaultCell::default(),
            write_fault: FaultCell::default(),
            config,
            clock,
            writer,
            facts,
            readers: Mutex::new(Vec::new()),
        };
        let reader = store.open_reader()?;
        store.readers.lock().push(reader);
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The limits in force.
    pub fn config(&self) -> &MemoryConfig {
        &self.config
    }

    /// A fresh, empty context for a new session (upstream's `initializeContext()`); the
    /// session's relevant memories come from [`Self::context_for_task`].
    pub fn initialize_context(&self) -> MemoryContext {
        MemoryContext::default()
    }

    /// Sets `key` in the session's scratchpad, overwriting any previous value.
    pub fn store_scratchpad(
        &self,
        session_id: &str,
        key: &str,
        value: Value,
    ) -> Result<(), MemoryError> {
        let text = serde_json::to_string(&value).map_err(|source| MemoryError::Json {
            what: "scratchpad value",
            source,
        })?;
        let (session_id, key, now) = (session_id.to_owned(), key.to_owned(), self.clock.now_ms());
        self.write(move |conn, _| {
            conn.prepare_cached(
                "INSERT INTO memory_scratchpad (session_id, key, value, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, key) DO UPDATE
                 SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .and_then(|mut s| s.execute(params![session_id, key, text, now]))
            .map(drop)
            .map_err(MemoryError::sql("store scratchpad"))
        })
    }

    /// The session's scratchpad (empty if it has none).
    pub fn scratchpad(&self, session_id: &str) -> Result<Map<String, Value>, MemoryError> {
        self.read(|conn, _| transfer::scratchpad_of(conn, session_id))
    }

    /// One scratchpad value, `None` if the key is absent.
    pub fn scratchpad_value(
        &self,
        session_id: &str,
        key: &str,
    ) -> Result<Option<Value>, MemoryError> {
        Ok(self.scratchpad(session_id)?.remove(key))
    }

    /// Deletes the session's scratchpad (when the session itself is deleted); returns the
    /// number of keys removed.
    pub fn clear_scratchpad(&self, session_id: &str) -> Result<u64, MemoryError> {
        let session_id = session_id.to_owned();
        self.write(move |conn, _| {
            conn.execute(
                "DELETE FROM memory_scratchpad WHERE session_id = ?1",
                [session_id],
            )
            .map(|n| n as u64)
            .map_err(MemoryError::sql("clear scratchpad"))
        })
    }

    /// Adds (or merges) an episodic entry.
    pub fn add_episodic(&self, entry: NewEntry) -> Result<Entry, MemoryError> {
        self.add(Tier::Episodic, entry)
    }

    /// Adds (or merges) a semantic entry.
    pub fn add_semantic(&self, entry: NewEntry) -> Result<Entry, MemoryError> {
        self.add(Tier::Semantic, entry)
    }

    /// Adds (or merges) an entry to `tier`.
    pub fn add(&self, tier: Tier, entry: NewEntry) -> Result<Entry, MemoryError> {
        let mut added = self.add_batch(tier, vec![entry])?;
        added.pop().ok_or(MemoryError::Closed)
    }

    /// Adds many entries in one transaction (all or none); the fast path for bulk writes.
    pub fn add_batch(&self, tier: Tier, entries: Vec<NewEntry>) -> Result<Vec<Entry>, MemoryError> {
        let now = self.clock.now_ms();
        let prepared = entries
            .into_iter()
            .map(|e| self.prepare(tier, e, now))
            .collect::<Result<Vec<_>, _>>()?;
        self.write(move |conn, state| {
            let stored = rows::insert_all(conn, state, prepared)?;
            Ok(stored.into_iter().map(|(entry, _)| entry).collect())
        })
    }

    /// Adds (or merges) an entry without waiting for the write: validation errors are
    /// returned, a failing write is logged. Writes queued before [`Self::flush`] or
    /// [`Self::close`] are committed by then.
    pub fn add_detached(&self, tier: Tier, entry: NewEntry) -> Result<(), MemoryError> {
        let prepared = self.prepare(tier, entry, self.clock.now_ms())?;
        self.writer
            .submit(move |conn, state| rows::insert_all(conn, state, [prepared]).map(drop))
    }

    /// Waits until every write queued so far is committed.
    pub fn flush(&self) -> Result<(), MemoryError> {
        self.write(|_, _| Ok(()))
    }

    fn prepare(&self, tier: Tier, entry: NewEntry, now: i64) -> Result<Entry, MemoryError> {
        validate_content(&entry.content, self.config.max_content_bytes)?;
        Ok(Entry {
            id: new_id(now),
            tier,
            content_hash: content_hash(&entry.content),
            content: entry.content,
            entry_type: entry.entry_type,
            timestamp: entry.timestamp.unwrap_or(now),
            metadata: entry.metadata,
            session_id: entry.session_id,
        })
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Result<Option<Entry>, MemoryError> {
        self.read(|conn, _| {
            conn.prepare_cached(&format!(
                "SELECT {} FROM memory_entries e WHERE e.id = ?1",
                schema::ENTRY_COLUMNS
            ))
            .and_then(|mut s| s.query_row([id], schema::entry_from_row).optional())
            .map_err(MemoryError::sql("get"))
        })
    }

    /// The best `limit` entries for `query` in `tier` (both tiers when `None`), best first;
    /// see the module doc for the score. Never fails on the query's text.
    pub fn retrieve(
        &self,
        query: &str,
        tier: Option<Tier>,
        limit: usize,
    ) -> Result<Vec<Scored>, MemoryError> {
        let now = self.clock.now_ms();
        self.facts.wait_loaded();
        self.read(|conn, ranker| {
            search::search(conn, ranker, query, tier, limit, now, &self.config)
        })
    }

    /// Deletes an entry; `false` if there was none with this id.
    pub fn forget(&self, id: &str) -> Result<bool, MemoryError> {
        let id = id.to_owned();
        self.write(move |conn, state| {
            let tier: Option<String> = conn
                .query_row(
                    "DELETE FROM memory_entries WHERE id = ?1 RETURNING tier",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(MemoryError::sql("forget"))?;
            if tier.as_deref() == Some(Tier::Episodic.as_str()) {
                state.episodic_count -= 1;
            }
            Ok(tier.is_some())
        })
    }

    /// Counts and sizes.
    pub fn stats(&self) -> Result<MemoryStats, MemoryError> {
        self.read(|conn, _| transfer::stats(conn))
    }

    /// Everything as one JSON document (`version`, `exportedAt`, `scratchpad` by session,
    /// `episodic`, `semantic`); [`Self::import`] reads it back.
    pub fn export(&self) -> Result<Value, MemoryError> {
        let now = self.clock.now_ms();
        self.read(|conn, _| transfer::export(conn, now))
    }

    /// Loads a document made by [`Self::export`], merging by content like `add`; all or
    /// nothing. Returns the number of entries plus scratchpad keys read.
    pub fn import(&self, document: &Value) -> Result<usize, MemoryError> {
        let parsed = transfer::parse(document, self.config.max_content_bytes, self.clock.now_ms())?;
        self.writer
            .run(move |conn, state| transfer::apply(conn, state, parsed))
    }

    /// Deletes episodic entries older than `episodic_ttl` at `now` (ms), then compacts if
    /// still over budget. The daemon calls this periodically with its clock's time.
    pub fn run_janitor(&self, now: i64) -> Result<JanitorReport, MemoryError> {
        self.write(move |conn, state| {
            let expired = janitor::expire(conn, state, now)?;
            let compacted = janitor::compact_in(conn, state)?;
            Ok(JanitorReport {
                expired,
                ..compacted
            })
        })
    }

    /// The top memories for a new session's task, as a short block for the SessionStart
    /// hook's `additionalContext`, within `max_tokens` (4 chars a token), plus the entries
    /// used, each with its content as the block shows it (cut to one bounded line). Empty
    /// when nothing relevant is stored.
    pub fn context_for_task(
        &self,
        task: &str,
        max_tokens: usize,
    ) -> Result<(String, Vec<Entry>), MemoryError> {
        if search::match_expression(task).is_none() {
            // A task of no meaningful words is about nothing in particular: the newest
            // entries an empty search lists would be unrelated, so give none.
            return Ok((String::new(), Vec::new()));
        }
        let hits = self.retrieve(task, None, 20)?;
        Ok(search::format_context(hits, max_tokens.saturating_mul(4)))
    }

    /// Writes what is queued and stops the writer; later writes fail with `Closed`.
    pub fn close(&self) {
        self.writer.close();
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection, &Ranker) -> Result<T, MemoryError>,
    ) -> Result<T, MemoryError> {
        let idle = self.readers.lock().pop();
        let reader = match idle {
            Some(reader) => reader,
            None => self.open_reader()?,
        };
        let result = f(&reader.conn, &reader.ranker);
        let mut pool = self.readers.lock();
        if pool.len() < MAX_IDLE_READERS {
            pool.push(reader);
        }
        drop(pool);
        self.observe(&self.read_fault, "reads", result)
    }

    fn open_reader(&self) -> Result<Reader, MemoryError> {
        let conn = schema::connect(&self.path, true)?;
        let ranker = Ranker::register(&conn, Arc::clone(&self.facts), self.config.clone())
            .map_err(|e| MemoryError::opening(&self.path, e))?;
        Ok(Reader { conn, ranker })
    }
}

impl Drop for MemoryStore {
    fn drop(&mut self) {
        self.writer.close();
    }
}

/// Refuses empty and oversized content, naming the limit.
pub(crate) fn validate_content(content: &str, max_bytes: usize) -> Result<(), MemoryError> {
    if content.trim().is_empty() {
        return Err(MemoryError::EmptyContent);
    }
    if content.len() > max_bytes {
        return Err(MemoryError::ContentTooLarge {
            size: content.len(),
            limit: max_bytes,
        });
    }
    Ok(())
}
