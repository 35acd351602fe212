//! [`SessionsService`]: `orchestrator.v1.Sessions` over the [`Supervisor`] — spawn, list,
//! get, send, stop, pause, unpause, and `Follow`, which streams one session's events (with
//! its transcript first, when asked).

use std::sync::Arc;

use orchestrator_api::v1;
use orchestrator_api::v1::sessions_server::Sessions;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::convert::{
    output_to_proto, priority_from_proto, session_to_proto, session_type_from_proto, unix_ms,
};
use super::daemon::ResponseStream;
use super::errors::status_for;
use crate::core::{Core, DaemonEvent};
use crate::supervisor::{SpawnRequest, Supervisor, TaskInput};

/// `orchestrator.v1.Sessions` over the supervisor.
#[derive(Debug, Clone)]
pub struct SessionsService {
    core: Arc<Core>,
    supervisor: Arc<Supervisor>,
}

impl SessionsService {
    /// The service.
    pub fn new(core: Arc<Core>, supervisor: Arc<Supervisor>) -> Self {
        Self { core, supervisor }
    }
}

fn reply(
    result: Result<crate::core::Session, crate::supervisor::SessionError>,
) -> Result<Response<v1::Session>, Status> {
    result
        .map(|session| Response::new(session_to_proto(&session)))
        .map_err(|err| status_for(&err))
}

#[tonic::async_trait]
impl Sessions for SessionsService {
    async fn spawn(
        &self,
        request: Request<v1::SpawnSessionRequest>,
    ) -> Result<Response<v1::Session>, Status> {
        let request = request.into_inner();
        let session_type = session_type_from_proto(request.r#type());
        let task = request.task.unwrap_or_default();
        let priority = priority_from_proto(task.priority());
        let metadata = match task.metadata_json.trim() {
            "" => None,
            text => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(map)) => Some(map),
                _ => {
                    return Err(Status::invalid_argument(
                        "invalid task.metadata: must be a JSON object",
                    ));
                }
            },
        };
        let spawn = SpawnRequest {
            orchestrator_id: Some(request.orchestrator_id).filter(|id| !id.is_empty()),
            task: TaskInput {
                description: task.description,
                task_type: Some(task.r#type).filter(|t| !t.is_empty()),
                priority,
                metadata,
            },
            session_type,
            work_dir: Some(request.work_dir)
                .filter(|dir| !dir.is_empty())
                .map(Into::into),
            worktree: request.worktree,
        };
        reply(self.supervisor.spawn(spawn))
    }

    async fn list(
        &self,
        _request: Request<v1::ListSessionsRequest>,
    ) -> Result<Response<v1::ListSessionsResponse>, Status> {
        Ok(Response::new(v1::ListSessionsResponse {
            sessions: self.core.sessions().iter().map(session_to_proto).collect(),
        }))
    }

    async fn get(&self, request: Request<v1::SessionRef>) -> Result<Response<v1::Session>, Status> {
        reply(self.supervisor.session(&request.into_inner().session_id))
    }

    async fn send(
        &self,
        request: Request<v1::SendToSessionRequest>,
    ) -> Result<Response<v1::Session>, Status> {
        let request = request.into_inner();
        reply(
            self.supervisor
                .send(&request.session_id, request.text)
                .await,
        )
    }

    async fn stop(
        &self,
        request: Request<v1::SessionRef>,
    ) -> Result<Response<v1::Session>, Status> {
        let id = request.into_inner().session_id;
        reply(self.supervisor.stop(&id, "stopped on request").await)
    }

    async fn pause(
        &self,
        request: Request<v1::SessionRef>,
    ) -> Result<Response<v1::Session>, Status> {
        reply(
            self.supervisor
                .set_paused(&request.into_inner().session_id, true)
                .await,
        )
    }

    async fn unpause(
        &self,
        request: Request<v1::SessionRef>,
    ) -> Result<Response<v1::Session>, Status> {
        reply(
            self.supervisor
                .set_paused(&request.into_inner().session_id, false)
                .await,
        )
    }

    type FollowStream = ResponseStream<v1::SessionEvent>;

    async fn follow(
        &self,
        request: Request<v1::FollowSessionRequest>,
    ) -> Result<Response<Self::FollowStream>, Status> {
        let request = request.into_inner();
        let id = request.session_id;
        // Subscribe before reading the state, so nothing falls between the two; the output
        // backlog and its live receiver come from one lock, so nothing is missed or repeated.
        let mut lifecycle = self.core.subscribe();
        let crate::core::FollowStart {
            dropped,
            backlog,
            live: mut outputs,
        } = self.core.follow_output(&id);
        let session = self
            .supervisor
            .session(&id)
            .map_err(|err| status_for(&err))?;
        let (tx, rx) = mpsc::channel(256);
        let closing = self.core.closing().clone();
        let transcript = self.supervisor.transcript_path(&id);
        tokio::spawn(async move {
            let event = |kind| v1::SessionEvent {
                session_id: id.clone(),
                unix_ms: unix_ms(std::time::SystemTime::now()),
                kind: Some(kind),
            };
            if request.replay_transcript {
                for line in std::fs::read_to_string(&transcript)
                    .unwrap_or_default()
                    .lines()
                {
                    let kind = v1::session_event::Kind::Output(v1::OutputLine {
                        stream: "transcript".to_owned(),
                        line: line.to_owned(),
                    });
                    if tx.send(Ok(event(kind))).await.is_err() {
                        return;
                    }
                }
            }
            if dropped > 0 {
                let notice = v1::session_event::Kind::Output(v1::OutputLine {
                    stream: "notice".to_owned(),
                    line: format!("[{dropped} earlier events are only in the transcript]"),
                });
                if tx.send(Ok(event(notice))).await.is_err() {
                    return;
                }
            }
            for output in &backlog {
                if tx.send(Ok(output_to_proto(output))).await.is_err() {
                    return;
                }
            }
            let ended = session.status.is_ended();
            let first = v1::session_event::Kind::Status(session_to_proto(&session));
            if tx.send(Ok(event(first))).await.is_err() || ended {
                return;
            }
            loop {
                let message = tokio::select! {
                    biased;
                    output = outputs.recv() => match output {
                        Ok(output) if output.session_id == id => output_to_proto(&output),
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(missed)) => event(
                            v1::session_event::Kind::Output(v1::OutputLine {
                                stream: "notice".to_owned(),
                                line: format!("[{missed} events skipped: this follower fell behind]"),
                            }),
                        ),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    change = lifecycle.recv() => match change {
                        Ok(DaemonEvent::SessionUpdated(s) | DaemonEvent::SessionCompleted(s)) if s.id == id => {
                            let ended = s.status.is_ended();
                            let message = event(v1::session_event::Kind::Status(session_to_proto(&s)));
                            if tx.send(Ok(message)).await.is_err() || ended {
                                return;
                            }
                            continue;
                        }
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    () = closing.cancelled() => return,
                    () = tx.closed() => return,
                };
                if tx.send(Ok(message)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}
