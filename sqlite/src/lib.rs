//! What went wrong with the database file, in the words a user can act on: [`StorageFault`]
//! classifies a SQLite error (read-only, disk full, corrupt, locked, I/O) and says what to do
//! about it; [`FaultCell`] is a subsystem's last write fault, which `status` shows as
//! `degraded` until a later write succeeds.
//!
//! SQLite reports a file system that turned read-only, or ran out of space, in the middle of a
//! write as a generic I/O error; the file system itself is then asked (`statvfs`), so the user
//! is told "read-only" or "disk full" rather than "disk I/O error".

use parking_lot::Mutex;
use std::path::Path;
use std::time::SystemTime;

use rusqlite::ErrorCode;

/// Why the database could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// The file, its directory or its file system is read-only.
    ReadOnly,
    /// No space is left on the file system.
    DiskFull,
    /// The file is damaged or is not a SQLite database.
    Corrupt,
    /// Another process holds a lock longer than the busy timeout.
    Locked,
    /// Another I/O error.
    Io,
    /// Anything else (a bug, a constraint): see the cause.
    Other,
}

impl std::fmt::Display for StorageFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ReadOnly => "it is read-only",
            Self::DiskFull => "the disk is full",
            Self::Corrupt => "it is damaged (corrupt, or not a SQLite database)",
            Self::Locked => "another process holds it locked",
            Self::Io => "the disk reported an I/O error",
            Self::Other => "SQLite refused the write",
        })
    }
}

impl StorageFault {
    /// The stable reason of an error caused by this fault (see `orchestrator_api::error_codes`).
    pub fn reason(self) -> &'static str {
        match self {
            Self::ReadOnly => "STORE_READ_ONLY",
            Self::DiskFull => "STORE_DISK_FULL",
            Self::Corrupt => "STORE_CORRUPT",
            Self::Locked => "STORE_LOCKED",
            Self::Io => "STORE_IO_ERROR",
            Self::Other => "STORE_FAILED",
        }
    }

    /// Classifies `err`, met while using the database at `path`.
    pub fn classify(err: &rusqlite::Error, path: &Path) -> Self {
        let Some(code) = err.sqlite_error_code() else {
            return Self::Other;
        };
        match code {
            ErrorCode::ReadOnly => Self::ReadOnly,
            ErrorCode::DiskFull => Self::DiskFull,
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Self::Corrupt,
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Self::Locked,
            ErrorCode::SystemIoFailure | ErrorCode::CannotOpen => {
                Self::from_file_system(path).unwrap_or(Self::Io)
            }
            _ => Self::Other,
        }
    }

    /// Asks the file system holding `path` whether it is read-only or full, and the files
    /// themselves whether they may be written (modes, the immutable flag).
    fn from_file_system(path: &Path) -> Option<Self> {
        let dir = if path.is_dir() { path } else { path.parent()? };
        let stats = nix::sys::statvfs::statvfs(dir).ok()?;
        if stats
            .flags()
            .contains(nix::sys::statvfs::FsFlags::ST_RDONLY)
        {
            return Some(Self::ReadOnly);
        }
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        if [path, Path::new(&wal), dir].into_iter().any(refuses_writes) {
            return Some(Self::ReadOnly);
        }
        // "Full" for the database: less than a page or two left for an unprivileged writer.
        #[allow(clippy::useless_conversion)] // reason: the field types differ by platform
        let free = u64::from(stats.blocks_available()) * u64::from(stats.fragment_size());
        (free < 64 * 1024).then_some(Self::DiskFull)
    }

    /// Whether the fault lies with the file or the disk (the subsystem is degraded), rather
    /// than with one request.
    pub fn is_environmental(self) -> bool {
        !matches!(self, Self::Other)
    }

    /// What the user can do about it, for the database at `path`.
    pub fn remedy(self, path: &Path) -> String {
        let dir = path.parent().unwrap_or(Path::new("/")).display();
        let path = path.display();
        match self {
            Self::ReadOnly => format!(
                "make {path} and its directory {dir} writable (check the file modes and whether \
                 the file system is mounted read-only), then retry"
            ),
            Self::DiskFull => {
                format!("free space on the disk holding {dir} (df -h {dir}), then retry")
            }
            Self::Corrupt => format!(
                "stop the daemon and move {path} aside (the daemon starts a new one), or restore \
                 it from a backup"
            ),
            Self::Locked => format!("stop the other process that holds {path} open, then retry"),
            Self::Io => format!("check the disk holding {dir} (dmesg may say more), then retry"),
            Self::Other => "see the cause above".to_owned(),
        }
    }
}

