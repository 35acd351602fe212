//! The command line: [`Cli`] (global flags), [`Command`] (one variant per top-level command)
//! and [`run`], which dispatches to one module per command group. A later group (session,
//! memory, charter, approval, audit, hook, service) is one more variant here and one more
//! module beside [`orchestrator`].

pub mod complete_ids;
pub mod completions;
pub mod orchestrator;
#[cfg(test)]
mod packaging;
#[cfg(test)]
mod readme;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use orchestrator_api::paths::SOCKET_ENV;

use crate::error::{CliError, EXIT_CODES_HELP, Outcome};

/// wundr: run and control the orchestrator daemon that supervises AI coding-agent sessions.
#[derive(Debug, Parser)]
#[command(name = "wundr", version, propagate_version = true, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// The orchestrator daemon's Unix socket
    /// [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]
    #[arg(long, global = true, env = SOCKET_ENV, hide_env_values = true, value_name = "PATH")]
    pub socket: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start, stop and inspect the orchestrator daemon and its agent sessions
    #[command(subcommand)]
    Orchestrator(orchestrator::OrchestratorCommand),
    /// Print a shell completion script to stdout
    Completions(completions::CompletionsArgs),
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Outcome, CliError> {
    match cli.command {
        Command::Orchestrator(command) => orchestrator::run(command, cli.socket).await,
        Command::Completions(args) => completions::run(&args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
