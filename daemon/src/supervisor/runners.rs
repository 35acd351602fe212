//! [`Runners`]: the runners a daemon has — this machine always, a Ray cluster when one is
//! configured — behind one [`SessionRunner`], each spec started by the runner it names.

use std::sync::Arc;

use orchestrator_config::RunnerKind;

use super::ray::RayRunner;
use super::runner::{
    BoxFuture, InterruptedSession, RunSpec, RunnerError, RunningAgent, SessionRunner,
};

/// This machine's runner and, when configured, the Ray runner.
pub struct Runners {
    local: Arc<dyn SessionRunner>,
    ray: Option<Arc<RayRunner>>,
}

impl std::fmt::Debug for Runners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runners")
            .field("ray", &self.ray.is_some())
            .finish_non_exhaustive()
    }
}

impl Runners {
    pub fn new(local: Arc<dyn SessionRunner>, ray: Option<Arc<RayRunner>>) -> Self {
        Runners { local, ray }
    }
}

impl SessionRunner for Runners {
    fn start(&self, spec: RunSpec) -> BoxFuture<'_, Result<RunningAgent, RunnerError>> {
        match (spec.runner, &self.ray) {
            (RunnerKind::Local, _) => self.local.start(spec),
            (RunnerKind::Ray, Some(ray)) => ray.start(spec),
            (runner, None) => Box::pin(async move { Err(RunnerError::NotConfigured { runner }) }),
        }
    }

    fn check_ready(&self, runner: RunnerKind) -> BoxFuture<'_, Result<(), RunnerError>> {
        match (runner, &self.ray) {
            (RunnerKind::Ray, Some(ray)) => Box::pin(ray.check_reachable()),
            _ => self.local.check_ready(runner),
        }
    }

    fn reclaim<'a>(&'a self, sessions: &'a [InterruptedSession]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let (remote, local): (Vec<_>, Vec<_>) =
                sessions.iter().cloned().partition(|s| s.remote.is_some());
            self.local.reclaim(&local).await;
            match &self.ray {
                Some(ray) => ray.reclaim(&remote).await,
                None if !remote.is_empty() => tracing::warn!(
                    count = remote.len(),
                    "sessions that ran on a Ray cluster were interrupted, but no cluster is configured now: their jobs may still run there until their relays notice the daemon is gone"
                ),
                None => {}
            }
        })
    }
}
