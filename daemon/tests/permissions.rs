//! The agent's permission prompt answered by the daemon (`--permission-prompt-tool stdio`),
//! with the fixture agent asking exactly as Claude Code does (`control_request`
//! `can_use_tool`, the answer as a `control_response` on its stdin): the charter decides
//! first, what it leaves open waits for a person (`waitingFor`, the approvals list, `status`),
//! the agent's questions are answered with text, no answer is a deny, and waiting is not
//! idleness. The same flow with the real Claude Code CLI is in `real_claude.rs`.

use crate::common;

use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, request, start, wait_ended, wait_for};
use common::{TestHome, wait_until_async};
use orchestrator_daemon::charter::approvals::{ApprovalAnswer, ApprovalError};
use orchestrator_daemon::enforcement::ask::answer_approval;
use orchestrator_daemon::model::ApprovalState;
use orchestrator_daemon::model::{OutputKind, SessionStatus, WaitKind};
use orchestrator_daemon::{DaemonConfig, DaemonEvent, OrchestratorDaemon};

/// The README's example charter, with a short approval timeout.
fn readme_charter(home: &TestHome, timeout_secs: u32) -> DaemonConfig {
    let path = common::charter_gen::readme_charter(
        home.path(),
        &format!("approvalTimeoutSeconds: {timeout_secs}"),
    );
    DaemonConfig {
        charter: Some(path),
        ..agent_config(fixture_agent())
    }
}

fn person(approve: bool, reason: Option<&str>, text: Option<&str>) -> ApprovalAnswer {
    ApprovalAnswer {
        approve,
        by: "test".to_owned(),
        reason: reason.map(str::to_owned),
        text: text.map(str::to_owned),
    }
}

/// Spawns `prompt` and returns the session id with the text of its last turn's result, once
/// `during` has run against the waiting session (given its id).
async fn run<F, Fut>(daemon: &OrchestratorDaemon, prompt: &str, during: F) -> (String, String)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut outputs = daemon.core().subscribe_output();
    let id = daemon.spawn(request(prompt)).await.unwrap().id;
    during(id.clone()).await;
    let result = loop {
        let output = outputs.recv().await.unwrap();
        if output.session_id != id {
            continue;
        }
        match output.kind {
            OutputKind::TaskCompleted { result, .. } => break result,
            OutputKind::TaskFailed { error, .. } => panic!("the turn failed: {error}"),
            _ => {}
        }
    };
    (id, result)
}

/// Waits until session `id` waits for a person; returns the approval id and what it waits on.
async fn waiting(daemon: &OrchestratorDaemon, id: &str) -> orchestrator_daemon::model::WaitingFor {
    wait_for(daemon, id, "the session to wait for a person", |s| {
        s.waiting_for.is_some()
    })
    .await
    .waiting_for
    .unwrap()
}

fn audit(daemon: &OrchestratorDaemon, id: &str) -> Vec<(String, String, String)> {
    daemon
        .core()
        .store()
        .unwrap()
        .audit(Some(id), 100)
        .unwrap()
        .into_iter()
        .map(|r| (r.event, r.decision, r.approved_by))
        .collect()
}

#[tokio::test]
async fn what_the_charter_leaves_open_waits_for_a_person_then_runs() {
    let home = TestHome::new();
    let owned = start(&home, readme_charter(&home, 60)).await;
    let daemon = &owned;
    let (id, result) = run(daemon, "ask:Write notes.txt", |id| async move {
        let waiting_for = waiting(daemon, &id).await;
        assert_eq!(waiting_for.kind, WaitKind::Approval);
        assert_eq!(
            (waiting_for.tool.as_str(), waiting_for.summary.as_str()),
            ("Write", "notes.txt")
        );
        let pending = daemon.core().approvals().list();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].id, waiting_for.approval_id);
        assert_eq!(pending[0].rule, "defaultDecision: ask");
        assert_eq!(daemon.status().sessions.waiting, 1);
        let session = daemon.core().session(&id).unwrap();
        assert_eq!(
            session.status,
            SessionStatus::Running,
            "waiting holds its slot"
        );
        let answered = answer_approval(
            daemon.core(),
            &waiting_for.approval_id,
            person(true, None, None),
        )
        .await
        .unwrap();
        assert_eq!(answered.state, ApprovalState::Approved);
        assert_eq!(answered.answered_by.as_deref(), Some("test"));
    })
    .await;
    assert_eq!(
        result,
        r#"allowed: {"content":"hi","file_path":"notes.txt"}"#
    );
    let ended = wait_ended(daemon, &id).await;
    assert_eq!(ended.status, SessionStatus::Completed);
    assert_eq!(ended.waiting_for, None);
    assert_eq!(daemon.status().sessions.waiting, 0);
    assert!(
        audit(daemon, &id).contains(&("PermissionRequest".into(), "allow".into(), "test".into())),
        "{:?}",
        audit(daemon, &id)
    );
    daemon.stop().await;
}

#[tokio::test]
async fn a_denied_tool_call_tells_the_agent_why() {
    let home = TestHome::new();
    let owned = start(&home, readme_charter(&home, 60)).await;
    let daemon = &owned;
    let (id, result) = run(daemon, "ask:Write notes.txt", |id| async move {
        let waiting_for = waiting(daemon, &id).await;
        answer_approval(
            daemon.core(),
            &waiting_for.approval_id,
            person(false, Some("not in this repository"), None),
        )
        .await
        .unwrap();
    })
    .await;
    assert_eq!(
        result,
        "denied: charter: defaultDecision: ask denied by test: not in this repository"
    );
    assert!(audit(daemon, &id).contains(&(
        "PermissionRequest".into(),
        "deny".into(),
        "test".into()
    )));
    daemon.stop().await;
}

