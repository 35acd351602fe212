//! `wundr orchestrator restart`: [`RestartArgs`]; stops the daemon if it runs (as `stop`),
//! then starts it (as `start`, with the same flags).

use std::time::Duration;

use clap::Args;
use orchestrator_api::paths::DaemonPaths;

use crate::commands::orchestrator::{start, stop};
use crate::error::{CliError, Outcome};

/// Arguments of `wundr orchestrator restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    #[command(flatten)]
    pub start: start::StartArgs,
    /// Seconds to wait for the running daemon to stop before forcing it
    #[arg(short, long, value_name = "SECS", default_value_t = 15)]
    pub timeout: u64,
}

/// Stops the daemon if it runs, then starts it.
pub async fn run(args: &RestartArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let report = stop::stop_daemon(paths, Duration::from_secs(args.timeout), false).await?;
    if report != stop::StopReport::NotRunning {
        stop::print_report(report, args.timeout);
    }
    start::run(&args.start, paths).await
}
