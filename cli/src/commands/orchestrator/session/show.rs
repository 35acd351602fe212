//! `wundr orchestrator session show ID [--json]`: [`ShowArgs`]; every field of one session,
//! as aligned `key  value` lines ([`render_human`]) or as JSON ([`SessionJson`]).

use std::path::Path;

use clap::Args;

use super::{call, connect, render, session_ref};
use crate::daemon_client::CALL_TIMEOUT;
use crate::error::{CliError, Outcome};
use crate::json::session::SessionJson;
use crate::output;
use orchestrator_api::v1::Session;

/// Arguments of `wundr orchestrator session show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The session id (see: wundr orchestrator session list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::session_ids())]
    pub id: String,
    /// Print one JSON object (snake_case keys) instead of text
    #[arg(long)]
    pub json: bool,
}

/// Shows the session.
pub async fn run(args: &ShowArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.get(session_ref(&args.id));
    let session = call(socket, "Get", &args.id, CALL_TIMEOUT, request).await?;
    let text = if args.json {
        crate::json::pretty(&SessionJson::from(&session))
    } else {
        render_human(&session)
    };
    output::stdout(&text)?;
    Ok(Outcome::Success)
}

/// Every field, one per line; unset ones read `-` so the lines keep their order and meaning.
pub fn render_human(session: &Session) -> String {
    let or_dash = |text: &str| {
        if text.is_empty() {
            "-".to_owned()
        } else {
            text.to_owned()
        }
    };
    let time = |ms: i64| render::iso_time(ms).unwrap_or_else(|| "-".to_owned());
    let task = session.task.clone().unwrap_or_default();
    let metrics = session.metrics.unwrap_or_default();
    let mut fields: Vec<(&str, String)> = vec![
        ("id", session.id.clone()),
        ("status", render::status_word(session.status)),
        ("type", render::type_word(session.r#type)),
        ("orchestrator", or_dash(&session.orchestrator_id)),
        ("task", task.description.clone()),
        ("task id", or_dash(&task.id)),
        ("task type", or_dash(&task.r#type)),
        ("task status", or_dash(&task.status)),
        ("priority", render::priority_word(task.priority)),
    ];
    if !task.metadata_json.is_empty() {
        fields.push(("metadata", task.metadata_json.clone()));
    }
    if session.queue_position > 0 {
        fields.push(("queue position", session.queue_position.to_string()));
    }
    if !session.transcript_error.is_empty() {
        fields.push(("transcript error", session.transcript_error.clone()));
    }
    if let Some(w) = &session.waiting_for {
        let how = if w.kind == "question" {
            format!(
                "wundr orchestrator approval answer {} \"TEXT\"",
                w.approval_id
            )
        } else {
            format!(
                "wundr orchestrator approval approve {} (or deny)",
                w.approval_id
            )
        };
        fields.push((
            "waiting for",
            format!(
                "a person since {}: {} `{}` ({}); answer with: {how}",
                time(w.since_unix_ms),
                w.tool,
                w.summary,
                w.kind
            ),
        ));
    }
    if session.stalled_since_unix_ms > 0 && !render::is_ended(session.status) {
        fields.push((
            "stalled",
            format!(
                "no progress since {}; see: wundr orchestrator logs --session {} -f",
                time(session.stalled_since_unix_ms),
                session.id
            ),
        ));
    }
    fields.extend([
        ("error", or_dash(&session.error)),
        (
            "exit code",
            session.exit_code.map_or("-".to_owned(), |c| c.to_string()),
        ),
        (
            "pid",
            match session.pid {
                0 => "-".to_owned(),
                pid => pid.to_string(),
            },
        ),
        ("runner", runner_words(session)),
        ("work dir", or_dash(&session.work_dir)),
        ("worktree branch", or_dash(&session.worktree_branch)),
        ("agent session", or_dash(&session.agent_session_id)),
        ("model", or_dash(&session.model)),
        ("api key source", or_dash(&session.api_key_source)),
        ("restarts", session.restarts.to_string()),
        ("memories", memories_given(&session.memory_context_json)),
        ("tokens", metrics.tokens_used.to_string()),
        ("duration", format!("{} ms", metrics.duration_ms)),
        ("tasks completed", metrics.tasks_completed.to_string()),
        ("errors", metrics.errors_encountered.to_string()),
        (
            "avg response",
            format!("{:.0} ms", metrics.average_response_time_ms),
        ),
        ("started", time(session.started_at_unix_ms)),
        ("ended", time(session.ended_at_unix_ms)),
        ("task created", time(task.created_at_unix_ms)),
        ("task updated", time(task.updated_at_unix_ms)),
    ]);
    let width = fields.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (key, value) in fields {
        // A multi-line task keeps its lines, indented under the value column.
        let value = value.replace('\n', &format!("\n{:width$}  ", ""));
        text.push_str(&format!("{key:width$}  {value}\n"));
    }
    text
}

/// How many memories the session was given at spawn, by tier (`-` for none).
fn memories_given(memory_context_json: &str) -> String {
    let context: serde_json::Value =
        serde_json::from_str(memory_context_json).unwrap_or(serde_json::Value::Null);
    let count = |tier: &str| context[tier].as_array().map_or(0, Vec::len);
    match (count("episodic"), count("semantic")) {
        (0, 0) => "-".to_owned(),
        (e, s) => format!("{} given ({e} episodic, {s} semantic)", e + s),
    }
}

/// `local`, or `ray: job <id> on node <ip>`.
fn runner_words(session: &Session) -> String {
    let runner = if session.runner.is_empty() {
        "local"
    } else {
        session.runner.as_str()
    };
    match &session.remote {
        Some(job) => format!(
            "{runner}: job {} on node {} ({})",
            job.job_id, job.node_ip, job.node_id
        ),
        None => runner.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::orchestrator::session::render::tests::sample;

    #[test]
    fn every_field_has_a_line() {
        let text = render_human(&sample());
        for expected in [
            "id               session_1_abc\n",
            "status           completed\n",
            "type             claude-code\n",
            "task             say hello\n",
            "priority         high\n",
            "metadata         {\"ticket\":42}\n",
            "error            -\n",
            "exit code        0\n",
            "pid              -\n",
            "work dir         /tmp/w\n",
            "worktree branch  -\n",
            "agent session    uuid-1\n",
            "model            fixture-model\n",
            "api key source   none\n",
            "tokens           117\n",
            "avg response     42 ms\n",
            "started          2026-11-28T02:29:17.336Z\n",
            "ended            -\n",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        assert!(!text.contains("queue position"));
        assert_eq!(
            memories_given(r#"{"episodic":[{}],"semantic":[{},{}],"text":"x"}"#),
            "3 given (1 episodic, 2 semantic)"
        );
        assert_eq!(memories_given("{}"), "-");
    }
}
