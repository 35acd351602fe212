//! The `fixture-agent` binary, run through the local runner and parsed by the turn tracker:
//! the whole path the daemon will use, without the real CLI.

use crate::process_support as common;

use std::time::Duration;

use common::*;
use orchestrator_daemon::agents::{AgentEvent, TurnTracker, Usage};
use orchestrator_daemon::supervisor::{ExitOutcome, LocalRunner, RunSpec, RunningAgent};

const SESSION: &str = "11111111-2222-4333-8444-555555555555";

fn agent_spec(script: Option<&str>) -> RunSpec {
    // The flags the daemon gives Claude Code, which the fixture agent accepts as it does.
    let mut spec = RunSpec::new(wundr_test_support::fixture_agent(), work_dir())
        .args(wundr_test_support::claude::STREAM_JSON_FLAGS)
        .args(["--session-id", SESSION]);
    if let Some(script) = script {
        spec = spec.env("FIXTURE_AGENT_SCRIPT", script);
    }
    spec
}

fn user_turn(prompt: &str) -> String {
    serde_json::json!({"type":"user","message":{"role":"user","content":prompt}}).to_string()
}

/// Writes the prompts, closes stdin, and tracks stdout to the end.
async fn run(spec: RunSpec, prompts: &[&str]) -> (Vec<AgentEvent>, ExitOutcome) {
    let mut agent = LocalRunner.start(spec).expect("start fixture-agent");
    let mut stdin = agent.take_stdin().expect("stdin");
    for prompt in prompts {
        stdin
            .write_line(&user_turn(prompt))
            .await
            .expect("write turn");
    }
    stdin.close().await.expect("close stdin");
    let mut stderr = agent.take_stderr().expect("stderr");
    let stderr_task = tokio::spawn(async move { read_all(&mut stderr).await });
    let events = track(&mut agent).await;
    let outcome = agent.wait().await.expect("wait");
    let stderr = stderr_task.await.expect("stderr task");
    assert_eq!(
        stderr.len(),
        prompts.len(),
        "one stderr line per turn: {stderr:?}"
    );
    (events, outcome)
}

async fn track(agent: &mut RunningAgent) -> Vec<AgentEvent> {
    let mut stdout = agent.take_stdout().expect("stdout");
    let mut tracker = TurnTracker::new();
    let mut events = Vec::new();
    while let Some(line) = next_line(&mut stdout).await {
        events.extend(tracker.push_line(&line));
    }
    let outcome = agent.wait().await.expect("wait");
    events.extend(tracker.finish(Some(&outcome.to_string())));
    events
}

fn terminal_events(events: &[AgentEvent]) -> Vec<&AgentEvent> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                AgentEvent::TurnCompleted { .. }
                    | AgentEvent::TurnFailed { .. }
                    | AgentEvent::TurnBlocked { .. }
            )
        })
        .collect()
}

fn usage(input: u64, output: u64, creation: u64, read: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_creation_input_tokens: creation,
        cache_read_input_tokens: read,
    }
}

#[tokio::test]
async fn scripted_turns_in_one_process() {
    let (events, outcome) = run(agent_spec(None), &["hello", "use a tool", "block", "fail"]).await;
    assert_eq!(
        outcome.code,
        Some(1),
        "a failed turn makes the exit code 1, as in Claude Code"
    );
    let inits = events.iter().filter(|e| matches!(e, AgentEvent::Init { agent_session_id, .. } if agent_session_id == SESSION)).count();
    assert_eq!(inits, 4);
    assert_eq!(
        terminal_events(&events),
        [
            &AgentEvent::TurnCompleted {
                result_text: "echo: hello".into(),
                usage: usage(10, 5, 2, 100),
                num_turns: 1,
                duration_ms: 42
            },
            &AgentEvent::TurnCompleted {
                result_text: "The command printed hi.".into(),
                usage: usage(20, 8, 0, 50),
                num_turns: 1,
                duration_ms: 42
            },
            &AgentEvent::TurnBlocked {
                reason: "fixture: blocked by hook".into()
            },
            &AgentEvent::TurnFailed {
                error: "fixture failure".into(),
                usage: Usage::default()
            },
        ]
    );
    let tool_result = events.iter().find_map(|e| match e {
        AgentEvent::ToolCallResult {
            name,
            is_error,
            content,
            ..
        } => Some((name, *is_error, content)),
        _ => None,
    });
    assert_eq!(
        tool_result,
        Some((&Some("Bash".to_owned()), false, &serde_json::json!("hi")))
    );
    let tokens: u64 = events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::StreamEnd { usage, .. } => Some(usage.total()),
            _ => None,
        })
        .sum();
    assert_eq!(tokens, 17 + 28);
}

#[tokio::test]
async fn replays_recorded_claude_output() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/claude/not-logged-in.stream.jsonl"
    );
    let (events, outcome) = run(agent_spec(Some(&format!("replay:{fixture}"))), &["x", "y"]).await;
    assert!(outcome.success());
    let failures: Vec<_> = terminal_events(&events);
    let expected = AgentEvent::TurnFailed {
        error: "Not logged in · Please run /login".into(),
        usage: Usage::default(),
    };
    assert_eq!(failures, [&expected, &expected]);
}

#[tokio::test]
async fn crash_before_result_fails_the_turn() {
    let (events, outcome) = run(agent_spec(None), &["crash please"]).await;
    assert_eq!(outcome.code, Some(1));
    assert_eq!(
        events.last(),
        Some(&AgentEvent::TurnFailed {
            error: "agent exited before reporting a result: exit code 1".into(),
            usage: usage(10, 5, 2, 100)
        })
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, AgentEvent::StreamChunk { text, .. } if text == "about to crash"))
    );
}

#[tokio::test]
async fn flood_of_chunks() {
    let (events, outcome) = run(agent_spec(Some("flood:20000")), &["go"]).await;
    assert!(outcome.success());
    let chunks = events
        .iter()
        .filter(|e| matches!(e, AgentEvent::StreamChunk { .. }))
        .count();
    assert_eq!(chunks, 20_000);
    assert!(matches!(
        events.last(),
        Some(AgentEvent::TurnCompleted { .. })
    ));
}

async fn start_and_await_init(script: &str) -> RunningAgent {
    let mut agent = LocalRunner.start(agent_spec(Some(script))).expect("start");
    let mut stdin = agent.take_stdin().expect("stdin");
    stdin.write_line(&user_turn("x")).await.expect("write");
    let mut stdout = agent.take_stdout().expect("stdout");
    let mut tracker = TurnTracker::new();
    loop {
        let line = next_line(&mut stdout).await.expect("init before EOF");
        if tracker
            .push_line(&line)
            .iter()
            .any(|e| matches!(e, AgentEvent::Init { .. }))
        {
            break;
        }
    }
    // Keep the pipes open: the agent must be stopped, not starved.
    std::mem::forget((stdin, stdout));
    agent
}

#[tokio::test]
async fn hanging_agent_stops_on_sigterm() {
    let agent = start_and_await_init("hang").await;
    let outcome = agent.stop(Duration::from_secs(10)).await.expect("stop");
    assert_eq!(outcome.signal, Some(15), "{outcome}");
}

#[tokio::test]
async fn agent_ignoring_sigterm_is_killed() {
    let agent = start_and_await_init("ignore-term").await;
    let outcome = agent.stop(Duration::from_millis(200)).await.expect("stop");
    assert_eq!(outcome.signal, Some(9), "{outcome}");
}
