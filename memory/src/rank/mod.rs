//! Scoring FTS5 matches as `relevance × recency` in one pass, reading each row's length, time
//! and tier from [`EntryFacts`] instead of looking the row up. [`Ranker`] is the scoring state
//! of one read connection; `callbacks` registers two FTS5 auxiliary functions with it:
//!
//! ```sql
//! -- every match recorded in the ranker; Ranker::top then gives the best (search::best_matches)
//! SELECT count(c) FROM (SELECT wundr_collect(memory_fts, :now_ms, :tier) AS c
//!     FROM memory_fts WHERE memory_fts MATCH :q LIMIT -1)
//! -- each match scored on its own (search::newest_matches, which stops after a few)
//! SELECT rowid, wundr_rank(memory_fts, :now_ms, :tier) FROM memory_fts WHERE memory_fts MATCH :q
//! ```
//!
//! `:tier` is 0 (any), 1 (episodic) or 2 (semantic); `wundr_rank` gives -1 for an entry of
//! another tier, or below the relevance floor. [`relevance`] is absolute, in `[0, 1]`: the
//! share of the query's IDF mass the row matches, each matched phrase counting half for being
//! there and half for its BM25 term weight (k1 = 1.2, b = 0.75, capped at 1, which is one
//! occurrence in a row of average length). IDF is BM25's smoothed `ln(1 + (N - n + 0.5) / (n + 0.5))`,
//! never zero, where FTS5's own `bm25()` floors it to 1e-6 past half the rows, which made every
//! word of a small store worth the same and every score meaningful only relative to the best.
//! A test holds both functions to a plain Rust computation of the formula.
//!
//! Why not `bm25()` and a join: per matching row that costs a docsize seek inside FTS5 and a
//! timestamp seek in `memory_entries`, about 2 µs, and a query at 1M entries matches 5–40k
//! rows. Why collect rather than `ORDER BY` a score: FTS5 computes IDF by walking each
//! phrase's whole doclist a second time; every match of an OR query contains one of its
//! phrases, so counting the phrases in the rows as they pass gives the same document
//! frequencies for free, and the top few are picked in Rust instead of by SQLite's sorter.
//! Scoring every match also makes the top hits exact.

mod callbacks;

use parking_lot::{Mutex, MutexGuard};
use std::ffi::c_int;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use super::facts::{EntryFact, EntryFacts, SharedFacts, tier_code};
use super::types::MemoryConfig;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The IDF of a phrase in `hits` of `rows` entries: BM25's smoothed form, positive for any
/// `hits <= rows`, so a word in every row of a tiny store still weighs less than a rare one.
fn idf(rows: i64, hits: i64) -> f64 {
    (1.0 + ((rows - hits).max(0) as f64 + 0.5) / (hits as f64 + 0.5)).ln()
}

/// Phrases of a query a memory is expected to match at best: a memory is a short note, so a
/// long task's weight is that of its average phrase times this many (see [`query_mass`]).
/// Chosen with the floor on the labelled set (`benches/memory_relevance.rs`): 8 and 5 kept
/// fewer task-like queries' relevant memories above it, 3 let unrelated memories through.
const MATCHABLE_PHRASES: f64 = 4.0;

/// What a row matching the whole query scores before the division, from each phrase's IDF
/// and whether any row contains it: the sum of the IDFs, for a query of more than
/// [`MATCHABLE_PHRASES`] phrases scaled down to that many (their mean times it), so a
/// paragraph-long task is not diluted below every floor.
///
/// A phrase no row contains still counts (a query that shares one word with a memory and has
/// four the store never saw is a poor match for it), but at most as much as the rarest phrase
/// some row does contain: its own IDF is the largest possible and says only that the store
/// never saw the word, and in a store where every memory mentions "release" it would make
/// "how do I cut a release" match none of them.
fn query_mass(phrases: impl Iterator<Item = (f64, bool)> + Clone) -> f64 {
    let rarest_seen = phrases
        .clone()
        .filter(|(_, seen)| *seen)
        .map(|(idf, _)| idf)
        .fold(0.0, f64::max);
    let (sum, count) = phrases.fold((0.0, 0.0), |(sum, count), (idf, seen)| {
        let idf = if seen { idf } else { idf.min(rarest_seen) };
        (sum + idf, count + 1.0)
    });
    if count > MATCHABLE_PHRASES {
        sum / count * MATCHABLE_PHRASES
    } else {
        sum
    }
}

