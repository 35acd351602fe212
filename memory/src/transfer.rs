//! Whole-store views: [`stats`], the scratchpad of a session, and JSON [`export`] /
//! import ([`parse`] on the caller's thread, [`apply`] on the writer) in one document shape:
//!
//! ```json
//! {"version": 1, "exportedAt": 1700000000000,
//!  "scratchpad": {"<sessionId>": {"<key>": <value>}},
//!  "episodic": [Entry...], "semantic": [Entry...]}
//! ```

use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::error::MemoryError;
use super::rows::{WriterState, insert_all};
use super::schema::{ENTRY_COLUMNS, entry_from_row};
use super::types::{Entry, EntryType, MemoryStats, Tier};

/// The export format version.
const FORMAT_VERSION: u64 = 1;

/// Scratchpad keys of one session.
pub(crate) fn scratchpad_of(
    conn: &Connection,
    session_id: &str,
) -> Result<Map<String, Value>, MemoryError> {
    let sql = MemoryError::sql("read scratchpad");
    let mut statement = conn
        .prepare_cached("SELECT key, value FROM memory_scratchpad WHERE session_id = ?1")
        .map_err(&sql)?;
    let rows = statement
        .query_map([session_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(&sql)?;
    let mut map = Map::new();
    for row in rows {
        let (key, text) = row.map_err(&sql)?;
        map.insert(key, decode_value(&text)?);
    }
    Ok(map)
}

fn decode_value(text: &str) -> Result<Value, MemoryError> {
    serde_json::from_str(text).map_err(|source| MemoryError::Json {
        what: "stored scratchpad value",
        source,
    })
}

/// Counts per tier and content bytes.
pub(crate) fn stats(conn: &Connection) -> Result<MemoryStats, MemoryError> {
    let sql = MemoryError::sql("stats");
    let (episodic, semantic, entry_bytes): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*) FILTER (WHERE tier = 'episodic'),
                    count(*) FILTER (WHERE tier = 'semantic'),
                    coalesce(sum(length(CAST(content AS BLOB))), 0)
             FROM memory_entries",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(&sql)?;
    let (keys, pad_bytes): (i64, i64) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(length(CAST(value AS BLOB))), 0) FROM memory_scratchpad",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(&sql)?;
    let unsigned = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(MemoryStats {
        scratchpad_keys: unsigned(keys),
        episodic: unsigned(episodic),
        semantic: unsigned(semantic),
        bytes: unsigned(entry_bytes + pad_bytes),
    })
}

/// The whole store as one JSON document.
pub(crate) fn export(conn: &Connection, now: i64) -> Result<Value, MemoryError> {
    let sql = MemoryError::sql("export");
    let mut scratchpad = Map::new();
    {
        let mut statement = conn
            .prepare(
                "SELECT session_id, key, value FROM memory_scratchpad ORDER BY session_id, key",
            )
            .map_err(&sql)?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(&sql)?;
        for row in rows {
            let (session, key, text) = row.map_err(&sql)?;
            if let Value::Object(keys) = scratchpad.entry(session).or_insert_with(|| json!({})) {
                keys.insert(key, decode_value(&text)?);
            }
        }
    }
    let mut tiers = Map::new();
    for tier in [Tier::Episodic, Tier::Semantic] {
        let mut statement = conn
            .prepare(&format!(
                "SELECT {ENTRY_COLUMNS} FROM memory_entries e WHERE e.tier = ?1 ORDER BY e.timestamp, e.seq"
            ))
            .map_err(&sql)?;
        let entries = statement
            .query_map([tier.as_str()], entry_from_row)
            .map_err(&sql)?
            .collect::<Result<Vec<Entry>, _>>()
            .map_err(&sql)?;
        let entries = serde_json::to_value(entries).map_err(|source| MemoryError::Json {
            what: "exported entries",
            source,
        })?;
        tiers.insert(tier.as_str().to_owned(), entries);
    }
    Ok(json!({
        "version": FORMAT_VERSION,
        "exportedAt": now,
        "scratchpad": scratchpad,
        "episodic": tiers.remove("episodic"),
        "semantic": tiers.remove("semantic"),
    }))
}

