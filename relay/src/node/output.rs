//! The agent's stdout and stderr, line by line, as `Stdout`/`Stderr` frames: [`pump`] reads a
//! pipe and queues the frames of each read as one chunk; [`Lines`] cuts lines (without their
//! newline) and caps each at the spec's `max_line_bytes`, discarding the rest of a longer
//! line, so memory stays bounded whatever the agent writes. A line is copied once, from the
//! read buffer into the chunk.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinHandle;

use super::link::Outgoing;
use crate::wire::{MAX_FRAME_BYTES, append_output_line};

/// One read from the pipe (a Linux pipe holds 64 KiB).
const READ_BUFFER: usize = 64 * 1024;
/// A partial line's buffer is given back above this size once its line is sent.
const KEEP_PARTIAL: usize = 64 * 1024;

/// Reads `pipe` to its end in a task, queueing frames on `out`.
pub(super) fn pump(
    pipe: impl AsyncRead + Unpin + Send + 'static,
    stderr: bool,
    max_line_bytes: usize,
    out: Outgoing,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut pipe = pipe;
        let mut lines = Lines::new(stderr, max_line_bytes);
        let mut buffer = vec![0u8; READ_BUFFER];
        // Once the connection is gone, the pipe is still read (and dropped) so the agent is
        // not blocked on a full pipe while it is being ended.
        let mut connected = true;
        loop {
            let read = match pipe.read(&mut buffer).await {
                Ok(0) => break,
                Ok(read) => read,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    tracing::warn!(stderr, %err, "cannot read the agent's output");
                    break;
                }
            };
            let mut chunk = Vec::with_capacity(read + 256);
            lines.feed(&buffer[..read], &mut chunk);
            if connected && !chunk.is_empty() {
                connected = out.bytes(chunk).await.is_ok();
            }
        }
        let mut chunk = Vec::new();
        lines.finish(&mut chunk);
        if connected && !chunk.is_empty() {
            let _ = out.bytes(chunk).await;
        }
    })
}

/// Cuts a byte stream into capped lines, encoding each as a frame.
#[derive(Debug)]
pub(super) struct Lines {
    stderr: bool,
    max: usize,
    /// The start of a line whose newline has not come yet (at most `max` bytes).
    partial: Vec<u8>,
    /// Bytes of the current line were discarded past `max`.
    overflow: bool,
}

impl Lines {
    pub(super) fn new(stderr: bool, max_line_bytes: usize) -> Lines {
        Lines {
            stderr,
            // A frame holds the tag too.
            max: max_line_bytes.clamp(1, MAX_FRAME_BYTES - 1),
            partial: Vec::new(),
            overflow: false,
        }
    }

    /// Frames every line `data` completes into `out`; keeps an unfinished one.
    pub(super) fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let mut rest = data;
        while let Some(newline) = rest.iter().position(|&byte| byte == b'\n') {
            let line = &rest[..newline];
            if self.partial.is_empty() && !self.overflow {
                self.emit(&line[..line.len().min(self.max)], out);
            } else {
                self.keep(line);
                self.flush(out);
            }
            rest = &rest[newline + 1..];
        }
        self.keep(rest);
    }

    /// The last line, when the stream ended without a newline.
    pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.partial.is_empty() || self.overflow {
            self.flush(out);
        }
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = self.max - self.partial.len();
        if bytes.len() > room {
            self.overflow = true;
        }
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        let line = std::mem::take(&mut self.partial);
        self.emit(&line, out);
        self.partial = line;
        self.partial.clear();
        if self.partial.capacity() > KEEP_PARTIAL {
            self.partial = Vec::new();
        }
        self.overflow = false;
    }

    fn emit(&self, line: &[u8], out: &mut Vec<u8>) {
        append_output_line(self.stderr, line, out).expect("lines are capped below a frame's size");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{RelayFrame, read_frame};

    async fn frames(bytes: Vec<u8>) -> Vec<RelayFrame> {
        let mut reader = bytes.as_slice();
        let mut frames = Vec::new();
        while let Some(frame) = read_frame(&mut reader).await.unwrap() {
            frames.push(frame);
        }
        frames
    }

    #[tokio::test]
    async fn lines_are_cut_capped_and_joined_across_reads() {
        let mut lines = Lines::new(false, 5);
        let mut out = Vec::new();
        for piece in [
            &b"ab\ncd"[..],
            b"e\n",
            b"",
            b"0123456789\nx",
            b"yz",
            b"\n\nlast",
        ] {
            lines.feed(piece, &mut out);
        }
        lines.finish(&mut out);
        let got = frames(out).await;
        let want: Vec<RelayFrame> = ["ab", "cde", "01234", "xyz", "", "last"]
            .iter()
            .map(|l| RelayFrame::Stdout(l.as_bytes().to_vec()))
            .collect();
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn a_long_line_split_over_reads_is_capped_once() {
        let mut lines = Lines::new(true, 4);
        let mut out = Vec::new();
        lines.feed(b"abcdefgh", &mut out);
        lines.feed(b"ijkl", &mut out);
        assert!(out.is_empty());
        lines.feed(b"m\nok", &mut out);
        lines.finish(&mut out);
        assert_eq!(
            frames(out).await,
            vec![
                RelayFrame::Stderr(b"abcd".to_vec()),
                RelayFrame::Stderr(b"ok".to_vec())
            ]
        );
    }
}
