//! A person decides a tool call the README's charter leaves open (`defaultDecision: ask`): the
//! real CLI's permission prompt reaches the daemon, the session shows `waitingFor` and
//! `status` counts it, and the person's answer — from the `wundr` CLI or gRPC, or none in
//! time — is what happens: the file is written or not, the model is told why, and the audit
//! names who decided.

use std::path::Path;
use std::time::Duration;

use orchestrator_api::v1;
use orchestrator_daemon::DaemonConfig;
use serde_json::json;
use wundr_test_support::{Reply, Script};

use crate::common::charter_gen::readme_charter;
use crate::common::daemon_binary::charter;
use crate::common::scripted::{ScriptedAgents, approve_with_cli, audit, ended, spawn_in, waiting};
use crate::common::{self, TestHome, no_process_of};

/// A model that writes `notes.txt` in the work dir, then says so.
fn write_notes(work: &Path) -> Script {
    Script::new([
        Reply::tool_use(
            "Write",
            json!({"file_path": work.join("notes.txt"), "content": "approved\n"}),
        ),
        Reply::text("Wrote notes.txt."),
    ])
}

/// `(event, decision, approved_by, rule)` of each audit entry.
fn decisions(entries: &[v1::AuditEntry]) -> Vec<(&str, &str, &str, &str)> {
    entries
        .iter()
        .map(|e| {
            let field = String::as_str;
            (
                field(&e.event),
                field(&e.decision),
                field(&e.approved_by),
                field(&e.rule),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_a_person_approves_with_the_cli_runs() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, write_notes) else {
        return;
    };
    let daemon = agents.start_daemon(&home, 120).await;
    let spawned = spawn_in(&home, &agents.work, "write notes.txt").await;
    let asked = waiting(&home, &spawned.id).await;
    let waiting_for = asked.waiting_for.clone().unwrap();
    assert_eq!(
        (waiting_for.kind.as_str(), waiting_for.tool.as_str()),
        ("approval", "Write"),
        "{asked:#?}"
    );
    assert!(
        waiting_for.summary.ends_with("notes.txt"),
        "{waiting_for:?}"
    );
    assert_eq!(
        asked.status(),
        v1::SessionStatus::Running,
        "waiting holds its slot"
    );
    let file = agents.work.join("notes.txt");
    assert!(!file.exists(), "nothing is written before the answer");
    assert_eq!(
        agents.server.requests().len(),
        1,
        "the CLI waits for the answer"
    );
    let status = common::client(&home.paths().socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.sessions.unwrap().waiting, 1);

    let stdout = approve_with_cli(&home, &waiting_for.approval_id).await;
    assert!(stdout.contains("approved"), "{stdout}");

    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert_eq!(done.waiting_for, None);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "approved\n");
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2, "the model heard back once");
    let told = requests[1].last_tool_result().unwrap();
    assert!(
        !told.is_error && told.content.starts_with("File created successfully at: "),
        "{told:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    let decided = decisions(&audit);
    assert!(
        decided.contains(&("PreToolUse", "ask", "", "")),
        "the real hook left the write to a person: {audit:#?}"
    );
    assert!(
        decided.contains(&("PermissionRequest", "allow", "cli", "defaultDecision: ask")),
        "{audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_a_person_denies_over_grpc_tells_the_model_why() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, write_notes) else {
        return;
    };
    let daemon = agents.start_daemon(&home, 120).await;
    let spawned = spawn_in(&home, &agents.work, "write notes.txt").await;
    let waiting_for = waiting(&home, &spawned.id).await.waiting_for.unwrap();
    let denied = charter(&home)
        .await
        .answer(v1::AnswerApprovalRequest {
            id: waiting_for.approval_id.clone(),
            approve: false,
            reason: "not in this repository".into(),
            answered_by: "reviewer".into(),
            answer: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(denied.state, "denied");

    let done = ended(&home, &spawned.id).await;
    assert_eq!(
        done.status(),
        v1::SessionStatus::Completed,
        "a denial does not fail the turn: {done:#?}"
    );
    assert!(
        !agents.work.join("notes.txt").exists(),
        "nothing was written"
    );
    let requests = agents.server.requests();
    assert_eq!(
        requests.len(),
        2,
        "the model was called again with the denial"
    );
    let told = requests[1].last_tool_result().unwrap();
    assert!(told.is_error, "{told:?}");
    assert_eq!(
        told.content,
        "charter: defaultDecision: ask denied by reviewer: not in this repository"
    );
    let audit = audit(&home, &spawned.id).await;
    assert!(
        decisions(&audit).contains(&(
            "PermissionRequest",
            "deny",
            "reviewer",
            "defaultDecision: ask"
        )),
        "{audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

/// Nobody answers within `approvalTimeoutSeconds`: the agent is told no (an explicit deny,
/// not a closed prompt, which the CLI would not take as one), the turn goes on, and the
/// quiet wait did not trip the idle watchdog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_nobody_answers_in_time_is_denied() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, write_notes) else {
        return;
    };
    let charter_file = readme_charter(home.path(), "approvalTimeoutSeconds: 2");
    let config = DaemonConfig {
        idle_timeout: Duration::from_secs(1),
        ..agents.config(&charter_file)
    };
    let daemon = common::sessions::start(&home, config).await;
    let spawned = spawn_in(&home, &agents.work, "write notes.txt").await;
    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert!(!agents.work.join("notes.txt").exists());
    let told = agents.server.requests()[1].last_tool_result().unwrap();
    assert!(
        told.is_error
            && told.content.starts_with(
                "charter: defaultDecision: ask needs a person's answer and none came within 2s"
            ),
        "{told:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    assert!(
        decisions(&audit).contains(&(
            "PermissionRequest",
            "deny",
            "timeout",
            "defaultDecision: ask"
        )),
        "{audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}
