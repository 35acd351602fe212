use std::time::{Duration, Instant};

use serde_json::json;

use super::*;
use crate::agents::Usage;

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        ..Usage::default()
    }
}

fn init_line() -> String {
    json!({"type":"system","subtype":"init","session_id":"s1","model":"m","apiKeySource":"none"})
        .to_string()
}

fn result_line(is_error: bool, text: &str, u: Usage) -> String {
    json!({"type":"result","subtype":"success","is_error":is_error,"result":text,"num_turns":2,
           "duration_ms":50,"session_id":"s1","stop_reason":"end_turn","usage":u})
    .to_string()
}

fn push_all(tracker: &mut TurnTracker, lines: &[String]) -> Vec<AgentEvent> {
    lines.iter().flat_map(|l| tracker.push_line(l)).collect()
}

fn init_event() -> AgentEvent {
    AgentEvent::Init {
        agent_session_id: "s1".into(),
        model: "m".into(),
        api_key_source: Some("none".into()),
    }
}

#[test]
fn text_thinking_and_tool_round_trip() {
    let mut t = TurnTracker::new();
    let t0 = Instant::now();
    let mut events = t.push_line(&init_line());
    let assistant = json!({"type":"assistant","session_id":"s1","message":{"id":"a1","content":[
        {"type":"thinking","thinking":"plan"},
        {"type":"text","text":"Running ls"},
        {"type":"tool_use","id":"tu1","name":"Bash","input":{"command":"ls"}}
    ],"usage":{"input_tokens":5,"output_tokens":1}}});
    let tool_result = json!({"type":"user","session_id":"s1","message":{"content":[
        {"type":"tool_result","tool_use_id":"tu1","content":"a.txt\n","is_error":false}
    ]}});
    for (value, at) in [
        (assistant, t0),
        (tool_result, t0 + Duration::from_millis(250)),
    ] {
        let event = StreamEvent::from_value(value);
        events.extend(t.push_event_at(event, at));
    }
    events.extend(
        t.push_line(
            &json!({"type":"assistant","message":{"content":[
        {"type":"text","text":"Done"},{"type":"text","text":""}]}})
            .to_string(),
        ),
    );
    events.extend(t.push_line(&result_line(false, "Done", usage(7, 3))));
    assert_eq!(
        events,
        vec![
            init_event(),
            AgentEvent::StreamStart,
            AgentEvent::StreamChunk {
                text: "plan".into(),
                kind: ChunkKind::Thinking,
                index: 0
            },
            AgentEvent::StreamChunk {
                text: "Running ls".into(),
                kind: ChunkKind::Text,
                index: 1
            },
            AgentEvent::ToolCallStart {
                tool_use_id: "tu1".into(),
                name: "Bash".into(),
                input: json!({"command":"ls"})
            },
            AgentEvent::ToolCallResult {
                tool_use_id: "tu1".into(),
                name: Some("Bash".into()),
                is_error: false,
                content: json!("a.txt\n"),
                duration_ms: Some(250)
            },
            AgentEvent::StreamChunk {
                text: "Done".into(),
                kind: ChunkKind::Text,
                index: 2
            },
            AgentEvent::StreamEnd {
                usage: usage(7, 3),
                finish_reason: Some("end_turn".into())
            },
            AgentEvent::TurnCompleted {
                result_text: "Done".into(),
                usage: usage(7, 3),
                num_turns: 2,
                duration_ms: 50
            },
        ]
    );
    assert!(!t.in_turn());
    assert_eq!(t.agent_session_id(), Some("s1"));
}

