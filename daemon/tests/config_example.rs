//! `packaging/config.example.yaml` documents every setting at its default: read as a config
//! file it must resolve to exactly [`DaemonConfig::default`], and the `DAEMON_AUTH_*` defaults
//! it lists must be the ones the environment parser applies. Changing a default without the
//! example (or the example without the code) fails here.

use std::path::Path;

use orchestrator_config::websocket::AuthSettings;
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
    // Every setting is spelled out, so none can be forgotten when defaults change. The keys
    // come from the parser itself (its "unknown field, expected one of" error), so a new
    // setting fails here until the example shows it. Settings whose default depends on the
    // environment are shown commented out.
    let text = std::fs::read_to_string(example()).unwrap();
    for (table, indent) in [
        ("", ""),
        ("websocket", "  "),
        ("memory", "  "),
        ("notify", "  "),
        ("ray", "  "),
    ] {
        for key in known_keys(table) {
            let shown = format!("\n{indent}{key}:");
            let commented = format!("\n{indent}# {key}: ");
            assert!(
                text.contains(&shown) || text.contains(&commented),
                "{table}.{key} is missing from the example"
            );
        }
    }
}

/// The keys the config parser accepts at the top level (`table` empty) or in `table`.
fn known_keys(table: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("probe.yaml");
    let yaml = if table.is_empty() {
        "zzUnknown: 1\n".to_owned()
    } else {
        format!("{table}:\n  zzUnknown: 1\n")
    };
    std::fs::write(&file, yaml).unwrap();
    let err = ConfigLayer::from_file(&file).unwrap_err();
    let message = orchestrator_daemon::error_chain(&err);
    let list = message
        .split_once("expected one of ")
        .unwrap_or_else(|| panic!("no key list in {message:?}"))
        .1;
    let keys: Vec<String> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(keys.len() >= 3, "{message}");
    keys
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
