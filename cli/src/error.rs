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

pub use codes::error_json;

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator_api::ConnectError;
use orchestrator_api::paths::PathError;

use crate::commands::orchestrator::service::ServiceError;
use crate::commands::orchestrator::session::error::SessionCommandError;

/// Exit code of a successful command.
pub const EXIT_SUCCESS: u8 = 0;
/// Exit code of a failed command.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of `status` and `logs` when the daemon is not running.
pub const EXIT_NOT_RUNNING: u8 = 3;
/// Exit code of `session wait` when the session waits for a person.
pub const EXIT_NEEDS_PERSON: u8 = 4;
/// Exit code of `session wait` when its `--timeout` passed (as `timeout(1)` exits).
pub const EXIT_TIMED_OUT: u8 = 124;

/// The exit codes, as `wundr --help` shows them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  failure (the error and a hint are printed on stderr)
  2  usage error (unknown flag or bad argument)
  3  the orchestrator daemon is not running (status, logs, session commands)
  4  session wait: the session waits for a person (a pending approval)
  124  session wait --timeout: the time ran out
A followed or awaited session (logs --session ID -f, session wait) that ended failed or
terminated exits 1.";

/// The hint for every "the daemon is not running" situation.
pub const START_HINT: &str = "start it with: wundr orchestrator start";

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked.
    Success,
    /// It answered "the daemon is not running" (exit code 3).
    NotRunning,
    /// The session it followed or waited for ended failed or terminated (exit code 1; the
    /// session's status line was printed).
    SessionFailed,
    /// The session it waited for waits for a person (exit code 4).
    NeedsPerson,
    /// `--timeout` passed before the session ended (exit code 124).
    TimedOut,
}

impl Outcome {
    /// The process exit code of this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Success => EXIT_SUCCESS,
            Self::NotRunning => EXIT_NOT_RUNNING,
            Self::SessionFailed => EXIT_FAILURE,
            Self::NeedsPerson => EXIT_NEEDS_PERSON,
            Self::TimedOut => EXIT_TIMED_OUT,
        }
    }
}

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

/// A gRPC status, displayed as what it means for the user rather than as tonic's debug-like
/// `status: ..., message: ..., details: ...` text. Its source is the transport error, if any.
#[derive(Debug)]
pub struct RpcFailure(pub tonic::Status);

/// The metadata key under which the daemon sends its remedy with an error status.
const DAEMON_REMEDY_KEY: &str = "wundr-remedy-bin";

impl RpcFailure {
    /// The reason of the daemon's `google.rpc.ErrorInfo`, when the status carries one from
    /// the orchestrator's domain: what hints key on, never the message's words.
    pub fn daemon_reason(&self) -> Option<String> {
        use tonic_types::StatusExt;
        let info = self.0.get_details_error_info()?;
        (info.domain == orchestrator_api::error_codes::ERROR_DOMAIN).then_some(info.reason)
    }

    /// The daemon's reason, or for a failure of the call itself (no ErrorInfo) one that says
    /// what the gRPC code means.
    pub fn reason(&self) -> String {
        if let Some(reason) = self.daemon_reason() {
            return reason;
        }
        match self.0.code() {
            tonic::Code::Unavailable | tonic::Code::Cancelled | tonic::Code::Unknown => {
                "DAEMON_UNAVAILABLE"
            }
            tonic::Code::Unimplemented => "DAEMON_VERSION_MISMATCH",
            tonic::Code::DeadlineExceeded => "DAEMON_TIMEOUT",
            _ => "RPC_FAILED",
        }
        .to_owned()
    }

    /// The remedy the daemon sent with the status, when it sent one: it knows the cause best
    /// (a full disk, a read-only database, …).
    pub fn daemon_remedy(&self) -> Option<String> {
        let value = self.0.metadata().get_bin(DAEMON_REMEDY_KEY)?;
        let bytes = value.to_bytes().ok()?;
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        (!text.is_empty()).then_some(text)
    }

    fn remedy(&self) -> String {
        if let Some(remedy) = self.daemon_remedy() {
            return remedy;
        }
        self.transport_remedy().to_owned()
    }

    fn transport_remedy(&self) -> &'static str {
        match self.0.code() {
            tonic::Code::Unavailable | tonic::Code::Cancelled | tonic::Code::Unknown => {
                "the daemon may have stopped: check wundr orchestrator status"
            }
            tonic::Code::Unimplemented => {
                "the daemon is another version than this wundr: wundr orchestrator restart"
            }
            tonic::Code::DeadlineExceeded => "the daemon is busy or stuck: retry in a moment",
            _ => "see the daemon log: wundr orchestrator logs",
        }
    }
}

impl fmt::Display for RpcFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meaning = match self.0.code() {
            tonic::Code::Unavailable => "the daemon went away or is not accepting calls",
            tonic::Code::Cancelled => "the call was cancelled",
            tonic::Code::Unimplemented => "the daemon does not know this call",
            tonic::Code::DeadlineExceeded => "the daemon did not answer in time",
            tonic::Code::PermissionDenied | tonic::Code::Unauthenticated => {
                "the daemon refused the call"
            }
            tonic::Code::InvalidArgument | tonic::Code::FailedPrecondition => {
                "the daemon rejected the request"
            }
            _ => "the daemon reported an error",
        };
        match self.0.message() {
            "" => f.write_str(meaning),
            message => write!(f, "{meaning}: {message}"),
        }
    }
}

impl std::error::Error for RpcFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
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
    fn rpc_failures_read_as_sentences() {
        let failure = RpcFailure(tonic::Status::unavailable("connection reset"));
        assert_eq!(
            failure.to_string(),
            "the daemon went away or is not accepting calls: connection reset"
        );
        let failure = RpcFailure(tonic::Status::unimplemented(""));
        assert_eq!(failure.to_string(), "the daemon does not know this call");
        assert!(failure.remedy().contains("restart"));
        // The daemon's own remedy wins over the code's.
        let mut status = tonic::Status::resource_exhausted("cannot save: the disk is full");
        status.metadata_mut().insert_bin(
            DAEMON_REMEDY_KEY,
            tonic::metadata::MetadataValue::from_bytes("free space on /data".as_bytes()),
        );
        assert_eq!(RpcFailure(status).remedy(), "free space on /data");
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
