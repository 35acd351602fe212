//! Retrieval: turning user text into a safe FTS5 query of its meaningful words
//! ([`match_expression`]) and ranking hits by absolute relevance weighted by recency
//! (`search`); the formula is in the `memory` module doc.

use rusqlite::{Connection, OptionalExtension, params};

use super::error::MemoryError;
use super::facts::tier_code;
use super::rank::{Ranker, recency};
use super::schema::{ENTRY_COLUMNS, entry_from_row};
use super::stopwords::is_stop_word;
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

/// The FTS5 MATCH expression for free user text, or `None` when it has no meaningful words.
///
/// The text is cut into runs of letters and digits (the same split `unicode61` makes), English
/// function words ("the", "of", "or": `stopwords`) are dropped, and every other word is quoted
/// (any `"` doubled, though none can survive the split) and joined with `OR`. Quoting makes
/// `AND`, `NOT`, `NEAR`, `*`, `-`, `^`, `:` and stray quotes plain words, so no user text can
/// produce an FTS5 syntax error. `OR` rather than `AND`: the relevance already ranks entries
/// matching more of the words higher, and a partial match is still worth returning if it
/// clears the floor.
pub fn match_expression(query: &str) -> Option<String> {
    let terms = query_terms(query);
    (!terms.is_empty()).then(|| expression(&terms))
}

/// Whether `query` has any word at all (a query of only function words has words, but no
/// meaningful ones: it matches nothing, where a word-less query lists the newest entries).
fn has_words(query: &str) -> bool {
    query
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| !w.is_empty())
}

/// The distinct lowercased meaningful words of `query`, at most [`MAX_TERMS`].
fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word = word.to_lowercase();
        if is_stop_word(&word) {
            continue;
        }
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

/// The best `limit` entries for `query` in `tier` (both when `None`), best first.
pub(crate) fn search(
    conn: &Connection,
    ranker: &Ranker,
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
        if has_words(query) {
            // Only function words: nothing can be relevant to it.
            return Ok(Vec::new());
        }
        return recent(conn, tier, limit, now, config);
    }
    let selective = selective_terms(conn, &terms)?;
    let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
    ranker.reset();
    let hits = if selective.is_empty() {
        // Every word common: BM25 cannot tell the matches apart, so score the latest-added
        // matches (FTS5 walks its lists in rowid order, i.e. insertion order, which is
        // newest-first for all but imported or back-dated entries) and let recency rank them.
        let candidates = limit_sql.saturating_mul(10).max(200);
        newest_matches(conn, &expression(&terms), tier, candidates, now)?
    } else {
        // Every match is scored (`rank`), so these are exactly the best `limit`.
        best_matches(conn, ranker, &expression(&selective), tier, limit, now)?
    };
    // The ranking functions' scores are absolute already (relevance in [0, 1] × recency) and
    // leave out matches below the floor.
    let mut scored: Vec<Scored> = hits
        .into_iter()
        .map(|(entry, score)| Scored { entry, score })
        .collect();
    sort_and_cut(&mut scored, limit);
    Ok(scored)
}

/// The ranking functions' tier argument: 0 for any tier.
fn tier_argument(tier: Option<Tier>) -> u8 {
    tier.map_or(0, tier_code)
}

/// The `limit` matches of `expression` with the highest `relevance × recency`, in `tier`, at
/// or above the floor.
fn best_matches(
    conn: &Connection,
    ranker: &Ranker,
    expression: &str,
    tier: Option<Tier>,
    limit: usize,
    now: i64,
) -> Result<Vec<(Entry, f64)>, MemoryError> {
    let sql_err = MemoryError::sql("retrieve");
    conn.prepare_cached(
        // An auxiliary function cannot be an aggregate's argument, so it runs in a subquery
        // (LIMIT -1 keeps SQLite from flattening that into the aggregate).
        "SELECT count(c) FROM (SELECT wundr_collect(memory_fts, ?2, ?3) AS c
         FROM memory_fts WHERE memory_fts MATCH ?1 LIMIT -1)",
    )
    .and_then(|mut s| s.query_row(params![expression, now, tier_argument(tier)], |_| Ok(())))
    .map_err(&sql_err)?;
    let mut entry = conn
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM memory_entries e WHERE e.seq = ?1"
        ))
        .map_err(&sql_err)?;
    let mut hits = Vec::with_capacity(limit);
    for ranked in ranker.top(limit) {
        let found = entry
            .query_row([ranked.seq], entry_from_row)
            .optional()
            .map_err(&sql_err)?;
        // The tier check matters only for an entry added since the ranker's facts were
        // refreshed (its tier was not known), and a row may have been deleted meanwhile.
        if let Some(found) = found.filter(|e| tier.is_none_or(|t| e.tier == t)) {
            hits.push((found, ranked.score));
        }
    }
    Ok(hits)
}

/// The newest `candidates` matches of `expression` in `tier` at or above the floor, with
/// `relevance × recency`.
fn newest_matches(
    conn: &Connection,
    expression: &str,
    tier: Option<Tier>,
    candidates: i64,
    now: i64,
) -> Result<Vec<(Entry, f64)>, MemoryError> {
    // Here a join on the tier is cheap (the LIMIT stops the walk after `candidates` rows of
    // the tier) and keeps other tiers from using up the candidates.
    let sql = format!(
        "SELECT {ENTRY_COLUMNS}, f.score FROM (
            SELECT memory_fts.rowid AS seq, wundr_rank(memory_fts, ?3, ?4) AS score
            FROM memory_fts JOIN memory_entries t ON t.seq = memory_fts.rowid
            WHERE memory_fts MATCH ?1 AND (?5 IS NULL OR t.tier = ?5)
            ORDER BY memory_fts.rowid DESC LIMIT ?2
         ) f JOIN memory_entries e ON e.seq = f.seq
         WHERE f.score >= 0"
    );
    let params = params![
        expression,
        candidates,
        now,
        tier_argument(tier),
        tier.map(Tier::as_str)
    ];
    ranked(conn, &sql, params)
}

fn ranked(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(Entry, f64)>, MemoryError> {
    let sql_err = MemoryError::sql("retrieve");
    let mut statement = conn.prepare_cached(sql).map_err(&sql_err)?;
    let rows = statement
        .query_map(params, |row| {
            Ok((entry_from_row(row)?, row.get::<_, f64>(8)?))
        })
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
        let score = recency(now - entry.timestamp, config.half_life(entry.tier));
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
        // Function words are dropped, operators are plain words.
        assert_eq!(match_expression("a OR b"), Some("\"b\"".to_owned()));
        assert_eq!(match_expression("The of AND"), None);
        assert_eq!(
            match_expression("x AND NOT y"),
            Some("\"x\" OR \"y\"".to_owned())
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
}
