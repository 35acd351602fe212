//! Ending a [`RayCluster`], whole ([`RayCluster::stop`], or on drop) or one worker at a time
//! ([`RayCluster::kill_node`]), and finding its processes ([`RayCluster::pids`]).
//!
//! `ray stop` is never used: it kills every Ray process on the machine by name, other tests'
//! clusters included. The order is the one `RAY_LOCAL_CLUSTER.md` measured to leave nothing:
//! SIGTERM the raylets (they take their workers and agents down), then the other daemons, the
//! GCS last (stopped together with the rest, `monitor.py` outlived it by 20 s), SIGKILL what is
//! left after ~10 s, and last the job commands that outlive their supervisor, which hold
//! `RAY_ADDRESS=<gcs>` in their environment.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::cluster::{MARKER, RayCluster};
use super::procs::{Proc, alive, our_processes, signal_all, wait_until_gone, with_descendants};

/// How long the daemons get to exit on SIGTERM before SIGKILL (they need 1–5 s).
const GRACE: Duration = Duration::from_secs(10);

impl RayCluster {
    /// The pids of every process of this cluster now: daemons, workers, jobs and what the
    /// jobs started.
    pub fn pids(&self) -> Vec<u32> {
        self.processes().iter().map(|p| p.pid).collect()
    }

    /// A process is the cluster's when its cwd is under the temp dir (every node's `ray start`
    /// runs from there and Ray's processes keep it), its environment holds the cluster's
    /// marker or `RAY_ADDRESS=<gcs>` (a job that `cd`s away), or its command line names the
    /// temp dir or the GCS address; and so is every descendant of one, because Ray's renamed
    /// processes (`ray::IDLE`, `ray::JobSupervisor`, the dashboard's modules) have blank
    /// environments and titles instead of command lines.
    pub(super) fn processes(&self) -> Vec<Proc> {
        let all = our_processes();
        let temp = self.temp.to_string_lossy().into_owned();
        let temp_slash = format!("{temp}/");
        let gcs = self.gcs_address();
        let seeds: HashSet<u32> = all
            .iter()
            .filter(|p| {
                p.cwd
                    .as_ref()
                    .is_some_and(|cwd| cwd.starts_with(&self.temp))
                    || p.has_env(MARKER, &temp)
                    || p.has_env("RAY_ADDRESS", &gcs)
                    || p.cmdline.contains(&temp_slash)
                    || mentions_address(&p.cmdline, &gcs)
            })
            .map(|p| p.pid)
            .collect();
        with_descendants(&all, seeds)
    }

    /// SIGKILLs the raylet of worker `name`, as if its machine died, and returns its pid once it
    /// is gone. Its agents and job supervisors exit by themselves within ~2 s; the job's own
    /// commands live on as orphans (as on a real machine whose raylet crashed); the GCS marks
    /// the node `DEAD` after ~13 s (see [`Self::wait_for_node_state`]).
    pub fn kill_node(&self, name: &str) -> u32 {
        assert_ne!(
            name, "head",
            "kill_node is for workers: the head holds the GCS"
        );
        let spec = self.spec(name).clone();
        // The raylet runs from the node's directory and is told its IP; either identifies it.
        let flag = format!("--node_ip_address={} ", spec.ip);
        let raylets: Vec<u32> = self
            .processes()
            .iter()
            .filter(|p| p.runs("raylet"))
            .filter(|p| {
                p.cwd.as_ref() == Some(&spec.dir) || format!("{} ", p.cmdline).contains(&flag)
            })
            .map(|p| p.pid)
            .collect();
        assert_eq!(
            raylets.len(),
            1,
            "expected one raylet of {name}, found {raylets:?}"
        );
        signal_all(&raylets, Signal::SIGKILL);
        let left = wait_until_gone(Instant::now() + Duration::from_secs(5), || alive(&raylets));
        assert!(
            left.is_empty(),
            "the raylet of {name} survived SIGKILL: {left:?}"
        );
        raylets[0]
    }

    /// Stops every process of the cluster and removes its temp dir; panics if anything is left.
    pub fn stop(mut self) {
        let left = self.shutdown();
        assert!(
            left.is_empty(),
            "the Ray cluster left processes behind: {left:#?}"
        );
    }

    /// Stops everything (see the module doc); returns what could not be stopped.
    fn shutdown(&mut self) -> Vec<String> {
        self.stopped = true;
        let began = Instant::now();
        self.terminate(|p| p.runs("raylet"), began + GRACE * 3 / 10);
        self.terminate(|p| !p.runs("gcs_server"), began + GRACE * 6 / 10);
        self.terminate(|_| true, began + GRACE);
        // Whatever is left, including escaped job commands (`RAY_ADDRESS=<gcs>`, matched by
        // `processes`), and anything a dying daemon spawned meanwhile: SIGKILL until none.
        let left = wait_until_gone(Instant::now() + Duration::from_secs(5), || {
            let pids = self.pids();
            signal_all(&pids, Signal::SIGKILL);
            pids
        });
        let mut problems: Vec<String> = self
            .processes()
            .into_iter()
            .filter(|p| left.contains(&p.pid))
            .map(|p| format!("{} {}", p.pid, p.cmdline))
            .collect();
        if let Err(e) = std::fs::remove_dir_all(&self.temp) {
            problems.push(format!("cannot remove {}: {e}", self.temp.display()));
        }
        eprintln!(
            "Ray cluster {} stopped in {:.1?}",
            self.temp.display(),
            began.elapsed()
        );
        problems
    }

    /// SIGTERMs the cluster's processes that `which` picks and waits for them until `deadline`.
    fn terminate(&self, which: impl Fn(&Proc) -> bool, deadline: Instant) {
        let pids: Vec<u32> = self
            .processes()
            .iter()
            .filter(|p| which(p))
            .map(|p| p.pid)
            .collect();
        signal_all(&pids, Signal::SIGTERM);
        wait_until_gone(deadline, || alive(&pids));
    }
}

impl Drop for RayCluster {
    /// A cluster that was not stopped (a failed test, a failed start) is stopped here; this
    /// must not panic (it may run while a panic unwinds), so leftovers are only reported.
    fn drop(&mut self) {
        if !self.stopped {
            let left = self.shutdown();
            if !left.is_empty() {
                eprintln!("the dropped Ray cluster left processes behind: {left:#?}");
            }
        }
    }
}

/// Whether `text` holds `address` (`ip:port`) not followed by another digit, so that port
/// 4100 does not match 41003.
fn mentions_address(text: &str, address: &str) -> bool {
    text.match_indices(address).any(|(at, _)| {
        !text[at + address.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}
