//! [`MemoryError`]: everything the memory module can refuse or fail at, one variant per cause,
//! each message about this layer only with the cause in `#[source]`.

use std::path::PathBuf;
use std::sync::Arc;

/// Why a memory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    /// The file exists but is not a SQLite database, or SQLite found it damaged.
    #[error("the memory database {} is corrupt or not a SQLite database", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// Another process holds a lock on the database longer than the busy timeout.
    #[error("the memory database {} is locked by another process", path.display())]
    Locked {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// Opening or migrating the database failed for another reason.
    #[error("cannot open the memory database {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The memory tables were written by a newer daemon.
    #[error("the memory tables have schema version {found}; this daemon knows up to {known}")]
    TooNew {
        /// Version found in `memory_schema`.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A query or write failed.
    #[error("memory {operation} failed")]
    Sqlite {
        /// What we were doing.
        operation: &'static str,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The transaction holding this write could not be committed (shared by a whole batch,
    /// hence the `Arc`).
    #[error("memory write could not be committed")]
    Commit {
        /// What SQLite said.
        #[source]
        source: Arc<rusqlite::Error>,
    },
    /// A read or write failed because of the database file or its disk (full, read-only,
    /// corrupt, locked): memory is `degraded` until one succeeds again.
    #[error("memory {operation} failed on the database {}: {fault}", path.display())]
    Storage {
        /// `reads` or `writes`.
        operation: &'static str,
        /// The database file.
        path: PathBuf,
        /// What kind of problem it is.
        fault: orchestrator_sqlite::StorageFault,
        /// The error met.
        #[source]
        source: Box<MemoryError>,
    },
    /// Content was empty or only whitespace.
    #[error("memory content is empty")]
    EmptyContent,
    /// Content is over `MemoryConfig::max_content_bytes`.
    #[error("memory content is {size} bytes; the limit is {limit} bytes")]
    ContentTooLarge {
        /// Bytes given.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A tier name that is not `episodic` or `semantic`.
    #[error(
        "unknown memory tier {0:?} (expected \"episodic\" or \"semantic\"; the scratchpad is separate)"
    )]
    UnknownTier(String),
    /// An entry type that is not one of the four known ones.
    #[error(
        "unknown memory entry type {0:?} (expected interaction, observation, decision or knowledge)"
    )]
    UnknownType(String),
    /// A stored or imported value could not be (de)serialised.
    #[error("memory data is not valid JSON for {what}")]
    Json {
        /// Which value.
        what: &'static str,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// An import document did not have the expected shape.
    #[error("cannot import memory: {0}")]
    InvalidImport(String),
    /// The writer thread could not be started.
    #[error("cannot start the memory writer thread")]
    Spawn(#[source] std::io::Error),
    /// The store was closed (or its writer died); nothing more can be written.
    #[error("the memory store is closed")]
    Closed,
    /// The daemon could not open its memory database at start; memory is `degraded` while
    /// sessions keep running. `reason` is the open error's chain.
    #[error("memory is unavailable (degraded): {reason}")]
    Unavailable {
        /// Why the database could not be opened, with its causes.
        reason: String,
        /// What to do about it, from the open error.
        remedy: String,
    },
    /// No entry has this id.
    #[error("no memory entry with id {id}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// A prefix that names more than one entry.
    #[error("{given} names more than one memory entry: {}{}", candidates.join(", "), if *more { ", …" } else { "" })]
    Ambiguous {
        /// The prefix given.
        given: String,
        /// Some of the entries it names.
        candidates: Vec<String>,
        /// Whether it names more than those.
        more: bool,
    },
    /// A request field is out of range (limits, query length, metadata shape).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as the doors name it.
        field: &'static str,
        /// The rule it breaks.
        reason: String,
    },
}

