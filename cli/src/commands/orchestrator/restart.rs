//! `wundr orchestrator restart`: [`RestartArgs`]; checks that the new daemon would start
//! (its configuration and charter, as `config validate` does) before anything is stopped, then
//! stops the daemon if it runs (as `stop`) and starts it (as `start`, with the same flags).

use std::time::Duration;

use clap::Args;
use orchestrator_api::paths::DaemonPaths;

use orchestrator_config::ConfigLayer;

use crate::commands::orchestrator::{config, start, stop};
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr orchestrator restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    #[command(flatten)]
    pub start: start::StartArgs,
    /// Seconds to wait for the running daemon to stop before forcing it
    #[arg(short, long, value_name = "SECS", default_value_t = 15)]
    pub timeout: u64,
}

/// Checks the configuration, stops the daemon if it runs, then starts it.
pub async fn run(args: &RestartArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    check_before_stopping(&args.start, paths).await?;
    let report = stop::stop_daemon(paths, Duration::from_secs(args.timeout), false).await?;
    if report != stop::StopReport::NotRunning {
        stop::print_report(report, args.timeout);
    }
    start::run(&args.start, paths).await
}

/// Refuses (changing nothing) when the daemon `start` would launch would reject its
/// configuration or charter: a restart must not turn a running daemon into none.
async fn check_before_stopping(
    args: &start::StartArgs,
    paths: &DaemonPaths,
) -> Result<(), CliError> {
    // The flags `start` passes to the daemon, so the check sees what the daemon will.
    let flags = ConfigLayer {
        port: args.port.map(i64::from),
        host: args.host.clone(),
        socket: Some(paths.socket.clone()),
        origin: Some("command-line flags".to_owned()),
        ..ConfigLayer::default()
    };
    let refused = |err| CliError::RestartRefused(Box::new(err));
    let checked = config::check(args.config.as_deref(), paths, flags)
        .await
        .map_err(refused)?;
    if let Some(err) = checked.charter_error() {
        output::stderr(&checked.findings_text());
        return Err(refused(err));
    }
    Ok(())
}
