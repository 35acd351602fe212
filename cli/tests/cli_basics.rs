//! The real `wundr` binary on everything that needs no daemon: help and exit codes,
//! completions, and `status`/`stop`/`logs` against a temp socket nobody listens on. Every run
//! gets its own HOME and XDG directories so nothing of the user's is read or written.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

/// An isolated home: HOME and XDG_* inside a temp dir, and a socket path in it.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn socket(&self) -> PathBuf {
        self.path("run/wundr/orchestrator.sock")
    }

    /// Where the daemon logs under this sandbox's XDG_STATE_HOME (see `DaemonPaths`).
    fn log_file(&self) -> PathBuf {
        self.path("state/wundr/orchestrator/daemon.log")
    }

    /// `wundr <args>` in the sandbox, with `--socket` pointing into it.
    fn wundr(&self, args: &[&str]) -> Command {
        let mut cmd = cargo_bin_cmd!("wundr");
        cmd.env("HOME", self.path("home"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env_remove("WUNDR_ORCHESTRATOR_SOCKET")
            .arg("--socket")
            .arg(self.socket())
            .args(args);
        cmd
    }
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_log(path: &Path, lines: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text: String = (1..=lines).map(|i| format!("log line {i}\n")).collect();
    fs::write(path, text).unwrap();
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let output = cargo_bin_cmd!("wundr").arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = stdout_of(&output);
    for expected in ["orchestrator", "completions", "--socket", "Exit codes:"] {
        assert!(
            help.contains(expected),
            "{expected:?} missing from:\n{help}"
        );
    }
    assert!(help.contains("3  the orchestrator daemon is not running"));

    let output = cargo_bin_cmd!("wundr")
        .args(["orchestrator", "--help"])
        .output()
        .unwrap();
    let help = stdout_of(&output);
    for expected in ["start", "status", "logs", "stop", "restart"] {
        assert!(
            help.contains(expected),
            "{expected:?} missing from:\n{help}"
        );
    }
}

#[test]
fn version_prints_the_version() {
    let output = cargo_bin_cmd!("wundr").arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        stdout_of(&output).trim(),
        format!("wundr {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_each_shell_are_non_empty() {
    for shell in ["bash", "zsh", "fish"] {
        let output = cargo_bin_cmd!("wundr")
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr_of(&output));
        let script = stdout_of(&output);
        // A registration that calls `wundr` back (cli/tests/completion.rs runs it).
        assert!(
            script.contains(&format!("WUNDR_COMPLETE=\"{shell}\""))
                || script.contains(&format!("WUNDR_COMPLETE={shell} wundr")),
            "{shell} script: {script}"
        );
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let output = cargo_bin_cmd!("wundr")
        .args(["orchestrator", "status", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--bogus"));
}

#[test]
fn status_without_daemon_exits_3() {
    let sandbox = Sandbox::new();
    let output = sandbox.wundr(&["orchestrator", "status"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("orchestrator daemon is not running"),
        "{text}"
    );
    assert!(
        text.contains(&sandbox.socket().display().to_string()),
        "{text}"
    );
    assert!(text.contains("wundr orchestrator start"), "{text}");
}

#[test]
fn status_json_without_daemon_says_not_running() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .wundr(&["orchestrator", "status", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["running"], false);
    assert_eq!(value["socket"], sandbox.socket().display().to_string());
}

#[test]
fn stale_socket_file_counts_as_not_running() {
    let sandbox = Sandbox::new();
    fs::create_dir_all(sandbox.socket().parent().unwrap()).unwrap();
    // A socket file nobody listens on: what a crashed daemon leaves behind.
    drop(std::os::unix::net::UnixListener::bind(sandbox.socket()).unwrap());
    let output = sandbox.wundr(&["orchestrator", "status"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
}

#[test]
fn stop_without_daemon_exits_0() {
    let sandbox = Sandbox::new();
    let output = sandbox.wundr(&["orchestrator", "stop"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("orchestrator daemon is not running"));
    let output = sandbox
        .wundr(&["orchestrator", "stop", "--force"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
}

#[cfg(target_os = "linux")]
#[test]
fn logs_without_daemon_or_file_exits_3_naming_the_path() {
    let sandbox = Sandbox::new();
    let output = sandbox.wundr(&["orchestrator", "logs"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let text = stderr_of(&output);
    assert!(
        text.contains(&sandbox.log_file().display().to_string()),
        "{text}"
    );
    assert!(text.contains("wundr orchestrator start"), "{text}");
}

#[cfg(target_os = "linux")]
#[test]
fn logs_without_daemon_prints_the_end_of_the_file() {
    let sandbox = Sandbox::new();
    write_log(&sandbox.log_file(), 80);
    let output = sandbox
        .wundr(&["orchestrator", "logs", "-n", "3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stdout_of(&output),
        "log line 78\nlog line 79\nlog line 80\n"
    );
    let note = stderr_of(&output);
    assert!(note.contains("not running; showing"), "{note}");
    assert!(
        note.contains(&sandbox.log_file().display().to_string()),
        "{note}"
    );

    // The default is 50 lines.
    let output = sandbox.wundr(&["orchestrator", "logs"]).output().unwrap();
    let text = stdout_of(&output);
    assert_eq!(text.lines().count(), 50);
    assert!(text.starts_with("log line 31\n"));

    // --json: one JSON Lines record per line; these are not the daemon's `TIME LEVEL TARGET:`
    // lines, so they are kept whole.
    let output = sandbox
        .wundr(&["orchestrator", "logs", "-n", "1", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stdout_of(&output),
        "{\"time\":null,\"level\":null,\"target\":null,\"message\":\"log line 80\"}\n"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn logs_follow_without_daemon_shows_the_file_then_refuses_to_follow() {
    let sandbox = Sandbox::new();
    write_log(&sandbox.log_file(), 2);
    let output = sandbox
        .wundr(&["orchestrator", "logs", "--follow"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(stdout_of(&output), "log line 1\nlog line 2\n");
    assert!(stderr_of(&output).contains("cannot follow"));
}
