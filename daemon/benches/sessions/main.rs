//! Sessions benchmark (a bench binary): with the fixture agent standing in for Claude Code,
//!
//! - spawn-to-init: from `spawn` to the agent's `init` event (model known), one session at a
//!   time, and the throughput of `BATCH` sessions spawned at once — against tokio spawning and
//!   reaping `/bin/true` in the same run (the floor of starting any process), both with
//!   `posix_spawn` and with the fork + `pre_exec` path that the parent-death signal forces;
//! - stop-to-reaped: `stop` of a running session until its process group is reaped;
//! - event throughput: one session streaming `FLOOD` text chunks into the registry and out to a
//!   subscriber — against reading the same agent's stdout lines with no parsing at all;
//! - memory of a long turn: the process's peak RSS while one session streams a turn of
//!   `LONG_TURN` assistant messages (distinct ids, as Claude Code's are) — against its RSS
//!   idle just before. Run first, so the other phases' allocations do not blur it;
//! - memory after `ENDED` sessions: the real daemon binary's resident set once `ENDED`
//!   sessions (each given memories as context) have run and ended, over its resident set at
//!   start (target ≤ 1.5×: ended sessions live in the database, not in memory);
//! - Claude Flow ([`flow_start`]): spawn → Claude Code's init through ruflo, against a
//!   claude-code session's, both with the real CLIs (skipped loudly without npm);
//! - Ray ([`ray_start`]): spawn → init and output through the relay on a real cluster,
//!   against local, and the relay's resident set (skipped loudly without python3).
//!
//! Run: `cargo bench -p orchestrator-daemon --bench sessions`
//! (`WUNDR_BENCH_SESSIONS_ONLY=flow` or `=ray` for the Claude Flow or Ray phase alone).

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code, unused_imports)] // reason: the tests' helpers, of which this bench uses a few
mod common;
mod flow_start;
mod ray_start;

use std::sync::Arc;
use std::time::{Duration, Instant};

use orchestrator_config::AgentCommand;
use orchestrator_daemon::model::{OutputKind, SessionStatus, SessionType};
use orchestrator_daemon::supervisor::{SpawnRequest, TaskInput};
use orchestrator_daemon::{DaemonConfig, DaemonEvent, DaemonPaths, OrchestratorDaemon};
use tokio::io::AsyncBufReadExt;

const SINGLE: usize = 50;
const BATCH: usize = 300;
const FLOOD: usize = 100_000;
const LONG_TURN: usize = 1_000_000;

/// A `VmRSS`/`VmHWM`-style field of `/proc/<process>/status` (`self` or a pid), in MiB; 0
/// when the process is gone.
fn status_mib_of(process: &str, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// A field of this process's status, in MiB.
fn status_mib(field: &str) -> f64 {
    status_mib_of("self", field)
}

/// Peak RSS of one `LONG_TURN`-message turn over the RSS just before it.
async fn long_turn_memory(daemon: &OrchestratorDaemon) {
    let idle = status_mib("VmRSS");
    // Resets the peak (VmHWM) to the current RSS.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let began = Instant::now();
    let session = daemon
        .spawn(request(&format!("flood:{LONG_TURN}")))
        .await
        .unwrap();
    wait(daemon, &session.id, |s| s.status.is_ended()).await;
    let peak = status_mib("VmHWM");
    let ended = daemon.core().session(&session.id).unwrap();
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:?}");
    println!(
        "{LONG_TURN}-message turn  idle RSS {idle:.1} MiB  peak {peak:.1} MiB | ratio {:.2} (target <= 2) | {:.1} s",
        peak / idle,
        began.elapsed().as_secs_f64()
    );
}

fn request(prompt: &str) -> SpawnRequest {
    SpawnRequest {
        orchestrator_id: None,
        task: TaskInput::new(prompt),
        session_type: SessionType::ClaudeCode,
        work_dir: None,
        worktree: false,
        runner: None,
    }
}

