//! A daemon restart while a session waits for a person (the daemon binary, `kill -9`): the
//! agent dies with it, the session comes back failed and interrupted with its question gone,
//! and `session send` continues the same conversation in a new CLI process (`--resume`): the
//! model is sent the earlier user and assistant messages, the agent asks again for the tool it
//! never got to run, and once approved the file is written. A finished conversation continued
//! after a graceful restart keeps its history and its tokens.

use nix::sys::signal::Signal;
use orchestrator_api::v1;
use serde_json::json;
use wundr_test_support::{Reply, Script};

use crate::common::charter_gen::readme_charter;
use crate::common::daemon_binary::{self, charter, session, sessions};
use crate::common::scripted::{PATIENCE, ScriptedAgents, ended, spawn_in, waiting};
use crate::common::{TestHome, alive, no_process_of, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_waiting_for_a_person_goes_on_after_a_daemon_restart() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |work| {
        let write = json!({"file_path": work.join("notes.txt"), "content": "after the restart\n"});
        Script::new([
            Reply::text("I will write notes.txt.").with_tool_use("Write", write.clone()),
            Reply::tool_use("Write", write),
            Reply::text("Wrote notes.txt."),
        ])
    }) else {
        return;
    };
    let charter_file = readme_charter(home.path(), "approvalTimeoutSeconds: 120");
    agents.write_config_file(&home, &charter_file);
    let first_daemon = daemon_binary::start(&home, &[]);
    let spawned = spawn_in(&home, &agents.work, "write notes.txt").await;
    let asked = waiting(&home, &spawned.id).await;
    let first_question = asked.waiting_for.unwrap().approval_id;

    // A person takes a while to answer, time in which Claude Code saves the conversation; a
    // kill within milliseconds of the question could leave nothing to resume.
    let saved = wait_until(PATIENCE, || {
        let saved = agents.saved_conversations();
        (saved.contains("I will write notes.txt.") && saved.contains(r#""type":"tool_use""#))
            .then_some(())
    });
    assert!(saved.is_some(), "Claude Code saved its reply");
    first_daemon.signal(Signal::SIGKILL);
    let gone = wait_until(std::time::Duration::from_secs(15), || {
        (!alive(first_daemon.pid) && !alive(asked.pid)).then_some(())
    });
    assert!(gone.is_some(), "the agent dies with the daemon");
    let daemon = daemon_binary::start(&home, &[]);
    let interrupted = session(&home, &spawned.id).await;
    assert_eq!(
        interrupted.status(),
        v1::SessionStatus::Failed,
        "{interrupted:#?}"
    );
    assert_eq!(interrupted.error, "interrupted: daemon restarted");
    assert_eq!(
        interrupted.waiting_for, None,
        "the question went with the agent"
    );
    let pending = charter(&home)
        .await
        .list_approvals(v1::ListApprovalsRequest {})
        .await
        .unwrap()
        .into_inner()
        .approvals;
    assert!(pending.is_empty(), "{pending:#?}");
    assert!(no_process_of(&spawned.id));
    assert!(!agents.work.join("notes.txt").exists());

    sessions(&home)
        .await
        .send(v1::SendToSessionRequest {
            session_id: spawned.id.clone(),
            text: "go on".into(),
        })
        .await
        .unwrap();
    let asked_again = waiting(&home, &spawned.id).await.waiting_for.unwrap();
    assert_eq!(asked_again.tool, "Write");
    assert_ne!(asked_again.approval_id, first_question, "a new question");
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let resumed = &requests[1];
    let users = resumed.user_texts();
    let prompts: Vec<&String> = users
        .iter()
        .filter(|t| *t == "write notes.txt" || *t == "go on")
        .collect();
    assert_eq!(prompts, ["write notes.txt", "go on"], "{users:#?}");
    // The CLI closes the cut-off call itself: a tool_result saying it was interrupted, and an
    // assistant "No response requested." before the new prompt.
    assert_eq!(
        resumed.assistant_texts().first().map(String::as_str),
        Some("I will write notes.txt."),
        "{:#?}",
        resumed.messages()
    );
    let cut_off = resumed.last_tool_result().unwrap();
    assert!(
        cut_off.content.starts_with("[Tool call interrupted"),
        "the model hears the first Write never finished: {cut_off:?}"
    );

    charter(&home)
        .await
        .answer(v1::AnswerApprovalRequest {
            id: asked_again.approval_id,
            approve: true,
            answered_by: "test".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert_eq!(
        std::fs::read_to_string(agents.work.join("notes.txt")).unwrap(),
        "after the restart\n"
    );
    let told = agents.server.requests()[2].last_tool_result().unwrap();
    assert!(!told.is_error, "{told:?}");

    daemon.stop();
    assert!(no_process_of(&spawned.id));
}

/// A finished conversation continued after a graceful restart: the follow-up's model call
/// carries the first turn, and the session's tokens (kept in the database) add up across both
/// daemons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_conversation_goes_on_after_a_graceful_restart() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| {
        Script::new([Reply::text("answer one"), Reply::text("answer two")])
    }) else {
        return;
    };
    let charter_file = readme_charter(home.path(), "");
    agents.write_config_file(&home, &charter_file);
    let first_daemon = daemon_binary::start(&home, &[]);
    let spawned = spawn_in(&home, &agents.work, "question one").await;
    let first = ended(&home, &spawned.id).await;
    assert_eq!(first.status(), v1::SessionStatus::Completed, "{first:#?}");
    first_daemon.stop();

    let daemon = daemon_binary::start(&home, &[]);
    sessions(&home)
        .await
        .send(v1::SendToSessionRequest {
            session_id: spawned.id.clone(),
            text: "question two".into(),
        })
        .await
        .unwrap();
    let second = daemon_binary::wait_within(&home, &spawned.id, "the second turn", PATIENCE, |s| {
        s.metrics.as_ref().is_some_and(|m| m.tasks_completed == 2) && s.pid == 0
    })
    .await;
    assert_eq!(second.status(), v1::SessionStatus::Completed, "{second:#?}");
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2);
    let users = requests[1].user_texts();
    let asked: Vec<&String> = users.iter().filter(|t| t.starts_with("question")).collect();
    assert_eq!(asked, ["question one", "question two"], "{users:#?}");
    assert_eq!(requests[1].assistant_texts(), ["answer one"]);
    let sent = agents.server.usage_sent();
    assert_eq!(
        second.metrics.unwrap().tokens_used,
        sent.total() - sent.cache_read_input_tokens,
        "both daemons' calls are counted"
    );

    daemon.stop();
    assert!(no_process_of(&spawned.id));
}
