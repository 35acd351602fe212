//! Inbound parsing: upstream's error rules, payload validation, the fast path.

use super::*;

fn answer(text: &str) -> Result<Request, String> {
    match Envelope::parse(text) {
        Ok(envelope) => envelope.request().map_err(|refused| refused.text),
        Err(ParseError::Json) => Err(INVALID_FORMAT.to_owned()),
        Err(ParseError::Message { text, .. }) => Err(text.to_owned()),
    }
}

#[test]
fn the_fast_path_reads_what_the_general_one_does() {
    for text in [
        r#"{"type":"ping"}"#,
        r#" { "type" : "daemon_status" , "requestId" : "r-1" } "#,
        r#"{"requestId":7,"type":"health_check"}"#,
        r#"{"type":"ping","requestId":null}"#,
        r#"{"type":"ping","requestId":{"a":1}}"#,
        r#"{"type":"ping","requestId":[1]}"#,
        r#"{"type":"ping","requestId":1.5e3}"#,
        r#"{"type":"ping","type":"daemon_status"}"#,
        r#"{"type":"p\u0069ng"}"#,
        r#"{"type":"ping","payload":null}"#,
        r#"{"type":"ping","auth":{"token":"t"}}"#,
        r#"{"type":"session_status","requestId":"r"}"#,
        r#"{"type":"pong","requestId":"r"}"#,
        r#"{"type":1}"#,
        r#"{"type":"ping"} x"#,
        "{nope",
        "null",
    ] {
        assert_eq!(Envelope::parse(text), Envelope::parse_value(text), "{text}");
    }
}

#[test]
fn upstreams_error_rules() {
    for (text, error) in [
        ("{nope", INVALID_FORMAT),
        ("null", INVALID_FORMAT),
        ("42", UNKNOWN_TYPE),
        ("\"ping\"", UNKNOWN_TYPE),
        ("[]", UNKNOWN_TYPE),
        ("{}", UNKNOWN_TYPE),
        (r#"{"type":"pong"}"#, UNKNOWN_TYPE),
        (r#"{"type":"route_task"}"#, UNKNOWN_TYPE),
        (r#"{"type":"session_status"}"#, INVALID_FORMAT),
        (r#"{"type":"execute_task","payload":null}"#, INVALID_FORMAT),
        (r#"{"type":"stop_session"}"#, INVALID_FORMAT),
    ] {
        assert_eq!(answer(text), Err(error.to_owned()), "{text}");
    }
    assert_eq!(answer(r#"{"type":"ping"}"#), Ok(Request::Ping));
}

#[test]
fn spawn_payloads_are_validated_by_field() {
    for (payload, error) in [
        (
            "",
            "invalid payload: must be an object with a task (an object or a string)",
        ),
        (
            r#","payload":"x""#,
            "invalid payload: must be an object with a task (an object or a string)",
        ),
        (
            r#","payload":{}"#,
            "invalid payload.task: must be a task object or a string",
        ),
        (
            r#","payload":{"task":{}}"#,
            "invalid payload.task.description: must be a string",
        ),
        (
            r#","payload":{"task":{"description":"d","priority":"urgent"}}"#,
            r#"invalid payload.task.priority: "urgent" is not one of low, medium, high, critical"#,
        ),
        (
            r#","payload":{"task":"d","sessionType":"bash"}"#,
            r#"invalid payload.sessionType: "bash" is not one of claude-code, claude-flow, ruflo"#,
        ),
        (
            r#","payload":{"task":"d","orchestratorId":1}"#,
            "invalid payload.orchestratorId: must be a string",
        ),
    ] {
        let text = format!(r#"{{"type":"spawn_session"{payload}}}"#);
        assert_eq!(answer(&text), Err(error.to_owned()), "{text}");
    }
    let ok = answer(
        r#"{"type":"spawn_session","requestId":"r","payload":{"task":{"description":"d",
           "type":"code","priority":"high","metadata":{"k":"v"}},"sessionType":"ruflo",
           "orchestratorId":"o"}}"#,
    );
    let Ok(Request::Spawn(spawn)) = ok else {
        panic!("{ok:?}")
    };
    assert_eq!(spawn.session_type, SessionType::Ruflo);
    assert_eq!(spawn.orchestrator_id.as_deref(), Some("o"));
    assert_eq!(spawn.task.priority, Some(TaskPriority::High));
    assert_eq!(
        answer(r#"{"type":"execute_task","payload":{"sessionId":"s"}}"#),
        Err("invalid payload.task: must be a string".to_owned())
    );
    let envelope = Envelope::parse(r#"{"type":"ping","requestId":7}"#).unwrap();
    assert_eq!(envelope.request_id, Some(serde_json::json!(7)));
}

#[test]
fn parse_refusals_carry_their_stable_code() {
    let code = |text: &str| match Envelope::parse(text) {
        Err(ParseError::Message { code, .. }) => code,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        code(r#"{"type":"nope"}"#),
        super::super::errors::codes::MESSAGE_TYPE_UNKNOWN
    );
    assert_eq!(
        code("[1]"),
        super::super::errors::codes::MESSAGE_TYPE_UNKNOWN
    );
    assert_eq!(code("null"), super::super::errors::codes::REQUEST_INVALID);
}
