//! The upstream MemoryManager behaviours (spec 7.3 / 7.6) that still make sense, plus
//! persistence, merging, validation and export/import.

use crate::common;

use common::store::{DAY_MS, T0, fixture, fixture_with};
use orchestrator_memory::{EntryType, MemoryConfig, MemoryError, NewEntry, Tier};
use serde_json::{Map, Value, json};

fn interaction(text: &str) -> NewEntry {
    NewEntry::new(text, EntryType::Interaction)
}

#[test]
fn initialize_context_is_empty() {
    let f = fixture();
    let context = f.store.initialize_context();
    assert!(
        context.scratchpad.is_empty() && context.episodic.is_empty() && context.semantic.is_empty()
    );
}

#[test]
fn scratchpad_stores_overwrites_round_trips_types_and_clears() {
    let f = fixture();
    let s = &f.store;
    assert_eq!(s.scratchpad_value("s1", "missing").unwrap(), None);
    for (key, value) in [
        ("string", json!("hello")),
        ("object", json!({"a": [1, 2], "b": {"c": true}})),
        ("null", Value::Null),
        ("number", json!(4.5)),
        ("array", json!([1, "two"])),
        ("bool", json!(false)),
    ] {
        s.store_scratchpad("s1", key, value.clone()).unwrap();
        assert_eq!(s.scratchpad_value("s1", key).unwrap(), Some(value));
    }
    s.store_scratchpad("s1", "string", json!("again")).unwrap();
    assert_eq!(
        s.scratchpad_value("s1", "string").unwrap(),
        Some(json!("again"))
    );
    // Per session: another session sees nothing.
    assert!(s.scratchpad("s2").unwrap().is_empty());
    assert_eq!(s.stats().unwrap().scratchpad_keys, 6);
    assert_eq!(s.clear_scratchpad("s1").unwrap(), 6);
    assert_eq!(s.stats().unwrap().scratchpad_keys, 0);
}

#[test]
fn ids_match_upstream_shape_and_metadata_is_preserved() {
    let f = fixture();
    let mut metadata = Map::new();
    metadata.insert("source".into(), json!("test"));
    metadata.insert("nested".into(), json!({"k": [1, 2, 3]}));
    let entry = f
        .store
        .add_episodic(
            interaction("first entry")
                .with_metadata(metadata.clone())
                .with_session("s1"),
        )
        .unwrap();
    let (prefix, rest) = entry.id.split_at(4);
    assert_eq!(prefix, "mem_");
    let (ms, suffix) = rest.split_once('_').unwrap();
    assert_eq!(ms, T0.to_string());
    assert_eq!(suffix.len(), 9);
    assert!(
        suffix
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
    );
    assert_eq!(entry.metadata, metadata);
    assert_eq!(entry.content, "first entry");
    assert_eq!(entry.tier, Tier::Episodic);
    assert_eq!(f.store.get(&entry.id).unwrap(), Some(entry));
}

#[test]
fn stats_count_tiers_and_semantic_is_never_compacted() {
    let f = fixture_with(MemoryConfig {
        episodic_budget: 10,
        ..MemoryConfig::default()
    });
    assert_eq!(f.store.stats().unwrap(), Default::default());
    f.store.store_scratchpad("s", "a", json!(1)).unwrap();
    f.store.store_scratchpad("s", "b", json!(2)).unwrap();
    for i in 0..3 {
        f.store
            .add_episodic(interaction(&format!("episode {i}")))
            .unwrap();
    }
    for i in 0..50 {
        f.store
            .add_semantic(NewEntry::new(format!("fact {i}"), EntryType::Knowledge))
            .unwrap();
    }
    let stats = f.store.stats().unwrap();
    assert_eq!(
        (stats.scratchpad_keys, stats.episodic, stats.semantic),
        (2, 3, 50)
    );
    assert!(stats.bytes > 0);
}

#[test]
fn retrieval_is_case_insensitive_and_separates_tiers() {
    let f = fixture();
    let s = &f.store;
    s.add_episodic(interaction("Learning TypeScript generics"))
        .unwrap();
    s.add_episodic(interaction("typescript strict mode"))
        .unwrap();
    s.add_episodic(interaction("Rust borrow checker")).unwrap();
    s.add_semantic(NewEntry::new(
        "TYPESCRIPT is a typed superset",
        EntryType::Knowledge,
    ))
    .unwrap();
    s.store_scratchpad("s1", "note", json!("typescript in the scratchpad"))
        .unwrap();

    let episodic = s.retrieve("TypeScript", Some(Tier::Episodic), 10).unwrap();
    assert_eq!(episodic.len(), 2);
    assert!(episodic.iter().all(|h| h.entry.tier == Tier::Episodic));
    let semantic = s.retrieve("typescript", Some(Tier::Semantic), 10).unwrap();
    assert_eq!(semantic.len(), 1);
    assert_eq!(semantic[0].entry.content, "TYPESCRIPT is a typed superset");
    // The scratchpad is never searched, and "scratchpad" is not a tier.
    assert_eq!(s.retrieve("typescript", None, 10).unwrap().len(), 3);
    assert!(matches!(
        "scratchpad".parse::<Tier>(),
        Err(MemoryError::UnknownTier(_))
    ));
    assert!(s.retrieve("python", None, 10).unwrap().is_empty());
}

