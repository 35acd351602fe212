//! The supervisor: runs each session's agent as a child process and keeps the registry in
//! step with it.
//!
//! Key types: [`Supervisor`] (here: spawn and the capacity queue that starts queued sessions
//! as slots free up; `steer`: send, stop, pause; `lookup`: finding sessions), the actor that
//! owns one agent process per session (`actor`, which the supervisor talks to over a channel), [`SessionError`], and the process seam —
//! [`SessionRunner`] (where a session runs), [`LocalRunner`] (the process-group runner, the only
//! with `orchestrator_relay::sweep` for what its agents leave behind), [`InterruptedSession`], [`RunSpec`], [`RunningAgent`], [`AgentHandle`], [`LineReader`]/[`OutputLine`],
//! [`AgentStdin`], [`ExitOutcome`] and [`RunnerError`].

mod actor;
pub mod command;
mod error;
mod history;
pub mod hive;
mod local;
mod lookup;
pub mod memory_limit;
mod output;
pub mod ray;
mod request;
pub mod runner;
pub mod runners;
pub mod stall;
mod steer;
pub mod workdir;

pub use error::SessionError;
pub use local::LocalRunner;
pub use output::{AgentStdin, LineReader, OutputLine, StreamError};
pub use request::{MAX_TASK_CHARS, SpawnRequest, TaskInput};
pub use runner::{
    AgentHandle, AgentProcess, AgentSignal, BoxFuture, DEFAULT_MAX_LINE_BYTES, ExitOutcome,
    InterruptedSession, RunSpec, RunnerError, RunningAgent, SESSION_ID_VAR, SessionRunner,
    StdinMode,
};

use parking_lot::{Mutex, MutexGuard};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use tokio::sync::{mpsc, oneshot};
use tokio_util::task::TaskTracker;

use crate::core::Core;
use crate::model::session::{SessionMetrics, new_session_id};
use crate::model::{Session, SessionStatus, SessionType};
use actor::{ActorContext, Command, Start};
use orchestrator_config::RunnerKind;
use orchestrator_config::agents::AgentPrograms;
use request::validate_task;

struct ActorHandle {
    commands: mpsc::Sender<Command>,
}

/// Runs sessions: one actor per active session, the rest queued by priority.
pub struct Supervisor {
    pub(super) core: Arc<Core>,
    pub(super) context: Arc<ActorContext>,
    actors: Mutex<HashMap<String, ActorHandle>>,
    /// Follow-up turns for ended sessions that wait for a slot before they resume.
    waiting_turns: Mutex<HashMap<String, Vec<String>>>,
    tasks: TaskTracker,
    accepting: AtomicBool,
}

impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("actors", &self.lock_actors().len())
            .finish_non_exhaustive()
    }
}

impl Supervisor {
    /// A supervisor over `core`, starting agents with `runner`; sessions live under
    /// `data_dir/sessions/<id>/`.
    pub fn new(
        core: Arc<Core>,
        runner: Arc<dyn SessionRunner>,
        programs: AgentPrograms,
        data_dir: &Path,
        socket: &Path,
    ) -> Arc<Self> {
        let config = core.config().clone();
        let sessions_dir = data_dir.join("sessions");
        core.keep_output_in(Arc::new(history::HistoryFiles::new(
            &sessions_dir,
            config.transcript_max_bytes,
        )));
        Arc::new(Self {
            context: Arc::new(ActorContext {
                core: core.clone(),
                runner,
                programs,
                sessions_dir,
                socket: socket.to_path_buf(),
                stop_grace: config.shutdown_timeout,
                max_restarts: config.max_restarts,
                idle_timeout: config.idle_timeout,
                result_grace: config.result_grace,
                stall: config.stall.clone(),
                transcript_max_bytes: config.transcript_max_bytes,
            }),
            core,
            actors: Mutex::new(HashMap::new()),
            waiting_turns: Mutex::new(HashMap::new()),
            tasks: TaskTracker::new(),
            accepting: AtomicBool::new(true),
        })
    }