impl MemoryError {
    /// Classifies an error met while opening `path`: a damaged file and a held lock get their
    /// own variants because the daemon reports them differently (memory `degraded`).
    pub(crate) fn opening(path: &std::path::Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseCorrupt, DatabaseLocked, NotADatabase};
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(NotADatabase | DatabaseCorrupt) => Self::Corrupt { path, source },
            Some(DatabaseBusy | DatabaseLocked) => Self::Locked { path, source },
            _ => Self::Open { path, source },
        }
    }

    /// The storage problem behind this error (a full disk, a corrupt table, …), when it is
    /// one, for the database at `path`.
    pub fn storage_fault(
        &self,
        path: &std::path::Path,
    ) -> Option<orchestrator_sqlite::StorageFault> {
        use orchestrator_sqlite::StorageFault;
        let fault = match self {
            Self::Corrupt { .. } => StorageFault::Corrupt,
            Self::Locked { .. } => StorageFault::Locked,
            Self::Open { source, .. } | Self::Sqlite { source, .. } => {
                StorageFault::classify(source, path)
            }
            Self::Commit { source } => StorageFault::classify(source, path),
            Self::Storage { fault, .. } => *fault,
            _ => return None,
        };
        fault.is_environmental().then_some(fault)
    }

    /// A closure for `map_err` that labels a SQLite error with the operation.
    pub(crate) fn sql(operation: &'static str) -> impl Fn(rusqlite::Error) -> Self {
        move |source| Self::Sqlite { operation, source }
    }

    /// The stable reason (see `orchestrator_api::error_codes`); a storage fault gives the store's
    /// reason (`STORE_DISK_FULL`, …), whichever database met it.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Corrupt { .. } => "MEMORY_CORRUPT",
            Self::Locked { .. } => "MEMORY_LOCKED",
            Self::Open { .. } => "MEMORY_OPEN_FAILED",
            Self::TooNew { .. } => "MEMORY_SCHEMA_TOO_NEW",
            Self::Sqlite { .. } => "MEMORY_QUERY_FAILED",
            Self::Commit { .. } => "MEMORY_COMMIT_FAILED",
            Self::Storage { fault, .. } => fault.reason(),
            Self::EmptyContent => "MEMORY_CONTENT_EMPTY",
            Self::ContentTooLarge { .. } => "MEMORY_CONTENT_TOO_LARGE",
            Self::UnknownTier(_) => "MEMORY_TIER_UNKNOWN",
            Self::UnknownType(_) => "MEMORY_TYPE_UNKNOWN",
            Self::Json { .. } => "MEMORY_DATA_INVALID",
            Self::InvalidImport(_) => "MEMORY_IMPORT_INVALID",
            Self::Spawn(_) => "MEMORY_WRITER_FAILED",
            Self::Closed => "MEMORY_CLOSED",
            Self::Unavailable { .. } => "MEMORY_UNAVAILABLE",
            Self::NotFound { .. } => "MEMORY_NOT_FOUND",
            Self::Ambiguous { .. } => "MEMORY_AMBIGUOUS",
            Self::Invalid { .. } => "MEMORY_REQUEST_INVALID",
        }
    }

    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::Corrupt { path, .. } => format!(
                "move {} aside; sessions keep running with memory degraded",
                path.display()
            ),
            Self::Locked { .. } => "stop the other process using the database".to_owned(),
            Self::TooNew { .. } => "run the newer daemon, or move the database away".to_owned(),
            Self::ContentTooLarge { .. } => "store a shorter text".to_owned(),
            Self::Unavailable { remedy, .. } => format!("{remedy}, then restart the daemon"),
            Self::EmptyContent => "give some text to remember".to_owned(),
            Self::UnknownTier(_) => "use --tier episodic or --tier semantic".to_owned(),
            Self::UnknownType(_) => {
                "use --type interaction, observation, decision or knowledge".to_owned()
            }
            Self::Invalid { .. } => "correct the value and try again".to_owned(),
            Self::Ambiguous { .. } => "give more of the entry's id".to_owned(),
            Self::NotFound { .. } => {
                "list ids with `wundr orchestrator memory list` or `memory search`".to_owned()
            }
            Self::InvalidImport(_) => {
                "import a file written by `wundr orchestrator memory export`".to_owned()
            }
            Self::Storage { path, fault, .. } => fault.remedy(path),
            _ => "see the cause above".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_distinct_stable_reason() {
        let sqlite = || rusqlite::Error::InvalidQuery;
        let path = || PathBuf::from("/m.db");
        let errors = [
            MemoryError::Corrupt {
                path: path(),
                source: sqlite(),
            },
            MemoryError::Locked {
                path: path(),
                source: sqlite(),
            },
            MemoryError::Open {
                path: path(),
                source: sqlite(),
            },
            MemoryError::TooNew { found: 9, known: 1 },
            MemoryError::Sqlite {
                operation: "read",
                source: sqlite(),
            },
            MemoryError::Commit {
                source: Arc::new(sqlite()),
            },
            MemoryError::Storage {
                operation: "writes",
                path: path(),
                fault: orchestrator_sqlite::StorageFault::DiskFull,
                source: Box::new(MemoryError::Closed),
            },
            MemoryError::EmptyContent,
            MemoryError::ContentTooLarge { size: 2, limit: 1 },
            MemoryError::UnknownTier("x".into()),
            MemoryError::UnknownType("x".into()),
            MemoryError::Json {
                what: "x",
                source: serde_json::from_str::<serde_json::Value>("{").unwrap_err(),
            },
            MemoryError::InvalidImport("x".into()),
            MemoryError::Spawn(std::io::Error::other("x")),
            MemoryError::Closed,
            MemoryError::Unavailable {
                reason: String::new(),
                remedy: String::new(),
            },
            MemoryError::NotFound { id: "m".into() },
            MemoryError::Ambiguous {
                given: "m".into(),
                candidates: vec![],
                more: false,
            },
            MemoryError::Invalid {
                field: "limit",
                reason: String::new(),
            },
        ];
        let reasons: Vec<_> = errors.iter().map(MemoryError::reason).collect();
        assert_eq!(
            reasons,
            [
                "MEMORY_CORRUPT",
                "MEMORY_LOCKED",
                "MEMORY_OPEN_FAILED",
                "MEMORY_SCHEMA_TOO_NEW",
                "MEMORY_QUERY_FAILED",
                "MEMORY_COMMIT_FAILED",
                "STORE_DISK_FULL",
                "MEMORY_CONTENT_EMPTY",
                "MEMORY_CONTENT_TOO_LARGE",
                "MEMORY_TIER_UNKNOWN",
                "MEMORY_TYPE_UNKNOWN",
                "MEMORY_DATA_INVALID",
                "MEMORY_IMPORT_INVALID",
                "MEMORY_WRITER_FAILED",
                "MEMORY_CLOSED",
                "MEMORY_UNAVAILABLE",
                "MEMORY_NOT_FOUND",
                "MEMORY_AMBIGUOUS",
                "MEMORY_REQUEST_INVALID",
            ]
        );
        orchestrator_api::error_codes::assert_distinct_codes(&reasons);
    }
}
