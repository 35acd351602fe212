//! The WebSocket door treats every web page as hostile: Origin and Host refusals at the
//! upgrade, upstream-compatible auth (JWT, API keys, reason codes) that fails closed, roles,
//! the frame limit, slow-consumer isolation, ping liveness and malformed-frame floods.

use crate::common;
use crate::common::ws;

use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, start};
use common::{TestHome, http, wait_until_async};
use futures_util::SinkExt;
use orchestrator_config::ConfigError;
use orchestrator_config::websocket::{ApiKey, AuthSettings, Role};
use orchestrator_daemon::api::ws::jwt;
use orchestrator_daemon::{ConfigLayer, DaemonConfig, OrchestratorDaemon};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use ws::{connect, connect_with, port_of, refusal, request};

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const USER_KEY: &str = "user-key-0123456789abcdef01234567";
const READ_KEY: &str = "read-key-0123456789abcdef01234567";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn token(patch: serde_json::Value) -> String {
    let n = now();
    let mut claims = json!({"sub": "neo", "iss": "wundr-orchestrator", "aud": "wundr-daemon",
                            "iat": n, "exp": n + 600});
    for (k, v) in patch.as_object().unwrap() {
        claims[k] = v.clone();
    }
    jwt::sign(&claims, SECRET.as_bytes())
}

fn auth_config() -> DaemonConfig {
    let mut config = agent_config(fixture_agent());
    let mut auth = AuthSettings::with_secret(SECRET);
    auth.api_keys = vec![
        ApiKey {
            key: USER_KEY.into(),
            client_id: "user".into(),
            role: Role::User,
        },
        ApiKey {
            key: READ_KEY.into(),
            client_id: "reader".into(),
            role: Role::Readonly,
        },
    ];
    auth.max_connections_per_client = 2;
    config.websocket.auth = Some(auth);
    config
}

#[tokio::test]
async fn foreign_origins_and_hosts_are_refused_at_the_upgrade() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let port = port_of(&daemon);
    for headers in [
        vec![("Origin", "https://evil.example")],
        vec![("Origin", "null")],
        vec![("Origin", "http://localhost.evil.example:3000")],
        vec![("Host", "evil.example:8787")],
        vec![("Host", "rebind.attacker.test")],
    ] {
        let (code, _) = refusal(request(port, "/", &headers)).await;
        assert_eq!(code, 403, "{headers:?}");
    }
    // Loopback origins and tools without Origin are welcome.
    for origin in [
        "http://localhost:3000",
        "http://127.0.0.1:5173",
        "https://[::1]",
    ] {
        connect_with(request(port, "/", &[("Origin", origin)])).await;
    }
    connect(port).await;
    daemon.stop().await;
}

#[tokio::test]
async fn configured_origins_are_allowed() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.websocket.allowed_origins = vec!["https://neolith.example.com".into()];
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);
    connect_with(request(
        port,
        "/",
        &[("Origin", "https://neolith.example.com")],
    ))
    .await;
    daemon.stop().await;
}

