//! One WebSocket client: [`run`] sends the connect ack, then serves frames, forwards the
//! event buses and keeps the connection alive, until either side closes. [`Conn`] is the
//! connection's state (subscriptions, pending replies); [`Outbox`] is its bounded send queue,
//! drained by a writer future in the same task: a client that stops reading fills it and is
//! disconnected, and nobody else ever waits for it. Handling one frame takes no lock another
//! connection also takes; what every connection shares (the shutdown signal, the event and
//! output buses) is polled once per wake-up, which handles every frame already received.

use parking_lot::Mutex;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::time::Instant;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::Hub;
use super::auth::Identity;
use super::stream::EncodedOutput;
use super::wire;
use crate::model::DaemonEvent;

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// How long a closing handshake may take before the socket is just dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// The frames queued for one client, and whether more may come.
#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Message>,
    /// The read side is done.
    closed: bool,
    /// The writer is done (the socket failed, or a close went out): frames are dropped.
    ended: bool,
}

/// The bounded queue of frames to one client. Not a channel: only the read side queues, and
/// the writer is polled right after it in every wake-up of the connection's task (`run`), so
/// the writer needs no waker — a channel would wake the task that is already running for every
/// reply, scheduling it (and often the other worker thread) once more for nothing.
#[derive(Debug)]
pub struct Outbox {
    queue: Arc<Mutex<Queue>>,
    limit: usize,
    /// Set when the queue was full; only ever set by the read side itself (every push
    /// happens there), which checks it after each frame or event it handled.
    overflowed: AtomicBool,
    hub: Arc<Hub>,
}

impl Outbox {
    /// Queues a text frame; a full queue marks the client as too slow.
    pub fn text(&self, text: String) {
        self.push(Message::text(text));
    }

    fn push(&self, message: Message) {
        let mut queue = lock(&self.queue);
        if queue.ended {
            return;
        }
        if queue.frames.len() >= self.limit {
            self.overflowed.store(true, Ordering::Relaxed);
            return;
        }
        queue.frames.push_back(message);
        drop(queue);
        self.hub.metrics.messages_out.inc();
    }

    /// Whether a frame was refused because the client stopped reading.
    fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Relaxed)
    }

    /// Queues a close frame.
    pub fn close(&self, code: CloseCode, reason: &'static str) {
        self.push(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })));
    }
}

impl Drop for Outbox {
    /// The read side is done: the writer sends what is queued, then ends.
    fn drop(&mut self) {
        lock(&self.queue).closed = true;
    }
}

/// The queue's lock. Never contended (both sides run in one task, one at a time) and never
/// held across an await, so a panic cannot have left it mid-change: a poisoned lock is used.
fn lock(queue: &Mutex<Queue>) -> parking_lot::MutexGuard<'_, Queue> {
    queue.lock()
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
    /// Lifecycle events. A stream rather than a bare receiver: its pending receive (and the
    /// waiter it registered on the channel every connection shares) survives each trip
    /// through the read loop's select, instead of being re-registered under the channel's
    /// lock for every frame handled.
    pub(super) events: BroadcastStream<DaemonEvent>,
}

/// The most sessions one client may follow (bounds the memory a client can make us hold).
pub const MAX_SUBSCRIPTIONS: usize = 1024;

/// Frames handled per wake-up of the read loop when more have already arrived: a pipelining
/// client sends many at once, and each trip through the loop's select (which polls the
/// shutdown signal every connection shares) costs more than a `ping` does. Bounded, so
/// events, output and pings still get their turn.
const READ_BATCH: usize = 32;

/// How the read side of a connection ended.
enum Exit {
    /// Orderly: a close from either side, an error, or the daemon stopping.
    Closed,
    /// The client stopped reading and its queue overflowed: drop it now.
    Overflowed,
}

/// Writes queued frames to the client until the queue closes or a close frame went out. Runs
/// in the connection's own task (next to the read loop, not as a task of its own), so a reply
/// costs no cross-thread wake-up; a client that does not read only ever blocks this future.
/// Everything queued in one wake-up goes out with one flush, while a lone reply is flushed at
/// once.
async fn write_queued(sink: SplitSink<Socket, Message>, queue: Arc<Mutex<Queue>>) {
    write_until_done(sink, &queue).await;
    let mut queue = lock(&queue);
    queue.ended = true;
    queue.frames.clear();
}

