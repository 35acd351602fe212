//! `wundr orchestrator memory ...` against the real daemon (and its `fixture-agent`
//! sessions): add/search/list/forget/stats, bad input refused without changing anything,
//! export/import, a session's end recorded as an episodic memory, a new session given the
//! memories for its task, and everything still there after `wundr orchestrator restart`.

use crate::common;

use common::{Daemon, Sandbox, stderr, stdout, text, wait_for};
use serde_json::Value;

fn ok(daemon: &Daemon, args: &[&str]) -> String {
    let mut full = vec!["orchestrator", "memory"];
    full.extend_from_slice(args);
    let output = daemon.run(&full);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", text(&output));
    stdout(&output)
}

fn json(daemon: &Daemon, args: &[&str]) -> Vec<Value> {
    let out = ok(daemon, args);
    serde_json::from_str::<Value>(&out)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_else(|| panic!("{args:?} did not print a JSON array: {out}"))
}

fn refused(daemon: &Daemon, args: &[&str], needles: &[&str]) {
    let mut full = vec!["orchestrator", "memory"];
    full.extend_from_slice(args);
    let output = daemon.run(&full);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {}", text(&output));
    for needle in needles {
        assert!(
            stderr(&output).contains(needle),
            "{needle:?}: {}",
            text(&output)
        );
    }
}

#[test]
fn memory_commands_round_trip_and_refuse_bad_input() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let added = ok(
        &daemon,
        &[
            "add",
            "--tier",
            "semantic",
            "the staging database is postgres 16",
        ],
    );
    let (id, kind) = added.trim().split_once(' ').expect("`<id> <tier>/<type>`");
    assert!(id.starts_with("mem_"), "{added}");
    assert_eq!(kind, "semantic/knowledge");
    ok(
        &daemon,
        &[
            "add",
            "--tier",
            "episodic",
            "--type",
            "decision",
            "we chose postgres over mysql",
        ],
    );

    let hits = json(&daemon, &["search", "Postgres", "--json"]);
    assert_eq!(hits.len(), 2, "{hits:#?}");
    assert!(
        hits.iter()
            .all(|h| h["score"].as_f64().is_some_and(|s| s > 0.0))
    );
    let semantic = json(
        &daemon,
        &["search", "postgres", "--tier", "semantic", "--json"],
    );
    assert_eq!(semantic.len(), 1);
    assert_eq!(semantic[0]["id"], id);
    // FTS syntax in a query is plain text, never an error.
    for query in ["\"unbalanced", "postgres OR", "* - NEAR(", "AND", "\"\""] {
        json(&daemon, &["search", query, "--json"]);
    }
    assert!(ok(&daemon, &["list", "--limit", "1"]).contains("we chose postgres"));

    // Bad input is refused with the reason and a hint, and changes nothing.
    let before = ok(&daemon, &["stats"]);
    refused(
        &daemon,
        &["add", "--tier", "scratchpad", "x"],
        &["unknown memory tier", "hint:"],
    );
    refused(
        &daemon,
        &["add", "--tier", "episodic", "  "],
        &["memory content is empty"],
    );
    let huge = "x".repeat(70 * 1024);
    refused(
        &daemon,
        &["add", "--tier", "episodic", &huge],
        &["the limit is 65536 bytes"],
    );
    refused(
        &daemon,
        &["add", "--tier", "episodic", "--type", "rumour", "x"],
        &["unknown memory entry type"],
    );
    refused(
        &daemon,
        &["search", "x", "--limit", "5000"],
        &["invalid limit"],
    );
    refused(
        &daemon,
        &["forget", "mem_0_nope"],
        &["no memory entry with id mem_0_nope", "memory list"],
    );
    assert_eq!(ok(&daemon, &["stats"]), before);
    assert!(
        before.contains("episodic         1\nsemantic         1\n"),
        "{before}"
    );

    // Export, forget everything, import it back.
    let file = daemon.path("memories.json");
    let file = file.to_str().expect("utf-8 path");
    assert!(ok(&daemon, &["export", file]).contains("1 episodic and 1 semantic"));
    let ids: Vec<String> = json(&daemon, &["list", "--json"])
        .iter()
        .map(|hit| hit["id"].as_str().expect("id").to_owned())
        .collect();
    // `mem_` names both entries; a unique prefix (the `mem_` part optional) names one.
    refused(
        &daemon,
        &["forget", "mem_"],
        &[
            "names more than one memory entry",
            "give more of the entry's id",
        ],
    );
    for id in &ids {
        let prefix = &id["mem_".len()..id.len() - 2];
        assert_eq!(ok(&daemon, &["forget", prefix]), format!("forgot {id}\n"));
    }
    assert!(json(&daemon, &["search", "postgres", "--json"]).is_empty());
    assert!(ok(&daemon, &["import", file]).contains("imported 2"));
    assert_eq!(json(&daemon, &["search", "postgres", "--json"]).len(), 2);
    std::fs::write(file, "[1, 2]").expect("write");
    refused(
        &daemon,
        &["import", file],
        &["cannot import memory", "memory export"],
    );
    refused(
        &daemon,
        &["import", "/nonexistent/m.json"],
        &["cannot read /nonexistent/m.json"],
    );
}

