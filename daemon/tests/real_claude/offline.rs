//! Offline and not logged in, every turn of the real Claude Code CLI ends in "Not logged in ·
//! Please run /login": the session must fail with exactly that, with zero tokens, and leave no
//! process behind. With a charter, the real CLI runs the daemon's hooks through the real
//! `wundr` binary: a prompt hitting `alwaysReject` is `blocked_by_hook` before any API call,
//! and the session ends with the charter's reason.

use std::time::Duration;

use orchestrator_api::v1;

use crate::common::claude::real_claude;
use crate::common::{self, TestHome, no_process_of, scripted};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_logged_in_claude_fails_the_session_with_its_message() {
    let Some(claude) = real_claude() else { return };
    let home = TestHome::new();
    let daemon = common::daemon_binary::start(&home, &[("CLAUDE_BIN", claude.to_str().unwrap())]);
    let spawned = common::daemon_binary::spawn(&home, "say hi").await;
    let mut follow = common::daemon_binary::sessions(&home)
        .await
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

    daemon.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_hitting_always_reject_is_blocked_by_the_charter_hook() {
    let Some(claude) = real_claude() else { return };
    let wundr = common::daemon_binary::wundr_binary();
    let home = TestHome::new();
    // The README's default charter path under HOME, and the hook program in the config file.
    let charter = home
        .path()
        .join("orchestrator-daemon/orchestrator-charter.yaml");
    std::fs::create_dir_all(charter.parent().unwrap()).unwrap();
    std::fs::write(
        &charter,
        "name: e2e\nhardConstraints: [Never touch production]\nsafetyHeuristics:\n  alwaysReject:\n    - \"rm -rf /\"\n",
    )
    .unwrap();
    let config = home.paths().config_file;
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("hookCommand: {}\n", wundr.display())).unwrap();
    let daemon = common::daemon_binary::start(&home, &[("CLAUDE_BIN", claude.to_str().unwrap())]);
    let spawned = common::daemon_binary::spawn(&home, "please rm -rf /").await;
    let ended = scripted::ended(&home, &spawned.id).await;
    assert_eq!(
        ended.error, "charter: alwaysReject matched \"rm -rf /\"",
        "{ended:#?}"
    );
    assert_eq!(
        ended.metrics.unwrap().tokens_used,
        0,
        "no API call was made"
    );

    let audit = scripted::audit(&home, &spawned.id).await;
    let events: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.event.as_str(), e.decision.as_str()))
        .collect();
    assert!(events.contains(&("SessionStart", "context")), "{audit:#?}");
    assert!(events.contains(&("UserPromptSubmit", "deny")), "{audit:#?}");
    let blocked = audit.iter().find(|e| e.decision == "deny").unwrap();
    assert_eq!(blocked.input_summary, "please rm -rf /");
    assert!(no_process_of(&spawned.id));

    daemon.stop();
}

/// A hook program that cannot run must block, not wave everything through: Claude Code
/// treats a failing hook (exit ≠ 2) as a warning and carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_program_that_cannot_run_blocks_the_prompt() {
    let Some(claude) = real_claude() else { return };
    let home = TestHome::new();
    let config = home.paths().config_file;
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let missing = home.path().join("no-such-dir/wundr");
    std::fs::write(&config, format!("hookCommand: {}\n", missing.display())).unwrap();
    let daemon = common::daemon_binary::start(&home, &[("CLAUDE_BIN", claude.to_str().unwrap())]);
    let spawned = common::daemon_binary::spawn(&home, "say hi").await;
    let ended = scripted::ended(&home, &spawned.id).await;
    assert_eq!(ended.status(), v1::SessionStatus::Failed, "{ended:#?}");
    assert!(
        !ended.error.contains("Not logged in") && ended.error.contains("no-such-dir/wundr"),
        "the prompt was blocked by the failing hook before the CLI tried the API: {ended:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop();
}

/// What the daemon remembers reaches a new session: the real CLI's SessionStart hook (which
/// runs offline) is served with the charter context plus the memories chosen for the task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_start_serves_the_memories_chosen_for_the_task() {
    let Some(claude) = real_claude() else { return };
    let wundr = common::daemon_binary::wundr_binary();
    let home = TestHome::new();
    let config = home.paths().config_file;
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("hookCommand: {}\n", wundr.display())).unwrap();
    let daemon = common::daemon_binary::start(&home, &[("CLAUDE_BIN", claude.to_str().unwrap())]);
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let mut memory = v1::memory_client::MemoryClient::new(channel);
    let remembered = memory
        .add(v1::AddMemoryRequest {
            tier: "semantic".into(),
            content: "The deploy script of this project is scripts/ship.sh".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let spawned = common::daemon_binary::spawn(&home, "run the deploy script").await;
    assert!(
        spawned.memory_context_json.contains(&remembered.id),
        "the session was given the memory: {}",
        spawned.memory_context_json
    );
    let ended = scripted::ended(&home, &spawned.id).await;
    assert!(ended.error.contains("Not logged in"), "{ended:#?}");
    let audit = scripted::audit(&home, &spawned.id).await;
    let served = audit
        .iter()
        .find(|e| e.event == "SessionStart")
        .unwrap_or_else(|| panic!("the real CLI ran the SessionStart hook: {audit:#?}"));
    assert_eq!(served.decision, "context");
    assert!(served.reason.ends_with(", 1 memory"), "{served:#?}");
    daemon.stop();
}
