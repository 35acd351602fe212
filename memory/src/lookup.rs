//! [`MemoryStore::forget_named`]: the CLI's `memory forget` takes an entry's id or a unique
//! prefix of it (the `mem_` part optional), as git and docker take ids.

use rusqlite::params;

use super::{MemoryError, MemoryStore};

/// What every memory entry id starts with.
const ENTRY_ID_PREFIX: &str = "mem_";
/// How many of the entries an ambiguous prefix names the error lists.
const AMBIGUOUS_SHOWN: usize = 5;

impl MemoryStore {
    /// The id of the one entry `given` names: its id, or a prefix no other entry shares.
    pub fn resolve_id(&self, given: &str) -> Result<String, MemoryError> {
        let prefix = if given.starts_with(ENTRY_ID_PREFIX) || given.is_empty() {
            given.to_owned()
        } else {
            format!("{ENTRY_ID_PREFIX}{given}")
        };
        // Every id that starts with `prefix` sorts below it followed by the last code point.
        let upper = format!("{prefix}\u{10FFFF}");
        let limit = i64::try_from(AMBIGUOUS_SHOWN + 1).unwrap_or(i64::MAX);
        let mut named: Vec<String> = self.read(|conn, _| {
            if conn
                .query_row(
                    "SELECT 1 FROM memory_entries WHERE id = ?1",
                    [given],
                    |_| Ok(()),
                )
                .is_ok()
            {
                return Ok(vec![given.to_owned()]);
            }
            let mut statement = conn
                .prepare_cached(
                    "SELECT id FROM memory_entries WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
                )
                .map_err(MemoryError::sql("resolve"))?;
            let ids = statement
                .query_map(params![prefix, upper, limit], |row| row.get(0))
                .map_err(MemoryError::sql("resolve"))?;
            ids.collect::<Result<_, _>>()
                .map_err(MemoryError::sql("resolve"))
        })?;
        match named.len() {
            _ if given.is_empty() => Err(MemoryError::NotFound { id: String::new() }),
            0 => Err(MemoryError::NotFound {
                id: given.to_owned(),
            }),
            1 => Ok(named.remove(0)),
            _ => Err(MemoryError::Ambiguous {
                given: given.to_owned(),
                more: named.len() > AMBIGUOUS_SHOWN,
                candidates: named.into_iter().take(AMBIGUOUS_SHOWN).collect(),
            }),
        }
    }

    /// Deletes the entry `given` names (see [`Self::resolve_id`]); its whole id.
    pub fn forget_named(&self, given: &str) -> Result<String, MemoryError> {
        let id = self.resolve_id(given)?;
        if self.forget(&id)? {
            Ok(id)
        } else {
            Err(MemoryError::NotFound { id })
        }
    }
}
