//! `wundr orchestrator logs [-n N] [-f] [--json]`: [`LogsArgs`]; streams the daemon log over the
//! `StreamLogs` RPC, or, when the daemon is down, shows the end of the log file directly
//! ([`show_file`]) and exits 3. With `--session ID` it shows one session's events instead
//! (`session::follow`), `-n N` limiting what it did so far to its last N lines. `--json`
//! prints JSON Lines: a [`LogLineJson`] per log line, a session event object per event.

use std::path::Path;

use clap::Args;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::StreamLogsRequest;
use tonic::Streaming;

use crate::commands::orchestrator::session::follow::{self, FollowOptions};
use crate::daemon_client::{self, CALL_TIMEOUT};
use crate::error::{CliError, Outcome, RpcFailure};
use crate::json::logs::LogLineJson;
use crate::output;
use orchestrator_api::logtail;

/// Lines of the daemon log shown without `-n`.
const DAEMON_LOG_LINES: u32 = 50;

/// Arguments of `wundr orchestrator logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// How many of the most recent lines to show first [default: 50; with --session: all]
    #[arg(short = 'n', long, value_name = "N")]
    pub lines: Option<u32>,
    /// Keep printing new lines as the daemon writes them (Ctrl+C to stop); with --session,
    /// until the session ends: exit 0 when it completed, 1 when it failed or was terminated
    #[arg(short, long)]
    pub follow: bool,
    /// Show one session's events instead of the daemon log: its status, then with -f
    /// everything it does until it ends
    #[arg(long, value_name = "ID", add = crate::commands::complete_ids::session_ids())]
    pub session: Option<String>,
    /// With --session: first replay what the session's agent printed so far
    #[arg(long, requires = "session")]
    pub transcript: bool,
    /// Print JSON Lines: one object per log line (time, level, target, message), or with
    /// --session one object per event
    #[arg(long)]
    pub json: bool,
}

/// Shows the log from the daemon, or from its file when the daemon is down; or, with
/// `--session`, the session's events.
pub async fn run(args: &LogsArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    if let Some(id) = &args.session {
        let options = FollowOptions {
            id,
            follow: args.follow,
            transcript: args.transcript,
            last_lines: args.lines,
            json: args.json,
        };
        return follow::run(&options, &paths.socket).await;
    }
    let Some(mut client) = daemon_client::connect(&paths.socket).await? else {
        return show_file(args, &paths.log_file);
    };
    let request = StreamLogsRequest {
        lines: args.lines.unwrap_or(DAEMON_LOG_LINES),
        follow: args.follow,
    };
    let stream =
        daemon_client::unary(&paths.socket, "StreamLogs", client.stream_logs(request)).await?;
    if args.follow {
        follow(stream, &paths.socket, args.json).await
    } else {
        print_all(stream, &paths.socket, args.json).await
    }
}

/// Prints a finite stream; each line must arrive within the call timeout.
async fn print_all(
    mut stream: Streaming<orchestrator_api::v1::LogLine>,
    socket: &Path,
    json: bool,
) -> Result<Outcome, CliError> {
    loop {
        let next = tokio::time::timeout(CALL_TIMEOUT, stream.message()).await;
        match next {
            Err(_elapsed) => {
                return Err(CliError::Timeout {
                    socket: socket.to_path_buf(),
                    call: "StreamLogs",
                    timeout: CALL_TIMEOUT,
                });
            }
            Ok(Ok(Some(line))) => output::stdout(&log_line(&line.line, json))?,
            Ok(Ok(None)) => return Ok(Outcome::Success),
            Ok(Err(status)) => return Err(stream_error(status)),
        }
    }
}

/// Prints lines until Ctrl+C (exit 0) or until the daemon stops (exit 0, "daemon stopped").
async fn follow(
    mut stream: Streaming<orchestrator_api::v1::LogLine>,
    socket: &Path,
    json: bool,
) -> Result<Outcome, CliError> {
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            // An error installing the handler also lands here; stopping is the safe reading.
            _ = &mut ctrl_c => return Ok(Outcome::Success),
            next = stream.message() => match next {
                Ok(Some(line)) => output::stdout(&log_line(&line.line, json))?,
                Ok(None) => {
                    output::stderr("daemon stopped\n");
                    return Ok(Outcome::Success);
                }
                // A daemon that dies without ending the stream shows up as a transport error:
                // if nothing listens any more, that is "stopped" too.
                Err(status) => {
                    if matches!(daemon_client::connect(socket).await, Ok(None)) {
                        output::stderr("daemon stopped\n");
                        return Ok(Outcome::Success);
                    }
                    return Err(stream_error(status));
                }
            },
        }
    }
}

/// One log line as printed: as written, or as a JSON Lines record.
fn log_line(line: &str, json: bool) -> String {
    if json {
        crate::json::line(&LogLineJson::parse(line))
    } else {
        format!("{line}\n")
    }
}

fn stream_error(status: tonic::Status) -> CliError {
    CliError::Rpc {
        call: "StreamLogs",
        source: RpcFailure(status),
    }
}

/// The daemon is down: print the end of its log file, then say where it came from. Always
/// [`Outcome::NotRunning`] or an error with exit code 3, since nothing is running.
pub fn show_file(args: &LogsArgs, log_file: &Path) -> Result<Outcome, CliError> {
    let count = usize::try_from(args.lines.unwrap_or(DAEMON_LOG_LINES)).unwrap_or(usize::MAX);
    let lines = match logtail::last_lines(log_file, count) {
        Ok(lines) => lines,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::NoLogFile {
                path: log_file.to_path_buf(),
            });
        }
        Err(source) => {
            return Err(CliError::ReadLog {
                path: log_file.to_path_buf(),
                source,
            });
        }
    };
    let mut text = String::new();
    for line in &lines {
        text.push_str(&log_line(line, args.json));
    }
    output::stdout(&text)?;
    if args.follow {
        return Err(CliError::CannotFollow {
            path: log_file.to_path_buf(),
        });
    }
    output::stderr(&format!(
        "orchestrator daemon is not running; showing {}\n",
        log_file.display()
    ));
    Ok(Outcome::NotRunning)
}
