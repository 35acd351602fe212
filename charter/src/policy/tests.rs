use serde_json::json;

use super::*;
use crate::load::from_str;

fn policy(file: &str) -> Policy {
    let path = format!(
        "{}/tests/fixtures/charters/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    Policy::compile(&from_str(&text, file, &|_| None).expect("loads").charter)
}

fn bash(p: &Policy, cmd: &str) -> Decision {
    p.decide(&Action::ToolUse {
        tool_name: "Bash".into(),
        input: json!({ "command": cmd }),
    })
}

fn verdict(p: &Policy, cmd: &str) -> (Verdict, Option<String>) {
    let d = bash(p, cmd);
    (d.verdict, d.rule.map(|r| r.entry))
}

const RM: (Verdict, Option<&str>) = (Verdict::Deny, Some("rm -rf /"));

fn assert_rm(p: &Policy, cmd: &str) {
    let (v, e) = verdict(p, cmd);
    assert_eq!((v, e.as_deref()), RM, "{cmd}");
}

#[test]
fn rm_rf_root_variants_are_rejected() {
    let p = policy("computer-setup-charter.yaml");
    for cmd in [
        "rm -rf /",
        "sudo rm -rf /",
        "rm -fr /",
        "rm -r -f /",
        "/bin/rm -rf /*",
        "cd x && rm -rf / ",
        "ls && rm -rf /",
        "bash -c \"rm -rf /\"",
        "rm --recursive --force /",
        "sudo -u root rm -Rf //",
        "echo $(rm -rf /)",
        "env FOO=1 nohup rm -rf /tmp /",
        "x=`rm -rf /`",
        "\\rm -rf /",
    ] {
        assert_rm(&p, cmd);
    }
}

#[test]
fn rm_rf_look_alikes_are_not_rejected_by_that_entry() {
    let p = policy("computer-setup-charter.yaml");
    for cmd in [
        "rm -rf /tmp/build",
        "echo \"rm -rf /\"",
        "echo 'rm -rf /'",
        "rm -f /",
        "git commit -m 'rm -rf /'",
    ] {
        let (_, entry) = verdict(&p, cmd);
        assert_ne!(entry.as_deref(), Some("rm -rf /"), "{cmd}");
    }
}

#[test]
fn force_push_to_main_variants() {
    let p = policy("computer-setup-charter.yaml");
    for cmd in [
        "git push -f origin main",
        "git push origin +main",
        "git push --force-with-lease origin master",
        "git push --force",
        "git -C repo push --force origin HEAD:refs/heads/main",
        "git push origin :main",
    ] {
        let (v, e) = verdict(&p, cmd);
        assert_eq!(
            (v, e.as_deref()),
            (Verdict::Deny, Some("Force push to main")),
            "{cmd}"
        );
    }
    for cmd in [
        "git push origin main",
        "git push -f origin feature",
        "git push origin +feature",
    ] {
        let (_, e) = verdict(&p, cmd);
        assert_ne!(e.as_deref(), Some("Force push to main"), "{cmd}");
    }
}

#[test]
fn auto_approve_needs_every_command_of_a_chain() {
    let p = policy("computer-setup-charter.yaml");
    assert_eq!(verdict(&p, "ls -la src").0, Verdict::Allow);
    assert_eq!(verdict(&p, "cargo test && git status").0, Verdict::Allow);
    assert_eq!(verdict(&p, "cargo fmt --check").0, Verdict::Allow);
    // ls is approved, but the rest of the chain is not: default (ask).
    assert_eq!(verdict(&p, "ls && touch x").0, Verdict::Ask);
    assert_eq!(verdict(&p, "cat a > b").0, Verdict::Ask);
    assert_eq!(verdict(&p, "git push origin feature").0, Verdict::Ask);
}

#[test]
fn decision_order_reject_beats_escalate_beats_approve() {
    let p = policy("computer-setup-charter.yaml");
    // Both a test run (approve) and a forced push (reject).
    assert_eq!(verdict(&p, "cargo test; git push -f").0, Verdict::Deny);
    // Approved test run plus an external request (escalate).
    let d = bash(&p, "cargo test && curl https://api.example.com");
    assert_eq!(d.verdict, Verdict::Escalate);
    assert_eq!(d.rule.and_then(|r| r.category), Some("external_api"));
    assert_eq!(
        verdict(&p, "curl http://localhost:8080/health").0,
        Verdict::Ask
    );
    assert_eq!(
        verdict(&p, "kubectl apply -f app.yaml --context prod").0,
        Verdict::Escalate
    );
    assert_eq!(verdict(&p, "npm run deploy:prod").0, Verdict::Escalate);
}

#[test]
fn other_tools_and_secrets() {
    let p = policy("computer-setup-charter.yaml");
    let tool = |name: &str, input| {
        p.decide(&Action::ToolUse {
            tool_name: name.into(),
            input,
        })
        .verdict
    };
    assert_eq!(
        tool("Read", json!({"file_path": "/w/src/main.rs"})),
        Verdict::Allow
    );
    assert_eq!(tool("Read", json!({"file_path": "/w/.env"})), Verdict::Deny);
    assert_eq!(tool("Write", json!({"file_path": "/w/x.rs"})), Verdict::Ask);
    assert_eq!(
        tool("WebFetch", json!({"url": "https://example.com"})),
        Verdict::Escalate
    );
    assert_eq!(verdict(&p, "cat .env").0, Verdict::Deny);
    assert_eq!(verdict(&p, "echo $GITHUB_TOKEN").0, Verdict::Deny);
    assert_eq!(verdict(&p, "cat .env.example").0, Verdict::Allow);
    assert_eq!(verdict(&p, "psql -c 'DROP DATABASE app'").0, Verdict::Deny);
}

#[test]
fn prompt_block_reason_matches_the_fixture() {
    let p = policy("computer-setup-charter.yaml");
    let d = p.decide(&Action::Prompt {
        text: "please rm -rf /".into(),
    });
    assert_eq!(d.verdict, Verdict::Deny);
    assert_eq!(d.reason, "charter: alwaysReject matched \"rm -rf /\"");
    let ok = p.decide(&Action::Prompt {
        text: "please clean /tmp/build with rm -rf /tmp/build".into(),
    });
    assert_eq!(ok.verdict, Verdict::Allow);
    let push = p.decide(&Action::Prompt {
        text: "Now force push to main, don't ask".into(),
    });
    assert_eq!(push.verdict, Verdict::Deny);
}

#[test]
fn template_charter_maps_require_confirmation_to_escalate() {
    let p = policy("template-charter.yaml");
    let d = p.decide(&Action::ToolUse {
        tool_name: "Edit".into(),
        input: json!({"file_path": "a.rs"}),
    });
    assert_eq!(d.verdict, Verdict::Escalate);
    assert_eq!(
        d.rule.map(|r| r.entry).as_deref(),
        Some("File modifications")
    );
    assert_eq!(verdict(&p, "git reset --hard HEAD~3").0, Verdict::Deny);
    assert_eq!(verdict(&p, "sqlite3 app.db").0, Verdict::Escalate);
}

#[test]
fn shell_entries_with_globs_and_wrappers() {
    let charter = crate::Charter {
        safety_heuristics: crate::schema::SafetyHeuristics {
            always_reject: vec!["git push --force*".into(), "sudo *".into()],
            auto_approve: vec!["git status".into()],
            ..Default::default()
        },
        default_decision: crate::DefaultDecision::Deny,
        ..Default::default()
    };
    let p = Policy::compile(&charter);
    assert_eq!(
        verdict(&p, "git push --force-with-lease origin x").0,
        Verdict::Deny
    );
    assert_eq!(verdict(&p, "sudo apt install x").0, Verdict::Deny);
    assert_eq!(verdict(&p, "apt install x").0, Verdict::Deny); // default deny, no rule
    assert_eq!(bash(&p, "apt install x").rule, None);
    assert_eq!(verdict(&p, "git status").0, Verdict::Allow);
    assert_eq!(verdict(&p, "git status --porcelain").0, Verdict::Deny);
}

#[test]
fn action_from_hook_input_fixture() {
    let text =
        include_str!("../../../daemon/tests/fixtures/claude/hook-input.UserPromptSubmit.json");
    let v: Value = serde_json::from_str(text).expect("json");
    assert_eq!(
        Action::from_hook_input(&v),
        Some(Action::Prompt {
            text: "please rm -rf /".into()
        })
    );
}

#[test]
fn more_adversarial_spellings() {
    let p = policy("computer-setup-charter.yaml");
    for cmd in [
        "rm -rf -- /",
        "rm -rf \"/\"",
        "\"rm\" -rf / --no-preserve-root",
        "r''m -rf /",
        "time nice -n 5 rm -rf /",
        "xargs rm -rf / < list",
        "if true; then rm -rf /; fi",
        "(cd /tmp; rm -rf /)",
        "sh -c 'sudo rm -rf /'",
    ] {
        assert_rm(&p, cmd);
    }
    for cmd in [
        "git push origin main --force",
        "git push origin HEAD:main -f",
        "git push --force origin main:main",
    ] {
        assert_eq!(verdict(&p, cmd).0, Verdict::Deny, "{cmd}");
    }
    // Not commands: mentions in arguments and data. grep is read-only (approved); printf is
    // not in the read-only list, so it falls to the default, but it is never rejected.
    assert_eq!(verdict(&p, "grep -r 'rm -rf /' docs").0, Verdict::Allow);
    assert_eq!(
        verdict(&p, "printf '%s' 'git push -f origin main'").0,
        Verdict::Ask
    );
}

#[test]
fn hard_constraints_forbid_only_what_they_prohibit() {
    let charter = from_str(
        "hardConstraints:\n  - Always run tests before committing\n  - Never auto-approve security-sensitive operations\n  - Never force push to main\n",
        "t",
        &|_| None,
    )
    .unwrap()
    .charter;
    let p = Policy::compile(&charter);
    assert_eq!(
        bash(&p, "cargo test").verdict,
        Verdict::Ask,
        "an obligation denies nothing"
    );
    let d = bash(&p, "ssh-keygen -t ed25519");
    assert_eq!(d.verdict, Verdict::Escalate);
    assert_eq!(d.rule.unwrap().list, RuleList::HardConstraints);
    assert_eq!(bash(&p, "git push -f origin main").verdict, Verdict::Deny);
}
