//! Outbound JSON shapes, as `#[derive(Serialize)]` structs so the field order is the one
//! upstream emits: [`WireSession`] (upstream's Session, then our fields, then Neolith's
//! aliases, `endedAt` last), [`WireDaemonStatus`], [`health_data`] (Neolith's health object),
//! and [`encode`] / [`encode_value`] (type first, `requestId` last). Stream/tool/task frames
//! are in [`super::stream`]. Dates are ISO-8601 UTC with milliseconds.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::session::millis_between;
use crate::model::{DaemonStatus, Session};

/// `2026-11-24T07:56:46.082Z`.
pub fn iso(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// Upstream's Task.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireTask<'a> {
    id: &'a str,
    description: &'a str,
    #[serde(rename = "type")]
    task_type: &'a str,
    priority: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a serde_json::Map<String, Value>>,
    status: &'a str,
    created_at: String,
    updated_at: String,
}

/// Upstream's session metrics.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMetrics {
    tokens_used: u64,
    duration: u64,
    tasks_completed: u32,
    errors_encountered: u32,
    average_response_time: Value,
}

/// A session as every client sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSession<'a> {
    id: &'a str,
    orchestrator_id: &'a str,
    task: WireTask<'a>,
    #[serde(rename = "type")]
    session_type: &'a str,
    status: &'a str,
    started_at: String,
    memory_context: &'a Value,
    metrics: WireMetrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    work_dir: String,
    agent_session_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_position: Option<u32>,
    /// `local` or `ray` (an addition; before upstream's aliases so its objects still end with
    /// `endedAt`).
    runner: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<Value>,
    #[serde(rename = "sessionType")]
    session_type_alias: &'a str,
    metadata: Value,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript_error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_for: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stalled_since: Option<String>,
}

impl<'a> WireSession<'a> {
    /// The wire view of `s`.
    pub fn new(s: &'a Session) -> Self {
        let duration = if s.status.is_ended() {
            s.metrics.duration
        } else {
            millis_between(s.started_at, SystemTime::now())
        };
        Self {
            id: &s.id,
            orchestrator_id: &s.orchestrator_id,
            task: WireTask {
                id: &s.task.id,
                description: &s.task.description,
                task_type: &s.task.task_type,
                priority: s.task.priority.as_str(),
                metadata: s.task.metadata.as_ref(),
                status: s.task.status.as_str(),
                created_at: iso(s.task.created_at),
                updated_at: iso(s.task.updated_at),
            },
            session_type: s.session_type.as_str(),
            status: s.status.as_str(),
            started_at: iso(s.started_at),
            memory_context: &s.memory_context,
            metrics: WireMetrics {
                tokens_used: s.metrics.tokens_used,
                duration,
                tasks_completed: s.metrics.tasks_completed,
                errors_encountered: s.metrics.errors_encountered,
                average_response_time: js_number(s.metrics.average_response_time),
            },
            pid: s.pid,
            work_dir: s.work_dir.display().to_string(),
            agent_session_id: &s.agent_session_id,
            exit_code: s.exit_code,
            error: s.error.as_deref(),
            queue_position: s.queue_position,
            runner: s.runner.as_str(),
            remote: s.remote.as_ref().map(|job| {
                json!({"runner": job.runner, "jobId": job.job_id, "nodeId": job.node_id,
                       "nodeIp": job.node_ip})
            }),
            session_type_alias: s.session_type.as_str(),
            metadata: metadata(s),
            created_at: iso(s.started_at),
            ended_at: s.ended_at.map(iso),
            transcript_error: s.transcript_error.as_deref(),
            waiting_for: s.waiting_for.as_ref().map(|w| {
                json!({"approvalId": w.approval_id, "kind": w.kind.as_str(), "tool": w.tool,
                       "summary": w.summary, "since": iso(w.since)})
            }),
            stalled_since: s.stalled_since.map(iso),
        }
    }
}

/// The task's metadata, always an object (Neolith clears what it stored otherwise).
pub fn metadata(s: &Session) -> Value {
    Value::Object(s.task.metadata.clone().unwrap_or_default())
}

/// `{"type":"session_status_update","session":…}` and its kin.
#[derive(Debug, Serialize)]
pub struct SessionFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session: WireSession<'a>,
}

