//! Helpers shared by the process tests: fixture agents as `sh` scripts, bounded polling and
//! `/proc` inspection.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use orchestrator_daemon::supervisor::{LineReader, RunSpec};

/// Generous: CI machines have 2 cores and run tests in parallel.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub fn work_dir() -> PathBuf {
    std::env::temp_dir()
}

/// A spec with a minimal explicit environment.
pub fn spec(program: &str) -> RunSpec {
    RunSpec::new(program, work_dir()).env("PATH", "/usr/local/bin:/usr/bin:/bin")
}

pub fn sh(script: &str) -> RunSpec {
    spec("/bin/sh").arg("-c").arg(script)
}

/// The next line, failing the test instead of hanging.
pub async fn next_line(reader: &mut LineReader) -> Option<String> {
    tokio::time::timeout(DEADLINE, reader.next_line())
        .await
        .expect("timed out waiting for a line")
        .expect("read error")
        .map(|line| line.text)
}

pub async fn read_all(reader: &mut LineReader) -> Vec<String> {
    let mut lines = Vec::new();
    while let Some(line) = next_line(reader).await {
        lines.push(line);
    }
    lines
}

/// Bounded polling: checks `cond` until it holds or `DEADLINE` passes.
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `(state, ppid)` from `/proc/<pid>/stat`; `None` once the pid is gone.
pub fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Whether `pid` no longer runs. A dead orphan stays a zombie until its new parent reaps it,
/// and this sandbox's PID 1 never reaps, so a zombie owned by someone else counts as dead;
/// one owned by this test process does not (that would be a reaping bug).
pub fn is_dead(pid: u32) -> bool {
    let raw = i32::try_from(pid).expect("pid fits i32");
    match kill(Pid::from_raw(raw), None) {
        Err(Errno::ESRCH) => true,
        _ => matches!(proc_stat(pid), Some(('Z', ppid)) if ppid != std::process::id()),
    }
}

/// Children of this test process: `(pid, state)`.
pub fn own_children() -> Vec<(u32, char)> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| match proc_stat(pid) {
            Some((state, ppid)) if ppid == me => Some((pid, state)),
            _ => None,
        })
        .collect()
}

/// The variable that marks a re-run of this test binary made by [`alone`]; its value is the
/// test that runs.
const ALONE_VAR: &str = "WUNDR_TEST_ALONE";

/// For a test that inspects every child of the test process, so no other test may run
/// processes beside it: `true` in a process of its own (where the test body then runs), else
/// runs the test binary again for just `test` (its full name, `module::function`), asserts
/// that it passed, and returns `false` (the caller returns).
pub fn alone(test: &str) -> bool {
    if std::env::var(ALONE_VAR).is_ok_and(|running| running == test) {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(ALONE_VAR, test)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test}, run alone, failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}