    fn lock_actors(&self) -> MutexGuard<'_, HashMap<String, ActorHandle>> {
        self.actors.lock()
    }

    pub(super) fn session_dir(&self, id: &str) -> PathBuf {
        self.context.sessions_dir.join(id)
    }

    /// Creates a session and starts it when a slot is free (else it waits, queued). Returns as
    /// soon as it exists, which is once it is committed to the database: a session the store
    /// cannot take is refused ([`SessionError::Store`]) and leaves nothing behind.
    pub async fn spawn(self: &Arc<Self>, request: SpawnRequest) -> Result<Session, SessionError> {
        if !self.accepting.load(Ordering::Acquire) {
            return Err(SessionError::ShuttingDown);
        }
        let task = validate_task(request.task)?;
        let runner = request.runner.unwrap_or(self.core.config().runner);
        if runner != RunnerKind::Local && request.session_type != SessionType::ClaudeCode {
            // Claude Flow's launcher and hive are prepared in the daemon's own directories.
            return Err(SessionError::Invalid {
                field: "runner",
                reason: format!(
                    "{} sessions run on this machine only: Claude Flow's launcher and hive are \
                     prepared here, where a cluster node cannot see them; use --runner local, \
                     or a claude-code session on the cluster",
                    request.session_type.as_str()
                ),
            });
        }
        // A cluster that cannot be reached refuses the spawn before anything is made.
        self.context
            .runner
            .check_ready(runner)
            .await
            .map_err(SessionError::Runner)?;
        // Every session type runs Claude Code (Claude Flow's through ruflo), from the same pools.
        self.core.check_spawn_budget()?;
        let orchestrator_id = match request.orchestrator_id {
            Some(id) if id.trim().is_empty() || id.len() > 200 => {
                return Err(SessionError::Invalid {
                    field: "orchestratorId",
                    reason: "must be 1–200 characters".to_owned(),
                });
            }
            Some(id) => id,
            None => "default".to_owned(),
        };
        // Chosen before the session exists so its first snapshot already shows what it was
        // given (a bounded FTS read, a few ms at most).
        let memory_context = match self.core.daemon_memory() {
            Some(memory) => memory.context_for(&task.description),
            None => {
                serde_json::json!({"scratchpad": {}, "episodic": [], "semantic": [], "text": ""})
            }
        };
        let id = new_session_id();
        let session_dir = self.session_dir(&id);
        let dir = match workdir::prepare(
            &id,
            request.work_dir.as_deref(),
            request.worktree,
            &session_dir,
        ) {
            Ok(dir) => dir,
            Err(err) => {
                workdir::discard(None, &session_dir);
                return Err(err);
            }
        };
        let session = Session {
            id: id.clone(),
            orchestrator_id,
            task,
            session_type: request.session_type,
            status: SessionStatus::Queued,
            started_at: SystemTime::now(),
            ended_at: None,
            metrics: SessionMetrics::default(),
            pid: None,
            work_dir: dir.path.clone(),
            agent_session_id: uuid::Uuid::new_v4().to_string(),
            exit_code: None,
            error: None,
            queue_position: None,
            model: None,
            api_key_source: None,
            restarts: 0,
            worktree_branch: dir.branch.clone(),
            worktree_repo: dir.repo.clone(),
            memory_context,
            transcript_error: None,
            waiting_for: None,
            stalled_since: None,
            runner,
            remote: None,
        };
        if let Err(err) = self.core.insert_session(session).await {
            tracing::error!(session = %id, error = %crate::error_chain(&err), "spawn refused: the session could not be saved");
            workdir::discard(Some(&dir), &session_dir);
            return Err(SessionError::Store(err));
        }
        tracing::info!(session = %id, kind = request.session_type.as_str(), "session created");
        self.schedule();
        self.session(&id)
    }

    /// Starts queued sessions while slots are free.
    pub fn schedule(self: &Arc<Self>) {
        if !self.accepting.load(Ordering::Acquire) {
            return;
        }
        // Claiming a session and registering its actor happen under the actors lock, which
        // `stop` also holds while it decides between "tell the actor" and "end it here": a
        // session is never ended by `stop` and then started by a concurrent scheduler.
        let mut actors = self.lock_actors();
        while let Some(session) = self.core.claim_queued() {
            let turns = self.waiting_turns.lock().remove(&session.id);
            let start = match turns {
                Some(turns) => Start::Resume { turns },
                None => Start::Fresh,
            };
            self.launch(&mut actors, session, start);
        }
    }

    fn launch(
        self: &Arc<Self>,
        actors: &mut HashMap<String, ActorHandle>,
        session: Session,
        start: Start,
    ) {
        let (tx, rx) = mpsc::channel(32);
        let id = session.id.clone();
        let mine = tx.clone();
        actors.insert(id.clone(), ActorHandle { commands: tx });
        let context = self.context.clone();
        let this = self.clone();
        self.tasks.spawn(async move {
            actor::run(context, session, start, rx).await;
            let idle = {
                // A follow-up may already have started a new actor for this session.
                let mut actors = this.lock_actors();
                if actors
                    .get(&id)
                    .is_some_and(|a| a.commands.same_channel(&mine))
                {
                    actors.remove(&id);
                }
                actors.is_empty()
            };
            this.schedule();
            if idle && this.lock_actors().is_empty() {
                // The burst is over: what it allocated and freed goes back to the system.
                crate::heap::release_free_memory();
            }
        });
    }

    /// Session `id` once every change made so far is committed: what a request that changed
    /// it acknowledges. A change that could not be saved is reported, not hidden.
    async fn saved(&self, id: &str) -> Result<Session, SessionError> {
        self.core.sync_store().await.map_err(SessionError::Store)?;
        self.session(id)
    }

    /// Stops every running session (the daemon is stopping) and waits for their agents to be
    /// reaped, up to `limit`. Queued sessions stay queued for the next start.
    pub async fn stop_all(&self, reason: &str, limit: Duration) {
        self.accepting.store(false, Ordering::Release);
        let senders: Vec<_> = self
            .lock_actors()
            .values()
            .map(|a| a.commands.clone())
            .collect();
        for sender in senders {
            let (reply, _done) = oneshot::channel();
            let _ = sender
                .send(Command::Stop {
                    reason: reason.to_owned(),
                    reply,
                })
                .await;
        }
        self.tasks.close();
        if tokio::time::timeout(limit, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sessions did not stop in time");
        }
    }
}