async fn write_until_done(mut sink: SplitSink<Socket, Message>, queue: &Mutex<Queue>) {
    let mut batch = VecDeque::new();
    loop {
        // No waker is registered when nothing is queued: see `Outbox`.
        let more = std::future::poll_fn(|_| {
            let mut queue = lock(queue);
            if !queue.frames.is_empty() {
                std::mem::swap(&mut queue.frames, &mut batch);
                Poll::Ready(true)
            } else if queue.closed {
                Poll::Ready(false)
            } else {
                Poll::Pending
            }
        });
        if !more.await {
            return;
        }
        let mut closing = false;
        for message in batch.drain(..) {
            closing = matches!(message, Message::Close(_));
            if sink.feed(message).await.is_err() {
                return;
            }
            if closing {
                break;
            }
        }
        if sink.flush().await.is_err() || closing {
            return;
        }
    }
}

/// Who is on the other end of one connection.
#[derive(Debug, Clone)]
pub struct Client {
    /// Its address.
    pub peer: SocketAddr,
    /// Its credentials' identity, in auth mode.
    pub identity: Option<Identity>,
    /// Its upgrade carried an `Origin` (a browser): Neolith's extra frames are on.
    pub compat: bool,
}

/// Serves one upgraded client until it or the daemon closes.
pub async fn run(hub: Arc<Hub>, socket: Socket, client: Client) {
    let (sink, mut stream) = socket.split();
    let queue = Arc::new(Mutex::new(Queue::default()));
    let conn = Conn {
        out: Outbox {
            queue: queue.clone(),
            limit: hub.settings.send_queue.max(1),
            overflowed: AtomicBool::new(false),
            hub: hub.clone(),
        },
        events: BroadcastStream::new(hub.core.subscribe()),
        hub: hub.clone(),
        client,
        subscriptions: HashSet::new(),
        announced: HashMap::new(),
    };
    let writer = write_queued(sink, queue);
    let mut writer = std::pin::pin!(writer);
    let mut reader = Box::pin(read_loop(conn, &mut stream));
    let exit = tokio::select! {
        // The reader first, so that what it queued in this wake-up is written in the same one
        // (the writer relies on it: see `Outbox`).
        biased;
        exit = &mut reader => exit,
        // The writer ended first (the socket failed, or it sent a close): the reader notices
        // the same socket ending on its side.
        () = &mut writer => (&mut reader).await,
    };
    drop(reader);
    if matches!(exit, Exit::Overflowed) {
        return;
    }
    // The reader dropped the connection state, closing the queue: let the close frame (if
    // any) go out and the peer answer it, briefly.
    let finish = async {
        writer.await;
        while let Some(Ok(_)) = stream.next().await {}
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, finish).await;
}

