//! The memory store as the running daemon uses it: [`with_store`] runs a door's memory call
//! off the async runtime, and [`run_janitor`] expires and compacts memory while the daemon
//! runs. The store itself is `memory`; `Core` holds it.

use std::sync::Arc;

use super::Core;
use crate::memory::JANITOR_INTERVAL;
use orchestrator_memory::{MemoryError, MemoryStore};

/// Runs `work` on the memory store on a blocking thread (memory calls wait on SQLite and its
/// writer, which must not stall the async runtime). Used by both doors.
pub async fn with_store<T: Send + 'static>(
    core: &Arc<Core>,
    work: impl FnOnce(&MemoryStore) -> Result<T, MemoryError> + Send + 'static,
) -> Result<T, MemoryError> {
    let core = core.clone();
    tokio::task::spawn_blocking(move || work(core.memory()?))
        .await
        .unwrap_or(Err(MemoryError::Closed))
}

/// Expires and compacts memory at start and every [`crate::memory::JANITOR_INTERVAL`] until the daemon
/// closes; the work runs on a blocking thread (it waits on the memory writer).
pub async fn run_janitor(core: Arc<Core>) {
    let mut ticker = tokio::time::interval(JANITOR_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let closing = core.closing().clone();
    loop {
        tokio::select! {
            () = closing.cancelled() => return,
            _ = ticker.tick() => {}
        }
        let core = core.clone();
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(memory) = core.daemon_memory() {
                memory.run_janitor();
            }
        })
        .await;
    }
}
