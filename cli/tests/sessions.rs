//! `wundr orchestrator session ...` and `logs --session` against the real daemon, whose
//! sessions run the `fixture-agent` as `claude` (its prompt picks what it does: `hang`,
//! `fail`, default `echo: <prompt>`). Each test has its own sandbox and daemon.

use crate::common;

use common::{Daemon, Sandbox, stderr, stdout, text, wait_for};
use serde_json::Value;

const ENDED: [&str; 3] = ["completed", "failed", "terminated"];

/// `session spawn <args>`; returns the id, which must be all of stdout.
fn spawn(daemon: &Daemon, args: &[&str]) -> String {
    let mut full = vec!["orchestrator", "session", "spawn"];
    full.extend_from_slice(args);
    let output = daemon.run(&full);
    assert_eq!(output.status.code(), Some(0), "spawn: {}", text(&output));
    let id = stdout(&output);
    assert!(
        id.starts_with("session_") && id.ends_with('\n') && id.lines().count() == 1,
        "{}",
        text(&output)
    );
    id.trim().to_owned()
}

fn show(daemon: &Daemon, id: &str) -> Value {
    let output = daemon.run(&["orchestrator", "session", "show", id, "--json"]);
    assert_eq!(output.status.code(), Some(0), "show: {}", text(&output));
    serde_json::from_slice(&output.stdout).expect("show --json prints JSON")
}

/// Polls `session show --json` until the session has `status`; fails at once if it ends
/// with another.
fn wait_status(daemon: &Daemon, id: &str, status: &str) -> Value {
    wait_for(&format!("{id} to be {status}"), || {
        let session = show(daemon, id);
        let now = session["status"].as_str().unwrap_or_default().to_owned();
        assert!(
            now == status || !ENDED.contains(&now.as_str()),
            "{id} ended {now}, not {status}: {session:#}"
        );
        (now == status).then_some(session)
    })
}

/// Asserts exit code `code` and that stderr contains every one of `needles`.
fn assert_fails(output: &std::process::Output, code: i32, needles: &[&str]) {
    assert_eq!(output.status.code(), Some(code), "{}", text(output));
    for needle in needles {
        assert!(
            stderr(output).contains(needle),
            "{needle:?}: {}",
            text(output)
        );
    }
}

fn is_iso_millis(value: &Value) -> bool {
    // 2026-11-28T02:09:17.336Z
    value.as_str().is_some_and(|s| {
        s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.'
    })
}