/// The read side: frames in, events forwarded, pings, until either side closes.
async fn read_loop(mut conn: Conn, stream: &mut SplitStream<Socket>) -> Exit {
    let hub = conn.hub.clone();
    let mut outputs = BroadcastStream::new(hub.outputs.subscribe());
    tracing::debug!(peer = %conn.client.peer, compat = conn.client.compat, "WebSocket client connected");
    conn.send_health(None);

    let closing = hub.core.closing().clone();
    let mut pings = tokio::time::interval(hub.settings.ping_interval);
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    pings.tick().await;
    let mut last_heard = Instant::now();
    let mut ping_sent: Option<Instant> = None;
    // Made once, not per trip through the select: a new one would register its waiter again.
    let shutdown = closing.cancelled();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        if conn.out.overflowed() {
            tracing::warn!(peer = %conn.client.peer, "WebSocket client is not reading; disconnected");
            hub.metrics.slow_clients.inc();
            return Exit::Overflowed;
        }
        tokio::select! {
            biased;
            () = &mut shutdown => {
                conn.out.close(CloseCode::Normal, "Server shutting down");
                break;
            }
            frame = stream.next() => {
                last_heard = Instant::now();
                let mut flow = on_frame(&mut conn, frame).await;
                // Frames that already arrived are handled in this same wake-up (see READ_BATCH).
                let mut handled = 1;
                while flow.is_continue() && handled < READ_BATCH && !conn.out.overflowed() {
                    let Some(frame) = stream.next().now_or_never() else {
                        break;
                    };
                    flow = on_frame(&mut conn, frame).await;
                    handled += 1;
                }
                if flow.is_break() {
                    break;
                }
            }
            event = conn.events.next() => match event {
                Some(Ok(event)) => conn.forward_event(&event),
                Some(Err(BroadcastStreamRecvError::Lagged(missed))) => {
                    tracing::warn!(peer = %conn.client.peer, missed, "WebSocket client missed daemon events");
                }
                None => break,
            },
            output = outputs.next() => match output {
                Some(Ok(output)) => conn.forward_output(&output),
                Some(Err(BroadcastStreamRecvError::Lagged(missed))) => {
                    tracing::warn!(peer = %conn.client.peer, missed, "WebSocket client missed session output");
                }
                None => break,
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
    Exit::Closed
}

/// Handles what the client sent; `Break` ends the connection.
async fn on_frame(conn: &mut Conn, frame: Option<Result<Message, WsError>>) -> ControlFlow<()> {
    match frame {
        None => ControlFlow::Break(()),
        Some(Err(WsError::Capacity(err))) => {
            tracing::info!(peer = %conn.client.peer, %err, "WebSocket frame too big; closing");
            conn.out.close(CloseCode::Size, "Message too big");
            ControlFlow::Break(())
        }
        // RFC 6455 §7.1.7: an endpoint failing the connection sends a close frame first.
        Some(Err(WsError::Protocol(err)))
            if !matches!(err, ProtocolError::ResetWithoutClosingHandshake) =>
        {
            tracing::info!(peer = %conn.client.peer, %err, "WebSocket protocol error; closing");
            conn.out.close(CloseCode::Protocol, "Protocol error");
            ControlFlow::Break(())
        }
        Some(Err(WsError::Utf8(err))) => {
            tracing::info!(peer = %conn.client.peer, %err, "WebSocket text frame is not UTF-8; closing");
            conn.out.close(CloseCode::Invalid, "Invalid UTF-8");
            ControlFlow::Break(())
        }
        Some(Err(err)) => {
            tracing::debug!(peer = %conn.client.peer, %err, "WebSocket read failed");
            ControlFlow::Break(())
        }
        Some(Ok(Message::Text(text))) => conn.handle_text(text.as_str()).await,
        Some(Ok(Message::Binary(bytes))) => {
            // Upstream decodes binary frames as UTF-8 text too.
            conn.handle_text(&String::from_utf8_lossy(&bytes)).await
        }
        Some(Ok(Message::Close(_))) => ControlFlow::Break(()),
        Some(Ok(_)) => ControlFlow::Continue(()),
    }
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
            DaemonEvent::SessionStalled { session, idle_for } => self.out.text(wire::encode_value(
                &wire::session_stalled(session, *idle_for),
                None,
            )),
            // The daemon's own events have no frame here (upstream sends none): clients ask
            // with `health_check` / `daemon_status`, and a stop closes the connection (1000).
            DaemonEvent::Started { .. }
            | DaemonEvent::Stopped { .. }
            | DaemonEvent::HealthCheck(_) => {}
        }
    }

    /// Forwards a session's output to this client if it follows the session.
    pub(super) fn forward_output(&mut self, output: &EncodedOutput) {
        if !self.subscriptions.contains(&output.session_id) {
            return;
        }
        if let Some(task) = &output.executing {
            let key = (output.session_id.clone(), task.clone());
            if let Some(count) = self.announced.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    self.announced.remove(&key);
                }
                return;
            }
        }
        if let Some(frame) = &output.frame {
            self.out.push(Message::Text(frame.clone()));
        }
    }
}
