//! One registry, two doors, against a real daemon: sessions spawned over gRPC (what
//! `wundr orchestrator session spawn` calls) appear on the WebSocket and their changes are
//! broadcast to every client; sessions spawned over the WebSocket appear in gRPC `List`, are
//! followed by `Follow` (what `wundr orchestrator logs --session ID -f` reads) and announced by
//! `WatchEvents`; and capacity is one queue whichever door a spawn came through.

use crate::common;
use crate::common::ws;

use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, start};
use common::{TestHome, client};
use orchestrator_api::v1;
use orchestrator_api::v1::session_event::Kind;
use orchestrator_api::v1::sessions_client::SessionsClient;
use serde_json::json;
use ws::{connect, port_of};

fn spawn_request(prompt: &str) -> v1::SpawnSessionRequest {
    v1::SpawnSessionRequest {
        task: Some(v1::TaskSpec {
            description: prompt.into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn both_doors_see_and_steer_the_same_sessions() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.max_sessions = 1;
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);
    let socket = home.paths().socket;
    let mut sessions = SessionsClient::new(orchestrator_api::connect(&socket).await.unwrap());
    let mut watch = client(&socket)
        .await
        .watch_events(v1::WatchEventsRequest {})
        .await
        .unwrap()
        .into_inner();
    let mut a = connect(port).await;
    let mut b = connect(port).await;

    // gRPC -> WebSocket: the spawn is broadcast to every client and listed.
    let hang = sessions
        .spawn(spawn_request("hang"))
        .await
        .unwrap()
        .into_inner();
    for client in [&mut a, &mut b] {
        client
            .until(|f| {
                f["type"] == "session_status_update"
                    && f["session"]["id"] == hang.id.as_str()
                    && f["session"]["status"] == "running"
            })
            .await;
    }
    let list = a.ask(json!({"type": "list_sessions"})).await;
    assert_eq!(list["sessions"][0]["id"], hang.id.as_str());

    // WebSocket -> gRPC: the one slot is taken, so the WS spawn is queued (not refused).
    let spawned = a
        .ask(json!({"type": "spawn_session", "payload": {"task": "tool please"}}))
        .await;
    assert_eq!(spawned["type"], "session_spawned");
    assert_eq!(spawned["session"]["status"], "queued");
    let ws_id = spawned["session"]["id"].as_str().unwrap().to_owned();
    let listed = sessions
        .list(v1::ListSessionsRequest::default())
        .await
        .unwrap()
        .into_inner();
    let queued = listed.sessions.iter().find(|s| s.id == ws_id).unwrap();
    assert_eq!(queued.status(), v1::SessionStatus::Queued);
    let announced = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let event = watch
                .message()
                .await
                .unwrap()
                .expect("the watch stream goes on");
            if let Some(v1::event::Kind::SessionSpawned(s)) = event.kind
                && s.id == ws_id
            {
                return s;
            }
        }
    })
    .await
    .expect("WatchEvents announces the WebSocket spawn");
    assert_eq!(announced.task.unwrap().description, "tool please");
    let mut follow = sessions
        .follow(v1::FollowSessionRequest {
            session_id: ws_id.clone(),
            replay_transcript: false,
        })
        .await
        .unwrap()
        .into_inner();

    // A WebSocket stop of the gRPC session frees the slot; gRPC sees it terminated.
    let stopped = b
        .ask(json!({"type": "stop_session", "payload": {"sessionId": hang.id}}))
        .await;
    assert_eq!(stopped["session"]["status"], "terminated");
    let got = sessions
        .get(v1::SessionRef {
            session_id: hang.id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.status(), v1::SessionStatus::Terminated);

    // The queued WS session now runs; the gRPC follower sees its tool calls and its end,
    // and the WS requester its stream.
    let mut seen = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(30), follow.message())
        .await
        .expect("the follow stream ends with the session")
        .unwrap()
    {
        seen.push(event.kind.unwrap());
    }
    assert!(
        seen.iter()
            .any(|k| matches!(k, Kind::ToolCallStart(t) if t.tool_name == "Bash")),
        "{seen:?}"
    );
    assert!(
        matches!(seen.last(), Some(Kind::Status(s)) if s.status() == v1::SessionStatus::Completed),
        "{seen:?}"
    );
    let (done, _) = a.until(|f| f["type"] == "task_completed").await;
    assert_eq!(done["sessionId"], ws_id.as_str());
    // ...and the other WS client hears the status change without the stream.
    let (_, skipped) = b
        .until(|f| {
            f["type"] == "session_status_update"
                && f["session"]["id"] == ws_id.as_str()
                && f["session"]["status"] == "completed"
        })
        .await;
    assert!(
        skipped.iter().all(|f| f["type"] == "session_status_update"),
        "{skipped:?}"
    );
    daemon.stop().await;
}