/// Whether an existing `file` may not be written by this process.
fn refuses_writes(file: &Path) -> bool {
    use nix::errno::Errno;
    file.exists()
        && nix::unistd::access(file, nix::unistd::AccessFlags::W_OK)
            .is_err_and(|e| matches!(e, Errno::EACCES | Errno::EPERM | Errno::EROFS))
}

/// The last environmental write fault of one subsystem, until a write succeeds again.
#[derive(Debug, Default)]
pub struct FaultCell {
    last: Mutex<Option<(String, SystemTime)>>,
}

impl FaultCell {
    fn lock(&self) -> parking_lot::MutexGuard<'_, Option<(String, SystemTime)>> {
        self.last.lock()
    }

    /// Records a fault; `detail` says what failed and why. Logged once per change.
    pub fn fail(&self, subsystem: &str, detail: String) {
        let mut last = self.lock();
        if last.as_ref().is_none_or(|(seen, _)| *seen != detail) {
            tracing::error!(subsystem, error = %detail, "writes are failing; the subsystem is degraded");
        }
        *last = Some((detail, SystemTime::now()));
    }

    /// A write succeeded: the fault is over.
    pub fn recover(&self, subsystem: &str) {
        if self.lock().take().is_some() {
            tracing::info!(subsystem, "writes succeed again; the subsystem is running");
        }
    }

    /// The current fault, if any.
    pub fn current(&self) -> Option<String> {
        self.lock().as_ref().map(|(detail, _)| detail.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_error(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn codes_map_to_faults_with_remedies() {
        let path = Path::new("/nonexistent-dir/orchestrator.db");
        for (code, fault) in [
            (rusqlite::ffi::SQLITE_READONLY, StorageFault::ReadOnly),
            (rusqlite::ffi::SQLITE_FULL, StorageFault::DiskFull),
            (rusqlite::ffi::SQLITE_CORRUPT, StorageFault::Corrupt),
            (rusqlite::ffi::SQLITE_NOTADB, StorageFault::Corrupt),
            (rusqlite::ffi::SQLITE_BUSY, StorageFault::Locked),
            (rusqlite::ffi::SQLITE_IOERR, StorageFault::Io),
            (rusqlite::ffi::SQLITE_CONSTRAINT, StorageFault::Other),
        ] {
            assert_eq!(StorageFault::classify(&sqlite_error(code), path), fault);
        }
        assert!(
            StorageFault::DiskFull
                .remedy(path)
                .contains("df -h /nonexistent-dir")
        );
        assert!(StorageFault::ReadOnly.remedy(path).contains("read-only"));
        assert!(!StorageFault::Other.is_environmental());
    }

    #[test]
    fn every_fault_has_a_distinct_stable_reason() {
        use StorageFault::*;
        let reasons: Vec<_> = [ReadOnly, DiskFull, Corrupt, Locked, Io, Other]
            .into_iter()
            .map(StorageFault::reason)
            .collect();
        assert_eq!(
            reasons,
            [
                "STORE_READ_ONLY",
                "STORE_DISK_FULL",
                "STORE_CORRUPT",
                "STORE_LOCKED",
                "STORE_IO_ERROR",
                "STORE_FAILED"
            ]
        );
        orchestrator_api::error_codes::assert_distinct_codes(&reasons);
    }

    #[test]
    fn a_fault_lasts_until_a_write_succeeds() {
        let cell = FaultCell::default();
        assert_eq!(cell.current(), None);
        cell.fail("store", "the disk is full".to_owned());
        assert_eq!(cell.current().as_deref(), Some("the disk is full"));
        cell.recover("store");
        assert_eq!(cell.current(), None);
    }
}
