//! `GET /metrics` in the Prometheus/OpenMetrics text format ([`WsMetrics`], with the
//! `prometheus-client` crate): sessions by status, sessions spawned, tokens used, queue depth
//! (read from the core at scrape time), the WebSocket door's own connection and message
//! counters and the notifier's [`NotifyCounters`] (kept live: the notifier counts into them).

use parking_lot::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::core::Core;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabel {
    channel: &'static str,
    event: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabel {
    channel: &'static str,
}

/// The notifier's counters (the notifier counts, `/metrics` shows them; cloning shares them).
#[derive(Debug, Clone, Default)]
pub struct NotifyCounters {
    sent: Family<DeliveryLabel, Counter>,
    failed: Family<DeliveryLabel, Counter>,
    dropped: Family<ChannelLabel, Counter>,
}

impl NotifyCounters {
    /// Adds the counters to `registry`: `notifications_sent_total{channel,event}`,
    /// `notifications_failed_total{channel,event}`, `notifications_dropped_total{channel}`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "notifications_sent",
            "Notifications delivered, by channel and event",
            self.sent.clone(),
        );
        registry.register(
            "notifications_failed",
            "Notifications not delivered after every attempt, by channel and event",
            self.failed.clone(),
        );
        registry.register(
            "notifications_dropped",
            "Notifications dropped unsent: a full queue (by channel) or a lagging event bus (bus)",
            self.dropped.clone(),
        );
    }

    /// One notification of `event` delivered on `channel`.
    pub fn sent(&self, channel: &'static str, event: &'static str) {
        self.sent
            .get_or_create(&DeliveryLabel { channel, event })
            .inc();
    }

    /// One notification of `event` not delivered on `channel` after every attempt.
    pub fn failed(&self, channel: &'static str, event: &'static str) {
        self.failed
            .get_or_create(&DeliveryLabel { channel, event })
            .inc();
    }

    /// `count` notifications dropped unsent on `channel` (or `bus`).
    pub fn dropped(&self, channel: &'static str, count: u64) {
        self.dropped
            .get_or_create(&ChannelLabel { channel })
            .inc_by(count);
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: &'static str,
}

/// The metrics registry of the public port.
#[derive(Debug)]
pub struct WsMetrics {
    registry: Mutex<Registry>,
    sessions: Family<StatusLabel, Gauge>,
    spawned: Counter,
    tokens: Counter,
    queue_depth: Gauge,
    /// Open WebSocket connections.
    pub connections: Gauge,
    /// Frames received from clients.
    pub messages_in: Counter,
    /// Frames queued to clients.
    pub messages_out: Counter,
    /// Clients dropped for not reading.
    pub slow_clients: Counter,
    /// Requests and upgrades refused (other users, origin, host, auth, limits).
    pub refused: Counter,
    /// Connections that have not (yet) upgraded.
    pub pending: Gauge,
    /// Pre-upgrade connections closed to make room for newer ones.
    pub pending_evicted: Counter,
    /// The notifier's counters (sent, failed, dropped), kept live by the notifier.
    pub notifications: NotifyCounters,
}

impl Default for WsMetrics {
    fn default() -> Self {
        let metrics = Self {
            registry: Mutex::new(Registry::with_prefix("orchestrator")),
            sessions: Family::default(),
            spawned: Counter::default(),
            tokens: Counter::default(),
            queue_depth: Gauge::default(),
            connections: Gauge::default(),
            messages_in: Counter::default(),
            messages_out: Counter::default(),
            slow_clients: Counter::default(),
            refused: Counter::default(),
            pending: Gauge::default(),
            pending_evicted: Counter::default(),
            notifications: NotifyCounters::default(),
        };
        {
            let mut r = metrics.registry.lock();
            r.register("sessions", "Sessions by status", metrics.sessions.clone());
            r.register(
                "sessions_spawned",
                "Sessions created",
                metrics.spawned.clone(),
            );
            r.register(
                "tokens_used",
                "Tokens reported by agents",
                metrics.tokens.clone(),
            );
            r.register(
                "queue_depth",
                "Sessions waiting for a slot",
                metrics.queue_depth.clone(),
            );
            r.register(
                "ws_connections",
                "Open WebSocket connections",
                metrics.connections.clone(),
            );
            r.register(
                "ws_messages_received",
                "WebSocket frames received",
                metrics.messages_in.clone(),
            );
            r.register(
                "ws_messages_sent",
                "WebSocket frames sent",
                metrics.messages_out.clone(),
            );
            r.register(
                "ws_slow_clients_dropped",
                "Clients dropped for not reading",
                metrics.slow_clients.clone(),
            );
            r.register(
                "ws_upgrades_refused",
                "Requests and WebSocket upgrades refused",
                metrics.refused.clone(),
            );
            r.register(
                "http_pending_connections",
                "Connections that have not (yet) upgraded",
                metrics.pending.clone(),
            );
            r.register(
                "http_pending_evicted",
                "Pre-upgrade connections closed to make room for newer ones",
                metrics.pending_evicted.clone(),
            );
            metrics.notifications.register(&mut r);
        }
        metrics
    }
}

impl WsMetrics {
    /// The text exposition, refreshed from `core`.
    pub fn render(&self, core: &Core) -> String {
        let status = core.status();
        for (state, count) in core.session_counts_by_status() {
            self.sessions
                .get_or_create(&StatusLabel {
                    status: state.as_str(),
                })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        // The core keeps the totals; counters only move forward by the difference.
        let m = status.metrics;
        self.spawned
            .inc_by(m.total_sessions_spawned.saturating_sub(self.spawned.get()));
        self.tokens
            .inc_by(m.total_tokens_used.saturating_sub(self.tokens.get()));
        self.queue_depth.set(i64::from(status.sessions.queued));
        let mut text = String::new();
        let registry = self.registry.lock();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &registry) {
            tracing::warn!(%err, "cannot encode metrics");
        }
        text
    }
}