impl<'a> SessionFrame<'a> {
    /// A frame of `kind` carrying `session`.
    pub fn new(kind: &'static str, session: &'a Session) -> Self {
        Self {
            kind,
            session: WireSession::new(session),
        }
    }
}

/// `session_spawned`: upstream's `{session}` plus Neolith's top-level aliases.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpawnedFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session_id: &'a str,
    session_type: &'a str,
    metadata: Value,
    created_at: String,
    session: WireSession<'a>,
}

impl<'a> SpawnedFrame<'a> {
    /// The reply to a spawn of `session`.
    pub fn new(session: &'a Session) -> Self {
        Self {
            kind: "session_spawned",
            session_id: &session.id,
            session_type: session.session_type.as_str(),
            metadata: metadata(session),
            created_at: iso(session.started_at),
            session: WireSession::new(session),
        }
    }
}

/// `sessions_list`: upstream's `sessions`; when older sessions match too, `nextCursor` for the
/// next page; and `total` (how many match in all) for a request that asked for a page.
#[derive(Debug, Serialize)]
pub struct ListFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    sessions: Vec<WireSession<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(rename = "nextCursor", skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<'a> ListFrame<'a> {
    /// The sessions of `page`, in order; `paged` when the request had a payload (an upstream
    /// client sends none, and gets upstream's shape while everything fits one page).
    pub fn new(page: &'a crate::core::SessionPage, paged: bool) -> Self {
        Self {
            kind: "sessions_list",
            sessions: page.sessions.iter().map(WireSession::new).collect(),
            total: paged.then_some(page.total),
            next_cursor: page.next_before.map(|seq| seq.to_string()),
        }
    }
}

/// The bytes `session` takes in a `sessions_list`.
pub fn encoded_len(session: &Session) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, &WireSession::new(session));
    count.0 + 1
}

/// `session_stalled`: a running session has shown no progress for `idle_for` (to every client).
pub fn session_stalled(s: &Session, idle_for: std::time::Duration) -> Value {
    json!({"type": "session_stalled", "sessionId": s.id,
           "idleForMs": u64::try_from(idle_for.as_millis()).unwrap_or(u64::MAX),
           "session": WireSession::new(s)})
}

/// Neolith's `session_updated` (compat connections only).
pub fn session_updated(s: &Session) -> Value {
    json!({"type": "session_updated", "sessionId": s.id, "status": s.status.as_str(),
           "sessionType": s.session_type.as_str(), "metadata": metadata(s)})
}

#[derive(Debug, Serialize)]
struct Subsystem {
    status: &'static str,
    #[serde(rename = "lastCheck")]
    last_check: String,
}

/// Upstream's DaemonStatus metrics.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusMetrics {
    total_sessions_spawned: u64,
    total_tasks_processed: u64,
    total_tokens_used: u64,
    average_session_duration: u64,
    active_sessions: u32,
    success_rate: Value,
}

/// Upstream's DaemonStatus (`daemon_status_update.status`), from our real subsystems.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireDaemonStatus {
    status: &'static str,
    uptime: u64,
    active_sessions: u32,
    queued_tasks: u32,
    /// Sessions waiting for a person (an approval or an answer).
    waiting_sessions: u32,
    /// Sessions whose agent shows no progress (stalled).
    stalled_sessions: u32,
    metrics: StatusMetrics,
    #[serde(serialize_with = "in_order")]
    subsystems: Vec<(&'static str, Subsystem)>,
}

