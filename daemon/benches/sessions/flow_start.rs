//! The Claude Flow phase of the sessions bench: how much later a session's Claude Code is up
//! when ruflo (`claude-flow@3.43.0`, `hive-mind spawn --claude`) starts it than when the
//! daemon starts it itself. Both run the real Claude Code 2.1.330 against the scripted model
//! (one text reply), under the README's charter, interleaved round by round in one daemon:
//!
//! - spawn → init: from `spawn` to Claude Code's `system/init` event (the session's model
//!   known), the first event of the agent that does the work;
//! - spawn → ended: the whole one-reply session.
//!
//! The first flow session also initialises the hive (`hive-mind init`); it is reported on its
//! own, the rounds after it run in the initialised hive.
//!
//! One run (2026-12-06, 2 cores, load ≈ 1.5, `WUNDR_BENCH_SESSIONS_ONLY=flow`):
//!
//! ```text
//! spawn → Claude Code init, p50 of 10: claude-code 375 ms | claude-flow (ruflo) 715 ms | ratio 1.91x
//! spawn → ended (one reply), p50 of 10: claude-code 481 ms | claude-flow 819 ms | ratio 1.70x
//! first flow session, with hive-mind init: init 1045 ms, ended 1161 ms
//! ```
//! The ~340 ms between the two is mostly ruflo's own start before it runs Claude Code (node,
//! its hive bookkeeping, the coordination prompt): the same one-reply `hive-mind spawn` run
//! by hand, without the daemon, took 0.70 s wall on this machine.

use std::time::{Duration, Instant};

use orchestrator_daemon::model::{Session, SessionType};
use orchestrator_daemon::supervisor::{SpawnRequest, TaskInput};
use orchestrator_daemon::{DaemonEvent, OrchestratorDaemon};
use wundr_test_support::Script;

use crate::common::TestHome;
use crate::common::charter_gen::readme_charter;
use crate::common::claude::real_claude_flow;
use crate::common::scripted::ScriptedAgents;

const ROUNDS: usize = 10;

/// Waits until session `id` satisfies `done`, woken by the daemon's events.
async fn until(daemon: &OrchestratorDaemon, id: &str, done: impl Fn(&Session) -> bool) {
    let mut events = daemon.subscribe();
    if daemon.core().session(id).is_some_and(|s| done(&s)) {
        return;
    }
    loop {
        match events.recv().await {
            Ok(DaemonEvent::SessionUpdated(s) | DaemonEvent::SessionCompleted(s))
                if s.id == id && done(&s) =>
            {
                return;
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

/// Spawns one session of `session_type` and times it: (spawn → init, spawn → ended).
async fn timed(
    daemon: &OrchestratorDaemon,
    session_type: SessionType,
    work: &std::path::Path,
) -> (Duration, Duration) {
    let began = Instant::now();
    let session = daemon
        .spawn(SpawnRequest {
            orchestrator_id: None,
            task: TaskInput::new("say hello"),
            session_type,
            work_dir: Some(work.to_owned()),
            worktree: false,
            runner: None,
        })
        .await
        .unwrap();
    until(daemon, &session.id, |s| s.model.is_some()).await;
    let init = began.elapsed();
    until(daemon, &session.id, |s| s.status.is_ended()).await;
    let ended = began.elapsed();
    let session = daemon.core().session(&session.id).unwrap();
    assert!(
        session.error.is_none(),
        "{} session failed: {:?}",
        session_type.as_str(),
        session.error
    );
    (init, ended)
}

fn p50_ms(samples: &mut [Duration]) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}

/// Runs the phase and prints its lines; skips loudly without the real CLIs.
pub async fn flow_start() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| Script::new([])) else {
        return;
    };
    let Some(flow) = real_claude_flow() else {
        return;
    };
    let charter = readme_charter(home.path(), "");
    let daemon = crate::common::sessions::start(&home, agents.flow_config(&charter, &flow)).await;
    let (code_dir, flow_dir) = (agents.work.join("code"), agents.work.join("flow"));
    for dir in [&code_dir, &flow_dir] {
        std::fs::create_dir_all(dir).unwrap();
    }
    // Warm the disk cache for both programs before anything is timed.
    timed(&daemon, SessionType::ClaudeCode, &code_dir).await;
    let (hive_init, hive_ended) = timed(&daemon, SessionType::ClaudeFlow, &flow_dir).await;

    let (mut code_init, mut code_ended, mut flow_init, mut flow_ended) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (init, ended) = timed(&daemon, SessionType::ClaudeCode, &code_dir).await;
        code_init.push(init);
        code_ended.push(ended);
        let (init, ended) = timed(&daemon, SessionType::ClaudeFlow, &flow_dir).await;
        flow_init.push(init);
        flow_ended.push(ended);
    }
    daemon.stop().await;
    let (ci, fi) = (p50_ms(&mut code_init), p50_ms(&mut flow_init));
    let (ce, fe) = (p50_ms(&mut code_ended), p50_ms(&mut flow_ended));
    println!(
        "spawn → Claude Code init, p50 of {ROUNDS}: claude-code {ci:.0} ms | claude-flow (ruflo) {fi:.0} ms | ratio {:.2}x",
        fi / ci
    );
    println!(
        "spawn → ended (one reply), p50 of {ROUNDS}: claude-code {ce:.0} ms | claude-flow {fe:.0} ms | ratio {:.2}x",
        fe / ce
    );
    println!(
        "first flow session, with hive-mind init: init {:.0} ms, ended {:.0} ms",
        hive_init.as_secs_f64() * 1e3,
        hive_ended.as_secs_f64() * 1e3
    );
}
