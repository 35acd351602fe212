//! A session's agent on a Ray node, as the supervisor sees it: [`RayProcess`] (the
//! [`AgentProcess`] of a Ray job) and [`connect`], which turns an attached relay into the
//! agent's pipes and one task that drives the connection.
//!
//! The relay's output lines are written (by `super::driver`) into in-memory pipes read by the same
//! [`LineReader`]s a local agent has, and what the actor writes to [`AgentStdin`] leaves as
//! `Stdin` frames, so everything above the runner is unchanged. Hook calls are answered by
//! the same code as the gRPC `Hook` call, for the relay's own session only.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use orchestrator_relay::wire::{DaemonFrame, WireSignal};
use parking_lot::Mutex;
use tokio::sync::{mpsc, watch};

use super::driver::{Driver, forward_stdin, write_frames};
use super::jobs::JobsClient;
use super::relays::AttachedRelay;
use crate::core::Core;
use crate::model::session::RemoteJob;
use crate::supervisor::output::{AgentStdin, LineReader};
use crate::supervisor::runner::{
    AgentHandle, AgentProcess, AgentSignal, BoxFuture, ExitOutcome, RunnerError, RunningAgent,
};

/// Room in each in-memory pipe: a burst of output waits here for the actor.
const PIPE_BYTES: usize = 256 * 1024;

/// How long a job that Ray was told to stop may take to end.
const JOB_STOP_WAIT: Duration = Duration::from_secs(20);

/// The agent of one Ray job.
#[derive(Debug)]
pub struct RayProcess {
    job: RemoteJob,
    jobs: JobsClient,
    remote_pid: u32,
    frames: mpsc::Sender<DaemonFrame>,
    outcome: watch::Receiver<Option<ExitOutcome>>,
    reason: Arc<Mutex<Option<String>>>,
    stopping: Arc<AtomicBool>,
}

/// The agent of an attached relay whose agent reported `Started { pid }`.
pub fn connect(
    core: Arc<Core>,
    relay: AttachedRelay,
    remote_pid: u32,
    job: RemoteJob,
    jobs: JobsClient,
    max_line_bytes: usize,
) -> RunningAgent {
    let (frames, outgoing) = mpsc::channel(1024);
    let (outcome_tx, outcome) = watch::channel(None);
    let reason = Arc::new(Mutex::new(None));
    let stopping = Arc::new(AtomicBool::new(false));
    let (stdout_in, stdout_out) = tokio::io::duplex(PIPE_BYTES);
    let (stderr_in, stderr_out) = tokio::io::duplex(PIPE_BYTES);
    let (stdin_in, stdin_out) = tokio::io::duplex(PIPE_BYTES);
    tokio::spawn(write_frames(relay.writer, outgoing));
    tokio::spawn(forward_stdin(stdin_out, frames.clone()));
    let driver = Driver {
        core,
        session_id: relay.hello.session_id.clone(),
        job: job.clone(),
        jobs: jobs.clone(),
        frames: frames.clone(),
        outcome: outcome_tx,
        reason: reason.clone(),
        stopping: stopping.clone(),
    };
    tokio::spawn(driver.run(relay.reader, stdout_in, stderr_in));
    let process = RayProcess {
        job,
        jobs,
        remote_pid,
        frames,
        outcome,
        reason,
        stopping,
    };
    RunningAgent::new(
        Some(AgentStdin::new(stdin_in)),
        LineReader::new(stdout_out, max_line_bytes, "stdout"),
        LineReader::new(stderr_out, max_line_bytes, "stderr"),
        AgentHandle::new(Arc::new(process)),
    )
}

impl RayProcess {
    async fn ended(&self, within: Duration) -> Option<ExitOutcome> {
        let mut outcome = self.outcome.clone();
        tokio::time::timeout(within, outcome.wait_for(Option::is_some))
            .await
            .ok()
            .and_then(|seen| seen.ok().and_then(|o| *o))
    }
}

impl AgentProcess for RayProcess {
    fn describe(&self) -> String {
        format!(
            "Ray job {} on node {} (pid {} there)",
            self.job.job_id, self.job.node_ip, self.remote_pid
        )
    }

    fn pid(&self) -> Option<u32> {
        // Not a pid of this machine: nothing here may signal or sweep it.
        None
    }

    fn signal(&self, signal: AgentSignal) -> Result<(), RunnerError> {
        let wire = match signal {
            AgentSignal::Interrupt => WireSignal::Interrupt,
            AgentSignal::Terminate => WireSignal::Terminate,
            AgentSignal::Kill => WireSignal::Kill,
            AgentSignal::Pause => WireSignal::Pause,
            AgentSignal::Resume => WireSignal::Resume,
        };
        if self.outcome.borrow().is_some() {
            return Err(RunnerError::NotRunning);
        }
        self.frames
            .try_send(DaemonFrame::Signal(wire))
            .map_err(|_| RunnerError::Signal {
                signal,
                agent: self.describe(),
                source: std::io::Error::other("the relay's connection is closed or congested"),
            })
    }

    fn try_outcome(&self) -> Option<ExitOutcome> {
        *self.outcome.borrow()
    }

    fn wait(&self) -> BoxFuture<'_, Result<ExitOutcome, RunnerError>> {
        Box::pin(async move {
            let mut outcome = self.outcome.clone();
            match outcome.wait_for(Option::is_some).await {
                Ok(seen) => Ok(seen.unwrap_or(ExitOutcome {
                    code: None,
                    signal: None,
                })),
                Err(_) => Ok(ExitOutcome {
                    code: None,
                    signal: None,
                }),
            }
        })
    }

    fn stop(&self, grace: Duration) -> BoxFuture<'_, Result<ExitOutcome, RunnerError>> {
        Box::pin(async move {
            self.stopping.store(true, Ordering::Release);
            if let Some(outcome) = self.try_outcome() {
                return Ok(outcome);
            }
            let grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX);
            let _ = self.frames.send(DaemonFrame::Stop { grace_ms }).await;
            if let Some(outcome) = self.ended(grace + Duration::from_secs(5)).await {
                return Ok(outcome);
            }
            // The relay did not answer: Ray ends the job's processes itself.
            tracing::warn!(job = %self.job.job_id, "the relay did not stop its agent in time; stopping the Ray job");
            if let Err(err) = self.jobs.stop(&self.job.job_id).await {
                tracing::warn!(job = %self.job.job_id, error = %crate::error_chain(&err), "cannot stop the Ray job");
            }
            self.ended(JOB_STOP_WAIT)
                .await
                .ok_or_else(|| RunnerError::KillTimeout {
                    agent: self.describe(),
                    waited: JOB_STOP_WAIT,
                })
        })
    }

    fn end_reason(&self) -> Option<String> {
        self.reason.lock().clone()
    }

    fn remote_job(&self) -> Option<RemoteJob> {
        Some(self.job.clone())
    }
}

impl Drop for RayProcess {
    fn drop(&mut self) {
        // The last handle is gone: nothing may keep running untracked.
        if self.outcome.borrow().is_none() {
            let _ = self.frames.try_send(DaemonFrame::Stop { grace_ms: 0 });
            let jobs = self.jobs.clone();
            let job = self.job.job_id.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    let _ = jobs.stop(&job).await;
                });
            }
        }
    }
}
