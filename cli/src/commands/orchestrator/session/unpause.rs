//! `wundr orchestrator session unpause ID`: SIGCONT to a paused session's process group; the
//! session is `running` again.

use std::path::Path;

use super::{SessionIdArgs, call, connect, print_status, session_ref};
use crate::daemon_client::CALL_TIMEOUT;
use crate::error::{CliError, Outcome};

/// Resumes the session.
pub async fn run(args: &SessionIdArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.unpause(session_ref(&args.id));
    let session = call(socket, "Unpause", &args.id, CALL_TIMEOUT, request).await?;
    print_status(&session)
}
