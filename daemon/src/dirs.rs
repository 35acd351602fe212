//! [`create_private`]: the daemon's own directories, created readable by their owner only
//! (they hold logs with task texts, and later the database).

use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// Creates `path` and any missing parents with mode 0700; an existing directory is left as
/// it is.
pub fn create_private(path: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}
