//! The daemon's lifecycle through the real `wundr` and `orchestrator-daemon` binaries:
//! start, status, logs (also followed while the daemon stops), stop; starting twice; and
//! starting again after the daemon was SIGKILLed, leaving a stale socket behind; `config
//! validate` and a `restart` that refuses a configuration the new daemon would not start with;
//! `doctor` and `status` on present and missing agent programs; `stop -t N` telling the
//! daemon N.

use crate::common;

use common::{Daemon, Sandbox, stderr, stdout, text, wait_for};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

fn status_json(daemon: &Daemon) -> (Option<i32>, Value) {
    let output = daemon.run(&["orchestrator", "status", "--json"]);
    let value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("status --json prints JSON ({err}): {}", text(&output)));
    (output.status.code(), value)
}

#[test]
fn start_status_logs_follow_and_stop() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let (code, status) = status_json(&daemon);
    assert_eq!(code, Some(0), "{status:#}");
    assert_eq!(status["running"], true);
    assert_eq!(status["state"], "running");
    assert_eq!(status["socket"], daemon.socket().display().to_string());

    let output = daemon.run(&["orchestrator", "logs", "-n", "5"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("orchestrator daemon started"),
        "{}",
        text(&output)
    );
    assert!(stdout(&output).lines().count() <= 5, "{}", text(&output));

    // A follower that has printed the backlog is attached; stopping the daemon ends it.
    let mut follower = daemon.background(&["orchestrator", "logs", "-f", "-n", "1"]);
    assert!(follower.wait_line(|_| true), "no backlog line");
    let output = daemon.run(&["orchestrator", "stop"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("orchestrator daemon stopped"),
        "{}",
        text(&output)
    );
    let (code, lines, err) = follower.finish();
    assert_eq!(code, Some(0), "{lines:?}\n{err}");
    assert!(err.contains("daemon stopped"), "{err}");

    let (code, status) = status_json(&daemon);
    assert_eq!(code, Some(3), "{status:#}");
    assert_eq!(status["running"], false);
}

#[test]
fn starting_twice_reports_the_running_daemon() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let (_, status) = status_json(&daemon);
    let output = daemon.run(&["orchestrator", "start", "-p", "0"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let said = stdout(&output);
    assert!(said.contains("already running"), "{}", text(&output));
    assert!(
        said.contains(&format!("pid {}", status["pid"])),
        "{}",
        text(&output)
    );
    assert_eq!(status_json(&daemon).1["pid"], status["pid"]);
}

#[test]
fn start_after_sigkill_replaces_the_stale_socket() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let (_, status) = status_json(&daemon);
    let pid = status["pid"].as_i64().and_then(|p| i32::try_from(p).ok());
    let pid = pid.filter(|p| *p > 1).expect("a daemon pid");
    kill(Pid::from_raw(pid), Signal::SIGKILL).expect("SIGKILL the daemon");
    // The socket file stays, but nothing answers on it once the process is gone.
    // While the process dies, a probe may still connect and then fail (exit 1): poll on.
    wait_for("the killed daemon to stop answering", || {
        let output = daemon.run(&["orchestrator", "status"]);
        (output.status.code() == Some(3)).then_some(())
    });
    assert!(daemon.socket().exists(), "the test needs a stale socket");

    let output = daemon.run(&["orchestrator", "start", "-p", "0"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("orchestrator daemon started"),
        "{}",
        text(&output)
    );
    let (code, again) = status_json(&daemon);
    assert_eq!(code, Some(0), "{again:#}");
    assert_ne!(again["pid"], status["pid"]);
}

#[test]
fn starting_twice_at_once_succeeds_twice_with_one_daemon() {
    // The guard stops whatever daemon the races leave, even when an assertion fails.
    let daemon = Daemon {
        sandbox: Sandbox::new(&[]),
    };
    for round in 0..3 {
        let racers: Vec<_> = (0..2)
            .map(|_| daemon.background(&["orchestrator", "start", "-p", "0"]))
            .collect();
        let outcomes: Vec<_> = racers.into_iter().map(|r| r.finish()).collect();
        for (code, lines, err) in &outcomes {
            assert_eq!(*code, Some(0), "round {round}: {lines:?}\n{err}");
        }
        let said: Vec<String> = outcomes
            .iter()
            .map(|(_, lines, _)| lines.join("\n"))
            .collect();
        assert!(
            said.iter().any(|s| s.contains("already running")),
            "one of them found the other's daemon: {said:?}"
        );
        let output = daemon.run(&["orchestrator", "stop"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
}

#[test]
fn config_validate_says_ok_or_names_the_line_and_the_remedy() {
    let sandbox = Sandbox::new(&[]);
    // No file at the default path: the defaults are fine.
    let output = sandbox.run(&["orchestrator", "config", "validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).starts_with("ok: no config file"),
        "{}",
        text(&output)
    );

    let default_file = sandbox.path("config/wundr/orchestrator.yaml");
    std::fs::create_dir_all(default_file.parent().unwrap()).unwrap();
    std::fs::write(&default_file, "port: 9100\nmaxSessions: 7\n").unwrap();
    let output = sandbox.run(&["orchestrator", "config", "validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let said = stdout(&output);
    assert!(
        said.contains(&format!("ok: config file {}", default_file.display())),
        "{said}"
    );
    assert!(
        said.contains("port 9100") && said.contains("max sessions 7"),
        "{said}"
    );

    // A Ray cluster is named, and a runner that needs one it lacks is refused.
    let ray = sandbox.path("ray.yaml");
    std::fs::write(
        &ray,
        "runner: ray\nray: {address: \"http://127.0.0.1:8265\"}\n",
    )
    .unwrap();
    let output = sandbox.run(&["orchestrator", "config", "validate", ray.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("runner ray by default; Ray cluster http://127.0.0.1:8265"),
        "{}",
        text(&output)
    );
    std::fs::write(&ray, "runner: ray\n").unwrap();
    let output = sandbox.run(&["orchestrator", "config", "validate", ray.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(stderr(&output).contains("ray.address"), "{}", text(&output));

    let bad = sandbox.path("bad.yaml");
    std::fs::write(&bad, "port: 9100\nmaxSesions: 3\n").unwrap();
    let output = sandbox.run(&["orchestrator", "config", "validate", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let err = stderr(&output);
    assert!(
        err.contains("bad.yaml at line 2, column 1") && err.contains("maxSesions"),
        "{err}"
    );
    assert!(err.contains("hint: fix the file"), "{err}");

    let charter = sandbox.path("charter.yaml");
    std::fs::write(&charter, "name: x\ntier: 5\n").unwrap();
    std::fs::write(&bad, format!("charter: {}\n", charter.display())).unwrap();
    let output = sandbox.run(&["orchestrator", "config", "validate", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("charter.yaml:2:"),
        "{}",
        text(&output)
    );
    assert!(stderr(&output).contains("is invalid"), "{}", text(&output));
}

#[test]
fn restart_with_a_broken_config_or_charter_leaves_the_daemon_running() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let (_, before) = status_json(&daemon);
    let bad = daemon.path("bad.yaml");
    std::fs::write(&bad, "port: 0\nmaxSesions: 3\n").unwrap();
    let charter = daemon.path("charter.yaml");
    std::fs::write(&charter, "name: x\ntier: 5\n").unwrap();
    let bad_charter = daemon.path("bad-charter.yaml");
    std::fs::write(
        &bad_charter,
        format!("port: 0\ncharter: {}\n", charter.display()),
    )
    .unwrap();

    for (config, names) in [(&bad, "maxSesions"), (&bad_charter, "charter.yaml:2:")] {
        let output = daemon.run(&["orchestrator", "restart", "-c", config.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let (code, after) = status_json(&daemon);
        assert_eq!(code, Some(0), "the daemon still runs: {}", text(&output));
        assert_eq!(after["pid"], before["pid"], "and was not restarted");
        let err = stderr(&output);
        assert!(
            err.contains("not restarting") && err.contains(names),
            "{err}"
        );
    }
}

/// `doctor --json` in `sandbox`: its exit code and the check named `name`.
fn doctor_check(sandbox: &Sandbox, name: &str) -> (Option<i32>, Value) {
    let output = sandbox.run(&["orchestrator", "doctor", "--json"]);
    let value: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("doctor --json prints JSON ({err}): {}", text(&output)));
    let check = value["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["name"] == name).cloned())
        .unwrap_or_else(|| panic!("no {name} check: {value:#}"));
    (output.status.code(), check)
}

fn write_config(sandbox: &Sandbox, text: &str) {
    let file = sandbox.path("config/wundr/orchestrator.yaml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

#[test]
fn doctor_finds_the_agent_program_or_fails_naming_where_to_set_it() {
    // The sandbox's CLAUDE_BIN is the fixture agent, which answers --version.
    let present = Sandbox::new(&[]);
    write_config(&present, "port: 0\n");
    let (code, check) = doctor_check(&present, "claude-code");
    assert_eq!(code, Some(0), "{check:#}");
    assert_eq!(check["status"], "ok", "{check:#}");
    let detail = check["detail"].as_str().unwrap();
    assert!(
        detail.contains("fixture-agent (0.0.0 (fixture-agent"),
        "{detail}"
    );
    assert!(detail.ends_with("from CLAUDE_BIN"), "{detail}");
    let output = present.run(&["orchestrator", "doctor"]);
    assert!(
        stdout(&output).contains("ok    claude-code"),
        "{}",
        text(&output)
    );

    let missing = Sandbox::new(&[("CLAUDE_BIN", "/nonexistent/claude")]);
    write_config(&missing, "port: 0\n");
    let (code, check) = doctor_check(&missing, "claude-code");
    assert_eq!(code, Some(1), "{check:#}");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .contains("not found: /nonexistent/claude")
    );
    let remedy = check["remedy"].as_str().unwrap();
    assert!(
        remedy.contains("daemon's environment") && remedy.contains("agents.claude-code.command"),
        "{remedy}"
    );
    let output = missing.run(&["orchestrator", "doctor"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stderr(&output).contains("1 doctor check failed"),
        "{}",
        text(&output)
    );
}

#[test]
fn doctor_reports_the_version_of_the_real_claude_code() {
    let Some(claude) = wundr_test_support::claude::real_claude() else {
        return; // real_claude printed SKIPPED and why
    };
    let sandbox = Sandbox::new(&[("CLAUDE_BIN", claude.to_str().unwrap())]);
    write_config(&sandbox, "port: 0\n");
    let (_, check) = doctor_check(&sandbox, "claude-code");
    assert_eq!(check["status"], "ok", "{check:#}");
    let detail = check["detail"].as_str().unwrap();
    assert!(
        detail.contains("2.1.330") && detail.contains("Claude Code"),
        "{detail}"
    );
}

#[test]
fn doctor_fails_when_another_program_holds_the_port() {
    let sandbox = Sandbox::new(&[]);
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    write_config(&sandbox, &format!("port: {port}\n"));
    let (code, check) = doctor_check(&sandbox, "port");
    assert_eq!(code, Some(1), "{check:#}");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .contains("taken by another program"),
        "{check:#}"
    );
    drop(holder);
}

#[test]
fn status_and_doctor_show_the_daemons_agent_programs() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let output = daemon.run(&["orchestrator", "status"]);
    let said = stdout(&output);
    assert!(said.contains("agents\n  claude-code"), "{said}");
    assert!(said.contains("fixture-agent (from CLAUDE_BIN)"), "{said}");
    let (_, check) = doctor_check(&daemon, "port");
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .ends_with("bound by the daemon"),
        "{check:#}"
    );
    let (_, check) = doctor_check(&daemon, "daemon");
    assert_eq!(check["status"], "ok", "{check:#}");
    drop(daemon);

    // The daemon's own environment decides: a CLAUDE_BIN it cannot run is reported by it.
    let daemon = Sandbox::new(&[("CLAUDE_BIN", "/nonexistent/claude")]).start_daemon();
    let output = daemon.run(&["orchestrator", "status"]);
    let said = stdout(&output);
    assert!(
        said.contains("NOT FOUND: /nonexistent/claude (from CLAUDE_BIN)"),
        "{said}"
    );
    let output = daemon.run(&["orchestrator", "logs", "-n", "100"]);
    let log = stdout(&output);
    assert!(
        log.lines().any(|line| line.contains("WARN")
            && line.contains("agent program not found")
            && line.contains("/nonexistent/claude")),
        "{log}"
    );
    let (code, check) = doctor_check(&daemon, "claude-code");
    assert_eq!(code, Some(1), "{check:#}");
    assert_eq!(check["status"], "fail", "{check:#}");
}

#[test]
fn stop_tells_the_daemon_its_timeout_as_the_grace() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let output = daemon.run(&["orchestrator", "stop", "-t", "3"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let log = std::fs::read_to_string(daemon.path("state/wundr/orchestrator/daemon.log"))
        .expect("the daemon log");
    assert!(
        log.lines()
            .any(|line| line.contains("orchestrator daemon stopping") && line.contains("grace=3s")),
        "the daemon stops within the 3 s it was given, not its own 10 s:\n{log}"
    );
}

#[test]
fn start_and_restart_on_a_taken_port_print_whole_lines_on_stderr_only() {
    let sandbox = Sandbox::new(&[]);
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    for command in ["start", "restart"] {
        let output = sandbox.run(&["orchestrator", command, "-p", &port]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        assert_eq!(stdout(&output), "", "{command}: {}", text(&output));
        let err = stderr(&output);
        let lines: Vec<&str> = err.lines().collect();
        assert!(err.ends_with('\n'), "{command}: {err:?}");
        assert!(
            lines.len() == 2
                && lines[0].starts_with("error: ")
                && lines[0].contains(&format!("port {port} on 127.0.0.1 is in use"))
                && lines[1].starts_with("hint: "),
            "{command}: one error line and one hint line: {err:?}"
        );
        assert!(!err.contains("not running"), "{command}: {err:?}");
    }
    drop(holder);
}
