//! The local process-group runner: every agent is a child process leading its own group.
//!
//! Key types: [`LocalRunner`] (spawns) and `LocalProcess` (its [`AgentProcess`]).
//!
//! - Own process group (`process_group(0)`): signals reach the agent's whole tree (Claude Code
//!   runs tools as grandchildren), and a Ctrl-C at the daemon's terminal does not.
//! - `PR_SET_PDEATHSIG(SIGKILL)`: agents die with the daemon instead of running on untracked.
//! - One reaper task per child awaits exactly that child (tokio's per-pid wait, never a global
//!   `waitpid(-1)`), then SIGKILLs what is left of the group: grandchildren would otherwise be
//!   orphaned, and would hold the output pipes open so readers never saw EOF. Then it sweeps
//!   `/proc` for the session's marked processes that left the group (`setsid`, double
//!   forks; see `orchestrator_relay::sweep`), and only then reports the agent exited — so the next agent
//!   of the same session never starts while the sweep could still hit it.
//! - At start, [`SessionRunner::reclaim`] sweeps for the interrupted sessions of a daemon
//!   that died: the agents died with it, but their group members and escapees did not.
//! - `kill_on_drop(false)`: tokio's drop-kill reaches only the leader; instead, dropping the
//!   last [`AgentHandle`] SIGKILLs the whole group, and the reaper still reaps it.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::{Child, Command};
use tokio::sync::watch;

use super::output::{AgentStdin, LineReader};
use super::runner::{
    AgentHandle, AgentProcess, AgentSignal, BoxFuture, ExitOutcome, InterruptedSession, RunSpec,
    RunnerError, RunningAgent, SESSION_ID_VAR, SessionRunner, StdinMode,
};
use orchestrator_relay::sweep::{SweepTarget, sweep};

/// How long `stop` waits for the group to end after SIGKILL before reporting
/// [`RunnerError::KillTimeout`].
const KILL_WAIT: Duration = Duration::from_secs(5);

/// Runs agents as local child processes, each in its own process group.
///
/// Start agents from a tokio runtime thread (any `async` context), never from
/// `spawn_blocking`: Linux delivers `PR_SET_PDEATHSIG` when the *thread* that forked the child
/// exits, and blocking-pool threads exit when idle.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalRunner;

impl LocalRunner {
    pub fn new() -> Self {
        LocalRunner
    }

    /// Spawns the agent. Synchronous: forking does not wait for the program to run.
    pub fn start(&self, spec: RunSpec) -> Result<RunningAgent, RunnerError> {
        check_cwd(&spec)?;
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .env_clear()
            .envs(&spec.env)
            .current_dir(&spec.cwd)
            .stdin(match spec.stdin {
                StdinMode::Piped => Stdio::piped(),
                StdinMode::Null => Stdio::null(),
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(false)
            .process_group(0);
        crate::child::die_with_daemon(&mut command);
        let mut child = command.spawn().map_err(|err| spawn_error(err, &spec))?;
        let (Some(pid), Some(stdout), Some(stderr)) =
            (child.id(), child.stdout.take(), child.stderr.take())
        else {
            // Unreachable with piped stdio and a fresh child; reap it rather than leak it.
            tokio::spawn(async move { child.wait().await });
            return Err(RunnerError::Spawn {
                program: spec.program,
                source: io::Error::other("spawned child has no pid or pipes"),
            });
        };
        let stdin = child.stdin.take().map(AgentStdin::new);
        let session = spec.env.get(SESSION_ID_VAR).cloned();
        let process = LocalProcess::spawn_reaper(child, pid, session);
        tracing::debug!(pid, program = %spec.program, "agent started");
        Ok(RunningAgent::new(
            stdin,
            LineReader::new(stdout, spec.max_line_bytes, "stdout"),
            LineReader::new(stderr, spec.max_line_bytes, "stderr"),
            AgentHandle::new(Arc::new(process)),
        ))
    }
}

impl SessionRunner for LocalRunner {
    fn start(&self, spec: RunSpec) -> BoxFuture<'_, Result<RunningAgent, RunnerError>> {
        let started = LocalRunner::start(self, spec);
        Box::pin(async move { started })
    }

    fn reclaim<'a>(&'a self, sessions: &'a [InterruptedSession]) -> BoxFuture<'a, ()> {
        let sessions = sessions.to_vec();
        Box::pin(async move {
            let swept = tokio::task::spawn_blocking(move || {
                let targets: Vec<SweepTarget<'_>> = sessions
                    .iter()
                    .map(|s| SweepTarget {
                        session_id: &s.session_id,
                        group: s.pid.and_then(|pid| i32::try_from(pid).ok()),
                    })
                    .collect();
                sweep(&targets)
            })
            .await;
            match swept {
                Ok(0) => {}
                Ok(killed) => tracing::warn!(
                    killed,
                    "killed processes that interrupted sessions left running"
                ),
                Err(err) => tracing::error!(%err, "the sweep for leftover processes failed"),
            }
        })
    }
}

fn check_cwd(spec: &RunSpec) -> Result<(), RunnerError> {
    match std::fs::metadata(&spec.cwd) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(RunnerError::CwdNotDirectory {
            cwd: spec.cwd.clone(),
        }),
        Err(_) => Err(RunnerError::CwdNotFound {
            cwd: spec.cwd.clone(),
        }),
    }
}

