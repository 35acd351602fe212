//! Notifications: events that need a person, or that a person waits for, sent to a webhook
//! and/or a command (the `notify:` table, `orchestrator_config::notify::NotifySettings`).
//!
//! [`start`] subscribes to the core's event bus and returns the notifier's task. It turns each
//! wanted event into a [`message::Notification`] and puts it on each channel's
//! [`queue::BoundedQueue`]; nothing else happens on the bus side, so a slow or dead channel
//! never holds up the bus, a session or the other channel. Each channel has a worker that
//! sends its queue in order, trying each notification up to `attempts` times with 1 s, 2 s,
//! 4 s … between tries. A full queue drops its oldest notification. `NotifyCounters` (the WebSocket door's `/metrics`) count
//! what was sent, what failed after every try, and what was dropped, for `/metrics`.
//! When the daemon stops, what is still queued or being retried is dropped (logged), and a
//! running command's process group is killed.

pub mod command;
pub mod message;
pub mod queue;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::ws::metrics::NotifyCounters;
use crate::core::Core;
use message::Notification;
use orchestrator_config::notify::{NotifySettings, WebhookTarget};
use queue::BoundedQueue;

/// Notifications a channel may have waiting; past this the oldest is dropped.
pub const QUEUE_CAPACITY: usize = 256;
/// The wait before the second try; it doubles for each further one.
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// Why one delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The webhook's host did not accept a connection.
    #[error("cannot connect to {address}")]
    Connect {
        /// `host:port`.
        address: String,
        /// What the connect reported.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP exchange broke.
    #[error("the HTTP exchange with the webhook failed")]
    Http(#[source] hyper::Error),
    /// The request could not be sent.
    #[error("the webhook request failed: {0}")]
    Request(String),
    /// The webhook answered, but not with a 2xx.
    #[error("the webhook answered HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of its body.
        body: String,
    },
    /// The webhook did not answer in time.
    #[error("the webhook did not answer within {}", humantime::format_duration(*timeout))]
    Timeout {
        /// `notify.timeout`.
        timeout: Duration,
    },
    /// The command could not be started (or waited for).
    #[error("cannot run {program}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The command exited unsuccessfully.
    #[error("{program} {status}{}", if stderr.is_empty() { String::new() } else { format!(": {stderr}") })]
    Exit {
        /// The program.
        program: String,
        /// How it exited (`exit status: 1`).
        status: String,
        /// The start of its stderr.
        stderr: String,
    },
    /// The command overran `notify.timeout`; its process group was killed.
    #[error("{program} did not finish within {}; its process group was killed", humantime::format_duration(*timeout))]
    CommandTimeout {
        /// The program.
        program: String,
        /// `notify.timeout`.
        timeout: Duration,
    },
}

/// Where notifications go.
#[derive(Debug)]
enum Channel {
    Webhook(WebhookTarget),
    Command(Vec<String>),
}

impl Channel {
    fn name(&self) -> &'static str {
        match self {
            Self::Webhook(_) => "webhook",
            Self::Command(_) => "command",
        }
    }

    async fn send(&self, n: &Notification, timeout: Duration) -> Result<(), DeliveryError> {
        match self {
            Self::Webhook(target) => webhook::post(target, &n.json, timeout).await,
            Self::Command(argv) => command::run(argv, n, timeout).await,
        }
    }
}

/// Starts the notifier when a channel is configured: subscribes now (so no event after this
/// call is missed) and returns its task, which ends when the daemon closes.
pub fn start(core: Arc<Core>, counters: NotifyCounters) -> Option<JoinHandle<()>> {
    let settings = core.config().notify.clone();
    let mut channels = Vec::new();
    if let Some(url) = &settings.webhook {
        match WebhookTarget::parse(url) {
            Ok(target) => channels.push(Channel::Webhook(target)),
            // Validated with the configuration; kept as a log line rather than a panic.
            Err(reason) => tracing::error!(url = %url, %reason, "notify.webhook is unusable"),
        }
    }
    if let Some(argv) = &settings.command {
        channels.push(Channel::Command(argv.clone()));
    }
    if channels.is_empty() {
        return None;
    }
    let events = core.subscribe();
    Some(tokio::spawn(run(
        core, settings, channels, counters, events,
    )))
}

