use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("orchestrator.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_match_the_readme() {
    let config = DaemonConfig::default();
    assert_eq!(config.name, "orchestrator-daemon");
    assert_eq!(config.port, 8787);
    assert_eq!(config.host, "127.0.0.1");
    assert_eq!(config.max_sessions, 100);
    assert_eq!(config.heartbeat_interval, Duration::from_millis(30_000));
    assert_eq!(config.shutdown_timeout, Duration::from_millis(10_000));
    assert!(!config.verbose);
    assert_eq!(config.transcript_max_bytes, 64 * 1024 * 1024);
    config.validate().unwrap();
}

#[test]
fn layers_apply_in_order_file_then_env_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = ConfigLayer::from_file(&write(
        &dir,
        "port: 9000\nhost: localhost\nmaxSessions: 5\nverbose: true\n",
    ))
    .unwrap();
    let env = ConfigLayer::from_env(env(&[
        ("ORCHESTRATOR_DAEMON_PORT", "9100"),
        ("ORCHESTRATOR_MAX_SESSIONS", "7"),
    ]))
    .unwrap();
    let flags = ConfigLayer {
        port: Some(9200),
        origin: Some("--port".into()),
        ..ConfigLayer::default()
    };
    let config = DaemonConfig::resolve([&file, &env, &flags]).unwrap();
    assert_eq!(config.port, 9200);
    assert_eq!(config.max_sessions, 7);
    assert_eq!(config.host, "localhost");
    assert!(config.verbose);
    let config = DaemonConfig::resolve([&file, &env]).unwrap();
    assert_eq!(config.port, 9100);
}

#[test]
fn upstream_env_names_are_accepted_but_lose_to_ours() {
    let layer =
        ConfigLayer::from_env(env(&[("DAEMON_PORT", "9300"), ("DAEMON_HOST", "::1")])).unwrap();
    let config = DaemonConfig::resolve([&layer]).unwrap();
    assert_eq!((config.port, config.host.as_str()), (9300, "::1"));
    let layer = ConfigLayer::from_env(env(&[
        ("DAEMON_PORT", "9300"),
        ("ORCHESTRATOR_DAEMON_PORT", "9400"),
    ]))
    .unwrap();
    assert_eq!(DaemonConfig::resolve([&layer]).unwrap().port, 9400);
}

#[test]
fn bad_env_values_name_the_variable() {
    let err = ConfigLayer::from_env(env(&[("ORCHESTRATOR_DAEMON_PORT", "eighty")])).unwrap_err();
    assert!(
        err.to_string().contains("ORCHESTRATOR_DAEMON_PORT"),
        "{err}"
    );
    let err = ConfigLayer::from_env(env(&[("ORCHESTRATOR_VERBOSE", "maybe")])).unwrap_err();
    assert!(err.to_string().contains("ORCHESTRATOR_VERBOSE"), "{err}");
    let layer = ConfigLayer::from_env(env(&[("ORCHESTRATOR_DAEMON_PORT", "70000")])).unwrap();
    let err = DaemonConfig::resolve([&layer]).unwrap_err();
    assert!(err.to_string().contains("0–65535"), "{err}");
    assert!(err.to_string().contains("environment"), "{err}");
}

#[test]
fn port_zero_means_pick_one() {
    let layer = ConfigLayer {
        port: Some(0),
        ..ConfigLayer::default()
    };
    assert_eq!(DaemonConfig::resolve([&layer]).unwrap().port, 0);
}

#[test]
fn yaml_errors_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "port: 9000\nmaxSesions: 3\n");
    let err = ConfigLayer::from_file(&path).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("orchestrator.yaml"), "{text}");
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("maxSesions"), "{text}");

    let path = write(&dir, "port: [1, 2\n");
    let err = ConfigLayer::from_file(&path).unwrap_err();
    assert!(
        matches!(err, ConfigError::Yaml { line: Some(_), .. }),
        "{err}"
    );

    let path = write(&dir, "maxSessions: lots\n");
    let text = ConfigLayer::from_file(&path).unwrap_err().to_string();
    assert!(
        text.contains("maxSessions") && text.contains("line 1"),
        "{text}"
    );
}

