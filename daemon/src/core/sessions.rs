//! The core's session table (`impl Core`): creating a session (acknowledged only once it is
//! committed), changing one (saved in the background, announced at once), reading one or a
//! page of them ([`SessionQuery`], [`SessionPage`]), and claiming queued sessions for free
//! slots.
//!
//! Live sessions are in the [`super::Registry`]; ended ones are read from the store. A session
//! that ends stays in memory until its final state is committed, so a reader never sees an
//! older state than the last one announced.

use crate::model::session::{RemoteJob, SESSION_ID_PREFIX};
use std::cmp::Reverse;
use std::collections::HashSet;

use super::{Core, Inner, Registry};
use crate::core::registry::Updated;
use crate::model::{DaemonEvent, Session, SessionStatus, TaskStatus};
use crate::store::{Loaded, Store, StoreError};

/// Which sessions to list: the newest `limit` with `seq < before` among those with one of
/// `statuses` (any when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionQuery {
    /// Only sessions created before this cursor (a page's `next_before`); `None` = newest.
    pub before: Option<u64>,
    /// At most this many.
    pub limit: usize,
    /// Only these statuses; empty = all.
    pub statuses: Vec<SessionStatus>,
}

/// One page of sessions, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionPage {
    /// The sessions.
    pub sessions: Vec<Session>,
    /// Each session's creation sequence number: the cursor (`before`) that lists what is
    /// older than it, for a door that cuts the page shorter.
    pub seqs: Vec<u64>,
    /// The cursor for the next (older) page, when there are more.
    pub next_before: Option<u64>,
    /// How many sessions match the statuses in all (every page).
    pub total: u64,
}

impl SessionPage {
    /// Drops the oldest sessions until the rest weigh at most `budget` by `size_of` (always
    /// keeping the newest one), moving the next-page cursor to the newest one dropped.
    pub fn cut_to(&mut self, budget: usize, size_of: impl Fn(&Session) -> usize) {
        let mut used = 0;
        let mut start = self.sessions.len();
        while start > 0 {
            let size = size_of(&self.sessions[start - 1]);
            if used + size > budget && start < self.sessions.len() {
                break;
            }
            used += size;
            start -= 1;
        }
        if start > 0 {
            self.next_before = Some(self.seqs[start]);
            self.sessions.drain(..start);
            self.seqs.drain(..start);
        }
    }
}

impl Core {
    /// Gives the core its database and what it read at start. Sessions that were active when
    /// the previous daemon died are marked failed (their processes died with it, and the
    /// conversation can be continued with `session send`) as of their last saved change;
    /// queued ones stay queued. Returns the interrupted sessions' ids with the pid their agent
    /// had (when it had one) and the cluster job it ran as (when remote), so whatever they left running can be reclaimed.
    pub fn attach_store(
        &self,
        store: Store,
        loaded: Loaded,
    ) -> Vec<(String, Option<u32>, Option<RemoteJob>)> {
        let stored: Vec<Session> = loaded.live.iter().map(|s| s.session.clone()).collect();
        self.seed_token_pools(&stored);
        let mut interrupted = Vec::new();
        {
            let mut inner = self.lock();
            inner.registry = Registry::resume(loaded.max_seq, &loaded.counts);
            for stored in loaded.live {
                let active = stored.session.status.is_active();
                let id = stored.session.id.clone();
                let pid = stored.session.pid;
                inner.registry.hold(stored.seq, stored.session);
                if active {
                    let died = stored.saved_at;
                    if let Some(updated) = inner.registry.update(&id, |s| {
                        s.end(
                            SessionStatus::Failed,
                            Some("interrupted: daemon restarted".to_owned()),
                        );
                        // It ended when the daemon died, not now.
                        let died = died.max(s.started_at);
                        s.ended_at = Some(died);
                        s.metrics.duration =
                            crate::model::session::millis_between(s.started_at, died);
                        s.task.updated_at = died;
                        s.task.status = TaskStatus::Failed;
                    }) {
                        interrupted.push((id, pid, updated));
                    }
                }
            }
        }
        let _ = self.store.set(store);
        if !interrupted.is_empty() {
            tracing::warn!(
                count = interrupted.len(),
                "sessions were interrupted by a daemon restart; continue them with `wundr orchestrator session send`"
            );
        }
        let mut orphans = Vec::new();
        for (id, pid, updated) in interrupted {
            self.save(&updated);
            orphans.push((id, pid, updated.after.remote.clone()));
        }
        orphans
    }

