//! [`OrchestratorDaemon`]: the library's entry point, mirroring upstream's class —
//! `new(config)`, `start().await`, `status()`, `subscribe()`, `stop().await` — and
//! [`StartError`], why a start failed.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use orchestrator_api::paths::DaemonPaths;
use tokio::sync::{Mutex, broadcast};
use tokio::task::JoinHandle;

use crate::core::Core;
use crate::dirs;
use crate::instance::Instance;
use crate::logging::LogHub;
use crate::model::{DaemonEvent, DaemonState, DaemonStatus, Endpoints, Session};
use crate::supervisor::{
    LocalRunner, SessionError, SessionRunner, SpawnRequest, Supervisor, TaskInput,
};

mod errors;
mod start;

pub use errors::{NewError, StartError};
use orchestrator_config::DaemonConfig;
use orchestrator_config::agents::AgentPrograms;
use start::bind_public;

/// A machine-level supervisor of agent sessions, with a gRPC control socket and a public
/// WebSocket/HTTP port.
#[derive(Debug)]
pub struct OrchestratorDaemon {
    core: Arc<Core>,
    paths: DaemonPaths,
    logs: OnceLock<LogHub>,
    runner: Arc<dyn SessionRunner>,
    supervisor: OnceLock<Arc<Supervisor>>,
    running: Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    instance: Instance,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl std::fmt::Debug for dyn SessionRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionRunner")
    }
}

/// How long the control plane may drain at stop. Its streams end on their own when the daemon
/// closes, so what is left is HTTP/2's goodbye, which needs the client's answer; a client that
/// is not polling its connection must not hold the daemon for the whole shutdown timeout.
const CONTROL_DRAIN: Duration = Duration::from_millis(500);

impl OrchestratorDaemon {
    /// A daemon with `config`, using the default paths (from `HOME`/`XDG_*`, with the
    /// config's socket taking precedence). Nothing is touched until [`start`](Self::start).
    pub fn new(config: DaemonConfig) -> Result<Self, NewError> {
        let paths = DaemonPaths::from_env(config.socket.as_deref())?;
        Self::with_paths(config, paths)
    }

    /// A daemon with explicit paths (for embedding and tests).
    pub fn with_paths(config: DaemonConfig, paths: DaemonPaths) -> Result<Self, NewError> {
        config.validate()?;
        let (charter_path, explicit) = config.charter_path();
        let charter = crate::charter::active::CharterHolder::load_limited(
            charter_path,
            explicit,
            config.charter_max_bytes,
        )?;
        let core = Core::new(Arc::new(config));
        core.install_charter(charter);
        Ok(Self {
            core,
            paths,
            logs: OnceLock::new(),
            runner: Arc::new(LocalRunner::new()),
            supervisor: OnceLock::new(),
            running: Mutex::new(None),
        })
    }

    /// Runs sessions with `runner` instead of local processes (before `start`).
    pub fn with_runner(mut self, runner: Arc<dyn SessionRunner>) -> Self {
        self.runner = runner;
        self
    }

    /// Creates the state directory and opens the daemon log file there (rotated by size),
    /// which `StreamLogs` then serves. The binary calls this before `start`; an embedding
    /// program may skip it and keep its own logging.
    pub fn open_log_file(&self) -> Result<LogHub, StartError> {
        if let Some(hub) = self.logs.get() {
            return Ok(hub.clone());
        }
        dirs::create_private(&self.paths.state_dir).map_err(|source| StartError::Directory {
            what: "state",
            path: self.paths.state_dir.clone(),
            source,
        })?;
        let config = self.core.config();
        let hub = LogHub::open(
            &self.paths.log_file,
            config.log_max_bytes,
            config.log_keep_files,
        )
        .map_err(|source| StartError::Directory {
            what: "state",
            path: self.paths.log_file.clone(),
            source,
        })?;
        Ok(self.logs.get_or_init(|| hub).clone())
    }

    /// The configuration.
    pub fn config(&self) -> &DaemonConfig {
        self.core.config()
    }

    /// The paths in use.
    pub fn paths(&self) -> &DaemonPaths {
        &self.paths
    }

    /// The core, for adapters built outside this crate.
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// Starts every subsystem: claims the control socket, binds the public port, starts the
    /// servers and the heartbeat, then emits `started`.
    pub async fn start(&self) -> Result<(), StartError> {
        let mut running = self.running.lock().await;
        if running.is_some() || self.core.state() != DaemonState::Created {
            return Err(StartError::AlreadyStarted);
        }
        self.core.set_state(DaemonState::Starting);
        match self.start_parts().await {
            Ok(parts) => {
                *running = Some(parts);
                self.core.set_state(DaemonState::Running);
                let status = self.core.status();
                if let Some(endpoints) = &status.endpoints {
                    tracing::info!(
                        pid = status.pid,
                        socket = %endpoints.socket.display(),
                        ws = %endpoints.ws_url(),
                        max_sessions = self.core.max_sessions(),
                        "orchestrator daemon started"
                    );
                }
                self.core.charter().log_in_effect();
                crate::supervisor::command::warn_if_missing(&AgentPrograms::new(
                    self.config(),
                    |name| std::env::var(name).ok(),
                ));
                self.core.emit(DaemonEvent::Started { pid: status.pid });
                Ok(())
            }
            Err(err) => {
                self.core.set_state(DaemonState::Stopped);
                Err(err)
            }
        }
    }

