//! The seam between the supervisor and wherever an agent runs.
//!
//! Key types: [`SessionRunner`] (starts an agent from a [`RunSpec`], and reclaims what agents
//! of an [`InterruptedSession`] left running), [`RunningAgent`] (its stdin, stdout/stderr line
//! streams and an [`AgentHandle`]), [`AgentProcess`] (what a runner implements to signal, wait
//! and stop), [`AgentSignal`], [`ExitOutcome`] and [`RunnerError`].
//!
//! Nothing here knows about pids or process groups: the local process-group runner
//! ([`LocalRunner`](super::LocalRunner)) keeps those to itself, so a runner on a cluster job
//! API can plug in behind the same types.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use orchestrator_config::RunnerKind;

use super::output::{AgentStdin, LineReader, StreamError};
use crate::model::session::RemoteJob;

/// A boxed future, so the runner traits stay object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Default cap on one output line: longer lines are truncated, never buffered whole.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;

/// The environment variable that names an agent's session (see [`orchestrator_relay::sweep`]).
pub use orchestrator_relay::sweep::SESSION_ID_VAR;

/// Starts agents somewhere (this machine, a cluster).
pub trait SessionRunner: Send + Sync {
    /// Starts an agent. When `spec.env` names its session ([`SESSION_ID_VAR`]), nothing the
    /// agent started may outlive it: the runner ends all of it before the agent counts as
    /// exited.
    fn start(&self, spec: RunSpec) -> BoxFuture<'_, Result<RunningAgent, RunnerError>>;

    /// Whether agents can be started with `runner` now: a spawn is refused, before anything
    /// is made, when not. The default knows only this machine.
    fn check_ready(&self, runner: RunnerKind) -> BoxFuture<'_, Result<(), RunnerError>> {
        Box::pin(async move {
            match runner {
                RunnerKind::Local => Ok(()),
                other => Err(RunnerError::NotConfigured { runner: other }),
            }
        })
    }

    /// Ends whatever the agents of `sessions` still run: they were started by a daemon that
    /// died without stopping them. Called once at start, before any agent is started. The
    /// default suits runners whose agents cannot outlive the daemon.
    fn reclaim<'a>(&'a self, sessions: &'a [InterruptedSession]) -> BoxFuture<'a, ()> {
        let _ = sessions;
        Box::pin(async {})
    }
}

/// A session that was active when the previous daemon died.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedSession {
    pub session_id: String,
    /// The OS process id its agent had, for runners that have one.
    pub pid: Option<u32>,
    /// The cluster job its agent ran as, for remote runners.
    pub remote: Option<RemoteJob>,
}

/// A started agent as a runner sees it. All methods take `&self` so one handle can be shared
/// by the session task (wait/stop) and API requests (pause/resume).
pub trait AgentProcess: Send + Sync + fmt::Debug {
    /// A human-readable id for logs and errors, e.g. `pid 4242`.
    fn describe(&self) -> String;
    /// The OS process id, for runners that have one.
    fn pid(&self) -> Option<u32>;
    fn signal(&self, signal: AgentSignal) -> Result<(), RunnerError>;
    /// The exit outcome if the agent has already ended; never blocks.
    fn try_outcome(&self) -> Option<ExitOutcome>;
    /// Resolves when the agent has ended and been cleaned up. Cancel safe.
    fn wait(&self) -> BoxFuture<'_, Result<ExitOutcome, RunnerError>>;
    /// Asks the agent to end, forces it after `grace`, and resolves once it has ended.
    fn stop(&self, grace: Duration) -> BoxFuture<'_, Result<ExitOutcome, RunnerError>>;
    /// Why the agent ended when the runner, not the agent, ended it without being asked (its
    /// node died, its relay's connection was lost). A session ends with this reason and is
    /// not restarted.
    fn end_reason(&self) -> Option<String> {
        None
    }
    /// The cluster job the agent runs as, for remote runners.
    fn remote_job(&self) -> Option<RemoteJob> {
        None
    }
}

/// What to run: a full, explicit description. Nothing is inherited from the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// A path, or a name looked up in `env["PATH"]` (the daemon's own `PATH` is not used).
    pub program: String,
    pub args: Vec<String>,
    /// The agent's whole environment: the daemon's variables (its secrets, `CLAUDECODE`,
    /// `CLAUDE_CODE_*`) never leak unless listed here.
    pub env: BTreeMap<String, String>,
    /// Must exist; it is not created here.
    pub cwd: PathBuf,
    pub stdin: StdinMode,
    /// Where it runs.
    pub runner: RunnerKind,
    /// The node it must run on (a remote runner's follow-up, where the conversation is).
    pub pin_node: Option<String>,
    /// Longer stdout/stderr lines are truncated (see [`OutputLine`](super::OutputLine)).
    pub max_line_bytes: usize,
}

impl RunSpec {
    pub fn new(program: impl Into<String>, cwd: impl Into<PathBuf>) -> Self {
        RunSpec {
            program: program.into(),
            args: Vec::new(),
            env: BTreeMap::new(),
            cwd: cwd.into(),
            stdin: StdinMode::Piped,
            runner: RunnerKind::Local,
            pin_node: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Copies the named variables from the daemon's environment when set (e.g. `PATH`,
    /// `HOME`, `LANG`): an allow list, so anything not named stays out.
    pub fn inherit_env(mut self, names: &[&str]) -> Self {
        for name in names {
            if let Ok(value) = std::env::var(name) {
                self.env.insert((*name).to_owned(), value);
            }
        }
        self
    }
}

/// Whether the agent gets a stdin pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StdinMode {
    #[default]
    Piped,
    Null,
}

/// Signals a supervisor sends. The local runner delivers them to the whole process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentSignal {
    /// SIGINT: like Ctrl-C, Claude Code abandons the current turn.
    Interrupt,
    /// SIGTERM: please exit.
    Terminate,
    /// SIGKILL.
    Kill,
    /// SIGSTOP: pause.
    Pause,
    /// SIGCONT: unpause.
    Resume,
}

