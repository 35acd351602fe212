//! Wire shapes: field order, request ids, dates.

use super::*;

#[test]
fn frames_put_type_first_and_request_id_last() {
    let frame = error("MESSAGE_TYPE_UNKNOWN", "Unknown message type");
    assert_eq!(
        encode_value(&frame, None),
        r#"{"type":"error","code":"MESSAGE_TYPE_UNKNOWN","error":"Unknown message type"}"#
    );
    assert_eq!(
        encode_value(&json!({"type": "pong"}), Some(&json!("r1"))),
        r#"{"type":"pong","requestId":"r1"}"#
    );
    assert_eq!(
        encode_value(&json!({"type": "pong"}), None),
        r#"{"type":"pong"}"#
    );
    #[derive(Serialize)]
    struct F {
        a: u8,
    }
    assert_eq!(
        encode(&F { a: 1 }, Some(&json!(7))),
        r#"{"a":1,"requestId":7}"#
    );
}

#[test]
fn sessions_keep_upstreams_order_and_end_with_ended_at() {
    use crate::model::session::SessionMetrics;
    use crate::model::{SessionStatus, SessionType, Task, TaskPriority, TaskStatus};
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_795_507_006_082);
    let mut session = Session {
        id: "session_1".into(),
        orchestrator_id: "default".into(),
        task: Task {
            id: "task_1".into(),
            description: "d".into(),
            task_type: "general".into(),
            priority: TaskPriority::Medium,
            status: TaskStatus::Pending,
            metadata: None,
            created_at: at,
            updated_at: at,
        },
        session_type: SessionType::ClaudeFlow,
        status: SessionStatus::Running,
        started_at: at,
        ended_at: None,
        metrics: SessionMetrics::default(),
        pid: Some(42),
        work_dir: "/w".into(),
        agent_session_id: "a".into(),
        exit_code: None,
        error: None,
        queue_position: None,
        model: None,
        api_key_source: None,
        restarts: 0,
        worktree_branch: None,
        worktree_repo: None,
        memory_context: json!({"scratchpad": {}, "episodic": [], "semantic": []}),
        transcript_error: None,
        waiting_for: None,
        stalled_since: None,
        runner: Default::default(),
        remote: None,
    };
    session.end(SessionStatus::Completed, None);
    session.ended_at = Some(at);
    session.metrics.duration = 0;
    let text = encode(&SessionFrame::new("session_status_update", &session), None);
    let keys = [
        "\"type\":\"session_status_update\"",
        "\"id\"",
        "\"orchestratorId\"",
        "\"task\"",
        "\"type\":\"claude-flow\"",
        "\"status\":\"completed\"",
        "\"startedAt\"",
        "\"memoryContext\"",
        "\"metrics\"",
        "\"workDir\"",
        "\"agentSessionId\"",
        "\"sessionType\"",
        "\"metadata\":{},\"createdAt\"",
        "\"endedAt\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        text.ends_with(r#""endedAt":"2026-11-24T07:56:46.082Z"}}"#),
        "{text}"
    );
    assert!(text.contains(r#""averageResponseTime":0}"#), "{text}");
    assert!(!text.contains("\"pid\""), "ended sessions have no pid");
}

#[test]
fn dates_are_iso_with_milliseconds() {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_795_507_006_082);
    assert_eq!(iso(at), "2026-11-24T07:56:46.082Z");
}
