//! Checking what the doors (gRPC, WebSocket) receive, once for both: [`parse_tier`],
//! [`parse_type`], [`parse_limit`], [`check_query`], [`parse_metadata`] and
//! [`new_entry`]. Every refusal is a [`MemoryError`] naming the field, and nothing is
//! written before all of a request is checked.

use serde_json::{Map, Value};

use super::{EntryType, MemoryError, NewEntry, Tier};

/// Results returned when a request gives no limit.
pub const DEFAULT_LIMIT: usize = 10;
/// The most results one request may ask for.
pub const MAX_LIMIT: usize = 1_000;
/// The longest query accepted, in bytes (only the first 32 words are used anyway).
pub const MAX_QUERY_BYTES: usize = 10_000;
/// The largest metadata object accepted, in bytes of JSON.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// A tier filter: empty means both tiers.
pub fn parse_tier(text: &str) -> Result<Option<Tier>, MemoryError> {
    match text.trim() {
        "" => Ok(None),
        name => name.to_ascii_lowercase().parse().map(Some),
    }
}

/// The tier an entry is added to; required.
pub fn parse_add_tier(text: &str) -> Result<Tier, MemoryError> {
    parse_tier(text)?.ok_or(MemoryError::Invalid {
        field: "tier",
        reason: "is required: episodic or semantic".to_owned(),
    })
}

/// An entry type; empty means `observation` for episodic and `knowledge` for semantic.
pub fn parse_type(text: &str, tier: Tier) -> Result<EntryType, MemoryError> {
    match text.trim() {
        "" => Ok(match tier {
            Tier::Episodic => EntryType::Observation,
            Tier::Semantic => EntryType::Knowledge,
        }),
        name => name.to_ascii_lowercase().parse(),
    }
}

/// A result limit: 0 means [`DEFAULT_LIMIT`]; more than [`MAX_LIMIT`] is refused.
pub fn parse_limit(limit: u64) -> Result<usize, MemoryError> {
    match usize::try_from(limit) {
        Ok(0) => Ok(DEFAULT_LIMIT),
        Ok(n) if n <= MAX_LIMIT => Ok(n),
        _ => Err(MemoryError::Invalid {
            field: "limit",
            reason: format!("{limit} is more than {MAX_LIMIT}"),
        }),
    }
}

/// Refuses an over-long query; any text within the bound is a valid query.
pub fn check_query(query: &str) -> Result<(), MemoryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(MemoryError::Invalid {
            field: "query",
            reason: format!("is {} bytes; the limit is {MAX_QUERY_BYTES}", query.len()),
        });
    }
    Ok(())
}

/// Metadata given as JSON text: empty means none; otherwise a JSON object within
/// [`MAX_METADATA_BYTES`].
pub fn parse_metadata(text: &str) -> Result<Map<String, Value>, MemoryError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| MemoryError::Invalid {
        field: "metadata",
        reason: format!("is not JSON: {e}"),
    })?;
    metadata_object(value)
}

/// Metadata given as a JSON value: null means none; otherwise an object within
/// [`MAX_METADATA_BYTES`].
pub fn metadata_object(value: Value) -> Result<Map<String, Value>, MemoryError> {
    let size = value.to_string().len();
    match value {
        Value::Null => Ok(Map::new()),
        Value::Object(_) if size > MAX_METADATA_BYTES => Err(MemoryError::Invalid {
            field: "metadata",
            reason: format!("is {size} bytes; the limit is {MAX_METADATA_BYTES}"),
        }),
        Value::Object(map) => Ok(map),
        _ => Err(MemoryError::Invalid {
            field: "metadata",
            reason: "must be a JSON object".to_owned(),
        }),
    }
}

/// A checked new entry from a door's fields (content is checked by the store).
pub fn new_entry(
    tier: Tier,
    content: String,
    entry_type: &str,
    metadata: Map<String, Value>,
    session_id: Option<String>,
) -> Result<NewEntry, MemoryError> {
    let mut entry = NewEntry::new(content, parse_type(entry_type, tier)?).with_metadata(metadata);
    if let Some(session) = session_id.filter(|s| !s.trim().is_empty()) {
        entry = entry.with_session(session);
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_with_clear_errors() {
        assert_eq!(parse_tier("").unwrap(), None);
        assert_eq!(parse_tier(" Semantic ").unwrap(), Some(Tier::Semantic));
        assert!(matches!(
            parse_tier("scratchpad"),
            Err(MemoryError::UnknownTier(_))
        ));
        assert!(parse_add_tier("").is_err());
        assert_eq!(
            parse_type("", Tier::Semantic).unwrap(),
            EntryType::Knowledge
        );
        assert!(matches!(
            parse_type("rumour", Tier::Episodic),
            Err(MemoryError::UnknownType(_))
        ));
        assert_eq!(parse_limit(0).unwrap(), DEFAULT_LIMIT);
        assert_eq!(parse_limit(5).unwrap(), 5);
        assert!(parse_limit(1_001).is_err());
        assert!(check_query(&"x".repeat(MAX_QUERY_BYTES + 1)).is_err());
        assert!(check_query("\"unbalanced * OR -x").is_ok());
        assert!(parse_metadata("[1]").is_err());
        assert!(parse_metadata("{").is_err());
        assert_eq!(parse_metadata(r#"{"a":1}"#).unwrap().len(), 1);
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_METADATA_BYTES));
        assert!(parse_metadata(&big).is_err());
    }
}
