//! [`DaemonMemory`]: memory (the `orchestrator_memory` crate) as the daemon runs it. It opens
//! the [`MemoryStore`] on
//! `orchestrator.db` at start and, when that fails (a corrupt or locked file), keeps the
//! reason instead: memory is then `degraded`, every memory request fails with
//! [`MemoryError::Unavailable`], and sessions keep working without memories.
//!
//! It is also where sessions meet memory: [`DaemonMemory::context_for`] picks what a new
//! session is given (stored on its `memoryContext`, see [`memory_context_text`]) and
//! [`DaemonMemory::record_session_end`] writes an episodic entry when a session ends.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use orchestrator_config::MemorySettings;

use crate::model::{Session, SessionStatus, SubsystemStatus};
use orchestrator_memory::{
    Clock, Entry, EntryType, MemoryConfig, MemoryError, MemoryStore, NewEntry, SystemClock, Tier,
};

/// Bytes of a task kept in a session's episodic entry.
const TASK_BYTES: usize = 2_000;
/// Bytes of a session's result (or error) kept in its episodic entry.
const RESULT_BYTES: usize = 4_000;

/// The daemon's memory: a working store, or why there is none.
#[derive(Debug)]
pub struct DaemonMemory {
    store: Result<Arc<MemoryStore>, MemoryError>,
    max_context_tokens: usize,
}

impl DaemonMemory {
    /// Opens the memory tables in the database at `path` with the wall clock. Never fails:
    /// an unusable database gives a degraded memory that says why.
    pub fn open(path: &Path, settings: &MemorySettings) -> Self {
        Self::open_with_clock(path, settings, Arc::new(SystemClock))
    }

    /// [`Self::open`] with an injected clock (tests).
    pub fn open_with_clock(path: &Path, settings: &MemorySettings, clock: Arc<dyn Clock>) -> Self {
        let store = MemoryStore::open(path, store_config(settings), clock).map_err(|err| {
            let reason = crate::error_chain(&err);
            tracing::error!(error = %reason, remedy = %err.remedy(), "memory is degraded: sessions run without memories");
            MemoryError::Unavailable {
                reason,
                remedy: err.remedy(),
            }
        });
        Self {
            store: store.map(Arc::new),
            max_context_tokens: settings.max_context_tokens,
        }
    }

    /// The store, or [`MemoryError::Unavailable`] when memory is degraded.
    pub fn store(&self) -> Result<&Arc<MemoryStore>, MemoryError> {
        match &self.store {
            Ok(store) => Ok(store),
            Err(MemoryError::Unavailable { reason, remedy }) => Err(MemoryError::Unavailable {
                reason: reason.clone(),
                remedy: remedy.clone(),
            }),
            Err(other) => Err(MemoryError::Unavailable {
                reason: other.to_string(),
                remedy: other.remedy(),
            }),
        }
    }

    /// What `status` reports for the `memory` subsystem: degraded when the store could not
    /// be opened, or while its reads or writes fail.
    pub fn health(&self) -> (SubsystemStatus, Option<String>) {
        match &self.store {
            Ok(store) => match store.health() {
                None => (SubsystemStatus::Running, None),
                Some(fault) => (SubsystemStatus::Degraded, Some(fault)),
            },
            Err(err) => (SubsystemStatus::Degraded, Some(err.to_string())),
        }
    }

    /// The `memoryContext` of a new session doing `task`: the best memories within
    /// `maxContextTokens`, as entries and as the rendered `text` the SessionStart hook adds.
    /// Memory being unavailable gives an empty context (the session still starts).
    pub fn context_for(&self, task: &str) -> Value {
        let empty = || json!({"scratchpad": {}, "episodic": [], "semantic": [], "text": ""});
        let Ok(store) = self.store() else {
            return empty();
        };
        if self.max_context_tokens == 0 {
            return empty();
        }
        let (text, used) = match store.context_for_task(task, self.max_context_tokens) {
            Ok(found) => found,
            Err(err) => {
                tracing::warn!(error = %crate::error_chain(&err), "cannot look up memories for a new session");
                return empty();
            }
        };
        let of = |tier: Tier| -> Vec<&Entry> { used.iter().filter(|e| e.tier == tier).collect() };
        json!({
            "scratchpad": {},
            "episodic": of(Tier::Episodic),
            "semantic": of(Tier::Semantic),
            "text": text,
        })
    }

