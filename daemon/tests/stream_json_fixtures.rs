//! Every recorded Claude Code 2.1.330 output in `tests/fixtures/claude/` → exact events.

use std::path::PathBuf;

use orchestrator_daemon::agents::stream_json::{
    ContentBlock, ParsedLine, StreamEvent, SystemEvent, parse_line,
};
use orchestrator_daemon::agents::{AgentEvent, TurnTracker, Usage};

const NOT_LOGGED_IN: &str = "Not logged in · Please run /login";

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude")
}

fn read_fixture(name: &str) -> String {
    let path = fixture_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn track(name: &str) -> Vec<AgentEvent> {
    let mut tracker = TurnTracker::new();
    let mut events: Vec<AgentEvent> = read_fixture(name)
        .lines()
        .flat_map(|line| tracker.push_line(line))
        .collect();
    events.extend(tracker.finish(Some("exit code 1")));
    events
}

fn events_of(name: &str) -> Vec<StreamEvent> {
    read_fixture(name)
        .lines()
        .map(|line| match parse_line(line) {
            ParsedLine::Event(e) => *e,
            ParsedLine::Text(t) => panic!("{name}: a fixture line parsed as text: {t:.80}"),
        })
        .collect()
}

fn init(session: &str) -> AgentEvent {
    AgentEvent::Init {
        agent_session_id: session.into(),
        model: "claude-opus-5-5".into(),
        api_key_source: Some("none".into()),
    }
}

fn not_logged_in_turn(session: &str) -> Vec<AgentEvent> {
    vec![
        init(session),
        AgentEvent::StreamStart,
        AgentEvent::StreamEnd {
            usage: Usage::default(),
            finish_reason: Some("stop_sequence".into()),
        },
        AgentEvent::TurnFailed {
            error: NOT_LOGGED_IN.into(),
            usage: Usage::default(),
        },
    ]
}

#[test]
fn not_logged_in() {
    let expected = not_logged_in_turn("bf77e8bb-7427-447b-a971-c8ecba5c43e0");
    assert_eq!(track("not-logged-in.stream.jsonl"), expected);
}

#[test]
fn two_turns_stream_input() {
    let mut expected = not_logged_in_turn("c52a7296-b424-48de-a91e-1a0549e272f6");
    expected.extend(not_logged_in_turn("c52a7296-b424-48de-a91e-1a0549e272f6"));
    assert_eq!(
        track("two-turns-stream-input.not-logged-in.jsonl"),
        expected
    );
}

#[test]
fn prompt_blocked_by_hook() {
    let expected = vec![
        init("60ab3343-1909-4e9c-b4f9-6ffb343cce39"),
        AgentEvent::StreamStart,
        AgentEvent::StreamEnd {
            usage: Usage::default(),
            finish_reason: None,
        },
        AgentEvent::TurnBlocked {
            reason: "charter: alwaysReject matched \"rm -rf /\"".into(),
        },
    ];
    assert_eq!(track("prompt-blocked-by-hook.jsonl"), expected);
}

#[test]
fn session_start_hook_events() {
    // Hook events are logged, not broadcast; the turn itself is the usual auth failure.
    let expected = not_logged_in_turn("7eb74592-d1e3-473a-b8b2-b30eca1f6450");
    assert_eq!(track("session-start-context.hook-events.jsonl"), expected);
}

#[test]
fn every_fixture_is_covered_and_fully_typed() {
    let covered = [
        "not-logged-in.stream.jsonl",
        "prompt-blocked-by-hook.jsonl",
        "session-start-context.hook-events.jsonl",
        "two-turns-stream-input.not-logged-in.jsonl",
    ];
    let mut found: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".jsonl"))
        .collect();
    found.sort();
    assert_eq!(found, covered, "a new fixture needs an exact-sequence test");
    for name in covered {
        for event in events_of(name) {
            let untyped = matches!(
                event,
                StreamEvent::Unknown(_) | StreamEvent::System(SystemEvent::Other(_))
            );
            assert!(!untyped, "{name}: untyped event {event:?}");
        }
    }
}

#[test]
fn fixture_fields_are_read() {
    let events = events_of("not-logged-in.stream.jsonl");
    let StreamEvent::System(SystemEvent::Init(init)) = &events[0] else {
        panic!("first event is not init")
    };
    assert_eq!(init.cwd, "/home/dev/project");
    assert_eq!(init.claude_code_version.as_deref(), Some("2.1.330"));
    assert_eq!(init.permission_mode.as_deref(), Some("default"));
    assert_eq!(init.tools.len(), 23);
    let StreamEvent::Assistant(assistant) = &events[1] else {
        panic!("second event is not assistant")
    };
    assert_eq!(assistant.error.as_deref(), Some("authentication_failed"));
    assert_eq!(assistant.parent_tool_use_id, None);
    assert_eq!(
        assistant.message.content,
        vec![ContentBlock::Text {
            text: NOT_LOGGED_IN.into()
        }]
    );
    let StreamEvent::Result(result) = &events[2] else {
        panic!("third event is not result")
    };
    assert!(result.is_error && result.is_failure());
    assert_eq!(result.subtype, "success");
    assert_eq!(
        (result.num_turns, result.duration_ms),
        (1, 442),
        "num_turns, duration_ms"
    );
    assert_eq!(result.total_cost_usd, Some(0.0));
    assert_eq!(result.terminal_reason.as_deref(), Some("api_error"));

    let events = events_of("prompt-blocked-by-hook.jsonl");
    let StreamEvent::System(SystemEvent::Informational(info)) = &events[1] else {
        panic!("second event is not informational")
    };
    assert_eq!(info.level.as_deref(), Some("warning"));
    let outcome = info.prompt_submit_outcome.as_ref().expect("outcome");
    assert!(outcome.is_blocked_by_hook());
    assert_eq!(outcome.prompt_kept, Some(false));
    let StreamEvent::Result(result) = &events[2] else {
        panic!("third event is not result")
    };
    assert!(!result.is_failure());
    assert_eq!(result.num_turns, 0);

    let events = events_of("session-start-context.hook-events.jsonl");
    let StreamEvent::System(SystemEvent::HookStarted(started)) = &events[0] else {
        panic!("first event is not hook_started")
    };
    assert_eq!(started.hook_name, "SessionStart:startup");
    assert_eq!(started.outcome, None);
    let StreamEvent::System(SystemEvent::HookResponse(response)) = &events[1] else {
        panic!("second event is not hook_response")
    };
    assert_eq!(response.hook_id, started.hook_id);
    assert_eq!(response.hook_event, "SessionStart");
    assert_eq!(response.exit_code, Some(0));
    assert_eq!(response.outcome.as_deref(), Some("success"));
    assert_eq!(response.stderr.as_deref(), Some(""));
    assert!(
        response
            .output
            .as_deref()
            .is_some_and(|o| o.contains("MEMORY: the billing service deploys with make ship"))
    );
}
