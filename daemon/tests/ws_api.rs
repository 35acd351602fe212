//! The public WebSocket API against a real daemon (in-process, port 0, temp dirs, the
//! fixture agent behind sessions) and a real WebSocket client: upstream's Appendix A rows,
//! our additions, Neolith's extras, and the two doors seeing the same sessions.

use crate::common;
use crate::common::ws;

use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, request, start, wait_for};
use common::{TestHome, http, wait_until_async};
use orchestrator_api::v1;
use orchestrator_api::v1::sessions_client::SessionsClient;
use orchestrator_daemon::model::SessionStatus;
use serde_json::{Value, json};
use ws::{connect, connect_with, port_of};

fn is_iso_ms(text: &Value) -> bool {
    let t = text.as_str().unwrap_or_default();
    t.len() == 24 && t.ends_with('Z') && t.as_bytes()[19] == b'.'
}

#[tokio::test]
async fn connect_ack_simple_messages_and_errors() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let port = port_of(&daemon);

    // Any path upgrades; the first frame is the ack with Neolith's health object.
    let mut client = ws::try_connect(ws::request(port, "/any/thing", &[]))
        .await
        .unwrap();
    let ack = client.next().await;
    assert_eq!(
        (&ack["type"], &ack["healthy"]),
        (&json!("health_check_response"), &json!(true))
    );
    assert_eq!(ack["data"]["status"], "running");
    assert_eq!(ack["data"]["connectedClients"], 1);

    client.send(json!({"type": "ping"})).await;
    assert_eq!(client.next_text().await, r#"{"type":"pong"}"#);
    client.send(json!({"type": "health_check"})).await;
    assert_eq!(client.next().await["healthy"], true);
    client.send(json!({"type": "list_sessions"})).await;
    assert_eq!(
        client.next_text().await,
        r#"{"type":"sessions_list","sessions":[]}"#
    );

    client.send(json!({"type": "daemon_status"})).await;
    let status = client.next().await;
    assert_eq!(status["type"], "daemon_status_update");
    let s = &status["status"];
    assert_eq!(s["status"], "running");
    assert!(s["uptime"].is_u64() && s["activeSessions"] == 0 && s["queuedTasks"] == 0);
    for key in [
        "totalSessionsSpawned",
        "totalTasksProcessed",
        "totalTokensUsed",
        "averageSessionDuration",
        "activeSessions",
        "successRate",
    ] {
        assert!(s["metrics"][key].is_number(), "{key}");
    }
    let names: Vec<&String> = s["subsystems"].as_object().unwrap().keys().collect();
    assert_eq!(names.len(), 6);
    assert_eq!(s["subsystems"]["memory"]["status"], "running");
    assert_eq!(s["subsystems"]["store"]["status"], "running");
    assert!(is_iso_ms(&s["subsystems"]["websocket"]["lastCheck"]));

    // Appendix A rows 7-9, with upstream's exact texts, each with its stable code.
    for (frame, reply) in [
        (
            "{not json".to_owned(),
            r#"{"type":"error","code":"REQUEST_INVALID","error":"Invalid message format"}"#,
        ),
        (
            r#"{"type":"route_task"}"#.to_owned(),
            r#"{"type":"error","code":"MESSAGE_TYPE_UNKNOWN","error":"Unknown message type"}"#,
        ),
        (
            "42".to_owned(),
            r#"{"type":"error","code":"MESSAGE_TYPE_UNKNOWN","error":"Unknown message type"}"#,
        ),
        (
            r#"{"type":"session_status"}"#.to_owned(),
            r#"{"type":"error","code":"REQUEST_INVALID","error":"Invalid message format"}"#,
        ),
        (
            r#"{"type":"execute_task"}"#.to_owned(),
            r#"{"type":"error","code":"REQUEST_INVALID","error":"Invalid message format"}"#,
        ),
        (
            r#"{"type":"stop_session"}"#.to_owned(),
            r#"{"type":"error","code":"REQUEST_INVALID","error":"Invalid message format"}"#,
        ),
        (
            r#"{"type":"session_status","payload":{"sessionId":"session_nope"}}"#.to_owned(),
            r#"{"type":"error","code":"SESSION_NOT_FOUND","error":"Session not found: session_nope"}"#,
        ),
        (
            r#"{"type":"stop_session","payload":{"sessionId":"session_nope"}}"#.to_owned(),
            r#"{"type":"error","code":"SESSION_NOT_FOUND","error":"Session not found: session_nope"}"#,
        ),
        (
            r#"{"type":"spawn_session","payload":{}}"#.to_owned(),
            r#"{"type":"error","code":"REQUEST_INVALID","error":"invalid payload.task: must be a task object or a string"}"#,
        ),
        (
            r#"{"type":"spawn_session","payload":{"task":{"description":"  "}}}"#.to_owned(),
            r#"{"type":"error","code":"SESSION_REQUEST_INVALID","error":"invalid task.description: must not be empty: say what the agent should do"}"#,
        ),
    ] {
        client.send_text(frame.clone()).await;
        assert_eq!(client.next_text().await, reply, "{frame}");
    }
    client.send(json!({"type": "execute_task", "payload": {"sessionId": "session_nope", "task": "do it"}})).await;
    assert_eq!(
        client.next_text().await,
        r#"{"type":"task_executing","sessionId":"session_nope","taskId":"do it"}"#
    );
    assert_eq!(
        client.next().await,
        json!({"type": "task_failed", "sessionId": "session_nope", "taskId": "do it",
               "error": "Session not found: session_nope", "code": "SESSION_NOT_FOUND"})
    );
    // requestId is echoed on replies, including errors.
    assert_eq!(client.ask(json!({"type": "ping"})).await["type"], "pong");
    let err = client.ask(json!({"type": "nope"})).await;
    assert_eq!(err["error"], "Unknown message type");
    assert_eq!(err["code"], "MESSAGE_TYPE_UNKNOWN");

    // /metrics on the same port.
    let (code, body) = tokio::task::spawn_blocking(move || http(port, "GET", "/metrics"))
        .await
        .unwrap();
    assert_eq!(code, 200);
    assert!(body.contains("orchestrator_ws_connections 1"), "{body}");
    assert!(
        body.contains("orchestrator_ws_messages_received_total"),
        "{body}"
    );

    // Shutdown closes clients with 1000 "Server shutting down".
    daemon.stop().await;
    assert_eq!(
        client.close_frame().await,
        Some((1000, "Server shutting down".to_owned()))
    );
}

