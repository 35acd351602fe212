//! `wundr orchestrator stop [-t SECS] [-f]`: [`StopArgs`]; asks the daemon to shut down within
//! the timeout (the `Shutdown` RPC carries it; SIGTERM when the daemon does not answer), waits
//! for its process to exit, and SIGKILLs it when it is still alive a fixed margin after the
//! timeout ([`StopPlan`]). [`stop_daemon`] is shared with
//! `restart` and returns a [`StopReport`], which says "stopped" only once the process has
//! ended: its socket and pid file go first, while it may still be closing its database.

use std::time::Duration;

use clap::Args;
use nix::sys::signal::Signal;
use orchestrator_api::paths::DaemonPaths;

use crate::daemon_client;
use crate::error::{CliError, Outcome};
use crate::output;
use crate::process::{self, PidWatch};
use crate::spinner::Spinner;

/// How long a SIGKILLed daemon may take to disappear before we give up on it.
const ESCALATION_WAIT: Duration = Duration::from_secs(5);
/// How long after the timeout we wait before SIGKILL: the daemon, told the timeout, stops its
/// agents and doors within it, then still closes its database and removes its files.
pub const KILL_MARGIN: Duration = Duration::from_secs(2);

/// What `stop -t N` does with N: the daemon is asked to be done within N, and is killed when
/// it is still alive N plus [`KILL_MARGIN`] after the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopPlan {
    /// The grace the daemon is told (`ShutdownRequest.grace_ms`).
    pub daemon_grace: Duration,
    /// When we stop waiting and send SIGKILL.
    pub kill_after: Duration,
}

impl StopPlan {
    /// The plan for `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self {
            daemon_grace: timeout,
            kill_after: timeout + KILL_MARGIN,
        }
    }

    fn grace_ms(self) -> u64 {
        u64::try_from(self.daemon_grace.as_millis()).unwrap_or(u64::MAX)
    }
}

/// Arguments of `wundr orchestrator stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Seconds to wait for a graceful stop before forcing it
    #[arg(short, long, value_name = "SECS", default_value_t = 15)]
    pub timeout: u64,
    /// Kill the daemon at once (SIGKILL) instead of asking it to stop
    #[arg(short, long)]
    pub force: bool,
}

/// How the daemon ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReport {
    /// There was no daemon to stop.
    NotRunning,
    /// It exited after being asked.
    Stopped {
        /// Its pid.
        pid: u32,
    },
    /// It was killed at once (`--force`).
    Killed {
        /// Its pid.
        pid: u32,
    },
    /// It ignored the request until the timeout and was then signalled.
    Forced {
        /// Its pid.
        pid: u32,
        /// The signal that finally ended it.
        signal: Signal,
    },
}

/// Stops the daemon and says how it went.
pub async fn run(args: &StopArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let report = stop_daemon(paths, Duration::from_secs(args.timeout), args.force).await?;
    print_report(report, args.timeout);
    Ok(Outcome::Success)
}

/// Prints what [`stop_daemon`] did (stdout), with a warning on stderr for a forced stop.
pub fn print_report(report: StopReport, timeout_secs: u64) {
    // Best effort: a failure to print must not turn a stopped daemon into an error.
    let _ = match report {
        StopReport::NotRunning => output::stdout("orchestrator daemon is not running\n"),
        StopReport::Stopped { pid } => {
            output::stdout(&format!("orchestrator daemon stopped (pid {pid})\n"))
        }
        StopReport::Killed { pid } => output::stdout(&format!(
            "orchestrator daemon killed with SIGKILL (pid {pid})\n"
        )),
        StopReport::Forced { pid, signal } => {
            output::warn(&format!(
                "the daemon did not stop within {timeout_secs}s; it was ended with {signal}"
            ));
            output::stdout(&format!(
                "orchestrator daemon stopped (pid {pid}, forced after timeout)\n"
            ))
        }
    };
}

/// Stops the daemon on `paths.socket`: kills it at once with `force`, otherwise asks it and
/// waits up to `timeout` before forcing.
pub async fn stop_daemon(
    paths: &DaemonPaths,
    timeout: Duration,
    force: bool,
) -> Result<StopReport, CliError> {
    let locked = process::locked_pid(&paths.pid_file)?;
    let client = match daemon_client::connect(&paths.socket).await {
        Ok(client) => client,
        // A daemon that holds the lock but is stuck still gets signalled below.
        Err(CliError::Timeout { .. }) if locked.is_some() => None,
        Err(err) => return Err(err),
    };

    if force {
        let answered = match client {
            Some(mut client) => daemon_client::get_status(&mut client, &paths.socket)
                .await
                .ok()
                .map(|status| status.pid),
            None => None,
        };
        let Some(pid) = answered.or(locked) else {
            return Ok(StopReport::NotRunning);
        };
        let watch = PidWatch::new(pid);
        kill_and_wait(&watch, pid).await?;
        return Ok(StopReport::Killed { pid });
    }

    let plan = StopPlan::new(timeout);
    let pid = match client {
        Some(mut client) => {
            match daemon_client::shutdown(&mut client, &paths.socket, plan.grace_ms()).await {
                Ok(pid) => pid,
                // The RPC failed but the lock names a live daemon: fall back to the signal.
                Err(err) => match locked {
                    Some(pid) => terminate(pid)?,
                    None => return Err(err),
                },
            }
        }
        None => match locked {
            // Answers nothing yet holds the lock: starting up or wedged.
            Some(pid) => terminate(pid)?,
            None => return Ok(StopReport::NotRunning),
        },
    };
    let watch = PidWatch::new(pid);
    let spinner = Spinner::start(format!("Stopping orchestrator daemon (pid {pid})…"));
    if process::wait_gone(&watch, plan.kill_after).await {
        return Ok(StopReport::Stopped { pid });
    }
    // It was asked politely (the RPC with the timeout, or SIGTERM) and is past the timeout:
    // another SIGTERM would only add a wait.
    drop(spinner);
    kill_and_wait(&watch, pid).await?;
    Ok(StopReport::Forced {
        pid,
        signal: Signal::SIGKILL,
    })
}

fn terminate(pid: u32) -> Result<u32, CliError> {
    process::send(pid, Signal::SIGTERM)?;
    Ok(pid)
}

async fn kill_and_wait(watch: &PidWatch, pid: u32) -> Result<(), CliError> {
    process::send(pid, Signal::SIGKILL)?;
    if process::wait_gone(watch, ESCALATION_WAIT).await {
        Ok(())
    } else {
        Err(CliError::WontDie { pid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_is_told_the_timeout_and_killed_a_fixed_margin_after_it() {
        let plan = StopPlan::new(Duration::from_secs(3));
        assert_eq!(plan.daemon_grace, Duration::from_secs(3));
        assert_eq!(plan.grace_ms(), 3000);
        assert_eq!(plan.kill_after, Duration::from_secs(3) + KILL_MARGIN);
        // "About N seconds": the margin is small and fixed, whatever N is.
        assert!(KILL_MARGIN <= Duration::from_secs(2));
        let long = StopPlan::new(Duration::from_secs(60));
        assert_eq!(long.kill_after - long.daemon_grace, KILL_MARGIN);
    }
}