    async fn start_parts(&self) -> Result<Running, StartError> {
        let config = self.core.config();
        for (what, path) in [
            ("state", &self.paths.state_dir),
            ("data", &self.paths.data_dir),
        ] {
            dirs::create_private(path).map_err(|source| StartError::Directory {
                what,
                path: path.clone(),
                source,
            })?;
        }
        let mut instance = Instance::claim(&self.paths.socket, &self.paths.pid_file)?;
        let public = bind_public(&config.host, config.port).await?;
        let (runner, relay_listener) = self.start_runners().await?;
        self.open_store(runner.as_ref()).await?;
        self.open_memory().await;
        let supervisor = self
            .supervisor
            .get_or_init(|| {
                Supervisor::new(
                    self.core.clone(),
                    runner,
                    AgentPrograms::new(config, |name| std::env::var(name).ok()),
                    &self.paths.data_dir,
                    &self.paths.socket,
                )
            })
            .clone();
        let port = public.local_addr().map(|a| a.port()).unwrap_or(config.port);
        self.core.set_endpoints(Endpoints {
            socket: self.paths.socket.clone(),
            host: config.host.clone(),
            port,
            log_file: self.paths.log_file.clone(),
            state_dir: self.paths.state_dir.clone(),
            data_dir: self.paths.data_dir.clone(),
            relay_address: relay_listener.as_ref().map(|(_, address)| address.clone()),
        });
        let control = instance
            .take_listener()
            .expect("a fresh claim holds its listener");
        let mut tasks = self.start_tasks(control, public, supervisor);
        tasks.extend(relay_listener.map(|(task, _)| ("relays", task)));
        Ok(Running { instance, tasks })
    }

    /// Stops gracefully: emits `stopped`, closes both doors (waiting up to `shutdownTimeout`
    /// for them to drain), removes the socket and pid file. Safe to call before `start` and
    /// more than once.
    pub async fn stop(&self) {
        let Some(running) = self.running.lock().await.take() else {
            return;
        };
        self.core.set_state(DaemonState::Stopping);
        let reason = self
            .core
            .shutdown_reason()
            .unwrap_or_else(|| "stop() called".to_owned());
        let grace = self.core.shutdown_grace();
        tracing::info!(%reason, grace = ?grace, "orchestrator daemon stopping");
        if let Some(supervisor) = self.supervisor.get() {
            // A grace shortened by the request (`stop -t N`) is the caller's whole budget.
            let limit = if grace < self.config().shutdown_timeout {
                grace
            } else {
                grace + Duration::from_secs(5)
            };
            supervisor
                .stop_all("terminated: the daemon is shutting down", limit)
                .await;
        }
        if let Err(err) = self.core.sync_store().await {
            tracing::error!(error = %crate::error_chain(&err), remedy = %err.remedy(), "not everything could be saved before stopping");
        }
        if let Some(memory) = self.core.daemon_memory() {
            memory.flush();
        }
        self.core.emit(DaemonEvent::Stopped { reason });
        self.core.closing().cancel();
        let deadline = tokio::time::Instant::now() + grace;
        for (name, mut task) in running.tasks {
            let limit = match name {
                "grpc" => deadline.min(tokio::time::Instant::now() + CONTROL_DRAIN),
                _ => deadline,
            };
            if tokio::time::timeout_at(limit, &mut task).await.is_err() {
                tracing::debug!(task = name, "did not finish draining in time; aborted");
                task.abort();
            }
        }
        drop(running.instance);
        self.core.set_state(DaemonState::Stopped);
        tracing::info!("orchestrator daemon stopped");
    }

    /// Spawns a session running Claude Code for `task` (upstream's `spawnSession`). It starts
    /// at once when a slot is free, else it is queued; either way it is returned as soon as it
    /// is saved.
    pub async fn spawn_session(
        &self,
        orchestrator_id: &str,
        task: TaskInput,
    ) -> Result<Session, SessionError> {
        self.spawn(SpawnRequest {
            orchestrator_id: Some(orchestrator_id.to_owned()),
            task,
            session_type: crate::model::SessionType::ClaudeCode,
            work_dir: None,
            worktree: false,
            runner: None,
        })
        .await
    }

    /// Spawns a session with every option.
    pub async fn spawn(&self, request: SpawnRequest) -> Result<Session, SessionError> {
        self.supervisor()?.spawn(request).await
    }

    /// The session supervisor (send, stop, pause, …), once started.
    pub fn supervisor(&self) -> Result<&Arc<Supervisor>, SessionError> {
        self.supervisor.get().ok_or(SessionError::NotStarted)
    }

    /// A snapshot of the daemon and its metrics.
    pub fn status(&self) -> DaemonStatus {
        self.core.status()
    }

    /// Every event from now on: `started`, `stopped`, `healthCheck`, ….
    pub fn subscribe(&self) -> broadcast::Receiver<DaemonEvent> {
        self.core.subscribe()
    }

    /// Resolves when something asked the daemon to stop (the gRPC `Shutdown` call, or
    /// [`Core::request_shutdown`]); yields the reason. The owner then calls
    /// [`stop`](Self::stop).
    pub async fn shutdown_requested(&self) -> String {
        self.core.shutdown_requested().await
    }
}
