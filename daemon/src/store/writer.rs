//! The store's writer thread: it owns the write connection and turns whatever is queued when
//! it wakes into ONE short transaction ([`Op`]s), each write in its own savepoint so one bad
//! record never rolls back its neighbours. Every write's outcome is reported after the commit
//! (a [`Callback`]), so "done" means "on disk".
//!
//! Session saves come in two kinds. An acknowledged save (a spawn) tells its caller and is
//! never retried: the caller refuses the request instead. A background save (a status change
//! while a session runs) that fails is kept as the session's latest unsaved state and retried
//! with every later batch until it lands, so a full disk that is freed loses no final state.
//! Several saves of one session in a batch are written once, as its newest state.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{AuditRecord, StoreError, audit, sessions};
use crate::model::session::Session;
use orchestrator_sqlite::{FaultCell, StorageFault};

/// Most operations folded into one transaction: bounds how long a batch holds the write lock.
const MAX_BATCH: usize = 512;

/// Told the outcome of a write once its transaction is over.
pub type Callback = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// A unit of work for the writer.
pub(super) enum Op {
    /// Write a session's state. `background` saves are retried after a failure.
    Save {
        seq: u64,
        session: Box<Session>,
        background: bool,
        done: Option<Callback>,
    },
    /// Append a decision to the audit table.
    Audit {
        record: Box<AuditRecord>,
        done: Callback,
    },
    /// Resolves once everything queued before it is committed; retries unsaved sessions.
    Sync { done: Callback },
}

/// One session's write in a batch: its newest state and everyone waiting on it.
struct SaveWork {
    seq: u64,
    session: Box<Session>,
    /// Some background save took part, so a failure is retried later.
    background: bool,
    callbacks: Vec<Callback>,
}

/// The writer thread's state between batches.
pub(super) struct Writer {
    conn: Connection,
    path: PathBuf,
    health: Arc<FaultCell>,
    /// Sessions whose newest background save failed, by id.
    unsaved: HashMap<String, SaveWork>,
}

impl Writer {
    pub(super) fn new(conn: Connection, path: PathBuf, health: Arc<FaultCell>) -> Self {
        Self {
            conn,
            path,
            health,
            unsaved: HashMap::new(),
        }
    }

