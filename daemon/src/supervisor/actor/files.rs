//! [`SessionFiles`]: a session's files under `<data dir>/sessions/<id>/` — `transcript.jsonl`
//! (every stdout line of its agents, raw) and `stderr.log`. Appends only; a file that cannot
//! be opened is logged once and skipped, never a reason to stop the session.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The transcript name inside a session's directory.
pub(crate) const TRANSCRIPT: &str = "transcript.jsonl";

pub(crate) struct SessionFiles {
    transcript: Option<File>,
    stderr: Option<File>,
}

impl SessionFiles {
    pub(crate) fn open(dir: &Path) -> Self {
        let open = |name: &str| -> Option<File> {
            let path: PathBuf = dir.join(name);
            let result = crate::dirs::create_private(dir).and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o600)
                    .open(&path)
            });
            match result {
                Ok(file) => Some(file),
                Err(err) => {
                    tracing::warn!(path = %path.display(), %err, "cannot open a session file");
                    None
                }
            }
        };
        Self {
            transcript: open(TRANSCRIPT),
            stderr: open("stderr.log"),
        }
    }

    pub(crate) fn transcript(&self, line: &str) {
        append(self.transcript.as_ref(), line);
    }

    pub(crate) fn stderr(&self, line: &str) {
        append(self.stderr.as_ref(), line);
    }
}

fn append(file: Option<&File>, line: &str) {
    if let Some(mut file) = file {
        let _ = file.write_all(format!("{line}\n").as_bytes());
    }
}
