//! Sessions end to end with the fixture agent as Claude Code: real processes, real process
//! groups, the real registry and database.

use crate::common;

use std::time::Duration;

use common::sessions::{
    agent_config, fixture_agent, request, start, wait_ended, wait_for, wait_running,
};
use common::{TestHome, alive, client};
use orchestrator_api::v1;
use orchestrator_daemon::model::{OutputKind, SessionStatus, TaskPriority};
use orchestrator_daemon::supervisor::SessionError;

#[tokio::test]
async fn a_session_runs_its_task_and_completes_with_the_result() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut outputs = daemon.core().subscribe_output();
    let session = daemon.spawn(request("hello there")).await.unwrap();
    assert!(session.id.starts_with("session_"));
    assert!(matches!(
        session.status,
        SessionStatus::Initializing | SessionStatus::Running | SessionStatus::Queued
    ));
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(ended.metrics.tasks_completed, 1);
    assert_eq!(ended.metrics.errors_encountered, 0);
    assert_eq!(
        ended.metrics.tokens_used, 17,
        "input 10 + output 5 + cache creation 2"
    );
    assert_eq!(ended.model.as_deref(), Some("fixture-model"));
    assert_eq!(ended.api_key_source.as_deref(), Some("none"));
    assert_eq!(ended.exit_code, Some(0));
    assert!(ended.pid.is_none() && ended.ended_at.is_some());
    assert!(ended.work_dir.is_dir(), "a per-session work dir was made");

    let mut kinds = Vec::new();
    while let Ok(output) = outputs.try_recv() {
        if output.session_id == session.id {
            kinds.push(output.kind);
        }
    }
    assert!(
        matches!(&kinds[0], OutputKind::TaskExecuting { task } if task == "hello there"),
        "{kinds:?}"
    );
    assert!(
        kinds.iter().any(
            |k| matches!(k, OutputKind::StreamChunk { text, .. } if text.contains("hello there"))
        ),
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|k| matches!(k, OutputKind::TaskCompleted { result, .. } if result == "echo: hello there")), "{kinds:?}");
    let transcript = daemon.supervisor().unwrap().transcript_path(&session.id);
    assert!(
        std::fs::read_to_string(transcript)
            .unwrap()
            .contains("\"type\":\"result\"")
    );
    let status = daemon.status();
    assert_eq!(status.metrics.total_tokens_used, 17);
    assert_eq!(status.metrics.total_tasks_processed, 1);
    assert_eq!(status.sessions.active, 0);
    daemon.stop().await;
}

#[tokio::test]
async fn an_error_result_fails_the_session_whatever_the_exit_code() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let session = daemon.spawn(request("fail please")).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("fixture failure"));
    assert_eq!(ended.metrics.errors_encountered, 1);
    assert!((daemon.status().metrics.success_rate - 0.0).abs() < f64::EPSILON);
    daemon.stop().await;
}

#[tokio::test]
async fn a_prompt_blocked_by_a_hook_fails_with_the_hooks_reason() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let session = daemon.spawn(request("block this")).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("fixture: blocked by hook"));
    daemon.stop().await;
}

#[tokio::test]
async fn a_crashing_agent_is_restarted_then_the_session_fails() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let session = daemon.spawn(request("crash now")).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    assert_eq!(ended.restarts, 1, "maxRestarts is 1 in this config");
    assert!(
        ended
            .error
            .as_deref()
            .unwrap_or("")
            .contains("before answering"),
        "{ended:#?}"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn stop_kills_the_process_group_and_a_second_stop_is_refused() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let supervisor = daemon.supervisor().unwrap().clone();
    let session = daemon.spawn(request("hang around")).await.unwrap();
    let running = wait_running(&daemon, &session.id).await;
    let pid = running.pid.unwrap();
    assert!(alive(pid));

    let paused = supervisor.set_paused(&session.id, true).await.unwrap();
    assert_eq!(paused.status, SessionStatus::Paused);
    // SIGSTOP lands asynchronously: poll for the stopped state.
    let stopped_state = common::wait_until(Duration::from_secs(10), || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(')')?
            .1
            .trim_start()
            .starts_with('T')
            .then_some(())
    });
    assert!(stopped_state.is_some(), "the agent is stopped (state T)");
    let resumed = supervisor.set_paused(&session.id, false).await.unwrap();
    assert_eq!(resumed.status, SessionStatus::Running);

    let stopped = supervisor
        .stop(&session.id, "stopped on request")
        .await
        .unwrap();
    assert_eq!(stopped.status, SessionStatus::Terminated);
    assert_eq!(stopped.error.as_deref(), Some("stopped on request"));
    assert!(!alive(pid), "the agent was reaped");
    match supervisor.stop(&session.id, "again").await {
        Err(SessionError::AlreadyEnded { status, .. }) => {
            assert_eq!(status, SessionStatus::Terminated)
        }
        other => panic!("expected AlreadyEnded, got {other:?}"),
    }
    assert!(matches!(
        supervisor.stop("session_nope", "x").await,
        Err(SessionError::NotFound { .. })
    ));
    daemon.stop().await;
}

