//! Locks that outlive a panic: [`LockUnpoisoned`] and [`RwLockUnpoisoned`] take a lock even
//! when a thread panicked while holding it. Every lock in the daemon guards values that are
//! whole after each step (maps, counters, handles), so the daemon carries on with them rather
//! than turning one panic into a panic of every later caller.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// `Mutex::lock`, whatever happened to the last holder.
pub trait LockUnpoisoned<T: ?Sized> {
    /// The guard.
    fn lock_unpoisoned(&self) -> MutexGuard<'_, T>;
}

impl<T: ?Sized> LockUnpoisoned<T> for Mutex<T> {
    fn lock_unpoisoned(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `RwLock::read` and `RwLock::write`, whatever happened to the last writer.
pub trait RwLockUnpoisoned<T: ?Sized> {
    /// A read guard.
    fn read_unpoisoned(&self) -> RwLockReadGuard<'_, T>;
    /// The write guard.
    fn write_unpoisoned(&self) -> RwLockWriteGuard<'_, T>;
}

impl<T: ?Sized> RwLockUnpoisoned<T> for RwLock<T> {
    fn read_unpoisoned(&self) -> RwLockReadGuard<'_, T> {
        self.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_unpoisoned(&self) -> RwLockWriteGuard<'_, T> {
        self.write().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex, RwLock};

    use super::*;

    #[test]
    fn a_lock_poisoned_by_a_panic_is_still_taken_with_its_value() {
        let counter = Arc::new(Mutex::new(1));
        let table = Arc::new(RwLock::new(vec![1]));
        let (c, t) = (counter.clone(), table.clone());
        let panicked = std::thread::spawn(move || {
            let _held = c.lock().unwrap();
            let _written = t.write().unwrap();
            panic!("a bug while holding both locks");
        })
        .join();
        assert!(panicked.is_err());
        assert!(counter.is_poisoned() && table.is_poisoned());
        *counter.lock_unpoisoned() += 1;
        assert_eq!(*counter.lock_unpoisoned(), 2);
        table.write_unpoisoned().push(2);
        assert_eq!(*table.read_unpoisoned(), [1, 2]);
    }
}
