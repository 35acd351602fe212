//! [`StatusJson`]: the daemon's status as `status --json` prints it. When no daemon runs it
//! is `{"running": false, "socket": …}` with every other key `null`. Schema:
//! `docs/json/status.schema.json`.

use orchestrator_api::v1::{
    AgentProgram, Endpoints, GetStatusResponse, Metrics, Runner, SessionCounts,
};
use serde::Serialize;

use super::{text, time};
use crate::words::{state_word, subsystem_word};

/// The daemon's status.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusJson {
    running: bool,
    socket: String,
    name: Option<String>,
    version: Option<String>,
    protocol_version: Option<u32>,
    pid: Option<u32>,
    /// `starting`, `running`, `stopping`, ... (`unspecified` from a newer daemon).
    state: Option<String>,
    uptime_ms: Option<u64>,
    started_at: Option<String>,
    endpoints: Option<EndpointsJson>,
    sessions: Option<SessionCountsJson>,
    subsystems: Option<Vec<SubsystemJson>>,
    metrics: Option<MetricsJson>,
    agents: Option<Vec<AgentProgramJson>>,
    runners: Option<Vec<RunnerJson>>,
}

/// Where sessions can run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunnerJson {
    name: String,
    is_default: bool,
    address: Option<String>,
    relay_address: Option<String>,
}

impl From<&Runner> for RunnerJson {
    fn from(r: &Runner) -> Self {
        Self {
            name: r.name.clone(),
            is_default: r.is_default,
            address: text(&r.address),
            relay_address: text(&r.relay_address),
        }
    }
}

/// Where the daemon listens and keeps its files.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointsJson {
    socket_path: String,
    ws_url: String,
    health_url: String,
    host: String,
    port: u32,
    log_file: String,
    state_dir: String,
    data_dir: String,
}

/// Sessions by state.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionCountsJson {
    active: u32,
    queued: u32,
    waiting: u32,
    stalled: u32,
    total: u32,
    max_sessions: u32,
}

/// One subsystem's health.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubsystemJson {
    name: String,
    status: String,
    last_check: Option<String>,
    detail: Option<String>,
}

/// Totals since the daemon started.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsJson {
    total_sessions_spawned: u64,
    total_tasks_processed: u64,
    total_tokens_used: u64,
    average_session_duration_ms: f64,
    success_rate: f64,
}

/// The agent program each session type runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentProgramJson {
    session_types: String,
    command: String,
    source: String,
    /// Null when the program is not found.
    resolved_path: Option<String>,
}

impl StatusJson {
    /// No daemon answers on `socket`.
    pub fn not_running(socket: String) -> Self {
        Self {
            socket,
            ..Self::default()
        }
    }

    /// The status a daemon on `socket` reported.
    pub fn running(status: &GetStatusResponse, socket: String) -> Self {
        Self {
            running: true,
            socket,
            name: Some(status.name.clone()),
            version: Some(status.version.clone()),
            protocol_version: Some(status.protocol_version),
            pid: Some(status.pid),
            state: Some(state_word(status)),
            uptime_ms: Some(status.uptime_ms),
            started_at: time(status.started_at_unix_ms),
            endpoints: status.endpoints.as_ref().map(EndpointsJson::from),
            sessions: status.sessions.as_ref().map(SessionCountsJson::from),
            subsystems: Some(
                status
                    .subsystems
                    .iter()
                    .map(|s| SubsystemJson {
                        name: s.name.clone(),
                        status: subsystem_word(s.status),
                        last_check: time(s.last_check_unix_ms),
                        detail: text(&s.detail),
                    })
                    .collect(),
            ),
            metrics: status.metrics.as_ref().map(MetricsJson::from),
            agents: Some(status.agents.iter().map(AgentProgramJson::from).collect()),
            runners: Some(status.runners.iter().map(RunnerJson::from).collect()),
        }
    }
}

impl From<&Endpoints> for EndpointsJson {
    fn from(e: &Endpoints) -> Self {
        Self {
            socket_path: e.socket_path.clone(),
            ws_url: e.ws_url.clone(),
            health_url: e.health_url.clone(),
            host: e.host.clone(),
            port: e.port,
            log_file: e.log_file.clone(),
            state_dir: e.state_dir.clone(),
            data_dir: e.data_dir.clone(),
        }
    }
}

impl From<&SessionCounts> for SessionCountsJson {
    fn from(s: &SessionCounts) -> Self {
        Self {
            active: s.active,
            queued: s.queued,
            waiting: s.waiting,
            stalled: s.stalled,
            total: s.total,
            max_sessions: s.max_sessions,
        }
    }
}

impl From<&Metrics> for MetricsJson {
    fn from(m: &Metrics) -> Self {
        Self {
            total_sessions_spawned: m.total_sessions_spawned,
            total_tasks_processed: m.total_tasks_processed,
            total_tokens_used: m.total_tokens_used,
            average_session_duration_ms: m.average_session_duration_ms,
            success_rate: m.success_rate,
        }
    }
}

impl From<&AgentProgram> for AgentProgramJson {
    fn from(a: &AgentProgram) -> Self {
        Self {
            session_types: a.session_types.clone(),
            command: a.command.clone(),
            source: a.source.clone(),
            resolved_path: text(&a.resolved_path),
        }
    }
}
