//! Nothing the agent starts outlives the relay — double forks and `setsid` included — however
//! the relay ends: SIGKILL (the guard), the daemon's `Stop`, SIGTERM (Ray's stop). And the
//! daemon's signals reach the agent's group.

use crate::common::{self, spec, start, state, wait_for, wait_none_marked};

use nix::sys::signal::Signal;
use orchestrator_relay::wire::{DaemonFrame, RelayFrame, WireSignal};

/// Background children in the group, a double-forked orphan, a `setsid` escapee, and a
/// foreground sleep; `ready` once they all run. `trap '' TERM` makes it ignore SIGTERM.
const FORKS: &str = "trap '' TERM; sleep 600 & (sleep 601 &); (setsid sleep 602 &); \
                     (trap '' TERM; setsid sh -c 'sleep 603 & wait' &); echo ready; sleep 604";

async fn started_forks(tag: &str) -> (String, common::Relay, common::Peer) {
    let session = common::session_id(tag);
    let (relay, mut peer, _) = start(&session, spec(FORKS), &[]).await;
    peer.wait_line("ready").await;
    // The shell, five sleeps, the setsid shell.
    wait_for("the agent's processes", || {
        common::marked(&session).len() >= 7
    })
    .await;
    (session, relay, peer)
}

#[tokio::test]
async fn the_relays_sigkill_leaves_nothing_behind() {
    let session = common::session_id("sigkill");
    let tmp = tempfile::tempdir().unwrap();
    let env = [("TMPDIR", tmp.path().to_str().unwrap())];
    let (mut relay, mut peer, _) = start(&session, spec(FORKS), &env).await;
    peer.wait_line("ready").await;
    wait_for("the agent's processes", || {
        common::marked(&session).len() >= 7
    })
    .await;
    relay.signal(Signal::SIGKILL);
    let (status, stderr) = relay.finish().await;
    assert_eq!(status.code(), None);
    wait_none_marked(&session).await;
    // It was the guard (the agent's parent-death signal reaches only the agent itself).
    assert!(stderr.contains("relay-guard"), "{stderr}");
    assert!(stderr.contains("is gone: killed"), "{stderr}");
    // The guard removed the dead relay's hook socket and its directory.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn stop_ends_an_agent_that_ignores_sigterm_and_everything_it_started() {
    let (session, mut relay, mut peer) = started_forks("stop").await;
    peer.send(DaemonFrame::Stop { grace_ms: 300 }).await;
    let (_, _, exit) = peer.until_exit().await;
    assert_eq!(exit.signal, Some(9), "it ignored SIGTERM: {exit:?}");
    assert_eq!(exit.reason, None);
    wait_none_marked(&session).await;
    let (status, stderr) = relay.finish().await;
    assert!(status.success(), "{stderr}");
}

#[tokio::test]
async fn sigterm_ends_the_agent_and_says_why() {
    let (session, mut relay, mut peer) = started_forks("sigterm").await;
    relay.signal(Signal::SIGTERM);
    let (_, _, exit) = peer.until_exit().await;
    let reason = exit.reason.unwrap_or_default();
    assert!(reason.contains("was told to stop (SIGTERM)"), "{reason}");
    assert!(reason.contains("the Ray job was stopped"), "{reason}");
    wait_none_marked(&session).await;
    let (status, stderr) = relay.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("told to stop (SIGTERM)"), "{stderr}");
}

#[tokio::test]
async fn the_death_of_the_relays_parent_stops_it_like_sigterm() {
    // A shell that waits for the relay stands in for Ray's job supervisor.
    let session = common::session_id("orphaned");
    let (listener, address) = common::listen().await;
    let mut parent = common::Relay::spawn_under_shell(&address, &session);
    let mut peer = common::Peer::accept(&listener).await;
    let relay_pid = peer.hello().await.relay_pid;
    assert_ne!(i64::from(relay_pid), i64::from(parent.pid));
    peer.send(DaemonFrame::Welcome(Box::new(spec(FORKS)))).await;
    assert!(matches!(peer.recv().await, RelayFrame::Started { .. }));
    peer.wait_line("ready").await;
    parent.signal(Signal::SIGKILL);
    let (_, _, exit) = peer.until_exit().await;
    let reason = exit.reason.unwrap_or_default();
    assert!(reason.contains("was told to stop (SIGTERM)"), "{reason}");
    wait_none_marked(&session).await;
    let (_, stderr) = parent.finish().await;
    assert!(stderr.contains("told to stop (SIGTERM)"), "{stderr}");
}

#[tokio::test]
async fn signals_reach_the_agent_and_pause_keeps_the_guard_awake() {
    let session = common::session_id("signals");
    // Waits without forking (a shell stopped while it vforks shows `D`, not `T`).
    let script = "trap 'echo interrupted; exit 3' INT; sleep 600 & echo ready; wait";
    let (mut relay, mut peer, pid) = start(&session, spec(script), &[]).await;
    peer.wait_line("ready").await;
    let guard = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap()
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(2)
        .unwrap()
        .parse::<u32>()
        .unwrap();
    assert_ne!(guard, pid, "the agent is in the guard's group, not its own");
    peer.send(DaemonFrame::Signal(WireSignal::Pause)).await;
    wait_for("the agent to stop", || state(pid) == Some('T')).await;
    // The relay continues the guard alone, right after stopping the group.
    wait_for("the guard to be continued", || state(guard) == Some('S')).await;
    assert_eq!(state(pid), Some('T'), "the agent stays stopped");
    peer.send(DaemonFrame::Signal(WireSignal::Resume)).await;
    wait_for("the agent to run", || state(pid) != Some('T')).await;
    peer.send(DaemonFrame::Signal(WireSignal::Interrupt)).await;
    let (out, _, exit) = peer.until_exit().await;
    assert_eq!(out, ["interrupted"]);
    assert_eq!(exit.code, Some(3));
    wait_none_marked(&session).await;
    assert!(relay.finish().await.0.success());
    assert_eq!(state(guard), None, "the guard ended with the group");
}
