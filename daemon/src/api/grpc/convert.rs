//! Library types → `orchestrator.v1` wire types: [`status_to_proto`], [`event_to_proto`], [`session_to_proto`], [`output_to_proto`], [`approval_to_proto`].

use std::time::{SystemTime, UNIX_EPOCH};

use orchestrator_api::v1;

use crate::model::ApprovalRequest;
use crate::model::{
    DaemonEvent, DaemonState, DaemonStatus, OutputKind, Session, SessionOutput, SessionStatus,
    SessionType, SubsystemStatus, TaskPriority,
};

pub fn unix_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The wire form of a status snapshot.
pub fn status_to_proto(status: &DaemonStatus) -> v1::GetStatusResponse {
    let state = match status.state {
        DaemonState::Created | DaemonState::Stopped => v1::DaemonState::Stopped,
        DaemonState::Starting => v1::DaemonState::Starting,
        DaemonState::Running => v1::DaemonState::Running,
        DaemonState::Stopping => v1::DaemonState::Stopping,
    };
    v1::GetStatusResponse {
        name: status.name.clone(),
        version: status.version.to_owned(),
        protocol_version: status.protocol_version,
        pid: status.pid,
        state: state.into(),
        uptime_ms: u64::try_from(status.uptime.as_millis()).unwrap_or(u64::MAX),
        started_at_unix_ms: status.started_at.map_or(0, unix_ms),
        endpoints: status.endpoints.as_ref().map(|e| v1::Endpoints {
            socket_path: e.socket.display().to_string(),
            ws_url: e.ws_url(),
            health_url: e.health_url(),
            host: e.host.clone(),
            port: u32::from(e.port),
            log_file: e.log_file.display().to_string(),
            state_dir: e.state_dir.display().to_string(),
            data_dir: e.data_dir.display().to_string(),
            relay_address: e.relay_address.clone().unwrap_or_default(),
        }),
        sessions: Some(v1::SessionCounts {
            active: status.sessions.active,
            queued: status.sessions.queued,
            waiting: status.sessions.waiting,
            stalled: status.sessions.stalled,
            total: status.sessions.total,
            max_sessions: status.sessions.max_sessions,
        }),
        subsystems: status
            .subsystems
            .iter()
            .map(|s| v1::Subsystem {
                name: s.name.to_owned(),
                status: match s.status {
                    SubsystemStatus::Running => v1::SubsystemStatus::Running,
                    SubsystemStatus::Degraded => v1::SubsystemStatus::Degraded,
                    SubsystemStatus::Stopped => v1::SubsystemStatus::Stopped,
                    SubsystemStatus::Error => v1::SubsystemStatus::Error,
                }
                .into(),
                last_check_unix_ms: unix_ms(s.last_check),
                detail: s.detail.clone().unwrap_or_default(),
            })
            .collect(),
        metrics: Some(v1::Metrics {
            total_sessions_spawned: status.metrics.total_sessions_spawned,
            total_tasks_processed: status.metrics.total_tasks_processed,
            total_tokens_used: status.metrics.total_tokens_used,
            average_session_duration_ms: status.metrics.average_session_duration.as_secs_f64()
                * 1000.0,
            success_rate: status.metrics.success_rate,
        }),
        // Filled by `GetStatus` only, which resolves them in the daemon's environment.
        agents: Vec::new(),
        runners: Vec::new(),
    }
}

/// The wire form of an event.
pub fn event_to_proto(event: &DaemonEvent) -> v1::Event {
    use v1::event::Kind;
    let kind = match event {
        DaemonEvent::Started { pid } => Kind::Started(v1::Started { pid: *pid }),
        DaemonEvent::Stopped { reason } => Kind::Stopped(v1::Stopped {
            reason: reason.clone(),
        }),
        DaemonEvent::HealthCheck(status) => Kind::HealthCheck(status_to_proto(status)),
        DaemonEvent::SessionSpawned(session) => Kind::SessionSpawned(session_to_proto(session)),
        DaemonEvent::SessionCompleted(session) => Kind::SessionCompleted(session_to_proto(session)),
        DaemonEvent::SessionUpdated(session) => Kind::SessionUpdated(session_to_proto(session)),
        DaemonEvent::SessionStalled { session, idle_for } => {
            Kind::SessionStalled(v1::SessionStalled {
                session: Some(session_to_proto(session)),
                idle_for_ms: u64::try_from(idle_for.as_millis()).unwrap_or(u64::MAX),
            })
        }
        DaemonEvent::ApprovalRequired(request) => {
            Kind::ApprovalRequired(approval_to_proto(request))
        }
        DaemonEvent::ApprovalResolved(request) => {
            Kind::ApprovalResolved(approval_to_proto(request))
        }
        DaemonEvent::BudgetWarning { pool, used, limit } => {
            Kind::BudgetWarning(v1::BudgetWarning {
                pool: (*pool).to_owned(),
                used: *used,
                limit: *limit,
                message: format!("the {pool} token pool is at {used} of {limit} tokens"),
            })
        }
    };
    v1::Event {
        unix_ms: unix_ms(SystemTime::now()),
        kind: Some(kind),
    }
}