/// Spawns `request` (a flooding session) and counts its stream chunks until its task
/// completes, calling `sample` about every 50 ms meanwhile; returns the session and the count.
async fn flood(
    daemon: &OrchestratorDaemon,
    request: SpawnRequest,
    mut sample: impl FnMut(&str),
) -> (orchestrator_daemon::model::Session, usize) {
    let mut outputs = daemon.core().subscribe_output();
    let session = daemon.spawn(request).await.unwrap();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut chunks = 0usize;
    loop {
        tokio::select! {
            _ = tick.tick() => sample(&session.id),
            output = outputs.recv() => match output {
                Ok(output) if output.session_id == session.id => match output.kind {
                    OutputKind::StreamChunk { .. } => chunks += 1,
                    OutputKind::TaskCompleted { .. } => break,
                    _ => {}
                },
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    println!("(subscriber lagged by {n})");
                }
                Err(_) => break,
            },
        }
    }
    (session, chunks)
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}

/// Waits for session `id` to satisfy `done`, woken by the daemon's events (polling would steal
/// the CPU the daemon needs).
async fn wait(
    daemon: &OrchestratorDaemon,
    id: &str,
    done: impl Fn(&orchestrator_daemon::model::Session) -> bool,
) {
    let mut events = daemon.subscribe();
    if daemon.core().session(id).is_some_and(|s| done(&s)) {
        return;
    }
    loop {
        match events.recv().await {
            Ok(DaemonEvent::SessionUpdated(s) | DaemonEvent::SessionCompleted(s)) if s.id == id => {
                if done(&s) {
                    return;
                }
            }
            Ok(_) => {}
            Err(_) => {
                if daemon.core().session(id).is_some_and(|s| done(&s)) {
                    return;
                }
            }
        }
    }
}

async fn process_floor(count: usize, fork_path: bool) -> f64 {
    let began = Instant::now();
    let mut children = Vec::new();
    for _ in 0..count {
        let mut command = tokio::process::Command::new("/bin/true");
        if fork_path {
            // SAFETY: an empty closure is async-signal-safe; it only makes std fork + exec
            // instead of posix_spawn, as the daemon's PR_SET_PDEATHSIG hook does.
            unsafe {
                command.pre_exec(|| Ok(()));
            }
        }
        children.push(command.spawn().unwrap());
    }
    for mut child in children {
        child.wait().await.unwrap();
    }
    count as f64 / began.elapsed().as_secs_f64()
}

