//! What each request does: [`Conn::handle_text`] runs upstream's inbound pipeline (auth-mode
//! rate limit, parse, per-message credentials, token expiry, role check) and dispatches the
//! [`Request`] to the core or the supervisor. Replies go first; Neolith's extra frames
//! (`session_updated`) follow them on browser connections only.

use std::ops::ControlFlow;

use futures_util::{FutureExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::auth::{self, permitted};
use super::connection::{Conn, MAX_SUBSCRIPTIONS};
use super::errors::{codes, error_text, memory_error_text};
use super::inbound::{Envelope, INVALID_FORMAT, ParseError, Request};
use super::wire::{self, ListFrame, SessionFrame, SpawnedFrame, StatusFrame};
use crate::model::{DaemonEvent, Session};
use crate::supervisor::SessionError;

/// About the most bytes of sessions one `sessions_list` carries; older ones go to the next page.
const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

impl Conn {
    fn reply(&self, frame: &Value, request_id: Option<&Value>) {
        self.out.text(wire::encode_value(frame, request_id));
    }

    fn error(&self, code: &str, message: &str, request_id: Option<&Value>) {
        self.reply(&wire::error(code, message), request_id);
    }

    fn session_error(&self, err: &SessionError, request_id: Option<&Value>) {
        self.error(err.reason(), &error_text(err), request_id);
    }

    /// `health_check_response` with Neolith's health object under `data`.
    pub(super) fn send_health(&self, request_id: Option<&Value>) {
        let status = self.hub.core.status();
        let open = self.hub.open.load(std::sync::atomic::Ordering::Acquire);
        let frame = json!({"type": "health_check_response", "healthy": true,
                           "data": wire::health_data(&status, open)});
        self.reply(&frame, request_id);
    }

    /// `session_status_update` for `session`, then `session_updated` on browser connections.
    pub(super) fn send_session_update(&self, session: &Session, request_id: Option<&Value>) {
        let frame = SessionFrame::new("session_status_update", session);
        self.out.text(wire::encode(&frame, request_id));
        if self.client.compat {
            self.reply(&wire::session_updated(session), None);
        }
    }

    fn subscribe(&mut self, id: &str) {
        if self.subscriptions.len() < MAX_SUBSCRIPTIONS {
            self.subscriptions.insert(id.to_owned());
        }
    }

    /// Handles one inbound frame; `Break` closes the connection.
    pub async fn handle_text(&mut self, text: &str) -> ControlFlow<()> {
        self.hub.metrics.messages_in.inc();
        let authenticator = self.hub.auth.as_ref();
        let identity = self.client.identity.clone();
        if let (Some(auth), Some(who)) = (authenticator, &identity)
            && !auth.allow_message(&who.client_id)
        {
            self.error(codes::RATE_LIMITED, "rate_limit_exceeded", None);
            return ControlFlow::Continue(());
        }
        let envelope = match Envelope::parse(text) {
            Ok(envelope) => envelope,
            Err(ParseError::Json) => {
                let text = if authenticator.is_some() {
                    "invalid_json"
                } else {
                    INVALID_FORMAT
                };
                self.error(codes::REQUEST_INVALID, text, None);
                return ControlFlow::Continue(());
            }
            Err(ParseError::Message {
                text,
                code,
                request_id,
            }) => {
                self.error(code, text, request_id.as_ref());
                return ControlFlow::Continue(());
            }
        };
        let request_id = envelope.request_id.clone();
        let rid = request_id.as_ref();
        if let Some(auth) = authenticator {
            if let Err(reason) = auth.check_message_auth(envelope.auth.as_ref()) {
                self.error(codes::AUTH_FAILED, reason, rid);
                return ControlFlow::Continue(());
            }
            if identity
                .as_ref()
                .and_then(|i| i.expires_at)
                .is_some_and(|exp| exp <= auth::now())
            {
                self.error(codes::TOKEN_EXPIRED, "token_expired", None);
                self.out.close(CloseCode::Library(4001), "Token expired");
                return ControlFlow::Break(());
            }
        }
        if let Some(who) = &identity
            && !permitted(who.role, envelope.kind)
        {
            self.error(codes::PERMISSION_DENIED, "permission_denied", rid);
            return ControlFlow::Continue(());
        }
        match envelope.request() {
            Ok(request) => self.dispatch(request, rid).await,
            Err(refused) => self.error(refused.code, &refused.text, rid),
        }
        ControlFlow::Continue(())
    }

    async fn dispatch(&mut self, request: Request, rid: Option<&Value>) {
        let hub = self.hub.clone();
        match request {
            // The two hottest requests skip the `Value` tree: a constant, and typed parts.
            Request::Ping => self
                .out
                .text(wire::with_request_id(r#"{"type":"pong"}"#.to_owned(), rid)),
            Request::HealthCheck => self.send_health(rid),
            Request::DaemonStatus => {
                let frame = StatusFrame::new(&hub.core.status());
                self.out.text(wire::encode(&frame, rid));
            }
            Request::ListSessions(query, paged) => match hub.core.list_sessions(&query) {
                Ok(mut page) => {
                    // A page stays a frame a browser can take, whatever the sessions hold.
                    page.cut_to(MAX_LIST_BYTES, wire::encoded_len);
                    self.out
                        .text(wire::encode(&ListFrame::new(&page, paged), rid));
                }
                Err(err) => self.session_error(&SessionError::Store(err), rid),
            },
            Request::SessionStatus(id) => match hub.core.session(&id) {
                Some(session) => {
                    self.send_session_update(&session, rid);
                    // Neolith's only subscribe API is session_status.
                    if self.client.compat {
                        self.subscribe(&id);
                    }
                }
                None => self.session_error(&SessionError::NotFound { id }, rid),
            },
            Request::Spawn(spawn) => match hub.supervisor.spawn(spawn).await {
                Ok(session) => {
                    self.subscribe(&session.id);
                    self.out
                        .text(wire::encode(&SpawnedFrame::new(&session), rid));
                }
                Err(err) => self.session_error(&err, rid),
            },
            Request::Execute { session_id, task } => {
                self.subscribe(&session_id);
                let frame =
                    json!({"type": "task_executing", "sessionId": session_id, "taskId": task});
                self.reply(&frame, rid);
                let key = (session_id.clone(), task.clone());
                *self.announced.entry(key.clone()).or_default() += 1;
                if let Err(err) = hub.supervisor.send(&session_id, task.clone()).await {
                    self.unannounce(&key);
                    let frame = json!({"type": "task_failed", "sessionId": session_id,
                                       "taskId": task, "error": error_text(&err),
                                       "code": err.reason()});
                    self.reply(&frame, rid);
                }
            }
            Request::Stop(id) => {
                let result = hub
                    .supervisor
                    .stop(&id, "stopped by a WebSocket client")
                    .await;
                self.subscriptions.remove(&id);
                self.answer_with_session(&id, result, rid);
            }
            Request::Pause(id, pause) => {
                let result = hub.supervisor.set_paused(&id, pause).await;
                self.answer_with_session(&id, result, rid);
            }
            Request::Subscribe(id) => match hub.core.session(&id) {
                Some(_) => {
                    self.subscribe(&id);
                    self.reply(&json!({"type": "subscribed", "sessionId": id}), rid);
                }
                None => self.session_error(&SessionError::NotFound { id }, rid),
            },
            Request::Unsubscribe(id) => {
                self.subscriptions.remove(&id);
                self.reply(&json!({"type": "unsubscribed", "sessionId": id}), rid);
            }
            Request::ListApprovals => {
                let pending = hub.core.approvals().list();
                self.reply(&super::approvals::approvals_list_frame(&pending), rid);
            }
            Request::ApprovalResponse {
                id,
                approve,
                reason,
                answer,
            } => {
                // Who answered, for the audit: the credentials' client, else the connection.
                let by = match &self.client.identity {
                    Some(who) => format!("ws:{}", who.client_id),
                    None => format!("ws:{}", self.client.peer),
                };
                let answer = crate::charter::approvals::ApprovalAnswer {
                    approve,
                    by,
                    reason,
                    text: answer,
                };
                match crate::enforcement::ask::answer_approval(&hub.core, &id, answer).await {
                    // Every client (this one too) hears `approval_resolved` from the event bus;
                    // the reply confirms with the same shape.
                    Ok(resolved) => self.reply(
                        &super::approvals::approval_frame("approval_response", &resolved),
                        rid,
                    ),
                    Err(err) => {
                        self.error(err.reason(), &super::errors::approval_error_text(&err), rid)
                    }
                }
            }
            Request::Memory(request) => match super::memory::answer(&hub.core, request).await {
                Ok(frame) => self.reply(&frame, rid),
                Err(err) => self.error(err.reason(), &memory_error_text(&err), rid),
            },
        }
    }

    fn unannounce(&mut self, key: &(String, String)) {
        if let Some(count) = self.announced.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                self.announced.remove(key);
            }
        }
    }

    /// Answers stop/pause with the session's new state, exactly once: the lifecycle events
    /// the operation itself caused for this session (already queued for this client) are
    /// folded into the reply, while events of other sessions keep their order before it.
    fn answer_with_session(
        &mut self,
        id: &str,
        result: Result<Session, SessionError>,
        rid: Option<&Value>,
    ) {
        let session = match result {
            Ok(session) => session,
            // Stopping an ended session changes nothing (upstream rewrote it as terminated).
            Err(SessionError::AlreadyEnded { .. }) => match self.hub.core.session(id) {
                Some(session) => session,
                None => {
                    return self.session_error(&SessionError::NotFound { id: id.to_owned() }, rid);
                }
            },
            Err(err) => return self.session_error(&err, rid),
        };
        // What is already queued, without waiting (`now_or_never`: nothing ready = done).
        while let Some(Some(event)) = self.events.next().now_or_never() {
            match event {
                Ok(
                    DaemonEvent::SessionSpawned(s)
                    | DaemonEvent::SessionUpdated(s)
                    | DaemonEvent::SessionCompleted(s),
                ) if s.id == id => {}
                Ok(other) => self.forward_event(&other),
                Err(_lagged) => {}
            }
        }
        let latest = self.hub.core.session(id).unwrap_or(session);
        self.send_session_update(&latest, rid);
    }
}
