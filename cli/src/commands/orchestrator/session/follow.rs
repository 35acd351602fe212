//! `wundr orchestrator logs --session ID [-f] [--transcript]`: [`run`] streams the session's
//! events over `Sessions.Follow` and prints them with an [`EventPrinter`].
//!
//! Without `-f` it prints what the session did so far (the daemon's backlog of its recent
//! events, after its raw transcript with `--transcript`), then its status line, and exits 0.
//! With `-f` it keeps printing until the session ends (the daemon ends the stream after a
//! final completed/failed/terminated status) and exits 0 when it completed, 1 when it failed
//! or was terminated ([`Outcome::SessionFailed`]); Ctrl+C exits 0. The backlog
//! covers the daemon's recent sessions since it started; for an older session `-f` says on
//! stderr where its turns are. Exit 3 when the daemon is not running, or stops before the
//! session ends; exit 1
//! with the daemon's message for an unknown session.

use std::path::Path;

use orchestrator_api::v1::session_event::Kind;
use orchestrator_api::v1::{FollowSessionRequest, SessionEvent, SessionStatus};
use tonic::Streaming;

use super::error::SessionCommandError;
use super::events::EventPrinter;
use super::{call, connect};
use crate::daemon_client::{self, CALL_TIMEOUT};
use crate::error::{CliError, Outcome, RpcFailure};
use crate::output;

/// What to follow and how.
#[derive(Debug, Clone)]
pub struct FollowOptions<'a> {
    /// The session id.
    pub id: &'a str,
    /// Keep printing until the session ends.
    pub follow: bool,
    /// Replay what the agent printed so far first.
    pub transcript: bool,
}

/// Prints the session's events; see the module docs for when it returns.
pub async fn run(options: &FollowOptions<'_>, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.follow(FollowSessionRequest {
        session_id: options.id.to_owned(),
        replay_transcript: options.transcript,
    });
    let stream = call(socket, "Follow", options.id, CALL_TIMEOUT, request).await?;
    let mut printer = EventPrinter::default();
    let result = if options.follow {
        follow(stream, &mut printer, options.id, socket).await
    } else {
        until_status(stream, &mut printer, options.id, socket).await
    };
    // Whatever happened, leave the cursor at the start of a line.
    output::stdout(&printer.finish())?;
    result
}

/// Prints events until the first status (which the daemon sends after the transcript); each
/// must arrive within the call timeout.
async fn until_status(
    mut stream: Streaming<SessionEvent>,
    printer: &mut EventPrinter,
    id: &str,
    socket: &Path,
) -> Result<Outcome, CliError> {
    while !printer.seen_status() {
        let next = tokio::time::timeout(CALL_TIMEOUT, stream.message()).await;
        match next {
            Err(_elapsed) => {
                return Err(CliError::Timeout {
                    socket: socket.to_path_buf(),
                    call: "Follow",
                    timeout: CALL_TIMEOUT,
                });
            }
            Ok(Ok(Some(event))) => output::stdout(&printer.render(&event))?,
            Ok(Ok(None)) => return Err(SessionCommandError::DaemonStopped { id: id.into() }.into()),
            Ok(Err(status)) => return Err(stream_error(status, id, socket).await),
        }
    }
    Ok(Outcome::Success)
}

/// Prints events until the stream ends after a final status, or Ctrl+C.
async fn follow(
    mut stream: Streaming<SessionEvent>,
    printer: &mut EventPrinter,
    id: &str,
    socket: &Path,
) -> Result<Outcome, CliError> {
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut last_status = None;
    loop {
        tokio::select! {
            // An error installing the handler also lands here; stopping is the safe reading.
            _ = &mut ctrl_c => return Ok(Outcome::Success),
            next = stream.message() => match next {
                Ok(Some(event)) => {
                    if let Some(Kind::Status(session)) = &event.kind {
                        last_status = Some(session.status);
                    }
                    output::stdout(&printer.render(&event))?;
                }
                Ok(None) if printer.ended() => {
                    // The daemon's backlog holds recent sessions only (and not across a
                    // restart): an older session's turns are only in its transcript.
                    if !printer.seen_task_end() {
                        output::stderr(&format!(
                            "the session's earlier output is not shown; replay it with: \
                             wundr orchestrator logs --session {id} --transcript\n"
                        ));
                    }
                    return Ok(outcome_of(last_status));
                }
                // The daemon ends every follower's stream when it shuts down.
                Ok(None) => return Err(SessionCommandError::DaemonStopped { id: id.into() }.into()),
                Err(status) => return Err(stream_error(status, id, socket).await),
            },
        }
    }
}

/// Exit 0 for a session that completed, 1 for one that failed or was terminated.
fn outcome_of(final_status: Option<i32>) -> Outcome {
    match final_status {
        Some(status) if status == SessionStatus::Completed as i32 => Outcome::Success,
        _ => Outcome::SessionFailed,
    }
}

/// A broken stream: "the daemon stopped" when nothing listens any more (a daemon that dies
/// does not end its streams), else the transport's error.
async fn stream_error(status: tonic::Status, id: &str, socket: &Path) -> CliError {
    if matches!(daemon_client::connect(socket).await, Ok(None)) {
        return SessionCommandError::DaemonStopped { id: id.into() }.into();
    }
    CliError::Rpc {
        call: "Follow",
        source: RpcFailure(status),
    }
}
