//! Line-oriented agent I/O with bounded memory.
//!
//! Key types: [`LineReader`] (stdout/stderr as lines, each capped at a maximum length),
//! [`OutputLine`] and [`AgentStdin`] (writes whole lines).

use std::fmt;
use std::io;
use std::pin::Pin;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// Why reading an agent's output or writing its input failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("a line written to an agent must not contain a newline")]
    MultiLineInput,
    /// The agent closed its stdin (usually because it exited).
    #[error("the agent's stdin is closed")]
    StdinClosed {
        #[source]
        source: io::Error,
    },
    #[error("cannot write to the agent's stdin")]
    StdinWrite {
        #[source]
        source: io::Error,
    },
    #[error("cannot read the agent's {stream}")]
    Read {
        stream: &'static str,
        #[source]
        source: io::Error,
    },
}

const READ_BUFFER_BYTES: usize = 64 * 1024;

/// One line of output, without its `\n` (and without a `\r` before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    /// The line, or its first `max_line_bytes` bytes; invalid UTF-8 is replaced.
    pub text: String,
    /// How many bytes past the cap were discarded (0 for a complete line).
    pub truncated_bytes: u64,
}

impl OutputLine {
    pub fn is_truncated(&self) -> bool {
        self.truncated_bytes > 0
    }
}

/// Reads an agent output stream line by line. Memory stays below `max_line_bytes` plus a
/// fixed read buffer however long a line is: the excess is counted and skipped.
pub struct LineReader {
    reader: BufReader<Pin<Box<dyn AsyncRead + Send>>>,
    line: Vec<u8>,
    truncated_bytes: u64,
    max_line_bytes: usize,
    stream: &'static str,
}

impl fmt::Debug for LineReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineReader")
            .field("stream", &self.stream)
            .field("max_line_bytes", &self.max_line_bytes)
            .finish_non_exhaustive()
    }
}

impl LineReader {
    /// `stream` names the stream in errors (`"stdout"`, `"stderr"`).
    pub fn new(
        reader: impl AsyncRead + Send + 'static,
        max_line_bytes: usize,
        stream: &'static str,
    ) -> Self {
        let boxed: Pin<Box<dyn AsyncRead + Send>> = Box::pin(reader);
        LineReader {
            reader: BufReader::with_capacity(READ_BUFFER_BYTES, boxed),
            line: Vec::new(),
            truncated_bytes: 0,
            max_line_bytes: max_line_bytes.max(1),
            stream,
        }
    }

    /// The next line; `None` at end of stream. A final line without `\n` is still returned.
    ///
    /// Cancel safe: a partly read line is kept in `self`, so this can sit in `select!`.
    pub async fn next_line(&mut self) -> Result<Option<OutputLine>, StreamError> {
        loop {
            let available = self
                .reader
                .fill_buf()
                .await
                .map_err(|source| StreamError::Read {
                    stream: self.stream,
                    source,
                })?;
            if available.is_empty() {
                let pending = !self.line.is_empty() || self.truncated_bytes > 0;
                return Ok(pending.then(|| self.take_line()));
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let content = &available[..newline.unwrap_or(available.len())];
            let room = self.max_line_bytes.saturating_sub(self.line.len());
            let kept = content.len().min(room);
            let needed = self.line.len() + kept;
            if needed > self.line.capacity() {
                // Amortized growth, but never past the cap.
                let target = (self.line.capacity() * 2).clamp(needed, self.max_line_bytes);
                self.line.reserve_exact(target - self.line.len());
            }
            self.line.extend_from_slice(&content[..kept]);
            self.truncated_bytes = self
                .truncated_bytes
                .saturating_add(u64::try_from(content.len() - kept).unwrap_or(u64::MAX));
            let consumed = content.len() + usize::from(newline.is_some());
            self.reader.consume(consumed);
            if newline.is_some() {
                return Ok(Some(self.take_line()));
            }
        }
    }

    fn take_line(&mut self) -> OutputLine {
        let mut bytes = std::mem::take(&mut self.line);
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        OutputLine {
            text,
            truncated_bytes: std::mem::take(&mut self.truncated_bytes),
        }
    }

    #[cfg(test)]
    fn buffered_capacity(&self) -> usize {
        self.line.capacity()
    }
}

/// An agent's stdin, written a whole line at a time.
pub struct AgentStdin {
    writer: Pin<Box<dyn AsyncWrite + Send>>,
}

impl fmt::Debug for AgentStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentStdin").finish_non_exhaustive()
    }
}

