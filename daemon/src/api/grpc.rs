//! The gRPC adapter: [`DaemonService`] implements `orchestrator.v1.Daemon` over the
//! [`Core`], and [`serve`] runs it (plus server reflection, for `grpcurl`) on the control
//! socket, accepting only connections from the daemon's own user. The `to_proto` functions
//! are the one place library types become wire types.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use orchestrator_api::v1;
use orchestrator_api::v1::daemon_server::{Daemon, DaemonServer};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::{ReceiverStream, UnixListenerStream};
use tonic::{Request, Response, Status};

use crate::core::{Core, DaemonEvent, DaemonState, DaemonStatus, SubsystemStatus};
use crate::logging::LogHub;

/// The most log lines one `StreamLogs` call may ask for as history.
const MAX_HISTORY_LINES: u32 = 100_000;

/// `orchestrator.v1.Daemon` over the core.
#[derive(Debug, Clone)]
pub struct DaemonService {
    core: Arc<Core>,
    logs: Option<LogHub>,
}

impl DaemonService {
    /// A service answering from `core`, streaming logs from `logs` when the daemon has a log
    /// file.
    pub fn new(core: Arc<Core>, logs: Option<LogHub>) -> Self {
        Self { core, logs }
    }
}

type ResponseStream<T> = ReceiverStream<Result<T, Status>>;

#[tonic::async_trait]
impl Daemon for DaemonService {
    async fn get_status(
        &self,
        _request: Request<v1::GetStatusRequest>,
    ) -> Result<Response<v1::GetStatusResponse>, Status> {
        Ok(Response::new(status_to_proto(&self.core.status())))
    }

    type StreamLogsStream = ResponseStream<v1::LogLine>;