async fn raw_line_rate() -> f64 {
    let mut child = tokio::process::Command::new(wundr_test_support::fixture_agent())
        .arg(format!("flood:{FLOOD}"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let began = Instant::now();
    let mut count = 0usize;
    while lines.next_line().await.unwrap().is_some() {
        count += 1;
    }
    child.wait().await.unwrap();
    count as f64 / began.elapsed().as_secs_f64()
}

/// A daemon's paths, all under `base`.
fn paths_in(base: &std::path::Path) -> DaemonPaths {
    let socket = base.join("run/o.sock");
    DaemonPaths {
        pid_file: orchestrator_api::paths::pid_file_for(&socket),
        socket,
        state_dir: base.join("state"),
        log_file: base.join("state/daemon.log"),
        data_dir: base.join("data"),
        config_file: base.join("config.yaml"),
    }
}

fn main() {
    let home = tempfile::Builder::new()
        .prefix("wundr-bench")
        .tempdir()
        .unwrap();
    let paths = paths_in(home.path());
    let mut config = DaemonConfig {
        port: 0,
        max_sessions: 1000,
        ..DaemonConfig::default()
    };
    config.agents.claude_code = Some(AgentCommand {
        command: Some(wundr_test_support::fixture_agent().to_owned()),
        ..AgentCommand::default()
    });
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        // For quick iterations on one figure (reported figures come from full runs).
        match std::env::var("WUNDR_BENCH_SESSIONS_ONLY").as_deref() {
            Ok("ended-rss") => return ended_sessions_rss().await,
            Ok("flow") => return flow_start::flow_start().await,
            Ok("ray") => return ray_start::ray_start().await,
            _ => {}
        }
        let daemon = Arc::new(OrchestratorDaemon::with_paths(config, paths).unwrap());
        daemon.start().await.unwrap();
        let supervisor = daemon.supervisor().unwrap().clone();
        long_turn_memory(&daemon).await;

        let (mut init, mut stop) = (Vec::new(), Vec::new());
        for _ in 0..SINGLE {
            let began = Instant::now();
            let session = daemon.spawn(request("hang")).await.unwrap();
            wait(&daemon, &session.id, |s| s.model.is_some()).await;
            init.push(began.elapsed());
            let began = Instant::now();
            supervisor.stop(&session.id, "bench").await.unwrap();
            stop.push(began.elapsed());
        }
        println!(
            "spawn-to-init   p50 {:.2} ms  p99 {:.2} ms",
            percentile(&mut init, 0.5),
            percentile(&mut init, 0.99)
        );
        println!(
            "stop-to-reaped  p50 {:.2} ms  p99 {:.2} ms",
            percentile(&mut stop, 0.5),
            percentile(&mut stop, 0.99)
        );

        let floor = process_floor(BATCH, false).await;
        let fork_floor = process_floor(BATCH, true).await;
        let mut events = daemon.subscribe();
        let began = Instant::now();
        // Spawned from their own task while this one reads the events, which would otherwise
        // pile up past the bus's buffer (each spawn now waits for its commit).
        let spawner = {
            let daemon = daemon.clone();
            tokio::spawn(async move {
                let mut ids = Vec::with_capacity(BATCH);
                for _ in 0..BATCH {
                    ids.push(daemon.spawn(request("hang")).await.unwrap().id);
                }
                ids
            })
        };
        let mut initialized = std::collections::HashSet::new();
        while initialized.len() < BATCH {
            match events.recv().await {
                Ok(DaemonEvent::SessionUpdated(s)) if s.model.is_some() => {
                    initialized.insert(s.id.clone());
                }
                Ok(_) => {}
                Err(err) => panic!("event bus: {err}"),
            }
        }
        let rate = BATCH as f64 / began.elapsed().as_secs_f64();
        let ids = spawner.await.unwrap();
        println!(
            "sessions started/s  {rate:.0}/s (to init) | tokio spawn+reap /bin/true {floor:.0}/s (posix_spawn), {fork_floor:.0}/s (fork+pre_exec) | ratio {:.2} / {:.2}",
            rate / floor,
            rate / fork_floor
        );
        for id in &ids {
            supervisor.stop(id, "bench").await.unwrap();
        }

        let raw = raw_line_rate().await;
        let began = Instant::now();
        let (session, chunks) = flood(&daemon, request(&format!("flood:{FLOOD}")), |_| {}).await;
        let rate = chunks as f64 / began.elapsed().as_secs_f64();
        println!(
            "stream chunks/s {rate:.0}/s through the registry ({chunks} chunks) | raw stdout lines {raw:.0}/s | ratio {:.2}",
            rate / raw
        );
        wait(&daemon, &session.id, |s| s.status == SessionStatus::Completed).await;
        daemon.stop().await;
        ended_sessions_rss().await;
        flow_start::flow_start().await;
        ray_start::ray_start().await;
    });
}

/// Sessions run to their end for the resident-set figure.
const ENDED: usize = 2_000;
/// Components the memories and tasks of that figure talk about: each task finds the memory of
/// its component and the records of the sessions before it on the same component.
const COMPONENTS: usize = 200;

/// Prints where process `pid`'s resident memory is: its heap and stacks (anonymous) and the
/// rest (the mapped binary and libraries).
fn print_rollup(pid: u32, when: &str) {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    let threads = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:").map(|v| v.trim().to_owned()))
        .unwrap_or_default();
    println!(
        "  daemon {when}: RSS {:.1} MiB, of which anonymous (heap, stacks) {:.1} MiB; {threads} threads",
        field("Rss:"),
        field("Anonymous:")
    );
}

