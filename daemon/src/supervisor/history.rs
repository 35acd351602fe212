//! [`HistoryFiles`]: every output event of a session — its turns, tool calls, approvals,
//! notices — also goes to `<data dir>/sessions/<id>/output.jsonl`, so `logs --session ID`
//! shows what a session did after a daemon restart, and beyond the in-memory backlog.
//! [`load`] reads it back.
//!
//! The file is one of the session's capped files (`output.jsonl` and its `.1` stay within
//! [`HISTORY_MAX_BYTES`], or `transcriptMaxBytes` when that is smaller): the newest events are
//! always kept. A line that does not parse (a rotation marker, a torn last line after a
//! crash) is skipped.

use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::actor::CappedFile;
use crate::core::{Core, FollowStart, OutputSink};
use crate::model::SessionOutput;

/// The history file's name inside a session's directory.
pub(crate) const HISTORY: &str = "output.jsonl";
/// The history's size cap: enough for thousands of events, small enough to read on every
/// `logs` call.
pub(crate) const HISTORY_MAX_BYTES: u64 = 4 << 20;
/// At most this many past events open a follow (the in-memory backlog's and the history
/// file's together).
const REPLAYED: usize = 2048;
/// Open history files; the least recently opened is closed first (it reopens on demand).
const OPEN_FILES: usize = 64;

/// Appends each output event to its session's history file.
pub(crate) struct HistoryFiles {
    sessions_dir: PathBuf,
    max_bytes: u64,
    open: Mutex<OpenFiles>,
}

#[derive(Default)]
struct OpenFiles {
    by_session: HashMap<String, CappedFile>,
    order: VecDeque<String>,
}

impl HistoryFiles {
    /// History files under `sessions_dir`, each capped at `max_bytes` (at most
    /// [`HISTORY_MAX_BYTES`]).
    pub(crate) fn new(sessions_dir: &Path, max_bytes: u64) -> Self {
        Self {
            sessions_dir: sessions_dir.to_path_buf(),
            max_bytes: max_bytes.min(HISTORY_MAX_BYTES),
            open: Mutex::new(OpenFiles::default()),
        }
    }
}

impl OutputSink for HistoryFiles {
    fn keep(&self, output: &SessionOutput) {
        let id = &output.session_id;
        let line = match serde_json::to_string(output) {
            Ok(line) => line,
            Err(err) => {
                tracing::warn!(session = %id, %err, "cannot keep an output event in the history");
                return;
            }
        };
        let mut open = self.open.lock();
        let open = &mut *open;
        if !open.by_session.contains_key(id) {
            // Only the directories of the daemon's own sessions: an id is never a path, and
            // a session that has no directory (refused at spawn) gets none from here.
            let dir = self.sessions_dir.join(id);
            if !is_plain_name(id) || !dir.is_dir() {
                return;
            }
            if open.order.len() >= OPEN_FILES
                && let Some(oldest) = open.order.pop_front()
            {
                open.by_session.remove(&oldest);
            }
            open.order.push_back(id.clone());
            open.by_session.insert(
                id.clone(),
                CappedFile::open(&dir, HISTORY, self.max_bytes, history_marker),
            );
        }
        if let Some(file) = open.by_session.get_mut(id) {
            // A failure is logged by the file (once per streak); the transcript stays the
            // complete record, so the session is not marked for a lost history line.
            let _logged_there = file.append(&line);
        }
    }
}

/// Whether `id` can only name an entry of the sessions directory (ids come from clients).
fn is_plain_name(id: &str) -> bool {
    !id.is_empty() && !id.contains(['/', '\0']) && !id.starts_with('.')
}

/// The first line of a rotated history: not an event, so [`load`] skips it.
fn history_marker(name: &str, max_bytes: u64) -> String {
    serde_json::json!({ "rotated": name, "maxBytes": max_bytes }).to_string()
}

/// What [`load`] found.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// The newest events (at most the `keep` asked for), oldest first.
    pub(crate) events: Vec<SessionOutput>,
    /// How many older ones there were besides.
    pub(crate) older: u64,
}

/// The events of the session in `dir` that happened before `before` (all when `None`),
/// keeping the newest `keep`.
pub(crate) fn load(dir: &Path, before: Option<SystemTime>, keep: usize) -> History {
    let mut events = VecDeque::new();
    let mut older = 0;
    for name in [format!("{HISTORY}.1"), HISTORY.to_owned()] {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        for line in text.lines() {
            let Ok(event) = serde_json::from_str::<SessionOutput>(line) else {
                continue;
            };
            if before.is_some_and(|before| event.at >= before) {
                continue;
            }
            if events.len() == keep {
                events.pop_front();
                older += 1;
            }
            events.push_back(event);
        }
    }
    History {
        events: events.into(),
        older,
    }
}

