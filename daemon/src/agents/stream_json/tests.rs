use super::*;
use serde_json::json;

fn event(line: &str) -> StreamEvent {
    match parse_line(line) {
        ParsedLine::Event(e) => *e,
        ParsedLine::Text(t) => panic!("expected an event, got text {t:?}"),
    }
}

#[test]
fn non_json_lines_are_text() {
    for line in [
        "",
        "   ",
        "hello world",
        "[1,2,3]",
        "42",
        "\"a string\"",
        "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"te",
        "{not json}",
        "\u{1b}[32m✔ colored\u{1b}[0m",
    ] {
        assert_eq!(
            parse_line(line),
            ParsedLine::Text(line.to_owned()),
            "{line:?}"
        );
    }
}

#[test]
fn object_without_type_or_with_unknown_type_is_unknown() {
    assert!(matches!(event("{}"), StreamEvent::Unknown(_)));
    let v = event(r#"{"type":"stream_event","event":{"type":"content_block_delta"}}"#);
    assert_eq!(
        v,
        StreamEvent::Unknown(json!({"type":"stream_event","event":{"type":"content_block_delta"}}))
    );
    assert!(matches!(event(r#"{"type":7}"#), StreamEvent::Unknown(_)));
}

#[test]
fn unknown_system_subtype_is_kept_raw() {
    let line = r#"{"type":"system","subtype":"compact_boundary","session_id":"s1"}"#;
    let e = event(line);
    assert_eq!(e.session_id(), Some("s1"));
    assert!(matches!(e, StreamEvent::System(SystemEvent::Other(_))));
}

#[test]
fn init_fields_and_crlf() {
    let line = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\",\"model\":\"m\",\
                \"cwd\":\"/w\",\"tools\":[\"Bash\"],\"apiKeySource\":\"ANTHROPIC_API_KEY\",\
                \"claude_code_version\":\"2.1.330\",\"permissionMode\":\"default\",\"extra\":1}\r";
    let StreamEvent::System(SystemEvent::Init(init)) = event(line) else {
        panic!("not init")
    };
    assert_eq!(init.session_id, "s");
    assert_eq!(init.model, "m");
    assert_eq!(init.cwd, "/w");
    assert_eq!(init.tools, vec!["Bash".to_owned()]);
    assert_eq!(init.api_key_source.as_deref(), Some("ANTHROPIC_API_KEY"));
    assert_eq!(init.claude_code_version.as_deref(), Some("2.1.330"));
    assert_eq!(init.permission_mode.as_deref(), Some("default"));
}

#[test]
fn wrong_field_types_fall_back_to_defaults() {
    let line = r#"{"type":"result","subtype":null,"is_error":"yes","num_turns":"3",
        "duration_ms":-5,"usage":{"input_tokens":null,"output_tokens":7,"cache_read_input_tokens":"x"},
        "result":42,"session_id":["s"]}"#
        .replace('\n', "");
    let StreamEvent::Result(r) = event(&line) else {
        panic!("not a result")
    };
    assert_eq!(r.subtype, "");
    assert!(!r.is_error);
    assert_eq!(r.num_turns, 0);
    assert_eq!(r.duration_ms, 0);
    assert_eq!(r.result, None);
    assert_eq!(r.session_id, "");
    assert_eq!(
        r.usage,
        Usage {
            output_tokens: 7,
            ..Usage::default()
        }
    );
}

#[test]
fn content_blocks_of_every_kind() {
    let line = json!({"type":"assistant","session_id":"s","message":{"id":"m1","content":[
        {"type":"text","text":"hi"},
        {"type":"thinking","thinking":"hmm","signature":"sig"},
        {"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}},
        {"type":"redacted_thinking","data":"xx"},
        "not an object"
    ],"usage":{"input_tokens":3,"output_tokens":4}}})
    .to_string();
    let StreamEvent::Assistant(a) = event(&line) else {
        panic!("not assistant")
    };
    assert_eq!(
        a.message.content,
        vec![
            ContentBlock::Text { text: "hi".into() },
            ContentBlock::Thinking {
                thinking: "hmm".into()
            },
            ContentBlock::ToolUse {
                id: "t1".into(),
                name: "Bash".into(),
                input: json!({"command":"ls"})
            },
            ContentBlock::Other(json!({"type":"redacted_thinking","data":"xx"})),
            ContentBlock::Other(json!("not an object")),
        ]
    );
    assert_eq!(a.message.usage.map(|u| u.total()), Some(7));
}

#[test]
fn user_content_string_or_blocks() {
    let StreamEvent::User(u) = event(r#"{"type":"user","message":{"role":"user","content":"hi"}}"#)
    else {
        panic!("not user")
    };
    assert_eq!(u.message.content, UserContent::Text("hi".into()));
    let line = json!({"type":"user","message":{"content":[
        {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"out"}],"is_error":true}
    ]}})
    .to_string();
    let StreamEvent::User(u) = event(&line) else {
        panic!("not user")
    };
    assert_eq!(
        u.message.content,
        UserContent::Blocks(vec![ContentBlock::ToolResult {
            tool_use_id: "t1".into(),
            content: json!([{"type":"text","text":"out"}]),
            is_error: true
        }])
    );
}

#[test]
fn usage_total_excludes_cache_reads() {
    let u = Usage {
        input_tokens: 10,
        output_tokens: 5,
        cache_creation_input_tokens: 2,
        cache_read_input_tokens: 1000,
    };
    assert_eq!(u.total(), 17);
    let mut sum = u;
    sum += u;
    assert_eq!(sum.total(), 34);
    assert_eq!(sum.cache_read_input_tokens, 2000);
}

#[test]
fn huge_line_parses() {
    let text = "x".repeat(4 * 1024 * 1024);
    let line =
        json!({"type":"assistant","message":{"content":[{"type":"text","text":text}]}}).to_string();
    let StreamEvent::Assistant(a) = event(&line) else {
        panic!("not assistant")
    };
    assert!(
        matches!(&a.message.content[0], ContentBlock::Text { text: t } if t.len() == text.len())
    );
}

#[test]
fn deserialize_impl_matches_from_value() {
    let e: StreamEvent = serde_json::from_str(r#"{"type":"mystery","a":1}"#).expect("valid json");
    assert_eq!(e, StreamEvent::Unknown(json!({"type":"mystery","a":1})));
}
