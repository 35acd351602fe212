//! [`SessionActor::prepare_flow`]: readies a Claude Flow (ruflo) session's process so that it
//! starts on a fresh directory and runs under the charter (see [`crate::agents::flow`]).

use crate::agents::flow::{
    self, hive_initialised, init_hive, unusable_mcp_config, write_claude_shim,
};
use crate::agents::lookup::find_program;
use crate::core::{LineSource, OutputKind, SessionType};
use crate::supervisor::RunSpec;

use super::SessionActor;

impl SessionActor {
    /// Puts a `claude` with the session's charter hooks (`settings`) first on the flow
    /// process's `PATH`, and initialises a hive in the working directory when the session
    /// spawns one and there is none. `Err` is why the session cannot start.
    pub(super) async fn prepare_flow(
        &self,
        spec: &mut RunSpec,
        settings: &serde_json::Value,
    ) -> Result<(), String> {
        let path = spec.env.get("PATH").cloned();
        let claude_command = self.ctx.programs.program(SessionType::ClaudeCode);
        let Some(claude) = find_program(claude_command, path.as_deref().map(std::ffi::OsStr::new))
        else {
            return Err(format!(
                "Claude Flow runs Claude Code, and {}",
                self.ctx.programs.not_found_message(SessionType::ClaudeCode)
            ));
        };
        let bin = self.ctx.sessions_dir.join(&self.id).join("bin");
        let drop = unusable_mcp_config(spec.env.get("HOME").map(String::as_str));
        let bin = write_claude_shim(&bin, &claude, settings, drop.as_deref()).map_err(|err| {
            format!(
                "cannot write the session's claude launcher in {}: {err}",
                bin.display()
            )
        })?;
        spec.env
            .insert("PATH".to_owned(), flow::path_with(&bin, path.as_deref()));

        if !self.ctx.programs.flow_spawns_hive() || hive_initialised(&spec.cwd) {
            return Ok(());
        }
        self.emit(OutputKind::Line {
            source: LineSource::Stdout,
            line: format!(
                "[wundr] no Claude Flow hive in {}: running `{} hive-mind init` there",
                spec.cwd.display(),
                spec.program
            ),
        });
        let lines = init_hive(&spec.program, &spec.env, &spec.cwd).await?;
        for line in lines {
            self.emit(OutputKind::Line {
                source: LineSource::Stdout,
                line,
            });
        }
        Ok(())
    }
}
