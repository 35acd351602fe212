//! [`ClaudeProcess`]: one real `claude -p` in stream-json mode, driven line by line: JSON lines
//! in on stdin, events out on stdout, every wait bounded by a deadline. Dropping it kills its
//! whole process group (the CLI and the tools it started) and reaps the CLI.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};

use crate::server::ModelServer;

/// The flags of a headless stream-json session, as the daemon runs it.
pub const STREAM_JSON_FLAGS: [&str; 6] = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
];

/// A `claude` command for `server`: the stream-json flags, `HOME` = `home` (the CLI keeps its
/// sessions under `~/.claude`, so `--resume` needs the same home and `cwd`), `TMPDIR` =
/// `home/tmp` (created here: the CLI puts a socket per process in `$TMPDIR/cc-socks/`, left
/// behind when it is killed), the server's [`ModelServer::agent_env`], and nothing inherited
/// that names another Claude setup.
pub fn claude_command(claude: &Path, home: &Path, cwd: &Path, server: &ModelServer) -> Command {
    let tmp = home.join("tmp");
    if let Err(e) = std::fs::create_dir_all(&tmp) {
        panic!("cannot create {}: {e}", tmp.display());
    }
    let mut command = Command::new(claude);
    command.args(STREAM_JSON_FLAGS).current_dir(cwd);
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("ANTHROPIC_")
            || name_text.starts_with("CLAUDE")
            || name_text.starts_with("XDG_")
        {
            command.env_remove(&name);
        }
    }
    command
        .env("HOME", home)
        .env("TMPDIR", tmp)
        .envs(server.agent_env());
    command
}

/// A running CLI. See the module doc.
#[derive(Debug)]
pub struct ClaudeProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// Every stdout line read so far, as printed.
    pub output: Vec<String>,
    /// Every line written to stdin so far.
    pub input: Vec<String>,
    stderr_file: PathBuf,
}

impl ClaudeProcess {
    /// Starts `command` in its own process group with piped stdin/stdout; its stderr goes to
    /// `stderr_file` (appended), which failure messages quote.
    pub fn spawn(mut command: Command, stderr_file: &Path) -> std::io::Result<Self> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(stderr_file)?;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .process_group(0)
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            stdin: child.stdin.take(),
            child,
            lines,
            output: Vec::new(),
            input: Vec::new(),
            stderr_file: stderr_file.to_owned(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes one JSON line to the CLI's stdin.
    pub fn send(&mut self, message: &Value) {
        let line = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin is still open");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("cannot write to claude's stdin: {e}"));
        self.input.push(line);
    }

    /// Sends a user turn.
    pub fn send_user(&mut self, text: &str) {
        self.send(&json!({"type": "user", "message": {"role": "user", "content": text}}));
    }

    /// Answers a `control_request` with `response` (the inner `response` object).
    pub fn answer(&mut self, request_id: &str, response: Value) {
        self.send(&json!({"type": "control_response", "response": {
            "subtype": "success", "request_id": request_id, "response": response,
        }}));
    }

    /// Closes stdin: the CLI finishes the turn in progress and exits.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next stdout event that `wanted` accepts, or a panic quoting the output so far and
    /// the CLI's stderr when none comes within `timeout` (or stdout closes).
    pub fn wait_for(&mut self, timeout: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let event = serde_json::from_str(&line).unwrap_or(Value::Null);
                    self.output.push(line);
                    if wanted(&event) {
                        return event;
                    }
                }
                Err(why) => panic!(
                    "claude sent no awaited event ({why:?}); its output so far:\n{}\nstderr:\n{}",
                    self.output.join("\n"),
                    std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
                ),
            }
        }
    }

    /// The next event of `kind` (`"result"`, `"control_request"`, …).
    pub fn wait_for_type(&mut self, timeout: Duration, kind: &str) -> Value {
        self.wait_for(timeout, |event| event["type"] == kind)
    }

    /// Waits for the CLI to exit; `None` when it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for ClaudeProcess {
    fn drop(&mut self) {
        // The group, not just the CLI: a tool it started (a Bash command) may still run.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
