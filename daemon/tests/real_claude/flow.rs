//! Claude Flow sessions for real: `claude-flow@3.43.0` (ruflo) runs `hive-mind spawn --claude`
//! in a fresh directory, and the real Claude Code it starts talks to the scripted model under
//! the README's charter: the hive is initialised once, Claude Code's events inside ruflo's
//! output become the session's text, tool calls and tokens, the charter's hooks reach that
//! Claude Code (a force push denied, a write left open approved by a person), follow-ups
//! continue the conversation ruflo's Claude Code started (sent after it ended, or while ruflo
//! still ran), and `session stop` ends ruflo, Claude Code and the tool it runs.

use std::path::Path;

use orchestrator_api::v1;
use serde_json::json;
use wundr_test_support::{Reply, Script, Usage};

use crate::common::charter_gen::readme_charter;
use crate::common::claude::real_claude_flow;
use crate::common::scripted::{
    PATIENCE, ScriptedAgents, approve_with_cli, audit, ended, spawn_typed, waiting, wundr,
};
use crate::common::{TestHome, no_process_of, wait_until};

/// A model call's usage: `input` and `output` tokens, no cache.
const fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
    }
}

/// The real CLIs, a scripted model, and a daemon whose flow sessions run the real ruflo.
async fn flow_daemon(
    home: &TestHome,
    script: impl FnOnce(&Path) -> Script,
) -> Option<(ScriptedAgents, orchestrator_daemon::OrchestratorDaemon)> {
    let agents = ScriptedAgents::new(home, script)?;
    let flow = real_claude_flow()?;
    let charter = readme_charter(home.path(), "approvalTimeoutSeconds: 120");
    let daemon = crate::common::sessions::start(home, agents.flow_config(&charter, &flow)).await;
    Some((agents, daemon))
}

/// Spawns a claude-flow session for `task` in `work_dir` through gRPC.
async fn spawn_flow(home: &TestHome, work_dir: &Path, task: &str) -> v1::Session {
    spawn_typed(home, v1::SessionType::ClaudeFlow, work_dir, task).await
}

