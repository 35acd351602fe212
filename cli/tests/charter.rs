//! The charter through the real `wundr` binary: `charter validate` without a daemon, hook
//! round trips with the real Claude Code hook inputs (`daemon/tests/fixtures/claude/`) against
//! a real daemon, the audit, reload keeping the previous charter, and the hook failing closed
//! when the daemon is unreachable; on a remote node, the hook asking the relay's socket
//! (a fake relay here; the real one is tested in `relay/tests`). Approvals are in
//! `approvals.rs`.

use crate::common;

use std::path::PathBuf;

use common::{Sandbox, stderr, stdout, text};
use serde_json::{Value, json};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../daemon/tests/fixtures")
        .join(rel)
}

/// A charter with one rule of each kind, written to a temp dir that outlives the test.
pub const CHARTER: &str = r#"name: test-charter
identity:
  name: Ada Orchestrator
  email: ada@example.com
responsibilities:
  - Keep the build green
hardConstraints:
  - Never commit secrets
safetyHeuristics:
  alwaysReject:
    - "rm -rf /"
    - Force push to main
  escalate:
    - "terraform apply*"
  autoApprove:
    - Read file operations
approvalTimeoutSeconds: 2
"#;

fn charter_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchestrator-charter.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// `wundr orchestrator hook <event>` with `input` on stdin as session `session`.
fn hook(sandbox: &Sandbox, event: &str, input: &str, session: &str) -> (Value, String) {
    let output = sandbox
        .wundr(&["orchestrator", "hook", event])
        .env("WUNDR_SESSION_ID", session)
        .write_stdin(input.to_owned())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "hook: {}", text(&output));
    let answer = serde_json::from_str(stdout(&output).trim())
        .unwrap_or_else(|e| panic!("hook printed no JSON ({e}): {}", text(&output)));
    (answer, stderr(&output))
}

fn bash(command: &str) -> String {
    json!({"session_id": "x", "hook_event_name": "PreToolUse", "tool_name": "Bash",
           "tool_input": {"command": command}})
    .to_string()
}