    /// Adds a new session once it is committed to the store, then announces
    /// `session:spawned`. On a store error nothing changed: the session never existed.
    pub async fn insert_session(&self, session: Session) -> Result<Session, StoreError> {
        let seq = self.lock().registry.reserve_seq();
        if let Some(store) = self.store() {
            store.insert_session(seq, &session).await?;
        }
        let id = session.id.clone();
        let snapshot = {
            let mut inner = self.lock();
            inner.metrics.total_sessions_spawned += 1;
            inner.registry.insert(seq, session);
            inner.registry.get(&id).cloned()
        };
        let session = snapshot.expect("a session just inserted is held");
        self.emit(DaemonEvent::SessionSpawned(Box::new(session.clone())));
        Ok(session)
    }

    /// Changes a session, saves it and announces the change (`session:completed` when it
    /// just ended). Counters follow its tokens, turns and outcome. `None` if it is unknown.
    pub fn update_session(&self, id: &str, change: impl FnOnce(&mut Session)) -> Option<Session> {
        // An ended session lives in the store; bring it back to change it.
        let stored = if self.lock().registry.get(id).is_none() {
            match self.store()?.session(id) {
                Ok(stored) => Some(stored?),
                Err(err) => {
                    tracing::error!(session = id, error = %crate::error_chain(&err), "cannot read the session to change it");
                    return None;
                }
            }
        } else {
            None
        };
        let updated = {
            let mut inner = self.lock();
            if let Some(stored) = stored
                && inner.registry.get(id).is_none()
            {
                inner.registry.hold(stored.seq, stored.session);
            }
            Self::apply_update(&mut inner, id, change)?
        };
        self.announce(&updated);
        Some(updated.after)
    }

    pub(super) fn apply_update(
        inner: &mut Inner,
        id: &str,
        change: impl FnOnce(&mut Session),
    ) -> Option<Updated> {
        let updated = inner.registry.update(id, change)?;
        let (before, after) = (&updated.before, &updated.after);
        let metrics = &mut inner.metrics;
        metrics.total_tokens_used += after
            .metrics
            .tokens_used
            .saturating_sub(before.metrics.tokens_used);
        let turns = |s: &Session| {
            u64::from(s.metrics.tasks_completed) + u64::from(s.metrics.errors_encountered)
        };
        metrics.total_tasks_processed += turns(after).saturating_sub(turns(before));
        if after.status.is_ended() && !before.status.is_ended() {
            inner.ended.record(after);
            inner.metrics.average_session_duration = inner.ended.mean_duration();
            inner.metrics.success_rate = inner.ended.success_rate();
        }
        Some(updated)
    }

    /// Saves the change in the background; an ended session is let go once its final state
    /// is committed.
    fn save(&self, updated: &Updated) {
        let Some(store) = self.store() else { return };
        let on_commit = updated.after.status.is_ended().then(|| {
            let (core, id, version) =
                (self.this.clone(), updated.after.id.clone(), updated.version);
            let evict: crate::store::Callback = Box::new(move |result| {
                if let (Ok(()), Some(core)) = (result, core.upgrade()) {
                    core.lock().registry.evict_saved(&id, version);
                }
            });
            evict
        });
        store.save_session(updated.seq, &updated.after, on_commit);
    }

    pub(super) fn announce(&self, updated: &Updated) {
        self.save(updated);
        let (before, after) = (&updated.before, &updated.after);
        let event = if after.status.is_ended() && !before.status.is_ended() {
            DaemonEvent::SessionCompleted(Box::new(after.clone()))
        } else {
            DaemonEvent::SessionUpdated(Box::new(after.clone()))
        };
        self.emit(event);
    }