#[test]
fn results_are_capped_and_newest_first_at_equal_relevance() {
    let f = fixture();
    for i in 0..15 {
        f.store
            .add_episodic(interaction(&format!("deploy step {i:02}")).at(T0 - 1000 * (15 - i)))
            .unwrap();
    }
    let hits = f.store.retrieve("deploy", None, 10).unwrap();
    assert_eq!(hits.len(), 10);
    let times: Vec<i64> = hits.iter().map(|h| h.entry.timestamp).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    // Empty query = most recent entries.
    let recent = f.store.retrieve("", Some(Tier::Episodic), 3).unwrap();
    assert_eq!(recent[0].entry.content, "deploy step 14");
    assert_eq!(recent.len(), 3);
}

#[test]
fn a_recent_entry_is_found_behind_hundreds_of_old_better_matches() {
    let f = fixture();
    // 300 short old entries: each beats the new one on BM25 (shorter text, same word), so
    // ranking candidates by BM25 alone never reached the new one.
    let old: Vec<NewEntry> = (0..300)
        .map(|i| interaction(&format!("deploy api v{i}")).at(T0 - 60 * DAY_MS))
        .collect();
    f.store.add_batch(Tier::Episodic, old).unwrap();
    let recent = "deploy notes for the new release train with the mobile team";
    f.store.add_episodic(interaction(recent).at(T0)).unwrap();
    let hits = f.store.retrieve("deploy", None, 5).unwrap();
    assert_eq!(hits[0].entry.content, recent, "{hits:#?}");
    assert_eq!(hits.len(), 5);
}

#[test]
fn same_content_in_same_tier_merges() {
    let f = fixture();
    let first = f
        .store
        .add_episodic(interaction("ran the tests").with_metadata(json_map(json!({"a": 1, "b": 1}))))
        .unwrap();
    f.clock.advance(std::time::Duration::from_secs(60));
    let second = f
        .store
        .add_episodic(
            interaction("ran the tests")
                .with_metadata(json_map(json!({"b": 2})))
                .with_session("s9"),
        )
        .unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(second.timestamp, T0 + 60_000);
    assert_eq!(second.metadata, json_map(json!({"a": 1, "b": 2})));
    assert_eq!(second.session_id.as_deref(), Some("s9"));
    assert_eq!(f.store.stats().unwrap().episodic, 1);
    assert_eq!(f.store.retrieve("tests", None, 10).unwrap().len(), 1);
    // The same text in the other tier is a different memory.
    f.store.add_semantic(interaction("ran the tests")).unwrap();
    assert_eq!(f.store.stats().unwrap().semantic, 1);
}

#[test]
fn bad_input_is_refused_with_the_limit_named() {
    let f = fixture_with(MemoryConfig {
        max_content_bytes: 100,
        ..MemoryConfig::default()
    });
    assert!(matches!(
        f.store.add_episodic(interaction("  \n ")),
        Err(MemoryError::EmptyContent)
    ));
    let err = f
        .store
        .add_episodic(interaction(&"x".repeat(101)))
        .unwrap_err();
    assert!(matches!(
        err,
        MemoryError::ContentTooLarge {
            size: 101,
            limit: 100
        }
    ));
    assert!(err.to_string().contains("100 bytes"), "{err}");
    assert!(matches!(
        "procedural".parse::<Tier>(),
        Err(MemoryError::UnknownTier(_))
    ));
    assert!(matches!(
        "gossip".parse::<EntryType>(),
        Err(MemoryError::UnknownType(_))
    ));
    // A failed batch writes nothing.
    let batch = vec![interaction("ok"), interaction("")];
    assert!(f.store.add_batch(Tier::Episodic, batch).is_err());
    assert_eq!(f.store.stats().unwrap().episodic, 0);
}

#[test]
fn forget_removes_from_store_and_index() {
    let f = fixture();
    let entry = f
        .store
        .add_semantic(interaction("forget me please"))
        .unwrap();
    assert!(f.store.forget(&entry.id).unwrap());
    assert!(!f.store.forget(&entry.id).unwrap());
    assert!(f.store.retrieve("forget", None, 10).unwrap().is_empty());
    assert_eq!(f.store.get(&entry.id).unwrap(), None);
}

