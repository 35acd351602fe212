//! The tokens the daemon counts are the ones the model reported: a session of two turns (the
//! second a `session send`, so a second CLI process with `--resume`) whose model calls carry
//! distinct usage counts shows, on the session, in `status` metrics and in the API token pool,
//! exactly input + output + cache-creation tokens of every call (cache reads are left out on
//! purpose, see `agents::stream_json::Usage::total`). The first turn's Read runs without a
//! person: the charter's `autoApprove: Read file operations` allows it in the hook.

use orchestrator_api::v1;
use serde_json::json;
use wundr_test_support::{Reply, Script, Usage};

use crate::common::daemon_binary::{self, sessions};
use crate::common::scripted::{PATIENCE, ScriptedAgents, audit, ended, spawn_in};
use crate::common::{self, TestHome, no_process_of};

const CALLS: [Usage; 3] = [
    Usage {
        input_tokens: 1_200,
        output_tokens: 35,
        cache_creation_input_tokens: 400,
        cache_read_input_tokens: 9_000,
    },
    Usage {
        input_tokens: 1_500,
        output_tokens: 60,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 9_400,
    },
    Usage {
        input_tokens: 800,
        output_tokens: 20,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 0,
    },
];

/// What the daemon counts of `usage`.
fn counted(usage: &Usage) -> u64 {
    usage.input_tokens + usage.output_tokens + usage.cache_creation_input_tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tokens_counted_are_the_tokens_the_model_reported() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |work| {
        Script::new([
            Reply::tool_use("Read", json!({"file_path": work.join("README.md")}))
                .with_usage(CALLS[0]),
            Reply::text("It says hello.").with_usage(CALLS[1]),
            Reply::text("Still hello.").with_usage(CALLS[2]),
        ])
    }) else {
        return;
    };
    std::fs::write(agents.work.join("README.md"), "hello from the readme\n").unwrap();
    let daemon = agents.start_daemon(&home, 120).await;
    let spawned = spawn_in(&home, &agents.work, "what does the readme say?").await;
    let first = ended(&home, &spawned.id).await;
    assert_eq!(first.status(), v1::SessionStatus::Completed, "{first:#?}");
    assert_eq!(
        first.metrics.unwrap().tokens_used,
        counted(&CALLS[0]) + counted(&CALLS[1]),
        "the first turn's two calls"
    );
    let read = agents.server.requests()[1].last_tool_result().unwrap();
    assert!(
        !read.is_error && read.content.contains("hello from the readme"),
        "the Read ran: {read:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    assert!(
        audit.iter().any(|e| e.event == "PreToolUse"
            && e.tool == "Read"
            && e.decision == "allow"
            && e.rule == "autoApprove: Read file operations"),
        "{audit:#?}"
    );
    assert!(
        !audit.iter().any(|e| e.event == "PermissionRequest"),
        "nobody was asked: {audit:#?}"
    );

    sessions(&home)
        .await
        .send(v1::SendToSessionRequest {
            session_id: spawned.id.clone(),
            text: "and now?".into(),
        })
        .await
        .unwrap();
    let second = daemon_binary::wait_within(&home, &spawned.id, "the second turn", PATIENCE, |s| {
        s.metrics.as_ref().is_some_and(|m| m.tasks_completed == 2) && s.pid == 0
    })
    .await;
    let sent = agents.server.usage_sent();
    assert_eq!(
        sent,
        CALLS.into_iter().sum::<Usage>(),
        "every call was made once"
    );
    let expected: u64 = CALLS.iter().map(counted).sum();
    assert_eq!(
        expected,
        sent.total() - sent.cache_read_input_tokens,
        "cache reads are the only tokens left out"
    );
    assert_eq!(second.status(), v1::SessionStatus::Completed, "{second:#?}");
    assert_eq!(second.api_key_source, "ANTHROPIC_API_KEY");
    assert_eq!(second.metrics.unwrap().tokens_used, expected);
    let status = common::client(&home.paths().socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.metrics.unwrap().total_tokens_used, expected);
    let pools = daemon.core().token_pools();
    assert_eq!(
        (pools.api_used, pools.subscription_used),
        (expected, 0),
        "an API key's tokens go to the API pool"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}
