//! Scoring FTS5 matches as `bm25 × recency` in one pass, reading each row's length, time and
//! tier from [`EntryFacts`] instead of looking the row up. [`Ranker`] is the scoring state of
//! one read connection; `callbacks` registers two FTS5 auxiliary functions with it:
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
//! another tier. `bm25` is FTS5's own formula, term for term (k1 = 1.2, b = 0.75, IDF
//! `ln((N - n + 0.5) / (n + 0.5))` floored at 1e-6), but positive; a test holds both
//! functions to `-bm25(memory_fts)`.
//!
//! Why not `bm25()` and a join: per matching row that costs a docsize seek inside FTS5 and a
//! timestamp seek in `memory_entries`, about 2 µs, and a query at 1M entries matches 5–40k
//! rows. Why collect rather than `ORDER BY` a score: FTS5 computes IDF by walking each
//! phrase's whole doclist a second time; every match of an OR query contains one of its
//! phrases, so counting the phrases in the rows as they pass gives the same document
//! frequencies for free, and the top few are picked in Rust instead of by SQLite's sorter.
//! Scoring every match also makes the top hits exact.

mod callbacks;

use std::ffi::c_int;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use super::facts::{EntryFact, EntryFacts, SharedFacts, tier_code};
use super::search::recency;
use super::types::MemoryConfig;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// FTS5's IDF for a phrase in `hits` of `rows` entries.
fn idf(rows: i64, hits: i64) -> f64 {
    let value = (((rows - hits) as f64 + 0.5) / (hits as f64 + 0.5)).ln();
    if value <= 0.0 { 1e-6 } else { value }
}

/// One phrase's BM25 term before IDF: `frequency` occurrences in a row of `tokens`.
fn term_weight(frequency: f64, tokens: f64, average_tokens: f64) -> f64 {
    frequency * (K1 + 1.0) / (frequency + K1 * (1.0 - B + B * tokens / average_tokens))
}

/// The scoring state of one read connection: the shared facts, the half-lives, the best
/// bm25 of the last statement and the rows `wundr_collect` recorded.
#[derive(Debug)]
pub(crate) struct Ranker {
    facts: Arc<SharedFacts>,
    /// The half-lives recency is weighed with.
    config: MemoryConfig,
    /// `f64::to_bits` of the best bm25 so far; non-negative floats order like their bits.
    best_bits: AtomicU64,
    collected: Mutex<Collected>,
}

/// A match recorded by `wundr_collect`, scored once the document frequencies are known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub seq: i64,
    /// `bm25 × recency`.
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
            best_bits: AtomicU64::new(0),
            collected: Mutex::new(Collected::default()),
        });
        callbacks::create(conn, &ranker)?;
        Ok(ranker)
    }

    /// Forgets the last statement's rows, before a new one.
    pub fn reset(&self) {
        self.best_bits.store(0, Ordering::Relaxed);
        *self.collected() = Collected::default();
    }

    /// The best bm25 among the rows scored or recorded since [`Self::reset`] (0 if none);
    /// for recorded rows, known once [`Self::top`] has run.
    pub fn best_bm25(&self) -> f64 {
        f64::from_bits(self.best_bits.load(Ordering::Relaxed))
    }

    /// The `limit` recorded rows of the asked tier with the highest `bm25 × recency`, best
    /// first.
    pub fn top(&self, limit: usize) -> Vec<Ranked> {
        let collected = std::mem::take(&mut *self.collected());
        let (mut ranked, best) = {
            let facts = self.facts.read();
            collected.scores(&facts, &self.config)
        };
        self.saw_bm25(best);
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

    fn saw_bm25(&self, bm25: f64) {
        self.best_bits
            .fetch_max(bm25.max(0.0).to_bits(), Ordering::Relaxed);
    }

    fn collected(&self) -> MutexGuard<'_, Collected> {
        self.collected.lock().unwrap_or_else(|p| p.into_inner())
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

    /// Every kept row's `bm25 × recency` (rows of another tier left out), and the best
    /// bm25. A row the facts do not know was added since their last refresh: brand new.
    fn scores(self, facts: &EntryFacts, config: &MemoryConfig) -> (Vec<Ranked>, f64) {
        let idf: Vec<f64> = self
            .document_frequency
            .iter()
            .map(|df| idf(self.rows, *df))
            .collect();
        let mut best: f64 = 0.0;
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
            let bm25: f64 = terms
                .iter()
                .map(|(phrase, f)| {
                    let idf = idf.get(usize::from(*phrase)).copied().unwrap_or(0.0);
                    idf * term_weight(f64::from(*f), tokens, self.average_tokens)
                })
                .sum();
            best = best.max(bm25);
            let recency = fact.map_or(1.0, |f| {
                recency(
                    self.now.saturating_sub(f.timestamp),
                    config.half_life(f.tier),
                )
            });
            ranked.push(Ranked {
                seq: kept.seq,
                score: bm25 * recency,
            });
        }
        (ranked, best)
    }
}

#[cfg(test)]
mod tests;
