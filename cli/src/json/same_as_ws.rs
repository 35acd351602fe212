//! One shape across doors: the same session and approval, as the WebSocket API writes them
//! (`orchestrator_daemon::api::ws`) and as `--json` prints them after the gRPC round trip
//! (`orchestrator_daemon::api::grpc`, then [`SessionJson`] / [`ApprovalJson`]), have the
//! same keys with the same values; the CLI adds keys, and has `null` where the WebSocket API
//! leaves a key out.

use std::time::{Duration, UNIX_EPOCH};

use orchestrator_daemon::api::grpc::convert::approval_to_proto;
use orchestrator_daemon::api::grpc::convert::session_to_proto;
use orchestrator_daemon::api::ws::approvals::approval_object;
use orchestrator_daemon::api::ws::wire::WireSession;
use orchestrator_daemon::charter::approvals::ApprovalRequest;
use orchestrator_daemon::core::session::SessionMetrics;
use orchestrator_daemon::core::{
    Session, SessionStatus, SessionType, Task, TaskPriority, TaskStatus, WaitKind, WaitingFor,
};
use serde_json::{Value, json};

use super::approval::ApprovalJson;
use super::session::SessionJson;

/// Keys only the CLI has.
const CLI_ONLY: [&str; 4] = ["model", "apiKeySource", "restarts", "worktreeBranch"];

/// Every key of `ws` is in `cli` with the same value (recursively into objects); every key
/// only `cli` has is CLI-only or null.
fn same_shape(ws: &Value, cli: &Value, at: &str) {
    let (Value::Object(ws), Value::Object(cli)) = (ws, cli) else {
        assert_eq!(ws, cli, "{at}");
        return;
    };
    for (key, value) in ws {
        let path = format!("{at}.{key}");
        let theirs = cli
            .get(key)
            .unwrap_or_else(|| panic!("--json lacks {path}"));
        if value.is_object() && theirs.is_object() && key != "metadata" && key != "input" {
            same_shape(value, theirs, &path);
        } else if value.is_number() {
            // 0 and 0.0 are one JSON number (the WebSocket API writes whole floats bare).
            assert_eq!(theirs.as_f64(), value.as_f64(), "{path}");
        } else {
            assert_eq!(theirs, value, "{path}");
        }
    }
    for (key, value) in cli {
        if !ws.contains_key(key) {
            assert!(
                value.is_null() || CLI_ONLY.contains(&key.as_str()),
                "{at}.{key} is only in --json, and not null: {value}"
            );
        }
    }
}

fn session(ended: bool) -> Session {
    let at = UNIX_EPOCH + Duration::from_millis(1_796_554_515_123);
    let mut session = Session {
        id: "session_1".into(),
        orchestrator_id: "default".into(),
        task: Task {
            id: "task_1".into(),
            description: "fix it".into(),
            task_type: "code".into(),
            priority: TaskPriority::High,
            status: TaskStatus::Pending,
            metadata: json!({"ticket": 42}).as_object().cloned(),
            created_at: at,
            updated_at: at,
        },
        session_type: SessionType::ClaudeCode,
        status: SessionStatus::Running,
        started_at: at,
        ended_at: None,
        metrics: SessionMetrics::default(),
        pid: Some(42),
        work_dir: "/w".into(),
        agent_session_id: "a1".into(),
        exit_code: None,
        error: None,
        queue_position: None,
        model: Some("fixture-model".into()),
        api_key_source: None,
        restarts: 1,
        worktree_branch: None,
        worktree_repo: None,
        memory_context: json!({"scratchpad": {}, "episodic": [], "semantic": []}),
        transcript_error: None,
        waiting_for: Some(WaitingFor {
            approval_id: "approval_1".into(),
            kind: WaitKind::Approval,
            tool: "Bash".into(),
            summary: "terraform apply".into(),
            since: at,
        }),
        stalled_since: Some(at),
    };
    session.metrics.tokens_used = 117;
    if ended {
        session.end(SessionStatus::Failed, Some("it broke".into()));
        session.ended_at = Some(at + Duration::from_secs(2));
        session.exit_code = Some(1);
        session.pid = None;
        session.waiting_for = None;
        session.stalled_since = None;
    }
    session
}

#[test]
fn a_session_has_the_websocket_apis_keys_and_values() {
    for ended in [false, true] {
        let mut session = session(ended);
        // The WebSocket API computes a running session's duration when it writes it.
        session.metrics.duration = 0;
        let mut ws = serde_json::to_value(WireSession::new(&session)).unwrap();
        let cli = serde_json::to_value(SessionJson::from(&session_to_proto(&session))).unwrap();
        if !ended {
            ws["metrics"]["duration"] = cli["metrics"]["duration"].clone();
        }
        same_shape(&ws, &cli, "session");
    }
}

#[test]
fn an_approval_has_the_websocket_apis_keys_and_values() {
    let mut request = ApprovalRequest::new(
        "session_1",
        WaitKind::Approval,
        "Bash",
        json!({"command": "terraform apply"}),
        "escalate: terraform apply*".into(),
        "needs a person".into(),
        Duration::from_secs(60),
    );
    // Millisecond times: the proto carries no finer ones.
    request.created = UNIX_EPOCH + Duration::from_millis(1_796_554_515_123);
    request.expires = request.created + Duration::from_secs(60);
    let ws = approval_object(&request);
    let cli = serde_json::to_value(ApprovalJson::from(&approval_to_proto(&request))).unwrap();
    same_shape(&ws, &cli, "approval");
    request.answered_by = Some("cli".into());
    let ws = approval_object(&request);
    let cli = serde_json::to_value(ApprovalJson::from(&approval_to_proto(&request))).unwrap();
    same_shape(&ws, &cli, "approval");
}
