use super::*;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

#[test]
fn a_flood_stays_within_the_cap_and_keeps_the_newest_lines() {
    let dir = tempfile::tempdir().unwrap();
    let cap = 64 * 1024;
    let mut files = SessionFiles::open(dir.path(), cap);
    let line = |i: usize| format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(200));
    let longest = line(9_999).len() as u64 + 1;
    for i in 0..10_000 {
        assert_eq!(files.transcript(&line(i)), None);
        let current = dir.path().join(TRANSCRIPT);
        let total = std::fs::metadata(&current).map_or(0, |m| m.len())
            + std::fs::metadata(rotated(&current)).map_or(0, |m| m.len());
        assert!(
            total <= cap + longest,
            "{total} bytes on disk after line {i}"
        );
    }
    let current = read(&dir.path().join(TRANSCRIPT));
    let first = current.lines().next().unwrap();
    let marker: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(marker["subtype"], "wundr_transcript_rotated");
    assert!(current.ends_with(&format!("{}\n", line(9_999))));
    let previous = read(&rotated(&dir.path().join(TRANSCRIPT)));
    let number = |line: &str| serde_json::from_str::<serde_json::Value>(line).unwrap()["n"].clone();
    assert_eq!(
        number(current.lines().nth(1).unwrap()),
        number(previous.lines().last().unwrap()).as_u64().unwrap() + 1,
        "no line is lost between the two files"
    );
}

#[test]
fn lines_longer_than_half_the_cap_exceed_it_by_at_most_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cap = 64 * 1024;
    let mut files = SessionFiles::open(dir.path(), cap);
    let current = dir.path().join(TRANSCRIPT);
    for i in 0..40 {
        let line = match i % 3 {
            0 => "s".repeat(100),
            1 => "g".repeat(100 * 1024),
            _ => "G".repeat(200 * 1024),
        };
        files.transcript(&line);
        let total = std::fs::metadata(&current).map_or(0, |m| m.len())
            + std::fs::metadata(rotated(&current)).map_or(0, |m| m.len());
        assert!(
            total <= cap + 200 * 1024 + 1,
            "{total} bytes on disk after line {i}"
        );
        assert!(
            read(&current).ends_with(&format!("{line}\n")),
            "the newest line is kept"
        );
    }
}

#[test]
fn a_reopened_file_counts_what_it_already_holds() {
    let dir = tempfile::tempdir().unwrap();
    let cap = 64 * 1024;
    let half = "y".repeat(20 * 1024);
    SessionFiles::open(dir.path(), cap).stderr(&half);
    // A resumed session opens the files again: the next big line must rotate.
    let mut files = SessionFiles::open(dir.path(), cap);
    files.stderr(&half);
    let current = read(&dir.path().join(STDERR_LOG));
    assert!(
        current.starts_with("[wundr] stderr.log reached half"),
        "{current}"
    );
    assert_eq!(
        read(&rotated(&dir.path().join(STDERR_LOG))),
        format!("{half}\n")
    );
}

#[test]
fn a_failure_streak_is_reported_once_and_writing_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session");
    // A file where the session's directory should be: nothing can be created in it.
    std::fs::write(&session, "in the way").unwrap();
    let mut files = SessionFiles::open(&session, 1 << 20);
    let problem = files
        .transcript("lost 1")
        .expect("the first loss is reported");
    assert!(
        problem.contains("cannot write transcript.jsonl"),
        "{problem}"
    );
    assert_eq!(files.transcript("lost 2"), None, "one report per streak");
    std::fs::remove_file(&session).unwrap();
    assert_eq!(files.transcript("kept"), None);
    assert_eq!(read(&session.join(TRANSCRIPT)), "kept\n");
}
