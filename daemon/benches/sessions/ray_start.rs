//! The Ray phase of the sessions bench: what running a session as a Ray job costs against
//! running it on this machine, in one daemon, with the fixture agent standing in for Claude
//! Code, on a real cluster of a head and one worker on this machine (Ray 2.60 from the
//! tests' venv; skipped loudly without python3):
//!
//! - spawn → init: from `spawn` to the agent's `init` event (model known), sessions one at a
//!   time, local and Ray interleaved round by round;
//! - output: stream chunks/s of one session flooding `FLOOD` text chunks, through the relay
//!   against local (target ≥ 0.5×);
//! - the relay's resident set, sampled while it streams (target ≤ 10 MB), and its guard's.
//!
//! Run: `WUNDR_BENCH_SESSIONS_ONLY=ray cargo bench -p orchestrator-daemon --bench sessions`
//!
//! One run (2026-12-06, 2 cores, load ≈ 1.9, the cluster's own daemons idling beside):
//!
//! ```text
//! spawn → init, p50 of 10: local 2 ms | Ray job on a worker 788 ms | ratio 330.1x (p99 local 3 ms, Ray 1142 ms)
//! output of one session (100000 chunks): local 85728/s | through the relay 52220/s | ratio 0.61 (target >= 0.5)
//! relay peak RSS while streaming 6.2 MiB (target <= 10 MB) | its guard 5.0 MiB
//! ```
//! The start is Ray's: a job's supervisor worker starts for every job (about 0.8 s here, as
//! `RAY_LOCAL_CLUSTER.md` measured with curl), then the relay dials in and starts the agent.
//! The output ratio moved between 0.54 and 0.61 over four runs: through the relay a line
//! crosses three processes instead of two, on the same two cores.

use std::time::Instant;

use orchestrator_config::{AgentCommand, RaySettings, RunnerKind};
use orchestrator_daemon::model::SessionStatus;
use orchestrator_daemon::supervisor::SpawnRequest;
use orchestrator_daemon::{DaemonConfig, OrchestratorDaemon};
use wundr_test_support::ray::{RayCluster, real_ray};

use super::{percentile, status_mib_of, wait};

const ROUNDS: usize = 10;
const FLOOD: usize = 100_000;

fn request(prompt: &str, runner: RunnerKind) -> SpawnRequest {
    SpawnRequest {
        runner: Some(runner),
        ..super::request(prompt)
    }
}

/// The pids whose command line is `wundr orchestrator <what> … --session <id> …`.
fn pids_of(what: &str, session: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let has = |word: &str| args.contains(&word.as_bytes());
        if has(what) && has(session) {
            found.push(pid);
        }
    }
    found
}

/// Chunks/s of one `flood` session on `runner`, and the peak RSS (MiB) of its relay and
/// guard seen while it streamed (0 for local).
async fn flood(daemon: &OrchestratorDaemon, runner: RunnerKind) -> (f64, f64, f64) {
    let (mut relay_peak, mut guard_peak) = (0.0f64, 0.0f64);
    let began = Instant::now();
    let (session, chunks) =
        super::flood(daemon, request(&format!("flood:{FLOOD}"), runner), |id| {
            for pid in pids_of("relay", id) {
                relay_peak = relay_peak.max(status_mib_of(&pid.to_string(), "VmHWM"));
            }
            for pid in pids_of("relay-guard", id) {
                guard_peak = guard_peak.max(status_mib_of(&pid.to_string(), "VmHWM"));
            }
        })
        .await;
    let rate = chunks as f64 / began.elapsed().as_secs_f64();
    wait(daemon, &session.id, |s| {
        s.status == SessionStatus::Completed
    })
    .await;
    (rate, relay_peak, guard_peak)
}

pub async fn ray_start() {
    let Some(install) = real_ray() else {
        println!("SKIPPED: the Ray phase (no Ray venv could be had here)");
        return;
    };
    let wundr = super::common::daemon_binary::wundr_binary();
    let bin_dir = wundr.parent().unwrap().to_owned();
    let cluster = RayCluster::start(&install, &["w1"], &[bin_dir]);
    let home = tempfile::Builder::new()
        .prefix("wundr-ray")
        .tempdir()
        .unwrap();
    let paths = super::paths_in(home.path());
    let mut ray = RaySettings::new(cluster.dashboard_url());
    ray.resources.insert("node_w1".into(), 0.001);
    ray.wundr_command = wundr.display().to_string();
    let mut config = DaemonConfig {
        port: 0,
        ray: Some(ray),
        ..DaemonConfig::default()
    };
    config.agents.claude_code = Some(AgentCommand {
        command: Some(wundr_test_support::fixture_agent().to_owned()),
        ..AgentCommand::default()
    });
    let daemon = OrchestratorDaemon::with_paths(config, paths).unwrap();
    daemon.start().await.unwrap();
    let supervisor = daemon.supervisor().unwrap().clone();

    let (mut local, mut remote) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (runner, samples) in [
            (RunnerKind::Local, &mut local),
            (RunnerKind::Ray, &mut remote),
        ] {
            let began = Instant::now();
            let session = daemon.spawn(request("hang", runner)).await.unwrap();
            wait(&daemon, &session.id, |s| s.model.is_some()).await;
            samples.push(began.elapsed());
            supervisor.stop(&session.id, "bench").await.unwrap();
        }
    }
    let (local_p50, ray_p50) = (percentile(&mut local, 0.5), percentile(&mut remote, 0.5));
    println!(
        "spawn → init, p50 of {ROUNDS}: local {local_p50:.0} ms | Ray job on a worker {ray_p50:.0} ms | ratio {:.1}x (p99 local {:.0} ms, Ray {:.0} ms)",
        ray_p50 / local_p50,
        percentile(&mut local, 0.99),
        percentile(&mut remote, 0.99),
    );

    let (local_rate, _, _) = flood(&daemon, RunnerKind::Local).await;
    let (ray_rate, relay_peak, guard_peak) = flood(&daemon, RunnerKind::Ray).await;
    println!(
        "output of one session ({FLOOD} chunks): local {local_rate:.0}/s | through the relay {ray_rate:.0}/s | ratio {:.2} (target >= 0.5)",
        ray_rate / local_rate
    );
    println!(
        "relay peak RSS while streaming {relay_peak:.1} MiB (target <= 10 MB) | its guard {guard_peak:.1} MiB"
    );
    daemon.stop().await;
    cluster.stop();
}
