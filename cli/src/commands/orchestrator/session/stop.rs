//! `wundr orchestrator session stop ID`: the daemon sends SIGTERM to the session's process
//! group, SIGKILL after its shutdown timeout, and answers once the agent is reaped; the
//! session ends `terminated`. Stopping an ended session is refused (exit 1).

use std::path::Path;
use std::time::Duration;

use super::{SessionIdArgs, call, connect, print_status, session_ref};
use crate::error::{CliError, Outcome};
use crate::spinner::Spinner;

/// The daemon waits up to its shutdown timeout (10 s by default) before SIGKILL, then reaps;
/// this leaves room for a generous configured timeout without hanging forever.
const STOP_TIMEOUT: Duration = Duration::from_secs(90);

/// Stops the session.
pub async fn run(args: &SessionIdArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let session = {
        let _spinner = Spinner::start(format!("stopping session {}", args.id));
        let request = client.stop(session_ref(&args.id));
        call(socket, "Stop", &args.id, STOP_TIMEOUT, request).await?
    };
    print_status(&session)
}
