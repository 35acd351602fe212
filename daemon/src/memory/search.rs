//! Retrieval: turning user text into a safe FTS5 query ([`match_expression`]) and ranking
//! hits by BM25 weighted by recency (`search`); the formula is in the `memory` module doc.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::error::MemoryError;
use super::schema::{ENTRY_COLUMNS, entry_from_row};
use super::types::{Entry, MemoryConfig, Scored, Tier};

/// Words of a query used at most; more only slows the query without changing the top hits.
const MAX_TERMS: usize = 32;
/// A word in more than this share of the entries is too common to rank by (see
/// [`selective_terms`]).
const COMMON_SHARE: f64 = 0.05;
/// ... unless it is in fewer entries than this: small stores are scored in full.
const MIN_COMMON: i64 = 2_000;
/// How many of the newest entries a word's share is measured over (see [`selective_terms`]).
const SHARE_SAMPLE: i64 = 20_000;
/// Lowest recency weight: a very old entry keeps a quarter of its relevance, so age reorders
/// comparable hits but cannot bury a much better match.
pub const RECENCY_FLOOR: f64 = 0.25;

/// The FTS5 MATCH expression for free user text, or `None` when it has no words.
///
/// The text is cut into runs of letters and digits (the same split `unicode61` makes), and
/// every word is quoted (any `"` doubled, though none can survive the split) and joined with
/// `OR`. Quoting makes `OR`, `AND`, `NOT`, `NEAR`, `*`, `-`, `^`, `:` and stray quotes plain
/// words, so no user text can produce an FTS5 syntax error. `OR` rather than `AND`: BM25
/// already ranks entries matching more of the words higher, and a partial match is still
/// worth returning.
pub fn match_expression(query: &str) -> Option<String> {
    let terms = query_terms(query);
    (!terms.is_empty()).then(|| expression(&terms))
}

/// The distinct lowercased words of `query`, at most [`MAX_TERMS`].
fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word = word.to_lowercase();
        if !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

fn expression(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| quote(t))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The terms that occur in at most [`COMMON_SHARE`] of the entries (and at least in
/// [`MIN_COMMON`]), judged by counting each term's matches among the newest
/// [`SHARE_SAMPLE`] entries, up to the bound scaled to that sample.
///
/// Why leave words out: FTS5 ranks by BM25 by scoring EVERY entry that matches, so one very
/// common word ("the", or any word in half the entries) made a query cost as much as a scan
/// of the whole store. Such a word barely moves BM25 (its IDF is near zero; FTS5 floors it
/// at 1e-6 past half the entries), so leaving it out of the MATCH changes the ranking little
/// and the cost a lot.
///
/// Why a sample: counting a word's matches in the whole store up to 5% of it walked 50,000
/// rows for every common word of a query at 1M entries (about 4 ms each). The newest 20,000
/// entries (a rowid range, which FTS5 seeks to) measure a 5% share to within about 3% and
/// cost at most 1,000 rows; a store that small is counted exactly.
fn selective_terms(conn: &Connection, terms: &[String]) -> Result<Vec<String>, MemoryError> {
    let sql_err = MemoryError::sql("retrieve");
    // max(seq) is O(log n) where count(*) walks the table; deletions make it an upper
    // bound, which only makes the cut a little more lenient.
    let total: i64 = conn
        .query_row(
            "SELECT coalesce(max(seq), 0) FROM memory_entries",
            [],
            |r| r.get(0),
        )
        .map_err(&sql_err)?;
    let bound = MIN_COMMON.max((total as f64 * COMMON_SHARE) as i64);
    if total <= bound {
        return Ok(terms.to_vec());
    }
    let sample = total.min(SHARE_SAMPLE);
    let sample_bound = bound * sample / total;
    let mut count = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM memory_fts
             WHERE memory_fts MATCH ?1 AND memory_fts.rowid > ?2 LIMIT ?3)",
        )
        .map_err(&sql_err)?;
    let mut kept = Vec::new();
    for term in terms {
        let matches: i64 = count
            .query_row(
                params![quote(term), total - sample, sample_bound + 1],
                |r| r.get(0),
            )
            .map_err(&sql_err)?;
        if matches <= sample_bound {
            kept.push(term.clone());
        }
    }
    Ok(kept)
}

