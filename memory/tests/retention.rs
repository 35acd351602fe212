//! Ranking, relevance (`relevance`), TTL expiry, compaction, nasty queries, concurrency and
//! damaged files.

use crate::common;
mod relevance;

use std::sync::Arc;
use std::time::Duration;

use common::store::{DAY_MS, T0, fixture, fixture_with};
use orchestrator_memory::{
    EntryType, ManualClock, MemoryConfig, MemoryError, MemoryStore, NewEntry, SystemClock, Tier,
};
use serde_json::Value;

fn observation(text: &str) -> NewEntry {
    NewEntry::new(text, EntryType::Observation)
}

#[test]
fn bundled_sqlite_has_fts5() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let used: i64 = conn
        .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(used, 1);
    conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x)")
        .unwrap();
}

#[test]
fn recent_relevant_beats_old_equally_relevant() {
    let f = fixture();
    let old = f
        .store
        .add_episodic(observation("flaky websocket test on ci").at(T0 - 5 * DAY_MS))
        .unwrap();
    let new = f
        .store
        .add_episodic(observation("flaky websocket test in ci").at(T0 - DAY_MS / 2))
        .unwrap();
    let hits = f.store.retrieve("flaky websocket test", None, 10).unwrap();
    assert_eq!(hits[0].entry.id, new.id);
    assert_eq!(hits[1].entry.id, old.id);
    assert!(hits[0].score > hits[1].score);
}

/// The age of an entry is known to ranking when it is added, after the daemon restarts, and
/// when it is seen again (a merge moves it to the new time).
#[test]
fn age_ranks_after_add_after_reopen_and_after_a_merge() {
    let f = fixture();
    // The old one is the closer match (shorter), so only its age can put it second.
    let old = f
        .store
        .add_episodic(observation("flaky websocket test").at(T0 - 10 * DAY_MS))
        .unwrap();
    let new = f
        .store
        .add_episodic(observation("flaky websocket test seen again on ci today").at(T0))
        .unwrap();
    let order = |store: &MemoryStore| -> Vec<String> {
        let hits = store.retrieve("flaky websocket test", None, 10).unwrap();
        hits.into_iter().map(|hit| hit.entry.id).collect()
    };
    assert_eq!(order(&f.store), [new.id.clone(), old.id.clone()]);

    let path = f.store.path().to_path_buf();
    f.store.close();
    let clock = Arc::new(ManualClock::new(T0));
    let reopened = MemoryStore::open(&path, MemoryConfig::default(), clock.clone()).unwrap();
    assert_eq!(order(&reopened), [new.id.clone(), old.id.clone()]);

    clock.set(T0 + 10 * DAY_MS);
    let seen_again = reopened
        .add_episodic(observation("flaky websocket test").at(T0 + 10 * DAY_MS))
        .unwrap();
    assert_eq!(seen_again.id, old.id);
    assert_eq!(order(&reopened), [old.id, new.id]);
}

#[test]
fn irrelevant_recent_does_not_beat_relevant_old() {
    let f = fixture();
    let relevant = f
        .store
        .add_semantic(observation("postgres migrations need a lock timeout").at(T0 - 60 * DAY_MS))
        .unwrap();
    for i in 0..20 {
        f.store
            .add_episodic(observation(&format!("edited the readme, pass {i}")))
            .unwrap();
    }
    f.store.add_episodic(observation("postgres")).unwrap();
    let hits = f
        .store
        .retrieve("postgres migrations lock timeout", None, 5)
        .unwrap();
    assert_eq!(hits[0].entry.id, relevant.id, "{hits:#?}");
    assert!(hits.iter().all(|h| h.entry.content.contains("postgres")));
}

/// Past a few thousand entries, words in more than 5% of them are left out of the match
/// (they would make every query score most of the store): a rare word still finds its old
/// entry first, and a query of only common words returns the newest matches.
#[test]
fn common_words_do_not_drown_a_rare_match_in_a_large_store() {
    let f = fixture();
    let rare = f
        .store
        .add_semantic(observation("the common zebra crossing").at(T0 - 90 * DAY_MS))
        .unwrap();
    let filler: Vec<NewEntry> = (0..3_000)
        .map(|i| observation(&format!("the common filler {i}")).at(T0 - 3_000 + i))
        .collect();
    f.store.add_batch(Tier::Episodic, filler).unwrap();
    let hits = f.store.retrieve("the common zebra", None, 5).unwrap();
    assert_eq!(hits.len(), 1, "only the rare word matches: {hits:#?}");
    assert_eq!(hits[0].entry.id, rare.id);
    let hits = f
        .store
        .retrieve("THE common", Some(Tier::Episodic), 3)
        .unwrap();
    let contents: Vec<&str> = hits.iter().map(|h| h.entry.content.as_str()).collect();
    assert_eq!(
        contents,
        [
            "the common filler 2999",
            "the common filler 2998",
            "the common filler 2997"
        ]
    );
}