#[test]
fn validate_works_without_a_daemon_and_reports_lines() {
    let sandbox = Sandbox::new(&[]);
    for name in [
        "readme-example-charter.yaml",
        "computer-setup-charter.yaml",
        "template-charter.yaml",
    ] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../charter/tests/fixtures/charters")
            .join(name);
        let output = sandbox.run(&[
            "orchestrator",
            "charter",
            "validate",
            path.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        assert!(stdout(&output).ends_with(": valid\n"), "{}", text(&output));
    }
    let (_dir, bad) = charter_file("name: x\ntier: 5\nresourceLimits:\n  maxSessions: -1\n");
    let output = sandbox.run(&["orchestrator", "charter", "validate", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = stdout(&output);
    let file = bad.display().to_string();
    assert!(
        out.contains(&format!("{file}:2: error CHARTER_INVALID_TIER")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{file}:4: error CHARTER_INVALID_MAXSESSIONS")),
        "{out}"
    );
    assert!(
        stderr(&output).contains("is invalid (2 errors)"),
        "{}",
        text(&output)
    );
    let (_dir, broken) = charter_file("name: x\nresourceLimits:\n  maxSessions: many\n");
    let output = sandbox.run(&[
        "orchestrator",
        "charter",
        "validate",
        broken.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["findings"][0]["line"], 3);
    assert_eq!(report["findings"][0]["column"], 16);
    assert_eq!(report["findings"][0]["field"], "resourceLimits.maxSessions");
}

#[test]
fn hooks_round_trip_through_the_daemon_and_are_audited() {
    let (_dir, path) = charter_file(CHARTER);
    let daemon = Sandbox::new(&[("ORCHESTRATOR_CHARTER", path.to_str().unwrap())]).start_daemon();

    // The real CLI's UserPromptSubmit input ("please rm -rf /"): blocked with the reason the
    // recorded run showed reaching the CLI.
    let prompt =
        std::fs::read_to_string(fixture("claude/hook-input.UserPromptSubmit.json")).unwrap();
    let (answer, _) = hook(&daemon, "UserPromptSubmit", &prompt, "session_a");
    let recorded = std::fs::read_to_string(fixture("claude/prompt-blocked-by-hook.jsonl")).unwrap();
    let reason = recorded
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| {
            v["prompt_submit_outcome"]["reason"]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap();
    assert_eq!(answer, json!({"decision": "block", "reason": reason}));

    // SessionStart: the charter's identity, responsibilities and hard constraints.
    let start = std::fs::read_to_string(fixture("claude/hook-input.SessionStart.json")).unwrap();
    let (answer, _) = hook(&daemon, "SessionStart", &start, "session_a");
    let context = answer["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert_eq!(
        answer["hookSpecificOutput"]["hookEventName"],
        "SessionStart"
    );
    assert!(
        context.contains("Identity: Ada Orchestrator <ada@example.com>"),
        "{context}"
    );
    assert!(
        context.contains("- Keep the build green") && context.contains("- Never commit secrets")
    );

    // PreToolUse: adversarial spellings are denied; reads approved; the rest left to Claude.
    for command in [
        "sudo rm -fr /",
        "cd /tmp && rm -r -f /",
        "git push -f origin main",
        "git push origin +main",
    ] {
        let (answer, _) = hook(&daemon, "PreToolUse", &bash(command), "session_b");
        assert_eq!(
            answer["hookSpecificOutput"]["permissionDecision"], "deny",
            "{command}"
        );
    }
    let read = json!({"hook_event_name": "PreToolUse", "tool_name": "Read",
                      "tool_input": {"file_path": "/etc/hosts"}});
    let (answer, _) = hook(&daemon, "PreToolUse", &read.to_string(), "session_b");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "allow");
    let (answer, _) = hook(&daemon, "PreToolUse", &bash("make build"), "session_b");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "ask");

    let output = daemon.run(&["orchestrator", "audit", "--session", "session_a", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let entries: Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{entries:#?}");
    assert_eq!(entries[0]["event"], "UserPromptSubmit");
    assert_eq!(entries[0]["decision"], "deny");
    assert_eq!(entries[0]["rule"], "alwaysReject: rm -rf /");
    assert_eq!(entries[0]["inputSummary"], "please rm -rf /");
    assert_eq!(entries[1]["decision"], "context");
    let output = daemon.run(&["orchestrator", "audit"]);
    let all = stdout(&output);
    assert!(
        all.contains("session_b") && all.contains("git push -f origin main"),
        "{all}"
    );
    assert!(all.contains("alwaysReject: Force push to main"), "{all}");
}

#[test]
fn show_and_reload_keep_the_previous_charter_on_error() {
    let (_dir, path) = charter_file(CHARTER);
    let daemon = Sandbox::new(&[("ORCHESTRATOR_CHARTER", path.to_str().unwrap())]).start_daemon();
    let show = |daemon: &common::Daemon| -> Value {
        let output = daemon.run(&["orchestrator", "charter", "show", "--json"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let shown = show(&daemon);
    assert_eq!(shown["source"], path.to_str().unwrap());
    // Without FILE, validate asks the running daemon about its own file.
    let output = daemon.run(&["orchestrator", "charter", "validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(stdout(&output), format!("{}: valid\n", path.display()));
    assert_eq!(shown["charter"]["name"], "test-charter");
    assert_eq!(
        shown["charter"]["safetyHeuristics"]["escalate"][0],
        "terraform apply*"
    );

    std::fs::write(
        &path,
        "name: broken\nsafetyHeuristics:\n  alwaysReject: [\n",
    )
    .unwrap();
    let output = daemon.run(&["orchestrator", "charter", "reload"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}:4:1", path.display())), "{err}");
    assert!(err.contains("the previous charter stays in force"), "{err}");
    assert_eq!(show(&daemon)["charter"]["name"], "test-charter");
    // Rules still enforced after the failed reload.
    let (answer, _) = hook(&daemon, "PreToolUse", &bash("rm -rf /"), "s");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");

    std::fs::write(
        &path,
        "name: second\nsafetyHeuristics:\n  alwaysReject: [\"terraform destroy\"]\n",
    )
    .unwrap();
    let output = daemon.run(&["orchestrator", "charter", "reload"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(show(&daemon)["charter"]["name"], "second");
    let (answer, _) = hook(
        &daemon,
        "PreToolUse",
        &bash("terraform destroy -auto-approve"),
        "s",
    );
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    let (answer, _) = hook(&daemon, "PreToolUse", &bash("rm -rf /"), "s");
    assert_eq!(
        answer["hookSpecificOutput"]["permissionDecision"], "ask",
        "the old rule is gone"
    );
}

#[test]
fn an_invalid_charter_stops_the_daemon_from_starting() {
    let (_dir, path) = charter_file("name: x\ntier: 0\n");
    let sandbox = Sandbox::new(&[("ORCHESTRATOR_CHARTER", path.to_str().unwrap())]);
    let output = sandbox.run(&["orchestrator", "start", "-p", "0"]);
    assert_ne!(output.status.code(), Some(0), "{}", text(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:2: CHARTER_INVALID_TIER", path.display())),
        "{err}"
    );
    assert!(err.contains("(field tier)"), "{err}");
}

#[test]
fn the_hook_fails_closed_when_the_daemon_is_unreachable() {
    let (_dir, path) = charter_file(CHARTER);
    let sandbox = Sandbox::new(&[("WUNDR_CHARTER_FILE", path.to_str().unwrap())]);
    let (answer, err) = hook(&sandbox, "PreToolUse", &bash("sudo rm -rf /*"), "s");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("alwaysReject matched \"rm -rf /\""),
        "{reason}"
    );
    assert!(err.contains("daemon is unreachable"), "{err}");
    // An escalation cannot be approved by anyone: denied too.
    let (answer, _) = hook(&sandbox, "PreToolUse", &bash("terraform apply"), "s");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    // What the charter does not forbid is left to Claude Code, with a warning.
    let (answer, err) = hook(&sandbox, "PreToolUse", &bash("ls"), "s");
    assert_eq!(answer, json!({}));
    assert!(
        err.contains("Claude Code's own permission rules decide"),
        "{err}"
    );
}

/// A relay's hook socket that answers one question with `reply`; the question it got.
fn fake_relay(
    reply: orchestrator_relay::hook_socket::HookReply,
) -> (
    tempfile::TempDir,
    PathBuf,
    std::thread::JoinHandle<orchestrator_relay::hook_socket::HookQuery>,
) {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hook.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let asked = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(&stream)
            .read_line(&mut line)
            .unwrap();
        let mut answer = serde_json::to_string(&reply).unwrap();
        answer.push('\n');
        (&stream).write_all(answer.as_bytes()).unwrap();
        serde_json::from_str(&line).unwrap()
    });
    (dir, path, asked)
}

#[test]
fn on_a_node_the_hook_asks_the_relay() {
    use orchestrator_relay::hook_socket::HookReply;
    let (_dir, socket, asked) = fake_relay(HookReply::Output("{\"x\":1}".into()));
    let sandbox = Sandbox::new(&[("WUNDR_RELAY_SOCKET", socket.to_str().unwrap())]);
    let (answer, _) = hook(&sandbox, "PreToolUse", &bash("ls"), "s");
    assert_eq!(answer, json!({"x": 1}));
    let query = asked.join().unwrap();
    assert_eq!(query.event, "PreToolUse");
    assert_eq!(query.input_json, bash("ls"));
}

#[test]
fn on_a_node_the_hook_fails_closed_when_the_relay_cannot_decide() {
    use orchestrator_relay::hook_socket::HookReply;
    let (_charter_dir, charter) = charter_file(CHARTER);
    let (_dir, socket, asked) = fake_relay(HookReply::Error("the daemon is gone".into()));
    let sandbox = Sandbox::new(&[
        ("WUNDR_RELAY_SOCKET", socket.to_str().unwrap()),
        ("WUNDR_CHARTER_FILE", charter.to_str().unwrap()),
    ]);
    let (answer, err) = hook(&sandbox, "PreToolUse", &bash("sudo rm -rf /*"), "s");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(err.contains("the daemon is gone"), "{err}");
    asked.join().unwrap();
    // No relay listening at all: the same.
    let sandbox = Sandbox::new(&[
        ("WUNDR_RELAY_SOCKET", "/nonexistent/hook.sock"),
        ("WUNDR_CHARTER_FILE", charter.to_str().unwrap()),
    ]);
    let (answer, err) = hook(&sandbox, "PreToolUse", &bash("sudo rm -rf /*"), "s");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(
        err.contains("cannot reach the relay at /nonexistent/hook.sock"),
        "{err}"
    );
}
