//! The session actor: one task per started session that owns its agent process — starts it,
//! writes user turns to its stdin, turns its stdout into events ([`TurnTracker`]), obeys
//! [`Command`]s (send, stop, pause, unpause), restarts it after a crash, enforces the
//! watchdogs, and finally records how the session ended. [`ActorContext`] is what every actor
//! shares; [`Start`] says whether a session starts fresh or resumes its conversation.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, oneshot};

use super::error::SessionError;
use super::runner::{AgentHandle, AgentSignal, ExitOutcome, RunnerError, SessionRunner};
use super::{AgentStdin, LineReader, workdir};
use crate::agents::TurnTracker;
use crate::core::Core;
use crate::error_chain;
use crate::model::{OutputKind, Session, SessionOutput, SessionStatus, SessionType, TaskStatus};
use crate::supervisor::command::{self, Conversation};
use orchestrator_config::RunnerKind;
use orchestrator_config::agents::AgentPrograms;

mod apply;
mod events;
mod files;
mod flow;
mod questions;

pub(crate) use files::{CappedFile, TRANSCRIPT};

/// What every actor shares.
pub(crate) struct ActorContext {
    pub core: Arc<Core>,
    pub runner: Arc<dyn SessionRunner>,
    pub programs: AgentPrograms,
    pub sessions_dir: PathBuf,
    pub socket: PathBuf,
    pub stop_grace: Duration,
    pub max_restarts: u32,
    pub idle_timeout: Duration,
    pub result_grace: Duration,
    /// When a session counts as stalled, and what is done about it.
    pub stall: orchestrator_config::StallSettings,
    /// The cap of each of a session's output files.
    pub transcript_max_bytes: u64,
}

/// How a session's actor begins.
#[derive(Debug)]
pub(crate) enum Start {
    /// A new conversation whose first turn is the task.
    Fresh,
    /// The existing conversation, continued with these turns (`--resume`).
    Resume { turns: Vec<String> },
}

/// Requests from the supervisor.
pub(crate) enum Command {
    Send {
        text: String,
        reply: oneshot::Sender<Result<(), SessionError>>,
    },
    Stop {
        reason: String,
        reply: oneshot::Sender<()>,
    },
    Pause {
        reply: oneshot::Sender<Result<(), SessionError>>,
    },
    Unpause {
        reply: oneshot::Sender<Result<(), SessionError>>,
    },
}

/// How one agent process ended, from the actor's point of view.
enum ProcessEnd {
    /// It never ran.
    NotStarted(String),
    /// It was stopped on request (or by a watchdog) and reaped.
    Stopped {
        reason: String,
        status: SessionStatus,
        exit: Option<ExitOutcome>,
        reply: Option<oneshot::Sender<()>>,
    },
    /// It exited by itself.
    Exited(ExitOutcome),
    /// Its runner ended it, unasked (its node died, its relay was lost): not restarted.
    Lost { reason: String, exit: ExitOutcome },
}

pub(crate) struct SessionActor {
    ctx: Arc<ActorContext>,
    id: String,
    session_type: SessionType,
    task: String,
    conversation: String,
    commands: mpsc::Receiver<Command>,
    /// Turns not yet written to the current process.
    to_send: VecDeque<String>,
    /// Turns written and waiting for their result, with when they were sent.
    unanswered: VecDeque<(String, Instant)>,
    /// Turns that arrived after stdin was closed; they resume the conversation after the exit.
    after_exit: Vec<String>,
    /// Whether Claude Code has created the conversation (then restarts use `--resume`).
    conversation_exists: bool,
    /// A Claude Flow session whose follow-up turns continue, in Claude Code directly, the
    /// conversation that ruflo's Claude Code started.
    flow_continued: bool,
    last_outcome: Option<Result<String, String>>,
    /// The last plain-text line (the result of an agent without a turn protocol).
    last_text: Option<String>,
    restarts: u32,
    files: files::SessionFiles,
}