#[test]
fn sessions_leave_memories_and_new_sessions_are_given_them_across_a_restart() {
    let daemon = Sandbox::new(&[]).start_daemon();
    ok(
        &daemon,
        &[
            "add",
            "--tier",
            "semantic",
            "the zeppelin service deploys with cargo-deb",
        ],
    );
    let spawn = daemon.run(&[
        "orchestrator",
        "session",
        "spawn",
        "--json",
        "deploy the zeppelin service",
    ]);
    assert_eq!(spawn.status.code(), Some(0), "{}", text(&spawn));
    let session: Value = serde_json::from_slice(&spawn.stdout).expect("spawn --json");
    let id = session["id"].as_str().expect("id").to_owned();
    // The new session was given the relevant memory, as entries and as the hook's text.
    let context = &session["memoryContext"];
    assert_eq!(
        context["semantic"][0]["content"], "the zeppelin service deploys with cargo-deb",
        "{context:#}"
    );
    assert!(
        context["text"]
            .as_str()
            .is_some_and(|t| t.contains("cargo-deb")),
        "{context:#}"
    );

    // When it ends, its task, outcome and result become an episodic memory.
    let episode = wait_for("the session's episodic memory", || {
        json(
            &daemon,
            &["search", "zeppelin", "--tier", "episodic", "--json"],
        )
        .into_iter()
        .find(|hit| hit["sessionId"] == id.as_str())
    });
    let content = episode["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("Task: deploy the zeppelin service"),
        "{content}"
    );
    assert!(content.contains("Outcome: completed"), "{content}");
    assert!(
        content.contains("Result: echo: deploy the zeppelin service"),
        "{content}"
    );
    assert_eq!(episode["metadata"]["outcome"], "completed");
    assert!(episode["metadata"]["durationMs"].is_u64(), "{episode:#}");

    let restart = daemon.run(&["orchestrator", "restart", "-p", "0"]);
    assert_eq!(restart.status.code(), Some(0), "{}", text(&restart));
    let hits = json(&daemon, &["search", "zeppelin", "--json"]);
    assert_eq!(
        hits.len(),
        2,
        "both memories survive the restart: {hits:#?}"
    );
    // A session spawned after the restart is given both.
    let spawn = daemon.run(&[
        "orchestrator",
        "session",
        "spawn",
        "--json",
        "zeppelin again",
    ]);
    let session: Value = serde_json::from_slice(&spawn.stdout).expect("spawn --json");
    let context = &session["memoryContext"];
    assert_eq!(
        context["episodic"].as_array().map(Vec::len),
        Some(1),
        "{context:#}"
    );
    assert_eq!(
        context["semantic"].as_array().map(Vec::len),
        Some(1),
        "{context:#}"
    );
}
