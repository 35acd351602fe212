//! Notifications against a real in-process daemon whose sessions run the fixture agent: a
//! webhook receiver in the test (a tiny HTTP server on a loopback port) gets
//! `approval_required` (a charter escalation and a question, from the agent's permission
//! prompt), `session_completed`
//! and `session_failed`; a failing webhook is retried; a dead one is counted in `/metrics` and
//! holds up no session; the command channel gets the event in its environment and is killed
//! with its process group when it overruns. A stalled session's `session_stalled` reaches both
//! doors and the webhook.

use crate::common;
use crate::common::ws;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, request, start, wait_ended};
use common::webhook::Receiver;
use common::{TestHome, wait_until_async};
use orchestrator_api::v1;
use orchestrator_daemon::model::SessionStatus;
use orchestrator_daemon::{DaemonConfig, OrchestratorDaemon};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

fn config(home: &TestHome, charter: Option<&str>) -> DaemonConfig {
    let mut config = agent_config(fixture_agent());
    if let Some(text) = charter {
        let path: PathBuf = home.path().join("charter.yaml");
        std::fs::write(&path, text).unwrap();
        config.charter = Some(path);
    }
    config
}

async fn metrics(daemon: &OrchestratorDaemon) -> String {
    let port = ws::port_of(daemon);
    tokio::task::spawn_blocking(move || common::http(port, "GET", "/metrics").1)
        .await
        .unwrap()
}