/// Runs the daemon binary, gives it memories, runs `ENDED` sessions to their end from eight
/// clients, and compares its resident set after them with the one at start.
async fn ended_sessions_rss() {
    use orchestrator_api::v1;
    let home = tempfile::Builder::new()
        .prefix("wundr-rss")
        .tempdir()
        .unwrap();
    let base = home.path();
    std::fs::create_dir_all(base.join("run")).unwrap();
    let env = [
        ("HOME", base.to_path_buf()),
        ("XDG_RUNTIME_DIR", base.join("run")),
        ("XDG_STATE_HOME", base.join("state")),
        ("XDG_DATA_HOME", base.join("data")),
        ("XDG_CONFIG_HOME", base.join("config")),
    ];
    // WUNDR_BENCH_DAEMON_WRAPPER runs the daemon under a tool, e.g.
    // `valgrind --tool=massif --massif-out-file=/tmp/massif.out` to see where its heap goes.
    let wrapper = std::env::var("WUNDR_BENCH_DAEMON_WRAPPER").unwrap_or_default();
    let wrapped = !wrapper.trim().is_empty();
    let mut wrapper = wrapper.split_whitespace();
    let mut command = match wrapper.next() {
        Some(program) => {
            let mut command = std::process::Command::new(program);
            command
                .args(wrapper)
                .arg(env!("CARGO_BIN_EXE_orchestrator-daemon"));
            command
        }
        None => std::process::Command::new(env!("CARGO_BIN_EXE_orchestrator-daemon")),
    };
    command
        .args(["--port", "0", "--max-sessions", "50"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_os_str())))
        .env("CLAUDE_BIN", wundr_test_support::fixture_agent());
    // Under a wrapper (a heap profiler) the daemon runs in the foreground as our child.
    let mut child = None;
    let pid: u32 = if wrapped {
        let spawned = command.stdin(std::process::Stdio::null()).spawn().unwrap();
        let socket = base.join("run/wundr/orchestrator.sock");
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let pid = spawned.id();
        child = Some(spawned);
        pid
    } else {
        let out = command.arg("--daemonize").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let channel = orchestrator_api::connect(&base.join("run/wundr/orchestrator.sock"))
        .await
        .unwrap();
    let mut memory = v1::memory_client::MemoryClient::new(channel.clone());
    for i in 0..COMPONENTS {
        let content = format!(
            "component{i} deploys with scripts/ship-{i}.sh; its last build needed the cache \
             warmed first and the staging database migrated before the canary went out"
        );
        let request = v1::AddMemoryRequest {
            tier: "semantic".to_owned(),
            content,
            ..Default::default()
        };
        memory.add(request).await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let at_start = status_mib_of(&pid.to_string(), "VmRSS");
    print_rollup(pid, "at start");
    let ended = std::env::var("WUNDR_BENCH_ENDED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(ENDED);
    let clients: Vec<_> = (0..8)
        .map(|client| {
            let mut sessions = v1::sessions_client::SessionsClient::new(channel.clone());
            tokio::spawn(async move {
                for i in (client..ended).step_by(8) {
                    let request = v1::SpawnSessionRequest {
                        task: Some(v1::TaskSpec {
                            description: format!(
                                "deploy component{} again and check its canary",
                                i % COMPONENTS
                            ),
                            ..Default::default()
                        }),
                        ..Default::default()
                    };
                    sessions.spawn(request).await.unwrap();
                }
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let mut sessions = v1::sessions_client::SessionsClient::new(channel.clone());
    let not_ended = v1::ListSessionsRequest {
        limit: 1,
        statuses: [
            v1::SessionStatus::Queued,
            v1::SessionStatus::Initializing,
            v1::SessionStatus::Running,
        ]
        .map(|s| s as i32)
        .to_vec(),
        ..Default::default()
    };
    while sessions
        .list(not_ended.clone())
        .await
        .unwrap()
        .into_inner()
        .total
        > 0
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    print_rollup(pid, "after");
    let after = status_mib_of(&pid.to_string(), "VmRSS");
    let context = sessions
        .list(v1::ListSessionsRequest {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .sessions[0]
        .memory_context_json
        .len();
    println!(
        "daemon RSS after {ended} ended sessions ({context} bytes of memory context each) {after:.1} MiB | at start {at_start:.1} MiB | ratio {:.2} (target <= 1.5)",
        after / at_start
    );
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    match child {
        Some(mut child) => drop(child.wait()),
        None => {
            while status_mib_of(&pid.to_string(), "VmRSS") > 0.0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
