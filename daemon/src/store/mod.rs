//! [`Store`]: the daemon's SQLite database (`orchestrator.db` in the data dir), so sessions,
//! their final state and the decision audit survive restarts. WAL mode and a busy timeout;
//! migrations by `PRAGMA user_version`; one writer thread (`writer`) that batches whatever is
//! queued into one short transaction and reports each write's outcome after the commit; one
//! read connection for point reads and pages (`sessions`, `audit`).
//!
//! Acknowledged means durable: [`Store::insert_session`], [`Store::record_decision`] and
//! [`Store::sync`] resolve only once their write is committed, or fail with a
//! [`StoreError`] that names the cause ([`StorageFault`]: read-only, disk full, corrupt, …)
//! and the remedy. While writes fail, [`Store::health`] says why (`status`: store
//! `degraded`).

mod audit;
mod sessions;
mod writer;

use parking_lot::Mutex;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

pub use audit::AuditRecord;
pub use orchestrator_sqlite::{FaultCell, StorageFault};
pub use sessions::{Loaded, StoredSession};
pub use writer::Callback;

use crate::model::session::{Session, SessionStatus};
use writer::{Op, Writer};

/// The schema, one entry per version; entry `n` moves the database from version `n` to `n+1`.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_seq ON sessions(seq);",
    audit::MIGRATION,
    sessions::STATUS_INDEX_MIGRATION,
];

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Opening or migrating failed.
    #[error("cannot open the database {}: {fault}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What kind of problem it is.
        fault: StorageFault,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A write could not be committed; nothing of it was kept.
    #[error("cannot save to the database {}: {fault}", path.display())]
    Write {
        /// The database file.
        path: PathBuf,
        /// What kind of problem it is.
        fault: StorageFault,
        /// What SQLite said (shared by every write of the failed batch).
        #[source]
        source: Arc<rusqlite::Error>,
    },
    /// A read failed.
    #[error("cannot read the database {}", path.display())]
    Read {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored session could not be decoded.
    #[error("the database {} holds a session that cannot be read ({id})", path.display())]
    Decode {
        /// The database file.
        path: PathBuf,
        /// The session's id.
        id: String,
        /// What was wrong.
        #[source]
        source: serde_json::Error,
    },
    /// The database was written by a newer daemon.
    #[error("the database {} has schema version {found}; this daemon knows up to {known}", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        known: usize,
    },
    /// Background saves are still waiting for the database to take them.
    #[error("the newest state of {sessions} session(s) is not saved to {} yet", path.display())]
    Unsaved {
        /// The database file.
        path: PathBuf,
        /// How many sessions wait.
        sessions: usize,
    },
    /// The store was closed (the daemon is stopping).
    #[error("the database {} is closed", path.display())]
    Closed {
        /// The database file.
        path: PathBuf,
    },
}

impl StoreError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::Open { path, fault, .. } | Self::Write { path, fault, .. } => fault.remedy(path),
            Self::Read { path, source } => StorageFault::classify(source, path).remedy(path),
            Self::TooNew { .. } => "run the newer daemon, or move the database away".to_owned(),
            Self::Decode { path, .. } => format!(
                "the row was written by another program or version; move {} aside to start \
                 afresh",
                path.display()
            ),
            Self::Unsaved { path, .. } => format!(
                "see `wundr orchestrator status` for why {} cannot be written, and fix that",
                path.display()
            ),
            Self::Closed { .. } => "start the daemon again".to_owned(),
        }
    }

    /// The stable reason (see `orchestrator_api::error_codes`): the storage fault's, when there is
    /// one (a full disk is `STORE_DISK_FULL` whether opening or writing met it).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Open { .. } | Self::Write { .. } | Self::Read { .. } => {
                self.fault().unwrap_or(StorageFault::Other).reason()
            }
            Self::Decode { .. } => "STORE_ROW_UNREADABLE",
            Self::TooNew { .. } => "STORE_SCHEMA_TOO_NEW",
            Self::Unsaved { .. } => "STORE_UNSAVED",
            Self::Closed { .. } => "STORE_CLOSED",
        }
    }

    /// The kind of storage problem, when there is one.
    pub fn fault(&self) -> Option<StorageFault> {
        match self {
            Self::Open { fault, .. } | Self::Write { fault, .. } => Some(*fault),
            Self::Read { path, source } => Some(StorageFault::classify(source, path)),
            _ => None,
        }
    }

    fn opening(path: &Path) -> impl Fn(rusqlite::Error) -> Self + '_ {
        move |source| Self::Open {
            path: path.to_path_buf(),
            fault: StorageFault::classify(&source, path),
            source,
        }
    }

    fn reading(path: &Path) -> impl Fn(rusqlite::Error) -> Self + '_ {
        move |source| Self::Read {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The database handle; writes go to the writer thread, reads to one read connection.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    tx: Mutex<Option<Sender<Op>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    reader: Mutex<Connection>,
    health: Arc<FaultCell>,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Op::Save { .. } => "Save",
            Op::Audit { .. } => "Audit",
            Op::Sync { .. } => "Sync",
        })
    }
}

