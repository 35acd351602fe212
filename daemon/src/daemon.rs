//! [`OrchestratorDaemon`]: the library's entry point, mirroring upstream's class —
//! `new(config)`, `start().await`, `status()`, `subscribe()`, `stop().await` — and
//! [`StartError`], why a start failed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use orchestrator_api::paths::{DaemonPaths, PathError};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, broadcast};
use tokio::task::JoinHandle;

use crate::core::Core;
use crate::heartbeat::{self, Probes};
use crate::instance::{Instance, InstanceError};
use crate::logging::LogHub;
use crate::memory::DaemonMemory;
use crate::model::{DaemonEvent, DaemonState, DaemonStatus, Endpoints, Session};
use crate::store::{Store, StoreError};
use crate::supervisor::{
    InterruptedSession, LocalRunner, SessionError, SessionRunner, SpawnRequest, Supervisor,
    TaskInput,
};
use crate::{api, dirs};
use orchestrator_config::agents::AgentPrograms;
use orchestrator_config::{ConfigError, DaemonConfig};

/// Why a daemon could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The default paths could not be worked out.
    #[error(transparent)]
    Paths(#[from] PathError),
    /// The charter file is invalid (or named but missing): the daemon does not start without
    /// the rules it was given.
    #[error(transparent)]
    Charter(#[from] crate::charter::active::ActiveError),
}

impl NewError {
    /// What the user can do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::Config(err) => err.remedy(),
            Self::Paths(_) => "set HOME (or the XDG_* directories), or pass --socket",
            Self::Charter(err) => err.remedy(),
        }
    }
}

/// Why `start()` failed. Nothing is left behind: sockets and the pid file are removed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `start()` was called on a daemon that was already started (a daemon starts once).
    #[error("this daemon was already started")]
    AlreadyStarted,
    /// A state or data directory could not be created.
    #[error("cannot create the {what} directory {}", path.display())]
    Directory {
        /// Which directory.
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// The control socket could not be claimed.
    #[error(transparent)]
    Instance(#[from] InstanceError),
    /// The public port is taken.
    #[error("port {port} on {host} is in use")]
    PortInUse {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// What the bind reported.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The public port could not be bound for another reason.
    #[error("cannot listen on {host}:{port}")]
    Listen {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// What the bind reported.
        #[source]
        source: std::io::Error,
    },
}

impl StartError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::AlreadyStarted => "build a new OrchestratorDaemon to start again".to_owned(),
            Self::Directory { .. } => {
                "make the directory writable, or point XDG_STATE_HOME / XDG_DATA_HOME elsewhere"
                    .to_owned()
            }
            Self::Instance(err) => err.remedy(),
            Self::PortInUse { .. } => {
                "set ORCHESTRATOR_DAEMON_PORT or --port (0 picks a free port)".to_owned()
            }
            Self::Listen { .. } => "check the host and port settings".to_owned(),
            Self::Store(err) => err.remedy(),
        }
    }
}

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
        self.open_store().await?;
        self.open_memory().await;
        let supervisor = self
            .supervisor
            .get_or_init(|| {
                Supervisor::new(
                    self.core.clone(),
                    self.runner.clone(),
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
        });
        let control = instance
            .take_listener()
            .expect("a fresh claim holds its listener");
        let tasks = self.start_tasks(control, public, supervisor);
        Ok(Running { instance, tasks })
    }

    /// Opens the session store, once: sessions that were active when the previous daemon died
    /// are ended, and whatever their agents started is reclaimed before any new agent starts.
    async fn open_store(&self) -> Result<(), StartError> {
        if self.core.store().is_some() {
            return Ok(());
        }
        let (store, loaded) = Store::open(&self.paths.data_dir.join("orchestrator.db"))?;
        let interrupted: Vec<InterruptedSession> = self
            .core
            .attach_store(store, loaded)
            .into_iter()
            .map(|(session_id, pid)| InterruptedSession { session_id, pid })
            .collect();
        self.runner.reclaim(&interrupted).await;
        Ok(())
    }

    /// Opens memory, once, in the same file as the sessions; a failure here degrades memory,
    /// never the daemon.
    async fn open_memory(&self) {
        if self.core.daemon_memory().is_some() {
            return;
        }
        let path = self.paths.data_dir.join("orchestrator.db");
        let settings = self.core.config().memory.clone();
        let memory = tokio::task::spawn_blocking(move || DaemonMemory::open(&path, &settings))
            .await
            .expect("opening memory does not panic");
        self.core.attach_memory(memory);
    }

    /// The daemon's tasks: the two doors, the notifier, the memory-limit watch, the memory
    /// janitor and the heartbeat, each named for the stop that awaits it.
    fn start_tasks(
        &self,
        control: std::os::unix::net::UnixListener,
        public: TcpListener,
        supervisor: Arc<Supervisor>,
    ) -> Vec<(&'static str, JoinHandle<()>)> {
        let config = self.core.config();
        let probes = Probes {
            socket: self.paths.socket.clone(),
            grpc_alive: Arc::new(AtomicBool::new(true)),
            public_alive: Arc::new(AtomicBool::new(true)),
            logs: self.logs.get().cloned(),
        };
        let mut tasks = Vec::new();
        let (core, logs, alive, grpc_supervisor) = (
            self.core.clone(),
            probes.logs.clone(),
            probes.grpc_alive.clone(),
            supervisor.clone(),
        );
        tasks.push((
            "grpc",
            tokio::spawn(async move {
                if let Err(err) = api::grpc::serve(core.clone(), grpc_supervisor, logs, control).await {
                    tracing::error!(error = %err, source = ?std::error::Error::source(&err), "control plane failed");
                }
                alive.store(false, Ordering::Release);
            }),
        ));
        let (core, alive, drain) = (
            self.core.clone(),
            probes.public_alive.clone(),
            config.shutdown_timeout,
        );
        // Readied here, not in the task, so the owner's token file exists once start returns.
        let door = api::ws::Door::prepare(core, supervisor.clone(), public, &self.paths.socket);
        if let Some(notifier) = crate::notify::start(self.core.clone(), door.notify_counters()) {
            tasks.push(("notifier", notifier));
        }
        tasks.push((
            "websocket",
            tokio::spawn(async move {
                door.serve(drain).await;
                alive.store(false, Ordering::Release);
            }),
        ));
        tasks.push((
            "memory-limit",
            tokio::spawn(crate::supervisor::memory_limit::watch(
                self.core.clone(),
                supervisor.clone(),
            )),
        ));
        tasks.push((
            "memoryJanitor",
            tokio::spawn(crate::core::memory::run_janitor(self.core.clone())),
        ));
        heartbeat::check_subsystems(&self.core, &probes);
        tasks.push((
            "heartbeat",
            tokio::spawn(heartbeat::run(self.core.clone(), probes)),
        ));
        tasks
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

async fn bind_public(host: &str, port: u16) -> Result<TcpListener, StartError> {
    // `localhost` may resolve to both ::1 and 127.0.0.1; binding the first is enough, since
    // clients try every address.
    TcpListener::bind((host.trim_start_matches('[').trim_end_matches(']'), port))
        .await
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                StartError::PortInUse {
                    host: host.to_owned(),
                    port,
                    source,
                }
            } else {
                StartError::Listen {
                    host: host.to_owned(),
                    port,
                    source,
                }
            }
        })
}
