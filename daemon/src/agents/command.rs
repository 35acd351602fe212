//! What a session runs: [`AgentPrograms`] turns the configuration (the `agents:` table,
//! `CLAUDE_BIN`) into command lines ([`RunSpec`]s) for Claude Code — new conversations
//! ([`Conversation::New`]) and continued ones ([`Conversation::Resume`]) — and Claude Flow, and
//! [`agent_environment`] builds the environment an agent gets.
//!
//! Claude Code runs as `claude -p --input-format stream-json --output-format stream-json
//! --verbose --session-id <uuid> --settings <json>`: user turns go to its stdin as JSON lines
//! and it stays alive across turns until stdin closes. Claude Flow has no such protocol; it gets
//! the task in its arguments (`hive-mind spawn --claude --non-interactive -o <task>` by
//! default, checked against `claude-flow --help` of claude-flow 3.43) and its output is
//! streamed as text.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::DaemonConfig;
use crate::core::SessionType;
use crate::supervisor::RunSpec;

/// The default Claude Flow arguments; `{task}` is replaced by the task text.
/// `--no-auto-permissions` keeps Claude Flow from adding `--dangerously-skip-permissions`.
pub const CLAUDE_FLOW_DEFAULT_ARGS: [&str; 7] = [
    "hive-mind",
    "spawn",
    "--claude",
    "--non-interactive",
    "--no-auto-permissions",
    "-o",
    "{task}",
];

/// Which Claude Code conversation a process continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conversation {
    /// Start the conversation with this id (`--session-id`).
    New(String),
    /// Continue the conversation with this id (`--resume`).
    Resume(String),
}

/// The programs and arguments of every session type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPrograms {
    claude: String,
    claude_extra_args: Vec<String>,
    claude_env: BTreeMap<String, String>,
    flow: String,
    flow_args: Vec<String>,
    flow_env: BTreeMap<String, String>,
}

impl AgentPrograms {
    /// From the configuration; `CLAUDE_BIN` (read through `var`) overrides the claude binary as
    /// upstream does, and wins over the config file.
    pub fn new(config: &DaemonConfig, var: impl Fn(&str) -> Option<String>) -> Self {
        let code = config.agents.claude_code.clone().unwrap_or_default();
        let flow = config.agents.claude_flow.clone().unwrap_or_default();
        Self {
            claude: var("CLAUDE_BIN")
                .filter(|v| !v.trim().is_empty())
                .or(code.command)
                .unwrap_or_else(|| "claude".to_owned()),
            claude_extra_args: code.args.unwrap_or_default(),
            claude_env: code.env.unwrap_or_default(),
            flow: flow.command.unwrap_or_else(|| "claude-flow".to_owned()),
            flow_args: flow
                .args
                .unwrap_or_else(|| CLAUDE_FLOW_DEFAULT_ARGS.map(str::to_owned).to_vec()),
            flow_env: flow.env.unwrap_or_default(),
        }
    }

    /// The program a session type runs.
    pub fn program(&self, session_type: SessionType) -> &str {
        match session_type {
            SessionType::ClaudeCode => &self.claude,
            SessionType::ClaudeFlow | SessionType::Ruflo => &self.flow,
        }
    }

    /// What to tell the user when the program of `session_type` does not exist.
    pub fn not_found_message(&self, session_type: SessionType) -> String {
        match session_type {
            SessionType::ClaudeCode => format!(
                "claude CLI not found ({}) — install @anthropic-ai/claude-code or set CLAUDE_BIN",
                self.claude
            ),
            SessionType::ClaudeFlow | SessionType::Ruflo => format!(
                "claude-flow CLI not found ({}) — install claude-flow or set \
                 agents.claude-flow.command in the config file",
                self.flow
            ),
        }
    }

    /// A Claude Code process for `conversation`, reading user turns from stdin.
    pub fn claude_code(
        &self,
        conversation: &Conversation,
        settings: &serde_json::Value,
        env: BTreeMap<String, String>,
        cwd: &Path,
    ) -> RunSpec {
        let (flag, id) = match conversation {
            Conversation::New(id) => ("--session-id", id),
            Conversation::Resume(id) => ("--resume", id),
        };
        let mut spec = RunSpec::new(self.claude.clone(), cwd).args([
            "-p",
            "--input-format",
            "stream-json",
            "--output-format",
            "stream-json",
            "--verbose",
            flag,
            id,
            "--settings",
            &settings.to_string(),
        ]);
        spec = spec.args(self.claude_extra_args.iter().cloned());
        spec.env = env;
        spec.env.extend(self.claude_env.clone());
        spec
    }

    /// A Claude Flow process for one task; its stdin is not used.
    pub fn claude_flow(
        &self,
        task: &str,
        session_id: &str,
        env: BTreeMap<String, String>,
        cwd: &Path,
    ) -> RunSpec {
        let args = self.flow_args.iter().map(|arg| {
            arg.replace("{task}", task)
                .replace("{session_id}", session_id)
                .replace("{work_dir}", &cwd.display().to_string())
        });
        let mut spec = RunSpec::new(self.flow.clone(), cwd).args(args);
        spec.stdin = crate::supervisor::StdinMode::Null;
        spec.env = env;
        spec.env.extend(self.flow_env.clone());
        spec
    }
}

