//! What an agent's event does to its session: [`apply`] turns each `AgentEvent` into registry
//! updates and session output (a turn's result, usage and failure, tool calls, text), and the
//! transcript and stderr lines an actor writes beside.

use std::time::{Instant, SystemTime};

use super::SessionActor;
use crate::agents::AgentEvent;
use crate::model::{LineSource, OutputKind};
use crate::supervisor::ExitOutcome;

/// Applies one agent event to the session and announces it.
pub(crate) fn apply(actor: &mut SessionActor, event: AgentEvent) {
    match event {
        AgentEvent::Init {
            agent_session_id,
            model,
            api_key_source,
        } => {
            actor.conversation_exists = true;
            actor.conversation = agent_session_id.clone();
            actor.update(|s| {
                s.agent_session_id = agent_session_id;
                s.model = Some(model);
                s.api_key_source = api_key_source;
            });
        }
        AgentEvent::StreamStart => actor.emit(OutputKind::StreamStart),
        AgentEvent::StreamChunk { text, kind, index } => {
            actor.emit(OutputKind::StreamChunk { text, kind, index })
        }
        AgentEvent::ToolCallStart {
            tool_use_id,
            name,
            input,
        } => actor.emit(OutputKind::ToolCallStart {
            tool_use_id,
            name,
            input,
        }),
        AgentEvent::ToolCallResult {
            tool_use_id,
            name,
            is_error,
            content,
            duration_ms,
        } => actor.emit(OutputKind::ToolCallResult {
            tool_use_id,
            name,
            is_error,
            content,
            duration_ms,
        }),
        AgentEvent::Notice { level, content } => actor.emit(OutputKind::Line {
            source: LineSource::Stdout,
            line: format!("[{}] {content}", level.as_deref().unwrap_or("notice")),
        }),
        AgentEvent::StreamEnd {
            usage,
            finish_reason,
        } => {
            let tokens = usage.total();
            if tokens > 0
                && let Some(session) = actor.update(|s| s.metrics.tokens_used += tokens)
            {
                actor
                    .ctx
                    .core
                    .record_tokens(session.api_key_source.as_deref(), tokens);
            }
            actor.emit(OutputKind::StreamEnd {
                tokens,
                finish_reason,
            });
        }
        AgentEvent::TurnCompleted { result_text, .. } => {
            let (task, millis) = take_turn(actor);
            actor.update(|s| {
                s.metrics.tasks_completed += 1;
                s.metrics.record_response(millis);
                s.task.updated_at = SystemTime::now();
            });
            actor.last_outcome = Some(Ok(result_text.clone()));
            actor.emit(OutputKind::TaskCompleted {
                task,
                result: result_text,
            });
        }
        AgentEvent::TurnFailed { error, .. } | AgentEvent::TurnBlocked { reason: error } => {
            fail_turn(actor, error);
        }
        AgentEvent::PermissionRequest { .. } | AgentEvent::UnsupportedControl { .. } => {
            // Answered by the pump (`Pump::on_event`), which owns the agent's stdin.
        }
        AgentEvent::Text { line } => {
            actor.last_text = Some(line.clone());
            actor.emit(OutputKind::Line {
                source: LineSource::Stdout,
                line,
            });
        }
    }
}

fn take_turn(actor: &mut SessionActor) -> (String, f64) {
    match actor.unanswered.pop_front() {
        Some((task, sent)) => (task, sent.elapsed().as_secs_f64() * 1000.0),
        None => (actor.task.clone(), 0.0),
    }
}

fn fail_turn(actor: &mut SessionActor, error: String) {
    let (task, millis) = take_turn(actor);
    actor.update(|s| {
        s.metrics.errors_encountered += 1;
        s.metrics.record_response(millis);
        s.task.updated_at = SystemTime::now();
    });
    actor.last_outcome = Some(Err(error.clone()));
    actor.emit(OutputKind::TaskFailed { task, error });
}

impl SessionActor {
    /// Appends a stdout line to the transcript; a failure that begins a streak marks the
    /// session (the files log it).
    pub(super) fn write_transcript(&mut self, line: &str) {
        if let Some(problem) = self.files.transcript(line) {
            self.update(|s| s.transcript_error = Some(problem));
        }
    }

    /// Appends a stderr line to `stderr.log`, like [`Self::write_transcript`].
    pub(super) fn write_stderr(&mut self, line: &str) {
        if let Some(problem) = self.files.stderr(line) {
            self.update(|s| s.transcript_error = Some(problem));
        }
    }

    /// Fails every turn that will now never be answered.
    pub(super) fn fail_unanswered(&mut self, reason: &str) {
        let never_sent: Vec<String> = self
            .to_send
            .drain(..)
            .chain(self.after_exit.drain(..))
            .collect();
        for turn in never_sent {
            self.unanswered.push_back((turn, Instant::now()));
        }
        while !self.unanswered.is_empty() {
            fail_turn(self, reason.to_owned());
        }
    }

    /// The one turn of an agent without a turn protocol (Claude Flow) ended with its exit.
    pub(super) fn settle_single_turn(&mut self, exit: ExitOutcome) {
        if self.unanswered.is_empty() {
            return;
        }
        if exit.success() {
            let result = self.last_text.clone().unwrap_or_default();
            apply(
                self,
                AgentEvent::TurnCompleted {
                    result_text: result,
                    usage: Default::default(),
                    num_turns: 1,
                    duration_ms: 0,
                },
            );
        } else {
            let error = format!("{} exited with {exit}", self.session_type.as_str());
            fail_turn(self, error);
        }
    }
}