impl fmt::Display for AgentSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgentSignal::Interrupt => "SIGINT",
            AgentSignal::Terminate => "SIGTERM",
            AgentSignal::Kill => "SIGKILL",
            AgentSignal::Pause => "SIGSTOP",
            AgentSignal::Resume => "SIGCONT",
        })
    }
}

/// How an agent ended. Both `None` means the outcome could not be observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitOutcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl ExitOutcome {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

impl fmt::Display for ExitOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit code {code}"),
            (None, Some(signal)) => write!(f, "killed by signal {signal}"),
            (None, None) => f.write_str("unknown exit status"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The program (or the interpreter named in its `#!` line) does not exist.
    #[error("program not found: {program}")]
    NotFound { program: String },
    #[error("working directory does not exist: {}", cwd.display())]
    CwdNotFound { cwd: PathBuf },
    #[error("working directory is not a directory: {}", cwd.display())]
    CwdNotDirectory { cwd: PathBuf },
    #[error("cannot start {program}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot send {signal} to agent {agent}")]
    Signal {
        signal: AgentSignal,
        agent: String,
        #[source]
        source: io::Error,
    },
    #[error("the agent has already exited")]
    NotRunning,
    /// Reading the agent's output or writing its input failed.
    #[error(transparent)]
    Stream(#[from] StreamError),
    #[error("cannot wait for agent {agent}")]
    Wait {
        agent: String,
        #[source]
        source: io::Error,
    },
    /// Even SIGKILL did not end it in time (e.g. stuck in uninterruptible I/O); it is still
    /// reaped in the background whenever it does end.
    #[error("agent {agent} did not end within {waited:?} of SIGKILL")]
    KillTimeout { agent: String, waited: Duration },
    #[error("no {} runner is configured: set ray.address in the daemon's config (see the README, \"Sessions on a Ray cluster\")", runner.as_str())]
    NotConfigured { runner: RunnerKind },
    #[error(
        "cannot reach the Ray cluster at {address}: is it running, and is ray.address its dashboard's address?"
    )]
    Cluster {
        address: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "the Ray node {node} that holds this session's conversation is gone; start a new session (its conversation cannot move to another node)"
    )]
    NodeGone { node: String },
    #[error("the Ray job {job} did not start the agent: {why}")]
    JobNotStarted { job: String, why: String },
}

/// A clonable handle to a started agent; dropping the last one kills a still-running agent
/// (in the local runner), so no session is ever left running untracked.
#[derive(Debug, Clone)]
pub struct AgentHandle(Arc<dyn AgentProcess>);

impl AgentHandle {
    pub fn new(process: Arc<dyn AgentProcess>) -> Self {
        AgentHandle(process)
    }

    pub fn describe(&self) -> String {
        self.0.describe()
    }

    pub fn pid(&self) -> Option<u32> {
        self.0.pid()
    }

    pub fn end_reason(&self) -> Option<String> {
        self.0.end_reason()
    }

    pub fn remote_job(&self) -> Option<RemoteJob> {
        self.0.remote_job()
    }

    /// The local runner signals the whole process group.
    pub fn signal(&self, signal: AgentSignal) -> Result<(), RunnerError> {
        self.0.signal(signal)
    }

    pub fn try_outcome(&self) -> Option<ExitOutcome> {
        self.0.try_outcome()
    }

    pub async fn wait(&self) -> Result<ExitOutcome, RunnerError> {
        self.0.wait().await
    }

    pub async fn stop(&self, grace: Duration) -> Result<ExitOutcome, RunnerError> {
        self.0.stop(grace).await
    }
}

/// A started agent: take its pipes out, keep the handle.
///
/// Both output streams must be read (or dropped): an agent blocks once a pipe it writes to is
/// full.
#[derive(Debug)]
pub struct RunningAgent {
    stdin: Option<AgentStdin>,
    stdout: Option<LineReader>,
    stderr: Option<LineReader>,
    handle: AgentHandle,
}

impl RunningAgent {
    pub fn new(
        stdin: Option<AgentStdin>,
        stdout: LineReader,
        stderr: LineReader,
        handle: AgentHandle,
    ) -> Self {
        RunningAgent {
            stdin,
            stdout: Some(stdout),
            stderr: Some(stderr),
            handle,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.handle.pid()
    }

    pub fn handle(&self) -> AgentHandle {
        self.handle.clone()
    }

    /// `None` if already taken or the spec said [`StdinMode::Null`].
    pub fn take_stdin(&mut self) -> Option<AgentStdin> {
        self.stdin.take()
    }

    pub fn take_stdout(&mut self) -> Option<LineReader> {
        self.stdout.take()
    }

    pub fn take_stderr(&mut self) -> Option<LineReader> {
        self.stderr.take()
    }

    pub fn signal(&self, signal: AgentSignal) -> Result<(), RunnerError> {
        self.handle.signal(signal)
    }

    pub async fn wait(&self) -> Result<ExitOutcome, RunnerError> {
        self.handle.wait().await
    }

    pub async fn stop(&self, grace: Duration) -> Result<ExitOutcome, RunnerError> {
        self.handle.stop(grace).await
    }
}