#[test]
fn semantic_errors_name_field_and_origin() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "maxSessions: 0\n");
    let layer = ConfigLayer::from_file(&path).unwrap();
    let text = DaemonConfig::resolve([&layer]).unwrap_err().to_string();
    assert!(
        text.contains("maxSessions") && text.contains("at least 1"),
        "{text}"
    );
    assert!(text.contains(&path.display().to_string()), "{text}");

    for (yaml, field) in [
        ("heartbeatInterval: 5\n", "heartbeatInterval"),
        ("shutdownTimeout: -1\n", "shutdownTimeout"),
        ("name: ''\n", "name"),
        ("logKeepFiles: 0\n", "logKeepFiles"),
        ("transcriptMaxBytes: 1000\n", "transcriptMaxBytes"),
    ] {
        let layer = ConfigLayer::from_file(&write(&dir, yaml)).unwrap();
        let text = DaemonConfig::resolve([&layer]).unwrap_err().to_string();
        assert!(text.contains(field), "{yaml}: {text}");
    }
}

#[test]
fn missing_file_is_a_read_error() {
    let err = ConfigLayer::from_file(Path::new("/nonexistent/x.yaml")).unwrap_err();
    assert!(matches!(err, ConfigError::ReadFile { .. }));
    assert!(err.to_string().contains("/nonexistent/x.yaml"));
}

#[test]
fn empty_file_is_no_settings() {
    let dir = tempfile::tempdir().unwrap();
    let layer = ConfigLayer::from_file(&write(&dir, "# nothing\n")).unwrap();
    assert_eq!(
        DaemonConfig::resolve([&layer]).unwrap(),
        DaemonConfig::default()
    );
}

#[test]
fn non_loopback_hosts_are_refused() {
    for host in ["0.0.0.0", "192.168.1.10", "example.com", "::"] {
        let layer = ConfigLayer {
            host: Some(host.into()),
            ..ConfigLayer::default()
        };
        assert!(
            matches!(
                DaemonConfig::resolve([&layer]),
                Err(ConfigError::NonLoopbackHost { .. })
            ),
            "{host}"
        );
    }
    for host in [
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "[::1]",
        "localhost",
        "LOCALHOST",
    ] {
        assert!(is_loopback_host(host), "{host}");
    }
}

#[test]
fn memory_table_applies_and_bad_values_name_field_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = ConfigLayer::from_file(&write(
        &dir,
        "memory:\n  episodicTtl: 3600000\n  episodicBudget: 500\n  maxContextTokens: 100\n",
    ))
    .unwrap();
    let config = DaemonConfig::resolve([&file]).unwrap();
    assert_eq!(config.memory.episodic_ttl, Duration::from_secs(3600));
    assert_eq!(
        (
            config.memory.episodic_budget,
            config.memory.max_context_tokens
        ),
        (500, 100)
    );
    config.validate().unwrap();
    assert_eq!(
        DaemonConfig::default().memory.episodic_ttl,
        Duration::from_secs(7 * 24 * 3600)
    );
    let bad = ConfigLayer::from_file(&write(&dir, "memory:\n  maxContextTokens: -1\n")).unwrap();
    let err = DaemonConfig::resolve([&bad]).unwrap_err().to_string();
    assert!(
        err.starts_with("memory.maxContextTokens = \"-1\" (from config file"),
        "{err}"
    );
    assert!(ConfigLayer::from_file(&write(&dir, "memory:\n  ttl: 5\n")).is_err());
}

#[test]
fn websocket_trust_and_pre_upgrade_settings_apply_and_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "websocket:\n  allowOtherUsers: true\n  maxPendingConnections: 8\n  handshakeTimeout: 2500\n";
    let layer = ConfigLayer::from_file(&write(&dir, yaml)).unwrap();
    let ws = DaemonConfig::resolve([&layer]).unwrap().websocket;
    assert!(ws.allow_other_users);
    assert_eq!(ws.max_pending_connections, 8);
    assert_eq!(ws.handshake_timeout, Duration::from_millis(2500));
    for (yaml, field) in [
        (
            "websocket:\n  maxPendingConnections: 0\n",
            "websocket.maxPendingConnections",
        ),
        (
            "websocket:\n  handshakeTimeout: 50\n",
            "websocket.handshakeTimeout",
        ),
        (
            "websocket:\n  handshakeTimeout: 300001\n",
            "websocket.handshakeTimeout",
        ),
    ] {
        let layer = ConfigLayer::from_file(&write(&dir, yaml)).unwrap();
        let text = DaemonConfig::resolve([&layer]).unwrap_err().to_string();
        assert!(text.contains(field), "{yaml}: {text}");
    }
    let mut built = DaemonConfig::default();
    built.websocket.handshake_timeout = Duration::from_millis(1);
    let text = built.validate().unwrap_err().to_string();
    assert!(text.contains("websocket.handshakeTimeout"), "{text}");
}