    async fn stream_logs(
        &self,
        request: Request<v1::StreamLogsRequest>,
    ) -> Result<Response<Self::StreamLogsStream>, Status> {
        let request = request.into_inner();
        let hub = self.logs.as_ref().ok_or_else(|| {
            Status::failed_precondition("this daemon writes no log file (it is embedded)")
        })?;
        let lines = request.lines.min(MAX_HISTORY_LINES) as usize;
        let (history, mut live) = hub.tail_and_follow(lines).map_err(|err| {
            Status::internal(format!("cannot read {}: {err}", hub.path().display()))
        })?;
        let (tx, rx) = mpsc::channel(256);
        let closing = self.core.closing().clone();
        tokio::spawn(async move {
            for line in history {
                if tx.send(Ok(v1::LogLine { line })).await.is_err() {
                    return;
                }
            }
            if !request.follow {
                return;
            }
            loop {
                let line = tokio::select! {
                    biased;
                    received = live.recv() => match received {
                        Ok(line) => line.to_string(),
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            format!("[{missed} log lines skipped: this reader fell behind]")
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    () = closing.cancelled() => return,
                    () = tx.closed() => return,
                };
                if tx.send(Ok(v1::LogLine { line })).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    type WatchEventsStream = ResponseStream<v1::Event>;

    async fn watch_events(
        &self,
        _request: Request<v1::WatchEventsRequest>,
    ) -> Result<Response<Self::WatchEventsStream>, Status> {
        let mut events = self.core.subscribe();
        let (tx, rx) = mpsc::channel(256);
        let closing = self.core.closing().clone();
        tokio::spawn(async move {
            loop {
                // `biased`: an event already queued (above all the final `stopped`) is sent
                // before the closing signal is looked at.
                let event = tokio::select! {
                    biased;
                    received = events.recv() => match received {
                        Ok(event) => event,
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            tracing::warn!(missed, "an event watcher fell behind");
                            continue;
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    () = closing.cancelled() => return,
                    () = tx.closed() => return,
                };
                let last = matches!(event, DaemonEvent::Stopped { .. });
                if tx.send(Ok(event_to_proto(&event))).await.is_err() || last {
                    return;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn shutdown(
        &self,
        _request: Request<v1::ShutdownRequest>,
    ) -> Result<Response<v1::ShutdownResponse>, Status> {
        tracing::info!("shutdown requested over gRPC");
        self.core.request_shutdown("shutdown requested over gRPC");
        Ok(Response::new(v1::ShutdownResponse {
            pid: std::process::id(),
        }))
    }
}

/// Serves the control plane on `listener` until the core starts closing. Connections from
/// other users are dropped at accept (the socket is 0600 already; this holds even if someone
/// loosens it).
pub async fn serve(
    core: Arc<Core>,
    logs: Option<LogHub>,
    listener: std::os::unix::net::UnixListener,
) -> Result<(), ServeError> {
    let listener = tokio::net::UnixListener::from_std(listener).map_err(ServeError::Listener)?;
    let own_uid = nix::unistd::geteuid().as_raw();
    let incoming = UnixListenerStream::new(listener).filter_map(move |accepted| match accepted {
        Ok(stream) => match stream.peer_cred() {
            Ok(cred) if cred.uid() == own_uid => Some(Ok::<_, std::io::Error>(stream)),
            Ok(cred) => {
                tracing::warn!(
                    uid = cred.uid(),
                    "refused a control connection from another user"
                );
                None
            }
            Err(err) => {
                tracing::warn!(%err, "refused a control connection whose peer is unknown");
                None
            }
        },
        Err(err) => {
            tracing::warn!(%err, "accept failed on the control socket");
            None
        }
    });
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(v1::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(ServeError::Reflection)?;
    let closing = core.closing().clone();
    tonic::transport::Server::builder()
        .add_service(DaemonServer::new(DaemonService::new(core, logs)))
        .add_service(reflection)
        .serve_with_incoming_shutdown(incoming, closing.cancelled_owned())
        .await
        .map_err(ServeError::Transport)
}

/// Why the control plane stopped serving before it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listener could not be registered with the runtime.
    #[error("cannot register the control socket with the runtime")]
    Listener(#[source] std::io::Error),
    /// The reflection service could not be built from the descriptor set.
    #[error("cannot build the gRPC reflection service")]
    Reflection(#[source] tonic_reflection::server::Error),
    /// The server failed.
    #[error("the gRPC server failed")]
    Transport(#[source] tonic::transport::Error),
}

fn unix_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The wire form of a status snapshot.
pub fn status_to_proto(status: &DaemonStatus) -> v1::GetStatusResponse {
    let state = match status.state {
        DaemonState::Created | DaemonState::Stopped => v1::DaemonState::Stopped,
        DaemonState::Starting => v1::DaemonState::Starting,
        DaemonState::Running => v1::DaemonState::Running,
        DaemonState::Stopping => v1::DaemonState::Stopping,
    };
    v1::GetStatusResponse {
        name: status.name.clone(),
        version: status.version.to_owned(),
        protocol_version: status.protocol_version,
        pid: status.pid,
        state: state.into(),
        uptime_ms: u64::try_from(status.uptime.as_millis()).unwrap_or(u64::MAX),
        started_at_unix_ms: status.started_at.map_or(0, unix_ms),
        endpoints: status.endpoints.as_ref().map(|e| v1::Endpoints {
            socket_path: e.socket.display().to_string(),
            ws_url: e.ws_url(),
            health_url: e.health_url(),
            host: e.host.clone(),
            port: u32::from(e.port),
            log_file: e.log_file.display().to_string(),
            state_dir: e.state_dir.display().to_string(),
            data_dir: e.data_dir.display().to_string(),
        }),
        sessions: Some(v1::SessionCounts {
            active: status.sessions.active,
            queued: status.sessions.queued,
            total: status.sessions.total,
            max_sessions: status.sessions.max_sessions,
        }),
        subsystems: status
            .subsystems
            .iter()
            .map(|s| v1::Subsystem {
                name: s.name.to_owned(),
                status: match s.status {
                    SubsystemStatus::Running => v1::SubsystemStatus::Running,
                    SubsystemStatus::Degraded => v1::SubsystemStatus::Degraded,
                    SubsystemStatus::Stopped => v1::SubsystemStatus::Stopped,
                    SubsystemStatus::Error => v1::SubsystemStatus::Error,
                }
                .into(),
                last_check_unix_ms: unix_ms(s.last_check),
                detail: s.detail.clone().unwrap_or_default(),
            })
            .collect(),
        metrics: Some(v1::Metrics {
            total_sessions_spawned: status.metrics.total_sessions_spawned,
            total_tasks_processed: status.metrics.total_tasks_processed,
            total_tokens_used: status.metrics.total_tokens_used,
            average_session_duration_ms: status.metrics.average_session_duration.as_secs_f64()
                * 1000.0,
            success_rate: status.metrics.success_rate,
        }),
    }
}

/// The wire form of an event.
pub fn event_to_proto(event: &DaemonEvent) -> v1::Event {
    use v1::event::Kind;
    let kind = match event {
        DaemonEvent::Started { pid } => Kind::Started(v1::Started { pid: *pid }),
        DaemonEvent::Stopped { reason } => Kind::Stopped(v1::Stopped {
            reason: reason.clone(),
        }),
        DaemonEvent::HealthCheck(status) => Kind::HealthCheck(status_to_proto(status)),
    };
    v1::Event {
        unix_ms: unix_ms(SystemTime::now()),
        kind: Some(kind),
    }
}
