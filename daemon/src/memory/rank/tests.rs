//! Both ranking functions against FTS5's own `bm25()`.

use std::collections::HashMap;
use std::time::Duration;

use super::*;
use crate::memory::types::Tier;
use crate::memory::{EntryType, ManualClock, MemoryConfig, MemoryStore, NewEntry, schema};

const NOW: i64 = 1_790_000_000_000;
const DAY: Duration = Duration::from_secs(86_400);

fn half_lives_of_a_day() -> MemoryConfig {
    MemoryConfig {
        episodic_half_life: DAY,
        semantic_half_life: DAY,
        ..MemoryConfig::default()
    }
}

/// `-bm25(memory_fts)` by rowid for every match of `expression`.
fn fts5_bm25(conn: &Connection, expression: &str) -> HashMap<i64, f64> {
    let mut statement = conn
        .prepare("SELECT rowid, -bm25(memory_fts) FROM memory_fts WHERE memory_fts MATCH ?1")
        .unwrap();
    statement
        .query_map([expression], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// `wundr_rank` by rowid for every match of `expression`.
fn ranked(conn: &Connection, expression: &str, tier: i64) -> HashMap<i64, f64> {
    let mut statement = conn
        .prepare(
            "SELECT rowid, wundr_rank(memory_fts, ?2, ?3) FROM memory_fts
             WHERE memory_fts MATCH ?1",
        )
        .unwrap();
    statement
        .query_map(rusqlite::params![expression, NOW, tier], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// What `wundr_collect` recorded for every match of `expression`, by rowid.
fn collected(conn: &Connection, ranker: &Ranker, expression: &str, tier: i64) -> HashMap<i64, f64> {
    ranker.reset();
    conn.query_row(
        "SELECT count(c) FROM (SELECT wundr_collect(memory_fts, ?2, ?3) AS c
         FROM memory_fts WHERE memory_fts MATCH ?1 LIMIT -1)",
        rusqlite::params![expression, NOW, tier],
        |_| Ok(()),
    )
    .unwrap();
    let top = ranker.top(usize::MAX);
    assert!(top.windows(2).all(|w| w[0].score >= w[1].score));
    top.into_iter().map(|r| (r.seq, r.score)).collect()
}

fn assert_same(ours: &HashMap<i64, f64>, theirs: &HashMap<i64, f64>) {
    assert_eq!(ours.len(), theirs.len(), "{ours:?} vs {theirs:?}");
    for (seq, score) in theirs {
        let mine = ours[seq];
        assert!((mine - score).abs() < 1e-9, "row {seq}: {mine} vs {score}");
    }
}

fn store_at(dir: &std::path::Path, entries: &[(&str, Tier, i64)]) -> std::path::PathBuf {
    let path = dir.join("orchestrator.db");
    let clock = Arc::new(ManualClock::new(NOW));
    let store = MemoryStore::open(&path, MemoryConfig::default(), clock).unwrap();
    for (text, tier, at) in entries {
        let entry = NewEntry::new(*text, EntryType::Observation).at(*at);
        match tier {
            Tier::Episodic => store.add_episodic(entry).unwrap(),
            Tier::Semantic => store.add_semantic(entry).unwrap(),
        };
    }
    store.close();
    path
}

#[test]
fn both_functions_score_as_fts5_bm25_with_facts_or_without_and_filter_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let e = Tier::Episodic;
    let path = store_at(
        dir.path(),
        &[
            ("alpha", e, NOW),
            ("alpha alpha beta", e, NOW),
            ("beta gamma delta epsilon zeta eta theta iota", e, NOW),
            ("gamma only here", e, NOW),
            (
                "alpha beta alpha beta alpha and a long tail of words to be longer",
                e,
                NOW,
            ),
            ("beta knowledge", Tier::Semantic, NOW),
        ],
    );
    let conn = schema::connect(&path, true).unwrap();
    let expression = "\"alpha\" OR \"beta\"";
    let truth = fts5_bm25(&conn, expression);
    assert_eq!(truth.len(), 5);
    let best = truth.values().copied().fold(0.0, f64::max);
    for facts in [EntryFacts::load(&conn).unwrap(), EntryFacts::default()] {
        let ranker = Ranker::register(
            &conn,
            Arc::new(SharedFacts::loaded(facts)),
            half_lives_of_a_day(),
        )
        .unwrap();
        ranker.reset();
        assert_same(&ranked(&conn, expression, 0), &truth);
        assert!((ranker.best_bm25() - best).abs() < 1e-9);
        assert_same(&collected(&conn, &ranker, expression, 0), &truth);
        assert!((ranker.best_bm25() - best).abs() < 1e-9);
    }
    // With facts, another tier's entries score -1 or are not recorded (and are not the
    // best), while the IDF still counts them, as FTS5 does.
    let facts = EntryFacts::load(&conn).unwrap();
    let ranker = Ranker::register(
        &conn,
        Arc::new(SharedFacts::loaded(facts)),
        half_lives_of_a_day(),
    )
    .unwrap();
    let semantic: HashMap<i64, f64> = ranked(&conn, "\"beta\"", 2);
    assert_eq!(semantic.values().filter(|s| **s == -1.0).count(), 3);
    let truth = fts5_bm25(&conn, "\"beta\"");
    let kept = collected(&conn, &ranker, "\"beta\"", 2);
    assert_eq!(kept.len(), 1);
    let (seq, score) = kept.iter().next().unwrap();
    assert!((score - truth[seq]).abs() < 1e-9);
    assert!((ranker.best_bm25() - truth[seq]).abs() < 1e-9);
    assert!((semantic[seq] - truth[seq]).abs() < 1e-9);
}

#[test]
fn age_scales_the_score_by_recency_and_bad_calls_are_sql_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_at(dir.path(), &[("alpha", Tier::Episodic, NOW - 86_400_000)]);
    let conn = schema::connect(&path, true).unwrap();
    let facts = Arc::new(SharedFacts::loaded(EntryFacts::load(&conn).unwrap()));
    let ranker = Ranker::register(&conn, facts, half_lives_of_a_day()).unwrap();
    let truth = fts5_bm25(&conn, "\"alpha\"");
    let aged: HashMap<i64, f64> = truth
        .iter()
        .map(|(seq, bm25)| (*seq, bm25 * recency(86_400_000, DAY)))
        .collect();
    assert_same(&ranked(&conn, "\"alpha\"", 0), &aged);
    assert_same(&collected(&conn, &ranker, "\"alpha\"", 0), &aged);
    for sql in [
        "SELECT wundr_rank(memory_fts) FROM memory_fts WHERE memory_fts MATCH 'alpha'",
        "SELECT wundr_collect(memory_fts, 1, 2, 3) FROM memory_fts WHERE memory_fts MATCH 'alpha'",
    ] {
        let err = conn.query_row(sql, [], |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("error"), "{err}");
    }
}
