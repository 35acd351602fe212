//! [`off_runtime`]: runs charter work — reading, parsing, validating and compiling a file,
//! which takes as long as the file is big — on a thread of its own, and awaits it; the
//! [`OffRuntimeError`] when that thread fails.
//!
//! Not `tokio::task::spawn_blocking`: a tokio runtime waits for its blocking tasks when it
//! shuts down, so a reload of a big file still running at SIGTERM would hold the daemon's exit
//! until it ended. A plain thread is abandoned when the process exits, and when its caller has
//! gone (a cancelled call, a daemon stopping) its result is simply dropped. At most
//! [`MAX_CONCURRENT`] threads run at once — a thread keeps its turn until it ends, even when
//! its caller has gone, so cancelled calls cannot pile threads up; further callers wait their
//! turn without blocking anything.

use std::sync::{Arc, LazyLock};

use tokio::sync::{Semaphore, oneshot};

/// How many charter files are worked on at once, daemon-wide.
pub const MAX_CONCURRENT: usize = 4;

static PERMITS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(MAX_CONCURRENT)));

/// Why charter work did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum OffRuntimeError {
    /// The operating system refused a new thread.
    #[error("cannot start a thread to check the charter")]
    Spawn {
        /// What `std::thread::Builder::spawn` reported.
        #[source]
        source: std::io::Error,
    },
    /// The thread ended without an answer: it panicked (the daemon log has the panic).
    #[error("the charter check stopped without an answer (it panicked; see the daemon log)")]
    Died,
}

/// Runs `work` on a new thread named `name` and returns its result.
pub async fn off_runtime<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, OffRuntimeError> {
    let turn = PERMITS
        .clone()
        .acquire_owned()
        .await
        .expect("the permits are never closed");
    let (answer, answered) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _turn = turn;
            // The caller may have gone; then nobody wants the answer.
            let _ = answer.send(work());
        })
        .map_err(|source| OffRuntimeError::Spawn { source })?;
    answered.await.map_err(|_| OffRuntimeError::Died)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_and_reports_a_panic() {
        assert_eq!(off_runtime("t", || 6 * 7).await.unwrap(), 42);
        let died = off_runtime("t", || -> u8 { panic!("on purpose") }).await;
        assert!(matches!(died, Err(OffRuntimeError::Died)), "{died:?}");
    }
}
