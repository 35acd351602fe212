//! Stall detection against a real in-process daemon whose sessions run the fixture agent: a
//! session whose agent stays quiet with its turn open for `stallTimeout` is marked
//! (`stalledSince`), counted in the status, announced once, and unmarked by its next output; a
//! wait for a person is not a stall; `stallAction: stop` ends it as failed with the reason.
//! Interrupting and nudging the real Claude Code CLI is in `real_claude/stalls.rs`.

use crate::common;

use std::time::Duration;

use common::TestHome;
use common::sessions::{agent_config, fixture_agent, request, start, wait_ended, wait_for};
use orchestrator_config::StallAction;
use orchestrator_daemon::model::{OutputKind, SessionStatus};
use orchestrator_daemon::{DaemonConfig, DaemonEvent};

fn config(stall_after: Duration, action: StallAction) -> DaemonConfig {
    let mut config = agent_config(fixture_agent());
    config.stall.timeout = Some(stall_after);
    config.stall.action = action;
    config
}

/// The `session:stalled` events of session `id` among `events` received so far.
fn stalls_of(
    events: &mut tokio::sync::broadcast::Receiver<DaemonEvent>,
    id: &str,
) -> Vec<Duration> {
    let mut found = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let DaemonEvent::SessionStalled { session, idle_for } = event
            && session.id == id
        {
            found.push(idle_for);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_session_is_marked_once_and_unmarked_by_its_next_output() {
    let home = TestHome::new();
    let daemon = start(&home, config(Duration::from_secs(1), StallAction::None)).await;
    let mut events = daemon.subscribe();
    let mut outputs = daemon.core().subscribe_output();
    let cue = home.path().join("go-on");
    let id = daemon
        .spawn(request(&format!("until:{} hello", cue.display())))
        .await
        .unwrap()
        .id;

    let stalled = wait_for(&daemon, &id, "the session to stall", |s| {
        s.stalled_since.is_some()
    })
    .await;
    assert_eq!(stalled.status, SessionStatus::Running);
    assert_eq!(daemon.status().sessions.stalled, 1);
    // Quiet on: still one announcement.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let announced = stalls_of(&mut events, &id);
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert!(announced[0] >= Duration::from_secs(1), "{announced:?}");

    std::fs::write(&cue, "").unwrap();
    let ended = wait_ended(&daemon, &id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(ended.stalled_since, None);
    assert_eq!(daemon.status().sessions.stalled, 0);
    let mut lines = Vec::new();
    while let Ok(output) = outputs.try_recv() {
        if let (true, OutputKind::Line { line, .. }) = (output.session_id == id, output.kind) {
            lines.push(line);
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[stalled] no progress for ")),
        "the session's output says it stalled: {lines:?}"
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_output_unmarks_a_stalled_session_while_it_runs() {
    let home = TestHome::new();
    let charter = home.path().join("charter.yaml");
    std::fs::write(
        &charter,
        "name: c\nsafetyHeuristics:\n  escalate: [\"make deploy\"]\napprovalTimeoutSeconds: 30\n",
    )
    .unwrap();
    let mut config = config(Duration::from_secs(1), StallAction::None);
    config.charter = Some(charter);
    let daemon = start(&home, config).await;
    let cue = home.path().join("go-on");
    // After the cue it asks a person, so it stays running with its stall over.
    let script = format!("until:{} ask:Bash make deploy", cue.display());
    let id = daemon.spawn(request(&script)).await.unwrap().id;
    wait_for(&daemon, &id, "the session to stall", |s| {
        s.stalled_since.is_some()
    })
    .await;
    std::fs::write(&cue, "").unwrap();
    let waiting = wait_for(&daemon, &id, "the agent to ask", |s| {
        s.waiting_for.is_some()
    })
    .await;
    assert_eq!(waiting.stalled_since, None, "its question was progress");
    assert_eq!(waiting.status, SessionStatus::Running);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_person_is_not_a_stall() {
    let home = TestHome::new();
    let charter = home.path().join("charter.yaml");
    std::fs::write(
        &charter,
        "name: c\nsafetyHeuristics:\n  escalate: [\"make deploy\"]\napprovalTimeoutSeconds: 3\n",
    )
    .unwrap();
    let mut config = config(Duration::from_secs(1), StallAction::Stop);
    config.charter = Some(charter);
    let daemon = start(&home, config).await;
    let mut events = daemon.subscribe();
    let id = daemon
        .spawn(request("ask:Bash make deploy"))
        .await
        .unwrap()
        .id;
    // Nobody answers for 3 s (three stall timeouts); then it is a deny and the turn completes.
    let ended = wait_ended(&daemon, &id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(stalls_of(&mut events, &id), Vec::<Duration>::new());
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_action_stop_fails_the_session_with_the_reason() {
    let home = TestHome::new();
    let daemon = start(&home, config(Duration::from_secs(1), StallAction::Stop)).await;
    let id = daemon.spawn(request("hang")).await.unwrap().id;
    let ended = wait_ended(&daemon, &id).await;
    assert_eq!(ended.status, SessionStatus::Failed, "{ended:#?}");
    let error = ended.error.unwrap_or_default();
    assert!(
        error.starts_with("stopped: stalled, no progress for 1s"),
        "{error}"
    );
    assert_eq!(ended.stalled_since, None);
    daemon.stop().await;
}
