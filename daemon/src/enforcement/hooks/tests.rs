use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::charter::active::{ActiveCharter, CharterHolder};
use crate::charter::approvals::{ApprovalAnswer, ApprovalError};
use crate::model::ApprovalState;
use crate::model::DaemonEvent;
use orchestrator_config::DaemonConfig;

fn core_with(yaml: &str) -> (Arc<Core>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("charter.yaml");
    std::fs::write(&path, yaml).unwrap();
    let core = Core::new(Arc::new(DaemonConfig::default()));
    core.install_charter(CharterHolder::load(path, true).unwrap());
    (core, dir)
}

fn bash(command: &str) -> String {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
           "tool_input": {"command": command}})
    .to_string()
}

const CHARTER: &str = r#"name: t
identity:
  name: Ada
  email: ada@example.com
responsibilities:
  - Keep CI green
hardConstraints:
  - Never commit secrets
safetyHeuristics:
  alwaysReject:
    - "rm -rf /"
  escalate:
    - "terraform apply*"
  autoApprove:
    - Read file operations
approvalTimeoutSeconds: 1
"#;

#[tokio::test]
async fn deny_allow_and_prompt_block() {
    let (core, _dir) = core_with(CHARTER);
    let out = handle_hook(&core, "s1", "PreToolUse", &bash("sudo rm -fr /"))
        .await
        .unwrap();
    assert_eq!(out.decision, "deny");
    assert_eq!(out.rule, "alwaysReject: rm -rf /");
    assert_eq!(
        out.output["hookSpecificOutput"]["permissionDecision"],
        "deny"
    );
    let read = json!({"hook_event_name": "PreToolUse", "tool_name": "Read",
                      "tool_input": {"file_path": "/tmp/x"}});
    let out = handle_hook(&core, "s1", "PreToolUse", &read.to_string())
        .await
        .unwrap();
    assert_eq!(out.decision, "allow");
    let prompt = include_str!("../../../tests/fixtures/claude/hook-input.UserPromptSubmit.json");
    let out = handle_hook(&core, "s1", "UserPromptSubmit", prompt)
        .await
        .unwrap();
    assert_eq!(out.output["decision"], "block");
    assert!(matches!(
        handle_hook(&core, "s1", "Stop", "{}").await,
        Err(HookError::UnknownEvent(_))
    ));
    assert!(matches!(
        handle_hook(&core, "s1", "PreToolUse", "{not json").await,
        Err(HookError::BadInput { .. })
    ));
}

#[tokio::test]
async fn escalation_waits_for_an_answer_and_times_out_as_deny() {
    let (core, _dir) = core_with(CHARTER);
    let mut events = core.subscribe();
    let waiter = {
        let core = core.clone();
        tokio::spawn(async move {
            handle_hook(
                &core,
                "s1",
                "PreToolUse",
                &bash("terraform apply -auto-approve"),
            )
            .await
        })
    };
    let request = loop {
        if let DaemonEvent::ApprovalRequired(r) = events.recv().await.unwrap() {
            break r;
        }
    };
    assert_eq!(request.rule, "escalate: terraform apply*");
    assert_eq!(core.approvals().list().len(), 1);
    let answer = ApprovalAnswer {
        approve: true,
        by: "test".into(),
        reason: None,
        text: None,
    };
    assert_eq!(
        answer_approval(&core, &request.id, answer)
            .await
            .unwrap()
            .state,
        ApprovalState::Approved
    );
    let out = waiter.await.unwrap().unwrap();
    assert_eq!(out.decision, "allow");
    assert!(out.reason.contains("approved by test"), "{}", out.reason);

    // No answer within approvalTimeoutSeconds (1 s): deny, and the request is gone.
    let out = handle_hook(&core, "s1", "PreToolUse", &bash("terraform apply"))
        .await
        .unwrap();
    assert_eq!(out.decision, "deny");
    assert!(out.reason.contains("none came within 1s"), "{}", out.reason);
    assert!(core.approvals().list().is_empty());
}

#[test]
fn session_start_context_carries_identity_constraints_and_memory() {
    let (core, _dir) = core_with(CHARTER);
    let charter = &core.charter().charter;
    let text = session_start_context(charter, None);
    assert!(text.contains("Identity: Ada <ada@example.com>"), "{text}");
    assert!(text.contains("- Keep CI green"));
    assert!(text.contains("Hard constraints (never break these):\n- Never commit secrets"));
    assert!(!text.contains("Relevant memory"));
}

#[test]
fn defaults_are_used_without_an_installed_charter() {
    let core = Core::new(Arc::new(DaemonConfig::default()));
    assert!(core.charter().source.is_none());
    let holder = CharterHolder::with(
        PathBuf::from("/nonexistent"),
        false,
        ActiveCharter::defaults("t"),
    );
    assert!(holder.current().defaults_reason.is_some());
}

#[tokio::test]
async fn a_hook_that_goes_away_expires_its_approval() {
    let (core, _dir) =
        core_with(&CHARTER.replace("approvalTimeoutSeconds: 1", "approvalTimeoutSeconds: 60"));
    let mut events = core.subscribe();
    let waiter = {
        let core = core.clone();
        tokio::spawn(async move {
            handle_hook(&core, "s1", "PreToolUse", &bash("terraform apply")).await
        })
    };
    let required = loop {
        if let DaemonEvent::ApprovalRequired(r) = events.recv().await.unwrap() {
            break r;
        }
    };
    // Claude Code killed the hook (its own timeout): the call is dropped mid-wait.
    waiter.abort();
    let resolved = loop {
        if let DaemonEvent::ApprovalResolved(r) = events.recv().await.unwrap() {
            break r;
        }
    };
    assert_eq!(
        (resolved.id.as_str(), &resolved.state),
        (required.id.as_str(), &ApprovalState::Expired)
    );
    assert!(core.approvals().list().is_empty());
}

#[test]
fn approval_and_hook_errors_have_distinct_stable_reasons() {
    let id = || "approval_x".to_owned();
    let errors = [
        ApprovalError::NotFound { id: id() },
        ApprovalError::Unrecorded {
            id: id(),
            source: crate::store::StoreError::Closed { path: "/d".into() },
        },
        ApprovalError::Ambiguous {
            given: id(),
            candidates: vec![],
        },
        ApprovalError::AnswerMissing { id: id() },
        ApprovalError::Abandoned { id: id() },
    ];
    let mut reasons: Vec<_> = errors.iter().map(|e| e.reason()).collect();
    assert_eq!(
        reasons,
        [
            "APPROVAL_NOT_FOUND",
            "APPROVAL_UNRECORDED",
            "APPROVAL_AMBIGUOUS",
            "APPROVAL_ANSWER_MISSING",
            "APPROVAL_ABANDONED"
        ]
    );
    // Hook errors are refused on the same door (Charter.Hook): one code space.
    let bad_json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
    let hooks = [
        HookError::UnknownEvent("Stop".into()),
        HookError::BadInput {
            event: "PreToolUse".into(),
            source: bad_json,
        },
        HookError::MissingField {
            event: "PreToolUse".into(),
            missing: "tool_name",
        },
    ];
    let hook_reasons: Vec<_> = hooks.iter().map(|h| h.reason()).collect();
    assert_eq!(
        hook_reasons,
        [
            "HOOK_EVENT_UNKNOWN",
            "HOOK_INPUT_INVALID",
            "HOOK_INPUT_INCOMPLETE"
        ]
    );
    reasons.extend(hook_reasons);
    orchestrator_api::error_codes::assert_distinct_codes(&reasons);
}