fn spawn_error(source: io::Error, spec: &RunSpec) -> RunnerError {
    if source.kind() != io::ErrorKind::NotFound {
        return RunnerError::Spawn {
            program: spec.program.clone(),
            source,
        };
    }
    // exec reports a vanished working directory with the same ENOENT as a missing program.
    if !spec.cwd.is_dir() {
        return RunnerError::CwdNotFound {
            cwd: spec.cwd.clone(),
        };
    }
    RunnerError::NotFound {
        program: spec.program.clone(),
    }
}

/// A local agent: the group id plus the exit outcome published by its reaper task.
#[derive(Debug)]
struct LocalProcess {
    pid: u32,
    /// The leader's pid, which is also the group id (`process_group(0)`).
    group: Pid,
    /// `None` while the leader has not been reaped.
    exit: Arc<watch::Sender<Option<ExitOutcome>>>,
}

impl LocalProcess {
    /// `session`: the marker the agent's processes carry, swept for after it exits.
    fn spawn_reaper(mut child: Child, pid: u32, session: Option<String>) -> LocalProcess {
        let group = Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX));
        let exit = Arc::new(watch::Sender::new(None));
        let publish = Arc::clone(&exit);
        tokio::spawn(async move {
            let outcome = match child.wait().await {
                Ok(status) => outcome_of(status),
                Err(err) => {
                    tracing::error!(pid, %err, "cannot wait for agent; exit status unknown");
                    ExitOutcome {
                        code: None,
                        signal: None,
                    }
                }
            };
            // Whatever outlived the leader in its group dies with it (see the module doc).
            // The group id cannot have been reused yet: members keep it alive, and without
            // members this is a harmless ESRCH.
            match killpg(group, Signal::SIGKILL) {
                Ok(()) => tracing::debug!(pid, "killed leftover processes of the agent's group"),
                Err(Errno::ESRCH) => {}
                Err(err) => tracing::warn!(pid, %err, "cannot kill the agent's process group"),
            }
            if let Some(session) = session {
                let swept = tokio::task::spawn_blocking(move || {
                    sweep(&[SweepTarget {
                        session_id: &session,
                        group: Some(group.as_raw()),
                    }])
                })
                .await;
                if let Err(err) = swept {
                    tracing::error!(pid, %err, "the sweep for the agent's leftovers failed");
                }
            }
            tracing::debug!(pid, %outcome, "agent exited");
            publish.send_replace(Some(outcome));
        });
        LocalProcess { pid, group, exit }
    }

    fn send(&self, signal: AgentSignal) -> Result<(), RunnerError> {
        // Holding the state lock keeps the reaper from publishing the exit mid-signal, so a
        // signal is only sent while the group id is known to be ours.
        let state = self.exit.borrow();
        if state.is_some() {
            return Err(RunnerError::NotRunning);
        }
        match killpg(self.group, nix_signal(signal)) {
            Ok(()) => Ok(()),
            Err(Errno::ESRCH) => Err(RunnerError::NotRunning),
            Err(errno) => Err(RunnerError::Signal {
                signal,
                agent: self.describe(),
                source: io::Error::from(errno),
            }),
        }
    }

    /// Like `send`, but an agent that already ended is fine.
    fn send_if_running(&self, signal: AgentSignal) -> Result<(), RunnerError> {
        match self.send(signal) {
            Err(RunnerError::NotRunning) => Ok(()),
            other => other,
        }
    }

    async fn wait_exit(&self) -> Result<ExitOutcome, RunnerError> {
        let mut rx = self.exit.subscribe();
        let state = rx
            .wait_for(Option::is_some)
            .await
            .map_err(|_| RunnerError::Wait {
                agent: self.describe(),
                source: io::Error::other("reaper task ended without an exit status"),
            })?;
        (*state).ok_or_else(|| RunnerError::Wait {
            agent: self.describe(),
            source: io::Error::other("no exit status"),
        })
    }

    async fn stop_group(&self, grace: Duration) -> Result<ExitOutcome, RunnerError> {
        if let Some(outcome) = *self.exit.borrow() {
            return Ok(outcome);
        }
        self.send_if_running(AgentSignal::Terminate)?;
        // A paused (SIGSTOPped) group cannot act on SIGTERM until it is continued.
        self.send_if_running(AgentSignal::Resume)?;
        if let Ok(result) = tokio::time::timeout(grace, self.wait_exit()).await {
            return result;
        }
        tracing::warn!(
            pid = self.pid,
            ?grace,
            "agent ignored SIGTERM; sending SIGKILL"
        );
        self.send_if_running(AgentSignal::Kill)?;
        tokio::time::timeout(KILL_WAIT, self.wait_exit())
            .await
            .unwrap_or_else(|_| {
                Err(RunnerError::KillTimeout {
                    agent: self.describe(),
                    waited: KILL_WAIT,
                })
            })
    }
}

