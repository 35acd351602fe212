//! The heartbeat: every `heartbeatInterval` [`check_subsystems`] looks at each subsystem,
//! records what it found (with `lastCheck`) in the core, and the daemon emits `healthCheck`.
//! Checks look for faults a user would otherwise discover the hard way: the control socket
//! file deleted from under the daemon, a server task that died, a log file that cannot be
//! written.

use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::time::MissedTickBehavior;

use crate::core::Core;
use crate::logging::LogHub;
use crate::model::{DaemonEvent, SubsystemStatus};

/// What the checks look at, beyond the core.
#[derive(Debug, Clone)]
pub struct Probes {
    /// The control socket path.
    pub socket: PathBuf,
    /// Cleared by the gRPC server task when it ends.
    pub grpc_alive: Arc<AtomicBool>,
    /// Cleared by the public-port task when it ends.
    pub public_alive: Arc<AtomicBool>,
    /// The log file, when the daemon writes one.
    pub logs: Option<LogHub>,
}

/// Checks every subsystem now and records the result in the core.
pub fn check_subsystems(core: &Core, probes: &Probes) {
    let grpc = if !probes.grpc_alive.load(Ordering::Acquire) {
        (
            SubsystemStatus::Error,
            Some("the gRPC server stopped".to_owned()),
        )
    } else {
        match std::fs::symlink_metadata(&probes.socket) {
            Ok(meta) if meta.file_type().is_socket() => (SubsystemStatus::Running, None),
            _ => (
                SubsystemStatus::Degraded,
                Some(format!(
                    "the socket file {} was removed; restart the daemon so clients can reach it",
                    probes.socket.display()
                )),
            ),
        }
    };
    core.record_subsystem("grpc", grpc.0, grpc.1);
    let public = if probes.public_alive.load(Ordering::Acquire) {
        (SubsystemStatus::Running, None)
    } else {
        (
            SubsystemStatus::Error,
            Some("the public port server stopped".to_owned()),
        )
    };
    core.record_subsystem("websocket", public.0, public.1);
    core.record_subsystem("sessionManager", SubsystemStatus::Running, None);
    let logging = match probes.logs.as_ref().and_then(LogHub::last_error) {
        Some(err) => (SubsystemStatus::Degraded, Some(err)),
        None => (SubsystemStatus::Running, None),
    };
    core.record_subsystem("logging", logging.0, logging.1);
    if let Some(memory) = core.daemon_memory() {
        let (status, detail) = memory.health();
        core.record_subsystem("memory", status, detail);
    }
}

/// Runs the heartbeat until the core starts closing.
pub async fn run(core: Arc<Core>, probes: Probes) {
    let mut ticker = tokio::time::interval(core.config().heartbeat_interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // The first tick completes at once; start() has just checked, so skip it.
    ticker.tick().await;
    let closing = core.closing().clone();
    loop {
        tokio::select! {
            () = closing.cancelled() => return,
            _ = ticker.tick() => {}
        }
        check_subsystems(&core, &probes);
        crate::heap::release_free_memory();
        let status = core.status();
        tracing::debug!(
            state = status.state.as_str(),
            active = status.sessions.active,
            queued = status.sessions.queued,
            "health check"
        );
        core.emit(DaemonEvent::HealthCheck(Box::new(status)));
    }
}
