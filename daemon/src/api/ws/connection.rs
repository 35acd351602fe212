//! One WebSocket client: [`run`] sends the connect ack, then serves frames, forwards the
//! event buses and keeps the connection alive, until either side closes. [`Conn`] is the
//! connection's state (subscriptions, pending replies); [`Outbox`] is its bounded send queue,
//! drained by a writer task: a client that stops reading fills it and is disconnected, and
//! nobody else ever waits for it.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

use super::Hub;
use super::handshake::Client;
use super::{stream, wire};
use crate::core::{DaemonEvent, SessionOutput};

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// How long a closing handshake may take before the socket is just dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// The bounded queue of frames to one client.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Message>,
    overflowed: CancellationToken,
    hub: Arc<Hub>,
}

impl Outbox {
    /// Queues a text frame; a full queue marks the client as too slow.
    pub fn text(&self, text: String) {
        self.push(Message::text(text));
    }

    fn push(&self, message: Message) {
        match self.tx.try_send(message) {
            Ok(()) => {
                self.hub.metrics.messages_out.inc();
            }
            Err(mpsc::error::TrySendError::Full(_)) => self.overflowed.cancel(),
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Queues a close frame.
    pub fn close(&self, code: CloseCode, reason: &'static str) {
        self.push(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })));
    }
}

/// The state of one connection.
#[derive(Debug)]
pub struct Conn {
    pub(super) hub: Arc<Hub>,
    pub(super) out: Outbox,
    pub(super) client: Client,
    /// Sessions whose stream/tool/task events this client receives.
    pub(super) subscriptions: HashSet<String>,
    /// `task_executing` frames already sent by `execute_task`, per (session, task), so the
    /// agent's own announcement of the same turn is not sent twice.
    pub(super) announced: HashMap<(String, String), u32>,
    pub(super) events: broadcast::Receiver<DaemonEvent>,
}

/// The most sessions one client may follow (bounds the memory a client can make us hold).
pub const MAX_SUBSCRIPTIONS: usize = 1024;

/// Serves one upgraded client until it or the daemon closes.
pub async fn run(hub: Arc<Hub>, socket: Socket, client: Client) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Message>(hub.settings.send_queue.max(1));
    let overflowed = CancellationToken::new();
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            let is_close = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || is_close {
                break;
            }
        }
    });
    let mut conn = Conn {
        out: Outbox {
            tx,
            overflowed: overflowed.clone(),
            hub: hub.clone(),
        },
        events: hub.core.subscribe(),
        hub: hub.clone(),
        client,
        subscriptions: HashSet::new(),
        announced: HashMap::new(),
    };
    let mut outputs = hub.core.subscribe_output();
    tracing::debug!(peer = %conn.client.peer, compat = conn.client.compat, "WebSocket client connected");
    conn.send_health(None);

    let closing = hub.core.closing().clone();
    let mut pings = tokio::time::interval(hub.settings.ping_interval);
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    pings.tick().await;
    let mut last_heard = Instant::now();
    let mut ping_sent: Option<Instant> = None;
    loop {
        tokio::select! {
            biased;
            () = overflowed.cancelled() => {
                tracing::warn!(peer = %conn.client.peer, "WebSocket client is not reading; disconnected");
                hub.metrics.slow_clients.inc();
                writer.abort();
                return;
            }
            () = closing.cancelled() => {
                conn.out.close(CloseCode::Normal, "Server shutting down");
                break;
            }
            frame = stream.next() => {
                last_heard = Instant::now();
                let flow = match frame {
                    None => break,
                    Some(Err(WsError::Capacity(err))) => {
                        tracing::info!(peer = %conn.client.peer, %err, "WebSocket frame too big; closing");
                        conn.out.close(CloseCode::Size, "Message too big");
                        break;
                    }
                    Some(Err(err)) => {
                        tracing::debug!(peer = %conn.client.peer, %err, "WebSocket read failed");
                        break;
                    }
                    Some(Ok(Message::Text(text))) => conn.handle_text(text.as_str()).await,
                    Some(Ok(Message::Binary(bytes))) => {
                        // Upstream decodes binary frames as UTF-8 text too.
                        conn.handle_text(&String::from_utf8_lossy(&bytes)).await
                    }
                    Some(Ok(Message::Close(_))) => break,
                    Some(Ok(_)) => ControlFlow::Continue(()),
                };
                if flow.is_break() {
                    break;
                }
            }
            event = conn.events.recv() => match event {
                Ok(event) => conn.forward_event(&event),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(peer = %conn.client.peer, missed, "WebSocket client missed daemon events");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            output = outputs.recv() => match output {
                Ok(output) => conn.forward_output(&output),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(peer = %conn.client.peer, missed, "WebSocket client missed session output");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = pings.tick() => {
                // Only a client that hears a ping and says nothing at all is dead; a quiet
                // client that answers pings stays connected forever.
                match ping_sent {
                    Some(sent) if last_heard < sent => {
                        if sent.elapsed() >= hub.settings.pong_timeout {
                            tracing::info!(peer = %conn.client.peer, "WebSocket client stopped answering pings");
                            conn.out.close(CloseCode::Away, "Ping timeout");
                            break;
                        }
                    }
                    _ => {
                        conn.out.push(Message::Ping(Vec::new().into()));
                        ping_sent = Some(Instant::now());
                    }
                }
            }
        }
    }
    // Let the close frame (if any) go out and the peer answer it, briefly.
    drop(conn);
    let finish = async {
        let _ = writer.await;
        while let Some(Ok(_)) = stream.next().await {}
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, finish).await;
}

impl Conn {
    /// Forwards a lifecycle event: every client hears every session's status changes.
    pub(super) fn forward_event(&mut self, event: &DaemonEvent) {
        use super::approvals::{approval_frame, budget_frame};
        match event {
            DaemonEvent::SessionSpawned(session)
            | DaemonEvent::SessionUpdated(session)
            | DaemonEvent::SessionCompleted(session) => self.send_session_update(session, None),
            DaemonEvent::ApprovalRequired(request) => self.out.text(wire::encode_value(
                &approval_frame("approval_required", request),
                None,
            )),
            DaemonEvent::ApprovalResolved(request) => self.out.text(wire::encode_value(
                &approval_frame("approval_resolved", request),
                None,
            )),
            DaemonEvent::BudgetWarning { pool, used, limit } => self
                .out
                .text(wire::encode_value(&budget_frame(pool, *used, *limit), None)),
            _ => {}
        }
    }

    /// Forwards a session's output to this client if it follows the session.
    pub(super) fn forward_output(&mut self, output: &SessionOutput) {
        if !self.subscriptions.contains(&output.session_id) {
            return;
        }
        if let crate::core::OutputKind::TaskExecuting { task } = &output.kind {
            let key = (output.session_id.clone(), task.clone());
            if let Some(count) = self.announced.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    self.announced.remove(&key);
                }
                return;
            }
        }
        if let Some(frame) = stream::output_frame(output) {
            self.out.text(wire::encode_value(&frame, None));
        }
    }
}