#[tokio::test]
async fn auth_uses_upstreams_credentials_and_reason_codes() {
    let home = TestHome::new();
    let daemon = start(&home, auth_config()).await;
    let port = port_of(&daemon);
    let bad_sig = format!("{}x", token(json!({})));
    for (path, headers, reason) in [
        ("/", vec![], "credentials_missing"),
        (
            "/",
            vec![("Authorization", "Basic Zm9vOmJhcg==")],
            "credentials_missing",
        ),
        ("/", vec![("Authorization", "Bearer a.b")], "jwt_malformed"),
        (
            "/",
            vec![("Authorization", &format!("Bearer {bad_sig}") as &str)],
            "jwt_signature_invalid",
        ),
        ("/", vec![("x-api-key", "not-a-key")], "api_key_invalid"),
    ] {
        assert_eq!(
            refusal(request(port, path, &headers)).await,
            (401, format!(r#"{{"error":"{reason}"}}"#)),
            "{headers:?}"
        );
    }
    let expired = token(json!({"exp": now() - 1}));
    assert_eq!(
        refusal(request(port, &format!("/?token={expired}"), &[])).await,
        (401, r#"{"error":"jwt_expired"}"#.to_owned())
    );
    let wrong_iss = token(json!({"iss": "someone-else"}));
    assert_eq!(
        refusal(request(port, &format!("/?token={wrong_iss}"), &[]))
            .await
            .1,
        r#"{"error":"jwt_issuer_mismatch"}"#
    );

    // Valid credentials: bearer, ?token=, x-api-key, ?apiKey=.
    let bearer = format!("Bearer {}", token(json!({})));
    let mut user = connect_with(request(port, "/", &[("Authorization", &bearer)])).await;
    assert_eq!(user.ask(json!({"type": "ping"})).await["type"], "pong");
    connect_with(request(
        port,
        &format!("/?token={}", token(json!({"sub": "q"}))),
        &[],
    ))
    .await;
    connect_with(request(port, "/", &[("x-api-key", USER_KEY)])).await;
    let mut reader = connect_with(request(port, &format!("/?apiKey={READ_KEY}"), &[])).await;

    // Auth mode answers bad JSON with invalid_json; roles are enforced.
    reader.send_text("{oops".into()).await;
    assert_eq!(reader.next().await["error"], "invalid_json");
    let denied = reader
        .ask(json!({"type": "spawn_session", "payload": {"task": "x"}}))
        .await;
    assert_eq!(denied["error"], "permission_denied");
    assert_eq!(denied["code"], "PERMISSION_DENIED");
    let denied = reader
        .ask(json!({"type": "stop_session", "payload": {"sessionId": "x"}}))
        .await;
    assert_eq!(denied["error"], "permission_denied");
    assert_eq!(
        reader.ask(json!({"type": "list_sessions"})).await["type"],
        "sessions_list"
    );
    // Per-message credentials are checked when present.
    let bad = reader
        .ask(json!({"type": "ping", "auth": {"apiKey": "wrong"}}))
        .await;
    assert_eq!(bad["error"], "api_key_invalid");
    assert_eq!(bad["code"], "AUTH_FAILED");

    // Per-client connection limit (2 for "reader"): the third gets 429.
    let _second = connect_with(request(port, "/", &[("x-api-key", READ_KEY)])).await;
    assert_eq!(
        refusal(request(port, "/", &[("x-api-key", READ_KEY)])).await,
        (429, r#"{"error":"connection_limit_exceeded"}"#.to_owned())
    );

    // A token that expires while connected: token_expired, then close 4001.
    let short = token(json!({"sub": "brief", "exp": now() + 2}));
    let mut brief = connect_with(request(
        port,
        "/",
        &[("Authorization", &format!("Bearer {short}"))],
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(2_100)).await; // reason: waits out a real 2 s expiry
    brief.send(json!({"type": "ping"})).await;
    assert_eq!(
        brief.next().await,
        json!({"type": "error", "error": "token_expired", "code": "TOKEN_EXPIRED"})
    );
    assert_eq!(
        brief.close_frame().await,
        Some((4001, "Token expired".to_owned()))
    );
    daemon.stop().await;
}

#[test]
fn bad_auth_settings_fail_closed_and_only_auth_may_leave_loopback() {
    let home = TestHome::new();
    let mut config = auth_config();
    if let Some(auth) = config.websocket.auth.as_mut() {
        auth.jwt_secret = "too short".into();
    }
    let err = OrchestratorDaemon::with_paths(config, home.paths()).unwrap_err();
    assert!(
        format!("{err:?}").contains("DAEMON_AUTH_JWT_SECRET"),
        "{err:?}"
    );

    // The environment route (the binary) fails closed the same way.
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let err = ConfigLayer::from_env(env(&[("DAEMON_AUTH_JWT_SECRET", "short")])).unwrap_err();
    assert!(matches!(err, ConfigError::Auth { .. }), "{err:?}");
    let err = ConfigLayer::from_env(env(&[("DAEMON_AUTH_API_KEYS", "[]")])).unwrap_err();
    assert!(matches!(err, ConfigError::Auth { .. }), "{err:?}");
    let file = ConfigLayer {
        host: Some("0.0.0.0".into()),
        ..ConfigLayer::default()
    };
    let with_auth = ConfigLayer::from_env(env(&[("DAEMON_AUTH_JWT_SECRET", SECRET)])).unwrap();
    assert_eq!(
        DaemonConfig::resolve([&file, &with_auth]).unwrap().host,
        "0.0.0.0"
    );
    let without = ConfigLayer::from_env(env(&[])).unwrap();
    assert!(matches!(
        DaemonConfig::resolve([&file, &without]),
        Err(ConfigError::NonLoopbackHost { .. })
    ));

    let open = DaemonConfig {
        host: "0.0.0.0".into(),
        ..DaemonConfig::default()
    };
    assert!(open.validate().is_err());
    let mut guarded = auth_config();
    guarded.host = "0.0.0.0".into();
    guarded.validate().unwrap();
}

#[tokio::test]
async fn oversized_frames_close_with_1009() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.websocket.max_frame_bytes = 64 * 1024;
    let daemon = start(&home, config).await;
    let mut client = connect(port_of(&daemon)).await;
    // A frame under the limit but many times the connection's read buffer is read whole.
    let big = json!({"type": "ping", "payload": {"pad": "x".repeat(60 * 1024)}});
    assert_eq!(client.ask(big).await["type"], "pong");
    client.send_text("x".repeat(100 * 1024)).await;
    let (code, _) = client.close_frame().await.expect("a close frame");
    assert_eq!(code, 1009);
    // The daemon is fine.
    let mut next = connect(port_of(&daemon)).await;
    assert_eq!(next.ask(json!({"type": "ping"})).await["type"], "pong");
    daemon.stop().await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_without_stalling_others() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.websocket.send_queue = 8;
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);
    let mut good = connect(port).await;
    let mut stalled = ws::try_connect(request(port, "/", &[])).await.unwrap();
    // Ask for thousands of replies and never read one.
    let flood = tokio::spawn(async move {
        for _ in 0..20_000 {
            let frame = Message::text(r#"{"type":"daemon_status"}"#);
            if stalled.ws.send(frame).await.is_err() {
                break;
            }
        }
        stalled
    });
    let dropped = wait_until_async(Duration::from_secs(30), || async {
        let mut client = connect(port).await;
        // Every probe is answered promptly while the stalled client backs up.
        assert_eq!(client.ask(json!({"type": "ping"})).await["type"], "pong");
        let (_, body) = tokio::task::spawn_blocking(move || http(port, "GET", "/metrics"))
            .await
            .unwrap();
        body.contains("orchestrator_ws_slow_clients_dropped_total 1")
            .then_some(())
    })
    .await;
    assert!(dropped.is_some(), "the stalled client was not dropped");
    assert_eq!(good.ask(json!({"type": "ping"})).await["type"], "pong");
    flood.abort();
    daemon.stop().await;
}

#[tokio::test]
async fn malformed_floods_and_quiet_clients_are_fine() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.websocket.ping_interval = Duration::from_millis(100);
    config.websocket.pong_timeout = Duration::from_millis(300);
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);
    // A client that never answers pings (it never reads) is dropped after the pong timeout.
    let silent = ws::try_connect(request(port, "/", &[])).await.unwrap();
    let gone = wait_until_async(Duration::from_secs(10), || async {
        let (_, body) = tokio::task::spawn_blocking(move || http(port, "GET", "/metrics"))
            .await
            .unwrap();
        body.contains("orchestrator_ws_connections 0").then_some(())
    })
    .await;
    assert!(gone.is_some(), "the unresponsive client is still connected");
    drop(silent);
    let mut client = connect(port).await;
    let junk = [
        "{",
        "null",
        "[]",
        "\"x\"",
        "{\"type\":7}",
        "{\"type\":\"spawn_session\",\"payload\":[1]}",
        "\u{0}",
        "{\"type\":\"execute_task\",\"payload\":{\"sessionId\":1}}",
    ];
    for i in 0..1000 {
        client.send_text(junk[i % junk.len()].to_owned()).await;
    }
    for _ in 0..1000 {
        assert_eq!(client.next().await["type"], "error");
    }
    // Quiet but alive (the client library answers pings while reading): never dropped.
    let quiet = tokio::time::timeout(Duration::from_millis(1_000), client.next_text()).await;
    assert!(quiet.is_err(), "nothing should arrive: {quiet:?}");
    assert_eq!(client.ask(json!({"type": "ping"})).await["type"], "pong");
    daemon.stop().await;
}
