//! [`last_lines`]: the last N lines of a file, read backwards from its end so a large log
//! costs only the bytes shown; [`last_lines_after`] only looks past a given offset (what was
//! written since then).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

const CHUNK: u64 = 64 * 1024;

/// The last `n` lines of the file at `path` (all of them when it has fewer), without line
/// endings. Invalid UTF-8 is replaced rather than refused: a log line is still worth showing.
pub fn last_lines(path: &Path, n: usize) -> io::Result<Vec<String>> {
    last_lines_after(path, 0, n)
}

/// Like [`last_lines`], but only of the bytes from `offset` on; a file now shorter than
/// `offset` (it was rotated or truncated) is read whole.
pub fn last_lines_after(path: &Path, offset: u64, n: usize) -> io::Result<Vec<String>> {
    let mut file = File::open(path)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let len = file.metadata()?.len();
    let floor = if offset > len { 0 } else { offset };
    let mut start = len;
    let mut tail: Vec<u8> = Vec::new();
    // Stop once the tail holds n newlines before its last byte: then the n lines after the
    // first of those newlines are complete.
    while start > floor && newlines_before_last_byte(&tail) < n {
        let size = CHUNK.min(start - floor);
        start -= size;
        file.seek(SeekFrom::Start(start))?;
        let mut chunk = vec![0; usize::try_from(size).unwrap_or(usize::MAX)];
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
    }
    let text = String::from_utf8_lossy(&tail);
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(n);
    Ok(lines[skip..]
        .iter()
        .map(|line| (*line).to_owned())
        .collect())
}

fn newlines_before_last_byte(bytes: &[u8]) -> usize {
    match bytes.split_last() {
        Some((_, rest)) => rest.iter().filter(|&&b| b == b'\n').count(),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(content: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(content).unwrap();
        file
    }

    #[test]
    fn returns_the_last_n_lines() {
        let file = file_with(b"one\ntwo\nthree\nfour\n");
        assert_eq!(last_lines(file.path(), 2).unwrap(), ["three", "four"]);
    }

    #[test]
    fn returns_everything_when_the_file_is_shorter() {
        let file = file_with(b"one\ntwo\n");
        assert_eq!(last_lines(file.path(), 50).unwrap(), ["one", "two"]);
    }

    #[test]
    fn handles_a_missing_final_newline_and_crlf() {
        let file = file_with(b"a\r\nb\r\nc");
        assert_eq!(last_lines(file.path(), 2).unwrap(), ["b", "c"]);
    }

    #[test]
    fn empty_file_and_zero_lines_give_nothing() {
        let file = file_with(b"");
        assert!(last_lines(file.path(), 10).unwrap().is_empty());
        let file = file_with(b"x\n");
        assert!(last_lines(file.path(), 0).unwrap().is_empty());
    }

    #[test]
    fn reads_across_chunk_boundaries() {
        let mut content = Vec::new();
        for i in 0..20_000 {
            content.extend_from_slice(format!("line {i} {}\n", "x".repeat(20)).as_bytes());
        }
        let file = file_with(&content);
        let lines = last_lines(file.path(), 5000).unwrap();
        assert_eq!(lines.len(), 5000);
        assert!(lines[0].starts_with("line 15000 "));
        assert!(lines[4999].starts_with("line 19999 "));
    }

    #[test]
    fn after_an_offset_only_newer_lines_count() {
        let file = file_with(b"old 1\nold 2\nnew 1\nnew 2\n");
        assert_eq!(
            last_lines_after(file.path(), 12, 10).unwrap(),
            ["new 1", "new 2"]
        );
        assert!(last_lines_after(file.path(), 24, 10).unwrap().is_empty());
        // Shorter than the offset: rotated, so everything is new.
        assert_eq!(last_lines_after(file.path(), 1000, 1).unwrap(), ["new 2"]);
    }

    #[test]
    fn missing_file_is_not_found() {
        let err = last_lines(Path::new("/nonexistent/wundr/daemon.log"), 5).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