#[test]
fn chunk_index_restarts_each_turn() {
    let mut t = TurnTracker::new();
    let text = json!({"type":"assistant","message":{"content":[{"type":"text","text":"x"}]}});
    let lines = [
        text.to_string(),
        result_line(false, "x", usage(0, 0)),
        text.to_string(),
    ];
    let events = push_all(&mut t, &lines);
    let indexes: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::StreamChunk { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(indexes, vec![0, 0]);
}

#[test]
fn unknown_tool_result_and_pending_tool_at_result() {
    let mut t = TurnTracker::new();
    let lines = [
        init_line(),
        json!({"type":"assistant","message":{"content":[
            {"type":"tool_use","id":"tu9","name":"Read","input":{}}]}})
        .to_string(),
        json!({"type":"user","message":{"content":[
            {"type":"tool_result","tool_use_id":"nope","content":[{"type":"text","text":"?"}],"is_error":true}
        ]}})
        .to_string(),
        result_line(true, "", usage(1, 1)),
    ];
    let events = push_all(&mut t, &lines);
    assert!(
        matches!(&events[3], AgentEvent::ToolCallResult { tool_use_id, name: None, is_error: true, duration_ms: None, .. } if tool_use_id == "nope")
    );
    assert!(
        matches!(&events[4], AgentEvent::ToolCallResult { tool_use_id, name: Some(n), is_error: true, content, .. }
        if tool_use_id == "tu9" && n == "Read" && content == &json!(TOOL_NEVER_RETURNED))
    );
    // No result text, no errors, no API error: the subtype is the best we have.
    assert_eq!(
        events[6],
        AgentEvent::TurnFailed {
            error: "success".into(),
            usage: usage(1, 1)
        }
    );
}

#[test]
fn error_subtype_fails_and_uses_errors_list() {
    let mut t = TurnTracker::new();
    let line = json!({"type":"result","subtype":"error_max_turns","is_error":false,
                      "errors":["Reached max turns (3)"],"usage":{"output_tokens":9}});
    let events = t.push_line(&line.to_string());
    assert_eq!(
        events,
        vec![
            AgentEvent::StreamStart,
            AgentEvent::StreamEnd {
                usage: usage(0, 9),
                finish_reason: None
            },
            AgentEvent::TurnFailed {
                error: "Reached max turns (3)".into(),
                usage: usage(0, 9)
            },
        ]
    );
}

#[test]
fn garbage_truncated_unknown_and_huge_lines() {
    let mut t = TurnTracker::new();
    let huge_text = "y".repeat(2 * 1024 * 1024);
    let huge = json!({"type":"assistant","message":{"content":[{"type":"text","text":huge_text}]}});
    let truncated = r#"{"type":"assistant","message":{"content":[{"type":"text","te"#;
    let lines = [
        "Error: something broke".to_owned(),
        truncated.to_owned(),
        json!({"type":"rate_limit_event","retry_after":3}).to_string(),
        json!({"type":"system","subtype":"status","status":"compacting"}).to_string(),
        huge.to_string(),
    ];
    let events = push_all(&mut t, &lines);
    assert_eq!(events.len(), 4);
    assert_eq!(
        events[0],
        AgentEvent::Text {
            line: "Error: something broke".into()
        }
    );
    assert_eq!(
        events[1],
        AgentEvent::Text {
            line: truncated.into()
        }
    );
    assert_eq!(events[2], AgentEvent::StreamStart);
    assert!(
        matches!(&events[3], AgentEvent::StreamChunk { text, index: 0, .. } if text.len() == huge_text.len())
    );
}

#[test]
fn finish_without_result_fails_with_api_error_and_cause() {
    let mut t = TurnTracker::new();
    assert!(t.finish(None).is_empty(), "no turn, nothing to finish");
    let api_error = json!({"type":"assistant","error":"authentication_failed","message":{"id":"m",
        "content":[{"type":"text","text":"Not logged in · Please run /login"}],
        "usage":{"input_tokens":2,"output_tokens":1}}});
    // The same message id repeated must not double count.
    let lines = [init_line(), api_error.to_string(), api_error.to_string()];
    let events = push_all(&mut t, &lines);
    assert_eq!(events, vec![init_event(), AgentEvent::StreamStart]);
    assert_eq!(
        t.finish(Some("exit code 1")),
        vec![
            AgentEvent::StreamEnd {
                usage: usage(2, 1),
                finish_reason: None
            },
            AgentEvent::TurnFailed {
                error: format!("{NO_RESULT_ERROR}: Not logged in · Please run /login; exit code 1"),
                usage: usage(2, 1)
            },
        ]
    );
    assert!(t.finish(None).is_empty());
}

#[test]
fn informational_notice_and_hook_without_reason() {
    let mut t = TurnTracker::new();
    let notice =
        json!({"type":"system","subtype":"informational","content":"heads up","level":"info"});
    let blocked = json!({"type":"system","subtype":"informational","content":"blocked: prose",
        "prompt_submit_outcome":{"kind":"blocked_by_hook"}});
    let lines = [
        notice.to_string(),
        blocked.to_string(),
        result_line(false, "prose", usage(0, 0)),
    ];
    let events = push_all(&mut t, &lines);
    assert_eq!(
        events,
        vec![
            AgentEvent::Notice {
                level: Some("info".into()),
                content: "heads up".into()
            },
            AgentEvent::StreamStart,
            AgentEvent::StreamEnd {
                usage: usage(0, 0),
                finish_reason: Some("end_turn".into())
            },
            AgentEvent::TurnBlocked {
                reason: "blocked: prose".into()
            },
        ]
    );
}

#[test]
fn replayed_user_prompt_is_ignored() {
    let mut t = TurnTracker::new();
    let events = t.push_line(r#"{"type":"user","message":{"role":"user","content":"hello"}}"#);
    assert!(events.is_empty());
    assert!(!t.in_turn());
}

fn assistant_line(id: Option<&str>, usage: Usage) -> String {
    json!({"type":"assistant","message":{"id":id,"content":[{"type":"text","text":"x"}],
           "usage":usage}})
    .to_string()
}

/// What `finish` must report: the last usage of every message id, plus every anonymous one.
fn reference_total(messages: &[(Option<String>, Usage)]) -> Usage {
    let mut last = std::collections::HashMap::new();
    let mut sum = Usage::default();
    for (id, usage) in messages {
        match id {
            Some(id) => {
                last.insert(id.clone(), *usage);
            }
            None => sum += *usage,
        }
    }
    last.values().fold(sum, |mut sum, u| {
        sum += *u;
        sum
    })
}

fn finished_usage(t: &mut TurnTracker) -> Usage {
    match t.finish(None).last() {
        Some(AgentEvent::TurnFailed { usage, .. }) => *usage,
        other => panic!("expected a failed turn, got {other:?}"),
    }
}

#[test]
fn usage_without_result_counts_each_message_once_however_long_the_turn() {
    // Three blocks per message with growing usage (the last one counts), messages of two
    // parallel agents interleaved, and some without an id (always added).
    let mut messages = Vec::new();
    for pair in 0..2_000u64 {
        for block in 1..=3u64 {
            for agent in ["a", "b"] {
                let id = format!("{agent}-{pair}");
                messages.push((Some(id), usage(pair + 1, block * 10)));
            }
        }
        if pair % 7 == 0 {
            messages.push((None, usage(3, 4)));
        }
    }
    let mut t = TurnTracker::new();
    for (id, u) in &messages {
        t.push_line(&assistant_line(id.as_deref(), *u));
        assert!(t.held_message_ids() <= message_usage::RECENT_MESSAGES);
    }
    assert_eq!(finished_usage(&mut t), reference_total(&messages));
}

#[test]
fn a_turn_of_many_messages_holds_a_bounded_number_of_ids() {
    let mut t = TurnTracker::new();
    let n = 20_000u64;
    let mut most_held = 0;
    for i in 0..n {
        let id = format!("msg_{i}");
        t.push_line(&assistant_line(Some(&id), usage(1, 2)));
        t.push_line(&assistant_line(Some(&id), usage(2, 3)));
        most_held = most_held.max(t.held_message_ids());
    }
    assert!(
        most_held <= message_usage::RECENT_MESSAGES,
        "the tracker held {most_held} message ids at once"
    );
    assert_eq!(finished_usage(&mut t), usage(2 * n, 3 * n));
}

#[test]
fn tool_calls_that_never_return_are_bounded() {
    let mut t = TurnTracker::new();
    let extra = 5;
    let mut evicted = Vec::new();
    for i in 0..MAX_PENDING_TOOLS + extra {
        let line = json!({"type":"assistant","message":{"content":[
            {"type":"tool_use","id":format!("tu{i}"),"name":"Bash","input":{}}]}});
        for event in t.push_line(&line.to_string()) {
            if let AgentEvent::ToolCallResult {
                tool_use_id,
                content,
                is_error: true,
                ..
            } = event
            {
                assert_eq!(content, json!(TOOL_NO_LONGER_TRACKED));
                evicted.push(tool_use_id);
            }
        }
        assert!(t.held_tool_calls() <= MAX_PENDING_TOOLS);
    }
    let oldest: Vec<String> = (0..extra).map(|i| format!("tu{i}")).collect();
    assert_eq!(evicted, oldest, "the oldest calls are closed first");
    let closed_at_end = t
        .finish(None)
        .iter()
        .filter(|e| matches!(e, AgentEvent::ToolCallResult { .. }))
        .count();
    assert_eq!(closed_at_end, MAX_PENDING_TOOLS);
}