/// `0.5^(age / half_life)` lifted onto `[RECENCY_FLOOR, 1]`.
pub fn recency(age_ms: i64, half_life: Duration) -> f64 {
    let half_life_ms = half_life.as_millis().max(1) as f64;
    let decay = 0.5_f64.powf(age_ms.max(0) as f64 / half_life_ms);
    RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * decay
}

fn half_life(config: &MemoryConfig, tier: Tier) -> Duration {
    match tier {
        Tier::Episodic => config.episodic_half_life,
        Tier::Semantic => config.semantic_half_life,
    }
}

/// The best `limit` entries for `query` in `tier` (both when `None`), best first.
pub(crate) fn search(
    conn: &Connection,
    query: &str,
    tier: Option<Tier>,
    limit: usize,
    now: i64,
    config: &MemoryConfig,
) -> Result<Vec<Scored>, MemoryError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let terms = query_terms(query);
    if terms.is_empty() {
        return recent(conn, tier, limit, now, config);
    }
    let selective = selective_terms(conn, &terms)?;
    // Every word common: BM25 cannot tell the matches apart, so take the latest-added
    // matches (FTS5 walks its lists in rowid order, i.e. insertion order, which is
    // newest-first for all but imported or back-dated entries) and let recency rank them.
    let (expression, order) = if selective.is_empty() {
        (expression(&terms), "memory_fts.rowid DESC")
    } else {
        (expression(&selective), "bm25(memory_fts)")
    };
    // Candidates: the best by BM25 alone, plus the newest matches (scored the same way), so
    // that a recent entry a little less relevant than two hundred old ones still reaches the
    // recency reordering below. With BM25 alone, the top 10 at 1M entries (30 days of them,
    // `benches/memory.rs`) held 5.4 of the 10 that scoring every match would give; with the
    // union 7.5. The rest of the gap is the common words left out above.
    let candidates = i64::try_from(limit.saturating_mul(10).max(200)).unwrap_or(i64::MAX);
    let mut hits = candidates_since(conn, &expression, order, tier, candidates, 0)?;
    if !selective.is_empty() {
        let newest = newest_rowid_floor(conn, &expression, candidates)?;
        if newest > 0 {
            let recent = candidates_since(conn, &expression, order, tier, candidates, newest)?;
            let seen: HashSet<String> = hits.iter().map(|(entry, _)| entry.id.clone()).collect();
            hits.extend(
                recent
                    .into_iter()
                    .filter(|(entry, _)| !seen.contains(&entry.id)),
            );
        }
    }
    let best = hits.iter().map(|(_, r)| *r).fold(0.0_f64, f64::max);
    let mut scored: Vec<Scored> = hits
        .into_iter()
        .map(|(entry, raw)| {
            // BM25 is unbounded and corpus-dependent; dividing by the best hit makes 1.0 mean
            // "as relevant as anything found" and keeps scores comparable across tiers.
            let relevance = if best > 0.0 {
                (raw / best).max(0.0)
            } else {
                1.0
            };
            let weight = recency(now - entry.timestamp, half_life(config, entry.tier));
            Scored {
                score: relevance * weight,
                entry,
            }
        })
        .collect();
    sort_and_cut(&mut scored, limit);
    Ok(scored)
}

/// The rowid of the `count`-th newest match of `expression`, or 0 when there are fewer (then
/// the first candidate query already saw every match).
fn newest_rowid_floor(conn: &Connection, expression: &str, count: i64) -> Result<i64, MemoryError> {
    // FTS5 walks a doclist newest-first for `ORDER BY rowid DESC` without scoring anything.
    let mut statement = conn
        .prepare_cached(
            "SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?1
             ORDER BY rowid DESC LIMIT 1 OFFSET ?2",
        )
        .map_err(MemoryError::sql("retrieve"))?;
    statement
        .query_row(params![expression, count - 1], |row| row.get(0))
        .optional()
        .map(Option::unwrap_or_default)
        .map_err(MemoryError::sql("retrieve"))
}

