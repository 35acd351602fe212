//! The labelled set for memory relevance (`tests/fixtures/memory-relevance.json`, read by the
//! relevance tests and `benches/memory_relevance.rs`): [`LabelledSet`] and the precision and
//! recall of a ranking over it ([`Tally`]).

use std::collections::HashSet;

use serde::Deserialize;

/// The fixture as written: memories with ids, queries with the ids of their relevant
/// memories, and queries no memory is relevant to.
#[derive(Debug, Deserialize)]
pub struct LabelledSet {
    pub memories: Vec<LabelledMemory>,
    pub queries: Vec<LabelledQuery>,
    pub unrelated: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct LabelledMemory {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Deserialize)]
pub struct LabelledQuery {
    pub query: String,
    pub relevant: Vec<String>,
}

impl LabelledSet {
    /// The fixture, checked for dangling labels.
    pub fn load() -> Self {
        let text = include_str!("../fixtures/memory-relevance.json");
        let set: Self = serde_json::from_str(text).expect("memory-relevance.json parses");
        let ids: HashSet<&str> = set.memories.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids.len(), set.memories.len(), "memory ids are unique");
        for query in &set.queries {
            assert!(!query.relevant.is_empty(), "{}", query.query);
            for id in &query.relevant {
                assert!(
                    ids.contains(id.as_str()),
                    "{}: unknown id {id}",
                    query.query
                );
            }
        }
        set
    }
}

/// Precision and recall at a cut-off over many queries, micro-averaged.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Hits returned (at most the cut-off per query).
    pub returned: usize,
    /// Returned hits that are relevant.
    pub relevant_returned: usize,
    /// Relevant memories over all queries.
    pub relevant: usize,
    /// Hits returned for queries with no relevant memory.
    pub unrelated_returned: usize,
}

impl Tally {
    /// Counts one labelled query's ranked ids (already cut to the cut-off).
    pub fn add(&mut self, ranked: &[String], relevant: &[String]) {
        self.returned += ranked.len();
        self.relevant += relevant.len();
        self.relevant_returned += ranked.iter().filter(|id| relevant.contains(id)).count();
    }

    /// Counts an unrelated query's ranked ids.
    pub fn add_unrelated(&mut self, ranked: &[String]) {
        self.unrelated_returned += ranked.len();
    }

    /// Share of the returned hits that are relevant (1 when nothing was returned: nothing
    /// wrong was given).
    pub fn precision(&self) -> f64 {
        if self.returned == 0 {
            return 1.0;
        }
        self.relevant_returned as f64 / self.returned as f64
    }

    /// Share of the relevant memories returned.
    pub fn recall(&self) -> f64 {
        self.relevant_returned as f64 / self.relevant.max(1) as f64
    }
}