/// The wire session type.
pub fn session_type_to_proto(session_type: SessionType) -> v1::SessionType {
    match session_type {
        SessionType::ClaudeCode => v1::SessionType::ClaudeCode,
        SessionType::ClaudeFlow => v1::SessionType::ClaudeFlow,
        SessionType::Ruflo => v1::SessionType::Ruflo,
    }
}

/// The library session type of a wire one (unspecified = claude-code).
pub fn session_type_from_proto(session_type: v1::SessionType) -> SessionType {
    match session_type {
        v1::SessionType::Unspecified | v1::SessionType::ClaudeCode => SessionType::ClaudeCode,
        v1::SessionType::ClaudeFlow => SessionType::ClaudeFlow,
        v1::SessionType::Ruflo => SessionType::Ruflo,
    }
}

/// The wire priority.
pub fn priority_to_proto(priority: TaskPriority) -> v1::TaskPriority {
    match priority {
        TaskPriority::Low => v1::TaskPriority::Low,
        TaskPriority::Medium => v1::TaskPriority::Medium,
        TaskPriority::High => v1::TaskPriority::High,
        TaskPriority::Critical => v1::TaskPriority::Critical,
    }
}

/// The library priority of a wire one (unspecified = none given).
pub fn priority_from_proto(priority: v1::TaskPriority) -> Option<TaskPriority> {
    match priority {
        v1::TaskPriority::Unspecified => None,
        v1::TaskPriority::Low => Some(TaskPriority::Low),
        v1::TaskPriority::Medium => Some(TaskPriority::Medium),
        v1::TaskPriority::High => Some(TaskPriority::High),
        v1::TaskPriority::Critical => Some(TaskPriority::Critical),
    }
}

/// A status from the wire; `Unspecified` is none.
pub fn session_status_from_proto(status: v1::SessionStatus) -> Option<SessionStatus> {
    SessionStatus::ALL
        .into_iter()
        .find(|s| session_status_to_proto(*s) == status)
}

fn session_status_to_proto(status: SessionStatus) -> v1::SessionStatus {
    match status {
        SessionStatus::Queued => v1::SessionStatus::Queued,
        SessionStatus::Initializing => v1::SessionStatus::Initializing,
        SessionStatus::Running => v1::SessionStatus::Running,
        SessionStatus::Paused => v1::SessionStatus::Paused,
        SessionStatus::Completed => v1::SessionStatus::Completed,
        SessionStatus::Failed => v1::SessionStatus::Failed,
        SessionStatus::Terminated => v1::SessionStatus::Terminated,
    }
}