/// A row's relevance in `[0, 1]`: the IDF-weighted share of the query's phrases it contains,
/// each counting half for being there and half for its BM25 term weight capped at 1.
/// `matched` yields `(idf, term weight)` of the phrases the row contains; `mass` is
/// [`query_mass`].
fn relevance(matched: impl Iterator<Item = (f64, f64)>, mass: f64) -> f64 {
    if mass <= 0.0 {
        return 0.0;
    }
    let got: f64 = matched
        .map(|(idf, weight)| idf * (0.5 + 0.5 * weight.min(1.0)))
        .sum();
    (got / mass).clamp(0.0, 1.0)
}

/// One phrase's BM25 term before IDF: `frequency` occurrences in a row of `tokens`.
fn term_weight(frequency: f64, tokens: f64, average_tokens: f64) -> f64 {
    frequency * (K1 + 1.0) / (frequency + K1 * (1.0 - B + B * tokens / average_tokens))
}

/// The scoring state of one read connection: the shared facts, the half-lives and relevance
/// floor, and the rows `wundr_collect` recorded.
#[derive(Debug)]
pub(crate) struct Ranker {
    facts: Arc<SharedFacts>,
    /// The half-lives recency is weighed with and the relevance floor.
    config: MemoryConfig,
    collected: Mutex<Collected>,
}

/// A match recorded by `wundr_collect`, scored once the document frequencies are known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub seq: i64,
    /// `relevance × recency`.
    pub score: f64,
}

impl Ranker {
    /// Registers `wundr_rank` and `wundr_collect` on `conn`, scoring with `facts`.
    pub fn register(
        conn: &Connection,
        facts: Arc<SharedFacts>,
        config: MemoryConfig,
    ) -> rusqlite::Result<Arc<Self>> {
        let ranker = Arc::new(Self {
            facts,
            config,
            collected: Mutex::new(Collected::default()),
        });
        callbacks::create(conn, &ranker)?;
        Ok(ranker)
    }

    /// Forgets the last statement's rows, before a new one.
    pub fn reset(&self) {
        *self.collected() = Collected::default();
    }

    /// The `limit` recorded rows of the asked tier, at or above the relevance floor, with the
    /// highest `relevance × recency`, best first.
    pub fn top(&self, limit: usize) -> Vec<Ranked> {
        let collected = std::mem::take(&mut *self.collected());
        let mut ranked = {
            let facts = self.facts.read();
            collected.scores(&facts, &self.config)
        };
        let by_score = |a: &Ranked, b: &Ranked| b.score.total_cmp(&a.score);
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, by_score);
        }
        ranked.truncate(limit);
        ranked.sort_unstable_by(by_score);
        ranked
    }

    /// Seqs below this may be in the facts; rows past it were added since the last refresh.
    fn known_seqs(&self) -> i64 {
        self.facts.read().end_seq()
    }

    fn fact(&self, seq: i64) -> Option<EntryFact> {
        self.facts.read().get(seq)
    }

    fn collected(&self) -> MutexGuard<'_, Collected> {
        self.collected.lock()
    }
}

/// The rows `wundr_collect` recorded: per row its seq (and its length when the facts do not
/// have it yet), and the phrases it contains with their counts.
#[derive(Debug, Default)]
struct Collected {
    /// Set at the statement's first row: entries in the table, their mean length, the
    /// statement's time and tier, and the end of the facts' seqs.
    started: bool,
    rows: i64,
    average_tokens: f64,
    now: i64,
    wanted: c_int,
    known_seqs: i64,
    /// Matching rows (of any tier) that contain each phrase.
    document_frequency: Vec<i64>,
    kept: Vec<Kept>,
    /// `(phrase, occurrences)` of every kept row, in row order.
    terms: Vec<(u16, u16)>,
}

