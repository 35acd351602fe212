//! [`Registry`]: every session the daemon knows, in creation order, plus the capacity queue —
//! queued sessions ordered by priority (critical first) and FIFO within a priority.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use super::session::{Session, SessionStatus, TaskPriority};
use super::status::SessionCounts;

type QueueKey = (Reverse<TaskPriority>, u64, String);

/// Sessions by id, creation order and the queue.
#[derive(Debug, Default)]
pub struct Registry {
    sessions: HashMap<String, Session>,
    order: Vec<String>,
    queue: BTreeSet<QueueKey>,
    next_seq: u64,
}

impl Registry {
    /// Adds a session (queued ones join the queue).
    pub fn insert(&mut self, session: Session) {
        let id = session.id.clone();
        if session.status == SessionStatus::Queued {
            self.enqueue_key(&session);
        }
        if self.sessions.insert(id.clone(), session).is_none() {
            self.order.push(id);
        }
        self.renumber_queue();
    }

    fn enqueue_key(&mut self, session: &Session) {
        self.next_seq += 1;
        self.queue.insert((
            Reverse(session.task.priority),
            self.next_seq,
            session.id.clone(),
        ));
    }

    /// The session with `id`.
    pub fn get(&self, id: &str) -> Option<&Session> {
        self.sessions.get(id)
    }

    /// Changes a session; keeps the queue in step with its status. Returns the new state.
    pub fn update(&mut self, id: &str, change: impl FnOnce(&mut Session)) -> Option<Session> {
        let session = self.sessions.get_mut(id)?;
        let was_queued = session.status == SessionStatus::Queued;
        change(session);
        let now_queued = session.status == SessionStatus::Queued;
        let snapshot = session.clone();
        if was_queued != now_queued {
            if now_queued {
                self.enqueue_key(&snapshot);
            } else {
                self.queue.retain(|(_, _, queued)| queued != id);
                if let Some(session) = self.sessions.get_mut(id) {
                    session.queue_position = None;
                }
            }
            self.renumber_queue();
        }
        self.sessions.get(id).cloned()
    }

    /// Every session, oldest first.
    pub fn list(&self) -> Vec<Session> {
        self.order
            .iter()
            .filter_map(|id| self.sessions.get(id).cloned())
            .collect()
    }

    /// The next queued session by priority, if any.
    pub fn peek_queue(&self) -> Option<String> {
        self.queue.first().map(|(_, _, id)| id.clone())
    }

    /// Live counts.
    pub fn counts(&self, max_sessions: u32) -> SessionCounts {
        let mut counts = SessionCounts {
            max_sessions,
            total: u32::try_from(self.sessions.len()).unwrap_or(u32::MAX),
            ..SessionCounts::default()
        };
        for session in self.sessions.values() {
            if session.status.is_active() {
                counts.active += 1;
            } else if session.status == SessionStatus::Queued {
                counts.queued += 1;
            }
        }
        counts
    }

    fn renumber_queue(&mut self) {
        for (position, (_, _, id)) in self.queue.iter().enumerate() {
            if let Some(session) = self.sessions.get_mut(id) {
                session.queue_position = Some(u32::try_from(position + 1).unwrap_or(u32::MAX));
            }
        }
    }
}