/// In a store past 20,000 entries, how common a word is is judged among the newest 20,000:
/// a word in every recent entry is left out, while one that filled only old entries (and is
/// rare now) still ranks.
#[test]
fn how_common_a_word_is_is_judged_among_recent_entries() {
    // A budget past the store's size: no compaction folds the old entries away meanwhile;
    // no relevance floor, since a "legacy" entry matches only the commoner half of the query.
    let f = fixture_with(MemoryConfig {
        episodic_budget: 100_000,
        min_relevance: 0.0,
        ..MemoryConfig::default()
    });
    let old: Vec<NewEntry> = (0..5_000)
        .map(|i| observation(&format!("legacy everywhere old {i}")).at(T0 - 50_000 + i))
        .collect();
    f.store.add_batch(Tier::Episodic, old).unwrap();
    for chunk in 0..4 {
        let recent: Vec<NewEntry> = (0..5_000)
            .map(|i| {
                let n = chunk * 5_000 + i;
                observation(&format!("everywhere recent {n}")).at(T0 - 20_000 + n)
            })
            .collect();
        f.store.add_batch(Tier::Episodic, recent).unwrap();
    }
    let zebra = f
        .store
        .add_episodic(observation("everywhere zebra").at(T0 - 40_000))
        .unwrap();
    // "everywhere" is in every entry: left out, so only the zebra matches.
    let hits = f.store.retrieve("everywhere zebra", None, 5).unwrap();
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].entry.id, zebra.id);
    // "legacy" is in 5,000 entries (over the 2,000 bound) but in none of the newest 20,000:
    // it still ranks, so its entries come back beside the zebra.
    let hits = f.store.retrieve("legacy zebra", None, 5).unwrap();
    assert_eq!(hits.len(), 5, "{hits:#?}");
    assert!(hits.iter().any(|h| h.entry.content.starts_with("legacy")));
}

#[test]
fn nasty_queries_never_error() {
    let f = fixture();
    f.store
        .add_episodic(observation(
            "NEAR the OR gate, \"quoted\" text - with * stars",
        ))
        .unwrap();
    let nasty = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"unbalanced",
        "*",
        "**",
        "a*",
        "OR",
        "AND",
        "NOT",
        "OR OR",
        "-",
        "-foo",
        "NEAR",
        "NEAR(a b)",
        "NEAR/3",
        "a NEAR b",
        "(",
        ")",
        "(a OR",
        "^start",
        "col:value",
        "content:gate",
        "{a b}",
        "a + b",
        "'single'",
        "\\",
        "\0",
        "%_",
        "🦀 rust",
        "ünïcödé",
        "x\"y\"z",
        "AND OR NOT NEAR",
        ";DROP TABLE memory_entries;--",
    ];
    for query in nasty {
        let result = f.store.retrieve(query, None, 5);
        assert!(result.is_ok(), "{query:?}: {result:?}");
        let result = f.store.retrieve(query, Some(Tier::Episodic), 5);
        assert!(result.is_ok(), "{query:?}: {result:?}");
    }
    // Operators are plain words ("OR" is also a function word, so it matches nothing).
    assert_eq!(f.store.retrieve("NEAR", None, 5).unwrap().len(), 1);
    assert_eq!(f.store.retrieve("OR", None, 5).unwrap().len(), 0);
    assert_eq!(f.store.retrieve("\"quoted", None, 5).unwrap().len(), 1);
    assert_eq!(f.store.stats().unwrap().episodic, 1);
}

#[test]
fn episodic_expires_after_ttl_and_semantic_never() {
    let f = fixture();
    let old = f.store.add_episodic(observation("old episode")).unwrap();
    f.store.add_semantic(observation("old knowledge")).unwrap();
    f.clock.advance(Duration::from_secs(6 * 86_400));
    let young = f.store.add_episodic(observation("young episode")).unwrap();
    assert_eq!(f.store.run_janitor(T0 + 6 * DAY_MS).unwrap().expired, 0);
    let report = f.store.run_janitor(T0 + 7 * DAY_MS + 1).unwrap();
    assert_eq!(report.expired, 1);
    assert_eq!(f.store.get(&old.id).unwrap(), None);
    assert!(f.store.get(&young.id).unwrap().is_some());
    let far = f.store.run_janitor(T0 + 3650 * DAY_MS).unwrap();
    assert_eq!(far.expired, 1);
    let stats = f.store.stats().unwrap();
    assert_eq!((stats.episodic, stats.semantic), (0, 1));
}

