//! The parts of [`OrchestratorDaemon::start`] past claiming the socket: the public port
//! ([`bind_public`]), the store and memory, opened once, and the daemon's tasks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::{OrchestratorDaemon, StartError};
use crate::api;
use crate::heartbeat::{self, Probes};
use crate::memory::DaemonMemory;
use crate::store::Store;
use crate::supervisor::ray::RayRunner;
use crate::supervisor::ray::relays::RelayHub;
use crate::supervisor::runners::Runners;
use crate::supervisor::{InterruptedSession, SessionRunner, Supervisor};

impl OrchestratorDaemon {
    /// Opens the session store, once: sessions that were active when the previous daemon died
    /// are ended, and whatever their agents started is reclaimed before any new agent starts.
    pub(super) async fn open_store(&self, runner: &dyn SessionRunner) -> Result<(), StartError> {
        if self.core.store().is_some() {
            return Ok(());
        }
        let (store, loaded) = Store::open(&self.paths.data_dir.join("orchestrator.db"))?;
        let interrupted: Vec<InterruptedSession> = self
            .core
            .attach_store(store, loaded)
            .into_iter()
            .map(|(session_id, pid, remote)| InterruptedSession {
                session_id,
                pid,
                remote,
            })
            .collect();
        runner.reclaim(&interrupted).await;
        Ok(())
    }

    /// The runners sessions may use: this machine's, and a Ray cluster's when `ray:` is
    /// configured, whose relay listener then opens (and only then). Returns the listener's
    /// task, stopped with the daemon, and the address nodes dial.
    pub(super) async fn start_runners(
        &self,
    ) -> Result<(Arc<dyn SessionRunner>, Option<(JoinHandle<()>, String)>), StartError> {
        let Some(ray) = self.core.config().ray.clone() else {
            let local: Arc<dyn SessionRunner> = Arc::new(Runners::new(self.runner.clone(), None));
            return Ok((local, None));
        };
        let listener = TcpListener::bind(ray.relay_listen)
            .await
            .map_err(|source| StartError::RelayListen {
                address: ray.relay_listen,
                source,
            })?;
        let bound = listener
            .local_addr()
            .map_err(|source| StartError::RelayListen {
                address: ray.relay_listen,
                source,
            })?;
        let advertised = match &ray.relay_address {
            Some(address) => address.clone(),
            None if bound.ip().is_unspecified() => {
                return Err(StartError::RelayAddressNeeded { address: bound });
            }
            None => bound.to_string(),
        };
        tracing::info!(listen = %bound, advertised = %advertised, cluster = %ray.address, "listening for the relays of Ray sessions");
        let hub = Arc::new(RelayHub::default());
        let task = hub.serve(listener, self.core.closing().clone());
        let ray_runner = Arc::new(RayRunner::new(
            self.core.clone(),
            ray,
            hub,
            advertised.clone(),
        ));
        let runners: Arc<dyn SessionRunner> =
            Arc::new(Runners::new(self.runner.clone(), Some(ray_runner)));
        Ok((runners, Some((task, advertised))))
    }

    /// Opens memory, once, in the same file as the sessions; a failure here degrades memory,
    /// never the daemon.
    pub(super) async fn open_memory(&self) {
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
    pub(super) fn start_tasks(
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
}

pub(super) async fn bind_public(host: &str, port: u16) -> Result<TcpListener, StartError> {
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