    /// Records that `session` ended as an episodic `interaction` entry (task, outcome,
    /// bounded result, tokens, duration, session id), without waiting for the write.
    pub fn record_session_end(&self, session: &Session, result: Option<&str>) {
        let Ok(store) = self.store() else { return };
        let entry = session_end_entry(session, result);
        if let Err(err) = store.add_detached(Tier::Episodic, entry) {
            tracing::warn!(session = %session.id, error = %crate::error_chain(&err), "cannot remember the session's end");
        }
    }

    /// Expires and compacts now; run periodically by the daemon.
    pub fn run_janitor(&self) {
        let Ok(store) = self.store() else { return };
        match store.run_janitor(SystemClock.now_ms()) {
            Ok(report) if report.expired + report.compacted > 0 => {
                tracing::info!(?report, "memory janitor");
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %crate::error_chain(&err), "memory janitor failed");
            }
        }
    }

    /// Waits for queued writes (at daemon stop).
    pub fn flush(&self) {
        if let Ok(store) = &self.store
            && let Err(err) = store.flush()
        {
            tracing::warn!(error = %crate::error_chain(&err), "cannot flush memory");
        }
    }
}

/// How often the janitor runs: often enough that expiry is at most this late.
pub const JANITOR_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// The text the SessionStart hook appends to `additionalContext` for `session`: the block of
/// memories chosen when it was spawned (empty when it was given none).
pub fn memory_context_text(session: &Session) -> String {
    session
        .memory_context
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The episodic entry recording how `session` ended.
pub fn session_end_entry(session: &Session, result: Option<&str>) -> NewEntry {
    let cut = |text: &str, max: usize| {
        let short = orchestrator_memory::janitor::truncate(text.trim(), max);
        if short.len() < text.trim().len() {
            format!("{short}...")
        } else {
            short.to_owned()
        }
    };
    let outcome = session.status.as_str();
    let mut content = format!(
        "Task: {}\nOutcome: {outcome}",
        cut(&session.task.description, TASK_BYTES)
    );
    if let Some(error) = session
        .error
        .as_deref()
        .filter(|_| session.status != SessionStatus::Completed)
    {
        content.push_str(&format!(" ({})", cut(error, RESULT_BYTES)));
    }
    if let Some(result) = result.map(str::trim).filter(|r| !r.is_empty()) {
        content.push_str(&format!("\nResult: {}", cut(result, RESULT_BYTES)));
    }
    let mut metadata = Map::new();
    metadata.insert("taskId".into(), json!(session.task.id));
    metadata.insert("taskType".into(), json!(session.task.task_type));
    metadata.insert("outcome".into(), json!(outcome));
    metadata.insert("tokensUsed".into(), json!(session.metrics.tokens_used));
    metadata.insert("durationMs".into(), json!(session.metrics.duration));
    metadata.insert("sessionType".into(), json!(session.session_type.as_str()));
    NewEntry::new(content, EntryType::Interaction)
        .with_metadata(metadata)
        .with_session(session.id.clone())
}

/// The store's configuration for the daemon's `memory:` settings (the other knobs keep the
/// store's defaults).
fn store_config(settings: &MemorySettings) -> MemoryConfig {
    MemoryConfig {
        episodic_ttl: settings.episodic_ttl,
        episodic_budget: settings.episodic_budget,
        min_relevance: settings.min_relevance,
        ..MemoryConfig::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_daemons_relevance_floor_is_the_stores() {
        assert_eq!(
            orchestrator_config::memory::DEFAULT_MIN_RELEVANCE,
            orchestrator_memory::DEFAULT_MIN_RELEVANCE
        );
    }
}