impl AgentProcess for LocalProcess {
    fn describe(&self) -> String {
        format!("pid {}", self.pid)
    }

    fn pid(&self) -> Option<u32> {
        Some(self.pid)
    }

    fn signal(&self, signal: AgentSignal) -> Result<(), RunnerError> {
        self.send(signal)
    }

    fn try_outcome(&self) -> Option<ExitOutcome> {
        *self.exit.borrow()
    }

    fn wait(&self) -> BoxFuture<'_, Result<ExitOutcome, RunnerError>> {
        Box::pin(self.wait_exit())
    }

    fn stop(&self, grace: Duration) -> BoxFuture<'_, Result<ExitOutcome, RunnerError>> {
        Box::pin(self.stop_group(grace))
    }
}

impl Drop for LocalProcess {
    fn drop(&mut self) {
        if self.exit.borrow().is_none() {
            tracing::warn!(
                pid = self.pid,
                "agent handle dropped while running; killing it"
            );
            if let Err(err) = self.send_if_running(AgentSignal::Kill) {
                tracing::error!(pid = self.pid, %err, "cannot kill abandoned agent");
            }
        }
    }
}

fn nix_signal(signal: AgentSignal) -> Signal {
    match signal {
        AgentSignal::Interrupt => Signal::SIGINT,
        AgentSignal::Terminate => Signal::SIGTERM,
        AgentSignal::Kill => Signal::SIGKILL,
        AgentSignal::Pause => Signal::SIGSTOP,
        AgentSignal::Resume => Signal::SIGCONT,
    }
}

fn outcome_of(status: ExitStatus) -> ExitOutcome {
    use std::os::unix::process::ExitStatusExt;
    ExitOutcome {
        code: status.code(),
        signal: status.signal(),
    }
}
