//! The actor's inner loop ([`Pump`]): reads an agent's stdout and stderr, obeys commands,
//! answers the agent's permission prompts ([`Questions`]) and runs the watchdogs until the
//! process is gone; `super::apply` turns each [`AgentEvent`] into registry updates and
//! session output. The idle watchdog does not count time the agent spends waiting for a person, and
//! neither does the stall watch ([`StallWatch`]), which marks, announces and (by `stallAction`)
//! interrupts and nudges or stops an agent that shows no progress.

use std::time::{Duration, Instant};

use super::apply::apply;
use super::questions::Questions;
use super::{Command, ProcessEnd, SessionActor};
use crate::agents::{AgentEvent, TurnTracker};
use crate::model::{DaemonEvent, LineSource, OutputKind, SessionStatus};
use crate::supervisor::stall::{StallStep, StallWatch};
use crate::supervisor::{AgentHandle, AgentSignal, AgentStdin, ExitOutcome, LineReader};

/// How long output pipes may stay open after the agent exited (a grandchild holding them).
const DRAIN: Duration = Duration::from_secs(2);
/// A deadline that never comes.
const NEVER: Duration = Duration::from_secs(365 * 24 * 3600);

/// One agent process's I/O loop.
pub(crate) struct Pump {
    handle: AgentHandle,
    stdin: Option<AgentStdin>,
    stdout: LineReader,
    stderr: LineReader,
    tracker: TurnTracker,
    stdout_open: bool,
    stderr_open: bool,
    exited: Option<(ExitOutcome, Instant)>,
    last_output: Instant,
    stdin_closed_at: Option<Instant>,
    grace_fired: bool,
    paused: bool,
    /// Permission prompts being decided (by the charter or a person).
    questions: Questions,
    /// Whether the agent is stalled, and what was done about it.
    stalls: StallWatch,
}

impl Pump {
    pub(crate) fn new(
        handle: AgentHandle,
        stdin: Option<AgentStdin>,
        stdout: LineReader,
        stderr: LineReader,
        tracker: TurnTracker,
    ) -> Self {
        Self {
            handle,
            stdin,
            stdout,
            stderr,
            tracker,
            stdout_open: true,
            stderr_open: true,
            exited: None,
            last_output: Instant::now(),
            stdin_closed_at: None,
            grace_fired: false,
            paused: false,
            questions: Questions::default(),
            stalls: StallWatch::default(),
        }
    }