/// Session `id`'s past output, in-memory backlog and history file together (see
/// `Supervisor::follow_output`).
pub(crate) async fn follow_output(core: &Core, sessions_dir: &Path, id: &str) -> FollowStart {
    let mut start = core.follow_output(id);
    if !is_plain_name(id) {
        return start;
    }
    let before = start.backlog.first().map(|o| o.at);
    let wanted = REPLAYED.saturating_sub(start.backlog.len());
    let dir = sessions_dir.join(id);
    let history = tokio::task::spawn_blocking(move || load(&dir, before, wanted))
        .await
        .unwrap_or_default();
    if !history.events.is_empty() {
        start.dropped = history.older;
        let mut backlog = history.events;
        backlog.append(&mut start.backlog);
        start.backlog = backlog;
    }
    start
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use serde_json::json;

    use super::*;
    use crate::model::ApprovalRequest;
    use crate::model::{ChunkKind, LineSource, OutputKind, WaitKind};

    fn event(id: &str, at: SystemTime, kind: OutputKind) -> SessionOutput {
        SessionOutput {
            session_id: id.to_owned(),
            at,
            kind,
        }
    }

    fn every_kind() -> Vec<OutputKind> {
        vec![
            OutputKind::StreamStart,
            OutputKind::StreamChunk {
                text: "hi".into(),
                kind: ChunkKind::Thinking,
                index: 3,
            },
            OutputKind::StreamEnd {
                tokens: 7,
                finish_reason: Some("end_turn".into()),
            },
            OutputKind::ToolCallStart {
                tool_use_id: "t1".into(),
                name: "Bash".into(),
                input: json!({"command": "ls"}),
            },
            OutputKind::ToolCallResult {
                tool_use_id: "t1".into(),
                name: None,
                is_error: true,
                content: json!("boom"),
                duration_ms: Some(4),
            },
            OutputKind::TaskExecuting { task: "t".into() },
            OutputKind::TaskCompleted {
                task: "t".into(),
                result: "r".into(),
            },
            OutputKind::TaskFailed {
                task: "t".into(),
                error: "e".into(),
            },
            OutputKind::Approval(Box::new(ApprovalRequest::new(
                "s",
                WaitKind::Question,
                "AskUserQuestion",
                json!({"questions": []}),
                "defaultDecision: ask".into(),
                "why".into(),
                Duration::from_secs(5),
            ))),
            OutputKind::Line {
                source: LineSource::Stderr,
                line: "[stderr] x".into(),
            },
        ]
    }

    #[test]
    fn every_event_comes_back_as_it_was_kept_and_before_filters() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("s")).unwrap();
        let files = HistoryFiles::new(dir.path(), 1 << 20);
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let kept: Vec<_> = every_kind()
            .into_iter()
            .enumerate()
            .map(|(i, kind)| event("s", start + Duration::from_millis(i as u64), kind))
            .collect();
        for e in &kept {
            files.keep(e);
        }
        let all = load(&dir.path().join("s"), None, 100);
        assert_eq!(all.events, kept);
        assert_eq!(all.older, 0);

        let before = load(&dir.path().join("s"), Some(kept[5].at), 2);
        assert_eq!(before.events, kept[3..5]);
        assert_eq!(before.older, 3);
    }

    #[test]
    fn ids_that_are_not_a_sessions_directory_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("sessions");
        std::fs::create_dir_all(sessions.join("real")).unwrap();
        let files = HistoryFiles::new(&sessions, 1 << 20);
        let now = SystemTime::now();
        for id in ["../escape", "..", ".hidden", "", "a/b", "unknown"] {
            files.keep(&event(id, now, OutputKind::StreamStart));
        }
        let mut left: Vec<_> = walk(dir.path());
        left.sort();
        assert_eq!(left, [sessions.clone(), sessions.join("real")]);
    }

    #[test]
    fn a_torn_last_line_and_the_rotation_marker_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let good = serde_json::to_string(&event("s", now, OutputKind::StreamStart)).unwrap();
        std::fs::write(
            dir.path().join(HISTORY),
            format!(
                "{}\n{good}\n{{\"session_id\":\"s\",\"at\"",
                history_marker(HISTORY, 9)
            ),
        )
        .unwrap();
        let history = load(dir.path(), None, 10);
        assert_eq!(history.events.len(), 1);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(walk(&path));
            }
            found.push(path);
        }
        found
    }
}
