//! [`MemoryEntryJson`] (`memory search|list --json`, with `score` for search hits) and
//! [`MemoryStatsJson`] (`memory stats --json`). Schemas: `docs/json/memory-list.schema.json`,
//! `docs/json/memory-stats.schema.json`.

use orchestrator_api::v1::{MemoryEntry, MemoryStatsResponse};
use serde::Serialize;
use serde_json::Value;

use super::{parsed, text, time};

/// One memory entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryEntryJson {
    id: String,
    /// `episodic` or `semantic`.
    tier: String,
    #[serde(rename = "type")]
    entry_type: String,
    content: String,
    /// Last added or merged.
    timestamp: Option<String>,
    metadata: Value,
    session_id: Option<String>,
    /// The relevance of a search hit; null in `memory list`.
    score: Option<f64>,
}

impl MemoryEntryJson {
    /// The entry, with the score a search gave it.
    pub fn new(entry: &MemoryEntry, score: Option<f64>) -> Self {
        Self {
            id: entry.id.clone(),
            tier: entry.tier.clone(),
            entry_type: entry.r#type.clone(),
            content: entry.content.clone(),
            timestamp: time(entry.timestamp_ms),
            metadata: parsed(&entry.metadata_json),
            session_id: text(&entry.session_id),
            score,
        }
    }
}

/// Entries per tier, scratchpad keys and bytes stored.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStatsJson {
    episodic: u64,
    semantic: u64,
    scratchpad_keys: u64,
    bytes: u64,
}

impl From<&MemoryStatsResponse> for MemoryStatsJson {
    fn from(s: &MemoryStatsResponse) -> Self {
        Self {
            episodic: s.episodic,
            semantic: s.semantic,
            scratchpad_keys: s.scratchpad_keys,
            bytes: s.bytes,
        }
    }
}
