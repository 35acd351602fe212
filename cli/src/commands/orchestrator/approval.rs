//! `wundr orchestrator approval list [--json] | approve ID [--reason R] | deny ID [--reason R]
//! | answer ID TEXT`: [`ApprovalCommand`]; answers what agents wait on a person for — tool calls
//! the charter escalates or leaves open, and the agents' own questions.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use orchestrator_api::v1::{AnswerApprovalRequest, Approval, ListApprovalsRequest};

use super::charter::{charter_call, charter_client};
use crate::daemon_client::CALL_TIMEOUT;
use crate::error::{CliError, Outcome};
use crate::json::approval::ApprovalJson;
use crate::output;

/// The subcommands of `wundr orchestrator approval`.
#[derive(Debug, Subcommand)]
pub enum ApprovalCommand {
    /// List the agent actions and questions waiting for a person
    List(ListArgs),
    /// Let a waiting action proceed
    Approve(AnswerArgs),
    /// Refuse a waiting action (the agent is told the reason)
    Deny(AnswerArgs),
    /// Answer an agent's question with text
    Answer(TextArgs),
}

/// Arguments of `approval list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `approval approve|deny`.
#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// The approval id (see: wundr orchestrator approval list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::approval_ids())]
    pub id: String,
    /// Why; shown to the agent
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// Arguments of `approval answer`.
#[derive(Debug, Args)]
pub struct TextArgs {
    /// The approval id of the question (see: wundr orchestrator approval list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::question_ids())]
    pub id: String,
    /// The answer, as the agent will read it
    #[arg(value_name = "TEXT")]
    pub text: String,
}

/// Runs one `approval` subcommand.
pub async fn run(command: ApprovalCommand, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = charter_client(socket).await?;
    let (args, approve) = match command {
        ApprovalCommand::List(args) => {
            let reply = charter_call(
                socket,
                "ListApprovals",
                CALL_TIMEOUT,
                None,
                client.list_approvals(ListApprovalsRequest {}),
            )
            .await?;
            return print_list(&reply.approvals, args.json);
        }
        ApprovalCommand::Approve(args) => (args, true),
        ApprovalCommand::Deny(args) => (args, false),
        ApprovalCommand::Answer(TextArgs { id, text }) => {
            let args = AnswerArgs { id, reason: None };
            return answer(&mut client, socket, &args, true, text).await;
        }
    };
    answer(&mut client, socket, &args, approve, String::new()).await
}

async fn answer(
    client: &mut orchestrator_api::v1::charter_client::CharterClient<tonic::transport::Channel>,
    socket: &Path,
    args: &AnswerArgs,
    approve: bool,
    text: String,
) -> Result<Outcome, CliError> {
    let request = AnswerApprovalRequest {
        id: args.id.clone(),
        approve,
        reason: args.reason.clone().unwrap_or_default(),
        answered_by: "cli".to_owned(),
        answer: text,
    };
    let resolved = charter_call(
        socket,
        "Answer",
        CALL_TIMEOUT,
        Some("list the waiting ones with: wundr orchestrator approval list"),
        client.answer(request),
    )
    .await?;
    output::stdout(&format!(
        "{} {} ({} in session {})\n",
        resolved.id, resolved.state, resolved.tool, resolved.session_id
    ))?;
    Ok(Outcome::Success)
}

fn print_list(approvals: &[Approval], json: bool) -> Result<Outcome, CliError> {
    if json {
        let items: Vec<_> = approvals.iter().map(ApprovalJson::from).collect();
        output::stdout(&crate::json::pretty(&items))?;
        return Ok(Outcome::Success);
    }
    if approvals.is_empty() {
        output::stdout("no approvals waiting\n")?;
        return Ok(Outcome::Success);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let mut text = String::new();
    for a in approvals {
        let left = Duration::from_millis(u64::try_from(a.expires_unix_ms - now).unwrap_or(0));
        let how = if a.kind == "question" {
            format!(
                "answer: wundr orchestrator approval answer {} \"TEXT\"",
                a.id
            )
        } else {
            format!("wundr orchestrator approval approve {} (or deny)", a.id)
        };
        text.push_str(&format!(
            "{}  session {}  {}  {}\n    {}: {}\n    expires in {}s; {how}\n",
            a.id,
            a.session_id,
            if a.kind == "question" {
                "question"
            } else {
                a.tool.as_str()
            },
            a.rule,
            if a.kind == "question" {
                "asks"
            } else {
                "input"
            },
            if a.kind == "question" && !a.summary.is_empty() {
                &a.summary
            } else {
                &a.input_json
            },
            left.as_secs()
        ));
    }
    output::stdout(&text)?;
    Ok(Outcome::Success)
}
