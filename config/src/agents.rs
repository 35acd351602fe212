//! The agent programs a daemon runs, as the configuration and the environment resolve them:
//! [`AgentPrograms`] (each program's command, arguments, environment and where the command
//! was set) and [`AgentLookup`] (whether it exists: the executable it resolves to on `PATH`,
//! [`find_program`]). The daemon builds command lines from them; `wundr orchestrator doctor`
//! checks them without a daemon.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use orchestrator_api::v1;

use crate::DaemonConfig;

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

/// Where the daemon looks for an agent program's command, in the order it applies them.
pub const CLAUDE_BIN_SOURCES: &str = "CLAUDE_BIN in the daemon's environment (the service \
    unit, or the shell that runs `wundr orchestrator start`), else agents.claude-code.command \
    in the config file; restart the daemon after changing either";

/// [`AgentPrograms::claude_source`] of a command set in the config file.
const CONFIG_SOURCE: &str = "the config file";
/// [`AgentPrograms::claude_source`] of the built-in command.
const DEFAULT_SOURCE: &str = "built-in default";

/// The programs and arguments of every session type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPrograms {
    claude: String,
    claude_source: &'static str,
    claude_extra_args: Vec<String>,
    claude_env: BTreeMap<String, String>,
    flow: String,
    flow_args: Vec<String>,
    flow_env: BTreeMap<String, String>,
    hook: String,
}

impl AgentPrograms {
    /// From the configuration; `CLAUDE_BIN` (read through `var`) overrides the claude binary as
    /// upstream does, and wins over the config file.
    pub fn new(config: &DaemonConfig, var: impl Fn(&str) -> Option<String>) -> Self {
        let code = config.agents.claude_code.clone().unwrap_or_default();
        let flow = config.agents.claude_flow.clone().unwrap_or_default();
        let claude_bin = var("CLAUDE_BIN").filter(|v| !v.trim().is_empty());
        let claude_source = match (&claude_bin, &code.command) {
            (Some(_), _) => "CLAUDE_BIN",
            (None, Some(_)) => CONFIG_SOURCE,
            (None, None) => DEFAULT_SOURCE,
        };
        Self {
            claude: claude_bin
                .or(code.command)
                .unwrap_or_else(|| "claude".to_owned()),
            claude_source,
            claude_extra_args: code.args.unwrap_or_default(),
            claude_env: code.env.unwrap_or_default(),
            flow: flow.command.unwrap_or_else(|| "claude-flow".to_owned()),
            flow_args: flow
                .args
                .unwrap_or_else(|| CLAUDE_FLOW_DEFAULT_ARGS.map(str::to_owned).to_vec()),
            flow_env: flow.env.unwrap_or_default(),
            hook: config
                .hook_command
                .clone()
                .unwrap_or_else(default_hook_program),
        }
    }

