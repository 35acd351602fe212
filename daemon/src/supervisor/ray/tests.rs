//! The Ray runner's own rules, without a cluster: the relay handshake (a real TCP listener
//! and real connections) and the job a session submits. The whole path against a real
//! cluster is in the daemon's integration tests (`ray_cluster`).

use std::sync::Arc;

use orchestrator_relay::wire::{
    self, AgentSpec, DaemonFrame, Hello, PROTOCOL_VERSION, RelayFrame, SECRET_ENV,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::relays::RelayHub;

fn spec() -> AgentSpec {
    AgentSpec {
        program: "claude".into(),
        args: vec!["-p".into()],
        env: Default::default(),
        cwd: "/w".into(),
        stdin: true,
        max_line_bytes: 1024,
    }
}

async fn hub() -> (Arc<RelayHub>, String, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let hub = Arc::new(RelayHub::default());
    let closing = CancellationToken::new();
    hub.serve(listener, closing.clone());
    (hub, address, closing)
}

/// Says hello as a relay and returns the daemon's answer (None: closed without one).
async fn hello(address: &str, session: &str, secret: &str, version: u32) -> Option<DaemonFrame> {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let frame = RelayFrame::Hello(Hello {
        version,
        session_id: session.into(),
        secret: secret.into(),
        host: "test".into(),
        relay_pid: 1,
    });
    wire::write_frame(&mut stream, &frame).await.unwrap();
    wire::read_frame::<_, DaemonFrame>(&mut stream)
        .await
        .ok()
        .flatten()
}

fn refused(answer: Option<DaemonFrame>) -> String {
    match answer {
        Some(DaemonFrame::Refused { message }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn only_the_sessions_secret_gets_in_and_only_once() {
    let (hub, address, closing) = hub().await;
    let mut expected = hub.expect("session_a", "right".into(), spec());
    let wrong = refused(hello(&address, "session_a", "wrong", PROTOCOL_VERSION).await);
    let unknown = refused(hello(&address, "session_b", "right", PROTOCOL_VERSION).await);
    assert_eq!(
        wrong, unknown,
        "a prober cannot tell a wrong secret from an unknown session"
    );
    let old = refused(hello(&address, "session_a", "right", PROTOCOL_VERSION + 1).await);
    assert!(old.contains("install the same wundr"), "{old}");

    match hello(&address, "session_a", "right", PROTOCOL_VERSION).await {
        Some(DaemonFrame::Welcome(got)) => assert_eq!(*got, spec()),
        other => panic!("expected Welcome, got {other:?}"),
    }
    let attached = (&mut expected.attached)
        .await
        .expect("the runner gets the relay");
    assert_eq!(attached.hello.session_id, "session_a");
    // The secret was used: the same hello again is refused.
    refused(hello(&address, "session_a", "right", PROTOCOL_VERSION).await);
    closing.cancel();
}

#[tokio::test]
async fn a_withdrawn_secret_lets_nobody_in() {
    let (hub, address, closing) = hub().await;
    let expected = hub.expect("session_c", "s3cret".into(), spec());
    drop(expected);
    refused(hello(&address, "session_c", "s3cret", PROTOCOL_VERSION).await);
    closing.cancel();
}

#[tokio::test]
async fn the_job_carries_the_secret_only_in_its_environment() {
    let core = crate::core::Core::new(Arc::new(orchestrator_config::DaemonConfig::default()));
    let mut settings = orchestrator_config::RaySettings::new("http://127.0.0.1:1");
    settings.resources.insert("node_w1".into(), 0.001);
    settings.wundr_command = "/opt/my tools/wundr".into();
    let runner = super::RayRunner::new(
        core,
        settings,
        Arc::new(RelayHub::default()),
        "10.0.0.5:7070".into(),
    );
    let body = runner.job_body("wundr-s-1", "session_1", "topsecret", None);
    let entrypoint = body["entrypoint"].as_str().unwrap();
    assert_eq!(
        entrypoint,
        "exec '/opt/my tools/wundr' orchestrator relay --daemon 10.0.0.5:7070 --session session_1"
    );
    assert!(
        !body
            .to_string()
            .replace(&body["runtime_env"].to_string(), "")
            .contains("topsecret")
    );
    assert_eq!(body["runtime_env"]["env_vars"][SECRET_ENV], "topsecret");
    assert_eq!(body["entrypoint_resources"]["node_w1"], 0.001);
    assert_eq!(body["submission_id"], "wundr-s-1");

    // A follow-up goes to the node that holds the conversation, whatever the resources say.
    let pinned = runner.job_body("wundr-s-2", "session_1", "x", Some("abc123"));
    assert_eq!(
        pinned["entrypoint_label_selector"]["ray.io/node-id"],
        "abc123"
    );
    assert!(pinned.get("entrypoint_resources").is_none());
}

#[tokio::test]
async fn an_unreachable_cluster_is_named_with_the_remedy() {
    let core = crate::core::Core::new(Arc::new(orchestrator_config::DaemonConfig::default()));
    // A port nothing listens on: bound, then released.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let runner = super::RayRunner::new(
        core,
        orchestrator_config::RaySettings::new(address.clone()),
        Arc::new(RelayHub::default()),
        "127.0.0.1:1".into(),
    );
    let err = runner.check_reachable().await.unwrap_err();
    let text = crate::error_chain(&err);
    assert!(
        text.contains(&address) && text.contains("ray.address"),
        "{text}"
    );
}
