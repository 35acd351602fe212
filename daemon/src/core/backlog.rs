//! [`OutputBacklog`]: the recent output of recent sessions, so that a follower who arrives
//! after a session started (or after it ended) still sees what it did, with no gap and no
//! repeat between the backlog and the live stream.

use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};

use tokio::sync::broadcast;

use crate::model::SessionOutput;

/// Events kept per session; older ones are dropped first (the transcript file keeps all).
const EVENTS_PER_SESSION: usize = 2048;
/// Sessions whose backlog is kept; the least recently started is dropped first.
const SESSIONS_KEPT: usize = 64;

/// Where every output event is also kept, beyond this process's life (the supervisor's
/// per-session history files).
pub trait OutputSink: Send + Sync {
    /// Keeps `output`. Must not block for long: it runs on the emitting task.
    fn keep(&self, output: &SessionOutput);
}

/// The bounded per-session history, and the broadcast it feeds.
pub struct OutputBacklog {
    inner: Mutex<Backlogs>,
    live: broadcast::Sender<SessionOutput>,
    sink: std::sync::OnceLock<std::sync::Arc<dyn OutputSink>>,
}

impl std::fmt::Debug for OutputBacklog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputBacklog")
            .field("sink", &self.sink.get().is_some())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Backlogs {
    by_session: HashMap<String, Session>,
    /// Session ids, oldest first.
    order: VecDeque<String>,
}

#[derive(Debug, Default)]
struct Session {
    events: VecDeque<SessionOutput>,
    dropped: u64,
}

/// What a follower gets when it starts following.
#[derive(Debug)]
pub struct FollowStart {
    /// How many older events of this session were dropped from the backlog.
    pub dropped: u64,
    /// The session's events so far, oldest first.
    pub backlog: Vec<SessionOutput>,
    /// Every output event after those.
    pub live: broadcast::Receiver<SessionOutput>,
}

impl OutputBacklog {
    /// An empty backlog whose live channel holds `capacity` events per slow subscriber.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Backlogs::default()),
            live: broadcast::channel(capacity).0,
            sink: std::sync::OnceLock::new(),
        }
    }

    /// Also hands every event to `sink` from now on (set once; later calls are ignored).
    pub fn keep_in(&self, sink: std::sync::Arc<dyn OutputSink>) {
        let _already_set_is_fine = self.sink.set(sink);
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Backlogs> {
        // Each update is a push and a pop; a panic between them leaves a valid deque.
        self.inner.lock()
    }

    /// Records `output` and sends it to the live subscribers. Both happen under the lock, so
    /// [`Self::follow`] sees every event either in its backlog or on its receiver, never both.
    pub fn emit(&self, output: SessionOutput) {
        if let Some(sink) = self.sink.get() {
            sink.keep(&output);
        }
        let mut inner = self.lock();
        let backlogs = &mut *inner;
        let session = match backlogs.by_session.get_mut(&output.session_id) {
            Some(session) => session,
            None => {
                if backlogs.order.len() >= SESSIONS_KEPT
                    && let Some(oldest) = backlogs.order.pop_front()
                {
                    backlogs.by_session.remove(&oldest);
                }
                backlogs.order.push_back(output.session_id.clone());
                backlogs
                    .by_session
                    .entry(output.session_id.clone())
                    .or_default()
            }
        };
        if session.events.len() >= EVENTS_PER_SESSION {
            session.events.pop_front();
            session.dropped += 1;
        }
        session.events.push_back(output.clone());
        let _no_followers_is_fine = self.live.send(output);
    }

    /// The session's events so far and a receiver for all later ones.
    pub fn follow(&self, session_id: &str) -> FollowStart {
        let inner = self.lock();
        let (backlog, dropped) = inner
            .by_session
            .get(session_id)
            .map(|s| (s.events.iter().cloned().collect(), s.dropped))
            .unwrap_or_default();
        FollowStart {
            dropped,
            backlog,
            live: self.live.subscribe(),
        }
    }

    /// Every output event from now on, of every session.
    pub fn subscribe(&self) -> broadcast::Receiver<SessionOutput> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LineSource, OutputKind};

    fn line(session: &str, n: usize) -> SessionOutput {
        SessionOutput {
            session_id: session.to_owned(),
            at: std::time::SystemTime::now(),
            kind: OutputKind::Line {
                source: LineSource::Stdout,
                line: n.to_string(),
            },
        }
    }

    #[test]
    fn a_late_follower_gets_the_backlog_then_only_newer_events() {
        let backlog = OutputBacklog::new(16);
        backlog.emit(line("a", 1));
        backlog.emit(line("b", 2));
        backlog.emit(line("a", 3));
        let mut start = backlog.follow("a");
        let kinds: Vec<_> = start.backlog.iter().map(|o| o.kind.clone()).collect();
        assert_eq!(kinds, vec![line("a", 1).kind, line("a", 3).kind]);
        backlog.emit(line("a", 4));
        let next = start.live.try_recv().unwrap();
        assert_eq!(next.kind, line("a", 4).kind);
        assert!(start.live.try_recv().is_err());
    }

    #[test]
    fn backlogs_are_bounded_per_session_and_in_number() {
        let backlog = OutputBacklog::new(16);
        for n in 0..EVENTS_PER_SESSION + 5 {
            backlog.emit(line("a", n));
        }
        let start = backlog.follow("a");
        assert_eq!(start.backlog.len(), EVENTS_PER_SESSION);
        assert_eq!(start.dropped, 5);
        assert_eq!(start.backlog[0].kind, line("a", 5).kind);
        for n in 0..SESSIONS_KEPT {
            backlog.emit(line(&format!("s{n}"), n));
        }
        assert!(
            backlog.follow("a").backlog.is_empty(),
            "the oldest session was dropped"
        );
        assert_eq!(backlog.follow("s0").backlog.len(), 1);
    }
}
