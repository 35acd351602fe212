//! [`DaemonService`]: `orchestrator.v1.Daemon` over the [`Core`] — status, log streaming,
//! event watching, shutdown.

use orchestrator_config::RunnerKind;
use std::sync::Arc;

use orchestrator_api::v1;
use orchestrator_api::v1::daemon_server::Daemon;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Response, Status};

use super::convert::{event_to_proto, status_to_proto};
use super::errors::{reasons, refusal};
use crate::core::Core;
use crate::logging::LogHub;
use crate::model::DaemonEvent;
use orchestrator_config::agents::AgentPrograms;

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

pub(super) type ResponseStream<T> = ReceiverStream<Result<T, Status>>;

#[tonic::async_trait]
impl Daemon for DaemonService {
    async fn get_status(
        &self,
        _request: Request<v1::GetStatusRequest>,
    ) -> Result<Response<v1::GetStatusResponse>, Status> {
        let mut reply = status_to_proto(&self.core.status());
        // Resolved per call: installing or removing a program shows without a restart.
        let programs = AgentPrograms::new(self.core.config(), |name| std::env::var(name).ok());
        reply.agents = programs
            .lookups(std::env::var_os("PATH").as_deref())
            .into_iter()
            .map(Into::into)
            .collect();
        let config = self.core.config();
        let relay_address = reply
            .endpoints
            .as_ref()
            .map(|e| e.relay_address.clone())
            .unwrap_or_default();
        reply.runners = std::iter::once(v1::Runner {
            name: RunnerKind::Local.as_str().to_owned(),
            is_default: config.runner == RunnerKind::Local,
            address: String::new(),
            relay_address: String::new(),
        })
        .chain(config.ray.as_ref().map(|ray| v1::Runner {
            name: RunnerKind::Ray.as_str().to_owned(),
            is_default: config.runner == RunnerKind::Ray,
            address: ray.address.clone(),
            relay_address,
        }))
        .collect();
        Ok(Response::new(reply))
    }

    type StreamLogsStream = ResponseStream<v1::LogLine>;

    async fn stream_logs(
        &self,
        request: Request<v1::StreamLogsRequest>,
    ) -> Result<Response<Self::StreamLogsStream>, Status> {
        let request = request.into_inner();
        let hub = self.logs.as_ref().ok_or_else(|| {
            refusal(
                Code::FailedPrecondition,
                reasons::LOG_NOT_WRITTEN,
                "this daemon writes no log file (it is embedded)".to_owned(),
                None,
            )
        })?;
        let lines = request.lines.min(MAX_HISTORY_LINES) as usize;
        let (history, mut live) = hub.tail_and_follow(lines).map_err(|err| {
            refusal(
                Code::Internal,
                reasons::LOG_UNREADABLE,
                format!("cannot read {}: {err}", hub.path().display()),
                None,
            )
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
        request: Request<v1::ShutdownRequest>,
    ) -> Result<Response<v1::ShutdownResponse>, Status> {
        let grace_ms = request.into_inner().grace_ms;
        tracing::info!(grace_ms, "shutdown requested over gRPC");
        let reason = "shutdown requested over gRPC";
        match grace_ms {
            0 => self.core.request_shutdown(reason),
            ms => self
                .core
                .request_shutdown_within(reason, std::time::Duration::from_millis(ms)),
        }
        Ok(Response::new(v1::ShutdownResponse {
            pid: std::process::id(),
        }))
    }
}
