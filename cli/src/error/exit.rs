//! How a `wundr` command ends: the exit codes ([`EXIT_CODES_HELP`] as `wundr --help` shows
//! them), [`Outcome`] (how a command that did not fail ended) and the one hint for a daemon
//! that is not running ([`START_HINT`]).

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
