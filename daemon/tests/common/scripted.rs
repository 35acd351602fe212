//! Sessions of the real Claude Code CLI against a scripted model: [`ScriptedAgents`] holds a
//! [`ModelServer`], the sessions' work dir and a `bin/` of stand-in programs first on the
//! agents' `PATH` ([`ScriptedAgents::stand_in`]), and configures a daemon in a [`TestHome`] to
//! run them: the in-process daemon ([`ScriptedAgents::config`]) or the daemon binary
//! ([`ScriptedAgents::write_config_file`]). Hooks run the real `wundr` binary. The gRPC
//! shortcuts here ([`spawn_in`], [`waiting`], [`ended`], [`audit`]), the real `wundr` CLI
//! ([`wundr`]) and a person following a session ([`LogFollower`]) work on either, through the
//! home's socket.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use orchestrator_api::v1;
use orchestrator_daemon::DaemonConfig;
use wundr_test_support::{ModelServer, Script};

use super::TestHome;
use super::charter_gen::readme_charter;
use super::claude::real_claude;
use super::daemon_binary::{self, wundr_binary};

/// How long one step of a real CLI session (start, a model call, a hook, a tool) may take on a
/// busy 2-core machine with other tests running.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// The real CLI, a scripted model and the places its sessions work in. See the module doc.
pub struct ScriptedAgents {
    /// The real `claude`.
    pub claude: PathBuf,
    /// The model the sessions talk to.
    pub server: ModelServer,
    /// The sessions' working directory (`<home>/work`).
    pub work: PathBuf,
    /// Stand-in programs, first on the agents' `PATH` (`<home>/bin`).
    pub bin: PathBuf,
    home: PathBuf,
}

impl ScriptedAgents {
    /// `script` is given the work dir (the Write tool wants absolute paths). `None` (after a
    /// loud SKIPPED line) when the real CLI cannot be had here.
    pub fn new(home: &TestHome, script: impl FnOnce(&Path) -> Script) -> Option<Self> {
        let claude = real_claude()?;
        let work = home.path().join("work");
        let bin = home.path().join("bin");
        for dir in [&work, &bin, &home.path().join("tmp")] {
            std::fs::create_dir_all(dir).unwrap();
        }
        Some(Self {
            claude,
            server: ModelServer::start(script(&work)),
            work,
            bin,
            home: home.path().to_owned(),
        })
    }

    /// What the agents get on top of the daemon's environment: the model server, `HOME` (the
    /// CLI keeps its conversations in `~/.claude`, so `--resume` needs the same one) and
    /// `TMPDIR` (a killed CLI leaves its socket there) inside the test home, and `PATH` with
    /// the stand-ins first.
    pub fn agent_env(&self) -> BTreeMap<String, String> {
        let path = std::env::var("PATH").unwrap_or_default();
        let mut env: BTreeMap<String, String> = self.server.agent_env().into_iter().collect();
        env.insert("HOME".into(), self.home.display().to_string());
        env.insert("TMPDIR".into(), self.home.join("tmp").display().to_string());
        env.insert("PATH".into(), format!("{}:{path}", self.bin.display()));
        env
    }

    /// An in-process daemon's config: claude-code sessions are the real CLI with
    /// [`Self::agent_env`], hooks run the real `wundr`, `charter` is in force, no restarts (a
    /// crashed CLI must show, not be run again against the script).
    pub fn config(&self, charter: &Path) -> DaemonConfig {
        let mut config = super::sessions::agent_config(self.claude.to_str().unwrap());
        config.max_restarts = 0;
        if let Some(agent) = config.agents.claude_code.as_mut() {
            agent.env = Some(self.agent_env());
        }
        config.hook_command = Some(wundr_binary().display().to_string());
        config.charter = Some(charter.to_owned());
        config
    }

    /// [`Self::config`] with Claude Flow sessions running `flow` (the real ruflo) with the
    /// same environment.
    pub fn flow_config(&self, charter: &Path, flow: &Path) -> DaemonConfig {
        let mut config = self.config(charter);
        config.agents.claude_flow = Some(orchestrator_config::AgentCommand {
            command: Some(flow.display().to_string()),
            env: Some(self.agent_env()),
            ..Default::default()
        });
        config
    }

    /// An in-process daemon in `home` with [`Self::config`] under the README's example charter
    /// (a person has `approval_timeout_secs` to answer).
    pub async fn start_daemon(
        &self,
        home: &TestHome,
        approval_timeout_secs: u32,
    ) -> orchestrator_daemon::OrchestratorDaemon {
        let charter = readme_charter(
            home.path(),
            &format!("approvalTimeoutSeconds: {approval_timeout_secs}"),
        );
        super::sessions::start(home, self.config(&charter)).await
    }

    /// The same settings as [`Self::config`] in the config file the daemon binary in `home`
    /// reads.
    pub fn write_config_file(&self, home: &TestHome, charter: &Path) {
        // JSON is YAML.
        let yaml = serde_json::json!({
            "charter": charter,
            "hookCommand": wundr_binary(),
            "maxRestarts": 0,
            "agents": {"claude-code": {"command": self.claude, "env": self.agent_env()}},
        });
        daemon_binary::write_config(home, &yaml.to_string());
    }