/// Waits until `/metrics` holds `line`.
async fn wait_metric(daemon: &OrchestratorDaemon, line: &str) {
    let seen = wait_until_async(WAIT, || async {
        metrics(daemon)
            .await
            .lines()
            .any(|l| l == line)
            .then_some(())
    })
    .await;
    assert!(seen.is_some(), "{line} not in:\n{}", metrics(daemon).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_and_ended_sessions_reach_the_webhook() {
    let home = TestHome::new();
    let receiver = Receiver::start(0, false).await;
    let mut config = config(
        &home,
        Some(
            "name: n\nsafetyHeuristics:\n  escalate: [\"terraform apply*\"]\napprovalTimeoutSeconds: 1\n",
        ),
    );
    config.notify.webhook = Some(receiver.url());
    let daemon = start(&home, config).await;

    // The agent asks before its tool call; nobody answers, so it expires as a deny after 1 s,
    // by which time it was notified.
    let asks = daemon
        .spawn(request("ask:Bash terraform apply -auto-approve"))
        .await
        .unwrap();
    let body = receiver.body_of("approval_required", &asks.id).await;
    let approval_id = body["approval"]["id"].as_str().unwrap();
    assert!(approval_id.starts_with("approval_"), "{body:#}");
    assert_eq!(body["approvalId"], approval_id);
    assert_eq!(body["approval"]["sessionId"], asks.id.as_str());
    assert_eq!(body["approval"]["kind"], "approval");
    assert_eq!(body["approval"]["rule"], "escalate: terraform apply*");
    assert_eq!(
        body["session"]["task"]["description"],
        "ask:Bash terraform apply -auto-approve"
    );
    assert_eq!(
        body["text"],
        format!(
            "Session {} (task “ask:Bash terraform apply -auto-approve”) needs approval: Bash \
             `terraform apply -auto-approve` (rule escalate: terraform apply*) — approve with \
             `wundr orchestrator approval approve {approval_id}` or deny with `wundr \
             orchestrator approval deny {approval_id}`",
            asks.id
        )
    );
    let ended = wait_ended(&daemon, &asks.id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:?}");

    // A question says how to answer it.
    let question = daemon
        .spawn(request("ask:AskUserQuestion Which database?"))
        .await
        .unwrap();
    let body = receiver.body_of("approval_required", &question.id).await;
    let approval_id = body["approvalId"].as_str().unwrap();
    assert_eq!(body["approval"]["kind"], "question");
    assert_eq!(body["approval"]["summary"], "Which database?");
    assert_eq!(
        body["text"],
        format!(
            "Session {} (task “ask:AskUserQuestion Which database?”) asks: Which database? — \
             answer with `wundr orchestrator approval answer {approval_id} \"TEXT\"`",
            question.id
        )
    );
    wait_ended(&daemon, &question.id).await;

    let hello = daemon.spawn(request("hello")).await.unwrap();
    assert_eq!(
        wait_ended(&daemon, &hello.id).await.status,
        SessionStatus::Completed
    );
    let body = receiver.body_of("session_completed", &hello.id).await;
    assert_eq!(body["session"]["status"], "completed");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "Session {} (task “hello”) completed in ",
            hello.id
        )),
        "{text}"
    );

    let fail = daemon.spawn(request("fail")).await.unwrap();
    assert_eq!(
        wait_ended(&daemon, &fail.id).await.status,
        SessionStatus::Failed
    );
    let body = receiver.body_of("session_failed", &fail.id).await;
    assert_eq!(body["session"]["status"], "failed");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("Session {} (task “fail”) failed: ", fail.id)),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "see `wundr orchestrator logs --session {}`",
            fail.id
        )),
        "{text}"
    );
    wait_metric(
        &daemon,
        "orchestrator_notifications_sent_total{channel=\"webhook\",event=\"session_failed\"} 1",
    )
    .await;
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_fails_twice_gets_the_event_on_the_third_attempt() {
    let home = TestHome::new();
    let receiver = Receiver::start(2, false).await;
    let mut config = config(&home, None);
    config.notify.webhook = Some(receiver.url());
    let daemon = start(&home, config).await;
    let hello = daemon.spawn(request("hello")).await.unwrap();
    receiver.body_of("session_completed", &hello.id).await;
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 3);
    wait_metric(
        &daemon,
        "orchestrator_notifications_sent_total{channel=\"webhook\",event=\"session_completed\"} 1",
    )
    .await;
    assert!(
        !metrics(&daemon)
            .await
            .contains("notifications_failed_total{")
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_webhook_is_counted_in_metrics() {
    let home = TestHome::new();
    // A port nobody listens on: every attempt is refused.
    let port = crate::common::unused_port();
    let mut config = config(&home, None);
    config.notify.webhook = Some(format!("http://127.0.0.1:{port}/"));
    config.notify.attempts = 2;
    let daemon = start(&home, config).await;
    let fail = daemon.spawn(request("fail")).await.unwrap();
    assert_eq!(
        wait_ended(&daemon, &fail.id).await.status,
        SessionStatus::Failed
    );
    wait_metric(
        &daemon,
        "orchestrator_notifications_failed_total{channel=\"webhook\",event=\"session_failed\"} 1",
    )
    .await;
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_never_answers_holds_up_no_session() {
    let home = TestHome::new();
    let receiver = Receiver::start(0, true).await;
    let mut config = config(&home, None);
    config.notify.webhook = Some(receiver.url());
    config.notify.timeout = Duration::from_secs(600);
    let daemon = start(&home, config).await;
    // The first notification hangs in the webhook; sessions go on regardless.
    let first = daemon.spawn(request("hello")).await.unwrap();
    assert_eq!(
        wait_ended(&daemon, &first.id).await.status,
        SessionStatus::Completed
    );
    let held = wait_until_async(WAIT, || async {
        (receiver.requests.load(Ordering::SeqCst) == 1).then_some(())
    })
    .await;
    assert!(
        held.is_some(),
        "the webhook never got the first notification"
    );
    for prompt in ["hello again", "fail"] {
        let session = daemon.spawn(request(prompt)).await.unwrap();
        assert!(wait_ended(&daemon, &session.id).await.status.is_ended());
    }
    assert_eq!(
        receiver.requests.load(Ordering::SeqCst),
        1,
        "one at a time, in order"
    );
    // Stopping does not wait for the hanging request.
    daemon.stop().await;
}

fn env_file(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.starts_with("WUNDR_"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_channel_gets_the_event_in_its_environment() {
    let home = TestHome::new();
    let out = home.path().join("notified.env");
    let mut config = config(&home, None);
    // sh only because the test needs a redirect; the daemon runs argv as given.
    config.notify.command = Some(vec![
        "sh".into(),
        "-c".into(),
        "env > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"".into(),
        out.display().to_string(),
    ]);
    config.notify.events = vec![orchestrator_config::notify::NotifyEvent::SessionCompleted];
    let daemon = start(&home, config).await;
    let hello = daemon.spawn(request("hello")).await.unwrap();
    let vars = wait_until_async(WAIT, || async {
        let vars = env_file(&out);
        (!vars.is_empty()).then_some(vars)
    })
    .await
    .expect("the command ran");
    let get = |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} missing from {vars:?}"))
    };
    assert_eq!(get("WUNDR_EVENT"), "session_completed");
    assert_eq!(get("WUNDR_SESSION_ID"), hello.id);
    assert_eq!(get("WUNDR_APPROVAL_ID"), "");
    let event: Value = serde_json::from_str(&get("WUNDR_EVENT_JSON")).unwrap();
    assert_eq!(event["event"], "session_completed");
    assert_eq!(event["session"]["id"], hello.id.as_str());
    assert_eq!(event["text"], get("WUNDR_EVENT_TEXT"));
    assert!(get("WUNDR_EVENT_TEXT").starts_with(&format!("Session {}", hello.id)));
    wait_metric(
        &daemon,
        "orchestrator_notifications_sent_total{channel=\"command\",event=\"session_completed\"} 1",
    )
    .await;
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_over_its_timeout_is_killed_with_its_group() {
    let home = TestHome::new();
    let pids = home.path().join("pids");
    let mut config = config(&home, None);
    // The shell and a background sleep both outlive the timeout unless the group is killed.
    config.notify.command = Some(vec![
        "sh".into(),
        "-c".into(),
        "sleep 1000 & echo \"$$ $!\" > \"$0\"; wait".into(),
        pids.display().to_string(),
    ]);
    config.notify.timeout = Duration::from_millis(500);
    config.notify.attempts = 1;
    let daemon = start(&home, config).await;
    daemon.spawn(request("hello")).await.unwrap();
    wait_metric(
        &daemon,
        "orchestrator_notifications_failed_total{channel=\"command\",event=\"session_completed\"} 1",
    )
    .await;
    let text = std::fs::read_to_string(&pids).unwrap();
    let pids: Vec<u32> = text
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2, "{text}");
    for pid in pids {
        let gone = common::wait_until(WAIT, || (!common::alive(pid)).then_some(()));
        assert!(gone.is_some(), "pid {pid} outlived the command's timeout");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_sessions_reach_both_doors_and_the_webhook() {
    let home = TestHome::new();
    let receiver = Receiver::start(0, false).await;
    let mut config = config(&home, None);
    config.notify.webhook = Some(receiver.url());
    config.stall.timeout = Some(Duration::from_secs(1));
    let daemon = start(&home, config).await;
    let mut client = ws::connect(ws::port_of(&daemon)).await;
    let mut watch = common::client(&daemon.paths().socket)
        .await
        .watch_events(v1::WatchEventsRequest {})
        .await
        .unwrap()
        .into_inner();
    // The agent says nothing after its init, with its turn open.
    let hang = daemon.spawn(request("hang")).await.unwrap();

    let frame = client.next_of("session_stalled").await;
    assert_eq!(frame["sessionId"], hang.id.as_str());
    let idle_ms = frame["idleForMs"].as_u64().unwrap();
    assert!((1000..30_000).contains(&idle_ms), "{frame}");
    assert_eq!(frame["session"]["status"], "running");
    assert!(frame["session"]["stalledSince"].is_string(), "{frame}");
    let stalled = loop {
        let event = tokio::time::timeout(WAIT, watch.message())
            .await
            .expect("an event in time")
            .unwrap()
            .expect("the stream is open");
        if let Some(v1::event::Kind::SessionStalled(s)) = event.kind {
            break s;
        }
    };
    assert_eq!(stalled.idle_for_ms, idle_ms);
    let session = stalled.session.unwrap();
    assert_eq!(session.id, hang.id);
    assert!(session.stalled_since_unix_ms > 0);
    let body = receiver.body_of("session_stalled", &hang.id).await;
    assert_eq!(body["idleForMs"], idle_ms);
    assert_eq!(
        body["text"],
        format!(
            "Session {} (task “hang”) has shown no progress for {}s — see `wundr orchestrator \
             logs --session {} -f`",
            hang.id,
            idle_ms / 1000,
            hang.id
        )
    );
    daemon.stop().await;
}
