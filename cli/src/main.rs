//! `wundr`: the command line of the wundr orchestrator. It controls the `orchestrator-daemon`
//! over gRPC on its Unix socket (`orchestrator_api`), one file per command under
//! [`commands`].
//!
//! `main` parses the command line ([`commands::Cli`]), runs the command on a single-threaded
//! tokio runtime, and turns a [`error::CliError`] into `error:`, `caused by:` and `hint:`
//! lines on stderr and its exit code — or, when the command ran with `--json`, into one JSON
//! object on stderr ([`error::error_json`]). Exit codes are documented in [`error`] and in
//! `wundr --help`: 0 success, 1 failure, 2 usage error, 3 daemon not running.

mod commands;
mod daemon_client;
mod error;
mod json;
mod output;
mod paths;
mod process;
mod spinner;
mod words;

use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::commands::Cli;
use crate::error::CliError;

fn main() -> ExitCode {
    // The shell's completion call-back (`WUNDR_COMPLETE=bash wundr -- WORDS...`) is answered
    // here and exits; before parsing, since those words are not a command line to run.
    commands::complete_ids::register();
    // Exits 2 on a usage error and 0 for --help/--version, as clap does.
    let matches = Cli::command().get_matches();
    let json_errors = json_requested(&matches);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    // The relay's guard is one thread waiting for signals: no runtime, no threads.
    if let commands::Command::Orchestrator(
        commands::orchestrator::OrchestratorCommand::RelayGuard(args),
    ) = &cli.command
    {
        return commands::orchestrator::relay::guard(args);
    }
    // One thread is plenty for a client that makes a few calls; it also keeps `exec` (start
    // --foreground) from leaving sibling threads behind.
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
        .and_then(|runtime| runtime.block_on(commands::run(cli)));
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        // The reader went away (`wundr orchestrator logs | head`): nothing left to say.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) if json_errors => {
            let report = serde_json::to_string(&error::error_json(&err))
                .expect("an error report serializes");
            output::stderr(&format!("{report}\n"));
            ExitCode::from(err.exit_code())
        }
        Err(err) => {
            report(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

/// Whether the command given (at any depth of subcommands) has its `--json` flag set: its
/// errors are then reported as JSON too, for the script that asked for JSON.
fn json_requested(matches: &ArgMatches) -> bool {
    let mut level = Some(matches);
    while let Some(matches) = level {
        if matches.try_get_one::<bool>("json").ok().flatten() == Some(&true) {
            return true;
        }
        level = matches.subcommand().map(|(_, sub)| sub);
    }
    false
}

/// Prints the error, its chain of causes and the remedy on stderr.
fn report(err: &CliError) {
    let mut text = format!("error: {err}\n");
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        text.push_str(&format!("  caused by: {inner}\n"));
        cause = inner.source();
    }
    if let Some(remedy) = err.remedy() {
        text.push_str(&format!("hint: {remedy}\n"));
    }
    output::stderr(&text);
}
