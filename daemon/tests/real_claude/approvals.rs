//! A person decides what the README's charter leaves open (`defaultDecision: ask`): the real
//! CLI's permission prompt reaches the daemon, the session shows `waitingFor` and `status`
//! counts it, and the person's answer — from the `wundr` CLI or gRPC — is what happens: the
//! file is written or not, the model is told why, a question's answer reaches the model, and
//! the audit names who decided.

use std::path::Path;

use orchestrator_api::v1;
use serde_json::json;
use wundr_test_support::{Reply, Script};

use crate::common::daemon_binary::{self, charter};
use crate::common::scripted::{ScriptedAgents, audit, ended, spawn_in, waiting, wundr};
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
            let fields = (&e.event, &e.decision, &e.approved_by, &e.rule);
            (
                fields.0.as_str(),
                fields.1.as_str(),
                fields.2.as_str(),
                fields.3.as_str(),
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

    let (exit, stdout, stderr) = wundr(
        &home,
        &[
            "orchestrator",
            "approval",
            "approve",
            &waiting_for.approval_id,
        ],
    )
    .await;
    assert!(exit.success(), "{stderr}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_question_is_answered_with_text_from_the_cli() {
    let question = "Which database should the service use?";
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| {
        Script::new([
            Reply::tool_use(
                "AskUserQuestion",
                json!({"questions": [{
                    "question": question,
                    "header": "Database",
                    "options": [
                        {"label": "Postgres", "description": "the one in docker-compose.yml"},
                        {"label": "SQLite", "description": "a file"}
                    ],
                    "multiSelect": false
                }]}),
            ),
            Reply::text("Postgres it is."),
        ])
    }) else {
        return;
    };
    let daemon = agents.start_daemon(&home, 120).await;
    let spawned = spawn_in(&home, &agents.work, "set up the database").await;
    let waiting_for = waiting(&home, &spawned.id).await.waiting_for.unwrap();
    assert_eq!(
        (waiting_for.kind.as_str(), waiting_for.tool.as_str()),
        ("question", "AskUserQuestion")
    );
    assert!(waiting_for.summary.contains(question), "{waiting_for:?}");
    let id = waiting_for.approval_id.as_str();

    // Approving is no answer: refused with the remedy, and the question stays open.
    let (exit, _, stderr) = wundr(&home, &["orchestrator", "approval", "approve", id]).await;
    assert_eq!(exit.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("wundr orchestrator approval answer {id}")),
        "{stderr}"
    );
    assert_eq!(agents.server.requests().len(), 1, "still waiting");

    let answer = "Postgres, the one in docker-compose.yml";
    let (exit, stdout, stderr) =
        wundr(&home, &["orchestrator", "approval", "answer", id, answer]).await;
    assert!(exit.success(), "{stderr}");
    assert!(stdout.contains("approved"), "{stdout}");

    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2);
    let told = requests[1].last_tool_result().unwrap();
    assert!(!told.is_error, "{told:?}");
    assert!(
        told.content
            .contains(&format!("\"{question}\"=\"{answer}\"")),
        "the model reads the person's answer: {told:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    assert!(
        audit.iter().any(|e| e.event == "PermissionRequest"
            && e.tool == "AskUserQuestion"
            && e.decision == "allow"
            && e.approved_by == "cli"),
        "{audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

/// The real CLI asks about concurrency-safe tools of one reply at once (here two WebFetch
/// calls): the session shows it waits until the last question is answered, whichever is
/// answered first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_asking_two_things_at_once_waits_until_both_are_answered() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| {
        let fetch = |url: &str| json!({"url": url, "prompt": "summarize"});
        Script::new([
            Reply::tool_use("WebFetch", fetch("https://example.com/a"))
                .with_tool_use("WebFetch", fetch("https://example.org/b")),
            Reply::text("Neither page then."),
        ])
    }) else {
        return;
    };
    let daemon = agents.start_daemon(&home, 120).await;
    let spawned = spawn_in(&home, &agents.work, "compare the two pages").await;
    let both = crate::common::wait_until_async(crate::common::scripted::PATIENCE, || async {
        let pending = charter(&home)
            .await
            .list_approvals(v1::ListApprovalsRequest {})
            .await
            .unwrap()
            .into_inner()
            .approvals;
        (pending.len() == 2).then_some(pending)
    })
    .await
    .expect("both calls wait for a person");
    let shown = waiting(&home, &spawned.id).await.waiting_for.unwrap();
    let other = both
        .iter()
        .find(|a| a.id != shown.approval_id)
        .expect("the session shows one of them")
        .clone();
    let deny = |id: String| v1::AnswerApprovalRequest {
        id,
        approve: false,
        reason: "no network here".into(),
        answered_by: "test".into(),
        answer: String::new(),
    };

    charter(&home)
        .await
        .answer(deny(shown.approval_id.clone()))
        .await
        .unwrap();
    let still = daemon_binary::session(&home, &spawned.id).await;
    assert_eq!(
        still.waiting_for.as_ref().map(|w| w.approval_id.as_str()),
        Some(other.id.as_str()),
        "the session still waits, on the other question: {still:#?}"
    );
    let status = common::client(&home.paths().socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.sessions.unwrap().waiting, 1);

    charter(&home)
        .await
        .answer(deny(other.id.clone()))
        .await
        .unwrap();
    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert_eq!(done.waiting_for, None);
    let results = agents.server.requests()[1].tool_results();
    assert_eq!(results.len(), 2, "{results:#?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_error && r.content.ends_with("no network here")),
        "{results:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}