#[test]
fn a_queued_session_is_followed_to_its_result() {
    // One slot: the hanging session holds it, so "hello" waits in the queue and its follower
    // attaches before anything happens; nothing depends on timing.
    let daemon = Sandbox::new(&[("ORCHESTRATOR_MAX_SESSIONS", "1")]).start_daemon();
    let hang = spawn(&daemon, &["hang"]);
    wait_status(&daemon, &hang, "running");

    let output = daemon.run(&["orchestrator", "session", "spawn", "hello"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let id = stdout(&output).trim().to_owned();
    let note = stderr(&output);
    assert!(
        note.contains(&format!("session {id} queued (position 1 in the queue)")),
        "{note}"
    );
    assert!(
        note.contains(&format!("wundr orchestrator logs --session {id} -f")),
        "{note}"
    );

    let mut follower = daemon.background(&["orchestrator", "logs", "--session", &id, "-f"]);
    assert!(
        follower.wait_line(|line| line.starts_with("[status] queued")),
        "{:?}",
        follower.seen
    );
    let output = daemon.run(&["orchestrator", "session", "stop", &hang]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        stdout(&output),
        format!("session {hang} terminated: stopped on request\n")
    );

    let (code, lines, err) = follower.finish();
    assert_eq!(code, Some(0), "{lines:?}\n{err}");
    for expected in [
        "[task] executing: hello",
        "echo: hello",
        "[task] completed: echo: hello",
        "[status] completed",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected:?} not in {lines:#?}"
        );
    }
    assert_eq!(lines.last().map(String::as_str), Some("[status] completed"));

    let session = wait_status(&daemon, &id, "completed");
    assert_eq!(session["type"], "claude-code");
    assert_eq!(session["task"]["description"], "hello");
    assert_eq!(session["task"]["priority"], "medium");
    assert_eq!(session["metrics"]["tasksCompleted"], 1);
    assert!(
        session["metrics"]["tokensUsed"].as_u64() > Some(0),
        "{session:#}"
    );
    assert_eq!(session["model"], "fixture-model");
    assert_eq!(session["apiKeySource"], "none");
    assert!(
        session["error"].is_null() && session["pid"].is_null(),
        "{session:#}"
    );
    assert!(is_iso_millis(&session["startedAt"]), "{session:#}");
    assert!(is_iso_millis(&session["endedAt"]), "{session:#}");
    assert!(session["memoryContext"].is_object(), "{session:#}");

    // Without -f: what the session did, then its status line; with --transcript: the raw
    // lines the agent printed first.
    let output = daemon.run(&["orchestrator", "logs", "--session", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // (The agent's stderr line may land anywhere among its stdout events.)
    let shown = stdout(&output);
    let mut shown: Vec<&str> = shown
        .lines()
        .filter(|l| !l.starts_with("[stderr]"))
        .collect();
    assert_eq!(shown.pop(), Some("[status] completed"));
    assert_eq!(
        shown,
        [
            "[task] executing: hello",
            "echo: hello",
            "[task] completed: echo: hello"
        ]
    );
    let output = daemon.run(&["orchestrator", "logs", "--session", &id, "--transcript"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("[task] completed: echo: hello\n"),
        "{}",
        text(&output)
    );

    // Stopping what already ended is refused, with the daemon's words.
    let output = daemon.run(&["orchestrator", "session", "stop", &hang]);
    assert_fails(
        &output,
        1,
        &["already ended (terminated)", "hint: see how it ended"],
    );
}

/// On a terminal the session table fits its width (the task is cut), without `COLUMNS`.
#[test]
fn the_session_table_fits_the_terminal() {
    use std::io::Read;

    let daemon = Sandbox::new(&[]).start_daemon();
    let long = "word ".repeat(60);
    let id = spawn(&daemon, &[long.trim()]);
    wait_status(&daemon, &id, "completed");
    let size = nix::pty::Winsize {
        ws_row: 24,
        ws_col: 90,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(Some(&size), None).expect("a pty");
    let mut list = daemon.std_wundr(&["orchestrator", "session", "list"]);
    list.env_remove("COLUMNS")
        .stdout(std::process::Stdio::from(pty.slave.try_clone().unwrap()));
    let status = list.status().expect("run wundr");
    assert!(status.success());
    // Every copy of the slave side must close, or reading the master never ends.
    drop(list);
    drop(pty.slave);
    let mut shown = Vec::new();
    // Reading the master ends with EIO once the slave side is closed and drained.
    let _ = std::fs::File::from(pty.master).read_to_end(&mut shown);
    let shown = String::from_utf8_lossy(&shown);
    assert!(shown.contains(&id), "{shown}");
    for line in shown.lines() {
        assert!(
            line.trim_end().chars().count() <= 90,
            "{line:?} is wider than 90"
        );
    }
}

/// A unique prefix of a session id names the session everywhere an id is taken (as git and
/// docker take ids); one that names several is refused with some of them.
#[test]
fn a_unique_prefix_names_a_session() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let first = spawn(&daemon, &["hello"]);
    let second = spawn(&daemon, &["hang"]);
    wait_status(&daemon, &first, "completed");
    wait_status(&daemon, &second, "running");
    let short = &second["session_".len()..second.len() - 3];
    let output = daemon.run(&["orchestrator", "session", "show", short]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains(&second), "{}", text(&output));
    let output = daemon.run(&[
        "orchestrator",
        "logs",
        "--session",
        &first[..first.len() - 2],
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains("echo: hello"), "{}", text(&output));
    assert_fails(
        &daemon.run(&["orchestrator", "session", "stop", "session_"]),
        1,
        &[
            "session_ names more than one session",
            "hint: give more of the session id",
        ],
    );
    let output = daemon.run(&["orchestrator", "session", "stop", short]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        stdout(&output),
        format!("session {second} terminated: stopped on request\n")
    );
}

/// What a session did survives a daemon restart: `logs --session` shows its turns from the
/// session's history file, and `-n` keeps the last lines of them.
#[test]
fn a_sessions_turns_are_shown_after_a_restart() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let id = spawn(&daemon, &["hello"]);
    wait_status(&daemon, &id, "completed");
    // `-p 0`: a restart takes its own flags, and 8787 may be a daemon the user runs.
    let output = daemon.run(&["orchestrator", "restart", "-p", "0"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let output = daemon.run(&["orchestrator", "logs", "--session", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let all = stdout(&output);
    // (The agent's stderr line may land anywhere among its stdout events.)
    let shown: Vec<&str> = all.lines().filter(|l| !l.starts_with("[stderr]")).collect();
    assert_eq!(
        shown,
        [
            "[task] executing: hello",
            "echo: hello",
            "[task] completed: echo: hello",
            "[status] completed"
        ],
        "{}",
        text(&output)
    );
    let output = daemon.run(&["orchestrator", "logs", "--session", &id, "-n", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let lines: Vec<&str> = all.lines().collect();
    let tail = lines[lines.len() - 3..].join("\n") + "\n";
    assert_eq!(stdout(&output), tail);
}

#[test]
fn a_failing_task_ends_failed_with_its_error() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let id = spawn(&daemon, &["please", "fail"]);
    let session = wait_status(&daemon, &id, "failed");
    assert_eq!(session["error"], "fixture failure", "{session:#}");
    assert_eq!(session["task"]["description"], "please fail");

    // Following an ended session prints what it did and its final status, and exits 1 since
    // it failed.
    let output = daemon.run(&["orchestrator", "logs", "--session", &id, "-f"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let shown = stdout(&output);
    let shown: Vec<&str> = shown
        .lines()
        .filter(|l| !l.starts_with("[stderr]"))
        .collect();
    assert_eq!(
        shown[shown.len() - 2..],
        [
            "[task] failed: fixture failure",
            "[status] failed: fixture failure"
        ],
        "{}",
        text(&output)
    );
    assert_eq!(stderr(&output), "");
    let output = daemon.run(&[
        "orchestrator",
        "logs",
        "--session",
        &id,
        "-f",
        "--transcript",
    ]);
    assert!(
        stdout(&output).contains("[task] failed: fixture failure\n"),
        "{}",
        text(&output)
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    // Without -f it only shows the session: exit 0.
    let output = daemon.run(&["orchestrator", "logs", "--session", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let output = daemon.run(&["orchestrator", "session", "show", &id]);
    assert!(
        stdout(&output).contains("error            fixture failure\n"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_hanging_session_pauses_unpauses_and_stops() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let id = spawn(&daemon, &["hang"]);
    wait_status(&daemon, &id, "running");

    let output = daemon.run(&["orchestrator", "session", "pause", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(stdout(&output), format!("session {id} paused\n"));
    assert_eq!(show(&daemon, &id)["status"], "paused");

    let output = daemon.run(&["orchestrator", "session", "unpause", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(stdout(&output), format!("session {id} running\n"));
    let session = show(&daemon, &id);
    assert_eq!(session["status"], "running");
    assert!(session["pid"].as_u64() > Some(1), "{session:#}");

    let output = daemon.run(&["orchestrator", "session", "stop", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).starts_with(&format!("session {id} terminated")),
        "{}",
        text(&output)
    );
    let session = show(&daemon, &id);
    assert_eq!(session["status"], "terminated");
    assert_eq!(session["error"], "stopped on request");

    let output = daemon.run(&["orchestrator", "session", "stop", &id]);
    assert_fails(&output, 1, &["already ended"]);
    // Following a terminated session exits 1.
    let output = daemon.run(&["orchestrator", "logs", "--session", &id, "-f"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).ends_with("[status] terminated: stopped on request\n"),
        "{}",
        text(&output)
    );
    let output = daemon.run(&["orchestrator", "session", "pause", &id]);
    assert_fails(&output, 1, &["is not running", "hint: see its status"]);
}

#[test]
fn send_resumes_a_completed_session() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let output = daemon.run(&[
        "orchestrator",
        "session",
        "spawn",
        "--json",
        "--priority",
        "high",
        "--task-type",
        "code",
        "--orchestrator",
        "o1",
        "--type",
        "claude-code",
        "hello",
        "there",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let spawned: Value = serde_json::from_slice(&output.stdout).expect("spawn --json");
    assert_eq!(spawned["task"]["description"], "hello there");
    assert_eq!(spawned["task"]["priority"], "high");
    assert_eq!(spawned["task"]["type"], "code");
    assert_eq!(spawned["orchestratorId"], "o1");
    let id = spawned["id"].as_str().expect("id").to_owned();
    wait_status(&daemon, &id, "completed");

    let output = daemon.run(&["orchestrator", "session", "send", &id, "once", "more"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let line = stdout(&output);
    let status = line
        .strip_prefix(&format!("session {id} "))
        .unwrap_or_default()
        .trim();
    // The reply shows the session back in business, not the old completed state.
    assert!(
        ["queued", "initializing", "running"].contains(&status),
        "{}",
        text(&output)
    );
    // The turn's result counts before its process has exited and the session is completed.
    let session = wait_for("the second turn to complete", || {
        let session = show(&daemon, &id);
        (session["metrics"]["tasksCompleted"] == 2 && session["status"] == "completed")
            .then_some(session)
    });
    assert!(session["error"].is_null(), "{session:#}");
    let output = daemon.run(&["orchestrator", "logs", "--session", &id, "--transcript"]);
    assert!(
        stdout(&output).contains("[task] completed: echo: once more\n"),
        "{}",
        text(&output)
    );
}

#[test]
fn bad_requests_are_explained() {
    let daemon = Sandbox::new(&[]).start_daemon();
    for args in [
        &["session", "show", "nope"][..],
        &["session", "stop", "nope"],
        &["session", "pause", "nope"],
        &["session", "unpause", "nope"],
        &["session", "send", "nope", "hi"],
        &["logs", "--session", "nope", "-f"],
        &["session", "wait", "nope"],
    ] {
        let mut full = vec!["orchestrator"];
        full.extend_from_slice(args);
        let output = daemon.run(&full);
        assert_fails(
            &output,
            1,
            &[
                "error: Session not found: nope",
                "hint: list sessions with: wundr orchestrator session list",
            ],
        );
    }
    let output = daemon.run(&["orchestrator", "session", "spawn", ""]);
    assert_fails(&output, 1, &["invalid task.description: must not be empty"]);
    let output = daemon.run(&["orchestrator", "session", "spawn"]);
    assert_fails(&output, 2, &["TASK"]);
    let output = daemon.run(&["orchestrator", "session", "spawn", "--task-type", "x", "hi"]);
    assert_fails(&output, 2, &["--task-type"]);
    let output = daemon.run(&[
        "orchestrator",
        "session",
        "spawn",
        "--workdir",
        "/nonexistent",
        "hi",
    ]);
    assert_fails(
        &output,
        1,
        &[
            "/nonexistent does not exist",
            "hint: pass an existing directory",
        ],
    );

    // A relative --workdir names a directory here, not in the daemon's cwd.
    std::fs::create_dir_all(daemon.path("project")).expect("mkdir");
    let output = daemon
        .wundr(&[
            "orchestrator",
            "session",
            "spawn",
            "--workdir",
            "project",
            "hello",
        ])
        .current_dir(daemon.path(""))
        .output()
        .expect("run wundr");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let relative = stdout(&output).trim().to_owned();
    let session = wait_status(&daemon, &relative, "completed");
    assert_eq!(
        session["workDir"],
        daemon.path("project").display().to_string()
    );

    // Without --workdir the agent works where wundr was run; --scratch asks for an empty
    // directory of the daemon's own.
    let here = spawn(&daemon, &["hello"]);
    let session = wait_status(&daemon, &here, "completed");
    assert_eq!(session["workDir"], daemon.path("cwd").display().to_string());
    let scratch = spawn(&daemon, &["--scratch", "hello"]);
    let session = wait_status(&daemon, &scratch, "completed");
    let work_dir = session["workDir"].as_str().unwrap();
    assert!(
        work_dir.starts_with(&daemon.path("data").display().to_string())
            && work_dir.ends_with(&format!("sessions/{scratch}/work")),
        "{session:#}"
    );

    let other = spawn(&daemon, &["hello"]);
    let output = daemon.run(&["orchestrator", "session", "list", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let list: Value = serde_json::from_slice(&output.stdout).expect("list --json");
    let ids: Vec<&str> = list
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            relative.as_str(),
            here.as_str(),
            scratch.as_str(),
            other.as_str()
        ]
    );
    let output = daemon.run(&["orchestrator", "session", "list"]);
    let table = stdout(&output);
    assert!(table.starts_with("ID "), "{table}");
    assert!(
        table.contains(&other) && table.contains("claude-code"),
        "{table}"
    );
}

/// The one JSON object a failed `--json` command prints on stderr (nothing on stdout).
fn json_error(output: &std::process::Output, exit: i32) -> Value {
    assert_eq!(output.status.code(), Some(exit), "{}", text(output));
    assert_eq!(stdout(output), "", "results only go to stdout");
    let lines: Vec<&str> = std::str::from_utf8(&output.stderr)
        .expect("utf-8")
        .lines()
        .collect();
    assert_eq!(lines.len(), 1, "one line: {}", text(output));
    let error: Value = serde_json::from_str(lines[0]).expect("stderr is JSON");
    let fields: Vec<&String> = error["error"]
        .as_object()
        .expect("an error")
        .keys()
        .collect();
    assert_eq!(
        fields,
        ["causes", "code", "exitCode", "message", "remedy"],
        "{error:#}"
    );
    assert_eq!(error["error"]["exitCode"], exit);
    error["error"].clone()
}

#[test]
fn json_errors_are_one_object_with_the_reason_and_the_hint() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let error = json_error(
        &daemon.run(&["orchestrator", "session", "show", "nope", "--json"]),
        1,
    );
    assert_eq!(error["code"], "SESSION_NOT_FOUND");
    assert_eq!(error["message"], "Session not found: nope");
    assert_eq!(error["causes"], serde_json::json!([]));
    assert_eq!(
        error["remedy"],
        "list sessions with: wundr orchestrator session list"
    );
    let error = json_error(
        &daemon.run(&[
            "orchestrator",
            "session",
            "spawn",
            "--workdir",
            "/nonexistent",
            "--json",
            "hi",
        ]),
        1,
    );
    assert_eq!(error["code"], "WORKDIR_NOT_FOUND");
    assert_eq!(error["remedy"], "pass an existing directory with --workdir");
    // Without --json the same failure is the text lines, hint included.
    let output = daemon.run(&["orchestrator", "session", "show", "nope"]);
    assert_fails(
        &output,
        1,
        &["error: Session not found: nope", "hint: list sessions with"],
    );
    assert!(!stderr(&output).contains('{'), "{}", text(&output));

    // The CLI's own errors have codes too, and keep their exit code.
    let sandbox = Sandbox::new(&[]);
    let error = json_error(
        &sandbox.run(&["orchestrator", "session", "list", "--json"]),
        3,
    );
    assert_eq!(error["code"], "DAEMON_NOT_RUNNING");
    assert_eq!(error["remedy"], "start it with: wundr orchestrator start");
}

#[test]
fn session_commands_without_daemon_exit_3() {
    let sandbox = Sandbox::new(&[]);
    for args in [
        &["session", "list"][..],
        &["session", "spawn", "hi"],
        &["logs", "--session", "s", "-f"],
        &["session", "wait", "s"],
    ] {
        let mut full = vec!["orchestrator"];
        full.extend_from_slice(args);
        let output = sandbox.run(&full);
        assert_fails(
            &output,
            3,
            &[
                "orchestrator daemon is not running",
                "wundr orchestrator start",
            ],
        );
    }
}

const ESCALATING_CHARTER: &str = "name: wait\nsafetyHeuristics:\n  escalate:\n    - \"terraform apply*\"\napprovalTimeoutSeconds: 60\n";

#[test]
fn session_wait_says_how_a_session_ended_or_that_it_needs_a_person() {
    let dir = tempfile::tempdir().expect("temp dir");
    let charter = dir.path().join("charter.yaml");
    std::fs::write(&charter, ESCALATING_CHARTER).expect("charter");
    let daemon =
        Sandbox::new(&[("ORCHESTRATOR_CHARTER", charter.to_str().expect("utf-8"))]).start_daemon();
    let wait = |id: &str, extra: &[&str]| {
        let mut args = vec!["orchestrator", "session", "wait", id];
        args.extend_from_slice(extra);
        daemon.run(&args)
    };

    // Waited for from the start, and once it has ended.
    let hello = spawn(&daemon, &["hello"]);
    for _ in 0..2 {
        let output = wait(&hello, &[]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert_eq!(stdout(&output), format!("session {hello} completed\n"));
    }
    let fail = spawn(&daemon, &["fail"]);
    let output = wait(&fail, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(
        stdout(&output),
        format!("session {fail} failed: fixture failure\n")
    );

    // Still running when the time runs out.
    let hang = spawn(&daemon, &["hang"]);
    wait_status(&daemon, &hang, "running");
    let output = wait(&hang, &["--timeout", "1"]);
    assert_fails(
        &output,
        124,
        &[&format!("session {hang} is still running after 1s")],
    );

    // Its agent asks before a tool call: a person is needed (exit 4), for a waiter that was
    // already waiting and for a new one. It asks once the cue file exists.
    let cue = dir.path().join("ask-now");
    let asks = spawn(
        &daemon,
        &[&format!("until:{} ask:Bash terraform apply", cue.display())],
    );
    wait_status(&daemon, &asks, "running");
    let waiter = daemon.background(&["orchestrator", "session", "wait", &asks]);
    std::fs::write(&cue, "").expect("cue");
    let (code, lines, err) = waiter.finish();
    assert_eq!(code, Some(4), "{lines:?}\n{err}");
    let approval = lines
        .first()
        .and_then(|l| l.split_whitespace().nth(5))
        .map(|id| id.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    assert!(approval.starts_with("approval_"), "{lines:?}");
    assert_eq!(
        lines,
        [format!(
            "session {asks} waits for approval {approval}: Bash `terraform apply` (rule \
             escalate: terraform apply*); answer with: wundr orchestrator approval \
             approve|deny {approval}"
        )]
    );
    let output = wait(&asks, &[]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    let output = daemon.run(&["orchestrator", "approval", "deny", &approval]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // Denied, the agent goes on and its turn completes.
    let output = wait(&asks, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // A question: how to answer it.
    let question = spawn(&daemon, &["ask:AskUserQuestion Which database?"]);
    let output = wait(&question, &[]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    let id = stdout(&output)
        .split_whitespace()
        .nth(5)
        .map(|id| id.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    assert_eq!(
        stdout(&output),
        format!(
            "session {question} waits for answer {id}: Which database?; answer with: wundr \
             orchestrator approval answer {id} \"TEXT\"\n"
        )
    );

    // Stopped while being waited for: terminated, exit 1.
    let waiter = daemon.background(&["orchestrator", "session", "wait", &hang]);
    let output = daemon.run(&["orchestrator", "session", "stop", &hang]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (code, lines, err) = waiter.finish();
    assert_eq!(code, Some(1), "{lines:?}\n{err}");
    assert_eq!(
        lines,
        [format!("session {hang} terminated: stopped on request")]
    );
}

/// Enough sessions that their list is far over gRPC's 4 MiB message limit in one piece.
const MANY: usize = 2_000;

/// Spawns `MANY` sessions with 2 KiB tasks over gRPC from four clients and stops each while
/// it is queued (so no agent runs for it); returns their ids. Each task's words are its own,
/// so no spawn finds the others' memories.
fn many_stopped_sessions(socket: std::path::PathBuf) -> Vec<String> {
    use orchestrator_api::v1;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let channel = orchestrator_api::connect(&socket).await.unwrap();
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let mut client = v1::sessions_client::SessionsClient::new(channel.clone());
                tokio::spawn(async move {
                    let mut ids = Vec::new();
                    for i in (worker..MANY).step_by(4) {
                        let request = v1::SpawnSessionRequest {
                            task: Some(v1::TaskSpec {
                                description: (0..256).map(|w| format!("s{i}w{w} ")).collect(),
                                ..Default::default()
                            }),
                            ..Default::default()
                        };
                        let id = client.spawn(request).await.unwrap().into_inner().id;
                        let stop = v1::SessionRef {
                            session_id: id.clone(),
                        };
                        client.stop(stop).await.unwrap();
                        ids.push(id);
                    }
                    ids
                })
            })
            .collect();
        let mut ids = Vec::new();
        for worker in workers {
            ids.extend(worker.await.unwrap());
        }
        ids
    })
}

#[test]
fn two_thousand_sessions_list_whole_and_filtered() {
    let daemon = Sandbox::new(&[("ORCHESTRATOR_MAX_SESSIONS", "1")]).start_daemon();
    let running = spawn(&daemon, &["hang"]);
    wait_status(&daemon, &running, "running");
    let mut ids = many_stopped_sessions(daemon.socket());

    let output = daemon.run(&["orchestrator", "session", "list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let listed: Vec<String> = stdout(&output)
        .lines()
        .skip(1)
        .map(|row| row.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert_eq!(listed.len(), MANY + 1, "every session, once");
    assert_eq!(listed[0], running, "oldest first");
    let mut rest = listed[1..].to_vec();
    rest.sort();
    ids.sort();
    assert_eq!(rest, ids);

    let output = daemon.run(&["orchestrator", "session", "list", "--limit", "3", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let newest: Value = serde_json::from_slice(&output.stdout).unwrap();
    let newest: Vec<&str> = newest
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(newest, listed[MANY - 2..], "the newest three, oldest first");

    let output = daemon.run(&[
        "orchestrator",
        "session",
        "list",
        "--status",
        "active,queued",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let printed = stdout(&output);
    let rows: Vec<&str> = printed.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with(&running));

    let output = daemon.run(&["orchestrator", "session", "list", "--status", "paused"]);
    assert_eq!(stdout(&output), "no sessions with that status\n");
    let output = daemon.run(&["orchestrator", "session", "list", "--status", "nope"]);
    assert_fails(&output, 2, &["not a status"]);
}

#[test]
fn spawn_warns_when_claude_bin_here_is_not_what_the_daemon_runs() {
    let daemon = Sandbox::new(&[]).start_daemon();
    // The same CLAUDE_BIN as the daemon's (the sandbox's fixture agent): nothing to say.
    let output = daemon.run(&["orchestrator", "session", "spawn", "hello"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(!stderr(&output).contains("CLAUDE_BIN"), "{}", text(&output));

    let output = daemon
        .wundr(&["orchestrator", "session", "spawn", "hello"])
        .env("CLAUDE_BIN", "/elsewhere/claude")
        .output()
        .expect("run wundr");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let err = stderr(&output);
    assert!(
        err.contains("warning: CLAUDE_BIN=/elsewhere/claude in this shell does not change")
            && err.contains("fixture-agent (from CLAUDE_BIN)")
            && err.contains("agents.claude-code.command"),
        "{err}"
    );
}
