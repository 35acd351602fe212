//! Lines both ways, the agent's environment, hooks through the relay's socket, long lines,
//! and agents that cannot start.

use crate::common::{self, Peer, Relay, spec, start};

use orchestrator_relay::hook_socket::HookReply;
use orchestrator_relay::wire::{DaemonFrame, RelayFrame, StartFailureKind};

#[tokio::test]
async fn stdin_reaches_the_agent_and_its_lines_come_back() {
    let session = common::session_id("echo");
    let tmp = tempfile::tempdir().unwrap();
    let script = r#"while IFS= read -r l; do echo "out:$l"; echo "err:$l" >&2; done; exit 0"#;
    let (mut relay, mut peer, _) = start(
        &session,
        spec(script),
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    )
    .await;
    peer.send(DaemonFrame::Stdin(b"one\ntw".to_vec())).await;
    peer.send(DaemonFrame::Stdin(b"o\n".to_vec())).await;
    // Stdin frames are queued in order: closing right after still delivers them first.
    peer.send(DaemonFrame::CloseStdin).await;
    let (out, err, exit) = peer.until_exit().await;
    assert_eq!(out, ["out:one", "out:two"]);
    assert_eq!(exit.code, Some(0), "{exit:?}");
    assert_eq!((exit.signal, exit.reason), (None, None));
    assert_eq!(err, ["err:one", "err:two"]);
    assert!(peer.next().await.is_none(), "the relay closes after Exited");
    let (status, stderr) = relay.finish().await;
    assert!(status.success(), "{status}: {stderr}");
    // The hook socket's directory is gone.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn the_agent_gets_the_socket_and_the_marker_but_never_the_secret() {
    let session = common::session_id("env");
    let mut agent = spec("env");
    agent.env.insert("FROM_THE_SPEC".into(), "yes".into());
    agent.env.insert("HOME".into(), "/spec/home".into());
    let (mut relay, mut peer, _) = start(&session, agent, &[("FROM_THE_NODE", "1")]).await;
    // The relay is not dumpable: the agent (same user) cannot read its environment. (Root
    // reads it anyway: CAP_SYS_PTRACE.)
    if !nix::unistd::geteuid().is_root() {
        let environ = std::fs::read(format!("/proc/{}/environ", relay.pid));
        assert!(environ.is_err(), "the relay's environment is readable");
    }
    let (out, _, exit) = peer.until_exit().await;
    assert_eq!(exit.code, Some(0));
    let has = |entry: &str| out.iter().any(|line| line == entry);
    let named = |name: &str| out.iter().any(|line| line.starts_with(&format!("{name}=")));
    assert!(!named("WUNDR_RELAY_SECRET"), "{out:?}");
    assert!(
        !out.iter().any(|line| line.contains(common::SECRET)),
        "{out:?}"
    );
    assert!(!named("RAY_JOB_CONFIG_JSON_ENV_VAR"), "{out:?}");
    assert!(named("WUNDR_RELAY_SOCKET"), "{out:?}");
    assert!(has(&format!("WUNDR_SESSION_ID={session}")), "{out:?}");
    assert!(
        has("FROM_THE_SPEC=yes") && has("FROM_THE_NODE=1"),
        "{out:?}"
    );
    assert!(
        has("HOME=/spec/home"),
        "the spec wins over the node: {out:?}"
    );
    assert!(relay.finish().await.0.success());
}

#[tokio::test]
async fn hooks_ask_the_daemon_through_the_relay() {
    let session = common::session_id("hook");
    let input = r#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#;
    let mut agent = spec(&format!(
        r#"printf '%s' '{input}' | "$WUNDR" orchestrator hook PreToolUse; \
           printf '%s' '{input}' | "$WUNDR" orchestrator hook PreToolUse"#
    ));
    agent
        .env
        .insert("WUNDR".into(), common::wundr().to_str().unwrap().into());
    // No charter on this node: the fallback has no opinion.
    agent.env.insert(
        "WUNDR_CHARTER_FILE".into(),
        "/nonexistent/charter.yaml".into(),
    );
    let (mut relay, mut peer, _) = start(&session, agent, &[]).await;
    let mut answers = [
        HookReply::Output("{\"x\":1}".into()),
        HookReply::Error("the daemon is restarting".into()),
    ]
    .into_iter();
    let mut ids = Vec::new();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = loop {
        match peer.recv().await {
            RelayFrame::Hook { id, query } => {
                assert_eq!(query.event, "PreToolUse");
                assert_eq!(query.input_json, input);
                ids.push(id);
                let reply = answers.next().expect("two hook calls");
                peer.send(DaemonFrame::HookAnswer { id, reply }).await;
            }
            RelayFrame::Stdout(line) => out.push(String::from_utf8(line).unwrap()),
            RelayFrame::Stderr(line) => err.push(String::from_utf8(line).unwrap()),
            RelayFrame::Exited(exit) => break exit,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(exit.code, Some(0), "{err:?}");
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "each question has its own id");
    // The daemon's answer as is; then the fallback's, with the reason on stderr.
    assert_eq!(out, ["{\"x\":1}", "{}"], "{err:?}");
    assert!(
        err.iter()
            .any(|line| line.contains("the daemon is restarting")),
        "{err:?}"
    );
    assert!(relay.finish().await.0.success());
}

#[tokio::test]
async fn long_lines_are_truncated_and_the_rest_discarded() {
    let session = common::session_id("long");
    let mut agent = spec("head -c 300000 /dev/zero | tr '\\0' a; echo; echo short; printf tail");
    agent.max_line_bytes = 100;
    let (mut relay, mut peer, _) = start(&session, agent, &[]).await;
    let (out, _, exit) = peer.until_exit().await;
    assert_eq!(exit.code, Some(0));
    assert_eq!(out, ["a".repeat(100), "short".into(), "tail".into()]);
    assert!(relay.finish().await.0.success());
}

#[tokio::test]
async fn an_agent_that_cannot_start_is_reported_with_the_node() {
    let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
    for (program, cwd, kind) in [
        (
            "/daemon/only/no-such-agent-program",
            "/",
            StartFailureKind::NotFound,
        ),
        ("sh", "/nonexistent/workdir", StartFailureKind::CwdNotFound),
        ("sh", "/etc/hostname", StartFailureKind::CwdNotDirectory),
    ] {
        let session = common::session_id("nostart");
        let (listener, address) = common::listen().await;
        let mut relay = Relay::spawn(&address, &session, Some(common::SECRET), &[]);
        let mut peer = Peer::accept(&listener).await;
        peer.hello().await;
        let mut agent = spec("true");
        agent.program = program.into();
        agent.cwd = cwd.into();
        peer.send(DaemonFrame::Welcome(Box::new(agent))).await;
        match peer.recv().await {
            RelayFrame::StartFailed(failure) => {
                assert_eq!(failure.kind, kind, "{failure:?}");
                assert!(failure.message.contains(&host), "{failure:?}");
            }
            other => panic!("expected StartFailed, got {other:?}"),
        }
        assert!(peer.next().await.is_none());
        let (status, stderr) = relay.finish().await;
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("the agent could not be started"),
            "{stderr}"
        );
        common::wait_none_marked(&session).await;
    }
}
