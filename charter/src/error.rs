//! [`CharterError`]: why a charter file could not be loaded, with the file, the line and the
//! column where there is one.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CharterError {
    /// The file does not exist: the daemon falls back to `Charter::default()`.
    #[error("charter file {} not found", path.display())]
    NotFound {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read charter file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Over the size limit; nothing past the limit was read.
    #[error(
        "charter file {} is {}, over the {limit}-byte limit{}; a charter is a short policy \
         document: shorten it, or raise charterMaxBytes in the daemon's config file",
        path.display(),
        size.map_or_else(|| "larger than that".to_owned(), |s| format!("{s} bytes")),
        mib(*limit)
    )]
    TooLarge {
        path: PathBuf,
        /// The file's size, when it has one (a pipe or device has none).
        size: Option<u64>,
        limit: u64,
    },
    /// Bad YAML or a value of the wrong type. `line`/`column` are 1-based and always point
    /// into the file (line 1 when the parser gave no location); `field` is the dotted path
    /// serde_yaml reports, when it reports one.
    #[error("{file}:{line}:{column}: invalid charter{}: {message}", field.as_deref().map(|f| format!(" field `{f}`")).unwrap_or_default())]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        field: Option<String>,
        message: String,
        #[source]
        source: serde_yaml::Error,
    },
    #[error("{file}:{line}: a second non-empty YAML document; a charter file holds exactly one")]
    MultipleDocuments { file: String, line: usize },
    #[error("{file}: the file holds no charter (only empty YAML documents)")]
    Empty { file: String },
}

/// `limit` in MiB when it is a whole number of them, for the error message.
fn mib(limit: u64) -> String {
    if limit >= 1024 * 1024 && limit.is_multiple_of(1024 * 1024) {
        format!(" ({} MiB)", limit / (1024 * 1024))
    } else {
        String::new()
    }
}
