//! The agent's questions reach a person: an `AskUserQuestion` shows in `logs --session -f`
//! with the command that answers it, approving is no answer, and the text given with
//! `approval answer` is what the model reads. An agent asking several things at once stays
//! waiting until the last is answered.

use orchestrator_api::v1;
use serde_json::json;
use wundr_test_support::{Reply, Script};

use crate::common::daemon_binary::{self, charter};
use crate::common::scripted::{
    LogFollower, PATIENCE, ScriptedAgents, audit, ended, spawn_in, waiting, wundr,
};
use crate::common::{self, TestHome, no_process_of, wait_until_async};

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
    assert_eq!(
        waiting_for.summary,
        format!("{question} (Postgres / SQLite)"),
        "the question and its options, not its JSON"
    );
    let id = waiting_for.approval_id.as_str();

    // The person follows the session and is told the question and how to answer it.
    let mut follower = LogFollower::start(&home, &spawned.id);
    let asks = follower.until("[question] the agent asks:").await;
    assert_eq!(
        asks,
        format!("[question] the agent asks: {question} (Postgres / SQLite)")
    );
    let hint = follower.until("answer with:").await;
    assert_eq!(
        hint.trim(),
        format!("answer with: wundr orchestrator approval answer {id} \"TEXT\"")
    );

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
    follower.until(&format!("{id} approved by cli")).await;
    let followed = follower.finish().await;
    assert!(
        followed.success(),
        "logs -f ends with the session: {followed}"
    );

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
            && e.approved_by == "cli"
            && e.input_summary == format!("{question} (Postgres / SQLite)")),
        "{audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

/// Claude Code asks about the tools of one reply it runs in parallel at once (here two WebFetch
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
    let both = wait_until_async(PATIENCE, || async {
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