/// Everything `logs --session` shows of session `id`.
async fn logs(home: &TestHome, id: &str) -> String {
    let (exit, stdout, stderr) = wundr(home, &["orchestrator", "logs", "--session", id]).await;
    assert!(exit.success(), "{stderr}");
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_sessions_on_a_fresh_directory_complete_with_the_models_text_and_tokens() {
    let home = TestHome::new();
    let Some((agents, daemon)) = flow_daemon(&home, |_| {
        Script::new([
            Reply::text("Hello from the hive.").with_usage(usage(1200, 30)),
            Reply::text("Hello again.").with_usage(usage(1300, 8)),
            Reply::text("Continued.").with_usage(usage(1400, 4)),
        ])
    })
    .await
    else {
        return;
    };
    let hive = agents.work.join(".claude-flow/hive-mind/state.json");
    assert!(!hive.exists());

    let first = spawn_flow(&home, &agents.work, "say hello").await;
    let done = ended(&home, &first.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert!(hive.exists(), "the daemon initialised the hive");
    let shown = logs(&home, &first.id).await;
    assert!(shown.contains("hive-mind init"), "{shown}");
    assert!(
        shown.lines().any(|l| l == "Hello from the hive."),
        "the model's text is the session's text, not a raw JSON line: {shown}"
    );
    assert!(
        shown.contains("[stdout] [INFO] Launching Claude Code..."),
        "ruflo's own lines stream as text: {shown}"
    );
    assert_eq!(done.metrics.unwrap().tokens_used, 1230, "{shown}");
    assert!(!done.agent_session_id.is_empty(), "{done:#?}");
    let state = std::fs::read_to_string(&hive).unwrap();

    // A second session in the same directory and home: the hive is the user's now and is not
    // made again, and Claude Code's own ~/.claude.json (written by the first run) is not
    // taken for an MCP configuration.
    let second = spawn_flow(&home, &agents.work, "say hello again").await;
    let done = ended(&home, &second.id).await;
    let shown = logs(&home, &second.id).await;
    assert_eq!(
        done.status(),
        v1::SessionStatus::Completed,
        "{done:#?}\n{shown}"
    );
    assert!(!shown.contains("hive-mind init"), "{shown}");
    assert!(shown.lines().any(|l| l == "Hello again."), "{shown}");
    assert_eq!(done.metrics.unwrap().tokens_used, 1308);
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&hive).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(after["createdAt"], before["createdAt"], "the same hive");

    // A follow-up continues, in Claude Code itself, the conversation ruflo's Claude Code
    // started: the model is sent the hive's earlier turn.
    let (exit, _, stderr) = wundr(
        &home,
        &["orchestrator", "session", "send", &first.id, "and now?"],
    )
    .await;
    assert!(exit.success(), "{stderr}");
    let done = wait_within_turns(&home, &first.id, 2).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    let requests = agents.server.requests();
    let resumed = requests.last().unwrap();
    assert_eq!(
        resumed.user_texts().last().map(String::as_str),
        Some("and now?")
    );
    assert!(
        resumed
            .assistant_texts()
            .iter()
            .any(|t| t == "Hello from the hive."),
        "{:#?}",
        resumed.messages()
    );
    assert!(logs(&home, &first.id).await.contains("Continued."));
    assert_eq!(done.metrics.unwrap().tokens_used, 1230 + 1404);
    assert!(no_process_of(&first.id) && no_process_of(&second.id));
    daemon.stop().await;
}

/// Waits until session `id` has ended with `turns` completed tasks.
async fn wait_within_turns(home: &TestHome, id: &str, turns: u32) -> v1::Session {
    crate::common::daemon_binary::wait_within(
        home,
        id,
        "the follow-up to be answered",
        PATIENCE,
        |s| {
            s.pid == 0
                && s.ended_at_unix_ms > 0
                && s.metrics
                    .as_ref()
                    .is_some_and(|m| m.tasks_completed >= turns)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_agents_force_push_is_denied_by_the_charter_and_audited() {
    let home = TestHome::new();
    let Some((agents, daemon)) = flow_daemon(&home, |_| {
        Script::new([
            Reply::tool_use(
                "Bash",
                json!({"command": "git push --force origin main", "description": "Push"}),
            ),
            Reply::text("The push was refused."),
        ])
    })
    .await
    else {
        return;
    };
    agents.stand_in("git", "exit 0");
    let spawned = spawn_flow(&home, &agents.work, "publish the branch").await;
    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert!(
        !agents.ran("git").lines().any(|l| l.starts_with("push")),
        "git push never ran: {}",
        agents.ran("git")
    );
    let requests = agents.server.requests();
    let told = requests.last().unwrap().last_tool_result().unwrap();
    assert!(
        told.is_error && told.content.contains("Force push to main"),
        "the model hears the charter's reason: {told:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    let denial = audit
        .iter()
        .find(|e| e.decision == "deny")
        .unwrap_or_else(|| panic!("the denial is audited: {audit:#?}"));
    assert_eq!(
        (denial.tool.as_str(), denial.rule.as_str()),
        ("Bash", "alwaysReject: Force push to main")
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_the_charter_leaves_open_waits_for_a_person_and_then_happens() {
    let home = TestHome::new();
    let Some((agents, daemon)) = flow_daemon(&home, |work| {
        Script::new([
            Reply::tool_use(
                "Write",
                json!({"file_path": work.join("notes.txt"), "content": "approved\n"}),
            ),
            Reply::text("Wrote notes.txt."),
        ])
    })
    .await
    else {
        return;
    };
    let spawned = spawn_flow(&home, &agents.work, "write notes.txt").await;
    let asked = waiting(&home, &spawned.id).await;
    let waiting_for = asked.waiting_for.clone().unwrap();
    assert_eq!(waiting_for.tool, "Write", "{asked:#?}");
    let file = agents.work.join("notes.txt");
    assert!(!file.exists(), "nothing is written before the answer");

    let stdout = approve_with_cli(&home, &waiting_for.approval_id).await;
    assert!(stdout.contains("approved"), "{stdout}");
    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "approved\n");
    let audit = audit(&home, &spawned.id).await;
    assert!(
        audit.iter().any(|e| e.tool == "Write"
            && e.decision == "allow"
            && e.approved_by == "cli"
            && e.rule == "defaultDecision: ask"),
        "{audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_flow_session_ends_ruflo_claude_and_the_tool_it_runs() {
    let home = TestHome::new();
    let Some((agents, daemon)) = flow_daemon(&home, |_| {
        Script::new([
            // "Run test suites" is approved by the charter; the stand-in runs for long.
            Reply::tool_use(
                "Bash",
                json!({"command": "cargo test", "description": "Run the tests"}),
            ),
            Reply::text("Tests ran."),
        ])
    })
    .await
    else {
        return;
    };
    agents.stand_in("cargo", "exec sleep 600");
    let spawned = spawn_flow(&home, &agents.work, "run the tests").await;
    wait_until(PATIENCE, || (!agents.ran("cargo").is_empty()).then_some(()))
        .expect("the agent's tool runs");
    assert!(!no_process_of(&spawned.id), "ruflo and its children run");

    let (exit, _, stderr) = wundr(&home, &["orchestrator", "session", "stop", &spawned.id]).await;
    assert!(exit.success(), "{stderr}");
    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Terminated, "{done:#?}");
    wait_until(PATIENCE, || no_process_of(&spawned.id).then_some(()))
        .expect("every process of the session is gone");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_sent_while_ruflo_runs_continues_its_conversation_after_it_exits() {
    let home = TestHome::new();
    let Some((agents, daemon)) = flow_daemon(&home, |_| {
        Script::new([
            // Slow enough that the follow-up arrives while ruflo still runs.
            Reply::text("First answer.").with_delay(std::time::Duration::from_secs(2)),
            Reply::text("Second answer."),
        ])
    })
    .await
    else {
        return;
    };
    let spawned = spawn_flow(&home, &agents.work, "first").await;
    wait_until(PATIENCE, || {
        (!agents.server.requests().is_empty()).then_some(())
    })
    .expect("ruflo's Claude Code asks the model");
    let (exit, _, stderr) = wundr(
        &home,
        &["orchestrator", "session", "send", &spawned.id, "second"],
    )
    .await;
    assert!(exit.success(), "{stderr}");
    let done = wait_within_turns(&home, &spawned.id, 2).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(
        requests[1].user_texts().last().map(String::as_str),
        Some("second")
    );
    assert!(
        requests[1]
            .assistant_texts()
            .iter()
            .any(|t| t == "First answer."),
        "{:#?}",
        requests[1].messages()
    );
    let shown = logs(&home, &spawned.id).await;
    assert!(shown.contains("Second answer."), "{shown}");
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}
