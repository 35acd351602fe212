//! Helpers for session tests: a daemon whose claude-code agent is the fixture agent, and
//! waiting for a session to reach a state.

use std::time::Duration;

use orchestrator_config::AgentCommand;
use orchestrator_daemon::model::{Session, SessionStatus};
use orchestrator_daemon::supervisor::{SpawnRequest, TaskInput};
use orchestrator_daemon::{DaemonConfig, OrchestratorDaemon};

use super::TestHome;

pub use wundr_test_support::fixture_agent;

/// A config whose claude-code sessions run `program` (the fixture agent by default).
pub fn agent_config(program: &str) -> DaemonConfig {
    let mut config = DaemonConfig {
        port: 0,
        max_restarts: 1,
        shutdown_timeout: Duration::from_secs(2),
        result_grace: Duration::from_secs(5),
        ..DaemonConfig::default()
    };
    config.agents.claude_code = Some(AgentCommand {
        command: Some(program.to_owned()),
        ..AgentCommand::default()
    });
    config
}

/// A started daemon in `home` with `config`.
pub async fn start(home: &TestHome, config: DaemonConfig) -> OrchestratorDaemon {
    let daemon = OrchestratorDaemon::with_paths(config, home.paths()).unwrap();
    daemon.start().await.unwrap();
    daemon
}

/// A claude-code spawn request for `prompt`.
pub fn request(prompt: &str) -> SpawnRequest {
    SpawnRequest {
        orchestrator_id: Some("orch-test".to_owned()),
        task: TaskInput::new(prompt),
        session_type: orchestrator_daemon::model::SessionType::ClaudeCode,
        work_dir: None,
        worktree: false,
        runner: None,
    }
}

/// Polls until session `id` satisfies `done`, failing the test after 30 s.
pub async fn wait_for(
    daemon: &OrchestratorDaemon,
    id: &str,
    what: &str,
    done: impl Fn(&Session) -> bool,
) -> Session {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let session = daemon.core().session(id).expect("the session exists");
        if done(&session) {
            return session;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; session is {session:#?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the session has ended.
pub async fn wait_ended(daemon: &OrchestratorDaemon, id: &str) -> Session {
    wait_for(daemon, id, "the session to end", |s| s.status.is_ended()).await
}

/// Waits until the session's agent is running.
pub async fn wait_running(daemon: &OrchestratorDaemon, id: &str) -> Session {
    wait_for(daemon, id, "the agent to run", |s| {
        s.status == SessionStatus::Running && s.pid.is_some()
    })
    .await
}

/// Every session the daemon knows, oldest first (one page as big as any test needs).
pub fn all_sessions(daemon: &OrchestratorDaemon) -> Vec<Session> {
    let query = orchestrator_daemon::core::SessionQuery {
        limit: 100_000,
        ..Default::default()
    };
    daemon.core().list_sessions(&query).unwrap().sessions
}