#[test]
fn compaction_folds_oldest_per_session_and_keeps_ids() {
    let f = fixture_with(MemoryConfig {
        episodic_budget: 10,
        ..MemoryConfig::default()
    });
    let mut ids = Vec::new();
    for i in 0..11 {
        let session = if i < 3 { "sA" } else { "sB" };
        let entry = observation(&format!("compile error number {i}"))
            .with_session(session)
            .at(T0 + i);
        ids.push(f.store.add_episodic(entry).unwrap().id);
    }
    // 11 > 10: fold the oldest two (back to 90% of the budget), both from session sA.
    let stats = f.store.stats().unwrap();
    assert_eq!((stats.episodic, stats.semantic), (9, 1));
    let summary = f
        .store
        .retrieve("", Some(Tier::Semantic), 1)
        .unwrap()
        .remove(0)
        .entry;
    assert_eq!(summary.entry_type, EntryType::Knowledge);
    assert_eq!(summary.session_id.as_deref(), Some("sA"));
    let folded: Vec<&str> = summary.metadata["compactedFrom"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(folded, [ids[0].as_str(), ids[1].as_str()]);
    assert_eq!(summary.metadata["sessionId"], "sA");
    assert_eq!(summary.metadata["period"]["start"], T0);
    assert_eq!(summary.metadata["period"]["end"], T0 + 1);
    assert!(f.store.get(&ids[0]).unwrap().is_none());
    // The summary stays findable by the originals' words.
    let hits = f
        .store
        .retrieve("compile error", Some(Tier::Semantic), 5)
        .unwrap();
    assert_eq!(hits.len(), 1);
}

#[test]
fn compaction_spanning_sessions_writes_one_summary_each() {
    let f = fixture_with(MemoryConfig {
        episodic_budget: 100,
        ..MemoryConfig::default()
    });
    let batch = (0..120)
        .map(|i| {
            observation(&format!("note {i}"))
                .with_session(format!("s{}", i % 3))
                .at(T0 + i)
        })
        .collect();
    f.store.add_batch(Tier::Episodic, batch).unwrap();
    let stats = f.store.stats().unwrap();
    assert_eq!((stats.episodic, stats.semantic), (90, 3));
    let summaries = f.store.retrieve("", Some(Tier::Semantic), 10).unwrap();
    let archived: u64 = summaries
        .iter()
        .filter_map(|s| s.entry.metadata["archived"].as_u64())
        .sum();
    assert_eq!(archived, 30);
}

#[test]
fn eight_threads_write_concurrently_without_lock_errors() {
    let f = fixture();
    let store = Arc::new(f.store);
    let writers: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for i in 0..500 {
                    let entry = observation(&format!("thread {t} wrote entry {i}"))
                        .with_session(format!("s{t}"));
                    store.add_episodic(entry)?;
                    if i % 50 == 0 {
                        store.retrieve("wrote entry", None, 5)?;
                    }
                }
                Ok::<_, MemoryError>(())
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap().unwrap();
    }
    assert_eq!(store.stats().unwrap().episodic, 4000);
}

#[test]
fn garbage_file_is_a_clear_corrupt_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchestrator.db");
    std::fs::write(
        &path,
        b"this is not a sqlite database, just garbage bytes ".repeat(100),
    )
    .unwrap();
    let err = MemoryStore::open(&path, MemoryConfig::default(), Arc::new(SystemClock)).unwrap_err();
    assert!(matches!(err, MemoryError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn a_held_write_lock_is_a_clear_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchestrator.db");
    let holder = rusqlite::Connection::open(&path).unwrap();
    // Rollback journal + an exclusive lock: nobody else can even read.
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE x(a);")
        .unwrap();
    let started = std::time::Instant::now();
    let err = MemoryStore::open(&path, MemoryConfig::default(), Arc::new(SystemClock)).unwrap_err();
    assert!(matches!(err, MemoryError::Locked { .. }), "{err:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "waited for the busy timeout"
    );
}

#[test]
fn shares_the_file_with_the_sessions_tables_user_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchestrator.db");
    {
        // What store.rs does: its own migrations counted in user_version.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE sessions (id TEXT PRIMARY KEY); PRAGMA user_version = 1;")
            .unwrap();
    }
    let store = MemoryStore::open(&path, MemoryConfig::default(), Arc::new(SystemClock)).unwrap();
    store.add_semantic(observation("shared file")).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let user_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(user_version, 1);
    let version: i64 = conn
        .query_row("SELECT version FROM memory_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, orchestrator_memory::SCHEMA_VERSION);
    // A newer memory schema is refused, not clobbered.
    conn.execute("UPDATE memory_schema SET version = 99", [])
        .unwrap();
    drop(conn);
    let err = MemoryStore::open(&path, MemoryConfig::default(), Arc::new(SystemClock)).unwrap_err();
    assert!(
        matches!(err, MemoryError::TooNew { found: 99, .. }),
        "{err:?}"
    );
}