#[tokio::test]
async fn an_agent_that_ignores_sigterm_is_killed_after_the_grace() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let session = daemon.spawn(request("ignore-term")).await.unwrap();
    let pid = wait_running(&daemon, &session.id).await.pid.unwrap();
    let stopped = daemon
        .supervisor()
        .unwrap()
        .stop(&session.id, "stop")
        .await
        .unwrap();
    assert_eq!(stopped.status, SessionStatus::Terminated);
    assert!(!alive(pid));
    daemon.stop().await;
}

#[tokio::test]
async fn a_follow_up_resumes_an_ended_conversation() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let supervisor = daemon.supervisor().unwrap().clone();
    let session = daemon.spawn(request("first")).await.unwrap();
    let first = wait_ended(&daemon, &session.id).await;
    assert_eq!(first.status, SessionStatus::Completed);
    let conversation = first.agent_session_id.clone();

    supervisor
        .send(&session.id, "second".to_owned())
        .await
        .unwrap();
    let second = wait_for(&daemon, &session.id, "the second turn", |s| {
        s.status.is_ended() && s.metrics.tasks_completed == 2
    })
    .await;
    assert_eq!(second.status, SessionStatus::Completed);
    assert_eq!(
        second.agent_session_id, conversation,
        "the same conversation was resumed"
    );
    let transcript = std::fs::read_to_string(supervisor.transcript_path(&session.id)).unwrap();
    assert!(transcript.contains("echo: second"));
    assert!(matches!(
        supervisor.send(&session.id, "   ".to_owned()).await,
        Err(SessionError::Invalid { .. })
    ));
    daemon.stop().await;
}

#[tokio::test]
async fn a_follow_up_to_a_running_agent_goes_to_its_stdin() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let supervisor = daemon.supervisor().unwrap().clone();
    let session = daemon.spawn(request("flood:20000")).await.unwrap();
    wait_running(&daemon, &session.id).await;
    supervisor
        .send(&session.id, "and then this".to_owned())
        .await
        .unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(ended.metrics.tasks_completed, 2);
    daemon.stop().await;
}

#[tokio::test]
async fn the_queue_starts_sessions_by_priority_as_slots_free() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.max_sessions = 1;
    let daemon = start(&home, config).await;
    let supervisor = daemon.supervisor().unwrap().clone();
    let first = daemon.spawn(request("hang one")).await.unwrap();
    wait_running(&daemon, &first.id).await;
    let low = daemon.spawn(request("hang low")).await.unwrap();
    assert_eq!(
        (low.status, low.queue_position),
        (SessionStatus::Queued, Some(1))
    );
    let mut urgent_request = request("hang urgent");
    urgent_request.task.priority = Some(TaskPriority::Critical);
    let urgent = daemon.spawn(urgent_request).await.unwrap();
    assert_eq!(urgent.queue_position, Some(1), "critical jumps the queue");
    assert_eq!(
        daemon.core().session(&low.id).unwrap().queue_position,
        Some(2)
    );
    assert_eq!(daemon.status().sessions.queued, 2);

    supervisor.stop(&first.id, "next").await.unwrap();
    wait_running(&daemon, &urgent.id).await;
    assert_eq!(
        daemon.core().session(&low.id).unwrap().status,
        SessionStatus::Queued
    );
    let stopped = supervisor.stop(&low.id, "never mind").await.unwrap();
    assert_eq!(
        stopped.status,
        SessionStatus::Terminated,
        "a queued session just leaves the queue"
    );
    daemon.stop().await;
    let urgent = daemon.core().session(&urgent.id).unwrap();
    assert_eq!(
        urgent.status,
        SessionStatus::Terminated,
        "daemon stop terminates running sessions"
    );
}