    /// Puts a program `name` in `bin/`: a shell script that appends its arguments to
    /// [`Self::ran`]`(name)` and then runs `then` (shell).
    pub fn stand_in(&self, name: &str, then: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.bin.join(name);
        let marks = self.home.join(format!("{name}.ran"));
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"$*\" >> '{}'\n{then}\n", marks.display()),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// What Claude Code has saved of its conversations (`~/.claude/projects/*/*.jsonl`), which
    /// `--resume` reads back. It saves asynchronously: a CLI killed within milliseconds of a
    /// reply may not have saved it yet.
    pub fn saved_conversations(&self) -> String {
        let projects = self.home.join(".claude/projects");
        let mut saved = String::new();
        for project in std::fs::read_dir(projects).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(project.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if file.path().extension().is_some_and(|e| e == "jsonl") {
                    saved.push_str(&std::fs::read_to_string(file.path()).unwrap_or_default());
                }
            }
        }
        saved
    }

    /// The arguments stand-in `name` ran with, one line per run ("" when it never ran).
    pub fn ran(&self, name: &str) -> String {
        std::fs::read_to_string(self.home.join(format!("{name}.ran"))).unwrap_or_default()
    }
}

/// Spawns a claude-code session for `task` in `work_dir` through gRPC.
pub async fn spawn_in(home: &TestHome, work_dir: &Path, task: &str) -> v1::Session {
    spawn_typed(home, v1::SessionType::ClaudeCode, work_dir, task).await
}

/// Spawns a session of `session_type` for `task` in `work_dir` through gRPC.
pub async fn spawn_typed(
    home: &TestHome,
    session_type: v1::SessionType,
    work_dir: &Path,
    task: &str,
) -> v1::Session {
    daemon_binary::sessions(home)
        .await
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec {
                description: task.to_owned(),
                ..Default::default()
            }),
            work_dir: work_dir.display().to_string(),
            r#type: session_type as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// Waits until session `id` waits for a person; returns the session as it was then.
pub async fn waiting(home: &TestHome, id: &str) -> v1::Session {
    daemon_binary::wait_within(
        home,
        id,
        "the session to wait for a person",
        PATIENCE,
        |s| s.waiting_for.is_some(),
    )
    .await
}

/// Waits until session `id` has ended and its process is gone.
pub async fn ended(home: &TestHome, id: &str) -> v1::Session {
    daemon_binary::wait_within(home, id, "the session to end", PATIENCE, |s| {
        s.pid == 0 && s.ended_at_unix_ms > 0
    })
    .await
}

/// Session `id`'s audit, oldest first.
pub async fn audit(home: &TestHome, id: &str) -> Vec<v1::AuditEntry> {
    let mut entries = daemon_binary::charter(home)
        .await
        .list_audit(v1::ListAuditRequest {
            session_id: id.to_owned(),
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    entries.sort_by_key(|e| e.unix_ms);
    entries
}

/// Runs the real `wundr` with `args` against the daemon in `home`; its exit status, stdout and
/// stderr.
pub async fn wundr(home: &TestHome, args: &[&str]) -> (std::process::ExitStatus, String, String) {
    let out = tokio::process::Command::new(wundr_binary())
        .args(args)
        .arg("--socket")
        .arg(home.paths().socket)
        .output()
        .await
        .unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `wundr orchestrator approval approve ID`, as a person approves from the CLI: asserts that it
/// succeeded and returns what it printed.
pub async fn approve_with_cli(home: &TestHome, approval_id: &str) -> String {
    let (status, stdout, stderr) =
        wundr(home, &["orchestrator", "approval", "approve", approval_id]).await;
    assert!(status.success(), "{stderr}");
    stdout
}

/// `wundr orchestrator logs --session ID -f` running, as a person follows a session; killed on
/// drop.
pub struct LogFollower {
    child: tokio::process::Child,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    /// Every line printed so far.
    pub seen: Vec<String>,
}

impl LogFollower {
    /// Starts following session `id` of the daemon in `home`.
    pub fn start(home: &TestHome, id: &str) -> Self {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(wundr_binary())
            .args(["orchestrator", "logs", "--session", id, "-f", "--socket"])
            .arg(home.paths().socket)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        Self {
            child,
            lines: tokio::io::BufReader::new(stdout).lines(),
            seen: Vec::new(),
        }
    }

    /// The next line containing `text`; fails the test (quoting what was printed) when none
    /// comes within [`PATIENCE`].
    pub async fn until(&mut self, text: &str) -> String {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                self.seen.push(line.clone());
                if line.contains(text) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            _ => panic!(
                "logs -f printed no line with {text:?}; it printed {:#?}",
                self.seen
            ),
        }
    }

    /// Waits for `logs -f` to end by itself (its session ended).
    pub async fn finish(mut self) -> std::process::ExitStatus {
        tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("logs -f ends with its session")
            .unwrap()
    }
}
