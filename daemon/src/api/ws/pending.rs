//! Connections that have not (yet) upgraded to a WebSocket: plain `/health` and `/metrics`
//! clients, upgrades in progress, and idle or stalled sockets. [`Pending`] holds at most
//! `websocket.maxPendingConnections` of them; a connection accepted past the cap closes the
//! oldest one ([`Pending::admit`]) instead of being refused, so sockets that merely sit there
//! (slowloris) cannot lock newcomers out — each newcomer evicts one of them. Each admitted
//! connection holds a [`PendingSlot`] until it upgrades or ends. [`fit_to_fd_limit`] scales
//! the port's caps down when the open-file limit is too small for them.

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use super::metrics::WsMetrics;

/// How long the accept loop waits for an evicted connection to let go of its slot before it
/// evicts the next one (a connection that upgraded meanwhile frees its slot without help).
const EVICTION_PATIENCE: Duration = Duration::from_millis(100);

/// The pre-upgrade connections of the public port.
#[derive(Debug)]
pub struct Pending {
    permits: Arc<Semaphore>,
    /// Admitted connections by admission order, each with the token that closes it.
    open: Mutex<BTreeMap<u64, CancellationToken>>,
    next_id: AtomicU64,
    metrics: Arc<WsMetrics>,
}

/// One admitted pre-upgrade connection; dropping it frees the slot.
#[derive(Debug)]
pub struct PendingSlot {
    id: u64,
    pending: Arc<Pending>,
    /// Cancelled when a newer connection evicts this one.
    pub evicted: CancellationToken,
    _permit: OwnedSemaphorePermit,
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        self.pending.lock().remove(&self.id);
        self.pending.metrics.pending.dec();
    }
}

impl Pending {
    /// Room for `cap` pre-upgrade connections (at least one).
    pub fn new(cap: usize, metrics: Arc<WsMetrics>) -> Arc<Self> {
        Arc::new(Self {
            permits: Arc::new(Semaphore::new(cap.max(1))),
            open: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(0),
            metrics,
        })
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, BTreeMap<u64, CancellationToken>> {
        // Held for a map operation only, never across an await or a panic point.
        self.open.lock()
    }

    /// A slot for a newly accepted connection; at the cap, the oldest connection is closed
    /// first and its slot taken over. Returns whether one was evicted.
    pub async fn admit(self: &Arc<Self>) -> (PendingSlot, bool) {
        let mut evicted = false;
        let permit = loop {
            if let Ok(permit) = self.permits.clone().try_acquire_owned() {
                break permit;
            }
            if let Some((_, oldest)) = self.lock().pop_first() {
                oldest.cancel();
                evicted = true;
                self.metrics.pending_evicted.inc();
            }
            let wait = self.permits.clone().acquire_owned();
            if let Ok(Ok(permit)) = tokio::time::timeout(EVICTION_PATIENCE, wait).await {
                break permit;
            }
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let token = CancellationToken::new();
        self.lock().insert(id, token.clone());
        self.metrics.pending.inc();
        let slot = PendingSlot {
            id,
            pending: self.clone(),
            evicted: token,
            _permit: permit,
        };
        (slot, evicted)
    }
}

/// The public port's caps `(pending, open)` fitted into half of the open-file limit `limit`,
/// or `None` when they already fit. The other half is headroom for the control socket, the
/// database files, the log and the agents' pipes.
pub fn fit_to_fd_limit(pending: usize, open: usize, limit: u64) -> Option<(usize, usize)> {
    let budget = usize::try_from(limit / 2).unwrap_or(usize::MAX);
    let wanted = pending.saturating_add(open);
    if wanted <= budget {
        return None;
    }
    let scale = |cap: usize| {
        let scaled = u128::try_from(cap).unwrap_or(u128::MAX) * budget as u128 / wanted as u128;
        usize::try_from(scaled).unwrap_or(usize::MAX).max(1)
    };
    Some((scale(pending), scale(open)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_cap_the_oldest_is_evicted() {
        let pending = Pending::new(2, Arc::new(WsMetrics::default()));
        let (first, evicted) = pending.admit().await;
        assert!(!evicted);
        let (second, _) = pending.admit().await;
        // The first connection's task closes it when told to, freeing its slot.
        let watcher = tokio::spawn(async move {
            first.evicted.cancelled().await;
            drop(first);
        });
        let (third, evicted) = pending.admit().await;
        assert!(evicted);
        watcher.await.unwrap();
        assert!(!second.evicted.is_cancelled());
        assert!(!third.evicted.is_cancelled());
        drop(second);
        let (_fourth, evicted) = pending.admit().await;
        assert!(!evicted, "a slot was free");
    }

    #[test]
    fn caps_fit_into_half_the_fd_limit() {
        assert_eq!(fit_to_fd_limit(64, 256, 1024), None);
        assert_eq!(fit_to_fd_limit(64, 256, 256), Some((25, 102)));
        assert_eq!(fit_to_fd_limit(64, 256, 2), Some((1, 1)));
        assert_eq!(fit_to_fd_limit(64, 256, u64::MAX), None);
    }
}
