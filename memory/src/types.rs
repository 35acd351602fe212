//! Value types of the memory module: [`Tier`], [`EntryType`], [`NewEntry`], [`Entry`],
//! [`Scored`], [`MemoryContext`], [`MemoryStats`], [`MemoryConfig`], [`JanitorReport`] and the
//! injectable [`Clock`] ([`SystemClock`] in the daemon, [`ManualClock`] in tests).

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::MemoryError;

/// A searchable memory tier. The scratchpad is deliberately not a tier: it is per-session
/// key/value state, never searched (upstream searched semantic memory when asked for
/// "scratchpad"; we refuse the name instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Recent interactions; expire after `episodic_ttl`, compacted past `episodic_budget`.
    Episodic,
    /// Long-term knowledge; never expires.
    Semantic,
}

impl Tier {
    /// The name stored in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Episodic => "episodic",
            Self::Semantic => "semantic",
        }
    }
}

impl FromStr for Tier {
    type Err = MemoryError;
    fn from_str(s: &str) -> Result<Self, MemoryError> {
        match s {
            "episodic" => Ok(Self::Episodic),
            "semantic" => Ok(Self::Semantic),
            other => Err(MemoryError::UnknownTier(other.to_owned())),
        }
    }
}

/// What kind of thing an entry records (upstream's four types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    /// A user/agent exchange.
    Interaction,
    /// Something noticed.
    Observation,
    /// A choice made and why.
    Decision,
    /// A fact or pattern worth keeping.
    Knowledge,
}

impl EntryType {
    /// The name stored in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interaction => "interaction",
            Self::Observation => "observation",
            Self::Decision => "decision",
            Self::Knowledge => "knowledge",
        }
    }
}

impl FromStr for EntryType {
    type Err = MemoryError;
    fn from_str(s: &str) -> Result<Self, MemoryError> {
        match s {
            "interaction" => Ok(Self::Interaction),
            "observation" => Ok(Self::Observation),
            "decision" => Ok(Self::Decision),
            "knowledge" => Ok(Self::Knowledge),
            other => Err(MemoryError::UnknownType(other.to_owned())),
        }
    }
}

/// An entry to add (upstream's `Omit<MemoryEntry, 'id'>`).
#[derive(Clone, Debug, PartialEq)]
pub struct NewEntry {
    /// The text; must be non-empty and at most `max_content_bytes`.
    pub content: String,
    /// Its kind.
    pub entry_type: EntryType,
    /// Free-form JSON object kept with the entry.
    pub metadata: Map<String, Value>,
    /// The session it came from, if any (compaction groups by it).
    pub session_id: Option<String>,
    /// Milliseconds since the epoch; `None` = the store's clock now.
    pub timestamp: Option<i64>,
}

impl NewEntry {
    /// An entry with no metadata, no session, stamped now.
    pub fn new(content: impl Into<String>, entry_type: EntryType) -> Self {
        Self {
            content: content.into(),
            entry_type,
            metadata: Map::new(),
            session_id: None,
            timestamp: None,
        }
    }

    /// Sets the metadata object.
    #[must_use]
    pub fn with_metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = metadata;
        self
    }

    /// Sets the originating session.
    #[must_use]
    pub fn with_session(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// Sets an explicit timestamp (ms since the epoch).
    #[must_use]
    pub fn at(mut self, timestamp_ms: i64) -> Self {
        self.timestamp = Some(timestamp_ms);
        self
    }
}

/// A stored entry. Serialises in upstream's camelCase shape plus `tier`, `sessionId`,
/// `contentHash`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `mem_<ms>_<9 base36 chars>`.
    pub id: String,
    /// Which tier holds it.
    pub tier: Tier,
    /// The text.
    pub content: String,
    /// Its kind.
    #[serde(rename = "type")]
    pub entry_type: EntryType,
    /// Last added or merged, ms since the epoch.
    pub timestamp: i64,
    /// Free-form JSON object.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// Originating session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Hex SHA-256 prefix of the content; recomputed on import, never trusted from input.
    #[serde(default)]
    pub content_hash: String,
}

/// A retrieval hit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scored {
    /// The entry.
    pub entry: Entry,
    /// `relevance × recency`, in (0, 1], absolute (comparable across queries); see the
    /// module doc of `memory`. The empty query's hits carry recency alone.
    pub score: f64,
}

/// A session's fresh memory context (upstream's `initializeContext()` shape).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryContext {
    /// Per-session working values.
    pub scratchpad: Map<String, Value>,
    /// Episodic entries attached to the session.
    pub episodic: Vec<Entry>,
    /// Semantic entries attached to the session.
    pub semantic: Vec<Entry>,
}

/// Counts for `stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStats {
    /// Scratchpad keys over all sessions.
    pub scratchpad_keys: u64,
    /// Episodic entries.
    pub episodic: u64,
    /// Semantic entries.
    pub semantic: u64,
    /// Bytes of entry content plus scratchpad values (not the file size: the file is shared
    /// with the sessions table).
    pub bytes: u64,
}

/// What one janitor run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JanitorReport {
    /// Episodic entries deleted for being older than `episodic_ttl`.
    pub expired: u64,
    /// Episodic entries folded into summaries.
    pub compacted: u64,
    /// Semantic summaries written.
    pub summaries: u64,
}

/// Limits and ranking knobs.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryConfig {
    /// Episodic entries older than this are deleted by the janitor.
    pub episodic_ttl: Duration,
    /// Past this many episodic entries the oldest are compacted into semantic summaries.
    pub episodic_budget: usize,
    /// Largest accepted content, in bytes.
    pub max_content_bytes: usize,
    /// Recency half-life of episodic entries.
    pub episodic_half_life: Duration,
    /// Recency half-life of semantic entries.
    pub semantic_half_life: Duration,
    /// Matches whose relevance (in `[0, 1]`, before recency) is below this are never returned
    /// (see the `memory` module doc).
    pub min_relevance: f64,
}

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The default relevance floor: a memory must match more than a third of the query's IDF mass
/// (one word of three is not enough); the lowest floor at which no unrelated query of the
/// labelled set (`memory/tests/fixtures/memory-relevance.json`) finds anything. The daemon's
/// `memory.minRelevance` setting defaults to the same value (`orchestrator_config`).
pub const DEFAULT_MIN_RELEVANCE: f64 = 0.35;

impl MemoryConfig {
    /// The recency half-life of entries in `tier`.
    pub fn half_life(&self, tier: Tier) -> Duration {
        match tier {
            Tier::Episodic => self.episodic_half_life,
            Tier::Semantic => self.semantic_half_life,
        }
    }
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self {
            episodic_ttl: DAY * 7,
            episodic_budget: 10_000,
            max_content_bytes: 64 * 1024,
            episodic_half_life: DAY * 3,
            semantic_half_life: DAY * 30,
            min_relevance: DEFAULT_MIN_RELEVANCE,
        }
    }
}

/// Where "now" comes from, so tests can expire entries without waiting.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock reading `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self(AtomicI64::new(now_ms))
    }
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    /// Sets the clock.
    pub fn set(&self, now_ms: i64) {
        self.0.store(now_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
