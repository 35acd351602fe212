//! `packaging/config.example.yaml` documents every setting at its default: read as a config
//! file it must resolve to exactly [`DaemonConfig::default`], and the `DAEMON_AUTH_*` defaults
//! it lists must be the ones the environment parser applies. Changing a default without the
//! example (or the example without the code) fails here.

use std::path::Path;

use orchestrator_daemon::api::ws::settings::AuthSettings;
use orchestrator_daemon::{ConfigLayer, DaemonConfig};

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/config.example.yaml")
}

#[test]
fn the_example_config_is_the_defaults() {
    let layer = ConfigLayer::from_file(&example()).unwrap();
    assert_eq!(
        DaemonConfig::resolve([&layer]).unwrap(),
        DaemonConfig::default()
    );
    // Every top-level setting is spelled out, so none can be forgotten when defaults change
    // (socket's default depends on the environment, so it is shown commented out).
    let text = std::fs::read_to_string(example()).unwrap();
    for key in [
        "name",
        "port",
        "host",
        "maxSessions",
        "heartbeatInterval",
        "shutdownTimeout",
        "verbose",
        "logMaxBytes",
        "logKeepFiles",
        "maxRestarts",
        "idleTimeout",
        "resultGrace",
        "agents",
        "websocket",
    ] {
        assert!(text.contains(&format!("\n{key}:")), "{key} is missing");
    }
    assert!(text.contains("\n# socket: "));
    for key in [
        "maxFrameBytes",
        "sendQueue",
        "pingInterval",
        "pongTimeout",
        "maxConnections",
        "allowedOrigins",
    ] {
        assert!(
            text.contains(&format!("\n  {key}: ")),
            "websocket.{key} is missing"
        );
    }
}

#[test]
fn the_documented_auth_defaults_are_the_real_ones() {
    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    let text = std::fs::read_to_string(example()).unwrap();
    let documented: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("#   DAEMON_AUTH_"))
        .filter_map(|l| {
            let (name, rest) = l.split_once('=')?;
            let value = rest.split_whitespace().next().unwrap_or_default();
            Some((format!("DAEMON_AUTH_{name}"), value.to_owned()))
        })
        .collect();
    assert_eq!(documented.len(), 9, "{documented:?}");
    // Set every documented default (the secret turns auth on; an explicit empty key list is
    // refused by design, so it stays unset) and expect exactly the built-in defaults.
    let env = |name: &str| {
        if name == "DAEMON_AUTH_JWT_SECRET" {
            return Some(SECRET.to_owned());
        }
        documented
            .iter()
            .find(|(k, v)| k == name && k != "DAEMON_AUTH_API_KEYS" && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let parsed = AuthSettings::from_env(env).unwrap().expect("auth is on");
    assert_eq!(parsed, AuthSettings::with_secret(SECRET));
}
