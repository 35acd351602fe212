//! [`SessionsService`]: `orchestrator.v1.Sessions` over the [`Supervisor`] — spawn, list,
//! get, send, stop, pause, unpause, and `Follow`, which streams one session's events (with
//! its transcript first, when asked).

use orchestrator_config::RunnerKind;
use std::path::PathBuf;
use std::sync::Arc;

use orchestrator_api::v1;
use orchestrator_api::v1::sessions_server::Sessions;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::convert::{
    output_to_proto, priority_from_proto, session_status_from_proto, session_to_proto,
    session_type_from_proto, unix_ms,
};
use super::daemon::ResponseStream;
use super::errors::{internal, status_for};
use crate::core::{Core, SessionQuery};
use crate::model::{DaemonEvent, Session, SessionOutput};
use crate::supervisor::{SessionError, SpawnRequest, Supervisor, TaskInput};

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

/// Sessions in a page when the request names no limit.
const DEFAULT_LIST_LIMIT: u32 = 100;
/// The most sessions one page holds.
const MAX_LIST_LIMIT: u32 = 500;
/// About the most bytes of sessions in one page (clients refuse messages over 4 MiB).
const MAX_LIST_BYTES: usize = 2 * 1024 * 1024;

fn list_query(request: &v1::ListSessionsRequest) -> Result<SessionQuery, Status> {
    let limit = match request.limit {
        0 => DEFAULT_LIST_LIMIT,
        n => n.min(MAX_LIST_LIMIT),
    };
    let before = match request.page_token.trim() {
        "" => None,
        token => Some(token.parse::<u64>().map_err(|_| {
            status_for(&SessionError::Invalid {
                field: "page_token",
                reason: "pass the next_page_token of an earlier List reply".into(),
            })
        })?),
    };
    let mut statuses = Vec::new();
    for raw in &request.statuses {
        let status = v1::SessionStatus::try_from(*raw)
            .ok()
            .and_then(session_status_from_proto)
            .ok_or_else(|| {
                status_for(&SessionError::Invalid {
                    field: "statuses",
                    reason: format!("{raw} is not a session status"),
                })
            })?;
        statuses.push(status);
    }
    Ok(SessionQuery {
        before,
        limit: usize::try_from(limit).unwrap_or(usize::MAX),
        statuses,
    })
}

