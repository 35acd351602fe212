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

use orchestrator_config::agents::AgentPrograms;

use crate::model::SessionType;
use crate::supervisor::RunSpec;

/// Which Claude Code conversation a process continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conversation {
    /// Start the conversation with this id (`--session-id`).
    New(String),
    /// Continue the conversation with this id (`--resume`).
    Resume(String),
}

/// The program a session type runs.
pub fn program(programs: &AgentPrograms, session_type: SessionType) -> &str {
    match session_type {
        SessionType::ClaudeCode => programs.claude(),
        SessionType::ClaudeFlow | SessionType::Ruflo => programs.flow(),
    }
}

/// What to tell the user when the program of `session_type` does not exist.
pub fn not_found_message(programs: &AgentPrograms, session_type: SessionType) -> String {
    match session_type {
        SessionType::ClaudeCode => programs.claude_not_found(),
        SessionType::ClaudeFlow | SessionType::Ruflo => programs.flow_not_found(),
    }
}

/// Logs a warning for each program that does not exist, saying where to set it: sessions of
/// its type would fail to start.
pub fn warn_if_missing(programs: &AgentPrograms) {
    for lookup in programs.lookups(std::env::var_os("PATH").as_deref()) {
        if lookup.resolved.is_none() {
            tracing::warn!(
                session_types = lookup.session_types,
                command = %lookup.command,
                source = lookup.source,
                "agent program not found: sessions of these types will fail to start; {}",
                programs.remedy(lookup.session_types)
            );
        }
    }
}

/// A Claude Code process for `conversation`, reading user turns from stdin.
pub fn claude_code(
    programs: &AgentPrograms,
    conversation: &Conversation,
    settings: &serde_json::Value,
    env: BTreeMap<String, String>,
    cwd: &Path,
) -> RunSpec {
    let (flag, id) = match conversation {
        Conversation::New(id) => ("--session-id", id),
        Conversation::Resume(id) => ("--resume", id),
    };
    let mut spec = RunSpec::new(programs.claude().to_owned(), cwd).args([
        "-p",
        "--input-format",
        "stream-json",
        "--output-format",
        "stream-json",
        "--verbose",
        // Permission questions come to the daemon as `control_request`s (and go to a
        // person) instead of being denied at once, as `-p` does without it.
        "--permission-prompt-tool",
        "stdio",
        flag,
        id,
        "--settings",
        &settings.to_string(),
    ]);
    spec = spec.args(programs.claude_extra_args().iter().cloned());
    spec.env = env;
    spec.env.extend(programs.claude_env().clone());
    spec
}

/// A Claude Flow process for one task; its stdin is not used.
pub fn claude_flow(
    programs: &AgentPrograms,
    task: &str,
    session_id: &str,
    env: BTreeMap<String, String>,
    cwd: &Path,
) -> RunSpec {
    let args = programs.flow_args().iter().map(|arg| {
        arg.replace("{task}", task)
            .replace("{session_id}", session_id)
            .replace("{work_dir}", &cwd.display().to_string())
    });
    let mut spec = RunSpec::new(programs.flow().to_owned(), cwd).args(args);
    spec.stdin = crate::supervisor::StdinMode::Null;
    spec.env = env;
    // The Claude Code that Claude Flow starts is a Claude Code the daemon runs: it gets
    // Claude Code's settings, and Claude Flow's own win where both set a variable.
    spec.env.extend(programs.claude_env().clone());
    spec.env.extend(programs.flow_env().clone());
    spec
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
    env.insert(
        crate::supervisor::SESSION_ID_VAR.to_owned(),
        session_id.to_owned(),
    );
    env.insert(
        orchestrator_api::paths::SOCKET_ENV.to_owned(),
        socket.display().to_string(),
    );
    env
}

/// The variable that tells the hook where the charter file is, so it can still refuse
/// deny-listed actions when the daemon cannot be reached.
pub const CHARTER_FILE_ENV: &str = "WUNDR_CHARTER_FILE";

/// What the hooks of a session run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSettings {
    /// The `wundr` program.
    pub program: String,
    /// How long an escalation may wait for an answer; the hook's own timeout is set above it,
    /// since Claude Code kills a hook after 60 s by default.
    pub approval_timeout_secs: u64,
}

/// The `--settings` of a session under `charter`, whose hooks run `program`; adds the charter
/// file to `env` for the hook's own evaluation when the daemon cannot be reached.
pub fn charter_hooks(
    charter: &crate::charter::active::ActiveCharter,
    program: &str,
    env: &mut BTreeMap<String, String>,
) -> serde_json::Value {
    if let Some(file) = &charter.source {
        env.insert(CHARTER_FILE_ENV.to_owned(), file.display().to_string());
    }
    session_settings(Some(&HookSettings {
        program: program.to_owned(),
        approval_timeout_secs: u64::try_from(charter.charter.approval_timeout_seconds)
            .unwrap_or(300),
    }))
}

