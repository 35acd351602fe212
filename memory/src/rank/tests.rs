//! Both ranking functions against the relevance formula computed in plain Rust from the
//! texts themselves (words, counts and lengths taken without FTS5), and the formula itself.

use std::collections::HashMap;
use std::time::Duration;

use super::*;
use crate::types::Tier;
use crate::{EntryType, ManualClock, MemoryConfig, MemoryStore, NewEntry, schema};

const NOW: i64 = 1_790_000_000_000;
const DAY: Duration = Duration::from_secs(86_400);

/// Half-lives of a day and no relevance floor, so every match is scored.
fn half_lives_of_a_day() -> MemoryConfig {
    MemoryConfig {
        episodic_half_life: DAY,
        semantic_half_life: DAY,
        min_relevance: 0.0,
        ..MemoryConfig::default()
    }
}

/// `relevance × recency` (at `NOW`, half-lives of a day) by rowid for every entry of
/// `entries` (rowids from 1, in order) containing one of `words`, computed from the texts:
/// whitespace-separated lowercase words, which FTS5's tokenizer leaves alone in these tests.
fn oracle(entries: &[(&str, Tier, i64)], words: &[&str]) -> HashMap<i64, f64> {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(text, _, _)| text.split_whitespace().map(str::to_lowercase).collect())
        .collect();
    let count = |row: &Vec<String>, word: &str| row.iter().filter(|w| *w == word).count();
    let n = rows.len() as i64;
    let average = rows.iter().map(Vec::len).sum::<usize>() as f64 / n as f64;
    let df: Vec<i64> = words
        .iter()
        .map(|w| rows.iter().filter(|r| count(r, w) > 0).count() as i64)
        .collect();
    let rarest_seen = df
        .iter()
        .filter(|d| **d > 0)
        .map(|d| idf(n, *d))
        .fold(0.0, f64::max);
    let mass: f64 = df
        .iter()
        .map(|d| {
            if *d > 0 {
                idf(n, *d)
            } else {
                idf(n, *d).min(rarest_seen)
            }
        })
        .sum();
    let mut scores = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let matched: Vec<(f64, f64)> = words
            .iter()
            .zip(&df)
            .filter(|(w, _)| count(row, w) > 0)
            .map(|(w, d)| {
                let weight = term_weight(count(row, w) as f64, row.len() as f64, average);
                (idf(n, *d), weight)
            })
            .collect();
        if matched.is_empty() {
            continue;
        }
        let at = entries[index].2;
        let score = relevance(matched.into_iter(), mass) * recency(NOW - at, DAY);
        scores.insert(index as i64 + 1, score);
    }
    scores
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
fn relevance_is_the_matched_share_of_the_query_idf_mass() {
    // idf(n, n) > 0: a word in every row of a tiny store still counts, less than a rare one.
    assert!(idf(2, 2) > 0.0 && idf(2, 1) > idf(2, 2) && idf(2, 0) > idf(2, 1));
    assert!((idf(10, 3) - (1.0 + 7.5 / 3.5_f64).ln()).abs() < 1e-12);
    // One occurrence in a row of average length is a term weight of 1: a full match is 1.0.
    assert!((term_weight(1.0, 8.0, 8.0) - 1.0).abs() < 1e-12);
    assert!((relevance([(2.0, 1.0), (1.0, 1.0)].into_iter(), 3.0) - 1.0).abs() < 1e-12);
    // Matching the rarer of two words is worth more than matching the commoner one.
    assert!((relevance([(2.0, 1.0)].into_iter(), 3.0) - 2.0 / 3.0).abs() < 1e-12);
    assert!((relevance([(1.0, 1.0)].into_iter(), 3.0) - 1.0 / 3.0).abs() < 1e-12);
    // A long row (weight 0.5) keeps at least half the credit; weights past 1 do not add.
    assert!((relevance([(2.0, 0.5)].into_iter(), 2.0) - 0.75).abs() < 1e-12);
    assert!((relevance([(2.0, 2.2)].into_iter(), 2.0) - 1.0).abs() < 1e-12);
    assert_eq!(relevance([(2.0, 1.0)].into_iter(), 0.0), 0.0);
    // Up to four phrases the mass is their sum; past that, their mean times four.
    let seen = |idf: &[f64]| idf.iter().map(|i| (*i, true)).collect::<Vec<_>>();
    assert!((query_mass(seen(&[1.0, 2.0, 3.0]).into_iter()) - 6.0).abs() < 1e-12);
    assert!((query_mass(seen(&[2.0; 16]).into_iter()) - 8.0).abs() < 1e-12);
    // A word the store never saw weighs at most as much as the rarest one it did.
    let unseen = [(0.5, true), (1.5, true), (9.0, false)];
    assert!((query_mass(unseen.into_iter()) - 3.5).abs() < 1e-12);
}

