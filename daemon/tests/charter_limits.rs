//! The charter's runtime side against a real in-process daemon: approvals answered over the
//! WebSocket (`approval_required` → `approval_response`, and expiry = deny), a spent token pool
//! refusing spawns after a budget warning, the charter's `maxSessions` capping slots, and an
//! agent over `resourceLimits.memory.maxHeapMB` stopped with that reason.

use crate::common;
use crate::common::ws;

use std::path::PathBuf;
use std::time::Duration;

use common::TestHome;
use common::sessions::{agent_config, fixture_agent, request, start, wait_ended};
use orchestrator_api::v1;
use orchestrator_daemon::model::{DaemonEvent, SessionStatus};
use orchestrator_daemon::supervisor::SessionError;
use orchestrator_daemon::{DaemonConfig, OrchestratorDaemon};
use serde_json::json;

fn config_with(home: &TestHome, charter: &str) -> DaemonConfig {
    let path: PathBuf = home.path().join("charter.yaml");
    std::fs::write(&path, charter).unwrap();
    let mut config = agent_config(fixture_agent());
    config.charter = Some(path);
    config
}

async fn charter_client(
    daemon: &OrchestratorDaemon,
) -> v1::charter_client::CharterClient<tonic::transport::Channel> {
    let channel = orchestrator_api::connect(&daemon.paths().socket)
        .await
        .unwrap();
    v1::charter_client::CharterClient::new(channel)
}

