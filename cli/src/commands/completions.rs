//! `wundr completions <shell>`: [`CompletionsArgs`]; prints the script that registers
//! `wundr`'s completion in that shell. The script calls `wundr` back on every TAB (see
//! [`super::complete_ids`]), so subcommands and flags always match this binary and the ids
//! of sessions, approvals and memory entries complete from the running daemon.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::complete_ids::registration_script;
use crate::commands::Cli;
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example: wundr completions bash > ~/.local/share/bash-completion/completions/wundr\n\
                  The script runs `wundr` (on PATH) on every TAB: ids complete while the daemon runs."
)]
pub struct CompletionsArgs {
    /// The shell to generate the script for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `args.shell`.
pub fn run(args: &CompletionsArgs) -> Result<Outcome, CliError> {
    let script = script(args.shell);
    output::stdout(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}

/// The registration script for `shell`; for a shell clap_complete cannot register
/// dynamically, the static script (no ids).
pub fn script(shell: Shell) -> Vec<u8> {
    if let Some(script) = registration_script(&shell.to_string()) {
        return script;
    }
    // Generate into memory: clap_complete panics when its writer fails (e.g. a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wundr", &mut script);
    script
}