    pub(crate) async fn run(&mut self, actor: &mut SessionActor) -> ProcessEnd {
        let (idle, grace) = (actor.ctx.idle_timeout, actor.ctx.result_grace);
        loop {
            if self.exited.is_some() && !self.stdout_open && !self.stderr_open {
                break;
            }
            let now = Instant::now();
            let running = self.exited.is_none();
            // Waiting for a person is not being idle.
            let asking = !self.questions.is_empty() || actor.waits_for_a_person();
            let watching = running && !self.paused && !asking && !actor.unanswered.is_empty();
            let idle_at = if watching {
                self.last_output + idle
            } else {
                now + NEVER
            };
            let stall_at = self
                .stalls
                .deadline(&actor.ctx.stall, self.last_output, watching)
                .unwrap_or(now + NEVER);
            let grace_at = match self.stdin_closed_at {
                Some(at) if running && !self.grace_fired => at + grace,
                _ => now + NEVER,
            };
            let drain_at = self.exited.map_or(now + NEVER, |(_, at)| at + DRAIN);
            tokio::select! {
                line = self.stdout.next_line(), if self.stdout_open => match line {
                    Ok(Some(line)) => {
                        self.progress(actor);
                        actor.write_transcript(&line.text);
                        for event in self.tracker.push_line(&line.text) {
                            self.on_event(actor, event).await;
                        }
                        if line.is_truncated() {
                            actor.emit(OutputKind::Line {
                                source: LineSource::Stdout,
                                line: format!("[a line of {} bytes was cut]", line.text.len() as u64 + line.truncated_bytes),
                            });
                        }
                        self.close_stdin_when_answered(actor).await;
                    }
                    Ok(None) | Err(_) => self.stdout_open = false,
                },
                line = self.stderr.next_line(), if self.stderr_open => match line {
                    Ok(Some(line)) => {
                        self.progress(actor);
                        actor.write_stderr(&line.text);
                        actor.emit(OutputKind::Line { source: LineSource::Stderr, line: line.text });
                    }
                    Ok(None) | Err(_) => self.stderr_open = false,
                },
                Some((request_id, answer)) = self.questions.next(), if !self.questions.is_empty() => {
                    // The wait for a person was not idleness.
                    self.last_output = Instant::now();
                    let line = crate::agents::control::permission_response(&request_id, &answer);
                    self.write_control(actor, &line).await;
                }
                command = actor.commands.recv() => {
                    if let Some(command) = command
                        && let Some(end) = self.on_command(actor, command).await
                    {
                        return end;
                    }
                }
                result = self.handle.wait(), if running => {
                    let exit = result.unwrap_or(ExitOutcome { code: None, signal: None });
                    self.exited = Some((exit, Instant::now()));
                    self.stdin = None;
                }
                () = tokio::time::sleep_until(idle_at.into()) => {
                    let reason = format!("stopped: no output for {}s", idle.as_secs());
                    tracing::warn!(session = %actor.id, %reason);
                    let exit = self.handle.stop(actor.ctx.stop_grace).await.ok();
                    return ProcessEnd::Stopped { reason, status: SessionStatus::Failed, exit, reply: None };
                }
                () = tokio::time::sleep_until(stall_at.into()) => {
                    if let Some(end) = self.on_stall(actor).await {
                        return end;
                    }
                }
                () = tokio::time::sleep_until(grace_at.into()) => {
                    self.grace_fired = true;
                    tracing::warn!(session = %actor.id, "the agent kept running {}s after its last result; stopping it", grace.as_secs());
                    let _ = self.handle.stop(actor.ctx.stop_grace).await;
                }
                () = tokio::time::sleep_until(drain_at.into()) => break,
            }
        }
        // Close what the agent left open (a turn cut short, tools that never returned); the
        // turn outcomes themselves are decided by the caller, which may restart instead.
        for event in self.tracker.finish(None) {
            if !matches!(
                event,
                AgentEvent::TurnFailed { .. } | AgentEvent::TurnCompleted { .. }
            ) {
                apply(actor, event);
            }
        }
        let (exit, _) = self.exited.unwrap_or((
            ExitOutcome {
                code: None,
                signal: None,
            },
            Instant::now(),
        ));
        match self.handle.end_reason() {
            Some(reason) => ProcessEnd::Lost { reason, exit },
            None => ProcessEnd::Exited(exit),
        }
    }

    /// Handles one agent event: a permission prompt is decided in the background, a control
    /// request the daemon does not know is refused at once, anything else is applied.
    async fn on_event(&mut self, actor: &mut SessionActor, event: AgentEvent) {
        match event {
            AgentEvent::PermissionRequest {
                request_id,
                tool_name,
                input,
                reason,
                ..
            } => {
                let request = crate::enforcement::permission::PermissionRequest {
                    tool_name,
                    input,
                    reason,
                };
                let core = actor.ctx.core.clone();
                self.questions
                    .ask(core, actor.id.clone(), request_id, request);
            }
            AgentEvent::UnsupportedControl {
                request_id,
                subtype,
            } => {
                tracing::warn!(session = %actor.id, %subtype, "the agent sent a control request the daemon does not handle; refusing it");
                let line = crate::agents::control::control_error(
                    &request_id,
                    &format!("the orchestrator daemon does not handle {subtype:?}"),
                );
                self.write_control(actor, &line).await;
            }
            AgentEvent::TurnFailed { error, usage } => match self.stalls.turn_ended(false) {
                Some(interrupted) => {
                    apply(
                        actor,
                        AgentEvent::TurnFailed {
                            error: interrupted,
                            usage,
                        },
                    );
                    self.nudge(actor).await;
                }
                None => apply(actor, AgentEvent::TurnFailed { error, usage }),
            },
            event @ AgentEvent::TurnCompleted { .. } => {
                self.stalls.turn_ended(true);
                apply(actor, event);
            }
            event => apply(actor, event),
        }
    }

    /// The agent showed progress: the idle clock restarts, and a marked stall ends.
    fn progress(&mut self, actor: &SessionActor) {
        self.last_output = Instant::now();
        if self.stalls.progress() {
            actor.update(|s| s.stalled_since = None);
        }
    }

