//! `wundr orchestrator audit [--session ID] [--limit N] [--json]`: [`AuditArgs`]; lists the
//! charter decisions the daemon recorded (time, session, event, tool, input, decision, rule,
//! who approved), oldest first.

use std::path::Path;

use clap::Args;
use orchestrator_api::v1::ListAuditRequest;

use super::charter::{charter_call, charter_client};
use crate::daemon_client::CALL_TIMEOUT;
use crate::error::{CliError, Outcome};
use crate::json::audit::AuditEntryJson;
use crate::output;

/// Arguments of `wundr orchestrator audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this session's decisions
    #[arg(long, value_name = "ID", add = crate::commands::complete_ids::session_ids())]
    pub session: Option<String>,
    /// At most this many (the newest)
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: u32,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Lists the audit.
pub async fn run(args: &AuditArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = charter_client(socket).await?;
    let request = ListAuditRequest {
        session_id: args.session.clone().unwrap_or_default(),
        limit: args.limit.max(1),
    };
    let reply = charter_call(
        socket,
        "ListAudit",
        CALL_TIMEOUT,
        None,
        client.list_audit(request),
    )
    .await?;
    if args.json {
        let entries: Vec<_> = reply.entries.iter().map(AuditEntryJson::from).collect();
        output::stdout(&crate::json::pretty(&entries))?;
        return Ok(Outcome::Success);
    }
    let mut text = String::new();
    for e in &reply.entries {
        let approved = if e.approved_by.is_empty() {
            String::new()
        } else {
            format!(" [by {}]", e.approved_by)
        };
        text.push_str(&format!(
            "{}  {}  {:<16} {:<8} {:<7} {}{}\n    {}\n",
            time_text(e.unix_ms),
            if e.session_id.is_empty() {
                "-"
            } else {
                &e.session_id
            },
            e.event,
            if e.tool.is_empty() { "-" } else { &e.tool },
            e.decision,
            if e.rule.is_empty() {
                "(no rule)"
            } else {
                &e.rule
            },
            approved,
            one_line(&e.input_summary),
        ));
    }
    if reply.entries.is_empty() {
        text.push_str("no decisions recorded\n");
    }
    output::stdout(&text)?;
    Ok(Outcome::Success)
}

/// The summary on one line, so each entry stays two lines: a prompt (Claude Flow's hive
/// prompt is dozens of lines) has its line breaks and runs of blanks shown as one space.
fn one_line(summary: &str) -> String {
    summary.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn time_text(ms: i64) -> String {
    crate::json::time(ms).unwrap_or_else(|| "-".to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_multi_line_summary_is_shown_on_one_line() {
        assert_eq!(
            super::one_line("HIVE MIND\n═══\n\n  You are   the Queen"),
            "HIVE MIND ═══ You are the Queen"
        );
        assert_eq!(super::one_line("git push"), "git push");
    }
}