/// The wire form of a session.
pub fn session_to_proto(session: &Session) -> v1::Session {
    let metrics = &session.metrics;
    let duration = match session.ended_at {
        Some(_) => metrics.duration,
        None => crate::model::session::millis_between(session.started_at, SystemTime::now()),
    };
    v1::Session {
        id: session.id.clone(),
        orchestrator_id: session.orchestrator_id.clone(),
        task: Some(v1::Task {
            id: session.task.id.clone(),
            description: session.task.description.clone(),
            r#type: session.task.task_type.clone(),
            priority: priority_to_proto(session.task.priority).into(),
            status: session.task.status.as_str().to_owned(),
            metadata_json: session
                .task
                .metadata
                .as_ref()
                .map(|m| serde_json::Value::Object(m.clone()).to_string())
                .unwrap_or_default(),
            created_at_unix_ms: unix_ms(session.task.created_at),
            updated_at_unix_ms: unix_ms(session.task.updated_at),
        }),
        r#type: session_type_to_proto(session.session_type).into(),
        status: session_status_to_proto(session.status).into(),
        started_at_unix_ms: unix_ms(session.started_at),
        ended_at_unix_ms: session.ended_at.map_or(0, unix_ms),
        metrics: Some(v1::SessionMetrics {
            tokens_used: metrics.tokens_used,
            duration_ms: duration,
            tasks_completed: metrics.tasks_completed,
            errors_encountered: metrics.errors_encountered,
            average_response_time_ms: metrics.average_response_time,
        }),
        pid: session.pid.unwrap_or(0),
        work_dir: session.work_dir.display().to_string(),
        agent_session_id: session.agent_session_id.clone(),
        exit_code: session.exit_code,
        error: session.error.clone().unwrap_or_default(),
        queue_position: session.queue_position.unwrap_or(0),
        model: session.model.clone().unwrap_or_default(),
        api_key_source: session.api_key_source.clone().unwrap_or_default(),
        restarts: session.restarts,
        worktree_branch: session.worktree_branch.clone().unwrap_or_default(),
        memory_context_json: session.memory_context.to_string(),
        transcript_error: session.transcript_error.clone().unwrap_or_default(),
        waiting_for: session.waiting_for.as_ref().map(|w| v1::WaitingFor {
            approval_id: w.approval_id.clone(),
            kind: w.kind.as_str().to_owned(),
            tool: w.tool.clone(),
            summary: w.summary.clone(),
            since_unix_ms: unix_ms(w.since),
        }),
        stalled_since_unix_ms: session.stalled_since.map_or(0, unix_ms),
        runner: session.runner.as_str().to_owned(),
        remote: session.remote.as_ref().map(|job| v1::RemoteJob {
            runner: job.runner.clone(),
            job_id: job.job_id.clone(),
            node_id: job.node_id.clone(),
            node_ip: job.node_ip.clone(),
        }),
    }
}

/// The wire form of a session output event.
pub fn output_to_proto(output: &SessionOutput) -> v1::SessionEvent {
    use v1::session_event::Kind;
    let kind = match &output.kind {
        OutputKind::StreamStart => Kind::StreamStart(v1::StreamStart {}),
        OutputKind::StreamChunk { text, kind, index } => Kind::StreamChunk(v1::StreamChunk {
            text: text.clone(),
            kind: kind.as_str().to_owned(),
            index: *index,
        }),
        OutputKind::StreamEnd { tokens, .. } => Kind::StreamEnd(v1::StreamEnd { tokens: *tokens }),
        OutputKind::ToolCallStart {
            tool_use_id,
            name,
            input,
        } => Kind::ToolCallStart(v1::ToolCallStart {
            tool_use_id: tool_use_id.clone(),
            tool_name: name.clone(),
            input_json: input.to_string(),
        }),
        OutputKind::ToolCallResult {
            tool_use_id,
            name,
            is_error,
            content,
            duration_ms,
        } => Kind::ToolCallResult(v1::ToolCallResult {
            tool_use_id: tool_use_id.clone(),
            tool_name: name.clone().unwrap_or_default(),
            is_error: *is_error,
            content: match content {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            },
            duration_ms: duration_ms.unwrap_or(0),
        }),
        OutputKind::TaskExecuting { task } => {
            Kind::TaskExecuting(v1::TaskExecuting { task: task.clone() })
        }
        OutputKind::TaskCompleted { result, .. } => Kind::TaskCompleted(v1::TaskCompleted {
            result: result.clone(),
        }),
        OutputKind::TaskFailed { error, .. } => Kind::TaskFailed(v1::TaskFailed {
            error: error.clone(),
        }),
        OutputKind::Approval(request) => Kind::Approval(approval_to_proto(request)),
        OutputKind::Line { source, line } => Kind::Output(v1::OutputLine {
            stream: match source {
                crate::model::LineSource::Stdout => "stdout",
                crate::model::LineSource::Stderr => "stderr",
            }
            .to_owned(),
            line: line.clone(),
        }),
    };
    v1::SessionEvent {
        session_id: output.session_id.clone(),
        unix_ms: unix_ms(output.at),
        kind: Some(kind),
    }
}

/// The wire form of an approval request.
pub fn approval_to_proto(r: &ApprovalRequest) -> v1::Approval {
    v1::Approval {
        id: r.id.clone(),
        session_id: r.session_id.clone(),
        tool: r.tool.clone(),
        input_json: r.input.to_string(),
        rule: r.rule.clone(),
        reason: r.reason.clone(),
        created_unix_ms: unix_ms(r.created),
        expires_unix_ms: unix_ms(r.expires),
        state: r.state.as_str().to_owned(),
        kind: r.kind.as_str().to_owned(),
        answered_by: r.answered_by.clone().unwrap_or_default(),
        summary: r.summary(),
    }
}
