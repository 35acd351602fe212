//! The WebSocket door's capacity limits against a real daemon and real clients: the global
//! connection cap (503 at the upgrade, the slot freed when a client leaves) and upstream's
//! auth-mode message rate limit (per client id, shared by that client's connections,
//! rejected messages not counted).

use crate::common;
use crate::common::ws;

use std::time::Duration;

use common::sessions::{agent_config, fixture_agent, start};
use common::{TestHome, wait_until_async};
use orchestrator_config::websocket::{ApiKey, AuthSettings, Role};
use serde_json::json;
use ws::{connect, connect_with, port_of, refusal, request};

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const KEY_A: &str = "client-a-0123456789abcdef01234567";
const KEY_B: &str = "client-b-0123456789abcdef01234567";

#[tokio::test]
async fn the_connection_cap_refuses_at_the_upgrade_and_frees_slots() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    config.websocket.max_connections = 3;
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);
    let mut open = vec![
        connect(port).await,
        connect(port).await,
        connect(port).await,
    ];
    assert_eq!(
        refusal(request(port, "/", &[])).await,
        (503, r#"{"error":"too_many_connections"}"#.to_owned())
    );
    // A refused upgrade holds no slot: still refused, and the open clients still work.
    assert_eq!(refusal(request(port, "/", &[])).await.0, 503);
    for client in &mut open {
        assert_eq!(client.ask(json!({"type": "ping"})).await["type"], "pong");
    }
    // One leaves; its slot comes back once the daemon has seen the close.
    let leaving = open.pop().unwrap();
    drop(leaving);
    let back = wait_until_async(Duration::from_secs(20), || async {
        ws::try_connect(request(port, "/", &[])).await.ok()
    })
    .await;
    let mut back = back.expect("a slot is freed when a client disconnects");
    assert_eq!(back.next().await["type"], "health_check_response");
    assert_eq!(refusal(request(port, "/", &[])).await.0, 503);
    daemon.stop().await;
}

fn key(key: &str, client_id: &str) -> ApiKey {
    ApiKey {
        key: key.into(),
        client_id: client_id.into(),
        role: Role::User,
    }
}

#[tokio::test]
async fn the_auth_mode_rate_limit_is_per_client_id() {
    let home = TestHome::new();
    let mut config = agent_config(fixture_agent());
    let mut auth = AuthSettings::with_secret(SECRET);
    auth.api_keys = vec![key(KEY_A, "a"), key(KEY_B, "b")];
    auth.rate_limit_max = 5;
    // Long enough that no slot frees up during the test.
    auth.rate_limit_window = Duration::from_secs(600);
    config.websocket.auth = Some(auth);
    let daemon = start(&home, config).await;
    let port = port_of(&daemon);

    let mut a1 = connect_with(request(port, "/", &[("x-api-key", KEY_A)])).await;
    let mut a2 = connect_with(request(port, "/", &[("x-api-key", KEY_A)])).await;
    let mut b = connect_with(request(port, "/", &[("x-api-key", KEY_B)])).await;
    // Invalid frames count too: the check runs before parsing, as upstream's does.
    a1.send_text("{nope".into()).await;
    let invalid = a1.next().await;
    assert_eq!(
        (&invalid["error"], &invalid["code"]),
        (&json!("invalid_json"), &json!("REQUEST_INVALID"))
    );
    for _ in 0..3 {
        assert_eq!(a1.ask(json!({"type": "ping"})).await["type"], "pong");
    }
    // The fifth message comes from the client's other connection: the bucket is shared.
    assert_eq!(a2.ask(json!({"type": "ping"})).await["type"], "pong");
    for client in [&mut a1, &mut a2] {
        client.send(json!({"type": "ping"})).await;
        assert_eq!(
            client.next().await,
            json!({"type": "error", "error": "rate_limit_exceeded", "code": "RATE_LIMITED"})
        );
    }
    // Another client id has its own budget, and the limited client stays connected.
    for _ in 0..5 {
        assert_eq!(
            b.ask(json!({"type": "daemon_status"})).await["type"],
            "daemon_status_update"
        );
    }
    a1.send(json!({"type": "ping"})).await;
    assert_eq!(a1.next().await["error"], "rate_limit_exceeded");
    daemon.stop().await;
}

#[tokio::test]
async fn no_rate_limit_without_auth_as_upstream() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let mut client = connect(port_of(&daemon)).await;
    // Twice the auth-mode default budget (100 per minute), all answered.
    for _ in 0..200 {
        client.send(json!({"type": "ping"})).await;
    }
    for _ in 0..200 {
        assert_eq!(client.next_text().await, r#"{"type":"pong"}"#);
    }
    daemon.stop().await;
}