    /// The agent has been quiet for `stallTimeout` with a turn open: marks the session,
    /// announces it, and does what `stallAction` says.
    async fn on_stall(&mut self, actor: &mut SessionActor) -> Option<ProcessEnd> {
        let can_interrupt = actor.is_claude_code() && self.stdin.is_some();
        let (stall, step) = self
            .stalls
            .begin(&actor.ctx.stall, self.last_output, can_interrupt);
        let what = stall.describe();
        tracing::warn!(session = %actor.id, action = actor.ctx.stall.action.as_str(), "stalled: {what}");
        if let Some(session) = actor.update(|s| s.stalled_since = Some(stall.since)) {
            actor.ctx.core.emit(DaemonEvent::SessionStalled {
                session: Box::new(session),
                idle_for: stall.idle_for,
            });
        }
        let line = match step {
            StallStep::Mark(None) => format!("[stalled] {what}"),
            StallStep::Mark(Some(why)) => format!("[stalled] {what}; {why}"),
            StallStep::Interrupt => {
                let request = crate::agents::control::interrupt_request(&format!(
                    "wundr-stall-{}",
                    uuid::Uuid::new_v4().simple()
                ));
                self.write_control(actor, &request).await;
                format!("[stalled] {what}: interrupting the turn, then nudging the agent")
            }
            StallStep::Stop(reason) => {
                actor.emit(OutputKind::Line {
                    source: LineSource::Stdout,
                    line: format!("[stalled] {what}: stopping the agent"),
                });
                let exit = self.handle.stop(actor.ctx.stop_grace).await.ok();
                return Some(ProcessEnd::Stopped {
                    reason,
                    status: SessionStatus::Failed,
                    exit,
                    reply: None,
                });
            }
        };
        actor.emit(OutputKind::Line {
            source: LineSource::Stdout,
            line,
        });
        None
    }

    /// After the interrupted turn ended: the nudge, as the session's next turn.
    async fn nudge(&mut self, actor: &mut SessionActor) {
        actor.to_send.push_back(actor.ctx.stall.nudge.clone());
        actor.write_pending(&mut self.stdin).await;
    }

    /// Writes a control line to the agent's stdin, if it is still open.
    async fn write_control(&mut self, actor: &SessionActor, line: &str) {
        if let Some(stdin) = self.stdin.as_mut()
            && let Err(err) = stdin.write_line(line).await
        {
            tracing::warn!(session = %actor.id, %err, "cannot answer the agent's control request");
        }
    }

    async fn close_stdin_when_answered(&mut self, actor: &SessionActor) {
        if actor.is_claude_code()
            && actor.unanswered.is_empty()
            && actor.to_send.is_empty()
            && let Some(stdin) = self.stdin.take()
        {
            // EOF on stdin is how Claude Code's stream-json mode learns to exit.
            let _ = stdin.close().await;
            self.stdin_closed_at = Some(Instant::now());
        }
    }

    async fn on_command(
        &mut self,
        actor: &mut SessionActor,
        command: Command,
    ) -> Option<ProcessEnd> {
        match command {
            Command::Send { text, reply } => {
                if self.stdin.is_some() && self.exited.is_none() {
                    actor.to_send.push_back(text);
                    actor.write_pending(&mut self.stdin).await;
                } else {
                    actor.after_exit.push(text);
                }
                let _ = reply.send(Ok(()));
                None
            }
            Command::Stop { reason, reply } => {
                let exit = self.handle.stop(actor.ctx.stop_grace).await.ok();
                Some(ProcessEnd::Stopped {
                    reason,
                    status: SessionStatus::Terminated,
                    exit,
                    reply: Some(reply),
                })
            }
            Command::Pause { reply } => {
                let result = actor.signal(&self.handle, AgentSignal::Pause);
                if result.is_ok() {
                    self.paused = true;
                    actor.update(|s| s.status = SessionStatus::Paused);
                }
                let _ = reply.send(result);
                None
            }
            Command::Unpause { reply } => {
                let result = actor.signal(&self.handle, AgentSignal::Resume);
                if result.is_ok() {
                    self.paused = false;
                    self.last_output = Instant::now();
                    actor.update(|s| s.status = SessionStatus::Running);
                }
                let _ = reply.send(result);
                None
            }
        }
    }
}
