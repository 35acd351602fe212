//! The charter's memory limit: [`group_rss_bytes`] sums the resident set of every process in
//! an agent's process group (from `/proc`, so children the agent started count too), and
//! [`watch`] samples each running session at the heartbeat interval and stops the ones over
//! `resourceLimits.memory.maxHeapMB`, with that reason.

use std::sync::Arc;

use tokio::time::MissedTickBehavior;

use crate::core::Core;
use crate::supervisor::Supervisor;

/// The resident memory of process group `pgid`, in bytes (0 when nothing is found).
pub fn group_rss_bytes(pgid: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        // A process may exit between the listing and the read: skip it.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        if process_group(&stat) != Some(pgid) {
            continue;
        }
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            total += vm_rss_kib(&status).unwrap_or(0) * 1024;
        }
    }
    total
}

/// Field 5 of `/proc/<pid>/stat`, read after the command name's closing parenthesis (the
/// name itself may hold spaces and parentheses).
fn process_group(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// `VmRSS:  1234 kB` of `/proc/<pid>/status`.
fn vm_rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Samples every running session each heartbeat and stops those over the charter's limit.
pub async fn watch(core: Arc<Core>, supervisor: Arc<Supervisor>) {
    let mut tick = tokio::time::interval(core.config().heartbeat_interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let closing = core.closing().clone();
    loop {
        tokio::select! {
            _ = closing.cancelled() => return,
            _ = tick.tick() => {}
        }
        let limit_mb = core
            .charter()
            .charter
            .resource_limits
            .memory
            .as_ref()
            .and_then(|m| m.max_heap_mb)
            .and_then(|mb| u64::try_from(mb).ok())
            .filter(|mb| *mb > 0);
        let Some(limit_mb) = limit_mb else { continue };
        let limit = limit_mb * 1024 * 1024;
        for session in core.live_sessions() {
            let Some(pid) = session.pid.filter(|_| session.status.is_active()) else {
                continue;
            };
            let rss = tokio::task::spawn_blocking(move || group_rss_bytes(pid))
                .await
                .unwrap_or(0);
            if rss <= limit {
                continue;
            }
            let reason = format!(
                "stopped: the agent's processes use {} MiB, over the charter's \
                 resourceLimits.memory.maxHeapMB ({limit_mb} MiB)",
                rss / (1024 * 1024)
            );
            tracing::warn!(session = %session.id, rss, limit, "{reason}");
            let supervisor = supervisor.clone();
            let id = session.id.clone();
            // Stopping waits for the agent to exit; other sessions are sampled meanwhile.
            tokio::spawn(async move {
                if let Err(err) = supervisor.stop(&id, &reason).await {
                    tracing::debug!(session = %id, %err, "memory-limit stop not needed");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_group_of_odd_names_and_this_process_rss() {
        assert_eq!(process_group("42 (a) b) S 1 777 777 0"), Some(777));
        assert_eq!(vm_rss_kib("Name:\tx\nVmRSS:\t  2048 kB\n"), Some(2048));
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        let pgid = process_group(&own).unwrap();
        assert!(
            group_rss_bytes(pgid) > 1024 * 1024,
            "this test's group uses memory"
        );
        assert_eq!(group_rss_bytes(u32::MAX - 1), 0);
    }
}
