//! [`Readiness`]: how a detached daemon tells the process that launched it whether it started.
//!
//! `--daemonize` forks before any runtime exists. The launcher keeps the read end of a pipe
//! and waits; the daemon writes `ready <pid>` or `error <reason>` / `hint <remedy>` lines and
//! closes its end. A daemon that dies before writing closes the pipe too, so the launcher
//! never hangs.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::OwnedFd;

use nix::fcntl::OFlag;
use orchestrator_daemon::logging::StderrStyle;
use tracing::Level;

/// The daemon's side of the report; a no-op in the foreground, where errors go to stderr.
#[derive(Debug)]
pub struct Readiness {
    pipe: Option<File>,
}

impl Readiness {
    /// No launcher to report to.
    pub fn foreground() -> Self {
        Self { pipe: None }
    }

    /// Started: the socket accepts connections.
    pub fn ready(self) {
        if let Some(mut pipe) = self.pipe {
            let _launcher_gone_is_fine = writeln!(pipe, "ready {}", std::process::id());
        } else {
            let prefix = StderrStyle::of_stderr().line_prefix(Level::INFO);
            eprintln!(
                "{prefix}orchestrator daemon running (pid {})",
                std::process::id()
            );
        }
    }

    /// Failed to start, with the reason and what to do.
    pub fn failed(self, reason: &str, remedy: &str) {
        match self.pipe {
            Some(mut pipe) => {
                let _ = writeln!(pipe, "error {}", reason.replace('\n', " "));
                if !remedy.is_empty() {
                    let _ = writeln!(pipe, "hint {}", remedy.replace('\n', " "));
                }
            }
            None => print_failure(reason, remedy),
        }
    }
}

/// `error: <reason>` and `hint: <remedy>` on stderr, as the journal's errors when it reads it.
pub fn print_failure(reason: &str, remedy: &str) {
    let prefix = StderrStyle::of_stderr().line_prefix(Level::ERROR);
    eprintln!("{prefix}error: {reason}");
    if !remedy.is_empty() {
        eprintln!("{prefix}hint: {remedy}");
    }
}

/// Detaches. Returns in the daemon with its [`Readiness`]; the launcher never returns: it
/// waits for the report and exits 0 (printing the pid) or 1 (printing the reason).
pub fn daemonize() -> Result<Option<Readiness>, Box<dyn std::error::Error>> {
    let (read_end, write_end): (OwnedFd, OwnedFd) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    // umask 022, not 077: agents inherit it, and files they write into the user's repository
    // must get the usual permissions. The daemon sets its own files' modes explicitly.
    let outcome = daemonize::Daemonize::new()
        .working_directory("/")
        .umask(0o022)
        .execute();
    match outcome {
        daemonize::Outcome::Parent(result) => {
            drop(write_end);
            result?;
            std::process::exit(wait_for_report(File::from(read_end)));
        }
        daemonize::Outcome::Child(result) => {
            drop(read_end);
            result?;
            Ok(Some(Readiness {
                pipe: Some(File::from(write_end)),
            }))
        }
    }
}

fn wait_for_report(pipe: File) -> i32 {
    let mut error = None;
    for line in BufReader::new(pipe).lines() {
        let Ok(line) = line else { break };
        if let Some(pid) = line.strip_prefix("ready ") {
            println!("{pid}");
            return 0;
        } else if let Some(reason) = line.strip_prefix("error ") {
            eprintln!("error: {reason}");
            error = Some(());
        } else if let Some(remedy) = line.strip_prefix("hint ") {
            eprintln!("hint: {remedy}");
        }
    }
    if error.is_none() {
        eprintln!("error: the daemon exited while starting; see its log file");
    }
    1
}