#[test]
fn notify_table_applies_and_bad_values_name_field_and_file() {
    use crate::notify::NotifyEvent;
    let dir = tempfile::tempdir().unwrap();
    let yaml = "notify:\n  webhook: http://127.0.0.1:9000/wundr\n  command: [notify-send, \"wundr orchestrator\"]\n  events: [approval_required, session_stalled]\n  timeout: 2000\n  attempts: 2\n";
    let layer = ConfigLayer::from_file(&write(&dir, yaml)).unwrap();
    let config = DaemonConfig::resolve([&layer]).unwrap();
    let notify = &config.notify;
    assert_eq!(
        notify.webhook.as_deref(),
        Some("http://127.0.0.1:9000/wundr")
    );
    assert_eq!(
        notify.command.as_deref(),
        Some(&["notify-send".to_owned(), "wundr orchestrator".to_owned()][..])
    );
    assert_eq!(
        notify.events,
        [NotifyEvent::ApprovalRequired, NotifyEvent::SessionStalled]
    );
    assert_eq!(
        (notify.timeout, notify.attempts),
        (Duration::from_secs(2), 2)
    );
    config.validate().unwrap();
    assert_eq!(DaemonConfig::default().notify.events, NotifyEvent::ALL);
    assert!(!DaemonConfig::default().notify.enabled());

    for (yaml, needles) in [
        (
            "notify:\n  webhook: https://hooks.slack.com/services/T/B/x\n",
            &["notify.webhook", "https is not supported", "curl"][..],
        ),
        (
            "notify:\n  webhook: ftp://example.com/x\n",
            &["notify.webhook", "ftp: is not supported"],
        ),
        (
            "notify:\n  command: \"\"\n",
            &["notify.command", "must name a program"],
        ),
        (
            "notify:\n  command: curl -d \"$WUNDR_EVENT_JSON\" http://x\n",
            &["notify.command", "no shell runs it"],
        ),
        (
            "notify:\n  events: [approval_required, session_exploded]\n",
            &["notify.events", "session_exploded", "session_stalled"],
        ),
    ] {
        let layer = ConfigLayer::from_file(&write(&dir, yaml)).unwrap();
        let err = DaemonConfig::resolve([&layer]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("(from config file"), "{yaml}: {text}");
        for needle in needles {
            assert!(text.contains(needle), "{yaml}: {text}");
        }
    }
    assert!(ConfigLayer::from_file(&write(&dir, "notify:\n  url: http://x\n")).is_err());
    let mut built = DaemonConfig::default();
    built.notify.webhook = Some("https://example.com".into());
    let text = built.validate().unwrap_err().to_string();
    assert!(text.contains("notify.webhook"), "{text}");
}

#[test]
fn stall_settings_apply_and_bad_values_name_field_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let default = DaemonConfig::default().stall;
    assert_eq!(default.timeout, Some(Duration::from_secs(600)));
    assert_eq!(default.action, crate::StallAction::None);
    let file = ConfigLayer::from_file(&write(
        &dir,
        "stallTimeout: 120000\nstallAction: interrupt\nstallNudge: Keep going.\n",
    ))
    .unwrap();
    let config = DaemonConfig::resolve([&file]).unwrap();
    assert_eq!(config.stall.timeout, Some(Duration::from_secs(120)));
    assert_eq!(config.stall.action, crate::StallAction::Interrupt);
    assert_eq!(config.stall.nudge, "Keep going.");
    config.validate().unwrap();
    let off = ConfigLayer::from_file(&write(&dir, "stallTimeout: 0\n")).unwrap();
    assert_eq!(DaemonConfig::resolve([&off]).unwrap().stall.timeout, None);

    let bad = ConfigLayer::from_file(&write(&dir, "stallAction: restart\n")).unwrap();
    let err = DaemonConfig::resolve([&bad]).unwrap_err().to_string();
    assert!(
        err.starts_with("stallAction = \"restart\" (from config file"),
        "{err}"
    );
    assert!(err.contains("must be none, interrupt or stop"), "{err}");
    let bad = ConfigLayer::from_file(&write(&dir, "stallTimeout: 10\n")).unwrap();
    let err = DaemonConfig::resolve([&bad]).unwrap_err().to_string();
    assert!(err.starts_with("stallTimeout = \"10\""), "{err}");
}
