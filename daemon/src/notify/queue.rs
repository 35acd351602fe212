//! [`BoundedQueue`]: a FIFO of at most `capacity` items whose producer never waits: pushing
//! onto a full queue drops (and returns) the oldest item.

use parking_lot::Mutex;
use std::collections::VecDeque;

use tokio::sync::Notify;

/// A bounded FIFO with one consumer that waits for items.
#[derive(Debug)]
pub struct BoundedQueue<T> {
    items: Mutex<VecDeque<T>>,
    capacity: usize,
    ready: Notify,
}

impl<T> BoundedQueue<T> {
    /// An empty queue holding at most `capacity` (at least 1) items.
    pub fn new(capacity: usize) -> Self {
        Self {
            items: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            ready: Notify::new(),
        }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, VecDeque<T>> {
        // Push and pop cannot leave the deque inconsistent; keep going after a panic.
        self.items.lock()
    }

    /// Appends `item`; when the queue was full, its oldest item is removed and returned.
    pub fn push(&self, item: T) -> Option<T> {
        let dropped = {
            let mut items = self.lock();
            let dropped = if items.len() >= self.capacity {
                items.pop_front()
            } else {
                None
            };
            items.push_back(item);
            dropped
        };
        self.ready.notify_one();
        dropped
    }

    /// The oldest item, waiting for one when the queue is empty. Cancel-safe: an item is only
    /// taken by a call that returns it.
    pub async fn pop(&self) -> T {
        loop {
            if let Some(item) = self.lock().pop_front() {
                return item;
            }
            // A push between the check and this wait leaves a permit, so it is not missed.
            self.ready.notified().await;
        }
    }

    /// How many items wait.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_drops_its_oldest_and_keeps_order() {
        let queue = BoundedQueue::new(2);
        assert_eq!(queue.push(1), None);
        assert_eq!(queue.push(2), None);
        assert_eq!(queue.push(3), Some(1));
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.pop().await, 2);
        assert_eq!(queue.pop().await, 3);
        assert!(queue.is_empty());
        // A consumer waiting on an empty queue gets the next push.
        let queue = std::sync::Arc::new(queue);
        let waiter = tokio::spawn({
            let queue = std::sync::Arc::clone(&queue);
            async move { queue.pop().await }
        });
        queue.push(4);
        assert_eq!(waiter.await.unwrap(), 4);
    }
}
