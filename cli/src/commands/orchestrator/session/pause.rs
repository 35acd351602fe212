//! `wundr orchestrator session pause ID`: SIGSTOP to the session's process group; the session
//! is `paused` until `unpause`. Only a running agent can be paused.

use std::path::Path;

use super::{SessionIdArgs, call, connect, print_status, session_ref};
use crate::daemon_client::CALL_TIMEOUT;
use crate::error::{CliError, Outcome};

/// Pauses the session.
pub async fn run(args: &SessionIdArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.pause(session_ref(&args.id));
    let session = call(socket, "Pause", &args.id, CALL_TIMEOUT, request).await?;
    print_status(&session)
}