fn reply(
    result: Result<crate::model::Session, crate::supervisor::SessionError>,
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
                    return Err(status_for(&SessionError::Invalid {
                        field: "task.metadata",
                        reason: "must be a JSON object".into(),
                    }));
                }
            },
        };
        let runner = match request.runner.trim() {
            "" => None,
            name => Some(RunnerKind::parse(name).ok_or_else(|| {
                status_for(&SessionError::Invalid {
                    field: "runner",
                    reason: format!("{name:?} is not one of local, ray"),
                })
            })?),
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
            runner,
        };
        reply(self.supervisor.spawn(spawn).await)
    }

    async fn list(
        &self,
        request: Request<v1::ListSessionsRequest>,
    ) -> Result<Response<v1::ListSessionsResponse>, Status> {
        let request = request.into_inner();
        let query = list_query(&request)?;
        let core = self.core.clone();
        let mut page = tokio::task::spawn_blocking(move || core.list_sessions(&query))
            .await
            .map_err(|err| internal(format!("listing failed: {err}")))?
            .map_err(|err| status_for(&SessionError::Store(err)))?;
        let sessions: Vec<v1::Session> = page.sessions.iter().map(session_to_proto).collect();
        let sizes: std::collections::HashMap<&str, usize> = sessions
            .iter()
            .map(|s| (s.id.as_str(), prost::Message::encoded_len(s) + 8))
            .collect();
        // A page must fit a client's default 4 MiB message limit, whatever sessions hold.
        page.cut_to(MAX_LIST_BYTES, |s| {
            sizes.get(s.id.as_str()).copied().unwrap_or(0)
        });
        let first = sessions.len() - page.sessions.len();
        Ok(Response::new(v1::ListSessionsResponse {
            sessions: sessions.into_iter().skip(first).collect(),
            next_page_token: page
                .next_before
                .map(|seq| seq.to_string())
                .unwrap_or_default(),
            total: page.total,
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
        let id = self
            .supervisor
            .resolve(&request.session_id)
            .map_err(|err| status_for(&err))?;
        // Subscribe before reading the state, so nothing falls between the two; the output
        // backlog and its live receiver come from one lock, so nothing is missed or repeated.
        let lifecycle = self.core.subscribe();
        let crate::core::FollowStart {
            dropped,
            backlog,
            live: outputs,
        } = self.supervisor.follow_output(&id).await;
        let session = self
            .supervisor
            .session(&id)
            .map_err(|err| status_for(&err))?;
        let (tx, rx) = mpsc::channel(256);
        let closing = self.core.closing().clone();
        let transcript = request
            .replay_transcript
            .then(|| self.supervisor.transcript_path(&id));
        tokio::spawn(async move {
            let follower = Follower { id, tx };
            if follower
                .replay(transcript, dropped, &backlog, &session)
                .await
                .is_some()
            {
                follower.live(outputs, lifecycle, closing).await;
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

/// The sender of one `Follow` stream, for one session.
struct Follower {
    id: String,
    tx: mpsc::Sender<Result<v1::SessionEvent, Status>>,
}

impl Follower {
    fn event(&self, kind: v1::session_event::Kind) -> v1::SessionEvent {
        v1::SessionEvent {
            session_id: self.id.clone(),
            unix_ms: unix_ms(std::time::SystemTime::now()),
            kind: Some(kind),
        }
    }

    fn notice(&self, line: String) -> v1::SessionEvent {
        self.event(v1::session_event::Kind::Output(v1::OutputLine {
            stream: "notice".to_owned(),
            line,
        }))
    }

    /// Sends `message`; `None` once the client is gone.
    async fn send(&self, message: v1::SessionEvent) -> Option<()> {
        self.tx.send(Ok(message)).await.ok()
    }

    /// What happened so far: the transcript when asked for, a notice of the events only the
    /// transcript holds, the backlog, then the session's status. `None` when the stream is
    /// done (the client is gone, or the session had already ended).
    async fn replay(
        &self,
        transcript: Option<PathBuf>,
        dropped: u64,
        backlog: &[SessionOutput],
        session: &Session,
    ) -> Option<()> {
        if let Some(transcript) = transcript {
            let text = std::fs::read_to_string(&transcript).unwrap_or_default();
            for line in text.lines() {
                let kind = v1::session_event::Kind::Output(v1::OutputLine {
                    stream: "transcript".to_owned(),
                    line: line.to_owned(),
                });
                self.send(self.event(kind)).await?;
            }
        }
        if dropped > 0 {
            let line = format!("[{dropped} earlier events are only in the transcript]");
            self.send(self.notice(line)).await?;
        }
        for output in backlog {
            self.send(output_to_proto(output)).await?;
        }
        let first = v1::session_event::Kind::Status(session_to_proto(session));
        self.send(self.event(first)).await?;
        (!session.status.is_ended()).then_some(())
    }

    /// The session's output and status changes as they happen, until it ends, the client
    /// goes or the daemon closes.
    async fn live(
        &self,
        mut outputs: broadcast::Receiver<SessionOutput>,
        mut lifecycle: broadcast::Receiver<DaemonEvent>,
        closing: CancellationToken,
    ) {
        loop {
            let message = tokio::select! {
                biased;
                output = outputs.recv() => match output {
                    Ok(output) if output.session_id == self.id => output_to_proto(&output),
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        self.notice(format!("[{missed} events skipped: this follower fell behind]"))
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                change = lifecycle.recv() => match change {
                    Ok(DaemonEvent::SessionUpdated(s) | DaemonEvent::SessionCompleted(s))
                        if s.id == self.id =>
                    {
                        let ended = s.status.is_ended();
                        let status = self.event(v1::session_event::Kind::Status(session_to_proto(&s)));
                        if self.send(status).await.is_none() || ended {
                            return;
                        }
                        continue;
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = closing.cancelled() => return,
                () = self.tx.closed() => return,
            };
            if self.send(message).await.is_none() {
                return;
            }
        }
    }
}