#[tokio::test]
async fn spawn_streams_to_the_requester_and_broadcasts_status() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let port = port_of(&daemon);
    let mut requester = connect(port).await;
    let mut other = connect(port).await;

    requester
        .send(
            json!({"type": "spawn_session", "payload": {"orchestratorId": "orch-1",
              "task": {"description": "tool please", "type": "code", "priority": "high",
                       "metadata": {"k": "v"}}}}),
        )
        .await;
    let raw = requester.next_text().await;
    let spawned: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(spawned["type"], "session_spawned", "the reply comes first");
    let session = &spawned["session"];
    let id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(spawned["sessionId"], id.as_str());
    let (ms, suffix) = id
        .strip_prefix("session_")
        .unwrap()
        .split_once('_')
        .unwrap();
    assert!(ms.len() == 13 && suffix.len() == 9);
    assert!(session["task"]["id"].as_str().unwrap().starts_with("task_"));
    assert_eq!(session["orchestratorId"], "orch-1");
    assert_eq!(session["type"], "claude-code");
    assert_eq!(session["task"]["metadata"], json!({"k": "v"}));
    assert_eq!(
        (&session["sessionType"], &session["metadata"]),
        (&json!("claude-code"), &json!({"k": "v"}))
    );
    assert!(is_iso_ms(&session["startedAt"]) && is_iso_ms(&session["task"]["createdAt"]));
    assert!(session.get("endedAt").is_none());
    // Upstream's field order inside the session object.
    let order = [
        "\"id\"",
        "\"orchestratorId\"",
        "\"task\"",
        "},\"type\":\"claude-code\",\"status\":",
        "\"startedAt\"",
        "\"memoryContext\"",
        "\"metrics\"",
        "\"sessionType\"",
    ];
    let session_text = &raw[raw.find("\"session\":").unwrap()..];
    let positions: Vec<usize> = order
        .iter()
        .map(|k| session_text.find(k).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{session_text}");

    // The requester follows the session's stream; the other client only sees status.
    let (done, seen) = requester.until(|f| f["type"] == "task_completed").await;
    assert_eq!(done["sessionId"], id.as_str());
    assert_eq!(done["taskId"], "tool please");
    assert!(done["result"].is_string());
    let kinds: Vec<&str> = seen.iter().map(|f| f["type"].as_str().unwrap()).collect();
    for kind in [
        "task_executing",
        "tool_call_start",
        "tool_call_result",
        "stream_chunk",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let chunk = seen.iter().find(|f| f["type"] == "stream_chunk").unwrap();
    assert_eq!(chunk["content"], chunk["data"]["chunk"]);
    let tool = seen
        .iter()
        .find(|f| f["type"] == "tool_call_start")
        .unwrap();
    assert_eq!(tool["data"]["toolName"], "Bash");

    let (ended, others) = other
        .until(|f| f["type"] == "session_status_update" && f["session"]["status"] == "completed")
        .await;
    assert!(is_iso_ms(&ended["session"]["endedAt"]));
    assert!(
        others.iter().all(|f| f["type"] == "session_status_update"),
        "{others:?}"
    );

    // execute_task continues the conversation: exactly one task_executing, then the result.
    let reply = requester
        .ask(json!({"type": "execute_task", "payload": {"sessionId": id, "task": "again"}}))
        .await;
    assert_eq!(reply["type"], "task_executing");
    let (done, seen) = requester.until(|f| f["type"] == "task_completed").await;
    assert_eq!(
        (&done["taskId"], &done["result"]),
        (&json!("again"), &json!("echo: again"))
    );
    assert!(
        !seen.iter().any(|f| f["type"] == "task_executing"),
        "{seen:?}"
    );

    // The other door sees the same session.
    let via_core = daemon.core().session(&id).unwrap();
    assert_eq!(via_core.metrics.tasks_completed, 2);
    daemon.stop().await;
}

#[tokio::test]
async fn stop_pause_subscribe_and_cross_door() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let port = port_of(&daemon);
    let mut a = connect(port).await;
    let mut b = connect(port).await;

    // A session spawned through the library shows up on the WebSocket.
    let session = daemon.spawn(request("hang")).await.unwrap();
    let id = session.id.clone();
    wait_for(&daemon, &id, "running", |s| {
        s.status == SessionStatus::Running
    })
    .await;
    b.until(|f| f["type"] == "session_status_update" && f["session"]["id"] == id.as_str())
        .await;
    let list = a.ask(json!({"type": "list_sessions"})).await;
    assert_eq!(list["sessions"][0]["id"], id.as_str());

    let sub = a
        .ask(json!({"type": "subscribe_session", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(
        sub,
        json!({"type": "subscribed", "sessionId": id, "requestId": sub["requestId"]})
    );
    let nope = a
        .ask(json!({"type": "subscribe_session", "payload": {"sessionId": "x"}}))
        .await;
    assert_eq!(nope["error"], "Session not found: x");

    let paused = a
        .ask(json!({"type": "pause_session", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(paused["session"]["status"], "paused");
    let resumed = a
        .ask(json!({"type": "unpause_session", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(resumed["session"]["status"], "running");

    // stop_session: the requester gets the update exactly once; others get the broadcast.
    let stopped = a
        .ask(json!({"type": "stop_session", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(stopped["type"], "session_status_update");
    assert_eq!(stopped["session"]["status"], "terminated");
    a.send(json!({"type": "ping"})).await;
    let (_, after) = a.until(|f| f["type"] == "pong").await;
    let repeats = after
        .iter()
        .filter(|f| f["type"] == "session_status_update" && f["session"]["status"] == "terminated");
    assert_eq!(repeats.count(), 0, "{after:?}");
    b.until(|f| f["type"] == "session_status_update" && f["session"]["status"] == "terminated")
        .await;
    // Stopping it again changes nothing and still answers with its state.
    let again = a
        .ask(json!({"type": "stop_session", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(again["session"]["status"], "terminated");

    // A session spawned over the WebSocket is visible to the library.
    let spawned = a
        .ask(json!({"type": "spawn_session", "payload": {"task": "hello"}}))
        .await;
    let ws_id = spawned["session"]["id"].as_str().unwrap().to_owned();
    assert!(
        common::sessions::all_sessions(&daemon)
            .iter()
            .any(|s| s.id == ws_id)
    );
    let mut grpc = SessionsClient::new(
        orchestrator_api::connect(&home.paths().socket)
            .await
            .unwrap(),
    );
    let listed = grpc
        .list(v1::ListSessionsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(
        listed.sessions.iter().any(|s| s.id == ws_id),
        "gRPC sees the WS session"
    );
    wait_until_async(Duration::from_secs(20), || async {
        daemon
            .core()
            .session(&ws_id)
            .filter(|s| s.status.is_ended())
            .map(|_| ())
    })
    .await
    .unwrap();
    daemon.stop().await;
}

#[tokio::test]
async fn browser_connections_get_neoliths_extras_after_the_reply() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let port = port_of(&daemon);
    let session = daemon.spawn(request("hello")).await.unwrap();
    let id = session.id.clone();
    wait_for(&daemon, &id, "ended", |s| s.status.is_ended()).await;

    let mut browser = connect_with(ws::request(
        port,
        "/",
        &[("Origin", "http://localhost:3000")],
    ))
    .await;
    browser
        .send(json!({"type": "session_status", "payload": {"sessionId": id}}))
        .await;
    let reply = browser.next().await;
    assert_eq!(reply["type"], "session_status_update");
    let extra = browser.next().await;
    assert_eq!(
        extra,
        json!({"type": "session_updated", "sessionId": id, "status": "completed",
               "sessionType": "claude-code", "metadata": {}})
    );
    // session_status subscribed the browser: a follow-up turn streams to it.
    daemon
        .supervisor()
        .unwrap()
        .send(&id, "more".to_owned())
        .await
        .unwrap();
    let done = browser.next_of("task_completed").await;
    assert_eq!(done["result"], "echo: more");

    // A tool without Origin gets no extras.
    let mut tool = connect(port).await;
    tool.send(json!({"type": "session_status", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(tool.next().await["type"], "session_status_update");
    tool.send(json!({"type": "ping"})).await;
    let (_, between) = tool.until(|f| f["type"] == "pong").await;
    assert!(
        !between.iter().any(|f| f["type"] == "session_updated"),
        "{between:?}"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn list_sessions_pages_with_a_cursor_and_filters_by_status() {
    let home = TestHome::new();
    let config = orchestrator_daemon::DaemonConfig {
        max_sessions: 1,
        ..agent_config(fixture_agent())
    };
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);
    let mut client = connect(port).await;
    // One holds the slot; four wait queued, and two of those are stopped.
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(daemon.spawn(request("hang")).await.unwrap().id);
    }
    for id in &ids[1..3] {
        daemon.supervisor().unwrap().stop(id, "test").await.unwrap();
    }
    let ids_of = |frame: &Value| -> Vec<String> {
        frame["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = client
        .ask(json!({"type": "list_sessions", "payload": {"limit": 2}}))
        .await;
    assert_eq!(ids_of(&first), ids[3..5], "the newest two, oldest first");
    assert_eq!(first["total"], 5);
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let second = client
        .ask(json!({"type": "list_sessions", "payload": {"limit": 2, "cursor": cursor}}))
        .await;
    assert_eq!(ids_of(&second), ids[1..3]);
    let cursor = second["nextCursor"].as_str().unwrap().to_owned();
    let last = client
        .ask(json!({"type": "list_sessions", "payload": {"limit": 2, "cursor": cursor}}))
        .await;
    assert_eq!(ids_of(&last), ids[0..1]);
    assert!(last.get("nextCursor").is_none(), "{last}");

    let stopped = client
        .ask(json!({"type": "list_sessions", "payload": {"status": "terminated"}}))
        .await;
    assert_eq!(ids_of(&stopped), ids[1..3]);
    assert_eq!(stopped["total"], 2);
    let waiting = client
        .ask(json!({"type": "list_sessions", "payload": {"status": ["queued", "running"]}}))
        .await;
    assert_eq!(
        ids_of(&waiting),
        [ids[0].clone(), ids[3].clone(), ids[4].clone()]
    );

    for (payload, field) in [
        (json!({"limit": 0}), "payload.limit"),
        (json!({"limit": 5000}), "payload.limit"),
        (json!({"cursor": "yesterday"}), "payload.cursor"),
        (json!({"status": "sleeping"}), "payload.status"),
    ] {
        let reply = client
            .ask(json!({"type": "list_sessions", "payload": payload}))
            .await;
        let error = reply["error"].as_str().unwrap_or_default();
        assert!(error.starts_with(&format!("invalid {field}")), "{reply}");
    }
    daemon.stop().await;
}
