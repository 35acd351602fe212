//! [`SessionFiles`]: a session's files under `<data dir>/sessions/<id>/` — `transcript.jsonl`
//! (every stdout line of its agents, raw) and `stderr.log`, each a [`CappedFile`].
//!
//! - **Cap**: a file and its one predecessor (`<name>.1`) stay within `transcriptMaxBytes`
//!   (plus one line: a line is never cut). When the file would grow past half the cap it is
//!   renamed to `<name>.1` (replacing the older one) and a new file starts with a marker line,
//!   so the newest output — the final `result` included — is always kept, and nothing is
//!   copied. (A file holding a single line longer than half the cap is dropped instead.)
//! - **Failures** (disk full, a vanished directory) never stop the session: the lines are
//!   lost, the first failure of a streak is logged and reported to the caller (which marks
//!   the session), and the file is reopened on the next line, so a freed disk is written again.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The transcript name inside a session's directory.
pub(crate) const TRANSCRIPT: &str = "transcript.jsonl";
/// The agent's stderr, beside the transcript.
pub(crate) const STDERR_LOG: &str = "stderr.log";

pub(crate) struct SessionFiles {
    transcript: CappedFile,
    stderr: CappedFile,
}

impl SessionFiles {
    /// The files of the session in `dir` (created if missing), each capped at `max_bytes`.
    pub(crate) fn open(dir: &Path, max_bytes: u64) -> Self {
        Self {
            transcript: CappedFile::open(dir, TRANSCRIPT, max_bytes, transcript_marker),
            stderr: CappedFile::open(dir, STDERR_LOG, max_bytes, stderr_marker),
        }
    }

    /// Appends a stdout line. `Some(problem)` when this write began a failure streak.
    pub(crate) fn transcript(&mut self, line: &str) -> Option<String> {
        self.transcript.append(line)
    }

    /// Appends a stderr line. `Some(problem)` when this write began a failure streak.
    pub(crate) fn stderr(&mut self, line: &str) -> Option<String> {
        self.stderr.append(line)
    }
}

/// The first line of a transcript that was rotated: a stream-json `system` event (so every
/// reader of the transcript can parse it), which `logs --transcript` shows.
fn transcript_marker(name: &str, max_bytes: u64) -> String {
    serde_json::json!({
        "type": "system",
        "subtype": "wundr_transcript_rotated",
        "content": rotation_note(name, max_bytes),
    })
    .to_string()
}

fn stderr_marker(name: &str, max_bytes: u64) -> String {
    format!("[wundr] {}", rotation_note(name, max_bytes))
}

fn rotation_note(name: &str, max_bytes: u64) -> String {
    format!(
        "{name} reached half of transcriptMaxBytes ({max_bytes}); earlier lines are in \
         {name}.1, older ones were dropped"
    )
}

/// One append-only file kept within a byte cap by rotation. See the module doc.
pub(crate) struct CappedFile {
    path: PathBuf,
    name: &'static str,
    max_bytes: u64,
    marker: fn(&str, u64) -> String,
    /// `None` until opened, and after a failure (reopened on the next line).
    file: Option<File>,
    /// The current file's size.
    len: u64,
    /// The size of the marker line the current file starts with (0 if it has none): a file
    /// holding only that is not rotated again.
    header_len: u64,
    /// Inside a streak of failed writes: only its first is logged.
    failing: bool,
}

impl CappedFile {
    pub(crate) fn open(
        dir: &Path,
        name: &'static str,
        max_bytes: u64,
        marker: fn(&str, u64) -> String,
    ) -> Self {
        let mut capped = CappedFile {
            path: dir.join(name),
            name,
            max_bytes,
            marker,
            file: None,
            len: 0,
            header_len: 0,
            failing: false,
        };
        // Created now, so the files exist from the session's start. A failure is retried
        // and reported with the first line that is lost (none may ever be).
        if let Err(err) = capped.ensure_open() {
            tracing::debug!(path = %capped.path.display(), %err, "cannot open a session file yet");
        }
        capped
    }

    /// Appends `line` and a newline. Returns a description of the problem when this write
    /// failed and the previous one did not.
    pub(crate) fn append(&mut self, line: &str) -> Option<String> {
        match self.try_append(line) {
            Ok(()) => {
                if self.failing {
                    self.failing = false;
                    tracing::info!(path = %self.path.display(), "session file is written again");
                }
                None
            }
            Err(err) => {
                self.file = None;
                if self.failing {
                    return None;
                }
                self.failing = true;
                let problem = format!(
                    "cannot write {} ({err}); its lines are being lost — free space in {}",
                    self.name,
                    self.path.parent().unwrap_or(Path::new("/")).display()
                );
                tracing::warn!(path = %self.path.display(), %err, "cannot write a session file; its lines are lost until writing works again");
                Some(problem)
            }
        }
    }

    fn try_append(&mut self, line: &str) -> io::Result<()> {
        self.ensure_open()?;
        let bytes = line.len() as u64 + 1;
        if self.len > self.header_len && self.len + bytes > self.max_bytes / 2 {
            self.rotate()?;
        }
        let mut record = Vec::with_capacity(line.len() + 1);
        record.extend_from_slice(line.as_bytes());
        record.push(b'\n');
        self.write(&record)
    }

    fn write(&mut self, record: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("the file is not open"))?;
        file.write_all(record)?;
        self.len += record.len() as u64;
        Ok(())
    }

    fn ensure_open(&mut self) -> io::Result<()> {
        if self.file.is_some() {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("/"));
        crate::dirs::create_private(dir)?;
        let file = crate::dirs::open_private_append(&self.path)?;
        self.len = file.metadata()?.len();
        // A reopened file may start with a marker; it is small, so treating it as content
        // only means one rotation may come a marker's length early.
        self.header_len = 0;
        self.file = Some(file);
        Ok(())
    }

    /// Moves the current file to `<name>.1` and starts a new one with the marker line.
    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        if self.len > self.max_bytes / 2 {
            // It holds one line longer than half the cap: kept as `.1`, it and the next such
            // line would exceed the cap by more than a line. The older `.1` is kept instead.
            std::fs::remove_file(&self.path)?;
        } else {
            let mut previous = self.path.clone().into_os_string();
            previous.push(".1");
            std::fs::rename(&self.path, &previous)?;
        }
        self.file = Some(crate::dirs::open_private_append(&self.path)?);
        self.len = 0;
        let mut marker = (self.marker)(self.name, self.max_bytes).into_bytes();
        marker.push(b'\n');
        self.write(&marker)?;
        self.header_len = self.len;
        tracing::debug!(path = %self.path.display(), "rotated a session file");
        Ok(())
    }
}

#[cfg(test)]
mod tests;
