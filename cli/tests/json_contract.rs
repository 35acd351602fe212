//! The `--json` contract (README "JSON output"): every read command, run against a real
//! daemon with data present (a finished session, memories, a pending approval, audit
//! records), prints output that its checked-in JSON Schema (`docs/json/*.schema.json`,
//! draft 2020-12) accepts. The schemas are closed (`additionalProperties: false`), so a key
//! that is not documented fails here too.

use crate::common;

use std::path::PathBuf;

use common::{Daemon, Sandbox, stdout, text, wait_for};
use jsonschema::{Registry, Validator};
use serde_json::Value;

/// A charter that escalates `terraform apply` and keeps it waiting long enough to be listed.
const CHARTER: &str = "name: json-contract\nsafetyHeuristics:\n  escalate:\n    - \"terraform apply*\"\napprovalTimeoutSeconds: 120\n";

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/json")
}

/// Every schema file, parsed, by file name.
fn schemas() -> Vec<(String, Value)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(schema_dir()).expect("docs/json") {
        let path = entry.expect("a schema file").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let value =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{name} is not JSON: {err}"));
        all.push((name, value));
    }
    all
}

/// Validators for the schema files, which refer to each other by relative file name
/// (resolved against the default base URI `json-schema:///`).
struct Contract {
    validators: Vec<(String, Validator)>,
}

impl Contract {
    fn load() -> Self {
        let all = schemas();
        let registry = Registry::new()
            .extend(
                all.iter()
                    .map(|(name, value)| (format!("json-schema:///{name}"), value.clone())),
            )
            .expect("schema URIs")
            .prepare()
            .expect("the schemas resolve");
        let validators = all
            .iter()
            .map(|(name, value)| {
                let validator = jsonschema::options()
                    .with_registry(&registry)
                    .build(value)
                    .unwrap_or_else(|err| panic!("{name} is not a valid schema: {err}"));
                (name.clone(), validator)
            })
            .collect();
        Self { validators }
    }

    /// Fails naming every place `value` breaks schema `name`.
    fn check(&self, name: &str, command: &str, value: &Value) {
        let (_, validator) = self
            .validators
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no schema {name}"));
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("  at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "`{command}` breaks {name}:\n{}\n{value:#}",
            errors.join("\n")
        );
    }
}

/// Runs `wundr orchestrator <args>`; its stdout, which must be one JSON document.
fn json_of(daemon: &Daemon, args: &[&str]) -> (Option<i32>, Value) {
    let mut full = vec!["orchestrator"];
    full.extend_from_slice(args);
    let output = daemon.run(&full);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "`{}` did not print JSON ({err}): {}",
            args.join(" "),
            text(&output)
        )
    });
    (output.status.code(), value)
}

/// Checks one command that must succeed.
fn check(contract: &Contract, daemon: &Daemon, args: &[&str], schema: &str) -> Value {
    let (code, value) = json_of(daemon, args);
    assert_eq!(code, Some(0), "`{}`: {value:#}", args.join(" "));
    contract.check(schema, &args.join(" "), &value);
    value
}

/// Checks a JSON Lines command: each line against `schema`; returns the records.
fn check_lines(contract: &Contract, daemon: &Daemon, args: &[&str], schema: &str) -> Vec<Value> {
    let mut full = vec!["orchestrator"];
    full.extend_from_slice(args);
    let output = daemon.run(&full);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| {
                panic!(
                    "`{}` printed a non-JSON line ({err}): {line}",
                    args.join(" ")
                )
            })
        })
        .collect();
    assert!(!records.is_empty(), "`{}` printed nothing", args.join(" "));
    for record in &records {
        contract.check(schema, &args.join(" "), record);
    }
    records
}

