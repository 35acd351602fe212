//! Only the daemon's user gets in, through both doors: a real second user (uid 65534, a
//! `python3` client started with `Command::uid`) is refused with 403 on the WebSocket
//! upgrade, `/health` and `/metrics`, and by the control socket, while the owner (this test
//! process) is served; `websocket.allowOtherUsers` opens the port with a warning; with
//! authentication the credential decides; where the user cannot be told, the owner token
//! from the 0600 file decides; the `/proc/net/tcp` fallback tells users apart too.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::daemon_binary::{RunningDaemon, public_port, start, write_config};
use crate::common::sessions::fixture_agent;
use crate::common::{TestHome, client, log_text};

/// The second user.
const OTHER_UID: u32 = 65534;
const API_KEY: &str = "other-key-0123456789abcdef0123456";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// One request of the python client: a path, extra headers, and whether it is a WebSocket
/// upgrade.
fn req(path: &str, headers: &[(&str, &str)], upgrade: bool) -> Value {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    json!([path, headers, upgrade])
}

fn upgrade() -> Value {
    req("/", &[], true)
}

fn health() -> Value {
    req("/health", &[], false)
}

fn metrics() -> Value {
    req("/metrics", &[], false)
}

/// Sends each request on a connection of its own and returns `(status, body)` for each (the
/// body is empty for a 101). Runs as `uid` when given, else as this process's user.
const CLIENT: &str = r#"
import json, socket, sys
port = int(sys.argv[1]); out = []
for path, headers, upgrade in json.loads(sys.argv[2]):
    fields = {"Host": "127.0.0.1:%d" % port}
    if upgrade:
        fields.update({"Upgrade": "websocket", "Connection": "Upgrade",
                       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"})
    else:
        fields["Connection"] = "close"
    fields.update(headers)
    head = "GET %s HTTP/1.1\r\n" % path + "".join("%s: %s\r\n" % kv for kv in fields.items())
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall((head + "\r\n").encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data and data.startswith(b"HTTP/1.1 101"):
            break
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head else 0
    out.append([status, "" if status == 101 else body.decode("utf-8", "replace")])
print(json.dumps(out))
"#;

fn ask(uid: Option<u32>, port: u16, requests: &[Value]) -> Vec<(u16, String)> {
    let mut command = Command::new("python3");
    command
        .args([
            "-c",
            CLIENT,
            &port.to_string(),
            &json!(requests).to_string(),
        ])
        .current_dir("/");
    if let Some(uid) = uid {
        command.uid(uid).gid(uid);
    }
    let out = command.output().expect("python3 runs");
    assert!(
        out.status.success(),
        "the client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<(u16, String)> = serde_json::from_slice(&out.stdout).unwrap();
    answers
}

fn as_other(port: u16, requests: &[Value]) -> Vec<(u16, String)> {
    ask(Some(OTHER_UID), port, requests)
}

fn as_owner(port: u16, requests: &[Value]) -> Vec<(u16, String)> {
    ask(None, port, requests)
}

fn error_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap_or_default()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Tests here need root to act as another user.
fn root() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    eprintln!("SKIPPED: needs root to connect as another user");
    false
}

/// A daemon binary in `home` (claude-code = the fixture agent) with `yaml` as its config.
async fn daemon(home: &TestHome, yaml: &str, env: &[(&str, &str)]) -> (RunningDaemon, u16) {
    write_config(home, yaml);
    let mut env = env.to_vec();
    env.push(("CLAUDE_BIN", fixture_agent()));
    let daemon = start(home, &env);
    let port = public_port(home).await;
    (daemon, port)
}

fn stop(daemon: &RunningDaemon) {
    daemon.stop();
}

/// Whether `uid` gets an answer from the control socket, with every directory on the way and
/// the socket itself opened up, so that only the daemon's peer check remains.
fn control_socket_answers(home: &TestHome, uid: u32) -> bool {
    let socket = home.paths().socket;
    for dir in [
        home.path(),
        &home.path().join("run"),
        socket.parent().unwrap(),
    ] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let probe = format!(
        "import socket; s = socket.socket(socket.AF_UNIX); s.connect({:?}); s.settimeout(5)\n\
         try:\n  s.sendall(b'PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n'); print(len(s.recv(100)))\n\
         except (ConnectionResetError, BrokenPipeError): print(0)",
        socket.display().to_string()
    );
    let out = Command::new("python3")
        .args(["-c", &probe])
        .current_dir("/")
        .uid(uid)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim() != "0"
}

#[tokio::test]
async fn another_user_is_refused_at_both_doors_and_the_owner_is_served() {
    if !root() {
        return;
    }
    let home = TestHome::new();
    let (daemon, port) = daemon(&home, "", &[]).await;
    let refused = as_other(
        port,
        &[upgrade(), health(), metrics(), req("/x", &[], false)],
    );
    for (status, body) in &refused {
        assert_eq!(*status, 403, "{refused:?}");
        assert_eq!(error_of(body), "other_user", "{body}");
    }
    let served = as_owner(port, &[upgrade(), health(), metrics()]);
    assert_eq!(served[0].0, 101, "{served:?}");
    assert_eq!(served[1].0, 200);
    let health: Value = serde_json::from_str(&served[1].1).unwrap();
    let keys: Vec<&String> = health.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["status", "timestamp"], "upstream's exact body");
    assert_eq!(health["status"], "healthy");
    assert_eq!(served[2].0, 200);
    assert!(
        served[2]
            .1
            .contains("orchestrator_ws_upgrades_refused_total 4")
    );
    // /health and /metrics check the Host like the upgrade does (DNS rebinding).
    let rebound = as_owner(
        port,
        &[
            req("/health", &[("Host", "rebind.attacker.test")], false),
            req("/metrics", &[("Host", "evil.example:8787")], false),
        ],
    );
    assert_eq!(rebound.iter().map(|a| a.0).collect::<Vec<_>>(), [403, 403]);
    let log = log_text(&home.paths());
    assert!(log.contains("sock_diag"), "the method is logged");
    assert!(log.contains("not the daemon's user"), "refusals are logged");
    // The other door: the control socket drops the other user and still answers the owner.
    assert!(!control_socket_answers(&home, OTHER_UID));
    assert!(log_text(&home.paths()).contains("refused a control connection from another user"));
    client(&home.paths().socket)
        .await
        .get_status(orchestrator_api::v1::GetStatusRequest {})
        .await
        .unwrap();
    stop(&daemon);
}

#[tokio::test]
async fn allow_other_users_opens_the_port_with_a_warning() {
    if !root() {
        return;
    }
    let home = TestHome::new();
    let (daemon, port) = daemon(&home, "websocket:\n  allowOtherUsers: true\n", &[]).await;
    let answers = as_other(port, &[upgrade(), health(), metrics()]);
    assert_eq!(
        answers.iter().map(|a| a.0).collect::<Vec<_>>(),
        [101, 200, 200],
        "{answers:?}"
    );
    assert!(log_text(&home.paths()).contains("websocket.allowOtherUsers is on: EVERY local user"));
    stop(&daemon);
}

#[tokio::test]
async fn with_authentication_the_credential_decides() {
    if !root() {
        return;
    }
    let home = TestHome::new();
    let keys = format!(r#"[{{"key":"{API_KEY}","clientId":"other","role":"user"}}]"#);
    let env = [
        ("DAEMON_AUTH_JWT_SECRET", SECRET),
        ("DAEMON_AUTH_API_KEYS", keys.as_str()),
        ("DAEMON_AUTH_ALLOW_LOOPBACK", "true"),
    ];
    let (daemon, port) = daemon(&home, "", &env).await;
    let answers = as_other(
        port,
        &[
            req("/", &[("X-API-Key", API_KEY)], true),
            upgrade(),
            health(),
        ],
    );
    assert_eq!(answers[0].0, 101, "a valid API key admits: {answers:?}");
    // The loopback bypass is for the daemon's own user only.
    assert_eq!(answers[1].0, 401);
    assert_eq!(error_of(&answers[1].1), "credentials_missing");
    assert_eq!(answers[2].0, 200, "/health stays open as upstream's");
    assert_eq!(as_owner(port, &[upgrade()])[0].0, 101, "the owner's bypass");
    stop(&daemon);
}

#[tokio::test]
async fn where_the_user_cannot_be_told_the_owner_token_decides() {
    if !root() {
        return;
    }
    let home = TestHome::new();
    let (daemon, port) = daemon(&home, "", &[("WUNDR_WS_PEER_LOOKUP", "off")]).await;
    let token_file = home.paths().socket.with_extension("token");
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(token.len(), 64);
    // Even the owner is refused without the token: fail closed.
    let refused = as_owner(port, &[upgrade(), health()]);
    for (status, body) in &refused {
        assert_eq!(*status, 403, "{refused:?}");
        assert_eq!(error_of(body), "owner_unverified", "{body}");
    }
    let with_token = [
        req("/", &[("X-Wundr-Token", &token)], true),
        req(&format!("/?wundrToken={token}"), &[], true),
        req("/health", &[("X-Wundr-Token", &token)], false),
        req("/", &[("X-Wundr-Token", "0".repeat(64).as_str())], true),
    ];
    let answers = as_owner(port, &with_token);
    assert_eq!(
        answers.iter().map(|a| a.0).collect::<Vec<_>>(),
        [101, 101, 200, 403],
        "{answers:?}"
    );
    // The token is the owner's say-so, whoever carries it.
    assert_eq!(as_other(port, &with_token[..1])[0].0, 101);
    assert!(log_text(&home.paths()).contains("cannot tell which local user opens a connection"));
    stop(&daemon);
    assert!(!token_file.exists(), "removed at stop");
}

#[tokio::test]
async fn the_proc_net_fallback_tells_users_apart_too() {
    if !root() {
        return;
    }
    let home = TestHome::new();
    let (daemon, port) = daemon(&home, "", &[("WUNDR_WS_PEER_LOOKUP", "proc")]).await;
    let refused = as_other(port, &[upgrade(), health()]);
    assert_eq!(refused.iter().map(|a| a.0).collect::<Vec<_>>(), [403, 403]);
    assert_eq!(error_of(&refused[0].1), "other_user");
    let served = as_owner(port, &[upgrade(), health()]);
    assert_eq!(served.iter().map(|a| a.0).collect::<Vec<_>>(), [101, 200]);
    assert!(log_text(&home.paths()).contains("/proc/net/tcp"));
    stop(&daemon);
}