/// Runs session `session` until it ends.
pub(crate) async fn run(
    ctx: Arc<ActorContext>,
    session: Session,
    start: Start,
    commands: mpsc::Receiver<Command>,
) {
    let files = files::SessionFiles::open(
        &ctx.sessions_dir.join(&session.id),
        ctx.transcript_max_bytes,
    );
    let mut actor = SessionActor {
        id: session.id.clone(),
        session_type: session.session_type,
        task: session.task.description.clone(),
        conversation: session.agent_session_id.clone(),
        commands,
        to_send: VecDeque::new(),
        unanswered: VecDeque::new(),
        after_exit: Vec::new(),
        conversation_exists: false,
        flow_continued: false,
        last_outcome: None,
        last_text: None,
        restarts: 0,
        files,
        ctx,
    };
    match start {
        Start::Fresh => actor.to_send.push_back(actor.task.clone()),
        Start::Resume { turns } => {
            actor.to_send.extend(turns);
            actor.conversation_exists = true;
            actor.flow_continued = actor.session_type != SessionType::ClaudeCode;
        }
    }
    actor.run_to_end(&session).await;
}

impl SessionActor {
    async fn run_to_end(&mut self, session: &Session) {
        loop {
            let end = self.run_process(session).await;
            match end {
                ProcessEnd::NotStarted(message) => {
                    self.finish(SessionStatus::Failed, Some(message), None);
                    return;
                }
                ProcessEnd::Stopped {
                    reason,
                    status,
                    exit,
                    reply,
                } => {
                    self.fail_unanswered(&reason);
                    self.finish(status, Some(reason), exit);
                    if status == SessionStatus::Terminated {
                        self.remove_clean_worktree(session);
                    }
                    if let Some(reply) = reply {
                        let _ = reply.send(());
                    }
                    return;
                }
                ProcessEnd::Lost { reason, exit } => {
                    self.fail_unanswered(&reason);
                    self.finish(SessionStatus::Failed, Some(reason), Some(exit));
                    return;
                }
                ProcessEnd::Exited(exit) => {
                    if self.is_claude_code() && !self.unanswered.is_empty() {
                        if self.restarts < self.ctx.max_restarts {
                            self.restarts += 1;
                            if !self.back_off(exit).await {
                                return;
                            }
                            let pending: Vec<String> =
                                self.unanswered.drain(..).map(|(turn, _)| turn).collect();
                            for turn in pending.into_iter().rev() {
                                self.to_send.push_front(turn);
                            }
                            continue;
                        }
                        self.fail_unanswered(&format!(
                            "the agent exited ({exit}) before answering, after {} restarts",
                            self.restarts
                        ));
                    }
                    if !self.after_exit.is_empty() && self.is_claude_code() {
                        self.to_send.extend(self.after_exit.drain(..));
                        self.conversation_exists = true;
                        continue;
                    }
                    if self.continue_flow_after_exit(exit) {
                        continue;
                    }
                    if !self.is_claude_code() {
                        self.settle_single_turn(exit);
                    }
                    let (status, error) = self.outcome(exit);
                    self.finish(status, error, Some(exit));
                    return;
                }
            }
        }
    }

    /// Whether the agent process is Claude Code with its turn protocol on stdin: a claude-code
    /// session, or a Claude Flow session's follow-up turns.
    fn is_claude_code(&self) -> bool {
        self.session_type == SessionType::ClaudeCode || self.flow_continued
    }

    /// Whether a question of this session waits for a person (a hook's escalation, which
    /// holds the agent without output).
    fn waits_for_a_person(&self) -> bool {
        self.ctx.core.approvals().has_pending_for(&self.id)
    }

    /// The session's final status after its agent exited by itself.
    fn outcome(&self, exit: ExitOutcome) -> (SessionStatus, Option<String>) {
        if !self.is_claude_code() {
            return if exit.success() {
                (SessionStatus::Completed, None)
            } else {
                (
                    SessionStatus::Failed,
                    Some(format!("{} exited with {exit}", self.session_type.as_str())),
                )
            };
        }
        // The result event is authoritative: `is_error` fails even with exit code 0, and a
        // successful result stands even if the CLI exits non-zero afterwards.
        match &self.last_outcome {
            Some(Ok(_)) => (SessionStatus::Completed, None),
            Some(Err(error)) => (SessionStatus::Failed, Some(error.clone())),
            None => (
                SessionStatus::Failed,
                Some(format!("the agent exited ({exit}) without answering")),
            ),
        }
    }

