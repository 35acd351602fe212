//! Steering a session that exists: [`Supervisor::send`] (another user turn),
//! [`Supervisor::stop`] and [`Supervisor::set_paused`].

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::oneshot;

use super::actor::Command;
use super::{MAX_TASK_CHARS, SessionError, Supervisor};
use crate::model::{Session, SessionStatus, SessionType, TaskStatus};

impl Supervisor {
    /// Another user turn for session `id`: written to its running agent, or continued from
    /// its Claude Code conversation in a new process (for Claude Flow, the conversation its
    /// Claude Code started).
    pub async fn send(self: &Arc<Self>, id: &str, text: String) -> Result<Session, SessionError> {
        if text.trim().is_empty() || text.chars().count() > MAX_TASK_CHARS {
            return Err(SessionError::Invalid {
                field: "task",
                reason: format!("must be 1–{MAX_TASK_CHARS} characters"),
            });
        }
        let session = self.session(id)?;
        // A prefix names the session; from here on, its whole id.
        let full_id = session.id.clone();
        let id = full_id.as_str();
        // A Claude Flow session's follow-ups continue the conversation of the Claude Code
        // that ruflo started; without one there is nothing to continue.
        if session.session_type != SessionType::ClaudeCode
            && session.status.is_ended()
            && session.model.is_none()
        {
            return Err(SessionError::NoFollowUps {
                session_type: session.session_type,
            });
        }
        let sender = self.lock_actors().get(id).map(|a| a.commands.clone());
        if let Some(sender) = sender {
            let (reply, answer) = oneshot::channel();
            if sender
                .send(Command::Send {
                    text: text.clone(),
                    reply,
                })
                .await
                .is_ok()
                && let Ok(result) = answer.await
            {
                result?;
                return self.saved(id).await;
            }
            // The actor ended between the lookup and the send: continue below as ended.
        }
        if !self.accepting.load(Ordering::Acquire) {
            return Err(SessionError::ShuttingDown);
        }
        let session = self.session(id)?;
        match session.status {
            SessionStatus::Queued => {
                self.waiting_turns
                    .lock()
                    .entry(id.to_owned())
                    .or_default()
                    .push(text);
            }
            status if status.is_ended() => {
                self.waiting_turns
                    .lock()
                    .entry(id.to_owned())
                    .or_default()
                    .push(text);
                self.core.update_session(id, |s| {
                    s.status = SessionStatus::Queued;
                    s.ended_at = None;
                    s.error = None;
                    s.exit_code = None;
                    s.task.status = TaskStatus::Pending;
                });
                self.schedule();
            }
            status => {
                return Err(SessionError::NotRunning {
                    id: id.to_owned(),
                    status,
                });
            }
        }
        self.saved(id).await
    }

    /// Stops session `id`: its agent's process group gets SIGTERM, then SIGKILL after the
    /// shutdown timeout, and is reaped; the session ends `terminated`. A queued session is
    /// simply taken out of the queue.
    pub async fn stop(&self, id: &str, reason: &str) -> Result<Session, SessionError> {
        let session = self.session(id)?;
        // A prefix names the session; from here on, its whole id.
        let full_id = session.id.clone();
        let id = full_id.as_str();
        if session.status.is_ended() {
            return Err(SessionError::AlreadyEnded {
                id: id.to_owned(),
                status: session.status,
            });
        }
        let sender = {
            let actors = self.lock_actors();
            let sender = actors.get(id).map(|a| a.commands.clone());
            if sender.is_none() {
                // Not started: end it while holding the lock, so no scheduler starts it now.
                self.waiting_turns.lock().remove(id);
                self.core.update_session(id, |s| {
                    if !s.status.is_ended() {
                        s.end(SessionStatus::Terminated, Some(reason.to_owned()));
                    }
                });
            }
            sender
        };
        if let Some(sender) = sender {
            let (reply, done) = oneshot::channel();
            let command = Command::Stop {
                reason: reason.to_owned(),
                reply,
            };
            if sender.send(command).await.is_ok() {
                let _ = done.await;
            }
        }
        self.saved(id).await
    }

    /// Pauses (`pause = true`, SIGSTOP) or unpauses (SIGCONT) session `id`'s process group.
    pub async fn set_paused(&self, id: &str, pause: bool) -> Result<Session, SessionError> {
        let session = self.session(id)?;
        // A prefix names the session; from here on, its whole id.
        let full_id = session.id.clone();
        let id = full_id.as_str();
        let sender = self.lock_actors().get(id).map(|a| a.commands.clone());
        let not_running = || SessionError::NotRunning {
            id: id.to_owned(),
            status: session.status,
        };
        let sender = sender.ok_or_else(not_running)?;
        let (reply, answer) = oneshot::channel();
        let command = if pause {
            Command::Pause { reply }
        } else {
            Command::Unpause { reply }
        };
        sender.send(command).await.map_err(|_| not_running())?;
        answer.await.map_err(|_| not_running())??;
        self.saved(id).await
    }
}
