//! Readiness for a service manager: under systemd (`Type=notify`, which sets `$NOTIFY_SOCKET`)
//! [`ready`] sends `READY=1` once the control socket and the public port accept connections,
//! and [`stopping`] sends `STOPPING=1` when a graceful stop begins, so `systemctl start` returns
//! when the daemon is usable and `systemctl status` shows it stopping. Without
//! `$NOTIFY_SOCKET` (a terminal, launchd, `--daemonize`) both do nothing. A failed send is
//! logged, never fatal: the daemon works the same either way.

use sd_notify::NotifyState;

/// Tells the service manager the daemon is ready, with a one-line status.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// Tells the service manager a graceful stop has begun.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

fn send(states: &[NotifyState]) {
    if let Err(err) = sd_notify::notify(states) {
        tracing::warn!(%err, "cannot notify the service manager ($NOTIFY_SOCKET)");
    }
}