fn terraform() -> v1::HookRequest {
    v1::HookRequest {
        session_id: "session_ws".into(),
        event: "PreToolUse".into(),
        input_json: json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                           "tool_input": {"command": "terraform apply"}})
        .to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_over_websocket_including_expiry() {
    let home = TestHome::new();
    let config = config_with(
        &home,
        "name: ws\nsafetyHeuristics:\n  escalate: [\"terraform apply*\"]\napprovalTimeoutSeconds: 2\n",
    );
    let daemon = start(&home, config).await;
    let mut client = ws::connect(ws::port_of(&daemon)).await;
    let mut watch = common::client(&daemon.paths().socket)
        .await
        .watch_events(v1::WatchEventsRequest {})
        .await
        .unwrap()
        .into_inner();

    let mut hooks = charter_client(&daemon).await;
    let waiting = tokio::spawn(async move { hooks.hook(terraform()).await });
    let required = client.next_of("approval_required").await;
    let approval = &required["approval"];
    assert_eq!(approval["sessionId"], "session_ws");
    assert_eq!(approval["rule"], "escalate: terraform apply*");
    assert_eq!(approval["input"]["command"], "terraform apply");
    assert_eq!(approval["state"], "pending");
    let id = approval["id"].as_str().unwrap().to_owned();
    // gRPC watchers hear it too.
    let watched = loop {
        let event = tokio::time::timeout(Duration::from_secs(10), watch.message())
            .await
            .expect("an event in time")
            .unwrap()
            .expect("the stream is open");
        if let Some(v1::event::Kind::ApprovalRequired(a)) = event.kind {
            break a;
        }
    };
    assert_eq!(
        (watched.id.as_str(), watched.state.as_str()),
        (id.as_str(), "pending")
    );
    assert_eq!(watched.rule, "escalate: terraform apply*");

    let bad = client
        .ask(json!({"type": "approval_response", "payload": {"approvalId": id}}))
        .await;
    assert_eq!(bad["type"], "error");
    assert!(
        bad["error"].as_str().unwrap().contains("payload.approved"),
        "{bad}"
    );
    let reply = client
        .ask(json!({"type": "approval_response",
                    "payload": {"approvalId": id, "approved": true, "reason": "ship it"}}))
        .await;
    assert_eq!(reply["type"], "approval_response");
    assert_eq!(reply["approval"]["state"], "approved");
    let answer = waiting.await.unwrap().unwrap().into_inner();
    assert_eq!(answer.decision, "allow");
    assert!(
        answer.reason.contains("approved by ws:127.0.0.1:") && answer.reason.ends_with(": ship it"),
        "{}",
        answer.reason
    );
    let output: serde_json::Value = serde_json::from_str(&answer.output_json).unwrap();
    assert_eq!(output["hookSpecificOutput"]["permissionDecision"], "allow");

    // Nobody answers: every client hears it expire, and the agent is denied.
    let mut hooks = charter_client(&daemon).await;
    let waiting = tokio::spawn(async move { hooks.hook(terraform()).await });
    let id = client.next_of("approval_required").await["approval"]["id"].clone();
    let resolved = client
        .until(|f| f["type"] == "approval_resolved" && f["approval"]["id"] == id)
        .await
        .0;
    assert_eq!(resolved["approval"]["state"], "expired");
    let answer = waiting.await.unwrap().unwrap().into_inner();
    assert_eq!(answer.decision, "deny");
    let late = client
        .ask(json!({"type": "approval_response", "payload": {"approvalId": id, "approved": true}}))
        .await;
    assert!(
        late["error"]
            .as_str()
            .unwrap()
            .contains("no pending approval request"),
        "{late}"
    );
    assert_eq!(late["code"], "APPROVAL_NOT_FOUND");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_token_pool_refuses_spawns_after_a_warning() {
    let home = TestHome::new();
    let mut config = config_with(
        &home,
        "name: budget\nresourceLimits:\n  maxSessions: 1\n  tokenBudget:\n    total: 30\n    subscription: 50%\n    api: 50%\n",
    );
    // The daemon predicts the pool from ANTHROPIC_API_KEY; make the agent report the same.
    if std::env::var_os("ANTHROPIC_API_KEY").is_some_and(|v| !v.is_empty()) {
        let agent = config.agents.claude_code.as_mut().unwrap();
        agent.env = Some(
            [(
                "FIXTURE_AGENT_API_KEY_SOURCE".to_owned(),
                "ANTHROPIC_API_KEY".to_owned(),
            )]
            .into(),
        );
    }
    let daemon = start(&home, config).await;
    assert_eq!(
        daemon.status().sessions.max_sessions,
        1,
        "the charter's cap wins over 100"
    );
    let mut events = daemon.subscribe();
    // One echo turn counts 17 tokens (input 10, output 5, cache creation 2): over a pool of 15.
    let first = daemon.spawn(request("hello")).await.unwrap();
    let warning = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Ok(DaemonEvent::BudgetWarning { pool, used, limit }) = events.recv().await {
                return (pool, used, limit);
            }
        }
    })
    .await
    .expect("a budget warning");
    assert_eq!((warning.1, warning.2), (17, 15), "{warning:?}");
    wait_ended(&daemon, &first.id).await;
    match daemon.spawn(request("again")).await {
        Err(err @ SessionError::BudgetExhausted { .. }) => {
            let text = err.to_string();
            assert!(
                text.contains("token pool is spent (17 of 15 tokens used)"),
                "{text}"
            );
        }
        other => panic!("expected a budget refusal, got {other:?}"),
    }
    // A Claude Flow session runs Claude Code too, drawing from the same pools.
    let mut flow = request("again, through ruflo");
    flow.session_type = orchestrator_daemon::model::SessionType::ClaudeFlow;
    assert!(
        matches!(
            daemon.spawn(flow).await,
            Err(SessionError::BudgetExhausted { .. })
        ),
        "a flow session is refused as well"
    );
    assert_eq!(
        common::sessions::all_sessions(&daemon).len(),
        1,
        "the refusals created nothing"
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_over_the_memory_limit_is_stopped_with_that_reason() {
    let home = TestHome::new();
    let mut config = config_with(
        &home,
        "name: memory\nresourceLimits:\n  memory:\n    maxHeapMB: 64\n",
    );
    config.heartbeat_interval = Duration::from_millis(100);
    let daemon = start(&home, config).await;
    let small = daemon.spawn(request("alloc:8")).await.unwrap();
    let big = daemon.spawn(request("alloc:160")).await.unwrap();
    let ended = wait_ended(&daemon, &big.id).await;
    assert_eq!(ended.status, SessionStatus::Terminated, "{ended:#?}");
    let error = ended.error.unwrap_or_default();
    assert!(error.contains("maxHeapMB (64 MiB)"), "{error}");
    // The small one is under the limit and still runs.
    let small = daemon.core().session(&small.id).unwrap();
    assert!(small.status.is_active(), "{small:#?}");
    daemon.stop().await;
}