#[derive(Debug)]
struct Kept {
    seq: i64,
    /// The row's length from FTS5, for a row the facts do not know yet.
    measured_tokens: Option<f64>,
    /// End of this row's `terms`.
    terms_end: usize,
}

impl Collected {
    fn started(&self) -> bool {
        self.started
    }

    fn start(&mut self, query: &callbacks::Query, now: i64, wanted: c_int, known_seqs: i64) {
        self.started = true;
        self.rows = query.rows;
        self.average_tokens = query.average_tokens;
        self.now = now;
        self.wanted = wanted;
        self.known_seqs = known_seqs;
        self.document_frequency = vec![0; query.frequency.len()];
    }

    fn is_known(&self, seq: i64) -> bool {
        seq < self.known_seqs
    }

    /// Counts the phrases of a matching row towards their document frequencies.
    fn count_phrases(&mut self, frequency: &[f64]) {
        for (df, f) in self.document_frequency.iter_mut().zip(frequency) {
            *df += i64::from(*f > 0.0);
        }
    }

    fn push(&mut self, seq: i64, measured_tokens: Option<f64>, frequency: &[f64]) {
        for (phrase, f) in frequency.iter().enumerate() {
            if *f > 0.0 {
                let phrase = u16::try_from(phrase).unwrap_or(u16::MAX);
                self.terms.push((phrase, *f as u16));
            }
        }
        self.kept.push(Kept {
            seq,
            measured_tokens,
            terms_end: self.terms.len(),
        });
    }

    /// Every kept row's `relevance × recency`, leaving out rows of another tier and rows
    /// below the floor. A row the facts do not know was added since their last refresh: brand
    /// new.
    fn scores(self, facts: &EntryFacts, config: &MemoryConfig) -> Vec<Ranked> {
        let idf: Vec<f64> = self
            .document_frequency
            .iter()
            .map(|df| idf(self.rows, *df))
            .collect();
        let mass = query_mass(
            idf.iter()
                .copied()
                .zip(self.document_frequency.iter().map(|df| *df > 0)),
        );
        let mut ranked = Vec::with_capacity(self.kept.len());
        let mut start = 0;
        for kept in &self.kept {
            let terms = self.terms.get(start..kept.terms_end).unwrap_or_default();
            start = kept.terms_end;
            let fact = facts.get(kept.seq);
            if let Some(fact) = fact
                && self.wanted != 0
                && self.wanted != c_int::from(tier_code(fact.tier))
            {
                continue;
            }
            let tokens = fact
                .map(|f| f64::from(f.tokens))
                .or(kept.measured_tokens)
                .unwrap_or(self.average_tokens);
            let matched = terms.iter().map(|(phrase, f)| {
                let idf = idf.get(usize::from(*phrase)).copied().unwrap_or(0.0);
                (idf, term_weight(f64::from(*f), tokens, self.average_tokens))
            });
            let relevance = relevance(matched, mass);
            if relevance < config.min_relevance {
                continue;
            }
            let recency = fact.map_or(1.0, |f| {
                recency(
                    self.now.saturating_sub(f.timestamp),
                    config.half_life(f.tier),
                )
            });
            ranked.push(Ranked {
                seq: kept.seq,
                score: relevance * recency,
            });
        }
        ranked
    }
}

/// Lowest recency weight: a very old entry keeps a quarter of its relevance, so age reorders
/// comparable hits but cannot bury a much better match.
pub const RECENCY_FLOOR: f64 = 0.25;

/// `0.5^(age / half_life)` lifted onto `[RECENCY_FLOOR, 1]`.
pub fn recency(age_ms: i64, half_life: Duration) -> f64 {
    let half_life_ms = half_life.as_millis().max(1) as f64;
    let decay = 0.5_f64.powf(age_ms.max(0) as f64 / half_life_ms);
    RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * decay
}

#[cfg(test)]
mod tests;