    /// The ids of the sessions `given` can name: its exact id, else every session whose id
    /// starts with it (as git and docker take a unique prefix), the `session_` part optional.
    /// At most `limit` are returned; more than one means `given` is ambiguous.
    pub fn sessions_named(&self, given: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        if given.is_empty() || self.find_session(given)?.is_some() {
            return Ok(if given.is_empty() {
                Vec::new()
            } else {
                vec![given.to_owned()]
            });
        }
        let prefix = if given.starts_with(SESSION_ID_PREFIX) {
            given.to_owned()
        } else {
            format!("{SESSION_ID_PREFIX}{given}")
        };
        let mut ids = self.lock().registry.ids_with_prefix(&prefix);
        if let Some(store) = self.store() {
            ids.extend(store.session_ids_with_prefix(&prefix, limit)?);
        }
        ids.sort();
        ids.dedup();
        ids.truncate(limit);
        Ok(ids)
    }

    /// The session with `id`: held in memory, else read from the store.
    pub fn find_session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        if let Some(session) = self.lock().registry.get(id) {
            return Ok(Some(session.clone()));
        }
        match self.store() {
            Some(store) => Ok(store.session(id)?.map(|stored| stored.session)),
            None => Ok(None),
        }
    }

    /// [`Core::find_session`], with a read error logged and read as "unknown".
    pub fn session(&self, id: &str) -> Option<Session> {
        self.find_session(id).unwrap_or_else(|err| {
            tracing::error!(session = id, error = %crate::error_chain(&err), "cannot read a session");
            None
        })
    }

    /// Sessions that hold a slot or wait for one, oldest first.
    pub fn live_sessions(&self) -> Vec<Session> {
        self.lock().registry.live()
    }

    /// How many sessions there are of each status, ended ones included.
    pub fn session_counts_by_status(&self) -> Vec<(SessionStatus, u64)> {
        self.lock().registry.counts_by_status()
    }

    /// One page of sessions: the newest `query.limit` before its cursor, oldest first.
    pub fn list_sessions(&self, query: &SessionQuery) -> Result<SessionPage, StoreError> {
        let limit = query.limit.max(1);
        let wanted = |s: &Session| query.statuses.is_empty() || query.statuses.contains(&s.status);
        let (held, total) = {
            let inner = self.lock();
            (
                inner.registry.held_before(query.before),
                inner.registry.count(&query.statuses),
            )
        };
        let held_ids: HashSet<&str> = held.iter().map(|(_, s)| s.id.as_str()).collect();
        // Held sessions' rows may be stale: they come from memory instead. Asking for that many
        // more rows keeps the page full.
        let stored = match self.store() {
            Some(store) => store.sessions_page(
                query.before,
                &query.statuses,
                limit.saturating_add(held.len()).saturating_add(1),
            )?,
            None => Vec::new(),
        };
        let mut rows: Vec<(u64, Session)> = stored
            .into_iter()
            .filter(|row| !held_ids.contains(row.session.id.as_str()))
            .map(|row| (row.seq, row.session))
            .collect();
        rows.extend(held.into_iter().filter(|(_, s)| wanted(s)));
        rows.sort_by_key(|(seq, _)| Reverse(*seq));
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_before = if more {
            rows.last().map(|(seq, _)| *seq)
        } else {
            None
        };
        rows.reverse();
        let (seqs, sessions) = rows.into_iter().unzip();
        Ok(SessionPage {
            sessions,
            seqs,
            next_before,
            total,
        })
    }

    /// When a slot is free, moves the first queued session to `initializing` and returns it;
    /// the caller starts its agent. Deciding and claiming happen under one lock, so two
    /// callers never take the same last slot.
    pub fn claim_queued(&self) -> Option<Session> {
        let updated = {
            let mut inner = self.lock();
            if inner.registry.counts(self.max_sessions()).active >= self.max_sessions() {
                return None;
            }
            let id = inner.registry.peek_queue()?;
            Self::apply_update(&mut inner, &id, |s| s.status = SessionStatus::Initializing)?
        };
        self.announce(&updated);
        Some(updated.after)
    }

    /// Waits until every session change so far is committed; an error says what is not.
    pub async fn sync_store(&self) -> Result<(), StoreError> {
        match self.store() {
            Some(store) => store.sync().await,
            None => Ok(()),
        }
    }
}
