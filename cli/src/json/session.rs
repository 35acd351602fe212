//! [`SessionJson`]: a session as `session show|list|spawn --json` print it — the WebSocket
//! API's Session object (same keys, same meanings, README "WebSocket API"), with `null` where
//! the WebSocket API leaves a key out, plus the CLI-only `model`, `apiKeySource`,
//! `restarts` and `worktreeBranch`. Schema: `docs/json/session.schema.json`.

use orchestrator_api::v1::{Session, SessionMetrics, Task, WaitingFor};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{parsed, text, time};
use crate::words::{priority_word, status_word, type_word};

/// One session.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionJson {
    id: String,
    orchestrator_id: String,
    task: Option<TaskJson>,
    #[serde(rename = "type")]
    session_type: String,
    status: String,
    started_at: Option<String>,
    memory_context: Value,
    metrics: Option<MetricsJson>,
    pid: Option<u32>,
    work_dir: String,
    agent_session_id: Option<String>,
    exit_code: Option<i32>,
    error: Option<String>,
    queue_position: Option<u32>,
    /// The WebSocket API's alias of `type`.
    #[serde(rename = "sessionType")]
    session_type_alias: String,
    /// The task's metadata, always an object (the WebSocket API's alias).
    metadata: Value,
    /// The WebSocket API's alias of `startedAt`.
    created_at: Option<String>,
    ended_at: Option<String>,
    transcript_error: Option<String>,
    waiting_for: Option<WaitingForJson>,
    stalled_since: Option<String>,
    runner: String,
    remote: Option<RemoteJson>,
    model: Option<String>,
    api_key_source: Option<String>,
    restarts: u32,
    worktree_branch: Option<String>,
}

/// The cluster job a remote session's agent runs (or last ran) as.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteJson {
    runner: String,
    job_id: String,
    node_id: String,
    node_ip: String,
}

/// The task a session runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskJson {
    id: String,
    description: String,
    #[serde(rename = "type")]
    task_type: String,
    priority: String,
    metadata: Value,
    status: String,
    created_at: Option<String>,
    updated_at: Option<String>,
}

/// Counters; `duration` and `averageResponseTime` are milliseconds, as on the WebSocket API.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsJson {
    tokens_used: u64,
    duration: u64,
    tasks_completed: u32,
    errors_encountered: u32,
    average_response_time: f64,
}

/// What a waiting session waits on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingForJson {
    approval_id: String,
    kind: String,
    tool: String,
    summary: String,
    since: Option<String>,
}

impl From<&Task> for TaskJson {
    fn from(task: &Task) -> Self {
        Self {
            id: task.id.clone(),
            description: task.description.clone(),
            task_type: task.r#type.clone(),
            priority: priority_word(task.priority),
            metadata: parsed(&task.metadata_json),
            status: task.status.clone(),
            created_at: time(task.created_at_unix_ms),
            updated_at: time(task.updated_at_unix_ms),
        }
    }
}

impl From<&SessionMetrics> for MetricsJson {
    fn from(m: &SessionMetrics) -> Self {
        Self {
            tokens_used: m.tokens_used,
            duration: m.duration_ms,
            tasks_completed: m.tasks_completed,
            errors_encountered: m.errors_encountered,
            average_response_time: m.average_response_time_ms,
        }
    }
}

impl From<&WaitingFor> for WaitingForJson {
    fn from(w: &WaitingFor) -> Self {
        Self {
            approval_id: w.approval_id.clone(),
            kind: w.kind.clone(),
            tool: w.tool.clone(),
            summary: w.summary.clone(),
            since: time(w.since_unix_ms),
        }
    }
}

impl From<&Session> for SessionJson {
    fn from(s: &Session) -> Self {
        let task = s.task.as_ref().map(TaskJson::from);
        let metadata = match task.as_ref().map(|t| &t.metadata) {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            _ => Value::Object(Map::new()),
        };
        let started_at = time(s.started_at_unix_ms);
        Self {
            id: s.id.clone(),
            orchestrator_id: s.orchestrator_id.clone(),
            task,
            session_type: type_word(s.r#type),
            status: status_word(s.status),
            created_at: started_at.clone(),
            started_at,
            memory_context: parsed(&s.memory_context_json),
            metrics: s.metrics.as_ref().map(MetricsJson::from),
            pid: (s.pid != 0).then_some(s.pid),
            work_dir: s.work_dir.clone(),
            agent_session_id: text(&s.agent_session_id),
            exit_code: s.exit_code,
            error: text(&s.error),
            // The proto's 0 is "not queued"; positions start at 1.
            queue_position: (s.queue_position != 0).then_some(s.queue_position),
            session_type_alias: type_word(s.r#type),
            metadata,
            ended_at: time(s.ended_at_unix_ms),
            transcript_error: text(&s.transcript_error),
            waiting_for: s.waiting_for.as_ref().map(WaitingForJson::from),
            stalled_since: time(s.stalled_since_unix_ms),
            // A daemon older than the runners knew only this machine.
            runner: text(&s.runner).unwrap_or_else(|| "local".to_owned()),
            remote: s.remote.as_ref().map(|job| RemoteJson {
                runner: job.runner.clone(),
                job_id: job.job_id.clone(),
                node_id: job.node_id.clone(),
                node_ip: job.node_ip.clone(),
            }),
            model: text(&s.model),
            api_key_source: text(&s.api_key_source),
            restarts: s.restarts,
            worktree_branch: text(&s.worktree_branch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::orchestrator::session::render::tests::sample;

    #[test]
    fn camel_case_words_rfc3339_times_nulls_and_parsed_fields() {
        let value = serde_json::to_value(SessionJson::from(&sample())).unwrap();
        assert_eq!(value["type"], "claude-code");
        assert_eq!(value["sessionType"], "claude-code");
        assert_eq!(value["status"], "completed");
        assert_eq!(value["task"]["priority"], "high");
        assert_eq!(value["task"]["metadata"]["ticket"], 42);
        assert_eq!(value["metadata"]["ticket"], 42);
        assert_eq!(value["startedAt"], "2026-11-28T02:29:17.336Z");
        assert_eq!(value["createdAt"], value["startedAt"]);
        assert!(value["endedAt"].is_null());
        assert!(value["pid"].is_null());
        assert!(value["error"].is_null());
        assert!(value["queuePosition"].is_null());
        assert!(value["worktreeBranch"].is_null());
        assert_eq!(value["exitCode"], 0);
        assert_eq!(value["metrics"]["tokensUsed"], 117);
        assert_eq!(value["metrics"]["duration"], 1500);
        assert_eq!(value["memoryContext"]["scratchpad"], serde_json::json!({}));
    }
}
