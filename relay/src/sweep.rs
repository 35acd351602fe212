//! [`sweep`]: ends the processes an agent left behind outside its process group — a tool that
//! called `setsid`, a double-forked daemon — and, after its supervisor (the daemon, a relay)
//! died, the survivors of the agent's group. Key type: [`SweepTarget`].
//!
//! Every agent's environment carries `WUNDR_SESSION_ID=<id>` ([`SESSION_ID_VAR`]), and
//! descendants inherit it whatever group or session they move to, so `/proc` tells which
//! processes belong to a session. The rules, so that nothing else is ever hit:
//!
//! - Only processes of the sweeping process's own effective uid, never itself.
//! - A process is killed when its environment holds exactly the marker of a target session,
//!   or when it is in the target's recorded process group *and* that group still holds a
//!   marked process (then the group id cannot have been reused: a live member keeps it).
//! - Each process is opened as `/proc/<pid>` first, checked through that descriptor and
//!   signalled through it (`pidfd_send_signal`), so a pid reused in between is never hit.
//! - Passes repeat until one finds nothing new (a process may fork while being killed).
//!
//! Not found: a process that cleared its environment *and* left the group, and one that made
//! itself non-dumpable (its `/proc` entry then belongs to root). A cgroup per session would
//! catch those, but needs a delegated cgroup v2 subtree, which a daemon started from a shell
//! does not have.
//!
//! Killed processes are not the sweeper's children: their parents (often init) reap them.
//! Linux only, like the parent-death signal; elsewhere `/proc` is missing and nothing is found.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::{OFlag, open, openat};
use nix::sys::signal::{Signal, kill};
use nix::sys::stat::{Mode, fstat};
use nix::unistd::{Pid, geteuid};

/// The environment variable that names an agent's session. Every agent gets it, and what it
/// starts inherits it, so everything that belongs to a session can be found by it.
pub const SESSION_ID_VAR: &str = "WUNDR_SESSION_ID";

/// Passes before giving up on a process tree that keeps forking.
const MAX_PASSES: usize = 16;

/// A session whose leftovers are to be killed.
#[derive(Debug, Clone, Copy)]
pub struct SweepTarget<'a> {
    /// The session id its agents carry in [`SESSION_ID_VAR`].
    pub session_id: &'a str,
    /// The agent's process group, when known.
    pub group: Option<i32>,
}

/// One process seen in `/proc`, held open so it can be signalled without a pid race.
struct Seen {
    dir: OwnedFd,
    pid: i32,
    /// `starttime` from `stat`: with the pid, it names one process for good.
    started: u64,
    group: i32,
    /// Which target's marker it carries.
    marked: Option<usize>,
}

