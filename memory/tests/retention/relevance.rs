//! Relevance (issue #14): function words never make a match, scores are absolute, and a
//! floor keeps unrelated memories out; quality on the labelled set
//! `tests/fixtures/memory-relevance.json`.

use std::collections::HashMap;

use super::common::relevance::{LabelledSet, Tally};
use super::common::store::{T0, fixture, fixture_with};
use super::observation;
use orchestrator_memory::{MemoryConfig, Tier};

const PLANTS: &str = "The office plants are watered on Mondays";
const KUBERNETES: &str = "Deploys to the production kubernetes cluster go through ArgoCD";

/// The defect as reported: with two memories, the plants one came back (at 0.875) for a
/// kubernetes query because both contain "the".
#[test]
fn the_office_plants_do_not_match_a_kubernetes_query() {
    let f = fixture();
    f.store.add_semantic(observation(PLANTS)).unwrap();
    let kubernetes = f.store.add_semantic(observation(KUBERNETES)).unwrap();
    let hits = f
        .store
        .retrieve("deploy the kubernetes cluster", None, 10)
        .unwrap();
    let contents: Vec<&str> = hits.iter().map(|h| h.entry.content.as_str()).collect();
    assert_eq!(contents, [KUBERNETES], "{hits:#?}");
    assert_eq!(hits[0].entry.id, kubernetes.id);
    // And nothing from either for a session about invoices.
    let (text, used) = f
        .store
        .context_for_task("Reconcile the unpaid invoices for March", 2_000)
        .unwrap();
    assert_eq!((text.as_str(), used.len()), ("", 0), "{used:#?}");
}

#[test]
fn a_match_on_function_words_alone_is_no_match() {
    let f = fixture();
    f.store.add_episodic(observation(PLANTS)).unwrap();
    f.store
        .add_episodic(observation(
            "What is the plan for the release of the new API?",
        ))
        .unwrap();
    for query in [
        "invoices are on the way to them",
        "what is it that we should do",
        "THE",
        "the and of, or: it's",
    ] {
        let hits = f.store.retrieve(query, None, 10).unwrap();
        assert!(hits.is_empty(), "{query:?}: {hits:#?}");
    }
    // A query of only function words matches nothing, while a word-less one still lists the
    // newest entries.
    assert_eq!(f.store.retrieve("", None, 10).unwrap().len(), 2);
    assert_eq!(f.store.retrieve("plants", None, 10).unwrap().len(), 1);
}

#[test]
fn an_unrelated_query_returns_nothing() {
    let f = fixture();
    for text in [
        PLANTS,
        KUBERNETES,
        "Invoices are generated as PDF at the end of each month",
        "Unpaid invoices older than 30 days are listed in the overdue report",
        "The flaky websocket test reuses a port",
    ] {
        f.store.add_episodic(observation(text)).unwrap();
    }
    for query in [
        "plan a birthday picnic for grandma",
        "Reconcile the unpaid taxis for the offsite trip",
    ] {
        let hits = f.store.retrieve(query, None, 10).unwrap();
        assert!(hits.is_empty(), "{query:?}: {hits:#?}");
    }
}

/// Scores no longer say "as good as the best hit": a weak match alone is still weak, and the
/// same memory scores the same whatever else is stored.
#[test]
fn scores_are_absolute_not_relative_to_the_best_hit() {
    let f = fixture_with(MemoryConfig {
        min_relevance: 0.0,
        ..MemoryConfig::default()
    });
    f.store
        .add_episodic(observation("kubernetes ingress timeouts").at(T0))
        .unwrap();
    let query = "kubernetes cluster autoscaler node pool limits";
    let weak = f.store.retrieve(query, None, 5).unwrap();
    assert_eq!(weak.len(), 1);
    assert!(weak[0].score < 0.5, "{weak:#?}");
    let full = f
        .store
        .retrieve("kubernetes ingress timeouts", None, 5)
        .unwrap();
    assert!(full[0].score > 0.9, "{full:#?}");
}

/// The default floor on the labelled set: no hit for an unrelated query, and precision and
/// recall at 5 above the floors this ranking measured (the bench `memory_relevance` prints
/// both beside the ranking it replaced).
#[test]
fn the_labelled_set_is_ranked_well_and_unrelated_queries_find_nothing() {
    let set = LabelledSet::load();
    let f = fixture();
    let mut labels = HashMap::new();
    for memory in &set.memories {
        let entry = f
            .store
            .add(Tier::Episodic, observation(&memory.text).at(T0))
            .unwrap();
        labels.insert(entry.id, memory.id.clone());
    }
    let mut tally = Tally::default();
    let top = |query: &str| -> Vec<String> {
        let hits = f.store.retrieve(query, None, 5).unwrap();
        hits.iter().map(|h| labels[&h.entry.id].clone()).collect()
    };
    for query in &set.queries {
        tally.add(&top(&query.query), &query.relevant);
    }
    for query in &set.unrelated {
        let found = top(query);
        assert!(found.is_empty(), "{query:?} found {found:?}");
        tally.add_unrelated(&found);
    }
    // Measured 0.840 and 0.553 (the ranking it replaced: 0.671 and 0.655, with 60 hits for
    // the unrelated queries); a floor keeps some weak but relevant matches out too.
    assert!(tally.precision() >= 0.80, "precision@5 {tally:?}");
    assert!(tally.recall() >= 0.50, "recall@5 {tally:?}");
}