async fn run(
    core: Arc<Core>,
    settings: NotifySettings,
    channels: Vec<Channel>,
    counters: NotifyCounters,
    mut events: tokio::sync::broadcast::Receiver<crate::model::DaemonEvent>,
) {
    let closing = core.closing().clone();
    let settings = Arc::new(settings);
    let mut queues = Vec::new();
    let mut workers = Vec::new();
    for channel in channels {
        let queue = Arc::new(BoundedQueue::new(QUEUE_CAPACITY));
        queues.push((channel.name(), Arc::clone(&queue)));
        workers.push(tokio::spawn(work(
            channel,
            queue,
            Arc::clone(&settings),
            counters.clone(),
            closing.clone(),
        )));
    }
    tracing::info!(
        channels = ?queues.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        events = ?settings.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "notifications on"
    );
    loop {
        let event = tokio::select! {
            () = closing.cancelled() => break,
            event = events.recv() => event,
        };
        let event = match event {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the notifier fell behind the event bus; events were not notified"
                );
                counters.dropped("bus", missed);
                continue;
            }
            Err(RecvError::Closed) => break,
        };
        let Some(notification) = Notification::from_event(&core, &event, &settings.events) else {
            continue;
        };
        let notification = Arc::new(notification);
        for (name, queue) in &queues {
            if let Some(oldest) = queue.push(Arc::clone(&notification)) {
                counters.dropped(name, 1);
                tracing::warn!(channel = name, event = oldest.event.as_str(), session = %oldest.session_id,
                    capacity = QUEUE_CAPACITY, "notification queue full; dropped its oldest notification");
            }
        }
    }
    for worker in workers {
        let _ = worker.await;
    }
    for (name, queue) in queues {
        let left = queue.len();
        if left > 0 {
            tracing::warn!(
                channel = name,
                left,
                "the daemon stopped; queued notifications were not sent"
            );
        }
    }
}

/// Sends `queue` to `channel` in order until the daemon closes.
async fn work(
    channel: Channel,
    queue: Arc<BoundedQueue<Arc<Notification>>>,
    settings: Arc<NotifySettings>,
    counters: NotifyCounters,
    closing: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            () = closing.cancelled() => return,
            next = queue.pop() => next,
        };
        tokio::select! {
            () = closing.cancelled() => {
                tracing::warn!(channel = channel.name(), event = next.event.as_str(),
                    session = %next.session_id, "the daemon stopped while a notification was being sent");
                return;
            }
            () = deliver(&channel, &next, &settings, &counters) => {}
        }
    }
}

/// Tries `n` up to `settings.attempts` times, counting the outcome.
async fn deliver(
    channel: &Channel,
    n: &Notification,
    settings: &NotifySettings,
    counters: &NotifyCounters,
) {
    let mut wait = FIRST_RETRY;
    for attempt in 1..=settings.attempts {
        match channel.send(n, settings.timeout).await {
            Ok(()) => {
                counters.sent(channel.name(), n.event.as_str());
                tracing::debug!(channel = channel.name(), event = n.event.as_str(), session = %n.session_id, attempt, "notification sent");
                return;
            }
            Err(err) if attempt < settings.attempts => {
                tracing::info!(channel = channel.name(), event = n.event.as_str(), attempt,
                    error = %crate::error_chain(&err), retry_in = %humantime::format_duration(wait),
                    "notification attempt failed; retrying");
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
            Err(err) => {
                counters.failed(channel.name(), n.event.as_str());
                tracing::warn!(channel = channel.name(), event = n.event.as_str(), session = %n.session_id,
                    attempts = settings.attempts, error = %crate::error_chain(&err),
                    "notification not delivered; giving up");
            }
        }
    }
}
