//! Which agent programs a daemon runs and whether they exist: [`AgentLookup`] (one per
//! program: the session types, the command, where the command was set, the executable it
//! resolves to) from [`AgentPrograms::lookups`], and [`find_program`] (a `PATH` search as
//! `execvp` does it). Shared by the daemon (its start-up warning, `GetStatus`) and
//! `wundr orchestrator doctor`.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::command::AgentPrograms;
pub use super::command::CLAUDE_BIN_SOURCES;
use crate::core::SessionType;

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

impl AgentPrograms {
    /// Every program, resolved against `path_var` (the daemon's `PATH`).
    pub fn lookups(&self, path_var: Option<&OsStr>) -> Vec<AgentLookup> {
        let claude = self.program(SessionType::ClaudeCode).to_owned();
        let flow = self.program(SessionType::ClaudeFlow).to_owned();
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

    /// Logs a warning for each program that does not exist, saying where to set it: sessions
    /// of its type would fail to start.
    pub fn warn_if_missing(&self) {
        for lookup in self.lookups(std::env::var_os("PATH").as_deref()) {
            if lookup.resolved.is_none() {
                tracing::warn!(
                    session_types = lookup.session_types,
                    command = %lookup.command,
                    source = lookup.source,
                    "agent program not found: sessions of these types will fail to start; {}",
                    self.remedy(lookup.session_types)
                );
            }
        }
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
    use crate::config::DaemonConfig;

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
