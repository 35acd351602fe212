//! `kill -9` of the real daemon binary in the middle of spawns, hook calls and memory writes,
//! in a loop: whatever it acknowledged is there after the restart. Sessions it was running
//! come back failed as of when the daemon died, with their task failed too.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::sys::signal::Signal;
use orchestrator_api::v1;
use orchestrator_api::v1::charter_client::CharterClient;
use orchestrator_api::v1::memory_client::MemoryClient;
use orchestrator_api::v1::sessions_client::SessionsClient;

use crate::common::daemon_binary::{RunningDaemon, start};
use crate::common::sessions::fixture_agent;
use crate::common::{TestHome, alive, wait_until};

/// Rounds of start, load, kill -9.
const ROUNDS: usize = 8;
/// Acknowledged spawns after which a round kills the daemon.
const KILL_AFTER: usize = 24;
/// Clients spawning at once: the kill lands while several acknowledgements are in flight.
const SPAWNERS: usize = 6;

fn env() -> [(&'static str, &'static str); 2] {
    // One slot: most sessions wait queued, so the kill lands among writes, not agents.
    [
        ("CLAUDE_BIN", fixture_agent()),
        ("ORCHESTRATOR_MAX_SESSIONS", "1"),
    ]
}

/// What the daemon said yes to.
#[derive(Default)]
struct Acked {
    sessions: Vec<String>,
    memories: Vec<String>,
    decisions: Vec<String>,
}

fn kill_now(daemon: &RunningDaemon) {
    daemon.signal(Signal::SIGKILL);
    assert!(
        wait_until(Duration::from_secs(10), || (!alive(daemon.pid))
            .then_some(()))
        .is_some(),
        "the daemon survived SIGKILL"
    );
}

/// Spawns from several clients, remembers and asks for decisions at once, and kills the daemon
/// with SIGKILL the moment its `KILL_AFTER`th spawn of the round is acknowledged.
async fn load_then_kill(home: &TestHome, round: usize, acked: Arc<Mutex<Acked>>) {
    let daemon = Arc::new(start(home, &env()));
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let target = acked.lock().unwrap().sessions.len() + KILL_AFTER;
    let spawners = (0..SPAWNERS).map(|client_no| {
        let (acked, daemon) = (acked.clone(), daemon.clone());
        let mut client = SessionsClient::new(channel.clone());
        async move {
            for i in 0.. {
                let request = v1::SpawnSessionRequest {
                    task: Some(v1::TaskSpec {
                        description: format!("hang round {round} client {client_no} job {i}"),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                let Ok(session) = client.spawn(request).await else {
                    return;
                };
                let done = {
                    let mut acked = acked.lock().unwrap();
                    acked.sessions.push(session.into_inner().id);
                    acked.sessions.len() == target
                };
                if done {
                    kill_now(&daemon);
                    return;
                }
            }
        }
    });
    let spawner = futures_util::future::join_all(spawners);
    let rememberer = {
        let (acked, mut client) = (acked.clone(), MemoryClient::new(channel.clone()));
        async move {
            for i in 0.. {
                let request = v1::AddMemoryRequest {
                    tier: "episodic".to_owned(),
                    content: format!("round {round} fact {i}"),
                    ..Default::default()
                };
                let Ok(entry) = client.add(request).await else {
                    return;
                };
                acked.lock().unwrap().memories.push(entry.into_inner().id);
            }
        }
    };
    let asker = {
        let (acked, mut client) = (acked.clone(), CharterClient::new(channel));
        async move {
            for i in 0.. {
                let command = format!("echo round-{round}-call-{i}");
                let request = v1::HookRequest {
                    session_id: "session_outside".to_owned(),
                    event: "PreToolUse".to_owned(),
                    input_json: serde_json::json!({
                        "hook_event_name": "PreToolUse",
                        "tool_name": "Bash", "tool_input": {"command": command}
                    })
                    .to_string(),
                };
                if client.hook(request).await.is_err() {
                    return;
                }
                acked.lock().unwrap().decisions.push(command);
            }
        }
    };
    tokio::join!(spawner, rememberer, asker);
}

#[tokio::test]
async fn kill_9_in_a_loop_loses_nothing_acknowledged() {
    let home = TestHome::new();
    let acked = Arc::new(Mutex::new(Acked::default()));
    for round in 0..ROUNDS {
        load_then_kill(&home, round, acked.clone()).await;
    }
    let daemon = start(&home, &env());
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let mut sessions = SessionsClient::new(channel.clone());
    let mut missing = Vec::new();
    for id in &acked.sessions {
        let found = sessions
            .get(v1::SessionRef {
                session_id: id.clone(),
            })
            .await;
        if found.is_err() {
            missing.push(id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged spawns are gone after kill -9: {missing:?}",
        missing.len(),
        acked.sessions.len()
    );
    let export = MemoryClient::new(channel.clone())
        .export(v1::ExportMemoryRequest {})
        .await
        .unwrap()
        .into_inner();
    let document: serde_json::Value = serde_json::from_str(&export.document_json).unwrap();
    let stored: HashSet<&str> = document["episodic"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    let lost: Vec<&String> = acked
        .memories
        .iter()
        .filter(|id| !stored.contains(id.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged memories are gone: {lost:?}");
    let audit = CharterClient::new(channel)
        .list_audit(v1::ListAuditRequest {
            session_id: "session_outside".to_owned(),
            limit: 10_000,
        })
        .await
        .unwrap()
        .into_inner();
    let recorded: HashSet<&str> = audit
        .entries
        .iter()
        .map(|e| e.input_summary.as_str())
        .collect();
    let unrecorded: Vec<&String> = acked
        .decisions
        .iter()
        .filter(|c| !recorded.contains(c.as_str()))
        .collect();
    assert!(
        unrecorded.is_empty(),
        "answered decisions are not in the audit: {unrecorded:?}"
    );
    assert!(acked.sessions.len() >= ROUNDS * KILL_AFTER);
    eprintln!(
        "{} spawns, {} memories and {} decisions were acknowledged across {ROUNDS} kills",
        acked.sessions.len(),
        acked.memories.len(),
        acked.decisions.len()
    );
    assert!(!acked.memories.is_empty() && !acked.decisions.is_empty());
    drop(daemon);
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn a_session_running_at_kill_9_comes_back_failed_as_of_the_kill() {
    let home = TestHome::new();
    let daemon = start(&home, &env());
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let mut sessions = SessionsClient::new(channel);
    let id = sessions
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: "hang".to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .id;
    let running = |s: &v1::Session| s.status() == v1::SessionStatus::Running;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = sessions
            .get(v1::SessionRef {
                session_id: id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        if running(&s) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never ran: {s:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed_at = unix_ms();
    kill_now(&daemon);
    // The restart comes a while after the death.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let restarted_at = unix_ms();
    let _daemon = start(&home, &env());
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let session = SessionsClient::new(channel)
        .get(v1::SessionRef { session_id: id })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(session.status(), v1::SessionStatus::Failed);
    assert!(session.error.contains("interrupted"), "{session:?}");
    let task = session.task.unwrap();
    assert_eq!(task.status, "failed", "the task ended with its session");
    assert!(
        session.ended_at_unix_ms <= killed_at
            && session.ended_at_unix_ms >= session.started_at_unix_ms,
        "it ended when the daemon died ({killed_at}), not at the restart ({restarted_at}): {}",
        session.ended_at_unix_ms
    );
    assert_eq!(task.updated_at_unix_ms, session.ended_at_unix_ms);
}
