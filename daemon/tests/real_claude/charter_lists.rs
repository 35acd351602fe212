//! The README charter's lists with the real CLI: `alwaysReject` stops a force push in the hook
//! without anyone being asked, and the model hears why; `escalate` turns a production deploy
//! into an approval request that a WebSocket client sees (`approval_required`,
//! `list_approvals`) and approves (`approval_response`), after which the command really runs.
//! Stand-in `git` and `kubectl` programs first on the agent's `PATH` record what ran.

use orchestrator_api::v1;
use orchestrator_daemon::DaemonEvent;
use serde_json::json;
use wundr_test_support::{Reply, Script};

use crate::common::scripted::{ScriptedAgents, audit, ended, spawn_in};
use crate::common::ws;
use crate::common::{TestHome, no_process_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_push_is_denied_by_the_charter_without_asking_anyone() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| {
        Script::new([
            Reply::tool_use(
                "Bash",
                json!({"command": "git push --force origin main", "description": "Push"}),
            ),
            Reply::text("The push was refused."),
        ])
    }) else {
        return;
    };
    // The real git for whatever else Claude Code asks git; a push is only recorded.
    let git = on_path("git").expect("git is installed");
    agents.stand_in(
        "git",
        &format!(
            "case \"$1\" in push) exit 0 ;; esac\nexec '{}' \"$@\"",
            git.display()
        ),
    );
    let daemon = agents.start_daemon(&home, 120).await;
    let mut events = daemon.subscribe();
    let spawned = spawn_in(&home, &agents.work, "publish the branch").await;
    let done = ended(&home, &spawned.id).await;

    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert!(
        !agents.ran("git").lines().any(|l| l.starts_with("push")),
        "git push never ran: {}",
        agents.ran("git")
    );
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 2, "the model was told once");
    let told = requests[1].last_tool_result().unwrap();
    assert!(
        told.is_error
            && told.content.contains("alwaysReject")
            && told.content.contains("Force push to main"),
        "the model hears the charter's reason: {told:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    let denial = audit
        .iter()
        .find(|e| e.decision == "deny")
        .unwrap_or_else(|| panic!("the denial is audited: {audit:#?}"));
    assert_eq!(
        (
            denial.event.as_str(),
            denial.tool.as_str(),
            denial.rule.as_str()
        ),
        ("PreToolUse", "Bash", "alwaysReject: Force push to main")
    );
    assert_eq!(denial.input_summary, "git push --force origin main");
    assert!(denial.approved_by.is_empty(), "{denial:?}");
    assert!(
        !audit.iter().any(|e| e.event == "PermissionRequest"),
        "the CLI never had to ask: {audit:#?}"
    );
    loop {
        match events.try_recv() {
            Ok(DaemonEvent::ApprovalRequired(asked)) => panic!("nobody is asked: {asked:?}"),
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                panic!("{n} events were missed; cannot tell whether anyone was asked")
            }
            Err(_) => break,
        }
    }
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_deploy_approved_over_the_websocket_runs() {
    let command = "kubectl apply -f deploy/production.yaml";
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, |_| {
        Script::new([
            Reply::tool_use("Bash", json!({"command": command, "description": "Deploy"})),
            Reply::text("Deployed."),
        ])
    }) else {
        return;
    };
    agents.stand_in("kubectl", "echo 'deployment.apps/web configured'");
    let daemon = agents.start_daemon(&home, 120).await;
    let mut client = ws::connect(ws::port_of(&daemon)).await;
    // (A prompt that said "deploy to production" would itself be escalated by the hook.)
    let spawned = spawn_in(&home, &agents.work, "apply the web manifests").await;

    let required = client.next_of("approval_required").await;
    let approval = &required["approval"];
    assert_eq!(approval["sessionId"], spawned.id.as_str(), "{required}");
    assert_eq!(approval["kind"], "approval");
    assert_eq!(approval["tool"], "Bash");
    assert_eq!(approval["input"]["command"], command);
    assert_eq!(approval["rule"], "escalate: Production deployments");
    assert_eq!(approval["state"], "pending");
    let id = approval["id"].as_str().unwrap().to_owned();
    let listed = client.ask(json!({"type": "list_approvals"})).await;
    assert_eq!(listed["type"], "approvals_list", "{listed}");
    assert_eq!(
        listed["approvals"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    assert_eq!(listed["approvals"][0]["id"], id.as_str());
    assert_eq!(agents.ran("kubectl"), "", "nothing runs before the answer");

    let reply = client
        .ask(json!({"type": "approval_response",
                    "payload": {"approvalId": id, "approved": true, "reason": "release window"}}))
        .await;
    assert_eq!(reply["type"], "approval_response", "{reply}");
    assert_eq!(reply["approval"]["state"], "approved", "{reply}");
    let resolved = client
        .until(|f| f["type"] == "approval_resolved" && f["approval"]["id"] == id.as_str())
        .await
        .0;
    assert_eq!(resolved["approval"]["state"], "approved");

    let done = ended(&home, &spawned.id).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert_eq!(agents.ran("kubectl"), "apply -f deploy/production.yaml\n");
    let told = agents.server.requests()[1].last_tool_result().unwrap();
    assert!(
        !told.is_error && told.content.contains("deployment.apps/web configured"),
        "the model sees the command's output: {told:?}"
    );
    let audit = audit(&home, &spawned.id).await;
    let allowed = audit
        .iter()
        .find(|e| e.event == "PermissionRequest")
        .unwrap_or_else(|| panic!("the approval is audited: {audit:#?}"));
    assert_eq!(
        (allowed.decision.as_str(), allowed.rule.as_str()),
        ("allow", "escalate: Production deployments")
    );
    assert!(
        allowed.approved_by.starts_with("ws:127.0.0.1:"),
        "the connection that answered: {allowed:?}"
    );
    assert!(
        audit
            .iter()
            .any(|e| e.event == "PreToolUse" && e.decision == "ask"),
        "the hook sent the escalation to the permission prompt: {audit:#?}"
    );
    assert!(no_process_of(&spawned.id));
    daemon.stop().await;
}

/// The first `name` on this process's `PATH`.
fn on_path(name: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}
