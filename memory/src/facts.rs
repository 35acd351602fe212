//! [`EntryFacts`]: what ranking needs to know of every memory entry besides its words (its
//! time, tier and length in tokens), held in memory by `seq` so that scoring a match
//! (`rank`) never looks a row up.
//!
//! Why a copy: FTS5's `bm25()` looks each matching row's length up in `memory_fts_docsize`
//! (a b-tree seek through a prepared statement, about 1 µs), and recency needs the row's
//! timestamp from `memory_entries` (another seek). A query at 1M entries matches 5–40k rows,
//! so those seeks were most of its time. Eight bytes an entry (8 MB at 1M) buy them back,
//! packed in one word so that scoring a row costs at most one cache miss.
//!
//! SQLite stays the truth. The writer thread loads every entry when it starts (searches wait
//! for that, [`SharedFacts::wait_loaded`]; opening the store does not: 1M entries take about
//! half a second), then re-reads the rows it inserted or merged once their transaction has
//! committed (`writer::run_batch`). A row not
//! known here (only between a commit and that re-read) is scored with FTS5's own length for
//! it and counted as brand new. Deleted rows need nothing: FTS5 no longer returns them.

use parking_lot::{Condvar, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rusqlite::{Connection, params};

use super::types::Tier;

/// Longest length recorded; longer entries are scored as this long (BM25 barely changes).
const MAX_TOKENS: u32 = u16::MAX as u32;
/// Timestamps are kept in 46 bits: milliseconds from 1970 to the year 4199. One outside is
/// clamped, which only changes its recency.
const MAX_TIMESTAMP: i64 = (1 << 46) - 1;
/// A `seq` further than this past the known ones is not recorded: growing the table to
/// reach it would cost memory for rows that do not exist (seqs are dense in practice).
const MAX_GAP: usize = 1 << 20;

/// Longest a search waits for the first load (1M entries load in about half a second).
const LOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// [`EntryFacts`] shared by the writer, which loads and refreshes them, and the readers.
#[derive(Debug, Default)]
pub(crate) struct SharedFacts {
    facts: RwLock<EntryFacts>,
    loaded: Mutex<bool>,
    loaded_signal: Condvar,
}

impl SharedFacts {
    /// Facts that are already complete (tests).
    #[cfg(test)]
    pub fn loaded(facts: EntryFacts) -> Self {
        Self {
            facts: RwLock::new(facts),
            loaded: Mutex::new(true),
            loaded_signal: Condvar::new(),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, EntryFacts> {
        self.facts.read()
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, EntryFacts> {
        self.facts.write()
    }

    /// Installs the first load and wakes the searches waiting for it.
    pub fn finish_loading(&self, facts: EntryFacts) {
        *self.write() = facts;
        *self.loaded.lock() = true;
        self.loaded_signal.notify_all();
    }

    /// Blocks until the first load is in, or [`LOAD_WAIT`] has passed (should the writer
    /// thread have died, searches go on with what facts there are rather than hang).
    pub fn wait_loaded(&self) {
        let mut loaded = self.loaded.lock();
        self.loaded_signal
            .wait_while_for(&mut loaded, |loaded| !*loaded, LOAD_WAIT);
    }
}

/// A tier as a small number, as the facts pack it and `wundr_rank` / `wundr_collect` take
/// it: 1 episodic, 2 semantic (0, which no tier has, means "no entry" there and "any tier"
/// here).
pub(crate) fn tier_code(tier: Tier) -> u8 {
    match tier {
        Tier::Episodic => 1,
        Tier::Semantic => 2,
    }
}

/// Ranking facts of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryFact {
    pub timestamp: i64,
    pub tokens: u32,
    pub tier: Tier,
}

/// Every entry's [`EntryFact`], indexed by `seq - 1`.
#[derive(Debug, Default)]
pub(crate) struct EntryFacts {
    /// `timestamp << 18 | tokens << 2 | tier code` (0 = no entry, 1 episodic, 2 semantic).
    packed: Vec<u64>,
}

impl EntryFacts {
    /// The facts of the entry with this `seq`, if known.
    pub fn get(&self, seq: i64) -> Option<EntryFact> {
        let index = usize::try_from(seq.checked_sub(1)?).ok()?;
        let packed = *self.packed.get(index)?;
        let tier = match packed & 3 {
            1 => Tier::Episodic,
            2 => Tier::Semantic,
            _ => return None,
        };
        Some(EntryFact {
            timestamp: (packed >> 18) as i64,
            tokens: (packed >> 2 & 0xffff) as u32,
            tier,
        })
    }

    /// One past the highest seq this table has room for: rows from here on are not known.
    pub fn end_seq(&self) -> i64 {
        i64::try_from(self.packed.len()).map_or(i64::MAX, |n| n + 1)
    }

    fn set(&mut self, seq: i64, fact: EntryFact) {
        let Some(index) = seq.checked_sub(1).and_then(|i| usize::try_from(i).ok()) else {
            return;
        };
        if index >= self.packed.len() {
            if index - self.packed.len() > MAX_GAP {
                return;
            }
            self.packed.resize(index + 1, 0);
        }
        let code = u64::from(tier_code(fact.tier));
        let timestamp = fact.timestamp.clamp(0, MAX_TIMESTAMP) as u64;
        self.packed[index] = timestamp << 18 | u64::from(fact.tokens.min(MAX_TOKENS)) << 2 | code;
    }

    /// Every entry in the database.
    pub fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let mut facts = Self::default();
        scan_since(conn, 1, |seq, fact| facts.set(seq, fact))?;
        Ok(facts)
    }

    /// Records `facts` (read with [`read_since`] / [`read_seqs`]).
    pub fn apply(&mut self, facts: Vec<(i64, EntryFact)>) {
        for (seq, fact) in facts {
            self.set(seq, fact);
        }
    }
}

/// The facts of the entries with `seq >= from`, read outside any lock on [`EntryFacts`].
pub(crate) fn read_since(conn: &Connection, from: i64) -> rusqlite::Result<Vec<(i64, EntryFact)>> {
    let mut facts = Vec::new();
    scan_since(conn, from, |seq, fact| facts.push((seq, fact)))?;
    Ok(facts)
}

/// Hands `found` the facts of every entry with `seq >= from`, in seq order.
///
/// Two range scans merged by seq rather than a join that seeks the docsize row of every
/// entry: the writer runs this after every batch it commits (and once over the whole store
/// at start-up, where both ways cost the same).
fn scan_since(
    conn: &Connection,
    from: i64,
    mut found: impl FnMut(i64, EntryFact),
) -> rusqlite::Result<()> {
    let mut sizes =
        conn.prepare_cached("SELECT id, sz FROM memory_fts_docsize WHERE id >= ?1 ORDER BY id")?;
    let mut sizes = sizes.query([from])?;
    let mut entries = conn.prepare_cached(
        "SELECT seq, timestamp, tier FROM memory_entries WHERE seq >= ?1 ORDER BY seq",
    )?;
    let mut entries = entries.query([from])?;
    let mut size: Option<(i64, Vec<u8>)> = None;
    while let Some(entry) = entries.next()? {
        let seq: i64 = entry.get(0)?;
        while size.as_ref().is_none_or(|(id, _)| *id < seq) {
            match sizes.next()? {
                Some(row) => size = Some((row.get(0)?, row.get(1)?)),
                None => return Ok(()),
            }
        }
        if let Some((id, sz)) = &size
            && *id == seq
            && let Some(fact) = fact(entry.get(1)?, &entry.get::<_, String>(2)?, sz)
        {
            found(seq, fact);
        }
    }
    Ok(())
}

/// The facts of the entries with these `seq`s (merged rows, whose time changed).
pub(crate) fn read_seqs(
    conn: &Connection,
    seqs: &[i64],
) -> rusqlite::Result<Vec<(i64, EntryFact)>> {
    let mut statement = conn.prepare_cached(
        "SELECT e.timestamp, e.tier, d.sz
         FROM memory_entries e JOIN memory_fts_docsize d ON d.id = e.seq WHERE e.seq = ?1",
    )?;
    let mut facts = Vec::new();
    for seq in seqs {
        let mut rows = statement.query(params![seq])?;
        if let Some(row) = rows.next()?
            && let Some(fact) = fact(
                row.get(0)?,
                &row.get::<_, String>(1)?,
                &row.get::<_, Vec<u8>>(2)?,
            )
        {
            facts.push((*seq, fact));
        }
    }
    Ok(facts)
}

/// An entry's facts from its stored columns; `None` for a tier this build does not know.
fn fact(timestamp: i64, tier: &str, size: &[u8]) -> Option<EntryFact> {
    Some(EntryFact {
        timestamp,
        tokens: first_varint(size).map_or(0, |n| u32::try_from(n).unwrap_or(MAX_TOKENS)),
        tier: tier.parse().ok()?,
    })
}

/// The first SQLite varint of `bytes`: FTS5 stores a row's token count per column in
/// `memory_fts_docsize.sz` as consecutive varints, and `memory_fts` has one column.
/// Big-endian groups of 7 bits with the high bit set on all but the last, except that a
/// 9th byte contributes all 8 bits.
fn first_varint(bytes: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for (i, byte) in bytes.iter().take(9).enumerate() {
        if i == 8 {
            return Some(value << 8 | u64::from(*byte));
        }
        value = value << 7 | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_decode_as_sqlite_writes_them() {
        assert_eq!(first_varint(&[0x05]), Some(5));
        assert_eq!(first_varint(&[0x7f, 0x01]), Some(127));
        assert_eq!(first_varint(&[0x81, 0x00]), Some(128));
        assert_eq!(
            first_varint(&[0x82, 0x81, 0x03]),
            Some((2 << 14) | (1 << 7) | 3)
        );
        assert_eq!(first_varint(&[0xff; 9]), Some(u64::MAX));
        assert_eq!(first_varint(&[]), None);
        assert_eq!(first_varint(&[0x80]), None);
    }

    #[test]
    fn facts_are_kept_by_seq_and_unknown_seqs_are_none() {
        let mut facts = EntryFacts::default();
        let fact = EntryFact {
            timestamp: 42,
            tokens: 7,
            tier: Tier::Semantic,
        };
        facts.set(3, fact);
        assert_eq!(facts.get(3), Some(fact));
        assert_eq!(facts.get(1), None);
        assert_eq!(facts.get(0), None);
        assert_eq!(facts.get(-1), None);
        assert_eq!(facts.get(4), None);
        // A seq far past the known ones is not worth megabytes of empty slots.
        facts.set(3 + MAX_GAP as i64 + 10, fact);
        assert_eq!(facts.get(3 + MAX_GAP as i64 + 10), None);
        facts.set(
            5,
            EntryFact {
                tokens: u32::MAX,
                ..fact
            },
        );
        assert_eq!(facts.get(5).map(|f| f.tokens), Some(MAX_TOKENS));
        let far_future = EntryFact {
            timestamp: i64::MAX,
            ..fact
        };
        facts.set(6, far_future);
        assert_eq!(facts.get(6).map(|f| f.timestamp), Some(MAX_TIMESTAMP));
        let real = EntryFact {
            timestamp: 1_790_899_200_123,
            tokens: 65_535,
            tier: Tier::Episodic,
        };
        facts.set(7, real);
        assert_eq!(facts.get(7), Some(real));
    }
}