    /// Waits before a crash restart (1 s, 2 s, 4 s …), unless a stop arrives first.
    /// Returns false when the session was stopped instead.
    async fn back_off(&mut self, exit: ExitOutcome) -> bool {
        let delay = Duration::from_secs(1 << (self.restarts - 1).min(5));
        let note = format!(
            "the agent exited ({exit}) before answering; restarting ({}/{}) in {}s",
            self.restarts,
            self.ctx.max_restarts,
            delay.as_secs()
        );
        tracing::warn!(session = %self.id, "{note}");
        self.emit(OutputKind::Line {
            source: crate::model::LineSource::Stderr,
            line: note,
        });
        self.update(|s| s.metrics.errors_encountered += 1);
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => return true,
                command = self.commands.recv() => match command {
                    Some(Command::Stop { reason, reply }) => {
                        self.fail_unanswered(&reason);
                        self.finish(SessionStatus::Terminated, Some(reason), None);
                        let _ = reply.send(());
                        return false;
                    }
                    Some(Command::Send { text, reply }) => {
                        self.to_send.push_back(text);
                        let _ = reply.send(Ok(()));
                    }
                    Some(Command::Pause { reply } | Command::Unpause { reply }) => {
                        let _ = reply.send(Err(SessionError::NotRunning {
                            id: self.id.clone(),
                            status: SessionStatus::Initializing,
                        }));
                    }
                    None => return true,
                },
            }
        }
    }

    fn conversation(&self) -> Conversation {
        if self.conversation_exists {
            Conversation::Resume(self.conversation.clone())
        } else {
            Conversation::New(self.conversation.clone())
        }
    }

    async fn run_process(&mut self, session: &Session) -> ProcessEnd {
        // A node keeps its own PATH, HOME … ; the configured agent env still applies there.
        let remote = session.runner != RunnerKind::Local;
        let inherited =
            std::env::vars().filter(|(name, _)| !remote || !super::ray::node_local(name));
        let mut env = command::agent_environment(inherited, &self.id, &self.ctx.socket);
        let config = self.ctx.core.config();
        // On a cluster node the hooks run the node's `wundr`, which asks its relay.
        let hook_program = match (session.runner, &config.ray) {
            (RunnerKind::Ray, Some(ray)) => ray.wundr_command.as_str(),
            _ => self.ctx.programs.hook_program(),
        };
        let settings = command::charter_hooks(&self.ctx.core.charter(), hook_program, &mut env);
        let mut spec = if self.is_claude_code() {
            command::claude_code(
                &self.ctx.programs,
                &self.conversation(),
                &settings,
                env,
                &session.work_dir,
            )
        } else {
            let mut spec = command::claude_flow(
                &self.ctx.programs,
                &self.task,
                &self.id,
                env,
                &session.work_dir,
            );
            if let Err(why) = self.prepare_flow(&mut spec, &settings).await {
                return ProcessEnd::NotStarted(why);
            }
            spec
        };
        // The start is on disk before the agent can do anything: after a crash the session
        // comes back failed (interrupted), never queued to run its task a second time.
        if let Err(err) = self.ctx.core.sync_store().await {
            return ProcessEnd::NotStarted(format!(
                "not started, because its start could not be recorded: {}",
                error_chain(&err)
            ));
        }
        spec.runner = session.runner;
        if self.conversation_exists {
            // The conversation is kept where it ran: a follow-up goes to that node.
            spec.pin_node = self
                .ctx
                .core
                .session(&self.id)
                .and_then(|s| s.remote)
                .map(|job| job.node_id)
                .filter(|node| !node.is_empty());
        }
        let mut agent = match self.ctx.runner.start(spec).await {
            Ok(agent) => agent,
            Err(RunnerError::NotFound { .. }) => {
                return ProcessEnd::NotStarted(command::not_found_message(
                    &self.ctx.programs,
                    self.session_type,
                ));
            }
            Err(err) => return ProcessEnd::NotStarted(error_chain(&err)),
        };
        let handle = agent.handle();
        let restarts = self.restarts;
        let pid = agent.pid();
        let remote = handle.remote_job();
        self.update(|s| {
            s.status = SessionStatus::Running;
            s.pid = pid;
            if remote.is_some() {
                s.remote = remote;
            }
            s.restarts = restarts;
            s.exit_code = None;
            s.task.status = TaskStatus::InProgress;
            s.task.updated_at = SystemTime::now();
        });
        tracing::info!(session = %self.id, agent = %handle.describe(), "agent started");
        let mut stdin = agent.take_stdin();
        let (Some(stdout), Some(stderr)) = (agent.take_stdout(), agent.take_stderr()) else {
            let _ = handle.stop(self.ctx.stop_grace).await;
            return ProcessEnd::NotStarted("the agent's output pipes were not available".into());
        };
        if self.is_claude_code() {
            self.write_pending(&mut stdin).await;
        } else if let Some(turn) = self.to_send.pop_front() {
            self.emit(OutputKind::TaskExecuting { task: turn.clone() });
            self.unanswered.push_back((turn, Instant::now()));
        }
        self.pump(handle, stdin, stdout, stderr).await
    }

    /// Writes every pending turn; a failed write leaves it pending (the exit path handles it).
    async fn write_pending(&mut self, stdin: &mut Option<AgentStdin>) {
        while let Some(turn) = self.to_send.pop_front() {
            let Some(writer) = stdin.as_mut() else {
                self.to_send.push_front(turn);
                return;
            };
            if let Err(err) = writer
                .write_line(&crate::agents::control::user_turn(&turn))
                .await
            {
                tracing::warn!(session = %self.id, %err, "cannot write a turn to the agent");
                self.unanswered.push_back((turn, Instant::now()));
                *stdin = None;
                return;
            }
            self.emit(OutputKind::TaskExecuting { task: turn.clone() });
            self.unanswered.push_back((turn, Instant::now()));
        }
    }

    fn remove_clean_worktree(&self, session: &Session) {
        if let (Some(repo), Some(_)) = (&session.worktree_repo, &session.worktree_branch) {
            workdir::remove_worktree_if_clean(repo, &session.work_dir);
        }
    }

    fn emit(&self, kind: OutputKind) {
        self.ctx.core.emit_output(SessionOutput {
            session_id: self.id.clone(),
            at: SystemTime::now(),
            kind,
        });
    }

    fn update(&self, change: impl FnOnce(&mut Session)) -> Option<Session> {
        self.ctx.core.update_session(&self.id, change)
    }

    /// Records how the session ended.
    fn finish(&self, status: SessionStatus, error: Option<String>, exit: Option<ExitOutcome>) {
        let task_status = match status {
            SessionStatus::Completed => TaskStatus::Completed,
            _ => TaskStatus::Failed,
        };
        tracing::info!(session = %self.id, status = status.as_str(), error = error.as_deref().unwrap_or(""), "session ended");
        let ended = self.ctx.core.update_session(&self.id, |s| {
            s.end(status, error);
            s.exit_code = exit.and_then(|e| e.code);
            s.task.status = task_status;
        });
        if let (Some(session), Some(memory)) = (ended, self.ctx.core.daemon_memory()) {
            let result = match &self.last_outcome {
                Some(Ok(text)) => Some(text.as_str()),
                Some(Err(_)) => None,
                None => self.last_text.as_deref(),
            };
            memory.record_session_end(&session, result);
        }
    }
}

impl SessionActor {
    async fn pump(
        &mut self,
        handle: AgentHandle,
        stdin: Option<AgentStdin>,
        stdout: LineReader,
        stderr: LineReader,
    ) -> ProcessEnd {
        let mut pump = events::Pump::new(handle, stdin, stdout, stderr, TurnTracker::new());
        pump.run(self).await
    }

    fn signal(&self, handle: &AgentHandle, signal: AgentSignal) -> Result<(), SessionError> {
        handle.signal(signal).map_err(|_| SessionError::NotRunning {
            id: self.id.clone(),
            status: SessionStatus::Running,
        })
    }
}
