//! The agent's side of the clock: [`write_relay`] puts a relay between the daemon and the
//! real CLI that stamps the lines that matter with `CLOCK_MONOTONIC` ([`monotonic_ns`] reads
//! the same clock here), and [`stamps_of`] reads the stamps back.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// `CLOCK_MONOTONIC` in nanoseconds: the clock the relay stamps with in another process.
pub fn monotonic_ns() -> u64 {
    let mut now = nix::libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec, and CLOCK_MONOTONIC always exists on Linux.
    let rc = unsafe { nix::libc::clock_gettime(nix::libc::CLOCK_MONOTONIC, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC)");
    u64::try_from(now.tv_sec).unwrap() * 1_000_000_000 + u64::try_from(now.tv_nsec).unwrap()
}

/// The relay the daemon runs as "claude": runs `claude` with the daemon's arguments and passes
/// its stdin and stdout on line by line, appending `<ns> <what>` to `stamps` for the lines that
/// matter: `control_request` and `tool_result` from the agent, `control_response` to it. The
/// time is taken as a line arrives, before it is passed on.
pub fn write_relay(path: &Path, claude: &Path, stamps: &Path) {
    let script = format!(
        r#"#!/usr/bin/env python3
import subprocess, sys, threading, time
child = subprocess.Popen([{claude:?}] + sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
stamps = open({stamps:?}, "a")
lock = threading.Lock()
def stamp(now, what):
    with lock:
        stamps.write(f"{{now}} {{what}}\n")
        stamps.flush()
def pass_stdin():
    try:
        for line in sys.stdin.buffer:
            now = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
            child.stdin.write(line)
            child.stdin.flush()
            if b'"type":"control_response"' in line:
                stamp(now, "control_response")
        child.stdin.close()
    except BrokenPipeError:
        pass
threading.Thread(target=pass_stdin, daemon=True).start()
out = sys.stdout.buffer
for line in child.stdout:
    now = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    out.write(line)
    out.flush()
    if b'"type":"control_request"' in line:
        stamp(now, "control_request")
    elif b'"type":"user"' in line and b'"tool_result"' in line:
        stamp(now, "tool_result")
sys.exit(child.wait())
"#,
        claude = claude.display().to_string(),
        stamps = stamps.display().to_string(),
    );
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The stamps of `kind` in the order the relay wrote them.
pub fn stamps_of(text: &str, kind: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, k)| *k == kind)
        .map(|(ns, _)| ns.parse().unwrap())
        .collect()
}
