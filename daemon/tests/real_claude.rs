//! Sessions with the real Claude Code CLI 2.1.330. Offline and not logged in, every turn ends
//! in "Not logged in · Please run /login": the session must fail with exactly that, with zero
//! tokens, and leave no process behind.

mod common;

use std::time::Duration;

use common::claude::real_claude;
use common::{TestHome, alive};
use nix::sys::signal::Signal;
use orchestrator_api::v1;
use orchestrator_api::v1::sessions_client::SessionsClient;

/// No process anywhere still carries this session's id in its environment.
fn no_process_of(session_id: &str) -> bool {
    let marker = format!("WUNDR_SESSION_ID={session_id}");
    std::fs::read_dir("/proc").unwrap().flatten().all(|entry| {
        std::fs::read(entry.path().join("environ"))
            .map(|env| !env.split(|b| *b == 0).any(|e| e == marker.as_bytes()))
            .unwrap_or(true)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_logged_in_claude_fails_the_session_with_its_message() {
    let Some(claude) = real_claude() else { return };
    let home = TestHome::new();
    let daemon = common::daemon_binary::start(&home, &[("CLAUDE_BIN", claude.to_str().unwrap())]);
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let mut sessions = SessionsClient::new(channel);
    let spawned = sessions
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: "say hi".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut follow = sessions
        .follow(v1::FollowSessionRequest {
            session_id: spawned.id.clone(),
            replay_transcript: false,
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(event) = tokio::time::timeout(Duration::from_secs(120), follow.message())
        .await
        .expect("the session ends")
        .unwrap()
    {
        last = event.kind;
    }
    let ended = match last {
        Some(v1::session_event::Kind::Status(session)) => session,
        other => panic!("expected a final status, got {other:?}"),
    };
    assert_eq!(ended.status(), v1::SessionStatus::Failed, "{ended:#?}");
    assert_eq!(ended.error, "Not logged in · Please run /login");
    assert_eq!(ended.metrics.unwrap().tokens_used, 0);
    assert_eq!(ended.api_key_source, "none");
    assert!(!ended.model.is_empty(), "the init event named a model");
    assert_eq!(ended.pid, 0);
    assert!(
        no_process_of(&spawned.id),
        "no process of the session is left"
    );

    daemon.signal(Signal::SIGTERM);
    let gone = common::wait_until(Duration::from_secs(15), || {
        (!alive(daemon.pid)).then_some(())
    });
    assert!(gone.is_some());
}
