//! A store that cannot take writes (a full disk, read-only files, damaged memory tables):
//! every request that needs a write is refused with the cause and the remedy, nothing is
//! half-done, `status` shows the subsystem `degraded` with the reason, and everything works
//! again once the fault is gone.

use orchestrator_api::v1;
use orchestrator_api::v1::charter_client::CharterClient;
use orchestrator_api::v1::daemon_client::DaemonClient;
use orchestrator_api::v1::memory_client::MemoryClient;
use orchestrator_api::v1::sessions_client::SessionsClient;
use tonic::Code;
use tonic::transport::Channel;

use crate::common::TestHome;
use crate::common::faults::{Immutable, Tmpfs, database_files, root_or_skip};
use crate::common::sessions::{agent_config, fixture_agent, start};

/// The daemon's remedy sent with an error status.
fn remedy(status: &tonic::Status) -> String {
    status
        .metadata()
        .get_bin("wundr-remedy-bin")
        .and_then(|v| v.to_bytes().ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

struct Clients {
    sessions: SessionsClient<Channel>,
    memory: MemoryClient<Channel>,
    charter: CharterClient<Channel>,
    daemon: DaemonClient<Channel>,
}

async fn clients(home: &TestHome) -> Clients {
    let channel = orchestrator_api::connect(&home.paths().socket)
        .await
        .unwrap();
    Clients {
        sessions: SessionsClient::new(channel.clone()),
        memory: MemoryClient::new(channel.clone()),
        charter: CharterClient::new(channel.clone()),
        daemon: DaemonClient::new(channel),
    }
}

fn spawn(task: &str) -> v1::SpawnSessionRequest {
    v1::SpawnSessionRequest {
        task: Some(v1::TaskSpec {
            description: task.to_owned(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn memory(content: &str) -> v1::AddMemoryRequest {
    v1::AddMemoryRequest {
        tier: "semantic".to_owned(),
        content: content.to_owned(),
        ..Default::default()
    }
}

fn read_hook() -> v1::HookRequest {
    v1::HookRequest {
        session_id: "session_outside".to_owned(),
        event: "PreToolUse".to_owned(),
        input_json: r#"{"hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"/etc/hostname"}}"#.to_owned(),
    }
}

/// The `store` and `memory` subsystems as `status` shows them: (status, detail).
async fn storage_health(clients: &mut Clients) -> Vec<(String, v1::SubsystemStatus, String)> {
    let status = clients
        .daemon
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    status
        .subsystems
        .iter()
        .filter(|s| s.name == "store" || s.name == "memory")
        .map(|s| (s.name.clone(), s.status(), s.detail.clone()))
        .collect()
}

fn session_dirs(home: &TestHome) -> usize {
    std::fs::read_dir(home.paths().data_dir.join("sessions"))
        .map(|dir| dir.count())
        .unwrap_or(0)
}

/// Every write-needing request fails with `code` and words naming the fault and its remedy,
/// and changes nothing; `status` says why.
async fn refused_out_loud(
    home: &TestHome,
    clients: &mut Clients,
    code: Code,
    fault: &str,
    fix: &str,
) {
    let before = clients
        .sessions
        .list(v1::ListSessionsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .total;
    let dirs = session_dirs(home);
    let err = clients
        .sessions
        .spawn(spawn("while broken"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), code, "{err:?}");
    assert!(err.message().contains(fault), "{err:?}");
    assert!(remedy(&err).contains(fix), "remedy: {:?}", remedy(&err));
    let after = clients
        .sessions
        .list(v1::ListSessionsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .total;
    assert_eq!(after, before, "a refused spawn leaves no session");
    assert_eq!(session_dirs(home), dirs, "nor a session directory");

    let err = clients
        .memory
        .add(memory("remember this"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), code, "{err:?}");
    assert!(err.message().contains(fault), "{err:?}");

    // A decision that cannot be recorded is not carried out.
    let out = clients
        .charter
        .hook(read_hook())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(out.decision, "deny", "{out:?}");
    assert!(out.reason.contains("cannot record"), "{}", out.reason);

    let health = storage_health(clients).await;
    let store = health.iter().find(|(n, ..)| n == "store").unwrap();
    assert_eq!(store.1, v1::SubsystemStatus::Degraded, "{health:?}");
    assert!(store.2.contains(fault), "{health:?}");
    let memory = health.iter().find(|(n, ..)| n == "memory").unwrap();
    assert_eq!(memory.1, v1::SubsystemStatus::Degraded, "{health:?}");
}

/// Once the fault is gone, the same requests succeed and `status` is clean again.
async fn works_again(clients: &mut Clients) {
    let session = clients
        .sessions
        .spawn(spawn("after the fault"))
        .await
        .unwrap()
        .into_inner();
    clients.memory.add(memory("remember this")).await.unwrap();
    let got = clients
        .sessions
        .get(v1::SessionRef {
            session_id: session.id,
        })
        .await
        .unwrap();
    assert_eq!(
        got.into_inner().task.unwrap().description,
        "after the fault"
    );
    let health = storage_health(clients).await;
    assert!(
        health
            .iter()
            .all(|(_, status, _)| *status == v1::SubsystemStatus::Running),
        "{health:?}"
    );
}

#[tokio::test]
async fn a_full_disk_refuses_writes_out_loud_and_recovers() {
    if !root_or_skip("a_full_disk_refuses_writes_out_loud_and_recovers", "mount") {
        return;
    }
    let home = TestHome::new();
    let Some(disk) = Tmpfs::mount(&home.path().join("data"), "8m") else {
        return;
    };
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut clients = clients(&home).await;
    clients.sessions.spawn(spawn("before")).await.unwrap();
    let filler = disk.fill();
    refused_out_loud(
        &home,
        &mut clients,
        Code::ResourceExhausted,
        "the disk is full",
        "free space",
    )
    .await;
    std::fs::remove_file(filler).unwrap();
    works_again(&mut clients).await;
    daemon.stop().await;
}

#[tokio::test]
async fn a_read_only_store_refuses_writes_out_loud_and_recovers() {
    if !root_or_skip(
        "a_read_only_store_refuses_writes_out_loud_and_recovers",
        "chattr",
    ) {
        return;
    }
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut clients = clients(&home).await;
    clients.sessions.spawn(spawn("before")).await.unwrap();
    let Some(frozen) = Immutable::set(&database_files(&home.paths().data_dir)) else {
        return;
    };
    refused_out_loud(
        &home,
        &mut clients,
        Code::FailedPrecondition,
        "read-only",
        "writable",
    )
    .await;
    frozen.clear();
    works_again(&mut clients).await;
    daemon.stop().await;
}

#[tokio::test]
async fn a_read_only_data_directory_stops_the_start_with_the_right_hint() {
    if !root_or_skip(
        "a_read_only_data_directory_stops_the_start_with_the_right_hint",
        "chattr",
    ) {
        return;
    }
    let home = TestHome::new();
    let data = home.paths().data_dir;
    std::fs::create_dir_all(&data).unwrap();
    let Some(_frozen) = Immutable::set(std::slice::from_ref(&data)) else {
        return;
    };
    let daemon = orchestrator_daemon::OrchestratorDaemon::with_paths(
        agent_config(fixture_agent()),
        home.paths(),
    )
    .unwrap();
    let err = daemon.start().await.unwrap_err();
    let chain = orchestrator_daemon::error_chain(&err);
    assert!(chain.contains("read-only"), "{chain}");
    assert!(err.remedy().contains("writable"), "{}", err.remedy());
    assert!(!err.remedy().contains("damaged"), "{}", err.remedy());
}

#[tokio::test]
async fn damaged_memory_tables_show_memory_degraded() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut clients = clients(&home).await;
    for i in 0..50 {
        clients
            .memory
            .add(memory(&format!(
                "deploy notes number {i} for the kubernetes cluster"
            )))
            .await
            .unwrap();
    }
    // Another program scribbles over the full-text index's pages.
    rusqlite::Connection::open(home.paths().data_dir.join("orchestrator.db"))
        .unwrap()
        .execute_batch("UPDATE memory_fts_data SET block = zeroblob(length(block)) WHERE id > 10")
        .unwrap();
    let err = clients
        .memory
        .search(v1::SearchMemoryRequest {
            query: "kubernetes deploy".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::DataLoss, "{err:?}");
    assert!(remedy(&err).contains("move"), "{:?}", remedy(&err));
    let health = storage_health(&mut clients).await;
    let memory = health.iter().find(|(n, ..)| n == "memory").unwrap();
    assert_eq!(memory.1, v1::SubsystemStatus::Degraded, "{health:?}");
    assert!(memory.2.contains("corrupt"), "{health:?}");
    // Sessions do not depend on the memory tables.
    clients.sessions.spawn(spawn("still works")).await.unwrap();
    daemon.stop().await;
}