/// The best `candidates` matches of `expression` by `order` among entries with `seq >= since`
/// (in `tier` when given), with their raw relevance (the negated BM25 score).
fn candidates_since(
    conn: &Connection,
    expression: &str,
    order: &str,
    tier: Option<Tier>,
    candidates: i64,
    since: i64,
) -> Result<Vec<(Entry, f64)>, MemoryError> {
    // `?3` appears in both shapes so the parameter list is the same.
    let (join, filter) = if tier.is_some() {
        (
            "JOIN memory_entries t ON t.seq = memory_fts.rowid AND t.tier = ?3",
            "",
        )
    } else {
        ("", "AND ?3 IS NULL")
    };
    // A rowid range is an FTS5 index constraint: rows below `since` are skipped, not scored.
    let sql = format!(
        "SELECT {ENTRY_COLUMNS}, f.relevance FROM (
            SELECT memory_fts.rowid AS seq, -bm25(memory_fts) AS relevance
            FROM memory_fts {join}
            WHERE memory_fts MATCH ?1 AND memory_fts.rowid >= ?4 {filter}
            ORDER BY {order} LIMIT ?2
         ) f JOIN memory_entries e ON e.seq = f.seq"
    );
    let sql_err = MemoryError::sql("retrieve");
    let mut statement = conn.prepare_cached(&sql).map_err(&sql_err)?;
    let rows = statement
        .query_map(
            params![expression, candidates, tier.map(Tier::as_str), since],
            |row| Ok((entry_from_row(row)?, row.get::<_, f64>(8)?)),
        )
        .map_err(&sql_err)?;
    rows.collect::<Result<_, _>>().map_err(&sql_err)
}

/// The newest `limit` entries, scored by recency alone (the empty-query case).
fn recent(
    conn: &Connection,
    tier: Option<Tier>,
    limit: usize,
    now: i64,
    config: &MemoryConfig,
) -> Result<Vec<Scored>, MemoryError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM memory_entries e
         WHERE (?1 IS NULL OR e.tier = ?1) ORDER BY e.timestamp DESC, e.seq DESC LIMIT ?2"
    );
    let sql_err = MemoryError::sql("retrieve");
    let mut statement = conn.prepare_cached(&sql).map_err(&sql_err)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = statement
        .query_map(params![tier.map(Tier::as_str), limit], entry_from_row)
        .map_err(&sql_err)?;
    let mut scored = Vec::new();
    for entry in rows {
        let entry = entry.map_err(&sql_err)?;
        let score = recency(now - entry.timestamp, half_life(config, entry.tier));
        scored.push(Scored { entry, score });
    }
    Ok(scored)
}

fn sort_and_cut(scored: &mut Vec<Scored>, limit: usize) {
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.entry.timestamp.cmp(&a.entry.timestamp))
    });
    scored.truncate(limit);
}

/// Renders hits as the SessionStart block, keeping whole lines within `max_chars`.
pub(crate) fn format_context(hits: Vec<Scored>, max_chars: usize) -> (String, Vec<Entry>) {
    /// Longest single memory in the block; a longer one is cut so others fit too.
    const LINE_BYTES: usize = 400;
    const HEADER: &str = "Relevant memories from earlier sessions (most relevant first):\n";
    let mut text = String::from(HEADER);
    let mut used = Vec::new();
    for hit in hits {
        let entry = hit.entry;
        let flat = entry
            .content
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let cut = super::janitor::truncate(&flat, LINE_BYTES);
        let ellipsis = if cut.len() < flat.len() { "..." } else { "" };
        let line = format!(
            "- [{} {}/{}] {cut}{ellipsis}\n",
            super::janitor::iso_date(entry.timestamp),
            entry.tier.as_str(),
            entry.entry_type.as_str()
        );
        if text.len() + line.len() > max_chars {
            break;
        }
        text.push_str(&line);
        // Record what the session was given, not the whole stored text: the session (and
        // this list) is saved on every update, so it must stay as small as the block.
        used.push(Entry {
            content: format!("{cut}{ellipsis}"),
            ..entry
        });
    }
    if used.is_empty() {
        return (String::new(), used);
    }
    (text, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expression_quotes_every_word() {
        assert_eq!(match_expression(""), None);
        assert_eq!(match_expression(" \"* - ( ) "), None);
        assert_eq!(
            match_expression("a OR b"),
            Some("\"a\" OR \"or\" OR \"b\"".to_owned())
        );
        assert_eq!(
            match_expression("NEAR(x y)"),
            Some("\"near\" OR \"x\" OR \"y\"".to_owned())
        );
        assert_eq!(match_expression("Foo foo FOO"), Some("\"foo\"".to_owned()));
        let many = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            match_expression(&many).map(|e| e.matches(" OR ").count()),
            Some(MAX_TERMS - 1)
        );
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
}
