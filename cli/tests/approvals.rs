//! Escalations through the real binaries: the hook (`wundr orchestrator hook PreToolUse`)
//! waits while `wundr orchestrator approval list | approve | deny` answers it; no answer
//! within the charter's `approvalTimeoutSeconds` is a deny. The audit records who decided.

use crate::common;

use common::{Daemon, Sandbox, stdout, text, wait_for};
use serde_json::Value;

const CHARTER: &str = "name: approvals\nsafetyHeuristics:\n  alwaysReject: [\"rm -rf /\"]\n  escalate:\n    - \"terraform apply*\"\napprovalTimeoutSeconds: 3\n";

/// Starts the hook for `command` in the background; returns the child.
fn start_hook(daemon: &Daemon, command: &str) -> std::process::Child {
    daemon.start_hook("session_approvals", command)
}

fn answer_of(child: std::process::Child) -> Value {
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Waits until exactly one approval is pending; returns it.
fn pending(daemon: &Daemon) -> Value {
    wait_for("an approval request", || {
        let output = daemon.run(&["orchestrator", "approval", "list", "--json"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let list: Value = serde_json::from_slice(&output.stdout).unwrap();
        (list.as_array().unwrap().len() == 1).then(|| list[0].clone())
    })
}

#[test]
fn escalations_are_approved_denied_or_expire_over_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("charter.yaml");
    std::fs::write(&path, CHARTER).unwrap();
    let daemon = Sandbox::new(&[("ORCHESTRATOR_CHARTER", path.to_str().unwrap())]).start_daemon();

    let hook = start_hook(&daemon, "terraform apply -auto-approve");
    let request = pending(&daemon);
    assert_eq!(request["tool"], "Bash");
    assert_eq!(request["rule"], "escalate: terraform apply*");
    assert_eq!(request["input"]["command"], "terraform apply -auto-approve");
    assert_eq!(request["sessionId"], "session_approvals");
    let id = request["id"].as_str().unwrap();
    // A unique prefix of the id will do, without its `approval_` part too (as git and docker).
    let short = &id["approval_".len()..][..6];
    let output = daemon.run(&["orchestrator", "approval", "approve", short]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains(&format!("{id} approved")),
        "{}",
        text(&output)
    );
    let answer = answer_of(hook);
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "allow");

    let hook = start_hook(&daemon, "terraform apply");
    let id = pending(&daemon)["id"].as_str().unwrap().to_owned();
    let output = daemon.run(&[
        "orchestrator",
        "approval",
        "deny",
        &id,
        "--reason",
        "not on a Friday",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let answer = answer_of(hook);
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("denied by cli: not on a Friday"),
        "{reason}"
    );

    // Answering it again is refused, and changes nothing.
    let output = daemon.run(&["orchestrator", "approval", "approve", &id]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        common::stderr(&output).contains("no pending approval request"),
        "{}",
        text(&output)
    );

    // Nobody answers within 3 s: deny.
    let hook = start_hook(&daemon, "terraform apply");
    pending(&daemon);
    let answer = answer_of(hook);
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert!(reason.contains("none came within 3s"), "{reason}");
    let output = daemon.run(&["orchestrator", "approval", "list", "--json"]);
    assert_eq!(stdout(&output).trim(), "[]");

    let output = daemon.run(&[
        "orchestrator",
        "audit",
        "--session",
        "session_approvals",
        "--json",
    ]);
    let audit: Value = serde_json::from_slice(&output.stdout).unwrap();
    let who: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["decision"].as_str().unwrap(),
                e["approvedBy"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [("allow", "cli"), ("deny", "cli"), ("deny", "timeout")]
    );
}