/// Variables an agent must not inherit: Claude Code's markers of running inside Claude Code
/// (they change its behaviour), the daemon's own credentials, and systemd's channel to the
/// daemon (an agent that wrote READY=1 or STOPPING=1 there would speak for the daemon).
fn withheld(name: &str) -> bool {
    name == "CLAUDECODE"
        || name.starts_with("CLAUDE_CODE_")
        || name.starts_with("DAEMON_AUTH_")
        || name == "CLAUDE_BIN"
        || name == "NOTIFY_SOCKET"
        || name == "WATCHDOG_USEC"
        || name == "WATCHDOG_PID"
}

/// The environment of a session's agent: the daemon's own minus what must not leak, plus
/// `WUNDR_SESSION_ID` and the control socket (so hooks can reach the daemon).
pub fn agent_environment(
    inherited: impl IntoIterator<Item = (String, String)>,
    session_id: &str,
    socket: &Path,
) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = inherited
        .into_iter()
        .filter(|(name, _)| !withheld(name))
        .collect();
    env.insert("WUNDR_SESSION_ID".to_owned(), session_id.to_owned());
    env.insert(
        orchestrator_api::paths::SOCKET_ENV.to_owned(),
        socket.display().to_string(),
    );
    env
}

/// The first (or a follow-up) user turn as Claude Code's stream-json input expects it.
pub fn user_turn(text: &str) -> String {
    serde_json::json!({"type": "user", "message": {"role": "user", "content": text}}).to_string()
}

/// The `--settings` JSON a session's Claude Code gets. Nothing is written into the user's
/// repository; hooks for the charter are added here when it is enforced.
pub fn session_settings() -> serde_json::Value {
    serde_json::json!({})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn claude_code_command_line_follows_the_protocol() {
        let programs = AgentPrograms::new(&DaemonConfig::default(), vars(&[]));
        let spec = programs.claude_code(
            &Conversation::New("u-1".into()),
            &session_settings(),
            BTreeMap::new(),
            Path::new("/w"),
        );
        assert_eq!(spec.program, "claude");
        assert_eq!(
            spec.args,
            [
                "-p",
                "--input-format",
                "stream-json",
                "--output-format",
                "stream-json",
                "--verbose",
                "--session-id",
                "u-1",
                "--settings",
                "{}"
            ]
        );
        let spec = programs.claude_code(
            &Conversation::Resume("u-1".into()),
            &session_settings(),
            BTreeMap::new(),
            Path::new("/w"),
        );
        assert!(spec.args.windows(2).any(|w| w == ["--resume", "u-1"]));
    }

    #[test]
    fn claude_bin_overrides_the_config() {
        let mut config = DaemonConfig::default();
        config.agents.claude_code = Some(crate::config::AgentCommand {
            command: Some("/opt/claude".into()),
            ..Default::default()
        });
        assert_eq!(
            AgentPrograms::new(&config, vars(&[])).program(SessionType::ClaudeCode),
            "/opt/claude"
        );
        assert_eq!(
            AgentPrograms::new(&config, vars(&[("CLAUDE_BIN", "/x/claude")]))
                .program(SessionType::ClaudeCode),
            "/x/claude"
        );
    }

    #[test]
    fn claude_flow_gets_the_task_as_an_argument() {
        let programs = AgentPrograms::new(&DaemonConfig::default(), vars(&[]));
        let spec = programs.claude_flow("fix it; rm -rf /", "s1", BTreeMap::new(), Path::new("/w"));
        assert_eq!(spec.program, "claude-flow");
        assert_eq!(
            spec.args.last().unwrap(),
            "fix it; rm -rf /",
            "one argv entry, no shell"
        );
        assert!(spec.args.contains(&"--no-auto-permissions".to_owned()));
    }

    #[test]
    fn agents_do_not_inherit_claude_markers_or_daemon_secrets() {
        let env = agent_environment(
            [
                ("PATH", "/bin"),
                ("CLAUDECODE", "1"),
                ("CLAUDE_CODE_ENTRYPOINT", "cli"),
                ("DAEMON_AUTH_JWT_SECRET", "s"),
                ("NOTIFY_SOCKET", "/run/user/1000/systemd/notify"),
                ("ANTHROPIC_API_KEY", "k"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
            "session_1",
            Path::new("/run/o.sock"),
        );
        assert_eq!(env.get("PATH").map(String::as_str), Some("/bin"));
        assert!(
            env.contains_key("ANTHROPIC_API_KEY"),
            "the agent needs its credentials"
        );
        assert!(!env.contains_key("CLAUDECODE") && !env.contains_key("CLAUDE_CODE_ENTRYPOINT"));
        assert!(!env.contains_key("DAEMON_AUTH_JWT_SECRET"));
        assert!(!env.contains_key("NOTIFY_SOCKET"));
        assert_eq!(env["WUNDR_SESSION_ID"], "session_1");
        assert_eq!(env["WUNDR_ORCHESTRATOR_SOCKET"], "/run/o.sock");
    }

    #[test]
    fn user_turns_are_stream_json_lines() {
        let line = user_turn("say \"hi\"\nplease");
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["message"]["content"], "say \"hi\"\nplease");
        assert_eq!(value["type"], "user");
    }
}
