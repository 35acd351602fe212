//! Claude Flow (ruflo) sessions in the actor: [`SessionActor::prepare_flow`] readies ruflo's
//! process so that it starts on a fresh directory and runs under the charter (see
//! [`crate::supervisor::hive`]); [`SessionActor::continue_flow_after_exit`] turns follow-ups into
//! Claude Code turns of the conversation ruflo's Claude Code started.

use crate::model::{LineSource, OutputKind, SessionType};
use crate::supervisor::RunSpec;
use crate::supervisor::command;
use crate::supervisor::hive::{
    self, hive_initialised, init_hive, unusable_mcp_config, write_claude_shim,
};
use crate::supervisor::runner::ExitOutcome;
use orchestrator_config::agents::find_program;

use super::SessionActor;

/// Why follow-up turns of a Claude Flow session fail when ruflo never started Claude Code.
const NO_FLOW_CONVERSATION: &str = "Claude Flow never started Claude Code in this session, so \
    there is no conversation to continue; start a new session";

impl SessionActor {
    /// After ruflo exited: turns sent while it ran continue, in Claude Code itself, the
    /// conversation its Claude Code started (true: run again); without one they fail.
    pub(super) fn continue_flow_after_exit(&mut self, exit: ExitOutcome) -> bool {
        if self.is_claude_code() || self.after_exit.is_empty() {
            return false;
        }
        if !self.conversation_exists {
            self.fail_unanswered(NO_FLOW_CONVERSATION);
            return false;
        }
        self.settle_single_turn(exit);
        self.flow_continued = true;
        self.to_send.extend(self.after_exit.drain(..));
        true
    }

    /// Puts a `claude` with the session's charter hooks (`settings`) first on the flow
    /// process's `PATH`, and initialises a hive in the working directory when the session
    /// spawns one and there is none. `Err` is why the session cannot start.
    pub(super) async fn prepare_flow(
        &self,
        spec: &mut RunSpec,
        settings: &serde_json::Value,
    ) -> Result<(), String> {
        let path = spec.env.get("PATH").cloned();
        let claude_command = command::program(&self.ctx.programs, SessionType::ClaudeCode);
        let Some(claude) = find_program(claude_command, path.as_deref().map(std::ffi::OsStr::new))
        else {
            return Err(format!(
                "Claude Flow runs Claude Code, and {}",
                command::not_found_message(&self.ctx.programs, SessionType::ClaudeCode)
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
            .insert("PATH".to_owned(), hive::path_with(&bin, path.as_deref()));

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
