//! [`Store`]: the daemon's SQLite database (`orchestrator.db` in the data dir), so sessions and
//! their final state survive restarts. WAL mode and a busy timeout; migrations by
//! `PRAGMA user_version`; one writer thread that owns the connection and batches whatever is
//! queued into one short transaction, so callers never wait on disk.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use crate::core::session::Session;

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
];

#[path = "store_audit.rs"]
mod audit;
pub use audit::AuditRecord;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Opening, migrating or reading failed.
    #[error("cannot use the database {}", path.display())]
    Sqlite {
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
}

impl StoreError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::TooNew { .. } => "run the newer daemon, or move the database away".to_owned(),
            Self::Sqlite { path, .. } | Self::Decode { path, .. } => format!(
                "if the file is damaged, move {} aside (the daemon starts a new one)",
                path.display()
            ),
        }
    }
}

enum Op {
    Save(Box<Session>),
    Audit(Box<AuditRecord>),
    Flush(Sender<()>),
}

/// The database handle; writes go to the writer thread.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    tx: Mutex<Option<Sender<Op>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Op::Save(_) => "Save",
            Op::Audit(_) => "Audit",
            Op::Flush(_) => "Flush",
        })
    }
}

impl Store {
    /// Opens (creating and migrating) the database at `path` and returns it with every stored
    /// session, oldest first.
    pub fn open(path: &Path) -> Result<(Self, Vec<Session>), StoreError> {
        let sqlite = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite)?;
        migrate(&mut conn, path)?;
        let sessions = load_sessions(&conn, path)?;
        let (tx, rx) = mpsc::channel();
        let writer_path = path.to_path_buf();
        let writer = std::thread::Builder::new()
            .name("store-writer".to_owned())
            .spawn(move || write_loop(conn, rx, &writer_path))
            .map_err(|err| sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(err))))?;
        Ok((
            Self {
                path: path.to_path_buf(),
                tx: Mutex::new(Some(tx)),
                writer: Mutex::new(Some(writer)),
            },
            sessions,
        ))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn send(&self, op: Op) -> bool {
        let guard = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().is_some_and(|tx| tx.send(op).is_ok())
    }

    /// Queues a session's current state for writing.
    pub fn save_session(&self, session: &Session) {
        if !self.send(Op::Save(Box::new(session.clone()))) {
            tracing::warn!(session = %session.id, "database closed; session state not saved");
        }
    }

    /// Queues a charter decision for the audit table.
    pub fn record_decision(&self, record: AuditRecord) {
        if !self.send(Op::Audit(Box::new(record))) {
            tracing::warn!("database closed; charter decision not audited");
        }
    }

    /// The newest `limit` audit records (of `session` when given), oldest first. Waits for
    /// queued writes first, so a decision just made is listed.
    pub fn audit(&self, session: Option<&str>, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        self.flush();
        audit::list(&self.path, session, limit)
    }

    /// Waits until everything queued so far is on disk.
    pub fn flush(&self) {
        let (done_tx, done_rx) = mpsc::channel();
        if self.send(Op::Flush(done_tx)) {
            let _ = done_rx.recv();
        }
    }

    /// Writes what is queued and stops the writer.
    pub fn close(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
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
    let sqlite = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sqlite)?;
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
            .map_err(sqlite)?;
        tx.execute_batch(migration).map_err(sqlite)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
    }
    Ok(())
}

fn load_sessions(conn: &Connection, path: &Path) -> Result<Vec<Session>, StoreError> {
    let sqlite = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let mut statement = conn
        .prepare("SELECT id, data FROM sessions ORDER BY seq")
        .map_err(sqlite)?;
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(sqlite)?;
    let mut sessions = Vec::new();
    for row in rows {
        let (id, data) = row.map_err(sqlite)?;
        let session = serde_json::from_str(&data).map_err(|source| StoreError::Decode {
            path: path.to_path_buf(),
            id,
            source,
        })?;
        sessions.push(session);
    }
    Ok(sessions)
}

fn write_loop(mut conn: Connection, rx: Receiver<Op>, path: &Path) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let mut waiting = Vec::new();
        if let Err(err) = write_batch(&mut conn, batch, &mut waiting) {
            tracing::error!(db = %path.display(), %err, "cannot save sessions");
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

fn write_batch(
    conn: &mut Connection,
    batch: Vec<Op>,
    waiting: &mut Vec<Sender<()>>,
) -> rusqlite::Result<()> {
    // IMMEDIATE: the sessions writer and the memory writer share this file; a deferred
    // transaction that read first cannot upgrade past the other's commit (SQLITE_BUSY_SNAPSHOT,
    // which busy_timeout does not retry), so take the write lock up front and wait for it.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO sessions (id, seq, status, data, updated_at)
             VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sessions), ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET
                status = excluded.status, data = excluded.data, updated_at = excluded.updated_at",
        )?;
        for op in batch {
            match op {
                Op::Save(session) => {
                    let data = serde_json::to_string(&session)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as i64);
                    upsert.execute(params![session.id, session.status.as_str(), data, now])?;
                }
                Op::Audit(record) => audit::insert(&tx, &record)?,
                Op::Flush(done) => waiting.push(done),
            }
        }
    }
    tx.commit()
}
