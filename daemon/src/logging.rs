//! The daemon log. [`LogHub`] is a `tracing` writer that appends every formatted line to the
//! log file (rotated by size: `daemon.log` → `daemon.log.1` …) and broadcasts it to live
//! followers (`StreamLogs`, `wundr orchestrator logs -f`). [`init`] installs the subscriber.
//!
//! Writes are synchronous and under one mutex: the daemon logs little, and this keeps
//! "the last N lines, then everything after" exact — [`LogHub::tail_and_follow`] reads the tail
//! and subscribes under the same lock, so no line is lost or doubled between the two.
//!
//! A foreground daemon also logs to stderr in the [`StderrStyle`] its reader understands:
//! colour on a terminal (unless `NO_COLOR`), plain text elsewhere, and under systemd
//! (`JOURNAL_STREAM` names our stderr) plain lines prefixed `<N>` with the sd-daemon priority
//! of their level ([`JournalFormat`]), without a timestamp since the journal adds its own.

use parking_lot::{Mutex, MutexGuard};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::broadcast;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

mod stderr;

pub use stderr::{JournalFormat, StderrStyle, journal_priority};

/// How many lines a slow follower may fall behind before it is told it missed some.
const FOLLOW_BUFFER: usize = 4096;

/// The log file plus its live broadcast. Clones share one file.
#[derive(Debug, Clone)]
pub struct LogHub {
    inner: Arc<HubInner>,
}

#[derive(Debug)]
struct HubInner {
    path: PathBuf,
    file: Mutex<LogFile>,
    lines: broadcast::Sender<Arc<str>>,
}

#[derive(Debug)]
struct LogFile {
    file: Option<File>,
    size: u64,
    max_bytes: u64,
    keep_files: u32,
    last_error: Option<String>,
}

impl LogHub {
    /// Opens (appends to) the log at `path`, rotating once it grows past `max_bytes`, keeping
    /// `keep_files` rotated files.
    pub fn open(path: &Path, max_bytes: u64, keep_files: u32) -> io::Result<Self> {
        let file = crate::dirs::open_private_append(path)?;
        let size = file.metadata()?.len();
        Ok(Self {
            inner: Arc::new(HubInner {
                path: path.to_path_buf(),
                file: Mutex::new(LogFile {
                    file: Some(file),
                    size,
                    max_bytes,
                    keep_files,
                    last_error: None,
                }),
                lines: broadcast::channel(FOLLOW_BUFFER).0,
            }),
        })
    }

    /// The log file's path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The last write or rotation error, if the most recent write failed.
    pub fn last_error(&self) -> Option<String> {
        self.inner.lock().last_error.clone()
    }

    /// The last `lines` lines of the current log file and a receiver of every line written
    /// after them.
    pub fn tail_and_follow(
        &self,
        lines: usize,
    ) -> io::Result<(Vec<String>, broadcast::Receiver<Arc<str>>)> {
        let _writes_paused = self.inner.lock();
        let receiver = self.inner.lines.subscribe();
        let tail = orchestrator_api::logtail::last_lines(&self.inner.path, lines)?;
        Ok((tail, receiver))
    }
}

impl HubInner {
    fn lock(&self) -> MutexGuard<'_, LogFile> {
        // Logging must go on even after a panic elsewhere poisoned the lock.
        self.file.lock()
    }

    fn write(&self, buf: &[u8]) {
        let mut log = self.lock();
        if log.size > 0 && log.size + buf.len() as u64 > log.max_bytes {
            if let Err(err) = rotate(&self.path, log.keep_files) {
                log.last_error = Some(format!("cannot rotate {}: {err}", self.path.display()));
            }
            // Reopen even when rotation failed, so a removed file is recreated.
            log.file = crate::dirs::open_private_append(&self.path).ok();
            log.size = log
                .file
                .as_ref()
                .and_then(|f| f.metadata().ok())
                .map_or(0, |m| m.len());
        }
        let result = match log.file.as_mut() {
            Some(file) => file.write_all(buf),
            None => crate::dirs::open_private_append(&self.path).and_then(|mut file| {
                file.write_all(buf)?;
                log.file = Some(file);
                Ok(())
            }),
        };
        match result {
            Ok(()) => {
                log.size += buf.len() as u64;
                log.last_error = None;
            }
            Err(err) => {
                log.last_error = Some(format!("cannot write {}: {err}", self.path.display()));
            }
        }
        // Broadcast under the lock so that followers see lines in file order.
        for line in String::from_utf8_lossy(buf).lines() {
            if !line.is_empty() {
                let _no_followers_is_fine = self.lines.send(Arc::from(line));
            }
        }
    }
}