#[test]
fn every_read_command_prints_what_its_schema_documents() {
    let contract = Contract::load();
    let dir = tempfile::tempdir().unwrap();
    let charter = dir.path().join("charter.yaml");
    std::fs::write(&charter, CHARTER).unwrap();
    let daemon =
        Sandbox::new(&[("ORCHESTRATOR_CHARTER", charter.to_str().unwrap())]).start_daemon();

    // Data: a finished session, a memory, a pending approval (and so audit records).
    let spawned = check(
        &contract,
        &daemon,
        &["session", "spawn", "--json", "hello"],
        "session.schema.json",
    );
    let id = spawned["id"].as_str().expect("an id").to_owned();
    let session = wait_for("the session to complete", || {
        let (_, session) = json_of(&daemon, &["session", "show", &id, "--json"]);
        (session["status"] == "completed").then_some(session)
    });
    contract.check("session.schema.json", "session show", &session);
    assert!(
        session["endedAt"].is_string() && session["exitCode"] == 0,
        "{session:#}"
    );
    let output = daemon.run(&[
        "orchestrator",
        "memory",
        "add",
        "--tier",
        "semantic",
        "the build uses cargo",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let hook = daemon.start_hook("session_json", "terraform apply");
    let approvals = wait_for("a pending approval", || {
        let (_, list) = json_of(&daemon, &["approval", "list", "--json"]);
        (list.as_array().is_some_and(|a| a.len() == 1)).then_some(list)
    });
    contract.check("approval-list.schema.json", "approval list", &approvals);

    check(
        &contract,
        &daemon,
        &["status", "--json"],
        "status.schema.json",
    );
    let list = check(
        &contract,
        &daemon,
        &["session", "list", "--json"],
        "session-list.schema.json",
    );
    assert_eq!(list[0]["id"], id.as_str());
    check(
        &contract,
        &daemon,
        &["audit", "--json"],
        "audit.schema.json",
    );
    let hits = check(
        &contract,
        &daemon,
        &["memory", "search", "cargo", "--json"],
        "memory-list.schema.json",
    );
    assert!(hits[0]["score"].is_number(), "{hits:#}");
    check(
        &contract,
        &daemon,
        &["memory", "list", "--json"],
        "memory-list.schema.json",
    );
    check(
        &contract,
        &daemon,
        &["memory", "stats", "--json"],
        "memory-stats.schema.json",
    );
    check(
        &contract,
        &daemon,
        &["charter", "show", "--json"],
        "charter.schema.json",
    );
    check(
        &contract,
        &daemon,
        &["charter", "validate", "--json"],
        "charter-report.schema.json",
    );
    check(
        &contract,
        &daemon,
        &["config", "validate", "--json"],
        "config-check.schema.json",
    );
    // doctor's verdict depends on the machine (its exit code too); its shape does not.
    let (_, doctor) = json_of(&daemon, &["doctor", "--json"]);
    contract.check("doctor.schema.json", "doctor", &doctor);

    let lines = check_lines(
        &contract,
        &daemon,
        &["logs", "--json"],
        "log-line.schema.json",
    );
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "info" && l["target"].is_string()),
        "no log line was split into its parts: {lines:#?}"
    );
    let events = check_lines(
        &contract,
        &daemon,
        &["logs", "--session", &id, "--json"],
        "session-event.schema.json",
    );
    assert!(
        events.iter().any(|e| e["type"] == "status"),
        "no status event: {events:#?}"
    );

    // Let the waiting hook go (it exits once answered).
    let approval_id = approvals[0]["id"].as_str().unwrap();
    let output = daemon.run(&["orchestrator", "approval", "deny", approval_id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let answered = hook.wait_with_output().unwrap();
    assert_eq!(answered.status.code(), Some(0), "{}", text(&answered));
}

#[test]
fn status_without_a_daemon_fits_the_same_schema() {
    let contract = Contract::load();
    let sandbox = Sandbox::new(&[]);
    let output = sandbox.run(&["orchestrator", "status", "--json"]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    contract.check("status.schema.json", "status (no daemon)", &value);
    assert_eq!(value["running"], false);
    assert!(value["pid"].is_null(), "{value:#}");
}

/// The one stderr line of a failed `--json` command, checked against `error.schema.json`.
fn check_error(contract: &Contract, output: &std::process::Output, command: &str) -> Value {
    assert_eq!(stdout(output), "", "`{command}`: results only go to stdout");
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "`{command}`: {}", text(output));
    let value: Value = serde_json::from_str(&stderr)
        .unwrap_or_else(|err| panic!("`{command}` did not print a JSON error ({err}): {stderr}"));
    contract.check("error.schema.json", command, &value);
    assert_eq!(
        value["error"]["exitCode"].as_i64(),
        output.status.code().map(i64::from),
        "`{command}`: {stderr}"
    );
    value
}

#[test]
fn errors_fit_the_error_schema_with_the_documented_key_order() {
    let contract = Contract::load();
    let daemon = Sandbox::new(&[]).start_daemon();
    // Refused by the daemon: the reason comes from its ErrorInfo.
    let output = daemon.run(&["orchestrator", "session", "show", "nope", "--json"]);
    let refused = check_error(&contract, &output, "session show nope");
    assert_eq!(refused["error"]["code"], "SESSION_NOT_FOUND");
    // The README shows the keys in this order; a script reading the line with a regex or a
    // person reading it expects what the README shows.
    let line = String::from_utf8(output.stderr).unwrap();
    assert!(
        line.starts_with(r#"{"error":{"code":"SESSION_NOT_FOUND","message":"#),
        "{line}"
    );
    assert!(line.contains(r#","causes":[],"remedy":"#), "{line}");
    assert!(line.trim_end().ends_with(r#","exitCode":1}}"#), "{line}");

    // The CLI's own error, with no daemon to ask.
    let sandbox = Sandbox::new(&[]);
    let output = sandbox.run(&["orchestrator", "session", "list", "--json"]);
    let local = check_error(&contract, &output, "session list (no daemon)");
    assert_eq!(local["error"]["code"], "DAEMON_NOT_RUNNING");
    assert_eq!(local["error"]["exitCode"], 3);
}

#[test]
fn the_schemas_are_draft_2020_12_and_every_one_is_used() {
    let used = [
        "approval-list",
        "approval",
        "audit",
        "charter-report",
        "charter",
        "common",
        "config-check",
        "doctor",
        "error",
        "log-line",
        "memory-list",
        "memory-stats",
        "session-event",
        "session-list",
        "session",
        "status",
    ];
    let mut names: Vec<String> = schemas()
        .into_iter()
        .map(|(name, value)| {
            assert_eq!(
                value["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{name}"
            );
            name.trim_end_matches(".schema.json").to_owned()
        })
        .collect();
    names.sort();
    let mut expected: Vec<String> = used.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected);
}
