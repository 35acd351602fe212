//! The relay when the daemon fails it: closes the connection, falls silent, refuses the
//! hello, is not there; and the relay without its secret.

use std::time::Duration;

use crate::common::{self, Peer, Relay, spec, start, wait_none_marked};

use orchestrator_relay::wire::{DaemonFrame, RelayFrame, SILENCE_LIMIT};
use tokio::time::{Instant, timeout};

const AGENT: &str = "(setsid sleep 601 &); echo ready; sleep 600";

#[tokio::test]
async fn a_closed_connection_ends_the_agent() {
    let session = common::session_id("closed");
    let (mut relay, mut peer, _) = start(&session, spec(AGENT), &[]).await;
    peer.wait_line("ready").await;
    drop(peer);
    let (status, stderr) = relay.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("lost the connection to the daemon at 127.0.0.1:"),
        "{stderr}"
    );
    wait_none_marked(&session).await;
}

#[tokio::test]
async fn a_silent_daemon_counts_as_gone() {
    let session = common::session_id("silent");
    let (mut relay, mut peer, _) = start(&session, spec(AGENT), &[]).await;
    peer.wait_line("ready").await;
    let silent_since = Instant::now();
    // Read (pings) but never answer.
    let reading = tokio::spawn(async move {
        let mut pings = 0;
        while let Ok(Some(frame)) =
            orchestrator_relay::wire::read_frame::<_, RelayFrame>(&mut peer.read).await
        {
            if frame == RelayFrame::Ping {
                pings += 1;
            }
        }
        pings
    });
    let (status, stderr) = timeout(SILENCE_LIMIT + Duration::from_secs(20), relay.finish())
        .await
        .expect("the relay gives up on a silent daemon");
    assert!(silent_since.elapsed() >= SILENCE_LIMIT - Duration::from_secs(1));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("lost the connection to the daemon"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing came from the daemon"), "{stderr}");
    assert!(
        reading.await.unwrap() >= 2,
        "the relay pinged while waiting"
    );
    wait_none_marked(&session).await;
}

#[tokio::test]
async fn a_refusal_ends_the_relay_with_the_daemons_words() {
    let session = common::session_id("refused");
    let (listener, address) = common::listen().await;
    let mut relay = Relay::spawn(&address, &session, Some("wrong"), &[]);
    let mut peer = Peer::accept(&listener).await;
    assert_eq!(peer.hello().await.secret, "wrong");
    peer.send(DaemonFrame::Refused {
        message: "the secret does not match session x".into(),
    })
    .await;
    drop(peer);
    let (status, stderr) = relay.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refused this relay: the secret does not match session x"),
        "{stderr}"
    );
}

#[tokio::test]
async fn without_a_secret_the_relay_refuses_to_run() {
    let (_listener, address) = common::listen().await;
    let mut relay = Relay::spawn(&address, "s1", None, &[]);
    let (status, stderr) = relay.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("WUNDR_RELAY_SECRET"), "{stderr}");
    assert!(stderr.contains("never as an argument"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_daemon_is_named_with_the_remedy() {
    let (listener, address) = common::listen().await;
    drop(listener);
    let mut relay = Relay::spawn(&address, "s1", Some(common::SECRET), &[]);
    let (status, stderr) = relay.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot connect to the daemon at {address}")),
        "{stderr}"
    );
    assert!(stderr.contains("ray.relayAddress"), "{stderr}");
}
