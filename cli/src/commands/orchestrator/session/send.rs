//! `wundr orchestrator session send ID TEXT…`: [`SendArgs`]; another user turn for a session.
//! A running agent gets it on stdin; a finished claude-code session is resumed with it (its
//! status goes back to queued/running). Prints the resulting status line.

use std::path::Path;
use std::time::Duration;

use clap::Args;
use orchestrator_api::v1::SendToSessionRequest;

use super::{call, connect, print_status};
use crate::error::{CliError, Outcome};

/// Writing to a busy agent's stdin may wait on its pipe; beyond this it is stuck.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Arguments of `wundr orchestrator session send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The session id (see: wundr orchestrator session list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::session_ids())]
    pub id: String,
    /// What to tell the agent; the words are joined with spaces (put words that start with
    /// `-` after `--`)
    #[arg(value_name = "TEXT", required = true, num_args = 1..)]
    pub text: Vec<String>,
}

/// Sends the turn.
pub async fn run(args: &SendArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.send(SendToSessionRequest {
        session_id: args.id.clone(),
        text: args.text.join(" "),
    });
    let session = call(socket, "Send", &args.id, SEND_TIMEOUT, request).await?;
    print_status(&session)
}
