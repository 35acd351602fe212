//! `wundr orchestrator logs --session ID [-f] [--transcript]`: [`run`] streams the session's
//! events over `Sessions.Follow` and prints them with an [`EventPrinter`].
//!
//! Without `-f` it prints what the session did so far (the daemon's backlog of its recent
//! events, after its raw transcript with `--transcript`), then its status line, and exits 0.
//! With `-f` it keeps printing until the session ends (the daemon ends the stream after a
//! final completed/failed/terminated status) and exits 0 when it completed, 1 when it failed
//! or was terminated ([`Outcome::SessionFailed`]); Ctrl+C exits 0. What it did so far comes
//! from the daemon's memory and the session's history file (across restarts, up to 2048
//! events); with `last_lines` only the last N lines of it are printed. When none of its turns
//! were shown `-f` says on stderr where they are. Exit 3 when the daemon is not running, or
//! stops before the session ends; exit 1 with the daemon's message for an unknown session.
//! With `json` each event is one JSON Lines record ([`SessionEventJson`]) instead of text.

use std::path::Path;

use orchestrator_api::v1::session_event::Kind;
use orchestrator_api::v1::{FollowSessionRequest, SessionEvent, SessionStatus};
use tonic::Streaming;

use super::events::EventPrinter;
use super::{call, connect};
use crate::daemon_client::{self, CALL_TIMEOUT};
use crate::error::SessionCommandError;
use crate::error::{CliError, Outcome, RpcFailure};
use crate::json::logs::SessionEventJson;
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
    /// Print only the last N lines of what happened before the session's current status.
    pub last_lines: Option<u32>,
    /// Print each event as a JSON Lines record.
    pub json: bool,
}

/// Prints the session's events; see the module docs for when it returns.
pub async fn run(options: &FollowOptions<'_>, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.follow(FollowSessionRequest {
        session_id: options.id.to_owned(),
        replay_transcript: options.transcript,
    });
    let stream = call(socket, "Follow", options.id, CALL_TIMEOUT, request).await?;
    let mut printer = Printer {
        text: EventPrinter::default(),
        json: options.json,
    };
    let mut past = PastLines::new(options.last_lines);
    let result = if options.follow {
        follow(stream, &mut printer, &mut past, options.id, socket).await
    } else {
        until_status(stream, &mut printer, &mut past, options.id, socket).await
    };
    // Whatever happened, leave the cursor at the start of a line.
    if !printer.json {
        output::stdout(&printer.text.finish())?;
    }
    result
}

/// Prints events until the first status (which the daemon sends after the transcript); each
/// must arrive within the call timeout.
async fn until_status(
    mut stream: Streaming<SessionEvent>,
    printer: &mut Printer,
    past: &mut PastLines,
    id: &str,
    socket: &Path,
) -> Result<Outcome, CliError> {
    while !printer.text.seen_status() {
        let next = tokio::time::timeout(CALL_TIMEOUT, stream.message()).await;
        match next {
            Err(_elapsed) => {
                return Err(CliError::Timeout {
                    socket: socket.to_path_buf(),
                    call: "Follow",
                    timeout: CALL_TIMEOUT,
                });
            }
            Ok(Ok(Some(event))) => {
                past.print(&printer.render(&event), printer.text.seen_status())?
            }
            Ok(Ok(None)) => return Err(SessionCommandError::DaemonStopped { id: id.into() }.into()),
            Ok(Err(status)) => return Err(stream_error(status, id, socket).await),
        }
    }
    Ok(Outcome::Success)
}

/// Prints events until the stream ends after a final status, or Ctrl+C.
async fn follow(
    mut stream: Streaming<SessionEvent>,
    printer: &mut Printer,
    past: &mut PastLines,
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
                    past.print(&printer.render(&event), printer.text.seen_status())?;
                }
                Ok(None) if printer.text.ended() => {
                    // The daemon's backlog holds recent sessions only (and not across a
                    // restart): an older session's turns are only in its transcript.
                    if !printer.text.seen_task_end() {
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

/// How events are printed: the text printer always runs, since it tracks where the stream
/// is (statuses seen, the end); with `json` its text is replaced by one JSON record.
struct Printer {
    text: EventPrinter,
    json: bool,
}

impl Printer {
    fn render(&mut self, event: &SessionEvent) -> String {
        let text = self.text.render(event);
        if self.json {
            crate::json::line(&SessionEventJson::from(event))
        } else {
            text
        }
    }
}

/// What happened before the first status, held back when only its last lines are wanted.
struct PastLines {
    keep: Option<usize>,
    held: String,
    done: bool,
}

impl PastLines {
    fn new(last_lines: Option<u32>) -> Self {
        Self {
            keep: last_lines.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            held: String::new(),
            done: false,
        }
    }

    /// Prints `text`, rendered from one event; `status_seen` once that event was (or came
    /// after) the first status, which ends the past.
    fn print(&mut self, text: &str, status_seen: bool) -> Result<(), CliError> {
        let Some(keep) = self.keep.filter(|_| !self.done) else {
            return output::stdout(text);
        };
        if !status_seen {
            self.held.push_str(text);
            return Ok(());
        }
        self.done = true;
        let past = std::mem::take(&mut self.held);
        output::stdout(last_lines(&past, keep))?;
        output::stdout(text)
    }
}

/// The last `keep` lines of `text` (a partial last line counts as one).
fn last_lines(text: &str, keep: usize) -> &str {
    let body = text.strip_suffix('\n').unwrap_or(text);
    match body.rmatch_indices('\n').nth(keep.saturating_sub(1)) {
        _ if keep == 0 => "",
        Some((at, _)) => &text[at + 1..],
        None => text,
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

#[cfg(test)]
mod tests {
    use super::last_lines;

    #[test]
    fn last_lines_keeps_the_end() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(last_lines("a\nb\nc", 2), "b\nc");
        assert_eq!(last_lines("a\nb\n", 5), "a\nb\n");
        assert_eq!(last_lines("a\nb\n", 0), "");
        assert_eq!(last_lines("", 3), "");
    }
}
