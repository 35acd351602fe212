//! Memory relevance benchmark (harness = false): precision@5 and recall@5 on the labelled set
//! `tests/fixtures/memory-relevance.json` (200 memories in 40 subtopics, 76 labelled queries,
//! 12 queries with no relevant memory), for the ranking `retrieve` uses and, in the same run,
//! the ranking it replaced, reproduced here as the baseline: every word of the query OR-ed
//! (function words too), FTS5's `bm25()` divided by the best match's, no floor.
//!
//! `cargo bench -p orchestrator-memory --bench memory_relevance`. Precision is over what is
//! returned (micro-averaged: relevant hits / hits, at most 5 a query), recall the share of the
//! relevant memories in the top 5; with five relevant memories a query, recall@5 equals the
//! strict precision@5 (relevant / 5). "unrelated hits" are the hits of the 12 unrelated
//! queries, which should be none. All memories are stored at the same instant, so recency
//! weighs nothing and only relevance orders them. The floor sweep shows what the default floor
//! (`memory.minRelevance`) trades.
//!
//! One run (2026-12-06, AMD EPYC, 2 shared cores; the figures do not depend on the machine):
//!
//! ```text
//! ranking                                         P@5     R@5  unrelated hits
//! before #14: relative bm25, all words          0.671   0.655     60
//! now: absolute relevance, floor 0.35 (default)  0.840   0.553      0
//!   floor 0.00                                  0.663   0.647     11
//!   floor 0.10                                  0.663   0.647     11
//!   floor 0.20                                  0.674   0.647     11
//!   floor 0.25                                  0.721   0.613      5
//!   floor 0.30                                  0.800   0.589      3
//!   floor 0.35                                  0.840   0.553      0
//!   floor 0.40                                  0.873   0.526      0
//!   floor 0.50                                  0.919   0.389      0
//! ```
//!
//! Without a floor the new ranking orders about as well as the old (0.663 vs 0.671: two hits
//! of 380); the floor buys precision and silence on unrelated queries with recall, mostly of
//! task-like queries whose relevant memories share one word with them. `--verbose` lists the
//! queries that miss or let in something irrelevant, and every unrelated hit.

#[path = "../tests/common/relevance.rs"]
#[allow(dead_code)] // reason: the tests' helpers, of which this bench uses a few
mod labelled;

use std::sync::Arc;

use labelled::{LabelledSet, Tally};
use orchestrator_memory::{EntryType, ManualClock, MemoryConfig, MemoryStore, NewEntry, Tier};
use rusqlite::{Connection, OpenFlags, params};

const NOW: i64 = 1_793_491_200_000;
const CUT: usize = 5;

/// The ranking before issue #14: all words, `bm25()` relative to the best match, no floor.
fn baseline_top(conn: &Connection, query: &str) -> rusqlite::Result<Vec<String>> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut statement = conn.prepare_cached(
        "SELECT e.id, f.bm25 FROM (
            SELECT rowid AS seq, -bm25(memory_fts) AS bm25
            FROM memory_fts WHERE memory_fts MATCH ?1 LIMIT -1
         ) f JOIN memory_entries e ON e.seq = f.seq ORDER BY f.bm25 DESC, e.seq",
    )?;
    let hits: Vec<(String, f64)> = statement
        .query_map(params![words.join(" OR ")], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(hits.into_iter().take(CUT).map(|h| h.0).collect())
}

fn evaluate(
    set: &LabelledSet,
    mut top: impl FnMut(&str) -> Result<Vec<String>, Box<dyn std::error::Error>>,
) -> Result<Tally, Box<dyn std::error::Error>> {
    let mut tally = Tally::default();
    for query in &set.queries {
        tally.add(&top(&query.query)?, &query.relevant);
    }
    for query in &set.unrelated {
        tally.add_unrelated(&top(query)?);
    }
    Ok(tally)
}

fn row(name: &str, tally: Tally) {
    println!(
        "{name:<44} {:>6.3}  {:>6.3}  {:>5}",
        tally.precision(),
        tally.recall(),
        tally.unrelated_returned
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let set = LabelledSet::load();
    let dir = std::env::temp_dir().join(format!("memory-relevance-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("orchestrator.db");
    let clock = Arc::new(ManualClock::new(NOW));
    let open = |min_relevance: f64| {
        let config = MemoryConfig {
            min_relevance,
            ..MemoryConfig::default()
        };
        MemoryStore::open(&path, config, clock.clone())
    };
    let store = open(MemoryConfig::default().min_relevance)?;
    let mut ids = std::collections::HashMap::new();
    for memory in &set.memories {
        let entry = store.add(
            Tier::Episodic,
            NewEntry::new(&memory.text, EntryType::Observation).at(NOW),
        )?;
        ids.insert(entry.id, memory.id.clone());
    }
    store.flush()?;
    let label = |hits: Vec<orchestrator_memory::Scored>| -> Vec<String> {
        hits.into_iter()
            .filter_map(|h| ids.get(&h.entry.id).cloned())
            .collect()
    };
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let baseline = evaluate(&set, |q| {
        let top = baseline_top(&conn, q)?;
        Ok(top
            .into_iter()
            .filter_map(|id| ids.get(&id).cloned())
            .collect())
    })?;
    let default = MemoryConfig::default().min_relevance;
    let ours = evaluate(&set, |q| Ok(label(store.retrieve(q, None, CUT)?)))?;
    store.close();
    drop(store);

    println!(
        "labelled set: {} memories, {} queries, {} unrelated queries; cut-off {CUT}",
        set.memories.len(),
        set.queries.len(),
        set.unrelated.len()
    );
    println!(
        "{:<44} {:>6}  {:>6}  {:>5}",
        "ranking", "P@5", "R@5", "unrelated hits"
    );
    row("before #14: relative bm25, all words", baseline);
    row(
        &format!("now: absolute relevance, floor {default:.2} (default)"),
        ours,
    );
    for floor in [0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
        let store = open(floor)?;
        let tally = evaluate(&set, |q| Ok(label(store.retrieve(q, None, CUT)?)))?;
        row(&format!("  floor {floor:.2}"), tally);
        store.close();
    }
    if std::env::args().any(|a| a == "--verbose") {
        let store = open(default)?;
        for query in &set.queries {
            let top = label(store.retrieve(&query.query, None, CUT)?);
            let wrong: Vec<&String> = top
                .iter()
                .filter(|id| !query.relevant.contains(id))
                .collect();
            if top.len() < CUT || !wrong.is_empty() {
                println!(
                    "{:?}: {} returned, not relevant: {wrong:?}",
                    query.query,
                    top.len()
                );
            }
        }
        for query in &set.unrelated {
            let hits = store.retrieve(query, None, CUT)?;
            for hit in hits {
                println!(
                    "unrelated {query:?}: {:.3} {}",
                    hit.score, hit.entry.content
                );
            }
        }
        store.close();
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