/// Kills what `targets` left running (see the module doc). Blocking; returns how many
/// processes were killed.
pub fn sweep(targets: &[SweepTarget<'_>]) -> usize {
    if targets.is_empty() {
        return 0;
    }
    let mut killed = HashSet::new();
    for _ in 0..MAX_PASSES {
        let before = killed.len();
        for process in doomed(targets) {
            if !killed.insert((process.pid, process.started)) {
                continue;
            }
            let session = process.marked.map_or("", |i| targets[i].session_id);
            match signal_kill(&process) {
                Ok(()) => tracing::info!(
                    pid = process.pid,
                    session,
                    "killed a process the session's agent left behind"
                ),
                Err(err) => {
                    tracing::warn!(pid = process.pid, session, %err, "cannot kill a process the session's agent left behind");
                }
            }
        }
        if killed.len() == before {
            return killed.len();
        }
    }
    tracing::warn!(
        killed = killed.len(),
        "a session's processes kept forking while being killed; some may remain"
    );
    killed.len()
}

/// The processes the rules say must die, each opened and checked through its `/proc`
/// directory. A first look by pid reads only environments (the sweep runs after every agent
/// and usually finds nothing); group members are looked for only when a target's group
/// still holds a marked process.
fn doomed(targets: &[SweepTarget<'_>]) -> Vec<Seen> {
    let uid = geteuid().as_raw();
    let pids = other_pids();
    let mut doomed: Vec<Seen> = pids
        .iter()
        .filter(|pid| {
            read_proc(**pid, "environ")
                .is_some_and(|environ| target_of(targets, &environ).is_some())
        })
        .filter_map(|pid| inspect(*pid, uid, targets))
        .filter(|process| process.marked.is_some())
        .collect();
    let live_groups: HashSet<i32> = doomed
        .iter()
        .filter_map(|p| (targets[p.marked?].group == Some(p.group)).then_some(p.group))
        .collect();
    if live_groups.is_empty() {
        return doomed;
    }
    let marked: HashSet<i32> = doomed.iter().map(|p| p.pid).collect();
    let in_live_group = |pid: &u32| {
        read_proc(*pid, "stat")
            .and_then(|stat| parse_stat(&stat))
            .is_some_and(|(_, group, _)| live_groups.contains(&group))
    };
    let members: Vec<Seen> = pids
        .iter()
        .filter(|pid| i32::try_from(**pid).is_ok_and(|pid| !marked.contains(&pid)))
        .filter(|pid| in_live_group(pid))
        .filter_map(|pid| inspect(*pid, uid, targets))
        .filter(|process| live_groups.contains(&process.group))
        .collect();
    doomed.extend(members);
    doomed
}

/// Every pid in `/proc` but this process's.
fn other_pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .collect()
}

/// `/proc/<pid>/<name>` by path: only a first look, since the pid may be reused meanwhile.
fn read_proc(pid: u32, name: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(format!("/proc/{pid}/{name}"))
        .ok()?
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Process `pid` seen through its own `/proc` directory, if it is alive and this uid's.
fn inspect(pid: u32, uid: u32, targets: &[SweepTarget<'_>]) -> Option<Seen> {
    let dir = open(
        format!("/proc/{pid}").as_str(),
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    if fstat(&dir).ok()?.st_uid != uid {
        return None;
    }
    let (state, group, started) = parse_stat(&read_at(&dir, "stat")?)?;
    if state == 'Z' {
        return None;
    }
    let marked = target_of(targets, &read_at(&dir, "environ")?);
    Some(Seen {
        dir,
        pid: i32::try_from(pid).ok()?,
        started,
        group,
        marked,
    })
}

/// Which target's marker an environment block carries.
fn target_of(targets: &[SweepTarget<'_>], environ: &[u8]) -> Option<usize> {
    let id = session_marker(environ)?;
    targets.iter().position(|t| t.session_id.as_bytes() == id)
}

fn read_at(dir: &OwnedFd, name: &str) -> Option<Vec<u8>> {
    let fd = openat(dir, name, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty()).ok()?;
    let mut bytes = Vec::new();
    File::from(fd).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// `(state, process group, start time)` from `/proc/<pid>/stat`.
fn parse_stat(stat: &[u8]) -> Option<(char, i32, u64)> {
    let text = std::str::from_utf8(stat).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let fields: Vec<&str> = text
        .get(text.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let state = fields.first()?.chars().next()?;
    let group = fields.get(2)?.parse().ok()?;
    let started = fields.get(19)?.parse().ok()?;
    Some((state, group, started))
}

/// The value of [`SESSION_ID_VAR`] in a NUL-separated environment block.
fn session_marker(environ: &[u8]) -> Option<&[u8]> {
    environ.split(|byte| *byte == 0).find_map(|entry| {
        entry
            .strip_prefix(SESSION_ID_VAR.as_bytes())?
            .strip_prefix(b"=")
    })
}

/// SIGKILL through the process's `/proc` descriptor; where the kernel lacks
/// `pidfd_send_signal` (before 5.1), by pid.
fn signal_kill(process: &Seen) -> io::Result<()> {
    // SAFETY: pidfd_send_signal reads only its scalar arguments: a descriptor we own (open
    // for the whole call), a signal number, a null siginfo (meaning "as kill(2) would") and
    // zero flags. No memory is shared with the kernel.
    let result = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_pidfd_send_signal,
            process.dir.as_raw_fd(),
            nix::libc::SIGKILL,
            std::ptr::null::<nix::libc::siginfo_t>(),
            0u32,
        )
    };
    if result == 0 {
        return Ok(());
    }
    match Errno::last() {
        Errno::ESRCH => Ok(()),
        Errno::ENOSYS => match kill(Pid::from_raw(process.pid), Signal::SIGKILL) {
            Ok(()) | Err(Errno::ESRCH) => Ok(()),
            Err(errno) => Err(errno.into()),
        },
        errno => Err(errno.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_must_match_exactly() {
        let environ = b"PATH=/bin\0WUNDR_SESSION_ID_OLD=x\0WUNDR_SESSION_ID=session_1_a\0";
        assert_eq!(session_marker(environ), Some(&b"session_1_a"[..]));
        assert_eq!(session_marker(b"WUNDR_SESSION_IDX=1\0"), None);
        assert_eq!(session_marker(b""), None);
    }

    #[test]
    fn stat_fields_follow_the_last_parenthesis() {
        let stat = b"42 (a) b) (c) S 1 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0";
        assert_eq!(parse_stat(stat), Some(('S', 77, 123456)));
        assert_eq!(parse_stat(b"garbage"), None);
    }
}
