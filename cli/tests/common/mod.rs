//! What the daemon-backed CLI tests share: [`Sandbox`] (an isolated HOME/XDG_* temp dir with
//! the socket inside it), [`Daemon`] (a real `orchestrator-daemon` started with `wundr
//! orchestrator start -p 0` and the `fixture-agent` as `claude`, always stopped on drop),
//! [`Background`] (a `wundr` run whose stdout is read line by line while it runs) and
//! [`wait_for`] (bounded polling).

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

/// How long anything a test waits for may take on a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

/// Variables of the user's environment that would change what the daemon or CLI does.
const FOREIGN_ENV: &[&str] = &[
    "WUNDR_ORCHESTRATOR_SOCKET",
    "ORCHESTRATOR_DAEMON_PORT",
    "ORCHESTRATOR_DAEMON_HOST",
    "ORCHESTRATOR_MAX_SESSIONS",
    "ORCHESTRATOR_VERBOSE",
    "DAEMON_PORT",
    "DAEMON_HOST",
    "CLAUDE_BIN",
    "FIXTURE_AGENT_SCRIPT",
    "FIXTURE_AGENT_API_KEY_SOURCE",
    "RUST_LOG",
];

/// The directory cargo put `wundr` in (and the daemon's binary beside it: [`daemon_binary`]).
pub fn bin_dir() -> PathBuf {
    let wundr = Path::new(env!("CARGO_BIN_EXE_wundr"));
    wundr.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The daemon's binary beside `wundr`, built first when it is missing or stale (a test run of
/// this crate alone does not build it).
pub fn daemon_binary() -> PathBuf {
    wundr_test_support::binaries::workspace_binary(
        "orchestrator-daemon",
        "orchestrator-daemon",
        &["daemon/src", "proto", "charter/src", "config/src"],
    )
}

/// An isolated home: HOME and XDG_* inside a temp dir, and a socket path in it.
#[derive(Debug)]
pub struct Sandbox {
    dir: TempDir,
    env: Vec<(String, String)>,
}

impl Sandbox {
    /// A fresh sandbox; `env` is passed to every `wundr` run (and so to a daemon it starts).
    pub fn new(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).expect("run dir");
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        // Sessions spawned without --workdir work in wundr's current directory: keep that
        // inside the sandbox, never in the source tree.
        std::fs::create_dir_all(dir.path().join("cwd")).expect("cwd dir");
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self { dir, env }
    }

    /// A path inside the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The daemon socket.
    pub fn socket(&self) -> PathBuf {
        self.path("run/wundr/orchestrator.sock")
    }

    fn configure(&self, cmd: &mut std::process::Command, args: &[&str]) {
        self.configure_env(cmd);
        cmd.arg("--socket").arg(self.socket()).args(args);
    }

    /// The sandbox's environment and directory, without `--socket`: the CLI finds the socket
    /// at its default path (inside the sandbox's XDG_RUNTIME_DIR).
    pub fn configure_env(&self, cmd: &mut std::process::Command) {
        for name in FOREIGN_ENV {
            cmd.env_remove(name);
        }
        cmd.current_dir(self.path("cwd"))
            .env("HOME", self.path("home"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("CLAUDE_BIN", wundr_test_support::fixture_agent())
            .envs(self.env.iter().map(|(k, v)| (k, v)));
    }

    /// `wundr <args>` in the sandbox as a plain `std` command (for stdio of the test's own).
    pub fn std_wundr(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wundr"));
        self.configure(&mut cmd, args);
        cmd
    }

    /// `wundr <args>` in the sandbox.
    pub fn wundr(&self, args: &[&str]) -> Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wundr"));
        self.configure(&mut cmd, args);
        let mut cmd = Command::from_std(cmd);
        cmd.timeout(DEADLINE * 3);
        cmd
    }

    /// `wundr <args>` run to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.wundr(args).output().expect("run wundr")
    }

    /// `wundr <args>` started in the background, its stdout read line by line.
    pub fn background(&self, args: &[&str]) -> Background {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wundr"));
        self.configure(&mut cmd, args);
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wundr");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Background {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// `wundr orchestrator hook PreToolUse` for the Bash `command` of session `session_id`,
    /// started in the background with its input written; stdout and stderr are piped.
    pub fn start_hook(&self, session_id: &str, command: &str) -> Child {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wundr"));
        self.configure(&mut cmd, &["orchestrator", "hook", "PreToolUse"]);
        let mut child = cmd
            .env("WUNDR_SESSION_ID", session_id)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the hook");
        let input = serde_json::json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                                       "tool_input": {"command": command}});
        let mut stdin = child.stdin.take().expect("piped stdin");
        std::io::Write::write_all(&mut stdin, input.to_string().as_bytes()).expect("hook input");
        child
    }

    /// Starts a daemon in this sandbox (`start -p 0`); it is stopped when the guard drops.
    pub fn start_daemon(self) -> Daemon {
        daemon_binary();
        wundr_test_support::fixture_agent();
        let output = self.run(&["orchestrator", "start", "-p", "0"]);
        let daemon = Daemon { sandbox: self };
        assert_eq!(output.status.code(), Some(0), "start: {}", text(&output));
        daemon
    }
}

/// A running daemon; dropping it stops it (gracefully, then by force), even when a test fails.
#[derive(Debug)]
pub struct Daemon {
    pub sandbox: Sandbox,
}

impl std::ops::Deref for Daemon {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // `stop` escalates to SIGTERM and SIGKILL after its timeout on its own; `--force` is
        // for a CLI that failed outright.
        let stopped = self
            .sandbox
            .wundr(&["orchestrator", "stop", "-t", "10"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !stopped {
            let _ = self
                .sandbox
                .wundr(&["orchestrator", "stop", "--force"])
                .output();
        }
    }
}

/// A `wundr` run in the background; killed on drop if still running.
#[derive(Debug)]
pub struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every stdout line read so far.
    pub seen: Vec<String>,
}

impl Background {
    /// Reads lines until one satisfies `pred` (true) or the deadline passes (false).
    pub fn wait_line(&mut self, pred: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + DEADLINE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = pred(&line);
                    self.seen.push(line);
                    if hit {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
        false
    }

    /// Waits for the process to exit (it is killed at the deadline) and returns its exit
    /// code, all of its stdout lines and its stderr.
    pub fn finish(mut self) -> (Option<i32>, Vec<String>, String) {
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
            }
        };
        // The reader thread ends at EOF, which follows the exit.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        (
            status.and_then(|s| s.code()),
            std::mem::take(&mut self.seen),
            stderr,
        )
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Calls `probe` until it returns `Some` or [`DEADLINE`] passes; panics with `what` then.
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(POLL);
    }
}

/// Stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Both, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}
