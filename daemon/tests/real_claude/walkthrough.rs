//! The README's "Try it without a Claude login" walkthrough, step by step with the daemon
//! binary and the real `wundr`: the charter is the one printed in the README (read from it),
//! the model is `test-support/scripts/edit-the-readme.json`; `session wait` says the
//! session waits for approval of the `Edit` (exit 4), `session list` shows it `waiting`,
//! `approval approve` lets it run, the second `session wait` exits 0 and the project's README
//! holds the edit; the audit and the token count are what the README says.

use std::path::Path;

use wundr_test_support::Script;
use wundr_test_support::binaries::repository;

use crate::common::daemon_binary;
use crate::common::scripted::{ScriptedAgents, approve_with_cli, audit, wundr};
use crate::common::{TestHome, no_process_of};

/// The charter the walkthrough writes: the heredoc after `cat > /tmp/wundr-try/charter.yaml`.
fn readme_walkthrough_charter() -> String {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let start = readme
        .find("cat > /tmp/wundr-try/charter.yaml <<'EOF'\n")
        .expect("the README's walkthrough writes the charter");
    let body = &readme[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("\nEOF\n").unwrap() + 1].to_owned()
}

#[test]
fn the_walkthroughs_charter_is_the_upstream_readme_example() {
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../charter/tests/fixtures/charters/readme-example-charter.yaml"),
    )
    .unwrap();
    assert_eq!(readme_walkthrough_charter(), fixture);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walkthrough_edits_the_file_after_the_approval() {
    let home = TestHome::new();
    let script = repository().join("test-support/scripts/edit-the-readme.json");
    let Some(agents) = ScriptedAgents::new(&home, |_| Script::from_json_file(&script).unwrap())
    else {
        return;
    };
    let project = agents.work.clone();
    std::fs::write(project.join("README.md"), "# My project\n").unwrap();
    let charter_file = home.path().join("charter.yaml");
    std::fs::write(&charter_file, readme_walkthrough_charter()).unwrap();
    agents.write_config_file(&home, &charter_file);
    let _daemon = daemon_binary::start(&home, &[]);

    let project_arg = project.display().to_string();
    let (status, id, err) = wundr(
        &home,
        &[
            "orchestrator",
            "session",
            "spawn",
            "--workdir",
            &project_arg,
            "add a line to the README",
        ],
    )
    .await;
    assert!(status.success(), "{err}");
    let id = id.trim().to_owned();

    let (status, said, err) = wundr(&home, &["orchestrator", "session", "wait", &id]).await;
    assert_eq!(status.code(), Some(4), "{said}{err}");
    let readme = project.join("README.md").display().to_string();
    let approval = said
        .split_whitespace()
        .nth(5)
        .map(|w| w.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    assert_eq!(
        said,
        format!(
            "session {id} waits for approval {approval}: Edit `{readme}` (rule defaultDecision: \
             ask); answer with: wundr orchestrator approval approve|deny {approval}\n"
        )
    );
    let (_, listed, _) = wundr(&home, &["orchestrator", "session", "list"]).await;
    let row = listed.lines().find(|l| l.contains(&id)).unwrap_or_default();
    assert!(row.contains(" waiting "), "{listed}");
    assert_eq!(
        std::fs::read_to_string(&readme).unwrap(),
        "# My project\n",
        "nothing is edited before the approval"
    );

    approve_with_cli(&home, &approval).await;
    let (status, said, err) = wundr(&home, &["orchestrator", "session", "wait", &id]).await;
    assert_eq!(status.code(), Some(0), "{said}{err}");
    assert_eq!(said, format!("session {id} completed\n"));
    assert_eq!(
        std::fs::read_to_string(&readme).unwrap(),
        "# My project\n\nEdited by an agent, after you approved it.\n"
    );

    let decisions: Vec<(String, String, String, String)> = audit(&home, &id)
        .await
        .into_iter()
        .filter(|e| e.decision != "ask")
        .map(|e| (e.event, e.tool, e.decision, e.approved_by))
        .collect();
    assert!(
        decisions.contains(&(
            "PreToolUse".into(),
            "Read".into(),
            "allow".into(),
            String::new()
        )),
        "{decisions:?}"
    );
    assert!(
        decisions.contains(&(
            "PermissionRequest".into(),
            "Edit".into(),
            "allow".into(),
            "cli".into()
        )),
        "{decisions:?}"
    );
    let session = daemon_binary::session(&home, &id).await;
    assert_eq!(session.metrics.unwrap().tokens_used, 3978);
    assert!(no_process_of(&id));
}