#[tokio::test]
async fn bad_requests_change_nothing() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut empty = request("");
    assert!(matches!(
        daemon.spawn(empty.clone()).await,
        Err(SessionError::Invalid {
            field: "task.description",
            ..
        })
    ));
    empty.task.description = "x".repeat(100_001);
    assert!(matches!(
        daemon.spawn(empty).await,
        Err(SessionError::Invalid { .. })
    ));
    let mut bad_type = request("ok");
    bad_type.task.task_type = Some("dance".into());
    assert!(matches!(
        daemon.spawn(bad_type).await,
        Err(SessionError::Invalid {
            field: "task.type",
            ..
        })
    ));
    let mut missing_dir = request("ok");
    missing_dir.work_dir = Some(home.path().join("nope"));
    assert!(matches!(
        daemon.spawn(missing_dir).await,
        Err(SessionError::WorkDirMissing { .. })
    ));
    let mut not_git = request("ok");
    not_git.work_dir = Some(home.path().to_path_buf());
    not_git.worktree = true;
    assert!(matches!(
        daemon.spawn(not_git).await,
        Err(SessionError::NotAGitRepository { .. })
    ));
    assert!(
        common::sessions::all_sessions(&daemon).is_empty(),
        "no session was created"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn a_missing_agent_binary_fails_the_session_with_the_remedy() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config("/nonexistent/claude")).await;
    let session = daemon.spawn(request("hello")).await.unwrap();
    let ended = wait_ended(&daemon, &session.id).await;
    assert_eq!(ended.status, SessionStatus::Failed);
    let error = ended.error.unwrap_or_default();
    assert!(
        error.contains("claude CLI not found") && error.contains("CLAUDE_BIN"),
        "{error}"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn grpc_spawn_and_follow_stream_the_session() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    let mut sessions = v1::sessions_client::SessionsClient::new(channel);
    let session = sessions
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: "tool time".into(),
                priority: v1::TaskPriority::High.into(),
                metadata_json: r#"{"ticket":"T-1"}"#.into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(session.r#type(), v1::SessionType::ClaudeCode);
    assert_eq!(session.orchestrator_id, "default");
    assert_eq!(
        session.task.as_ref().unwrap().metadata_json,
        r#"{"ticket":"T-1"}"#
    );
    let mut follow = sessions
        .follow(v1::FollowSessionRequest {
            session_id: session.id.clone(),
            replay_transcript: false,
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(30), follow.message())
        .await
        .expect("the follow stream ends with the session")
        .unwrap()
    {
        seen.push(event.kind.unwrap());
    }
    use v1::session_event::Kind;
    assert!(
        seen.iter()
            .any(|k| matches!(k, Kind::ToolCallStart(t) if t.tool_name == "Bash")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|k| matches!(k, Kind::ToolCallResult(t) if t.tool_name == "Bash" && !t.is_error)),
        "{seen:?}"
    );
    match seen.last().unwrap() {
        Kind::Status(s) => assert_eq!(s.status(), v1::SessionStatus::Completed),
        other => panic!("the stream ends with the final status, got {other:?}"),
    }
    // A follower arriving after the end gets the same events from the backlog, then the end.
    let mut late = sessions
        .follow(v1::FollowSessionRequest {
            session_id: session.id.clone(),
            replay_transcript: false,
        })
        .await
        .unwrap()
        .into_inner();
    let mut replayed = Vec::new();
    while let Some(event) = late.message().await.unwrap() {
        replayed.push(event.kind.unwrap());
    }
    let tools = |kinds: &[Kind]| {
        kinds
            .iter()
            .filter(|k| matches!(k, Kind::ToolCallStart(_) | Kind::ToolCallResult(_)))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(tools(&replayed), tools(&seen));
    assert!(
        matches!(replayed.last(), Some(Kind::Status(s)) if s.status() == v1::SessionStatus::Completed)
    );
    let err = sessions
        .get(v1::SessionRef {
            session_id: "session_nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (tonic::Code::NotFound, "Session not found: session_nope")
    );
    let listed = sessions
        .list(v1::ListSessionsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.sessions.len(), 1);
    drop(client(&home.paths().socket).await);
    daemon.stop().await;
}

#[tokio::test]
async fn sessions_survive_a_daemon_restart() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let done = daemon.spawn(request("remember me")).await.unwrap();
    wait_ended(&daemon, &done.id).await;
    let hanging = daemon.spawn(request("hang on")).await.unwrap();
    wait_running(&daemon, &hanging.id).await;
    daemon.stop().await;
    drop(daemon);

    let daemon = start(&home, agent_config(fixture_agent())).await;
    let sessions = common::sessions::all_sessions(&daemon);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].id, done.id, "creation order is kept");
    assert_eq!(sessions[0].status, SessionStatus::Completed);
    assert_eq!(sessions[0].metrics.tokens_used, 17);
    assert_eq!(sessions[1].status, SessionStatus::Terminated);
    daemon.stop().await;
}