impl AgentStdin {
    pub fn new(writer: impl AsyncWrite + Send + 'static) -> Self {
        AgentStdin {
            writer: Box::pin(writer),
        }
    }

    /// Writes `line` plus `\n` and flushes. Refuses embedded newlines: stream-json input is
    /// one message per line, and a stray newline would split a message in two.
    pub async fn write_line(&mut self, line: &str) -> Result<(), StreamError> {
        if line.contains('\n') {
            return Err(StreamError::MultiLineInput);
        }
        let mut framed = Vec::with_capacity(line.len() + 1);
        framed.extend_from_slice(line.as_bytes());
        framed.push(b'\n');
        self.writer.write_all(&framed).await.map_err(stdin_error)?;
        self.writer.flush().await.map_err(stdin_error)
    }

    /// Closes stdin; a stream-json agent finishes its current turn and exits.
    pub async fn close(mut self) -> Result<(), StreamError> {
        self.writer.shutdown().await.map_err(stdin_error)
    }
}

fn stdin_error(source: io::Error) -> StreamError {
    if source.kind() == io::ErrorKind::BrokenPipe {
        StreamError::StdinClosed { source }
    } else {
        StreamError::StdinWrite { source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(input: &'static [u8], max: usize) -> (Vec<OutputLine>, usize) {
        let mut reader = LineReader::new(input, max, "stdout");
        let mut lines = Vec::new();
        let mut peak = 0;
        while let Some(line) = reader.next_line().await.expect("in-memory read") {
            peak = peak.max(reader.buffered_capacity());
            lines.push(line);
        }
        (lines, peak)
    }

    fn line(text: &str, truncated_bytes: u64) -> OutputLine {
        OutputLine {
            text: text.into(),
            truncated_bytes,
        }
    }

    #[tokio::test]
    async fn splits_lines_and_keeps_last_unterminated() {
        let (lines, _) = read_all(b"a\r\n\nb\nlast", 100).await;
        assert_eq!(
            lines,
            vec![line("a", 0), line("", 0), line("b", 0), line("last", 0)]
        );
        let (lines, _) = read_all(b"", 100).await;
        assert!(lines.is_empty());
    }

    #[tokio::test]
    async fn long_lines_are_truncated_with_bounded_buffer() {
        let long: &'static [u8] = Box::leak(
            [vec![b'x'; 3 * READ_BUFFER_BYTES + 7], b"\nok\n".to_vec()]
                .concat()
                .into_boxed_slice(),
        );
        let (lines, _) = read_all(long, 10).await;
        let dropped = (3 * READ_BUFFER_BYTES + 7 - 10) as u64;
        assert_eq!(lines, vec![line("xxxxxxxxxx", dropped), line("ok", 0)]);
        assert!(lines[0].is_truncated());
        // The held line never grows past the cap, whatever the input.
        let (_, peak) = read_all(long, 1000).await;
        assert!(peak <= 1000, "line buffer grew to {peak}");
    }

    #[tokio::test]
    async fn invalid_utf8_is_replaced() {
        let (lines, _) = read_all(b"ok \xff\xfe end\n", 100).await;
        assert_eq!(lines[0].text, "ok \u{fffd}\u{fffd} end");
    }

    #[tokio::test]
    async fn stdin_refuses_embedded_newline() {
        let mut stdin = AgentStdin::new(tokio::io::sink());
        assert!(matches!(
            stdin.write_line("a\nb").await,
            Err(StreamError::MultiLineInput)
        ));
        stdin.write_line("fine").await.expect("sink accepts");
    }
}
