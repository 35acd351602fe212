//! Shared helpers for the memory tests: a store on a temp file with a manual clock.

use std::path::PathBuf;
use std::sync::Arc;

use orchestrator_memory::{ManualClock, MemoryConfig, MemoryStore};

/// 2026-11-01T00:00:00Z, a fixed "now" for reproducible tests.
pub const T0: i64 = 1_793_491_200_000;
pub const DAY_MS: i64 = 86_400_000;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub store: MemoryStore,
}

impl Fixture {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("orchestrator.db")
    }

    pub fn reopen(self) -> Fixture {
        let Fixture { dir, clock, store } = self;
        let config = store.config().clone();
        drop(store);
        let store = MemoryStore::open(dir.path().join("orchestrator.db"), config, clock.clone())
            .expect("reopen");
        Fixture { dir, clock, store }
    }
}

pub fn fixture_with(config: MemoryConfig) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(T0));
    let store =
        MemoryStore::open(dir.path().join("orchestrator.db"), config, clock.clone()).expect("open");
    Fixture { dir, clock, store }
}

pub fn fixture() -> Fixture {
    fixture_with(MemoryConfig::default())
}