#[test]
fn both_functions_score_as_the_formula_with_facts_or_without_and_filter_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let e = Tier::Episodic;
    let entries = [
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
    ];
    let path = store_at(dir.path(), &entries);
    let conn = schema::connect(&path, true).unwrap();
    let expression = "\"alpha\" OR \"beta\"";
    let truth = oracle(&entries, &["alpha", "beta"]);
    assert_eq!(truth.len(), 5);
    for facts in [EntryFacts::load(&conn).unwrap(), EntryFacts::default()] {
        let ranker = Ranker::register(
            &conn,
            Arc::new(SharedFacts::loaded(facts)),
            half_lives_of_a_day(),
        )
        .unwrap();
        ranker.reset();
        assert_same(&ranked(&conn, expression, 0), &truth);
        assert_same(&collected(&conn, &ranker, expression, 0), &truth);
    }
    // A word absent from the store still weighs: every score is lower with it.
    let with_absent = "\"alpha\" OR \"beta\" OR \"absent\"";
    let lower = oracle(&entries, &["alpha", "beta", "absent"]);
    assert!(lower.iter().all(|(seq, s)| *s < truth[seq]));
    assert_same(&ranked(&conn, with_absent, 0), &lower);
    // With facts, another tier's entries score -1 or are not recorded, while the IDF still
    // counts them.
    let facts = EntryFacts::load(&conn).unwrap();
    let ranker = Ranker::register(
        &conn,
        Arc::new(SharedFacts::loaded(facts)),
        half_lives_of_a_day(),
    )
    .unwrap();
    let semantic: HashMap<i64, f64> = ranked(&conn, "\"beta\"", 2);
    assert_eq!(semantic.values().filter(|s| **s == -1.0).count(), 3);
    let truth = oracle(&entries, &["beta"]);
    let kept = collected(&conn, &ranker, "\"beta\"", 2);
    assert_eq!(kept.len(), 1);
    let (seq, score) = kept.iter().next().unwrap();
    assert!((score - truth[seq]).abs() < 1e-9);
    assert!((semantic[seq] - truth[seq]).abs() < 1e-9);
}

#[test]
fn matches_below_the_floor_are_left_out_by_both_functions() {
    let dir = tempfile::tempdir().unwrap();
    let e = Tier::Episodic;
    let entries = [
        ("alpha beta", e, NOW),
        ("alpha", e, NOW),
        ("beta", e, NOW),
        ("gamma", e, NOW),
    ];
    let path = store_at(dir.path(), &entries);
    let conn = schema::connect(&path, true).unwrap();
    let truth = oracle(&entries, &["alpha", "beta"]);
    // Half the mass each: the full match clears a 0.6 floor, the halves do not.
    let floor = 0.6;
    assert_eq!(truth.values().filter(|s| **s >= floor).count(), 1);
    let facts = Arc::new(SharedFacts::loaded(EntryFacts::load(&conn).unwrap()));
    let config = MemoryConfig {
        min_relevance: floor,
        ..half_lives_of_a_day()
    };
    let ranker = Ranker::register(&conn, facts, config).unwrap();
    let expression = "\"alpha\" OR \"beta\"";
    let kept = collected(&conn, &ranker, expression, 0);
    assert_eq!(kept.keys().copied().collect::<Vec<_>>(), [1]);
    let scored = ranked(&conn, expression, 0);
    assert_eq!(scored.values().filter(|s| **s >= 0.0).count(), 1);
    assert!((scored[&1] - truth[&1]).abs() < 1e-9);
}

#[test]
fn age_scales_the_score_by_recency_and_bad_calls_are_sql_errors() {
    let dir = tempfile::tempdir().unwrap();
    let entries = [("alpha", Tier::Episodic, NOW - 86_400_000)];
    let path = store_at(dir.path(), &entries);
    let conn = schema::connect(&path, true).unwrap();
    let facts = Arc::new(SharedFacts::loaded(EntryFacts::load(&conn).unwrap()));
    let ranker = Ranker::register(&conn, facts, half_lives_of_a_day()).unwrap();
    // The oracle ages the entry by its own timestamp: a full match, times recency.
    let aged = oracle(&entries, &["alpha"]);
    assert!((aged[&1] - recency(86_400_000, DAY)).abs() < 1e-12);
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

#[test]
fn recency_halves_towards_the_floor() {
    let day = Duration::from_secs(86_400);
    assert!((recency(0, day) - 1.0).abs() < 1e-12);
    let one_half_life = recency(86_400_000, day);
    assert!((one_half_life - (RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) / 2.0)).abs() < 1e-12);
    assert!(recency(i64::MAX / 2, day) >= RECENCY_FLOOR);
    // Clock skew: an entry from the future counts as brand new, not as more than new.
    assert!((recency(-5_000, day) - 1.0).abs() < 1e-12);
}
