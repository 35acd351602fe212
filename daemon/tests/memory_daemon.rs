//! Memory inside the real daemon (in-process, port 0, temp dirs, the fixture agent behind
//! sessions): the WebSocket memory messages, the gRPC errors, sessions ending at the same
//! time all recorded without "database is locked", a new session given only memories that
//! clear the relevance floor, and an unusable memory database leaving memory `degraded` while
//! sessions keep working.

use crate::common;
use crate::common::ws;

use common::sessions::{agent_config, fixture_agent, request, start, wait_ended};
use common::{TestHome, wait_until_async};
use orchestrator_api::v1;
use orchestrator_api::v1::memory_client::MemoryClient;
use orchestrator_daemon::memory::memory_context_text;
use orchestrator_daemon::model::{SessionStatus, SubsystemStatus};
use orchestrator_memory::Tier;
use serde_json::json;
use ws::{connect, port_of};

async fn memory_client(home: &TestHome) -> MemoryClient<tonic::transport::Channel> {
    MemoryClient::new(
        orchestrator_api::connect(&home.paths().socket)
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn websocket_memory_messages_store_query_and_forget() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut client = connect(port_of(&daemon)).await;

    let stored = client
        .ask(
            json!({"type": "memory_store", "payload": {"tier": "semantic",
            "content": "builds use sccache", "metadata": {"source": "ws"}}}),
        )
        .await;
    assert_eq!(stored["type"], "memory_stored", "{stored:#}");
    let entry = &stored["entry"];
    let id = entry["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("mem_"));
    assert_eq!(
        (&entry["tier"], &entry["type"]),
        (&json!("semantic"), &json!("knowledge"))
    );
    assert_eq!(entry["metadata"]["source"], "ws");
    assert!(
        entry["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let found = client
        .ask(json!({"type": "memory_query", "payload": {"query": "\"sccache OR *", "limit": 5}}))
        .await;
    assert_eq!(found["type"], "memory_results", "{found:#}");
    assert_eq!(found["results"][0]["entry"]["id"], id.as_str());
    assert!(
        found["results"][0]["score"]
            .as_f64()
            .is_some_and(|s| s > 0.0)
    );

    // Refusals are error frames carrying the requestId; nothing is written.
    for (payload, text) in [
        (
            json!({"tier": "episodic", "content": ""}),
            "memory content is empty",
        ),
        (
            json!({"tier": "scratchpad", "content": "x"}),
            "unknown memory tier",
        ),
        (json!({"content": "x"}), "invalid tier"),
    ] {
        let reply = client
            .ask(json!({"type": "memory_store", "payload": payload}))
            .await;
        assert_eq!(reply["type"], "error");
        assert!(
            reply["error"].as_str().is_some_and(|e| e.contains(text)),
            "{reply:#}"
        );
    }
    let reply = client
        .ask(json!({"type": "memory_forget", "payload": {"id": "mem_0_x"}}))
        .await;
    assert_eq!(reply["error"], "no memory entry with id mem_0_x");
    assert_eq!(reply["code"], "MEMORY_NOT_FOUND");
    assert_eq!(daemon.core().memory().unwrap().stats().unwrap().semantic, 1);

    let gone = client
        .ask(json!({"type": "memory_forget", "payload": {"id": id}}))
        .await;
    assert_eq!(
        (&gone["type"], &gone["id"]),
        (&json!("memory_forgotten"), &json!(id))
    );
    let found = client
        .ask(json!({"type": "memory_query", "payload": {"query": "sccache"}}))
        .await;
    assert_eq!(found["results"], json!([]));
    daemon.stop().await;
}

#[tokio::test]
async fn sessions_ending_together_all_leave_a_memory() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let memory = daemon.core().memory().unwrap().clone();
    let mut ids = Vec::new();
    for i in 0..6 {
        let session = daemon
            .spawn(request(&format!("parallel job {i} quokka")))
            .await
            .unwrap();
        ids.push(session.id);
    }
    // Meanwhile a client writes too, through the same writer.
    let mut grpc = memory_client(&home).await;
    for i in 0..20 {
        grpc.add(v1::AddMemoryRequest {
            tier: "episodic".into(),
            content: format!("client note {i} quokka"),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    for id in &ids {
        assert_eq!(
            wait_ended(&daemon, id).await.status,
            SessionStatus::Completed
        );
    }
    let recorded = wait_until_async(std::time::Duration::from_secs(10), || {
        let memory = memory.clone();
        let ids = ids.clone();
        async move {
            let hits = memory.retrieve("quokka", Some(Tier::Episodic), 100).ok()?;
            let sessions: Vec<_> = hits
                .iter()
                .filter_map(|h| h.entry.session_id.clone())
                .collect();
            (hits.len() == 26 && ids.iter().all(|id| sessions.contains(id))).then_some(hits)
        }
    })
    .await;
    // A write lost to "database is locked" (or any error) would leave fewer than 26.
    assert!(recorded.is_some(), "every session and note is remembered");
    daemon.stop().await;
}

/// Issue #14: the office-plants memory was given to a session about invoices (and came back
/// for a kubernetes search) because every text shares "the". Through the daemon: a session
/// gets only memories above the floor, and a search for an unrelated query finds nothing.
#[tokio::test]
async fn a_new_session_is_given_only_relevant_memories() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut grpc = memory_client(&home).await;
    let mut ids = Vec::new();
    for content in [
        "The office plants are watered on Mondays",
        "Deploys to the production kubernetes cluster go through ArgoCD",
    ] {
        let added = grpc
            .add(v1::AddMemoryRequest {
                tier: "semantic".into(),
                content: content.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        ids.push(added.id);
    }
    let given = |session: &orchestrator_daemon::model::Session| -> Vec<String> {
        ["episodic", "semantic"]
            .iter()
            .filter_map(|tier| session.memory_context[*tier].as_array())
            .flatten()
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect()
    };

    let invoices = daemon
        .spawn(request("Reconcile the unpaid invoices for March"))
        .await
        .unwrap();
    assert_eq!(
        given(&invoices),
        Vec::<String>::new(),
        "{:#}",
        invoices.memory_context
    );
    assert_eq!(memory_context_text(&invoices), "");

    let deploy = daemon
        .spawn(request("deploy the kubernetes cluster"))
        .await
        .unwrap();
    assert_eq!(
        given(&deploy),
        [ids[1].clone()],
        "{:#}",
        deploy.memory_context
    );
    assert!(memory_context_text(&deploy).contains("ArgoCD"));

    let found = grpc
        .search(v1::SearchMemoryRequest {
            query: "plan a birthday picnic for grandma".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(found.results.is_empty(), "{found:?}");
    for id in [&invoices.id, &deploy.id] {
        wait_ended(&daemon, id).await;
    }
    daemon.stop().await;
}

#[tokio::test]
async fn an_unusable_memory_database_degrades_memory_but_not_sessions() {
    let home = TestHome::new();
    let paths = home.paths();
    std::fs::create_dir_all(&paths.data_dir).unwrap();
    {
        // Memory tables from a newer daemon: memory must refuse them, sessions must not care.
        let conn = rusqlite::Connection::open(paths.data_dir.join("orchestrator.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE memory_schema (version INTEGER NOT NULL);
             INSERT INTO memory_schema VALUES (999);",
        )
        .unwrap();
    }
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let status = daemon.status();
    let memory = status
        .subsystems
        .iter()
        .find(|s| s.name == "memory")
        .unwrap();
    assert_eq!(memory.status, SubsystemStatus::Degraded);
    assert!(
        memory
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("schema version 999")),
        "{memory:?}"
    );

    let err = memory_client(&home)
        .await
        .search(v1::SearchMemoryRequest {
            query: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unavailable);
    assert!(
        err.message()
            .starts_with("memory is unavailable (degraded)"),
        "{err:?}"
    );

    let session = daemon.spawn(request("still works")).await.unwrap();
    assert_eq!(memory_context_text(&session), "");
    assert_eq!(
        wait_ended(&daemon, &session.id).await.status,
        SessionStatus::Completed
    );
    daemon.stop().await;
}