#[tokio::test]
async fn the_charter_decides_before_anyone_is_asked() {
    let home = TestHome::new();
    let owned = start(&home, readme_charter(&home, 60)).await;
    let daemon = &owned;
    let mut events = daemon.subscribe();
    let (_, denied) = run(daemon, "ask:Bash git push --force origin main", |_| async {
    })
    .await;
    assert!(
        denied.starts_with("denied: ") && denied.contains("Force push to main"),
        "{denied}"
    );
    let (_, allowed) = run(daemon, "ask:Read src/lib.rs", |_| async {}).await;
    assert_eq!(allowed, r#"allowed: {"file_path":"src/lib.rs"}"#);
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, DaemonEvent::ApprovalRequired(_)),
            "nobody was asked: {event:?}"
        );
    }
    daemon.stop().await;
}

#[tokio::test]
async fn the_agents_question_is_answered_with_text() {
    let home = TestHome::new();
    let owned = start(&home, readme_charter(&home, 60)).await;
    let daemon = &owned;
    let (_, result) = run(
        daemon,
        "ask:AskUserQuestion Which database?",
        |id| async move {
            let waiting_for = waiting(daemon, &id).await;
            assert_eq!(waiting_for.kind, WaitKind::Question);
            let no_text = answer_approval(
                daemon.core(),
                &waiting_for.approval_id,
                person(true, None, None),
            )
            .await;
            assert!(
                matches!(no_text, Err(ApprovalError::AnswerMissing { .. })),
                "{no_text:?}"
            );
            assert_eq!(daemon.core().approvals().list().len(), 1, "still waiting");
            answer_approval(
                daemon.core(),
                &waiting_for.approval_id,
                person(true, None, Some("Postgres, the one in docker-compose.yml")),
            )
            .await
            .unwrap();
        },
    )
    .await;
    let told: serde_json::Value =
        serde_json::from_str(result.strip_prefix("allowed: ").unwrap()).unwrap();
    assert_eq!(
        told["answers"]["Which database?"],
        "Postgres, the one in docker-compose.yml"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn no_answer_in_time_is_a_deny_and_waiting_is_not_idleness() {
    let home = TestHome::new();
    let config = DaemonConfig {
        idle_timeout: Duration::from_secs(1),
        ..readme_charter(&home, 3)
    };
    let owned = start(&home, config).await;
    let daemon = &owned;
    let mut events = daemon.subscribe();
    let (id, result) = run(daemon, "ask:Write notes.txt", |_| async {}).await;
    assert!(result.contains("none came within 3s"), "{result}");
    let ended = wait_ended(daemon, &id).await;
    assert_eq!(
        ended.status,
        SessionStatus::Completed,
        "three quiet seconds of waiting did not trip the 1 s idle watchdog: {ended:?}"
    );
    let expired = wait_until_async(Duration::from_secs(5), || {
        let found = std::iter::from_fn(|| events.try_recv().ok()).find_map(|e| match e {
            DaemonEvent::ApprovalResolved(r) if r.state == ApprovalState::Expired => Some(r),
            _ => None,
        });
        async move { found }
    })
    .await;
    assert!(expired.is_some(), "the expiry was announced");
    daemon.stop().await;
}

#[tokio::test]
async fn stopping_a_waiting_session_withdraws_its_question() {
    let home = TestHome::new();
    let owned = start(&home, readme_charter(&home, 60)).await;
    let daemon = &owned;
    let id = daemon
        .spawn(request("ask:Write notes.txt"))
        .await
        .unwrap()
        .id;
    let waiting_for = waiting(daemon, &id).await;
    daemon
        .supervisor()
        .unwrap()
        .stop(&id, "changed my mind")
        .await
        .unwrap();
    let stopped = wait_ended(daemon, &id).await;
    assert_eq!(stopped.status, SessionStatus::Terminated);
    assert_eq!(stopped.waiting_for, None);
    assert!(daemon.core().approvals().list().is_empty());
    let late = answer_approval(
        daemon.core(),
        &waiting_for.approval_id,
        person(true, None, None),
    )
    .await;
    assert!(
        matches!(late, Err(ApprovalError::NotFound { .. })),
        "{late:?}"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn a_hook_of_an_agent_with_a_prompt_says_ask_instead_of_holding_the_tool() {
    use orchestrator_daemon::enforcement::hooks::handle_hook;
    let home = TestHome::new();
    let owned = start(&home, readme_charter(&home, 60)).await;
    let daemon = &owned;
    let id = daemon.spawn(request("hang")).await.unwrap().id;
    wait_for(daemon, &id, "the agent to run", |s| {
        s.status == SessionStatus::Running
    })
    .await;
    let input = serde_json::json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "kubectl apply -f deploy/production.yaml"}});
    // The escalation is asked through the agent's permission prompt, not by holding the hook.
    let outcome = handle_hook(daemon.core(), &id, "PreToolUse", &input.to_string())
        .await
        .unwrap();
    assert_eq!(outcome.decision, "ask");
    assert_eq!(outcome.rule, "escalate: Production deployments");
    assert!(daemon.core().approvals().list().is_empty());
    // A caller that is not such an agent still waits for the person (here: until refused).
    let outside = tokio::spawn({
        let core = daemon.core().clone();
        let input = input.to_string();
        async move { handle_hook(&core, "session_elsewhere", "PreToolUse", &input).await }
    });
    let pending = wait_until_async(Duration::from_secs(10), || async {
        daemon.core().approvals().list().pop()
    })
    .await
    .expect("the hook of a caller without a prompt waits for a person");
    answer_approval(daemon.core(), &pending.id, person(false, None, None))
        .await
        .unwrap();
    assert_eq!(outside.await.unwrap().unwrap().decision, "deny");
    daemon.stop().await;
}
