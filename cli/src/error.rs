//! [`CliError`]: every way a `wundr` command fails, each with the remedy printed under it
//! ([`CliError::remedy`]), the exit code it maps to ([`CliError::exit_code`]) and a stable
//! machine-readable reason ([`CliError::reason`]: the daemon's `ErrorInfo.reason` for a
//! refused call, else one of the CLI's own);
//! [`Outcome`]: how a command that did not fail ended; [`RpcFailure`]: a gRPC status worded for
//! people.
//!
//! Exit codes (also in `wundr --help`, [`EXIT_CODES_HELP`]):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | failure: the error, its causes and a hint are printed on stderr |
//! | 2 | usage error: an unknown flag or a bad argument (reported by clap) |
//! | 3 | the orchestrator daemon is not running (`status`, `logs`, `session ...`), as LSB init scripts do |
//! | 4 | `session wait`: the session waits for a person (an approval request is pending) |
//! | 124 | `session wait --timeout`: the time ran out first (as `timeout(1)` does) |
//!
//! `logs --session ID -f` and `session wait` also exit 1 when the session ended failed or
//! terminated ([`Outcome::SessionFailed`]).
//!
//! Errors of the `session` commands are [`SessionCommandError`]s, wrapped here as
//! [`CliError::Session`].

mod codes;
mod exit;
mod relay;
mod rpc;
mod service;
mod session;

pub use codes::error_json;
pub use exit::{EXIT_CODES_HELP, EXIT_FAILURE, EXIT_NOT_RUNNING, Outcome, START_HINT};
pub use relay::RelayCommandError;
pub use rpc::RpcFailure;
pub use service::ServiceError;
pub use session::SessionCommandError;

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator_api::ConnectError;
use orchestrator_api::paths::PathError;

