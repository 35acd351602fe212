//! What tells a person, unattended, that a session needs them: the webhook gets the real CLI's
//! permission prompt as `approval_required` (and the session's end), and a session whose model
//! stops answering is stalled — announced on the webhook, interrupted on the agent's stdin and
//! nudged, after which the same conversation goes on.

use std::time::Duration;

use orchestrator_config::{DaemonConfig, StallAction};
use orchestrator_daemon::model::{OutputKind, SessionStatus};
use serde_json::json;
use wundr_test_support::{Reply, Script};

use crate::common::charter_gen::readme_charter;
use crate::common::scripted::{ScriptedAgents, approve_with_cli, spawn_in};
use crate::common::sessions::{start, wait_for};
use crate::common::webhook::Receiver;
use crate::common::{TestHome, no_process_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_hears_the_permission_prompt_and_the_end() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |work| {
        Script::new([
            Reply::tool_use(
                "Write",
                json!({"file_path": work.join("notes.txt"), "content": "approved\n"}),
            ),
            Reply::text("Wrote notes.txt."),
        ])
    }) else {
        return;
    };
    let receiver = Receiver::start(0, false).await;
    let config = notifying(&home, &agents, &receiver);
    let daemon = start(&home, config).await;
    let spawned = spawn_in(&home, &agents.work, "write notes.txt").await;

    let body = receiver.body_of("approval_required", &spawned.id).await;
    let approval = &body["approval"];
    assert_eq!(approval["kind"], "approval", "{body:#}");
    assert_eq!(approval["tool"], "Write");
    assert_eq!(approval["rule"], "defaultDecision: ask");
    let file = agents.work.join("notes.txt");
    assert_eq!(approval["summary"], file.display().to_string());
    let id = body["approvalId"].as_str().unwrap().to_owned();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("needs approval: Write `{}`", file.display()))
            && text.contains(&format!("wundr orchestrator approval approve {id}")),
        "{text}"
    );
    assert!(!file.exists(), "nothing is written before the answer");

    // The person answers from the notification's command.
    approve_with_cli(&home, &id).await;
    let body = receiver.body_of("session_completed", &spawned.id).await;
    assert_eq!(body["session"]["status"], "completed", "{body:#}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "approved\n");
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_session_is_announced_interrupted_and_nudged_on() {
    const NUDGE: &str = "You went quiet. Say what blocks you, or go on.";
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| {
        Script::new([
            // The model hangs far longer than the stall timeout.
            Reply::text("too late").with_delay(Duration::from_secs(300)),
            Reply::text("Sorry, I was stuck on the build. It passes now."),
        ])
    }) else {
        return;
    };
    let receiver = Receiver::start(0, false).await;
    let mut config = notifying(&home, &agents, &receiver);
    config.stall.timeout = Some(Duration::from_secs(3));
    config.stall.action = StallAction::Interrupt;
    config.stall.nudge = NUDGE.to_owned();
    let daemon = start(&home, config).await;
    let mut outputs = daemon.core().subscribe_output();
    let spawned = spawn_in(&home, &agents.work, "make the build pass").await;

    let body = receiver.body_of("session_stalled", &spawned.id).await;
    assert!(body["idleForMs"].as_u64().unwrap() >= 3000, "{body:#}");
    assert!(body["session"]["stalledSince"].is_string(), "{body:#}");
    let ended = wait_for(&daemon, &spawned.id, "the nudged session to end", |s| {
        s.status.is_ended() && s.pid.is_none()
    })
    .await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_eq!(ended.stalled_since, None);
    assert_eq!(ended.metrics.tasks_completed, 1, "the nudge's turn");
    assert_eq!(ended.metrics.errors_encountered, 1, "the interrupted turn");

    // The model was asked twice: the hung call, then the same conversation with the nudge.
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let texts = requests[1].user_texts();
    assert_eq!(texts.last().map(String::as_str), Some(NUDGE), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("make the build pass")),
        "the nudge continues the conversation: {texts:?}"
    );
    let mut failed = Vec::new();
    let mut lines = Vec::new();
    while let Ok(output) = outputs.try_recv() {
        match output.kind {
            OutputKind::TaskFailed { task, error } => failed.push((task, error)),
            OutputKind::Line { line, .. } => lines.push(line),
            _ => {}
        }
    }
    assert_eq!(
        failed,
        [(
            "make the build pass".to_owned(),
            "interrupted: no progress for 3s".to_owned()
        )]
    );
    assert!(
        lines
            .iter()
            .any(|l| l
                == "[stalled] no progress for 3s: interrupting the turn, then nudging the agent"),
        "{lines:?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

/// The daemon's config for `agents` under the README's charter, notifying `receiver`.
fn notifying(home: &TestHome, agents: &ScriptedAgents, receiver: &Receiver) -> DaemonConfig {
    let charter = readme_charter(home.path(), "approvalTimeoutSeconds: 120");
    let mut config = agents.config(&charter);
    config.notify.webhook = Some(receiver.url());
    config
}