    /// Where the Claude Code command came from (`CLAUDE_BIN`, the config file, the default).
    pub fn claude_source(&self) -> &'static str {
        self.claude_source
    }

    /// Where the Claude Flow command came from (the config file or the default).
    pub fn flow_source(&self) -> &'static str {
        if self.flow == "claude-flow" {
            DEFAULT_SOURCE
        } else {
            CONFIG_SOURCE
        }
    }

    /// The `wundr` program that Claude Code hooks run (`<it> orchestrator hook <event>`).
    pub fn hook_program(&self) -> &str {
        &self.hook
    }

    /// Whether Claude Flow sessions spawn a hive (`hive-mind spawn …`, the default arguments),
    /// which needs one in the working directory.
    pub fn flow_spawns_hive(&self) -> bool {
        match self.flow_args.as_slice() {
            [first, second, ..] => first == "hive-mind" && second == "spawn",
            _ => false,
        }
    }

    /// The Claude Code command (`CLAUDE_BIN`, else the config file's, else `claude`).
    pub fn claude(&self) -> &str {
        &self.claude
    }

    /// Arguments added to every Claude Code command line (`agents.claude-code.args`).
    pub fn claude_extra_args(&self) -> &[String] {
        &self.claude_extra_args
    }

    /// Variables set for Claude Code (`agents.claude-code.env`), and for the Claude Code that
    /// Claude Flow starts.
    pub fn claude_env(&self) -> &BTreeMap<String, String> {
        &self.claude_env
    }

    /// The Claude Flow command (the config file's, else `claude-flow`).
    pub fn flow(&self) -> &str {
        &self.flow
    }

    /// Claude Flow's arguments, with `{task}`, `{session_id}` and `{work_dir}` placeholders.
    pub fn flow_args(&self) -> &[String] {
        &self.flow_args
    }

    /// Variables set for Claude Flow (`agents.claude-flow.env`).
    pub fn flow_env(&self) -> &BTreeMap<String, String> {
        &self.flow_env
    }

    /// What to tell the user when the Claude Code command does not exist.
    pub fn claude_not_found(&self) -> String {
        format!(
            "claude CLI not found ({}, from {}) — install @anthropic-ai/claude-code or set {}",
            self.claude, self.claude_source, CLAUDE_BIN_SOURCES
        )
    }

    /// What to tell the user when the Claude Flow command does not exist.
    pub fn flow_not_found(&self) -> String {
        format!(
            "claude-flow CLI not found ({}) — install claude-flow or set \
             agents.claude-flow.command in the config file",
            self.flow
        )
    }

    /// Every program, resolved against `path_var` (the daemon's `PATH`).
    pub fn lookups(&self, path_var: Option<&OsStr>) -> Vec<AgentLookup> {
        let claude = self.claude.clone();
        let flow = self.flow.clone();
        vec![
            AgentLookup {
                session_types: "claude-code",
                resolved: find_program(&claude, path_var),
                command: claude,
                source: self.claude_source(),
            },
            AgentLookup {
                session_types: "claude-flow, ruflo",
                resolved: find_program(&flow, path_var),
                command: flow,
                source: self.flow_source(),
            },
        ]
    }

    /// Where to set the command of the program that runs `session_types`.
    pub fn remedy(&self, session_types: &str) -> String {
        if session_types == "claude-code" {
            format!("install @anthropic-ai/claude-code or set {CLAUDE_BIN_SOURCES}")
        } else {
            "install claude-flow or set agents.claude-flow.command in the config file, then \
             restart the daemon"
                .to_owned()
        }
    }
}

/// One agent program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLookup {
    /// The session types that run it, as on the wire (`claude-code`; `claude-flow, ruflo`).
    pub session_types: &'static str,
    /// The command as configured (a name looked up on `PATH`, or a path).
    pub command: String,
    /// Where the command came from: `CLAUDE_BIN`, the config file, or the built-in default.
    pub source: &'static str,
    /// The executable it resolves to; `None` when there is none.
    pub resolved: Option<PathBuf>,
}

impl From<AgentLookup> for v1::AgentProgram {
    fn from(lookup: AgentLookup) -> Self {
        Self {
            session_types: lookup.session_types.to_owned(),
            command: lookup.command,
            source: lookup.source.to_owned(),
            resolved_path: lookup
                .resolved
                .map(|path| path.display().to_string())
                .unwrap_or_default(),
        }
    }
}

/// The `wundr` next to the daemon's own executable (how both are installed), else `wundr`
/// from `PATH`.
fn default_hook_program() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("wundr")))
        .filter(|path| path.is_file())
        .map_or_else(|| "wundr".to_owned(), |path| path.display().to_string())
}

/// The executable `command` names: itself when it contains a `/`, else the first executable
/// file of that name in a `path_var` directory (empty entries, the current directory, are
/// skipped as the daemon's spawns would not find them relative to a session's directory).
pub fn find_program(command: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    if command.contains('/') {
        let path = PathBuf::from(command);
        return is_executable(&path).then_some(path);
    }
    path_var
        .into_iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(command))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_resolve_on_path_and_name_their_source() {
        let dir = tempfile::tempdir().unwrap();
        let claude = dir.path().join("claude");
        std::fs::write(&claude, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&claude, std::fs::Permissions::from_mode(0o755)).unwrap();
        let programs = AgentPrograms::new(&DaemonConfig::default(), |_| None);
        let found = programs.lookups(Some(dir.path().as_os_str()));
        assert_eq!(found[0].resolved.as_deref(), Some(claude.as_path()));
        assert_eq!(found[0].source, "built-in default");
        assert_eq!(found[1].command, "claude-flow");
        assert_eq!(found[1].resolved, None);

        let from_env = AgentPrograms::new(&DaemonConfig::default(), |name| {
            (name == "CLAUDE_BIN").then(|| "/nonexistent/claude".to_owned())
        });
        let found = from_env.lookups(None);
        assert_eq!(found[0].source, "CLAUDE_BIN");
        assert_eq!(found[0].resolved, None);
        assert!(
            from_env
                .remedy("claude-code")
                .contains("agents.claude-code.command")
        );
    }
}
