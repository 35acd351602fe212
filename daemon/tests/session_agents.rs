//! Sessions with unusual agents: silent ones (idle watchdog), ones that linger after their
//! result, floods, worktrees, replayed real Claude Code output, and Claude Flow.

use crate::common;

use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, request, start, wait_ended, wait_running};
use common::{TestHome, alive};
use orchestrator_daemon::model::{OutputKind, SessionStatus};
use orchestrator_daemon::supervisor::SessionError;

#[tokio::test]
async fn the_idle_watchdog_stops_a_silent_agent() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.idle_timeout = Duration::from_secs(1);
    let daemon = start(&home, config).await;
    let session = daemon.spawn(request("hang silently")).await.unwrap();
    let pid = wait_running(&daemon, &session.id).await.pid.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("stopped: no output for 1s"));
    assert!(!alive(pid));
    daemon.stop().await;
}

#[tokio::test]
async fn an_agent_that_lingers_after_its_result_is_stopped_and_the_result_stands() {
    let home = TestHome::new();
    // Answers the first turn, then ignores the closed stdin and keeps running.
    let script = home.path().join("lingering-agent");
    std::fs::write(
        &script,
        "#!/bin/sh\nread line\n\
         echo '{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"done\",\"session_id\":\"x\"}'\n\
         exec sleep 1000\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = agent_config(script.to_str().unwrap());
    config.result_grace = Duration::from_millis(300);
    let daemon = start(&home, config).await;
    let session = daemon.spawn(request("anything")).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(ended.metrics.tasks_completed, 1);
    daemon.stop().await;
}

#[tokio::test]
async fn a_flood_of_output_is_streamed_and_counted() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut outputs = daemon.core().subscribe_output();
    let session = daemon.spawn(request("flood:10000")).await.unwrap();
    let counter = tokio::spawn(async move {
        let mut chunks = 0;
        while let Ok(output) = outputs.recv().await {
            match output.kind {
                OutputKind::StreamChunk { .. } => chunks += 1,
                OutputKind::TaskCompleted { .. } => return chunks,
                _ => {}
            }
        }
        chunks
    });
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Completed);
    let chunks = tokio::time::timeout(Duration::from_secs(30), counter)
        .await
        .unwrap()
        .unwrap();
    assert!(
        chunks >= 10_000,
        "every chunk reached a subscriber that keeps up: {chunks}"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn worktree_sessions_run_on_their_own_branch() {
    let home = TestHome::new();
    let repo = home.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    for args in [
        vec!["init", "-q"],
        vec![
            "-c",
            "user.email=t@t",
            "-c",
            "user.name=t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "init",
        ],
    ] {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(&args)
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut spawn = request("hang in the tree");
    spawn.work_dir = Some(repo.clone());
    spawn.worktree = true;
    let session = daemon.spawn(spawn).await.unwrap();
    let branch = format!("session/{}", session.id);
    assert_eq!(session.worktree_branch.as_deref(), Some(branch.as_str()));
    assert_ne!(session.work_dir, repo);
    let running = wait_running(&daemon, &session.id).await;
    let cwd = std::fs::read_link(format!("/proc/{}/cwd", running.pid.unwrap())).unwrap();
    assert_eq!(cwd, session.work_dir, "the agent runs in the worktree");
    std::fs::write(session.work_dir.join("work.txt"), "uncommitted").unwrap();
    daemon
        .supervisor()
        .unwrap()
        .stop(&session.id, "done")
        .await
        .unwrap();
    assert!(
        session.work_dir.join("work.txt").exists(),
        "uncommitted work is never deleted"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn replayed_real_claude_output_fails_with_the_login_message() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/claude/not-logged-in.stream.jsonl"
    );
    let session = daemon
        .spawn(request(&format!("replay:{fixture}")))
        .await
        .unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    assert_eq!(
        ended.error.as_deref(),
        Some("Not logged in · Please run /login")
    );
    assert_eq!(ended.metrics.tokens_used, 0);
    assert_eq!(ended.api_key_source.as_deref(), Some("none"));
    assert_eq!(ended.model.as_deref(), Some("claude-opus-5-5"));
    daemon.stop().await;
}

#[tokio::test]
async fn claude_flow_sessions_run_the_task_as_an_argument_and_take_no_follow_ups() {
    use orchestrator_config::AgentCommand;
    use orchestrator_daemon::model::SessionType;
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.agents.claude_flow = Some(AgentCommand {
        command: Some("/bin/sh".into()),
        args: Some(vec![
            "-c".into(),
            "echo \"working on: $1\"; test \"$1\" != 'break it' && echo all done".into(),
            "claude-flow".into(),
            "{task}".into(),
        ]),
        env: None,
    });
    let daemon = start(&home, config).await;
    let mut ok = request("build the thing");
    ok.session_type = SessionType::ClaudeFlow;
    let session = daemon.spawn(ok).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(ended.metrics.tasks_completed, 1);
    let transcript =
        std::fs::read_to_string(daemon.supervisor().unwrap().transcript_path(&session.id)).unwrap();
    assert!(
        transcript.contains("working on: build the thing"),
        "{transcript}"
    );
    assert!(matches!(
        daemon
            .supervisor()
            .unwrap()
            .send(&session.id, "more".into())
            .await,
        Err(SessionError::NoFollowUps { .. })
    ));

    let mut broken = request("break it");
    broken.session_type = SessionType::Ruflo;
    let session = daemon.spawn(broken).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    assert_eq!(
        ended.error.as_deref(),
        Some("ruflo exited with exit code 1")
    );
    daemon.stop().await;
}