/// The events the charter is enforced on.
pub const HOOK_EVENTS: [&str; 3] = ["PreToolUse", "UserPromptSubmit", "SessionStart"];

/// The `--settings` JSON a session's Claude Code gets. Nothing is written into the user's
/// repository: the charter's hooks (`wundr orchestrator hook <event>`) travel here.
pub fn session_settings(hooks: Option<&HookSettings>) -> serde_json::Value {
    let Some(hooks) = hooks else {
        return serde_json::json!({});
    };
    let program = shell_quote(&hooks.program);
    let mut table = serde_json::Map::new();
    for event in HOOK_EVENTS {
        let mut entry = serde_json::json!({"hooks": [{
            "type": "command",
            // Claude Code runs a hook that fails (exit ≠ 2) as a mere warning and goes on: a
            // missing or crashing `wundr` would turn enforcement off. Exit 2 blocks instead.
            "command": format!("{program} orchestrator hook {event} || exit 2"),
            "timeout": hooks.approval_timeout_secs.saturating_add(30),
        }]});
        if event == "PreToolUse" {
            entry["matcher"] = "*".into();
        }
        table.insert(event.to_owned(), serde_json::Value::Array(vec![entry]));
    }
    serde_json::json!({ "hooks": table })
}

/// `word` quoted for `sh` when it needs it (the hook command is run by a shell).
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:,@%=".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator_config::DaemonConfig;

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
        let spec = claude_code(
            &programs,
            &Conversation::New("u-1".into()),
            &session_settings(None),
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
                "--permission-prompt-tool",
                "stdio",
                "--session-id",
                "u-1",
                "--settings",
                "{}"
            ]
        );
        let spec = claude_code(
            &programs,
            &Conversation::Resume("u-1".into()),
            &session_settings(None),
            BTreeMap::new(),
            Path::new("/w"),
        );
        assert!(spec.args.windows(2).any(|w| w == ["--resume", "u-1"]));
    }

    #[test]
    fn settings_hook_every_enforced_event_through_wundr() {
        let settings = session_settings(Some(&HookSettings {
            program: "/opt/my tools/wundr".into(),
            approval_timeout_secs: 300,
        }));
        for event in HOOK_EVENTS {
            let hook = &settings["hooks"][event][0]["hooks"][0];
            assert_eq!(hook["type"], "command");
            assert_eq!(
                hook["command"],
                format!("'/opt/my tools/wundr' orchestrator hook {event} || exit 2")
            );
            assert_eq!(hook["timeout"], 330);
        }
        assert_eq!(settings["hooks"]["PreToolUse"][0]["matcher"], "*");
        assert_eq!(shell_quote("/usr/bin/wundr"), "/usr/bin/wundr");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn claude_bin_overrides_the_config() {
        let mut config = DaemonConfig::default();
        config.agents.claude_code = Some(orchestrator_config::AgentCommand {
            command: Some("/opt/claude".into()),
            ..Default::default()
        });
        assert_eq!(
            program(
                &AgentPrograms::new(&config, vars(&[])),
                SessionType::ClaudeCode
            ),
            "/opt/claude"
        );
        assert_eq!(
            program(
                &AgentPrograms::new(&config, vars(&[("CLAUDE_BIN", "/x/claude")])),
                SessionType::ClaudeCode
            ),
            "/x/claude"
        );
    }

    #[test]
    fn claude_flow_gets_the_task_as_an_argument() {
        let programs = AgentPrograms::new(&DaemonConfig::default(), vars(&[]));
        let spec = claude_flow(
            &programs,
            "fix it; rm -rf /",
            "s1",
            BTreeMap::new(),
            Path::new("/w"),
        );
        assert_eq!(spec.program, "claude-flow");
        assert_eq!(
            spec.args.last().unwrap(),
            "fix it; rm -rf /",
            "one argv entry, no shell"
        );
        assert!(spec.args.contains(&"--no-auto-permissions".to_owned()));
    }

    #[test]
    fn only_hive_spawns_need_a_hive() {
        let with_args = |args: &[&str]| {
            let mut config = DaemonConfig::default();
            config.agents.claude_flow = Some(orchestrator_config::AgentCommand {
                args: Some(args.iter().map(|s| (*s).to_owned()).collect()),
                ..Default::default()
            });
            AgentPrograms::new(&config, vars(&[])).flow_spawns_hive()
        };
        assert!(AgentPrograms::new(&DaemonConfig::default(), vars(&[])).flow_spawns_hive());
        assert!(with_args(&["hive-mind", "spawn", "-o", "x"]));
        assert!(!with_args(&["swarm", "x"]));
        assert!(!with_args(&["hive-mind"]));
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
}
