//! `wundr`: the command line of the wundr orchestrator. It controls the `orchestrator-daemon`
//! over gRPC on its Unix socket (`orchestrator_api`), one file per command under
//! [`commands`].
//!
//! `main` parses the command line ([`commands::Cli`]), runs the command on a single-threaded
//! tokio runtime, and turns a [`error::CliError`] into `error:`, `caused by:` and `hint:`
//! lines on stderr and its exit code. Exit codes are documented in [`error`] and in
//! `wundr --help`: 0 success, 1 failure, 2 usage error, 3 daemon not running.

mod commands;
mod daemon_client;
mod error;
mod json;
mod output;
mod process;
mod spinner;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Cli;
use crate::error::CliError;

fn main() -> ExitCode {
    // The shell's completion call-back (`WUNDR_COMPLETE=bash wundr -- WORDS...`) is answered
    // here and exits; before parsing, since those words are not a command line to run.
    commands::complete_ids::register();
    // Exits 2 on a usage error and 0 for --help/--version, as clap does.
    let cli = Cli::parse();
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
        Err(err) => {
            report(&err);
            ExitCode::from(err.exit_code())
        }
    }
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