fn rotated(path: &Path, index: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{index}"));
    PathBuf::from(name)
}

fn rotate(path: &Path, keep_files: u32) -> io::Result<()> {
    for index in (1..keep_files).rev() {
        let from = rotated(path, index);
        if from.exists() {
            std::fs::rename(&from, rotated(path, index + 1))?;
        }
    }
    std::fs::rename(path, rotated(path, 1))
}

/// The writer handed to `tracing`: one `write` per formatted event.
#[derive(Debug)]
pub struct LogWriter<'a> {
    hub: &'a HubInner,
}

impl Write for LogWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hub.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogHub {
    type Writer = LogWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter { hub: &self.inner }
    }
}

/// ISO-8601 UTC timestamps with milliseconds, the format of every date on the daemon's wire.
#[derive(Debug, Clone, Copy)]
struct IsoMillis;

impl FormatTime for IsoMillis {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        write!(w, "{}", humantime::format_rfc3339_millis(SystemTime::now()))
    }
}

/// The filter used unless `RUST_LOG` says otherwise: info, or debug for our crates when
/// verbose; the HTTP/2 stack stays at warn either way.
pub fn default_filter(verbose: bool) -> EnvFilter {
    if let Ok(filter) = EnvFilter::try_from_default_env() {
        return filter;
    }
    let ours = if verbose { "debug" } else { "info" };
    EnvFilter::new(format!(
        "info,orchestrator_daemon={ours},h2=warn,hyper=warn,tower=warn,tonic=warn"
    ))
}

/// Installs the global subscriber: the log file through `hub`, and also stderr when
/// `to_stderr` (foreground runs, where systemd or a terminal reads it) in the style of
/// [`StderrStyle::of_stderr`].
pub fn init(hub: &LogHub, verbose: bool, to_stderr: bool) {
    let file_layer = fmt::layer()
        .with_writer(hub.clone())
        .with_ansi(false)
        .with_timer(IsoMillis);
    let style = StderrStyle::of_stderr();
    let journal_layer = (to_stderr && style == StderrStyle::Journal).then(|| {
        fmt::layer()
            .with_writer(io::stderr)
            .with_ansi(false)
            .event_format(JournalFormat::default())
    });
    let stderr_layer = (to_stderr && style != StderrStyle::Journal).then(|| {
        fmt::layer()
            .with_writer(io::stderr)
            .with_ansi(style == StderrStyle::Colour)
            .with_timer(IsoMillis)
    });
    let _already_set_in_tests = tracing_subscriber::registry()
        .with(default_filter(verbose))
        .with(file_layer)
        .with(journal_layer)
        .with(stderr_layer)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_rotate_by_size_and_followers_see_every_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daemon.log");
        let hub = LogHub::open(&path, 100, 2).unwrap();
        let (tail, mut rx) = hub.tail_and_follow(5).unwrap();
        assert!(tail.is_empty());
        let mut writer = hub.make_writer();
        for i in 0..10 {
            writer
                .write_all(format!("0123456789012345678 {i}\n").as_bytes())
                .unwrap();
        }
        for i in 0..10 {
            assert_eq!(&*rx.try_recv().unwrap(), format!("0123456789012345678 {i}"));
        }
        assert!(rotated(&path, 1).exists());
        assert!(rotated(&path, 2).exists());
        assert!(
            !rotated(&path, 3).exists(),
            "only keep_files rotations are kept"
        );
        assert!(std::fs::metadata(&path).unwrap().len() <= 100);
        let (tail, _) = hub.tail_and_follow(1).unwrap();
        assert_eq!(tail, ["0123456789012345678 9"]);
        assert!(hub.last_error().is_none());
    }
}
