//! One shape across doors, end to end: the same session and approval, as the WebSocket API
//! writes them and as `wundr orchestrator … --json` prints them after the gRPC round trip,
//! have the same keys with the same values; the CLI adds keys, and has `null` where the
//! WebSocket API leaves a key out. Both doors are the real ones: a daemon running the fixture
//! agent, a WebSocket client, and the `wundr` binary.

use crate::common;
use crate::common::ws;

use std::time::Duration;

use common::scripted::wundr;
use common::sessions::{agent_config, fixture_agent, start};
use common::{TestHome, wait_until_async};
use orchestrator_daemon::DaemonConfig;
use serde_json::{Value, json};

/// Keys only the CLI has.
const CLI_ONLY: [&str; 4] = ["model", "apiKeySource", "restarts", "worktreeBranch"];

/// Every key of `ws` is in `cli` with the same value (recursively into objects); every key
/// only `cli` has is CLI-only or null.
fn same_shape(ws: &Value, cli: &Value, at: &str) {
    let (Value::Object(ws), Value::Object(cli)) = (ws, cli) else {
        assert_eq!(ws, cli, "{at}");
        return;
    };
    for (key, value) in ws {
        let path = format!("{at}.{key}");
        let theirs = cli
            .get(key)
            .unwrap_or_else(|| panic!("--json lacks {path}"));
        if value.is_object() && theirs.is_object() && key != "metadata" && key != "input" {
            same_shape(value, theirs, &path);
        } else if value.is_number() {
            // 0 and 0.0 are one JSON number (the WebSocket API writes whole floats bare).
            assert_eq!(theirs.as_f64(), value.as_f64(), "{path}");
        } else {
            assert_eq!(theirs, value, "{path}");
        }
    }
    for (key, value) in cli {
        if !ws.contains_key(key) {
            assert!(
                value.is_null() || CLI_ONLY.contains(&key.as_str()),
                "{at}.{key} is only in --json, and not null: {value}"
            );
        }
    }
}

/// `wundr orchestrator ARGS --json` against the daemon of `home`, parsed.
async fn cli_json(home: &TestHome, args: &[&str]) -> Value {
    let args = [&["orchestrator"][..], args, &["--json"]].concat();
    let (status, stdout, stderr) = wundr(home, &args).await;
    assert!(status.success(), "wundr {args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn charter_config(home: &TestHome) -> DaemonConfig {
    let charter = common::charter_gen::readme_charter(home.path(), "approvalTimeoutSeconds: 120");
    DaemonConfig {
        charter: Some(charter),
        ..agent_config(fixture_agent())
    }
}

#[tokio::test]
async fn sessions_and_approvals_have_the_websocket_apis_keys_and_values_in_json() {
    let home = TestHome::new();
    let daemon = start(&home, charter_config(&home)).await;
    let mut client = ws::connect(ws::port_of(&daemon)).await;

    // A running session waiting for a person, with task metadata.
    let spawned = client
        .ask(json!({"type": "spawn_session", "payload": {
            "task": "ask:Write notes.txt",
            "metadata": {"ticket": 42},
        }}))
        .await;
    let id = spawned["session"]["id"].as_str().unwrap().to_owned();
    let approval = wait_until_async(Duration::from_secs(20), || {
        let daemon = &daemon;
        async move { daemon.core().approvals().list().into_iter().next() }
    })
    .await
    .expect("the agent asks");
    let listed = client.ask(json!({"type": "list_sessions"})).await;
    let mut ws_session = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert!(ws_session["waitingFor"].is_object(), "{ws_session}");
    let cli_session = cli_json(&home, &["session", "show", &id]).await;
    // Each door computes a running session's duration when it writes it.
    ws_session["metrics"]["duration"] = cli_session["metrics"]["duration"].clone();
    same_shape(&ws_session, &cli_session, "session");

    let ws_approvals = client.ask(json!({"type": "list_approvals"})).await;
    let cli_approvals = cli_json(&home, &["approval", "list"]).await;
    assert_eq!(ws_approvals["approvals"].as_array().unwrap().len(), 1);
    assert_eq!(cli_approvals.as_array().unwrap().len(), 1);
    assert_eq!(cli_approvals[0]["id"], approval.id.as_str());
    same_shape(&ws_approvals["approvals"][0], &cli_approvals[0], "approval");

    // An ended session: the agent exits 1, so it failed with an exit code and an error.
    let crashed = client
        .ask(json!({"type": "spawn_session", "payload": {"task": "crash"}}))
        .await;
    let crashed = crashed["session"]["id"].as_str().unwrap().to_owned();
    let (ended, _) = client
        .until(|f| {
            f["type"] == "session_status_update"
                && f["session"]["id"] == crashed.as_str()
                && f["session"]["status"] == "failed"
        })
        .await;
    let cli_ended = cli_json(&home, &["session", "show", &crashed]).await;
    assert!(cli_ended["exitCode"].is_number(), "{cli_ended}");
    let listed = client.ask(json!({"type": "list_sessions"})).await;
    let ws_ended = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == crashed.as_str())
        .cloned()
        .unwrap_or(ended["session"].clone());
    same_shape(&ws_ended, &cli_ended, "ended session");
    daemon.stop().await;
}