/// A list of pairs as a JSON object, keeping their order (no `Value` tree on the way).
fn in_order<S: serde::Serializer>(
    pairs: &[(&'static str, Subsystem)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(name, entry)| (name, entry)))
}

/// `daemon_status_update`, serialised straight from typed parts.
#[derive(Debug, Serialize)]
pub struct StatusFrame {
    #[serde(rename = "type")]
    kind: &'static str,
    status: WireDaemonStatus,
}

impl StatusFrame {
    /// The reply to `daemon_status`.
    pub fn new(s: &DaemonStatus) -> Self {
        Self {
            kind: "daemon_status_update",
            status: WireDaemonStatus::new(s),
        }
    }
}

impl WireDaemonStatus {
    /// The wire view of `s`.
    pub fn new(s: &DaemonStatus) -> Self {
        let subsystems = s
            .subsystems
            .iter()
            .map(|h| {
                let entry = Subsystem {
                    status: h.status.as_str(),
                    last_check: iso(h.last_check),
                };
                (h.name, entry)
            })
            .collect();
        Self {
            status: s.state.as_str(),
            uptime: duration_ms(s.uptime),
            active_sessions: s.sessions.active,
            queued_tasks: s.sessions.queued,
            waiting_sessions: s.sessions.waiting,
            stalled_sessions: s.sessions.stalled,
            metrics: StatusMetrics {
                total_sessions_spawned: s.metrics.total_sessions_spawned,
                total_tasks_processed: s.metrics.total_tasks_processed,
                total_tokens_used: s.metrics.total_tokens_used,
                average_session_duration: duration_ms(s.metrics.average_session_duration),
                active_sessions: s.sessions.active,
                success_rate: js_number(s.metrics.success_rate),
            },
            subsystems,
        }
    }
}

/// A number as JavaScript's `JSON.stringify` writes it: whole values without `.0`.
fn js_number(value: f64) -> Value {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn duration_ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Neolith's health object, carried under `data` of every `health_check_response`.
pub fn health_data(s: &DaemonStatus, connected_clients: usize) -> Value {
    let subsystems: serde_json::Map<String, Value> = s
        .subsystems
        .iter()
        .map(|h| {
            let at = iso(h.last_check);
            (
                h.name.to_owned(),
                json!({"status": h.status.as_str(), "lastCheck": at, "lastCheckAt": at}),
            )
        })
        .collect();
    json!({
        "status": s.state.as_str(),
        "uptimeSeconds": s.uptime.as_secs(),
        "activeSessions": s.sessions.active,
        "connectedClients": connected_clients,
        "subsystems": subsystems,
        "metrics": {
            "totalSessionsSpawned": s.metrics.total_sessions_spawned,
            "totalTasksProcessed": s.metrics.total_tasks_processed,
            "totalTokensUsed": s.metrics.total_tokens_used,
            "averageSessionDuration": duration_ms(s.metrics.average_session_duration),
            "activeSessions": s.sessions.active,
            "successRate": js_number(s.metrics.success_rate),
            "averageResponseTimeMs": 0,
        },
    })
}

/// Serialises `frame`, adding `"requestId"` last when the request carried one.
pub fn encode(frame: &impl Serialize, request_id: Option<&Value>) -> String {
    let text = serde_json::to_string(frame).unwrap_or_else(|_| "{}".to_owned());
    with_request_id(text, request_id)
}

/// `text` (a serialised JSON object) with `"requestId"` added last when given.
pub fn with_request_id(mut text: String, request_id: Option<&Value>) -> String {
    if let Some(id) = request_id
        && text.ends_with('}')
    {
        text.pop();
        if !text.ends_with('{') {
            text.push(',');
        }
        text.push_str("\"requestId\":");
        text.push_str(&id.to_string());
        text.push('}');
    }
    text
}

/// Serialises a `json!` frame with `"type"` first (serde_json sorts object keys, and a
/// reader scanning frames by eye expects the type first), then `requestId` if given.
pub fn encode_value(frame: &Value, request_id: Option<&Value>) -> String {
    let Some((Some(kind), mut rest)) = frame.as_object().map(|o| {
        let mut rest = o.clone();
        (rest.remove("type"), rest)
    }) else {
        return encode(frame, request_id);
    };
    if let Some(id) = request_id {
        rest.insert("requestId".to_owned(), id.clone());
    }
    let body = Value::Object(rest).to_string();
    let mut text = format!("{{\"type\":{kind}");
    if body.len() > 2 {
        text.push(',');
    }
    text.push_str(&body[1..]);
    text
}

/// `{"type":"error","error":…,"code":…}`: upstream's text, and the stable reason
/// (`super::errors`) that clients key on.
pub fn error(code: &str, message: &str) -> Value {
    json!({"type": "error", "error": message, "code": code})
}

#[cfg(test)]
mod tests;