/// Every way a `wundr` command fails. Messages describe this layer only; the cause is in
/// `#[source]` and printed by `main` as `caused by:` lines.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The default locations (socket, log, ...) could not be derived from the environment.
    #[error("cannot work out where the orchestrator daemon lives")]
    Paths(#[source] PathError),
    /// A path given on the command line could not be made absolute.
    #[error("cannot resolve the path {}", path.display())]
    Absolute {
        /// The path as given.
        path: PathBuf,
        /// Why it could not be resolved.
        #[source]
        source: io::Error,
    },
    /// The current directory, the default working directory of a session, cannot be read.
    #[error("cannot read the current directory")]
    CurrentDir {
        /// Why not (it may have been deleted).
        #[source]
        source: io::Error,
    },
    /// The socket path does not fit in a Unix socket address.
    #[error("the socket path {} is longer than the {max} bytes a Unix socket allows", path.display())]
    SocketPathTooLong {
        /// The socket path.
        path: PathBuf,
        /// The kernel's limit.
        max: usize,
    },
    /// A daemon socket exists but a channel could not be opened (not "not running").
    #[error("cannot reach the orchestrator daemon")]
    Connect(#[source] ConnectError),
    /// The daemon accepted the connection but did not answer in time.
    #[error("the orchestrator daemon at {} did not answer {call} within {}s", socket.display(), timeout.as_secs())]
    Timeout {
        /// The socket it listens on.
        socket: PathBuf,
        /// The call or step that timed out.
        call: &'static str,
        /// How long we waited.
        timeout: Duration,
    },
    /// A gRPC call failed.
    #[error("the {call} call to the orchestrator daemon failed")]
    Rpc {
        /// The RPC name.
        call: &'static str,
        /// What the daemon or the transport reported.
        #[source]
        source: RpcFailure,
    },
    /// A live daemon holds the pid file lock but does not answer on the socket.
    #[error("an orchestrator daemon (pid {pid}) holds {} but does not answer on {}", pid_file.display(), socket.display())]
    Unresponsive {
        /// The pid written in the pid file.
        pid: u32,
        /// The pid file.
        pid_file: PathBuf,
        /// The socket it should answer on.
        socket: PathBuf,
    },
    /// The pid file exists but could not be read or probed.
    #[error("cannot read the pid file {}", path.display())]
    PidFile {
        /// The pid file.
        path: PathBuf,
        /// The read or lock failure.
        #[source]
        source: io::Error,
    },
    /// The `orchestrator-daemon` executable was found neither beside `wundr` nor on `PATH`.
    #[error("cannot find the orchestrator-daemon binary: {}", match beside {
        Some(path) => format!("it is neither at {} nor on PATH", path.display()),
        None => "the location of wundr is unknown and it is not on PATH".to_owned(),
    })]
    DaemonBinaryNotFound {
        /// The path beside `wundr` that was tried first, when the location of `wundr` is known.
        beside: Option<PathBuf>,
    },
    /// The daemon binary could not be run.
    #[error("cannot run {}", binary.display())]
    Launch {
        /// The daemon binary.
        binary: PathBuf,
        /// Why spawn/exec/wait failed.
        #[source]
        source: io::Error,
    },
    /// The daemon's launcher did not report readiness (or failure) in time.
    #[error("the orchestrator daemon did not report that it started within {}s", timeout.as_secs())]
    LaunchTimeout {
        /// How long we waited.
        timeout: Duration,
        /// Where the daemon logs.
        log_file: PathBuf,
    },
    /// The daemon's launcher exited non-zero.
    #[error("the orchestrator daemon failed to start: {reason}")]
    StartFailed {
        /// The daemon's own reason, or the end of its log.
        reason: String,
        /// The daemon's own remedy, when it printed one.
        hint: Option<String>,
        /// Where the daemon logs.
        log_file: PathBuf,
    },
    /// The launcher said the daemon is ready, yet the socket does not answer.
    #[error("the orchestrator daemon reported it started, but does not answer on {}", socket.display())]
    StartedButSilent {
        /// The socket polled.
        socket: PathBuf,
        /// Where the daemon logs.
        log_file: PathBuf,
        /// The last failure of the polling, if it was not plain "not running".
        #[source]
        source: Option<Box<CliError>>,
    },
    /// A pid that is not a daemon's (0, 1, or beyond `pid_t`) was about to be signalled.
    #[error("refusing to signal pid {pid}: it cannot be the daemon's")]
    BadPid {
        /// The pid.
        pid: u32,
    },
    /// `kill(2)` failed for a reason other than "no such process".
    #[error("cannot send {signal} to the orchestrator daemon (pid {pid})")]
    Signal {
        /// The daemon's pid.
        pid: u32,
        /// The signal.
        signal: Signal,
        /// What `kill(2)` reported.
        #[source]
        source: nix::Error,
    },
    /// The daemon survived SIGKILL (it is stuck in the kernel, or the pid is not ours).
    #[error("the orchestrator daemon (pid {pid}) is still alive after SIGKILL")]
    WontDie {
        /// The daemon's pid.
        pid: u32,
    },
    /// The daemon is not running and there is no log file to show instead.
    #[error("the orchestrator daemon is not running and there is no log file at {}", path.display())]
    NoLogFile {
        /// The expected log file.
        path: PathBuf,
    },
    /// The log file exists but could not be read.
    #[error("cannot read the log file {}", path.display())]
    ReadLog {
        /// The log file.
        path: PathBuf,
        /// The read failure.
        #[source]
        source: io::Error,
    },
    /// `logs --follow` with no daemon to stream from.
    #[error("cannot follow {}: the orchestrator daemon is not running", path.display())]
    CannotFollow {
        /// The log file shown instead.
        path: PathBuf,
    },
    /// The async runtime could not be built.
    #[error("cannot start the async runtime")]
    Runtime(#[source] io::Error),
    /// Writing to stdout failed (a closed pipe is handled quietly by `main`).
    #[error("cannot write to standard output")]
    Stdout(#[source] io::Error),
    /// `charter validate` found errors (they were printed above).
    #[error("the charter {file} is invalid ({errors} error{})", if *errors == 1 { "" } else { "s" })]
    CharterInvalid {
        /// The file.
        file: String,
        /// How many error findings.
        errors: usize,
    },
    /// The hook's input could not be read.
    #[error("cannot read the hook input from standard input")]
    Stdin(#[source] io::Error),
    /// A memory export or import file could not be written or read.
    #[error("cannot {action} {}", path.display())]
    MemoryFile {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The daemon's configuration would be refused (`config validate`, `restart`).
    #[error("the orchestrator configuration is invalid")]
    ConfigInvalid(#[source] orchestrator_config::ConfigError),
    /// `restart` checked the configuration (or charter) first and found it would not start;
    /// nothing was stopped.
    #[error(
        "not restarting: the daemon would not start with this configuration; the running daemon (if any) was left running"
    )]
    RestartRefused(#[source] Box<CliError>),
    /// `doctor` found problems (they were printed above, each with its remedy).
    #[error("{fails} doctor check{} failed", if *fails == 1 { "" } else { "s" })]
    DoctorFailed {
        /// How many checks failed.
        fails: usize,
    },
    /// A `session` command failed; it carries its own remedy and exit code.
    #[error(transparent)]
    Session(#[from] SessionCommandError),
    /// A `service` command failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// `relay` (a remote session's job entrypoint) failed.
    #[error(transparent)]
    Relay(#[from] RelayCommandError),
}

impl CliError {
    /// The exit code `main` ends with for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::NoLogFile { .. } | Self::CannotFollow { .. } => EXIT_NOT_RUNNING,
            Self::Session(err) => err.exit_code(),
            _ => EXIT_FAILURE,
        }
    }

    /// What the user can do about it, printed as `hint:` under the error.
    pub fn remedy(&self) -> Option<String> {
        let logs = |log_file: &PathBuf| {
            format!(
                "see the daemon log: wundr orchestrator logs (or {})",
                log_file.display()
            )
        };
        Some(match self {
            Self::ConfigInvalid(err) => format!(
                "{}; check it with: wundr orchestrator config validate [FILE]",
                err.remedy()
            ),
            Self::RestartRefused(err) => return err.remedy(),
            Self::DoctorFailed { .. } => "fix the checks marked fail, as their hints say".into(),
            Self::Paths(_) => "set HOME (and optionally XDG_RUNTIME_DIR), or pass --socket".into(),
            Self::Absolute { .. } => "pass an absolute path".into(),
            Self::CurrentDir { .. } => {
                "cd to an existing directory, or pass --workdir DIR (or --scratch)".into()
            }
            Self::SocketPathTooLong { .. } => {
                "pick a shorter path with --socket or WUNDR_ORCHESTRATOR_SOCKET".into()
            }
            Self::Connect(ConnectError::PermissionDenied { .. }) => {
                "that socket belongs to another user's daemon: use your own with --socket".into()
            }
            Self::Connect(_) => "check that the daemon is healthy: wundr orchestrator logs".into(),
            Self::Timeout { .. } | Self::Unresponsive { .. } => "it may be starting or stuck: \
                 retry in a moment, or stop it with: wundr orchestrator stop"
                .into(),
            Self::Rpc { source, .. } => source.remedy(),
            Self::NoLogFile { .. } | Self::CannotFollow { .. } => START_HINT.into(),
            Self::PidFile { .. } => "check the permissions of the pid file's directory".into(),
            Self::DaemonBinaryNotFound { .. } => "build it with `cargo build --workspace` \
                 (it lands beside wundr), or put orchestrator-daemon on your PATH"
                .into(),
            Self::Launch { .. } => "check that the orchestrator-daemon binary is executable \
                 and built for this machine"
                .into(),
            Self::StartFailed {
                hint: Some(hint), ..
            } => hint.clone(),
            Self::LaunchTimeout { log_file, .. }
            | Self::StartFailed { log_file, .. }
            | Self::StartedButSilent { log_file, .. } => logs(log_file),
            Self::Signal {
                source: nix::Error::EPERM,
                ..
            } => "the daemon runs as another user: stop it as that user".into(),
            Self::WontDie { .. } => "check the process with `ps` and retry".into(),
            Self::Session(err) => return err.remedy(),
            Self::CharterInvalid { .. } => {
                "fix the findings listed above (file:line:column), then validate again".into()
            }
            Self::Stdin(_) => {
                "Claude Code pipes the hook input; run the hook from its settings".into()
            }
            Self::MemoryFile {
                action: "write", ..
            } => "pick a path in a directory you can write".into(),
            Self::MemoryFile { .. } => "check the path and its permissions".into(),
            Self::Service(err) => return err.remedy(),
            Self::Relay(err) => return err.remedy(),
            Self::BadPid { .. }
            | Self::Signal { .. }
            | Self::ReadLog { .. }
            | Self::Runtime(_)
            | Self::Stdout(_) => return None,
        })
    }

    /// True when stdout was closed under us (`wundr orchestrator logs | head`), which is not a
    /// failure worth reporting.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Stdout(err) if err.kind() == io::ErrorKind::BrokenPipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_running_errors_exit_3_and_others_1() {
        let path = PathBuf::from("/tmp/daemon.log");
        assert_eq!(CliError::NoLogFile { path: path.clone() }.exit_code(), 3);
        assert_eq!(CliError::CannotFollow { path }.exit_code(), 3);
        assert_eq!(CliError::WontDie { pid: 42 }.exit_code(), 1);
        assert_eq!(Outcome::NotRunning.exit_code(), 3);
        assert_eq!(Outcome::Success.exit_code(), 0);
        assert_eq!(Outcome::SessionFailed.exit_code(), 1);
        assert_eq!(Outcome::NeedsPerson.exit_code(), 4);
        assert_eq!(Outcome::TimedOut.exit_code(), 124);
    }

    #[test]
    fn binary_not_found_names_both_places() {
        let err = CliError::DaemonBinaryNotFound {
            beside: Some(PathBuf::from("/opt/wundr/bin/orchestrator-daemon")),
        };
        assert_eq!(
            err.to_string(),
            "cannot find the orchestrator-daemon binary: \
             it is neither at /opt/wundr/bin/orchestrator-daemon nor on PATH"
        );
        let remedy = err.remedy().unwrap_or_default();
        assert!(remedy.contains("cargo build --workspace"));
        assert!(remedy.contains("PATH"));
    }
}