impl Store {
    /// Opens (creating and migrating) the database at `path`, with what a starting daemon
    /// needs of it ([`Loaded`]).
    pub fn open(path: &Path) -> Result<(Self, Loaded), StoreError> {
        let opening = StoreError::opening(path);
        let mut conn = Connection::open(path).map_err(&opening)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(&opening)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&opening)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(&opening)?;
        migrate(&mut conn, path)?;
        let reader = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(&opening)?;
        reader
            .busy_timeout(Duration::from_secs(5))
            .map_err(&opening)?;
        let loaded = sessions::load(&reader, path)?;
        let (tx, rx) = mpsc::channel();
        let health = Arc::new(FaultCell::default());
        let writer = Writer::new(conn, path.to_path_buf(), health.clone());
        let writer = std::thread::Builder::new()
            .name("store-writer".to_owned())
            .spawn(move || writer.run(rx))
            .map_err(|err| StoreError::Open {
                path: path.to_path_buf(),
                fault: StorageFault::Other,
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(err)),
            })?;
        Ok((
            Self {
                path: path.to_path_buf(),
                tx: Mutex::new(Some(tx)),
                writer: Mutex::new(Some(writer)),
                reader: Mutex::new(reader),
                health,
            },
            loaded,
        ))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why writes are failing, while they are (`None`: the store is healthy).
    pub fn health(&self) -> Option<String> {
        self.health.current()
    }

    /// Queues `op`; a closed store gives the op back.
    fn send(&self, op: Op) -> Result<(), Op> {
        let guard = self.tx.lock();
        match guard.as_ref() {
            Some(tx) => tx.send(op).map_err(|mpsc::SendError(op)| op),
            None => Err(op),
        }
    }

    fn closed(&self) -> StoreError {
        StoreError::Closed {
            path: self.path.clone(),
        }
    }

    /// Sends `make(callback)` and waits for its outcome.
    async fn acknowledged(&self, make: impl FnOnce(Callback) -> Op) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        let callback: Callback = Box::new(move |result| {
            let _ = tx.send(result);
        });
        if self.send(make(callback)).is_err() {
            return Err(self.closed());
        }
        rx.await.unwrap_or_else(|_| Err(self.closed()))
    }

    /// Writes a new session and resolves once it is committed. Never retried: on an error the
    /// caller refuses the spawn, and the session never existed.
    pub async fn insert_session(&self, seq: u64, session: &Session) -> Result<(), StoreError> {
        let session = Box::new(session.clone());
        self.acknowledged(|done| Op::Save {
            seq,
            session,
            background: false,
            done: Some(done),
        })
        .await
    }

    /// Queues a session's current state; `on_commit` is told once it (or a newer state of the
    /// same session) is committed. A failed save is retried with later writes.
    pub fn save_session(&self, seq: u64, session: &Session, on_commit: Option<Callback>) {
        let op = Op::Save {
            seq,
            session: Box::new(session.clone()),
            background: true,
            done: on_commit,
        };
        if let Err(Op::Save { done, session, .. }) = self.send(op) {
            tracing::warn!(session = %session.id, "database closed; session state not saved");
            if let Some(done) = done {
                done(Err(self.closed()));
            }
        }
    }

    /// Appends a charter decision to the audit; resolves once it is committed.
    pub async fn record_decision(&self, record: AuditRecord) -> Result<(), StoreError> {
        let record = Box::new(record);
        self.acknowledged(|done| Op::Audit { record, done }).await
    }

    /// Resolves once everything queued so far is committed (retrying unsaved sessions); an
    /// error says what is still unsaved.
    pub async fn sync(&self) -> Result<(), StoreError> {
        self.acknowledged(|done| Op::Sync { done }).await
    }

    /// [`Store::sync`] for threads outside the async runtime.
    pub fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = mpsc::channel();
        let done: Callback = Box::new(move |result| {
            let _ = tx.send(result);
        });
        if self.send(Op::Sync { done }).is_err() {
            return Err(self.closed());
        }
        rx.recv().unwrap_or_else(|_| Err(self.closed()))
    }

    fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let reader = self.reader.lock();
        work(&reader)
    }

    /// The committed state of session `id`.
    pub fn session(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        self.read(|conn| sessions::get(conn, &self.path, id))
    }

    /// The ids of up to `limit` committed sessions that start with `prefix`, in id order.
    pub fn session_ids_with_prefix(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.read(|conn| sessions::ids_with_prefix(conn, &self.path, prefix, limit))
    }

    /// Up to `limit` committed sessions with `seq < before` whose stored status is one of
    /// `statuses` (any when empty), newest first.
    pub fn sessions_page(
        &self,
        before: Option<u64>,
        statuses: &[SessionStatus],
        limit: usize,
    ) -> Result<Vec<StoredSession>, StoreError> {
        self.read(|conn| sessions::page(conn, &self.path, before, statuses, limit))
    }

    /// The newest `limit` audit records (of `session` when given), oldest first. Waits for
    /// queued writes first, so a decision just made is listed.
    pub fn audit(&self, session: Option<&str>, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        // A failed flush only means some session state is unsaved; the audit is still read.
        let _ = self.flush();
        self.read(|conn| audit::list(conn, &self.path, session, limit))
    }

    /// Writes what is queued and stops the writer.
    pub fn close(&self) {
        self.tx.lock().take();
        if let Some(writer) = self.writer.lock().take() {
            let _ = writer.join();
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close();
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let opening = StoreError::opening(path);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(&opening)?;
    let start = usize::try_from(version).unwrap_or(usize::MAX);
    if start > MIGRATIONS.len() {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: MIGRATIONS.len(),
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(start) {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(&opening)?;
        tx.execute_batch(migration).map_err(&opening)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(&opening)?;
        tx.commit().map_err(&opening)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
