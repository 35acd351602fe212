//! The processes of this user, read from `/proc` ([`Proc`]): what a [`super::RayCluster`]
//! stops, and [`pids_with_env`], which tests use to check that nothing of a session is left.
//!
//! Ray renames its workers and agents (`ray::JobSupervisor`, `ray::DashboardAgent`, the
//! dashboard's `ray-dashboard-*-0` modules) with setproctitle, which writes the title over the
//! memory that `/proc/<pid>/environ` shows, so their environment reads as blanks. A cluster is
//! therefore found by several signs (cwd, environment, command line) plus the descendants of
//! what matches; see `RayCluster::processes`.

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, getuid};

/// One live (not zombie) process of our uid.
#[derive(Debug, Clone)]
pub(crate) struct Proc {
    pub pid: u32,
    pub ppid: u32,
    /// argv[0], the program (Ray's renamed processes show their title here).
    pub argv0: String,
    /// argv joined with spaces.
    pub cmdline: String,
    /// `NAME=value` entries (blank or garbled for renamed Ray processes, see the module doc).
    pub environ: Vec<Vec<u8>>,
    /// Its working directory (with ` (deleted)` once the directory is removed).
    pub cwd: Option<PathBuf>,
}

impl Proc {
    pub fn has_env(&self, var: &str, value: &str) -> bool {
        let entry = format!("{var}={value}");
        self.environ.iter().any(|e| e == entry.as_bytes())
    }

    /// Whether argv[0] is the program `name` (a path ending in `/name`, or just `name`).
    pub fn runs(&self, name: &str) -> bool {
        self.argv0 == name || self.argv0.ends_with(&format!("/{name}"))
    }
}

/// Every live process of our uid but this one. Processes that exit while being read are
/// skipped: a scan is a snapshot, and callers scan again until what they wait for holds.
pub(crate) fn our_processes() -> Vec<Proc> {
    let uid = getuid().as_raw();
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me)
        .filter_map(|pid| read(pid, uid))
        .collect()
}

fn read(pid: u32, uid: u32) -> Option<Proc> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    if std::fs::metadata(&dir).ok()?.uid() != uid {
        return None;
    }
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split after the last ')'.
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None; // gone already; only its parent's wait() is missing
    }
    let ppid = fields.next()?.parse().ok()?;
    let cmdline = std::fs::read(dir.join("cmdline")).ok()?;
    let cmdline = String::from_utf8_lossy(&cmdline);
    let cmdline = cmdline.trim_end_matches('\0');
    let argv0 = cmdline.split('\0').next().unwrap_or_default().to_owned();
    let cmdline = cmdline.replace('\0', " ");
    let environ = std::fs::read(dir.join("environ"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let cwd = std::fs::read_link(dir.join("cwd")).ok();
    Some(Proc {
        pid,
        ppid,
        argv0,
        cmdline,
        environ,
        cwd,
    })
}

/// The pids of our uid's live processes whose environment holds `var=value` exactly, e.g. a
/// marker a test put in a job's `runtime_env.env_vars`. Processes that Ray renamed
/// (`ray::…`) are not seen (see the module doc); the job's own commands are.
pub fn pids_with_env(var: &str, value: &str) -> Vec<u32> {
    our_processes()
        .into_iter()
        .filter(|p| p.has_env(var, value))
        .map(|p| p.pid)
        .collect()
}

/// `seeds` and all their descendants in `all`.
pub(crate) fn with_descendants(all: &[Proc], seeds: HashSet<u32>) -> Vec<Proc> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in all {
        children.entry(p.ppid).or_default().push(p.pid);
    }
    let mut found = seeds.clone();
    let mut todo: Vec<u32> = seeds.into_iter().collect();
    while let Some(pid) = todo.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            if found.insert(child) {
                todo.push(child);
            }
        }
    }
    all.iter()
        .filter(|p| found.contains(&p.pid))
        .cloned()
        .collect()
}

/// Sends `signal` to each pid; one that is already gone is no error.
pub(crate) fn signal_all(pids: &[u32], signal: Signal) {
    for &pid in pids {
        let Ok(raw) = i32::try_from(pid) else {
            continue;
        };
        let _ = kill(Pid::from_raw(raw), signal);
    }
}

/// Polls `pending` (every 50 ms) until it returns nothing or `deadline` passes; returns what
/// it returned last.
pub(crate) fn wait_until_gone(
    deadline: Instant,
    mut pending: impl FnMut() -> Vec<u32>,
) -> Vec<u32> {
    loop {
        let left = pending();
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Which of `pids` are still live processes (zombies count as gone).
pub(crate) fn alive(pids: &[u32]) -> Vec<u32> {
    pids.iter()
        .copied()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
                !state.is_some_and(|s| s.starts_with('Z') || s.starts_with('X'))
            })
        })
        .collect()
}
