//! [`Writer`]: the one thread that writes memory. It owns the write connection; callers send
//! it jobs and block on their reply. Whatever is queued when the thread wakes is run in ONE
//! short transaction (one commit for many callers is what makes 8 concurrent writers fast and
//! free of `database is locked`), each job inside its own savepoint so one failing job does
//! not undo its neighbours. Replies are sent only after the commit, so a caller that got
//! `Ok` can read its write from any connection.
//!
//! At the end of each batch the writer checks the episodic budget and, when it is exceeded,
//! compacts (see `janitor`) in a savepoint of the same transaction.

use parking_lot::Mutex;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::error::MemoryError;
use super::facts::EntryFacts;
use super::janitor;
use super::rows::{WriterState, count_episodic};

/// Most jobs folded into one transaction; bounds how long a batch holds the write lock.
const MAX_BATCH: usize = 512;

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
            tracing::warn!(error = %orchestrator_api::error_chain(&err), "a background memory write failed");
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
        self.enqueue(Box::new(work), reply)?;
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
        self.enqueue(Box::new(work), reply)
    }

    /// Hands `work` to the writer thread; its result goes to `reply`.
    fn enqueue<T: Send + 'static>(
        &self,
        work: Work<T>,
        reply: SyncSender<Result<T, MemoryError>>,
    ) -> Result<(), MemoryError> {
        let job: Box<dyn Job> = Box::new(Request {
            work: Some(work),
            result: None,
            reply,
        });
        let guard = self.tx.lock();
        let sender = guard.as_ref().ok_or(MemoryError::Closed)?;
        sender.send(job).map_err(|_| MemoryError::Closed)
    }

    /// Finishes what is queued and stops the thread.
    pub fn close(&self) {
        self.tx.lock().take();
        if let Some(thread) = self.thread.lock().take() {
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
