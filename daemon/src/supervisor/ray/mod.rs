//! The Ray runner: each agent process of a session is a job on a Ray cluster, whose
//! entrypoint is the relay (`wundr orchestrator relay`). Key types: [`RayRunner`] (the
//! [`SessionRunner`] of `runner: ray`), with [`jobs::JobsClient`] (the Jobs REST API),
//! [`relays::RelayHub`] (the daemon's relay listener) and [`process::RayProcess`].
//!
//! A start: check the node a follow-up is pinned to is alive; register a fresh secret for the
//! session; submit the job (placed by `ray.resources`/`ray.labels`, or pinned to the node that
//! holds the conversation); wait until its relay dials in with the secret (or the job fails,
//! or [`START_TIMEOUT`] passes: then the job is stopped); hand the relay what to run; wait for
//! it to report the agent started. The secret travels only in the job's environment and is
//! withdrawn as soon as the relay is in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use orchestrator_config::RaySettings;
use orchestrator_relay::wire::{self, AgentSpec, RelayFrame, SECRET_ENV, StartFailureKind};

use super::command::shell_quote;
use super::runner::{
    BoxFuture, InterruptedSession, RunSpec, RunnerError, RunningAgent, SESSION_ID_VAR,
    SessionRunner, StdinMode,
};
use crate::core::Core;
use crate::model::session::RemoteJob;

mod driver;
pub mod jobs;
pub mod process;
pub mod relays;

#[cfg(test)]
mod tests;

use jobs::{JobsClient, RayError};
use relays::RelayHub;

/// How long a submitted job may take to start its relay. Ray keeps a job it cannot place
/// PENDING for 15 minutes; a session should say why much sooner.
pub const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long Ray waits between its SIGTERM and SIGKILL when it stops a job: above the
/// relay's own stop (grace, then the group killed), so the relay's clean-up is never cut.
const JOB_STOP_WAIT_SECS: &str = "15";

/// Variables of the daemon's own environment that mean nothing on a node, where the node's
/// own are kept (the agent env of the config still applies there).
pub(crate) fn node_local(name: &str) -> bool {
    matches!(
        name,
        "PATH"
            | "HOME"
            | "USER"
            | "LOGNAME"
            | "SHELL"
            | "PWD"
            | "OLDPWD"
            | "TMPDIR"
            | "TERM"
            | "DISPLAY"
            | "MAIL"
            | "HOSTNAME"
    ) || name.starts_with("XDG_")
        || name.starts_with("SSH_")
        || name.starts_with("RAY_")
}

/// Paths of the daemon's machine the daemon gives local agents: on a node the relay's hook
/// socket stands for the control socket, and the node's charter file (if any) for the
/// daemon's.
fn daemon_paths(name: &str) -> bool {
    name == orchestrator_api::paths::SOCKET_ENV || name == super::command::CHARTER_FILE_ENV
}

/// Runs agents as Ray jobs.
#[derive(Debug)]
pub struct RayRunner {
    core: Arc<Core>,
    settings: RaySettings,
    jobs: JobsClient,
    hub: Arc<RelayHub>,
    /// What relays dial: `ray.relayAddress`, else the listener's address.
    relay_address: String,
}

impl RayRunner {
    /// A runner for the cluster of `settings`, whose relays reach the daemon at
    /// `relay_address` and are accepted by `hub`.
    pub fn new(
        core: Arc<Core>,
        settings: RaySettings,
        hub: Arc<RelayHub>,
        relay_address: String,
    ) -> Self {
        RayRunner {
            core,
            jobs: JobsClient::new(&settings.address),
            settings,
            hub,
            relay_address,
        }
    }

    /// Whether the cluster answers; a spawn is refused before anything is made when not.
    pub async fn check_reachable(&self) -> Result<(), RunnerError> {
        self.jobs
            .version()
            .await
            .map(drop)
            .map_err(|err| self.unreachable(err))
    }

    fn unreachable(&self, source: RayError) -> RunnerError {
        RunnerError::Cluster {
            address: self.settings.address.clone(),
            source: Box::new(source),
        }
    }