#[test]
fn everything_persists_across_reopen() {
    let f = fixture();
    let entry = f
        .store
        .add_episodic(interaction("persist this memory").with_session("s1"))
        .unwrap();
    f.store
        .add_semantic(interaction("and this knowledge"))
        .unwrap();
    f.store
        .store_scratchpad("s1", "k", json!({"v": 1}))
        .unwrap();
    let f = f.reopen();
    assert_eq!(f.store.get(&entry.id).unwrap(), Some(entry));
    assert_eq!(f.store.retrieve("persist", None, 5).unwrap().len(), 1);
    assert_eq!(
        f.store.scratchpad_value("s1", "k").unwrap(),
        Some(json!({"v": 1}))
    );
    let stats = f.store.stats().unwrap();
    assert_eq!(
        (stats.episodic, stats.semantic, stats.scratchpad_keys),
        (1, 1, 1)
    );
}

#[test]
fn export_import_round_trips_into_a_new_store() {
    let a = fixture();
    a.store
        .store_scratchpad("s1", "plan", json!(["a", "b"]))
        .unwrap();
    a.store
        .add_episodic(interaction("episode one").with_session("s1"))
        .unwrap();
    a.store
        .add_semantic(
            NewEntry::new("knowledge one", EntryType::Knowledge)
                .with_metadata(json_map(json!({"x": 1}))),
        )
        .unwrap();
    let exported = a.store.export().unwrap();
    assert_eq!(exported["episodic"].as_array().map(Vec::len), Some(1));

    let b = fixture();
    assert_eq!(b.store.import(&exported).unwrap(), 3);
    let mut again = b.store.export().unwrap();
    let mut original = exported.clone();
    for doc in [&mut again, &mut original] {
        doc.as_object_mut().unwrap().remove("exportedAt");
    }
    assert_eq!(again, original);
    // Importing twice merges instead of duplicating.
    b.store.import(&exported).unwrap();
    assert_eq!(b.store.stats().unwrap().episodic, 1);
    // Mutating the exported value cannot touch the store.
    drop(exported);
    assert_eq!(b.store.retrieve("episode", None, 5).unwrap().len(), 1);
    assert!(matches!(
        b.store.import(&json!([1, 2])),
        Err(MemoryError::InvalidImport(_))
    ));
    assert!(
        b.store
            .import(&json!({"episodic": [{"content": "", "type": "interaction"}]}))
            .is_err()
    );
}

#[test]
fn context_for_task_fits_the_token_budget() {
    let f = fixture();
    for i in 0..30 {
        f.store
            .add_semantic(NewEntry::new(
                format!("the release process step {i} uses cargo-deb"),
                EntryType::Knowledge,
            ))
            .unwrap();
    }
    f.store
        .add_semantic(interaction("unrelated gardening notes"))
        .unwrap();
    let (block, used) = f
        .store
        .context_for_task("How do I cut a release?", 100)
        .unwrap();
    assert!(!used.is_empty());
    assert!(block.len() <= 400, "{} chars", block.len());
    assert!(block.starts_with("Relevant memories"));
    assert!(used.iter().all(|e| e.content.contains("release")));
    let (empty, none) = f
        .store
        .context_for_task("quantum chromodynamics", 1000)
        .unwrap();
    assert!(empty.is_empty() && none.is_empty());
}

fn json_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Rows are indexed once per write job (not by a per-row trigger): after batches with
/// in-batch duplicates, merges, forgets and an import, the index matches the table exactly
/// (FTS5's own integrity check compares them) and every new row is searchable.
#[test]
fn batched_indexing_keeps_the_index_exact() {
    let f = fixture();
    let batch: Vec<NewEntry> = (0..50)
        .map(|i| interaction(&format!("batch word{} shared", i % 40)))
        .collect();
    // 40 distinct texts, 10 in-batch duplicates merged.
    assert_eq!(f.store.add_batch(Tier::Episodic, batch).unwrap().len(), 50);
    assert_eq!(f.store.stats().unwrap().episodic, 40);
    assert_eq!(f.store.retrieve("word7", None, 10).unwrap().len(), 1);
    assert_eq!(f.store.retrieve("shared", None, 100).unwrap().len(), 40);
    let gone = f
        .store
        .retrieve("word3", None, 1)
        .unwrap()
        .remove(0)
        .entry
        .id;
    assert!(f.store.forget(&gone).unwrap());
    f.store
        .add_episodic(interaction("batch word3 shared"))
        .unwrap();
    f.store
        .add_detached(Tier::Semantic, interaction("detached note"))
        .unwrap();
    f.store.flush().unwrap();
    assert_eq!(f.store.retrieve("detached", None, 5).unwrap().len(), 1);
    let exported = f.store.export().unwrap();
    let other = fixture();
    other.store.import(&exported).unwrap();
    for store_path in [f.path(), other.path()] {
        let conn = rusqlite::Connection::open(&store_path).unwrap();
        conn.execute(
            "INSERT INTO memory_fts(memory_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the FTS index matches memory_entries");
        let (rows, indexed): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM memory_entries),
                        (SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'shared OR detached')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((rows, indexed), (41, 41), "{}", store_path.display());
    }
}
