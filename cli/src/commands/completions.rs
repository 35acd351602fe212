//! `wundr completions <shell>`: [`CompletionsArgs`]; prints the completion script that
//! clap_complete generates from [`Cli`]'s definition.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::commands::Cli;
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example: wundr completions bash > ~/.local/share/bash-completion/completions/wundr"
)]
pub struct CompletionsArgs {
    /// The shell to generate the script for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `args.shell`.
pub fn run(args: &CompletionsArgs) -> Result<Outcome, CliError> {
    let mut command = Cli::command();
    // Generate into memory: clap_complete panics when its writer fails (e.g. a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "wundr", &mut script);
    output::stdout(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}