    /// Runs batches until every sender is gone.
    pub(super) fn run(mut self, rx: Receiver<Op>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            batch.extend(rx.try_iter().take(MAX_BATCH - 1));
            self.run_batch(batch);
        }
        if !self.unsaved.is_empty() {
            tracing::error!(
                sessions = self.unsaved.len(),
                db = %self.path.display(),
                "the database stayed unwritable: the newest state of these sessions was not saved"
            );
        }
    }

    fn run_batch(&mut self, batch: Vec<Op>) {
        let mut saves: Vec<SaveWork> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        // Older unsaved states first: a newer save in this batch replaces them.
        for (id, work) in self.unsaved.drain() {
            by_id.insert(id, saves.len());
            saves.push(work);
        }
        let mut audits = Vec::new();
        let mut syncs = Vec::new();
        for op in batch {
            match op {
                Op::Save {
                    seq,
                    session,
                    background,
                    done,
                } => match by_id.get(&session.id) {
                    Some(&at) => {
                        let work = &mut saves[at];
                        work.session = session;
                        work.background |= background;
                        work.callbacks.extend(done);
                    }
                    None => {
                        by_id.insert(session.id.clone(), saves.len());
                        saves.push(SaveWork {
                            seq,
                            session,
                            background,
                            callbacks: done.into_iter().collect(),
                        });
                    }
                },
                Op::Audit { record, done } => audits.push((record, done)),
                Op::Sync { done } => syncs.push(done),
            }
        }
        let (save_results, audit_results) = self.write(&saves, &audits);
        let mut fault = None;
        let mut wrote = false;
        let mut settle = |result: &Result<(), Arc<rusqlite::Error>>| match result {
            Ok(()) => wrote = true,
            Err(err) => {
                let kind = StorageFault::classify(err, &self.path);
                if kind.is_environmental() {
                    fault = Some(kind);
                }
            }
        };
        save_results.iter().for_each(&mut settle);
        audit_results.iter().for_each(&mut settle);
        // Before anyone hears of the outcome: a caller told "failed" finds `status` saying why.
        match fault {
            Some(kind) => self.health.fail(
                "store",
                format!("cannot write {}: {kind}", self.path.display()),
            ),
            None if wrote => self.health.recover("store"),
            None => {}
        }
        for (work, result) in saves.into_iter().zip(save_results) {
            match result {
                Err(err) if work.background => {
                    tracing::warn!(session = %work.session.id, error = %err, "session state not saved; retrying with the next write");
                    // Only acknowledged waiters hear of it now; background ones wait for the retry.
                    self.unsaved.insert(work.session.id.clone(), work);
                }
                result => {
                    for callback in work.callbacks {
                        callback(self.outcome(&result));
                    }
                }
            }
        }
        for ((_, done), result) in audits.into_iter().zip(audit_results) {
            done(self.outcome(&result));
        }
        for done in syncs {
            done(if self.unsaved.is_empty() {
                Ok(())
            } else {
                Err(StoreError::Unsaved {
                    path: self.path.clone(),
                    sessions: self.unsaved.len(),
                })
            });
        }
    }

    fn outcome(&self, result: &Result<(), Arc<rusqlite::Error>>) -> Result<(), StoreError> {
        result.clone().map_err(|source| StoreError::Write {
            path: self.path.clone(),
            fault: StorageFault::classify(&source, &self.path),
            source,
        })
    }

    /// Writes everything in one transaction; each result is final (a failed commit fails all).
    #[allow(clippy::type_complexity)] // reason: two parallel result lists, read right away
    fn write(
        &mut self,
        saves: &[SaveWork],
        audits: &[(Box<AuditRecord>, Callback)],
    ) -> (
        Vec<Result<(), Arc<rusqlite::Error>>>,
        Vec<Result<(), Arc<rusqlite::Error>>>,
    ) {
        // IMMEDIATE: the sessions writer and the memory writer share this file; a deferred
        // transaction that read first cannot upgrade past the other's commit
        // (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry).
        let tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(err) => {
                let err = Arc::new(err);
                return (
                    saves.iter().map(|_| Err(err.clone())).collect(),
                    audits.iter().map(|_| Err(err.clone())).collect(),
                );
            }
        };
        let mut save_results: Vec<_> = saves
            .iter()
            .map(|w| in_savepoint(&tx, |tx| sessions::upsert(tx, w.seq, &w.session)))
            .collect();
        let mut audit_results: Vec<_> = audits
            .iter()
            .map(|(record, _)| in_savepoint(&tx, |tx| audit::insert(tx, record)))
            .collect();
        if let Err(err) = tx.commit() {
            let err = Arc::new(err);
            for result in save_results.iter_mut().chain(audit_results.iter_mut()) {
                if result.is_ok() {
                    *result = Err(err.clone());
                }
            }
        }
        (save_results, audit_results)
    }
}

/// Runs `work` in its own savepoint: a failure undoes only its own changes.
fn in_savepoint(
    tx: &Transaction<'_>,
    work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<()>,
) -> Result<(), Arc<rusqlite::Error>> {
    tx.execute_batch("SAVEPOINT op").map_err(Arc::new)?;
    match work(tx) {
        Ok(()) => tx.execute_batch("RELEASE op").map_err(Arc::new),
        Err(err) => {
            // After some errors (a full disk) SQLite has already rolled the transaction back;
            // then this fails too and the commit reports it.
            let _ = tx.execute_batch("ROLLBACK TO op; RELEASE op");
            Err(Arc::new(err))
        }
    }
}
