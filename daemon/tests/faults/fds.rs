//! File descriptors stay available under a flood of idle connections: the real daemon binary
//! with a hard open-file limit of 256 keeps answering on the control socket, spawns agents and
//! serves `/health` while 1100 idle TCP connections sit on its public port; a slowloris
//! connection (a partial request line, then nothing) is closed within `handshakeTimeout`;
//! past `maxPendingConnections` the oldest pre-upgrade connection is closed (upgraded ones
//! do not count).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::time::Duration;

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use orchestrator_api::v1;
use orchestrator_api::v1::sessions_client::SessionsClient;

use crate::common::daemon_binary::{RunningDaemon, public_port, start_with, write_config};
use crate::common::sessions::fixture_agent;
use crate::common::{TestHome, client, wait_until, wait_until_async};

/// The daemon's hard open-file limit in the flood test.
const DAEMON_FD_LIMIT: u64 = 256;
/// Idle connections opened against it: far more than it may hold.
const IDLE_CONNECTIONS: usize = 1100;
/// Any single wait of these tests.
const WAIT: Duration = Duration::from_secs(30);

/// Starts the daemon binary in `home` with `yaml`, its agent the fixture agent, and a hard
/// open-file limit of `fd_limit` when given.
async fn daemon(home: &TestHome, yaml: &str, fd_limit: Option<u64>) -> (RunningDaemon, u16) {
    write_config(home, yaml);
    let daemon = start_with(home, &[("CLAUDE_BIN", fixture_agent())], |command| {
        if let Some(limit) = fd_limit {
            // SAFETY: runs in the forked child before exec; setrlimit is async-signal-safe
            // and touches no memory of the parent.
            unsafe {
                command.pre_exec(move || {
                    setrlimit(Resource::RLIMIT_NOFILE, limit, limit).map_err(std::io::Error::from)
                });
            }
        }
    });
    let port = public_port(home).await;
    (daemon, port)
}

fn stop(daemon: &RunningDaemon) {
    daemon.stop();
}

/// `GET path` on a fresh connection: the status, or `None` if the connection failed.
fn try_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned());
    Some((status, body.unwrap_or_default()))
}

/// Whether the server closed `stream` (EOF or reset) before the read timeout.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // A 408 or 400 on the way out is fine; what counts is the close.
            Ok(_) => continue,
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn idle_connections_cannot_starve_the_control_socket_spawns_or_health() {
    // This test process holds the idle connections: give it the room.
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    if hard < 2 * IDLE_CONNECTIONS as u64 {
        eprintln!("SKIPPED: the hard open-file limit ({hard}) is too small for the test");
        return;
    }
    setrlimit(Resource::RLIMIT_NOFILE, hard.max(soft), hard).unwrap();
    let home = TestHome::new();
    let (daemon, port) = daemon(&home, "", Some(DAEMON_FD_LIMIT)).await;
    let idle: Vec<TcpStream> = tokio::task::spawn_blocking(move || {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        // Until a connect times out: the kernel's accept queue is full when the daemon stops
        // accepting (as it did when it ran out of descriptors).
        (0..IDLE_CONNECTIONS)
            .map_while(|_| TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok())
            .collect()
    })
    .await
    .unwrap();
    eprintln!("{} idle connections open", idle.len());
    assert!(
        idle.len() > DAEMON_FD_LIMIT as usize,
        "only {} connections opened",
        idle.len()
    );

    // The control socket answers (what `wundr orchestrator status` asks).
    let status = tokio::time::timeout(WAIT, async {
        client(&home.paths().socket)
            .await
            .get_status(v1::GetStatusRequest {})
            .await
    })
    .await
    .expect("the control socket answers in time")
    .expect("GetStatus succeeds");
    assert_eq!(status.into_inner().pid, daemon.pid);

    // A session spawns and runs its agent (pipes, transcript, database).
    let mut sessions = SessionsClient::new(
        orchestrator_api::connect(&home.paths().socket)
            .await
            .unwrap(),
    );
    let spawned = tokio::time::timeout(
        WAIT,
        sessions.spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: "hello".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    )
    .await
    .expect("Spawn answers in time")
    .expect("Spawn succeeds")
    .into_inner();
    let completed = wait_until_async(WAIT, || {
        let mut sessions = sessions.clone();
        let id = spawned.id.clone();
        async move {
            let session = sessions
                .get(v1::SessionRef { session_id: id })
                .await
                .ok()?
                .into_inner();
            (session.status() == v1::SessionStatus::Completed).then_some(session)
        }
    })
    .await;
    assert!(completed.is_some(), "the session did not complete");

    // The public port serves /health once older idle connections were evicted.
    let health = tokio::task::spawn_blocking(move || {
        wait_until(WAIT, || {
            try_get(port, "/health").filter(|(status, _)| *status == 200)
        })
    })
    .await
    .unwrap();
    assert!(health.is_some(), "/health did not answer");
    let (_, metrics) = tokio::task::spawn_blocking(move || try_get(port, "/metrics"))
        .await
        .unwrap()
        .expect("/metrics answers");
    assert!(
        !metrics.contains("orchestrator_http_pending_evicted_total 0\n"),
        "idle connections were evicted: {metrics}"
    );
    assert!(
        crate::common::log_text(&home.paths()).contains("scaled down"),
        "the caps were fitted to the fd limit"
    );
    drop(idle);
    stop(&daemon);
}

