//! The memory additions to the WebSocket API: [`MemoryRequest`] parsed from the payloads of
//! `memory_store`, `memory_query` and `memory_forget` (checked by `memory::requests`, like
//! the gRPC door), and [`answer`], which runs one and builds its reply frame. Upstream has no
//! memory messages; these are additions, so no upstream shape changes.
//!
//! ```text
//! memory_store  {tier, content, type?, metadata?, sessionId?} -> memory_stored  {entry}
//! memory_query  {query, tier?, limit?}                         -> memory_results {query, results: [{entry, score}]}
//! memory_forget {id}                                           -> memory_forgotten {id}
//! ```
//! Entries carry `timestamp` as an ISO-8601 string like every date on this door.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::core::Core;
use crate::core::memory::with_store;
use orchestrator_memory::{Entry, MemoryError, NewEntry, Tier, requests};

/// A parsed memory request.
#[derive(Debug, Clone, PartialEq)]
pub enum MemoryRequest {
    /// `memory_store`
    Store(Tier, NewEntry),
    /// `memory_query`
    Query {
        /// Free text.
        query: String,
        /// `None` = both tiers.
        tier: Option<Tier>,
        /// Results wanted.
        limit: usize,
    },
    /// `memory_forget`
    Forget(String),
}

fn text<'a>(
    payload: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, MemoryError> {
    // `field` is how errors name it; the payload key is its last part.
    let key = field.trim_start_matches("payload.");
    match payload.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(MemoryError::Invalid {
            field,
            reason: "must be a string".to_owned(),
        }),
    }
}

/// Which memory message a payload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryMessage {
    /// `memory_store`
    Store,
    /// `memory_query`
    Query,
    /// `memory_forget`
    Forget,
}

/// Parses the payload of a memory message of type `kind`.
pub fn parse(
    kind: MemoryMessage,
    payload: &Map<String, Value>,
) -> Result<MemoryRequest, MemoryError> {
    match kind {
        MemoryMessage::Store => {
            let tier = requests::parse_add_tier(text(payload, "payload.tier")?.unwrap_or(""))?;
            let content = text(payload, "payload.content")?.unwrap_or("").to_owned();
            let metadata =
                requests::metadata_object(payload.get("metadata").cloned().unwrap_or(Value::Null))?;
            let entry = requests::new_entry(
                tier,
                content,
                text(payload, "payload.type")?.unwrap_or(""),
                metadata,
                text(payload, "payload.sessionId")?.map(str::to_owned),
            )?;
            Ok(MemoryRequest::Store(tier, entry))
        }
        MemoryMessage::Query => {
            let query = text(payload, "payload.query")?.unwrap_or("").to_owned();
            requests::check_query(&query)?;
            let tier = requests::parse_tier(text(payload, "payload.tier")?.unwrap_or(""))?;
            let limit = match payload.get("limit") {
                None | Some(Value::Null) => requests::DEFAULT_LIMIT,
                Some(value) => {
                    requests::parse_limit(value.as_u64().ok_or(MemoryError::Invalid {
                        field: "payload.limit",
                        reason: "must be a whole number".to_owned(),
                    })?)?
                }
            };
            Ok(MemoryRequest::Query { query, tier, limit })
        }
        MemoryMessage::Forget => match text(payload, "payload.id")? {
            Some(id) if !id.trim().is_empty() => Ok(MemoryRequest::Forget(id.to_owned())),
            _ => Err(MemoryError::Invalid {
                field: "payload.id",
                reason: "must be a memory id".to_owned(),
            }),
        },
    }
}

/// An entry as this door shows it.
pub fn entry_json(entry: &Entry) -> Value {
    let at = UNIX_EPOCH + Duration::from_millis(u64::try_from(entry.timestamp).unwrap_or(0));
    json!({
        "id": entry.id,
        "tier": entry.tier,
        "type": entry.entry_type,
        "content": entry.content,
        "timestamp": super::wire::iso(at),
        "metadata": entry.metadata,
        "sessionId": entry.session_id,
    })
}

/// Runs `request` and returns its reply frame.
pub async fn answer(core: &Arc<Core>, request: MemoryRequest) -> Result<Value, MemoryError> {
    match request {
        MemoryRequest::Store(tier, entry) => {
            let entry = with_store(core, move |store| store.add(tier, entry)).await?;
            Ok(json!({"type": "memory_stored", "entry": entry_json(&entry)}))
        }
        MemoryRequest::Query { query, tier, limit } => {
            let asked = query.clone();
            let hits = with_store(core, move |store| store.retrieve(&asked, tier, limit)).await?;
            let results: Vec<Value> = hits
                .iter()
                .map(|hit| json!({"entry": entry_json(&hit.entry), "score": hit.score}))
                .collect();
            Ok(json!({"type": "memory_results", "query": query, "results": results}))
        }
        MemoryRequest::Forget(id) => {
            let asked = id.clone();
            if with_store(core, move |store| store.forget(&asked)).await? {
                Ok(json!({"type": "memory_forgotten", "id": id}))
            } else {
                Err(MemoryError::NotFound { id })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn payloads_are_checked_by_field() {
        let err = |kind: MemoryMessage, p: Value| parse(kind, &payload(p)).unwrap_err().to_string();
        assert_eq!(
            err(MemoryMessage::Store, json!({"content": "x"})),
            "invalid tier: is required: episodic or semantic"
        );
        assert!(
            err(
                MemoryMessage::Store,
                json!({"tier": "episodic", "content": 5})
            )
            .contains("payload.content")
        );
        assert!(
            err(MemoryMessage::Store, json!({"tier": "x", "content": "c"}))
                .contains("unknown memory tier")
        );
        assert!(
            err(
                MemoryMessage::Store,
                json!({"tier": "semantic", "content": "c", "metadata": [1]})
            )
            .contains("metadata")
        );
        assert!(
            err(MemoryMessage::Query, json!({"query": "q", "limit": -1})).contains("payload.limit")
        );
        assert!(err(MemoryMessage::Forget, json!({})).contains("payload.id"));
        let query = parse(MemoryMessage::Query, &payload(json!({"query": "\"a OR *"}))).unwrap();
        assert_eq!(
            query,
            MemoryRequest::Query {
                query: "\"a OR *".into(),
                tier: None,
                limit: requests::DEFAULT_LIMIT
            }
        );
    }
}
