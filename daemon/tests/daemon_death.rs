//! The daemon dies (SIGKILL) while a session runs: its agent dies with it, and the next daemon
//! marks the session `failed` ("interrupted: daemon restarted") and can continue it.

use crate::common;

use std::time::Duration;

use common::daemon_binary::RunningDaemon;
use common::sessions::fixture_agent;
use common::{TestHome, alive, wait_until};
use nix::sys::signal::Signal;
use orchestrator_api::v1;
use orchestrator_api::v1::sessions_client::SessionsClient;

fn start(home: &TestHome) -> RunningDaemon {
    common::daemon_binary::start(home, &[("CLAUDE_BIN", fixture_agent())])
}

async fn sessions(home: &TestHome) -> SessionsClient<tonic::transport::Channel> {
    SessionsClient::new(
        orchestrator_api::connect(&home.paths().socket)
            .await
            .unwrap(),
    )
}

async fn session(home: &TestHome, id: &str) -> v1::Session {
    sessions(home)
        .await
        .get(v1::SessionRef {
            session_id: id.to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_die_with_the_daemon_and_their_sessions_can_be_continued() {
    let home = TestHome::new();
    let daemon = start(&home);
    let spawned = sessions(&home)
        .await
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: "hang for a while".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut agent_pid = 0;
    for _ in 0..3000 {
        let current = session(&home, &spawned.id).await;
        if current.pid != 0 && current.status() == v1::SessionStatus::Running {
            agent_pid = current.pid;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_ne!(agent_pid, 0, "the agent started");
    assert!(alive(agent_pid));

    daemon.signal(Signal::SIGKILL);
    assert!(
        wait_until(Duration::from_secs(10), || (!alive(agent_pid))
            .then_some(()))
        .is_some(),
        "the agent died with the daemon"
    );
    assert!(
        wait_until(Duration::from_secs(10), || (!alive(daemon.pid))
            .then_some(()))
        .is_some()
    );

    let _restarted = start(&home);
    let interrupted = session(&home, &spawned.id).await;
    assert_eq!(interrupted.status(), v1::SessionStatus::Failed);
    assert_eq!(interrupted.error, "interrupted: daemon restarted");

    sessions(&home)
        .await
        .send(v1::SendToSessionRequest {
            session_id: spawned.id.clone(),
            text: "please finish".into(),
        })
        .await
        .unwrap();
    let mut finished = None;
    for _ in 0..3000 {
        let current = session(&home, &spawned.id).await;
        if current.status() == v1::SessionStatus::Completed {
            finished = Some(current);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let finished = finished.expect("the continued session completes");
    assert_eq!(
        finished.agent_session_id, spawned.agent_session_id,
        "same conversation"
    );
    assert_eq!(finished.metrics.unwrap().tasks_completed, 1);
}

#[tokio::test]
async fn a_leftover_agent_is_killed_only_when_it_carries_the_session_id() {
    use orchestrator_daemon::supervisor::{InterruptedSession, LocalRunner, SessionRunner};
    use std::os::unix::process::CommandExt;
    let mut child = std::process::Command::new("sleep")
        .arg("1000")
        .env("WUNDR_SESSION_ID", "session_1_abc")
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = child.id();
    // Read the environment only once the exec has replaced it.
    common::wait_until(Duration::from_secs(10), || {
        std::fs::read(format!("/proc/{pid}/environ"))
            .ok()
            .filter(|env| env.windows(14).any(|w| w == b"WUNDR_SESSION_"))
    })
    .expect("the child's environment is visible");
    let interrupted = |id: &str| InterruptedSession {
        session_id: id.to_owned(),
        pid: Some(pid),
        remote: None,
    };
    LocalRunner.reclaim(&[interrupted("session_1_ab")]).await;
    LocalRunner.reclaim(&[interrupted("session_2_other")]).await;
    assert!(alive(pid), "a process of another session is left alone");
    LocalRunner.reclaim(&[interrupted("session_1_abc")]).await;
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9));
}
