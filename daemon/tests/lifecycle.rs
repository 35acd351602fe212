//! The library API against a real daemon: real socket, real port (0), real gRPC client.

use crate::common;

use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use common::{TestHome, client, http, wait_until_async};
use orchestrator_api::v1;
use orchestrator_daemon::{DaemonConfig, DaemonEvent, DaemonState, OrchestratorDaemon};

fn config(heartbeat_ms: u64) -> DaemonConfig {
    DaemonConfig {
        port: 0,
        heartbeat_interval: Duration::from_millis(heartbeat_ms),
        shutdown_timeout: Duration::from_millis(2_000),
        ..DaemonConfig::default()
    }
}

#[tokio::test]
async fn start_reports_status_over_grpc_and_stop_cleans_up() {
    let home = TestHome::new();
    let paths = home.paths();
    let daemon = OrchestratorDaemon::with_paths(config(30_000), paths.clone()).unwrap();
    assert_eq!(daemon.status().state, DaemonState::Created);
    let mut events = daemon.subscribe();
    daemon.start().await.unwrap();
    assert!(
        matches!(events.recv().await.unwrap(), DaemonEvent::Started { pid } if pid == std::process::id())
    );

    let status = client(&paths.socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.name, "orchestrator-daemon");
    assert_eq!(status.state(), v1::DaemonState::Running);
    assert_eq!(status.pid, std::process::id());
    assert_eq!(status.protocol_version, orchestrator_api::PROTOCOL_VERSION);
    assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
    let endpoints = status.endpoints.unwrap();
    assert_ne!(
        endpoints.port, 0,
        "port 0 must be replaced by the bound port"
    );
    assert_eq!(
        endpoints.ws_url,
        format!("ws://127.0.0.1:{}", endpoints.port)
    );
    assert_eq!(endpoints.socket_path, paths.socket.display().to_string());
    assert_eq!(endpoints.log_file, paths.log_file.display().to_string());
    let sessions = status.sessions.unwrap();
    assert_eq!(
        (sessions.active, sessions.queued, sessions.max_sessions),
        (0, 0, 100)
    );
    let names: Vec<_> = status.subsystems.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "grpc",
            "websocket",
            "sessionManager",
            "logging",
            "store",
            "memory"
        ]
    );
    assert!(
        status
            .subsystems
            .iter()
            .all(|s| s.status() == v1::SubsystemStatus::Running && s.last_check_unix_ms > 0)
    );

    // The socket is private: 0600 in a 0700 directory.
    assert_eq!(
        std::fs::metadata(&paths.socket).unwrap().mode() & 0o777,
        0o600
    );
    let dir = paths.socket.parent().unwrap();
    assert_eq!(std::fs::metadata(dir).unwrap().mode() & 0o777, 0o700);

    // The public port serves upstream's /health and 404s everything else.
    let port = u16::try_from(endpoints.port).unwrap();
    let (code, body) = tokio::task::spawn_blocking(move || http(port, "GET", "/health"))
        .await
        .unwrap();
    assert_eq!(code, 200);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "healthy");
    let timestamp = json["timestamp"].as_str().unwrap();
    assert!(
        humantime::parse_rfc3339(timestamp).is_ok() && timestamp.len() == 24,
        "{timestamp}"
    );
    for path in ["/", "/health/", "/health?x=1"] {
        let (code, body) = tokio::task::spawn_blocking(move || http(port, "GET", path))
            .await
            .unwrap();
        assert_eq!((code, body.as_str()), (404, "Not Found"), "{path}");
    }
    let (code, _) = tokio::task::spawn_blocking(move || http(port, "POST", "/health"))
        .await
        .unwrap();
    assert_eq!(code, 200, "any method on /health, as upstream");

    daemon.stop().await;
    assert_eq!(daemon.status().state, DaemonState::Stopped);
    assert!(!paths.socket.exists() && !paths.pid_file.exists());
    let err = orchestrator_api::connect(&paths.socket).await.unwrap_err();
    assert!(err.is_not_running(), "{err}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    daemon.stop().await; // a second stop is harmless
    assert!(matches!(
        daemon.start().await,
        Err(orchestrator_daemon::StartError::AlreadyStarted)
    ));
}