    async fn start_job(&self, spec: RunSpec) -> Result<RunningAgent, RunnerError> {
        let session_id = spec.env.get(SESSION_ID_VAR).cloned().unwrap_or_default();
        if let Some(node) = &spec.pin_node {
            self.check_node(node).await?;
        }
        let secret = new_secret();
        let job_id = format!(
            "wundr-{session_id}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let agent = agent_spec(&spec);
        let mut expected = self.hub.expect(&session_id, secret.clone(), agent);
        let body = self.job_body(&job_id, &session_id, &secret, spec.pin_node.as_deref());
        self.jobs
            .submit(&body)
            .await
            .map_err(|err| self.unreachable(err))?;
        tracing::info!(session = %session_id, job = %job_id, "submitted the session's Ray job");
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        let mut poll = tokio::time::interval(Duration::from_secs(1));
        let relay = loop {
            tokio::select! {
                attached = &mut expected.attached => match attached {
                    Ok(relay) => break relay,
                    Err(_) => return Err(self.not_started(&job_id, "its relay's secret was withdrawn").await),
                },
                _ = poll.tick() => {
                    if tokio::time::Instant::now() >= deadline {
                        let _ = self.jobs.stop(&job_id).await;
                        return Err(RunnerError::JobNotStarted {
                            job: job_id,
                            why: format!(
                                "it did not start within {}s: no node may have the resources or labels it asks for ({}); check ray.resources and ray.labels against `ray status`",
                                START_TIMEOUT.as_secs(),
                                self.placement_words(spec.pin_node.as_deref())
                            ),
                        });
                    }
                    if let Ok(job) = self.jobs.job(&job_id).await
                        && job.is_terminal()
                    {
                        let why = format!("it ended ({}) before its relay connected", job.status);
                        return Err(self.not_started(&job_id, &why).await);
                    }
                }
            }
        };
        drop(expected);
        self.attach(relay, job_id, spec.max_line_bytes).await
    }

    /// Reads the relay's report on its agent and builds the running agent.
    async fn attach(
        &self,
        mut relay: relays::AttachedRelay,
        job_id: String,
        max_line_bytes: usize,
    ) -> Result<RunningAgent, RunnerError> {
        let first = tokio::time::timeout(
            relays::HANDSHAKE_TIMEOUT * 3,
            wire::read_frame::<_, RelayFrame>(&mut relay.reader),
        )
        .await;
        let pid = match first {
            Ok(Ok(Some(RelayFrame::Started { pid }))) => pid,
            Ok(Ok(Some(RelayFrame::StartFailed(failure)))) => {
                let _ = self.jobs.stop(&job_id).await;
                return Err(match failure.kind {
                    StartFailureKind::NotFound => RunnerError::NotFound {
                        program: failure.message,
                    },
                    _ => RunnerError::JobNotStarted {
                        job: job_id,
                        why: failure.message,
                    },
                });
            }
            other => {
                let _ = self.jobs.stop(&job_id).await;
                let why = match other {
                    Ok(Ok(frame)) => {
                        format!("its relay said {frame:?} instead of starting the agent")
                    }
                    Ok(Err(err)) => format!(
                        "its relay's connection failed: {}",
                        crate::error_chain(&err)
                    ),
                    Err(_) => "its relay did not report the agent started".to_owned(),
                };
                return Err(RunnerError::JobNotStarted { job: job_id, why });
            }
        };
        let job = self.remote_job(&job_id, &relay.hello.host).await;
        tracing::info!(job = %job.job_id, node = %job.node_ip, pid, "the session's agent runs on a Ray node");
        Ok(process::connect(
            self.core.clone(),
            relay,
            pid,
            job,
            self.jobs.clone(),
            max_line_bytes,
        ))
    }

    /// Where the job runs, as Ray says (the driver's node).
    async fn remote_job(&self, job_id: &str, host: &str) -> RemoteJob {
        let node_id = self
            .jobs
            .job(job_id)
            .await
            .ok()
            .and_then(|job| job.driver_node_id)
            .unwrap_or_default();
        let node_ip = match self.jobs.nodes().await {
            Ok(nodes) => nodes
                .into_iter()
                .find(|n| n.node_id == node_id)
                .map(|n| n.node_ip)
                .unwrap_or_else(|| host.to_owned()),
            Err(_) => host.to_owned(),
        };
        RemoteJob {
            runner: "ray".to_owned(),
            job_id: job_id.to_owned(),
            node_id,
            node_ip,
        }
    }

    async fn check_node(&self, node: &str) -> Result<(), RunnerError> {
        let nodes = self
            .jobs
            .nodes()
            .await
            .map_err(|err| self.unreachable(err))?;
        match nodes.iter().find(|n| n.node_id == node) {
            Some(found) if found.is_alive() => Ok(()),
            found => Err(RunnerError::NodeGone {
                node: found.map_or_else(|| node.to_owned(), |n| format!("{} ({node})", n.node_ip)),
            }),
        }
    }

    async fn not_started(&self, job_id: &str, why: &str) -> RunnerError {
        let _ = self.jobs.stop(job_id).await;
        let tail = match self.jobs.logs(job_id).await {
            Ok(logs) => {
                let lines: Vec<&str> = logs.trim().lines().rev().take(3).collect();
                lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
            }
            Err(_) => String::new(),
        };
        RunnerError::JobNotStarted {
            job: job_id.to_owned(),
            why: if tail.is_empty() {
                why.to_owned()
            } else {
                format!("{why}; its log ends: {tail}")
            },
        }
    }

    fn placement_words(&self, pin: Option<&str>) -> String {
        let mut words = Vec::new();
        if let Some(node) = pin {
            words.push(format!("node {node}"));
        }
        words.extend(
            self.settings
                .resources
                .iter()
                .map(|(k, v)| format!("{k}: {v}")),
        );
        words.extend(self.settings.labels.iter().map(|(k, v)| format!("{k}={v}")));
        if words.is_empty() {
            "nothing: the head node".to_owned()
        } else {
            words.join(", ")
        }
    }

    fn job_body(
        &self,
        job_id: &str,
        session_id: &str,
        secret: &str,
        pin: Option<&str>,
    ) -> serde_json::Value {
        let entrypoint = format!(
            "exec {} orchestrator relay --daemon {} --session {}",
            shell_quote(&self.settings.wundr_command),
            shell_quote(&self.relay_address),
            shell_quote(session_id),
        );
        let mut labels: BTreeMap<String, String> = self.settings.labels.clone();
        if let Some(node) = pin {
            // The conversation lives on that node (Claude Code keeps it under ~/.claude).
            labels.insert("ray.io/node-id".to_owned(), node.to_owned());
        }
        let mut body = serde_json::json!({
            "entrypoint": entrypoint,
            "submission_id": job_id,
            "metadata": {"owner": "wundr", "wundr_session": session_id},
            "runtime_env": {"env_vars": {
                SECRET_ENV: secret,
                "RAY_JOB_STOP_WAIT_TIME_S": JOB_STOP_WAIT_SECS,
            }},
        });
        if !self.settings.resources.is_empty() && pin.is_none() {
            body["entrypoint_resources"] = serde_json::json!(self.settings.resources);
        }
        if !labels.is_empty() {
            body["entrypoint_label_selector"] = serde_json::json!(labels);
        }
        body
    }
}

/// 256 random bits, hex.
fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// What the relay runs: `spec` without what belongs to the daemon's machine.
fn agent_spec(spec: &RunSpec) -> AgentSpec {
    AgentSpec {
        program: spec.program.clone(),
        args: spec.args.clone(),
        env: spec
            .env
            .iter()
            .filter(|(name, _)| !daemon_paths(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        cwd: spec.cwd.clone(),
        stdin: spec.stdin == StdinMode::Piped,
        max_line_bytes: spec.max_line_bytes,
    }
}

impl SessionRunner for RayRunner {
    fn start(&self, spec: RunSpec) -> BoxFuture<'_, Result<RunningAgent, RunnerError>> {
        Box::pin(self.start_job(spec))
    }

    /// The jobs of sessions a dead daemon ran are stopped: their relays lost the daemon and
    /// end their agents anyway; the stop makes sure of it and frees the nodes at once.
    fn reclaim<'a>(&'a self, sessions: &'a [InterruptedSession]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for session in sessions {
                let Some(job) = &session.remote else { continue };
                match self.jobs.stop(&job.job_id).await {
                    Ok(()) => {
                        tracing::warn!(session = %session.session_id, job = %job.job_id, "stopped the Ray job of a session the previous daemon ran")
                    }
                    Err(err) => {
                        tracing::warn!(session = %session.session_id, job = %job.job_id, error = %crate::error_chain(&err), "cannot stop the Ray job of a session the previous daemon ran")
                    }
                }
            }
        })
    }
}
