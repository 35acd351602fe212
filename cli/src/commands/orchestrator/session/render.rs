//! How a session looks to people (its JSON shape is [`crate::json::session::SessionJson`]):
//! the one-line summary [`status_line`] and [`format_age`]; the words of the proto enums
//! ([`type_word`], [`status_word`], [`priority_word`]) live in [`crate::words`].

use std::time::{SystemTime, UNIX_EPOCH};

use orchestrator_api::v1::{Session, SessionStatus};

pub use crate::words::{priority_word, status_word, type_word};

/// True for the statuses a session does not leave on its own.
pub fn is_ended(status: i32) -> bool {
    matches!(
        SessionStatus::try_from(status),
        Ok(SessionStatus::Completed | SessionStatus::Failed | SessionStatus::Terminated)
    )
}

/// `2026-11-28T02:09:17.336Z`, or `None` for 0 (the proto's "not set") and negative values.
pub fn iso_time(unix_ms: i64) -> Option<String> {
    crate::json::time(unix_ms)
}

/// `waiting` for a session that waits for a person, `stalled` for one whose agent shows no
/// progress, else its status word: what a person scanning a table needs to see.
pub fn status_or_waiting(session: &Session) -> String {
    if session.waiting_for.is_some() {
        "waiting".to_owned()
    } else if session.stalled_since_unix_ms > 0 && !is_ended(session.status) {
        "stalled".to_owned()
    } else {
        status_word(session.status)
    }
}

/// `session <id> <status>`, plus the queue position while queued and the reason once it
/// failed or was stopped.
pub fn status_line(session: &Session) -> String {
    let mut line = format!("session {} {}", session.id, status_word(session.status));
    line.push_str(&status_detail(session));
    line
}

/// What follows the status word: ` (position N in the queue)`, ` (waiting for …)` or
/// `: <error>`.
pub fn status_detail(session: &Session) -> String {
    if let Some(w) = &session.waiting_for {
        let what = if w.kind == "question" {
            format!("an answer to its question, {}", w.approval_id)
        } else {
            format!("approval of {} `{}`, {}", w.tool, w.summary, w.approval_id)
        };
        format!(" (waiting for {what})")
    } else if session.stalled_since_unix_ms > 0 && !is_ended(session.status) {
        format!(
            " (stalled: no progress for {})",
            format_age(session.stalled_since_unix_ms, SystemTime::now())
        )
    } else if session.status == SessionStatus::Queued as i32 && session.queue_position > 0 {
        format!(" (position {} in the queue)", session.queue_position)
    } else if !session.error.is_empty() {
        format!(": {}", session.error)
    } else {
        String::new()
    }
}

/// Time since `started_at_unix_ms` in its largest unit: `42s`, `5m`, `3h`, `2d`.
pub fn format_age(started_at_unix_ms: i64, now: SystemTime) -> String {
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    if started_at_unix_ms <= 0 {
        return "-".to_owned();
    }
    let secs = now_ms.saturating_sub(started_at_unix_ms).max(0) / 1000;
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use orchestrator_api::v1::{SessionMetrics, SessionType, Task, TaskPriority};
    use std::time::Duration;

    pub(crate) fn sample() -> Session {
        Session {
            id: "session_1_abc".into(),
            orchestrator_id: "default".into(),
            task: Some(Task {
                id: "task_1".into(),
                description: "say hello".into(),
                r#type: "code".into(),
                priority: TaskPriority::High as i32,
                status: "completed".into(),
                metadata_json: r#"{"ticket":42}"#.into(),
                created_at_unix_ms: 1_795_832_957_336,
                updated_at_unix_ms: 1_795_832_958_000,
            }),
            r#type: SessionType::ClaudeCode as i32,
            status: SessionStatus::Completed as i32,
            started_at_unix_ms: 1_795_832_957_336,
            ended_at_unix_ms: 0,
            metrics: Some(SessionMetrics {
                tokens_used: 117,
                duration_ms: 1500,
                tasks_completed: 1,
                errors_encountered: 0,
                average_response_time_ms: 42.0,
            }),
            pid: 0,
            work_dir: "/tmp/w".into(),
            agent_session_id: "uuid-1".into(),
            exit_code: Some(0),
            error: String::new(),
            queue_position: 0,
            model: "fixture-model".into(),
            api_key_source: "none".into(),
            restarts: 0,
            worktree_branch: String::new(),
            memory_context_json: r#"{"scratchpad":{}}"#.into(),
            transcript_error: String::new(),
            waiting_for: None,
            stalled_since_unix_ms: 0,
            runner: String::new(),
            remote: None,
        }
    }

    #[test]
    fn unknown_enums_and_bad_json_degrade_gracefully() {
        assert_eq!(type_word(99), "unspecified");
        assert_eq!(type_word(SessionType::Ruflo as i32), "ruflo");
        assert_eq!(iso_time(-5), None);
    }

    #[test]
    fn status_line_names_the_queue_position_or_the_error() {
        let mut session = sample();
        assert_eq!(status_line(&session), "session session_1_abc completed");
        session.status = SessionStatus::Queued as i32;
        session.queue_position = 2;
        assert_eq!(
            status_line(&session),
            "session session_1_abc queued (position 2 in the queue)"
        );
        session.status = SessionStatus::Terminated as i32;
        session.error = "stopped on request".into();
        assert_eq!(
            status_line(&session),
            "session session_1_abc terminated: stopped on request"
        );
    }

    #[test]
    fn age_uses_the_largest_unit() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ago = |secs: i64| 1_000_000_000 - secs * 1000;
        assert_eq!(format_age(ago(5), now), "5s");
        assert_eq!(format_age(ago(125), now), "2m");
        assert_eq!(format_age(ago(7300), now), "2h");
        assert_eq!(format_age(ago(200_000), now), "2d");
        assert_eq!(format_age(0, now), "-");
    }
}