#[tokio::test]
async fn watchers_get_health_checks_then_stopped_and_shutdown_is_requested_over_grpc() {
    let home = TestHome::new();
    let paths = home.paths();
    let daemon = OrchestratorDaemon::with_paths(config(100), paths.clone()).unwrap();
    daemon.start().await.unwrap();
    let mut grpc = client(&paths.socket).await;
    let mut stream = grpc
        .watch_events(v1::WatchEventsRequest {})
        .await
        .unwrap()
        .into_inner();
    let first = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("a healthCheck within the deadline")
        .unwrap()
        .unwrap();
    match first.kind.unwrap() {
        v1::event::Kind::HealthCheck(status) => {
            assert_eq!(status.state(), v1::DaemonState::Running);
            assert!(status.uptime_ms > 0 || status.started_at_unix_ms > 0);
        }
        other => panic!("expected a health check, got {other:?}"),
    }

    let pid = grpc
        .shutdown(v1::ShutdownRequest::default())
        .await
        .unwrap()
        .into_inner()
        .pid;
    assert_eq!(pid, std::process::id());
    let reason = tokio::time::timeout(Duration::from_secs(5), daemon.shutdown_requested())
        .await
        .unwrap();
    assert_eq!(reason, "shutdown requested over gRPC");
    daemon.stop().await;

    // Drain: health checks may precede it, but the stream ends with `stopped`.
    let mut last = None;
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("the stream ends after stop")
        .unwrap()
    {
        last = event.kind;
    }
    match last {
        Some(v1::event::Kind::Stopped(stopped)) => {
            assert_eq!(stopped.reason, "shutdown requested over gRPC")
        }
        other => panic!("expected the stream to end with stopped, got {other:?}"),
    }
}

#[tokio::test]
async fn library_events_carry_health_checks() {
    let home = TestHome::new();
    let daemon = OrchestratorDaemon::with_paths(config(100), home.paths()).unwrap();
    let mut events = daemon.subscribe();
    daemon.start().await.unwrap();
    let health = wait_until_async(Duration::from_secs(10), || {
        let event = events.try_recv().ok();
        async move {
            match event {
                Some(DaemonEvent::HealthCheck(status)) => Some(status),
                _ => None,
            }
        }
    })
    .await
    .expect("a healthCheck event");
    assert_eq!(health.state, DaemonState::Running);
    assert_eq!(DaemonEvent::HealthCheck(health).name(), "healthCheck");
    daemon.stop().await;
}

#[tokio::test]
async fn a_second_daemon_on_the_same_socket_is_refused_and_the_first_keeps_serving() {
    let home = TestHome::new();
    let paths = home.paths();
    let first = OrchestratorDaemon::with_paths(config(30_000), paths.clone()).unwrap();
    first.start().await.unwrap();
    let second = OrchestratorDaemon::with_paths(config(30_000), paths.clone()).unwrap();
    let err = second.start().await.unwrap_err();
    assert!(err.to_string().contains("already running"), "{err}");
    assert!(
        err.remedy().contains("wundr orchestrator"),
        "{}",
        err.remedy()
    );
    assert_eq!(second.status().state, DaemonState::Stopped);
    // The loser removed nothing of the winner's.
    let status = client(&paths.socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.state(), v1::DaemonState::Running);
    first.stop().await;
}

#[tokio::test]
async fn a_port_in_use_fails_the_start_and_leaves_nothing_behind() {
    let home = TestHome::new();
    let paths = home.paths();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let daemon = OrchestratorDaemon::with_paths(
        DaemonConfig {
            port,
            ..config(30_000)
        },
        paths.clone(),
    )
    .unwrap();
    let err = daemon.start().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("port {port} on 127.0.0.1 is in use")
    );
    assert!(err.remedy().contains("ORCHESTRATOR_DAEMON_PORT"));
    assert!(!paths.socket.exists() && !paths.pid_file.exists());
}

#[tokio::test]
async fn invalid_configs_are_refused_before_anything_starts() {
    let home = TestHome::new();
    for config in [
        DaemonConfig {
            max_sessions: 0,
            ..DaemonConfig::default()
        },
        DaemonConfig {
            host: "0.0.0.0".into(),
            ..DaemonConfig::default()
        },
        DaemonConfig {
            heartbeat_interval: Duration::ZERO,
            ..DaemonConfig::default()
        },
    ] {
        assert!(OrchestratorDaemon::with_paths(config, home.paths()).is_err());
    }
    assert!(!home.paths().state_dir.exists(), "nothing was created");
}

#[tokio::test]
async fn grpc_reflection_lists_the_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let home = TestHome::new();
    let paths = home.paths();
    let daemon = OrchestratorDaemon::with_paths(config(30_000), paths.clone()).unwrap();
    daemon.start().await.unwrap();
    let channel = orchestrator_api::connect(&paths.socket).await.unwrap();
    let mut reflection = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("expected a service list");
    };
    let mut names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
            "orchestrator.v1.Charter",
            "orchestrator.v1.Daemon",
            "orchestrator.v1.Memory",
            "orchestrator.v1.Sessions",
        ]
    );
    daemon.stop().await;
}
