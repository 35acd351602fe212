//! [`Registry`]: the sessions the daemon holds in memory, the capacity queue, and how many
//! sessions there are of each status.
//!
//! Held in memory: every session that has not ended, and ended ones until their final state
//! is committed to the store (then [`Registry::evict_saved`] lets them go; they are read from
//! the store from then on). So memory follows the number of live sessions, not the number of
//! sessions ever run. Each entry carries its creation `seq` (the store's order, never
//! reused) and a `version` bumped by every change, so a commit of an older state never evicts
//! a session that changed since. The queue orders queued sessions by priority (critical
//! first), FIFO within a priority.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::session::{Session, SessionStatus, TaskPriority};
use crate::model::status::SessionCounts;

type QueueKey = (Reverse<TaskPriority>, u64, String);

/// One session held in memory.
#[derive(Debug)]
struct Entry {
    seq: u64,
    version: u64,
    session: Session,
}

/// A change applied by [`Registry::update`].
#[derive(Debug)]
pub struct Updated {
    /// The session before the change.
    pub before: Session,
    /// The session after it.
    pub after: Session,
    /// Its creation sequence number.
    pub seq: u64,
    /// Its version after the change.
    pub version: u64,
}

/// Live sessions by id and creation order, the queue, and counts by status.
#[derive(Debug, Default)]
pub struct Registry {
    sessions: HashMap<String, Entry>,
    by_seq: BTreeMap<u64, String>,
    queue: BTreeSet<QueueKey>,
    next_queue_key: u64,
    /// Versions come from one counter, so a session let go and brought back never reuses one.
    last_version: u64,
    last_seq: u64,
    counts: [u64; SessionStatus::ALL.len()],
}

fn slot(status: SessionStatus) -> usize {
    SessionStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or_default()
}

impl Registry {
    /// A registry continuing a store whose highest `seq` is `max_seq` and which holds `counts`
    /// sessions of each status.
    pub fn resume(max_seq: u64, counts: &[(SessionStatus, u64)]) -> Self {
        let mut registry = Self {
            last_seq: max_seq,
            ..Self::default()
        };
        for (status, count) in counts {
            registry.counts[slot(*status)] += count;
        }
        registry
    }

    /// The next creation sequence number (each is handed out once).
    pub fn reserve_seq(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Adds a session created now (it is counted).
    pub fn insert(&mut self, seq: u64, session: Session) {
        self.counts[slot(session.status)] += 1;
        self.hold(seq, session);
    }

    /// Holds a session that is already counted (loaded from the store at start, or brought
    /// back from it to be changed).
    pub fn hold(&mut self, seq: u64, session: Session) {
        let id = session.id.clone();
        if session.status == SessionStatus::Queued {
            self.enqueue_key(&session);
        }
        self.last_seq = self.last_seq.max(seq);
        self.last_version += 1;
        self.by_seq.insert(seq, id.clone());
        self.sessions.insert(
            id,
            Entry {
                seq,
                version: self.last_version,
                session,
            },
        );
        self.renumber_queue();
    }

    fn enqueue_key(&mut self, session: &Session) {
        self.next_queue_key += 1;
        self.queue.insert((
            Reverse(session.task.priority),
            self.next_queue_key,
            session.id.clone(),
        ));
    }

    /// The ids of held sessions that start with `prefix`.
    pub fn ids_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.sessions
            .keys()
            .filter(|id| id.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// The session with `id`, when it is held.
    pub fn get(&self, id: &str) -> Option<&Session> {
        self.sessions.get(id).map(|e| &e.session)
    }

    /// Changes a held session; keeps the queue and the counts in step with its status.
    pub fn update(&mut self, id: &str, change: impl FnOnce(&mut Session)) -> Option<Updated> {
        let entry = self.sessions.get_mut(id)?;
        let before = entry.session.clone();
        change(&mut entry.session);
        self.last_version += 1;
        entry.version = self.last_version;
        let (seq, version, status) = (entry.seq, entry.version, entry.session.status);
        if before.status != status {
            self.counts[slot(before.status)] = self.counts[slot(before.status)].saturating_sub(1);
            self.counts[slot(status)] += 1;
        }
        let was_queued = before.status == SessionStatus::Queued;
        let now_queued = status == SessionStatus::Queued;
        if was_queued != now_queued {
            if now_queued {
                let snapshot = self.sessions.get(id)?.session.clone();
                self.enqueue_key(&snapshot);
            } else {
                self.queue.retain(|(_, _, queued)| queued != id);
                if let Some(entry) = self.sessions.get_mut(id) {
                    entry.session.queue_position = None;
                }
            }
            self.renumber_queue();
        }
        let after = self.sessions.get(id)?.session.clone();
        Some(Updated {
            before,
            after,
            seq,
            version,
        })
    }

    /// Lets go of an ended session whose state at `version` is committed, unless it changed
    /// since. Returns whether it was let go.
    pub fn evict_saved(&mut self, id: &str, version: u64) -> bool {
        let evict = self
            .sessions
            .get(id)
            .is_some_and(|e| e.version == version && e.session.status.is_ended());
        if evict && let Some(entry) = self.sessions.remove(id) {
            self.by_seq.remove(&entry.seq);
        }
        evict
    }

    /// Held sessions with `seq < before` (all when `None`), oldest first, with their `seq`.
    pub fn held_before(&self, before: Option<u64>) -> Vec<(u64, Session)> {
        self.by_seq
            .range(..before.unwrap_or(u64::MAX))
            .filter_map(|(seq, id)| Some((*seq, self.sessions.get(id)?.session.clone())))
            .collect()
    }

    /// Sessions that hold a slot or wait for one, oldest first.
    pub fn live(&self) -> Vec<Session> {
        self.by_seq
            .values()
            .filter_map(|id| self.sessions.get(id))
            .filter(|e| !e.session.status.is_ended())
            .map(|e| e.session.clone())
            .collect()
    }

    /// The next queued session by priority, if any.
    pub fn peek_queue(&self) -> Option<String> {
        self.queue.first().map(|(_, _, id)| id.clone())
    }

    /// How many sessions there are with one of `statuses` (all sessions when empty).
    pub fn count(&self, statuses: &[SessionStatus]) -> u64 {
        SessionStatus::ALL
            .iter()
            .filter(|s| statuses.is_empty() || statuses.contains(s))
            .map(|s| self.counts[slot(*s)])
            .sum()
    }

    /// Sessions of every status.
    pub fn counts_by_status(&self) -> Vec<(SessionStatus, u64)> {
        SessionStatus::ALL
            .iter()
            .map(|s| (*s, self.counts[slot(*s)]))
            .collect()
    }

    /// Live counts.
    pub fn counts(&self, max_sessions: u32) -> SessionCounts {
        let mut counts = SessionCounts {
            max_sessions,
            total: u32::try_from(self.count(&[])).unwrap_or(u32::MAX),
            ..SessionCounts::default()
        };
        for entry in self.sessions.values() {
            if entry.session.status.is_active() {
                counts.active += 1;
                if entry.session.waiting_for.is_some() {
                    counts.waiting += 1;
                }
                if entry.session.stalled_since.is_some() {
                    counts.stalled += 1;
                }
            } else if entry.session.status == SessionStatus::Queued {
                counts.queued += 1;
            }
        }
        counts
    }

    fn renumber_queue(&mut self) {
        for (position, (_, _, id)) in self.queue.iter().enumerate() {
            if let Some(entry) = self.sessions.get_mut(id) {
                entry.session.queue_position =
                    Some(u32::try_from(position + 1).unwrap_or(u32::MAX));
            }
        }
    }
}