/// An imported entry: lenient about what `add` would fill in itself.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportedEntry {
    id: Option<String>,
    content: String,
    #[serde(rename = "type")]
    entry_type: EntryType,
    timestamp: Option<i64>,
    #[serde(default)]
    metadata: Map<String, Value>,
    session_id: Option<String>,
}

/// A validated import, ready for the writer.
pub(crate) struct Import {
    entries: Vec<Entry>,
    scratchpad: Vec<(String, String, String)>,
    now: i64,
}

/// Checks the whole document before anything is written (the import is all or nothing).
pub(crate) fn parse(document: &Value, max_bytes: usize, now: i64) -> Result<Import, MemoryError> {
    let invalid = |why: String| MemoryError::InvalidImport(why);
    let root = document
        .as_object()
        .ok_or_else(|| invalid("the document is not a JSON object".into()))?;
    if let Some(version) = root
        .get("version")
        .and_then(Value::as_u64)
        .filter(|v| *v > FORMAT_VERSION)
    {
        return Err(invalid(format!(
            "format version {version} is newer than {FORMAT_VERSION}"
        )));
    }
    let mut entries = Vec::new();
    for tier in [Tier::Episodic, Tier::Semantic] {
        let Some(list) = root.get(tier.as_str()) else {
            continue;
        };
        let list: Vec<ImportedEntry> = serde_json::from_value(list.clone())
            .map_err(|e| invalid(format!("{} entries: {e}", tier.as_str())))?;
        for item in list {
            super::validate_content(&item.content, max_bytes)?;
            entries.push(Entry {
                id: item
                    .id
                    .filter(|id| id.starts_with("mem_"))
                    .unwrap_or_else(|| super::new_id(now)),
                tier,
                content_hash: super::content_hash(&item.content),
                content: item.content,
                entry_type: item.entry_type,
                timestamp: item.timestamp.unwrap_or(now),
                metadata: item.metadata,
                session_id: item.session_id,
            });
        }
    }
    let mut scratchpad = Vec::new();
    if let Some(sessions) = root.get("scratchpad") {
        let sessions = sessions
            .as_object()
            .ok_or_else(|| invalid("scratchpad is not an object of sessions".into()))?;
        for (session, keys) in sessions {
            let keys = keys.as_object().ok_or_else(|| {
                invalid(format!("scratchpad of session {session} is not an object"))
            })?;
            for (key, value) in keys {
                scratchpad.push((session.clone(), key.clone(), value.to_string()));
            }
        }
    }
    Ok(Import {
        entries,
        scratchpad,
        now,
    })
}

/// Writes a parsed import; runs on the writer thread.
pub(crate) fn apply(
    conn: &Connection,
    state: &mut WriterState,
    import: Import,
) -> Result<usize, MemoryError> {
    let sql = MemoryError::sql("import");
    let count = import.entries.len() + import.scratchpad.len();
    // An id already used by different content (in the store, or earlier in this import)
    // gets a fresh one rather than failing the import.
    let mut ids = std::collections::HashMap::new();
    let mut entries = Vec::with_capacity(import.entries.len());
    for mut entry in import.entries {
        let taken: Option<String> = match ids.get(&entry.id) {
            Some(hash) => Some(String::clone(hash)),
            None => conn
                .query_row(
                    "SELECT hash FROM memory_entries WHERE id = ?1",
                    [&entry.id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&sql)?,
        };
        if taken.is_some_and(|hash| hash != entry.content_hash) {
            entry.id = super::new_id(import.now);
        }
        ids.insert(entry.id.clone(), entry.content_hash.clone());
        entries.push(entry);
    }
    insert_all(conn, state, entries)?;
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO memory_scratchpad (session_id, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (session_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .map_err(&sql)?;
    for (session, key, value) in import.scratchpad {
        upsert
            .execute(params![session, key, value, import.now])
            .map_err(&sql)?;
    }
    Ok(count)
}