#[tokio::test]
async fn a_slowloris_connection_is_closed_within_the_handshake_timeout() {
    let home = TestHome::new();
    let (daemon, port) = daemon(&home, "websocket:\n  handshakeTimeout: 500\n", None).await;
    let mut partial = TcpStream::connect(("127.0.0.1", port)).unwrap();
    partial.write_all(b"GET / HT").unwrap();
    let mut silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (partial_closed, silent_closed) = tokio::task::spawn_blocking(move || {
        (
            closed_by_server(&mut partial),
            closed_by_server(&mut silent),
        )
    })
    .await
    .unwrap();
    assert!(partial_closed, "a partial request line was held open");
    assert!(silent_closed, "a silent connection was held open");
    // Clients that do send their request are served as usual.
    let health = tokio::task::spawn_blocking(move || try_get(port, "/health"))
        .await
        .unwrap();
    assert_eq!(health.map(|(status, _)| status), Some(200));
    stop(&daemon);
}

#[tokio::test]
async fn past_the_pending_cap_the_oldest_connection_is_closed() {
    let home = TestHome::new();
    let yaml = "websocket:\n  maxPendingConnections: 3\n  handshakeTimeout: 300000\n";
    let (daemon, port) = daemon(&home, yaml, None).await;
    // Upgraded connections leave the pre-upgrade pool: more of them than its cap stay open.
    let mut upgraded = Vec::new();
    for _ in 0..4 {
        let url = format!("ws://127.0.0.1:{port}/");
        upgraded.push(tokio_tungstenite::connect_async(url).await.unwrap().0);
    }
    let counted = tokio::task::spawn_blocking(move || {
        wait_until(WAIT, || {
            let metrics = try_get(port, "/metrics")?.1;
            (metrics.contains("orchestrator_ws_connections 4\n")
                && metrics.contains("orchestrator_http_pending_connections 1\n"))
            .then_some(())
        })
    })
    .await
    .unwrap();
    assert!(
        counted.is_some(),
        "4 upgraded, only the /metrics request pending"
    );
    let evicted = tokio::task::spawn_blocking(move || {
        let mut oldest = TcpStream::connect(("127.0.0.1", port)).unwrap();
        // Accepted in order: wait until the daemon holds the oldest before opening more.
        let held = wait_until(WAIT, || {
            let metrics = try_get(port, "/metrics")?.1;
            metrics
                .contains("orchestrator_http_pending_connections 2")
                .then_some(())
        });
        assert!(held.is_some(), "the first connection is held");
        let others: Vec<TcpStream> = (0..2)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
            .collect();
        // The cap is full now: the next connection (a /health request) evicts the oldest.
        let health = wait_until(WAIT, || try_get(port, "/health").filter(|(s, _)| *s == 200));
        assert!(health.is_some(), "a newcomer is served");
        let closed = closed_by_server(&mut oldest);
        drop(others);
        closed
    })
    .await
    .unwrap();
    assert!(evicted, "the oldest idle connection was not closed");
    drop(upgraded);
    stop(&daemon);
}
